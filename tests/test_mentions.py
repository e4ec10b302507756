"""The wording rules: partner names, countries, dates, instruments, domains, status.

Names here are invented or ordinary towns chosen for the shape of the sentence; no
rule knows any of them.
"""

from __future__ import annotations

import pytest

from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.knowledge.names import partner_key
from pipeline.stages.s5_extract import mentions as mn
from pipeline.stages.s5_extract.mentions import Finder


@pytest.fixture(scope="module")
def finder(gaz: Gazetteer) -> Finder:
    return Finder(gaz, ("Sint-Gillis", "Saint-Gilles"))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Sinds 2007 werkt de gemeente samen met de gemeente Zorgvliet in Marokko.",
            [("Zorgvliet", "municipality", "MA")],
        ),
        ("La commune est jumelée avec la ville de Bellecombe (France).", [("Bellecombe", "city", "FR")]),
        ("The municipality signed an agreement with the city of Karlovac in Croatia.", [("Karlovac", "city", "HR")]),
        (
            "stedenbanden met de gemeenten Oudzaal in Marokko en Kaffrine in Senegal",
            [("Oudzaal", "municipality", "MA"), ("Kaffrine", "municipality", "SN")],
        ),
        (
            "partenariats avec les communes de Bouzina au Maroc, de Ziguinchor au Sénégal et de Kipushi en RDC",
            [
                ("Bouzina", "municipality", "MA"),
                ("Ziguinchor", "municipality", "SN"),
                ("Kipushi", "municipality", "CD"),
            ],
        ),
    ],
)
def test_partners_introduced_in_prose(finder: Finder, sentence: str, expected: list[tuple[str, str, str]]) -> None:
    found = [(m.name, m.partner_type, m.country) for m in finder.mentions(sentence, allow_untyped=True)]
    assert found == expected


def test_own_commune_and_belgian_places_are_not_partners(finder: Finder) -> None:
    found = finder.mentions("De gemeente Sint-Gillis werkt al jaren samen met de stad Antwerpen.", True)
    assert found == []


def test_locations_are_not_partners(finder: Finder) -> None:
    sentence = (
        "Met Oudzaal, in de provincie Nador, werd een akkoord gesloten met Bandal, een van de gemeenten van Kinshasa."
    )
    assert {m.name for m in finder.mentions(sentence, True)} <= {"Oudzaal", "Bandal"}


def test_ordinal_districts_keep_their_full_name(finder: Finder) -> None:
    found = finder.mentions("7e district van de stad Boedapest", allow_untyped=False)
    assert [(m.name, m.partner_type) for m in found] == [("7e district van de stad Boedapest", "district")]


def test_region_keeps_its_type_word_when_written_as_a_name(finder: Finder) -> None:
    assert [m.name for m in finder.mentions("Regio Souss-Massa", False)] == ["Regio Souss-Massa"]
    assert [m.name for m in finder.mentions("la région de Kayes", False)] == ["Kayes"]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Marokko", "MA"),
        ("Republiek Bulgarije", "BG"),
        ("Democratische Republiek Congo", "CD"),
        ("RDC", "CD"),
        ("Palestina", "PS"),
        ("Sénégal", "SN"),
        ("la France", "FR"),
        ("Turkije", "TR"),
        ("Europese netwerken", ""),
        ("Contact", ""),
    ],
)
def test_country_headings(finder: Finder, text: str, country: str) -> None:
    assert finder.country_heading(text) == country


@pytest.mark.parametrize(
    ("text", "lang", "dates"),
    [
        ("ondertekend op 7 mei 2019 te Brussel", "nl", ["2019-05-07"]),
        ("signé le 1er mars 2018", "fr", ["2018-03-01"]),
        ("jumelage-protocol in maart 2018", "nl", ["2018-03"]),
        ("Jumelage sedert 2014", "nl", ["2014"]),
        ("signed on 12/03/2019", "en", ["2019-03-12"]),
        ("In negentienhonderdachtenzeventig ondertekende de stad", "nl", ["1978"]),
        ("signée en deux mille dix-neuf", "fr", ["2019"]),
        ("Laatst gewijzigd: 17.12.2020", "nl", []),
        ("met 125 nationaliteiten en 3 partners", "nl", []),
    ],
)
def test_dates(text: str, lang: str, dates: list[str]) -> None:
    assert [d.date for d in mn.dates_in(text, lang)] == dates


@pytest.mark.parametrize(
    ("text", "protocol", "label"),
    [
        (
            "In 2011 tekenden beide steden een overeenkomst van ontwikkelingssamenwerking.",
            "development_cooperation",
            "overeenkomst van ontwikkelingssamenwerking",
        ),
        ("het jumelage-protocol werd vernieuwd", "twinning", "jumelage-protocol"),
        ("Beide gemeenten sloten een samenwerkingsakkoord", "cooperation_agreement", "samenwerkingsakkoord"),
        ("Depuis 2005, les deux villes sont liées par un pacte d'amitié.", "friendship", "pacte d'amitié"),
        ("a memorandum of understanding was signed", "memorandum", "memorandum"),
        ("Toetreding: in 2014", "network_membership", "Toetreding"),
    ],
)
def test_instruments(text: str, protocol: str, label: str) -> None:
    assert mn.protocol_in(text) == (protocol, label)


def test_domains_from_wording() -> None:
    text = (
        "projecten in de sport, de mobiliteit, het leefmilieu, de cultuur en kunst, de opvoeding, "
        "de economie, het sociaal werk en de gezondheid"
    )
    assert mn.domains_in(text, "nl") == {
        "health",
        "social_action",
        "economy",
        "education",
        "culture",
        "sport",
        "environment",
        "mobility",
    }
    assert mn.domains_in("l'état civil, la gestion des déchets et la jeunesse", "fr") == {
        "civil_registry",
        "environment",
        "youth",
    }
    assert mn.domains_in("agriculture urbaine", "fr") == {"agriculture"}
    assert mn.domains_in("les milieux associatifs", "fr") == set()  # "milieu" is environment in Dutch only
    assert mn.domains_in("het leefmilieu", "nl") == {"environment"}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("De jumelage werd in 2010 stopgezet.", "ended"),
        ("Le jumelage a pris fin en 2012.", "ended"),
        ("Mechelen zal volgend jaar een samenwerkingsovereenkomst ondertekenen met de provincie.", "planned"),
        ("Les actions prévues portent sur l'état civil.", ""),
        ("Jumelage sedert 2014", ""),
    ],
)
def test_status(text: str, status: str) -> None:
    assert mn.status_in(text) == status


def test_partner_keys_merge_spellings() -> None:
    assert partner_key("7e district van de stad Boedapest") == partner_key("het 7de District van Stad Boedapest")
    assert partner_key("Al-Hoceïma") == partner_key("Al Hoceima")
    assert partner_key("Regio Oriental") == partner_key("de regio Oriental")


def test_years_an_event_or_an_end_dates_are_not_start_years() -> None:
    assert [d.year for d in mn.start_dates_in("formaient une seule commune jusqu'en 1984, jumelée en 1991", "fr")] == [
        1991
    ]
    assert [d.year for d in mn.start_dates_in("In 2019 trad de stad toe tot het netwerk", "nl")] == [2019]
    assert [d.year for d in mn.start_dates_in("In 2020 vierden beide steden hun jubileum", "nl")] == []
    assert [d.date for d in mn.dates_in("date 2021-03 De stedenband dateert van 1996.", "nl")] == ["1996"]
    assert [
        d.year for d in mn.start_dates_in("In 2015 nam de burgemeester contact op; het akkoord volgde in 2018.", "nl")
    ] == [2018]


def test_start_dates_skip_the_end_date() -> None:
    assert [d.year for d in mn.start_dates_in("die in 1972 van start ging, werd in 2010 stopgezet")] == [1972]
    assert [d.year for d in mn.start_dates_in("conclu en 1990 autour du Poulain, a pris fin en 2012")] == [1990]
    assert mn.start_dates_in("Die Partnerschaft wurde 2015 beendet.") == []


def test_french_en_is_a_place_dutch_en_is_and(gaz: Gazetteer) -> None:
    fr = Finder(gaz, (), "fr").mentions("jumelée avec Dinan (France), en Bretagne", True)
    nl = Finder(gaz, (), "nl").mentions("zustersteden Lugo (Italië) en Sibiu (Roemenië)", True)
    assert [m.name for m in fr] == ["Dinan"] and [m.name for m in nl] == ["Lugo", "Sibiu"]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # titles, initials and abbreviations do not end a sentence
        (
            "Le 3 mars 1972, M. Lambert et Mme Dubois ont signé la charte. La fête suivit.",
            ["Le 3 mars 1972, M. Lambert et Mme Dubois ont signé la charte.", "La fête suivit."],
        ),
        (
            "Dr. Weber kam aus St. Ingbert. Die Stadt dankt ihm.",
            ["Dr. Weber kam aus St. Ingbert.", "Die Stadt dankt ihm."],
        ),
        (
            "Burgemeester J. Peeters tekende het akkoord. Het duurt tot 2030.",
            ["Burgemeester J. Peeters tekende het akkoord.", "Het duurt tot 2030."],
        ),
        # a day's ordinal number before a month is no sentence end
        (
            "Am 3. Oktober 1988 wurde der Vertrag unterzeichnet. Danach folgte ein Fest.",
            ["Am 3. Oktober 1988 wurde der Vertrag unterzeichnet.", "Danach folgte ein Fest."],
        ),
        # a date alone before a sentence that reports a signature dates it
        (
            "14 juni 1996. De burgemeesters van beide steden tekenden de oorkonde. Er volgde een receptie.",
            ["14 juni 1996. De burgemeesters van beide steden tekenden de oorkonde.", "Er volgde een receptie."],
        ),
        # ... but not before any sentence
        ("14 juni 1996. Er volgde een receptie.", ["14 juni 1996.", "Er volgde een receptie."]),
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    assert mn.split_sentences(text) == sentences


def test_a_signature_during_a_visit_dates_the_partnership() -> None:
    text = "Am 4. Mai 1979 wurde bei einem Besuch der Delegation in der Partnerstadt die Urkunde unterzeichnet."
    assert [d.year for d in mn.start_dates_in(text, "de")] == [1979]
    # a visit alone still dates the visit
    assert mn.start_dates_in("Beim Besuch im Mai 1979 wurde viel gefeiert.", "de") == []


def test_a_date_heading_a_signature_is_its_date_not_a_dateline() -> None:
    assert [d.year for d in mn.dates_in("14 juni 1996. De burgemeesters tekenden de oorkonde.", "nl")] == [1996]
    assert mn.dates_in("14 juni 1996. De burgemeesters bezochten de markt.", "nl") == []


@pytest.mark.parametrize(
    "line",
    [
        "Posted on 4 March 2021 by the editor",
        "Post on 12-Jan-2019",
        "Geplaatst op 3 mei 2020",
        "Posté le 2 juin 2018",
        "Veröffentlicht am 1. Juli 2017",
    ],
)
def test_a_line_that_dates_the_page_names_no_partner_and_no_year(line: str) -> None:
    assert mn.dates_in(line) == []
