"""The run's own outputs: `errors.csv` (one line per failed page) and `run.json` (counts,
durations, pipeline version, input fingerprint).

run.json has sorted keys; everything in it but the `run` object (id, timestamps,
durations) is the same for two runs over the same input with the same pipeline.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline import __version__
from pipeline.models import PageResult
from pipeline.stages.s8_export.tables import csv_bytes, safe_cell

ERRORS_HEADER = ("source", "stage", "error_type", "message")
MAX_MESSAGE = 1000
MAX_LISTED = 1000  # warnings and page names listed in run.json (all are counted)
WS = re.compile(r"\s+")


@dataclass
class RunStats:
    """Counts and timings of one run."""

    pages_seen: int = 0
    skipped_unchanged: int = 0
    parsed: int = 0
    failed: int = 0
    timed_out: int = 0
    rows_written: int = 0
    domain_rows: int = 0
    empty_text: int = 0  # pages read fine whose main text came out empty (e.g. trafilatura "discarding data")
    skipped_files: int = 0  # files in the input that are neither pages nor WARC files
    no_partnership_wording: int = 0  # pages the pre-filter stopped after decoding (cascade.py)
    durations: dict[str, float] = field(default_factory=dict)
    failures: list[PageResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # input problems that did not stop any page
    empty_pages: list[str] = field(default_factory=list)
    # The run's processes: when the first page result came (epoch seconds), and CPU seconds
    # and peak RSS of this process ("main") and of each local worker (executor.Usage).
    processes: dict[str, Any] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.durations[stage] = self.durations.get(stage, 0.0) + seconds

    def counts(self) -> dict[str, int]:
        return {
            "pages_seen": self.pages_seen,
            "skipped_unchanged": self.skipped_unchanged,
            "parsed": self.parsed,
            "failed": self.failed,
            "timed_out": self.timed_out,
            "rows_written": self.rows_written,
            "domain_rows": self.domain_rows,
            "empty_text": self.empty_text,
            "skipped_files": self.skipped_files,
            "no_partnership_wording": self.no_partnership_wording,
            "warnings": len(self.warnings),
        }


class Timer:
    """`with Timer(stats, "merge"): ...` adds the elapsed wall time to stats.durations["merge"]."""

    def __init__(self, stats: RunStats, stage: str) -> None:
        self.stats, self.stage, self.start = stats, stage, 0.0

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stats.add_time(self.stage, time.perf_counter() - self.start)


class Fingerprint:
    """Order-independent digest of the input: every page's id, URL, commune hint and content hash."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, source_id: str, source_url: str, commune_nis: str, digest: str) -> None:
        self.lines.append("\t".join((source_id, source_url, commune_nis, digest)))

    def hexdigest(self) -> str:
        h = hashlib.sha256()
        for line in sorted(self.lines):
            h.update(line.encode("utf-8", "surrogatepass") + b"\n")
        return h.hexdigest()


def _message(text: str) -> str:
    text = WS.sub(" ", text).strip()
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def errors_csv(failures: Iterable[PageResult]) -> bytes:
    """errors.csv: source (URL or file), stage, error type, message; formula-safe, sorted."""
    rows = sorted(
        {(p.source_url or p.source_id, p.error_stage, p.error_type, _message(p.error_message)) for p in failures}
    )
    return csv_bytes(ERRORS_HEADER, ([safe_cell(c) for c in row] for row in rows))


def iso_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def run_json(
    *,
    stats: RunStats,
    run_id: str,
    started: float,
    finished: float,
    version: str,
    libraries: dict[str, str],
    input_path: str,
    output_path: str,
    fingerprint: str,
    documents: int,
    changes: dict[str, int],
    exit_code: int,
    options: dict[str, Any],
    stages: Sequence[str],
) -> bytes:
    """The run report, as pretty-printed JSON with sorted keys."""
    durations = {s: round(stats.durations.get(s, 0.0), 3) for s in stages}
    durations["total"] = round(finished - started, 3)
    report = {
        "counts": {**stats.counts(), "changes": changes},
        "exit_code": exit_code,
        "input": {"path": input_path, "fingerprint": fingerprint, "documents": documents},
        "options": options,
        "output": output_path,
        "pipeline": {"version": version, "package_version": __version__, "libraries": libraries},
        "warnings": stats.warnings[:MAX_LISTED],
        "empty_text_pages": sorted(stats.empty_pages)[:MAX_LISTED],
        "run": {
            "id": run_id,
            "started_at": iso_time(started),
            "finished_at": iso_time(finished),
            "durations_s": durations,
            "processes": stats.processes,
        },
    }
    return (json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
