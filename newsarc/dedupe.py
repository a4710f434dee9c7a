"""Near-duplicates: the same wire story on several sites, or a page re-added after it changed.

Each article body gets a bottom-k MinHash sketch: the K smallest distinct CRC-32 values of its 4-word
shingles (lower-cased words). Two bodies' sketches estimate their shingle Jaccard similarity: among the K
smallest values of the union of both sketches, the share found in both. Lookup never scans the archive: every
sketch value is a row of an indexed side table, so the candidates for a new body are the articles sharing at
least MIN_SHARED of its values (a body at Jaccard 0.6 shares ~19 of 32), and only those are compared.

The side table lives in .newsarc/neardup.sqlite (derived state, like the catalog): it also records the links
written into the YAML (`duplicate_of`, `version_of`) so `newsarc dups` lists clusters without reading every
file. When the archive holds articles the table does not (a deleted .newsarc/, an import, a hand edit), sync()
sketches just those from their YAML; ids that are gone are dropped.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarc.storage.store import Store

K = 32
MIN_SHARED = 3
MIN_WORDS = 25  # shorter bodies (briefs, captions) are too alike by chance to call near-duplicates
THRESHOLD = 0.6  # estimated Jaccard similarity from which two bodies are the same story
# Same URL, changed body: a new version when at least this similar (an edited page); below, the same article.
VERSION_THRESHOLD = 0.3
DEDUPE_MODES = ("link", "skip", "keep")
_WORD = re.compile(r"\w+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sketches (id TEXT PRIMARY KEY, mins BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS minhash (h INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (h, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_target ON links(target);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def sketch(body: str) -> list[int] | None:
    """The K smallest shingle hashes of a body, ascending; None when the body is too short to judge."""
    words = " ".join(_WORD.findall(body.casefold())).encode("utf-8").split()
    if len(words) < MIN_WORDS:
        return None
    shingles = map(b" ".join, zip(words, words[1:], words[2:], words[3:], strict=False))
    return heapq.nsmallest(K, set(map(zlib.crc32, shingles)))


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two bodies from their sketches."""
    union = heapq.nsmallest(K, set(a) | set(b))
    if not union:
        return 0.0
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def _pack(mins: list[int]) -> bytes:
    return b"".join(h.to_bytes(4, "big") for h in mins)


def _unpack(blob: bytes) -> list[int]:
    return [int.from_bytes(blob[i:i + 4], "big") for i in range(0, len(blob), 4)]


class NearDupIndex:
    """The side table of sketches and links. Writes join the caller's batch: commit() with each flush."""

    def __init__(self, state_dir: Path, *, db: sqlite3.Connection | None = None):
        if db is None:
            state_dir.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(state_dir / "neardup.sqlite", timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        self.db = db
        self.db.executescript(_SCHEMA)

    @classmethod
    def in_memory_copy(cls, state_dir: Path) -> NearDupIndex:
        """For an archive newsarc cannot write (a read-only mount, another user's): the stored table copied
        into memory, read-only on disk, so that sync() can bring the copy up to date for this one command."""
        memory = sqlite3.connect(":memory:", isolation_level=None)
        stored = state_dir / "neardup.sqlite"
        if stored.is_file():
            from newsarc.storage.catalog import connect_read_only

            try:
                source = connect_read_only(stored)
                try:
                    source.backup(memory)
                finally:
                    source.close()
            except sqlite3.Error:
                pass  # unreadable: sync() rebuilds the copy from the articles
        return cls(state_dir, db=memory)

    def close(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.db.close()

    def _begin(self) -> None:
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    # -- lookups -----------------------------------------------------------------------------------------
    def find(self, mins: list[int], *, exclude: Iterable[str] = ()) -> tuple[str, float] | None:
        """(id, similarity) of the most similar indexed body at or above THRESHOLD, or None."""
        marks = ",".join("?" * len(mins))
        rows = self.db.execute(
            f"SELECT id FROM minhash WHERE h IN ({marks}) GROUP BY id HAVING count(*) >= ? "
            "ORDER BY count(*) DESC LIMIT 20", (*mins, MIN_SHARED)).fetchall()
        skip = set(exclude)
        best: tuple[str, float] | None = None
        for (candidate,) in rows:
            if candidate in skip:
                continue
            row = self.db.execute("SELECT mins FROM sketches WHERE id=?", (candidate,)).fetchone()
            if not row or not row[0]:
                continue
            score = similarity(mins, _unpack(row[0]))
            if score >= THRESHOLD and (best is None or score > best[1]):
                best = (candidate, score)
        return best

    def root_of(self, article_id: str) -> str:
        """The article a cluster hangs from: the target of the article's link, or the article itself."""
        row = self.db.execute("SELECT target FROM links WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else article_id

    def link_of(self, article_id: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT target, kind FROM links WHERE id=?", (article_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def members(self, root: str) -> list[tuple[str, str]]:
        """(id, kind) of the articles linked to root."""
        return [(i, k) for i, k in self.db.execute("SELECT id, kind FROM links WHERE target=? ORDER BY id", (root,))]

    def clusters(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        """(root id, [(member id, kind)...]) for every cluster, biggest first."""
        rows = self.db.execute(
            "SELECT target, group_concat(id || ':' || kind, ' ') FROM links GROUP BY target "
            "ORDER BY count(*) DESC, target")
        for target, members in rows:
            yield target, [tuple(m.split(":", 1)) for m in sorted(members.split())]

    # -- writes ------------------------------------------------------------------------------------------
    def add(self, article_id: str, mins: list[int] | None) -> None:
        """Record an article's sketch (an empty one for a body too short to judge, so sync() skips it)."""
        self._begin()
        self._drop_hashes(article_id)
        self.db.execute("INSERT INTO sketches VALUES (?, ?)", (article_id, _pack(mins or [])))
        if mins:
            self.db.executemany("INSERT OR IGNORE INTO minhash VALUES (?, ?)", [(h, article_id) for h in mins])

    def _drop_hashes(self, article_id: str) -> None:
        """Remove an article's sketch rows, found through its stored sketch (the table is keyed by hash)."""
        row = self.db.execute("SELECT mins FROM sketches WHERE id=?", (article_id,)).fetchone()
        if row is None:
            return
        self.db.executemany("DELETE FROM minhash WHERE h=? AND id=?", [(h, article_id) for h in _unpack(row[0])])
        self.db.execute("DELETE FROM sketches WHERE id=?", (article_id,))

    def link(self, article_id: str, target: str, kind: str) -> None:
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO links VALUES (?, ?, ?)", (article_id, target, kind))

    def unlink(self, article_id: str) -> None:
        """The article links to nothing any more (its link was cleared)."""
        self._begin()
        self.db.execute("DELETE FROM links WHERE id=?", (article_id,))

    def forget(self, ids: Iterable[str]) -> None:
        self._begin()
        for article_id in ids:
            self._drop_hashes(article_id)
            self.db.execute("DELETE FROM links WHERE id=? OR target=?", (article_id, article_id))

    # -- keeping in step with the archive -----------------------------------------------------------------
    def _stamp(self, store: Store) -> str:
        files = store.catalog.count_and_last_added()
        known = self.db.execute("SELECT count(*) FROM sketches").fetchone()[0]
        return f"{files[0]}|{files[1]}|{known}"

    def is_synced(self, store: Store) -> bool:
        row = self.db.execute("SELECT value FROM meta WHERE key='synced'").fetchone()
        return bool(row) and row[0] == self._stamp(store)

    def removed(self, store: Store, article_id: str, was_synced: bool) -> None:
        """After `newsarc rm` (catalog already updated): forget the id, and stay in sync if the table was, so the
        next add does not walk every id of the archive."""
        self.forget([article_id])
        self.commit()
        if was_synced:
            self.mark_synced(store)

    def mark_synced(self, store: Store) -> None:
        """Record that the table matches the catalog (after newsarc's own adds went through it)."""
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('synced', ?)", (self._stamp(store),))
        self.commit()

    def sync(self, store: Store) -> int:
        """Sketch articles the table lacks and forget ids no longer in the archive; returns how many changed.

        Cheap when nothing changed since the last add or sync: two counts. Otherwise one pass over the
        catalog's ids, reading the YAML only of the articles missing here.
        """
        if self.is_synced(store):
            return 0
        paths = store.catalog.id_paths()
        have = {i for (i,) in self.db.execute("SELECT id FROM sketches")}
        have |= {i for (i,) in self.db.execute("SELECT id FROM links")}
        gone = [i for i in have if i not in paths]
        changed = len(gone)
        if gone:
            self.forget(gone)
        sketched = {i for (i,) in self.db.execute("SELECT id FROM sketches")}
        missing = [(i, p) for i, p in paths.items() if i not in sketched]
        from newsarc.errors import NewsarcError

        if len(missing) > 500:
            store.warn(f"reading {len(missing)} articles for near-duplicate detection (once; later runs are quick)")
        for article_id, path in missing:
            try:
                article = store.archive.read(path)
            except NewsarcError:
                continue
            self.add(article_id, sketch(article.body))
            for kind in ("duplicate_of", "version_of"):
                target = article.extra.get(kind)
                if isinstance(target, str) and target in paths:
                    self.link(article_id, target, kind.removesuffix("_of"))
            changed += 1
        self.commit()
        self.mark_synced(store)
        return changed
