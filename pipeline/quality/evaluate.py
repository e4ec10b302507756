"""Score predicted partnerships against a gold file, exactly as CONTRACT.md defines it.

- A predicted row belongs to a gold document when one of its source URLs is the
  document's `url` or its `file` (path relative to the input directory).
- A row matches a gold record when its partner equals the record's `partner` or one
  of its `aliases`, ignoring case, accents, punctuation and surrounding/multiple spaces.
  Several rows matching one record count once.
- Partnership precision/recall/F1 are over (document, partner) matches. Records with
  `optional: true` are neither required nor penalised: rows matching only them are
  left out of precision, and they are left out of recall.
- For each matched required record, the row whose partner is the record's `partner`
  (else the most confident matching row) is compared on country_code, protocol_type
  (in `[protocol_type] + protocol_ok`), year (in `year_ok`, default `[year]`), domains
  (micro precision against `domains` + `domains_ok`, micro recall against `domains`),
  commune (the row's `commune_nis` equals the document's when it has one, else the
  names are equal ignoring case, accents and punctuation) and evidence (the row's
  evidence names the partner — its own name or one of the record's — and is at least
  25 characters long).
- Candidate recall: the share of required gold records whose partner is among the
  names the extraction considered on that page (PageResult.considered), before it
  decided which are partners. It measures the candidate layer alone.

A score over zero items is "n/a", never 1.0. A gold document whose page is not in
the input is a usage error (GoldError), not a score of 0.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.models import PageResult, Partnership

FIELDS = ("country_code", "protocol_type", "year", "commune", "evidence")
# CONTRACT.md: evidence is "a statement, not a fragment: at least 25 characters".
MIN_EVIDENCE_CHARS = 25
PUNCT = re.compile(r"[^\w\s]")


class GoldError(ValueError):
    """The gold file cannot be scored against this input (missing, malformed, other pages)."""


def name_key(name: str) -> str:
    """Case-, accent- and whitespace-insensitive key for partner names."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def loose_key(name: str) -> str:
    """name_key with punctuation as spaces: for commune names and for finding a name in evidence
    ("d’Esch-sur-Alzette" names Esch-sur-Alzette)."""
    return " ".join(PUNCT.sub(" ", name_key(name)).split())


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for name in FIELDS})
    dom_pred: int = 0
    dom_pred_ok: int = 0
    dom_gold: int = 0
    dom_gold_found: int = 0
    cand_found: int = 0
    cand_total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        right, total = self.fields[name]
        return ratio(right, total)

    @property
    def domains_precision(self) -> float | None:
        return ratio(self.dom_pred_ok, self.dom_pred)

    @property
    def domains_recall(self) -> float | None:
        return ratio(self.dom_gold_found, self.dom_gold)

    @property
    def candidate_recall(self) -> float | None:
        return ratio(self.cand_found, self.cand_total)

    def summary(self) -> dict[str, float | None]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            **{f"{name}_accuracy": self.accuracy(name) for name in FIELDS},
            "domains_precision": self.domains_precision,
            "domains_recall": self.domains_recall,
            "candidate_recall": self.candidate_recall,
        }


def load_gold(path: Path) -> list[dict[str, Any]]:
    """The gold documents; GoldError naming the file (and line) when it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"cannot read gold file {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    docs = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{n}: not valid JSON: {exc}") from exc
        if not isinstance(doc, dict) or not (doc.get("file") or doc.get("url")):
            raise GoldError(f"{path}:{n}: a gold document needs a 'file' or a 'url'")
        docs.append(doc)
    if not docs:
        raise GoldError(f"gold file {path} holds no document")
    return docs


def doc_keys(doc: dict[str, Any]) -> set[str]:
    return {k for k in (doc.get("url"), doc.get("file")) if k}


def check_coverage(gold_docs: Sequence[dict[str, Any]], pages: Iterable[PageResult]) -> None:
    """GoldError naming the gold documents whose page is not in the input."""
    seen: set[str] = set()
    for page in pages:
        seen.add(page.source_id)
        seen.add(page.source_id.rsplit("/", 1)[-1])
        seen.update(page.source_url.split())
    missing = [doc.get("file") or doc.get("url") for doc in gold_docs if not doc_keys(doc) & seen]
    if missing:
        shown = ", ".join(str(m) for m in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise GoldError(f"{len(missing)} of {len(gold_docs)} gold documents are not in the input: {shown}")


def rows_for(doc: dict[str, Any], rows: list[Partnership]) -> list[Partnership]:
    keys = doc_keys(doc)
    return [r for r in rows if keys & set(r.source_url.split())]


def record_names(record: dict[str, Any]) -> set[str]:
    return {name_key(record.get("partner", ""))} | {name_key(a) for a in record.get("aliases", [])}


def _matches(row: Partnership, record: dict[str, Any]) -> bool:
    return name_key(row.partner) in record_names(record)


def _representative(record: dict[str, Any], rows: list[Partnership]) -> Partnership:
    exact = [r for r in rows if name_key(r.partner) == name_key(record.get("partner", ""))]
    return (exact or sorted(rows, key=lambda r: -r.confidence))[0]


def commune_ok(row: Partnership, doc: dict[str, Any]) -> bool:
    if doc.get("commune_nis"):
        return bool(row.commune_nis == doc["commune_nis"])
    return loose_key(row.commune) == loose_key(doc.get("commune", ""))


def evidence_ok(row: Partnership, record: dict[str, Any]) -> bool:
    if len(row.evidence.strip()) < MIN_EVIDENCE_CHARS:
        return False
    text = f" {loose_key(row.evidence)} "
    names = {loose_key(row.partner)} | {loose_key(n) for n in [record.get("partner", ""), *record.get("aliases", [])]}
    return any(n and f" {n} " in text for n in names)


def score_record(score: Score, doc: dict[str, Any], record: dict[str, Any], row: Partnership, where: str) -> None:
    checks = {
        "country_code": (row.country_code or None) == (record.get("country_code") or None),
        "protocol_type": row.protocol_type in [record.get("protocol_type"), *record.get("protocol_ok", [])],
        "year": row.year in record.get("year_ok", [record.get("year")]),
        "commune": commune_ok(row, doc),
        "evidence": evidence_ok(row, record),
    }
    gold_values = {"commune": f"{doc.get('commune', '')} {doc.get('commune_nis', '')}".strip()}
    predicted = {"commune": f"{row.commune} {row.commune_nis}".strip(), "evidence": row.evidence[:80]}
    for name, ok in checks.items():
        score.fields[name][0] += ok
        score.fields[name][1] += 1
        if not ok:
            score.misses.append(
                f"{where}: {record['partner']}: {name} predicted "
                f"{predicted.get(name, getattr(row, name, ''))!r}, gold "
                f"{gold_values.get(name, record.get(name))!r}"
            )
    gold = set(record.get("domains", []))
    allowed = gold | set(record.get("domains_ok", []))
    pred = set(row.domains)
    score.dom_pred += len(pred)
    score.dom_pred_ok += len(pred & allowed)
    score.dom_gold += len(gold)
    score.dom_gold_found += len(pred & gold)
    if pred - allowed or gold - pred:
        score.misses.append(
            f"{where}: {record['partner']}: domains extra {sorted(pred - allowed)}, missing {sorted(gold - pred)}"
        )


def _considered(doc: dict[str, Any], pages: Sequence[PageResult]) -> set[str] | None:
    keys = doc_keys(doc)
    found = [p for p in pages if keys & ({p.source_id, p.source_id.rsplit("/", 1)[-1]} | set(p.source_url.split()))]
    if not found:
        return None
    return {name_key(n) for p in found for n in p.considered}


def evaluate(gold_docs: list[dict[str, Any]], rows: list[Partnership], pages: Sequence[PageResult] = ()) -> Score:
    """Score `rows` against `gold_docs`; `pages` (when given) adds the candidate recall."""
    score = Score()
    for doc in gold_docs:
        where = doc.get("file") or doc.get("url", "?")
        predicted = rows_for(doc, rows)
        considered = _considered(doc, pages) if pages else None
        records = doc.get("records", [])
        matched_rows: set[int] = set()
        for record in records:
            hits = [r for r in predicted if _matches(r, record)]
            matched_rows.update(id(r) for r in hits)
            if record.get("optional"):
                continue
            if considered is not None:
                score.cand_total += 1
                if considered & record_names(record):
                    score.cand_found += 1
                else:
                    score.misses.append(f"{where}: not even a candidate: {record['partner']!r}")
            if not hits:
                score.fn += 1
                score.misses.append(f"{where}: missed {record['partner']!r}")
                continue
            score.tp += 1
            score_record(score, doc, record, _representative(record, hits), where)
        for r in predicted:
            if id(r) not in matched_rows:
                score.fp += 1
                score.misses.append(f"{where}: extra {r.partner!r} ({r.partner_type}, {r.country_code})")
    return score


def format_scores(score: Score, n_docs: int, n_rows: int) -> str:
    s = score.summary()
    lines = [
        f"documents: {n_docs}  predicted rows: {n_rows}",
        f"partnerships: tp={score.tp} fp={score.fp} fn={score.fn}",
        f"precision={fmt(s['precision'])} recall={fmt(s['recall'])} f1={fmt(s['f1'])}",
        *(f"{name} accuracy={fmt(s[name + '_accuracy'])}" for name in FIELDS),
        f"domains precision={fmt(s['domains_precision'])} recall={fmt(s['domains_recall'])}",
        f"candidate recall={fmt(s['candidate_recall'])}",
    ]
    return "\n".join(lines)
