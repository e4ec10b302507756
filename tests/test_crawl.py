"""The crawler against a real HTTP server on 127.0.0.1 (tests/crawlsite/): no test touches the internet.

The fixture site has a home page whose menu links to a French cooperation page (with a
sub-page and a Dutch version), a page only listed in the sitemap, a robots.txt that
disallows /prive/, a permanent redirect, a page that answers 500 then 200, a 429 with
Retry-After, a slow page past the read timeout, two 20 MB pages, two PDFs, an off-site
link and a mailto link. Every page has an ETag and Last-Modified and answers 304 to a
matching conditional request. The server logs every request it gets.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.crawl.crawler import (
    CrawlSummary,
    crawl,
    extract_links,
    run_crawl,
)
from pipeline.crawl.fetch import (
    CrawlSettings,
    Fetcher,
    FetchError,
    Response,
    Skipped,
    redirect_target,
)
from pipeline.crawl.options import DEFAULT_USER_AGENT, add_crawl_arguments
from pipeline.crawl.registry import Source, is_relevant, site_key
from pipeline.models import Document
from pipeline.stages.s1_ingest import lookup, warc_files
from pipeline.stages.s1_ingest.files import iter_documents
from pipeline.stages.s1_ingest.warc_reader import (
    COMMUNE_FIELD,
    iter_warc_documents,
    sha256_label,
)

SITE = Path(__file__).parent / "crawlsite"
NIS, COMMUNE = "21009", "Elsene"
LAST_MODIFIED = "Mon, 06 Jan 2025 10:00:00 GMT"
SLOW_SECONDS = 2.0
BIG_BYTES = 20 * 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FAST: dict[str, Any] = {"delay": 0.0, "timeout": (1.0, 0.5), "max_bytes": 1_000_000, "retries": 2, "backoff": 0.05}
STATIC = {
    "/": "index.html",
    "/nl/": "nl/index.html",
    "/fr/jumelages": "fr/jumelages.html",
    "/fr/jumelages/tulle": "fr/jumelages/tulle.html",
    "/nl/stedenbanden": "nl/stedenbanden.html",
    "/fr/jumelages-historique": "fr/jumelages-historique.html",
    "/fr/liens": "fr/liens.html",
    "/fr/cooperation-decentralisee": "fr/cooperation-decentralisee.html",
    "/fr/solidarite-internationale": "fr/solidarite-internationale.html",
    "/fr/partner-cities": "fr/partner-cities.html",
    "/fr/actualites": "fr/actualites.html",
    "/fr/jumelage-photos": "fr/jumelages.html",
    "/prive/jumelages-brouillon": "prive/jumelages-brouillon.html",
    "/robots.txt": "robots.txt",
    "/sitemap.xml": "sitemap.xml",
    "/fr/jumelage-sans-cache": "fr/jumelages/tulle.html",
}
NO_VALIDATORS = "/fr/jumelage-sans-cache"  # answers 200 with the same bytes, no ETag or Last-Modified
FIRST_FAILS = {"/fr/solidarite-internationale": (500, {}), "/fr/partner-cities": (429, {"Retry-After": "1"})}
REDIRECTS = {
    "/ancien-jumelage": (301, "/fr/jumelages-historique"),
    "/vers-ftp": (302, "ftp://127.0.0.1/j"),
    "/vers-ailleurs": (302, "{offsite}/jumelages"),
}
BIG = {"/fr/jumelages-archive-complete": False, "/fr/jumelages-gros": True}  # path: sends Content-Length
PDFS = ("/fr/telecharger-charte", "/docs/charte-jumelage.pdf")
# what a crawl from the home page must keep, and what it must never ask for
EXPECTED = {
    "/",
    "/nl/",
    "/fr/jumelages",
    "/fr/jumelages/tulle",
    "/nl/stedenbanden",
    "/fr/jumelages-historique",
    "/fr/cooperation-decentralisee",
    "/fr/solidarite-internationale",
    "/fr/partner-cities",
}
NEVER = {"/prive/jumelages-brouillon", "/fr/actualites", "/nl/nieuws", "/docs/charte-jumelage.pdf"}


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    start: float
    end: float = 0.0
    status: int = 0

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


@dataclass
class FixtureSite:
    """The fixture site on a free port of 127.0.0.1, with a log of every request."""

    offsite: str = "http://127.0.0.1:9"
    partner: FixtureSite | None = None  # the off-site server, when there is one
    crawl_delay: float | None = None
    robots_status: int = 200
    hits: list[Hit] = field(default_factory=list)
    aborted: set[str] = field(default_factory=set)
    max_inflight: int = 0
    _inflight: int = 0
    _counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"site": self}))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def body(self, path: str) -> bytes:
        text = (SITE / STATIC[path]).read_text(encoding="utf-8")
        delay = "" if self.crawl_delay is None else f"Crawl-delay: {self.crawl_delay}"
        text = text.replace("{{base}}", self.base).replace("{{offsite}}", self.offsite)
        return text.replace("{{crawl_delay}}", delay).encode("utf-8")

    def begin(self, path: str, headers: dict[str, str]) -> tuple[Hit, int]:
        with self._lock:
            hit = Hit(path, headers, time.monotonic())
            self.hits.append(hit)
            self._counts[path] += 1
            self._inflight += 1
            self.max_inflight = max(self.max_inflight, self._inflight)
            return hit, self._counts[path]

    def end(self, hit: Hit, status: int) -> None:
        with self._lock:
            hit.end, hit.status = time.monotonic(), status
            self._inflight -= 1

    def paths(self, since: int = 0) -> list[str]:
        return [h.path for h in self.hits[since:]]


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        return

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        hit, count = self.site.begin(path, {k.lower(): v for k, v in self.headers.items()})
        status = -1
        try:
            status = self._route(path, count)
        except (BrokenPipeError, ConnectionResetError):
            self.site.aborted.add(path)
        finally:
            self.site.end(hit, status)

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status

    def _not_modified(self, etag: str) -> bool:
        match = self.headers.get("If-None-Match")
        if match:
            return etag in [t.strip() for t in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        return since is not None and parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)

    def _route(self, path: str, count: int) -> int:
        site = self.site
        if path == "/robots.txt" and site.robots_status != 200:
            return self._send(site.robots_status, b"no robots here", {"Content-Type": "text/plain"})
        if path in FIRST_FAILS and count == 1:
            status, headers = FIRST_FAILS[path]
            return self._send(status, b"try again later", {"Content-Type": "text/plain", **headers})
        if path.startswith("/boucle/"):
            return self._send(302, b"", {"Location": f"/boucle/{int(path.rsplit('/', 1)[1]) + 1}"})
        if path in REDIRECTS:
            status, target = REDIRECTS[path]
            return self._send(status, b"", {"Location": target.replace("{offsite}", site.offsite)})
        if path == "/fr/jumelage-photos":
            time.sleep(SLOW_SECONDS)
        if path in BIG:
            return self._big(BIG[path])
        if path in PDFS:
            return self._static(PDF, "application/pdf")
        if path not in STATIC:
            return self._send(404, b"not found", {"Content-Type": "text/plain"})
        kind = {".txt": "text/plain", ".xml": "application/xml"}.get(Path(STATIC[path]).suffix, "text/html")
        return self._static(site.body(path), f"{kind}; charset=utf-8")

    def _static(self, body: bytes, content_type: str) -> int:
        if urlsplit(self.path).path == NO_VALIDATORS:
            return self._send(200, body, {"Content-Type": content_type})
        validators = {"ETag": f'"{hashlib.sha1(body).hexdigest()[:16]}"', "Last-Modified": LAST_MODIFIED}
        if self._not_modified(validators["ETag"]):
            return self._send(304, b"", validators)
        return self._send(200, body, {"Content-Type": content_type, **validators})

    def _big(self, with_length: bool) -> int:
        if self._not_modified('"big"'):
            return self._send(304, b"", {"ETag": '"big"'})
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("ETag", '"big"')
        if with_length:
            self.send_header("Content-Length", str(BIG_BYTES))
        self.end_headers()
        chunk = b"<p>" + b"jumelage " * 7000 + b"</p>\n"
        for _ in range(BIG_BYTES // len(chunk)):
            self.wfile.write(chunk)
        return 200


def _records(paths: list[Path], kind: str) -> list[tuple[dict[str, str], bytes]]:
    """(WARC header fields plus 'HTTP-Status', body) of the records of one type."""
    out = []
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == kind:
                    fields = dict(record.rec_headers.headers)
                    fields["HTTP-Status"] = record.http_headers.get_statuscode()
                    out.append((fields, record.content_stream().read()))
    return out


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    offsite = FixtureSite()
    served = FixtureSite(offsite=offsite.base, partner=offsite)
    yield served
    served.stop()
    offsite.stop()


@dataclass
class TwoRuns:
    site: FixtureSite
    offsite: FixtureSite
    raw: Path
    first: CrawlSummary
    second: CrawlSummary
    first_hits: int
    first_warcs: list[Path]
    second_warcs: list[Path]
    seconds: float


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRuns]:
    """Crawl the fixture site twice from its home page, the second time unchanged."""
    offsite = FixtureSite()
    served = FixtureSite(offsite=offsite.base)
    raw = tmp_path_factory.mktemp("raw")
    sources = [Source(NIS, COMMUNE, served.base + "/", "fr")]
    began = time.monotonic()
    first = crawl(sources, raw, **FAST)
    seconds = time.monotonic() - began
    first_hits, first_warcs = len(served.hits), warc_files(raw)
    second = crawl(sources, raw, **FAST)
    second_warcs = [p for p in warc_files(raw) if p not in first_warcs]
    yield TwoRuns(served, offsite, raw, first, second, first_hits, first_warcs, second_warcs, seconds)
    served.stop()
    offsite.stop()


# --------------------------------------------------------------------------- first run


def test_fetches_the_cooperation_pages_and_their_other_language_versions(runs: TwoRuns) -> None:
    kept = {_path(h["WARC-Target-URI"]) for h, _ in _records(runs.first_warcs, "response")}
    assert kept == EXPECTED
    assert runs.first.fetched == runs.first.snapshots_written == len(EXPECTED)


def test_never_requests_disallowed_irrelevant_or_offsite_urls(runs: TwoRuns) -> None:
    asked = set(runs.site.paths())
    assert not asked & NEVER
    assert runs.offsite.hits == []
    assert runs.first.skipped_robots == 1  # /prive/ linked from the menu and listed in the sitemap


def test_robots_txt_comes_first_and_every_request_identifies_the_crawler(runs: TwoRuns) -> None:
    assert runs.site.hits[0].path == "/robots.txt"
    assert {h.headers.get("user-agent") for h in runs.site.hits} == {DEFAULT_USER_AGENT}
    assert "+https://" in DEFAULT_USER_AGENT


def test_server_errors_and_429_are_retried_honouring_retry_after(runs: TwoRuns) -> None:
    hits = runs.site.hits[: runs.first_hits]
    flaky = [h for h in hits if h.path == "/fr/solidarite-internationale"]
    assert [h.status for h in flaky] == [500, 200]
    busy = [h for h in hits if h.path == "/fr/partner-cities"]
    assert [h.status for h in busy] == [429, 200]
    assert busy[1].start - busy[0].end >= 0.95  # Retry-After: 1


def test_slow_page_times_out_after_one_retry(runs: TwoRuns) -> None:
    slow = [h for h in runs.site.hits[: runs.first_hits] if h.path == "/fr/jumelage-photos"]
    assert len(slow) == 2
    failure = next(f for f in runs.first.failures if _path(f.url) == "/fr/jumelage-photos")
    assert "timed out" in failure.message.lower() and failure.commune_nis == NIS


def test_large_page_is_cut_off_and_pdf_not_kept(runs: TwoRuns) -> None:
    failure = next(f for f in runs.first.failures if _path(f.url) == "/fr/jumelages-archive-complete")
    assert "limit" in failure.message
    assert "/fr/jumelages-archive-complete" in runs.site.aborted  # we hung up, not the server
    assert runs.first.skipped_type == 1  # /fr/telecharger-charte, served as application/pdf
    assert runs.first.errors == 2  # the slow page and the large one
    assert runs.seconds < 20


def test_redirect_is_followed_and_archived_under_the_real_url(runs: TwoRuns) -> None:
    assert "/ancien-jumelage" in runs.site.paths()
    kept = {h["WARC-Target-URI"] for h, _ in _records(runs.first_warcs, "response")}
    assert runs.site.base + "/fr/jumelages-historique" in kept
    assert runs.site.base + "/ancien-jumelage" not in kept


def test_warc_records_hold_exact_bytes_digests_headers_and_commune(runs: TwoRuns) -> None:
    records = _records(runs.first_warcs, "response")
    for headers, body in records:
        assert body == runs.site.body(_path(headers["WARC-Target-URI"]))
        assert headers["WARC-Payload-Digest"] == sha256_label(body)
        assert headers[COMMUNE_FIELD] == NIS and headers["HTTP-Status"] == "200"
        assert headers["WARC-Date"].endswith("Z")
    with runs.first_warcs[0].open("rb") as fh:
        first = next(r for r in ArchiveIterator(fh) if r.rec_type == "response")
        assert first.http_headers.get_statuscode() == "200"
        assert first.http_headers.get_header("ETag")
        assert first.http_headers.get_header("Last-Modified") == LAST_MODIFIED


# --------------------------------------------------------------------------- second run


def test_second_run_makes_only_conditional_requests(runs: TwoRuns) -> None:
    second = runs.site.hits[runs.first_hits :]
    unconditional = {h.path for h in second if not h.conditional}
    # a redirect has no validators; the slow page never answered
    assert unconditional <= {"/ancien-jumelage", "/fr/jumelage-photos"}
    conditional = {h.path for h in second if h.conditional}
    assert conditional >= EXPECTED | {
        "/robots.txt",
        "/sitemap.xml",
        "/fr/telecharger-charte",
        "/fr/jumelages-archive-complete",
    }
    assert all(h.status in (304, 301, -1) for h in second if h.path != "/fr/jumelage-photos")


def test_second_run_writes_no_new_bodies(runs: TwoRuns) -> None:
    assert runs.second.fetched == runs.second.snapshots_written == 0
    assert runs.second.not_modified == len(EXPECTED) + 2  # the PDF and the large page too
    assert _records(runs.second_warcs, "response") == []
    first_ids = {h["WARC-Target-URI"]: h["WARC-Record-ID"] for h, _ in _records(runs.first_warcs, "response")}
    revisits = _records(runs.second_warcs, "revisit")
    assert {h["WARC-Target-URI"]: h["WARC-Refers-To"] for h, _ in revisits} == first_ids
    assert all(h["HTTP-Status"] == "304" and body == b"" for h, body in revisits)


def test_an_unchanged_body_without_validators_is_stored_once(site: FixtureSite, tmp_path: Path) -> None:
    sources = [Source(NIS, COMMUNE, site.base + NO_VALIDATORS, "fr")]
    first, second = (crawl(sources, tmp_path, **FAST, max_depth=0) for _ in range(2))
    assert first.snapshots_written == 1 and second.fetched == 1 and second.snapshots_written == 0
    [later] = [p for p in warc_files(tmp_path) if p != Path(first.warc_file)]
    [(revisit, body)] = _records([later], "revisit")
    assert revisit["WARC-Profile"].endswith("identical-payload-digest") and body == b""
    assert revisit["HTTP-Status"] == "200" and _records([later], "response") == []


def test_snapshots_read_back_as_documents_and_by_url(runs: TwoRuns) -> None:
    items = list(iter_warc_documents(warc_files(runs.raw), runs.raw))
    docs = [d for d in items if isinstance(d, Document)]
    assert len(docs) == len(items) and {_path(d.source_url) for d in docs} == EXPECTED
    first_file = runs.first_warcs[0].relative_to(runs.raw).as_posix()
    for doc in docs:
        assert doc.source_id.startswith(first_file + "#<urn:uuid:")  # the 304s kept the first snapshot
        assert doc.commune_nis == NIS and doc.media_type == "html" and doc.declared_encoding == "utf-8"
        assert doc.content == runs.site.body(_path(doc.source_url)) == lookup(runs.raw, doc.source_url)


def test_all_extracts_the_partnerships_with_real_source_urls(runs: TwoRuns, tmp_path: Path) -> None:
    try:
        from pipeline.batch.runner import run
    except ImportError as exc:
        pytest.skip(f"the extraction (pipeline.batch.runner.run) is not available yet: {exc}")
    run(runs.raw, tmp_path)
    with (tmp_path / "partnerships.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert any(
        r["partner"] == "Tulle"
        and runs.site.base + "/fr/jumelages" in r["source_url"].split()
        and r["commune_nis"] == NIS
        for r in rows
    )
    digests = {h["WARC-Target-URI"]: h["WARC-Payload-Digest"] for h, _ in _records(runs.first_warcs, "response")}
    urls = {url for row in rows for url in row["source_url"].split()}  # merged rows list every page
    assert runs.site.base + "/nl/stedenbanden" in urls
    for url in urls:
        assert sha256_label(lookup(runs.raw, url)) == digests[url]


# --------------------------------------------------------------------------- politeness


def test_one_request_at_a_time_per_host_with_the_delay(site: FixtureSite, tmp_path: Path) -> None:
    sources = [
        Source(nis, "x", site.base + path, "fr")
        for nis, path in [("21001", "/fr/jumelages"), ("21002", "/nl/stedenbanden"), ("21003", "/fr/jumelages/tulle")]
    ]
    crawl(sources, tmp_path, **{**FAST, "delay": 0.2}, max_depth=0, workers=3)
    hits = sorted(site.hits, key=lambda h: h.start)
    assert len(hits) >= 5 and site.max_inflight == 1
    assert min(b.start - a.end for a, b in itertools.pairwise(hits)) >= 0.18


def test_robots_crawl_delay_is_honoured(tmp_path: Path) -> None:
    site = FixtureSite(crawl_delay=0.4)
    try:
        crawl([Source(NIS, COMMUNE, site.base + "/", "fr")], tmp_path, **FAST, max_depth=0)
    finally:
        site.stop()
    assert site.paths()[:2] == ["/robots.txt", "/sitemap.xml"] and len(site.hits) >= 3
    assert min(b.start - a.end for a, b in zip(site.hits, site.hits[1:], strict=False)) >= 0.38


@pytest.mark.parametrize(
    ("robots_status", "crawl_delay", "expected"),
    [
        (503, None, ["/robots.txt"] * 3),  # server error: retried, then nothing at all
        (200, 3600.0, ["/robots.txt"]),  # a Crawl-delay over our limit: the site is not crawled
    ],
)
def test_sites_whose_robots_txt_forbids_crawling_are_left_alone(
    tmp_path: Path, robots_status: int, crawl_delay: float | None, expected: list[str]
) -> None:
    site = FixtureSite(robots_status=robots_status, crawl_delay=crawl_delay)
    try:
        report = crawl([Source(NIS, COMMUNE, site.base + "/", "fr")], tmp_path, **FAST)
    finally:
        site.stop()
    assert site.paths() == expected
    assert report.errors == 1 and "robots.txt" in report.failures[0].url
    assert warc_files(tmp_path) == []


def test_missing_robots_txt_allows_everything(tmp_path: Path) -> None:
    site = FixtureSite(robots_status=404)
    try:
        crawl([Source(NIS, COMMUNE, site.base + "/", "fr")], tmp_path, **FAST, max_depth=1)
    finally:
        site.stop()
    assert "/prive/jumelages-brouillon" in site.paths() and "/sitemap.xml" in site.paths()


def test_redirects_never_leave_the_site_change_to_another_scheme_or_loop(site: FixtureSite, tmp_path: Path) -> None:
    report = crawl([Source(NIS, COMMUNE, site.base + "/fr/liens", "fr")], tmp_path, **FAST)
    messages = {_path(f.url): f.message for f in report.failures}
    assert "leaves the site" in messages["/vers-ailleurs"]
    assert "refused" in messages["/vers-ftp"]
    assert "more than 5 redirects" in messages["/boucle/0"]
    assert len([p for p in site.paths() if p.startswith("/boucle/")]) == 6
    assert site.partner is not None and site.partner.hits == []


def test_a_start_url_may_redirect_to_another_host(site: FixtureSite, tmp_path: Path) -> None:
    crawl([Source(NIS, COMMUNE, site.base + "/vers-ailleurs", "fr")], tmp_path, **FAST)
    assert site.partner is not None and "/jumelages" in site.partner.paths()


def test_connection_errors_are_retried_with_exponential_backoff(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    began = time.monotonic()
    report = crawl([Source(NIS, COMMUNE, f"http://127.0.0.1:{port}/", "fr")], tmp_path, **{**FAST, "backoff": 0.2})
    assert time.monotonic() - began >= 0.55  # waited 0.2 then 0.4 before giving up
    assert report.requests == 1 and report.errors == 1
    assert "robots.txt unreachable" in report.failures[0].message


def test_fetcher_limits(site: FixtureSite) -> None:
    fetcher = Fetcher(CrawlSettings(delay=0, timeout=(1.0, 2.0), max_bytes=1_000_000))
    began = time.monotonic()
    with pytest.raises(Skipped, match="20971520 bytes is over"):  # declared Content-Length
        fetcher.get(site.base + "/fr/jumelages-gros")
    assert time.monotonic() - began < 2
    with pytest.raises(Skipped, match="application/pdf") as skipped:
        fetcher.get(site.base + "/fr/telecharger-charte")
    assert skipped.value.response.header("ETag")
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get("ftp://127.0.0.1/jumelages")
    response = fetcher.get(site.base + "/fr/jumelages", {"If-None-Match": '"nope"'})
    assert response.status == 200 and response.body == site.body("/fr/jumelages")


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize(
    "text",
    [
        "Jumelages et coopération internationale",
        "Nos villes jumelles",
        "Stedenbanden",
        "Zustersteden",
        "Verbroedering",
        "Internationale samenwerking",
        "Internationale solidariteit",
        "Coopération décentralisée",
        "Solidarité internationale",
        "Twinning",
        "Partner cities",
        "Städtepartnerschaften",
        "Ontwikkelingssamenwerking",
    ],
)
def test_cooperation_keywords_in_anchor_text(text: str) -> None:
    assert is_relevant("https://www.commune.be/fr/page-123", text)


@pytest.mark.parametrize(
    ("url", "relevant"),
    [
        ("https://www.commune.be/fr/vivre/cooperation-internationale", True),
        ("https://www.gemeente.be/nl/stedenbanden", True),
        ("https://www.commune.be/fr/jumelage?id=3", True),
        ("https://www.commune.be/fr/coop%C3%A9ration-d%C3%A9centralis%C3%A9e", True),
        ("https://jumelage.example.be/fr/actualites", False),  # the host does not count
        ("https://www.commune.be/fr/actualites", False),
    ],
)
def test_cooperation_keywords_in_urls(url: str, relevant: bool) -> None:
    assert is_relevant(url) is relevant


def test_extract_links_with_anchor_text_and_language_versions() -> None:
    html = (
        b'<html><head><base href="http://h.be/fr/"><link rel="alternate" hreflang="nl" href="/nl/x">'
        b'</head><body><a href="jumelages#top"> Jumelages\n et <b>coop</b></a>'
        b'<a href="/nl/" hreflang="nl">NL</a><a href="x"><img alt="Villes jumelles"></a></body></html>'
    )
    links = extract_links(html, "http://h.be/fr/page")
    assert [(lk.url, lk.text, lk.alternate) for lk in links] == [
        ("http://h.be/nl/x", "", True),
        ("http://h.be/fr/jumelages#top", "Jumelages et coop", False),
        ("http://h.be/nl/", "NL", True),
        ("http://h.be/fr/x", "Villes jumelles", False),
    ]
    assert extract_links(b"", "http://h.be/") == []


def test_site_key_and_redirect_rules() -> None:
    assert site_key("https://www.Ixelles.be/fr") == site_key("http://ixelles.be:80/") == "ixelles.be"
    assert site_key("http://127.0.0.1:8080/") == "127.0.0.1:8080"
    up = Response("http://h.be/a", 301, "Moved", [("Location", "https://h.be/b")])
    assert redirect_target(up) == "https://h.be/b"
    with pytest.raises(FetchError, match="refused"):
        redirect_target(Response("https://h.be/a", 302, "Found", [("Location", "http://h.be/b")]))


def test_cli_arguments_and_exit_codes(site: FixtureSite, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_crawl_arguments(parser)
    sources = tmp_path / "sources.csv"
    sources.write_text(f"nis,url,language\n{NIS},{site.base}/fr/jumelages,fr\n", encoding="utf-8")
    args = parser.parse_args(
        ["--sources", str(sources), "--raw", str(tmp_path / "raw"), "--delay", "0", "--max-pages", "2"]
    )
    assert run_crawl(args) == 0
    assert len(warc_files(tmp_path / "raw")) == 1 and len(site.paths()) <= 5
    sources.write_text("nis,url\n99999,https://example.org/\n", encoding="utf-8")
    assert run_crawl(args) == 2
    assert run_crawl(parser.parse_args(["--sources", str(sources), "--delay", "-1"])) == 2


def test_crawl_and_run_make_the_same_symlink_choice(site: FixtureSite, tmp_path: Path) -> None:
    """Neither follows a symlink out of the raw directory: the crawl refuses to write its
    snapshots through one (run would never read them), and WARC files linked in from
    outside are not read back."""
    parser = argparse.ArgumentParser()
    add_crawl_arguments(parser)
    registry = tmp_path / "communes.csv"
    registry.write_text(f"nis,url,language\n{NIS},{site.base}/fr/jumelages,fr\n", encoding="utf-8")
    elsewhere, raw = tmp_path / "elsewhere", tmp_path / "raw"
    elsewhere.mkdir()
    raw.mkdir()
    (raw / "warc").symlink_to(elsewhere, target_is_directory=True)
    args = parser.parse_args(["--registry", str(registry), "--raw", str(raw), "--delay", "0", "--max-pages", "1"])
    assert run_crawl(args) == 2 and site.paths() == []
    (raw / "warc").unlink()
    assert run_crawl(args) == 0
    snapshot = warc_files(raw)[0]
    moved = elsewhere / snapshot.name
    snapshot.rename(moved)
    (raw / "warc" / snapshot.name).symlink_to(moved)
    assert warc_files(raw) == []
    assert [d.error_type for d in iter_documents(raw)] == ["OutsideInput"]  # type: ignore[union-attr]


def test_all_command_crawls_then_extracts(site: FixtureSite, tmp_path: Path) -> None:
    """`run_pipeline.py all` end to end: a bounded, in-site crawl, then the dataset with real URLs."""
    from pipeline.cli import main

    sources = tmp_path / "sources.csv"
    sources.write_text(f"nis,url,language\n{NIS},{site.base}/,fr\n", encoding="utf-8")
    code = main(
        [
            "all",
            "--sources",
            str(sources),
            "--raw",
            str(tmp_path / "raw"),
            "--output",
            str(tmp_path / "out"),
            "--delay",
            "0",
            "--workers",
            "1",
            "--no-progress",
        ]
    )
    assert code in (0, 1)  # 1: some fixture pages (slow, oversized) fail by design
    assert not any(path.startswith("/prive") for path in site.paths())
    assert site.partner is not None and site.partner.paths() == []  # never left the site
    with (tmp_path / "out" / "partnerships.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tulle = next(r for r in rows if r["partner"] == "Tulle")
    assert tulle["commune_nis"] == NIS and all(u.startswith(site.base) for u in tulle["source_url"].split())


class _Trickle(BaseHTTPRequestHandler):
    """A hostile server: a 200 whose body comes one byte every 0.1 s (for 100 s at most)."""

    with_length = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.with_length:
            self.send_header("Content-Length", "1000")
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:  # the client gave up: what the test wants
            return

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        return


@pytest.mark.parametrize("with_length", [True, False])
def test_a_body_trickling_in_is_cut_at_the_body_time_limit(with_length: bool) -> None:
    handler = type("Trickle", (_Trickle,), {"with_length": with_length})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        fetcher = Fetcher(CrawlSettings(delay=0, timeout=(1.0, 5.0), retries=0, fetch_time_limit=1.5))
        began = time.monotonic()
        with pytest.raises(FetchError, match=r"body took over 1\.5 s"):
            fetcher.get(f"http://127.0.0.1:{server.server_address[1]}/jumelages")
        assert time.monotonic() - began < 10  # the whole body would take 100 s
    finally:
        server.shutdown()
        server.server_close()
