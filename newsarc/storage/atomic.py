"""The one way newsarc writes a file: a crash leaves either the old file or the new one, never a mix.

Every writer (article YAML, kept originals, exports, settings, state) goes through here. The data goes to a
temporary file in the target's directory (named `.tmp-*.part`, which `check --repair` knows), is flushed and,
when durable, fsynced; then it is renamed over the target and the directory is fsynced so that the rename itself
survives a power loss.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"


@contextlib.contextmanager
def atomic_file(path: Path, *, binary: bool = False, durable: bool = True,
                sync_dir: bool = True) -> Iterator[IO[Any]]:
    """A handle to write `path` through a temporary file; renamed into place only when the block succeeds.
    sync_dir=False leaves the directory's fsync to the caller, who does it once for many files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            os.fchmod(handle.fileno(), _final_mode(path))
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable and sync_dir:
        fsync_dir(path.parent)


def _final_mode(path: Path) -> int:
    """The mode the written file should have. mkstemp creates files -rw------- whatever the umask; renamed into
    place that would hide articles, exports and .gitattributes from colleagues on a shared machine. A file keeps
    the mode of the file it replaces; a new one gets 0666 less the umask, as any other tool would create it."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask (there is no call that reads it without setting it). Locked: bulk adds write files
    from several threads, and two interleaved set-and-restore pairs would leave the umask changed."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes, *, durable: bool = True, sync_dir: bool = True) -> None:
    """Write text (UTF-8, newlines as given) or bytes to `path` atomically."""
    with atomic_file(path, binary=isinstance(data, bytes), durable=durable, sync_dir=sync_dir) as handle:
        handle.write(data)


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
