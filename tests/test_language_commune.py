"""Language detection and commune identification."""

from __future__ import annotations

import pytest

from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.stages.s3_language import detect_language
from pipeline.stages.s4_commune import from_host, from_text, identify_commune


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("De gemeente onderhoudt sinds 2007 een stedenband met een gemeente in Marokko.", "nl"),
        ("La commune est jumelée avec la ville de Dole depuis 1971.", "fr"),
        ("The city has been twinned with Rennes since 1964.", "en"),
        ("Die Stadt pflegt seit 1981 eine Städtepartnerschaft mit Pila.", "de"),
    ],
)
def test_languages(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_too_little_text_gives_the_default() -> None:
    assert detect_language("12 | 34", default="") == ""


def test_commune_from_registry_host_and_text(gaz: Gazetteer) -> None:
    assert identify_commune("46021", "", "", gaz).name == "Sint-Niklaas"  # type: ignore[union-attr]
    assert from_host("https://www.stgilles.brussels/vivre/solidarite", gaz).nis == "21013"  # type: ignore[union-attr]
    assert from_text("Contact\nGrote Markt 1\n9000 Gent\nTel. 09 210 10 10", gaz).name == "Gent"  # type: ignore[union-attr]
    assert from_text("La commune de Saint-Gilles est jumelée avec Dole.", gaz).nis == "21013"  # type: ignore[union-attr]
    assert from_text("Een pagina zonder enige plaatsnaam.", gaz) is None


def test_bilingual_communes_take_one_official_name(gaz: Gazetteer) -> None:
    assert gaz.municipalities["21015"].name == "Schaarbeek"  # Brussels: Dutch name, like the contract's example
    assert gaz.municipalities["62096"].name == "Seraing"
