"""Pure functions that find things in one string: partner names, countries, dates,
instruments, domains and status. The section logic that ties them together is in
walker.py; the wording they rely on is in knowledge/vocab.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.knowledge import lexicon
from pipeline.knowledge import vocab as v
from pipeline.knowledge.gazetteer import Gazetteer, fold

TYPE_ALT = "|".join(sorted((re.escape(w) for w in v.TYPE_WORDS), key=len, reverse=True))
PLURAL_TYPES: dict[str, str] = lexicon.word_map("names", "plural_types")
PLURAL_ALT = "|".join(sorted((re.escape(w) for w in PLURAL_TYPES), key=len, reverse=True))
# The wording of these slots is in data/lexicon/names.toml; the templates are here.
ARTICLE = rf"(?:{lexicon.alternation('names', 'article')})?"
FR_OF = rf"(?:{lexicon.alternation('names', 'type_of')})?"
QUALIFIER = rf"(?:(?:{lexicon.alternation('names', 'type_qualifier')})\s+)?"
# "de stad X", "la ville de X", "the city of X", "die Stadt X", "Provincie X", plural lists too
TYPED = re.compile(
    rf"(?<![\w-]){ARTICLE}(?P<type>{TYPE_ALT}|{PLURAL_ALT})\s+{QUALIFIER}{FR_OF}(?P<name>(?-i:{v.NAME}))",
    re.IGNORECASE,
)
ORDINAL_DISTRICT = re.compile(
    rf"(?<![\w-]){ARTICLE}(?P<full>(?P<num>\d{{1,2}})\s*(?:{lexicon.alternation('names', 'ordinal_suffix')})?\s+"
    rf"(?:{lexicon.alternation('names', 'ordinal_district')})\s+"
    rf"(?:{lexicon.alternation('names', 'ordinal_district_of')})\s+"
    rf"{ARTICLE}(?:(?:{lexicon.alternation('names', 'ordinal_town')})\s+"
    rf"(?:{lexicon.alternation('names', 'ordinal_town_of')})?)?"
    rf"(?P<name>(?-i:{v.NAME})))",
    re.IGNORECASE,
)
NAME_RE = re.compile(v.NAME)
# "Ursynów district of the City of Warsaw", "Masaya Department": a name followed by its type
POSTFIX_TYPED = re.compile(
    rf"(?P<name>(?-i:{v.NAME}))\s+(?P<type>{lexicon.alternation('names', 'postfix_type')})\b"
    r"(?!\s+(?:of|de|van)\b\s+(?-i:[a-z]))",
    re.IGNORECASE,
)
CONJUNCTION = lexicon.alternation("names", "conjunction")
ENUM_SEP = re.compile(rf"^\s*(?:,\s*(?:(?:{CONJUNCTION})\s+)?|(?:{CONJUNCTION}|&)\s+|/\s*)", re.IGNORECASE)
LOCATION_AFTER = re.compile(
    rf"^\s*(?:,\s*)?(?:(?:{lexicon.alternation('names', 'location_after_preposition')})\s+"
    rf"(?:{lexicon.alternation('names', 'location_after_article')})?|"
    r"\(\s*(?:[^(),]{1,40},\s*)?|[,–—-]\s+)"
    rf"(?P<country>(?-i:{v.NAME}))\s*\)?",
    re.IGNORECASE,
)
WORD = re.compile(r"[\w'’-]+")
HEADING_RELATION = re.compile(
    rf"\b(?:{lexicon.alternation('names', 'relation')})\s+{ARTICLE}(?P<name>(?-i:{v.NAME}))\s*(?:\(|$)", re.IGNORECASE
)
RELATION_BEFORE = re.compile(
    rf"\b(?:{lexicon.alternation('names', 'relation')}|{lexicon.alternation('names', 'relation_between')})"
    r"\s+(?:de\s+|la\s+|le\s+|l['’]|het\s+|the\s+)?$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“«(]?[A-ZÀ-Ý0-9])")
YEAR_ONLY = re.compile(r"\b(?:1[89]|20)\d\d\b")
# An abbreviation or a day's number before a period is short; a longer word ends a sentence.
WORD_BEFORE_PERIOD = 40
# A date alone as a sentence is short: "Samedi 28 septembre 2019." is 26 characters.
MAX_DATE_SENTENCE = 32
FRENCH_EN = re.compile(r"\ben\s+$", re.IGNORECASE)
TYPE_BEFORE = re.compile(rf"(?:{TYPE_ALT}|{PLURAL_ALT})\s+{QUALIFIER}{FR_OF}$", re.IGNORECASE)
TYPE_WORD_PREFIX = re.compile(rf"^(?:{ARTICLE})(?:{TYPE_ALT})\s+{QUALIFIER}{FR_OF}", re.IGNORECASE)
KEEP_TYPE_IN_NAME = {"region", "province", "district"}


@dataclass(frozen=True)
class Mention:
    name: str
    partner_type: str
    start: int
    end: int
    country: str = ""  # explicitly given with the mention: "X in Marokko", "X (Maroc)"
    typed: bool = False


@dataclass(frozen=True)
class DateHit:
    year: int
    date: str
    start: int


def _ends_sentence(text: str, period: int, next_start: int) -> bool:
    """Does the period at `period` end a sentence? Not after an initial or a title ("M. Lambert",
    "Dr. Müller"), an abbreviation ("St. Gallen", "ca. 1990"), or a day's ordinal number
    before a month ("am 3. Oktober 1988")."""
    if text[period] != ".":
        return True
    before = text[max(0, period - WORD_BEFORE_PERIOD) : period]  # a window: blocks can be long
    word = before.rsplit(None, 1)[-1].lstrip("(\"“«'") if before.strip() else ""
    if (len(word) == 1 and word.isalpha() and word.isupper()) or v.ABBREVIATION.match(word):
        return False
    following = text[next_start : next_start + 20].split(None, 1)
    return not (word.isdigit() and len(word) <= 2 and following and following[0].strip(".,").lower() in v.MONTHS)


def _only_a_date(sentence: str) -> bool:
    """ "14 juni 1996.", "Le 2 mars 1971 :", "03.05.1988.": a day's or a month's date standing
    alone as a sentence (a year alone, "Ook in 1985.", is not one)."""
    if len(sentence.strip()) > MAX_DATE_SENTENCE:
        return False
    if not all(w.lower() in v.MONTHS or len(w) <= 3 for w in re.findall(r"[^\W\d_]+", sentence)):
        return False
    return any(len(d.date) >= len("YYYY-MM") for d in dates_in(sentence, keep_dateline=True))


def split_sentences(text: str) -> list[str]:
    """The sentences of a block of prose. A date standing alone before a sentence that
    reports a signature ("14 juni 1996. De burgemeesters tekenden de oorkonde.") dates it: they
    stay one sentence."""
    out: list[str] = []
    start = 0
    for m in SENTENCE_END.finditer(text):
        if _ends_sentence(text, m.start() - 1, m.end()):
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    sentences = [s for s in out if s.strip()]
    for i in range(len(sentences) - 2, -1, -1):
        if _only_a_date(sentences[i]) and (
            v.SIGNED_NEAR_DATE.search(sentences[i + 1]) or v.SIGNING_NOW.search(sentences[i + 1])
        ):
            sentences[i : i + 2] = [f"{sentences[i]} {sentences[i + 1]}"]
    return sentences


def in_parentheses(text: str, pos: int) -> bool:
    """Is `pos` inside a parenthesis ("Bulle (canton de Fribourg, Suisse)")?"""
    before = text[:pos]
    return before.count("(") > before.count(")")


def clean_name(name: str) -> str:
    name = re.sub(r"\s*\(.*$", "", name)
    words = name.split()
    if len(words) > 1 and v.NATIONALITY_ADJECTIVE.match(words[0]):
        name = " ".join(words[1:])
    return name.strip(" .,;:-–—'’\"“”")


class Finder:
    """Finds mentions in strings with the help of the gazetteers."""

    def __init__(self, gazetteer: Gazetteer, own_names: tuple[str, ...] = (), lang: str = "") -> None:
        self.gaz = gazetteer
        self.own = {fold(n) for n in own_names if n}
        # French "en Bretagne" is a place; Dutch "en" is "and"
        self.locative_en = lang == "fr"

    # -- names -----------------------------------------------------------
    def is_own_commune(self, name: str) -> bool:
        key = fold(name)
        return any(key == own or own.startswith(key + " ") for own in self.own)

    def acceptable(self, name: str) -> bool:
        """Could `name` be a partner authority (not a country, not Belgian, not a common word)?"""
        words = name.split()
        if not words or len(name) < 3 or len(words) > 8 or not (name[0].isupper() or name[0].isdigit()):
            return False
        if all(v.NOT_A_NAME.match(w.strip(".,")) for w in words):
            return False
        if len(words) == 1 and (v.NOT_A_NAME.match(words[0]) or words[0].lower() in v.TYPE_WORDS):
            return False
        if self.gaz.country(name) or self.is_own_commune(name):
            return False
        if self.gaz.belgian_municipality(name) is not None:
            return False
        places = self.gaz.place(name)
        return not places or any(p.country_code != "BE" for p in places)

    @staticmethod
    def proper_name(name: str) -> bool:
        """Shaped like a place name: capitalised words (and joiners), no common word."""
        if not NAME_RE.fullmatch(name) or any(ch.isdigit() for ch in name):
            return False
        return not any(v.NOT_A_NAME.match(w) for w in name.split() if w[:1].isupper())

    def is_place(self, name: str) -> bool:
        return any(p.country_code != "BE" for p in self.gaz.place(name))

    def _location_after(self, text: str, end: int) -> tuple[str, int]:
        m = LOCATION_AFTER.match(text[end : end + 80])
        if m:
            code = self.gaz.country(self._trim_country(m.group("country")))
            if code:
                return code, end + m.end()
        return "", end

    def _trim_country(self, phrase: str) -> str:
        """Longest leading run of words that is a country ("Marokko sinds 2007" -> "Marokko")."""
        words = phrase.split()
        for n in range(len(words), 0, -1):
            if self.gaz.country(" ".join(words[:n])):
                return " ".join(words[:n])
        return phrase

    def _name_and_type(self, raw: str, type_word: str, joined: bool) -> tuple[str, str]:
        """Name and partner type; "Regio X"/"Provincie X" keep the type word as part of the
        name, "la province de X" and "the region of X" do not."""
        tw = type_word.lower()
        ptype = v.TYPE_WORDS.get(tw) or PLURAL_TYPES.get(tw, "other")
        name = clean_name(raw)
        if ptype in KEEP_TYPE_IN_NAME and tw in v.TYPE_WORDS and joined:
            name = f"{type_word[:1].upper()}{type_word[1:]} {name}"
        return name, ptype

    def typed_mentions(self, text: str) -> list[Mention]:
        """ "de stad X", "la commune de X", "the city of X", ordinal districts, and enumerations."""
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for m in ORDINAL_DISTRICT.finditer(text):
            full = clean_name(m.group("full"))
            country, end = self._location_after(text, m.end())
            if not self.is_own_commune(m.group("name")):
                found.append(Mention(full[:1].upper() + full[1:], "district", m.start("full"), end, country, True))
            taken.append((m.start(), m.end()))
        for m in v.NETWORK_INTRO.finditer(text):
            net = NAME_RE.match(text, m.end())
            if net and self.proper_name(clean_name(net.group(0))) and not self.gaz.country(net.group(0)):
                found.append(Mention(clean_name(net.group(0)), "network", net.start(), net.end(), typed=True))
                taken.append((net.start(), net.end()))
        for m in POSTFIX_TYPED.finditer(text):
            name = clean_name(m.group("name"))
            if self.acceptable(name) and not any(s <= m.start() < e for s, e in taken):
                ptype = v.TYPE_WORDS.get(m.group("type").lower(), "district")
                found.append(Mention(name, ptype, m.start(), m.end(), typed=True))
                taken.append((m.start(), m.end()))
        for m in TYPED.finditer(text):
            if any(s <= m.start("name") < e or s <= m.start() < e for s, e in taken):
                continue
            if self.is_locative(text, m.start(), typed=True):
                continue
            joined = not text[m.end("type") : m.start("name")].strip()
            name, ptype = self._name_and_type(m.group("name"), m.group("type"), joined)
            country, end = self._location_after(text, m.end("name"))
            bare = clean_name(m.group("name"))
            if self.acceptable(bare):
                found.append(Mention(name, ptype, m.start(), end, country, True))
            found.extend(self._enumeration(text, end, ptype))
        return found

    def _enumeration(self, text: str, pos: int, ptype: str) -> list[Mention]:
        """Names that continue a typed mention: "de gemeenten X in Marokko en Y in Senegal"."""
        out: list[Mention] = []
        while True:
            sep = ENUM_SEP.match(text[pos : pos + 12])
            if not sep:
                return out
            start = pos + sep.end()
            rest = text[start:]
            prefix = TYPE_WORD_PREFIX.match(rest)
            typed = prefix is not None
            offset = prefix.end() if prefix else len(re.match(ARTICLE, rest, re.IGNORECASE).group(0))  # type: ignore[union-attr]
            m = NAME_RE.match(rest, offset)
            if not m:
                return out
            raw = clean_name(m.group(0))
            country, end = self._location_after(text, start + m.end())
            sub_type = ptype
            if prefix:
                tw = prefix.group(0).split()[-2 if prefix.group(0).rstrip().endswith(("de", "of", "d'")) else -1]
                sub_type = v.TYPE_WORDS.get(tw.lower(), ptype)
            if not self.acceptable(raw) or not (typed or country or self.is_place(raw)):
                return out
            out.append(Mention(raw, sub_type, start, end, country, typed))
            pos = end

    def is_locative(self, text: str, start: int, typed: bool = False) -> bool:
        """Is the name at `start` a place where something is ("in de provincie X",
        "een van de gemeenten van X", "la métropole de X") rather than a partner?"""
        before = text[max(0, start - 40) : start]
        if v.LOCATIVE_BEFORE_TYPED.search(before) or (self.locative_en and FRENCH_EN.search(before)):
            return True
        stripped = TYPE_BEFORE.sub("", before)
        if stripped != before and v.LOCATIVE_BEFORE_TYPED.search(stripped):
            return True
        return not typed and bool(v.LOCATIVE_BEFORE_NAME.search(before))

    def located_mentions(self, text: str) -> list[Mention]:
        """Untyped names followed by a country: "Tulle (France)", "Fès au Maroc", "Lviv, Oekraïne"."""
        out = []
        for m in NAME_RE.finditer(text):
            name = clean_name(m.group(0))
            if in_parentheses(text, m.start()) or self.is_locative(text, m.start(), typed=True):
                continue
            country, end = self._location_after(text, m.end())
            if country and self.acceptable(name):
                out.append(Mention(name, self.place_type(name), m.start(), end, country))
        return out

    def gazetteer_mentions(self, text: str, prose: bool = False) -> list[Mention]:
        """Untyped names that the gazetteer knows as a foreign city or subdivision."""
        out = []
        for m in NAME_RE.finditer(text):
            if (prose and m.start() == 0) or self.is_locative(text, m.start()) or in_parentheses(text, m.start()):
                continue  # sentence-initial capitals are not names; "(Hessen)" qualifies a name
            name = clean_name(m.group(0))
            if self.acceptable(name) and self.is_place(name):
                out.append(Mention(name, self.place_type(name), m.start(), m.end()))
        return out

    def place_type(self, name: str) -> str:
        places = [p for p in self.gaz.place(name) if p.country_code != "BE"]
        if any(p.kind == "city" for p in places):
            return "city"
        if places:
            sub = places[0].subtype.lower()
            return "province" if "province" in sub or "prefecture" in sub else "region"
        return "other"

    def entity_mentions(self, text: str, spans: list[tuple[str, int, int]]) -> list[Mention]:
        """Place entities found by spaCy (NER or gazetteer ruler) that follow a relation word
        ("avec Tulle", "met Fès") or that the gazetteer knows as a foreign place."""
        out = []
        for ent_text, start, end in spans:
            if self.is_locative(text, start) or in_parentheses(text, start):
                continue
            longer = NAME_RE.match(text, start)  # "San Juan" is a region; "San Juan de Oriente" the name
            if longer and longer.end() > end:
                ent_text, end = longer.group(0), longer.end()
            name = clean_name(ent_text)
            if not self.acceptable(name):
                continue
            place = self.is_place(name)
            if place or RELATION_BEFORE.search(text[max(0, start - 16) : start]):
                country, end = self._location_after(text, end)
                out.append(Mention(name, self.place_type(name), start, end, country))
        return out

    def mentions(
        self,
        text: str,
        allow_untyped: bool,
        entity_spans: list[tuple[str, int, int]] | None = None,
        prose: bool = False,
    ) -> list[Mention]:
        """All partner mentions in a sentence, left to right, without overlaps."""
        found = self.typed_mentions(text) + self.located_mentions(text)
        if allow_untyped and entity_spans:
            found += self.entity_mentions(text, entity_spans)
        if allow_untyped:
            found += self.gazetteer_mentions(text, prose)
        found.sort(key=lambda mm: (mm.start, -(mm.end - mm.start), not mm.typed))
        out: list[Mention] = []
        for mm in found:
            if out and mm.start < out[-1].end:
                continue
            out.append(mm)
        return out

    # -- countries -----------------------------------------------------------
    def countries(self, text: str) -> list[tuple[str, int, int]]:
        """(code, start, end) of country names in text, longest first, no overlaps."""
        words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text)]
        out: list[tuple[str, int, int]] = []
        i = 0
        while i < len(words):
            for n in range(min(6, len(words) - i), 0, -1):
                first = words[i][0]
                if not first[:1].isupper() and n == 1:
                    break
                phrase = text[words[i][1] : words[i + n - 1][2]]
                code = self.gaz.countries.get(fold(phrase)) if first[:1].isupper() or n > 1 else None
                if code:
                    out.append((code, words[i][1], words[i + n - 1][2]))
                    i += n - 1
                    break
            i += 1
        return out

    def country_heading(self, text: str) -> str:
        """Country code when a heading is just a country name ("Marokko", "Republiek Bulgarije")."""
        stripped = text.strip(" :.-–")
        if len(stripped) > 60:
            return ""
        return self.gaz.country(stripped)


# -- attributes of a stretch of text ---------------------------------------------
@lru_cache(maxsize=2048)
def protocol_in(text: str) -> tuple[str, str] | None:
    """(protocol_type, the source's own words) for the first instrument named in text.
    Memoised: the deciders ask it of the same unit's text once per name in the unit."""
    best: tuple[int, str, re.Match[str]] | None = None
    for rank, (code, rx) in enumerate(v.PROTOCOL_RES):
        m = rx.search(text)
        if m and (best is None or rank < best[0]):
            best = (rank, code, m)
    if best is None:
        return None
    _, code, m = best
    return code, protocol_label(text, m.start(), m.end())


LABEL_HEAD = re.compile(
    rf"(?:{lexicon.alternation('labels', 'label_head')})\s+(?:{lexicon.alternation('labels', 'label_head_of')})\s+"
    rf"(?:{lexicon.alternation('labels', 'label_head_article')})?$",
    re.IGNORECASE,
)


def protocol_label(text: str, start: int, end: int) -> str:
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-'’"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "-"):
        end += 1
    head = LABEL_HEAD.search(text[max(0, start - 40) : start])
    if head:
        start = start - (len(text[max(0, start - 40) : start]) - head.start())
    tail = re.match(
        r"\s+(?:de|van|of|d['’])\s+(?:coop[ée]ration|samenwerking|jumelage|partenariat|"
        r"d[ée]veloppement|ontwikkelingssamenwerking|amiti[ée]|cooperation|partnership)\b",
        text[end : end + 40],
        re.IGNORECASE,
    )
    if tail:
        end += tail.end()
    return text[start:end].strip()


def spell_out_numbers(text: str, lang: str) -> str:
    """Number words to digits ("in tweeduizend negentien" -> "in 2019") with text2num."""
    if lang not in ("nl", "fr", "en", "de") or not v.YEAR_WORDS.search(text):
        return text
    from text_to_num import alpha2digit

    return str(alpha2digit(text, lang))


def dates_in(text: str, lang: str = "", keep_dateline: bool = False) -> list[DateHit]:
    """Dates and years in text (also written in words), most precise reading of each, by position."""
    if v.PAGE_DATE_LINE.search(text):
        return []
    text = spell_out_numbers(text, lang)
    dateline = None if keep_dateline else v.DATELINE_PREFIX.match(text)
    if dateline and v.SIGNING_NOW.search(text, dateline.end()) and not YEAR_ONLY.search(text, dateline.end()):
        dateline = None  # "14 juni 1996. De burgemeesters tekenden de oorkonde.": the signature's own date
    if dateline:  # the article's own date: blanked, offsets kept
        text = " " * dateline.end() + text[dateline.end() :]
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in v.DATE_PATTERNS:
        for m in rx.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            hit = _date_hit(kind, m)
            if hit:
                hits.append(hit)
                taken.append((m.start(), m.end()))
    return sorted(hits, key=lambda h: h.start)


def _date_hit(kind: str, m: re.Match[str]) -> DateHit | None:
    g = m.groups()
    try:
        if kind == "dmy_words":
            day, month, year = int(g[0]), v.MONTHS[g[1].lower()], int(g[2])
        elif kind == "mdy_words":
            month, day, year = v.MONTHS[g[0].lower()], int(g[1]), int(g[2])
        elif kind == "dmy_digits":
            day, month, year = int(g[0]), int(g[1]), int(g[2])
        elif kind == "iso":
            year, month, day = int(g[0]), int(g[1]), int(g[2])
        elif kind == "my_words":
            return DateHit(int(g[1]), f"{int(g[1]):04d}-{v.MONTHS[g[0].lower()]:02d}", m.start())
        else:
            return DateHit(int(m.group(0)), m.group(0), m.start())
    except KeyError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return DateHit(year, f"{year:04d}-{month:02d}-{day:02d}", m.start())


def start_dates_in(text: str, lang: str = "") -> list[DateHit]:
    """Dates that can be a start: not the one an end is dated by ("a pris fin en 2012")."""
    ends = [m.span() for rx in (v.ENDED, v.RENEWED, v.UNTIL) for m in rx.finditer(text)]

    def dates_the_end(d: DateHit) -> bool:
        for s, e in ends:
            if e <= d.start <= e + 12:
                return True
            if s - 40 <= d.start < s and not re.search(r"[,;:]", text[d.start : s]):
                return True
        return False

    def dates_an_event(d: DateHit) -> bool:
        """A visit, festivity or programme dates it, unless the sentence goes on to a
        signature ("am 4. Mai 1979 wurde bei einem Besuch der Delegation ... die Urkunde unterzeichnet")."""
        around = text[max(0, d.start - v.EVENT_WINDOW) : d.start + len(d.date) + v.EVENT_WINDOW_AFTER]
        if not v.EVENT_NEAR_DATE.search(around):
            return False
        after = re.split(r"[.;!?]\s", text[d.start + len(d.date) : d.start + len(d.date) + v.SIGNED_REACH], maxsplit=1)[
            0
        ]
        return not v.SIGNING_NOW.search(after)

    def dates_a_contact(d: DateHit) -> bool:
        start = max(text.rfind(c, 0, d.start) for c in ",;.")
        ends = [i for i in (text.find(c, d.start + len(d.date)) for c in ",;.") if i >= 0]
        return bool(v.FIRST_CONTACT.search(text[start + 1 : min(ends, default=len(text))]))

    return [
        d for d in dates_in(text, lang) if not dates_the_end(d) and not dates_an_event(d) and not dates_a_contact(d)
    ]


def best_start_date(text: str, dates: list[DateHit]) -> DateHit:
    """Of several dates in one text, the one a signature or a start is dated by
    ("1990 trafen sich die Vereine zum ersten Mal; 1993 wurde die Urkunde unterzeichnet"
    gives 1993), else the first."""
    for d in dates:
        around = text[max(0, d.start - v.EVENT_WINDOW) : d.start + len(d.date) + v.EVENT_WINDOW]
        if v.SIGNED_NEAR_DATE.search(around):
            return d
    return dates[0]


def domains_in(text: str, lang: str = "") -> set[str]:
    """Domain codes stated in `text`, in the wording of `lang` (lexicon: data/lexicon/domains.toml)."""
    return lexicon.domains_in(text, lang)


def status_in(text: str) -> str:
    if v.ENDED.search(text):
        return "ended"
    if v.PLANNED.search(text):
        return "planned"
    return ""
