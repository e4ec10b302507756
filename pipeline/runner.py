"""The whole job: Documents -> PageResults -> Partnerships -> files.

`process_document` is the per-page unit of work (pure: bytes in, candidates out) so
that it can be cached, isolated and run in other processes. Errors on one page are
recorded on its PageResult and never stop the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .commune import identify_commune
from .extract import extract
from .gazetteer import get_gazetteer
from .ingest import iter_documents
from .language import detect_language
from .merge import merge
from .models import Candidate, Document, PageResult, Partnership, Text
from .output import write_dataset
from .parallel import map_pages
from .text import document_text

log = logging.getLogger(__name__)


def process_document(doc: Document, use_nlp: bool = True) -> PageResult:
    """Run text, language, commune and extraction stages on one page."""
    stage = "text"
    try:
        page = document_text(doc)
        stage = "language"
        plain = "\n".join(b.text for b in page.blocks)
        language = detect_language(plain or page.title)
        stage = "commune"
        gaz = get_gazetteer()
        commune = identify_commune(doc.commune_nis, doc.source_url, f"{plain}\n{page.boilerplate}", gaz)
        stage = "extract"
        text = Text(doc.source_id, doc.source_url, language, page.blocks, commune.nis if commune else "")
        candidates = extract(text, gaz, commune, use_nlp=use_nlp)
    except Exception as exc:  # noqa: BLE001 - per-page isolation: record and go on
        log.error("%s: %s failed: %s: %s", doc.source_id, stage, type(exc).__name__, exc)
        return PageResult(doc.source_id, doc.source_url, error_stage=stage,
                          error_type=type(exc).__name__, error_message=f"{doc.source_id}: {exc}")
    return PageResult(
        source_id=doc.source_id, source_url=doc.source_url, language=language,
        commune=commune.name if commune else "", commune_nis=commune.nis if commune else "",
        candidates=tuple(candidates),
    )


def process_all(items: Iterable[Document | PageResult], workers: int = 1) -> Iterator[PageResult]:
    return map_pages(items, process_document, workers=workers)


@dataclass
class RunResult:
    pages: int = 0
    failed: list[PageResult] = field(default_factory=list)
    rows: list[Partnership] = field(default_factory=list)
    results: list[PageResult] = field(default_factory=list)


def extract_dir(input_dir: Path, keep_results: bool = False) -> RunResult:
    """Run every stage but writing; the rows of the dataset for input_dir."""
    result = RunResult()
    candidates: list[Candidate] = []
    for page in process_all(iter_documents(input_dir)):
        result.pages += 1
        if page.failed:
            result.failed.append(page)
        candidates.extend(page.candidates)
        if keep_results:
            result.results.append(page)
    result.rows = merge(candidates)
    return result


def run(input_dir: Path, output_dir: Path) -> int:
    """Process input_dir into output_dir; exit code 0, or 1 when some pages failed."""
    result = extract_dir(input_dir)
    write_dataset(result.rows, output_dir)
    log.info("%d pages, %d failed, %d partnerships written to %s",
             result.pages, len(result.failed), len(result.rows), output_dir)
    return 1 if result.failed else 0
