"""The candidate and decision layers on pages the team wrote, one phenomenon per case:
how real partnership pages name partners (bare, in capitals, in enumerations, with
country abbreviations and adjectives) and what looks like a partner but is not."""

from __future__ import annotations

import pytest

from pipeline.cascade import extract_candidates
from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.knowledge.resources import Resources
from pipeline.models import Candidate, Commune, Text
from pipeline.stages.s2_text.blocks import text_to_blocks
from pipeline.stages.s5_extract.candidates import name_runs, scan_places

LEUVEN = Commune("24062", "Leuven", "Louvain", "02000")


def rows(gaz: Gazetteer, page: str, lang: str, commune: Commune | None = LEUVEN) -> dict[str, Candidate]:
    text = Text("p.txt", "p.txt", lang, text_to_blocks(page).blocks)
    return {c.partner: c for c in extract_candidates(text, commune, Resources(gaz))}


def test_places_are_found_in_any_case_without_a_loop_over_names(gaz: Gazetteer) -> None:
    spans = scan_places("Partnersteden: AUBENAS, Sierre en sankt wendel.", gaz)
    assert [s.text for s in spans] == ["AUBENAS", "Sierre"]  # a lower-case word is no name
    assert [s.key for s in scan_places("Gäste aus Sankt Wendel", gaz)] == ["sankt wendel"]


def test_name_runs_keep_compass_words_and_drop_partnership_words() -> None:
    assert [n for _, _, n in name_runs("die Partnerstädte North Fakeborough und Südhausen")] == [
        "North Fakeborough",
        "Südhausen",
    ]


def test_bare_enumeration_announced_by_a_partner_plural(gaz: Gazetteer) -> None:
    page = "Nieuws\n\nDit weekend komen gasten uit onze partnersteden Tulle, Wetzlar en Poprad naar de markt.\n"
    found = rows(gaz, page, "nl")
    assert set(found) == {"Tulle", "Wetzlar", "Poprad"}
    assert {c.country_code for c in found.values()} == {"FR", "DE", "SK"}


def test_capitals_with_vehicle_codes(gaz: Gazetteer) -> None:
    page = "Städtepartnerschaften\n\nUnsere Partnerstädte: AUBENAS (F), SIERRE (CH) und DINSLAKEN (D).\n"
    found = rows(gaz, page, "de")
    assert {(c.partner, c.country_code) for c in found.values()} == {
        ("Aubenas", "FR"),
        ("Sierre", "CH"),
        ("Dinslaken", "DE"),
    }


def test_dated_list_line_with_an_adjective_of_nationality(gaz: Gazetteer) -> None:
    page = (
        "Chronik\n\n"
        "3. Mai 1971 Städtepartnerschaft mit der kongolesischen Stadt MATADI\n"
        "9. Juni 1984 Besuch einer Delegation aus Matadi\n"
    )
    found = rows(gaz, page, "de")
    assert set(found) == {"Matadi"}
    assert (found["Matadi"].country_code, found["Matadi"].year) == ("CD", 1971)


def test_adjectives_give_the_country_in_four_languages(gaz: Gazetteer) -> None:
    cases = [
        ("nl", "Leuven sloot in 1998 een verbroedering met het Duitse Wetzlar."),
        ("fr", "Louvain est jumelée depuis 1998 avec la ville allemande de Wetzlar."),
        ("en", "In 1998 Leuven signed a twinning charter with the German town of Wetzlar."),
        ("de", "Seit 1998 besteht eine Städtepartnerschaft mit der deutschen Stadt Wetzlar."),
    ]
    for lang, sentence in cases:
        found = rows(gaz, f"Internationaal\n\n{sentence}\n", lang)
        assert set(found) == {"Wetzlar"}, (lang, found)
        assert found["Wetzlar"].country_code == "DE", lang


def test_own_authority_capital_and_person_are_not_partners(gaz: Gazetteer) -> None:
    page = (
        "Jumelages\n\n"
        "Finlande - Capitale Helsinki : Vaasa est notre ville jumelle depuis 1990.\n"
        "Le maire Kolding Dupont a salué la délégation de Louvain.\n"
    )
    found = rows(gaz, page, "fr")
    assert set(found) == {"Vaasa"}


def test_the_region_a_partner_lies_in_is_not_another_partner(gaz: Gazetteer) -> None:
    page = "Twin towns\n\nOur twin towns are Koudougou, Boulkiemdé (Burkina Faso) and Kolding, Syddanmark (Denmark).\n"
    found = rows(gaz, page, "en")
    assert set(found) == {"Koudougou", "Kolding"}


def test_a_place_where_a_partner_lies_is_not_a_partner(gaz: Gazetteer) -> None:
    page = (
        "Coopération\n\nLa commune est jumelée avec Kimpese, une des communes du Kongo-Central, "
        "et avec Mbour, près de Dakar.\n"
    )
    found = rows(gaz, page, "fr")
    assert "Dakar" not in found and "Kongo-Central" not in found
    assert "Mbour" in found


def test_publication_dates_and_anniversaries_are_not_start_years(gaz: Gazetteer) -> None:
    page = (
        "12.05.2021 Leuven viert verbroedering\n\n"
        "Leuven en het Poolse Zakopane vieren in 2021 hun twintigjarig jubileum. "
        "De verbroedering werd in 2001 ondertekend.\n"
    )
    found = rows(gaz, page, "nl")
    assert found["Zakopane"].year == 2001
    assert found["Zakopane"].country_code == "PL"


def test_evidence_is_a_statement_with_its_lead_in(gaz: Gazetteer) -> None:
    page = "Partnersteden\n\nLeuven heeft de volgende partnersteden:\nTulle (Frankrijk)\nLviv (Oekraïne)\n"
    found = rows(gaz, page, "nl")
    assert set(found) == {"Tulle", "Lviv"}
    assert found["Lviv"].evidence.startswith("Leuven heeft de volgende partnersteden")
    assert "Lviv (Oekraïne)" in found["Lviv"].evidence
    assert found["Lviv"].country_code == "UA"


@pytest.mark.parametrize(
    "sentence",
    [
        "Twee tweelingzussen uit Vilnius vierden hun verjaardag.",  # "twin" in another sense, no partnership
        "De scholen wisselden leerlingen uit met een school in Poprad.",  # an exchange of schools, no authority pact
    ],
)
def test_pages_without_a_partnership_of_the_authority_yield_nothing(gaz: Gazetteer, sentence: str) -> None:
    assert rows(gaz, f"Nieuws\n\n{sentence}\n", "nl") == {}


def test_a_news_item_reporting_a_signature_takes_its_dateline_year(gaz: Gazetteer) -> None:
    page = "date 2018-06-12 Leuven and Kolding sign twinning charter\n\nThe mayors met in the town hall.\n"
    found = rows(gaz, page, "en")
    assert set(found) == {"Kolding"} and found["Kolding"].year == 2018
