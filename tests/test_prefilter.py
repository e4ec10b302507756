"""The pre-filter (pipeline/stages/s2_text/prefilter.py): it skips pages without partnership wording and
never a page the extraction's gate would read."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import PAGES, RAW, TEAM_DEV

from pipeline.batch.runner import extract_dir
from pipeline.cascade import process_document
from pipeline.knowledge import vocab
from pipeline.models import Document, PageResult, Text
from pipeline.stages.s1_ingest.files import iter_documents
from pipeline.stages.s2_text.blocks import DecodeError, decode_document, text_blocks
from pipeline.stages.s2_text.prefilter import (
    MARKUP,
    fold_case,
    loose_pattern,
    may_state_partnership,
    visible_text,
)
from pipeline.stages.s5_extract.walker import mentions_page

TEAM_CORPORA = (RAW, PAGES, TEAM_DEV)  # the team's own fixture pages (no third-party texts)


def documents(directory: Path) -> list[Document]:
    return [d for d in iter_documents(directory) if isinstance(d, Document)]


@pytest.mark.parametrize("directory", TEAM_CORPORA, ids=lambda p: p.name)
def test_every_page_the_gate_reads_passes_the_prefilter(directory: Path) -> None:
    for doc in documents(directory):
        try:
            decoded = decode_document(doc)
        except DecodeError:
            continue
        blocks = text_blocks(doc, decoded).blocks
        if mentions_page(Text(doc.source_id, doc.source_url, "", blocks)):
            assert may_state_partnership(decoded, doc.media_type), doc.source_id


@pytest.mark.parametrize("directory", TEAM_CORPORA, ids=lambda p: p.name)
def test_same_candidates_with_and_without_the_prefilter(directory: Path) -> None:
    with_filter = extract_dir(directory, keep_results=True)
    without = extract_dir(directory, keep_results=True, prefilter=False)
    assert [(p.source_id, p.candidates, p.considered) for p in with_filter.results] == [
        (p.source_id, p.candidates, p.considered) for p in without.results
    ]
    assert [(p.source_id, p.error_type) for p in with_filter.failed] == [
        (p.source_id, p.error_type) for p in without.failed
    ]
    assert with_filter.rows == without.rows


def test_a_page_without_partnership_wording_stops_after_decoding() -> None:
    doc = next(d for d in documents(PAGES) if d.source_id.endswith("no_partnership_en.html"))
    result = process_document(doc)
    assert result.skipped and not result.candidates and not result.failed
    assert not process_document(doc, prefilter=False).skipped


def page(body: str) -> str:
    return f"<html><head><title>Accueil</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "body",
    [
        "<p>Nos jumel<b>ages</b></p>",  # inline tags join words, as in the blocks
        "<p>twin <!-- a comment --><span>towns</span></p>",
        "<p>twin <script>var x = '<p>';</script>towns</p>",  # script text goes, as in the blocks
        "<p>coop&eacute;ration internationale</p>",  # entities
        "<p>twin&nbsp;\n   towns</p>",  # any whitespace
        "<p>Our twinTowns</p>",  # glued words are split in the blocks ("twin Towns")
        "<p>JUMELAGE</p>",
        "<p>İnternational relations</p>",  # case-insensitive: İ, ı and ſ equal i and s
        "<p>ſister cities</p>",
    ],
)
def test_wording_is_found_through_markup_and_spelling(body: str) -> None:
    assert may_state_partnership(page(body), "html")


@pytest.mark.parametrize(
    "body",
    [
        "<p>Openingsuren van het recyclagepark</p>",
        '<p><a href="/jumelages">Accueil</a></p>',  # in an attribute only: not text
        "<script>var partnership = 1;</script><p>Nieuws</p>",
        "<!-- jumelage --><p>Nieuws</p>",
    ],
)
def test_pages_without_visible_wording_are_skipped(body: str) -> None:
    assert not may_state_partnership(page(body), "html")


def test_plain_text_pages() -> None:
    assert may_state_partnership("Onze\nzustersteden:\n- Dole", "txt")
    assert not may_state_partnership("Openingsuren\n- maandag", "txt")


def test_loose_pattern_spaces() -> None:
    assert (
        loose_pattern(r"twin (?:town|city)|sister[- ]cit|[äa]b\ c")
        == r"twin\s*(?:town|city)|sister(?:[-]|\s*)cit|[äa]b\ c"
    )
    loose = re.compile(loose_pattern(vocab.PARTNERSHIP_PAGE.pattern))
    for text in ("twin\n town", "twintown", "sister\tcities", "relations\u00a0internationales"):
        assert loose.search(text), text


def test_case_folding_covers_case_insensitive_matching() -> None:
    """Every character a case-insensitive search equates with a letter of the pattern
    folds to that letter (or to a string holding it): searching folded text without the
    flag finds all the flag finds."""
    letters = sorted({ch for ch in vocab.PARTNERSHIP_PAGE.pattern if ch.isalpha() and ch.islower()})
    for letter in letters:
        single = re.compile(re.escape(letter), re.IGNORECASE)
        for code in range(sys.maxunicode + 1):
            ch = chr(code)
            if single.fullmatch(ch):
                assert letter in fold_case(ch), (letter, hex(code))


def test_visible_text_of_plain_pages_is_the_text() -> None:
    assert visible_text("a <b> c", "txt") == "a <b> c"
    assert visible_text("a <b>c</b>", "html") == "a c"


def test_failed_decode_is_not_hidden_by_the_prefilter() -> None:
    binary = Document("blob.html", "", b"\x00\x01\x02" * 100, "html")
    result = process_document(binary)
    assert isinstance(result, PageResult) and result.failed and result.error_stage == "text"


# The markup pattern as it was first written (lazy raw-text loops): `MARKUP` is an unrolled
# rewrite for speed and must remove exactly the same characters.
LAZY_MARKUP = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1[^>]*>|</?[A-Za-z!?][^>]*>", re.IGNORECASE | re.DOTALL
)


@pytest.mark.parametrize(
    "html",
    [
        "<p>a</p><SCRIPT type='x'>if (a < b && c<d) { s = '</p>'; }</Script ><p>b</p>",
        "<style>p { x: 1 } /* < */</style>text<STYLE>q{}</style>",
        "<!-- one - two -- three ---><p>after</p><!---->x<!-- <p>inside</p> -->",
        "<script>never closed <p>text</p>",
        "<!-- never closed <p>text</p>",
        "<scripts>not a script</scripts><styles>nor a style</styles>",
        "<script>a</script>b<script>c</scriptx>d</script>e",
        "x < y and y > z, <br/> <img src='a>b'> <!DOCTYPE html> <?xml?>",
        "",
    ],
)
def test_markup_removal_is_the_lazy_patterns(html: str) -> None:
    assert MARKUP.sub("", html) == LAZY_MARKUP.sub("", html)


@pytest.mark.parametrize("directory", TEAM_CORPORA, ids=lambda p: p.name)
def test_markup_removal_is_the_lazy_patterns_on_the_team_pages(directory: Path) -> None:
    for doc in documents(directory):
        if doc.media_type == "html":
            try:
                text = decode_document(doc)
            except DecodeError:  # the fixtures hold binary and undecodable pages too
                continue
            assert MARKUP.sub("", text) == LAZY_MARKUP.sub("", text), doc.source_id
