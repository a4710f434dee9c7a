"""Links between articles (`duplicate_of`, `version_of`) kept whole when an article is removed.

A link names another article by id. `newsarc rm` of the article a cluster hangs from used to leave its
near-duplicates and later versions pointing at nothing. Now the links are rewired, and `rm` says so:

- when the removed article itself pointed somewhere (it was a duplicate or a version of another), the articles
  that pointed at it point there instead;
- otherwise the oldest of them (by `added`) takes its place: its own link is cleared and the others point at
  it, so the cluster stays one cluster.

The articles that point at the removed one are found where newsarc records links, without reading every file:
the near-duplicate store (newsarc.dedupe; links made by `add`, and by the sync for imported articles) and, for
versions, the catalog's articles with the same URL. A link written by hand elsewhere is what `newsarc check`
reports as dangling, and `check --repair` clears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsarc.errors import NewsarcError

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.dedupe import NearDupIndex
    from newsarc.storage.store import Store

LINK_FIELDS = ("duplicate_of", "version_of")


@dataclass
class Relinked:
    """One link changed because the article it named was removed."""

    id: str  # the article whose link changed
    field: str  # duplicate_of or version_of
    old: str  # the removed article's id
    new: str  # the id it points at now; "" when the link was cleared

    def line(self) -> str:
        if self.new:
            return f"{self.id}  {self.field}: {self.old} -> {self.new}"
        return f"{self.id}  {self.field}: {self.old} cleared (it now heads its {self.field.removesuffix('_of')}s)"


@dataclass
class Removed:
    """What `newsarc rm` did: the article removed, and the links of other articles rewired away from it."""

    article: Article
    relinked: list[Relinked]


def link_target(article: Article, field: str) -> str:
    """The id an article's link names, or "" (a link that is not text is no link)."""
    value = article.extra.get(field)
    return value.strip() if isinstance(value, str) else ""


def pointing_at(store: Store, removed: Article, near: NearDupIndex | None) -> list[tuple[str, Article]]:
    """(path, article) of the articles whose duplicate_of or version_of names `removed` (lock held)."""
    candidates: set[str] = set()
    if near is not None:
        candidates.update(article_id for article_id, _kind in near.members(removed.id))
    if removed.url:
        candidates.update(article_id for article_id, _path in store.catalog.with_url(removed.url))
    candidates.discard(removed.id)
    found = []
    for article_id in sorted(candidates):
        path = store.catalog.path_of(article_id)
        if path is None:
            continue
        try:
            article = store.archive.read(path)
        except NewsarcError:
            continue  # unreadable: `newsarc check` reports the file
        if any(link_target(article, field) == removed.id for field in LINK_FIELDS):
            found.append((path, article))
    return found


def relink(store: Store, removed: Article, referrers: list[tuple[str, Article]]) -> tuple[
        list[Relinked], list[tuple[str, Article]]]:
    """Rewire the links of `referrers` away from `removed` (see the module docstring): what changed, and the
    articles to save."""
    changes: list[Relinked] = []
    changed: dict[str, Article] = {}
    for field in LINK_FIELDS:
        members = sorted((article for _path, article in referrers if link_target(article, field) == removed.id),
                         key=lambda a: (a.added or "", a.id))
        if not members:
            continue
        successor = link_target(removed, field)
        if not successor or successor == removed.id or store.catalog.path_of(successor) is None:
            head, members = members[0], members[1:]
            head.extra.pop(field, None)
            changed[head.id] = head
            changes.append(Relinked(head.id, field, removed.id, ""))
            successor = head.id
        for article in members:
            article.extra[field] = successor
            changed[article.id] = article
            changes.append(Relinked(article.id, field, removed.id, successor))
    return changes, [(store.archive.relpath_for(article), article) for article in changed.values()]
