"""The one way newsarc writes a file: a crash leaves either the old file or the new one, never a mix.

Every writer (article YAML, kept originals, exports, settings, state) goes through here. The data goes to a
temporary file in the target's directory (named `.tmp-*.part`, which `check --repair` knows), is flushed and,
when durable, fsynced; then it is renamed over the target and the directory is fsynced so that the rename itself
survives a power loss.

What a write does depends on what the path is (write_target owns the rule, for every writer, including the paths
a user names: `export -o`, `--mapping`, `--failures`, `timeline --output`, and the archive's own files):
a regular file or a new name is replaced atomically as above; a symlink is written through, the same rule applied
to its target (a dangling one creates its target), so the link stays a link; a FIFO, a character device or any
other non-regular file (`-o /dev/stdout`, `-o /dev/null`, `-o >(gzip > x.gz)`) is opened and written into, never
renamed over; a folder is refused with IsADirectoryError.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"


MAX_SYMLINK_HOPS = 40  # as the kernel's own limit (ELOOP)


@dataclass(frozen=True)
class WriteTarget:
    """Where a write to a path lands and how. `path` is the file to write: the path itself, or the end of its
    symlink chain. `replace`: True for a regular file or a new name (temp file + rename), False for a FIFO,
    device or other special file, which is opened and written into. `mode`: the mode the file ends with."""

    path: Path
    replace: bool
    mode: int


def write_target(path: Path) -> WriteTarget:
    """Resolve `path` by the rule in this module's docstring; raises IsADirectoryError for a folder and OSError
    (ELOOP) for a symlink loop. One lstat for the common case of a regular file or a new name."""
    current = Path(path)
    for _ in range(MAX_SYMLINK_HOPS):
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return WriteTarget(current, True, 0o666 & ~current_umask())
        if stat.S_ISREG(info.st_mode):
            return WriteTarget(current, True, stat.S_IMODE(info.st_mode))
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder; name a file to write", str(path))
        if not stat.S_ISLNK(info.st_mode):
            return WriteTarget(current, False, stat.S_IMODE(info.st_mode))
        if _is_process_link(current):
            # /proc/self/fd/1 (what /dev/stdout points to): its "target" (pipe:[123], a file the shell opened,
            # perhaps for appending) is reached only by opening the link itself.
            return _opened_through(current, path)
        current = current.parent / os.readlink(current)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))


def _is_process_link(link: Path) -> bool:
    """A /proc link to an open file (/proc/PID/fd/N, /dev/fd/N): it names an open file, not a path."""
    return os.path.realpath(link.parent).startswith("/proc/")


def _opened_through(link: Path, given: Path) -> WriteTarget:
    try:
        info = os.stat(link)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "names a file descriptor that is not open", str(given)) from None
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder; name a file to write", str(given))
    return WriteTarget(link, False, stat.S_IMODE(info.st_mode))


@contextlib.contextmanager
def atomic_file(path: Path, *, binary: bool = False, durable: bool = True,
                sync_dir: bool = True) -> Iterator[IO[Any]]:
    """A handle to write `path` by the rule of write_target: through a temporary file renamed into place only
    when the block succeeds, or straight into a FIFO or device. sync_dir=False leaves the directory's fsync to
    the caller, who does it once for many files."""
    target = write_target(path)
    if not target.replace:
        with open(target.path, "wb") if binary else open(target.path, "w", encoding="utf-8", newline="") as out:
            yield out
        return
    path = target.path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            # mkstemp creates files -rw------- whatever the umask; renamed into place that would hide articles,
            # exports and .gitattributes from colleagues on a shared machine. A file keeps the mode of the file
            # it replaces; a new one gets 0666 less the umask, as any other tool would create it.
            os.fchmod(handle.fileno(), target.mode)
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
