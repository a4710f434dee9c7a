"""Versions (the same URL re-added with changed text) and near-duplicates (the same story elsewhere).

The links live in the YAML (`version_of`, `duplicate_of`) and, for lookups without reading every file, in the
near-duplicate store (newsarc.dedupe.NearDupIndex). Readers bring that store up to date only when the archive
lock is free, so `show --versions` or a web page never waits for a writer; `dups` waits, as a writer does.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsarc.errors import UsageError

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.dedupe import NearDupIndex
    from newsarc.storage.store import Store


@contextlib.contextmanager
def _near_index(store: Store, *, wait: bool) -> Iterator[NearDupIndex]:
    """The near-duplicate store, synced with the archive (wait=False: only if the lock is free right now). On an
    archive newsarc cannot write, a copy in memory synced for this command: reading never needs to write."""
    from newsarc.dedupe import NearDupIndex

    if store.archive.write_problem():
        index = NearDupIndex.in_memory_copy(store.archive.state_dir)
        try:
            index.sync(store)
            yield index
        finally:
            index.close()
        return
    index = NearDupIndex(store.archive.state_dir)
    try:
        lock = store.archive.lock
        if wait:
            with lock:
                index.sync(store)
        elif lock.try_acquire():
            try:
                index.sync(store)
            finally:
                lock.release()
        yield index
    finally:
        index.close()


@dataclass
class Versions:
    id: str  # the article asked about
    articles: list[Article]  # every version of its page, oldest first (the article itself included)


def when(article: Article) -> str:
    """When a version was made: updated in place by `import --update`, else fetched, else added. The order of
    versions: the copy that keeps an updated article's old fields has the old time, so it sorts first."""
    return str(article.extra.get("updated") or article.extra.get("fetched") or article.added or "")


def versions(store: Store, text: str) -> Versions:
    """All versions of the page of the article with id (or unique prefix) text, oldest first."""
    store.refresh(write=False)
    found_id, _ = store.resolve(text)
    with _near_index(store, wait=False) as index:
        link = index.link_of(found_id)
        root = link[0] if link and link[1] == "version" else found_id
        ids = [root] + [i for i, kind in index.members(root) if kind == "version"]
    articles = []
    for version_id in ids:
        path = store.catalog.path_of(version_id)
        if path:
            articles.append(store.archive.read(path))
    # within the same second, the article updated in place comes after the copy keeping its old fields
    articles.sort(key=lambda a: (when(a), a.added or "", "updated" in a.extra))
    return Versions(found_id, articles)


@dataclass
class Diff:
    old: Article
    new: Article
    lines: list[str]  # a unified diff of title and body; empty when they are the same


def diff(store: Store, text: str) -> Diff:
    """What changed from the previous version of an article (or to the next, for the first version)."""
    found = versions(store, text)
    if len(found.articles) < 2:
        raise UsageError(f"{found.id} has no other version to compare with")
    position = next(i for i, a in enumerate(found.articles) if a.id == found.id)
    old, new = found.articles[position - 1:position + 1] if position > 0 else found.articles[:2]
    lines = list(difflib.unified_diff(
        [f"title: {old.title}", "", *old.body.split("\n")], [f"title: {new.title}", "", *new.body.split("\n")],
        fromfile=f"{old.id} ({when(old)})", tofile=f"{new.id} ({when(new)})", lineterm="", n=1))
    return Diff(old, new, lines)


def _brief(store: Store, article_id: str) -> dict[str, Any]:
    entry = store.catalog.entry_of(article_id)
    if entry is None:
        return {"id": article_id, "date": None, "source": "", "title": "(missing)", "url": ""}
    return {"id": article_id, "date": entry.date, "source": entry.source, "title": entry.title, "url": entry.url}


def clusters(store: Store) -> list[dict[str, Any]]:
    """Every cluster of near-duplicates and versions, biggest first, as records: the article they hang from
    ({id, date, source, title, url}) with "members", each the same fields plus "kind" (duplicate or version)."""
    store.refresh(write=False)
    with _near_index(store, wait=True) as index:
        found = list(index.clusters())
    return [{**_brief(store, root), "members": [{**_brief(store, member), "kind": kind} for member, kind in members]}
            for root, members in found]


@dataclass
class Related:
    """An article's relatives, for reading it: other versions of its page and the same story elsewhere."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)


def related(store: Store, article_id: str) -> Related:
    """The versions and near-duplicates linked to the article with this full id (itself left out)."""
    with _near_index(store, wait=False) as index:
        root = index.root_of(article_id)
        members = index.members(root)
        root_kind = next((kind for member, kind in members if member == article_id), None)
    out = Related()
    if root != article_id:
        (out.versions if root_kind == "version" else out.duplicates).append(_brief(store, root))
    for member, kind in members:
        if member != article_id:
            (out.versions if kind == "version" else out.duplicates).append(_brief(store, member))
    return out
