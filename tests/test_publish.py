"""The published dataset: data package, SQLite, xlsx, history across runs, byte-identical reruns."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import RAW

from pipeline.batch.options import EXIT_OK, EXIT_PARTIAL, BatchOptions
from pipeline.batch.runner import run
from pipeline.schema import DICTIONARY_PATH, PARTNERSHIPS, TABLES, data_dictionary
from pipeline.stages.s8_export.publish import Page, evidence_spans, locate

PAGES = ("ath_jumelages_fr.html", "gent_twin-towns_en.html", "mechelen_nieuws-vriendschapsakkoord-irpin_nl.html")
GEO_FILES = (
    "partnerships.csv",
    "partnership_domains.csv",
    "domains.csv",
    "domain_sectors.csv",
    "pages.csv",
    "evidence_spans.csv",
    "partnerships.parquet",
    "datapackage.json",
    "partnerships.sqlite",
    "partnerships.xlsx",
    "report.html",
    "errors.csv",
    "changes.csv",
)


def make_input(target: Path, pages: tuple[str, ...] = PAGES) -> Path:
    target.mkdir(parents=True)
    for name in pages:
        shutil.copy(RAW / name, target / name)
    lines = (RAW / "sources.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] in pages]
    (target / "sources.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    return target


def run_on(input_dir: Path, output: Path, day: str, **kw: object) -> int:
    return run(input_dir, output, BatchOptions(time_limit=0, progress=False, run_date=day, **kw))  # type: ignore[arg-type]


def read_csv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("publish")
    out = base / "out"
    assert run_on(make_input(base / "in"), out, "2026-01-15") == EXIT_OK
    return out / "current"


def test_every_table_is_written_with_the_schemas_header(dataset: Path) -> None:
    for table in TABLES:
        with (dataset / table.filename).open(encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(table.names), table.name
    rows = read_csv(dataset / "partnerships.csv")
    assert rows and all(r["first_seen"] == r["last_seen"] == "2026-01-15" for r in rows)
    irpin = next(r for r in rows if r["partner"] == "Irpin")
    assert irpin["partner_geonames_id"] == "707565" and irpin["partner_geo_match"] == "unique_name"
    assert float(irpin["partner_latitude"]) == pytest.approx(50.52, abs=0.01)


def test_datapackage_validates_with_frictionless(dataset: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(dataset / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_datapackage_catches_a_dangling_domain_row(dataset: Path, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    copy = tmp_path / "pkg"
    shutil.copytree(dataset, copy)
    with (copy / "partnership_domains.csv").open("a", encoding="utf-8") as fh:
        fh.write("pdoesnotexist000,health\n")
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}


def test_sqlite_answers_the_readme_queries(dataset: Path) -> None:
    db = sqlite3.connect(dataset / "partnerships.sqlite")
    partners = [
        r[0] for r in db.execute("SELECT partner FROM partnerships WHERE commune = ? ORDER BY partner", ("Gent",))
    ]
    assert {"Kanazawa", "Wiesbaden"} <= set(partners)
    communes = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT commune FROM partnerships WHERE country_code = ? ORDER BY commune", ("FR",)
        )
    ]
    assert "Ath" in communes
    hits = db.execute(
        "SELECT p.commune, p.partner, snippet(evidence_fts, 3, '[', ']', '…', 8) "
        "FROM evidence_fts JOIN partnerships p USING (partnership_id) "
        "WHERE evidence_fts MATCH ? ORDER BY rank",
        ("vriendschapsakkoord",),
    ).fetchall()
    assert hits and hits[0][:2] == ("Mechelen", "Irpin") and "[vriendschapsakkoord]" in hits[0][2]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    domains = db.execute(
        "SELECT s.dac_code FROM partnership_domains d JOIN domain_sectors s USING (domain) WHERE d.domain = 'education'"
    ).fetchall()
    assert ("11330",) in domains


def test_xlsx_is_typed_and_never_a_formula(tmp_path: Path) -> None:
    from test_merge_output import cand

    from pipeline.stages.s7_merge import merge
    from pipeline.stages.s8_export.publish import Dataset, dataset_files

    rows = merge([cand('=HYPERLINK("http://x","y")', "u1", "fr"), cand("Fès", "u2", "fr")])
    files = dataset_files(Dataset(rows, {}, "2026-01-15"))
    path = tmp_path / "p.xlsx"
    path.write_bytes(files["partnerships.xlsx"])
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK" in strings
    assert "<v>0.8</v>" in sheet  # confidence is a number cell
    assert dataset_files(Dataset(rows, {}, "2026-01-15")) == files  # deterministic, every file


def test_rerun_on_unchanged_input_is_byte_identical(dataset: Path, tmp_path: Path) -> None:
    other = tmp_path / "out"
    assert run_on(make_input(tmp_path / "in"), other, "2026-01-15", full=True) == EXIT_OK
    for name in GEO_FILES:
        assert (dataset / name).read_bytes() == (other / "current" / name).read_bytes(), name


def test_first_seen_is_kept_and_a_failed_page_keeps_its_partnerships(tmp_path: Path) -> None:
    source = make_input(tmp_path / "in")
    out = tmp_path / "out"
    assert run_on(source, out, "2026-01-15") == EXIT_OK
    first = {r["partnership_id"]: r for r in read_csv(out / "partnerships.csv")}
    assert run_on(source, out, "2026-02-01") == EXIT_OK
    second = {r["partnership_id"]: r for r in read_csv(out / "partnerships.csv")}
    assert second.keys() == first.keys()
    assert all(
        r["first_seen"] == "2026-01-15" and r["last_seen"] == "2026-02-01" and r["last_changed"] == "2026-01-15"
        for r in second.values()
    )
    assert read_csv(out / "changes.csv") == []  # last_seen moves every run: not a change
    (source / "gent_twin-towns_en.html").write_bytes(b"")  # the page cannot be read this run
    assert run_on(source, out, "2026-03-01") == EXIT_PARTIAL
    third = {r["partnership_id"]: r for r in read_csv(out / "partnerships.csv")}
    assert third.keys() == first.keys()
    gent = [r for r in third.values() if r["commune"] == "Gent"]
    assert gent and all(r["last_seen"] == "2026-02-01" for r in gent)
    assert all(r["last_seen"] == "2026-03-01" for r in third.values() if r["commune"] != "Gent")
    changes = read_csv(out / "changes.csv")
    assert {c["change"] for c in changes} == {"kept"}
    assert {c["partnership_id"] for c in changes} == {r["partnership_id"] for r in gent}
    assert all("stad.gent" in c["new"] for c in changes)
    pages = {r["source_url"] for r in read_csv(out / "pages.csv")}
    assert any("stad.gent" in u for u in pages)  # its page text comes from the previous dataset


def test_evidence_offsets_are_code_points() -> None:
    text = "Intro 𝄞 line.\nLa ville est  jumelée\navec Fès depuis 1977."
    start, end = locate("La ville est jumelée avec Fès depuis 1977.", text) or (0, 0)
    assert text[start:end].startswith("La ville") and text[start:end].endswith("1977.")
    assert start == len("Intro 𝄞 line.\n")  # one code point for the clef, not two UTF-16 units
    from test_merge_output import cand

    from pipeline.stages.s7_merge import merge

    row = merge([cand("Fès", "u1", "fr", evidence="Premier. | La ville est jumelée avec Fès depuis 1977.")])[0]
    spans = evidence_spans([row], {"u1": Page("u1", "fr", "", text)})
    assert [(s[2], s[3]) for s in spans] == [(start, end)]


def test_data_dictionary_is_up_to_date() -> None:
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == data_dictionary(), (
        "run `python -m pipeline.schema docs` and commit docs/data-dictionary.md"
    )


def test_contract_columns_come_first_and_partnership_fields_match_the_schema() -> None:
    from dataclasses import fields

    from pipeline.models import Partnership

    assert PARTNERSHIPS.names[:16] == (
        "partnership_id",
        "commune",
        "commune_nis",
        "partner",
        "partner_type",
        "country_code",
        "protocol_type",
        "protocol_label",
        "year",
        "date",
        "status",
        "domains",
        "language",
        "source_url",
        "evidence",
        "confidence",
    )
    assert tuple(f.name for f in fields(Partnership) if f.name != "aliases") == PARTNERSHIPS.names
    assert os.path.basename(DICTIONARY_PATH) == "data-dictionary.md"


def test_overlapping_evidence_pieces_make_one_span() -> None:
    from test_merge_output import cand

    from pipeline.stages.s7_merge import merge

    text = "Intro.\nJumelage avec Fès depuis 1977, renouvelé en 2007.\nFin."
    row = merge(
        [
            cand(
                "Fès",
                "u1",
                "fr",
                evidence="Jumelage avec Fès | Jumelage avec Fès depuis 1977, renouvelé en 2007. | depuis 1977",
            )
        ]
    )[0]
    spans = evidence_spans([row], {"u1": Page("u1", "fr", "", text)})
    assert [(s[2], s[3]) for s in spans] == [(7, text.index("\nFin."))]
