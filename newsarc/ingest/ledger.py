"""The resume ledger: which exact inputs (a file's bytes, one JSONL line, one mail) are already in the archive.

A re-run of `newsarc add` over a big directory, JSONL file or mailbox (after Ctrl-C, a crash, or to pick up
new files) hashes each input and skips those recorded here without parsing them. A key maps to the ids of the
articles the input gave; it counts only while those articles are still in the catalog, so an article removed
since is added again. Keys are written with each batch the adder commits, after the catalog: a crash leaves at
worst inputs that are parsed again and found to be duplicates.

Derived state in .newsarc/inputs.sqlite: deleting it only makes the next re-run slower.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


class Ledger:
    def __init__(self, state_dir: Path, catalog: Any):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(state_dir / "inputs.sqlite", timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS inputs (key TEXT PRIMARY KEY, ids TEXT NOT NULL)")
        self.catalog = catalog
        self.pending: dict[str, list[str]] = {}

    def seen(self, key: str) -> list[str] | None:
        """The ids made from this exact input, when all of them are still in the archive; else None."""
        ids = self.pending.get(key)
        if ids:
            return ids  # added earlier in this run, not yet in the catalog
        if ids is None:
            row = self.db.execute("SELECT ids FROM inputs WHERE key=?", (key,)).fetchone()
            if row is None:
                return None
            ids = row[0].split()
        if ids and all(self.catalog.paths_for_prefix(i, limit=1) for i in ids):
            return ids
        return None

    def record(self, key: str, article_id: str) -> None:
        ids = self.pending.setdefault(key, [])
        if article_id and article_id not in ids:
            ids.append(article_id)

    def commit(self) -> None:
        if not self.pending:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT OR REPLACE INTO inputs VALUES (?, ?)",
                                [(key, " ".join(ids)) for key, ids in self.pending.items() if ids])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.pending.clear()

    def close(self) -> None:
        self.db.close()
