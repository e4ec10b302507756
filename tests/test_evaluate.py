"""The scoring rules of CONTRACT.md."""

from __future__ import annotations

from typing import Any

from pipeline.evaluate import evaluate
from pipeline.models import Partnership


def row(partner: str, **kw: Any) -> Partnership:
    base: dict[str, Any] = dict(
        partnership_id="p", commune="C", commune_nis="1", partner=partner, partner_type="city",
        country_code="MA", protocol_type="twinning", protocol_label="", year=2014, date="2014",
        status="active", domains=("health",), language="nl", source_url="page.txt", evidence="",
        confidence=0.9)
    base.update(kw)
    return Partnership(**base)


DOC = {"file": "page.txt", "url": "", "records": [
    {"partner": "Regio Souss", "aliases": ["Souss", "Tiznit"], "country_code": "MA",
     "protocol_type": "twinning", "year": 2014, "domains": ["health"], "domains_ok": ["culture"],
     "optional": False},
    {"partner": "Kimbanseke", "aliases": [], "country_code": "CD", "protocol_type": "twinning",
     "year": None, "year_ok": [None, 2019], "domains": [], "optional": False},
    {"partner": "ALDA", "aliases": [], "country_code": None, "protocol_type": "network_membership",
     "year": None, "domains": [], "optional": True},
]}


def test_several_rows_matching_one_record_count_once() -> None:
    score = evaluate([DOC], [row("Tiznit"), row("souss".title()),
                             row("Kimbanseke", country_code="CD", year=2019, domains=())])
    assert (score.tp, score.fp, score.fn) == (2, 0, 0)


def test_optional_records_neither_required_nor_penalised() -> None:
    with_alda = evaluate([DOC], [row("Souss"), row("Kimbanseke", country_code="CD"), row("ALDA")])
    without = evaluate([DOC], [row("Souss"), row("Kimbanseke", country_code="CD")])
    assert with_alda.f1 == without.f1 == 1.0


def test_names_match_ignoring_case_and_accents_only() -> None:
    score = evaluate([DOC], [row("RÉGIO SOUSS"), row("Kimbanseke-Kinshasa")])
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)


def test_field_accuracy_and_year_ok() -> None:
    score = evaluate([DOC], [row("Souss", country_code="", domains=("health", "culture", "sport")),
                             row("Kimbanseke", country_code="CD", year=None, domains=())])
    assert score.accuracy("country_code") == 0.5
    assert score.accuracy("year") == 1.0
    assert score.domains_precision == 2 / 3 and score.domains_recall == 1.0


def test_rows_of_a_document_with_no_records_are_false_positives() -> None:
    score = evaluate([{"file": "page.txt", "records": []}], [row("Souss")])
    assert (score.tp, score.fp, score.precision) == (0, 1, 0.0)
