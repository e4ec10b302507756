"""The key under which spellings of one partner meet: "het 7de District van Stad Boedapest"
and "7e district van de stad Boedapest" are one partner on a page (extraction) and one
row in the dataset (merge, partnership ids)."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.knowledge import vocab as v
from pipeline.knowledge.gazetteer import fold

KEY_PUNCT = re.compile(r"[^\w\s]")
KEY_ORDINAL = re.compile(r"^(\d+)(?:e|de|ste|eme|er|th|st|nd|rd)$")


@lru_cache(maxsize=1)
def _key_drop_words() -> frozenset[str]:
    return frozenset(
        {
            "de",
            "het",
            "la",
            "le",
            "les",
            "l",
            "the",
            "van",
            "of",
            "du",
            "des",
            "d",
            "von",
            "der",
            "stedelijke",
            "landelijke",
            "urbaine",
            "rurale",
        }
        | {fold(w) for w in v.TYPE_WORDS}
    )


def partner_key(name: str) -> str:
    """Merge key: folded name without articles, type words, punctuation and ordinal suffixes."""
    drop = _key_drop_words()
    words = (KEY_ORDINAL.sub(r"\1", w) for w in KEY_PUNCT.sub(" ", fold(name)).split())
    return " ".join(w for w in words if w not in drop) or fold(name)
