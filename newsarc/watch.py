"""Saved searches: `watch run` prints only the hits that are new since that watch last ran.

The searches are shared with the archive in `watches.yaml` (name: query, one per line, diff-friendly). What
each watch has already shown is per machine, in .newsarc/watches.json: the ids it has seen, not a time, so
that articles arriving through a `git pull` (with `added` times in the past) are still reported, and two
clones never conflict over state.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarc.errors import BadInputError, NotFoundError, UsageError

if TYPE_CHECKING:
    from newsarc.index.backend import SearchHit
    from newsarc.storage.store import Store

WATCHES_FILE = "watches.yaml"
STATE_FILE = "watches.json"
HEADER = "# newsarc saved searches (name: query); `newsarc watch run NAME` prints what is new since its last run.\n"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass
class WatchRun:
    name: str
    query: str
    new: list[SearchHit]
    first_run: bool
    total: int


def load_watches(root: Path) -> dict[str, str]:
    path = root / WATCHES_FILE
    if not path.exists():
        return {}
    from newsarc.yamlio import load_yaml

    data = load_yaml(path.read_bytes(), origin=str(path)) or {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise BadInputError(f"{path}: expected lines of `name: query`")
    return dict(data)


def save_watches(root: Path, watches: dict[str, str]) -> None:
    from newsarc.storage.atomic import atomic_write
    from newsarc.yamlio import entry_line

    lines = [HEADER]
    for name in sorted(watches):
        lines.append(entry_line({name: watches[name]}, flow=False))
    atomic_write(root / WATCHES_FILE, "".join(lines))


def add_watch(store: Store, name: str, query: str) -> None:
    if not _NAME.fullmatch(name):
        raise UsageError(f"watch name {name!r}: use letters, digits, '-', '_' or '.' (up to 64)")
    if not query.strip():
        raise UsageError("give the query to watch, e.g. newsarc watch add raqqa 'Raqqa OR \"ar-Raqqah\"'")
    store.refresh(write=False)
    store.backend.check_query(query)  # refuse a query that does not parse, now rather than in cron
    with store.archive.lock:
        watches = load_watches(store.archive.root)
        watches[name] = query
        save_watches(store.archive.root, watches)


def remove_watch(store: Store, name: str) -> None:
    with store.archive.lock:
        watches = load_watches(store.archive.root)
        if name not in watches:
            raise NotFoundError(f"no watch named {name!r}; `newsarc watch list` shows them")
        del watches[name]
        save_watches(store.archive.root, watches)
        state = _load_state(store.archive.root)
        state.pop(name, None)
        _save_state(store.archive.root, state)


def run_watch(store: Store, name: str, *, update: bool = True) -> WatchRun:
    """The hits of a watch that it has not shown before; marks them seen (unless update=False)."""
    from newsarc import api
    from newsarc.index.backend import SearchRequest

    watches = load_watches(store.archive.root)
    if name not in watches:
        raise NotFoundError(f"no watch named {name!r}; `newsarc watch list` shows them")
    query = watches[name]
    result = api.search(store, SearchRequest(query, limit=10**9, sort="date", snippets=False))
    state = _load_state(store.archive.root)
    entry = state.get(name)
    seen = set(entry.get("seen", [])) if isinstance(entry, dict) else set()
    new = [hit for hit in result.hits if hit.id not in seen]
    if update:
        from newsarc.article import utc_now

        with store.archive.lock:
            state = _load_state(store.archive.root)
            state[name] = {"query": query, "last_run": utc_now(), "seen": sorted(seen | {h.id for h in result.hits})}
            _save_state(store.archive.root, state)
    return WatchRun(name, query, new, entry is None, result.total)


def last_runs(root: Path) -> dict[str, str]:
    return {name: entry.get("last_run", "") for name, entry in _load_state(root).items() if isinstance(entry, dict)}


def _load_state(root: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((root / ".newsarc" / STATE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(root: Path, state: dict[str, dict[str, Any]]) -> None:
    from newsarc.storage.atomic import atomic_write

    atomic_write(root / ".newsarc" / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1) + "\n")
