"""The benchmark: `python run_pipeline.py bench` (or `python -m bench`).

1. builds a corpus of `--pages` pages (`bench.corpus`: generated commune pages, every
   `--realworld-every`-th page a saved real-world page) in a work directory;
2. measures, each in a fresh process (`bench.measure`): the reference (trafilatura.extract
   alone, default options, one process), the pipeline with each `--workers` count (the
   one-worker run also times the stages), and the pipeline on a Dask LocalCluster;
3. measures peak RSS at each `--rss-pages` corpus size, in a fresh process each;
4. prints pages/s, MB/s, CPU time, peak RSS, per-stage times, the ratio of the pipeline
   to the reference, the speedup of N workers over one, whether every run wrote the same
   partnerships.csv bytes, and how RSS grows with the corpus.

Throughput excludes the one-off start-up (imports, loading gazetteers and spaCy models,
printed apart). Other processes on the machine slow every figure: the load average
before each run is printed, and CPU seconds are given next to wall-clock seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "BENCH_RESULT "
TARGET_RATIO = 0.5
TARGET_SPEEDUP = 1.7
TARGET_RSS_GROWTH = 1.10
TARGET_RSS_MB = 1536


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _int_list(text: str) -> list[int]:
    return [int(x) for x in text.replace(" ", "").split(",") if x]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pages", type=int, default=1000, help="pages in the throughput corpus (default 1000)")
    parser.add_argument(
        "--workers",
        type=_int_list,
        default=[1, cores()],
        metavar="LIST",
        help=f"comma-separated worker counts to measure (default 1,{cores()}); the speedup is given against 1",
    )
    parser.add_argument(
        "--rss-pages",
        type=_int_list,
        default=[1000, 10000],
        metavar="LIST",
        help="corpus sizes at which to measure peak RSS, each in a fresh process (default 1000,10000; empty to skip)",
    )
    parser.add_argument(
        "--rss-workers",
        type=int,
        default=1,
        metavar="N",
        help="workers for the RSS runs (default 1: the whole pipeline in one process)",
    )
    parser.add_argument(
        "--dask",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run on a Dask LocalCluster and compare its partnerships.csv (default on)",
    )
    parser.add_argument(
        "--dask-workers",
        type=int,
        default=min(2, cores()),
        metavar="N",
        help="LocalCluster worker processes (default 2)",
    )
    parser.add_argument(
        "--realworld-every",
        type=int,
        default=10,
        metavar="K",
        help="every K-th page is a saved real-world page from ../shared/realworld-html "
        "when present (default 10; 0: generated pages only)",
    )
    parser.add_argument(
        "--realworld-dir", default=None, help="directory of real-world pages (default ../shared/realworld-html)"
    )
    parser.add_argument("--seed", type=int, default=None, help="corpus seed (default fixed)")
    parser.add_argument(
        "--work-dir",
        default=None,
        help="keep corpora and outputs here and reuse corpora across runs (default: a "
        "temporary directory, removed at the end)",
    )
    parser.add_argument(
        "--progress", type=int, default=1000, metavar="K", help="print progress every K pages (default 1000; 0: never)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write every measurement as JSON to FILE")
    from bench.real import add_arguments as add_real_arguments

    add_real_arguments(parser)


# --------------------------------------------------------------------------- running
def build_corpus(work: Path, pages: int, args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The corpus directory for `pages` pages, built unless an identical one is there."""
    from bench.corpus import DEFAULT_SEED, REALWORLD_DIR, write_corpus

    seed = DEFAULT_SEED if args.seed is None else args.seed
    real_dir = Path(args.realworld_dir) if args.realworld_dir else REALWORLD_DIR
    every = args.realworld_every if real_dir.is_dir() else 0
    key = {"pages": pages, "seed": seed, "realworld_every": every, "realworld_dir": str(real_dir)}
    corpus = work / f"corpus-{pages}"
    marker = corpus / ".bench-corpus.json"
    if marker.is_file():
        saved = json.loads(marker.read_text())
        if saved.get("key") == key:
            return corpus, saved["stats"]
    if corpus.exists():
        shutil.rmtree(corpus)
    print(f"building a corpus of {pages} pages in {corpus} ...", file=sys.stderr, flush=True)
    stats = write_corpus(corpus, pages, seed=seed, realworld_every=every, realworld_dir=real_dir)
    marker.write_text(json.dumps({"key": key, "stats": stats}))
    return corpus, stats


def measure(args: argparse.Namespace, *cli: str) -> dict[str, Any]:
    """Run `python -m bench.measure *cli` in a fresh process; its result."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [
        sys.executable,
        "-m",
        "bench.measure",
        *cli,
        "--progress",
        str(args.progress),
        "--log-level",
        getattr(args, "bench_log_level", "ERROR"),
    ]
    print("running: " + " ".join(cmd[2:]), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode} and no result:\n{proc.stdout}")


def pipeline_run(
    args: argparse.Namespace, corpus: Path, out: Path, workers: int, engine: str = "local", stages: bool = False
) -> dict[str, Any]:
    cli = ["pipeline", "--input", str(corpus), "--output", str(out), "--workers", str(workers), "--engine", engine]
    return measure(args, *cli, *(["--stages"] if stages else []))


# --------------------------------------------------------------------------- report
def _rate(r: dict[str, Any]) -> tuple[float, float]:
    seconds = max(r["seconds"], 1e-9)
    return r["pages"] / seconds, r["bytes"] / seconds / 1e6


def _rss(r: dict[str, Any]) -> str:
    if r.get("rss_workers_mb"):
        return f"{r['rss_main_mb']:.0f} main, {r['rss_workers_mb']:.0f} worker"
    return f"{r['rss_main_mb']:.0f}"


def _row(label: str, r: dict[str, Any]) -> str:
    pps, mbs = _rate(r)
    cpu = r.get("cpu_main_s", 0.0) + r.get("cpu_workers_s", 0.0)
    cores_used = cpu / max(r["seconds"], 1e-9)
    return (
        f"  {label:<30} {pps:>9.1f} {mbs:>7.2f} {r['seconds']:>8.2f} {cpu:>8.2f} {cores_used:>6.2f} "
        f"{r['warm_up_s']:>7.1f}  {_rss(r)}"
    )


STAGE_LABELS = {
    "ingest": "ingest (read files)",
    "text": "text (decode, pre-filter, blocks)",
    "language": "language",
    "commune": "commune",
    "extract": "extract (spaCy included)",
    "normalise": "normalise",
    "failed": "pages that failed",
    "merge": "merge",
    "write": "write",
}


def report(corpus_stats: dict[str, Any], results: dict[str, Any], args: argparse.Namespace) -> list[str]:
    ref = results["reference"]
    runs: dict[int, dict[str, Any]] = {int(k): v for k, v in results["workers"].items()}
    lines = [
        (
            f"corpus: {corpus_stats['pages']} pages ({corpus_stats['generated']} generated, "
            f"{corpus_stats['realworld']} real-world), {corpus_stats['bytes'] / 1e6:.1f} MB; "
            f"{cores()} cores"
        ),
        "",
        (
            f"  {'run':<30} {'pages/s':>9} {'MB/s':>7} {'wall s':>8} {'CPU s':>8} {'cores':>6} {'start s':>7}"
            f"  peak RSS MB"
        ),
        _row("reference: trafilatura.extract", ref),
    ]
    lines += [_row(f"pipeline, {w} worker{'s' if w > 1 else ''}", runs[w]) for w in sorted(runs)]
    if results.get("dask"):
        lines.append(_row(f"pipeline, dask LocalCluster x{args.dask_workers}", results["dask"]))
    dask_note = "; the Dask run includes starting the cluster and loading the models in its workers"
    lines.append(
        "  (start s: imports and model loading, not in wall s; cores: CPU s / wall s, below the "
        f"worker count when other processes compete{dask_note if results.get('dask') else ''})"
    )
    lines.append("")
    base = runs.get(1)
    if base:
        ratio = _rate(base)[0] / _rate(ref)[0]
        ok = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
        lines.append(f"ratio pipeline (1 worker) / reference: {ratio:.2f}  (target >= {TARGET_RATIO}: {ok})")
        for w in sorted(runs):
            if w == 1:
                continue
            speedup = _rate(runs[w])[0] / _rate(base)[0]
            target = TARGET_SPEEDUP if w == 2 else None
            note = f"  (target >= {target}: {'ok' if speedup >= target else 'BELOW TARGET'})" if target else ""
            cpu_w = runs[w].get("cpu_main_s", 0) + runs[w].get("cpu_workers_s", 0)
            cpu_1 = base.get("cpu_main_s", 0) + base.get("cpu_workers_s", 0)
            bound = cpu_1 / (cpu_w / w) if cpu_w else 0.0
            lines.append(
                f"speedup {w} workers / 1 worker: {speedup:.2f}{note}; CPU {cpu_w:.1f} s vs {cpu_1:.1f} s, "
                f"so {bound:.2f} with {w} idle cores"
            )
    digests = {f"{w} worker(s)": r["csv_sha256"] for w, r in runs.items()}
    if results.get("dask"):
        digests["dask"] = results["dask"]["csv_sha256"]
    same = len(set(digests.values())) == 1
    lines.append(
        f"partnerships.csv identical across {', '.join(digests)}: {'yes' if same else 'NO'} "
        f"({next(iter(runs.values()))['rows']} rows)"
    )
    if base and base.get("stage_calls"):
        lines += [
            "",
            "per-stage time (1 worker; the cascade's steps, from its stage hook)",
            f"  {'stage':<26} {'s':>8} {'ms/page':>8} {'share':>7}",
        ]
        total = base["seconds"]
        pages = max(base["pages"], 1)
        stages = dict(base["stages"])
        for stage, seconds in stages.items():
            indent = "    " if "." in stage else "  "
            label = STAGE_LABELS.get(stage, stage)
            lines.append(
                f"{indent}{label:<{28 - len(indent)}} {seconds:>8.2f} {1000 * seconds / pages:>8.2f} "
                f"{100 * seconds / total:>6.1f}%"
            )
        other = total - sum(seconds for stage, seconds in stages.items() if "." not in stage)
        lines.append(
            f"  {'other (map_pages, results)':<26} {other:>8.2f} {1000 * other / pages:>8.2f} "
            f"{100 * other / total:>6.1f}%"
        )
        lines.append(f"  reference trafilatura.extract: {1000 * ref['seconds'] / max(ref['pages'], 1):.2f} ms/page")
    rss = results.get("rss") or {}
    if rss:
        lines += [
            "",
            (
                f"peak RSS by corpus size ({args.rss_workers} worker{'s' if args.rss_workers > 1 else ''}, "
                "fresh process each)"
            ),
        ]
        sizes = sorted(int(n) for n in rss)
        peaks = {n: max(rss[str(n)]["rss_main_mb"], rss[str(n)].get("rss_workers_mb", 0.0)) for n in sizes}
        for n in sizes:
            pps, _ = _rate(rss[str(n)])
            lines.append(f"  {n:>8} pages: {_rss(rss[str(n)])} MB   ({pps:.1f} pages/s)")
        if len(sizes) > 1:
            growth = peaks[sizes[-1]] / peaks[sizes[0]]
            ok = growth <= TARGET_RSS_GROWTH and peaks[sizes[-1]] < TARGET_RSS_MB
            lines.append(
                f"  growth {sizes[0]} -> {sizes[-1]} pages: x{growth:.3f}  (target <= {TARGET_RSS_GROWTH} "
                f"and < {TARGET_RSS_MB} MB: {'ok' if ok else 'ABOVE TARGET'})"
            )
    return lines


# --------------------------------------------------------------------------- main
def run_benchmark(args: argparse.Namespace) -> int:
    if getattr(args, "real", False):
        from bench.real import run_real

        return run_real(args)
    temp = None
    if args.work_dir:
        work = Path(args.work_dir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.mkdtemp(prefix="partnerships-bench-")
        work = Path(temp)
    try:
        corpus, stats = build_corpus(work, args.pages, args)
        results: dict[str, Any] = {"corpus": stats, "workers": {}, "rss": {}}
        results["reference"] = measure(args, "reference", "--input", str(corpus))
        workers = sorted(set(args.workers) | {1})
        for w in workers:
            results["workers"][str(w)] = pipeline_run(args, corpus, work / f"out-{args.pages}-w{w}", w, stages=(w == 1))
        if args.dask:
            results["dask"] = pipeline_run(
                args, corpus, work / f"out-{args.pages}-dask", args.dask_workers, engine="dask"
            )
        for n in args.rss_pages:
            if n == args.pages and args.rss_workers in workers:
                results["rss"][str(n)] = results["workers"][str(args.rss_workers)]
                continue
            rss_corpus, _ = build_corpus(work, n, args)
            results["rss"][str(n)] = pipeline_run(
                args, rss_corpus, work / f"out-{n}-w{args.rss_workers}", args.rss_workers
            )
        print("\n".join(report(stats, results, args)))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        return 0
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument(
        "--log-level", dest="bench_log_level", default="ERROR", help="log level of the measured runs (default ERROR)"
    )
    return run_benchmark(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
