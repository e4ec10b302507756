"""The whole job: Documents -> PageResults -> Partnerships -> files.

`process_document` (defined in `page.py`, re-exported here) is the per-page unit of
work (pure: bytes in, candidates out) so that it can be cached, isolated and run in
other processes. Errors on one page are recorded on its PageResult and never stop the
run; `process_with_limit` adds the per-page time limit.

`run` is the batch job behind `run_pipeline.py run` (see the README's Operators
section): one run at a time per output directory (`lock`), pages whose bytes and
pipeline version are unchanged taken from the page cache (`cache`), the others parsed
through `parallel.map_pages`, then the dataset, `errors.csv`, `changes.csv` and
`run.json` committed atomically (`store`). Exit codes: EXIT_OK, EXIT_PARTIAL (some
pages failed, a dataset was written), EXIT_FATAL (nothing written), EXIT_LOCKED.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import publish
from .batch import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PARTIAL,
    BatchOptions,
)
from .cache import PageCache, content_hash, document_key
from .changes import Change, changes_csv, diff, read_previous, read_rows, summary
from .history import DATE_COLUMNS, Kept, run_date, with_history
from .ingest import Listing, display_name, iter_documents, list_input
from .lock import LockHeld, OutputLock
from .logs import progress_bar
from .merge import merge, sort_rows
from .models import Candidate, Document, PageResult, Partnership
from .output import (
    COLUMNS,
    PARTNERSHIPS_CSV,
    atomic_write,
    row_cells,
)
from .page import PageTimeout, process_document, process_with_limit
from .parallel import Usage, map_pages, own_usage
from .publish import Dataset, Page
from .report import Fingerprint, RunStats, Timer, errors_csv, run_json
from .schema import PAGES
from .store import checkpoint, commit, new_run_id, previous_file, recover
from .version import library_versions, pipeline_version

log = logging.getLogger(__name__)

__all__ = ["PageTimeout", "process_document", "process_with_limit", "run", "extract_dir"]

CACHE_DIR = ".cache"
FAILED_RUN_DIR = "failed-run"  # errors.csv and run.json of the last run that wrote nothing
ERRORS_CSV, CHANGES_CSV, RUN_JSON = "errors.csv", "changes.csv", "run.json"
STAGES = ("recover", "version", "ingest", "cache", "extract", "merge", "outputs")
# Pages per local worker process: each worker loads its own spaCy pipelines on first use
# (1.8 s CPU for French, German and Dutch, spaCy's import included, measured), as long as
# some tens of partnership pages take to process; below this many pages per worker, fewer
# workers finish as soon and leave the cores to other work (10 pages of raw/: one worker).
MIN_PAGES_PER_WORKER = 50


def effective_workers(workers: int, pages: int, engine: str = "local") -> int:
    """Local workers worth starting for `pages` pages (at most `workers`); Dask as asked."""
    if engine != "local":
        return workers
    return max(1, min(workers, -(-pages // MIN_PAGES_PER_WORKER)))


# --------------------------------------------------------------------------- library use


def process_all(items: Iterable[Document | PageResult], workers: int = 1,
                use_nlp: bool = True, prefilter: bool = True) -> Iterator[PageResult]:
    process = process_document if use_nlp and prefilter else functools.partial(
        process_document, use_nlp=use_nlp, prefilter=prefilter)
    return map_pages(items, process, workers=workers)


@dataclass
class RunResult:
    pages: int = 0
    failed: list[PageResult] = field(default_factory=list)
    rows: list[Partnership] = field(default_factory=list)
    results: list[PageResult] = field(default_factory=list)


def extract_dir(input_dir: Path, keep_results: bool = False, use_nlp: bool = True,
                prefilter: bool = True) -> RunResult:
    """Run every stage but writing; the rows of the dataset for input_dir (no cache, no lock)."""
    result = RunResult()
    candidates: list[Candidate] = []
    for page in process_all(iter_documents(input_dir), use_nlp=use_nlp, prefilter=prefilter):
        result.pages += 1
        if page.failed:
            result.failed.append(page)
        candidates.extend(page.candidates)
        if keep_results:
            result.results.append(page)
    result.rows = merge(candidates)
    return result


# --------------------------------------------------------------------------- batch job


@dataclass
class _Pages:
    """The page loop's state: what was fed to the executor and what came back."""

    cache: PageCache
    full: bool
    stats: RunStats = field(default_factory=RunStats)
    fingerprint: Fingerprint = field(default_factory=Fingerprint)
    documents: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    pending: dict[str, deque[tuple[str, str]]] = field(default_factory=dict)
    texts: dict[str, Page] = field(default_factory=dict)  # main text of the pages that yield rows

    def feed(self, listing: Listing) -> Iterator[Document | PageResult]:
        """Documents to parse; cached results and unreadable files as PageResults (passed through)."""
        items = listing.documents()
        while True:
            with Timer(self.stats, "ingest"):
                item = next(items, None)
            if item is None:
                return
            if isinstance(item, PageResult):
                self.fingerprint.add(item.source_id, item.source_url, "", "unreadable")
                self._expect(item.source_id, "ingest", "")
                yield item
                continue
            with Timer(self.stats, "cache"):
                self.documents += 1
                digest = content_hash(item.content)
                self.fingerprint.add(item.source_id, item.source_url, item.commune_nis, digest)
                key = document_key(item, digest)
                cached = None if self.full else self.cache.get(key)
            self._expect(item.source_id, "cached" if cached is not None else "parsed", key)
            yield cached if cached is not None else item

    def _expect(self, source_id: str, kind: str, key: str) -> None:
        self.pending.setdefault(source_id, deque()).append((kind, key))

    def take(self, page: PageResult) -> None:
        """Account for one result coming back from the executor."""
        queue = self.pending.get(page.source_id)
        kind, key = queue.popleft() if queue else ("parsed", "")
        if queue is not None and not queue:
            del self.pending[page.source_id]
        stats = self.stats
        stats.pages_seen += 1
        if kind == "cached":
            stats.skipped_unchanged += 1
        elif kind == "parsed":
            stats.parsed += 1
            if key and not page.failed:
                with Timer(stats, "cache"):
                    self.cache.put(key, page)
                checkpoint("page-done")
        if page.failed:
            stats.failed += 1
            stats.failures.append(page)
            stats.timed_out += page.error_type == PageTimeout.__name__
        elif page.empty_text:
            stats.empty_text += 1
            stats.empty_pages.append(page.source_url or page.source_id)
        elif page.skipped:
            stats.no_partnership_wording += 1
        self.candidates.extend(page.candidates)
        if page.candidates:
            self.texts[page.source_url] = Page(page.source_url, page.language, page.commune_nis,
                                               page.main_text)


def _results(feed: Iterator[Document | PageResult], process: Callable[[Document], PageResult],
             opts: BatchOptions, usage: list[Usage] | None = None, workers: int = 1) -> Iterator[PageResult]:
    """Every page's result, in input order. The executor is started at the first page that
    must be parsed (from there on, cached results pass through it): a run where every page
    is cached starts no worker and loads no model."""
    for item in feed:
        if isinstance(item, PageResult):
            yield item
            continue
        yield from map_pages(itertools.chain([item], feed), process, workers=workers,
                             engine=opts.engine, scheduler=opts.scheduler, time_limit=opts.time_limit,
                             usage=usage)
        return


def run(input_dir: Path, output_dir: Path, options: BatchOptions | None = None) -> int:
    """Process input_dir into output_dir as a batch job; returns the exit code (EXIT_*)."""
    opts = options or BatchOptions()
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    if not input_dir.is_dir():
        log.error("%s: input directory not found; nothing written", input_dir)
        return EXIT_FATAL
    if output_dir.exists() and not output_dir.is_dir():
        log.error("%s: output path is not a directory; nothing written", output_dir)
        return EXIT_FATAL
    lock = OutputLock(output_dir)
    try:
        lock.acquire()
    except LockHeld as exc:
        log.error("%s; this run stops without writing anything", exc)
        return EXIT_LOCKED
    except OSError as exc:
        log.error("cannot lock the output directory: %s; nothing written", exc)
        return EXIT_FATAL
    try:
        return _run_locked(input_dir, output_dir, opts)
    except (OSError, sqlite3.Error, ValueError) as exc:
        log.error("run failed, nothing written, the previous dataset is in place: %s: %s",
                  type(exc).__name__, exc)
        return EXIT_FATAL
    except KeyboardInterrupt:
        log.error("interrupted: nothing written, the previous dataset is in place")
        return EXIT_INTERRUPTED
    except Exception:  # whole-run boundary: an unexpected error must exit 2 ("nothing written"), not 1
        log.exception("run failed, nothing written, the previous dataset is in place")
        return EXIT_FATAL
    finally:
        lock.release()


def _run_locked(input_dir: Path, output_dir: Path, opts: BatchOptions) -> int:
    started = time.time()
    run_id = new_run_id()
    stats = RunStats()
    with Timer(stats, "recover"):
        recover(output_dir)
    checkpoint("started")
    with Timer(stats, "version"):
        version, libraries = pipeline_version(), library_versions()
    log.info("run %s: %s -> %s, pipeline version %s%s", run_id, input_dir, output_dir, version,
             " (--full: cache ignored)" if opts.full else "")
    with Timer(stats, "ingest"):
        listing = list_input(input_dir)
        total = listing.total
    stats.skipped_files, stats.warnings = len(listing.skipped), list(listing.warnings)
    _log_skipped(listing, opts.verbose)
    cache = PageCache(opts.cache_dir or output_dir / CACHE_DIR, version)
    try:
        pages = _Pages(cache, opts.full, stats)
        process = functools.partial(process_with_limit, time_limit=opts.time_limit, use_nlp=opts.use_nlp,
                                    prefilter=opts.prefilter)
        workers = opts.workers if not opts.auto_workers else \
            effective_workers(opts.workers, total, opts.engine if not opts.scheduler else "dask")
        if workers < opts.workers:
            log.info("%d pages: %d worker%s (at least %d pages per worker)", total, workers,
                     "s" if workers > 1 else "", MIN_PAGES_PER_WORKER)
        loop_start = time.perf_counter()
        usage: list[Usage] = []
        first_page_at = None
        with progress_bar(opts.progress, total=total) as bar:
            for page in _results(pages.feed(listing), process, opts, usage, workers):
                first_page_at = first_page_at or time.time()
                pages.take(page)
                bar.update(1)
        loop = time.perf_counter() - loop_start
        stats.processes = {"first_page_at": first_page_at, "main": dataclasses.asdict(own_usage()),
                           "workers": [dataclasses.asdict(u) for u in usage]}
        stats.add_time("extract", max(0.0, loop - stats.durations.get("ingest", 0.0)
                                      - stats.durations.get("cache", 0.0)))
        if stats.pages_seen == 0:
            log.error("%s: no pages found; nothing written, the previous dataset is in place", input_dir)
            return EXIT_FATAL
        report = functools.partial(
            run_json, stats=stats, run_id=run_id, started=started, version=version,
            libraries=libraries, input_path=str(input_dir), output_path=str(output_dir),
            fingerprint=pages.fingerprint.hexdigest(), documents=pages.documents,
            options=opts.report(), stages=STAGES)
        if stats.failed == stats.pages_seen:
            where = _write_failed_run(output_dir, {
                ERRORS_CSV: errors_csv(stats.failures),
                RUN_JSON: report(finished=time.time(), changes={}, exit_code=EXIT_FATAL)})
            log.error("all %d pages failed; nothing written, the previous dataset is in place; "
                      "the failures are listed in %s", stats.pages_seen, where / ERRORS_CSV)
            return EXIT_FATAL
        with Timer(stats, "merge"):
            rows = merge(pages.candidates)
        exit_code = EXIT_PARTIAL if stats.failed else EXIT_OK
        files, changes = _outputs(rows, stats, output_dir, pages.texts, run_date(opts.run_date))
        checkpoint("before-commit")
        files[RUN_JSON] = report(finished=time.time(), changes=changes, exit_code=exit_code)
        commit_start = time.perf_counter()
        commit(output_dir, files, run_id)
        _remove_failed_run(output_dir)
        cache.finish()
    finally:
        cache.close()
    counts = {**stats.counts(), **{f"changes_{k}": v for k, v in changes.items()}}
    log.info("run %s done: %d pages (%d unchanged, %d parsed, %d failed, %d with empty text), "
             "%d files skipped, %d warnings, %d partnerships (+%d -%d ~%d) in %s; %.1f s (commit %.2f s)",
             run_id, stats.pages_seen, stats.skipped_unchanged, stats.parsed, stats.failed,
             stats.empty_text, stats.skipped_files, len(stats.warnings),
             stats.rows_written, changes["added"], changes["removed"], changes["changed"], output_dir,
             time.time() - started, time.perf_counter() - commit_start,
             extra={"event": "run_finished", "run_id": run_id, "exit_code": exit_code, **counts})
    return exit_code


def _log_skipped(listing: Listing, verbose: bool) -> None:
    """The files that are neither pages nor WARC files: counted always, listed with --verbose."""
    if not listing.skipped:
        return
    if verbose:
        for name in listing.skipped:
            log.info("skipped (not a page or WARC file): %s", display_name(name))
    else:
        log.info("%d files skipped (not pages or WARC files); --verbose lists them", len(listing.skipped))


def _write_failed_run(output_dir: Path, files: dict[str, bytes]) -> Path:
    """errors.csv and run.json of a run that wrote no dataset, in OUTPUT/failed-run/ (the
    published dataset is untouched); each file replaced atomically."""
    folder = output_dir / FAILED_RUN_DIR
    for name, data in files.items():
        atomic_write(folder / name, data)
    return folder


def _remove_failed_run(output_dir: Path) -> None:
    """After a committed run, the report of an earlier failed run is out of date."""
    folder = output_dir / FAILED_RUN_DIR
    for name in (ERRORS_CSV, RUN_JSON):
        (folder / name).unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):  # files the pipeline did not write stay
        folder.rmdir()


def _previous_pages(output_dir: Path, urls: set[str]) -> dict[str, Page]:
    """The previous dataset's page texts for `urls` (the pages of kept partnerships)."""
    path = previous_file(output_dir, PAGES.filename)
    if path is None or not urls:
        return {}
    try:
        rows = read_rows(path.read_bytes(), key="source_url")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("%s: previous page texts unreadable: %s", path, exc)
        return {}
    return {u: Page(u, r.get("language", ""), r.get("commune_nis", ""), r.get("text", ""))
            for u, r in rows.items() if u in urls}


def _kept_changes(kept: list[Kept]) -> list[Change]:
    return [Change("kept", k.row.partnership_id, "source_url", "",
                   "page not read this run, partnership kept: " + " ".join(k.failed_urls)) for k in kept]


def _outputs(rows: list[Partnership], stats: RunStats, output_dir: Path, texts: dict[str, Page],
             today: str) -> tuple[dict[str, bytes], dict[str, int]]:
    """Every file of the new dataset but run.json, and the change counts.

    Dates come from the previous dataset (`history`); partnerships of pages that failed this
    run are kept from it."""
    with Timer(stats, "outputs"):
        previous = read_previous(previous_file(output_dir, PARTNERSHIPS_CSV))
        failed_urls = {p.source_url for p in stats.failures} | {p.source_id for p in stats.failures}
        rows, kept = with_history(rows, previous, failed_urls, today)
        rows = sort_rows(rows)
        pages = {**_previous_pages(output_dir, {u for k in kept for u in k.row.source_url.split()}), **texts}
        columns = tuple(c for c in COLUMNS if c not in DATE_COLUMNS[1:])
        new = {p.partnership_id: dict(zip(COLUMNS, row_cells(p), strict=True)) for p in rows}
        changes = diff(previous, new, columns, ignore=DATE_COLUMNS[1:]) + _kept_changes(kept)
        files = publish.dataset_files(Dataset(rows, pages, today))
        files[ERRORS_CSV] = errors_csv(stats.failures)
        files[CHANGES_CSV] = changes_csv(sorted(changes, key=lambda c: c.change))  # stable: diff order kept
        stats.rows_written, stats.domain_rows = len(rows), sum(len(p.domains) for p in rows)
    return files, {**summary(changes), "kept": len(kept)}
