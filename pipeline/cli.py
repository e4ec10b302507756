"""Command line: `python run_pipeline.py [run|evaluate|crawl|all] ...`; `--help` on each."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from pipeline.batch.executor import add_execution_arguments
from pipeline.batch.options import EXIT_CODES_HELP, EXIT_USAGE, add_run_arguments
from pipeline.crawl.options import DEFAULT_RAW

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "extracted"
EX_USAGE = EXIT_USAGE  # sysexits.h: the command was used incorrectly (bad option, missing argument)

log = logging.getLogger("pipeline")


class UsageParser(argparse.ArgumentParser):
    """argparse, but a usage error exits with EX_USAGE (64), not 2: exit 2 means "nothing
    written" for `run`, and a scheduler must be able to tell the two apart. Subparsers
    inherit the class, so this holds for every subcommand."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


class _VersionAction(argparse.Action):
    """--version: the package version and the pipeline version (computed only when asked)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(version_line())
        parser.exit(0)


def version_line() -> str:
    from pipeline import __version__
    from pipeline.batch.version import pipeline_version

    return f"run_pipeline.py (partnership pipeline) {__version__}, pipeline version {pipeline_version()}"


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--log-level and --log-json: on the main parser (with defaults) and again on every
    subcommand (without, so that `run --log-json` works and overrides what came before)."""
    kwargs: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "--log-level",
        help="DEBUG, INFO, WARNING or ERROR (default INFO)",
        **({"default": "INFO"} if defaults else kwargs),
    )
    parser.add_argument(
        "--log-json",
        action="store_true",
        help="log one JSON object per line on stderr (for schedulers and log collectors)",
        **kwargs,
    )


def _setup_logging(level: str, json_lines: bool = False) -> None:
    from pipeline.batch.logs import setup_logging

    setup_logging(level, json_lines)


def cmd_run(args: argparse.Namespace) -> int:
    """The batch job; its exit codes are listed in `run --help` (pipeline.batch.options)."""
    from pipeline.batch.options import options_from_args
    from pipeline.batch.runner import run

    return run(Path(args.input), Path(args.output), options_from_args(args))


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score the pipeline on a gold corpus; exit 3 below a threshold or floor, 64 on bad usage."""
    from pipeline.batch.executor import default_workers
    from pipeline.batch.runner import extract_dir
    from pipeline.quality import gate
    from pipeline.quality.evaluate import (
        FIELDS,
        GoldError,
        check_coverage,
        evaluate,
        format_scores,
        load_gold,
    )

    input_dir = Path(args.input)
    try:
        gold = load_gold(Path(args.gold))
        if not input_dir.is_dir():
            raise GoldError(f"input directory {input_dir} does not exist")
    except GoldError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return EX_USAGE
    result = extract_dir(
        input_dir, keep_results=True, use_nlp=not args.no_nlp, prefilter=args.prefilter, workers=default_workers()
    )
    try:
        check_coverage(gold, result.results)
    except GoldError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    score = evaluate(gold, result.rows, result.results)
    print(format_scores(score, len(gold), len(result.rows)))
    if args.verbose:
        print("\n".join(["", "misses:", *score.misses]) if score.misses else "\nno misses")
    s = score.summary()
    if args.json:
        Path(args.json).write_text(json.dumps(s, indent=2, sort_keys=True) + "\n")
    failures = [
        f"{k} {v:.3f} < {minimum}"
        for keys, minimum in (
            (("f1",), args.min_f1),
            (tuple(f"{name}_accuracy" for name in FIELDS), args.min_field_accuracy),
            (("domains_precision", "domains_recall"), args.min_domains),
        )
        for k in keys
        for v in [s[k]]
        if v is not None and v < minimum
    ]
    if args.floors:
        floors = Path(args.floors)
        try:
            fp = gate.fingerprint(Path(args.gold), input_dir)
            if args.update_floors:
                lowered = gate.update(floors, args.corpus, fp, s, allow_lower=args.allow_lower)
                if lowered and not args.allow_lower:
                    print(
                        "evaluate: refusing to lower floors (pass --allow-lower to accept): " + "; ".join(lowered),
                        file=sys.stderr,
                    )
                    return 3
                print(f"floors for {args.corpus!r} written to {floors}")
            else:
                failures += gate.check(floors, args.corpus, fp, s)
        except gate.FloorsError as exc:
            print(f"evaluate: {exc}", file=sys.stderr)
            return 2
    for failure in failures:
        print(f"QUALITY GATE FAILED: {failure}", file=sys.stderr)
    return 3 if failures else 0


def cmd_explain(args: argparse.Namespace) -> int:
    from pipeline.quality.explain import explain

    try:
        print(explain(Path(args.file), use_nlp=not args.no_nlp))
    except (FileNotFoundError, NotADirectoryError) as exc:
        print(f"explain: {exc}", file=sys.stderr)
        return EX_USAGE
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from pipeline.crawl.crawler import run_crawl

    return run_crawl(args)


def cmd_all(args: argparse.Namespace) -> int:
    """Crawl, then extract from everything in --raw; the worse of the two exit codes."""
    from pipeline.batch.options import options_from_args
    from pipeline.batch.runner import run
    from pipeline.crawl.crawler import run_crawl

    crawled = run_crawl(args)
    if crawled == 2:
        return crawled
    return max(crawled, run(Path(args.raw), Path(args.output), options_from_args(args)))


def _bench_module() -> ModuleType | None:
    """bench/, installed with the package from a checkout of the repository (pyproject.toml)."""
    try:
        import bench.run as bench_run
    except ImportError:
        return None
    return bench_run


def cmd_bench(args: argparse.Namespace) -> int:
    bench_run = _bench_module()
    if bench_run is None:
        print(
            "the benchmark needs the repository's bench/ package (install the pipeline from a checkout)",
            file=sys.stderr,
        )
        return 2
    return int(bench_run.run_benchmark(args))


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(
        prog="run_pipeline.py",
        description="Extract international partnerships of communes from their web pages into "
        "extracted/partnerships.csv (+ partnership_domains.csv, partnerships.parquet). "
        "Without a subcommand: `run` on raw/ into extracted/.",
    )
    _global_options(parser, defaults=True)
    parser.add_argument("--version", action=_VersionAction, help="print the package and pipeline versions and exit")
    sub = parser.add_subparsers(dest="command")

    run_p = sub.add_parser(
        "run",
        help="process a directory of pages into a dataset",
        description="Process a directory of pages into OUTPUT: partnerships.csv, partnership_domains.csv, "
        "partnerships.parquet, errors.csv, changes.csv and run.json, committed atomically. "
        "Pages unchanged since the last run (same bytes, same pipeline version) are taken "
        "from the page cache.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run_p.add_argument(
        "--input",
        default=str(DEFAULT_RAW),
        help="directory of .html/.htm/.txt/.md pages and WARC files, read recursively; an "
        "optional sources.csv (file,url[,nis]) gives each file its URL (default raw/)",
    )
    run_p.add_argument("--output", default=str(DEFAULT_OUT), help="output directory (default extracted/)")
    add_run_arguments(run_p)
    add_execution_arguments(run_p)
    run_p.set_defaults(func=cmd_run)

    ev = sub.add_parser("evaluate", help="run the pipeline on a directory and score it against gold annotations")
    ev.add_argument("--gold", required=True, help="gold JSON Lines file (format in CONTRACT.md)")
    ev.add_argument("--input", required=True, help="directory holding the gold documents")
    ev.add_argument("--verbose", action="store_true", help="list every miss: missed, extra and wrong fields")
    ev.add_argument("--json", metavar="FILE", help="also write the scores as JSON to FILE")
    ev.add_argument("--min-f1", type=float, default=0.0, help="exit 3 when partnership F1 is below this")
    ev.add_argument(
        "--min-field-accuracy",
        type=float,
        default=0.0,
        help="exit 3 when the accuracy of country, protocol type, year, commune or evidence is below this",
    )
    ev.add_argument(
        "--min-domains", type=float, default=0.0, help="exit 3 when domains precision or recall is below this"
    )
    ev.add_argument(
        "--no-nlp", action="store_true", help="extract without spaCy (rules and gazetteers only): the NER ablation"
    )
    ev.add_argument(
        "--no-prefilter",
        dest="prefilter",
        action="store_false",
        help="read every page whole, also those without partnership wording (same scores)",
    )
    ev.add_argument(
        "--floors", metavar="FILE", help="committed quality floors (e.g. quality/floors.json): exit 3 below any of them"
    )
    ev.add_argument("--corpus", default="dev", help="which corpus of the floors file this is (default dev)")
    ev.add_argument(
        "--update-floors",
        action="store_true",
        help="write the current scores as the corpus's floors instead of checking them",
    )
    ev.add_argument(
        "--allow-lower", action="store_true", help="with --update-floors: accept floors lower than the committed ones"
    )
    ev.set_defaults(func=cmd_evaluate)

    ex = sub.add_parser(
        "explain",
        help="show one page's blocks, candidates and rows, and why",
        description="Run every stage on one page and print its commune, language, blocks, "
        "each candidate partner with the features and vetoes that decided it, "
        "and the rows with their evidence.",
    )
    ex.add_argument("file", help="a page (.html, .htm, .txt, .md); a sources.csv beside it gives its URL")
    ex.add_argument("--no-nlp", action="store_true", help="without spaCy")
    ex.set_defaults(func=cmd_explain)

    from pipeline.crawl.options import add_crawl_arguments

    crawl_p = sub.add_parser(
        "crawl",
        help="fetch the communes' cooperation pages into WARC snapshots",
        description="Crawl the start URLs of the crawl registry (--registry, CSV nis,url[,language]) politely and "
        "store "
        "every fetched page in WARC files under --raw. Exit 0 done, 1 nothing fetched, 2 bad registry or --raw, "
        "64 usage error.",
    )
    add_crawl_arguments(crawl_p)
    crawl_p.set_defaults(func=cmd_crawl)

    all_p = sub.add_parser(
        "all",
        help="crawl, then run the extraction on the snapshots",
        description="`crawl` into --raw, then `run --input RAW --output OUTPUT`.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_crawl_arguments(all_p)
    all_p.add_argument("--output", default=str(DEFAULT_OUT), help="output directory (default extracted/)")
    add_run_arguments(all_p)
    add_execution_arguments(all_p)
    all_p.set_defaults(func=cmd_all)

    bench_p = sub.add_parser(
        "bench",
        help="benchmark: pages/s, MB/s, per-stage time and peak RSS, against trafilatura alone",
        description="Build a corpus of generated commune pages (mixed with ../shared/realworld-html when "
        "present), run the reference (trafilatura.extract alone) and the pipeline with 1 and N "
        "workers and on a Dask LocalCluster, each in a fresh process, and print throughput, "
        "per-stage times, peak RSS by corpus size and whether every run wrote the same "
        "partnerships.csv. Not a test: figures depend on the machine and its load.",
    )
    bench_module = _bench_module()
    if bench_module is not None:
        bench_module.add_arguments(bench_p)
    bench_p.set_defaults(func=cmd_bench)
    for command in sub.choices.values():
        _global_options(command, defaults=False)
    return parser


def entry(argv: Sequence[str] | None = None) -> NoReturn:
    """The command's entry point (`run_pipeline.py`, the `partnerships` script): `main`, then
    out of the process at once. Python's own exit frees every object first, the gazetteers'
    million or so among them: 0.13 s of every run (measured on the real-pages corpus), for
    nothing. By then every output file is closed (committed) and the workers are stopped;
    the logs and the standard streams are flushed here."""
    code = main(argv)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.log_level, args.log_json)
    if args.command is None:
        args = parser.parse_args(["--log-level", args.log_level, "run"])
    return int(args.func(args))
