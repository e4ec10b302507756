"""Stage 8, export, the tables: Partnerships to partnerships.csv, partnership_domains.csv and
partnerships.parquet, exactly per CONTRACT.md.

CSV is UTF-8, RFC 4180 quoting, LF line ends; text cells that a spreadsheet would
read as a formula are prefixed with an apostrophe. Parquet holds the same rows with
typed columns (year as a nullable integer, domains as a list of codes).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date as _date
from pathlib import Path

from pipeline.models import Partnership
from pipeline.schema import PARTNERSHIP_DOMAINS, PARTNERSHIPS, Column, Table

COLUMNS = PARTNERSHIPS.names
PARTNERSHIPS_CSV = PARTNERSHIPS.filename
DOMAINS_CSV = PARTNERSHIP_DOMAINS.filename
PARTNERSHIPS_PARQUET = "partnerships.parquet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMAT = {"confidence": "{:.2f}", "partner_latitude": "{:.5f}", "partner_longitude": "{:.5f}"}


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (OWASP CSV injection): prefix with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def format_value(column: Column, value: object) -> str:
    """A typed value as written in the CSV (numbers are never formula-guarded: `-3.5` is a number)."""
    if value is None or value == "":
        return ""
    if column.type == "list":
        return safe_cell(";".join(str(v) for v in value))  # type: ignore[attr-defined]
    if column.type == "integer":
        return str(int(value))  # type: ignore[call-overload]
    if column.type == "number":
        return NUMBER_FORMAT.get(column.name, "{}").format(float(value))  # type: ignore[arg-type]
    return safe_cell(str(value)) if column.is_text else str(value)


def record_cells(table: Table, record: object) -> list[str]:
    """The CSV cells of one record (a dataclass or a mapping with the table's column names)."""
    get = record.get if isinstance(record, dict) else (lambda name: getattr(record, name))
    return [format_value(c, get(c.name)) for c in table.columns]


def row_cells(p: Partnership) -> list[str]:
    return record_cells(PARTNERSHIPS, p)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _arrow_value(column: Column, value: object) -> object:
    if value == "" and column.type != "string":
        return None
    if column.type == "date" and isinstance(value, str):
        return _date.fromisoformat(value)
    if column.type == "list":
        return list(value)  # type: ignore[call-overload]
    return value


def parquet_bytes(rows: Sequence[Partnership]) -> bytes:
    import pyarrow as pa  # here, not at import: only the commands that write Parquet need it
    import pyarrow.parquet as pq

    data = {c.name: [_arrow_value(c, getattr(p, c.name)) for p in rows] for c in PARTNERSHIPS.columns}
    table = pa.Table.from_pydict(data, schema=PARTNERSHIPS.arrow_schema())
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def stamp_dates(rows: Sequence[Partnership], today: str) -> list[Partnership]:
    """Rows with first_seen/last_seen/last_changed set to today where empty (library use: no history)."""
    return [
        replace(
            p, first_seen=p.first_seen or today, last_seen=p.last_seen or today, last_changed=p.last_changed or today
        )
        for p in rows
    ]
