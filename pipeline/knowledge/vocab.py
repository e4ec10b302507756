"""How partnership pages are written: the project's vocabularies, in one place.

The wording (instrument, partnership, status and date words, type words, words that
are never a name, locatives, label words) is data: per-language lists in
pipeline/data/lexicon/*.toml (see pipeline/data/README.md), compiled here by
pipeline/knowledge/lexicon.py into the patterns the rest of the package imports. Adding a
synonym or a language is a change of those files, not of this module.

What stays in code are shapes, not wording: what a name looks like (UPPER, NAME_WORD,
NAME_JOINER, NAME, NATIONALITY_ADJECTIVE), how dates are written (YEAR, DATE_PATTERNS,
DATELINE_PREFIX), the address shape of CONTACT_LINE, FORMULA_LABEL, and the templates
that put a category's words in their slots (NETWORK_INTRO, LOCATIVE_BEFORE_*,
LABEL_LINE). Patterns are matched case-insensitively on text unless said otherwise.
"""

from __future__ import annotations

import re

from pipeline.knowledge.lexicon import alternation, ordered, pattern, word_map

# --- instruments (CONTRACT.md protocol_type) ------------------------------
# Order matters: the first type whose pattern matches a label wins, so the more
# specific instruments come before the generic ones (instruments.toml's `order`).
PROTOCOL_PATTERNS: tuple[tuple[str, str], ...] = tuple(
    (code, alternation("instruments", code)) for code in ordered("instruments")
)
PROTOCOL_RES = tuple((code, re.compile(rx, re.IGNORECASE)) for code, rx in PROTOCOL_PATTERNS)

# A stedenband (Flemish city link) is development cooperation with the Global South,
# a twinning elsewhere.
STEDENBAND = pattern("partnership", "stedenband")

# Page gate: a page that never uses this wording is not about partnerships, and is not
# searched for partners at all (most pages of a site; also what keeps the NLP cheap).
PARTNERSHIP_PAGE = pattern("partnership", "partnership_page")

# Generic cooperation vocabulary: a sentence needs some to state a partnership.
COOPERATION = pattern("partnership", "cooperation")

# --- status ------------------------------------------------------------------
# "stopgezet", "a pris fin", and "einde van de verbroedering": head, "of", article, object.
ENDED = re.compile(
    rf"{alternation('status', 'ended')}|"
    rf"(?:{alternation('status', 'ended_head')}) (?:{alternation('status', 'ended_of')}) "
    rf"(?:(?:{alternation('status', 'ended_article')}) )?(?:{alternation('status', 'ended_object')})",
    re.IGNORECASE,
)
# A renewal is not when the partnership started: "convention renouvelée le 14 mars 2022".
RENEWED = pattern("status", "renewed")
PLANNED = pattern("status", "planned")

# --- partner types -------------------------------------------------------------
# Words that introduce an authority, mapped to CONTRACT.md partner_type.
TYPE_WORDS: dict[str, str] = word_map("names", "type_words")
# "het netwerk X", "Platform X": a text that opens with these names a network.
NETWORK_WORDS = re.compile(
    rf"^(?:(?:{alternation('partnership', 'network_article')}) )?(?:{alternation('partnership', 'network_words')})\b",
    re.IGNORECASE,
)

# --- names ---------------------------------------------------------------------
UPPER = r"A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
NAME_WORD = rf"(?:[{UPPER}][\w’'\-.]*[\w]|[{UPPER}]|\d+(?:e|de|ste|ème|er|th|nd|rd|st)?)"
# lower-case words that may stand inside a name: "Aïn Beni Mathar", "Sidi ben Nour", "Villa de Leyva"
NAME_JOINER = (
    r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|el|al|ben|bin|ibn|sur|sous|am|an|im|upon|on|ten|ter|op|aan|bij"
    r"|van|von|der|den|y)"
)
NAME = rf"{NAME_WORD}(?:[ \-](?:{NAME_JOINER}[ \-])*{NAME_WORD}){{0,5}}"

# Capitalised words that are never a partner on their own.
NOT_A_NAME = re.compile(rf"^(?:{alternation('names', 'not_a_name')})$", re.IGNORECASE)

# Month and weekday abbreviations of datelines ("01 Jun '24", "Mo 3. Mai"), never names.
MONTH_ABBREVIATION = re.compile(rf"^(?:{alternation('dates', 'month_abbreviation')})\.?$", re.IGNORECASE)

# --- dates -----------------------------------------------------------------------
MONTHS: dict[str, int] = word_map("dates", "months")
ABBREVIATION = re.compile(rf"^(?:{alternation('names', 'abbreviations')})$", re.IGNORECASE)
MONTH = "|".join(sorted((m.strip() for m in MONTHS), key=len, reverse=True))
YEAR = r"(?:1[89]\d\d|20\d\d)"
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy_words", re.compile(rf"\b(\d{{1,2}})(?:e|er|ste|de|th|st|nd|rd|\.)?\s+({MONTH})\s+({YEAR})\b", re.IGNORECASE)),
    ("mdy_words", re.compile(rf"\b({MONTH})\s+(\d{{1,2}})(?:th|st|nd|rd)?,?\s+({YEAR})\b", re.IGNORECASE)),
    ("dmy_digits", re.compile(rf"\b(\d{{1,2}})[./-](\d{{1,2}})[./-]({YEAR})\b")),
    ("iso", re.compile(rf"\b({YEAR})-(\d{{2}})-(\d{{2}})\b")),
    ("my_words", re.compile(rf"\b({MONTH})\s+({YEAR})\b", re.IGNORECASE)),
    ("year", re.compile(rf"(?<![\d.,/-]){YEAR}(?![\d/]|[.,]\d)")),
)
# A date that opens a text dates the article ("date 2019-07 ...", "11 juli 2019 ...",
# "12.03.2020 –"): a publication date, not a partnership year.
DATELINE_PREFIX = re.compile(
    rf"^\s*(?:date\s+)?(?:{YEAR}-\d{{2}}(?:-\d{{2}})?|\d{{1,2}}[./-]\d{{1,2}}[./-](?:{YEAR}|\d{{2}})|"
    rf"\d{{1,2}}\.?\s+(?:{MONTH})\.?\s+{YEAR}|(?:{MONTH})\s+\d{{1,2}},?\s+{YEAR})\b",
    re.IGNORECASE,
)
# Words that make a nearby year the year of something else: an anniversary, a visit, a
# festivity, a law, a programme phase, a foundation, an election.
EVENT_NEAR_DATE = pattern("dates", "event_near_date")
# How far (characters) before and after a year such a word makes it an event's year
# (set on the team's pages; "in 2015 werd in onze stad 10 jaar verbroedering gevierd" needs
# 40 after).
EVENT_WINDOW = 30
EVENT_WINDOW_AFTER = 40
# A signature or decision this many characters after an event's date, in the same sentence,
# makes the date the signature's (verb-final clauses: "am 4. Mai 1979 wurde bei einem Besuch
# der Delegation in der Partnerstadt die Urkunde unterzeichnet" puts the verb some 80
# characters on).
SIGNED_REACH = 100
# Words that date a signature or a start: the year beside them is the partnership's.
SIGNED_NEAR_DATE = pattern("dates", "signed_near_date")

# Lines that merely date the page itself.
PAGE_DATE_LINE = pattern("dates", "page_date_line")

# Address and contact lines ("Grote Markt 1, 1800 Vilvoorde", "Place X 1 - 1300 Wavre").
CONTACT_LINE = re.compile(
    r"(?<![\d+.])\b[1-9]\d{3}\s+[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý(][\w'’)-]*)?\s*(?:$|[|·•,–-])"
    r"|(?i:(?:straat|laan|plein|steenweg|markt|dreef|\brue|\bavenue|\bchauss[ée]e|\bboulevard|street|\broad)\b)"
    r"[^.]{0,30}\b\d{1,4}\b",
)
# Number words that may spell a year ("tweeduizend negentien", "deux mille dix-neuf").
YEAR_WORDS = pattern("dates", "year_words")
# A spreadsheet formula pasted into a page: the partner is its visible label.
FORMULA_LABEL = re.compile(r'^=\s*HYPERLINK\(\s*"[^"]*"\s*[,;]\s*"([^"]*)"\s*\)', re.IGNORECASE)

# Label lines: "Protocol: ...", "Actiedomeinen : ...", "Toetreding: in 2014".
LABEL_LINE = re.compile(
    rf"^\s*(?P<label>{alternation('labels', 'label_line')})\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)

# "respectivement depuis 2005, 2009 et 2013": values given in the order of the partners.
RESPECTIVELY = pattern("dates", "respectively")
UNTIL = pattern("dates", "until")
SIGNING_NOW = pattern("dates", "signing_now")
FIRST_CONTACT = pattern("dates", "first_contact")
# Words before a name that make it a place where something is, not a partner:
# "in de provincie Nador", "een van de gemeenten van Kinshasa", "la métropole de Lyon".
LOCATIVE_BEFORE_TYPED = re.compile(
    rf"\b(?:{alternation('names', 'locative_typed_preposition')})\s+"
    rf"(?:{alternation('names', 'locative_typed_article')})?"
    rf"(?:[a-zà-ÿ-]{{3,}}\s+(?:{alternation('names', 'locative_typed_of')})?)?$"
    rf"|\b(?:{alternation('names', 'one_of')})\s+(?:{alternation('names', 'one_of_of')})\s+"
    rf"(?:{alternation('names', 'one_of_article')})?(?:\d+\s+)?$",
    re.IGNORECASE,
)
LOCATIVE_BEFORE_NAME = re.compile(
    rf"\b(?:{alternation('names', 'locative_name_preposition')})\s*"
    rf"(?:{alternation('names', 'locative_name_article')})?$",
    re.IGNORECASE,
)
# Nationality adjectives written before a name: "het Duitse Lüdenscheid", "de Oekraïense stad".
NATIONALITY_ADJECTIVE = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:se|sche|ische)$")

# Joining a network: "trad toe tot Energy Cities", "adhère à Energy Cities", "joined Eurocities".
NETWORK_INTRO = re.compile(
    rf"\b(?:{alternation('partnership', 'network_intro')})\s+"
    rf"(?:{alternation('partnership', 'network_intro_article')})?"
    rf"(?:(?:(?:{alternation('partnership', 'network_intro_adjective')})\s+)?"
    rf"(?:{alternation('partnership', 'network_intro_noun')})\s+)?",
    re.IGNORECASE,
)
