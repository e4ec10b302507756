"""Where per-page work runs: in this process, in local worker processes, or on Dask.

`map_pages` is the one entry point the runner uses. Whatever the engine, it

- returns the results in input order (so the dataset is byte-identical to a run with
  one worker: every page is processed by the same function on the same bytes, and
  merging happens afterwards, in this process);
- streams: it reads the input iterator lazily and keeps at most a bounded window of
  pages in flight (`window` chunks of at most `chunk_pages` pages / `chunk_bytes`
  bytes), so memory does not grow with the number of pages;
- passes PageResults (pages that failed at ingest, or taken from a cache) straight
  through, without sending them to a worker; and starts no pool or cluster until the
  first Document comes.

Engines:

- `workers=1` (engine "local"): in this process, no pool.
- `workers>1` (engine "local"): a `ProcessPoolExecutor`. With the default "fork" start
  method on Linux, this process loads the gazetteers, the language identifier and the
  spaCy pipelines once (`warm_up`) and the workers inherit them (copy-on-write), so
  starting N workers costs nothing; with "spawn"/"forkserver" each worker loads them in
  its initializer. A page that kills its worker (segfault, out of memory) is retried
  alone in a fresh pool and, if it kills that one too, becomes a failed PageResult
  (stage "worker"); the other pages go on.
- engine "dask": the chunks run as `dask.distributed` tasks on the cluster at
  `scheduler` (`tcp://host:8786`), or on a `LocalCluster` of `workers` single-threaded
  worker processes started here when no scheduler is given. Workers load the models on
  their first page. A page whose task kills workers repeatedly (KilledWorker) becomes a
  failed PageResult too.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import itertools
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .models import Document, PageResult

PR_SET_PDEATHSIG = 1  # linux/prctl.h

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
START_METHODS = ("fork", "forkserver", "spawn")
CHUNK_PAGES = 8  # pages per task: enough to amortise IPC, small enough to balance load
CHUNK_BYTES = 4 * 1024 * 1024  # ... and at most this many bytes of page content per task
WINDOW_PER_WORKER = 4  # chunks in flight per worker

Item = Document | PageResult
Process = Callable[[Document], PageResult]


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def add_execution_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --workers, --engine and --scheduler to a subcommand's parser."""
    group = parser.add_argument_group("execution")
    group.add_argument("--workers", type=_positive_int, default=default_workers(), metavar="N",
                       help="pages processed in parallel: worker processes (local) or, for --engine dask "
                            "without --scheduler, LocalCluster workers (default: the number of cores, "
                            f"here {default_workers()}); results are identical for any N")
    group.add_argument("--engine", choices=ENGINES, default="local",
                       help="local: this machine's processes; dask: dask.distributed tasks on the cluster "
                            "at --scheduler, or on a LocalCluster started here (default local)")
    group.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="address of a running Dask scheduler, e.g. tcp://host:8786 (implies "
                            "--engine dask); without it --engine dask starts a LocalCluster")


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def warm_up() -> None:
    """Load, once per process, everything every page needs: gazetteers, language
    identifier and the spaCy pipeline of each served language."""
    from .gazetteer import get_gazetteer
    from .language import LANGUAGES, detect_language
    from .nlp import load

    get_gazetteer()
    detect_language("warm up the language identifier with a short sentence")
    for lang in LANGUAGES:
        load(lang)


# --------------------------------------------------------------------------- chunks
def _chunks(items: Iterable[Item], chunk_pages: int, chunk_bytes: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    size = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Document):
            size += len(item.content)
        if len(chunk) >= chunk_pages or size >= chunk_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _documents(chunk: list[Item]) -> list[Document]:
    """What a chunk sends to a worker: its Documents (PageResults stay here)."""
    return [item for item in chunk if isinstance(item, Document)]


def _fill(chunk: list[Item], results: list[PageResult]) -> Iterator[PageResult]:
    """The chunk's results in order: PageResults as they were, Documents replaced by results."""
    done = iter(results)
    for item in chunk:
        yield item if isinstance(item, PageResult) else next(done)


def _lazily(items: Iterable[Item]) -> tuple[list[PageResult], Iterator[Item] | None]:
    """Split off the PageResults before the first Document, so that no pool or cluster is
    started for an input with nothing to process (e.g. every page taken from a cache).
    Returns (those PageResults, the rest from the first Document on, or None)."""
    head: list[PageResult] = []
    it = iter(items)
    for item in it:
        if isinstance(item, Document):
            return head, itertools.chain([item], it)
        head.append(item)
    return head, None


def run_chunk(process: Process, docs: list[Document]) -> list[PageResult]:
    """The task: process the Documents of one chunk."""
    return [process(doc) for doc in docs]


def crashed(doc: Document, reason: str) -> PageResult:
    """The result of a page whose processing killed its worker."""
    log.error("%s: the worker processing it died (%s); page skipped", doc.source_id, reason)
    return PageResult(doc.source_id, doc.source_url, error_stage="worker", error_type="WorkerCrash",
                      error_message=f"{doc.source_id}: the worker processing this page died ({reason})")


# --------------------------------------------------------------------------- local
def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a run killed with SIGKILL: ask Linux to kill it too."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError) as exc:
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable: %s", exc)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(warm: bool, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    if warm:
        warm_up()


def _map_inline(items: Iterable[Item], process: Process) -> Iterator[PageResult]:
    for item in items:
        yield item if isinstance(item, PageResult) else process(item)


class _LocalPool:
    """A process pool that can be replaced when a worker dies."""

    def __init__(self, workers: int, start_method: str, warm: bool) -> None:
        self.workers = workers
        self.context = multiprocessing.get_context(start_method)
        self.fork = start_method == "fork"
        if self.fork and warm:
            warm_up()  # loaded once here, inherited by every worker
        self.warm_children = warm and not self.fork
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        if self.fork:
            # Objects that exist now are shared with the workers; keep the workers' garbage
            # collector off them so that it does not copy their memory pages.
            gc.collect()
            gc.freeze()
        try:
            return ProcessPoolExecutor(self.workers, mp_context=self.context, initializer=_init_worker,
                                       initargs=(self.warm_children, os.getpid()))
        finally:
            if self.fork:
                gc.unfreeze()

    def submit(self, process: Process, docs: list[Document]) -> Future[list[PageResult]]:
        try:
            return self.executor.submit(run_chunk, process, docs)
        except BrokenProcessPool as exc:  # broken since the last result: report it like a task would
            future: Future[list[PageResult]] = Future()
            future.set_exception(exc)
            return future

    def restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _map_pool(items: Iterable[Item], process: Process, workers: int, start_method: str, warm: bool,
              chunk_pages: int, chunk_bytes: int, window: int) -> Iterator[PageResult]:
    head, rest = _lazily(items)
    yield from head
    if rest is None:
        return
    pool = _LocalPool(workers, start_method, warm)
    pending: deque[tuple[list[Item], Future[list[PageResult]] | None]] = deque()
    try:
        chunks = _chunks(rest, chunk_pages, chunk_bytes)
        while True:
            while len(pending) < window and (chunk := next(chunks, None)) is not None:
                docs = _documents(chunk)
                pending.append((chunk, pool.submit(process, docs) if docs else None))
            if not pending:
                return
            chunk, future = pending.popleft()
            try:
                results = future.result() if future is not None else []
            except BrokenProcessPool:
                # Some page killed its worker: rerun the unfinished chunks page by page, in
                # order, in fresh pools, then carry on as before.
                retry = [item for c in [chunk, *(c for c, _ in pending)] for item in c]
                pending.clear()
                pool.restart()
                yield from _isolate(pool, process, retry)
                continue
            yield from _fill(chunk, results)
    finally:
        pool.shutdown()


def _isolate(pool: _LocalPool, process: Process, items: list[Item]) -> Iterator[PageResult]:
    """Process items one page per task. When the pool breaks, the page whose result was
    due is rerun alone in a fresh pool: if it breaks that one too, it is the culprit and
    becomes a failed result; the pages after it are resubmitted."""

    def submit_all(batch: list[Item]) -> list[Future[list[PageResult]] | None]:
        return [pool.submit(process, [x]) if isinstance(x, Document) else None for x in batch]

    futures = submit_all(items)
    for i, item in enumerate(items):
        future = futures[i]
        if isinstance(item, PageResult) or future is None:
            if isinstance(item, PageResult):
                yield item
            continue
        try:
            yield from future.result()
            continue
        except BrokenProcessPool:
            pool.restart()
        try:
            yield from pool.submit(process, [item]).result()
        except BrokenProcessPool as exc:
            yield crashed(item, str(exc) or type(exc).__name__)
            pool.restart()
        futures[i + 1:] = submit_all(items[i + 1:])


# --------------------------------------------------------------------------- dask
def _map_dask(items: Iterable[Item], process: Process, workers: int, scheduler: str | None,
              chunk_pages: int, chunk_bytes: int, window: int | None) -> Iterator[PageResult]:
    try:
        from distributed import Client, LocalCluster
        from distributed.scheduler import KilledWorker
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise RuntimeError("--engine dask needs the packages dask and distributed") from exc

    head, rest = _lazily(items)
    yield from head
    if rest is None:
        return
    cluster: Any = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    threads = sum(client.nthreads().values()) or workers
    window = window or WINDOW_PER_WORKER * threads
    log.info("dask: %s, %d chunks of up to %d pages in flight", client, window, chunk_pages)

    def submit(docs: list[Document]) -> Any:
        return client.submit(run_chunk, process, docs, pure=False)

    pending: deque[tuple[list[Item], Any]] = deque()
    try:
        chunks = _chunks(rest, chunk_pages, chunk_bytes)
        while True:
            while len(pending) < window and (chunk := next(chunks, None)) is not None:
                docs = _documents(chunk)
                pending.append((chunk, submit(docs) if docs else None))
            if not pending:
                return
            chunk, future = pending.popleft()
            if future is None:
                yield from _fill(chunk, [])
                continue
            try:
                results = future.result()
            except KilledWorker:
                # the chunk killed workers again and again: find the page, spare the others
                results = []
                for doc in _documents(chunk):
                    try:
                        results += submit([doc]).result()
                    except KilledWorker as exc:
                        results.append(crashed(doc, f"KilledWorker: {exc}"))
            finally:
                future.release()
            yield from _fill(chunk, results)
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- entry point
def map_pages(
    items: Iterable[Document | PageResult],
    process: Callable[[Document], PageResult],
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    *,
    start_method: str | None = None,
    warm: bool = True,
    chunk_pages: int = CHUNK_PAGES,
    chunk_bytes: int = CHUNK_BYTES,
    window: int | None = None,
) -> Iterator[PageResult]:
    """Apply `process` to every Document (PageResults pass through), in input order.

    `process` must be a module-level (picklable) function when workers > 1 or with Dask.
    `start_method` ("fork" where available, else "spawn") picks how local workers start;
    `warm=False` leaves the models to load on first use. At most `window` chunks
    (default: 4 per worker) are in flight at once.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        engine = "dask"
    workers = max(1, int(workers))
    if engine == "dask":
        return _map_dask(items, process, workers, scheduler, chunk_pages, chunk_bytes, window)
    if workers == 1:
        return _map_inline(items, process)
    method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    if method not in START_METHODS:
        raise ValueError(f"unknown start method {method!r}: expected one of {', '.join(START_METHODS)}")
    return _map_pool(items, process, workers, method, warm, chunk_pages, chunk_bytes,
                     window or WINDOW_PER_WORKER * workers)
