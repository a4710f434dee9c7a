"""The search backend interface: what the commands need from a full-text engine, and nothing more.

Whoosh (newsarc.index.whoosh_backend) is the embedded default. A server engine (OpenSearch, Elasticsearch) can take
its place by implementing this protocol; the commands, the archive and the catalog do not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from newsarc.article import Article


@dataclass
class Snippet:
    """A fragment of matching text; highlights are (start, end) character offsets into text."""

    field: str
    text: str
    highlights: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # `field` is a field name here


@dataclass
class SearchHit:
    id: str
    path: str
    title: str
    date: str | None
    source: str
    tags: list[str]
    url: str
    authors: list[str]
    location: str
    language: str
    score: float
    snippets: list[Snippet] = dataclasses.field(default_factory=list)
    matched_terms: list[str] = dataclasses.field(default_factory=list)
    duplicate_of: str | None = None
    copies: int = 0  # with --collapse: how many near-duplicates this hit stands for


@dataclass
class SearchRequest:
    query: str
    limit: int = 10
    page: int = 1
    sort: str = "relevance"  # or "date"
    tags: tuple[str, ...] = ()
    source: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    snippets: bool = True
    exact: bool = False  # no alias or variant expansion
    collapse: bool = False  # fold near-duplicates (duplicate_of) into one hit
    facets: bool = False
    facet_limit: int = 10
    aliases: list[list[str]] = dataclasses.field(default_factory=list)  # alias groups to expand (api.search loads them)


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    parsed_query: str
    facets: dict[str, list[tuple[str, int]]] = dataclasses.field(default_factory=dict)
    # (word, "variant" | "alias", terms)
    expansions: list[tuple[str, str, list[str]]] = dataclasses.field(default_factory=list)
    suggestions: list[str] = dataclasses.field(default_factory=list)  # did-you-mean lines for words the archive lacks


class SearchBackend(Protocol):
    """Everything newsarc asks of a search engine. WhooshBackend implements it; another engine implements the
    same methods (documents keyed by the article's path, stored fields as in SearchHit) and nothing else in
    newsarc changes. The one exception: `alias suggest` reads the Whoosh lexicon for vocabulary evidence."""

    # -- lifecycle
    def exists(self) -> bool: ...

    def create(self) -> None:
        """Start an empty index (before a rebuild; the caller holds the archive lock)."""

    def clear(self) -> None: ...

    def close(self) -> None: ...

    # -- writing: add and update are one operation, keyed by path
    def add(self, items: Iterable[tuple[str, Article]]) -> None:
        """Index (path, article) pairs, replacing any document at the same path."""

    def delete(self, paths: Iterable[str]) -> None: ...

    def apply(self, upserts: Iterable[tuple[str, Article]], deletes: Iterable[str], *, bulk: bool = False,
              fresh: bool = False, on_indexed: Callable[[int], None] | None = None) -> None:
        """Deletes and upserts in one commit (fresh=True: the index is new, nothing to replace). on_indexed(n)
        is called as n more documents are analysed (a progress bar's measure)."""

    # -- reading
    def search(self, request: SearchRequest) -> SearchResult: ...

    def facets(self, request: SearchRequest) -> dict[str, list[tuple[str, int]]]: ...

    def suggest(self, word: str, limit: int = 5) -> list[str]: ...

    def check_query(self, text: str) -> None:
        """Raise QueryError if text does not parse (saved searches are checked when saved)."""

    def matching_dates(self, request: SearchRequest) -> tuple[list[str | None], list[Any]]:
        """The date of every matching article (timelines), and the expansions applied."""

    def similar(self, doc_id: str, limit: int = 10) -> tuple[dict[str, Any], list[tuple[SearchHit, list[str]]]]:
        """Articles most like one article, with the key terms they share."""

    def document_counts(self) -> dict[str, int]:
        """How many live documents the index holds per path (newsarc check compares it with the files)."""

    def content_stamp(self) -> str:
        """A string that changes whenever the index's content does (alias suggest keys its cache by it)."""

    def document_census(self) -> dict[str, tuple[int, str | None]]:
        """Per path: how many live documents the index holds, and the date (ISO day) timelines read for it
        (newsarc check compares both with the files)."""

    def doc_count(self) -> int: ...
