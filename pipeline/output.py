"""Stage 6, write: Partnerships to partnerships.csv, partnership_domains.csv and
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
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .models import Partnership

COLUMNS = ("partnership_id", "commune", "commune_nis", "partner", "partner_type", "country_code",
           "protocol_type", "protocol_label", "year", "date", "status", "domains", "language",
           "source_url", "evidence", "confidence")
PARTNERSHIPS_CSV = "partnerships.csv"
DOMAINS_CSV = "partnership_domains.csv"
PARTNERSHIPS_PARQUET = "partnerships.parquet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

PARQUET_SCHEMA = pa.schema([
    ("partnership_id", pa.string()), ("commune", pa.string()), ("commune_nis", pa.string()),
    ("partner", pa.string()), ("partner_type", pa.string()), ("country_code", pa.string()),
    ("protocol_type", pa.string()), ("protocol_label", pa.string()), ("year", pa.int32()),
    ("date", pa.string()), ("status", pa.string()), ("domains", pa.list_(pa.string())),
    ("language", pa.string()), ("source_url", pa.string()), ("evidence", pa.string()),
    ("confidence", pa.float64()),
])


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (OWASP CSV injection): prefix with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def row_cells(p: Partnership) -> list[str]:
    values: dict[str, object] = {
        **{c: getattr(p, c) for c in COLUMNS},
        "year": "" if p.year is None else str(p.year),
        "domains": ";".join(p.domains),
        "confidence": f"{p.confidence:.2f}",
    }
    return [safe_cell(str(values[c])) for c in COLUMNS]


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


def parquet_bytes(rows: Sequence[Partnership]) -> bytes:
    data = {c: [getattr(p, c) for p in rows] for c in COLUMNS}
    data["domains"] = [list(p.domains) for p in rows]
    table = pa.Table.from_pydict(data, schema=PARQUET_SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def write_dataset(rows: Sequence[Partnership], out_dir: Path) -> list[Path]:
    """Write the three dataset files into out_dir; returns their paths."""
    files = {
        PARTNERSHIPS_CSV: csv_bytes(COLUMNS, (row_cells(p) for p in rows)),
        DOMAINS_CSV: csv_bytes(("partnership_id", "domain"),
                               ((p.partnership_id, d) for p in rows for d in p.domains)),
        PARTNERSHIPS_PARQUET: parquet_bytes(rows),
    }
    paths = []
    for name, data in files.items():
        atomic_write(out_dir / name, data)
        paths.append(out_dir / name)
    return paths
