"""The per-page time limit: `process_with_limit` is `cascade.process_document` stopped after
a number of seconds, so that one page that hangs costs that page, never the run.

The executor (`batch.executor`) runs pages through it in its worker processes; what no
signal interrupts (one long call into C) is stopped there, by killing the worker.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
from dataclasses import replace
from types import FrameType

from pipeline.batch.executor import warm_up
from pipeline.cascade import process_document
from pipeline.models import Document, PageResult

log = logging.getLogger(__name__)


class PageTimeout(Exception):
    """Raised in the page's process when it runs over its time limit."""


_warned_no_alarm = False


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@functools.cache
def _warm_up() -> None:
    """Load the gazetteers once per process before the first page's clock starts."""
    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - per-page isolation: the page will fail and say why
        log.warning("warm-up failed: %s", exc)


def _timed_out(doc: Document, time_limit: float, stage: str = "") -> PageResult:
    message = f"{doc.source_id}: stopped after the {time_limit:g} s per-page time limit"
    log.error("%s", message)
    return PageResult(
        doc.source_id,
        doc.source_url,
        error_stage=stage or "timeout",
        error_type=PageTimeout.__name__,
        error_message=message,
    )


def process_with_limit(doc: Document, time_limit: float, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
    """process_document, stopped after time_limit seconds (0: no limit).

    The limit is a SIGALRM timer in the process running the page (the executor's worker
    processes run pages in their main thread); it interrupts Python code and regular
    expressions, and fires again every second if some library swallows the exception.
    In a non-main thread (thread pools) no timer can be set: the page runs unlimited and
    a warning says so once. Code that no signal interrupts (one long call into C) is
    stopped from outside: `executor.map_pages(..., time_limit=...)` kills the worker process
    running the page. Module-level, so that `functools.partial` of it pickles."""
    global _warned_no_alarm
    if time_limit <= 0:
        return process_document(doc, use_nlp, prefilter)
    if not _can_alarm():
        if not _warned_no_alarm:
            log.warning("per-page time limit not enforced: pages run outside a main thread")
            _warned_no_alarm = True
        return process_document(doc, use_nlp, prefilter)
    _warm_up()
    state = {"armed": True, "fired": False}

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if state["armed"]:
            state["fired"] = True
            raise PageTimeout(f"over the {time_limit:g} s per-page time limit")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, time_limit, 1.0)
        try:
            result = process_document(doc, use_nlp, prefilter)
        finally:
            state["armed"] = False
    except PageTimeout:
        result = _timed_out(doc, time_limit)
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if state["fired"] and result.error_type != PageTimeout.__name__:
        return _timed_out(doc, time_limit, result.error_stage)  # a library swallowed the interruption
    if result.error_type == PageTimeout.__name__:
        return replace(
            result,
            error_message=f"{doc.source_id}: stopped after the {time_limit:g} s "
            f"per-page time limit (in stage {result.error_stage})",
        )
    return result
