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

- `workers=1` without a time limit (engine "local"): in this process, no pool.
- `workers>1`, or any number of workers with a `time_limit` (engine "local"): worker
  processes of our own (`_LocalPool`), each fed chunks through a pipe and answering page by
  page, so the parent knows which page each worker is on and since when. With the default
  "fork" start method on Linux, this process loads the gazetteers and the language identifier
  once (`warm_up`) and the workers inherit them (copy-on-write), so starting N workers costs
  nothing (each worker loads a spaCy pipeline on its first page that needs it); with
  "spawn"/"forkserver" each worker loads them itself.
  A page still running `KILL_GRACE` seconds past `time_limit` (stuck in C code, which the
  worker's own timer cannot interrupt) gets its worker killed and replaced, and becomes a
  failed PageResult (`PageTimeout`, stage "timeout"). A page that kills its worker
  (segfault, out of memory) is retried alone in a fresh worker and, if it kills that one
  too, becomes a failed PageResult (stage "worker"). Either way the other pages go on.
  The first worker alone loads the spaCy pipelines: the others pass it the pages that need
  one (`knowledge.nlp.ModelElsewhere`; the page is processed whole by the first worker),
  until `PASS_ON_BACKLOG` such pages wait for it, when they load their own copy.
- engine "dask": the chunks run as `dask.distributed` tasks on the cluster at
  `scheduler` (`tcp://host:8786`), or on a `LocalCluster` of `workers` single-threaded
  worker processes started here when no scheduler is given. Workers load the models on
  their first page. A page whose task kills workers repeatedly (KilledWorker) becomes a
  failed PageResult too.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import itertools
import logging
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from pipeline.knowledge.nlp import ModelElsewhere, pass_on_models
from pipeline.models import Document, PageResult

PR_SET_PDEATHSIG = 1  # linux/prctl.h

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
START_METHODS = ("fork", "forkserver", "spawn")
CHUNK_PAGES = 8  # pages per task: enough to amortise IPC, small enough to balance load
CHUNK_BYTES = 4 * 1024 * 1024  # ... and at most this many bytes of page content per task
# Chunks read ahead per worker: results are emitted in input order, so a slow chunk at the
# head (a worker loading spaCy, a large partnership page) holds the window; with 4, the
# second worker idled for it and `--workers 2` took 5.45 s on the 658 real pages, with 16
# 5.11 s (bench --real, medians), peak RSS unchanged (at most 16 x 4 MB of pages waiting
# per worker).
WINDOW_PER_WORKER = 16
# Seconds past a page's time limit before the parent kills its worker: the worker's own
# timer (SIGALRM, `pagelimit.process_with_limit`) stops Python code at the limit and keeps the
# worker; the kill is for code that no signal interrupts (a long call into C).
KILL_GRACE = 2.0
WORKER_EXIT_WAIT = 5.0  # seconds a stopped worker gets to exit before it is killed
# Pages needing a spaCy pipeline that may wait for the first worker, the one that loads it,
# before the other workers load their own copy too. Loading costs about 0.9 s of CPU and
# 100 MB per process (the French pipeline, measured); a French page that reaches NER
# takes about 0.1 s: so about one chunk of such pages.
PASS_ON_BACKLOG = CHUNK_PAGES

Item = Document | PageResult
Process = Callable[[Document], PageResult]


@dataclass(frozen=True)
class Usage:
    """What one process used: CPU seconds (user + system), peak resident set, and how long
    it lived (wall seconds); a worker reports its own when it is stopped (run.json)."""

    cpu_s: float
    peak_rss_mb: float
    wall_s: float = 0.0


def own_usage(wall_s: float = 0.0) -> Usage:
    """This process's CPU time and peak RSS so far (Linux reports ru_maxrss in KiB)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return Usage(round(ru.ru_utime + ru.ru_stime, 3), round(ru.ru_maxrss / 1024, 1), round(wall_s, 3))


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def add_execution_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --workers, --engine and --scheduler to a subcommand's parser."""
    group = parser.add_argument_group("execution")
    group.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="pages processed in parallel: worker processes (local) or, for --engine dask "
        "without --scheduler, LocalCluster workers (default: the number of cores, "
        f"here {default_workers()}, but one per 50 pages for fewer pages); results are "
        "identical for any N",
    )
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: this machine's processes; dask: dask.distributed tasks on the cluster "
        "at --scheduler, or on a LocalCluster started here (default local)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="address of a running Dask scheduler, e.g. tcp://host:8786 (implies "
        "--engine dask); without it --engine dask starts a LocalCluster",
    )


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def warm_up() -> None:
    """Load, once per process, what every page that passes the pre-filter needs: the
    gazetteers and the language identifier. The French spaCy pipeline (the only one:
    `knowledge.nlp.NER_LANGUAGES`) is loaded by the process that first needs it, on a French
    page that passes the partnership gate. Loading spaCy here instead, shared by the
    workers, saved CPU but was measured slower (two workers on the real pages, with the
    four pipelines of then: 7.1 s against 6.4 s, one core idle while this process loads)
    and made this process 35 MB larger."""
    from pipeline.knowledge.resources import process_resources
    from pipeline.stages.s3_language import detect_language

    process_resources()
    detect_language("warm up the language identifier with a short sentence")


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
    return PageResult(
        doc.source_id,
        doc.source_url,
        error_stage="worker",
        error_type="WorkerCrash",
        error_message=f"{doc.source_id}: the worker processing this page died ({reason})",
    )


# --------------------------------------------------------------------------- local
def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a run killed with SIGKILL: ask Linux to kill it too.
    `parent` is the run's process id, or 0 when the worker's parent is a fork server (which
    exits with the run)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError) as exc:
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable: %s", exc)
    if parent and os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(warm: bool, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    if warm:
        warm_up()


def _map_inline(items: Iterable[Item], process: Process) -> Iterator[PageResult]:
    for item in items:
        yield item if isinstance(item, PageResult) else process(item)


@dataclass(frozen=True)
class _PassedOn:
    """A worker's answer for a page that needs the `lang` pipeline, which it has not loaded."""

    lang: str


def _worker_main(conn: Connection, process: Process, warm: bool, parent: int) -> None:
    """A worker process: receive lists of Documents (and whether to pass on the pages that
    need a spaCy pipeline it has not loaded), send back for each page as soon as it is done
    (so the parent knows which page is running and since when) its PageResult, or
    `_PassedOn`."""
    _init_worker(warm, parent)
    started = time.monotonic()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
                conn.send(own_usage(time.monotonic() - started))  # for run.json and the benchmark
            return
        docs, pass_on = task
        pass_on_models(pass_on)
        for doc in docs:
            result: PageResult | _PassedOn
            try:
                result = process(doc)
            except ModelElsewhere as passed:
                result = _PassedOn(passed.lang)
            except Exception as exc:  # noqa: BLE001 - per-page isolation: the page fails, the worker goes on
                log.error("%s: %s: %s", doc.source_id, type(exc).__name__, exc)
                result = PageResult(
                    doc.source_id,
                    doc.source_url,
                    error_stage="worker",
                    error_type=type(exc).__name__,
                    error_message=f"{doc.source_id}: {exc}",
                )
            conn.send(result)


@dataclass
class _Task:
    """Pages sent to one worker (with their sequence numbers), those not answered yet first."""

    items: list[tuple[int, Document]]


class _Worker:
    """One worker process, its pipe, and the task it is working on."""

    def __init__(self, pool: _LocalPool) -> None:
        parent_end, child_end = pool.context.Pipe(duplex=True)
        self.process: multiprocessing.process.BaseProcess = pool.context.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            daemon=True,
            args=(child_end, pool.process, pool.warm_children, 0 if pool.forkserver else os.getpid()),
        )
        self.process.start()
        child_end.close()
        self.conn = parent_end
        self.task: _Task | None = None
        self.page_started = 0.0

    def send(self, task: _Task, pass_on: bool) -> None:
        self.conn.send(([doc for _, doc in task.items], pass_on))
        self.task, self.page_started = task, time.monotonic()

    def stop(self, kill: bool) -> Usage | None:
        """Stop the worker; a worker that stops on request reports its usage."""
        usage = None
        if kill or self.task is not None:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
                if self.conn.poll(WORKER_EXIT_WAIT):
                    answer = self.conn.recv()
                    usage = answer if isinstance(answer, Usage) else None
            except (OSError, EOFError):
                self.process.kill()
        self.process.join(WORKER_EXIT_WAIT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        return usage


class _LocalPool:
    """Worker processes the parent can kill one by one: a worker whose page runs over the
    time limit (in C code that no signal interrupts, say) is killed and replaced, and so is
    one that dies (segfault, out of memory); the other workers are not disturbed."""

    def __init__(self, workers: int, start_method: str, warm: bool, process: Process) -> None:
        self.context = multiprocessing.get_context(start_method)
        self.fork = start_method == "fork"
        self.forkserver = start_method == "forkserver"
        self.process = process
        if self.fork and warm:
            log.info(
                "loading the gazetteers and the language identifier before starting %d worker%s",
                workers,
                "s" if workers > 1 else "",
            )
            warm_up()  # loaded once here, inherited by every worker
        self.warm_children = warm and not self.fork
        self.workers = self._start(workers)

    def _start(self, n: int = 1) -> list[_Worker]:
        """Start n workers. Forked ones share the objects that exist now: the workers' garbage
        collector is kept off them (frozen) so that it does not copy their memory pages. One
        collection before forking them all (it goes over the whole heap: 0.03 s)."""
        if self.fork:
            gc.collect()
            gc.freeze()
        try:
            return [_Worker(self) for _ in range(n)]
        finally:
            if self.fork:
                gc.unfreeze()

    def replace(self, worker: _Worker, kill: bool = True) -> None:
        worker.stop(kill)
        self.workers[self.workers.index(worker)] = self._start()[0]

    def shutdown(self, usage: list[Usage] | None = None) -> None:
        for worker in self.workers:
            used = worker.stop(kill=False)
            if used is not None and usage is not None:
                usage.append(used)


def _timed_out(doc: Document, time_limit: float) -> PageResult:
    message = f"{doc.source_id}: stopped after the {time_limit:g} s per-page time limit (its worker process was killed)"
    log.error("%s", message)
    return PageResult(
        doc.source_id, doc.source_url, error_stage="timeout", error_type="PageTimeout", error_message=message
    )


class _Scheduler:
    """The parent's side of the local pool: read ahead a bounded window of chunks, hand
    tasks to idle workers, collect results, police the time limit, emit in input order."""

    def __init__(
        self, pool: _LocalPool, chunks: Iterator[list[Item]], chunk_pages: int, window: int, time_limit: float
    ) -> None:
        self.pool, self.chunks, self.chunk_pages = pool, chunks, chunk_pages
        self.window, self.time_limit = window, time_limit
        self.results: dict[int, PageResult] = {}
        self.todo: deque[_Task] = deque()
        self.passed: deque[tuple[int, Document]] = deque()  # pages waiting for the first worker's models
        self.died_on: set[int] = set()  # pages whose worker died once
        self.chunk_ends: deque[int] = deque()  # last sequence number of each chunk read and not emitted
        self.next_seq = 0  # sequence number of the next item read
        self.emitted = 0  # sequence number of the next item to emit
        self.exhausted = False

    def read_ahead(self) -> None:
        while not self.exhausted and len(self.chunk_ends) < self.window:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.exhausted = True
                return
            docs: list[tuple[int, Document]] = []
            for item in chunk:
                if isinstance(item, PageResult):
                    self.results[self.next_seq] = item
                else:
                    docs.append((self.next_seq, item))
                self.next_seq += 1
            self.chunk_ends.append(self.next_seq - 1)
            if docs:
                self.todo.append(_Task(docs))

    def dispatch(self) -> None:
        """Give each idle worker a task: the first worker takes the pages passed on to it
        first; the others pass on pages that need a pipeline they have not loaded while
        fewer than PASS_ON_BACKLOG such pages wait."""
        for i, worker in enumerate(list(self.pool.workers)):
            if worker.task is not None:
                continue
            if i == 0 and self.passed:
                n = min(len(self.passed), self.chunk_pages)
                task = _Task([self.passed.popleft() for _ in range(n)])
            elif self.todo:
                task = self.todo.popleft()
            else:
                continue
            try:
                worker.send(task, pass_on=i > 0 and len(self.passed) < PASS_ON_BACKLOG)
            except OSError:  # the idle worker died (e.g. the OOM killer): a new one takes the task
                self.todo.appendleft(task)
                self.pool.replace(worker)

    def emit(self) -> Iterator[PageResult]:
        while self.emitted in self.results:
            yield self.results.pop(self.emitted)
            self.emitted += 1
            while self.chunk_ends and self.chunk_ends[0] < self.emitted:
                self.chunk_ends.popleft()

    @property
    def done(self) -> bool:
        return self.exhausted and not self.todo and not self.passed and self.emitted == self.next_seq

    def wait(self) -> None:
        busy = [w for w in self.pool.workers if w.task is not None]
        if not busy:
            return
        timeout = None
        if self.time_limit > 0:
            deadline = min(w.page_started for w in busy) + self.time_limit + KILL_GRACE
            timeout = max(0.0, deadline - time.monotonic())
        ready = set(wait([w.conn for w in busy], timeout))
        for worker in busy:
            if worker.conn in ready:
                self._receive(worker)
            elif self.time_limit > 0 and time.monotonic() > worker.page_started + self.time_limit + KILL_GRACE:
                self._overran(worker)

    def _receive(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None
        try:
            result = worker.conn.recv()
        except (EOFError, OSError):
            self._died(worker)
            return
        seq, doc = task.items.pop(0)
        if isinstance(result, _PassedOn):
            self.passed.append((seq, doc))
        else:
            self.results[seq] = result
        worker.page_started = time.monotonic()
        if not task.items:
            worker.task = None

    def _died(self, worker: _Worker) -> None:
        """The worker died on its current page: run that page again alone in a fresh worker;
        if it dies again, the page is the culprit and fails; the task's other pages go on."""
        task = worker.task
        assert task is not None
        worker.process.join(WORKER_EXIT_WAIT)
        reason = f"exit code {worker.process.exitcode}"
        (seq, doc), rest = task.items[0], task.items[1:]
        worker.task = None
        self.pool.replace(worker)
        if rest:
            self.todo.appendleft(_Task(rest))
        if seq in self.died_on:  # by page, not by task: a page passed on changes tasks
            self.results[seq] = crashed(doc, reason)
        else:
            self.died_on.add(seq)
            log.warning("%s: its worker died (%s); trying the page again alone", doc.source_id, reason)
            self.todo.appendleft(_Task([(seq, doc)]))

    def _overran(self, worker: _Worker) -> None:
        """The page ran past its time limit and the grace period: kill the worker, fail the page."""
        task = worker.task
        assert task is not None
        (seq, doc), rest = task.items[0], task.items[1:]
        worker.task = None
        self.pool.replace(worker, kill=True)
        self.results[seq] = _timed_out(doc, self.time_limit)
        if rest:
            self.todo.appendleft(_Task(rest))


def _map_pool(
    items: Iterable[Item],
    process: Process,
    workers: int,
    start_method: str,
    warm: bool,
    chunk_pages: int,
    chunk_bytes: int,
    window: int,
    time_limit: float = 0.0,
    usage: list[Usage] | None = None,
) -> Iterator[PageResult]:
    head, rest = _lazily(items)
    yield from head
    if rest is None:
        return
    pool = _LocalPool(workers, start_method, warm, process)
    try:
        scheduler = _Scheduler(pool, _chunks(rest, chunk_pages, chunk_bytes), chunk_pages, window, time_limit)
        while True:
            scheduler.read_ahead()
            scheduler.dispatch()
            yield from scheduler.emit()
            if scheduler.done:
                return
            scheduler.wait()
    finally:
        pool.shutdown(usage)


# --------------------------------------------------------------------------- dask
def _map_dask(
    items: Iterable[Item],
    process: Process,
    workers: int,
    scheduler: str | None,
    chunk_pages: int,
    chunk_bytes: int,
    window: int | None,
) -> Iterator[PageResult]:
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
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
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
    time_limit: float = 0.0,
    usage: list[Usage] | None = None,
) -> Iterator[PageResult]:
    """Apply `process` to every Document (PageResults pass through), in input order.

    `process` must be a module-level (picklable) function when workers > 1 or with Dask.
    `start_method` ("fork" where available, else "spawn") picks how local workers start;
    `warm=False` leaves the models to load on first use. At most `window` chunks
    (default: `WINDOW_PER_WORKER` per worker) are in flight at once. `usage`, when given, receives each local
    worker's `Usage` as the workers are stopped at the end.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        engine = "dask"
    workers = max(1, int(workers))
    if engine == "dask":
        return _map_dask(items, process, workers, scheduler, chunk_pages, chunk_bytes, window)
    if workers == 1 and time_limit <= 0:
        return _map_inline(items, process)
    method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    if method not in START_METHODS:
        raise ValueError(f"unknown start method {method!r}: expected one of {', '.join(START_METHODS)}")
    return _map_pool(
        items,
        process,
        workers,
        method,
        warm,
        chunk_pages,
        chunk_bytes,
        window or WINDOW_PER_WORKER * workers,
        time_limit,
        usage,
    )
