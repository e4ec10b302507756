"""The page cache: a page whose bytes and pipeline version are unchanged is not parsed again.

One SQLite database (WAL journal, so a crash or SIGKILL at any moment leaves it
consistent) at `<output>/.cache/pages.sqlite` by default. A row maps

    (document key, pipeline version) -> the page's PageResult as JSON

where the document key is the SHA-256 of everything `cascade.process_document` reads:
the page's bytes, its source id, source URL, media type, commune hint and declared
encoding. Failed pages are not cached (a timeout may not happen again), so they are
tried again on the next run.

The cache is an optimisation only: when it cannot be opened, read or written, the run
logs a warning and goes on parsing every page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pipeline.models import Candidate, Document, PageResult

log = logging.getLogger(__name__)

CACHE_FILE = "pages.sqlite"
MAX_AGE_DAYS = 30.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    source_id TEXT NOT NULL,
    result TEXT NOT NULL,
    used_at REAL NOT NULL,
    PRIMARY KEY (key, version)
)
"""


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def document_key(doc: Document, digest: str | None = None, use_nlp: bool = True, prefilter: bool = True) -> str:
    """SHA-256 of the page's bytes, of every other Document field the page result depends on,
    and of the options that shape it (`--no-nlp` gives other rows; `--no-prefilter` reads
    pages whole, so their results carry language and main text)."""
    parts = [
        digest or content_hash(doc.content),
        doc.source_id,
        doc.source_url,
        doc.media_type,
        doc.commune_nis,
        doc.declared_encoding,
    ]
    if not use_nlp or not prefilter:  # the default options keep the keys of earlier runs
        parts.append(f"nlp={use_nlp:d};prefilter={prefilter:d}")
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def page_to_json(page: PageResult) -> str:
    """The PageResult as a JSON object (tuples as lists), keys sorted."""
    return json.dumps(dataclasses.asdict(page), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _tuples(values: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def page_from_json(text: str) -> PageResult:
    """Inverse of page_to_json; raises ValueError/TypeError/KeyError on a malformed record."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("cached page result is not a JSON object")
    candidates = tuple(Candidate(**_tuples(c)) for c in data.pop("candidates"))
    return PageResult(**_tuples(data), candidates=candidates)


class PageCache:
    """Page results by (document key, pipeline version), in SQLite."""

    def __init__(self, directory: Path, version: str) -> None:
        self.version = version
        self.path = Path(directory) / CACHE_FILE
        self.hits = 0
        self._used: list[str] = []
        self._db: sqlite3.Connection | None = None
        self._mutex = threading.Lock()  # lookups may come from a feeder thread of the executor
        try:
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            log.warning("page cache %s unusable (%s): moving it aside and starting afresh", self.path, exc)
            self._db = self._reset()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
            db.execute("SELECT count(*) FROM pages WHERE version = ?", (self.version,)).fetchone()
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _reset(self) -> sqlite3.Connection | None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        try:
            for suffix in ("", "-wal", "-shm"):
                old = self.path.with_name(self.path.name + suffix)
                if old.exists():
                    old.replace(old.with_name(f"{old.name}.corrupt-{stamp}"))
            return self._open()
        except (sqlite3.Error, OSError) as exc:
            log.warning("page cache disabled for this run: %s", exc)
            return None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def _disable(self, exc: Exception) -> None:
        log.warning("page cache error, cache disabled for the rest of this run: %s", exc)
        self.close()

    def has(self, key: str) -> bool:
        """Is there an entry for key under the current version (its result read by `get`)?"""
        if self._db is None:
            return False
        try:
            with self._mutex:
                row = self._db.execute(
                    "SELECT 1 FROM pages WHERE key = ? AND version = ?", (key, self.version)
                ).fetchone()
        except sqlite3.Error as exc:
            self._disable(exc)
            return False
        return row is not None

    def get(self, key: str) -> PageResult | None:
        """The cached result for key under the current version, or None."""
        if self._db is None:
            return None
        try:
            with self._mutex:
                row = self._db.execute(
                    "SELECT result FROM pages WHERE key = ? AND version = ?", (key, self.version)
                ).fetchone()
        except sqlite3.Error as exc:
            self._disable(exc)
            return None
        if row is None:
            return None
        try:
            page = page_from_json(row[0])
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("unreadable cache entry %s… ignored: %s", key[:12], exc)
            return None
        self.hits += 1
        self._used.append(key)
        return page

    def put(self, key: str, page: PageResult) -> None:
        """Store a successful page result (committed at once: a crash keeps every earlier page)."""
        if self._db is None or page.failed:
            return
        record = (key, self.version, page.source_id, page_to_json(page), time.time())
        try:
            with self._mutex:
                self._db.execute(
                    "INSERT OR REPLACE INTO pages (key, version, source_id, result, used_at) VALUES (?, ?, ?, ?, ?)",
                    record,
                )
        except sqlite3.Error as exc:
            self._disable(exc)

    def finish(self, max_age_days: float = MAX_AGE_DAYS) -> None:
        """Mark this run's hits as used, drop other versions and entries unused for max_age_days."""
        if self._db is None:
            return
        now = time.time()
        try:
            with self._mutex:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "UPDATE pages SET used_at = ? WHERE key = ? AND version = ?",
                    [(now, key, self.version) for key in self._used],
                )
                self._db.execute(
                    "DELETE FROM pages WHERE version != ? OR used_at < ?", (self.version, now - max_age_days * 86400)
                )
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._disable(exc)

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error as exc:
                log.debug("closing the cache failed: %s", exc)
            self._db = None
