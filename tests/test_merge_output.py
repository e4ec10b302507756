"""One row per partnership across pages and languages; the files as the contract says."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.models import Candidate, PageResult
from pipeline.stages.s7_merge import merge
from pipeline.stages.s8_export.publish import Dataset, write_dataset
from pipeline.stages.s8_export.tables import COLUMNS


def cand(partner: str, url: str, lang: str, **kw: object) -> Candidate:
    base: dict[str, object] = {
        "partner": partner,
        "partner_type": "city",
        "country_code": "MA",
        "protocol_type": "twinning",
        "protocol_label": "jumelage",
        "year": 2009,
        "date": "2009",
        "status": "active",
        "domains": ("health",),
        "evidence": f"{partner} …",
        "confidence": 0.8,
        "source_url": url,
        "language": lang,
        "commune": "Schaarbeek",
        "commune_nis": "21015",
    }
    base.update(kw)
    return Candidate(**base)  # type: ignore[arg-type]


def test_french_and_dutch_pages_merge_into_one_row(processed: dict[str, dict[str, PageResult]]) -> None:
    pages = [p for sid, p in processed["raw"].items() if sid.startswith(("schaerbeek", "schaarbeek"))]
    assert len(pages) == 2 and {p.language for p in pages} == {"fr", "nl"}
    rows = merge(c for p in pages for c in p.candidates)
    assert len(rows) == 3
    for row in rows:
        assert len(row.source_url.split()) == 2 and row.language == "fr nl"
        assert row.commune_nis == "21015"


def test_merge_unites_spellings_and_domains() -> None:
    rows = merge(
        [
            cand("Al-Hoceïma", "https://x.be/fr", "fr", domains=("civil_registry",), date="2017-03-04", year=2017),
            cand("Al Hoceima", "https://x.be/nl", "nl", domains=("digital",), date="2017", year=2017, confidence=0.6),
        ]
    )
    assert len(rows) == 1
    row = rows[0]
    assert row.domains == ("civil_registry", "digital") and row.date == "2017-03-04"
    assert row.partner == "Al-Hoceïma"  # the most confident page names it


def test_ids_are_stable_and_content_derived() -> None:
    a = merge([cand("Fès", "u1", "fr")])[0].partnership_id
    b = merge([cand("Fes", "u2", "nl", confidence=0.5)])[0].partnership_id
    c = merge([cand("Fès", "u1", "fr", commune_nis="21013")])[0].partnership_id
    assert a == b and a != c


def test_same_partner_of_two_communes_stays_two_rows() -> None:
    rows = merge([cand("Fès", "u1", "fr"), cand("Fès", "u2", "fr", commune_nis="21013")])
    assert len(rows) == 2


def test_output_files_follow_the_contract(tmp_path: Path) -> None:
    rows = merge([cand('=HYPERLINK("x")', "u1", "fr"), cand("Fès", "u2", "fr", year=None, date="")])
    write_dataset(Dataset(rows, today="2026-01-31"), tmp_path)
    with (tmp_path / "partnerships.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        data = list(reader)
    assert {r["partner"] for r in data} == {'\'=HYPERLINK("x")', "Fès"}
    assert next(r for r in data if r["partner"] == "Fès")["year"] == ""
    domains = (tmp_path / "partnership_domains.csv").read_text().splitlines()
    assert domains[0] == "partnership_id,domain" and len(domains) == 3
    table = pq.read_table(tmp_path / "partnerships.parquet")
    assert table.column_names == list(COLUMNS) and table.num_rows == 2
    assert table.column("domains").to_pylist() == [["health"], ["health"]]


def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    rows = merge([cand("Fès", "u1", "fr"), cand("Dole", "u1", "fr")])
    write_dataset(Dataset(rows, today="2026-01-31"), tmp_path / "a")
    write_dataset(
        Dataset(merge([cand("Dole", "u1", "fr"), cand("Fès", "u1", "fr")]), today="2026-01-31"), tmp_path / "b"
    )
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert {"partnerships.csv", "partnership_domains.csv", "partnerships.parquet", "partnerships.sqlite"} <= set(names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
