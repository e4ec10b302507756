"""Data built once from an installed package and kept on disk under the cache directory
(`$PIPELINE_CACHE_DIR`, else `~/.cache/partnership-pipeline`), keyed by the package's
version in the file name. A missing, corrupt or unwritable cache only costs the time to
build it again; it never stops a run."""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def cache_dir() -> Path:
    """Where compiled data lives: $PIPELINE_CACHE_DIR, else the user's cache directory."""
    base = os.environ.get("PIPELINE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "partnership-pipeline"
    )
    return Path(base)


def load_or_build(path: Path, build: Callable[[], T], valid: Callable[[object], bool], what: str) -> T:
    """The pickled `what` at `path` when it is there and `valid`, else `build()` written there
    atomically (a temporary file and a rename) for the next process."""
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
        if valid(data):
            return data
        log.warning("%s: not a %s; rebuilding it", path, what)
    except FileNotFoundError:
        pass
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        log.warning("%s: unreadable %s (%s); rebuilding it", path, what, exc)
    log.info("building the %s (once per package version) into %s", what, path)
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot cache the %s in %s: %s", what, path.parent, exc)
    return built
