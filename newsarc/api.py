"""newsarc as a Python library: every command is one call here, the CLI only parses options and prints.

    from newsarc.api import open_store, add_paths, search
    store = open_store("~/news")
    report = add_paths(store, ["saved/"])
    result = search(store, SearchRequest("Abu Kamal"))
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarc.archive import Archive, find_archive_dir, init_archive, is_archive
from newsarc.article import Article, normalise_date, utc_now
from newsarc.backend import SearchRequest, SearchResult
from newsarc.catalog import CatalogEntry
from newsarc.errors import (
    AmbiguousIdError,
    ArchiveError,
    BadInputError,
    NewsarcError,
    NotFoundError,
    UsageError,
)
from newsarc.ids import MIN_PREFIX, make_id, normalise_prefix
from newsarc.store import BATCH, ProgressFactory, Store, no_progress

# A text article larger than this is not an article: refuse it rather than fill the archive and the index.
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
# File kinds a directory walk picks up; a file named explicitly is always tried.
ARTICLE_SUFFIXES = {".txt", ".text", ".md", ".markdown", ""}
SKIPPED_NAMES = ("readme", "license", "licence", "copying", "changelog")


def open_store(archive: str | os.PathLike[str] | None = None, *, create: bool = False,
               progress: ProgressFactory = no_progress, warn: Callable[[str], None] | None = None) -> Store:
    """Find the archive (see find_archive_dir) and open it; create=True makes the per-user default if absent."""
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
    kwargs: dict[str, Any] = {"progress": progress}
    if warn is not None:
        kwargs["warn"] = warn
    return Store(Archive(root), **kwargs)


# -- ids ---------------------------------------------------------------------------------------------------
def resolve(store: Store, text: str) -> tuple[str, str]:
    """(id, relative path) for a full id or a unique prefix of at least MIN_PREFIX characters."""
    prefix = normalise_prefix(text)
    if prefix is None:
        raise NotFoundError(f"{text!r} is not an article id (ids are 10 letters and digits, e.g. 3kq8v0m2xa)")
    if len(prefix) < MIN_PREFIX:
        raise UsageError(f"id prefix {text!r} is too short: type at least {MIN_PREFIX} characters")
    matches = store.catalog.paths_for_prefix(prefix)
    ids = sorted({id_ for id_, _ in matches})
    if not ids:
        raise NotFoundError(f"no article with an id starting {prefix!r}; `newsarc list` shows ids")
    if len(ids) > 1:
        raise AmbiguousIdError(prefix, ids)
    return matches[0]


def get_article(store: Store, text: str) -> Article:
    store.refresh(write=False)
    _, relpath = resolve(store, text)
    return store.archive.read(relpath)


# -- adding ------------------------------------------------------------------------------------------------
@dataclass
class Overrides:
    """Metadata given on the command line; it wins over what was read from the input."""

    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class AddOutcome:
    origin: str
    status: str  # "added" | "duplicate" | "failed"
    id: str = ""
    title: str = ""
    reason: str = ""


@dataclass
class AddReport:
    outcomes: list[AddOutcome] = field(default_factory=list)
    ambiguous_dates: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


@dataclass
class Source:
    """One input to add: where it came from and a way to read its bytes."""

    origin: str
    read: Callable[[], bytes]


def iter_sources(paths: Iterable[str], *, stdin: Callable[[], bytes] | None = None,
                 skipped: list[AddOutcome] | None = None) -> Iterator[Source]:
    """Files named, files found walking directories (sorted, hidden and README-like files skipped), or stdin."""
    for raw in paths:
        if raw == "-":
            if stdin is None:
                raise UsageError("reading from stdin is not available here")
            yield Source("<stdin>", stdin)
            continue
        path = Path(raw)
        if path.is_dir():
            for found in _walk_dir(path):
                yield Source(str(found), _reader(found))
        elif path.exists():
            yield Source(str(path), _reader(path))
        elif skipped is not None:
            skipped.append(AddOutcome(str(path), "failed", reason="no such file or directory"))


def _walk_dir(top: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            stem, suffix = os.path.splitext(name)
            if name.startswith(".") or suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            if stem.lower() in SKIPPED_NAMES:
                continue
            yield Path(directory) / name


def _reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            size = path.stat().st_size
            if size > MAX_ARTICLE_BYTES:
                raise BadInputError(
                    f"{path}: {size / 2**20:.0f} MB is more than the {MAX_ARTICLE_BYTES // 2**20} MB an article "
                    "may have; split it or trim it first"
                )
            return path.read_bytes()
        except PermissionError:
            raise BadInputError(f"{path}: permission denied; check the file's permissions") from None
        except IsADirectoryError:
            raise BadInputError(f"{path}: is a directory") from None
        except OSError as exc:
            raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None

    return read


def article_from_parsed(parsed: dict[str, Any], *, origin: str, overrides: Overrides) -> tuple[Article, bool]:
    """An Article from what a parser read, with the command-line overrides applied; also whether its date
    was ambiguous (day/month order) and so was read by the archive's date order."""
    tags = list(parsed.get("tags") or [])
    tags.extend(t for t in overrides.tags if t not in tags)
    known = {"title", "date", "date_ambiguous", "source", "url", "authors", "tags", "location", "language", "body"}
    data = {
        **{k: v for k, v in parsed.items() if k not in known and v not in (None, "", [], {})},
        "title": overrides.title or parsed.get("title"),
        "date": normalise_date(overrides.date, field_name="--date") if overrides.date else parsed.get("date"),
        "source": overrides.source or parsed.get("source") or "",
        "url": overrides.url or parsed.get("url") or "",
        "authors": list(overrides.authors) or parsed.get("authors") or [],
        "tags": tags,
        "location": parsed.get("location") or "",
        "language": parsed.get("language") or "",
        "body": parsed.get("body") or "",
    }
    article = Article.from_dict(data, origin=origin)
    return article, bool(parsed.get("date_ambiguous")) and not overrides.date


def finalise_new(article: Article) -> Article:
    """Give a new article its id (from its content) and its added time, unless it already has them."""
    if not article.id:
        article.id = make_id(article.content_key())
    if not article.added:
        article.added = utc_now()
    return article


class _Adder:
    """Writes new articles under the lock, skipping duplicates, and records them in batches."""

    def __init__(self, store: Store, report: AddReport, *, durable: bool):
        self.store = store
        self.report = report
        self.durable = durable
        self.pending: list[tuple[str, Article]] = []
        self.seen_urls: dict[str, str] = {}
        self.seen_content: dict[str, str] = {}

    def add(self, article: Article, origin: str) -> AddOutcome:
        key = article.content_key()
        existing = self.store.catalog.find_duplicate(article.url, key)
        existing_id = existing[0] if existing else self.seen_urls.get(article.url) or self.seen_content.get(key)
        if existing_id:
            outcome = AddOutcome(origin, "duplicate", existing_id, article.title)
        else:
            finalise_new(article)
            relpath = self.store.archive.save(article, durable=self.durable)
            self.pending.append((relpath, article))
            if article.url:
                self.seen_urls[article.url] = article.id
            self.seen_content[key] = article.id
            outcome = AddOutcome(origin, "added", article.id, article.title)
            if len(self.pending) >= BATCH:
                self.flush()
        self.report.outcomes.append(outcome)
        return outcome

    def flush(self) -> None:
        if self.pending:
            self.store.record(self.pending, bulk=len(self.pending) > 1)
            self.pending = []


def add_sources(store: Store, sources: Iterable[Source], *, overrides: Overrides | None = None,
                date_order: str | None = None, report: AddReport | None = None,
                on_outcome: Callable[[AddOutcome], None] = lambda o: None) -> AddReport:
    """Ingest plain-text sources. A bad source is recorded as failed and never stops the others."""
    from newsarc.ingest.dispatch import parse_source

    overrides = overrides or Overrides()
    report = report or AddReport()
    order = date_order or store.archive.settings["date_order"]
    with store.archive.lock:
        store.refresh(write=True)
        adder = _Adder(store, report, durable=True)
        try:
            for source in sources:
                try:
                    for parsed in parse_source(source.read(), origin=source.origin, date_order=order):
                        article, ambiguous = article_from_parsed(parsed, origin=source.origin, overrides=overrides)
                        report.ambiguous_dates += ambiguous
                        on_outcome(adder.add(article, source.origin))
                except NewsarcError as exc:
                    outcome = AddOutcome(source.origin, "failed", reason=str(exc))
                    report.outcomes.append(outcome)
                    on_outcome(outcome)
        finally:
            adder.flush()
    return report


def add_articles(store: Store, articles: Iterable[tuple[str, Article | dict]], *,
                 on_outcome: Callable[[AddOutcome], None] = lambda o: None) -> AddReport:
    """Add already-structured articles (import): ids and added times they carry are kept."""
    report = AddReport()
    with store.archive.lock:
        store.refresh(write=True)
        adder = _Adder(store, report, durable=True)
        try:
            for origin, item in articles:
                try:
                    article = item if isinstance(item, Article) else Article.from_dict(item, origin=origin)
                    if article.id and store.catalog.paths_for_prefix(article.id, limit=1):
                        outcome = AddOutcome(origin, "duplicate", article.id, article.title)
                        report.outcomes.append(outcome)
                    else:
                        outcome = adder.add(article, origin)
                except NewsarcError as exc:
                    outcome = AddOutcome(origin, "failed", reason=str(exc))
                    report.outcomes.append(outcome)
                on_outcome(outcome)
        finally:
            adder.flush()
    return report


# -- changing and removing ---------------------------------------------------------------------------------
def retag(store: Store, text: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Article:
    """Add and remove tags of one article (removal is case-insensitive)."""
    from newsarc.textfold import fold_text

    with store.archive.lock:
        store.refresh(write=True)
        _, relpath = resolve(store, text)
        article = store.archive.read(relpath)
        dropped = {fold_text(t) for t in remove}
        tags = [t for t in article.tags if fold_text(t) not in dropped]
        for tag in add:
            if fold_text(tag) not in {fold_text(t) for t in tags}:
                tags.append(tag.strip())
        article.tags = [t for t in tags if t]
        new_relpath = store.archive.save(article)
        store.record([(new_relpath, article)])
    return article


def remove_article(store: Store, text: str) -> Article:
    with store.archive.lock:
        store.refresh(write=True)
        _, relpath = resolve(store, text)
        article = store.archive.read(relpath)
        store.archive.remove(relpath)
        store.record(deletes=[relpath])
    return article


# -- reading -----------------------------------------------------------------------------------------------
def search(store: Store, request: SearchRequest) -> SearchResult:
    store.refresh(write=False)
    return store.backend.search(request)


def list_entries(store: Store, *, limit: int | None = 20, tags: Iterable[str] = (), source: str | None = None,
                 since: str | None = None, until: str | None = None) -> list[CatalogEntry]:
    store.refresh(write=False)
    return store.catalog.newest(limit=limit, tags=tuple(tags), source=source, since=since, until=until)


def stats(store: Store) -> dict[str, Any]:
    store.refresh(write=False)
    return store.catalog.stats()


def select_paths(store: Store, *, query: str | None = None, tags: Iterable[str] = (), since: str | None = None,
                 until: str | None = None) -> Iterator[str]:
    """Relative paths of the articles an export selects, without holding them all in memory."""
    store.refresh(write=False)
    tags = tuple(tags)
    if query:
        request = SearchRequest(query=query, tags=tags, since=since, until=until, limit=10**9, snippets=False)
        for hit in store.backend.search(request).hits:
            yield hit.path
    elif tags or since or until:
        for entry in store.catalog.newest(limit=None, tags=tags, since=since, until=until):
            yield entry.path
    else:
        yield from store.catalog.iter_paths()


def iter_articles(store: Store, paths: Iterable[str]) -> Iterator[Article]:
    for relpath in paths:
        try:
            yield store.archive.read(relpath)
        except NewsarcError as exc:
            store.warn(f"skipped {exc}")


def reindex(store: Store) -> int:
    with store.archive.lock:
        return store.rebuild()
