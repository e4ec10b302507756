"""Whose page is it: a Belgian commune with its 2024 NIS code, or a foreign town with none."""

from __future__ import annotations

from pipeline.knowledge.gazetteer import Gazetteer
from pipeline.stages.s4_commune import identify_commune


def test_foreign_town_from_an_owner_phrase_and_its_host(gaz: Gazetteer) -> None:
    text = (
        "Gemeinde Wetzlar\n\nPartnerschaften\n\nSeit 1970 ist Wetzlar mit Poprad partnerschaftlich verbunden. "
        "Poprad liegt in der Slowakei."
    )
    found = identify_commune("", "https://www.wetzlar.de/partnerstaedte", text, gaz)
    assert found is not None and (found.nis, found.name, found.country_code) == ("", "Wetzlar", "DE")


def test_the_subject_of_the_partnership_owns_a_news_page(gaz: Gazetteer) -> None:
    text = "Overijse established its first twinning in 1961 with Kolding, a Danish town."
    found = identify_commune("", "https://news.example.org/en/article/12", text, gaz)
    assert found is not None and found.nis == "23062"


def test_a_partner_named_after_with_does_not_own_the_page(gaz: Gazetteer) -> None:
    text = "Zakopane. Leuven is verbroederd met Zakopane. In Zakopane werd gefeest. Leuven stuurde een delegatie."
    found = identify_commune("", "https://www.leuven.be/internationaal", text, gaz)
    assert found is not None and found.nis == "24062"


def test_merged_municipalities_keep_their_2024_codes(gaz: Gazetteer) -> None:
    assert gaz.belgian_municipality("Beveren").nis == "46003"  # type: ignore[union-attr]
    assert gaz.belgian_municipality("Hasselt").nis == "71022"  # type: ignore[union-attr]
    found = identify_commune("", "https://www.hasselt.be/nl/jumelage", "Jumelage met Detmold.", gaz)
    assert found is not None and found.nis == "71022"


def test_short_form_of_a_long_belgian_name(gaz: Gazetteer) -> None:
    text = "De gemeente Sint-Joost is verbroederd met Tanger. Sint-Joost steunt de projecten."
    found = identify_commune("", "", text, gaz)
    assert found is not None and found.nis == "21014"


def test_mentions_alone_do_not_make_an_owner(gaz: Gazetteer) -> None:
    assert identify_commune("", "", "Tulle, Tulle en Tulle: drie keer genoemd.", gaz) is None
