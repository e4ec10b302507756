"""Per-language word lists kept as data under pipeline/data/lexicon/, compiled once.

- instruments.toml, partnership.toml, status.toml, dates.toml, names.toml, labels.toml,
  crawl.toml: per category, one list of regular-expression fragments per language (`nl`,
  `fr`, `de`, `en`, and `any` for what they share). `alternation()` joins a category's
  languages into one alternation, `pattern()` compiles it; knowledge/vocab.py builds the project's
  patterns from them. `word_map()` reads tables of words to a value (type words, months).
- cues.toml, domains.toml: see cues() and domain_patterns(); domains_not.toml and
  domains_context.toml: see domain_exclusions() and domain_context().
- nationality.csv: adjectives of nationality (stems) in nl, fr, de and en, to the ISO
  code of their country: "de Duitse stad", "la commune allemande", "der kongolesischen
  Stadt", "the German town of" all say DE.
- vehicle_codes.csv: the international vehicle registration codes pages use as country
  abbreviations after a name: "AUBENAS (F)", "SIERRE (CH)".

Adding a language or a synonym is a change of these files, not of the code.
"""

from __future__ import annotations

import csv
import logging
import re
import tomllib
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pipeline.knowledge.gazetteer import fold

log = logging.getLogger(__name__)

LANGS = ("nl", "fr", "de", "en")
# The keys a category of a TOML lexicon may hold: its languages and what they share.
LIST_KEYS = (*LANGS, "any")
# An inflected adjective is its stem plus at most this many letters ("duits" -> "Duitse",
# "kongolesisch" -> "kongolesischen", "marocain" -> "marocaines").
MAX_INFLECTION = 3


def _rows(name: str) -> list[dict[str, str]]:
    data = resources.files("pipeline").joinpath(f"data/lexicon/{name}")
    with data.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def nationality_stems() -> dict[str, str]:
    """Folded adjective stem -> ISO country code (all four languages together)."""
    stems: dict[str, str] = {}
    for row in _rows("nationality.csv"):
        for lang in LANGS:
            for stem in row[lang].split("|"):
                if stem:
                    stems.setdefault(fold(stem), row["country_code"])
    return stems


def nationality_country(word: str) -> str:
    """ISO code of the country an adjective of nationality names ("Duitse" -> DE), or ''."""
    key = fold(word)
    stems = nationality_stems()
    for cut in range(MAX_INFLECTION + 1):
        stem = key[: len(key) - cut] if cut else key
        if len(stem) >= 4 and stem in stems:
            return stems[stem]
    return ""


@lru_cache(maxsize=1)
def vehicle_codes() -> dict[str, str]:
    return {row["code"]: row["country_code"] for row in _rows("vehicle_codes.csv")}


@lru_cache(maxsize=1)
def cues() -> dict[str, dict[str, list[str]]]:
    """cues.toml: {category: {language: [word or "re:pattern"]}}."""
    import tomllib

    data = resources.files("pipeline").joinpath("data/lexicon/cues.toml")
    with data.open("rb") as fh:
        return tomllib.load(fh)


def _alternative(entry: str) -> str:
    if entry.startswith("re:"):
        return entry[3:]
    return r"\s+".join(re.escape(word) for word in entry.split())


@cache
def cue_pattern(category: str, anchor: str = "") -> re.Pattern[str]:
    """One regex for a category, all languages: `anchor` "$" matches a cue that ends where
    the text ends (the words just before a name), "" anywhere on word boundaries."""
    entries = sorted({e for words in cues()[category].values() for e in words}, key=len, reverse=True)
    alternatives = "|".join(_alternative(e) for e in entries)
    tail = r"\s*$" if anchor == "$" else r"(?!\w)"
    return re.compile(rf"(?<!\w)(?:{alternatives}){tail}", re.IGNORECASE)


def _patterns_by_code(name: str) -> dict[str, dict[str, re.Pattern[str]]]:
    """A TOML lexicon of [code] tables of per-language entry lists, compiled:
    {code: {language or "any": pattern}}."""
    with resources.files("pipeline").joinpath(f"data/lexicon/{name}").open("rb") as fh:
        table = tomllib.load(fh)
    return {
        code: {
            lang: re.compile("|".join(f"(?:{e})" for e in entries), re.IGNORECASE)
            for lang, entries in langs.items()
            if entries
        }
        for code, langs in table.items()
    }


@lru_cache(maxsize=1)
def domain_patterns() -> dict[str, dict[str, re.Pattern[str]]]:
    """domains.toml compiled: {domain code: {language or "any": pattern}}."""
    return _patterns_by_code("domains.toml")


@lru_cache(maxsize=1)
def domain_exclusions() -> dict[str, dict[str, re.Pattern[str]]]:
    """domains_not.toml compiled: {domain code: {language or "any": pattern}}: wording that
    holds a domain's words without stating it ("interculturele", "Communauté économique européenne")."""
    return _patterns_by_code("domains_not.toml")


@cache
def domain_context(category: str, lang: str = "") -> re.Pattern[str]:
    """A category of domains_context.toml compiled for `lang` (with `any`; every language
    when unknown): `suggestion`, a sentence proposing what partners could do ("kunnen er
    ook ..."), which states none of their domains; `elsewhere`, the words before a town
    that put what a sentence tells in that town ("une école construite à X")."""
    data = resources.files("pipeline").joinpath("data/lexicon/domains_context.toml")
    with data.open("rb") as fh:
        table = tomllib.load(fh)
    entries = [e for key, words in table[category].items() if key in (lang, "any") or lang not in LANGS for e in words]
    return re.compile("|".join(f"(?:{e})" for e in entries) or "(?!)", re.IGNORECASE)  # none: matches nothing


def domains_in(text: str, lang: str = "") -> set[str]:
    """The domain codes `text` states, with the wording of `lang` (every language when unknown)."""
    found: set[str] = set()
    if domain_context("suggestion", lang).search(text):
        return found
    exclusions = domain_exclusions()
    for code, by_lang in domain_patterns().items():
        patterns = [p for key, p in by_lang.items() if key in (lang, "any") or lang not in LANGS]
        masked = text
        for p in exclusions.get(code, {}).values():
            masked = p.sub(lambda m: " " * len(m.group(0)), masked)
        if any(p.search(masked) for p in patterns):
            found.add(code)
    return found


class LexiconError(ValueError):
    """A lexicon file that does not have the documented shape (pipeline/data/README.md)."""


@cache
def table(area: str) -> dict[str, Any]:
    """data/lexicon/<area>.toml, parsed (tables keep the order the file gives them)."""
    data = resources.files("pipeline").joinpath(f"data/lexicon/{area}.toml")
    with data.open("rb") as fh:
        parsed = tomllib.load(fh)
    log.debug("lexicon %s: %d categories", area, len(parsed))
    return parsed


def _category(area: str, category: str) -> dict[str, Any]:
    try:
        entries = table(area)[category]
    except KeyError:
        raise LexiconError(f"data/lexicon/{area}.toml has no [{category}]") from None
    if not isinstance(entries, dict):
        raise LexiconError(f"data/lexicon/{area}.toml: {category} is not a table")
    unknown = [key for key in entries if key not in LIST_KEYS]
    if unknown:
        raise LexiconError(
            f"data/lexicon/{area}.toml [{category}]: unknown language(s) {', '.join(unknown)} "
            f"(expected {', '.join(LIST_KEYS)})"
        )
    return entries


def entries(area: str, category: str, lang: str = "") -> list[str]:
    """A category's entries: those of `lang` (with `any`), or of every language when `lang`
    is empty, languages in the order the file lists them, each entry once."""
    out: list[str] = []
    for key, words in _category(area, category).items():
        if lang and key not in (lang, "any"):
            continue
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise LexiconError(f"data/lexicon/{area}.toml [{category}] {key}: expected a list of non-empty strings")
        out.extend(w for w in words if w not in out)
    return out


def alternation(area: str, category: str, lang: str = "") -> str:
    """A category's entries as one regex alternation (not grouped: wrap it in (?:...))."""
    return "|".join(entries(area, category, lang))


@cache
def pattern(area: str, category: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """A category compiled, all languages: matches wherever one of its entries does."""
    return re.compile(by_first_letter(alternation(area, category), flags), flags)


# --------------------------------------------------------------------------- alternations
def _structure(source: str) -> list[tuple[int, str]] | None:
    """The positions of the pattern's parentheses and bars outside character classes and
    escapes; None for a pattern with groups that capture or refer back."""
    found: list[tuple[int, str]] = []
    in_class, i = False, 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            if source[i + 1 : i + 2].isdigit() or source[i + 1 : i + 2] == "g":
                return None  # a back reference
            i += 1
        elif in_class:
            in_class = ch != "]" or (source[i - 1] in "[^" and source.rfind("[", 0, i) >= i - 2)
        elif ch == "[":
            in_class = True
        elif ch == "(" and (
            source[i + 1 : i + 2] != "?"
            or (source[i + 2 : i + 3] in ("P", "<") and source[i + 2 : i + 4] not in ("<=", "<!"))
        ):
            return None  # a capturing group, named or not, or a named back reference
        elif ch in "()|":
            found.append((i, ch))
        i += 1
    return found


def _alternatives(source: str) -> list[str] | None:
    """The top-level alternatives of a pattern (None: see _structure)."""
    structure = _structure(source)
    if structure is None:
        return None
    out: list[str] = []
    depth = start = 0
    for i, ch in structure:
        if ch == "|" and depth == 0:
            out.append(source[start:i])
            start = i + 1
        depth += {"(": 1, ")": -1}.get(ch, 0)
    return [*out, source[start:]]


def _flat(alternative: str, depth: int = 0) -> list[str]:
    """`alternative` with a leading, unquantified `(?:a|b)` group spelled out: "(?:a|b)c"
    is "ac|bc", tried in the same order."""
    if not alternative.startswith("(?:") or depth > 3:
        return [alternative]
    level = 0
    for i, ch in _structure(alternative) or ():
        level += {"(": 1, ")": -1}.get(ch, 0)
        if level == 0:
            rest = alternative[i + 1 :]
            inner = _alternatives(alternative[3:i])
            if inner is None or rest[:1] in ("?", "*", "+", "{"):
                return [alternative]
            return [flat for a in inner for flat in _flat(a + rest, depth + 1)]
    return [alternative]


def by_first_letter(source: str, flags: int = 0) -> str:
    """The same pattern, its alternatives grouped behind their first letter: "ab|ac|d"
    becomes "a(?:b|c)|d". Python's regular expressions try every alternative at every
    position of the text; grouped, one group per position (the partnership wording over
    the real pages: 0.96 s, grouped 0.15 s). It matches what `source` matches, and where
    several alternatives match at one position the same one wins: alternatives with
    different first letters never match at the same position, those with the same one
    keep their order, and an alternative that does not start with a plain letter or digit
    (ASCII when the case is ignored) stays where it is, between the groups of the
    alternatives before it and those after it. A pattern with a capturing group or a back
    reference is left as it is."""
    alternatives = _alternatives(source)
    if alternatives is None or len(alternatives) < 2:
        return source
    out: list[str] = []
    groups: dict[str, list[str]] = {}
    for alternative in (flat for a in alternatives for flat in _flat(a)):
        first, after = alternative[:1], alternative[1:2]
        if not first.isalnum() or after in ("?", "*", "+", "{") or (flags & re.IGNORECASE and not first.isascii()):
            out += [f"{key}(?:{'|'.join(tails)})" for key, tails in groups.items()]
            out.append(alternative)
            groups = {}
            continue
        groups.setdefault(first.lower() if flags & re.IGNORECASE else first, []).append(alternative[1:])
    out += [f"{key}(?:{'|'.join(tails)})" for key, tails in groups.items()]
    return "|".join(out)


def word_map(area: str, category: str) -> dict[str, Any]:
    """A table of words to values per language ([category.nl] word = value ...), merged
    in the order the file lists the languages; a word two languages share keeps the first."""
    merged: dict[str, Any] = {}
    for key, words in _category(area, category).items():
        if not isinstance(words, dict):
            raise LexiconError(f"data/lexicon/{area}.toml [{category}.{key}]: expected a table of words")
        for word, value in words.items():
            merged.setdefault(word, value)
    return merged


def ordered(area: str) -> list[str]:
    """The categories of an area in the order its top-level `order` list gives (the order
    in which they are tried), each checked to exist."""
    order = table(area).get("order")
    if not isinstance(order, list):
        raise LexiconError(f"data/lexicon/{area}.toml has no order list")
    for category in order:
        _category(area, category)
    return list(order)
