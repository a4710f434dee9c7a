"""newsarc as a Python library: every command is one call here, the CLI only parses options and prints.

    from newsarc import api
    from newsarc.index.backend import SearchRequest
    store = api.open_store("~/news")
    report = api.add_sources(store, api.iter_sources(["saved/"]))
    result = api.search(store, SearchRequest("Abu Kamal"))

Adding lives in newsarc.adding and newsarc.ingest.sources; their public names are re-exported here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from newsarc.article import Article
from newsarc.errors import ArchiveError, NewsarcError, NotFoundError, UsageError
from newsarc.index.backend import (  # noqa: F401 - re-exported: the request and result types a face needs
    Engine,
    NameKeys,
    SearchHit,
    SearchRequest,
    SearchResult,
    Snippet,
    Suggestion,
)
from newsarc.outcomes import AddOutcome, AddReport  # noqa: F401 - re-exported
from newsarc.search_request import (  # noqa: F401 - re-exported: one request description, both faces
    ListingRequest,
    OptionError,
    TimelineRequest,
    build_listing,
    build_request,
    build_timeline,
)
from newsarc.storage.archive import Archive, find_archive_dir, init_archive, is_archive, original_name
from newsarc.storage.catalog import CatalogEntry
from newsarc.storage.store import BATCH as INDEX_BATCH  # noqa: F401 - re-exported: articles per index commit
from newsarc.storage.store import ProgressFactory, Store, no_progress

if TYPE_CHECKING:
    from newsarc.adding import (
        IngestSettings,  # noqa: F401
        Overrides,  # noqa: F401
        add_articles,  # noqa: F401
        add_sources,  # noqa: F401
        article_from_parsed,  # noqa: F401
        finalise_new,  # noqa: F401
    )
    from newsarc.check import Checker, Problem  # noqa: F401
    from newsarc.exchange.importer import BadRecord  # noqa: F401
    from newsarc.feeds import FeedUpdate
    from newsarc.ingest.sources import Source, iter_sources, url_source  # noqa: F401
    from newsarc.links import Removed
    from newsarc.names.gazetteer import PlaceNamed
    from newsarc.similar import Similar
    from newsarc.timeline import Timeline  # noqa: F401
    from newsarc.versions import Diff, Related, Versions

# Re-exported from newsarc.adding and newsarc.ingest.sources, imported on first use (PEP 562): a search never
# needs them, and importing them cost it ~12 ms of start-up (issue 14).
_LAZY = {
    "IngestSettings": "newsarc.adding", "Overrides": "newsarc.adding", "add_articles": "newsarc.adding",
    "add_sources": "newsarc.adding", "article_from_parsed": "newsarc.adding", "finalise_new": "newsarc.adding",
    "Source": "newsarc.ingest.sources", "iter_sources": "newsarc.ingest.sources",
    "url_source": "newsarc.ingest.sources",
    # The types the calls below take and return, from the modules that define them: a face imports them here.
    "BadRecord": "newsarc.exchange.importer", "Checker": "newsarc.check", "Problem": "newsarc.check",
    "FeedUpdate": "newsarc.feeds", "Removed": "newsarc.links", "PlaceNamed": "newsarc.names.gazetteer",
    "Similar": "newsarc.similar", "Timeline": "newsarc.timeline", "Diff": "newsarc.versions",
    "Related": "newsarc.versions", "Versions": "newsarc.versions",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def open_store(archive: str | os.PathLike[str] | None = None, *, create: bool = False,
               progress: ProgressFactory = no_progress, warn: Callable[[str], None] | None = None,
               engine: Engine | None = None) -> Store:
    """Find the archive (see find_archive_dir) and open it; create=True makes the per-user default if absent.
    engine: the search engine (newsarc.index.backend.Engine); default newsarc.index.default_engine(), Whoosh."""
    root, how = find_archive_dir(archive)
    if not is_archive(root):
        if create and how == "default":
            init_archive(root)
        elif how == "default":
            raise ArchiveError(
                f"no archive found here or above, and none at the default {root}; "
                "create one with `newsarc init [DIR]` or pass --archive DIR"
            )
        else:
            raise ArchiveError(f"no newsarc archive at {root} (from {how}); create it with `newsarc init {root}`")
    kwargs: dict[str, Any] = {"progress": progress, "engine": engine}
    if warn is not None:
        kwargs["warn"] = warn
    return Store(Archive(root), **kwargs)


# -- ids ---------------------------------------------------------------------------------------------------
def resolve(store: Store, text: str) -> tuple[str, str]:
    """(id, relative path) for a full id or a unique prefix of at least MIN_PREFIX characters."""
    return store.resolve(text)


def get_article(store: Store, text: str) -> Article:
    store.refresh(write=False)
    _, relpath = resolve(store, text)
    return store.archive.read(relpath)


# -- changing and removing ---------------------------------------------------------------------------------
@contextlib.contextmanager
def _write_lock(store: Store, wait: bool) -> Iterator[None]:
    """The archive lock for a change; wait=False: LockTimeoutError at once when another process holds it."""
    lock = store.archive.lock
    if wait:
        lock.acquire()
    elif not lock.try_acquire():
        from newsarc.errors import LockTimeoutError

        raise LockTimeoutError("another newsarc process is writing to the archive; try again in a moment")
    try:
        yield
    finally:
        lock.release()


def retag(store: Store, text: str, add: Iterable[str] = (), remove: Iterable[str] = (), *,
          wait: bool = True, strict: bool = False) -> Article:
    """Add and remove tags of one article (removal is case-insensitive). wait=False (a web page, which never
    waits for a writer): LockTimeoutError at once when another newsarc process is writing to the archive.
    A tag holding a line break or another control character is refused (UsageError): it would split the tag in
    every listing. strict=True also refuses to remove a tag the article does not have, so that a form never
    reports a change that did not happen."""
    from newsarc.names.fold import fold_text

    add, remove = list(add), list(remove)
    for tag in add + remove:
        if any(ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\u0085" for ch in tag):
            raise UsageError(f"tag {tag!r}: a tag cannot contain line breaks or control characters")
    with _write_lock(store, wait):
        store.refresh(write=True)
        _, relpath = resolve(store, text)
        article = store.archive.read(relpath)
        dropped = {fold_text(t) for t in remove}
        if strict:
            missing = [t for t in remove if fold_text(t) not in {fold_text(have) for have in article.tags}]
            if missing:
                raise UsageError(f"this article has no tag {missing[0]!r}, so there was nothing to remove")
        tags = [t for t in article.tags if fold_text(t) not in dropped]
        for tag in add:
            if fold_text(tag) not in {fold_text(t) for t in tags}:
                tags.append(tag.strip())
        article.tags = [t for t in tags if t]
        new_relpath = store.archive.save(article)
        store.record([(new_relpath, article)])
    return article


def remove_article(store: Store, text: str) -> Removed:
    """Remove one article; the duplicate_of/version_of links of others that named it are rewired
    (newsarc.links), and the result says which."""
    from newsarc.links import Removed, pointing_at, relink

    with store.archive.lock:
        store.refresh(write=True)
        _, relpath = resolve(store, text)
        article = store.archive.read(relpath)
        near = None
        if (store.archive.state_dir / "neardup.sqlite").exists():
            from newsarc.dedupe import NearDupIndex

            near = NearDupIndex(store.archive.state_dir)
            was_synced = near.is_synced(store)
        relinked, rewritten = relink(store, article, pointing_at(store, article, near))
        for _path, changed in rewritten:  # first the links, so an interruption never leaves one dangling
            store.archive.save(changed)
        store.archive.remove(relpath)
        if article.extra.get("original") == original_name(article.id):  # its kept raw source, nothing else
            store.archive.remove(store.archive.original_relpath(relpath, article.id))
        store.record(upserts=rewritten, deletes=[relpath])
        if near is not None:
            near.removed(store, article.id, was_synced)
            for change in relinked:
                if change.new:
                    near.link(change.id, change.new, change.field.removesuffix("_of"))
                else:
                    near.unlink(change.id)
            near.commit()
            near.close()
    return Removed(article, relinked)


def write_file(path: str | os.PathLike[str], *, binary: bool = False) -> contextlib.AbstractContextManager[Any]:
    """A handle to write a file a user named (`--failures FILE`, a chart) by newsarc's one rule for writes
    (newsarc.storage.atomic.write_target): a file replaced atomically, a symlink written through, a FIFO or
    device written into, a folder refused with IsADirectoryError."""
    from pathlib import Path

    from newsarc.storage.atomic import atomic_file

    return atomic_file(Path(path), binary=binary, durable=False)


# -- reading -----------------------------------------------------------------------------------------------
def warm(store: Store) -> None:
    """Bring the index up to date if no writer is busy, and open it and the catalog: a server does this before its
    first request, so that the first one costs what any other does."""
    store.refresh(write=False)
    if store.has_index():
        store.read_index(store.backend.doc_count)


def search(store: Store, request: SearchRequest) -> SearchResult:
    """Search the archive; the archive's alias groups (aliases.yaml) are expanded unless request.exact."""
    _ready_to_search(store, request)
    result = store.read_index(lambda: store.backend.search(request))
    if result.facets.get("place") or request.places:
        labels = place_names(store, [*(int(value) for value, _ in result.facets.get("place", ())), *request.places])
        result.facet_labels["place"] = labels
        if "place" in result.facets:  # two gazetteer places a reader cannot tell apart, on the same articles: one
            seen: set[tuple[str, int]] = set()
            kept = []
            for value, count in result.facets["place"]:
                if (labels.get(value, value), count) not in seen:
                    seen.add((labels.get(value, value), count))
                    kept.append((value, count))
            result.facets["place"] = kept
    return result


def _ready_to_search(store: Store, request: SearchRequest) -> None:
    """An index up to date with the files, and the archive's alias groups in the request unless request.exact."""
    store.refresh(write=False)
    store.require_index()
    if not request.exact and not request.aliases:
        from newsarc.names.aliases import load_groups, load_splits, splits_as_groups

        request.aliases = load_groups(store.archive.root) + splits_as_groups(load_splits(store.archive.root))


def name_keys(store: Store, request: SearchRequest) -> NameKeys:
    """The name keys of the names a query searches (alias groups and variants applied as a search applies
    them): an article of an es-bulk export names one of them when its own keys share one (`search --keys`)."""
    _ready_to_search(store, request)
    return store.read_index(lambda: store.backend.name_keys(request))


def name_keys_of(store: Store, article: Article | Mapping[str, Any]) -> NameKeys:
    """The name keys of one article (an Article or its to_dict()): what an es-bulk export writes for it, so that
    the keys of a query (name_keys) find it exactly when a search does."""
    if not isinstance(article, Article):
        article = Article.from_dict(dict(article))
    return store.backend.document_name_keys(article)


def place_names(store: Store, places: Iterable[int]) -> dict[str, str]:
    """{place id: its label}: each gazetteer place as the archive spells it (Abu Kamal · al-Bukamal · البوكمال),
    for a place facet or filter (newsarc.place_labels)."""
    from newsarc.place_labels import place_labels

    return {str(place): label.text for place, label in place_labels(store, places).items()}


def matched_words(store: Store, article_id: str, query: str, *, exact: bool = False) -> list[str]:
    """The words of one article (full id) that a query matches, as the article writes them: its own spellings
    that variants and alias groups found too (Raqqa for Rakka). Empty when the query does not match it."""
    from dataclasses import replace

    request = build_request({"query": f"({query}) AND id:{article_id}", "exact": exact, "limit": 1})
    result = search(store, replace(request, snippets=True))
    return result.hits[0].matched_terms if result.hits else []


def places_in(article: Article) -> list[PlaceNamed]:
    """The gazetteer places an article names, each once with the spellings the article writes it in."""
    from newsarc.names.gazetteer import places_in as named

    return named([(article.title, False), (article.body, False), *((tag, True) for tag in article.tags)],
                 article.language)


def listing(store: Store, request: ListingRequest) -> list[CatalogEntry]:
    """One page of the articles a listing's filters admit (newsarc list, the front page, /recent): sort "added"
    lists the most recently added first, every article included (dated or not); "date" the newest publication
    date first, undated last."""
    store.refresh(write=False)
    since, until = _days(request)
    if request.sort == "date" and request.page == 1:  # walks the date index backwards: the newest 20 cost little
        return store.catalog.newest(limit=request.limit, tags=request.tags, source=request.source, since=since,
                                    until=until)
    limit = request.limit if request.limit is not None else -1  # SQLite: LIMIT -1 is no limit
    offset = (request.page - 1) * (request.limit or 0)
    return store.catalog.listing(order=request.sort, offset=offset, limit=limit, tags=request.tags,
                                 source=request.source, since=since, until=until)[1]


def listing_total(store: Store, request: ListingRequest) -> int:
    """How many articles a listing's filters admit (every page)."""
    store.refresh(write=False)
    since, until = _days(request)
    return store.catalog.listing(order=request.sort, offset=0, limit=0, tags=request.tags, source=request.source,
                                 since=since, until=until)[0]


def _days(request: ListingRequest) -> tuple[str | None, str | None]:
    from newsarc.dateranges import since_day, until_day

    return (since_day(request.since) if request.since else None,
            until_day(request.until) if request.until else None)


def pause_for_query(query: str) -> None:
    """Tests only (newsarc.pause_point): inert unless the test suite names this query in the environment."""
    from newsarc.pause_point import pause_for_query as pause

    pause(query)


def similar(store: Store, text: str, *, limit: int = 10) -> Similar:
    """The articles most like one article, with the key terms each shares (newsarc.similar)."""
    from newsarc.similar import similar as find_similar

    return find_similar(store, text, limit=limit)


def versions(store: Store, text: str) -> Versions:
    """Every version of an article's page, oldest first (newsarc.versions)."""
    from newsarc.versions import versions as find_versions

    return find_versions(store, text)


def diff(store: Store, text: str) -> Diff:
    """What changed from an article's previous version (newsarc.versions)."""
    from newsarc.versions import diff as version_diff

    return version_diff(store, text)


def dups(store: Store) -> list[dict[str, Any]]:
    """Every cluster of near-duplicates and versions, biggest first, as records (newsarc.versions.clusters)."""
    from newsarc.versions import clusters

    return clusters(store)


def related(store: Store, article_id: str) -> Related:
    """The versions and near-duplicates linked to one article (by full id)."""
    from newsarc.versions import related as find_related

    return find_related(store, article_id)


def catalog_entries(store: Store, ids: Iterable[str]) -> list[CatalogEntry]:
    """The catalog rows (title, date, source...) of these full ids, in their order; unknown ids left out."""
    store.refresh(write=False)
    found = (store.catalog.entry_of(article_id) for article_id in ids)
    return [entry for entry in found if entry is not None]


def stats(store: Store) -> dict[str, Any]:
    store.refresh(write=False)
    return store.catalog.stats()


def select_paths(store: Store, *, query: str | None = None, tags: Iterable[str] = (), since: str | None = None,
                 until: str | None = None) -> tuple[int, Iterator[str]]:
    """(how many, their relative paths) of the articles an export selects. The paths are streamed from the catalog
    and counted by SQLite, so an export of the whole archive or of a tag or date range never holds a list of it
    (at 1,000,000 articles a list of the paths alone is ~100 MB); a query's hits are Whoosh's results, in memory."""
    store.refresh(write=False)
    tags = tuple(tags)
    if query:
        store.require_index()
        request = SearchRequest(query=query, tags=tags, since=since, until=until, limit=10**9, snippets=False)
        hits = store.read_index(lambda: store.backend.search(request)).hits
        return len(hits), (hit.path for hit in hits)
    catalog = store.catalog
    if tags or since or until:
        total = catalog.count_matching(tags=tags, since=since, until=until)
        return total, (entry.path for entry in catalog.iter_newest(tags=tags, since=since, until=until))
    return catalog.count(), catalog.iter_paths()


def iter_articles(store: Store, paths: Iterable[str]) -> Iterator[Article]:
    for relpath in paths:
        try:
            yield store.archive.read(relpath)
        except NewsarcError as exc:
            store.warn(f"skipped {exc}")


def reindex(store: Store) -> int:
    with store.archive.lock:
        return store.rebuild()


# -- re-extraction and feeds -------------------------------------------------------------------------------
def reextract(store: Store, text: str) -> tuple[str, list[str]]:
    """Read an article again from its kept original; (id, fields that changed). See newsarc.reextract."""
    from newsarc.reextract import reextract as run

    return run(store, text)


def kept_original(store: Store, text: str) -> tuple[str, bytes]:
    """(id, bytes) of the page or file an article was read from, kept by `add --keep-original`."""
    from newsarc.reextract import read_original

    store.refresh(write=False)
    found_id, relpath = resolve(store, text)
    return found_id, read_original(store, found_id, relpath, store.archive.read(relpath))[1]


def feeds(store: Store) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The feed subscriptions (ordered by title) and, per URL, their last update on this machine."""
    from newsarc import feeds as subscriptions

    return subscriptions.subscriptions(store), subscriptions.last_updates(store)


def subscribe_feed(store: Store, location: str, *, tags: Iterable[str] = (),
                   allow_private: bool = False) -> tuple[dict[str, Any], int]:
    """Subscribe to a feed URL or file after reading it once: (the subscription, its entries now)."""
    from newsarc.feeds import subscribe

    return subscribe(store, location, tags=tags, allow_private=allow_private)


def unsubscribe_feed(store: Store, which: str) -> dict[str, Any]:
    """Remove the subscription named by URL, number or title; its articles stay."""
    from newsarc.feeds import unsubscribe

    return unsubscribe(store, which)


def update_feeds(store: Store, which: Iterable[str] = (), *, fetch_pages: bool = False,
                 keep_original: bool = False, dedupe: str = "link") -> Iterator[FeedUpdate]:
    """Add the new entries of every feed (or those named), one FeedUpdate per feed as it finishes."""
    from newsarc.feeds import update

    return update(store, which, fetch_pages=fetch_pages, keep_original=keep_original, dedupe=dedupe)


# -- alias groups (aliases.yaml) ---------------------------------------------------------------------------
def alias_groups(store: Store) -> list[list[str]]:
    from newsarc.names.aliases import load_groups

    return load_groups(store.archive.root)


def add_alias_group(store: Store, names: Iterable[str]) -> list[str]:
    """Make `names` one group, merging any group that already holds one of them; returns the group."""
    from newsarc.names import aliases

    with store.archive.lock:
        groups, group = aliases.add_group(aliases.load_groups(store.archive.root), list(names))
        aliases.save_groups(store.archive.root, groups)
    return group


def split_alias(store: Store, name: str, others: Iterable[str]) -> list[str]:
    """Say that `others` are not the place `name` names (a gazetteer merge undone for this archive); returns
    the split as stored: the name, then every spelling set apart from it."""
    from newsarc.names import aliases

    with store.archive.lock:
        root = store.archive.root
        splits, split = aliases.add_split(aliases.load_splits(root), name, list(others))
        aliases.save_groups(root, aliases.load_groups(root), splits)
    return split


def alias_splits(store: Store) -> list[list[str]]:
    from newsarc.names.aliases import load_splits

    return load_splits(store.archive.root)


def remove_aliases(store: Store, names: Iterable[str], *, whole_groups: bool = False) -> list[str]:
    """Remove names from their groups (a group left with one name goes), or the whole groups holding them;
    returns the names removed. A name in no group is a NotFoundError and nothing changes."""
    from newsarc.names import aliases

    names = list(names)
    with store.archive.lock:
        groups = aliases.load_groups(store.archive.root)
        if whole_groups:
            removed: list[str] = []
            for name in names:
                groups, group = aliases.remove_group_of(groups, name)
                if group is None:
                    raise NotFoundError(f"{name!r} is in no alias group; `newsarc alias list` shows them")
                removed.extend(group)
        else:
            groups, removed = aliases.remove_names(groups, names)
            missing = [n for n in names if aliases.name_key(n) not in {aliases.name_key(r) for r in removed}]
            if missing:
                raise NotFoundError(f"{', '.join(map(repr, missing))} in no alias group; `newsarc alias list` "
                                    "shows them")
        aliases.save_groups(store.archive.root, groups)
    return removed


def suggest_aliases(store: Store, *, limit: int = 20) -> list[tuple[list[str], str]]:
    """Proposed alias groups with the evidence for each, best first (see newsarc.alias_suggest)."""
    from newsarc.alias_suggest import suggest_groups

    return suggest_groups(store, limit=limit)


def accept_aliases(store: Store, proposals: list[tuple[list[str], str]], numbers: Iterable[int]) -> list[list[str]]:
    """Make the proposals numbered `numbers` (from 1) alias groups; returns the groups as saved."""
    from newsarc.names import aliases

    chosen = sorted(set(numbers))
    bad = [n for n in chosen if not 1 <= n <= len(proposals)]
    if bad:
        raise UsageError(f"no suggestion {bad[0]}; there are {len(proposals)} (see `newsarc alias suggest`)")
    made = []
    with store.archive.lock:
        groups = aliases.load_groups(store.archive.root)
        for number in chosen:
            groups, group = aliases.add_group(groups, proposals[number - 1][0])
            made.append(group)
        aliases.save_groups(store.archive.root, groups)
    return made
