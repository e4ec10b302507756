"""The per-page unit of work: one Document in, one PageResult out, never an exception.

`process_document` runs the text, language, commune and extraction stages on a page;
an error in any of them is recorded on the PageResult (stage, type, message), so one
bad page never stops a run. `process_with_limit` adds the per-page time limit.

Pre-filter: a page whose decoded text never uses partnership wording (`prefilter.
may_state_partnership`, the extraction's own page gate applied to the whole page) cannot
yield a row; it stops right after decoding, before the HTML parse, trafilatura, language
identification, the commune stage and NLP, with `PageResult.skipped` set. A page whose
main text fails the extraction's gate (`extract.mentions_page`) stops there too, before
language identification and the commune stage. Their language, commune and main text stay
empty: only pages with rows use them (runner, evaluate).

The page cache's pipeline version (`version.py`) covers this module and every module
it imports, directly or not: keep the per-page work here and in those modules.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
from dataclasses import replace
from types import FrameType

from .commune import identify_commune
from .extract import extract_page, mentions_page
from .gazetteer import get_gazetteer
from .language import detect_language
from .models import Document, PageResult, Text
from .prefilter import may_state_partnership
from .text import decode_document, text_blocks

log = logging.getLogger(__name__)


def process_document(doc: Document, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
    """Run text, language, commune and extraction stages on one page (`prefilter`: stop
    after decoding a page without partnership wording)."""
    stage = "text"
    try:
        decoded = decode_document(doc)
        if prefilter and not may_state_partnership(decoded, doc.media_type):
            return PageResult(doc.source_id, doc.source_url, skipped=True)
        page = text_blocks(doc, decoded)
        if prefilter and not mentions_page(Text(doc.source_id, doc.source_url, "", page.blocks)):
            return PageResult(doc.source_id, doc.source_url, empty_text=page.empty_main, skipped=True)
        stage = "language"
        plain = "\n".join(b.text for b in page.blocks)
        language = detect_language(plain or page.title)
        stage = "commune"
        gaz = get_gazetteer()
        commune = identify_commune(doc.commune_nis, doc.source_url, f"{plain}\n{page.boilerplate}", gaz,
                                   title=page.title)
        stage = "extract"
        text = Text(doc.source_id, doc.source_url, language, page.blocks, commune.nis if commune else "")
        candidates, considered = extract_page(text, gaz, commune, use_nlp=use_nlp)
    except Exception as exc:  # noqa: BLE001 - per-page isolation: record and go on
        log.error("%s: %s failed: %s: %s", doc.source_id, stage, type(exc).__name__, exc)
        return PageResult(doc.source_id, doc.source_url, error_stage=stage,
                          error_type=type(exc).__name__, error_message=f"{doc.source_id}: {exc}")
    return PageResult(
        source_id=doc.source_id, source_url=doc.source_url, language=language,
        commune=commune.name if commune else "", commune_nis=commune.nis if commune else "",
        candidates=tuple(candidates), considered=tuple(considered), empty_text=page.empty_main,
        main_text=plain,
    )


class PageTimeout(Exception):
    """Raised in the page's process when it runs over its time limit."""


_warned_no_alarm = False


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@functools.cache
def _warm_up() -> None:
    """Load the gazetteers once per process before the first page's clock starts."""
    try:
        get_gazetteer()
        detect_language("warm-up text for the language identifier model")
    except Exception as exc:  # noqa: BLE001 - per-page isolation: the page will fail and say why
        log.warning("warm-up failed: %s", exc)


def _timed_out(doc: Document, time_limit: float, stage: str = "") -> PageResult:
    message = f"{doc.source_id}: stopped after the {time_limit:g} s per-page time limit"
    log.error("%s", message)
    return PageResult(doc.source_id, doc.source_url, error_stage=stage or "timeout",
                      error_type=PageTimeout.__name__, error_message=message)


def process_with_limit(doc: Document, time_limit: float, use_nlp: bool = True,
                       prefilter: bool = True) -> PageResult:
    """process_document, stopped after time_limit seconds (0: no limit).

    The limit is a SIGALRM timer in the process running the page (the executor's worker
    processes run pages in their main thread); it interrupts Python code and regular
    expressions, and fires again every second if some library swallows the exception.
    In a non-main thread (thread pools) no timer can be set: the page runs unlimited and
    a warning says so once. Code that no signal interrupts (one long call into C) is
    stopped from outside: `parallel.map_pages(..., time_limit=...)` kills the worker process
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
        return replace(result, error_message=f"{doc.source_id}: stopped after the {time_limit:g} s "
                                             f"per-page time limit (in stage {result.error_stage})")
    return result
