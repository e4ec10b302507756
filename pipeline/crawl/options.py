"""The crawl's command-line options, kept apart from the crawler so that the other
subcommands' start-up does not import it (the crawler brings courlan, protego, urllib3 and
the WARC writer)."""

from __future__ import annotations

import argparse
from pathlib import Path

CONTACT_URL = "https://github.com/partnership-pipeline/partnership-pipeline"
DEFAULT_USER_AGENT = f"partnership-pipeline/0.1 (+{CONTACT_URL}; open-data research crawler)"
# The crawl registry at the repository root. Not named sources.csv, so that `run --input .`
# never mistakes it for an input directory's sources.csv (file,url[,nis]).
DEFAULT_REGISTRY = Path(__file__).resolve().parents[2] / "communes.csv"
DEFAULT_RAW = DEFAULT_REGISTRY.parent / "raw"


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `crawl` (and of `all`, which crawls first)."""
    parser.add_argument(
        "--registry",
        "--sources",
        dest="registry",
        type=Path,
        default=DEFAULT_REGISTRY,
        help="crawl registry: CSV with columns nis,url[,language], one start URL per line "
        "(default: the repository's communes.csv; --sources is the former name)",
    )
    parser.add_argument(
        "--raw", type=Path, default=DEFAULT_RAW, help="where the WARC snapshots go (default: the repository's raw/)"
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=3.0,
        help="seconds between two requests to one host (default 3; robots.txt may ask more)",
    )
    parser.add_argument("--max-pages", type=int, default=50, help="pages per site (default 50)")
    parser.add_argument("--max-depth", type=int, default=3, help="link depth from the start URLs (default 3)")
    parser.add_argument("--max-bytes", type=int, default=5_000_000, help="largest page kept (default 5 MB)")
    parser.add_argument(
        "--sites-at-once",
        dest="crawl_sites",
        type=int,
        default=4,
        help="sites crawled at once (default 4); one request at a time per host regardless",
    )
    parser.add_argument("--user-agent", default=DEFAULT_USER_AGENT, help="User-Agent, with a contact URL")
    parser.add_argument("--commune", action="append", metavar="NIS", help="only this commune (repeatable)")
