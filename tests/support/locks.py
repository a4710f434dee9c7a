"""Waiting for an archive's lock to be free: for a background catch-up or a writer to finish (an event, not a
guessed delay)."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


def wait_until_unlocked(archive: Path, *, timeout: float = 300) -> None:
    """Return once no process holds the archive lock (fails after timeout seconds: something hangs)."""
    path = archive / ".newsarc" / "lock"
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        except BlockingIOError:
            pass
        finally:
            os.close(fd)
        assert time.monotonic() < deadline, f"the archive lock of {archive} was still held after {timeout} s"
        time.sleep(0.05)
