"""What `newsarc check` must remember of every article until the walk of the files is over, kept on disk.

Three findings need the whole archive before they can be made: an id used by more than one file, a duplicate_of
or version_of naming an id no article has, and a kept original (<id>.orig.gz) that no article beside it names.
Held in dicts, they cost memory in proportion to the archive (with the catalog's and the index's dicts, ~1 GB at
1,000,000 articles, and millions of small objects that Python's cyclic garbage collector walks again and again).
The ledger is a temporary SQLite database instead: rows go in as the files are read, a few hundred at a time, and
the findings come out of GROUP BY and anti-joins. SQLite keeps a few MB of it in memory and the rest in a
temporary file that is removed when the ledger is closed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from types import TracebackType

_BATCH = 500  # rows buffered in Python before they go to SQLite: one executemany each

_SCHEMA = """
CREATE TABLE articles (path TEXT NOT NULL, id TEXT);
CREATE TABLE claimed (path TEXT NOT NULL);
CREATE TABLE links (path TEXT NOT NULL, field TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE originals (path TEXT NOT NULL);
"""


class Ledger:
    """The articles seen by one scan, in the order they were seen. Use as a context manager: closing it removes
    the temporary file."""

    def __init__(self) -> None:
        # "": a private temporary database, on disk once it outgrows SQLite's page cache (2 MB by default).
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute("PRAGMA temp_store = FILE")  # sorts and indexes of the queries below: on disk as well
        self.db.executescript(_SCHEMA)
        self.articles = 0  # readable article files recorded
        self._pending: dict[str, list[tuple[str | None, ...]]] = {
            "articles": [], "claimed": [], "links": [], "originals": []}
        self._ready = False

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- filled during the walk ------------------------------------------------------------------------------
    def article(self, path: str, article_id: str | None, original: str) -> None:
        """A readable article file: its id when it is a valid one (the only ids duplicates and links are judged
        by), and the `original:` it names ("" for none)."""
        self.articles += 1
        self._put("articles", (path, article_id))
        if original:
            self._put("claimed", (path.rsplit("/", 1)[0] + "/" + original,))

    def link(self, path: str, field_name: str, target: str) -> None:
        """A duplicate_of or version_of of the article at path, naming target."""
        self._put("links", (path, field_name, target))

    def original(self, path: str) -> None:
        """A kept original's file (<id>.orig.gz) found under articles/."""
        self._put("originals", (path,))

    def _put(self, table: str, row: tuple[str | None, ...]) -> None:
        pending = self._pending[table]
        pending.append(row)
        if len(pending) >= _BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        pending = self._pending[table]
        if pending:
            marks = ",".join("?" * len(pending[0]))
            self.db.executemany(f"INSERT INTO {table} VALUES ({marks})", pending)
            pending.clear()

    def _finish(self) -> None:
        """After the walk: the last rows in, and the indexes the queries below look things up by."""
        if self._ready:
            return
        for table in self._pending:
            self._flush(table)
        self.db.executescript("CREATE INDEX articles_id ON articles(id); CREATE INDEX claimed_path ON claimed(path);")
        self._ready = True

    # -- read after the walk ---------------------------------------------------------------------------------
    def duplicate_ids(self) -> Iterator[tuple[str, list[str]]]:
        """(id, its files in the order they were recorded) of every id more than one file holds, by id."""
        self._finish()
        rows = self.db.execute("SELECT id, path FROM articles WHERE id IN (SELECT id FROM articles WHERE id "
                               "IS NOT NULL GROUP BY id HAVING count(*) > 1) ORDER BY id, rowid")
        current = ""
        paths: list[str] = []
        for article_id, path in rows:
            if article_id != current and paths:
                yield current, paths
                paths = []
            current = article_id
            paths.append(path)
        if paths:
            yield current, paths

    def dangling_links(self) -> Iterator[tuple[str, str, str]]:
        """(path, field, target) of each link whose target is the valid id of no article, in the order recorded."""
        self._finish()
        yield from self.db.execute("SELECT path, field, target FROM links WHERE NOT EXISTS (SELECT 1 FROM articles "
                                   "WHERE articles.id = links.target) ORDER BY rowid")

    def unclaimed_originals(self) -> Iterator[str]:
        """The kept originals that no article beside them names in `original:`, in the order recorded."""
        self._finish()
        for (path,) in self.db.execute("SELECT path FROM originals WHERE NOT EXISTS (SELECT 1 FROM claimed WHERE "
                                       "claimed.path = originals.path) ORDER BY rowid"):
            yield path
