"""The pre-filter: can a decoded page hold partnership wording at all?

A page that never uses partnership wording cannot yield a row: the extraction's own page
gate (`s5_extract.mentions_page`) searches `vocab.PARTNERSHIP_PAGE` in the main-text blocks
and gives up on a page where it finds nothing. `may_state_partnership` asks the same
question of the whole decoded page, before the HTML parse, trafilatura, language
identification, the commune stage and NLP, so that the pages of a site that are not about
partnerships (most of them) cost a decode and one pattern search.

It must let through every page the gate lets through (a superset), so it reads a view of
the page that contains every block's text, in order, with nothing inserted inside a
block and whitespace at least as loose as the blocks':

- markup goes (`MARKUP`): comments and the raw text of <script>/<style>, which the block
  walk drops, and every tag, without a trace, so inline tags join words as in the blocks
  ("jumel<b>age</b>"); removing a block tag joins two blocks, which can only add matches;
- entities are decoded (lxml decodes them for the blocks);
- the pattern's spaces match any run of whitespace, or none (`loose_pattern`): the blocks
  collapse whitespace and split glued words ("twinTown" -> "twin Town", `blocks.GLUED`);
- case is folded on the text (`fold_case`), not in the pattern: a case-insensitive
  search with fifty alternatives costs some 4 ms on a 160 KB page, the same search of
  the lower-cased text about 0.6 ms (measured on ../shared/realworld-html).

`tests/test_prefilter.py` checks the superset property on the team's fixture pages, and
that a run gives the same candidates with and without the pre-filter.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from pipeline.knowledge.lexicon import by_first_letter
from pipeline.knowledge.vocab import PARTNERSHIP_PAGE

# Comments, <script>/<style> with their raw text, and tags. The raw-text loops are unrolled
# ("[^<]*(?:<(?!/script)[^<]*)*": runs of anything but "<", and a "<" only where no end tag
# starts) rather than lazy (".*?</script"), which tried the end tag at every character: half
# the bytes of real pages are scripts and styles, and this pass took 0.48 s of the 98 MB
# real-pages corpus, now 0.24 s, with the same output on every page of it.
MARKUP = re.compile(
    r"<(?:!--[^-]*(?:-(?!->)[^-]*)*-->"
    r"|script\b[^>]*>[^<]*(?:<(?!/script)[^<]*)*</script[^>]*>"
    r"|style\b[^>]*>[^<]*(?:<(?!/style)[^<]*)*</style[^>]*>"
    r"|/?[A-Za-z!?][^>]*>)",
    re.IGNORECASE,
)
# Characters that a case-insensitive search equates with an ASCII letter but that str.lower()
# does not map to it: dotless i, long s; "İ".lower() is "i" + U+0307 (combining dot above),
# whose dot goes.
CASE_EXTRA = str.maketrans({"ı": "i", "ſ": "s", "\u0307": None})
ESCAPE = re.compile(r"\\.")


def fold_case(text: str) -> str:
    """Lower case, with the few extra equivalences of a case-insensitive search."""
    low = text.lower()
    if not low.isascii() and ("ı" in low or "ſ" in low or "\u0307" in low):
        low = low.translate(CASE_EXTRA)
    return low


def loose_pattern(source: str) -> str:
    """`source` with every literal space outside a character class made `\\s*`, and every
    class holding a space made `(?:[the class without the space]|\\s*)`."""
    out: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            out.append(source[i : i + 2])
            i += 2
        elif ch == "[":
            end = i + 1
            while end < len(source) and (source[end] != "]" or end == i + 1 or source[end - 1] == "\\"):
                end += 1
            body = source[i + 1 : end]
            if " " in body and not body.startswith("^"):
                rest = body.replace(" ", "")
                out.append(f"(?:[{rest}]|\\s*)" if rest else r"\s*")
            else:
                out.append(source[i : end + 1])
            i = end + 1
        elif ch == " ":
            out.append(r"\s*")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern[str], bool]:
    """(the loose pattern, whether it runs on case-folded text); a pattern with upper-case
    letters of its own keeps the case-insensitive flag instead."""
    source = loose_pattern(PARTNERSHIP_PAGE.pattern)
    lower_only = not any(ch.isupper() for ch in ESCAPE.sub("", PARTNERSHIP_PAGE.pattern))
    flags = PARTNERSHIP_PAGE.flags & ~re.IGNORECASE if lower_only else PARTNERSHIP_PAGE.flags
    return re.compile(by_first_letter(source, flags), flags), lower_only


def visible_text(text: str, media_type: str) -> str:
    """A decoded page's characters as the pre-filter reads them (markup out, entities decoded)."""
    if media_type == "html":
        return html.unescape(MARKUP.sub("", text))
    return text


def may_state_partnership(text: str, media_type: str) -> bool:
    """False only for a page whose text cannot contain the extraction's partnership wording."""
    pattern, folded = _compiled()
    view = visible_text(text, media_type)
    return bool(pattern.search(fold_case(view) if folded else view))
