"""The archive lock: one writer at a time across processes, never a stale lock.

It is an flock(2) on a file inside the archive's state directory. The kernel drops the lock when its
process dies, however it dies, so a kill -9 can never leave the archive locked. The file holds the pid of the
holder only to tell a waiting user who it is waiting for.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from newsarc.errors import ArchiveError, LockTimeoutError


class ArchiveLock:
    def __init__(self, path: Path, *, timeout: float = 60.0, on_wait: Callable[[str], None] | None = None):
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait or (lambda message: print(message, file=sys.stderr))
        self._fd: int | None = None
        self._depth = 0

    def try_acquire(self) -> bool:
        """Take the lock if it is free right now; never waits."""
        if self._fd is not None:
            self._depth += 1
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            # A read-only mount, or a colleague's archive: taking the lock is the first write any writer makes.
            root = self.path.parent.parent
            raise ArchiveError(f"cannot write to the archive at {root} ({(exc.strerror or str(exc)).lower()}); "
                               "commands that only read it still work") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        self._depth = 1
        return True

    def acquire(self) -> None:
        """Take the lock, waiting up to `timeout` seconds with one message saying who holds it."""
        if self.try_acquire():
            return
        self.on_wait(f"waiting for another newsarc process{self._holder()} to finish writing to the archive...")
        deadline = time.monotonic() + self.timeout
        delay = 0.01
        while time.monotonic() < deadline:
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
            if self.try_acquire():
                return
        raise LockTimeoutError(
            f"the archive is locked by another newsarc process{self._holder()} for over {self.timeout:.0f} s; "
            "try again when it has finished"
        )

    def _holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        fd, self._fd = self._fd, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
