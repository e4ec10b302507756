"""Options and exit codes of the batch job (`run`, and `all` after crawling); light to import.

The job itself is `runner.run`; the README's Operators section explains the codes.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0  # every page processed, dataset written
EXIT_PARTIAL = 1  # some pages failed (see errors.csv), dataset written from the others
EXIT_FATAL = 2  # nothing written: bad input, no pages, every page failed, write error
EXIT_USAGE = 64  # EX_USAGE: a bad option or argument (argparse); nothing was run
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the output directory; try again later
EXIT_INTERRUPTED = 130  # Ctrl-C: nothing written
DEFAULT_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class BatchOptions:
    full: bool = False  # ignore the page cache (and refresh it)
    cache_dir: Path | None = None  # default <output>/.cache
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds per page, 0 = none
    workers: int = 1
    auto_workers: bool = False  # --workers not given: fewer workers for few pages (runner.effective_workers)
    engine: str = "local"
    scheduler: str | None = None
    progress: bool | None = None  # None: only on an interactive terminal
    use_nlp: bool = True
    prefilter: bool = True  # skip pages without partnership wording after decoding (cascade.py)
    verbose: bool = False  # list every skipped file in the log
    run_date: str | None = None  # ISO date of the run (first_seen/last_seen); default $PIPELINE_RUN_DATE or today

    def report(self) -> dict[str, object]:
        return {"full": self.full, "time_limit_s": self.time_limit, "workers": self.workers, "engine": self.engine}


EXIT_CODES_HELP = f"""exit codes:
  {EXIT_OK}   success: every page processed, dataset written
  {EXIT_PARTIAL}   some pages failed (listed in OUTPUT/errors.csv); the dataset was written from the others
  {EXIT_FATAL}   nothing written (input directory missing, output path not a directory, no pages,
      every page failed: see OUTPUT/failed-run/errors.csv, write error); the previous dataset is in place
  {EXIT_USAGE}  usage error: an unknown option or a bad or missing argument; nothing run
  {EXIT_LOCKED}  another run holds OUTPUT/.lock; nothing written, try again later
  {EXIT_INTERRUPTED} interrupted (Ctrl-C); nothing written"""


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The batch options of `run` (and of `all`, which runs after crawling). Where pages
    run (--workers, --engine, --scheduler) is `executor.add_execution_arguments`."""
    parser.add_argument(
        "--full", action="store_true", help="parse every page again, ignoring the page cache (which is refreshed)"
    )
    parser.add_argument("--cache-dir", type=Path, default=None, help="page cache directory (default OUTPUT/.cache)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"per-page time limit; a page over it goes to errors.csv (default {DEFAULT_TIME_LIMIT:g}; 0 = none)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="list in the log every input file skipped as neither a page nor a WARC file",
    )
    parser.add_argument(
        "--no-prefilter",
        dest="prefilter",
        action="store_false",
        help="read every page whole, also those whose text never uses partnership wording "
        "(the output is the same; for checking the pre-filter)",
    )


def options_from_args(args: argparse.Namespace) -> BatchOptions:
    from pipeline.batch.executor import default_workers

    return BatchOptions(
        full=args.full,
        cache_dir=args.cache_dir,
        time_limit=args.time_limit,
        workers=max(1, getattr(args, "workers", None) or default_workers()),
        auto_workers=getattr(args, "workers", None) is None,
        engine=getattr(args, "engine", "local"),
        scheduler=getattr(args, "scheduler", None),
        progress=args.progress,
        verbose=getattr(args, "verbose", False),
        prefilter=getattr(args, "prefilter", True),
    )
