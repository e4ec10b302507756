"""The per-language lexicon files (pipeline/data/lexicon/*.toml) and the patterns vocab.py
builds from them: every category has its languages, each language's words match, the
instruments keep their order, and a data change is a pipeline change."""

from __future__ import annotations

import re
import shutil
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from pipeline.batch.version import pipeline_version
from pipeline.crawl import registry as sources
from pipeline.knowledge import lexicon
from pipeline.knowledge import vocab as v
from pipeline.stages.s5_extract import mentions as mn

ROOT = Path(__file__).resolve().parent.parent
LIST_AREAS = ("instruments", "partnership", "status", "dates", "names", "labels", "crawl")
# Categories whose wording has no words yet in some language (a slot of a template that
# language does not need, or words nobody has met on a page). Filling a gap is welcome:
# then remove it here.
KNOWN_GAPS: dict[tuple[str, str], set[str]] = {
    ("partnership", "stedenband"): {"fr", "de"},
    ("partnership", "network_intro_adjective"): {"fr", "de", "en"},
    ("status", "ended_head"): {"de"},
    ("status", "ended_of"): {"de"},
    ("status", "ended_article"): {"de"},
    ("status", "ended_object"): {"de"},
    ("names", "type_qualifier"): {"nl", "de"},
    ("names", "locative_typed_preposition"): {"en"},
    ("names", "locative_typed_of"): {"de"},
    ("names", "one_of"): {"de"},
    ("names", "one_of_of"): {"de"},
    ("names", "one_of_article"): {"fr", "de"},
    ("names", "locative_name_article"): {"de"},
    ("labels", "label_head_article"): {"en", "de"},
    ("names", "type_of"): {"nl", "de"},
    ("names", "postfix_type"): {"nl", "fr", "de"},
    ("names", "relation_between"): {"de"},
    ("names", "ordinal_suffix"): {"de"},
    ("names", "ordinal_district"): {"en"},
    ("names", "ordinal_town"): {"de"},
    ("names", "ordinal_town_of"): {"nl", "de"},
    ("names", "location_after_preposition"): {"en"},
    ("names", "location_after_article"): {"de"},
}


def list_categories() -> list[tuple[str, str]]:
    return [
        (area, name)
        for area in LIST_AREAS
        for name, body in lexicon.table(area).items()
        if isinstance(body, dict) and all(isinstance(x, list) for x in body.values())
    ]


def test_every_category_has_every_language_but_the_known_gaps() -> None:
    categories = list_categories()
    assert len(categories) > 30
    for area, category in categories:
        body = lexicon.table(area)[category]
        assert set(body) <= set(lexicon.LIST_KEYS), (area, category)
        missing = {lang for lang in lexicon.LANGS if not body.get(lang)}
        assert missing <= KNOWN_GAPS.get((area, category), set()), (area, category, missing)
        for lang, words in body.items():
            assert words and all(isinstance(w, str) and w for w in words), (area, category, lang)
            re.compile(lexicon.alternation(area, category, lang))


def test_word_tables_have_every_language() -> None:
    for area, category in (("names", "type_words"), ("names", "plural_types"), ("dates", "months")):
        body = lexicon.table(area)[category]
        assert all(body.get(lang) for lang in lexicon.LANGS), (area, category)
    for lang in lexicon.LANGS:
        assert sorted(set(lexicon.table("dates")["months"][lang].values())) == list(range(1, 13)), lang


def test_instruments_are_tried_in_the_order_of_the_data() -> None:
    order = lexicon.ordered("instruments")
    assert order == [
        "development_cooperation",
        "memorandum",
        "friendship",
        "twinning",
        "cooperation_agreement",
        "network_membership",
    ]
    assert [code for code, _ in v.PROTOCOL_RES] == order

    def first(label: str) -> str:
        return next(code for code, rx in v.PROTOCOL_RES if rx.search(label))

    # "stedenband" is also twinning wording; development cooperation comes first
    assert first("stedenband in het kader van gemeentelijke internationale samenwerking") == "development_cooperation"
    assert first("Stedenband") == "cooperation_agreement"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("ontwikkelingssamenwerking", "development_cooperation"),
        ("coopération au développement", "development_cooperation"),
        ("Entwicklungszusammenarbeit", "development_cooperation"),
        ("development cooperation", "development_cooperation"),
        ("intentieverklaring", "memorandum"),
        ("lettre d'intention", "memorandum"),
        ("Absichtserklärung", "memorandum"),
        ("letter of intent", "memorandum"),
        ("vriendschapsakkoord", "friendship"),
        ("pacte d'amitié", "friendship"),
        ("Freundschaftsvertrag", "friendship"),
        ("friendship agreement", "friendship"),
        ("verbroedering", "twinning"),
        ("jumelage", "twinning"),
        ("Städtepartnerschaft", "twinning"),
        ("sister city", "twinning"),
        ("samenwerkingsovereenkomst", "cooperation_agreement"),
        ("convention de coopération", "cooperation_agreement"),
        ("Kooperationsvereinbarung", "cooperation_agreement"),
        ("cooperation agreement", "cooperation_agreement"),
        ("toetreding", "network_membership"),
        ("adhésion", "network_membership"),
        ("Mitglied", "network_membership"),
        ("member of the network", "network_membership"),
    ],
)
def test_each_language_names_each_instrument(label: str, code: str) -> None:
    assert next(c for c, rx in v.PROTOCOL_RES if rx.search(label)) == code


@pytest.mark.parametrize(
    ("rx", "nl", "fr", "de", "en"),
    [
        (v.PARTNERSHIP_PAGE, "onze partnersteden", "nos villes jumelles", "unsere Partnerstädte", "our twin towns"),
        (v.COOPERATION, "samenwerking", "coopération", "Zusammenarbeit", "collaboration"),
        (v.ENDED, "de band werd stopgezet", "le jumelage a pris fin", "wurde beendet", "was dissolved"),
        (v.ENDED, "einde van de verbroedering", "fin du jumelage", "aufgelöst", "end of the twinning"),
        (v.RENEWED, "hernieuwd", "renouvelée", "erneuert", "renewed"),
        (v.PLANNED, "gepland", "prochainement", "geplant", "upcoming"),
        (v.EVENT_NEAR_DATE, "jubileum", "anniversaire", "Jubiläum", "anniversary"),
        (v.SIGNED_NEAR_DATE, "ondertekend", "signée", "unterzeichnet", "signed"),
        (v.PAGE_DATE_LINE, "laatst bijgewerkt", "mis à jour", "zuletzt geändert", "last updated"),
        (v.YEAR_WORDS, "tweeduizend", "deux mille", "zweitausend", "two thousand"),
        (v.RESPECTIVELY, "respectievelijk", "respectivement", "jeweils", "respectively"),
    ],
)
def test_each_language_matches(rx: re.Pattern[str], nl: str, fr: str, de: str, en: str) -> None:
    for text in (nl, fr, de, en):
        assert rx.search(text), (rx.pattern[:40], text)


def test_names_dates_and_labels() -> None:
    for word in ("Deze", "Cette", "Der", "The", "Partners", "Coopération", "Januari", "Décembre"):
        assert v.NOT_A_NAME.match(word), word
    assert not v.NOT_A_NAME.match("Lubumbashi")
    for word in ("Mrt", "févr.", "Dez", "Thu", "Mo."):
        assert v.MONTH_ABBREVIATION.match(word), word
    assert v.MONTHS["maart"] == v.MONTHS["mars"] == v.MONTHS["märz"] == v.MONTHS["march"] == 3
    assert v.TYPE_WORDS["gemeente"] == v.TYPE_WORDS["commune"] == v.TYPE_WORDS["gemeinde"] == "municipality"
    assert v.TYPE_WORDS["town"] == "city"
    assert mn.PLURAL_TYPES["städte"] == mn.PLURAL_TYPES["villes"] == "city"
    for line, label in (
        ("Protocol: stedenband", "Protocol"),
        ("Domaines d'action : santé", "Domaines d'action"),
        ("Themen: Kultur", "Themen"),
        ("Areas: health", "Areas"),
    ):
        m = v.LABEL_LINE.match(line)
        assert m and m.group("label") == label, line
    for text, end in (
        ("trad toe tot het netwerk Energy Cities", "netwerk "),
        ("a adhéré au réseau Energy Cities", "réseau "),
        ("ist Mitglied im Netzwerk Energy Cities", "Netzwerk "),
        ("joined Eurocities", "joined "),
    ):
        m = v.NETWORK_INTRO.search(text)
        assert m and text[: m.end()].endswith(end), text
    for before in ("in de provincie ", "dans la région de ", "im ", "one of the 24 "):
        assert v.LOCATIVE_BEFORE_TYPED.search(before), before
    for before in ("uit ", "près de ", "von ", "from the "):
        assert v.LOCATIVE_BEFORE_NAME.search(before), before
    assert mn.LABEL_HEAD.search("Overeenkomst van de ")
    assert mn.LABEL_HEAD.search("Vereinbarung für ")
    for sep in (", en ", " et ", " and ", " und ", " & "):
        assert mn.ENUM_SEP.match(sep), sep
    for heading, name in (
        ("Stedenband met Kaya", "Kaya"),
        ("Jumelage avec la Commune", "Commune"),
        ("Partnerschaft mit Bad Ems", "Bad Ems"),
        ("Twinning with the Town", "Town"),
    ):
        m = mn.HEADING_RELATION.search(heading)
        assert m and m.group("name") == name, heading
    m = mn.ORDINAL_DISTRICT.search("le 3ème arrondissement de la ville de Lyon")
    assert m and m.group("num") == "3" and m.group("name") == "Lyon"
    m = mn.LOCATION_AFTER.match(", in der Türkei")
    assert m and m.group("country") == "Türkei"
    m = mn.TYPED.search("la ville partenaire de Ouahigouya")
    assert m and m.group("type") == "ville" and m.group("name") == "Ouahigouya"


def test_crawler_link_keywords_per_language() -> None:
    for text in (
        "stedenbanden",
        "jumelages",
        "Städtepartnerschaften",
        "twin towns",
        "Coopération Nord-Sud",
        "Internationale samenwerking",
    ):
        assert sources.is_relevant("https://example.be/", text), text
    assert sources.is_relevant("https://example.be/vie-communale/jumelage")
    assert not sources.is_relevant("https://example.be/afval", "Afvalkalender")


def test_entries_of_one_language_and_shared() -> None:
    fr = lexicon.entries("partnership", "cooperation", "fr")
    assert "jumel" in fr and "partner" in fr  # fr plus `any`
    assert "samenwerk" not in fr


def test_malformed_data_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        lexicon,
        "table",
        lambda area: {"x": {"nl": ["a"], "pt": ["b"]}, "y": {"nl": "a"}, "z": {"nl": {"a": 1}}, "w": "text"},
    )
    with pytest.raises(lexicon.LexiconError, match="unknown language"):
        lexicon.entries("test", "x")
    with pytest.raises(lexicon.LexiconError, match="list of non-empty strings"):
        lexicon.entries("test", "y")
    with pytest.raises(lexicon.LexiconError, match="no \\[nothing\\]"):
        lexicon.entries("test", "nothing")
    with pytest.raises(lexicon.LexiconError, match="not a table"):
        lexicon.entries("test", "w")
    with pytest.raises(lexicon.LexiconError, match="table of words"):
        lexicon.word_map("test", "y")
    with pytest.raises(lexicon.LexiconError, match="order"):
        lexicon.ordered("test")


def test_a_lexicon_change_is_a_pipeline_change(tmp_path: Path) -> None:
    pkg = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    compute = pipeline_version.__wrapped__  # not the per-process memo
    v0 = compute(pkg)
    toml = pkg / "data" / "lexicon" / "status.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# a synonym\n", encoding="utf-8")
    assert compute(pkg) != v0


def test_every_data_file_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["pipeline"]
    data = ROOT / "pipeline" / "data"
    for path in data.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(ROOT / "pipeline").as_posix()
            assert any(fnmatch(rel, g) and rel.count("/") == g.count("/") for g in globs), rel


def test_alternations_grouped_by_first_letter() -> None:
    group = lexicon.by_first_letter
    assert group("twin (?:town|city)|sister[- ]cit|Tab", re.IGNORECASE) == "t(?:win (?:town|city)|ab)|s(?:ister[- ]cit)"
    assert group("(?:a|(?:b|c)d)e|f") == "a(?:e)|b(?:de)|c(?:de)|f(?:)"
    # an alternative that does not start with a letter keeps its place between the groups
    assert group(r"ab|\bc|ad") == r"a(?:b)|\bc|a(?:d)"
    assert group("ab|éc", re.IGNORECASE) == "a(?:b)|éc"  # case-insensitive: ASCII first letters only
    for capturing in ("a(b)|c", r"a\1|b", "(?P<x>a)|b", "(?P=x)|b"):
        assert group(capturing) == capturing


@pytest.mark.parametrize("area", ["partnership", "status", "dates", "instruments", "labels", "names", "crawl"])
def test_grouped_patterns_match_as_written(area: str) -> None:
    """Grouping changes no match: the same spans on the team's fixture pages and on every
    entry of the area."""
    texts = [
        p.read_text(encoding="utf-8", errors="replace")
        for d in ("raw", "tests/fixtures/pages")
        for p in sorted((ROOT / d).rglob("*"))
        if p.suffix in (".html", ".txt", ".md")
    ]
    for category, entries in lexicon.table(area).items():
        if not isinstance(entries, dict) or not all(isinstance(w, list) for w in entries.values()):
            continue
        source = lexicon.alternation(area, category)
        written, grouped = re.compile(source, re.IGNORECASE), lexicon.pattern(area, category)
        words = "\n".join(w for ws in entries.values() for w in ws if isinstance(w, str))
        for text in [*texts, words, words.upper()]:
            assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in written.finditer(text)], category
