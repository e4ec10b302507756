"""Stage 1, ingest, WARC snapshots: the latest ``200`` response per URL, read back as Documents.

For each URL the latest ``200`` response across all files wins (by ``WARC-Date``, then
file order, then position in the file). Bodies are read with digest checking, so a row
of the dataset can be traced back to the exact bytes. The crawler writes these files
(`pipeline.crawl.warc_writer`); the format facts both sides share are defined here.
"""

from __future__ import annotations

import email.message
import logging
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException
from warcio.utils import Digester

from pipeline.models import Document, PageResult

log = logging.getLogger(__name__)

COMMUNE_FIELD = "WARC-Commune-NIS"
WARC_SUFFIXES = (".warc", ".warc.gz")
WARC_SUBDIR = "warc"
INDEX_NAME = "index.sqlite"
MAX_RECORD_BYTES = 10 * 1024 * 1024  # = ingest.MAX_PAGE_BYTES: a WARC body is a page
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
IDENTICAL_PROFILE = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
READ_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, OSError, EOFError, ValueError, zlib.error)


def sha256_label(body: bytes) -> str:
    """The WARC digest label of a body: ``sha256:`` and the base32 digest, as warcio writes it."""
    digester = Digester("sha256")
    digester.update(body)
    return str(digester)


def media_type(content_type: str | None) -> str | None:
    """'html' or 'text' for the Content-Types the pipeline reads, None for the rest."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime == "text/plain":
        return "text"
    return None


def charset(content_type: str | None) -> str:
    """The charset parameter of a Content-Type header, or ''."""
    if not content_type:
        return ""
    msg = email.message.Message()
    msg["content-type"] = content_type
    return msg.get_content_charset() or ""


# --------------------------------------------------------------------------- reading


class _Ref(NamedTuple):
    key: tuple[datetime, int, int]
    path: Path
    offset: int
    url: str
    record_id: str
    commune_nis: str
    content_type: str


def _warc_date(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(value or "").astimezone(UTC)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _check_complete(record: Any) -> None:
    """Raise if the record's block ended before its Content-Length (a truncated file)."""
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        raise ArchiveLoadFailed(
            f"record {record.rec_headers.get_header('WARC-Record-ID')} is truncated ({missing} bytes missing)"
        )


def _tolerate_missing_uri(loader: Any) -> None:
    """warcio reads a record's HTTP headers only for http(s) target URIs and fails with an
    AttributeError on a record without WARC-Target-URI: such a record's headers are read as
    if its URI were http (so that its digests still check), and `_scan_file` names the
    record alone; the file's other records are read."""
    parse = loader.load_http_headers

    def load_http_headers(rec_type: str, uri: str | None, stream: Any, length: int | None) -> Any:
        return parse(rec_type, "http:" if uri is None else uri, stream, length)

    loader.load_http_headers = load_http_headers


def _scan_file(path: Path, file_index: int) -> Iterator[_Ref]:
    """The 200 HTML/plain-text response records of one WARC file, in file order."""
    with path.open("rb") as fh:
        records = ArchiveIterator(fh, check_digests="raise")
        _tolerate_missing_uri(records.loader)
        for record in records:
            if record.format != "warc":
                raise ArchiveLoadFailed(f"not a WARC record (read as {record.format!r})")
            offset = records.get_record_offset()  # reads the record through, checking digests
            _check_complete(record)
            if record.rec_type == "response" and not record.rec_headers.get_header("WARC-Target-URI"):
                yield _Ref(
                    (datetime.min.replace(tzinfo=UTC), file_index, offset),
                    path,
                    offset,
                    "",
                    record.rec_headers.get_header("WARC-Record-ID") or "",
                    "",
                    "",
                )
                continue  # named by _latest; the file's other records are read
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if record.http_headers.get_statuscode() != "200":
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if media_type(content_type) is None:
                continue
            rec = record.rec_headers
            yield _Ref(
                (_warc_date(rec.get_header("WARC-Date")), file_index, offset),
                path,
                offset,
                rec.get_header("WARC-Target-URI") or "",
                rec.get_header("WARC-Record-ID") or "",
                rec.get_header(COMMUNE_FIELD) or "",
                content_type,
            )


def _rel(path: Path, base_dir: Path) -> str:
    try:
        return path.relative_to(base_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _latest(paths: Iterable[Path], base_dir: Path) -> tuple[dict[str, _Ref], list[PageResult]]:
    """The latest 200 response per URL, and an error result per unreadable file (or per
    response record without a WARC-Target-URI, naming the file and the record)."""
    latest: dict[str, _Ref] = {}
    errors: list[PageResult] = []
    for index, path in enumerate(sorted(Path(p) for p in paths)):
        rel = _rel(path, base_dir)
        try:
            for ref in _scan_file(path, index):
                if not ref.url:
                    message = f"{path}: response record {ref.record_id or '(no id)'} has no WARC-Target-URI; skipped"
                    log.error("%s", message)
                    errors.append(
                        PageResult(
                            f"{rel}#{ref.record_id}",
                            f"{rel}#{ref.record_id}",
                            error_stage="ingest",
                            error_type="MissingTargetURI",
                            error_message=message,
                        )
                    )
                    continue
                if ref.url not in latest or latest[ref.url].key <= ref.key:
                    latest[ref.url] = ref
        except Exception as exc:  # noqa: BLE001 - per-file isolation: warcio raises AttributeError, TypeError ... on malformed headers
            hint = (
                ""
                if isinstance(exc, READ_ERRORS)
                else " (a malformed record header, e.g. a response record without WARC-Target-URI)"
            )
            log.error("%s: unreadable WARC file: %s: %s%s", path, type(exc).__name__, exc, hint)
            errors.append(
                PageResult(
                    rel,
                    rel,
                    error_stage="ingest",
                    error_type=type(exc).__name__,
                    error_message=f"{path}: unreadable WARC file: {exc}{hint}",
                )
            )
    return latest, errors


WarcIndex = tuple[dict[str, _Ref], list[PageResult]]  # latest 200 response per URL; failed files and records


def scan_warcs(paths: Iterable[Path], base_dir: Path) -> WarcIndex:
    """Index WARC files: the latest 200 response per URL, and the files or records that failed."""
    return _latest(paths, Path(base_dir))


def read_record_body(path: Path, offset: int) -> bytes:
    """The body of the record at `offset`, its WARC digests checked (ArchiveLoadFailed if wrong)."""
    with Path(path).open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests="raise")), None)
        if record is None:
            raise ArchiveLoadFailed(f"{path}: no record at offset {offset}")
        body: bytes = record.content_stream().read(MAX_RECORD_BYTES + 1)
        if len(body) > MAX_RECORD_BYTES:
            raise ValueError(f"{path}@{offset}: body over {MAX_RECORD_BYTES} bytes")
        while record.raw_stream.read(65536):  # to the end, so that the digests get checked
            continue
        _check_complete(record)
        return body


def iter_warc_documents(paths: list[Path], base_dir: Path) -> Iterator[Document | PageResult]:
    """One Document per URL (its latest 200 response) from the given WARC files, by URL.

    Unreadable files and records yield failed PageResults naming the file; the rest goes on.
    """
    latest, errors = _latest(paths, Path(base_dir))
    yield from errors
    yield from warc_documents(latest, Path(base_dir))


def warc_documents(latest: dict[str, _Ref], base_dir: Path) -> Iterator[Document | PageResult]:
    """The Documents of an index made by `scan_warcs`, by URL; an unreadable record is a failed result."""
    for url in sorted(latest):
        ref = latest[url]
        source_id = f"{_rel(ref.path, Path(base_dir))}#{ref.record_id}"
        try:
            body = read_record_body(ref.path, ref.offset)
        except Exception as exc:  # noqa: BLE001 - per-record isolation (warcio raises more than READ_ERRORS)
            log.error("%s: unreadable record %s: %s: %s", ref.path, ref.record_id, type(exc).__name__, exc)
            yield PageResult(
                source_id,
                url,
                commune_nis=ref.commune_nis,
                error_stage="ingest",
                error_type=type(exc).__name__,
                error_message=f"{ref.path}: record {ref.record_id}: {exc}",
            )
            continue
        yield Document(
            source_id=source_id,
            source_url=url,
            content=body,
            media_type="html" if media_type(ref.content_type) == "html" else "text",
            commune_nis=ref.commune_nis,
            declared_encoding=charset(ref.content_type),
        )
