"""The catalog: a SQLite table of every article file, derived from the YAML like the index.

It answers what must not cost a scan of the archive: an id prefix lookup, the newest N articles, duplicate
checks by URL or content, counts for `stats`, and the file stamps (mtime, size, inode) and directory mtimes
that the freshness check compares. It lives in .newsarc/ and is rebuilt whenever it is missing or stale.

The catalog is written last in every change, after the YAML and the index, so it is the record of what the
index holds: if a process dies in between, the next freshness check sees the file as new and indexes it again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarc.ids import ALPHABET
from newsarc.names.fold import fold_text as fold

if TYPE_CHECKING:
    from newsarc.article import Article

SCHEMA_VERSION = "2"  # 2: tags folded as the index folds them (Ba'ath = Baath)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, id TEXT NOT NULL, mtime_ns INTEGER, size INTEGER, ino INTEGER,
    date TEXT, added TEXT, title TEXT, source TEXT, url TEXT, content_key TEXT, tags TEXT, digest TEXT
);
CREATE INDEX IF NOT EXISTS files_id ON files(id);
CREATE INDEX IF NOT EXISTS files_date ON files(date, added);
CREATE INDEX IF NOT EXISTS files_url ON files(url);
CREATE INDEX IF NOT EXISTS files_content ON files(content_key);
CREATE TABLE IF NOT EXISTS tags (path TEXT NOT NULL, tag TEXT NOT NULL, label TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tags_tag ON tags(tag, path);
CREATE INDEX IF NOT EXISTS tags_path ON tags(path);
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER);
"""


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a SQLite file of an archive newsarc may not write to (the catalog, the near-duplicate store). A WAL
    database opened read-only still wants its -shm file; where that cannot be made (a read-only mount) the file
    is opened as immutable."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    try:
        db.execute("SELECT count(*) FROM meta").fetchone()
    except sqlite3.OperationalError:
        db.close()
        db = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None)
    return db


def file_digest(raw: bytes) -> str:
    """The digest of an article file's bytes, kept in its row: a file whose stamp changed but whose digest did not
    (a copied or restored archive, a stamp that was too recent to trust) needs a new stamp, not indexing."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass
class CatalogEntry:
    path: str
    id: str
    date: str | None
    added: str
    title: str
    source: str
    url: str
    tags: list[str]


@dataclass
class FileRecord:
    """A catalog row as the writer builds it."""

    path: str
    id: str
    mtime_ns: int
    size: int
    ino: int
    date: str | None
    added: str
    title: str
    source: str
    url: str
    content_key: str
    tags: list[str]
    digest: str | None = None  # of the file's bytes (file_digest): what lets a changed stamp be told from an edit

    @classmethod
    def of(cls, relpath: str, article: Article, stamp: tuple[int, int, int] = (0, 0, 0),
           digest: str | None = None) -> FileRecord:
        """The row an article file should have: the one place that says which article fields the catalog keeps."""
        mtime_ns, size, ino = stamp
        return cls(path=relpath, id=article.id, mtime_ns=mtime_ns, size=size, ino=ino, date=article.date,
                   added=article.added or "", title=article.title or "", source=article.source or "",
                   url=article.url or "", content_key=article.content_key(), tags=list(article.tags), digest=digest)

    def metadata(self) -> tuple[Any, ...]:
        """The fields taken from the article (not the file stamp), for comparing a row with its file."""
        return (self.id, self.date, self.added, self.title, self.source, self.url, self.content_key, self.tags)


class Catalog:
    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = path
        if read_only:
            self.db = connect_read_only(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        if "digest" not in {row[1] for row in self.db.execute("PRAGMA table_info(files)")}:
            # Catalogs written before file digests were kept: the rows read as "content unknown" (NULL), so their
            # files are indexed again when their stamps change, as before, and get a digest then.
            self.db.execute("ALTER TABLE files ADD COLUMN digest TEXT")

    def close(self) -> None:
        self.db.close()

    # -- meta ------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key=?", (key,))

    # -- a rebuilt catalog (newsarc.storage.switch) --------------------------------------------------------
    def replace_with(self, built: Path) -> None:
        """Become the catalog built at `built`: SQLite's backup copies its pages into this open database in one
        write transaction, so readers see the old catalog or the new one. (Copying the rows with INSERT ...
        SELECT took 26 s at 100,000 articles on a loaded 2-core machine, rebuilding the indexes; the page copy
        5.7 s.)"""
        source = sqlite3.connect(f"file:{built}?mode=ro", uri=True)
        try:
            source.backup(self.db)
        finally:
            source.close()

    @staticmethod
    def is_complete(path: Path) -> bool:
        """Whether the catalog at path is one whose build finished (meta state 'ready')."""
        if not path.is_file():
            return False
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT value FROM meta WHERE key='state'").fetchone()
            finally:
                db.close()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == "ready"

    # -- writing (the caller holds the archive lock and wraps changes in a transaction) -------------------
    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def clear(self) -> None:
        self.db.executescript("DELETE FROM files; DELETE FROM tags; DELETE FROM dirs; DELETE FROM meta;")

    def upsert(self, record: FileRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files(path, id, mtime_ns, size, ino, date, added, title, source, url, "
            "content_key, tags, digest) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record.path, record.id, record.mtime_ns, record.size, record.ino, record.date, record.added,
             record.title, record.source, record.url, record.content_key,
             json.dumps(record.tags, ensure_ascii=False), record.digest),
        )
        self.db.execute("DELETE FROM tags WHERE path=?", (record.path,))
        self.db.executemany(
            "INSERT INTO tags VALUES(?, ?, ?)",
            [(record.path, key, label) for key, label in {fold(t): t for t in reversed(record.tags)}.items()],
        )

    def set_stamp(self, path: str, stamp: tuple[int, int, int]) -> None:
        """A file whose content is what the row says, under a new stamp (a copied or restored archive, a racy
        stamp looked at again): only the stamp changes."""
        self.db.execute("UPDATE files SET mtime_ns=?, size=?, ino=? WHERE path=?", (*stamp, path))

    def digests(self, paths: Iterable[str]) -> dict[str, str]:
        """{path: digest} of those of paths whose row has a digest."""
        found: dict[str, str] = {}
        paths = list(paths)
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            rows = self.db.execute(f"SELECT path, digest FROM files WHERE digest IS NOT NULL AND path IN "
                                   f"({','.join('?' * len(chunk))})", chunk)
            found.update(rows)
        return found

    def delete(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path=?", (path,))
        self.db.execute("DELETE FROM tags WHERE path=?", (path,))

    def set_dir(self, path: str, mtime_ns: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO dirs VALUES(?, ?)", (path, mtime_ns))

    def delete_dir(self, path: str) -> None:
        self.db.execute("DELETE FROM dirs WHERE path=? OR path LIKE ?", (path, path + "/%"))

    # -- reading ---------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM files").fetchone()[0]

    def has_more_than(self, n: int) -> bool:
        """count() > n, reading at most n + 1 rows (count(*) walks the whole table)."""
        return self.db.execute("SELECT 1 FROM files LIMIT 1 OFFSET ?", (int(n),)).fetchone() is not None

    def dirs(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT path, mtime_ns FROM dirs"))

    def stamps_in(self, directory: str, recursive: bool = False) -> dict[str, tuple[int, int, int]]:
        """File stamps of the files inside one directory (and below it, when recursive). The files below a
        subdirectory are left out by SQLite, not by Python: listing articles/ itself, which holds only the year
        directories, no longer turns every row of the archive into a Python tuple (1.4 s at 1,000,000)."""
        if recursive:
            rows = self.db.execute("SELECT path, mtime_ns, size, ino FROM files WHERE path > ? AND path < ?",
                                   (directory + "/", directory + "/\uffff"))
        else:
            rows = self.db.execute("SELECT path, mtime_ns, size, ino FROM files WHERE path > ? AND path < ? "
                                   "AND instr(substr(path, ?), '/') = 0",
                                   (directory + "/", directory + "/\uffff", len(directory) + 2))
        return {p: (m, s, i) for p, m, s, i in rows}

    def all_stamps(self) -> Iterator[tuple[str, tuple[int, int, int]]]:
        """Every file's (path, stamp), streamed in ascending path order (the primary key's index: no sort), for the
        full freshness scan's merge-join (newsarc.storage.freshness): one row in memory at a time."""
        for path, mtime_ns, size, ino in self.db.execute("SELECT path, mtime_ns, size, ino FROM files ORDER BY path"):
            yield path, (mtime_ns, size, ino)

    def paths_for_prefix(self, prefix: str, limit: int = 50) -> list[tuple[str, str]]:
        """(id, path) of the articles whose id starts with prefix, via the id index (no scan)."""
        upper = prefix + ALPHABET[-1] * 16
        rows = self.db.execute(
            "SELECT id, path FROM files WHERE id >= ? AND id <= ? ORDER BY id, path LIMIT ?", (prefix, upper, limit)
        )
        return list(rows)

    def records(self) -> Iterator[FileRecord]:
        """Every row, as FileRecords, streamed in ascending path order (the primary key's index: no sort; SQLite's
        BINARY order, which is Python's str order): newsarc check merges them with its walk of the files."""
        rows = self.db.execute("SELECT path, id, mtime_ns, size, ino, date, added, title, source, url, content_key, "
                               "tags FROM files ORDER BY path")
        for path, id_, mtime_ns, size, ino, date, added, title, source, url, key, tags in rows:
            yield FileRecord(path, id_, mtime_ns or 0, size or 0, ino or 0, date, added or "", title or "",
                             source or "", url or "", key, json.loads(tags or "[]"))

    def with_url(self, url: str) -> list[tuple[str, str]]:
        """(id, path) of every article with this URL, the first added first."""
        return list(self.db.execute("SELECT id, path FROM files WHERE url=? ORDER BY added", (url,)))

    def path_of(self, article_id: str) -> str | None:
        """The file of the article with this full id (the first, if a merge left two)."""
        row = self.db.execute("SELECT path FROM files WHERE id=? ORDER BY path LIMIT 1", (article_id,)).fetchone()
        return row[0] if row else None

    def entry_of(self, article_id: str) -> CatalogEntry | None:
        """The catalog row of the article with this full id, or None."""
        row = self.db.execute("SELECT path, id, date, added, title, source, url, tags FROM files WHERE id=? "
                              "ORDER BY path LIMIT 1", (article_id,)).fetchone()
        return _entry(row) if row else None

    def id_paths(self) -> dict[str, str]:
        """{id: path} of every article."""
        return dict(self.db.execute("SELECT id, path FROM files"))

    def count_and_last_added(self) -> tuple[int, str | None]:
        """How many files and the latest `added`: a cheap stamp of what the catalog holds."""
        count, last = self.db.execute("SELECT count(*), max(added) FROM files").fetchone()
        return count, last

    def find_duplicate(self, url: str, content_key: str) -> tuple[str, str] | None:
        """(id, path) of an article with the same URL or the same content, if any."""
        if url:
            row = self.db.execute("SELECT id, path FROM files WHERE url=? LIMIT 1", (url,)).fetchone()
            if row:
                return row
        row = self.db.execute("SELECT id, path FROM files WHERE content_key=? LIMIT 1", (content_key,)).fetchone()
        return row

    def newest(self, *, limit: int | None, tags: Iterable[str] = (), source: str | None = None,
               since: str | None = None, until: str | None = None) -> list[CatalogEntry]:
        """Articles newest first, undated ones last, filtered (iter_newest, as a list)."""
        return list(self.iter_newest(limit=limit, tags=tags, source=source, since=since, until=until))

    def iter_newest(self, *, limit: int | None = None, tags: Iterable[str] = (), source: str | None = None,
                    since: str | None = None, until: str | None = None) -> Iterator[CatalogEntry]:
        """Articles newest first, undated ones last, filtered, streamed: one row in memory at a time, so a caller
        that goes through every article (an export) does not hold a list of the archive.

        Dated and undated rows are read separately so that SQLite walks the (date, added) index backwards and
        stops after `limit` rows: the newest 20 of 100,000 cost the same as of 100.
        """
        where, args = _filters(tags, source, since, until)
        select = "SELECT path, id, date, added, title, source, url, tags FROM files WHERE "
        dated = select + " AND ".join([*where, "date IS NOT NULL"]) + " ORDER BY date DESC, added DESC, rowid DESC"
        if limit is not None:
            dated += f" LIMIT {int(limit)}"
        given = 0
        for row in self.db.execute(dated, args):
            given += 1
            yield _entry(row)
        if (limit is None or given < limit) and not (since or until):
            undated = select + " AND ".join([*where, "date IS NULL"]) + " ORDER BY added DESC, rowid DESC"
            if limit is not None:
                undated += f" LIMIT {int(limit) - given}"
            for row in self.db.execute(undated, args):
                yield _entry(row)

    def count_matching(self, *, tags: Iterable[str] = (), source: str | None = None, since: str | None = None,
                       until: str | None = None) -> int:
        """How many articles iter_newest gives for these filters, counted by SQLite (no row is read into Python)."""
        where, args = _filters(tags, source, since, until)
        return self.db.execute(f"SELECT count(*) FROM files WHERE {' AND '.join(['1=1', *where])}", args).fetchone()[0]

    def listing(self, *, order: str, offset: int, limit: int, tags: Iterable[str] = (), source: str | None = None,
                since: str | None = None, until: str | None = None) -> tuple[int, list[CatalogEntry]]:
        """(count, one page) of the articles the filters admit, most recently added first (order "added") or
        newest publication date first with undated ones last (order "date"); for browsing page by page."""
        where, args = _filters(tags, source, since, until)
        condition = " AND ".join(["1=1", *where])
        total = self.db.execute(f"SELECT count(*) FROM files WHERE {condition}", args).fetchone()[0]
        # `added` is to the second: within one, the row recorded last (SQLite's rowid) is the one added last. The
        # date order breaks ties as iter_newest does (which serves page 1), so no article is on two pages or none.
        ordering = "added DESC, rowid DESC" if order == "added" else "date IS NULL, date DESC, added DESC, rowid DESC"
        rows = self.db.execute(f"SELECT path, id, date, added, title, source, url, tags FROM files WHERE {condition} "
                               f"ORDER BY {ordering} LIMIT ? OFFSET ?", [*args, int(limit), int(offset)])
        return total, [_entry(row) for row in rows]

    def iter_paths(self) -> Iterator[str]:
        for (path,) in self.db.execute("SELECT path FROM files ORDER BY path"):
            yield path

    def id_duplicates(self) -> list[tuple[str, list[str]]]:
        rows = self.db.execute(
            "SELECT id, group_concat(path, '\n') FROM files GROUP BY id HAVING count(*) > 1 ORDER BY id"
        )
        return [(i, paths.split("\n")) for i, paths in rows]

    def stats(self, top: int = 10) -> dict[str, Any]:
        db = self.db
        count, first, last = db.execute(
            "SELECT count(*), min(substr(date,1,10)), max(substr(date,1,10)) FROM files"
        ).fetchone()
        undated = db.execute("SELECT count(*) FROM files WHERE date IS NULL").fetchone()[0]
        sources = db.execute(
            "SELECT source, count(*) c FROM files WHERE source != '' GROUP BY source ORDER BY c DESC, source LIMIT ?",
            (top,),
        ).fetchall()
        tag_rows = db.execute(
            "SELECT max(label), count(*) c FROM tags GROUP BY tag ORDER BY c DESC, tag LIMIT ?", (top,)
        ).fetchall()
        return {
            "articles": count,
            "undated": undated,
            "first_date": first,
            "last_date": last,
            "sources": [{"source": s, "count": c} for s, c in sources],
            "tags": [{"tag": t, "count": c} for t, c in tag_rows],
        }


def _filters(tags: Iterable[str], source: str | None, since: str | None,
             until: str | None) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (to be joined with AND) and their arguments of a listing's filters."""
    where: list[str] = []
    args: list[Any] = []
    for tag in tags:
        where.append("path IN (SELECT path FROM tags WHERE tag=?)")
        args.append(fold(tag))
    if source:
        where.append("lower(source)=lower(?)")
        args.append(source)
    if since:
        where.append("date >= ?")
        args.append(since)
    if until:
        where.append("substr(date, 1, 10) <= ?")
        args.append(until)
    return where, args


def _entry(row: tuple[Any, ...]) -> CatalogEntry:
    path, id_, date, added, title, source, url, tags = row
    return CatalogEntry(path, id_, date, added or "", title or "", source or "", url or "", json.loads(tags or "[]"))
