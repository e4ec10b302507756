"""Every annotated page of the team's corpora, scored as CONTRACT.md defines it.

Parametrised over the gold files: annotating a new page in raw/ or
tests/fixtures/pages/ adds a case.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CORPORA, EXACT_CORPORA, load_gold

from pipeline.cascade import process_document
from pipeline.models import Document, PageResult
from pipeline.quality.evaluate import evaluate
from pipeline.stages.s1_ingest.files import iter_documents
from pipeline.stages.s7_merge import merge

CASES = [(name, doc) for name, (_, gold) in CORPORA.items() for doc in load_gold(gold)]
EXACT = [(name, doc) for name, doc in CASES if name in EXACT_CORPORA]


def read_whole(corpus: str, source_id: str) -> PageResult:
    doc = next(d for d in iter_documents(CORPORA[corpus][0]) if isinstance(d, Document) and d.source_id == source_id)
    return process_document(doc, prefilter=False)


@pytest.mark.parametrize(("corpus", "doc"), EXACT, ids=[f"{c}/{d['file']}" for c, d in EXACT])
def test_page_partners(processed: dict[str, dict[str, PageResult]], corpus: str, doc: dict[str, Any]) -> None:
    """Each page yields exactly its required partners: none missed, none invented."""
    page = processed[corpus][doc["file"]]
    assert not page.failed, page.error_message
    if page.skipped:  # the pre-filter stopped it: no partnership wording, so no rows and no commune
        assert not doc["records"] and not page.candidates
        page = read_whole(corpus, doc["file"])  # the commune is still found when the page is read
    assert page.commune_nis == doc["commune_nis"]
    score = evaluate([doc], merge(page.candidates))
    assert (score.fn, score.fp) == (0, 0), score.misses


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_corpus_field_accuracy(processed: dict[str, dict[str, PageResult]], corpus: str) -> None:
    """Country, instrument and year right for nearly every partner; domains as annotated."""
    rows = merge(c for page in processed[corpus].values() for c in page.candidates)
    score = evaluate(load_gold(CORPORA[corpus][1]), rows)
    summary = score.summary()
    assert summary["f1"] >= (1.0 if corpus in EXACT_CORPORA else 0.95), score.misses
    for field in ("country_code_accuracy", "protocol_type_accuracy", "year_accuracy"):
        assert summary[field] >= 0.9, (field, score.misses)
    assert summary["domains_precision"] >= 0.85 and summary["domains_recall"] >= 0.85, score.misses


def test_status_of_ended_and_planned_partnerships(processed: dict[str, dict[str, PageResult]]) -> None:
    """The gold files note a status per record; ended and planned ones must be told apart."""
    checked = 0
    for corpus, (_, gold) in CORPORA.items():
        for doc in load_gold(gold):
            rows = {r.partner: r for r in merge(processed[corpus][doc["file"]].candidates)}
            for record in doc["records"]:
                if record.get("status") in ("ended", "planned"):
                    names = {record["partner"], *record.get("aliases", [])}
                    row = next(r for n, r in rows.items() if n in names)
                    assert row.status == record["status"], (doc["file"], record["partner"])
                    checked += 1
    assert checked >= 3


def test_page_without_partnership_gives_no_rows(processed: dict[str, dict[str, PageResult]]) -> None:
    empty_docs = [(c, d) for c, d in CASES if not d["records"]]
    assert empty_docs
    for corpus, doc in empty_docs:
        assert processed[corpus][doc["file"]].candidates == ()


def test_bad_files_are_reported_by_name(processed: dict[str, dict[str, PageResult]]) -> None:
    pages = processed["pages"]
    assert {"empty.html", "binary.html"} <= set(pages)
    for name in ("empty.html", "binary.html"):
        assert pages[name].failed and name in pages[name].error_message
        assert pages[name].error_stage == "text"
    assert sum(1 for p in pages.values() if p.candidates) >= 6  # the others are not lost
