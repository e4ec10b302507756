"""Publish the dataset in the forms analysts use, every one derived from `schema.TABLES`.

    partnerships.csv, partnership_domains.csv, domains.csv, domain_sectors.csv,
    pages.csv, evidence_spans.csv      the tables (CSV, as the contract says)
    partnerships.parquet               the partnerships, typed
    datapackage.json                   Frictionless Data Package (Table Schemas, keys)
    partnerships.sqlite                the same tables, indexes, FTS5 search on evidence
    partnerships.xlsx                  the same tables for spreadsheets, typed, formula-safe
    report.html                        map, timeline, counts, rows with their evidence

Every file is a pure function of the rows, the pages and the run date: a rerun on the
same input writes the same bytes (the SQLite file is built in one transaction in a fixed
order and vacuumed; the xlsx has fixed timestamps).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

from pipeline.models import Partnership
from pipeline.schema import (
    DOMAIN_SECTORS,
    DOMAINS,
    DOMAINS_TABLE,
    EVIDENCE_SPANS,
    PAGES,
    PARTNERSHIP_DOMAINS,
    PARTNERSHIPS,
    TABLES,
    Table,
    datapackage_json,
)
from pipeline.stages.s8_export.tables import (
    PARTNERSHIPS_PARQUET,
    atomic_write,
    csv_bytes,
    parquet_bytes,
    record_cells,
    stamp_dates,
)

log = logging.getLogger(__name__)

SQLITE = "partnerships.sqlite"
XLSX = "partnerships.xlsx"
REPORT = "report.html"
DATAPACKAGE = "datapackage.json"
FTS_TABLE = "evidence_fts"
EVIDENCE_SEPARATORS = re.compile(r"\s+(?:\||…)\s+")
EXTRA_FILES = (
    (PARTNERSHIPS_PARQUET, "parquet", "the partnerships table with typed columns"),
    (SQLITE, "sqlite", "every table, with indexes and FTS5 full-text search on evidence (table evidence_fts)"),
    (XLSX, "xlsx", "every table but pages, for spreadsheets"),
    (REPORT, "html", "a self-contained report: map, timeline, counts, evidence in its page"),
)
XLSX_SKIP = ("pages",)  # page texts exceed spreadsheet cell limits; they are in the CSV and SQLite


@dataclass(frozen=True)
class Page:
    source_url: str
    language: str
    commune_nis: str
    text: str


@dataclass
class Dataset:
    """Everything published by one run."""

    rows: list[Partnership]
    pages: dict[str, Page] = field(default_factory=dict)
    today: str = ""

    def __post_init__(self) -> None:
        if self.today:  # rows without history (library use) are first seen today
            self.rows = stamp_dates(self.rows, self.today)

    def spans(self) -> list[tuple[str, str, int, int]]:
        return evidence_spans(self.rows, self.pages)

    def tables(self) -> dict[str, list[dict[str, object]]]:
        """Each table's records (typed values by column name), in publication order."""
        used_urls = {u for r in self.rows for u in r.source_url.split()}
        return {
            PARTNERSHIPS.name: [{c: getattr(r, c) for c in PARTNERSHIPS.names} for r in self.rows],
            PARTNERSHIP_DOMAINS.name: [
                {"partnership_id": r.partnership_id, "domain": d} for r in self.rows for d in r.domains
            ],
            DOMAINS_TABLE.name: domain_records(),
            DOMAIN_SECTORS.name: sector_records(),
            PAGES.name: [vars(p) for url, p in sorted(self.pages.items()) if url in used_urls],
            EVIDENCE_SPANS.name: [dict(zip(EVIDENCE_SPANS.names, s, strict=True)) for s in self.spans()],
        }


# --------------------------------------------------------------------------- domains


def _data_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _sectors() -> tuple[tuple[str, str, str, str], ...]:
    rows = _data_csv("domain_sectors.csv")
    return tuple((r["domain"], r["dac_code"], r["dac_name_en"], r["dac_name_fr"]) for r in rows)


def sector_records() -> list[dict[str, object]]:
    order = {d: i for i, d in enumerate(DOMAINS)}
    return [
        dict(zip(DOMAIN_SECTORS.names, s, strict=True)) for s in sorted(_sectors(), key=lambda s: (order[s[0]], s[1]))
    ]


def domain_records() -> list[dict[str, object]]:
    labels = {r["domain"]: r for r in _data_csv("domains.csv")}
    missing = [d for d in DOMAINS if d not in labels]
    if missing:
        raise ValueError(f"pipeline/data/domains.csv lacks {', '.join(missing)}")
    return [
        {
            "domain": d,
            "label_nl": labels[d]["label_nl"],
            "label_fr": labels[d]["label_fr"],
            "label_en": labels[d]["label_en"],
            "dac_codes": tuple(sorted({s[1] for s in _sectors() if s[0] == d})),
        }
        for d in DOMAINS
    ]


# --------------------------------------------------------------------------- evidence offsets


def locate(sentence: str, text: str) -> tuple[int, int] | None:
    """[start, end) of `sentence` in `text` (code points), whitespace-insensitive; None if absent."""
    sentence = sentence.strip()
    if len(sentence) < 3:
        return None
    at = text.find(sentence)
    if at >= 0:
        return at, at + len(sentence)
    words = sentence.split()
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = pattern.search(text)
    return (m.start(), m.end()) if m else None


def evidence_spans(rows: Iterable[Partnership], pages: Mapping[str, Page]) -> list[tuple[str, str, int, int]]:
    """Where each row's evidence sentences stand in its pages' main text, sorted; overlapping
    or touching spans of one row and page are united into one."""
    spans: list[tuple[str, str, int, int]] = []
    for row in rows:
        pieces = [p for p in EVIDENCE_SEPARATORS.split(row.evidence) if p.strip()]
        for url in row.source_url.split():
            page = pages.get(url)
            if page is None:
                continue
            found = sorted({f for f in (locate(piece, page.text) for piece in pieces) if f is not None})
            spans += [(row.partnership_id, url, start, end) for start, end in _union(found)]
    return sorted(spans)


def _union(intervals: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in intervals:  # sorted by start
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


# --------------------------------------------------------------------------- CSV


def table_csv(table: Table, records: Iterable[Mapping[str, object]]) -> bytes:
    return csv_bytes(table.names, (record_cells(table, dict(r)) for r in records))


# --------------------------------------------------------------------------- SQLite


def _sql_value(table: Table, name: str, value: object) -> object:
    column = table.column(name)
    if value is None or value == "":
        return None
    if column.type == "list":
        return ";".join(str(v) for v in value)  # type: ignore[attr-defined]
    return value


def _create_sql(table: Table) -> list[str]:
    cols = [f'"{c.name}" {c.sql_type()}{" NOT NULL" if c.required else ""}' for c in table.columns]
    cols.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
    cols += [
        f"FOREIGN KEY ({', '.join(fk.fields)}) REFERENCES {fk.table} ({', '.join(fk.reference)})"
        for fk in table.foreign_keys
    ]
    stmts = [f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(cols) + "\n)"]
    stmts += [
        f"CREATE INDEX {table.name}_{'_'.join(index)} ON {table.name} ({', '.join(index)})" for index in table.indexes
    ]
    return stmts


def sqlite_bytes(tables: Mapping[str, Sequence[Mapping[str, object]]]) -> bytes:
    """The tables as one SQLite database, plus `evidence_fts` (FTS5 on partner and evidence).

    Deterministic: built in one transaction in a fixed order, then vacuumed."""
    fd, tmp = tempfile.mkstemp(suffix=".sqlite")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA page_size=4096")
            db.execute("BEGIN")
            for table in TABLES:
                for stmt in _create_sql(table):
                    db.execute(stmt)
                marks = ", ".join("?" for _ in table.columns)
                db.executemany(
                    f"INSERT INTO {table.name} VALUES ({marks})",
                    ([_sql_value(table, c, r.get(c)) for c in table.names] for r in tables[table.name]),
                )
            db.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(partnership_id UNINDEXED, commune, "
                "partner, evidence, tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.execute(
                f"INSERT INTO {FTS_TABLE} SELECT partnership_id, commune, partner, evidence "
                "FROM partnerships ORDER BY partnership_id"
            )
            db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            db.execute("COMMIT")
            db.execute("VACUUM")
        finally:
            db.close()
        return Path(tmp).read_bytes()
    finally:
        Path(tmp).unlink(missing_ok=True)


# --------------------------------------------------------------------------- xlsx


def xlsx_bytes(tables: Mapping[str, Sequence[Mapping[str, object]]], today: str) -> bytes:
    """One worksheet per table (but pages): typed cells, text never read as a formula."""
    import xlsxwriter

    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # the workbook's creation date is the run's calendar date, naive as Excel keeps it
    stamp = datetime.fromisoformat(today) if today else datetime(2000, 1, 1)  # noqa: DTZ001
    workbook.set_properties(
        {"title": "International partnerships of Belgian communes", "created": stamp, "author": "partnership-pipeline"}
    )
    workbook.set_custom_property("generated", stamp.date().isoformat())
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for table in TABLES:
        if table.name in XLSX_SKIP:
            continue
        sheet = workbook.add_worksheet(table.name[:31])
        sheet.write_row(0, 0, table.names, bold)
        records = tables[table.name]
        for i, record in enumerate(records, start=1):
            for j, column in enumerate(table.columns):
                value = record.get(column.name)
                if value is None or value == "" or value == ():
                    continue
                if column.type in ("integer", "number"):
                    sheet.write_number(i, j, float(value))  # type: ignore[arg-type]
                elif column.type == "date":
                    sheet.write_datetime(i, j, datetime.fromisoformat(str(value)), date_format)
                elif column.type == "list":
                    sheet.write_string(i, j, ";".join(str(v) for v in value))  # type: ignore[attr-defined]
                else:
                    sheet.write_string(i, j, str(value)[:32767])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(records), 1), len(table.columns) - 1)
        for j, column in enumerate(table.columns):
            sheet.set_column(j, j, 60 if column.name in ("evidence", "source_url") else 16)
    workbook.close()
    return buf.getvalue()


# --------------------------------------------------------------------------- all files


def dataset_files(data: Dataset) -> dict[str, bytes]:
    """Every published file of the dataset (but errors.csv, changes.csv and run.json)."""
    from pipeline.stages.s8_export.htmlreport import report_html

    tables = data.tables()
    files = {t.filename: table_csv(t, tables[t.name]) for t in TABLES}
    files[PARTNERSHIPS_PARQUET] = parquet_bytes(data.rows)
    files[DATAPACKAGE] = datapackage_json(EXTRA_FILES)
    files[SQLITE] = sqlite_bytes(tables)
    files[XLSX] = xlsx_bytes(tables, data.today)
    files[REPORT] = report_html(data.rows, tables, data.today)
    return files


def write_dataset(data: Dataset, out_dir: Path) -> list[Path]:
    """Every file of `dataset_files`, each written atomically into out_dir (library use and the
    benchmark; the batch job commits the same files together, with its reports, through
    `batch.store`)."""
    paths = []
    for name, content in sorted(dataset_files(data).items()):
        atomic_write(out_dir / name, content)
        paths.append(out_dir / name)
    return paths
