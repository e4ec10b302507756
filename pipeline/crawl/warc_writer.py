"""The crawler's WARC writer: every page it keeps is one WARC ``response`` record.

A record holds the exact body bytes, the HTTP status line and headers, the fetch time
(``WARC-Date``), SHA-256 block and payload digests, and the commune it was crawled for
(``WARC-Commune-NIS``). A page that answered ``304 Not Modified`` gets a body-less
``revisit`` record pointing at the earlier response, and so does a 200 whose body is byte
for byte the one already stored, so nightly re-crawls add no new bodies.

``SnapshotIndex`` is a small SQLite file (``raw/warc/index.sqlite``) remembering, per URL,
the validators (ETag, Last-Modified) and where the latest snapshot lives; it only makes
re-crawls cheap and can be thrown away at any time. Reading the snapshots back is the
ingest stage's (`pipeline.stages.s1_ingest.warc_reader`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import sqlite3
import threading
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from pipeline.stages.s1_ingest.warc_reader import (
    COMMUNE_FIELD,
    INDEX_NAME,
    NOT_MODIFIED_PROFILE,
    WARC_SUBDIR,
)

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- writing


class Sha256WARCWriter(WARCWriter):
    """warcio's writer with SHA-256 instead of SHA-1 block and payload digests."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


@dataclass(frozen=True)
class SnapshotRef:
    """Where one written record lives."""

    warc_path: str  # relative to the raw directory, POSIX
    offset: int
    record_id: str
    warc_date: str
    sha256: str  # hex digest of the body


class SnapshotWriter:
    """Append records to one new ``crawl-<time>.warc.gz`` per run, created on first use."""

    def __init__(self, raw_dir: Path, info: dict[str, str]) -> None:
        self.raw_dir = Path(raw_dir)
        self.info = info
        self.path: Path | None = None
        self._fh: IO[bytes] | None = None
        self._writer: Sha256WARCWriter | None = None
        self._lock = threading.Lock()

    def _open(self) -> Sha256WARCWriter:
        if self._writer is not None:
            return self._writer
        folder = self.raw_dir / WARC_SUBDIR
        folder.mkdir(parents=True, exist_ok=True)
        while True:  # names carry microseconds, so sorting them sorts the runs
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S-%f")
            path = folder / f"crawl-{stamp}.warc.gz"
            try:
                self._fh = path.open("xb")
                break
            except FileExistsError:
                continue
        self.path = path
        self._writer = Sha256WARCWriter(self._fh, gzip=True)
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, self.info))
        return self._writer

    def _write(self, record: Any, sha256_hex: str) -> SnapshotRef:
        writer = self._open()
        assert self._fh is not None and self.path is not None
        offset = self._fh.tell()
        writer.write_record(record)
        self._fh.flush()
        headers = record.rec_headers
        return SnapshotRef(
            self.path.relative_to(self.raw_dir).as_posix(),
            offset,
            headers.get_header("WARC-Record-ID"),
            headers.get_header("WARC-Date"),
            sha256_hex,
        )

    def write_response(
        self,
        url: str,
        status_line: str,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        commune_nis: str,
    ) -> SnapshotRef:
        """Store one HTTP response (status line like '200 OK') with its exact body."""
        with self._lock:
            writer = self._open()
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
                warc_headers_dict=_warc_fields(fetched_at, commune_nis),
            )
            return self._write(record, hashlib.sha256(body).hexdigest())

    def write_revisit(
        self,
        url: str,
        status_line: str,
        headers: list[tuple[str, str]],
        previous: SnapshotRef,
        fetched_at: datetime,
        commune_nis: str,
        profile: str = NOT_MODIFIED_PROFILE,
    ) -> SnapshotRef:
        """A body-less revisit of the previous snapshot: after a 304, or for an identical body."""
        with self._lock:
            writer = self._open()
            fields_ = _warc_fields(fetched_at, commune_nis)
            fields_["WARC-Refers-To"] = previous.record_id
            record = writer.create_revisit_record(
                url,
                f"sha256:{_base32_from_hex(previous.sha256)}",
                url,
                previous.warc_date,
                http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
                warc_headers_dict=fields_,
            )
            record.rec_headers.replace_header("WARC-Profile", profile)
            return self._write(record, previous.sha256)

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
            self._fh, self._writer = None, None


def _readable_by_run(path: Path, raw_dir: Path) -> bool:
    """Would `run --input raw_dir` read this snapshot file (a regular file, inside raw_dir)?"""
    from pipeline.stages.s1_ingest.files import is_inside

    return path.is_file() and is_inside(path, raw_dir)


def _warc_fields(fetched_at: datetime, commune_nis: str) -> dict[str, str]:
    stamp = fetched_at.astimezone(UTC).replace(tzinfo=None)
    out = {"WARC-Date": datetime_to_iso_date(stamp)}
    if commune_nis:
        out[COMMUNE_FIELD] = commune_nis
    return out


def _base32_from_hex(hex_digest: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


# --------------------------------------------------------------------------- index


@dataclass
class IndexEntry:
    """What the crawler remembers about one URL between runs."""

    url: str
    kind: str  # page | robots | sitemap | skipped
    etag: str = ""
    last_modified: str = ""
    warc_path: str = ""
    record_offset: int = -1
    record_id: str = ""
    warc_date: str = ""
    sha256: str = ""
    commune_nis: str = ""
    content_type: str = ""
    body: bytes | None = None  # kept here for robots.txt and sitemaps only
    note: str = ""
    checked_at: str = ""

    def validators(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a conditional request."""
        out = {"If-None-Match": self.etag} if self.etag else {}
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    @property
    def snapshot(self) -> SnapshotRef:
        return SnapshotRef(self.warc_path, self.record_offset, self.record_id, self.warc_date, self.sha256)


_COLUMNS = [f.name for f in fields(IndexEntry)]
_SQL_TYPES = {"body": "BLOB", "record_offset": "INTEGER"}


class SnapshotIndex:
    """URL -> IndexEntry in ``raw/warc/index.sqlite``; safe to share between threads."""

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = Path(raw_dir)
        folder = self.raw_dir / WARC_SUBDIR
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / INDEX_NAME, check_same_thread=False)
        self._lock = threading.Lock()
        cols = ", ".join(f"{c} {_SQL_TYPES.get(c, 'TEXT')}" for c in _COLUMNS if c != "url")
        with self._lock, self._db:
            self._db.execute(f"CREATE TABLE IF NOT EXISTS resources (url TEXT PRIMARY KEY, {cols})")

    def get(self, url: str) -> IndexEntry | None:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM resources WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return IndexEntry(**dict(zip(_COLUMNS, row, strict=True)))

    def usable(self, url: str, kinds: tuple[str, ...]) -> IndexEntry | None:
        """The entry for url if it is of one of these kinds and its body is still there."""
        entry = self.get(url)
        if entry is None or entry.kind not in kinds:
            return None
        if entry.kind == "page" and not _readable_by_run(self.raw_dir / entry.warc_path, self.raw_dir):
            return None
        if entry.kind in ("robots", "sitemap") and entry.body is None:
            return None
        return entry

    def put(self, entry: IndexEntry) -> None:
        values = [getattr(entry, c) for c in _COLUMNS]
        marks = ", ".join("?" for _ in _COLUMNS)
        with self._lock, self._db:
            self._db.execute(f"INSERT OR REPLACE INTO resources ({', '.join(_COLUMNS)}) VALUES ({marks})", values)

    def close(self) -> None:
        with self._lock:
            self._db.close()
