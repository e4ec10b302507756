"""Stage 1, ingest: a directory of pages and WARC snapshots in, `Document`s out."""

from __future__ import annotations

from pathlib import Path

from pipeline.stages.s1_ingest.files import Listing, display_name, iter_documents, list_input
from pipeline.stages.s1_ingest.warc_reader import read_record_body, scan_warcs

__all__ = ["Listing", "display_name", "iter_documents", "list_input", "lookup", "warc_files"]


def warc_files(folder: Path) -> list[Path]:
    """All WARC files below a folder, sorted, as `run` reads them: regular files inside the
    folder, symlinks followed only when their target is inside it too (see `files`)."""
    if not Path(folder).is_dir():
        return []
    return sorted(list_input(Path(folder)).warc_paths)


def lookup(raw_dir: Path, url: str) -> bytes:
    """The exact body of the latest 200 snapshot of `url` in the WARC files under raw_dir."""
    latest, _errors = scan_warcs(warc_files(raw_dir), raw_dir)
    ref = latest.get(url)
    if ref is None:
        raise KeyError(f"{url}: no 200 response for this URL in the WARC files under {raw_dir}")
    return read_record_body(ref.path, ref.offset)
