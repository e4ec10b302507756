"""The scoring rules of CONTRACT.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.models import PageResult, Partnership
from pipeline.quality import gate
from pipeline.quality.evaluate import GoldError, check_coverage, evaluate, format_scores


def row(partner: str, **kw: Any) -> Partnership:
    base: dict[str, Any] = {
        "partnership_id": "p",
        "commune": "C",
        "commune_nis": "1",
        "partner": partner,
        "partner_type": "city",
        "country_code": "MA",
        "protocol_type": "twinning",
        "protocol_label": "",
        "year": 2014,
        "date": "2014",
        "status": "active",
        "domains": ("health",),
        "language": "nl",
        "source_url": "page.txt",
        "evidence": "",
        "confidence": 0.9,
    }
    base.update(kw)
    return Partnership(**base)


DOC = {
    "file": "page.txt",
    "url": "",
    "records": [
        {
            "partner": "Regio Souss",
            "aliases": ["Souss", "Tiznit"],
            "country_code": "MA",
            "protocol_type": "twinning",
            "year": 2014,
            "domains": ["health"],
            "domains_ok": ["culture"],
            "optional": False,
        },
        {
            "partner": "Kimbanseke",
            "aliases": [],
            "country_code": "CD",
            "protocol_type": "twinning",
            "year": None,
            "year_ok": [None, 2019],
            "domains": [],
            "optional": False,
        },
        {
            "partner": "ALDA",
            "aliases": [],
            "country_code": None,
            "protocol_type": "network_membership",
            "year": None,
            "domains": [],
            "optional": True,
        },
    ],
}


def test_several_rows_matching_one_record_count_once() -> None:
    score = evaluate(
        [DOC], [row("Tiznit"), row("souss".title()), row("Kimbanseke", country_code="CD", year=2019, domains=())]
    )
    assert (score.tp, score.fp, score.fn) == (2, 0, 0)


def test_optional_records_neither_required_nor_penalised() -> None:
    with_alda = evaluate([DOC], [row("Souss"), row("Kimbanseke", country_code="CD"), row("ALDA")])
    without = evaluate([DOC], [row("Souss"), row("Kimbanseke", country_code="CD")])
    assert with_alda.f1 == without.f1 == 1.0


def test_names_match_ignoring_case_and_accents_only() -> None:
    score = evaluate([DOC], [row("RÉGIO SOUSS"), row("Kimbanseke-Kinshasa")])
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)


def test_field_accuracy_and_year_ok() -> None:
    score = evaluate(
        [DOC],
        [
            row("Souss", country_code="", domains=("health", "culture", "sport")),
            row("Kimbanseke", country_code="CD", year=None, domains=()),
        ],
    )
    assert score.accuracy("country_code") == 0.5
    assert score.accuracy("year") == 1.0
    assert score.domains_precision == 2 / 3 and score.domains_recall == 1.0


def test_rows_of_a_document_with_no_records_are_false_positives() -> None:
    score = evaluate([{"file": "page.txt", "records": []}], [row("Souss")])
    assert (score.tp, score.fp, score.precision) == (0, 1, 0.0)


def test_commune_and_evidence_are_scored() -> None:
    doc = {
        "file": "page.txt",
        "commune": "C",
        "commune_nis": "1",
        "records": [
            {
                "partner": "Kimbanseke",
                "aliases": [],
                "country_code": "CD",
                "protocol_type": "twinning",
                "year": None,
                "domains": [],
                "optional": False,
            }
        ],
    }
    right = row(
        "Kimbanseke",
        country_code="CD",
        year=None,
        domains=(),
        evidence="De verbroedering met Kimbanseke werd in 2019 ondertekend.",
    )
    fragment = row("Kimbanseke", commune_nis="2", country_code="CD", year=None, domains=(), evidence=" Kimbanseke, ")
    assert (evaluate([doc], [right]).accuracy("commune"), evaluate([doc], [right]).accuracy("evidence")) == (1.0, 1.0)
    assert (evaluate([doc], [fragment]).accuracy("commune"), evaluate([doc], [fragment]).accuracy("evidence")) == (
        0.0,
        0.0,
    )


def test_a_foreign_authority_is_compared_by_name() -> None:
    doc = {
        "file": "page.txt",
        "commune": "Bad Ödingen",
        "commune_nis": "",
        "records": [
            {
                "partner": "Eupen",
                "aliases": [],
                "country_code": "BE",
                "protocol_type": "twinning",
                "year": None,
                "domains": [],
                "optional": False,
            }
        ],
    }
    assert (
        evaluate(
            [doc], [row("Eupen", commune="Bad Odingen", commune_nis="", country_code="BE", year=None, domains=())]
        ).accuracy("commune")
        == 1.0
    )


def test_scores_over_nothing_are_not_applicable() -> None:
    score = evaluate([{"file": "page.txt", "records": []}], [])
    assert score.precision is None and score.f1 is None and score.accuracy("year") is None
    assert "n/a" in format_scores(score, 1, 0)


def test_gold_documents_missing_from_the_input_are_a_usage_error() -> None:
    page = PageResult("other.txt", "other.txt")
    with pytest.raises(GoldError, match=r"1 of 1 gold documents are not in the input: page\.txt"):
        check_coverage([{"file": "page.txt", "records": []}], [page])


def test_candidate_recall_counts_the_names_weighed() -> None:
    pages = [PageResult("page.txt", "page.txt", considered=("Souss", "Tiznit"))]
    score = evaluate([DOC], [row("Souss")], pages)
    assert score.candidate_recall == 0.5  # Kimbanseke was never a candidate


def test_floors_refuse_to_go_down_without_a_flag(tmp_path: Path) -> None:
    floors = tmp_path / "floors.json"
    gate.update(floors, "dev", "fp1", {"f1": 0.914, "year_accuracy": None})
    assert json.loads(floors.read_text())["dev"]["floors"] == {"f1": 0.91}
    assert gate.check(floors, "dev", "fp1", {"f1": 0.95}) == []
    assert gate.check(floors, "dev", "fp1", {"f1": 0.90}) == ["f1 0.900 < floor 0.91"]
    assert gate.update(floors, "dev", "fp1", {"f1": 0.80}) == ["f1: 0.91 -> 0.8"]
    assert json.loads(floors.read_text())["dev"]["floors"]["f1"] == 0.91  # refused: unchanged
    gate.update(floors, "dev", "fp1", {"f1": 0.80}, allow_lower=True)
    assert json.loads(floors.read_text())["dev"]["floors"]["f1"] == 0.8
    with pytest.raises(gate.FloorsError, match="fingerprint differs"):
        gate.check(floors, "dev", "other pages", {"f1": 1.0})
