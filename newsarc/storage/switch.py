"""Building the index beside the one in use, and switching to it at the end.

A rebuild (`newsarc reindex`, `check --repair`, an index from an older version) writes a new Whoosh index in
.newsarc/index.new and a new catalog in .newsarc/catalog.new.sqlite while readers go on searching the index and
catalog in use. Only when both are complete does it switch:

1. rename index -> index.old, then index.new -> index (rename(2) cannot replace a directory that is not empty);
2. copy the new catalog into catalog.sqlite with SQLite's backup, one write transaction (readers keep their
   connection; a file renamed over a WAL database could meet the old database's -wal file);
3. remove index.old and catalog.new.sqlite.

A process killed at any point leaves the old index and catalog in use, or the new ones, never a mix that is taken
for whole: `settle` (run by the next command under the lock) undoes a switch killed between the two renames,
finishes one killed before the catalog was copied, and removes what is left. A rebuild killed before the switch
leaves the old index searchable; the catalog's `rebuild_started` mark tells the next command to say so.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarc.storage.catalog import Catalog

INDEX = "index"
BUILD_INDEX = "index.new"
OLD_INDEX = "index.old"
CATALOG = "catalog.sqlite"
BUILD_CATALOG = "catalog.new.sqlite"
STARTED = "rebuild_started"  # catalog meta: set when a rebuild starts, gone once it has switched


def remove_leftovers(state_dir: Path) -> None:
    """What an interrupted rebuild left: its partial index and catalog (never the index in use)."""
    shutil.rmtree(state_dir / BUILD_INDEX, ignore_errors=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            (state_dir / f"{BUILD_CATALOG}{suffix}").unlink()


def switch(state_dir: Path, catalog: Catalog) -> None:
    """Make the complete index.new and catalog.new.sqlite the ones in use (the caller holds the lock and has
    closed both)."""
    index, old = state_dir / INDEX, state_dir / OLD_INDEX
    shutil.rmtree(old, ignore_errors=True)
    if index.exists():
        index.rename(old)
    (state_dir / BUILD_INDEX).rename(index)
    catalog.replace_with(state_dir / BUILD_CATALOG)
    shutil.rmtree(old, ignore_errors=True)
    remove_leftovers(state_dir)


def settle(state_dir: Path, catalog: Catalog) -> None:
    """Finish or undo a switch that a kill interrupted (the caller holds the lock). Costs one stat when there is
    none."""
    old = state_dir / OLD_INDEX
    if not old.exists():
        return
    index = state_dir / INDEX
    if not index.exists():  # killed between the two renames: the old index is put back
        old.rename(index)
        return
    if catalog.get_meta(STARTED) is not None:  # killed before the catalog was copied: copy it now
        build = state_dir / BUILD_CATALOG
        if catalog.is_complete(build):
            catalog.replace_with(build)
        else:  # cannot happen in the order switch() works; the index is rebuilt rather than trusted
            catalog.set_meta("state", "building")
    shutil.rmtree(old, ignore_errors=True)
    remove_leftovers(state_dir)

