"""One run at a time per output directory: an exclusive, non-blocking lock on `<output>/.lock`.

The lock is a POSIX record lock (`fcntl.lockf`), not `flock`: a record lock belongs to
the process that took it and is not inherited by forked worker processes, so when the
run is killed (SIGKILL included) the kernel releases it at once, even if orphaned
workers are still alive. A stale lock therefore never blocks the next run. The file
itself stays; it holds the pid and start time of the last holder, for information only.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

LOCK_FILE = ".lock"
_HELD: set[str] = set()  # record locks do not exclude the process holding them: check here too


class LockHeld(RuntimeError):
    """Another process holds the lock of this output directory."""


class OutputLock:
    """Context manager: `with OutputLock(out_dir): ...`; raises LockHeld when taken."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_FILE
        self._fd: int | None = None
        self._key = ""

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.path)
        if key in _HELD:
            raise LockHeld(f"{self.path.parent}: this process already holds {self.path}")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: held by another process
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise LockHeld(
                f"{self.path.parent}: another run holds {self.path}" + (f" ({holder})" if holder else "")
            ) from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode(), 0)
        self._fd = fd
        self._key = key
        _HELD.add(key)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
            _HELD.discard(self._key)

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
