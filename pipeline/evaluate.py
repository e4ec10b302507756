"""Score predicted partnerships against a gold file, exactly as CONTRACT.md defines it.

- A predicted row belongs to a gold document when one of its source URLs is the
  document's `url` or its `file` (path relative to the input directory).
- A row matches a gold record when its partner equals the record's `partner` or one
  of its `aliases`, ignoring case, accents and surrounding/multiple spaces. Several
  rows matching one record count once.
- Partnership precision/recall/F1 are over (document, partner) matches. Records with
  `optional: true` are neither required nor penalised: rows matching only them are
  left out of precision, and they are left out of recall.
- For each matched required record, the row whose partner is the record's `partner`
  (else the most confident matching row) is compared on country_code, protocol_type,
  year (against `year_ok`, default `[year]`) and domains (micro precision against
  `domains` + `domains_ok`, micro recall against `domains`).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import Partnership


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[int]] = field(default_factory=lambda: {
        "country_code": [0, 0], "protocol_type": [0, 0], "year": [0, 0]})
    dom_pred: int = 0
    dom_pred_ok: int = 0
    dom_gold: int = 0
    dom_gold_found: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float:
        right, total = self.fields[name]
        return right / total if total else 1.0

    @property
    def domains_precision(self) -> float:
        return self.dom_pred_ok / self.dom_pred if self.dom_pred else 1.0

    @property
    def domains_recall(self) -> float:
        return self.dom_gold_found / self.dom_gold if self.dom_gold else 1.0

    def summary(self) -> dict[str, float]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "country_code_accuracy": self.accuracy("country_code"),
            "protocol_type_accuracy": self.accuracy("protocol_type"),
            "year_accuracy": self.accuracy("year"),
            "domains_precision": self.domains_precision, "domains_recall": self.domains_recall,
        }


def load_gold(path: Path) -> list[dict[str, Any]]:
    docs = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    docs.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not valid JSON: {exc}") from exc
    return docs


def rows_for(doc: dict[str, Any], rows: list[Partnership]) -> list[Partnership]:
    keys = {k for k in (doc.get("url"), doc.get("file")) if k}
    return [r for r in rows if keys & set(r.source_url.split())]


def _matches(row: Partnership, record: dict[str, Any]) -> bool:
    names = {name_key(record.get("partner", ""))} | {name_key(a) for a in record.get("aliases", [])}
    return name_key(row.partner) in names


def _representative(record: dict[str, Any], rows: list[Partnership]) -> Partnership:
    exact = [r for r in rows if name_key(r.partner) == name_key(record.get("partner", ""))]
    return (exact or sorted(rows, key=lambda r: -r.confidence))[0]


def score_record(score: Score, record: dict[str, Any], row: Partnership, where: str) -> None:
    checks = {
        "country_code": (row.country_code or None) == (record.get("country_code") or None),
        "protocol_type": row.protocol_type == record.get("protocol_type"),
        "year": row.year in record.get("year_ok", [record.get("year")]),
    }
    for name, ok in checks.items():
        score.fields[name][0] += ok
        score.fields[name][1] += 1
        if not ok:
            score.misses.append(f"{where}: {record['partner']}: {name} predicted "
                                f"{getattr(row, name)!r}, gold {record.get(name)!r}")
    gold = set(record.get("domains", []))
    allowed = gold | set(record.get("domains_ok", []))
    pred = set(row.domains)
    score.dom_pred += len(pred)
    score.dom_pred_ok += len(pred & allowed)
    score.dom_gold += len(gold)
    score.dom_gold_found += len(pred & gold)
    if pred - allowed or gold - pred:
        score.misses.append(f"{where}: {record['partner']}: domains extra {sorted(pred - allowed)}, "
                            f"missing {sorted(gold - pred)}")


def evaluate(gold_docs: list[dict[str, Any]], rows: list[Partnership]) -> Score:
    score = Score()
    for doc in gold_docs:
        where = doc.get("file") or doc.get("url", "?")
        predicted = rows_for(doc, rows)
        records = doc.get("records", [])
        matched_rows: set[int] = set()
        for record in records:
            hits = [r for r in predicted if _matches(r, record)]
            matched_rows.update(id(r) for r in hits)
            if record.get("optional"):
                continue
            if not hits:
                score.fn += 1
                score.misses.append(f"{where}: missed {record['partner']!r}")
                continue
            score.tp += 1
            score_record(score, record, _representative(record, hits), where)
        for r in predicted:
            if id(r) not in matched_rows:
                score.fp += 1
                score.misses.append(f"{where}: extra {r.partner!r} ({r.partner_type}, {r.country_code})")
    return score


def report(score: Score, n_docs: int, n_rows: int) -> str:
    s = score.summary()
    lines = [
        f"documents: {n_docs}  predicted rows: {n_rows}",
        f"partnerships: tp={score.tp} fp={score.fp} fn={score.fn}",
        f"precision={s['precision']:.3f} recall={s['recall']:.3f} f1={s['f1']:.3f}",
        f"country_code accuracy={s['country_code_accuracy']:.3f}",
        f"protocol_type accuracy={s['protocol_type_accuracy']:.3f}",
        f"year accuracy={s['year_accuracy']:.3f}",
        f"domains precision={s['domains_precision']:.3f} recall={s['domains_recall']:.3f}",
    ]
    return "\n".join(lines)
