"""WARC snapshots: writing, reading back the latest 200 per URL, digests, errors, lookup, index."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.crawl.warc_writer import (
    IndexEntry,
    Sha256WARCWriter,
    SnapshotIndex,
    SnapshotRef,
    SnapshotWriter,
)
from pipeline.models import Document, PageResult
from pipeline.stages.s1_ingest import lookup, warc_files
from pipeline.stages.s1_ingest.files import iter_documents
from pipeline.stages.s1_ingest.warc_reader import (
    COMMUNE_FIELD,
    iter_warc_documents,
    read_record_body,
    sha256_label,
)

T0 = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
HTML = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')]


def _run(raw: Path, when: datetime, pages: list[tuple[str, str, bytes, list[tuple[str, str]]]]) -> Path:
    """One crawl run's WARC file: (url, status line, body, headers) per page."""
    writer = SnapshotWriter(raw, {"software": "test"})
    for url, status, body, headers in pages:
        writer.write_response(url, status, headers, body, when, "21009")
    writer.close()
    assert writer.path is not None
    return writer.path


def _docs(raw: Path) -> list[Document]:
    items = list(iter_warc_documents(warc_files(raw), raw))
    assert all(isinstance(i, Document) for i in items)
    return [i for i in items if isinstance(i, Document)]


def test_latest_200_wins_across_files_and_a_304_keeps_the_earlier_snapshot(tmp_path: Path) -> None:
    first = _run(
        tmp_path, T0, [("http://a.be/x", "200 OK", b"<p>v1</p>", HTML), ("http://a.be/y", "200 OK", b"<p>y</p>", HTML)]
    )
    second = _run(
        tmp_path,
        T0 + timedelta(days=1),
        [("http://a.be/x", "200 OK", b"<p>v2</p>", HTML), ("http://a.be/gone", "404 Not Found", b"no", HTML)],
    )
    writer = SnapshotWriter(tmp_path, {})
    earlier = next(r for r in _index_refs(first) if r[0] == "http://a.be/y")[1]
    writer.write_revisit(
        "http://a.be/y", "304 Not Modified", [("ETag", '"v1"')], earlier, T0 + timedelta(days=1), "21009"
    )
    writer.close()
    docs = {d.source_url: d for d in _docs(tmp_path)}
    assert set(docs) == {"http://a.be/x", "http://a.be/y"}
    assert docs["http://a.be/x"].content == b"<p>v2</p>"
    assert docs["http://a.be/x"].source_id.startswith(second.relative_to(tmp_path).as_posix() + "#<urn:uuid:")
    assert docs["http://a.be/y"].source_id == f"{first.relative_to(tmp_path).as_posix()}#{earlier.record_id}"
    assert docs["http://a.be/y"].commune_nis == "21009" and docs["http://a.be/y"].declared_encoding == "utf-8"


def _index_refs(path: Path) -> list[tuple[str, SnapshotRef]]:
    """(url, SnapshotRef) of the response records of a file, read back with warcio."""
    out: list[tuple[str, SnapshotRef]] = []
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if record.rec_type == "response":
                body = record.content_stream().read()
                fields = record.rec_headers
                out.append(
                    (
                        fields.get_header("WARC-Target-URI"),
                        SnapshotRef(
                            path.name,
                            records.get_record_offset(),
                            fields.get_header("WARC-Record-ID"),
                            fields.get_header("WARC-Date"),
                            hashlib.sha256(body).hexdigest(),
                        ),
                    )
                )
    return out


def test_a_later_file_with_an_older_fetch_time_does_not_win(tmp_path: Path) -> None:
    _run(tmp_path, T0 + timedelta(days=2), [("http://a.be/x", "200 OK", b"new", HTML)])
    _run(tmp_path, T0, [("http://a.be/x", "200 OK", b"old", HTML)])
    assert [d.content for d in _docs(tmp_path)] == [b"new"]


def test_records_carry_sha256_digests_the_commune_and_the_http_exchange(tmp_path: Path) -> None:
    path = _run(tmp_path, T0, [("http://a.be/x", "200 OK", b"<p>caf\xc3\xa9</p>", HTML)])
    with gzip.open(path, "rb") as fh:
        text = fh.read()
    assert b"WARC-Type: warcinfo" in text and b"HTTP/1.1 200 OK\r\nContent-Type: text/html" in text
    with path.open("rb") as fh:
        record = next(r for r in ArchiveIterator(fh, check_digests="raise") if r.rec_type == "response")
        assert record.rec_headers.get_header(COMMUNE_FIELD) == "21009"
        assert record.rec_headers.get_header("WARC-Date") == "2025-01-06T10:00:00Z"
        assert record.rec_headers.get_header("WARC-Payload-Digest") == sha256_label(b"<p>caf\xc3\xa9</p>")
        assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha256:")
        assert record.content_stream().read() == b"<p>caf\xc3\xa9</p>"


def test_media_type_and_charset_come_from_the_http_content_type(tmp_path: Path) -> None:
    _run(
        tmp_path,
        T0,
        [
            ("http://a.be/t", "200 OK", b"plain", [("Content-Type", "text/plain; charset=ISO-8859-1")]),
            ("http://a.be/x", "200 OK", b"<p/>", [("Content-Type", "application/xhtml+xml")]),
            ("http://a.be/pdf", "200 OK", b"%PDF", [("Content-Type", "application/pdf")]),
            ("http://a.be/none", "200 OK", b"?", []),
        ],
    )
    docs = {d.source_url: (d.media_type, d.declared_encoding) for d in _docs(tmp_path)}
    assert docs == {"http://a.be/t": ("text", "iso-8859-1"), "http://a.be/x": ("html", "")}


def test_foreign_warcs_are_read_with_their_encodings_undone(tmp_path: Path) -> None:
    """A WARC of another crawler: uncompressed, gzip-encoded body, WARC/1.1, no commune field."""
    body = b"<p>jumelage</p>"
    path = tmp_path / "other.warc"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                "http://b.be/", "response", payload=BytesIO(gzip.compress(body)), http_headers=headers
            )
        )
    [doc] = _docs(tmp_path)
    assert (doc.source_url, doc.content, doc.commune_nis) == ("http://b.be/", body, "")
    assert doc.source_id.startswith("other.warc#<urn:uuid:")


def test_corrupt_and_truncated_files_are_errors_naming_the_file_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = _run(tmp_path, T0, [("http://a.be/x", "200 OK", b"x", HTML)])
    (tmp_path / "warc" / "broken.warc.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not gzip at all")
    cut = _run(tmp_path, T0, [("http://a.be/y", "200 OK", b"y", HTML), ("http://a.be/z", "200 OK", b"z" * 5000, HTML)])
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) - 40])
    items = list(iter_warc_documents(warc_files(tmp_path), tmp_path))
    errors = [i for i in items if isinstance(i, PageResult)]
    docs = {i.source_url for i in items if isinstance(i, Document)}
    assert {"http://a.be/x", "http://a.be/y"} <= docs
    assert {e.error_stage for e in errors} == {"ingest"} and len(errors) >= 2
    assert any("broken.warc.gz" in e.error_message for e in errors)
    assert any(cut.name in e.error_message for e in errors)
    assert good.exists()


def test_a_body_that_no_longer_matches_its_digest_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    with path.open("wb") as fh:
        writer = Sha256WARCWriter(fh, gzip=False)
        headers = StatusAndHeaders("200 OK", HTML, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "http://a.be/x", "response", payload=BytesIO(b"<p>Tulle</p>"), http_headers=headers
            )
        )
    path.write_bytes(path.read_bytes().replace(b"<p>Tulle</p>", b"<p>Tylle</p>"))
    [error] = list(iter_warc_documents([path], tmp_path))
    assert isinstance(error, PageResult) and error.failed
    assert "plain.warc" in error.error_message and "digest" in error.error_message.lower()


def test_lookup_returns_the_exact_latest_bytes(tmp_path: Path) -> None:
    first = _run(tmp_path, T0, [("http://a.be/x", "200 OK", b"one", HTML)])
    _run(tmp_path, T0 + timedelta(hours=1), [("http://a.be/x", "200 OK", b"two", HTML)])
    assert lookup(tmp_path, "http://a.be/x") == b"two"
    with pytest.raises(KeyError, match="no 200 response"):
        lookup(tmp_path, "http://a.be/absent")
    [(_, ref)] = _index_refs(first)
    assert read_record_body(first, ref.offset) == b"one"


def test_ingest_reads_warc_files_as_well_as_plain_files(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(b"<p>plain</p>")
    _run(tmp_path, T0, [("http://a.be/x", "200 OK", b"<p>warc</p>", HTML)])
    SnapshotIndex(tmp_path).close()  # the crawler's index lies beside the WARC files
    items = list(iter_documents(tmp_path))
    assert {(i.source_url, i.content) for i in items if isinstance(i, Document)} == {
        ("page.html", b"<p>plain</p>"),
        ("http://a.be/x", b"<p>warc</p>"),
    }


def test_snapshot_index_round_trip(tmp_path: Path) -> None:
    index = SnapshotIndex(tmp_path)
    entry = IndexEntry(
        "http://a.be/x",
        "page",
        '"v1"',
        "Mon, 06 Jan 2025 10:00:00 GMT",
        "warc/a.warc.gz",
        123,
        "<urn:uuid:1>",
        "2025-01-06T10:00:00Z",
        "ab" * 32,
        "21009",
        "text/html",
    )
    index.put(entry)
    index.put(IndexEntry("http://a.be/robots.txt", "robots", body=b"User-agent: *"))
    index.close()
    again = SnapshotIndex(tmp_path)
    assert again.get("http://a.be/x") == entry
    robots = again.get("http://a.be/robots.txt")
    assert robots is not None and robots.body == b"User-agent: *"
    assert again.get("http://a.be/absent") is None
    again.close()
