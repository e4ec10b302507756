"""The pipeline as a nightly batch job, on the project's sample pages (a copy of raw/):

- incremental runs: an unchanged input parses no page again and gives byte-identical
  files; changing one page re-parses only that page and changes.csv lists exactly its
  changes; --full parses everything again;
- crash safety: `run_pipeline.py run` killed with SIGKILL at named points of the run and
  of the commit (test hook PIPELINE_TEST_PAUSE, see pipeline/batch/store.py) and at arbitrary
  moments leaves the previous complete dataset byte for byte (or, once the switch is
  made, the new complete one), and the next run completes normally.

The dataset runs in-process fill the page cache, so the killed subprocess runs parse at
most one page each and stay fast.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.batch import store
from pipeline.batch.lock import OutputLock
from pipeline.batch.options import EXIT_LOCKED, EXIT_OK, BatchOptions
from pipeline.batch.runner import run
from pipeline.batch.version import pipeline_version

ROOT = Path(__file__).resolve().parents[1]
GENT = "gent_twin-towns_en.html"
ATH = "ath_jumelages_fr.html"
OPTS = BatchOptions(progress=False, time_limit=120)


def snapshot(out: Path) -> dict[str, bytes]:
    """Every dataset file as readers see it, plus where `current` points."""
    snap = {name: (out / name).read_bytes() for name in store.DATASET_FILES if (out / name).exists()}
    snap["->current"] = os.readlink(out / "current").encode()
    return snap


def report(out: Path) -> dict[str, object]:
    data = json.loads((out / "run.json").read_text())
    assert isinstance(data, dict)
    return data


def counts(out: Path) -> dict[str, int]:
    c = report(out)["counts"]
    assert isinstance(c, dict)
    return c


def csv_rows(data: bytes) -> dict[str, dict[str, str]]:
    return {r["partnership_id"]: r for r in csv.DictReader(io.StringIO(data.decode()))}


def expected_changes(old: bytes, new: bytes) -> list[list[str]]:
    """changes.csv lines computed independently from two partnerships.csv files."""
    before, after = csv_rows(old), csv_rows(new)
    lines = [
        ["added", p, "", "", f"{after[p]['commune']}: {after[p]['partner']}"] for p in after.keys() - before.keys()
    ]
    lines += [
        ["removed", p, "", f"{before[p]['commune']}: {before[p]['partner']}", ""] for p in before.keys() - after.keys()
    ]
    header = list(csv.DictReader(io.StringIO(new.decode())).fieldnames or [])
    for p in before.keys() & after.keys():
        lines += [["changed", p, f, before[p][f], after[p][f]] for f in header if before[p][f] != after[p][f]]
    return sorted(lines, key=lambda line: (line[0], line[1], header.index(line[2]) if line[2] else -1))


def changes(out: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "changes.csv").read_text())))[1:]


def edit_gent(inp: Path) -> None:
    """Kanazawa leaves Ghent's list, Wiesbaden's year changes."""
    page = inp / GENT
    html = page.read_text(encoding="utf-8")
    html = html.replace("<tr><td>Kanazawa</td><td>Japan</td><td>1971</td></tr>", "")
    html = html.replace(
        "<td>Wiesbaden</td><td>Germany</td><td>1981</td>", "<td>Wiesbaden</td><td>Germany</td><td>1985</td>"
    )
    page.write_text(html, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("batch")
    shutil.copytree(ROOT / "raw", base / "in")
    return base


def test_incremental_runs_and_changes(corpus: Path) -> None:
    inp, out = corpus / "in", corpus / "out"
    assert run(inp, out, OPTS) == EXIT_OK
    first = snapshot(out)
    c = counts(out)
    assert (c["pages_seen"], c["parsed"], c["skipped_unchanged"], c["failed"]) == (10, 10, 0, 0)
    assert c["rows_written"] == len(csv_rows(first["partnerships.csv"])) > 0

    assert run(inp, out, OPTS) == EXIT_OK  # unchanged input: nothing parsed, same bytes
    second = snapshot(out)
    c = counts(out)
    assert (c["parsed"], c["skipped_unchanged"]) == (0, 10)
    for name in ("partnerships.csv", "partnership_domains.csv", "partnerships.parquet", "errors.csv"):
        assert second[name] == first[name], name
    assert changes(out) == []
    r1, r2 = json.loads(first["run.json"]), report(out)
    for key in ("counts", "input", "pipeline", "options"):
        if key != "counts":
            assert r1[key] == r2[key], key

    edit_gent(inp)  # one page changed: only it is parsed, changes.csv says exactly what changed
    assert run(inp, out, OPTS) == EXIT_OK
    third = snapshot(out)
    c = counts(out)
    assert (c["parsed"], c["skipped_unchanged"]) == (1, 9)
    assert report(out)["input"] != r2["input"]  # the fingerprint follows the input
    got = changes(out)
    assert got == expected_changes(second["partnerships.csv"], third["partnerships.csv"])
    old = csv_rows(second["partnerships.csv"])
    kanazawa = next(p for p, r in old.items() if r["partner"] == "Kanazawa")
    wiesbaden = next(p for p, r in old.items() if r["partner"] == "Wiesbaden")
    assert ["removed", kanazawa, "", "Gent: Kanazawa", ""] in got
    assert ["changed", wiesbaden, "year", "1981", "1985"] in got
    rows = {**old, **csv_rows(third["partnerships.csv"])}
    assert {rows[line[1]]["commune"] for line in got} == {"Gent"}

    assert run(inp, out, BatchOptions(progress=False, full=True)) == EXIT_OK  # --full parses everything
    c = counts(out)
    assert (c["parsed"], c["skipped_unchanged"]) == (10, 0)
    assert snapshot(out)["partnerships.csv"] == third["partnerships.csv"]
    assert changes(out) == []
    assert sorted(p.name for p in (out / ".versions").iterdir()) == sorted(
        {os.readlink(out / "current").split("/")[-1], third["->current"].decode().split("/")[-1]}
    )

    # the options that shape a page's result are part of its cache key: --no-nlp re-reads every
    # page, and a second --no-nlp run finds them all in the cache
    assert run(inp, out, BatchOptions(progress=False, use_nlp=False)) == EXIT_OK
    assert (counts(out)["parsed"], counts(out)["skipped_unchanged"]) == (10, 0)
    assert run(inp, out, BatchOptions(progress=False, use_nlp=False)) == EXIT_OK
    assert (counts(out)["parsed"], counts(out)["skipped_unchanged"]) == (0, 10)


# --------------------------------------------------------------------------- SIGKILL


def cli_run(
    inp: Path, out: Path, pause: str = "", flag: Path | None = None, log: tuple[str, ...] = ("--log-level", "WARNING")
) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop(store.PAUSE_ENV, None)
    if pause:
        env[store.PAUSE_ENV] = f"{pause}:{flag}"
    return subprocess.Popen(
        [
            sys.executable,
            "run_pipeline.py",
            *log,
            "run",
            "--input",
            str(inp),
            "--output",
            str(out),
            "--no-progress",
            "--time-limit",
            "120",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(inp: Path, out: Path, point: str, tmp: Path) -> None:
    """Start a run, wait until it reaches `point`, SIGKILL it."""
    flag = tmp / f"reached-{point}"
    flag.unlink(missing_ok=True)
    proc = cli_run(inp, out, point, flag)
    deadline = time.monotonic() + 180
    while not flag.exists():
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"run ended (exit {proc.returncode}) before reaching {point}: {err[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"run did not reach {point}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def complete(out: Path) -> bool:
    """The dataset visible in out is one whole committed run: every file from one version."""
    rep = report(out)
    rows = csv_rows((out / "partnerships.csv").read_bytes())
    run_dir = (out / "current").resolve()
    return (
        rep["counts"]["rows_written"] == len(rows)  # type: ignore[index]
        and run_dir.name == rep["run"]["id"]  # type: ignore[index]
        and all((out / n).resolve().parent == run_dir for n in store.DATASET_FILES)
    )


def test_sigkill_keeps_previous_dataset(tmp_path: Path) -> None:
    inp_a, inp_b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    shutil.copytree(ROOT / "raw", inp_a)
    shutil.copytree(ROOT / "raw", inp_b)
    edit_gent(inp_b)
    assert run(inp_a, out, OPTS) == EXIT_OK  # in-process: fills the cache for both inputs
    dataset_a = snapshot(out)["partnerships.csv"]
    assert run(inp_b, out, OPTS) == EXIT_OK
    version = pipeline_version()

    # Killed while parsing a changed page (after it was cached): previous dataset intact.
    inp_c = tmp_path / "c"
    shutil.copytree(inp_b, inp_c)
    with (inp_c / ATH).open("a", encoding="latin-1") as fh:
        fh.write("<!-- edited -->\n")
    before = snapshot(out)
    kill_at(inp_c, out, "page-done", tmp_path)
    assert snapshot(out) == before
    proc = cli_run(inp_c, out)  # the next run completes, reusing what the killed run cached
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == EXIT_OK, err
    assert complete(out)
    rep = report(out)
    if rep["pipeline"]["version"] == version:  # type: ignore[index]  # (code edited meanwhile: skip)
        assert counts(out)["parsed"] == 0
        assert counts(out)["skipped_unchanged"] == 10

    # Killed at every step of a run over input A: still the dataset of C, byte for byte.
    previous = snapshot(out)
    for point in ("started", "before-commit", "staging", "staged", "before-switch"):
        kill_at(inp_a, out, point, tmp_path)
        assert snapshot(out) == previous, point
    # Killed right after the switch: the new dataset, complete.
    kill_at(inp_a, out, "after-switch", tmp_path)
    assert complete(out) and snapshot(out) != previous
    if report(out)["pipeline"]["version"] == version:  # type: ignore[index]
        assert (out / "partnerships.csv").read_bytes() == dataset_a

    # Killed at arbitrary moments: a geometric sweep of delays, from the start of a run
    # until a run is fast enough to finish first. Always one complete dataset, old or new.
    killed = finished = 0
    delay = 0.05
    for i in range(40):
        old = snapshot(out)
        proc = cli_run(inp_a if i % 2 == 0 else inp_b, out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        killed += proc.returncode == -signal.SIGKILL
        finished += proc.returncode == EXIT_OK
        assert snapshot(out) == old or complete(out), delay
        if finished:
            break
        delay *= 1.25
    assert killed >= 3 and finished == 1

    proc = cli_run(inp_b, out, log=("--log-json",))  # and the next run completes normally
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == EXIT_OK, err
    assert complete(out)
    lines = [json.loads(line) for line in err.splitlines()]  # --log-json: one JSON object per line
    assert lines[-1]["event"] == "run_finished" and lines[-1]["exit_code"] == EXIT_OK
    assert lines[-1]["pages_seen"] == 10
    assert not list((out / ".versions").glob(".tmp-*")) and not list(out.glob(".link-tmp-*"))
    assert len(list((out / ".versions").iterdir())) == 2


def test_second_run_on_a_locked_output_exits_75(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("De gemeente is verbroederd met Fès (Marokko).\n")
    with OutputLock(tmp_path / "out"):
        proc = cli_run(tmp_path / "in", tmp_path / "out")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_LOCKED
    assert "another run holds" in err and f"pid {os.getpid()}" in err
    assert not (tmp_path / "out" / "current").exists()
