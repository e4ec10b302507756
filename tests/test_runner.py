"""Unit tests of the batch machinery: page cache, pipeline version, atomic store, lock,
changes, reports, logs, per-page time limit and exit codes. Fast: no extraction, except
the exit-code tests at the end, which run the pipeline on one or two small pages."""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.batch import pagelimit as page_mod
from pipeline.batch import runner, store
from pipeline.batch.cache import PageCache, document_key, page_from_json, page_to_json
from pipeline.batch.changes import changes_csv, diff, read_rows
from pipeline.batch.lock import LockHeld, OutputLock
from pipeline.batch.logs import JsonFormatter, progress_bar
from pipeline.batch.options import EXIT_FATAL, EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL, BatchOptions
from pipeline.batch.reports import errors_csv
from pipeline.batch.runner import Slot, page_results, run
from pipeline.batch.version import page_modules, pipeline_version
from pipeline.models import Candidate, Document, PageResult

ROOT = Path(__file__).resolve().parents[1]


def candidate(partner: str = "Fès", year: int | None = 1998, **kw: object) -> Candidate:
    values: dict[str, object] = {
        "partner": partner,
        "partner_type": "city",
        "country_code": "MA",
        "protocol_type": "twinning",
        "protocol_label": "jumelage",
        "year": year,
        "date": str(year or ""),
        "status": "active",
        "domains": ("culture", "education"),
        "evidence": f"Jumelée avec {partner} — «depuis» 1998.",
        "confidence": 0.9,
        "source_url": "https://x.be/p",
        "language": "fr",
        "commune": "Ath",
        "commune_nis": "51004",
    }
    values.update(kw)
    return Candidate(**values)  # type: ignore[arg-type]


def result(*cands: Candidate, source_id: str = "p.html") -> PageResult:
    return PageResult(source_id, "https://x.be/p", "fr", "Ath", "51004", candidates=cands)


def doc(content: bytes = b"<p>x</p>", **kw: str) -> Document:
    fields = {"source_id": "p.html", "source_url": "https://x.be/p", "commune_nis": "51004", **kw}
    return Document(fields["source_id"], fields["source_url"], content, "html", fields["commune_nis"])


# --------------------------------------------------------------------------- cache


def test_page_result_json_round_trip() -> None:
    page = result(candidate(), candidate("Lüdenscheid", None, domains=(), country_code=""))
    text = page_to_json(page)
    assert page_from_json(text) == page
    assert json.loads(text)["candidates"][0]["domains"] == ["culture", "education"]
    failed = PageResult("b.html", "b.html", error_stage="text", error_type="DecodeError", error_message="x")
    assert page_from_json(page_to_json(failed)) == failed


def test_document_key_covers_bytes_url_and_commune() -> None:
    base = document_key(doc())
    assert document_key(doc()) == base
    assert document_key(doc(b"<p>y</p>")) != base
    assert document_key(doc(source_url="https://x.be/q")) != base
    assert document_key(doc(commune_nis="21015")) != base
    assert len({base, document_key(doc(), use_nlp=False), document_key(doc(), prefilter=False)}) == 3
    assert document_key(doc(source_id="q.html")) != base


def test_cache_hits_only_same_version_and_skips_failures(tmp_path: Path) -> None:
    cache = PageCache(tmp_path, "v1")
    page = result(candidate())
    cache.put("k1", page)
    cache.put("k2", PageResult("b", "b", error_stage="text", error_type="DecodeError"))
    assert cache.get("k1") == page
    assert cache.get("k2") is None  # failures are tried again next run
    cache.finish()
    cache.close()
    other = PageCache(tmp_path, "v2")
    assert other.get("k1") is None
    other.finish()  # drops the entries of other versions
    other.close()
    assert sqlite3.connect(tmp_path / "pages.sqlite").execute("SELECT count(*) FROM pages").fetchone() == (0,)


def test_corrupt_cache_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "pages.sqlite").write_bytes(b"this is not a database" * 100)
    cache = PageCache(tmp_path, "v1")
    assert cache.enabled
    cache.put("k", result(candidate()))
    assert cache.get("k") is not None
    cache.close()
    assert list(tmp_path.glob("pages.sqlite.corrupt-*"))
    assert "unusable" in caplog.text


# --------------------------------------------------------------------------- version


def test_pipeline_version_follows_page_code_and_data(tmp_path: Path) -> None:
    pkg = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    compute = pipeline_version.__wrapped__  # not the per-process memo
    names = {p.relative_to(pkg).as_posix() for p in page_modules(pkg)}
    assert {
        "cascade.py",
        "stages/s5_extract/walker.py",
        "stages/s5_extract/mentions.py",
        "knowledge/vocab.py",
        "knowledge/gazetteer.py",
        "knowledge/nlp.py",
        "stages/s2_text/blocks.py",
        "__init__.py",
        "stages/__init__.py",
        "stages/s5_extract/__init__.py",
    } <= names
    assert not names & {
        "cli.py",
        "batch/runner.py",
        "crawl/crawler.py",
        "stages/s7_merge.py",
        "stages/s8_export/tables.py",
        "batch/store.py",
    }
    v0 = compute(pkg)
    assert compute(pkg) == v0
    (pkg / "cli.py").write_text((pkg / "cli.py").read_text() + "\n# comment\n")
    assert compute(pkg) == v0  # the CLI does not shape page results
    vocab = pkg / "knowledge" / "vocab.py"
    vocab.write_text(vocab.read_text() + "\n# rule change\n")
    v1 = compute(pkg)
    assert v1 != v0
    data = next((pkg / "data").glob("*.csv"))
    data.write_text(data.read_text() + "\n")
    assert compute(pkg) != v1


# --------------------------------------------------------------------------- store


def snapshot(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in store.DATASET_FILES if (out / n).exists()}


def test_commit_swaps_the_whole_dataset_and_keeps_the_previous(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for i in range(3):
        files = {n: f"{n} v{i}\n".encode() for n in store.DATASET_FILES}
        store.commit(out, files, f"run{i}")
        assert snapshot(out) == files
        assert store.current_dir(out) == (out / ".versions" / f"run{i}").resolve()
    assert sorted(p.name for p in (out / ".versions").iterdir()) == ["run1", "run2"]
    assert all((out / n).is_symlink() for n in store.DATASET_FILES)


def test_failed_staging_leaves_previous_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    store.commit(out, {"partnerships.csv": b"old\n", "run.json": b"{}\n"}, "r1")
    calls = {"n": 0}
    real = store._write_file

    def full_disk(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(store, "_write_file", full_disk)
    with pytest.raises(OSError, match="No space left"):
        store.commit(out, {"partnerships.csv": b"new\n", "run.json": b"{1}\n"}, "r2")
    assert snapshot(out) == {"partnerships.csv": b"old\n", "run.json": b"{}\n"}
    assert [p.name for p in (out / ".versions").iterdir()] == ["r1"]


def test_recover_cleans_leftovers_and_adopts_plain_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "partnerships.csv").write_bytes(b"legacy rows\n")
    (out / "partnerships.parquet").write_bytes(b"PAR1legacy")
    (out / ".versions" / ".tmp-dead").mkdir(parents=True)
    (out / ".versions" / ".tmp-dead" / "partnerships.csv").write_bytes(b"half")
    (out / ".link-tmp-run.json-1").symlink_to("current/run.json")
    store.recover(out)
    assert snapshot(out) == {"partnerships.csv": b"legacy rows\n", "partnerships.parquet": b"PAR1legacy"}
    assert (out / "partnerships.csv").is_symlink()
    assert not list((out / ".versions").glob(".tmp-*"))
    assert not list(out.glob(".link-tmp-*"))
    assert store.previous_file(out, "partnerships.csv") is not None


def test_store_refuses_a_real_current_directory(tmp_path: Path) -> None:
    (tmp_path / "current").mkdir()
    with pytest.raises(store.StoreError):
        store.recover(tmp_path)


# --------------------------------------------------------------------------- lock


def test_lock_is_exclusive_across_processes(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pipeline.batch.lock import OutputLock; "
                "l = OutputLock(sys.argv[1]); l.acquire(); print('locked', flush=True); time.sleep(60)"
            ),
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld, match="another run holds"):
            OutputLock(tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait()
    with OutputLock(tmp_path), pytest.raises(LockHeld):  # released by the kernel when the holder died
        OutputLock(tmp_path).acquire()


def test_run_exits_75_when_locked(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("De gemeente is verbroederd met Fès (Marokko).\n")
    with OutputLock(tmp_path / "out"):
        assert run(tmp_path / "in", tmp_path / "out", BatchOptions(progress=False)) == EXIT_LOCKED
    assert not (tmp_path / "out" / "partnerships.csv").exists()


# --------------------------------------------------------------------------- changes and reports


def rows_of(*rows: dict[str, str]) -> dict[str, dict[str, str]]:
    return {r["partnership_id"]: r for r in rows}


def test_diff_added_removed_changed() -> None:
    cols = ("partnership_id", "commune", "partner", "year")
    old = rows_of(
        {"partnership_id": "p1", "commune": "Ath", "partner": "Douai", "year": "1950"},
        {"partnership_id": "p2", "commune": "Ath", "partner": "Berga", "year": ""},
    )
    new = rows_of(
        {"partnership_id": "p1", "commune": "Ath", "partner": "Douai", "year": "1951"},
        {"partnership_id": "p3", "commune": "Ath", "partner": "=HYPERLINK(1)", "year": ""},
    )
    lines = list(csv.reader(io.StringIO(changes_csv(diff(old, new, cols)).decode())))
    assert lines == [
        ["change", "partnership_id", "field", "old", "new"],
        ["added", "p3", "", "", "Ath: =HYPERLINK(1)"],
        ["changed", "p1", "year", "1950", "1951"],
        ["removed", "p2", "", "Ath: Berga", ""],
    ]
    assert diff(old, old, cols) == []


def test_read_rows_of_previous_csv() -> None:
    data = b"partnership_id,partner\np1,Douai\n,nobody\n"
    assert read_rows(data) == {"p1": {"partnership_id": "p1", "partner": "Douai"}}


def test_errors_csv_is_formula_safe_and_one_line_per_page() -> None:
    bad = PageResult(
        "x.html",
        '=HYPERLINK("http://evil","click")',
        error_stage="text",
        error_type="DecodeError",
        error_message="x.html: line one\nline two",
    )
    text = errors_csv([bad]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["source", "stage", "error_type", "message"]
    assert rows[1] == ['\'=HYPERLINK("http://evil","click")', "text", "DecodeError", "x.html: line one line two"]


# --------------------------------------------------------------------------- logs


def test_json_log_lines_carry_extra_fields() -> None:
    record = logging.LogRecord("pipeline.batch.runner", logging.INFO, __file__, 1, "done %d", (3,), None)
    record.event = "run_finished"
    record.failed = 0
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "done 3" and line["level"] == "INFO" and line["logger"] == "pipeline.batch.runner"
    assert line["event"] == "run_finished" and line["failed"] == 0


def test_progress_bar_only_when_asked_or_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar() as bar:  # stderr is not a terminal under pytest
        bar.update(1)
    assert capsys.readouterr().err == ""
    with progress_bar(True) as bar:
        bar.update(2)
    assert "2page" in capsys.readouterr().err.replace(" ", "")


# --------------------------------------------------------------------------- time limit


def busy(doc: Document, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
    while True:  # pure Python: interrupted by the alarm
        sum(range(1000))


def swallowing(doc: Document, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
    try:
        busy(doc)
    except Exception:  # noqa: BLE001 - simulates a library that swallows the interruption once
        log = logging.getLogger("a.library")
        log.info("swallowed")
    busy(doc)  # and goes on working: the timer fires again
    return PageResult(doc.source_id, doc.source_url)


@pytest.mark.parametrize("work", [busy, swallowing])
def test_time_limit_stops_a_page(work: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_mod, "process_document", work)
    monkeypatch.setattr(page_mod, "_warm_up", lambda: None)
    start = time.monotonic()
    res = page_mod.process_with_limit(doc(), 0.5)
    assert time.monotonic() - start < 3.0
    assert res.failed and res.error_type == "PageTimeout" and "0.5 s" in res.error_message


def test_time_limit_off_thread_or_zero_runs_unlimited(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def quick(doc: Document, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
        time.sleep(0.3)
        calls.append(threading.current_thread().name)
        return PageResult(doc.source_id, doc.source_url)

    monkeypatch.setattr(page_mod, "process_document", quick)
    assert not page_mod.process_with_limit(doc(), 0).failed
    box: list[PageResult] = []
    worker = threading.Thread(target=lambda: box.append(page_mod.process_with_limit(doc(), 0.1)))
    worker.start()
    worker.join()
    assert not box[0].failed and len(calls) == 2
    assert page_mod.process_with_limit(doc(), 5.0).error_type == ""
    assert signal_default()


def signal_default() -> bool:
    import signal

    return signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


# --------------------------------------------------------------------------- exit codes


def test_exit_2_without_input_or_pages_keeps_previous_dataset(tmp_path: Path) -> None:
    out = tmp_path / "out"
    store.commit(out, {"partnerships.csv": b"previous\n"}, "r0")
    opts = BatchOptions(progress=False)
    assert run(tmp_path / "missing", out, opts) == EXIT_FATAL
    (tmp_path / "empty").mkdir()
    assert run(tmp_path / "empty", out, opts) == EXIT_FATAL
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "empty.html").write_bytes(b"")
    assert run(tmp_path / "bad", out, opts) == EXIT_FATAL  # every page failed
    assert (out / "partnerships.csv").read_bytes() == b"previous\n"


def test_exit_1_when_some_pages_fail_0_when_none(tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    shutil.copy(ROOT / "raw" / "genk_internationale-samenwerking_nl.txt", inp / "genk.txt")
    (inp / "empty.html").write_bytes(b"")
    opts = BatchOptions(progress=False, time_limit=60)
    assert run(inp, out, opts) == EXIT_PARTIAL
    errors = list(csv.DictReader(io.StringIO((out / "errors.csv").read_text())))
    assert [(e["source"], e["stage"], e["error_type"]) for e in errors] == [("empty.html", "text", "DecodeError")]
    report = json.loads((out / "run.json").read_text())
    assert report["exit_code"] == EXIT_PARTIAL and report["counts"]["failed"] == 1
    assert report["counts"]["rows_written"] > 0
    (inp / "empty.html").unlink()
    assert run(inp, out, opts) == EXIT_OK
    assert (out / "errors.csv").read_text() == "source,stage,error_type,message\n"


def test_cli_run_help_lists_exit_codes() -> None:
    from pipeline.cli import build_parser

    text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()  # type: ignore[union-attr]
    for code in ("0 ", "1 ", "2 ", "75 "):
        assert f"\n  {code}" in text


# --------------------------------------------------------------------------- the page loop


@pytest.mark.parametrize("layout", ["cached first", "parsed first", "alternating", "all cached", "all parsed"])
def test_page_results_keep_input_order_and_send_only_documents_to_the_executor(
    monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    kinds = {
        "cached first": "ccpppcp",
        "parsed first": "ppcpcc",
        "alternating": "cpcpcpc",
        "all cached": "cccc",
        "all parsed": "pppp",
    }[layout]
    seen: list[object] = []

    def fake_map_pages(items: object, process: object, **kwargs: object) -> object:
        for item in items:  # type: ignore[attr-defined]  # read lazily, like the executor
            seen.append(item)
            yield PageResult(item.source_id, item.source_url, language="parsed")

    monkeypatch.setattr(runner, "map_pages", fake_map_pages)
    feed = []
    for i, kind in enumerate(kinds):
        d = doc(source_id=f"p{i}.html", source_url=f"https://x.be/{i}")
        if kind == "c":
            feed.append((Slot("cached", f"k{i}", PageResult(d.source_id, d.source_url, language="cached")), None))
        else:
            feed.append((Slot("parsed", f"k{i}"), d))
    out = list(page_results(iter(feed), BatchOptions(progress=False)))
    assert [r.source_id for _, r in out] == [f"p{i}.html" for i in range(len(kinds))]
    assert [r.language[0] for _, r in out] == list(kinds)
    assert [s.key for s, _ in out] == [f"k{i}" for i in range(len(kinds))]
    assert all(isinstance(item, Document) for item in seen) and len(seen) == kinds.count("p")


def test_cached_results_are_read_back_when_their_turn_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    """An executor that reads far ahead (here: everything) makes the cached pages between
    the parsed ones wait; they wait as slots, and their results are read when emitted."""

    def greedy_map_pages(items: object, process: object, **kwargs: object) -> object:
        docs = list(items)  # type: ignore[call-overload]
        yield from (PageResult(d.source_id, d.source_url, language="parsed") for d in docs)

    monkeypatch.setattr(runner, "map_pages", greedy_map_pages)
    feed: list[tuple[Slot, Document | None]] = []
    for i in range(30):
        d = doc(source_id=f"p{i}.html", source_url=f"https://x.be/{i}")
        if i % 3:
            feed.append((Slot("cached", f"k{i}", source_id=d.source_id, source_url=d.source_url), None))
        else:
            feed.append((Slot("parsed", f"k{i}"), d))
    emitted: list[PageResult] = []
    read_back_at: dict[str, int] = {}

    def cached(slot: Slot) -> PageResult:
        read_back_at[slot.key] = len(emitted)
        return PageResult(slot.source_id, slot.source_url, language="cached")

    for _, result in page_results(iter(feed), BatchOptions(progress=False), cached=cached):
        emitted.append(result)
    assert [r.source_id for r in emitted] == [f"p{i}.html" for i in range(30)]
    assert read_back_at == {f"k{i}": i for i in range(30) if i % 3}  # each when its turn came
    assert list(page_results(iter([]), BatchOptions(progress=False))) == []


def test_what_evaluate_scores_is_the_same_with_two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import TEAM_DEV

    one = runner.extract_dir(TEAM_DEV, keep_results=True)
    monkeypatch.setattr(runner, "MIN_PAGES_PER_WORKER", 2)  # the team's corpus is small
    assert runner.effective_workers(2, one.pages) == 2
    two = runner.extract_dir(TEAM_DEV, keep_results=True, workers=2)
    assert one.rows and two.rows == one.rows and two.results == one.results
