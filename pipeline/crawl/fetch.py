"""HTTP for the crawler: politeness (one request at a time per host, delays), retries with
backoff honouring Retry-After, timeouts, streamed bodies with a size limit, redirects
returned for the crawler to check, never followed blindly. urllib3 does the HTTP.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import urllib3
from urllib3.util import Retry

from pipeline.crawl.options import DEFAULT_USER_AGENT

PAGE_TYPES = frozenset({"text/html", "text/plain"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
READ_CHUNK = 65536  # bytes asked of the socket per read; a read returns whatever has arrived

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlSettings:
    """The politeness and limits of one crawl (crawl()'s keyword arguments)."""

    delay: float = 3.0
    max_pages_per_site: int = 50
    max_depth: int = 3
    user_agent: str = DEFAULT_USER_AGENT
    timeout: tuple[float, float] = (5.0, 20.0)  # connect, read
    max_bytes: int = 5_000_000
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_retry_after: float = 120.0
    max_crawl_delay: float = 60.0  # a robots.txt asking more than this: site not crawled
    fetch_time_limit: float = 120.0  # per response body, however slowly it trickles in
    site_time_limit: float = 1800.0
    workers: int = 4


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    """One HTTP answer; `body` is set for a kept 200 only."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}".strip()

    @property
    def mime(self) -> str:
        return self.header("Content-Type").split(";", 1)[0].strip().lower()


class FetchError(Exception):
    """A URL that could not be fetched; the message says why."""


class Skipped(FetchError):
    """A 200 not kept (kind 'type' or 'size'); its headers still serve as validators."""

    def __init__(self, message: str, response: Response, kind: str) -> None:
        super().__init__(message)
        self.response, self.kind = response, kind


class _Retry(Retry):
    """urllib3's Retry whose first retry waits too: backoff, then 2x, 4x ... (capped)."""

    def get_backoff_time(self) -> float:
        n = len(self.history)
        return 0.0 if n == 0 else float(min(self.backoff_max, self.backoff_factor * 2 ** (n - 1)))


class HostThrottle:
    """At most one request at a time per host, `delay` (or a larger Crawl-delay) seconds apart."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next: dict[str, float] = {}
        self._asked: dict[str, float] = {}

    def ask(self, host: str, seconds: float) -> None:
        """A larger delay for one host (robots.txt's Crawl-delay), from now on."""
        with self._guard:
            self._asked[host] = max(seconds, self._asked.get(host, 0.0))
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            with self._guard:
                wait = self._next.get(host, 0.0) - time.monotonic()
            time.sleep(max(0.0, wait))
            try:
                yield
            finally:
                with self._guard:
                    gap = max(self.delay, self._asked.get(host, 0.0))
                    self._next[host] = time.monotonic() + gap


class Fetcher:
    """One GET at a time per host through the throttle; redirects are returned, not followed."""

    def __init__(self, settings: CrawlSettings) -> None:
        self.settings = settings
        self.throttle = HostThrottle(settings.delay)
        retry = _Retry(
            total=settings.retries,
            connect=settings.retries,
            read=min(1, settings.retries),
            status=settings.retries,
            other=0,
            redirect=False,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=settings.backoff,
            backoff_max=60,
            raise_on_status=False,
            respect_retry_after_header=True,
            retry_after_max=int(settings.max_retry_after),
        )
        connect, read = settings.timeout
        self.pool = urllib3.PoolManager(
            num_pools=64, retries=retry, timeout=urllib3.Timeout(connect=connect, read=read)
        )
        self.headers = {
            "User-Agent": settings.user_agent,
            "Accept-Encoding": "identity",
            "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1",
        }
        self.requests = 0
        self._count = threading.Lock()

    def get(
        self, url: str, headers: dict[str, str] | None = None, accept: frozenset[str] | None = PAGE_TYPES
    ) -> Response:
        """GET url; only a 200 gets a body, and only of an `accept`ed type within max_bytes."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: only http and https URLs are fetched")
        with self.throttle.slot(parts.hostname.lower()):
            with self._count:
                self.requests += 1
            try:
                raw = self.pool.request(
                    "GET", url, headers={**self.headers, **(headers or {})}, redirect=False, preload_content=False
                )
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise FetchError(f"request failed: {exc}") from exc
            complete = False
            try:
                response = Response(url, raw.status, raw.reason or "", list(raw.headers.iteritems()))
                if raw.status == 200:
                    if accept is not None and response.mime not in accept:
                        raise Skipped(f"content type {response.mime or '(none)'} not kept", response, "type")
                    response.body = self._body(raw, response)
                    complete = True
                return response
            finally:
                if not complete:  # unread body: drop the connection rather than download it
                    raw.close()
                raw.release_conn()

    def _body(self, raw: urllib3.BaseHTTPResponse, response: Response) -> bytes:
        """The body, at most max_bytes, within fetch_time_limit seconds however slowly it comes
        (with or without a Content-Length): a watchdog shuts the socket down at the deadline,
        which ends a read blocked on a trickling server."""
        limit = self.settings.max_bytes
        declared = response.header("Content-Length").strip()
        if declared.isdigit() and int(declared) > limit:
            raise Skipped(f"body of {declared} bytes is over the {limit} byte limit", response, "size")
        seconds = self.settings.fetch_time_limit
        expired = threading.Event()
        watchdog = threading.Timer(seconds, _cut, args=(raw, expired))
        watchdog.daemon = True
        watchdog.start()
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := raw.read1(READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Skipped(f"body over the {limit} byte limit, stopped reading", response, "size")
                if expired.is_set():
                    break
                chunks.append(chunk)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if expired.is_set():
                raise FetchError(f"body took over {seconds:g} s, stopped reading") from exc
            raise FetchError(f"reading the body failed: {exc}") from exc
        finally:
            watchdog.cancel()
        if expired.is_set():
            raise FetchError(f"body took over {seconds:g} s, stopped reading")
        return b"".join(chunks)


def _cut(raw: urllib3.BaseHTTPResponse, expired: threading.Event) -> None:
    """The body's time is up: shut its socket down so that a blocked read returns at once."""
    expired.set()
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError as exc:  # already closed: the read has ended anyway
        log.debug("shutting down a slow body's socket: %s", exc)


def redirect_target(response: Response) -> str:
    """Where a redirect points, if it may be followed (http/https, never https -> http)."""
    location = response.header("Location").strip()
    if not location:
        raise FetchError(f"HTTP {response.status} without a Location header")
    target = urldefrag(urljoin(response.url, location))[0]
    scheme, before = urlsplit(target).scheme.lower(), urlsplit(response.url).scheme.lower()
    if scheme not in ("http", "https") or (before == "https" and scheme == "http"):
        raise FetchError(f"redirect to {target} refused: only to https, or http from http")
    return target


def archive_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers stored with a body that urllib3 de-chunked (or decompressed, if it had to)."""
    encoded = any(k.lower() == "content-encoding" and v.strip().lower() not in ("", "identity") for k, v in headers)
    renamed = {"transfer-encoding"} | ({"content-encoding", "content-length"} if encoded else set())
    return [(f"X-Archive-Orig-{k}" if k.lower() in renamed else k, v) for k, v in headers]
