"""Every path newsarc writes, and above all every path a user names, follows one rule (issue 20, point 1;
newsarc.storage.atomic.write_target): a regular file or a new name is replaced atomically, a symlink is written
through to its target (the link stays a link), a FIFO or a device is written into (never renamed over), a folder
is refused in one line."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SEED, need_shared


@dataclass(frozen=True)
class Writer:
    """A command that writes a file: `args` with {out} for the path it writes, and what the file must hold."""

    name: str
    args: tuple[str, ...]
    expect: str  # a text the written file holds
    in_archive: str | None = None  # the archive file it writes, when it is not a path on the command line
    needs: str | None = None  # an optional module it needs


WRITERS = [
    Writer("export -o", ("export", "-o", "{out}"), '"id": "x9v9r6tm09"'),
    Writer("export --mapping", ("export", "--format", "es-bulk", "-o", "{side}", "--mapping", "{out}"),
           '"mappings"'),
    Writer("add --failures", ("add", "{missing}", "--failures", "{out}"), '"reason"'),
    Writer("timeline --output", ("timeline", "Assad", "--output", "{out}"), "<svg", needs="matplotlib"),
    Writer("alias add", ("alias", "add", "Bukamal", "Abu Kamal"), "Bukamal", in_archive="aliases.yaml"),
    Writer("watch add", ("watch", "add", "syria", "Assad"), "syria: Assad", in_archive="watches.yaml"),
]


def _ready(writer: Writer, run) -> None:
    need_shared(SEED)
    if writer.needs:
        pytest.importorskip(writer.needs)
    assert run("add", str(SEED)).exit_code == 0


def _invoke(run, writer: Writer, out: Path, tmp_path: Path):
    args = [a.format(out=out, side=tmp_path / "side.ndjson", missing=tmp_path / "no-such.txt")
            for a in writer.args]
    return run(*args)


def _point_at(writer: Writer, archive: Path, tmp_path: Path, name: str) -> Path:
    """The path the writer is given (or, for an archive file, that file), to be made into something."""
    if writer.in_archive:
        return archive / writer.in_archive
    return tmp_path / (name + (".svg" if "timeline" in writer.name else ".out"))


@pytest.mark.parametrize("writer", WRITERS, ids=[w.name for w in WRITERS])
def test_a_symlink_is_written_through_and_stays_a_link(run, archive: Path, tmp_path: Path, writer: Writer) -> None:
    _ready(writer, run)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "target"
    if writer.in_archive:  # e.g. aliases.yaml kept in a dotfiles repository
        original = (archive / writer.in_archive).read_text(encoding="utf-8") \
            if (archive / writer.in_archive).exists() else ""
        target.write_text(original, encoding="utf-8")
        (archive / writer.in_archive).unlink(missing_ok=True)
    else:
        target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = _point_at(writer, archive, tmp_path, "link")
    link.symlink_to(target)
    _invoke(run, writer, link, tmp_path)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert writer.expect in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file's mode is kept
    assert sorted(p.name for p in elsewhere.iterdir()) == ["target"]  # no temporary file left beside it


@pytest.mark.parametrize("writer", [w for w in WRITERS if not w.in_archive],
                         ids=[w.name for w in WRITERS if not w.in_archive])
def test_a_dangling_symlink_creates_its_target(run, archive: Path, tmp_path: Path, writer: Writer) -> None:
    _ready(writer, run)
    target = tmp_path / "made-by-newsarc"
    link = _point_at(writer, archive, tmp_path, "dangling")
    link.symlink_to(target.name)  # relative, as `ln -s` is mostly used
    _invoke(run, writer, link, tmp_path)
    assert link.is_symlink()
    assert writer.expect in target.read_text(encoding="utf-8")


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A character device like /dev/null that a broken writer may replace without harm: as root (who could
    rename a file over the system's /dev/null) a null device made in tmp_path; otherwise /dev/null itself,
    which only root can replace."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        device.write_bytes(b"probe")
    except OSError as exc:
        pytest.skip(f"cannot make a null device to write to as root ({exc.strerror})")
    return device


@pytest.mark.parametrize("writer", [w for w in WRITERS if not w.in_archive],
                         ids=[w.name for w in WRITERS if not w.in_archive])
def test_dev_null_is_written_into_and_stays_a_device(run, archive: Path, tmp_path: Path, writer: Writer,
                                                      null_device: Path) -> None:
    """`-o /dev/null`: renaming a file over it would replace the system's /dev/null (as root)."""
    _ready(writer, run)
    device = null_device
    if "timeline" in writer.name:  # timeline --output takes .svg or .png names only
        device = tmp_path / "null.svg"
        device.symlink_to(null_device)
    before = os.stat(null_device)
    result = _invoke(run, writer, device, tmp_path)
    after = os.stat(null_device)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, stat.S_IMODE(after.st_mode)) == \
        (before.st_ino, before.st_rdev, stat.S_IMODE(before.st_mode))
    assert result.exit_code in (0, 5), result.output  # add --failures: the one input fails


@pytest.mark.parametrize("writer", [w for w in WRITERS if not w.in_archive],
                         ids=[w.name for w in WRITERS if not w.in_archive])
def test_a_fifo_is_written_into_for_its_reader(run, archive: Path, tmp_path: Path, writer: Writer) -> None:
    """`-o >(gzip > x.gz)`: the shell passes a pipe; the export must go into it, not replace it."""
    _ready(writer, run)
    fifo = _point_at(writer, archive, tmp_path, "pipe")
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = _invoke(run, writer, fifo, tmp_path)
    if reader.is_alive():  # the writer never opened the pipe: let the reader go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=30)
    assert result.exit_code in (0, 5), result.output  # add --failures: the one input fails
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert writer.expect in received[0].decode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")) == []


def test_export_to_dev_stdout_writes_to_standard_output(archive: Path, tmp_path: Path) -> None:
    """`-o /dev/stdout` reaches whatever standard output is, here a pipe. /dev/stdout is a link to
    /proc/self/fd/1; the test makes its own such link, so that a broken writer cannot replace the system's."""
    import subprocess
    import sys

    need_shared(SEED)
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    newsarc = str(Path(sys.executable).with_name("newsarc"))
    assert subprocess.run([newsarc, "--archive", str(archive), "add", str(SEED)], capture_output=True).returncode == 0
    result = subprocess.run([newsarc, "--archive", str(archive), "export", "-o", str(stdout_link)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"id": "x9v9r6tm09"' in result.stdout
    assert stdout_link.is_symlink() and os.readlink(stdout_link) == "/proc/self/fd/1"


@pytest.mark.parametrize("writer", [w for w in WRITERS if not w.in_archive and "timeline" not in w.name],
                         ids=[w.name for w in WRITERS if not w.in_archive and "timeline" not in w.name])
def test_a_folder_is_refused_in_one_line(run, archive: Path, tmp_path: Path, writer: Writer) -> None:
    _ready(writer, run)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = _invoke(run, writer, folder, tmp_path)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 or "newsarc: error:" in result.output
    assert "directory" in result.output or "folder" in result.output
    assert list(folder.iterdir()) == []


# -- the rule itself, for the archive's own files ----------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda p: None,
    lambda p: p.write_text("old", encoding="utf-8"),
], ids=["new name", "regular file"])
def test_a_regular_file_or_new_name_is_replaced_atomically(tmp_path: Path, make: Callable[[Path], None]) -> None:
    from newsarc.storage.atomic import atomic_write, write_target

    path = tmp_path / "f.txt"
    make(path)
    assert write_target(path).replace
    atomic_write(path, "new")
    assert path.read_text(encoding="utf-8") == "new" and not path.is_symlink()


def test_a_symlink_loop_and_a_folder_are_refused(tmp_path: Path) -> None:
    from newsarc.storage.atomic import atomic_write

    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(OSError):
        atomic_write(loop, "x")
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path, "x")
    link = tmp_path / "to-folder"
    link.symlink_to(tmp_path)
    with pytest.raises(IsADirectoryError):
        atomic_write(link, "x")
