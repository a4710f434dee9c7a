"""The archive lock: one writer at a time across processes, never a stale lock.

It is an flock(2) on a file inside the archive's state directory. The kernel drops the lock when its
process dies, however it dies, so a kill -9 can never leave the archive locked. The file holds the pid of the
holder and what it is doing (`add`, `reindex`, `catch-up`...) only to tell a waiting user, or a reader that
answers from the index as it stands, what they wait for.

A reader that finds many files to index hands the lock to a background process (newsarc.storage.catchup): the
flock belongs to the open file, so the child that inherits the descriptor holds it without a moment when the
lock is free.
"""

from __future__ import annotations

import contextlib
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
        self._fd = fd
        self._depth = 1
        self.announce("")
        return True

    def announce(self, activity: str, pid: int | None = None) -> None:
        """Write the holder's pid in the lock file, and what it does (add, import, reindex, catch-up; "" for a
        short write) beside it in lock.activity, for readers."""
        if self._fd is None:
            return
        pid = pid or os.getpid()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{pid}\n".encode(), 0)
        try:
            if activity:
                from newsarc.storage.atomic import atomic_write

                atomic_write(self.activity_path, f"{pid} {activity}\n", durable=False)
            else:
                self.activity_path.unlink(missing_ok=True)
        except OSError:
            pass  # only a reader's message is less precise

    @property
    def activity_path(self) -> Path:
        return self.path.with_name(self.path.name + ".activity")

    def holder(self) -> tuple[str, str]:
        """(pid, activity) of the holder as it wrote them, ("", "") when unknown."""
        try:
            pid = self.path.read_text().strip()
        except OSError:
            return "", ""
        if not pid.isdigit():
            return "", ""
        try:
            words = self.activity_path.read_text().split()
        except OSError:
            words = []
        return pid, " ".join(words[1:]) if words and words[0] == pid else ""

    def hand_over(self, pid: int, activity: str) -> None:
        """The lock now belongs to process pid, which inherited its descriptor: say so, and close this process's
        copy without unlocking (an flock is released only when the last descriptor of its open file closes)."""
        if self._fd is None:
            return
        self.announce(activity, pid)
        fd, self._fd = self._fd, None
        self._depth = 0
        os.close(fd)

    def adopt(self, fd: int) -> None:
        """Hold the lock through a descriptor inherited from the process that handed it over (hand_over). Refused
        unless fd is this lock's file and its open file holds the flock (taking it again through the same open
        file succeeds at once; through another, it would not)."""
        try:
            same_file = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            if same_file:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            same_file = False
        if not same_file:
            raise ArchiveError(f"descriptor {fd} does not hold the archive lock {self.path}")
        self._fd = fd
        self._depth = 1

    def fileno(self) -> int | None:
        return self._fd

    @property
    def nested(self) -> bool:
        """Held more than once by this process (an outer caller holds it too): it cannot be handed over."""
        return self._depth > 1

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
        pid, _activity = self.holder()
        return f" (pid {pid})" if pid else ""

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            self.activity_path.unlink(missing_ok=True)
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
