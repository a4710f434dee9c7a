"""An open archive with its derived catalog and index, kept in step with the YAML.

Every change goes YAML first (the truth), then the index, then the catalog (the record of what the index
holds). A process killed at any point leaves files the next freshness check sees as changed, and re-indexing
a file is idempotent, so the index always catches up. Writers hold the archive lock; readers never wait for
it: when a writer is busy they search the index as it stands.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from newsarc.archive import ARTICLES_DIR, Archive
from newsarc.catalog import SCHEMA_VERSION as CATALOG_SCHEMA
from newsarc.catalog import Catalog, FileRecord
from newsarc.errors import NewsarcError
from newsarc.freshness import UNKNOWN, Changes, detect, stamp_of

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.whoosh_backend import WhooshBackend

# Bump when the Whoosh schema or analyzers change (newsarc.whoosh_backend.build_schema).
INDEX_SCHEMA = "1"
STATE_SCHEMA = f"catalog{CATALOG_SCHEMA}-index{INDEX_SCHEMA}"
BATCH = 2000  # articles per index commit in bulk work: bounds memory whatever the archive's size

ProgressFactory = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]


@contextlib.contextmanager
def no_progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Store:
    def __init__(self, archive: Archive, *, progress: ProgressFactory = no_progress,
                 warn: Callable[[str], None] = _stderr):
        self.archive = archive
        self.progress = progress
        self.warn = warn
        self._catalog: Catalog | None = None
        self._backend: WhooshBackend | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self.archive.state_dir.mkdir(parents=True, exist_ok=True)
            self._catalog = Catalog(self.archive.state_dir / "catalog.sqlite")
        return self._catalog

    @property
    def backend(self) -> WhooshBackend:
        if self._backend is None:
            from newsarc.whoosh_backend import WhooshBackend

            self._backend = WhooshBackend(self.archive.state_dir / "index")
        return self._backend

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        if self._catalog is not None:
            self._catalog.close()

    # -- keeping in step -------------------------------------------------------------------------------
    def rebuild_reason(self) -> str | None:
        """Why the derived state cannot be trusted at all, or None when an incremental check will do."""
        catalog = self.catalog
        if catalog.get_meta("schema") != STATE_SCHEMA:
            return "the index is missing or was built by another version of newsarc"
        if catalog.get_meta("state") != "ready":
            return "the last index build did not finish"
        if not any((self.archive.state_dir / "index").glob("_MAIN_*.toc")):
            return "the index files are missing"
        return None

    def refresh(self, *, write: bool, full: bool | None = None) -> Changes | None:
        """Bring the catalog and index up to date with the YAML files.

        write=True: the caller holds (or will wait for) the archive lock. write=False (readers): take the lock
        only if it is free; otherwise leave the index as it is, so a search never waits for a writer.
        Returns what changed, or None when nothing was checked.
        """
        lock = self.archive.lock
        if not write and not lock.try_acquire():
            return None
        if write:
            lock.acquire()
        try:
            reason = self.rebuild_reason()
            if reason:
                self.rebuild(reason=reason)
                return Changes(full_scan=True)
            return self._sync(full=self._full_scan_due() if full is None else full)
        finally:
            lock.release()

    def _full_scan_due(self) -> bool:
        settings = self.archive.settings
        if not self.catalog.has_more_than(int(settings["full_scan_max_files"])):
            return True
        last = float(self.catalog.get_meta("last_full_scan") or 0)
        return time.time() - last > float(settings["full_scan_interval"])

    def _sync(self, *, full: bool) -> Changes:
        catalog = self.catalog
        changes = detect(self.archive.root, catalog.dirs(), catalog.stamps_in, catalog.all_stamps, full=full)
        if changes:
            self._apply(changes)
        if full:
            catalog.set_meta("last_full_scan", str(time.time()))
        return changes

    def _apply(self, changes: Changes) -> None:
        """Index what the freshness check found, in batches, then record it in the catalog."""
        items = sorted(changes.upserts.items())
        deletes = list(changes.deletes)
        with self.progress(len(items) + len(deletes), "updating index") as advance:
            for start in range(0, max(len(items), 1), BATCH):
                batch = items[start:start + BATCH]
                loaded: list[tuple[str, Article, tuple[int, int, int]]] = []
                for relpath, stamp in batch:
                    try:
                        loaded.append((relpath, self.archive.read(relpath), stamp))
                    except NewsarcError as exc:
                        self.warn(f"skipped {exc}; fix the file, then any command picks it up")
                        deletes.append(relpath)
                self.backend.apply([(p, a) for p, a, _ in loaded], deletes)
                catalog = self.catalog
                catalog.begin()
                try:
                    for path in deletes:
                        catalog.delete(path)
                    for relpath, article, stamp in loaded:
                        catalog.upsert(_record(relpath, article, stamp))
                    if start + BATCH >= len(items):
                        for directory in changes.gone_dirs:
                            catalog.delete_dir(directory)
                        for directory, mtime in changes.dirs.items():
                            catalog.set_dir(directory, mtime)
                    catalog.commit()
                except BaseException:
                    catalog.rollback()
                    raise
                advance(len(batch) + len(deletes))
                deletes = []

    def rebuild(self, *, reason: str = "rebuild requested") -> int:
        """Throw the catalog and index away and build both from the YAML (the caller holds the lock)."""
        catalog = self.catalog
        catalog.clear()
        catalog.set_meta("state", "building")
        self.backend.create()
        changes = detect(self.archive.root, {}, catalog.stamps_in, lambda: {}, full=True)
        total = len(changes.upserts)
        if total > 200:
            self.warn(f"building the index for {total} articles ({reason})...")
        self._apply_fresh(changes)
        catalog.set_meta("schema", STATE_SCHEMA)
        catalog.set_meta("last_full_scan", str(time.time()))
        catalog.set_meta("state", "ready")
        return catalog.count()

    def _apply_fresh(self, changes: Changes) -> None:
        """Like _apply, for an empty index: add without looking for an old copy to replace first."""
        items = sorted(changes.upserts.items())
        with self.progress(len(items), "building index") as advance:
            for start in range(0, len(items), BATCH):
                batch = items[start:start + BATCH]
                loaded = []
                for relpath, stamp in batch:
                    try:
                        loaded.append((relpath, self.archive.read(relpath), stamp))
                    except NewsarcError as exc:
                        self.warn(f"skipped {exc}; fix the file, then any command picks it up")
                self.backend.apply([(p, a) for p, a, _ in loaded], [], bulk=True, fresh=True)
                catalog = self.catalog
                catalog.begin()
                for relpath, article, stamp in loaded:
                    catalog.upsert(_record(relpath, article, stamp))
                catalog.commit()
                advance(len(batch))
        catalog = self.catalog
        catalog.begin()
        for directory, mtime in changes.dirs.items():
            catalog.set_dir(directory, mtime)
        catalog.commit()

    # -- recording newsarc's own writes ----------------------------------------------------------------
    def record(self, upserts: Iterable[tuple[str, Article]] = (), deletes: Iterable[str] = (), *,
               bulk: bool = False) -> None:
        """After newsarc wrote or removed YAML files (lock held): update the index, then the catalog.

        The directories touched are recorded as UNKNOWN, so the next freshness check lists them again and
        also sees anything else that changed there by hand meanwhile.
        """
        upserts = list(upserts)
        deletes = list(deletes)
        if not upserts and not deletes:
            return
        self.backend.apply(upserts, deletes, bulk=bulk)
        now = time.time_ns()
        catalog = self.catalog
        catalog.begin()
        try:
            for path in deletes:
                catalog.delete(path)
            touched = set(deletes)
            for relpath, article in upserts:
                st = self.archive.abspath(relpath).stat()
                catalog.upsert(_record(relpath, article, stamp_of(st, now)))
                touched.add(relpath)
            for directory in _ancestor_dirs(touched):
                catalog.set_dir(directory, UNKNOWN)
            catalog.commit()
        except BaseException:
            catalog.rollback()
            raise


def _record(relpath: str, article: Article, stamp: tuple[int, int, int]) -> FileRecord:
    mtime_ns, size, ino = stamp
    return FileRecord(
        path=relpath, id=article.id, mtime_ns=mtime_ns, size=size, ino=ino, date=article.date,
        added=article.added, title=article.title, source=article.source, url=article.url,
        content_key=article.content_key(), tags=article.tags,
    )


def _ancestor_dirs(paths: Iterable[str]) -> set[str]:
    dirs: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            directory = "/".join(parts[:i])
            if directory == ARTICLES_DIR or directory.startswith(ARTICLES_DIR + "/"):
                dirs.add(directory)
    return dirs

