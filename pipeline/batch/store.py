"""The output directory, committed atomically: readers see the previous complete dataset
or the new complete one, never a mix and never a truncated file, whenever the run dies.

Layout of an output directory (`extracted/`)::

    .versions/<run id>/        one complete dataset per directory, never modified once named
    .versions/.tmp-<run id>/   a dataset being written (deleted by the next run if left over)
    current -> .versions/<run id>            the committed dataset (a symlink)
    partnerships.csv -> current/partnerships.csv   one fixed symlink per file (also
    partnership_domains.csv, partnerships.parquet, errors.csv, changes.csv, run.json)
    .lock, .cache/             the run lock and the page cache

Commit protocol (`commit`):

1. write every file into `.versions/.tmp-<id>/`, fsync each file and the directory;
2. rename it to `.versions/<id>/` and fsync `.versions/` (a complete, durable dataset);
3. make sure each top-level name is the fixed symlink `current/<name>` (created through
   a temporary symlink and a rename; these never change once made);
4. point `current` at `.versions/<id>` by renaming a new symlink over it (rename(2) is
   atomic) and fsync the output directory: this single rename is the commit;
5. delete the version directories other than the new and the previous one.

Before step 4, every path under the output directory resolves to the previous dataset;
after it, to the new one. A kill at any moment leaves at worst an unused temporary or
version directory, which the next run deletes. A reader who needs several files of the
same dataset resolves `current` once (`store.current_dir`) and reads from there.

An output directory written by an older version of the pipeline (regular files) is
converted on first use: its files are hard-linked (or copied) into a version directory
and each is replaced by its symlink, so readers see the same bytes throughout.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

VERSIONS = ".versions"
CURRENT = "current"
TMP_PREFIX = ".tmp-"
LINK_TMP_PREFIX = ".link-tmp-"
DATASET_FILES = (
    "partnerships.csv",
    "partnership_domains.csv",
    "partnerships.parquet",
    "errors.csv",
    "changes.csv",
    "run.json",
    "domains.csv",
    "domain_sectors.csv",
    "pages.csv",
    "evidence_spans.csv",
    "datapackage.json",
    "partnerships.sqlite",
    "partnerships.xlsx",
    "report.html",
)
PAUSE_ENV = "PIPELINE_TEST_PAUSE"


class StoreError(OSError):
    """The output directory is in a state the pipeline will not touch (e.g. `current` is a real directory)."""


def checkpoint(point: str) -> None:
    """Test hook, for the crash tests only: with PIPELINE_TEST_PAUSE="<point>:<flag file>" in
    the environment, create the flag file and sleep when reaching `point`, so that a test can
    SIGKILL the run exactly there. Without the variable (always, in production) it does nothing."""
    spec = os.environ.get(PAUSE_ENV, "")
    if not spec:
        return
    name, _, flag = spec.partition(":")
    if name == point and flag:
        Path(flag).write_text(f"{os.getpid()}\n", encoding="utf-8")
        time.sleep(3600)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o644)


def _symlink_atomic(target: str, path: Path) -> None:
    """Make `path` a symlink to `target` with one rename (never absent, never half made)."""
    tmp = path.with_name(f"{LINK_TMP_PREFIX}{path.name}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def new_run_id() -> str:
    """UTC time to the microsecond plus the pid: unique, and sorted by start time."""
    now = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 1_000_000_000))
    return f"{stamp}.{now // 1000 % 1_000_000:06d}Z-{os.getpid()}"


def current_dir(out_dir: Path) -> Path | None:
    """The directory of the committed dataset, resolved once (None before the first commit)."""
    link = Path(out_dir) / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def previous_file(out_dir: Path, name: str) -> Path | None:
    """The committed dataset's file `name`, if there is one."""
    base = current_dir(out_dir)
    path = (base / name) if base is not None else Path(out_dir) / name
    return path if path.is_file() else None


def _link_target(name: str) -> str:
    return f"{CURRENT}/{name}"


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def recover(out_dir: Path) -> None:
    """Clean what an interrupted run left and convert an old-style output directory.

    Call it with the output lock held, before anything else."""
    out_dir = Path(out_dir)
    current = out_dir / CURRENT
    if current.exists() and not current.is_symlink():
        raise StoreError(f"{current} is not a symlink: move it away; the pipeline will not touch it")
    versions = out_dir / VERSIONS
    for leftover in sorted(versions.glob(f"{TMP_PREFIX}*")) if versions.is_dir() else []:
        log.info("removing %s left by an interrupted run", leftover)
        _remove(leftover)
    for leftover in sorted(out_dir.glob(f"{LINK_TMP_PREFIX}*")):
        _remove(leftover)
    legacy = [name for name in DATASET_FILES if (out_dir / name).is_file() and not (out_dir / name).is_symlink()]
    if legacy:
        _adopt_legacy(out_dir, legacy)


def _adopt_legacy(out_dir: Path, names: list[str]) -> None:
    """Turn regular dataset files into a version directory plus symlinks, readers seeing the same bytes."""
    log.info("%s: converting %s to the versioned layout", out_dir, ", ".join(names))
    versions = out_dir / VERSIONS
    versions.mkdir(exist_ok=True)
    run_id = new_run_id() + "-adopted"
    tmp = versions / f"{TMP_PREFIX}{run_id}"
    tmp.mkdir()
    for name in names:
        try:
            os.link(out_dir / name, tmp / name)
        except OSError:
            shutil.copy2(out_dir / name, tmp / name)
            with open(tmp / name, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(tmp)
    final = versions / run_id
    os.replace(tmp, final)
    fsync_dir(versions)
    _symlink_atomic(f"{VERSIONS}/{run_id}", out_dir / CURRENT)
    for name in names:  # each name now shows the same bytes through current/
        _symlink_atomic(_link_target(name), out_dir / name)
    fsync_dir(out_dir)


def _ensure_links(out_dir: Path, names: Iterable[str]) -> None:
    for name in names:
        path = out_dir / name
        if path.is_symlink() and os.readlink(path) == _link_target(name):
            continue
        if path.is_dir() and not path.is_symlink():
            raise StoreError(f"{path} is a directory: move it away; the pipeline will not touch it")
        _symlink_atomic(_link_target(name), path)


def commit(out_dir: Path, files: Mapping[str, bytes], run_id: str) -> Path:
    """Write `files` as the new dataset of out_dir, atomically (see the module docstring).

    Returns the new version directory. On an exception before the switch the previous
    dataset stays in place untouched."""
    out_dir = Path(out_dir)
    versions = out_dir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    tmp = versions / f"{TMP_PREFIX}{run_id}"
    final = versions / run_id
    try:
        tmp.mkdir()
        for i, (name, data) in enumerate(files.items()):
            _write_file(tmp / name, data)
            if i == 0:
                checkpoint("staging")
        fsync_dir(tmp)
        os.replace(tmp, final)
        fsync_dir(versions)
    except BaseException:
        _remove(tmp)
        raise
    checkpoint("staged")
    _ensure_links(out_dir, sorted(set(DATASET_FILES) | set(files)))
    fsync_dir(out_dir)
    checkpoint("before-switch")
    previous = current_dir(out_dir)
    _symlink_atomic(f"{VERSIONS}/{run_id}", out_dir / CURRENT)
    fsync_dir(out_dir)
    checkpoint("after-switch")
    _prune(versions, keep={final.name} | ({previous.name} if previous is not None else set()))
    return final


def _prune(versions: Path, keep: set[str]) -> None:
    """Delete version directories other than `keep` (the new and the previous dataset)."""
    for path in sorted(versions.iterdir()):
        if path.name in keep or path.name.startswith(TMP_PREFIX):
            continue
        log.debug("removing old dataset %s", path)
        _remove(path)
