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

import re
from dataclasses import dataclass, field

from . import mentions as mn
from . import vocab as v
from .candidates import STOP_WORDS, PlaceSpan, name_runs, scan_places
from .gazetteer import MAJOR_TOWN_POPULATION, Gazetteer, fold
from .lexicon import cue_pattern, nationality_country, vehicle_codes
from .models import Block

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
W_PAIRED = 1.5  # joined to the page's own authority: "Kostrzyn-Pekela", "tussen Lessen en X"
W_SENTENCE_START = -1.0  # first word of a sentence, unknown to the gazetteers
W_BELGIAN = -1.0  # a Belgian municipality: in-country twinnings exist, but rarely
W_LOCATION = -3.0  # "nahe X", "in de provincie X", "près de X": where something is
ACCEPT = 4.0
# A name the gazetteers do not know (or know only as a small town) also needs one of
# these structural clues: how the page introduces it, not only that it is capitalised.
STRUCTURAL = frozenset({"typed", "country", "enumeration", "list_line", "rule", "paired"})
# A list line is short: longer lines are prose.
LIST_LINE_WORDS = 12
# A lead-in sentence introduces the lines that follow it, up to this many (the longest
# lists of partners on the team's pages hold about twenty).
MAX_LEAD_DISTANCE = 30

PARTNER_LIST_RE = cue_pattern("partner_list")
# the list word right before the name: "de partnersteden X", "les villes de X", "Partnerstädte: X"
PARTNER_LIST_BEFORE = re.compile(PARTNER_LIST_RE.pattern + r"(?:\s+[a-zà-ÿ]+)?\s*[:,]?\s*(?:(?:de|d['’]|van|of|von)\s*)?$",
                                 re.IGNORECASE)
# "X, de Franse partnerstad", "X, unsere Partnerstadt", "X (ville jumelle)": an apposition says it
APPOSITION_AFTER = re.compile(r"^\s*[,(–—-]\s*(?:(?:de|het|la|le|l['’]|notre|onze|unsere|our|the|die|der|une?|een|eine)\s+)?"
                              r"(?:[\w'’-]+\s+)?(?:" + PARTNER_LIST_RE.pattern + ")", re.IGNORECASE)
# "les communes marocaines d'X", "the German town of X": a type word with an adjective of nationality
TYPE_ADJ_BEFORE = re.compile(r"(?:" + "|".join(sorted((re.escape(w) for w in v.TYPE_WORDS), key=len, reverse=True))
                             + r"|" + mn.PLURAL_ALT + r")\s+(?P<adj>[\w-]+)\s+(?:de\s+|d['’]\s*|of\s+(?:the\s+)?)?$",
                             re.IGNORECASE)
RELATION_WORDS = cue_pattern("relation_before")
ARTICLE_OR_ADJ = re.compile(r"^(?:\s+(?:de|het|la|le|les|l['’]|the|die|der|das|den|dem|een|une?|a|[A-ZÀ-Ý][a-zà-ÿ]+(?:se|sche|schen|ische|ischen|aanse|ese)|[a-zà-ÿ]+))*\s*$")
EXTENDING_WORD = re.compile(r"^(?:[IVX]{1,4}|\d{1,2}|north|south|east|west|noord|zuid|oost|west|nord|sud|est|ouest|ost|"
                            r"süd|upper|lower|groß|gross|klein|neu|new|nieuw|bad|saint|sainte|sint|st\.?)$", re.IGNORECASE)
PAIR_GAP = re.compile(r"^\s*(?:-|–|—|/|&|\ben\b|\bet\b|\band\b|\bund\b)\s*$", re.IGNORECASE)
CAPITAL_BEFORE = cue_pattern("capital_word", "$")
PERSON_BEFORE = cue_pattern("person_title", "$")
LOCATION_BEFORE = cue_pattern("location_before", "$")
RELATION_BEFORE = cue_pattern("relation_before", "$")
ENUM_GAP = re.compile(r"^\s*(?:,|;|/|&|\bet\b|\ben\b|\band\b|\bund\b|\by\b|\bsowie\b|\bor\b|\bof\b|\bou\b|\boder\b)"
                      r"[\s,]*(?:(?:de|d['’]|et de|van|of|von)\s*)?$", re.IGNORECASE)
PAREN_AFTER = re.compile(r"^\s*\(\s*(?P<inner>[^()]{1,60})\)")
COUNTRY_AFTER = re.compile(
    r"^\s*(?:\([^()]{0,60}\)\s*)?(?:,\s*|\s*[–—-]\s*|\s+(?:in|au|aux|en|à|im|in der|in den|dans le|dans la)\s+"
    r"(?:de\s+|la\s+|le\s+|l['’]\s*|het\s+|the\s+)?)(?P<name>[A-ZÀ-Ý][\w'’\-]+(?:[ -][A-ZÀ-Ý][\w'’\-]+){0,3})")
ADJECTIVE_BEFORE = re.compile(r"(?P<adj>[\w'’\-]+)(?:\s+(?:stad|gemeente|ville|commune|city|town|stadt|gemeinde|"
                              r"ortschaft|partnerstadt|village|dorp|dorf|municipalité|municipality))?\s*$",
                              re.IGNORECASE)


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
        return self.kind in ("item", "row") or len(self.text.split()) <= LIST_LINE_WORDS


def page_units(blocks: tuple[Block, ...]) -> list[Unit]:
    """Every block as units, in order: paragraphs split into sentences. A sentence of prose
    leads into the short lines that follow it (list items, table rows, or lines styled as
    headings), for at most MAX_LEAD_DISTANCE units."""
    units: list[Unit] = []
    heading = lead = ""
    lead_at = 0
    for block in blocks:
        sentences = [block.text] if block.kind in ("item", "row", "heading") else mn.split_sentences(block.text)
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
    major: bool = False
    belgian: bool = False
    country: str = ""
    features: set[str] = field(default_factory=set)
    vetoes: set[str] = field(default_factory=set)

    @property
    def score(self) -> float:
        weights = {"instrument": W_INSTRUMENT, "cooperation": W_COOPERATION, "list_line": W_LIST_CONTEXT,
                   "relation": W_RELATION, "enumeration": W_ENUMERATION, "country": W_COUNTRY,
                   "known": W_KNOWN, "major": W_MAJOR, "typed": W_TYPED, "sentence_start": W_SENTENCE_START,
                   "belgian": W_BELGIAN, "location": W_LOCATION, "rule": W_RULE,
                   "small_place": W_SMALL_PLACE, "paired": W_PAIRED}
        return sum(weights[f] for f in self.features)

    @property
    def accepted(self) -> bool:
        if self.vetoes or self.score < ACCEPT:
            return False
        return "known" in self.features or bool(self.features & STRUCTURAL)


class Decider:
    """Finds and weighs the candidates of one page."""

    def __init__(self, gaz: Gazetteer, own_keys: set[str], lang: str = "") -> None:
        self.gaz = gaz
        self.own = own_keys
        self.french = lang == "fr"  # French "en Bretagne" is a place; Dutch "en" is "and"

    # -- helpers -----------------------------------------------------------------
    def is_own(self, key: str) -> bool:
        if not key:
            return False
        if key in self.own or any(o.startswith(key + " ") for o in self.own):
            return True
        # another name of the page's own town ("Ghent" on a page of Gent)
        return any(fold(p.name) in self.own for p in self.gaz.place(key) if p.kind == "city")

    def country_of(self, text: str) -> str:
        words = text.strip(" ()").split()
        for n in range(min(4, len(words)), 0, -1):
            code = self.gaz.country(" ".join(words[:n]))
            if code:
                return code
        inner = text.strip(" ()")
        return vehicle_codes().get(inner, "") if inner.isupper() else ""

    def country_near(self, text: str, start: int, end: int) -> str:
        """The partner's country from what surrounds the name: after it, or an adjective before."""
        after = text[end:end + 90]
        paren = PAREN_AFTER.match(after)
        if paren:
            code = self.country_of(paren.group("inner").split(",")[-1])
            if code:
                return code
        m = COUNTRY_AFTER.match(after)
        if m:
            code = self.country_of(m.group("name"))
            if code:
                return code
        adj = ADJECTIVE_BEFORE.search(text[max(0, start - 40):start])
        if adj:
            return nationality_country(adj.group("adj"))
        return ""

    @staticmethod
    def _extends(text: str, start: int, end: int, inside: list[Weighed]) -> bool:
        """Does the longer run only extend the place ("Yaoundé II", "North Hykeham", "Aït Zineb")
        rather than run on into other words ("Wittenberg Kristof Pieters", "Berlin Wall")?"""
        extra = (text[start:inside[0].start] + " " + text[inside[-1].end:end]).split()
        short_place = len(inside) == 1 and len(inside[0].name) <= 3
        return short_place or all(EXTENDING_WORD.match(w) for w in extra)

    # -- candidates ----------------------------------------------------------------
    def candidates(self, unit: Unit, partnership_unit: bool) -> list[Weighed]:
        """Known places anywhere; unknown capitalised names only in partnership units."""
        text = unit.text
        found: list[Weighed] = []
        spans: list[PlaceSpan] = scan_places(text, self.gaz)
        taken = [(s.start, s.end) for s in spans]
        for s in spans:
            places = self.gaz.place(s.key)
            belgian = s.key in self.gaz.municipality_names
            foreign = [p for p in places if p.country_code != "BE"]
            name = s.text if not s.upper else s.text.title()
            found.append(Weighed(name, s.start, s.end, unit, known=True,
                                 major=any(p.population >= MAJOR_TOWN_POPULATION for p in foreign),
                                 belgian=belgian))
        if partnership_unit:
            for start, end, name in name_runs(text):
                inside = [c for c in found if start <= c.start and c.end <= end]
                if inside and len(inside) == len([c for c in found if c.start < end and start < c.end]) \
                        and (end - start) > max(c.end - c.start for c in inside) \
                        and all(text[a.end:b.start] for a, b in zip(inside, inside[1:], strict=False)) \
                        and not CAPITAL_BEFORE.search(text[start:min(c.start for c in inside)]) \
                        and self._extends(text, start, end, inside):
                    # a longer name holds the place: "Yaoundé II", "North Hykeham", "Berlin Wall"
                    found = [c for c in found if c not in inside]
                elif any(s <= start < e or start <= s < end for s, e in taken):
                    continue
                found.append(Weighed(mn.clean_name(name), start, end, unit))
        return sorted(found, key=lambda c: c.start)

    def weigh(self, cand: Weighed, unit_cands: list[Weighed], confirmed: set[str]) -> None:
        text, start, end = cand.unit.text, cand.start, cand.end
        key = fold(cand.name)
        before = text[max(0, start - 60):start]
        f, veto = cand.features, cand.vetoes
        if self.is_own(key):
            veto.add("own authority")
        if self.gaz.country(cand.name) or key in STOP_WORDS or len(key) < 3 or not cand.name[:1].isalpha():
            veto.add("not a name")
        if PERSON_BEFORE.search(before) or PERSON_BEFORE.search(cand.name.split()[0] + " "):
            veto.add("person")
        if CAPITAL_BEFORE.search(before) or CAPITAL_BEFORE.search(cand.name.split()[0] + " "):
            veto.add("capital named in passing")
        if v.MONTHS.get(key) or v.NOT_A_NAME.match(cand.name):
            veto.add("not a name")
        if len(cand.name.split()) == 1 and nationality_country(cand.name):
            veto.add("adjective of nationality")  # "Franse", "Luxemburgs"
        if mn.protocol_in(cand.name) or v.COOPERATION.search(cand.name) or PARTNER_LIST_RE.search(cand.name):
            veto.add("partnership wording, not a name")  # "Sister Cities", "Städtepartnerschaften"
        if mn.protocol_in(text):
            f.add("instrument")
        elif v.COOPERATION.search(text):
            f.add("cooperation")
        context = f"{cand.unit.heading}\n{cand.unit.lead}"
        if cand.unit.list_line and (mn.protocol_in(context) or v.PARTNERSHIP_PAGE.search(context)
                                    or PARTNER_LIST_RE.search(cand.unit.lead)):
            f.add("list_line")
        if self._relation_before(before):
            f.add("relation")
        if APPOSITION_AFTER.match(text[end:end + 60]):
            f.add("typed")
            if not cand.country:
                adj = re.match(r"^\s*[,(–—-]\s*(?:\w+\s+)?(?P<adj>[\w'’-]+)", text[end:end + 60])
                cand.country = nationality_country(adj.group("adj")) if adj else ""
        typed_adj = TYPE_ADJ_BEFORE.search(before[-50:])
        if typed_adj and nationality_country(typed_adj.group("adj")):
            f.add("typed")
            cand.country = cand.country or nationality_country(typed_adj.group("adj"))
        if self._paired_with_own(cand, unit_cands):
            f.add("paired")
        if LOCATION_BEFORE.search(before) or v.LOCATIVE_BEFORE_TYPED.search(before) \
                or (self.french and re.search(r"\ben\s+$", before)):
            f.add("location")
        cand.country = cand.country or self.country_near(text, start, end)
        if cand.country:
            f.add("country")
        if cand.known:
            places = self.gaz.place(cand.name)
            if cand.major or cand.belgian or any(p.kind == "subdivision" for p in places) \
                    or any(p.country_code == cand.country for p in places):
                f.add("known")
            else:
                f.add("small_place")
        if cand.major:
            f.add("major")
        if cand.belgian and not cand.country:
            f.add("belgian")
        if not cand.known and not cand.unit.list_line and \
                (start == 0 or text[:start].rstrip().endswith((".", "!", "?", ":"))):
            f.add("sentence_start")
        if self._in_enumeration(cand, unit_cands, confirmed):
            f.add("enumeration")
        if mn.TYPE_BEFORE.search(before[-40:]) or PARTNER_LIST_BEFORE.search(before[-40:]):
            f.add("typed")
        if cand.known and self._qualifies_previous(cand, unit_cands):
            veto.add("region of a partner")

    @staticmethod
    def _relation_before(before: str) -> bool:
        """"met X", "avec la ville de X" is typed; "met het Marokkaanse X", "mit der Stadt X"."""
        window = before[-50:]
        for m in RELATION_WORDS.finditer(window):
            if ARTICLE_OR_ADJ.match(window[m.end():]) and len(window[m.end():].split()) <= 3:
                return True
        return False

    def _paired_with_own(self, cand: Weighed, unit_cands: list[Weighed]) -> bool:
        text = cand.unit.text
        for other in unit_cands:
            if other is cand or not self.is_own(fold(other.name)):
                continue
            gap = text[cand.end:other.start] if cand.end <= other.start else text[other.end:cand.start]
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
        while j > 0 and ENUM_GAP.match(cand.unit.text[ordered[j - 1].end:ordered[j].start]):
            run.insert(0, ordered[j - 1])
            j -= 1
        j = i
        while j + 1 < len(ordered) and ENUM_GAP.match(cand.unit.text[ordered[j].end:ordered[j + 1].start]):
            run.append(ordered[j + 1])
            j += 1
        return run

    def _in_enumeration(self, cand: Weighed, unit_cands: list[Weighed], confirmed: set[str]) -> bool:
        run = self._neighbours(cand, unit_cands)
        if len(run) < 2:
            return False
        first = run[0]
        announced = PARTNER_LIST_BEFORE.search(first.unit.text[max(0, first.start - 40):first.start]) is not None
        others = {fold(c.name) for c in run if c is not cand}
        return announced or bool(others & confirmed)

    def _qualifies_previous(self, cand: Weighed, unit_cands: list[Weighed]) -> bool:
        """A subdivision right after a town that lies in it: "Bandung, West Java", "X (Hessen)",
        "Joliette au Québec" (after a comma only when it is no large town itself)."""
        places = self.gaz.place(cand.name)
        if not any(p.kind == "subdivision" for p in places):
            return False
        previous = [c for c in unit_cands if c.end <= cand.start]
        if not previous:
            return False
        prev = max(previous, key=lambda c: c.end)
        gap = cand.unit.text[prev.end:cand.start]
        if re.fullmatch(r"\s*(?:\(|in|in de|in der|im|dans la|dans le|en|au|aux)\s*", gap, re.IGNORECASE):
            return True
        large = any(p.kind == "city" and p.population >= MAJOR_TOWN_POPULATION for p in places)
        return not large and bool(re.fullmatch(r"\s*,\s*", gap))
