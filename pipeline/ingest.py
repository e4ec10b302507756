"""Stage 1, ingest: a directory of pages (and WARC snapshots) in, Documents out.

Files are read as bytes; decoding is the text stage's job. A file that cannot be
read yields a PageResult error naming it, and the walk goes on.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .models import Document, PageResult

log = logging.getLogger(__name__)

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".md": "text"}
WARC_SUFFIXES = (".warc", ".warc.gz")
SOURCES_FILE = "sources.csv"
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SourceInfo:
    url: str
    commune_nis: str = ""


def read_sources(input_dir: Path) -> dict[str, SourceInfo]:
    """Read the optional `sources.csv` (columns file,url and optionally nis) of an input directory."""
    path = input_dir / SOURCES_FILE
    if not path.is_file():
        return {}
    out: dict[str, SourceInfo] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "file" not in reader.fieldnames:
            raise ValueError(f"{path}: expected a header with at least the columns file,url")
        for row in reader:
            name = (row.get("file") or "").strip()
            if not name:
                continue
            nis = (row.get("nis") or row.get("commune_nis") or "").strip()
            out[Path(name).as_posix()] = SourceInfo(url=(row.get("url") or "").strip(), commune_nis=nis)
    return out


def _walk(input_dir: Path) -> Iterator[Path]:
    """All files below input_dir, sorted, following directory symlinks without looping."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(input_dir, followlinks=True):
        st = os.stat(root)
        key = (st.st_dev, st.st_ino)
        if key in seen:
            log.warning("%s: directory already visited (symlink loop?), skipped", root)
            dirs[:] = []
            continue
        seen.add(key)
        dirs.sort()
        for name in sorted(files):
            yield Path(root) / name


def _media_type(path: Path) -> str | None:
    return PAGE_SUFFIXES.get(path.suffix.lower())


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def iter_documents(input_dir: Path) -> Iterator[Document | PageResult]:
    """Yield a Document per page file (or WARC response record) below input_dir.

    Unreadable files are yielded as failed PageResults naming the file.
    """
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise NotADirectoryError(f"{input_dir}: input directory not found")
    sources = read_sources(input_dir)
    warc_paths: list[Path] = []
    for path in _walk(input_dir):
        rel = path.relative_to(input_dir).as_posix()
        if is_warc(path):
            warc_paths.append(path)
            continue
        media = _media_type(path)
        if media is None:
            continue
        info = sources.get(rel, SourceInfo(url=rel))
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit")
            content = path.read_bytes()
        except (OSError, ValueError) as exc:
            log.error("%s: cannot read: %s", path, exc)
            yield PageResult(rel, info.url or rel, error_stage="ingest",
                             error_type=type(exc).__name__, error_message=f"{path}: {exc}")
            continue
        yield Document(
            source_id=rel,
            source_url=info.url or rel,
            content=content,
            media_type="html" if media == "html" else "text",
            commune_nis=info.commune_nis,
        )
    if warc_paths:
        from .warc import iter_warc_documents  # optional stage, imported on use

        yield from iter_warc_documents(warc_paths, input_dir)
