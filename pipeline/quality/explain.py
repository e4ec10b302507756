"""`explain FILE`: what the pipeline sees on one page and why it keeps or drops each name.

Prints the page's commune, language and blocks, every candidate with the features
and vetoes that decided it (`stages/s5_extract/decide.py`), and the rows the page yields with their
evidence: the first thing to run when a page gives a wrong row. It runs the cascade
(`cascade.trace_document`) without the pre-filter, so every page shows its blocks.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.cascade import trace_document
from pipeline.knowledge.resources import process_resources
from pipeline.models import Document
from pipeline.stages.s1_ingest import iter_documents
from pipeline.stages.s5_extract import mentions_page


def find_document(path: Path) -> Document:
    """The Document for a file (its URL from a sources.csv beside it, when there is one)."""
    folder = path.parent
    for doc in iter_documents(folder):
        if isinstance(doc, Document) and (folder / doc.source_id).resolve() == path.resolve():
            return doc
    raise FileNotFoundError(f"{path}: not a readable page (html, htm, txt or md)")


def explain(path: Path, use_nlp: bool = True) -> str:
    doc = find_document(path)
    trace = trace_document(doc, process_resources(use_nlp), prefilter=False)
    page, commune, language = trace.page, trace.commune, trace.language
    assert page is not None
    lines = [
        f"page: {doc.source_id}  url: {doc.source_url}",
        f"language: {language}",
        f"authority: {commune.name + ' ' + commune.nis if commune else '(none found)'}",
        "",
        f"blocks ({len(page.blocks)}):",
    ]
    lines += [f"  [{b.kind}{b.level or ''}] {b.text[:160]}" for b in page.blocks]
    if trace.text is None or not mentions_page(trace.text):
        lines += ["", "no partnership wording on the page: nothing is extracted"]
        return "\n".join(lines)
    lines += ["", "candidates (score, features, vetoes) in the unit that holds them:"]
    for c in trace.extraction.weighed:
        verdict = "PARTNER" if c.accepted else "-"
        lines.append(
            f"  {verdict:8} {c.name!r} {c.score:+.1f} {sorted(c.features)} "
            f"{('vetoed: ' + ', '.join(sorted(c.vetoes))) if c.vetoes else ''}"
        )
        lines.append(f"           in: {c.unit.text[:140]!r}")
    lines += ["", f"rows ({len(trace.candidates)}):"]
    for r in trace.candidates:
        lines.append(
            f"  {r.partner} [{r.partner_type}, {r.country_code or '?'}] {r.protocol_type} "
            f"year={r.year} domains={';'.join(r.domains)} status={r.status}"
        )
        lines.append(f"      evidence: {r.evidence[:300]}")
    return "\n".join(lines)
