"""The whole job: Documents -> PageResults -> Partnerships -> files.

`process_document` (defined in `cascade.py`, re-exported here) is the per-page unit of
work (pure: bytes in, candidates out) so that it can be cached, isolated and run in
other processes. Errors on one page are recorded on its PageResult and never stop the
run; `process_with_limit` adds the per-page time limit.

`page_results` is the one page loop: `run`, `extract_dir` (what `evaluate` scores) and the
benchmark read every page's result through it, in input order; pages to parse go through
the executor (`executor.map_pages`), results known without parsing (cached pages,
unreadable files) do not.

`run` is the batch job behind `run_pipeline.py run` (see the README's Operators
section): one run at a time per output directory (`lock`), pages whose bytes and
pipeline version are unchanged taken from the page cache (`cache`), the others parsed
through `page_results`, then the dataset, `errors.csv`, `changes.csv` and
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

from pipeline.batch.cache import PageCache, content_hash, document_key
from pipeline.batch.changes import Change, changes_csv, diff, read_previous, read_rows, summary
from pipeline.batch.executor import Usage, map_pages, own_usage
from pipeline.batch.history import DATE_COLUMNS, Kept, run_date, with_history
from pipeline.batch.lock import LockHeld, OutputLock
from pipeline.batch.logs import progress_bar
from pipeline.batch.options import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PARTIAL,
    BatchOptions,
)
from pipeline.batch.pagelimit import PageTimeout, process_with_limit
from pipeline.batch.reports import Fingerprint, RunStats, Timer, errors_csv, run_json
from pipeline.batch.store import checkpoint, commit, new_run_id, previous_file, recover
from pipeline.batch.version import library_versions, pipeline_version
from pipeline.cascade import process_document
from pipeline.models import Candidate, Document, PageResult, Partnership
from pipeline.schema import PAGES
from pipeline.stages.s1_ingest.files import Listing, display_name, list_input
from pipeline.stages.s7_merge import merge, sort_rows
from pipeline.stages.s8_export import publish
from pipeline.stages.s8_export.publish import Dataset, Page
from pipeline.stages.s8_export.tables import (
    COLUMNS,
    PARTNERSHIPS_CSV,
    atomic_write,
    row_cells,
)

log = logging.getLogger(__name__)

__all__ = ["PageTimeout", "extract_dir", "process_document", "process_with_limit", "run"]

CACHE_DIR = ".cache"
FAILED_RUN_DIR = "failed-run"  # errors.csv and run.json of the last run that wrote nothing
ERRORS_CSV, CHANGES_CSV, RUN_JSON = "errors.csv", "changes.csv", "run.json"
STAGES = ("recover", "version", "ingest", "cache", "extract", "merge", "outputs")
# Pages per local worker process: below this many pages per worker, fewer workers finish as
# soon and leave the cores to other work. Set when each worker loaded its own spaCy (3.4 s);
# now only the first worker loads it (the others pass it the pages that need it), and
# measured again on 2 cores (whole processes, medians of 4): the 10 pages of raw/ take
# 2.16 s with one worker and 2.19 s with two; the 54 pages of ../shared/dev 3.38 s and
# 2.86 s, which this value already gives two workers.
MIN_PAGES_PER_WORKER = 50


def effective_workers(workers: int, pages: int, engine: str = "local") -> int:
    """Local workers worth starting for `pages` pages (at most `workers`); Dask as asked."""
    if engine != "local":
        return workers
    return max(1, min(workers, -(-pages // MIN_PAGES_PER_WORKER)))


# --------------------------------------------------------------------------- the page loop


@dataclass(frozen=True)
class Slot:
    """One input item's place in the page loop: a page to parse (with its page-cache key), a
    page whose result is in the page cache (read back when its turn comes, so that cached
    results waiting behind pages being parsed hold only their keys), or an unreadable file
    (its result known)."""

    kind: str  # "parsed", "cached" or "unreadable"
    key: str = ""
    result: PageResult | None = None
    source_id: str = ""
    source_url: str = ""


def page_process(opts: BatchOptions) -> Callable[[Document], PageResult]:
    """The per-page work the options ask for (module-level functions only: it is pickled)."""
    return functools.partial(
        process_with_limit, time_limit=opts.time_limit, use_nlp=opts.use_nlp, prefilter=opts.prefilter
    )


def page_results(
    feed: Iterable[tuple[Slot, Document | None]],
    opts: BatchOptions,
    workers: int = 1,
    usage: list[Usage] | None = None,
    cached: Callable[[Slot], PageResult] | None = None,
) -> Iterator[tuple[Slot, PageResult]]:
    """Every item's result, in input order: the one orchestrator of `run`, `evaluate` and the
    benchmark. Documents go through the executor (`map_pages`), started at the first one, so
    a run where every page is cached starts no worker and loads no model; results known
    without parsing never go through it: a cached page's result is read back by `cached`
    when its turn comes (what waits meanwhile is its slot, not its result)."""
    waiting: deque[Slot] = deque()  # every item read and not yet emitted, in input order
    early: deque[PageResult] = deque()  # executor results read before their slot came up

    def documents() -> Iterator[Document]:
        for slot, doc in feed:
            waiting.append(slot)
            if doc is not None:
                yield doc

    def result_of(slot: Slot) -> PageResult:
        if slot.result is not None:
            return slot.result
        if slot.kind == "cached":
            assert cached is not None, "a cached slot needs a way to read its result back"
            return cached(slot)
        assert parsed is not None
        return early.popleft() if early else next(parsed)

    docs = documents()
    parsed: Iterator[PageResult] | None = None
    while True:
        if waiting:
            slot = waiting.popleft()
            yield slot, result_of(slot)
        elif parsed is None:
            first = next(docs, None)  # reads on to the first page to parse
            if first is None and not waiting:
                return
            if first is not None:
                parsed = map_pages(
                    itertools.chain([first], docs),
                    page_process(opts),
                    workers=workers,
                    engine=opts.engine,
                    scheduler=opts.scheduler,
                    time_limit=opts.time_limit,
                    usage=usage,
                )
        else:
            result = next(parsed, None)  # the executor reads on; its result is the next "parsed" slot's
            if result is None and not waiting:
                return
            if result is not None:
                early.append(result)


def ingest_feed(items: Iterable[Document | PageResult]) -> Iterator[tuple[Slot, Document | None]]:
    """The page loop's feed for a plain listing (no page cache)."""
    for item in items:
        if isinstance(item, PageResult):
            yield Slot("unreadable", result=item), None
        else:
            yield Slot("parsed"), item


@dataclass
class Extracted:
    pages: int = 0
    failed: list[PageResult] = field(default_factory=list)
    rows: list[Partnership] = field(default_factory=list)
    results: list[PageResult] = field(default_factory=list)


def extract_dir(
    input_dir: Path, keep_results: bool = False, use_nlp: bool = True, prefilter: bool = True, workers: int = 1
) -> Extracted:
    """Run every stage but writing; the rows of the dataset for input_dir (no cache, no lock,
    no time limit; `workers` processes, at most one per MIN_PAGES_PER_WORKER pages): what
    `evaluate` scores."""
    opts = BatchOptions(use_nlp=use_nlp, prefilter=prefilter, time_limit=0, progress=False)
    listing = list_input(input_dir)
    workers = effective_workers(workers, listing.total)
    result = Extracted()
    candidates: list[Candidate] = []
    for _slot, page in page_results(ingest_feed(listing.documents()), opts, workers):
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
class _PageLoop:
    """The batch run's page loop: the feed (page cache looked up first) and the accounting."""

    cache: PageCache
    full: bool
    use_nlp: bool = True
    prefilter: bool = True
    stats: RunStats = field(default_factory=RunStats)
    fingerprint: Fingerprint = field(default_factory=Fingerprint)
    documents: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    texts: dict[str, Page] = field(default_factory=dict)  # main text of the pages that yield rows

    def feed(self, listing: Listing) -> Iterator[tuple[Slot, Document | None]]:
        """Each input item with its slot: a page to parse, or its cached result, or why its
        file could not be read."""
        items = listing.documents()
        while True:
            with Timer(self.stats, "ingest"):
                item = next(items, None)
            if item is None:
                return
            if isinstance(item, PageResult):
                self.fingerprint.add(item.source_id, item.source_url, "", "unreadable")
                yield Slot("unreadable", result=item), None
                continue
            with Timer(self.stats, "cache"):
                self.documents += 1
                digest = content_hash(item.content)
                self.fingerprint.add(item.source_id, item.source_url, item.commune_nis, digest)
                key = document_key(item, digest, self.use_nlp, self.prefilter)
                cached = not self.full and self.cache.has(key)
            if cached:
                yield Slot("cached", key, source_id=item.source_id, source_url=item.source_url), None
            else:
                yield Slot("parsed", key), item

    def cached_result(self, slot: Slot) -> PageResult:
        """A cached page's result, read back when its turn comes; a page whose entry can no
        longer be read (the cache database failed since) fails this run: its rows are kept
        from the previous dataset, and the next run parses it."""
        with Timer(self.stats, "cache"):
            page = self.cache.get(slot.key)
        if page is not None:
            return page
        message = f"{slot.source_id}: its page-cache entry could not be read back; the next run parses it"
        log.error("%s", message)
        return PageResult(
            slot.source_id, slot.source_url, error_stage="cache", error_type="CacheEntryLost", error_message=message
        )

    def take(self, slot: Slot, page: PageResult) -> None:
        """Account for one page's result."""
        stats = self.stats
        stats.pages_seen += 1
        if slot.kind == "cached":
            stats.skipped_unchanged += 1
        elif slot.kind == "parsed":
            stats.parsed += 1
            if slot.key and not page.failed:
                with Timer(stats, "cache"):
                    self.cache.put(slot.key, page)
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
            self.texts[page.source_url] = Page(page.source_url, page.language, page.commune_nis, page.main_text)


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
        log.error("run failed, nothing written, the previous dataset is in place: %s: %s", type(exc).__name__, exc)
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
    log.info(
        "run %s: %s -> %s, pipeline version %s%s",
        run_id,
        input_dir,
        output_dir,
        version,
        " (--full: cache ignored)" if opts.full else "",
    )
    with Timer(stats, "ingest"):
        listing = list_input(input_dir)
        total = listing.total
    stats.skipped_files, stats.warnings = len(listing.skipped), list(listing.warnings)
    _log_skipped(listing, opts.verbose)
    cache = PageCache(opts.cache_dir or output_dir / CACHE_DIR, version)
    try:
        pages = _PageLoop(cache, opts.full, opts.use_nlp, opts.prefilter, stats)
        workers = (
            opts.workers
            if not opts.auto_workers
            else effective_workers(opts.workers, total, opts.engine if not opts.scheduler else "dask")
        )
        if workers < opts.workers:
            log.info(
                "%d pages: %d worker%s (at least %d pages per worker)",
                total,
                workers,
                "s" if workers > 1 else "",
                MIN_PAGES_PER_WORKER,
            )
        loop_start = time.perf_counter()
        usage: list[Usage] = []
        first_page_at = None
        with progress_bar(opts.progress, total=total) as bar:
            for slot, page in page_results(pages.feed(listing), opts, workers, usage, pages.cached_result):
                first_page_at = first_page_at or time.time()
                pages.take(slot, page)
                bar.update(1)
        loop = time.perf_counter() - loop_start
        stats.processes = {
            "first_page_at": first_page_at,
            "main": dataclasses.asdict(own_usage()),
            "workers": [dataclasses.asdict(u) for u in usage],
        }
        stats.add_time(
            "extract", max(0.0, loop - stats.durations.get("ingest", 0.0) - stats.durations.get("cache", 0.0))
        )
        if stats.pages_seen == 0:
            log.error("%s: no pages found; nothing written, the previous dataset is in place", input_dir)
            return EXIT_FATAL
        report = functools.partial(
            run_json,
            stats=stats,
            run_id=run_id,
            started=started,
            version=version,
            libraries=libraries,
            input_path=str(input_dir),
            output_path=str(output_dir),
            fingerprint=pages.fingerprint.hexdigest(),
            documents=pages.documents,
            options=opts.report(),
            stages=STAGES,
        )
        if stats.failed == stats.pages_seen:
            where = _write_failed_run(
                output_dir,
                {
                    ERRORS_CSV: errors_csv(stats.failures),
                    RUN_JSON: report(finished=time.time(), changes={}, exit_code=EXIT_FATAL),
                },
            )
            log.error(
                "all %d pages failed; nothing written, the previous dataset is in place; the failures are listed in %s",
                stats.pages_seen,
                where / ERRORS_CSV,
            )
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
    log.info(
        "run %s done: %d pages (%d unchanged, %d parsed, %d failed, %d with empty text), "
        "%d files skipped, %d warnings, %d partnerships (+%d -%d ~%d) in %s; %.1f s (commit %.2f s)",
        run_id,
        stats.pages_seen,
        stats.skipped_unchanged,
        stats.parsed,
        stats.failed,
        stats.empty_text,
        stats.skipped_files,
        len(stats.warnings),
        stats.rows_written,
        changes["added"],
        changes["removed"],
        changes["changed"],
        output_dir,
        time.time() - started,
        time.perf_counter() - commit_start,
        extra={"event": "run_finished", "run_id": run_id, "exit_code": exit_code, **counts},
    )
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
    return {
        u: Page(u, r.get("language", ""), r.get("commune_nis", ""), r.get("text", ""))
        for u, r in rows.items()
        if u in urls
    }


def _kept_changes(kept: list[Kept]) -> list[Change]:
    return [
        Change(
            "kept",
            k.row.partnership_id,
            "source_url",
            "",
            "page not read this run, partnership kept: " + " ".join(k.failed_urls),
        )
        for k in kept
    ]


def _outputs(
    rows: list[Partnership], stats: RunStats, output_dir: Path, texts: dict[str, Page], today: str
) -> tuple[dict[str, bytes], dict[str, int]]:
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
