"""The README's operator promises that the tests elsewhere do not cover: the exit-code
table, the reading of typed columns, and the Parquet types."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.batch.options import EXIT_CODES_HELP, EXIT_USAGE
from pipeline.models import Partnership
from pipeline.stages.s8_export.tables import parquet_bytes

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_exit_code_64_is_documented() -> None:
    assert EXIT_USAGE == 64
    assert "| 64 | usage error" in README and "64  usage error" in EXIT_CODES_HELP


def test_readme_shows_how_to_read_typed_columns() -> None:
    assert 'dtype={"commune_nis": "string"' in README and '"year": "Int32"' in README  # pandas
    assert 'colClasses = c(commune_nis = "character"' in README  # R
    assert "communes.csv" in README and "--registry" in README


def test_parquet_commune_nis_is_a_string_and_year_a_nullable_integer() -> None:
    rows = [
        Partnership(
            "p1",
            "Ath",
            "51004",
            "Fès",
            "city",
            "MA",
            "twinning",
            "jumelage",
            None,
            "",
            "active",
            (),
            "fr",
            "u",
            "e",
            0.9,
        ),
        Partnership(
            "p2",
            "Ath",
            "51004",
            "Douai",
            "city",
            "FR",
            "twinning",
            "jumelage",
            1998,
            "1998",
            "active",
            (),
            "fr",
            "u",
            "e",
            0.9,
        ),
    ]
    table = pq.read_table(io.BytesIO(parquet_bytes(rows)))
    assert table.schema.field("commune_nis").type == pa.string()
    year = table.schema.field("year")
    assert pa.types.is_integer(year.type) and year.nullable
    assert table.column("year").to_pylist() == [None, 1998]
    assert table.column("commune_nis").to_pylist() == ["51004", "51004"]
