"""Logs a scheduler can read: plain lines or one JSON object per line, and a progress bar
that appears only on an interactive terminal."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any, Protocol

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extra fields,
    and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(
            {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}
        )
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: str = "INFO", json_lines: bool = False) -> None:
    """Log to stderr, as text lines or (json_lines) JSON lines; calling it again replaces
    the handler it installed before (and leaves other handlers alone)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_pipeline_handler", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    handler._pipeline_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...


class _NoProgress:
    def update(self, n: int = 1) -> object:
        return None


def interactive() -> bool:
    """True when stderr is a terminal (not a file, pipe or journal)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


@contextlib.contextmanager
def progress_bar(enabled: bool | None = None, desc: str = "pages", total: int | None = None) -> Iterator[Progress]:
    """A tqdm bar on stderr when enabled (default: only on an interactive terminal), with a
    total (so an ETA) when known; log lines are routed around it. Otherwise a no-op."""
    if enabled is None:
        enabled = interactive()
    if not enabled:
        yield _NoProgress()
        return
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with tqdm(desc=desc, unit="page", total=total, file=sys.stderr, dynamic_ncols=True) as bar, logging_redirect_tqdm():
        yield bar
