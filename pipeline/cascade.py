"""The cascade: one Document in, one PageResult out, never an exception (but one: a
process told to pass on pages needing a spaCy pipeline it has not loaded raises
`knowledge.nlp.ModelElsewhere`, and the executor hands the page to the process that has it).

`process_document` is the per-page unit of work and the one place that lists the stages a
page goes through (`pipeline/stages/`, in order):

1. text: decode the bytes; the pre-filter stops a page whose text never uses partnership
   wording (it cannot yield a row) before the HTML parse, trafilatura and NLP; then the
   main text as ordered blocks, and the page stops there too when its main text fails the
   extraction's gate;
2. language of the main text;
3. commune: the page's own authority;
4. extract: one Finding per partner named on the page;
5. normalise: each Finding as a Candidate in the contract's vocabulary.

An error in any step is recorded on the PageResult (stage, type, message), so one bad page
never stops a run; `batch.pagelimit.process_with_limit` adds the per-page time limit.
Pages stopped by the pre-filter or the gate have `PageResult.skipped` set; their language,
commune and main text stay empty (only pages with rows use them: runner, evaluate).
`trace_document` runs the same steps and keeps every record (`explain` prints them).

The page cache's pipeline version (`batch/version.py`) covers this module and every module
it imports, directly or not: keep the per-page work here and in those modules.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.knowledge.nlp import ModelElsewhere
from pipeline.knowledge.resources import Resources, process_resources
from pipeline.models import Candidate, Commune, Document, Extraction, PageResult, PageText, Text
from pipeline.stages.s2_text import decode_document, may_state_partnership, text_blocks
from pipeline.stages.s3_language import detect_language
from pipeline.stages.s4_commune import identify_commune
from pipeline.stages.s5_extract import extract_page, mentions_page
from pipeline.stages.s6_normalise import normalise

log = logging.getLogger(__name__)

# Called after every page with the seconds each step took (the benchmark's per-stage times;
# a hook added before the executor starts its worker processes is inherited by them).
StageHook = Callable[[dict[str, float]], None]
stage_hooks: list[StageHook] = []


@dataclass
class Trace:
    """Every record the cascade made of one page, and the step it was in."""

    document: Document
    stage: str = "text"
    stopped: str = ""  # "pre-filter" or "gate": the page cannot state a partnership
    page: PageText | None = None
    plain: str = ""  # the main text, blocks joined by newlines
    language: str = ""
    commune: Commune | None = None
    text: Text | None = None
    extraction: Extraction = field(default_factory=Extraction)
    candidates: list[Candidate] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per step
    _clock: float = field(default_factory=time.perf_counter, repr=False)

    def step(self, stage: str) -> None:
        """Close the current step's clock and open `stage`'s."""
        now = time.perf_counter()
        self.seconds[self.stage] = self.seconds.get(self.stage, 0.0) + now - self._clock
        self.stage, self._clock = stage, now


def trace_document(doc: Document, resources: Resources, prefilter: bool = True, trace: Trace | None = None) -> Trace:
    """The cascade on one page; exceptions propagate (`trace.stage` says where)."""
    t = trace or Trace(doc)
    t.stage, t._clock = "text", time.perf_counter()
    # 1. text
    decoded = decode_document(doc)
    if prefilter and not may_state_partnership(decoded, doc.media_type):
        t.stopped = "pre-filter"
        t.step("done")
        return t
    t.page = text_blocks(doc, decoded)
    if prefilter and not mentions_page(Text(doc.source_id, doc.source_url, "", t.page.blocks)):
        t.stopped = "gate"
        t.step("done")
        return t
    # 2. language
    t.step("language")
    t.plain = "\n".join(b.text for b in t.page.blocks)
    t.language = detect_language(t.plain or t.page.title)
    # 3. commune
    t.step("commune")
    t.commune = identify_commune(
        doc.commune_nis, doc.source_url, f"{t.plain}\n{t.page.boilerplate}", resources.gazetteer, title=t.page.title
    )
    # 4. extract
    t.step("extract")
    t.text = Text(doc.source_id, doc.source_url, t.language, t.page.blocks, t.commune.nis if t.commune else "")
    t.extraction = extract_page(t.text, t.commune, resources)
    # 5. normalise
    t.step("normalise")
    t.candidates = [normalise(f, resources.gazetteer) for f in t.extraction.findings]
    t.step("done")
    return t


def process_document(doc: Document, use_nlp: bool = True, prefilter: bool = True) -> PageResult:
    """The cascade on one page (`use_nlp`: spaCy's entities; `prefilter`: stop early a page
    without partnership wording), its outcome as a PageResult."""
    trace = Trace(doc, stage="resources")
    try:
        trace_document(doc, process_resources(use_nlp), prefilter, trace)
    except ModelElsewhere:  # not a failure: the page goes to the process holding the model
        raise
    except Exception as exc:  # noqa: BLE001 - per-page isolation: record and go on
        stage = trace.stage
        trace.step("failed")
        for hook in stage_hooks:
            hook(trace.seconds)
        log.error("%s: %s failed: %s: %s", doc.source_id, stage, type(exc).__name__, exc)
        return PageResult(
            doc.source_id,
            doc.source_url,
            error_stage=stage,
            error_type=type(exc).__name__,
            error_message=f"{doc.source_id}: {exc}",
        )
    for hook in stage_hooks:
        hook(trace.seconds)
    if trace.stopped == "pre-filter":
        return PageResult(doc.source_id, doc.source_url, skipped=True)
    page = trace.page
    assert page is not None
    if trace.stopped:
        return PageResult(doc.source_id, doc.source_url, empty_text=page.empty_main, skipped=True)
    commune = trace.commune
    return PageResult(
        source_id=doc.source_id,
        source_url=doc.source_url,
        language=trace.language,
        commune=commune.name if commune else "",
        commune_nis=commune.nis if commune else "",
        candidates=tuple(trace.candidates),
        considered=trace.extraction.considered,
        empty_text=page.empty_main,
        main_text=trace.plain,
    )


def extract_candidates(text: Text, commune: Commune | None, resources: Resources) -> list[Candidate]:
    """Steps 4 and 5 on a text already read (for library use and tests)."""
    return [normalise(f, resources.gazetteer) for f in extract_page(text, commune, resources).findings]
