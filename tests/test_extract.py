"""Page-level rules: how context (country headings, label lines, lists, cards, prose)
gives each partner its country, instrument, year and domains."""

from __future__ import annotations

from pipeline.cascade import extract_candidates
from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.knowledge.resources import Resources
from pipeline.models import Candidate, Text
from pipeline.stages.s2_text.blocks import html_to_blocks, text_to_blocks


def run(gaz: Gazetteer, page: str, lang: str, html: bool = False) -> dict[str, Candidate]:
    blocks = (html_to_blocks(page) if html else text_to_blocks(page)).blocks
    return {
        c.partner: c
        for c in extract_candidates(Text("p", "p", lang, blocks), gaz.municipalities["21013"], Resources(gaz))
    }


COUNTRY_HEADINGS = """Internationale samenwerking

Marokko

De stad Oujda

Protocol: Jumelage sedert 2012
Actiedomeinen: gezondheid, sport en cultuur.

Gemeente Taza

Protocol: samenwerkingsakkoord, getekend op 3 juni 2016
Actiedomeinen: burgerlijke stand.

Roemenië

7e district van de stad Boedapest

Protocol: jumelageprotocol, getekend in maart 2018
"""


def test_country_headings_and_label_lines(gaz: Gazetteer) -> None:
    rows = run(gaz, COUNTRY_HEADINGS, "nl")
    assert set(rows) == {"Oujda", "Taza", "7e district van de stad Boedapest"}
    oujda, taza = rows["Oujda"], rows["Taza"]
    assert (oujda.country_code, oujda.protocol_type, oujda.year) == ("MA", "twinning", 2014 - 2)
    assert oujda.domains == ("culture", "health", "sport")
    assert (taza.country_code, taza.protocol_type, taza.date) == ("MA", "cooperation_agreement", "2016-06-03")
    assert taza.domains == ("civil_registry",)
    district = rows["7e district van de stad Boedapest"]
    assert (district.partner_type, district.country_code, district.date) == ("district", "RO", "2018-03")


def test_several_partners_in_one_sentence_get_their_own_clause(gaz: Gazetteer) -> None:
    page = (
        "Internationale solidariteit\n\nSinds lang onderhoudt de gemeente stedenbanden met de gemeenten "
        "Oudzaal in Marokko en Kaffrine in Senegal. Met Oudzaal werd in 2011 een samenwerkingsovereenkomst "
        "ondertekend rond afvalbeheer; de stedenband met Kaffrine kwam er in 2015 en richt zich op landbouw.\n"
    )
    rows = run(gaz, page, "nl")
    assert set(rows) == {"Oudzaal", "Kaffrine"}
    assert (rows["Oudzaal"].country_code, rows["Kaffrine"].country_code) == ("MA", "SN")
    assert rows["Oudzaal"].year == 2011 and rows["Kaffrine"].year == 2015
    assert rows["Oudzaal"].domains == ("environment",) and rows["Kaffrine"].domains == ("agriculture",)
    assert rows["Kaffrine"].protocol_type == "development_cooperation"  # stedenband in the South


def test_respectively_assigns_years_in_order(gaz: Gazetteer) -> None:
    page = (
        "Coopération internationale\n\nLa commune entretient des partenariats avec les communes de Bouzina "
        "au Maroc, de Ziguinchor au Sénégal et de Kipushi en RDC, respectivement depuis 2005, 2009 et 2013.\n"
    )
    rows = run(gaz, page, "fr")
    assert {p: c.year for p, c in rows.items()} == {"Bouzina": 2005, "Ziguinchor": 2009, "Kipushi": 2013}


def test_cards_and_list_lead_in(gaz: Gazetteer) -> None:
    page = """<html><body><main><h1>Villes jumelles</h1>
    <p>Notre commune est jumelée avec plusieurs villes d'Europe.</p>
    <div class="card"><h3>Tulle</h3><p>France</p><p>Depuis 1992</p></div>
    <h2>Autres partenaires</h2><p>La commune a signé un pacte d'amitié avec les villes suivantes :</p>
    <ul><li>Lugo (Italie), 2001</li></ul></main></body></html>"""
    rows = run(gaz, page, "fr", html=True)
    assert (rows["Tulle"].country_code, rows["Tulle"].year, rows["Tulle"].protocol_type) == ("FR", 1992, "twinning")
    assert (rows["Lugo"].country_code, rows["Lugo"].protocol_type) == ("IT", "friendship")


def test_end_year_is_not_the_start_year(gaz: Gazetteer) -> None:
    page = (
        "Stedenbanden\n\nDe jumelage met de stad Lüdenscheid, die in 1972 van start ging, werd in 2010 stopgezet. "
        "De verbroedering met de stad Lachen werd in 2015 beëindigd.\n"
    )
    rows = run(gaz, page, "nl")
    assert (rows["Lüdenscheid"].year, rows["Lüdenscheid"].status) == (1972, "ended")
    assert (rows["Lachen"].year, rows["Lachen"].status) == (None, "ended")


def test_pages_without_partnership_wording_are_skipped(gaz: Gazetteer) -> None:
    page = (
        "Recyclagepark\n\nHet recyclagepark in de stad Leuven is open van 9 tot 17 uur, ook voor inwoners van Tulle.\n"
    )
    assert run(gaz, page, "nl") == {}
