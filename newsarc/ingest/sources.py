"""Where `newsarc add` reads from: files, directories walked, http(s) URLs and stdin, each as a Source.

A Source reads its bytes only when asked (URLs are fetched then), refuses what is not a regular file (a FIFO
must not hang `add`) and anything larger than an article can be, before reading it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarc.errors import BadInputError, UsageError
from newsarc.ingest.options import MAX_SINGLE_BYTES
from newsarc.outcomes import AddOutcome

# File kinds a directory walk picks up; a file named explicitly is always tried.
ARTICLE_SUFFIXES = {".txt", ".text", ".md", ".markdown", "", ".html", ".htm", ".xhtml", ".eml", ".mbox", ".json",
                    ".jsonl", ".ndjson", ".csv", ".tsv", ".xml", ".rss", ".atom"}
SKIPPED_NAMES = ("readme", "license", "licence", "copying", "changelog")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{1,15})://")
# host.name.tld: labels of letters, digits and hyphens, a last label of letters
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}")
_FILE_WORDS = {suffix.lstrip(".") for suffix in ARTICLE_SUFFIXES} | {"d", "dir", "old", "bak", "tmp", "orig"}


@dataclass
class Source:
    """One input to add: where it came from and a way to read its bytes (or, for big files, open a stream)."""

    origin: str
    read: Callable[[], bytes]
    path: Path | None = None
    size: int = 0
    open: Callable[[], Any] | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # what a fetch learnt: url, final_url, fetched, type


def iter_sources(paths: Iterable[str], *, stdin: Callable[[], bytes] | None = None,
                 skipped: list[AddOutcome] | None = None, allow_private: bool = False) -> Iterator[Source]:
    """Files named, files found walking directories (sorted, hidden and README-like files skipped), http(s)
    URLs (fetched when read), or stdin."""
    for raw in paths:
        if raw == "-":
            if stdin is None:
                raise UsageError("reading from stdin is not available here")
            yield Source("<stdin>", stdin)
            continue
        if raw.lower().startswith(("http://", "https://")):  # fetched when read (newsarc.ingest.fetch)
            yield url_source(raw, allow_private=allow_private)
            continue
        path = Path(raw)
        scheme = _SCHEME.match(raw)
        if scheme and not path.exists():
            if skipped is not None:
                skipped.append(AddOutcome(raw, "failed", reason=f"{raw}: only http:// and https:// URLs are "
                                                                f"fetched, not {scheme.group(1).lower()}://"))
            continue
        if path.is_dir():
            for found in _walk_dir(path, skipped):
                yield _file_source(found)
        elif path.exists():
            yield _file_source(path)
        elif skipped is not None:
            skipped.append(AddOutcome(raw, "failed", reason=missing_reason(raw)))


def missing_reason(raw: str) -> str:
    """Why an input that is neither a file nor an http(s) URL failed: naming it, and saying that https:// is
    missing when it reads as a web address (www.bbc.co.uk/news/1)."""
    if _looks_like_address(raw):
        return f"{raw}: no such file; for a web address write https://{raw}"
    return f"{raw}: no such file or directory"


def _looks_like_address(raw: str) -> bool:
    host, slash, _ = raw.partition("/")
    if raw.lower().startswith("www.") and _HOST.fullmatch(host):
        return True
    if not slash or not _HOST.fullmatch(host):
        return False
    return host.rsplit(".", 1)[1].lower() not in _FILE_WORDS  # "saved.html/x" is a folder, not a host


def url_source(url: str, *, allow_private: bool = False) -> Source:
    """A Source that fetches url when read (newsarc.ingest.fetch rules) and records what the fetch learnt."""
    source = Source(url, lambda: b"")

    def read() -> bytes:
        from newsarc.ingest.fetch import fetch

        fetched = fetch(url, allow_private=allow_private)
        source.hints.update(fetched.hints())
        return fetched.data

    source.read = read
    return source


def _file_source(path: Path) -> Source:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return Source(str(path), _reader(path), path=path, size=size, open=_opener(path), hints={"name": path.name})


def _open_regular(path: Path, what: str) -> Any:
    """Open path for reading without blocking (a FIFO must not hang) and refuse anything but a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise BadInputError(f"{path}: permission denied; check the file's permissions") from None
    except IsADirectoryError:
        raise BadInputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    handle = open(fd, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise BadInputError(f"{path}: not a regular file (a pipe, socket or device); save {what} to a file first")
    return handle


def _opener(path: Path) -> Callable[[], Any]:
    """Open a big file as a binary stream (closed by the caller, add_sources)."""
    return lambda: _open_regular(path, "the articles")


def _walk_dir(top: Path, skipped: list[AddOutcome] | None) -> Iterator[Path]:
    """Article files below top. Files of other formats and README-like files are passed over, each reported
    in `skipped` (status "skipped") so that the user is told; hidden files and folders are not looked at."""
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            stem, suffix = os.path.splitext(name)
            if name.startswith("."):
                continue
            found = Path(directory) / name
            if suffix.lower() not in ARTICLE_SUFFIXES:
                reason = f"not an article format ({suffix.lower()})"
            elif stem.lower() in SKIPPED_NAMES:
                reason = "README-like file"
            else:
                yield found
                continue
            if skipped is not None:
                skipped.append(AddOutcome(str(found), "skipped", reason=reason))


def _reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        with _open_regular(path, "the article") as handle:
            size = os.fstat(handle.fileno()).st_size
            try:
                # Refused before reading (the stat), and bounded even if the file grows meanwhile (the read).
                data = b"" if size > MAX_SINGLE_BYTES else handle.read(MAX_SINGLE_BYTES + 1)
            except OSError as exc:
                raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
        size = max(size, len(data))
        if size > MAX_SINGLE_BYTES:
            raise BadInputError(
                f"{path}: {size / 2**20:.0f} MB is more than the {MAX_SINGLE_BYTES // 2**20} MB an article "
                "may have; split it or trim it first"
            )
        return data

    return read
