"""Domains of action (CONTRACT.md domain vocabulary): the wording that states a domain and
the wording that only looks like it (data/lexicon/domains*.toml), and which partner a
sentence's domains belong to on a page. Every sentence here is written for the test."""

from __future__ import annotations

import pytest

from pipeline.cascade import extract_candidates
from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.knowledge.lexicon import domains_in
from pipeline.knowledge.resources import Resources
from pipeline.models import Candidate, Text
from pipeline.stages.s2_text.blocks import text_to_blocks
from pipeline.stages.s5_extract.walker import PageExtractor


def run(gaz: Gazetteer, page: str, lang: str) -> dict[str, Candidate]:
    blocks = text_to_blocks(page).blocks
    return {
        c.partner: c
        for c in extract_candidates(Text("p", "p", lang, blocks), gaz.municipalities["21013"], Resources(gaz))
    }


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # a word that holds a cue without meaning it
        ("Dat is natuurlijk een mooie gelegenheid voor beide steden.", "nl", set()),
        ("De scholen werken samen rond natuurbehoud.", "nl", {"education", "environment"}),
        # cultural differences, intercultural contact: what the partnership bridges
        ("De band overbrugt culturele verschillen en bevordert interculturele ontmoetingen.", "nl", set()),
        ("Les deux villes apprennent à dépasser leurs différences culturelles.", "fr", set()),
        ("Die Partnerschaft fördert das interkulturelle Lernen.", "de", set()),
        ("The link helps people see past cultural differences.", "en", set()),
        ("Les échanges culturels et sportifs sont nombreux.", "fr", {"culture", "sport"}),
        # the European Economic Community is an institution, not a field of cooperation
        ("Le serment fut signé peu après la naissance de la Communauté économique européenne.", "fr", set()),
        ("Die Städte arbeiten in der Wirtschaftsförderung zusammen.", "de", {"economy"}),
        # the administration as the actor, not the field
        ("Een afvaardiging van het gemeentebestuur bezocht de jaarmarkt.", "nl", set()),
        ("Die Stadtverwaltung lädt alle Bürger zum Empfang ein.", "de", set()),
        ("Die Partner beraten sich über eine effiziente Kommunalverwaltung.", "de", {"governance"}),
        ("Die Zusammenarbeit betrifft die Verwaltung der Gemeinde.", "de", {"governance"}),
        # training the partner's officials is capacity building, not education
        ("Le projet finance la formation des agents de l'état civil.", "fr", {"civil_registry", "governance"}),
        ("Er werden opleidingen voor het gemeentepersoneel georganiseerd.", "nl", {"governance"}),
        ("The programme pays for the training of municipal staff.", "en", {"governance"}),
        ("Le projet soutient la formation professionnelle des jeunes.", "fr", {"education", "youth"}),
        # knowledge exchange between administrations, strengthening capacities: governance
        ("Beide gemeenten werken aan kennisuitwisseling tussen hun diensten.", "nl", {"governance"}),
        ("L'accord doit renforcer les capacités du service technique.", "fr", {"governance"}),
        ("The towns agreed on a knowledge exchange between their departments.", "en", {"governance"}),
        # social projects
        ("Deux projets sociaux ont reçu un financement.", "fr", {"social_action"}),
    ],
)
def test_domain_wording(text: str, lang: str, expected: set[str]) -> None:
    assert domains_in(text, lang) == expected


OTHER_TOWN = """Coopération internationale

Notre commune a signé une convention de coopération avec la ville de Tulle (France). \
Ce partenariat porte sur la gestion des déchets.

La ville finance aussi une maternité à Agadir.
"""


def test_a_sentence_about_another_town_gives_the_partner_nothing(gaz: Gazetteer) -> None:
    rows = run(gaz, OTHER_TOWN, "fr")
    assert rows["Tulle"].domains == ("environment",)


SAME_PARTNER = """Coopération internationale

Notre commune a signé une convention de coopération avec la ville de Tulle (France).

Nous finançons aussi le nouveau centre de soins de la ville.
"""


def test_the_sentences_after_a_partner_still_give_it_their_domains(gaz: Gazetteer) -> None:
    rows = run(gaz, SAME_PARTNER, "fr")
    assert rows["Tulle"].domains == ("health",)


def _clause(sentence: str, partner: str, partners: list[str]) -> str:
    spans = sorted((sentence.index(p), sentence.index(p) + len(p)) for p in partners)
    return PageExtractor._domain_clause(sentence, sentence.index(partner), spans)


ENUMERATION = (
    "Pupils travel to Tulle and Fès every spring, a music group performs each year in Kamnik, "
    "and the football club plays in Lviv."
)


@pytest.mark.parametrize(
    ("partner", "expected"),
    [
        ("Tulle", {"education"}),  # shares the clause of the partner it is joined to by "and"
        ("Fès", {"education"}),
        ("Kamnik", {"culture"}),  # the words before it, after the last comma, lead to it
        ("Lviv", {"sport"}),
    ],
)
def test_each_partner_of_an_enumeration_takes_its_own_clause(partner: str, expected: set[str]) -> None:
    clause = _clause(ENUMERATION, partner, ["Tulle", "Fès", "Kamnik", "Lviv"])
    assert domains_in(clause, "en") == expected


def test_what_follows_a_partner_up_to_the_last_break_is_its_own() -> None:
    sentence = "Les échanges avec Tulle portent sur la culture, et ceux avec Fès sur la santé."
    assert domains_in(_clause(sentence, "Tulle", ["Tulle", "Fès"]), "fr") == {"culture"}
    assert domains_in(_clause(sentence, "Fès", ["Tulle", "Fès"]), "fr") == {"health"}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Onze jeugdploegen spelen elk jaar een voetbaltornooi in de partnerstad.", "nl", {"sport", "youth"}),
        ("Un match de football réunit les deux clubs en mai.", "fr", {"sport"}),
        ("Die Vereine organisieren ein Fußballturnier.", "de", {"sport"}),
        ("Het project biedt psychosociale begeleiding aan gezinnen.", "nl", {"health"}),
        ("Le partenariat finance un soutien psychosocial aux familles.", "fr", {"health"}),
    ],
)
def test_sport_and_health_wording(text: str, lang: str, expected: set[str]) -> None:
    assert domains_in(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # what someone proposes the partners could do one day is not what they agreed on
        ("Misschien kunnen er ook afspraken over verkeer en afval volgen.", "nl", set()),
        ("Le conseil pourrait étendre la coopération au sport.", "fr", set()),
        ("Später könnten auch Schulen teilnehmen.", "de", set()),
        ("The towns could also work together on waste collection.", "en", set()),
        ("Het akkoord zal focussen op mobiliteit en milieu.", "nl", {"environment", "mobility"}),
        # training the officials, with an adjective before them
        ("De gemeente betaalt de vorming van de lokale ambtenaren.", "nl", {"governance"}),
    ],
)
def test_suggestions_and_training_of_officials(text: str, lang: str, expected: set[str]) -> None:
    assert domains_in(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # officials and councillors named as who came or who signed: people, not a field of cooperation
        ("Namens de gemeente waren de burgemeester, twee raadsleden en de secretaris aanwezig.", "nl", set()),
        ("Les fonctionnaires des deux villes ont assisté à la cérémonie.", "fr", set()),
        ("Two councillors joined the delegation.", "en", set()),
        # ... and as the ones whose skills the partnership builds: governance
        ("De partnergemeente ontvangt ondersteuning voor haar ambtenaren.", "nl", {"governance"}),
        ("Nos services accueillent en stage des fonctionnaires venus du Bénin.", "fr", {"governance"}),
        ("The project offers placements for municipal staff of the partner town.", "en", {"governance"}),
    ],
)
def test_officials_count_where_their_capacities_are_built(text: str, lang: str, expected: set[str]) -> None:
    assert domains_in(text, lang) == expected


EU_FUNDED = """Coopération internationale

Notre commune a signé une convention de coopération avec la ville de Tulle (France).

Le projet, financé par l'Union européenne, porte sur l'eau potable.
"""


def test_a_name_not_placed_by_a_preposition_is_no_other_town(gaz: Gazetteer) -> None:
    rows = run(gaz, EU_FUNDED, "fr")  # "Union" is also a town's name
    assert rows["Tulle"].domains == ("water_sanitation",)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("De samenwerking ondersteunt de gemeentefinanciën van de partner.", "nl"),
        ("Le projet appuie la fiscalité locale et les finances communales.", "fr"),
        ("Die Partnerschaft berät bei den Gemeindefinanzen.", "de"),
        ("The project supports local taxation in the partner town.", "en"),
    ],
)
def test_local_finance_is_governance(text: str, lang: str) -> None:
    assert domains_in(text, lang) == {"governance"}
