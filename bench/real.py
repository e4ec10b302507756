"""The benchmark's real-pages mode: `python run_pipeline.py bench --real [--real-dir DIR ...]`.

Times whole processes the way a user runs them, start-up included, on saved real pages
(default: ../shared/realworld-html copied `--copies` times, plus ../shared/dev/pages when
present, all under a temporary directory), against the reference in the same run:

- reference: `python -m bench.reference DIR`, trafilatura.extract (default options) over
  every .html/.htm page, one process;
- pipeline: `python run_pipeline.py run --full --input CORPUS --output OUT --workers N`
  for each N in `--workers`.

The runs alternate (reference, 1 worker, 2 workers, reference, ...) `--runs` times, so a
drift of the shared machine's speed touches every command alike; minimum and median are
printed. For each pipeline run it prints the start-up (process start to the first page
result, from run.json), pages/s, the busy share (CPU seconds / wall seconds) of the main
process and of each worker (run.json run.processes), and the peak RSS of the largest
process (wait4). It also checks that every run wrote the same partnerships.csv bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_DIRS = (SHARED / "realworld-html", SHARED / "dev" / "pages")
PAGE_SUFFIXES = (".html", ".htm", ".txt", ".md")
# Targets of issue 11 (whole processes, start-up included).
TARGET_RATIO = 1.5  # pipeline, 1 worker, pages/s over the reference's
TARGET_SPEEDUP = 1.8  # 2 workers over 1
TARGET_STARTUP_S = 2.0


@dataclass
class Run:
    """One whole process: wall and CPU seconds, peak RSS of its largest process, run.json."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    report: dict[str, Any] = field(default_factory=dict)
    csv_sha256: str = ""
    started_at: float = 0.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("real pages (--real)")
    group.add_argument(
        "--real", action="store_true", help="time whole processes on saved real pages instead of the generated corpus"
    )
    group.add_argument(
        "--real-dir",
        action="append",
        default=None,
        metavar="DIR",
        help="a directory of real pages (repeatable; default ../shared/realworld-html, "
        "copied --copies times, and ../shared/dev/pages when present)",
    )
    group.add_argument("--copies", type=int, default=4, help="copies of the first directory (default 4)")
    group.add_argument("--runs", type=int, default=3, help="timed runs of each command (default 3)")


def build_real_corpus(work: Path, dirs: list[Path], copies: int) -> tuple[Path, int, int]:
    """Copy (hard-link where possible) the pages and sources.csv files of `dirs` under
    work/corpus, the first directory `copies` times. Returns (corpus, pages, bytes)."""
    corpus = work / "corpus"
    pages = size = 0
    for i, directory in enumerate(dirs):
        for copy in range(copies if i == 0 else 1):
            target = corpus / f"{directory.name}-{copy + 1}"
            for path in sorted(directory.rglob("*")):
                if not path.is_file() or not (path.suffix.lower() in PAGE_SUFFIXES or path.name == "sources.csv"):
                    continue
                if path.suffix.lower() == ".md" and path.stem.isupper():  # SOURCE.md, README.md: notes
                    continue
                dest = target / path.relative_to(directory)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.unlink(missing_ok=True)  # a --work-dir used before
                try:
                    os.link(path, dest)  # a copy that costs no disk (10,000-page corpora)
                except OSError:
                    shutil.copyfile(path, dest)
                if path.suffix.lower() in PAGE_SUFFIXES:
                    pages += 1
                    size += path.stat().st_size
    return corpus, pages, size


def timed(cmd: list[str], env: dict[str, str]) -> Run:
    """Run cmd as a whole process; its wall time, CPU time and peak RSS (itself and the
    children it waited for, as wait4 reports them)."""
    start = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        round(wall, 3),
        round(usage.ru_utime + usage.ru_stime, 3),
        round(usage.ru_maxrss / 1024, 1),
        proc.returncode,
        started_at=start,
    )


def pipeline_run(corpus: Path, out: Path, workers: int, env: dict[str, str]) -> Run:
    if out.exists():
        shutil.rmtree(out)
    run = timed(
        [
            sys.executable,
            str(ROOT / "run_pipeline.py"),
            "run",
            "--full",
            "--no-progress",
            "--input",
            str(corpus),
            "--output",
            str(out),
            "--workers",
            str(workers),
        ],
        env,
    )
    report = out / "run.json"
    if report.is_file():
        run.report = json.loads(report.read_text())
    csv = out / "partnerships.csv"
    run.csv_sha256 = hashlib.sha256(csv.read_bytes()).hexdigest() if csv.is_file() else ""
    return run


def startup_s(run: Run) -> float | None:
    first = run.report.get("run", {}).get("processes", {}).get("first_page_at")
    return round(first - run.started_at, 2) if first else None


def busy(run: Run) -> str:
    """CPU share of the main process and of each worker, over the process's wall time."""
    processes = run.report.get("run", {}).get("processes", {})
    main = processes.get("main", {}).get("cpu_s", 0.0)
    shares = [f"main {100 * main / run.wall_s:.0f}%"]
    shares += [f"w{i + 1} {100 * w['cpu_s'] / run.wall_s:.0f}%" for i, w in enumerate(processes.get("workers", []))]
    return " ".join(shares)


def _stats(values: list[float]) -> str:
    return f"{min(values):7.2f} {statistics.median(values):7.2f}"


def report(pages: int, size: int, ref: list[Run], runs: dict[int, list[Run]]) -> list[str]:
    med = {w: statistics.median(r.wall_s for r in rs) for w, rs in runs.items()}
    ref_med = statistics.median(r.wall_s for r in ref)
    lines = [
        (
            f"real pages: {pages} pages, {size / 1e6:.1f} MB; {len(ref)} runs each, whole processes "
            "(start-up included); min and median"
        ),
        "",
        (
            f"  {'command':<28} {'wall min':>8} {'median':>7} {'pages/s':>8} {'CPU s':>7} {'peak MB':>8}"
            f"  {'start s':>7}  busy (median run)"
        ),
        (
            f"  {'reference trafilatura':<28} {_stats([r.wall_s for r in ref])} {pages / ref_med:8.1f} "
            f"{statistics.median(r.cpu_s for r in ref):7.2f} {max(r.peak_rss_mb for r in ref):8.0f}"
        ),
    ]
    for w, rs in sorted(runs.items()):
        middle = sorted(rs, key=lambda r: r.wall_s)[len(rs) // 2]
        starts = [s for s in (startup_s(r) for r in rs) if s is not None]
        start = f"{statistics.median(starts):7.2f}" if starts else f"{'-':>7}"
        lines.append(
            f"  {f'pipeline, {w} worker' + ('s' if w > 1 else ''):<28} {_stats([r.wall_s for r in rs])} "
            f"{pages / med[w]:8.1f} {statistics.median(r.cpu_s for r in rs):7.2f} "
            f"{max(r.peak_rss_mb for r in rs):8.0f}  {start}  {busy(middle)}"
        )
    lines.append("")
    if 1 in med:
        ratio = ref_med / med[1]
        lines.append(
            f"pipeline (1 worker) pages/s / reference pages/s: {ratio:.2f} (median; target >= "
            f"{TARGET_RATIO}: {'ok' if ratio >= TARGET_RATIO else 'BELOW TARGET'}); pairwise "
            + ", ".join(f"{r.wall_s / p.wall_s:.2f}" for r, p in zip(ref, runs[1], strict=False))
        )
        for w in sorted(med):
            if w > 1:
                speedup = med[1] / med[w]
                target = (
                    f" (target >= {TARGET_SPEEDUP}: {'ok' if speedup >= TARGET_SPEEDUP else 'BELOW TARGET'})"
                    if w == 2
                    else ""
                )
                lines.append(
                    f"speedup {w} workers / 1 worker: {speedup:.2f}{target}; pairwise "
                    + ", ".join(f"{a.wall_s / b.wall_s:.2f}" for a, b in zip(runs[1], runs[w], strict=False))
                )
                after = [
                    (a.wall_s - sa) / (b.wall_s - sb)
                    for a, b in zip(runs[1], runs[w], strict=False)
                    if (sa := startup_s(a)) is not None and (sb := startup_s(b)) is not None
                ]
                if after:
                    lines.append(
                        f"  from the first page result on (start-up left out): {statistics.median(after):.2f} "
                        "(median of the pairs; what more pages tend to)"
                    )
        starts = [s for s in (startup_s(r) for r in runs[1]) if s is not None]
        if starts:
            lines.append(
                f"start-up to the first page result (1 worker): min {min(starts):.2f} s, median "
                f"{statistics.median(starts):.2f} s (target <= {TARGET_STARTUP_S}: "
                f"{'ok' if statistics.median(starts) <= TARGET_STARTUP_S else 'ABOVE TARGET'})"
            )
    digests = {r.csv_sha256 for rs in runs.values() for r in rs}
    codes = sorted({r.exit_code for rs in runs.values() for r in rs})
    lines.append(
        f"partnerships.csv identical across every pipeline run: {'yes' if len(digests) == 1 else 'NO'}; "
        f"exit codes {codes}"
    )
    return lines


def run_real(args: argparse.Namespace) -> int:
    dirs = [Path(d) for d in args.real_dir] if args.real_dir else [d for d in DEFAULT_DIRS if d.is_dir()]
    if not dirs:
        print("bench --real: no directory of real pages (give --real-dir)", file=sys.stderr)
        return 2
    workers = sorted(set(args.workers) | {1})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="partnerships-real-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus, pages, size = build_real_corpus(work, dirs, args.copies)
        print(f"corpus: {pages} pages in {corpus}", file=sys.stderr, flush=True)
        pipeline_run(corpus, work / "warm-up", 1, env)  # caches (town index), page cache of the OS
        ref: list[Run] = []
        runs: dict[int, list[Run]] = {w: [] for w in workers}
        for i in range(args.runs):
            ref.append(timed([sys.executable, "-m", "bench.reference", str(corpus)], env))
            for w in workers:
                runs[w].append(pipeline_run(corpus, work / f"out-w{w}", w, env))
            print(
                f"run {i + 1}/{args.runs}: reference {ref[-1].wall_s:.2f} s, "
                + ", ".join(f"{w} worker(s) {runs[w][-1].wall_s:.2f} s" for w in workers),
                file=sys.stderr,
                flush=True,
            )
        lines = report(pages, size, ref, runs)
        print("\n".join(lines))
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "pages": pages,
                        "bytes": size,
                        "reference": [r.__dict__ for r in ref],
                        "workers": {str(w): [r.__dict__ for r in rs] for w, rs in runs.items()},
                    },
                    indent=2,
                )
                + "\n"
            )
        return 0
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
