"""Stage 0, crawl: a polite focused crawler from the crawl registry (`communes.csv`) to WARC snapshots.

For each commune: its start URLs, robots.txt and the sitemaps it lists, then the
in-site links whose URL or anchor text point at international cooperation, their
sub-pages and their other-language versions (hreflang), up to a depth and a page
limit per site. Who does what:

- urllib3 (trafilatura's HTTP library): pooling, connect/read timeouts, retries with
  exponential backoff on connection errors, 429 and 5xx, Retry-After honoured (capped),
  streamed bodies cut off at max_bytes;
- protego: robots.txt (RFC 9309 matching, Crawl-delay, Sitemap lines);
- trafilatura's SitemapObject: sitemap parsing; courlan: URL normalisation and the
  file-extension filter; lxml: links with their anchor text;
- pipeline.stages.s1_ingest.warc_reader (warcio): WARC snapshots and the index for conditional requests.

Here: one request at a time per host, `delay` (or Crawl-delay) seconds apart;
redirects followed by hand (at most 5, http/https only, never https -> http, off the
site only from a start URL) with robots.txt checked at every hop; only 200
text/html and text/plain bodies kept; a 304 keeps the previous snapshot.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from urllib.parse import urldefrag, urljoin, urlsplit

from courlan.filters import extension_filter
from lxml import etree
from lxml import html as lxml_html
from protego import Protego
from trafilatura.sitemaps import DETECT_SITEMAP_LINK, SitemapObject

from pipeline.crawl.fetch import (
    MAX_REDIRECTS,
    REDIRECTS,
    CrawlSettings,
    Fetcher,
    FetchError,
    Response,
    Skipped,
    archive_headers,
    redirect_target,
)
from pipeline.crawl.options import DEFAULT_USER_AGENT
from pipeline.crawl.registry import (
    Source,
    SourcesError,
    is_relevant,
    is_subpage,
    load_sources,
    origin,
    site_key,
    url_key,
)
from pipeline.crawl.warc_writer import IndexEntry, SnapshotIndex, SnapshotWriter
from pipeline.stages.s1_ingest.files import is_inside
from pipeline.stages.s1_ingest.warc_reader import (
    IDENTICAL_PROFILE,
    NOT_MODIFIED_PROFILE,
    READ_ERRORS,
    WARC_SUBDIR,
    read_record_body,
)

log = logging.getLogger(__name__)

MAX_SITEMAPS = 5
# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Link:
    """A link of a page: absolute URL, anchor text (with title and image alt texts)."""

    url: str
    text: str
    alternate: bool = False  # the same page in another language (hreflang)


def extract_links(body: bytes, base_url: str) -> list[Link]:
    """Absolute links of an HTML page with their anchor text; <link rel=alternate hreflang> too."""
    try:
        doc = lxml_html.document_fromstring(body)
        doc.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    except (etree.ParserError, ValueError) as exc:
        log.debug("%s: no links (%s)", base_url, exc)
        return []
    out: list[Link] = []
    for el in doc.iter("a", "area", "link"):
        href = (el.get("href") or "").strip()
        if not href:
            continue
        if el.tag == "link":
            if "alternate" in (el.get("rel") or "").lower().split() and el.get("hreflang"):
                out.append(Link(href, "", alternate=True))
            continue
        parts = [el.text_content() if el.tag == "a" else "", el.get("title"), el.get("aria-label")]
        parts += [img.get("alt") for img in el.iter("img")]
        out.append(Link(href, " ".join(" ".join(p for p in parts if p).split()), alternate=bool(el.get("hreflang"))))
    return out


class _Sitemap(SitemapObject):
    """trafilatura's sitemap parser, keeping the links `keep` accepts (IP hosts work too)."""

    def __init__(self, base_url: str, urls: list[str], keep: Callable[[str], bool]) -> None:
        super().__init__(base_url, "", urls)
        self.keep = keep

    def handle_link(self, link: str) -> None:
        link = urldefrag(urljoin(self.current_url, link.strip()))[0]
        if link != self.current_url and self.keep(link):
            (self.sitemap_urls if DETECT_SITEMAP_LINK.search(link) else self.urls).append(link)


def _unzip(body: bytes, limit: int) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            return fh.read(limit)
    except (OSError, EOFError) as exc:
        log.info("gzipped sitemap unreadable: %s", exc)
        return b""


# --------------------------------------------------------------------------- the crawl


@dataclass
class CrawlFailure:
    """A URL the crawl could not fetch or keep, and why."""

    url: str
    commune_nis: str
    message: str


@dataclass
class CrawlSummary:
    """What one crawl did; `failures` lists the URLs counted in `errors`."""

    fetched: int = 0  # 200 pages received and kept
    not_modified: int = 0  # 304 answers to conditional requests
    skipped_robots: int = 0
    skipped_type: int = 0  # 200 answers of another content type (PDF, images, ...)
    errors: int = 0
    snapshots_written: int = 0  # WARC response records (bodies) written
    requests: int = 0  # requests made (urllib3's retries not counted)
    warc_file: str = ""
    failures: list[CrawlFailure] = field(default_factory=list)
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def add(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def fail(self, url: str, nis: str, message: str) -> None:
        log.warning("%s (%s): %s", url, nis or "-", message)
        with self._lock:
            self.errors += 1
            self.failures.append(CrawlFailure(url, nis, message))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _Run:
    """What the site crawls of one run share: HTTP, robots rules, sitemaps, archive, summary."""

    def __init__(self, raw_dir: Path, settings: CrawlSettings) -> None:
        self.raw_dir, self.settings = Path(raw_dir), settings
        self.fetcher = Fetcher(settings)
        self.index = SnapshotIndex(self.raw_dir)
        self.writer = SnapshotWriter(
            self.raw_dir,
            {
                "software": "partnership-pipeline crawler (warcio)",
                "format": "WARC File Format 1.0",
                "http-header-user-agent": settings.user_agent,
                "robots": "obey",
            },
        )
        self.summary = CrawlSummary()
        self._cache: dict[tuple[str, str], object] = {}
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}

    def _once(self, what: str, key: str, compute: Callable[[str], object]) -> object:
        """compute(key) once per run, whichever site asks first."""
        with self._guard:
            lock = self._locks.setdefault((what, key), threading.Lock())
        with lock:
            if (what, key) not in self._cache:
                self._cache[(what, key)] = compute(key)
            return self._cache[(what, key)]

    def robots(self, url: str) -> Protego | None:
        """The robots.txt rules of url's origin; None: nothing may be fetched there."""
        rules = self._once("robots", origin(url), self._load_robots)
        return rules if isinstance(rules, Protego) else None

    def allowed(self, url: str) -> bool:
        rules = self.robots(url)
        return rules is not None and bool(rules.can_fetch(url, self.settings.user_agent))

    def _load_robots(self, key: str) -> Protego | None:
        url = f"{key}/robots.txt"
        try:
            status, body = self.resource(url, "robots", check_robots=False)
        except FetchError as exc:
            self.summary.fail(url, "", f"robots.txt unreachable, nothing fetched from {key}: {exc}")
            return None
        if 400 <= status < 500:  # RFC 9309: unavailable, so everything is allowed
            return Protego.parse("")
        if status != 200:
            self.summary.fail(url, "", f"robots.txt answered HTTP {status}, nothing fetched from {key}")
            return None
        rules = Protego.parse(body.decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.settings.user_agent) or 0.0
        if delay > self.settings.max_crawl_delay:
            self.summary.fail(
                url,
                "",
                f"Crawl-delay {delay} s is over our limit of "
                f"{self.settings.max_crawl_delay} s, nothing fetched from {key}",
            )
            return None
        self.fetcher.throttle.ask((urlsplit(key).hostname or "").lower(), float(delay))
        return rules

    def sitemap_urls(self, url: str) -> list[str]:
        """Page URLs of the same site listed in the sitemaps of url's origin (robots.txt's or a guess)."""
        found = self._once("sitemap", origin(url), self._load_sitemaps)
        return list(found) if isinstance(found, list) else []

    def _load_sitemaps(self, key: str) -> list[str]:
        rules = self.robots(key)
        if rules is None:
            return []
        listed = [urljoin(key + "/", u) for u in rules.sitemaps] or [f"{key}/sitemap.xml"]
        sitemap = _Sitemap(key, listed, lambda u: site_key(u) == site_key(key))
        while sitemap.sitemap_urls and len(sitemap.seen) < MAX_SITEMAPS:
            sitemap.current_url = sitemap.sitemap_urls.pop()
            sitemap.seen.add(sitemap.current_url)
            try:
                status, body = self.resource(sitemap.current_url, "sitemap", check_robots=True)
            except FetchError as exc:
                log.info("%s: sitemap not read: %s", sitemap.current_url, exc)
                continue
            if status == 200:
                sitemap.content = _unzip(body, self.settings.max_bytes).decode("utf-8", errors="replace")
                sitemap.process()
            sitemap.sitemap_urls = [u for u in sitemap.sitemap_urls if u not in sitemap.seen]
        return list(dict.fromkeys(sitemap.urls))

    def resource(self, url: str, kind: str, *, check_robots: bool) -> tuple[int, bytes]:
        """GET robots.txt or a sitemap (any type), following redirects; body kept in the index."""
        for _hop in range(MAX_REDIRECTS + 1):
            if check_robots and not self.allowed(url):
                raise FetchError(f"{url}: disallowed by robots.txt")
            entry = self.index.usable(url, (kind,))
            headers = entry.validators() if entry else {}
            response = self.fetcher.get(url, headers, accept=None)
            if response.status in REDIRECTS:
                url = redirect_target(response)
                continue
            if response.status == 304 and headers and entry is not None and entry.body is not None:
                return 200, entry.body  # the copy kept in the index
            if response.status == 200:
                self.index.put(
                    IndexEntry(
                        url,
                        kind,
                        response.header("ETag"),
                        response.header("Last-Modified"),
                        body=response.body,
                        checked_at=_now(),
                    )
                )
            return response.status, response.body
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def close(self) -> None:
        self.writer.close()
        self.index.close()
        self.summary.requests = self.fetcher.requests
        self.summary.warc_file = str(self.writer.path or "")


@dataclass
class _Task:
    url: str
    depth: int
    relevant: bool  # reached through a cooperation keyword (or below such a page)
    start: bool = False


class _SiteCrawl:
    """The crawl of one commune's site(s), from its start URLs."""

    def __init__(self, run: _Run, sources: list[Source]) -> None:
        self.run, self.settings, self.summary = run, run.settings, run.summary
        self.nis = sources[0].nis
        self.keys = {site_key(s.url) for s in sources}
        self.queue = deque(_Task(s.url, 0, False, start=True) for s in sources)
        self.seen = {url_key(s.url) for s in sources}

    def contains(self, url: str) -> bool:
        return urlsplit(url).scheme.lower() in ("http", "https") and site_key(url) in self.keys

    def crawl(self) -> None:
        """Crawl the site; an unexpected error stops this site only, recorded in the summary."""
        try:
            self._crawl()
        except Exception as exc:  # one site's failure must not stop the others
            log.exception("%s: crawl stopped", self.nis)
            self.summary.fail(
                self.queue[0].url if self.queue else "", self.nis, f"crawl stopped: {type(exc).__name__}: {exc}"
            )

    def _crawl(self) -> None:
        deadline = time.monotonic() + self.settings.site_time_limit
        for start in [task.url for task in self.queue]:
            for url in self.run.sitemap_urls(start):
                if is_relevant(url):
                    self._enqueue(url, 1, True)
        pages = 0
        while self.queue and pages < self.settings.max_pages_per_site:
            if time.monotonic() > deadline:
                self.summary.fail(self.queue[0].url, self.nis, "site time limit reached, stopped")
                return
            pages += 1
            self._visit(self.queue.popleft())
        if self.queue:
            log.info("%s: page limit of %d reached, %d URLs left", self.nis, pages, len(self.queue))

    def _enqueue(self, url: str, depth: int, relevant: bool) -> None:
        key = url_key(url)
        if key in self.seen or depth > self.settings.max_depth or not self.contains(url):
            return
        if not extension_filter(urlsplit(url).path.lower()):
            log.debug("%s: not a web page by its extension, not fetched", url)
            return
        self.seen.add(key)
        self.queue.append(_Task(url, depth, relevant))

    def _visit(self, task: _Task) -> None:
        try:
            fetched = self._fetch(task)
        except FetchError as exc:
            self.summary.fail(task.url, self.nis, str(exc))
            return
        if fetched is None:
            return
        body, mime = self._keep(*fetched)
        if body is None or mime != "text/html":
            return
        url = fetched[0].url
        for link in extract_links(body, url):
            if link.alternate:
                self._enqueue(link.url, task.depth, task.relevant)
            elif is_relevant(link.url, link.text) or (task.relevant and is_subpage(link.url, url)):
                self._enqueue(link.url, task.depth + 1, True)

    def _fetch(self, task: _Task) -> tuple[Response, IndexEntry | None] | None:
        """GET a page, following redirects within the rules; None if not to be fetched."""
        url = task.url
        for _hop in range(MAX_REDIRECTS + 1):
            if not self.run.allowed(url):
                log.info("%s: disallowed by robots.txt, not fetched", url)
                self.summary.add("skipped_robots")
                return None
            entry = self.run.index.usable(url, ("page", "skipped"))
            headers = entry.validators() if entry else {}
            try:
                response = self.run.fetcher.get(url, headers)
            except Skipped as exc:
                self._skipped(url, exc)
                return None
            if response.status not in REDIRECTS:
                return response, entry
            target = redirect_target(response)
            if task.start:
                self.keys.add(site_key(target))
            elif not self.contains(target):
                raise FetchError(f"redirect to {target} leaves the site, not followed")
            if url_key(target) in self.seen and url_key(target) != url_key(task.url):
                log.debug("%s: redirects to %s, already queued", url, target)
                return None
            self.seen.add(url_key(target))
            url = target
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _skipped(self, url: str, exc: Skipped) -> None:
        """Remember a skipped answer's validators so that the next run asks conditionally."""
        response = exc.response
        self.run.index.put(
            IndexEntry(
                url,
                "skipped",
                response.header("ETag"),
                response.header("Last-Modified"),
                note=str(exc),
                checked_at=_now(),
            )
        )
        if exc.kind == "type":
            log.info("%s: %s", url, exc)
            self.summary.add("skipped_type")
        else:
            self.summary.fail(url, self.nis, str(exc))

    def _keep(self, response: Response, entry: IndexEntry | None) -> tuple[bytes | None, str]:
        """Archive a 200, or turn a 304 into the previous body: the body and its type."""
        if (
            response.status == 200
            and entry is not None
            and entry.kind == "page"
            and entry.sha256 == hashlib.sha256(response.body).hexdigest()
        ):
            self.summary.add("fetched")  # the same bytes again: a revisit, no new body
            return self._revisit(response, entry, IDENTICAL_PROFILE), response.mime
        if response.status == 200:
            ref = self.run.writer.write_response(
                response.url,
                response.status_line,
                archive_headers(response.headers),
                response.body,
                response.fetched_at,
                self.nis,
            )
            self.run.index.put(
                IndexEntry(
                    response.url,
                    "page",
                    response.header("ETag"),
                    response.header("Last-Modified"),
                    ref.warc_path,
                    ref.offset,
                    ref.record_id,
                    ref.warc_date,
                    ref.sha256,
                    self.nis,
                    content_type=response.mime,
                    checked_at=_now(),
                )
            )
            self.summary.add("fetched")
            self.summary.add("snapshots_written")
            return response.body, response.mime
        if response.status == 304 and entry is not None and entry.validators():
            self.summary.add("not_modified")
            if entry.kind != "page":
                return None, ""
            return self._revisit(response, entry), entry.content_type
        self.summary.fail(response.url, self.nis, f"HTTP {response.status_line}")
        return None, ""

    def _revisit(self, response: Response, entry: IndexEntry, profile: str = NOT_MODIFIED_PROFILE) -> bytes | None:
        """Point a body-less revisit record at the previous snapshot; its body, if readable."""
        try:
            body = read_record_body(self.run.raw_dir / entry.warc_path, entry.record_offset)
        except READ_ERRORS as exc:
            entry.etag, entry.last_modified, entry.sha256 = "", "", ""  # fetch in full next time
            self.run.index.put(entry)
            self.summary.fail(response.url, self.nis, f"previous snapshot unreadable: {exc}")
            return None
        self.run.writer.write_revisit(
            response.url,
            response.status_line,
            archive_headers(response.headers),
            entry.snapshot,
            response.fetched_at,
            self.nis,
            profile,
        )
        entry.etag = response.header("ETag") or entry.etag
        entry.last_modified = response.header("Last-Modified") or entry.last_modified
        entry.checked_at = _now()
        self.run.index.put(entry)
        return body


def crawl(
    sources: list[Source],
    raw_dir: Path,
    *,
    delay: float = 3.0,
    max_pages_per_site: int = 50,
    max_depth: int = 3,
    user_agent: str = DEFAULT_USER_AGENT,
    timeout: tuple[float, float] = (5.0, 20.0),
    max_bytes: int = 5_000_000,
    retries: int = 3,
    backoff: float = 1.0,
    max_retry_after: float = 120.0,
    workers: int = 4,
    site_time_limit: float = 1800.0,
) -> CrawlSummary:
    """Crawl every commune's site into one new WARC file under raw_dir/warc/.

    Sites are crawled `workers` at a time; requests to one host go one at a time, `delay`
    (or robots.txt's Crawl-delay) seconds apart. See CrawlSettings for the limits.
    """
    settings = CrawlSettings(
        delay=delay,
        max_pages_per_site=max_pages_per_site,
        max_depth=max_depth,
        user_agent=user_agent,
        timeout=timeout,
        max_bytes=max_bytes,
        retries=retries,
        backoff=backoff,
        max_retry_after=max_retry_after,
        workers=workers,
        site_time_limit=site_time_limit,
    )
    by_commune: dict[str, list[Source]] = {}
    for source in sources:
        by_commune.setdefault(source.nis, []).append(source)
    run = _Run(Path(raw_dir), settings)
    try:
        with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
            for future in [pool.submit(_SiteCrawl(run, group).crawl) for group in by_commune.values()]:
                future.result()
    finally:
        run.close()
    summary = run.summary
    log.info(
        "crawl: %d fetched, %d not modified, %d disallowed, %d skipped, %d errors, %d requests",
        summary.fetched,
        summary.not_modified,
        summary.skipped_robots,
        summary.skipped_type,
        summary.errors,
        summary.requests,
    )
    return summary


# --------------------------------------------------------------------------- CLI


def snapshot_dir_problem(raw_dir: Path) -> str | None:
    """Why the crawl must not write its snapshots under raw_dir, or None. `run` follows no
    symlink out of its input directory (see ingest), so snapshots written through a symlink
    pointing outside --raw would never be read: the crawler refuses such a folder."""
    folder = Path(raw_dir) / WARC_SUBDIR
    if folder.is_symlink() and not is_inside(folder, Path(raw_dir)):
        return (
            f"{folder}: a symlink to {os.path.realpath(folder)}, outside {raw_dir}; `run` does not follow "
            f"symlinks out of its input directory, so snapshots written there would never be read"
        )
    return None


def run_crawl(args: argparse.Namespace) -> int:
    """Crawl from parsed arguments: 0 done, 1 nothing could be fetched, 2 bad input."""
    if args.delay < 0 or args.max_pages < 1 or args.max_depth < 0 or args.crawl_sites < 1 or args.max_bytes < 1:
        log.error("--delay and --max-depth must be >= 0, --max-pages, --max-bytes and --sites-at-once >= 1")
        return 2
    try:
        sources = load_sources(args.registry)
    except SourcesError as exc:
        log.error("%s", exc)
        return 2
    if args.commune:
        sources = [s for s in sources if s.nis in set(args.commune)]
    if not sources:
        log.error("%s: no start URLs to crawl", args.registry)
        return 2
    problem = snapshot_dir_problem(args.raw)
    if problem:
        log.error("%s", problem)
        return 2
    summary = crawl(
        sources,
        args.raw,
        delay=args.delay,
        max_pages_per_site=args.max_pages,
        max_depth=args.max_depth,
        user_agent=args.user_agent,
        max_bytes=args.max_bytes,
        workers=args.crawl_sites,
    )
    return 0 if summary.fetched + summary.not_modified else 1
