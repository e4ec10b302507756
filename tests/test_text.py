"""Main text: headings, lists and tables kept, navigation and footers dropped."""

from __future__ import annotations

import pytest

from pipeline.stages.s2_text.blocks import (
    PARSER_MAX_ANCESTORS,
    NestingTooDeep,
    html_to_blocks,
    text_to_blocks,
)

PAGE = """<html><head><title>Jumelages</title></head><body>
<header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/services">Services</a></li></ul></nav></header>
<div class="cookie-banner">Ce site utilise des cookies.</div>
<main><h1>Jumelages et coopération</h1>
<p>La commune entretient des liens d'amitié avec plusieurs villes européennes depuis de longues années,
et des partenariats de coopération au développement avec des communes du Sud.</p>
<h2>Nos villes jumelles</h2>
<ul><li>Ville de Dole (France) — jumelage depuis 1971</li>\
<li>Commune de Rieti (Italie) — charte de jumelage (1980)</li></ul>
<table><tr><th>Ville</th><th>Pays</th><th>Depuis</th></tr><tr><td>Kindu</td><td>RDC</td><td>2012</td></tr></table>
<p>Protocole : jumelage signé en 1998<br>Domaines : culture, jeunesse</p>
</main>
<footer><p>Place communale 1, 4000 Liège</p></footer></body></html>"""


def test_headings_items_and_rows_survive() -> None:
    page = html_to_blocks(PAGE)
    kinds = [(b.kind, b.text) for b in page.blocks]
    assert ("heading", "Nos villes jumelles") in kinds
    assert ("item", "Ville de Dole (France) — jumelage depuis 1971") in kinds
    assert ("row", "Kindu | RDC | 2012") in kinds
    assert next(b for b in page.blocks if b.text == "Jumelages et coopération").level == 1


def test_line_breaks_split_label_lines() -> None:
    texts = [b.text for b in html_to_blocks(PAGE).blocks]
    assert "Protocole : jumelage signé en 1998" in texts
    assert "Domaines : culture, jeunesse" in texts


def test_navigation_cookies_and_footer_are_not_main_text() -> None:
    page = html_to_blocks(PAGE)
    texts = " ".join(b.text for b in page.blocks)
    assert "Accueil" not in texts and "cookies" not in texts and "4000 Liège" not in texts
    assert "4000 Liège" in page.boilerplate  # kept aside to identify the commune


def test_page_trafilatura_rejects_still_gives_blocks() -> None:
    page = html_to_blocks("<html><body><ul><li>Ville de Dole (France)</li><li>Rieti (Italie)</li></ul></body></html>")
    assert [b.text for b in page.blocks] == ["Ville de Dole (France)", "Rieti (Italie)"]


def nested(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "<p>Jumelage avec Dole</p>" + "</div>" * depth + "</body></html>"


def test_deep_nesting_is_walked_without_recursion() -> None:
    assert any("Dole" in b.text for b in html_to_blocks(nested(200)).blocks)
    with pytest.raises(NestingTooDeep):  # beyond libxml2's depth limit the parser drops text: named
        html_to_blocks(nested(10_000))
    assert any("Dole" in b.text for b in html_to_blocks(nested(PARSER_MAX_ANCESTORS - 5)).blocks)


def test_page_whose_main_text_trafilatura_discards_is_flagged_empty() -> None:
    page = html_to_blocks("<html><head><title>Jumelages</title></head><body><script>x=1</script></body></html>")
    assert page.empty_main
    assert not html_to_blocks(nested(20).replace("Jumelage avec Dole", "Jumelage avec Dole. " * 30)).empty_main


def test_text_lines_are_typed_by_shape() -> None:
    page = text_to_blocks(
        "Stedenbanden\n\nMarokko\n\nDe stad Fès\n\nProtocol: Jumelage sedert 2014\n"
        "  • Oprichting van een dienst\nDit is een gewone zin.\n"
    )
    kinds = {b.text: b.kind for b in page.blocks}
    assert kinds["Marokko"] == "heading" and kinds["De stad Fès"] == "heading"
    assert kinds["Protocol: Jumelage sedert 2014"] == "paragraph"
    assert kinds["Oprichting van een dienst"] == "item"
