"""The search backend interface: what the commands need from a full-text engine, and nothing more.

Whoosh (newsarc.index.whoosh_engine, newsarc.index.whoosh_backend) is the embedded default. A server engine
(OpenSearch, Elasticsearch) can take its place by implementing these protocols: an Engine (what the store asks
before it opens an index) and the SearchBackend it opens. Storage, names and the faces use nothing else of the
index, so they do not change (tests/test_second_backend.py runs the read commands on an in-memory backend).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

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
    places: tuple[int, ...] = ()  # gazetteer ids (newsarc.names.gazetteer): articles naming each, in any spelling
    source: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    snippets: bool = True
    exact: bool = False  # no alias or variant expansion
    collapse: bool = False  # fold near-duplicates (duplicate_of) into one hit
    facets: bool = False
    facet_limit: int = 10
    aliases: list[list[str]] = dataclasses.field(default_factory=list)  # alias groups to expand (api.search loads them)
    # What the search may cost once it runs (newsarc.search_budget): seconds, and words one wildcard or range
    # term may stand for; None: no bound. build_request sets both from the face's Limits. And after how many
    # seconds it gives the searches running beside it a turn at each look at the clock (a shared server's).
    time_budget: float | None = None
    max_expansions: int | None = None
    yield_after: float | None = None


@dataclass
class Suggestion:
    """Advice for one query word the archive does not hold, as data: each face words it its own way (the CLI
    prints `line`, the web page links each term as a corrected query).

    kind "spelling": terms are closer spellings the archive holds ("did you mean");
    kind "variants": terms are spellings that variants would add, were the search not --exact;
    kind "names": terms are similar names the archive holds, worth an alias group if they are the same."""

    word: str
    kind: str
    terms: list[str]

    def corrected(self, query: str, term: str) -> str:
        """The query with this word, wherever it stands as a whole word, written as `term` instead: what a
        "did you mean" link searches (coalitoin Raqqa -> coalition Raqqa; a longer word that contains it stays)."""
        import re

        return re.sub(rf"(?<!\w){re.escape(self.word)}(?!\w)", lambda _: term, query)

    @property
    def line(self) -> str:
        """The suggestion as one line of English for the command line."""
        if self.kind == "spelling":
            return f"{self.word}: did you mean {', '.join(self.terms)}?"
        if self.kind == "variants":
            return f"{self.word}: without --exact, the variants {', '.join(self.terms)} would match"
        quoted = " ".join(f'"{n}"' for n in self.terms)
        return (f"{self.word}: this archive spells similar names {', '.join(self.terms)}; if they are the same, "
                f"`newsarc alias add \"{self.word}\" {quoted}`")


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    parsed_query: str
    facets: dict[str, list[tuple[str, int]]] = dataclasses.field(default_factory=dict)
    # What a reader sees for a facet value that is not itself readable: {"place": {"174448": "Abu Kamal ·
    # al-Bukamal · البوكمال"}} (api.search adds it; newsarc.place_labels)
    facet_labels: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # (word, "variant" | "alias", terms)
    expansions: list[tuple[str, str, list[str]]] = dataclasses.field(default_factory=list)
    suggestions: list[Suggestion] = dataclasses.field(default_factory=list)  # for words the archive lacks


# What the index holds for one path (SearchBackend.document_census): (path, its live documents -- one when all is
# well --, the date (ISO day, None when undated) that timelines read for the last of them). A plain tuple, not a
# NamedTuple: every search imports this module, and making a NamedTuple class costs ~0.1 ms (issue 22.6).
CensusEntry = tuple[str, int, str | None]


class NameKeys(NamedTuple):
    """What an article must hold to be found by the names a query searches, as newsarc finds it: one of these
    words as the index's `plain` field holds them (folded, as written: a name's spellings and variants) or one of
    these gazetteer places. The es-bulk export writes the same two lists into each document
    (newsarc.exchange.es_names). A NamedTuple: every search imports this module, and a dataclass costs it about
    half a millisecond to make (issue 22.6)."""

    words: list[str]
    places: list[int]


@dataclass(frozen=True)
class IndexPart:
    """A run of the index's documents that never changes once written (a Whoosh segment); only which of its
    documents are deleted does. `alias suggest` keeps what it found per part, so that after a change it looks
    only at new parts and newly deleted documents (newsarc.alias_suggest_cache)."""

    id: str
    first: int  # the handle of its first document: its documents are first .. first + size - 1
    size: int  # documents, the deleted ones included
    deleted: frozenset[int]  # positions in the part (0 .. size - 1) of its deleted documents


class NameEvidence(Protocol):
    """What `alias suggest` reads from the index to tell whether two spellings name the same thing: the articles
    that write a spelling, their names and tags, and how common a word is. One consistent view of the index,
    open for the time of a `with` block (SearchBackend.name_evidence). Documents are the engine's own handles
    (integers: a part's documents are part.first + position)."""

    def parts(self) -> list[IndexPart]:
        """The index's parts in the engine's document order (an engine without such parts gives one part, new
        whenever anything changes: suggestions are then found again in full after a change)."""

    def part_keys(self, part: str) -> list[str]:
        """The variant-key terms ('SKELETON folded [spelling]') that the documents of one part hold, deleted
        documents included."""

    def part_documents(self, part: str) -> Sequence[Mapping[str, str]]:
        """The stored fields of every document of one part, in order, deleted documents included."""

    def key_terms(self, skeleton: str) -> list[str]:
        """Every variant-key term of one skeleton that any document of the index holds (deleted ones included,
        until the engine merges them away), sorted."""

    def document_terms(self, document: int) -> tuple[set[str], set[str]]:
        """(its variant-key terms, its plain words) as the index analysed one document (deleted ones too)."""

    def doc_count(self) -> int:
        """How many live articles the index holds."""

    def documents_with_key(self, skeleton: str, folded: str, limit: int) -> list[int]:
        """Up to limit live articles (in the engine's order) holding a word whose variant key is skeleton and
        whose folded form is folded (the terms of key_terms)."""

    def stored(self, document: int) -> Mapping[str, str]:
        """An article's stored fields: title, body, and tags (one a line)."""

    def at_most(self, word: str, limit: int) -> bool:
        """Whether at most limit live articles hold the folded word (unstemmed)."""


class SearchBackend(Protocol):
    """Everything newsarc asks of a search index once it is open. WhooshBackend implements it; another engine
    implements the same methods (documents keyed by the article's path, stored fields as in SearchHit) and
    nothing else in newsarc changes."""

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

    def name_keys(self, request: SearchRequest) -> NameKeys:
        """The name keys of the names request.query searches, with its alias groups and variants (`search --keys`)."""

    def document_name_keys(self, article: Article) -> NameKeys:
        """The name keys of one article: every word the index holds for it as written, and the places it names
        (what an es-bulk export writes, so that the keys of a query find it as a search does)."""

    def suggest(self, word: str, limit: int = 5) -> list[str]: ...

    def place_texts(self, place: int, limit: int) -> list[tuple[str, list[tuple[str, bool]], str]]:
        """(path, [(text, is_tag)...], language) of up to limit articles that name a gazetteer place: title, body
        and each tag, where the spellings the archive uses for it are read as the index read them
        (newsarc.place_labels)."""

    def check_query(self, text: str) -> None:
        """Raise QueryError if text does not parse (saved searches are checked when saved)."""

    def matching_dates(self, request: SearchRequest) -> tuple[list[str | None], list[Any]]:
        """The date of every matching article (timelines), and the expansions applied."""

    def similar(self, doc_id: str, limit: int = 10) -> tuple[dict[str, Any], list[tuple[SearchHit, list[str]]]]:
        """Articles most like one article, with the key terms they share."""

    def content_stamp(self) -> str:
        """A string that changes whenever the index's content does (alias suggest keys its cache by it)."""

    def document_census(self, *, dates: bool = True) -> Iterator[CensusEntry]:
        """Every path the index holds live documents for, once, in ascending path order (Python's str order, which
        is SQLite's BINARY order and the order newsarc.storage.freshness walks the tree in), with how many live
        documents it has and the date timelines read for the last of them. newsarc check merges it with the walk
        of the files and the catalog's rows, so it must be streamed: never a record of every path at once.
        dates=False: every day is None (for an index whose dates cannot be read: the counts still can)."""

    def doc_count(self) -> int: ...

    # -- what alias suggestions read
    def name_evidence(self) -> AbstractContextManager[NameEvidence]:
        """A consistent view of the index for alias suggestions (see NameEvidence)."""


class Engine(Protocol):
    """The light half of a backend: what the store asks before it opens an index, without loading the engine
    (`newsarc list` and `show` never do), and how it opens one. newsarc.index.default_engine() gives Whoosh's."""

    def format_stamp(self) -> str:
        """Names the format of the indexes this engine writes: the schema's version and the engine's own. The
        store records it beside the catalog; an index stamped otherwise is rebuilt once, with a notice."""

    def has_index(self, directory: Path) -> bool:
        """Whether the directory holds an index (one cheap look: no file is opened)."""

    def is_damage(self, exc: BaseException) -> bool:
        """Whether exc says the index's files are damaged (then the store rebuilds it) rather than a bug."""

    def open(self, directory: Path) -> SearchBackend:
        """The backend of the index in directory (created there by its create()). The directory holds the index,
        or what names it (a server engine: the name of its remote index): a rebuild creates a new index in another
        directory and the store switches by renaming the directories (newsarc.storage.switch)."""
