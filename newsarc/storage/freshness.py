"""The freshness check: which article files changed since the index last saw them.

Layered so that it stays cheap at any archive size (see docs/freshness.md):

1. Directory check (every command, any size): stat each directory under articles/ and compare its mtime
   with the one recorded. Adding, deleting or renaming a file changes its directory's mtime, and so does
   replacing a file by rename, which is how newsarc, git and most editors write. Only directories that
   changed are listed, and only their files are stat'ed.
2. Full scan (every command while the archive is small, else when the last one is older than a set time,
   and always on `newsarc check`): stat every file and compare mtime, size and inode.
   This is what catches a file rewritten in place without a rename. It is a merge-join: the tree is walked in
   path order (see path_order) beside the catalog's stamps streamed in the same order, so it holds one
   directory's listing and one catalog row at a time, never a record of the whole archive (at 1,000,000
   articles a dict of every stamp plus a set of every path seen cost ~230 MB of RSS).

A timestamp is only trusted once it is older than RACY_NS: a directory or file whose mtime is that close to
the moment it was recorded could change again within the same clock tick unseen, so it is recorded as
unknown (-1) and looked at again next time (the "racy git" problem).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from newsarc.storage.archive import ARTICLES_DIR

RACY_NS = 2_000_000_000
UNKNOWN = -1

Stamp = tuple[int, int, int]  # mtime_ns, size, inode
# The catalog's file stamps as (path, stamp), ascending by path in SQLite's BINARY order (Catalog.all_stamps).
StampsInPathOrder = Callable[[], Iterable[tuple[str, Stamp]]]


@dataclass
class Changes:
    upserts: dict[str, Stamp] = field(default_factory=dict)  # new or changed files, with their stamps
    deletes: list[str] = field(default_factory=list)
    dirs: dict[str, int] = field(default_factory=dict)  # directory -> mtime to record
    gone_dirs: list[str] = field(default_factory=list)
    full_scan: bool = False

    def __bool__(self) -> bool:
        return bool(self.upserts or self.deletes or self.dirs or self.gone_dirs)

    @property
    def article_count(self) -> int:
        return len(self.upserts) + len(self.deletes)


def trusted(mtime_ns: int, now_ns: int) -> int:
    """The mtime to record: the real one when it is old enough to be trusted, else UNKNOWN."""
    return mtime_ns if now_ns - mtime_ns >= RACY_NS else UNKNOWN


def stamp_of(st: os.stat_result, now_ns: int) -> Stamp:
    return (trusted(st.st_mtime_ns, now_ns), st.st_size, st.st_ino)


def _same(recorded: Stamp | None, st: os.stat_result) -> bool:
    return recorded is not None and recorded[0] != UNKNOWN and recorded == (st.st_mtime_ns, st.st_size, st.st_ino)


class StampsIn(Protocol):
    """Catalog.stamps_in: the recorded stamps of the files in a directory (and below it, if recursive)."""

    def __call__(self, directory: str, recursive: bool = False) -> dict[str, Stamp]: ...


def detect(root: Path, recorded_dirs: dict[str, int], stamps_in: StampsIn, all_stamps: StampsInPathOrder, *,
           full: bool) -> Changes:
    """Compare the files under root/articles with what the catalog recorded.

    stamps_in(dir) and all_stamps() read recorded file stamps from the catalog; they are passed in so this
    module holds only the comparison logic. all_stamps() must yield every recorded file in ascending path order
    (SQLite's BINARY collation, which is Python's str order): the full scan merges it with the walk.
    """
    now = time.time_ns()
    changes = Changes(full_scan=full)
    if full:
        changes.deletes.extend(_merge_tree(root, ARTICLES_DIR, all_stamps(), changes, now))
        changes.gone_dirs.extend(d for d in recorded_dirs if d not in changes.dirs)
        # Directories whose recorded mtime is unchanged need no new row.
        for directory, mtime in list(changes.dirs.items()):
            if recorded_dirs.get(directory) == mtime:
                del changes.dirs[directory]
        return changes

    if ARTICLES_DIR not in recorded_dirs:
        recorded_dirs = {**recorded_dirs, ARTICLES_DIR: UNKNOWN}
    for directory, mtime in sorted(recorded_dirs.items()):
        try:
            st = os.stat(root / directory)
        except (FileNotFoundError, NotADirectoryError):
            changes.gone_dirs.append(directory)
            changes.deletes.extend(stamps_in(directory, recursive=True))
            continue
        if mtime != UNKNOWN and st.st_mtime_ns == mtime:
            continue
        _list_dir(root, directory, stamps_in(directory), recorded_dirs, changes, now, st)
    return changes


def _list_dir(root: Path, directory: str, recorded: dict[str, Stamp], recorded_dirs: dict[str, int],
              changes: Changes, now: int, dir_stat: os.stat_result) -> None:
    """Look at one changed directory: its files against the record, and any directory new below it."""
    present: set[str] = set()
    try:
        entries = list(os.scandir(root / directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{directory}/{name}"
        if entry.is_dir(follow_symlinks=False):
            if rel not in recorded_dirs:
                changes.deletes.extend(_merge_tree(root, rel, (), changes, now))
            continue
        if not name.endswith(".yaml") or not entry.is_file(follow_symlinks=False):
            continue
        present.add(rel)
        st = entry.stat(follow_symlinks=False)
        if not _same(recorded.get(rel), st):
            changes.upserts[rel] = stamp_of(st, now)
    changes.deletes.extend(path for path in recorded if path not in present)
    changes.dirs[directory] = trusted(dir_stat.st_mtime_ns, now)


def _merge_tree(root: Path, directory: str, recorded: Iterable[tuple[str, Stamp]], changes: Changes,
                now: int) -> Iterator[str]:
    """Stat every file below directory (the full scan, and directories the record has never seen) and compare it
    with its recorded stamp; yields the recorded paths that have no article file (deleted, unreadable, hidden).

    A merge-join: the walk yields paths in ascending order and `recorded` must be in the same order, so each
    walked path is compared with the head of the record, and a record row passed over is a file gone. Memory is
    one directory's listing, whatever the archive's size. The raw stat is compared with the record: newsarc
    records its own writes with their real, maybe still racy mtime."""
    rows = iter(recorded)
    row = next(rows, None)
    for rel, entry in _article_entries(root, directory, changes.dirs, now, ordered=True):
        while row is not None and row[0] < rel:
            yield row[0]
            row = next(rows, None)
        stamp: Stamp | None = None
        if row is not None and row[0] == rel:
            stamp = row[1]
            row = next(rows, None)
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:  # removed meanwhile: gone, as if it had not been listed
            if stamp is not None:
                yield rel
            continue
        if not _same(stamp, st):
            changes.upserts[rel] = stamp_of(st, now)
    while row is not None:
        yield row[0]
        row = next(rows, None)


def count_article_files(root: Path, directory: str = ARTICLES_DIR) -> int:
    """How many article files are below directory (names only: no file is stat'ed)."""
    return sum(1 for _entry in _article_entries(root, directory))


def walk_article_files(root: Path, dirs: dict[str, int], directory: str = ARTICLES_DIR,
                       now: int | None = None) -> Iterator[tuple[str, Stamp]]:
    """Every article file below directory with its stamp, in path order (path_order), one directory listed at a
    time: what a rebuild reads, without a list of the whole archive in memory. Each directory's mtime to record
    goes to dirs."""
    now = time.time_ns() if now is None else now
    for rel, entry in _article_entries(root, directory, dirs, now, ordered=True):
        try:
            yield rel, stamp_of(entry.stat(follow_symlinks=False), now)
        except OSError:  # removed meanwhile: the next freshness check sees it gone
            continue


def _article_entries(root: Path, directory: str, dirs: dict[str, int] | None = None, now: int = 0,
                     ordered: bool = False) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """The article files (.yaml, not hidden, not below a hidden directory) below directory, a directory listed at a
    time: (path relative to root, its directory entry). With dirs, each directory's mtime to record goes there (a
    directory that cannot be read is left out, with everything below it); ordered: in ascending path order."""
    try:
        dir_stat = os.stat(root / directory) if dirs is not None else None
        entries = list(os.scandir(root / directory))
    except OSError:
        return
    if ordered:
        entries.sort(key=path_order)
    if dirs is not None and dir_stat is not None:
        dirs[directory] = trusted(dir_stat.st_mtime_ns, now)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{directory}/{name}"
        if entry.is_dir(follow_symlinks=False):
            yield from _article_entries(root, rel, dirs, now, ordered)
        elif name.endswith(".yaml") and entry.is_file(follow_symlinks=False):
            yield rel, entry


def path_order(entry: os.DirEntry[str]) -> str:
    """The sort key that makes a depth-first walk yield paths in ascending order, as SQLite's BINARY collation
    sorts them (UTF-8 bytes, the same order as Python's str comparison): a directory sorts as its name + "/", the
    prefix of every path below it. By name alone, directory `2024` would come before file `2024-notes.yaml`,
    whereas `articles/2024/...` sorts after `articles/2024-notes.yaml` ("-" < "/")."""
    return entry.name + "/" if entry.is_dir(follow_symlinks=False) else entry.name
