"""An open archive with its derived catalog and index, kept in step with the YAML.

Every change goes YAML first (the truth), then the index, then the catalog (the record of what the index
holds). A process killed at any point leaves files the next freshness check sees as changed, and re-indexing
a file is idempotent, so the index always catches up. Writers hold the archive lock; readers never wait for
it: when a writer is busy they search the index as it stands.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsarc.errors import ArchiveError, LockTimeoutError, NewsarcError
from newsarc.storage.archive import ARTICLES_DIR, Archive
from newsarc.storage.catalog import SCHEMA_VERSION as CATALOG_SCHEMA
from newsarc.storage.catalog import Catalog, FileRecord, file_digest
from newsarc.storage.freshness import UNKNOWN, Changes, count_article_files, detect, walk_article_files

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.index.backend import Engine, SearchBackend

OLD_VERSION = "the search index was built by an older version of newsarc"
# Articles per index commit in bulk work: bounds memory whatever the archive's size, and sets the size of the
# segments a bulk command writes (half a batch each: newsarc.index.whoosh_internals.segment_worker). Whoosh's
# merge policy merges small segments again and again as the index grows: at 3,000 (segments of 1,500) the first
# merge comes at 27,000 articles and 81,000 articles are rewritten in merges during a 100,000-article import
# (155,000 at 1,000). `newsarc import` of 20,000 articles, command and worker: 54 s and 214 MB peak RSS at 3,000,
# 52 s and 244 MB at 4,000. The grouped pool (newsarc.index.whoosh_internals.bulk_writer) counts what it really
# holds, so a batch stays in its 128 MB.
BATCH = 3000
# A reader indexes at most this many changed files before it answers (about two seconds); more are indexed by a
# background catch-up it starts (newsarc.storage.catchup).
READER_CATCH_UP_MAX = 200
# Catalog meta set while a bulk add or import runs and cleared when it ends: found by the next command, it names
# the cause of the files left unindexed ("left by an interrupted add").
UNFINISHED = "unfinished"
# The background catch-up a reader starts (newsarc.storage.catchup): its activity in the lock's note, its log.
CATCH_UP = "catch-up"
CATCH_UP_LOG = "catch-up.log"

ProgressFactory = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]
# How often a reader retries an index that looked damaged while a writer held the lock (see read_index).
READ_RETRIES = 4
T = TypeVar("T")


def state_schema(engine: Engine) -> str:
    """catalog<version>-<the engine's format stamp>: what an archive's derived state was built as."""
    return f"catalog{CATALOG_SCHEMA}-{engine.format_stamp()}"


@contextlib.contextmanager
def no_progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Store:
    def __init__(self, archive: Archive, *, progress: ProgressFactory = no_progress,
                 warn: Callable[[str], None] = _stderr, engine: Engine | None = None):
        if engine is None:
            from newsarc.index import default_engine

            engine = default_engine()
        self.archive = archive
        self.engine = engine  # the search engine: the store reaches the index only through its protocols
        self.progress = progress
        self.warn = warn
        self._catalog: Catalog | None = None
        self._backend: SearchBackend | None = None
        self.damage = ""  # set when refresh() found the index damaged and rebuilt it
        # Told as record() indexes newsarc's own writes: (documents analysed, documents committed), for progress.
        self.on_index: Callable[[int, int], None] | None = None
        self._read_only_checked = False
        self._told = False  # a reader says once per process what keeps part of the archive out of its answers

    def resolve(self, text: str) -> tuple[str, str]:
        """(id, relative path) for a full id or a unique prefix of at least MIN_PREFIX characters."""
        from newsarc.errors import AmbiguousIdError, NotFoundError, UsageError
        from newsarc.ids import MIN_PREFIX, normalise_prefix

        prefix = normalise_prefix(text)
        if prefix is None:
            raise NotFoundError(f"{text!r} is not an article id (ids are 10 letters and digits, e.g. 3kq8v0m2xa)")
        if len(prefix) < MIN_PREFIX:
            raise UsageError(f"id prefix {text!r} is too short: type at least {MIN_PREFIX} characters")
        matches = self.catalog.paths_for_prefix(prefix)
        ids = sorted({id_ for id_, _ in matches})
        if not ids:
            raise NotFoundError(f"no article with an id starting {prefix!r}; `newsarc list` shows ids")
        if len(ids) > 1:
            raise AmbiguousIdError(prefix, ids)
        return matches[0]

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            problem = self.archive.write_problem()
            if problem:
                self._catalog = self._read_only_catalog(problem)
            else:
                self.archive.state_dir.mkdir(parents=True, exist_ok=True)
                self._catalog = Catalog(self.archive.state_dir / "catalog.sqlite")
        return self._catalog

    def _read_only_catalog(self, problem: str) -> Catalog:
        import sqlite3

        path = self.archive.state_dir / "catalog.sqlite"
        try:
            if path.is_file():
                return Catalog(path, read_only=True)
        except sqlite3.Error:
            pass
        raise ArchiveError(f"the archive at {self.archive.root} cannot be written ({problem}) and has no index "
                           "newsarc can read; run any newsarc command where it can be written, or copy it")

    @property
    def backend(self) -> SearchBackend:
        if self._backend is None:
            self._backend = self.engine.open(self.archive.state_dir / "index")
        return self._backend

    @property
    def state_schema(self) -> str:
        """The stamp of the catalog's and the index's formats (the catalog's "schema"): another one is rebuilt."""
        return state_schema(self.engine)

    def has_index(self) -> bool:
        """Whether the index's files are there (not whether they are current)."""
        return self.engine.has_index(self.archive.state_dir / "index")

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        if self._catalog is not None:
            self._catalog.close()

    # -- keeping in step -------------------------------------------------------------------------------
    def rebuild_reason(self) -> str | None:
        """Why the derived state cannot be trusted at all, or None when an incremental check will do."""
        catalog = self.catalog
        schema, expected = catalog.get_meta("schema"), self.state_schema
        if schema and schema != expected:
            return OLD_VERSION
        if schema != expected:
            return "the index is missing"
        if catalog.get_meta("state") != "ready":
            return "the last index build did not finish"
        if not self.has_index():
            return "the index files are missing"
        return None

    def refresh(self, *, write: bool, full: bool | None = None) -> Changes | None:
        """Bring the catalog and index up to date with the YAML files.

        write=True: the caller holds (or will wait for) the archive lock. write=False (readers): take the lock
        only if it is free; otherwise leave the index as it is, so a search never waits for a writer, and say
        what is not searchable yet. Returns what changed, or None when nothing was checked.
        """
        if not write and self.archive.write_problem():
            self._check_read_only()
            return None
        lock = self.archive.lock
        if not write and not lock.try_acquire():
            self._tell_busy()
            return None
        if write:
            lock.acquire()
        try:
            try:
                from newsarc.storage import switch

                switch.settle(self.archive.state_dir, self.catalog)
                reason = self.rebuild_reason()
                if reason:
                    self.rebuild(reason=reason)
                    return Changes(full_scan=True)
                self._tell_interrupted_rebuild()
                # A reader defers a long catch-up to a background process, unless its caller holds the lock too.
                return self._sync(full=self._full_scan_due() if full is None else full,
                                  defer=not write and not lock.nested)
            except Exception as exc:
                if not is_damage(exc, self.engine):
                    raise
                self.recover(exc)
                return Changes(full_scan=True)
        finally:
            lock.release()

    def catch_up(self, *, full: bool) -> None:
        """Index everything that changed, however much (the background catch-up; the lock is held)."""
        self.refresh(write=True, full=full)

    def _tell_busy(self) -> None:
        """For a reader while another process holds the lock: say in one line what the answer leaves out."""
        if self._told:
            return
        self._told = True
        pid, activity = self.archive.lock.holder()
        who = f"pid {pid}" if pid else "another newsarc process"
        if activity in ("reindex", "rebuild"):
            self.warn(f"the index is being rebuilt ({who}); answering from the index as it was before")
            return
        if not self.has_index():
            return  # the first build of the index: require_index says so
        try:
            catalog = self.catalog
            count = detect(self.archive.root, catalog.dirs(), catalog.stamps_in, catalog.all_stamps,
                           full=self._full_scan_due()).article_count
        except Exception:  # a catalog being replaced or damaged: the writer deals with it
            return
        files = f"{count} article file{'s' if count != 1 else ''}"
        if activity == CATCH_UP:
            if count:
                self.warn(f"{files} not in the index yet: being indexed in the background ({who}); answering "
                          "from the index as it stands")
        elif activity in ("add", "import"):
            more = f"; {files} written but not searchable yet" if count else ""
            self.warn(f"an {activity} is in progress ({who}): answers include the articles it has indexed so "
                      f"far{more}")
        elif count:
            self.warn(f"{files} changed since the index was last updated, not searchable yet: another newsarc "
                      f"process ({who}) is writing to the archive; the next command indexes them")

    def _tell_interrupted_rebuild(self) -> None:
        """Say once that a rebuild was interrupted and the index from before it is the one searched; remove
        what it left (the caller holds the lock)."""
        from newsarc.storage import switch

        catalog = self.catalog
        if catalog.get_meta(switch.STARTED) is None:
            return
        self.warn("the last index rebuild (`newsarc reindex`) was interrupted; the index from before it is kept and "
                  "searched (`newsarc reindex` rebuilds it)")
        switch.remove_leftovers(self.archive.state_dir)
        catalog.delete_meta(switch.STARTED)

    def _check_read_only(self) -> None:
        """For a reader on an archive it cannot write: the index is used as it stands. Say once when the YAML
        changed since it was built, so results may miss or show stale articles; fail only if there is none."""
        if self._read_only_checked:
            return
        self._read_only_checked = True
        problem = self.archive.write_problem()
        reason = self.rebuild_reason()
        if reason:
            raise ArchiveError(f"the archive at {self.archive.root} cannot be written ({problem}) and {reason}; "
                               "run any newsarc command where it can be written, or copy it")
        catalog = self.catalog
        changes = detect(self.archive.root, catalog.dirs(), catalog.stamps_in, catalog.all_stamps,
                         full=self._full_scan_due())
        count = changes.article_count
        if count:
            files = "1 article file" if count == 1 else f"{count} article files"
            self.warn(f"the archive at {self.archive.root} cannot be written ({problem}): its index may be stale "
                      f"({files} changed since it was last updated); reading it as it stands")

    def recover(self, exc: BaseException) -> None:
        """Throw away a damaged index and catalog and build both again from the YAML (the caller holds the lock).

        They are derived: after a power cut (Whoosh does not fsync) or a damaged disk block, rebuilding is the
        repair, and it loses nothing.
        """
        self.damage = f"{type(exc).__name__}: {exc}"
        self.warn(f"the index in {self.archive.state_dir} was damaged ({self.damage}); rebuilding it from the "
                  "article files")
        self.close()
        self._backend = self._catalog = None
        shutil.rmtree(self.archive.state_dir / "index", ignore_errors=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            (self.archive.state_dir / f"catalog.sqlite{suffix}").unlink(missing_ok=True)
        self.rebuild(reason="the index was damaged")

    def read_index(self, read: Callable[[], T]) -> T:
        """read() the index; if it is damaged, rebuild it (when the lock is free) and read again, else a clear
        error -- never a traceback from deep inside Whoosh.

        While a writer holds the lock, what looks like damage is most often a race: the writer's commit merged
        segments and deleted files this reader had listed but not opened yet. So the reader opens the newest
        index again and retries a few times before it calls the index damaged."""
        for attempt in range(READ_RETRIES + 1):
            try:
                return read()
            except Exception as exc:
                if not is_damage(exc, self.engine):
                    raise
                if self.archive.lock.try_acquire():
                    try:
                        self.recover(exc)
                    finally:
                        self.archive.lock.release()
                    return read()
                if attempt == READ_RETRIES:
                    raise self.damaged(exc) from None
                if self._backend is not None:
                    self._backend.close()  # the next read opens the newest table of contents
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def damaged(self, exc: BaseException) -> ArchiveError:
        """The error for a reader that meets a damaged index while another process holds the lock."""
        return ArchiveError(f"the index in {self.archive.state_dir} is damaged ({type(exc).__name__}: {exc}); the "
                            "next command that can take the archive lock rebuilds it, or `newsarc check --repair`")

    def require_index(self) -> None:
        """For readers after refresh(write=False): a clear error instead of a Whoosh traceback when another
        process holds the lock and has not created the index yet (the first build of an archive)."""
        if not self.has_index():
            raise LockTimeoutError(f"the search index is being built by another newsarc process"
                                   f"{self.archive.lock._holder()}; search again when it has finished")

    def _full_scan_due(self) -> bool:
        settings = self.archive.settings
        if not self.catalog.has_more_than(int(settings["full_scan_max_files"])):
            return True
        last = float(self.catalog.get_meta("last_full_scan") or 0)
        return time.time() - last > float(settings["full_scan_interval"])

    def _sync(self, *, full: bool, defer: bool = False) -> Changes:
        catalog = self.catalog
        changes = detect(self.archive.root, catalog.dirs(), catalog.stamps_in, catalog.all_stamps, full=full)
        self._settle_unchanged(changes)
        count = changes.article_count
        unfinished = catalog.get_meta(UNFINISHED)
        cause = f" (left by an interrupted {unfinished})" if unfinished else ""
        if defer and count > READER_CATCH_UP_MAX:
            # A reader does not wait for a long catch-up (what an interrupted or killed add left unindexed, a big
            # git pull): it hands the lock to a background process that indexes them, and reads the index as it
            # stands meanwhile.
            pid = self._start_catch_up(full=full)
            if not self._told:
                self._told = True
                later = (f"being indexed in the background (pid {pid})" if pid else
                         "the next command that writes, or `newsarc check`, indexes them")
                self.warn(f"{count} article files not in the index yet{cause}: {later}; answering from the index "
                          "as it stands")
            return changes
        if count > READER_CATCH_UP_MAX:
            self.warn(f"indexing {count} article files changed since the index was last updated{cause}...")
        if changes:
            self._apply(changes)
        if full:
            catalog.set_meta("last_full_scan", str(time.time()))
        if unfinished:
            catalog.delete_meta(UNFINISHED)
        return changes

    def _settle_unchanged(self, changes: Changes) -> None:
        """Files whose stamp changed but whose bytes are what the catalog recorded (a copied or restored archive:
        new inodes; a stamp recorded as unknown because it was too recent to trust) get their new stamp, and are
        not indexed again."""
        if not changes.upserts:
            return
        known = self.catalog.digests(changes.upserts)
        same: dict[str, tuple[int, int, int]] = {}
        for relpath, digest in known.items():
            try:
                if file_digest(self.archive.read_bytes(relpath)) == digest:
                    same[relpath] = changes.upserts[relpath]
            except NewsarcError:
                continue  # indexed (and reported) with the others
        if not same:
            return
        catalog = self.catalog
        catalog.begin()
        try:
            for relpath, stamp in same.items():
                catalog.set_stamp(relpath, stamp)
                del changes.upserts[relpath]
            catalog.commit()
        except BaseException:
            catalog.rollback()
            raise

    def _start_catch_up(self, *, full: bool) -> int | None:
        """Hand the lock this reader holds to a new detached process that indexes what changed (its entry point is
        newsarc.storage.catchup, which writes what it says to CATCH_UP_LOG); its pid, or None when it could not
        be started (the lock is still held then)."""
        import subprocess

        lock = self.archive.lock
        fd = lock.fileno()
        if fd is None:
            return None
        command = [sys.executable, "-m", "newsarc.storage.catchup", str(self.archive.root), str(fd)]
        if full:
            command.append("--full")
        try:
            child = subprocess.Popen(command, pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
        except OSError:
            return None
        lock.hand_over(child.pid, CATCH_UP)
        return child.pid

    def begin_bulk(self, activity: str) -> None:
        """A bulk add or import starts (lock held): readers are told, and an interruption is known later."""
        self.archive.lock.announce(activity)
        self.catalog.set_meta(UNFINISHED, activity)

    def end_bulk(self) -> None:
        """It ended with everything it wrote recorded."""
        self.catalog.delete_meta(UNFINISHED)

    def _apply(self, changes: Changes) -> None:
        """Index what the freshness check found, in batches, then record it in the catalog."""
        items = sorted(changes.upserts.items())
        deletes = list(changes.deletes)
        # Progress in thirds of a file: read, analysed by the index writer, committed (the commit is slow).
        with self.progress(3 * len(items) + len(deletes), "catching up: indexing changed files") as advance:
            for start in range(0, max(len(items), 1), BATCH):
                batch = items[start:start + BATCH]
                loaded: list[tuple[str, Article, tuple[int, int, int], str]] = []
                for relpath, stamp in batch:
                    try:
                        article, digest = self.archive.read_with_digest(relpath)
                        loaded.append((relpath, article, stamp, digest))
                    except NewsarcError as exc:
                        self.warn(f"skipped {exc}; fix the file, then any command picks it up")
                        deletes.append(relpath)
                    advance(1)
                if loaded or deletes:  # directory stamps alone need no index writer (nor Whoosh's writing code)
                    self.backend.apply([(p, a) for p, a, _, _ in loaded], deletes, on_indexed=advance)
                catalog = self.catalog
                catalog.begin()
                try:
                    for path in deletes:
                        catalog.delete(path)
                    for relpath, article, stamp, digest in loaded:
                        catalog.upsert(FileRecord.of(relpath, article, stamp, digest))
                    if start + BATCH >= len(items):
                        for directory in changes.gone_dirs:
                            catalog.delete_dir(directory)
                        for directory, mtime in changes.dirs.items():
                            catalog.set_dir(directory, mtime)
                    catalog.commit()
                except BaseException:
                    catalog.rollback()
                    raise
                advance(len(batch) + len(deletes) + len(batch) - len(loaded))
                deletes = []

    def rebuild(self, *, reason: str = "rebuild requested") -> int:
        """Build the catalog and index again from the YAML, beside the ones in use, and switch to them at the end
        (newsarc.storage.switch): until then readers search the old index, and an interrupted rebuild leaves it
        in use. The caller holds the lock."""
        from newsarc.storage import switch

        state_dir = self.archive.state_dir
        switch.remove_leftovers(state_dir)
        catalog = self.catalog
        catalog.set_meta(switch.STARTED, str(time.time()))
        self.archive.lock.announce("reindex" if reason == "rebuild requested" else "rebuild")
        backend = self.engine.open(state_dir / switch.BUILD_INDEX)
        built = Catalog(state_dir / switch.BUILD_CATALOG)
        try:
            backend.create()
            built.set_meta("state", "building")
            total = count_article_files(self.archive.root)
            if reason == OLD_VERSION:  # once per archive and newsarc upgrade: say why this command takes longer
                self.warn(f"{reason}; rebuilding it from the {total} article file{'s' if total != 1 else ''} (once)")
            elif total > 200:
                self.warn(f"building the index for {total} article{'s' if total != 1 else ''} ({reason})...")
            self._apply_fresh(total, backend, built)
            built.set_meta("schema", self.state_schema)
            built.set_meta("last_full_scan", str(time.time()))
            built.set_meta("state", "ready")
        finally:
            backend.close()
            built.close()
        if self._backend is not None:
            self._backend.close()  # it has the old index open
            self._backend = None
        switch.switch(state_dir, catalog)
        self.archive.written_digests.clear()
        return catalog.count()

    def _apply_fresh(self, total: int, backend: SearchBackend, catalog: Catalog) -> None:
        """Like _apply, for an empty index: add without looking for an old copy to replace first. The files are
        listed a directory at a time as the batches need them (memory does not grow with the archive)."""
        from itertools import islice

        from newsarc.pause_point import PausePoint

        pause = PausePoint.from_environ()  # None but in the tests that interrupt a rebuild (newsarc.pause_point)
        dirs: dict[str, int] = {}
        files = walk_article_files(self.archive.root, dirs)
        with self.progress(3 * total, "building index") as advance:
            while batch := list(islice(files, BATCH)):
                loaded = []
                for relpath, stamp in batch:
                    try:
                        article, digest = self.archive.read_with_digest(relpath)
                        loaded.append((relpath, article, stamp, digest))
                    except NewsarcError as exc:
                        self.warn(f"skipped {exc}; fix the file, then any command picks it up")
                    advance(1)
                backend.apply([(p, a) for p, a, _, _ in loaded], [], bulk=True, fresh=True, on_indexed=advance)
                catalog.begin()
                for relpath, article, stamp, digest in loaded:
                    catalog.upsert(FileRecord.of(relpath, article, stamp, digest))
                catalog.commit()
                advance(2 * len(batch) - len(loaded))
                if pause is not None:
                    pause.rebuild_batch_built()
        catalog.begin()
        for directory, mtime in dirs.items():
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
        on_index = self.on_index
        self.backend.apply(upserts, deletes, bulk=bulk, on_indexed=(lambda n: on_index(n, 0)) if on_index else None)
        catalog = self.catalog
        catalog.begin()
        try:
            for path in deletes:
                catalog.delete(path)
            touched = set(deletes)
            for relpath, article in upserts:
                # The real mtime, not the racy-window UNKNOWN: newsarc wrote this content itself, under the lock,
                # so the next command need not index it again. The directory is still re-listed (below).
                st = self.archive.abspath(relpath).stat()
                digest = self.archive.written_digests.pop(relpath, None)
                if digest is None:  # written by another path than Archive.save: read back
                    digest = file_digest(self.archive.read_bytes(relpath))
                catalog.upsert(FileRecord.of(relpath, article, (st.st_mtime_ns, st.st_size, st.st_ino), digest))
                touched.add(relpath)
            for directory in _dirs_to_list_again(touched, catalog.dirs()):
                catalog.set_dir(directory, UNKNOWN)
            catalog.commit()
        except BaseException:
            catalog.rollback()
            raise
        if on_index:
            on_index(0, len(upserts))


class BackgroundWrites:
    """Article files of a bulk add, written and fsynced by background threads while the caller parses and
    indexes the next ones: fsync waits on the disk, not the CPU, and many at once cost little more than one.

    Each file is still written atomically and fsynced before its rename (a crash leaves the old file or the
    whole new one); the directories are fsynced once each in wait(). The caller waits before it records the
    batch in the index and catalog, so nothing derived ever points at a file that is not on disk yet.
    """

    def __init__(self, workers: int = 4):
        self.workers = workers
        self._pool: Any = None
        self._pending: list[Any] = []
        self._dirs: set[Path] = set()

    def write(self, path: Path, text: str) -> None:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="newsarc-write")
        from newsarc.storage.atomic import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)  # here, not in a thread: no race on the same directory
        self._pending.append(self._pool.submit(atomic_write, path, text, durable=True, sync_dir=False))
        self._dirs.add(path.parent)

    def wait(self) -> None:
        """Until every file written so far is on disk; raises the first write's error (disk full...)."""
        pending, self._pending = self._pending, []
        dirs, self._dirs = self._dirs, set()
        error: BaseException | None = None
        for future in pending:
            exc = future.exception()
            error = error or exc
        if isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise ArchiveError(f"cannot write to the archive ({(error.strerror or str(error)).lower()}: "
                               f"{error.filename})") from None
        if error is not None:
            raise error
        if dirs:
            from newsarc.storage.atomic import fsync_dir

            list(self._pool.map(fsync_dir, sorted(dirs)))

    def abandon(self) -> None:
        """Ctrl-C: drop the writes not started, let the running ones finish (each is atomic), raise nothing."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.cancel()
        for future in pending:
            if not future.cancelled():
                future.exception()
        self._dirs = set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def is_damage(exc: BaseException, engine: Engine) -> bool:
    """Whether exc comes from reading damaged derived files (index or catalog) rather than from a bug: the engine
    tells for the index (Engine.is_damage). SQLite says so with DatabaseError; a busy database (OperationalError)
    is not damage.
    """
    import sqlite3

    if isinstance(exc, sqlite3.DatabaseError):
        return not isinstance(exc, sqlite3.OperationalError)
    return engine.is_damage(exc)


def _dirs_to_list_again(paths: Iterable[str], recorded: dict[str, int]) -> set[str]:
    """The directories the next freshness check must list after newsarc wrote or removed these files: each file's
    own directory, and the directories above it that the record does not hold yet (made by this write).

    A recorded directory above is left as it is: a write changes its mtime only when it makes a new directory in
    it, and then the mtime no longer matches the record, so the next check lists it anyway. Marking it as well
    made every command after an `add` list articles/ and its year: at 1,000,000 articles, reading the catalog's
    stamps below articles/ took 4 of the 4.2 s of `add one.txt`."""
    dirs: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for i in range(len(parts), 0, -1):
            directory = "/".join(parts[:i])
            if not (directory == ARTICLES_DIR or directory.startswith(ARTICLES_DIR + "/")):
                break
            if i < len(parts) and directory in recorded:
                break  # recorded, and so are the directories above it
            dirs.add(directory)
    return dirs

