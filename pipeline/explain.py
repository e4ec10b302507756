"""`explain FILE`: what the pipeline sees on one page and why it keeps or drops each name.

Prints the page's commune, language and blocks, every candidate with the features
and vetoes that decided it (decide.py), and the rows the page yields with their
evidence: the first thing to run when a page gives a wrong row.
"""

from __future__ import annotations

from pathlib import Path

from .commune import identify_commune
from .extract import PageExtractor, mentions_page
from .gazetteer import get_gazetteer
from .ingest import iter_documents
from .language import detect_language
from .models import Document, Text
from .text import document_text


def find_document(path: Path) -> Document:
    """The Document for a file (its URL from a sources.csv beside it, when there is one)."""
    folder = path.parent
    for doc in iter_documents(folder):
        if (folder / doc.source_id).resolve() == path.resolve():
            return doc
    raise FileNotFoundError(f"{path}: not a readable page (html, htm, txt or md)")


def explain(path: Path, use_nlp: bool = True) -> str:
    doc = find_document(path)
    gaz = get_gazetteer()
    page = document_text(doc)
    plain = "\n".join(b.text for b in page.blocks)
    language = detect_language(plain or page.title)
    commune = identify_commune(doc.commune_nis, doc.source_url, f"{plain}\n{page.boilerplate}", gaz,
                               title=page.title)
    lines = [f"page: {doc.source_id}  url: {doc.source_url}", f"language: {language}",
             f"authority: {commune.name + ' ' + commune.nis if commune else '(none found)'}",
             "", f"blocks ({len(page.blocks)}):"]
    lines += [f"  [{b.kind}{b.level or ''}] {b.text[:160]}" for b in page.blocks]
    text = Text(doc.source_id, doc.source_url, language, page.blocks, commune.nis if commune else "")
    if not mentions_page(text):
        lines += ["", "no partnership wording on the page: nothing is extracted"]
        return "\n".join(lines)
    spans: dict[str, list[tuple[str, int, int]]] = {}
    if use_nlp:
        from .extract import cooperative_sentences
        from .nlp import PLACE_LABELS, entities

        sentences = cooperative_sentences(text)
        for sentence, ents in zip(sentences, entities(sentences, language or "en"), strict=True):
            spans[sentence] = [(e.text, e.start, e.end) for e in ents if e.label in PLACE_LABELS]
    extractor = PageExtractor(text, gaz, commune, spans)
    rows = extractor.run()
    lines += ["", "candidates (score, features, vetoes) in the unit that holds them:"]
    for c in extractor.weighed:
        verdict = "PARTNER" if c.accepted else "-"
        lines.append(f"  {verdict:8} {c.name!r} {c.score:+.1f} {sorted(c.features)} "
                     f"{('vetoed: ' + ', '.join(sorted(c.vetoes))) if c.vetoes else ''}")
        lines.append(f"           in: {c.unit.text[:140]!r}")
    lines += ["", f"rows ({len(rows)}):"]
    for r in rows:
        lines.append(f"  {r.partner} [{r.partner_type}, {r.country_code or '?'}] {r.protocol_type} "
                     f"year={r.year} domains={';'.join(r.domains)} status={r.status}")
        lines.append(f"      evidence: {r.evidence[:300]}")
    return "\n".join(lines)
