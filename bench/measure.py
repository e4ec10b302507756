"""One measurement in its own process; prints one `BENCH_RESULT {json}` line on stdout.

    python -m bench.measure reference --input DIR
    python -m bench.measure pipeline --input DIR --output DIR [--workers N] [--engine dask]
                                     [--scheduler ADDR] [--stages] [--progress K]

`reference` runs `trafilatura.extract(html)` with its default options on every page of
DIR, one process. `pipeline` runs the whole pipeline (ingest, text, language, commune,
extract, normalise, merge, write) through the batch job's own page loop
(`pipeline.batch.runner.page_results`) and writer (`pipeline.stages.s8_export.publish`),
without the page cache. Both read the pages with `pipeline.stages.s1_ingest.iter_documents`,
so both include reading the files.

Times exclude the one-off start-up (imports, loading the gazetteers and spaCy models),
reported apart as `warm_up_s`. Peak RSS is `getrusage`'s ru_maxrss of this process
(`rss_main_mb`) and of its largest worker process (`rss_workers_mb`, local pool only).
With `--stages` (meaningful with one worker: the stages run in this process) the cascade's
stage hook (`pipeline.cascade.stage_hooks`) adds up the seconds of each step.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import resource
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

RESULT_PREFIX = "BENCH_RESULT "


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(who).ru_maxrss / 1024


class StageTimer:
    """Seconds and pages per step of the cascade, through its stage hook."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def __call__(self, seconds: dict[str, float]) -> None:
        for stage, value in seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + value
            self.calls[stage] = self.calls.get(stage, 0) + 1

    def install(self) -> None:
        from pipeline.cascade import stage_hooks

        stage_hooks.append(self)

    def uninstall(self) -> None:
        from pipeline.cascade import stage_hooks

        if self in stage_hooks:
            stage_hooks.remove(self)


class CountingReader:
    """Wraps the ingest iterator: counts pages and bytes, times the reading."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = iter(items)
        self.pages = 0
        self.bytes = 0
        self.seconds = 0.0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        start = time.perf_counter()
        try:
            item = next(self.items)
        finally:
            self.seconds += time.perf_counter() - start
        self.pages += 1
        self.bytes += len(getattr(item, "content", b""))
        return item


def _progress(done: int, every: int, start: float) -> None:
    if every and done % every == 0:
        elapsed = time.perf_counter() - start
        print(
            f"  ... {done} pages, {elapsed:.0f} s, {done / elapsed:.1f} pages/s, peak RSS {peak_rss_mb():.0f} MB",
            file=sys.stderr,
            flush=True,
        )


def measure_reference(input_dir: Path, progress: int = 0) -> dict[str, Any]:
    from trafilatura import extract

    from pipeline.models import Document
    from pipeline.stages.s1_ingest.files import iter_documents

    t0 = time.perf_counter()
    extract("<html><body><p>Warm up the extractor with a paragraph of text.</p></body></html>")
    warm = time.perf_counter() - t0
    reader = CountingReader(iter_documents(input_dir))
    chars = 0
    load = load_average()
    cpu = cpu_seconds()
    start = time.perf_counter()
    for doc in reader:
        if isinstance(doc, Document):
            chars += len(extract(doc.content) or "")
        _progress(reader.pages, progress, start)
    elapsed = time.perf_counter() - start
    return {
        "mode": "reference",
        "pages": reader.pages,
        "bytes": reader.bytes,
        "seconds": elapsed,
        "warm_up_s": warm,
        "ingest_s": reader.seconds,
        "chars": chars,
        "rss_main_mb": peak_rss_mb(),
        "cpu_main_s": cpu_seconds() - cpu,
        "cpu_workers_s": 0.0,
        "load_before": load,
    }


def measure_pipeline(
    input_dir: Path,
    output_dir: Path,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    stages: bool = False,
    progress: int = 0,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    from pipeline.batch import executor as parallel
    from pipeline.batch.options import BatchOptions
    from pipeline.batch.runner import ingest_feed, page_results
    from pipeline.stages.s1_ingest import iter_documents
    from pipeline.stages.s7_merge import merge
    from pipeline.stages.s8_export.publish import Dataset, write_dataset
    from pipeline.stages.s8_export.tables import PARTNERSHIPS_CSV

    if engine == "local":
        parallel.warm_up()  # what map_pages does before forking; done here to time it apart
    warm = time.perf_counter() - t0
    timer = StageTimer()
    if stages:
        timer.install()
    reader = CountingReader(iter_documents(input_dir))
    candidates = []
    pages = failed = 0
    load = load_average()
    cpu, cpu_children = cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # --stages: no per-page time limit, so that one worker runs the pages in this process,
    # where the stage hook adds up their steps
    opts = BatchOptions(
        workers=workers,
        engine=engine,
        scheduler=scheduler,
        progress=False,
        time_limit=0.0 if stages else BatchOptions().time_limit,
    )
    for _slot, result in page_results(ingest_feed(reader), opts, workers):
        pages += 1
        failed += result.failed
        candidates.extend(result.candidates)
        _progress(pages, progress, start)
    t_merge = time.perf_counter()
    rows = merge(candidates)
    t_write = time.perf_counter()
    write_dataset(Dataset(rows, today=time.strftime("%Y-%m-%d")), output_dir)
    end = time.perf_counter()
    timer.uninstall()
    csv_bytes = (output_dir / PARTNERSHIPS_CSV).read_bytes()
    stage_seconds = {"ingest": reader.seconds, **timer.seconds, "merge": t_write - t_merge, "write": end - t_write}
    return {
        "mode": "pipeline",
        "engine": engine,
        "workers": workers,
        "pages": pages,
        "failed": failed,
        "bytes": reader.bytes,
        "seconds": end - start,
        "warm_up_s": warm,
        "candidates": len(candidates),
        "rows": len(rows),
        "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
        "stages": [[k, v] for k, v in stage_seconds.items()],
        "stage_calls": dict(timer.calls),
        "rss_main_mb": peak_rss_mb(),
        "rss_workers_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
        "cpu_main_s": cpu_seconds() - cpu,
        "cpu_workers_s": cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_children,
        "load_before": load,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.measure", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("reference", "pipeline"))
    parser.add_argument("--input", required=True, help="directory of pages")
    parser.add_argument("--output", help="output directory (pipeline)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--stages", action="store_true", help="time the stages (one worker)")
    parser.add_argument("--progress", type=int, default=0, metavar="K", help="print progress every K pages")
    parser.add_argument("--log-level", default="ERROR")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # dask.distributed logs every worker start and stop at INFO; follow our level instead
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", args.log_level.lower())
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper(), logging.ERROR),
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.mode == "reference":
        result = measure_reference(Path(args.input), args.progress)
    else:
        if not args.output:
            raise SystemExit("pipeline needs --output")
        result = measure_pipeline(
            Path(args.input), Path(args.output), args.workers, args.engine, args.scheduler, args.stages, args.progress
        )
    print(RESULT_PREFIX + json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
