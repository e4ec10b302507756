"""Decision layer: which candidate names are partners of the page's own authority.

Every candidate (candidates.py, the wording rules of mentions.py, spaCy's entities) is
weighed on the sentence, list line or table row it stands in (a `Unit`) and on that
unit's context (the heading above it, the sentence that leads into a list):

    score = sum of the weights of the features that hold

and a candidate is a partner when its score reaches ACCEPT. The weights were set by
hand: first so that the team's own pages keep their rows, then checked on two thirds
of ../shared/dev (every third page kept aside to see whether a change generalises).
A veto (the page's own authority, a person, a country's capital named to situate a
partner, a region a partner lies in) overrides every weight.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from pipeline.knowledge import vocab as v
from pipeline.knowledge.gazetteer import MAJOR_TOWN_POPULATION, Gazetteer, fold
from pipeline.knowledge.lexicon import alternation, cue_pattern, nationality_country, vehicle_codes
from pipeline.models import Block
from pipeline.stages.s5_extract import mentions as mn
from pipeline.stages.s5_extract.candidates import STOP_WORDS, PlaceSpan, name_runs, scan_places

# -- weights ------------------------------------------------------------------------
W_INSTRUMENT = 2.0  # the unit names an instrument: "jumelée", "Städtepartnerschaft", "stedenband"
W_COOPERATION = 1.0  # only generic cooperation wording: "samenwerking", "partenaire", "exchange"
W_LIST_CONTEXT = 1.5  # a short line or list entry under a heading / lead-in about partnerships
W_RELATION = 1.0  # right after "met", "avec", "with", "mit", "tussen", "entre"
W_ENUMERATION = 1.5  # in an enumeration that announces partners or holds another partner
W_COUNTRY = 1.5  # a country next to it: "X (Maroc)", "X in Duitsland", "de Duitse stad X", "X (F)"
W_KNOWN = 1.0  # a place the gazetteers know: a town of MAJOR_TOWN_POPULATION or more, a
# subdivision, a Belgian municipality, or a smaller town in the country named next to it
W_MAJOR = 0.5  # ... with at least MAJOR_TOWN_POPULATION inhabitants
W_SMALL_PLACE = 0.5  # only a small town somewhere ("Union", "Oliver", "Taten" are villages too)
W_TYPED = 2.0  # introduced as an authority: "de stad X", "la commune de X", "Partnerstadt X"
W_RULE = 1.5  # found by a wording rule of mentions.py ("jumelée avec la ville de X")
W_PARTNER_TYPED = (
    3.0  # introduced as a partner: "partnergemeente X", "Partnerstädte X, Y und Z", "X, notre ville jumelle"
)
W_NER_PLACE = 1.0  # a name no gazetteer knows that spaCy's NER reads as a place (LOC/GPE)
W_WHOLE_LINE = 1.5  # the line is the name (with its country or year) under a partnership heading or lead-in
W_PAIRED = 1.5  # joined to the page's own authority: "Kostrzyn-Pekela", "tussen Lessen en X"
W_SENTENCE_START = -1.0  # first word of a sentence, unknown to the gazetteers
W_BELGIAN = -1.0  # a Belgian municipality: in-country twinnings exist, but rarely
W_LOCATION = -3.0  # "nahe X", "in de provincie X", "près de X": where something is
# Each feature's weight, by the name weigh() gives it ("inside_rule" only marks a candidate).
WEIGHTS = {
    "instrument": W_INSTRUMENT,
    "cooperation": W_COOPERATION,
    "list_line": W_LIST_CONTEXT,
    "relation": W_RELATION,
    "enumeration": W_ENUMERATION,
    "country": W_COUNTRY,
    "known": W_KNOWN,
    "major": W_MAJOR,
    "typed": W_TYPED,
    "sentence_start": W_SENTENCE_START,
    "belgian": W_BELGIAN,
    "location": W_LOCATION,
    "rule": W_RULE,
    "small_place": W_SMALL_PLACE,
    "paired": W_PAIRED,
    "partner_typed": W_PARTNER_TYPED,
    "whole_line": W_WHOLE_LINE,
    "inside_rule": 0.0,
    "ner_place": W_NER_PLACE,
}
ACCEPT = 4.0
# A name the gazetteers know only as a small town also needs one of these structural
# clues: how the page introduces it, not only that it is capitalised; a name no
# gazetteer knows needs one of the stronger ones.
STRUCTURAL = frozenset({"typed", "country", "enumeration", "list_line", "rule", "paired", "partner_typed"})
STRUCTURAL_UNKNOWN = frozenset({"typed", "country", "enumeration", "paired", "partner_typed", "whole_line"})
# A word in capitals this short is an acronym (NATO, OCMW, VVSG) unless a country follows it.
MAX_ACRONYM = 4
# A list line is short: longer lines are prose (list items, table rows and headings may
# run a little longer: "Province of X, Region (1996) – cooperation agreement on tourism").
LIST_LINE_WORDS = 12
LONG_LIST_LINE_WORDS = 20
# A lead-in sentence introduces the lines that follow it, up to this many (the longest
# lists of partners on the team's pages hold about twenty).
MAX_LEAD_DISTANCE = 30


def words(category: str) -> str:
    """A category of data/lexicon/context.toml as a regex group."""
    return f"(?:{alternation('context', category)})"


PARTNER_LIST_RE = cue_pattern("partner_list")
# the list word right before the name: "de partnersteden X", "les villes de X", "Partnerstädte: X"
PARTNER_LIST_BEFORE = re.compile(
    PARTNER_LIST_RE.pattern + r"(?:\s*[:,]?\s*(?:(?:de|d['’]|van|of|von)\s*)?"
    r"|\s+[a-zà-ÿ]{4,}\s+(?:de\s+|d['’]\s*|van\s+|of\s+|von\s+))"
    r"(?:(?:le|la|les|l['’]|het|the|die|der|das)\s*)?$",
    re.IGNORECASE,
)
PERSON_AFTER = re.compile(
    r"^\s*,\s*(?:(?:the|le|la|de|der|die)\s+)?" + cue_pattern("person_title").pattern, re.IGNORECASE
)
# a single place word that runs on into a longer capitalised name: "Union Européenne", "Berlin Wall",
# "Vereniging van Steden", "Albert Moreby"
RUNS_ON = re.compile(r"^(?: (?:van|of|der|des|du|von) )?[ ](?=[A-ZÀ-Ý][a-zà-ÿ])")
COUNTRY_LIST_SEP = re.compile(
    r"\s*(?:,|;|\bet\b|\ben\b|\band\b|\bund\b|\bou\b|\bor\b|\boder\b|\bof\b)\s*", re.IGNORECASE
)
# "X, de Franse partnerstad", "X, unsere Partnerstadt", "X (ville jumelle)": an apposition says it
APPOSITION_AFTER = re.compile(
    r"^\s*[,(–—-]\s*(?:" + words("apposition_article") + r"\s+)?"
    r"(?:[\w'’-]+\s+)?(?:" + PARTNER_LIST_RE.pattern + ")",
    re.IGNORECASE,
)
# "les communes marocaines d'X", "the German town of X": a type word with an adjective of nationality
TYPE_ADJ = (
    r"(?:"
    + "|".join(sorted((re.escape(w) for w in v.TYPE_WORDS), key=len, reverse=True))
    + r"|"
    + mn.PLURAL_ALT
    + r")\s+(?P<adj>[\w-]+)\s+(?:de\s+|d['’]\s*|of\s+(?:the\s+)?)?"
)
TYPE_ADJ_BEFORE = re.compile(TYPE_ADJ + "$", re.IGNORECASE)
TYPE_ADJ_ANYWHERE = re.compile(TYPE_ADJ, re.IGNORECASE)
RELATION_WORDS = cue_pattern("relation_before")
ARTICLE_OR_ADJ = re.compile(
    r"^(?:\s+(?:de|het|la|le|les|l['’]|the|die|der|das|den|dem|een|une?|a|[A-ZÀ-Ý][a-zà-ÿ]+(?:se|sche|schen|ische|ischen|aanse|ese)|[a-zà-ÿ]+))*\s*$"
)
EXTENDING_WORD = re.compile(r"^(?:[IVX]{1,4}|\d{1,2}|" + words("extending_words") + r")$", re.IGNORECASE)
# "X, een van de gemeenten van Y", "X, une commune de Y", "X, a district of Y": Y is where X lies
PART_OF_BEFORE = re.compile(
    r"\b" + words("one_of") + r"\s+(?:van\s+de\s+|des\s+|of\s+the\s+|der\s+)?"
    r"(?:\d+\s+)?[\w-]+\s+" + words("part_of_link") + r"\s*$",
    re.IGNORECASE,
)
PARENT_AFTER = re.compile(
    r"^\s*[,(]\s*" + words("one_of") + r"\s+(?:van\s+de\s+|des\s+|of\s+the\s+|der\s+)?"
    r"[\w-]+\s+" + words("part_of_link") + r"\s+(?P<name>[A-ZÀ-Ý][\w'’-]+(?:[ -][A-ZÀ-Ý][\w'’-]+){0,2})"
)
# A region named after two towns: "Province of Pesaro and Urbino", "provincie X en Y"
TWO_NAMED_REGION = re.compile(
    r"\b" + words("two_named_region_types") + r"\s+"
    r"(?:of\s+|de\s+|van\s+|von\s+)?[A-ZÀ-Ý][\w'’-]+\s+(?:and|et|en|e|und)\s+$",
    re.IGNORECASE,
)
# "(ou X-Ville)", "(anciennement X)", "(formerly X)": another name of the same place
ALIAS_PAREN = re.compile(r"\s*" + words("alias_words") + r"\b", re.IGNORECASE)
TYPE_KEYS = frozenset(fold(w) for w in (*v.TYPE_WORDS, *mn.PLURAL_TYPES))  # "Städten", "Gemeinden"
REGION_TYPE_AFTER = re.compile(r"\s+" + words("region_types") + r"\b", re.IGNORECASE)
PAIR_GAP = re.compile(r"^\s*(?:-|–|—|/|&|\b" + words("pair_link") + r"\b)\s*$", re.IGNORECASE)
CAPITAL_BEFORE = cue_pattern("capital_word", "$")
PERSON_BEFORE = cue_pattern("person_title", "$")
LOCATION_BEFORE = cue_pattern("location_before", "$")
RELATION_BEFORE = cue_pattern("relation_before", "$")
ENUM_GAP = re.compile(
    r"^\s*(?:,|;|/|&|\b" + words("enumeration_link") + r"\b)"
    r"[\s,]*(?:(?:de|d['’]|et de|van|of|von)\s*)?$",
    re.IGNORECASE,
)
PAREN_AFTER = re.compile(r"^\s*\(\s*(?P<inner>[^()]{1,60})\)")
COUNTRY_AFTER = re.compile(
    r"^\s*(?:\([^()]{0,60}\)\s*)?(?:,\s*|\s*[–—-]\s*|\s+(?:in|au|aux|en|à|im|in der|in den|dans le|dans la)\s+"
    r"(?:de\s+|la\s+|le\s+|l['’]\s*|het\s+|the\s+)?)(?P<name>[A-ZÀ-Ý][\w'’\-]+(?:[ -][A-ZÀ-Ý][\w'’\-]+){0,3})"
)
ADJECTIVE_BEFORE = re.compile(r"(?P<adj>[\w'’\-]+)(?:\s+" + words("place_nouns") + r")?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """A sentence, list line, table row or heading, with its context."""

    index: int
    kind: str
    text: str
    heading: str = ""  # the nearest heading above
    lead: str = ""  # the sentence that leads into the list this line belongs to

    @property
    def list_line(self) -> bool:
        words = len(self.text.split())
        return words <= LIST_LINE_WORDS or (self.kind in ("item", "row", "heading") and words <= LONG_LIST_LINE_WORDS)


def page_units(blocks: tuple[Block, ...]) -> list[Unit]:
    """Every block as units, in order: paragraphs split into sentences. A sentence of prose
    leads into the short lines that follow it (list items, table rows, or lines styled as
    headings), for at most MAX_LEAD_DISTANCE units."""
    units: list[Unit] = []
    heading = lead = ""
    lead_at = 0
    for block in blocks:
        sentences = [block.text] if block.kind in ("row", "heading") else mn.split_sentences(block.text)
        for sentence in sentences:
            if len(units) - lead_at > MAX_LEAD_DISTANCE:
                lead = ""
            unit = Unit(len(units), block.kind, sentence, heading, lead)
            units.append(unit)
            if block.kind == "heading":
                heading = sentence
            elif not unit.list_line or sentence.rstrip().endswith(":"):
                lead, lead_at = sentence, unit.index
    return units


@dataclass
class Weighed:
    """One candidate name in one unit, with the features that weigh on it."""

    name: str
    start: int
    end: int
    unit: Unit
    known: bool = False
    ner: bool = False  # spaCy's NER (French model) or EntityRuler labels it a place
    person: bool = False  # spaCy's NER labels it a person
    major: bool = False
    belgian: bool = False
    country: str = ""
    features: set[str] = field(default_factory=set)
    vetoes: set[str] = field(default_factory=set)

    @property
    def score(self) -> float:
        return sum(WEIGHTS[f] for f in self.features)

    @property
    def accepted(self) -> bool:
        if self.vetoes or self.score < ACCEPT:
            return False
        if "known" in self.features:
            return True
        return bool(self.features & (STRUCTURAL if self.known else STRUCTURAL_UNKNOWN))


class Decider:
    """Finds and weighs the candidates of one page."""

    def __init__(self, gaz: Gazetteer, own_keys: set[str], lang: str = "", own_nis: str = "") -> None:
        self.gaz = gaz
        self.own = own_keys
        self.own_nis = {own_nis} if own_nis else set()
        self.french = lang == "fr"  # French "en Bretagne" is a place; Dutch "en" is "and"

    # -- helpers -----------------------------------------------------------------
    def is_own(self, key: str) -> bool:
        if not key:
            return False
        if key in self.own or any(o.startswith(key + " ") for o in self.own):
            return True
        if len(key) >= 5 and any(o.endswith(" " + key) for o in self.own):
            return True  # "Pekela" on a page of Oude Pekela
        # another name of the page's own town ("Ghent" on a page of Gent): when the largest
        # place of that name is the own town ("Dinan" is a French town, not Dinant)
        towns = [p for p in self.gaz.place(key) if p.kind == "city"]
        if not towns:
            return False
        largest = max(towns, key=lambda p: p.population)
        own = fold(largest.name) in self.own or self.gaz.town_communes.get(largest.geonameid, "-") in self.own_nis
        elsewhere = any(p.country_code != largest.country_code and p.population >= MAJOR_TOWN_POPULATION for p in towns)
        return own and not elsewhere

    def country_of(self, text: str) -> str:
        words = text.strip(" ()").split()
        for n in range(min(4, len(words)), 0, -1):
            code = self.gaz.country(" ".join(words[:n]))
            if code:
                return code
        inner = text.strip(" ()")
        if inner.isupper():
            return vehicle_codes().get(inner, "")
        return self.gaz.subdivision_country(inner) if inner[:1].isupper() else ""  # "in Sachsen-Anhalt"

    def country_near(self, text: str, start: int, end: int) -> str:
        """The partner's country from what surrounds the name: after it, or an adjective before."""
        after = text[end : end + 90].lstrip(")")  # "(ou Villeneuve) en Bretagne (France)"
        paren = PAREN_AFTER.match(after)
        if paren:
            code = self.country_of(paren.group("inner").split(",")[-1])
            if code:
                return code
        parent = PARENT_AFTER.match(after)  # "Bandalungwa, een van de gemeenten van Kinshasa"
        if parent:
            code = self.country_of(parent.group("name")) or self.gaz.place_country(parent.group("name"))
            if code:
                return code
        m = COUNTRY_AFTER.match(after)
        if m:
            code = self.country_of(m.group("name"))
            if code:
                return code
        adj = ADJECTIVE_BEFORE.search(text[max(0, start - 40) : start])
        code = nationality_country(adj.group("adj")) if adj else ""
        if code:
            return code
        clause_before = re.split(r"[.;:,()]", text[max(0, start - 50) : start])[-1]
        for word in reversed(clause_before.split()[:-1]):  # "de Fransen van partnergemeente X"
            code = nationality_country(word) if word[:1].isupper() else ""
            if code:
                return code
        clause = re.split(r"[.;:]", after, maxsplit=1)[0]
        for inner in re.findall(r"\(([^()]{2,40})\)", clause):  # "X en Louisiane (États-Unis)"
            code = self.country_of(inner)
            if code:
                return code
        return ""

    def _pairs(self, text: str, spans: list[PlaceSpan]) -> list[PlaceSpan]:
        """Parts of a hyphenated word are two places only when one is the page's own authority
        ("Kostrzyn-Pekela" on Pekela's page); otherwise the word is one name ("Steglitz-Zehlendorf")."""
        out = [s for s in spans if s.within is None]
        words: dict[tuple[int, int], list[PlaceSpan]] = {}
        for s in spans:
            if s.within is not None:
                words.setdefault(s.within, []).append(s)
        for (start, end), parts in words.items():
            if any(self.is_own(p.key) for p in parts):
                out.extend(parts)
            else:
                out.append(PlaceSpan(start, end, text[start:end], fold(text[start:end])))
        return sorted(out, key=lambda s: s.start)

    @staticmethod
    def _extends(text: str, start: int, end: int, inside: list[Weighed]) -> bool:
        """Does the longer run only extend the place ("Yaoundé II", "North Hykeham", "Aït Zineb")
        rather than run on into other words ("Wittenberg Kristof Pieters", "Berlin Wall")?"""
        extra = (text[start : inside[0].start] + " " + text[inside[-1].end : end]).split()
        short_place = len(inside) == 1 and len(inside[0].name) <= 3
        return short_place or all(EXTENDING_WORD.match(w) for w in extra)

    # -- candidates ----------------------------------------------------------------
    def candidates(
        self, unit: Unit, partnership_unit: bool, entities: list[tuple[str, int, int]] | None = None
    ) -> list[Weighed]:
        """Known places anywhere; unknown capitalised names and spaCy's place entities
        (`entities`: text, start, end in the unit) only in partnership units."""
        text = unit.text
        found: list[Weighed] = []
        spans: list[PlaceSpan] = self._pairs(text, scan_places(text, self.gaz))
        taken = [(s.start, s.end) for s in spans]
        for s in spans:
            places = self.gaz.place(s.key)
            belgian = s.key in self.gaz.municipality_names
            foreign = [p for p in places if p.country_code != "BE"]
            name = s.text if not s.upper else s.text.title()
            found.append(
                Weighed(
                    name,
                    s.start,
                    s.end,
                    unit,
                    known=True,
                    major=any(p.population >= MAJOR_TOWN_POPULATION for p in foreign),
                    belgian=belgian,
                )
            )
        if partnership_unit:
            for start, end, name in name_runs(text):
                inside = [c for c in found if start <= c.start and c.end <= end]
                if (
                    inside
                    and len(inside) == len([c for c in found if c.start < end and start < c.end])
                    and (end - start) > max(c.end - c.start for c in inside)
                    and all(text[a.end : b.start] for a, b in itertools.pairwise(inside))
                    and not CAPITAL_BEFORE.search(text[start : min(c.start for c in inside)])
                    and self._extends(text, start, end, inside)
                ):
                    # a longer name holds the place: "Yaoundé II", "North Hykeham", "Berlin Wall"
                    found = [c for c in found if c not in inside]
                elif any(s <= start < e or start <= s < end for s, e in taken):
                    continue
                found.append(Weighed(mn.clean_name(name), start, end, unit))
            for _, start, end in entities or ():
                same = [c for c in found if c.start == start and c.end == end]
                for c in same:
                    c.ner = True  # spaCy reads it as a place too
                if not same and not any(c.start < end and start < c.end for c in found):
                    name = mn.clean_name(text[start:end])
                    if name and name[:1].isupper():
                        found.append(Weighed(name, start, start + len(name), unit, ner=True))
        return sorted(found, key=lambda c: c.start)

    def weigh(self, cand: Weighed, unit_cands: list[Weighed], confirmed: set[str]) -> None:
        text, start, end = cand.unit.text, cand.start, cand.end
        before = text[max(0, start - 60) : start]
        near = self.country_near(text, start, end)  # the country next to the name, if any
        f, veto = cand.features, cand.vetoes
        veto |= self.name_vetoes(cand.name)
        if PERSON_BEFORE.search(before) or PERSON_AFTER.match(text[end : end + 40]):
            veto.add("person")
        if cand.person and not cand.known:
            veto.add("person (spaCy)")
        if CAPITAL_BEFORE.search(before):
            veto.add("capital named in passing")
        if TWO_NAMED_REGION.search(before):
            veto.add("part of a longer name")  # "Province of Pesaro and Urbino"
        following = text[end:].split()[0].strip(",.;:()") if text[end:].split() else ""
        next_name = any(c.start == end + 1 for c in unit_cands)  # "uit Kostrzyn Oude Pekela": two names
        if (
            cand.known
            and len(cand.name.split()) == 1
            and RUNS_ON.match(text[end : end + 6])
            and not next_name
            and not self.gaz.has_name(fold(following))
            and not self.gaz.country(following)
        ):
            veto.add("part of a longer name")  # "Union Européenne", "Jean-Pierre Vandenbosch"
        opening = text.rfind("(", 0, start)
        alias = ALIAS_PAREN.match(text[opening + 1 : start]) if opening >= 0 else None
        if (
            mn.in_parentheses(text, start)
            and not alias
            and any(0 <= opening - c.end <= 2 and c.known for c in unit_cands)
        ):
            veto.add("qualifies another name")  # "Mohammedia (suburb of Casablanca)"
        left = re.search(r"(?:^|(?<=[a-zà-ÿ,;:] ))([A-ZÀ-Ý][a-zà-ÿ]+) $", text[max(0, start - 30) : start])
        if (
            cand.known
            and len(cand.name.split()) == 1
            and left
            and left.group(1).lower() not in STOP_WORDS
            and not nationality_country(left.group(1))
            and not self.gaz.has_name(fold(left.group(1)))
            and not v.TYPE_WORDS.get(left.group(1).lower())
            and not PARTNER_LIST_RE.search(left.group(1))
        ):
            veto.add("part of a longer name")  # "de Europese Unie"
        if self._partner_of_another_commune(cand, unit_cands):
            veto.add("another commune's partner")  # "Les responsables de X, en partenariat avec Y"
        if cand.known and not near and self._listed_with_countries(text, start, end):
            veto.add("listed with countries")  # "l'Allemagne, le Québec ou le Mali"
        if cand.name.isupper() and not cand.known and len(cand.name.split()) == 1:
            veto.add("capitals, unknown")
        written = text[start:end]
        if written.isupper() and len(written) <= MAX_ACRONYM and not near:
            veto.add("acronym")  # "NATO", "UNO": an organisation, although some village bears the name
        if mn.protocol_in(text):
            f.add("instrument")
        elif v.COOPERATION.search(text):
            f.add("cooperation")
        context = f"{cand.unit.heading}\n{cand.unit.lead}"
        if cand.unit.list_line and (
            mn.protocol_in(context) or v.PARTNERSHIP_PAGE.search(context) or PARTNER_LIST_RE.search(cand.unit.lead)
        ):
            f.add("list_line")
        if self._relation_before(before):
            f.add("relation")
        if APPOSITION_AFTER.match(text[end : end + 60]):
            f.add("partner_typed")
            if not cand.country:
                adj = re.match(r"^\s*[,(–—-]\s*(?:\w+\s+)?(?P<adj>[\w'’-]+)", text[end : end + 60])
                cand.country = nationality_country(adj.group("adj")) if adj else ""
        typed_adj = TYPE_ADJ_BEFORE.search(before[-50:])
        if typed_adj and nationality_country(typed_adj.group("adj")):
            f.add("typed")
            cand.country = cand.country or nationality_country(typed_adj.group("adj"))
        if self._paired_with_own(cand, unit_cands):
            f.add("paired")
        if PART_OF_BEFORE.search(before):
            veto.add("where a partner lies")  # "Bandalungwa, l'une des 24 communes de Kinshasa"
        if (
            LOCATION_BEFORE.search(before)
            or v.LOCATIVE_BEFORE_TYPED.search(before)
            or (self.french and re.search(r"\ben\s+$", before))
            or (re.search(r"(?<!\w)à\s+$", before) and not re.search(r"jumel|li[ée]e?s?\s+à|associ", before[-30:]))
        ):
            f.add("location")
        cand.country = cand.country or near
        if cand.country:
            f.add("country")
        if cand.known:
            places = self.gaz.place(cand.name)
            if (
                cand.major
                or cand.belgian
                or any(p.kind == "subdivision" for p in places)
                or any(p.country_code == cand.country for p in places)
            ):
                f.add("known")
            else:
                f.add("small_place")
        if cand.major:
            f.add("major")
        if cand.ner and not cand.known:
            f.add("ner_place")
        if cand.belgian and not cand.country:
            f.add("belgian")
        if (
            (not cand.known or "small_place" in f)
            and len(text.split()) > 3
            and cand.unit.kind == "paragraph"
            and (start == 0 or text[:start].rstrip().endswith((".", "!", "?", ":")))
        ):
            f.add("sentence_start")  # "Naast de zustersteden ...": a capitalised first word
        enumeration = self._in_enumeration(cand, unit_cands, confirmed)
        if enumeration:
            f.add("enumeration")
            if enumeration == "announced":
                f.add("partner_typed")
        if PARTNER_LIST_BEFORE.search(before[-40:]):
            f.add("partner_typed")
        elif mn.TYPE_BEFORE.search(before[-40:]):
            f.add("typed")
        if cand.unit.list_line and "list_line" in f and self._whole_line(text[:start] + " " + text[end:]):
            f.add("whole_line")
        if (
            (cand.known or REGION_TYPE_AFTER.match(text[end : end + 20])) and self._qualifies_previous(cand, unit_cands)
        ) or ("small_place" in f and self._after_comma_closing(cand, unit_cands)):
            veto.add("region of a partner")

    def name_vetoes(self, name: str) -> set[str]:
        """What rules a name out whatever its context."""
        key = fold(name)
        out = set()
        if self.is_own(key):
            out.add("own authority")
        if self.gaz.country(name) or key in STOP_WORDS or len(key) < 3 or not any(ch.isalpha() for ch in name):
            out.add("not a name")
        if v.MONTHS.get(key) or v.NOT_A_NAME.match(name) or key in TYPE_KEYS:
            out.add("not a name")
        if all(v.NOT_A_NAME.match(part) for part in re.split(r"[\s-]+", name) if part):
            out.add("not a name")  # "Oost-Europa", "Noord-Afrika"
        if PERSON_BEFORE.search(name.split()[0] + " ") or CAPITAL_BEFORE.search(name.split()[0] + " "):
            out.add("title, not a name")  # "Mayor Maxime Prevot", "Capitale Riga"
        if len(name.split()) == 1 and nationality_country(name):
            out.add("adjective of nationality")  # "Franse", "Luxemburgs"
        if mn.protocol_in(name) or v.COOPERATION.search(name) or PARTNER_LIST_RE.search(name):
            out.add("partnership wording, not a name")  # "Sister Cities", "Städtepartnerschaften"
        return out

    def _partner_of_another_commune(self, cand: Weighed, unit_cands: list[Weighed]) -> bool:
        """A Belgian municipality other than the page's own acts before the relation word, and the
        own authority is not in the sentence: the partnership is that commune's."""
        if not self.own or cand.belgian:
            return False
        text = cand.unit.text
        relation = None
        for m in RELATION_WORDS.finditer(text[: cand.start]):
            relation = m
        if relation is None:
            return False
        actors = [c for c in unit_cands if c.end <= relation.start() and c.belgian]
        if not actors or any(self.is_own(fold(c.name)) for c in unit_cands):
            return False
        return any(not self.is_own(fold(c.name)) for c in actors)

    def _listed_with_countries(self, text: str, start: int, end: int) -> bool:
        left = COUNTRY_LIST_SEP.split(text[max(0, start - 40) : start])
        right = COUNTRY_LIST_SEP.split(text[end : end + 40])
        bare = (
            re.sub(r"^\s*(?:l['’]|le|la|les|the|de|het|die|der|das)?\s*$", "", left[-1], flags=re.IGNORECASE)
            if left
            else ""
        )
        neighbours = [
            left[-2] if len(left) > 1 and not bare.strip() else "",
            right[1] if len(right) > 1 and not right[0].strip() else "",
        ]
        for n in neighbours:
            words = re.sub(r"^(?:l['’]|le |la |les |the |de |het |die |der )", "", n.strip(), flags=re.IGNORECASE)
            if words and self.gaz.country(words.split(",")[0].strip()):
                return True
        return False

    def _whole_line(self, rest: str) -> bool:
        """Does a line say only the name, with its country, former name, years and dates?
        ("Kamonyi (anciennement ...) au Rwanda, depuis 1970.", "Tulle - France - 1992")"""
        rest = re.sub(r"\([^()]*\)", " ", rest)
        words = [
            w
            for w in re.findall(r"[^\W\d_][\w'’-]*", rest)
            if w.lower() not in STOP_WORDS and not v.MONTHS.get(w.lower()) and not v.SIGNED_NEAR_DATE.fullmatch(w)
        ]
        remaining = [w for w in words if not self.gaz.country(w)]
        return len(remaining) <= 1 and not any(w[:1].islower() and len(w) > 3 for w in remaining)

    @staticmethod
    def _relation_before(before: str) -> bool:
        """ "met X", "avec la ville de X" is typed; "met het Marokkaanse X", "mit der Stadt X"."""
        window = before[-50:]
        for m in RELATION_WORDS.finditer(window):
            if ARTICLE_OR_ADJ.match(window[m.end() :]) and len(window[m.end() :].split()) <= 3:
                return True
        return False

    def _paired_with_own(self, cand: Weighed, unit_cands: list[Weighed]) -> bool:
        text = cand.unit.text
        for other in unit_cands:
            if other is cand or not self.is_own(fold(other.name)):
                continue
            gap = text[cand.end : other.start] if cand.end <= other.start else text[other.end : cand.start]
            if PAIR_GAP.match(gap):
                return True
        return False

    @staticmethod
    def _neighbours(cand: Weighed, unit_cands: list[Weighed]) -> list[Weighed]:
        """The run of candidates joined to this one by commas and 'and'."""
        ordered = sorted(unit_cands, key=lambda c: c.start)
        i = ordered.index(cand)
        run = [cand]
        j = i
        while j > 0 and ENUM_GAP.match(cand.unit.text[ordered[j - 1].end : ordered[j].start]):
            run.insert(0, ordered[j - 1])
            j -= 1
        j = i
        while j + 1 < len(ordered) and ENUM_GAP.match(cand.unit.text[ordered[j].end : ordered[j + 1].start]):
            run.append(ordered[j + 1])
            j += 1
        return run

    def _in_enumeration(self, cand: Weighed, unit_cands: list[Weighed], confirmed: set[str]) -> str:
        """ "announced" (a partner plural opens the run), "confirmed" (another member is a partner) or ""."""
        run = self._neighbours(cand, unit_cands)
        if len(run) < 2:
            return ""
        first = run[0]
        if PARTNER_LIST_BEFORE.search(first.unit.text[max(0, first.start - 40) : first.start]):
            return "announced"
        others = {fold(c.name) for c in run if c is not cand}
        return "confirmed" if others & confirmed else ""

    @staticmethod
    def _after_comma_closing(cand: Weighed, unit_cands: list[Weighed]) -> bool:
        previous = [c for c in unit_cands if c.end <= cand.start and c.known]
        if not previous:
            return False
        prev = max(previous, key=lambda c: c.end)
        text = cand.unit.text
        return bool(re.fullmatch(r"\s*,\s*", text[prev.end : cand.start])) and bool(
            re.match(r"\s*(?:\(|$|[–—-]|\d)", text[cand.end :])
        )

    def _qualifies_previous(self, cand: Weighed, unit_cands: list[Weighed]) -> bool:
        """A subdivision right after a town that lies in it: "Kupang, East Nusa Tenggara", "X (Hessen)",
        "Joliette au Québec" (after a comma only when it is no large town itself)."""
        places = self.gaz.place(cand.name)
        if not any(p.kind == "subdivision" for p in places) and not REGION_TYPE_AFTER.match(
            cand.unit.text[cand.end : cand.end + 20]
        ):
            return False  # neither a known subdivision nor "X Province"
        previous = [c for c in unit_cands if c.end <= cand.start]
        if not previous:
            return False
        prev = max(previous, key=lambda c: c.end)
        gap = cand.unit.text[prev.end : cand.start]
        if re.fullmatch(r"\s*(?:\(|in|in de|in der|im|dans la|dans le|en|au|aux)\s*", gap, re.IGNORECASE):
            return True
        if not re.fullmatch(r"\s*,\s*", gap):
            return False
        large = any(p.kind == "city" and p.population >= MAJOR_TOWN_POPULATION for p in places)
        closes = re.match(r"\s*(?:\(|$|[–—-]|\d)", cand.unit.text[cand.end :])  # "Saint-Lambert, Quebec (2011)"
        return not large or bool(closes)
