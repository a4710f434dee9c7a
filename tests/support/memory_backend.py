"""A second search backend, in memory: the smallest engine that implements newsarc's index protocols
(newsarc.index.backend: Engine, SearchBackend, NameEvidence) and nothing else.

It exists to show that storage, names and the faces reach the index only through those protocols: a store built
with it runs the command line's read commands without Whoosh (tests/test_second_backend.py). Its search is
deliberately simple: every word of the query (folded) must be in the title, body or tags; no operators.

Like a server engine, it keeps the index itself elsewhere (here: in this process) and, in the directory the store
gives it, only a file naming that index: the store builds a new index in another directory and switches by
renaming directories (newsarc.storage.switch), which moves the name with them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from newsarc.article import Article
from newsarc.errors import QueryError
from newsarc.index.backend import IndexPart, NameKeys, SearchHit, SearchRequest, SearchResult, Snippet
from newsarc.names.fold import fold_text

NAME_FILE = "memory-index"  # in the index directory: the name of the index this engine holds for it


class MemoryEngine:
    """Indexes live in this process, by name, for as long as the engine object does."""

    def __init__(self) -> None:
        self.indexes: dict[str, dict[str, Article]] = {}
        self.opened: list[Path] = []

    def format_stamp(self) -> str:
        return "memory1"

    def has_index(self, directory: Path) -> bool:
        return (directory / NAME_FILE).is_file()

    def index_of(self, directory: Path) -> dict[str, Article]:
        return self.indexes[(directory / NAME_FILE).read_text(encoding="utf-8")]

    def is_damage(self, exc: BaseException) -> bool:
        return False

    def open(self, directory: Path) -> MemoryBackend:
        self.opened.append(directory)
        return MemoryBackend(self, directory)


def _places(article: Article) -> set[int]:
    """The gazetteer places an article names (what the Whoosh index's `places` field holds)."""
    from newsarc.names.gazetteer import places_in

    texts = [(article.title, False), (article.body, False), *((tag, True) for tag in article.tags)]
    return {named.place.id for named in places_in(texts, article.language)}


def _words(text: str) -> list[str]:
    return [word for word in fold_text(text).replace('"', " ").split() if word not in ("and", "or")]


class MemoryBackend:
    def __init__(self, engine: MemoryEngine, directory: Path) -> None:
        self.engine = engine
        self.directory = directory
        self.generation = 0

    @property
    def documents(self) -> dict[str, Article]:
        return self.engine.index_of(self.directory)

    # -- lifecycle
    def exists(self) -> bool:
        return self.engine.has_index(self.directory)

    def create(self) -> None:
        name = uuid.uuid4().hex
        self.engine.indexes[name] = {}
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / NAME_FILE).write_text(name, encoding="utf-8")

    def clear(self) -> None:
        self.create()

    def close(self) -> None:
        pass

    # -- writing
    def add(self, items: Iterable[tuple[str, Article]]) -> None:
        self.apply(items, [])

    def delete(self, paths: Iterable[str]) -> None:
        self.apply([], paths)

    def apply(self, upserts: Iterable[tuple[str, Article]], deletes: Iterable[str], *, bulk: bool = False,
              fresh: bool = False, on_indexed: Callable[[int], None] | None = None) -> None:
        for path in deletes:
            self.documents.pop(path, None)
        for path, article in upserts:
            self.documents[path] = article
            if on_indexed:
                on_indexed(1)
        self.generation += 1

    # -- reading
    def _matches(self, request: SearchRequest) -> list[tuple[str, Article, int]]:
        self.check_query(request.query)
        wanted = _words(request.query)
        tags = {fold_text(tag) for tag in request.tags}
        found = []
        for path, article in sorted(self.documents.items()):
            words = _words(" ".join([article.title, article.body, *article.tags]))
            if not all(word in words for word in wanted):
                continue
            if tags and not tags <= {fold_text(tag) for tag in article.tags}:
                continue
            if request.source and fold_text(request.source) != fold_text(article.source):
                continue
            if request.places and not set(request.places) <= _places(article):
                continue
            day = (article.date or "")[:10]
            if (request.since and (not day or day < request.since)) or (request.until and (not day or
                                                                                           day > request.until)):
                continue
            found.append((path, article, sum(words.count(word) for word in wanted)))
        if request.sort == "date":
            found.sort(key=lambda item: item[1].date or "", reverse=True)
        else:
            found.sort(key=lambda item: -item[2])
        return found

    def _hit(self, path: str, article: Article, score: float) -> SearchHit:
        return SearchHit(id=article.id, path=path, title=article.title, date=article.date, source=article.source,
                         tags=list(article.tags), url=article.url, authors=list(article.authors),
                         location=article.location, language=article.language, score=score,
                         snippets=[Snippet("body", article.body[:200])])

    def search(self, request: SearchRequest) -> SearchResult:
        found = self._matches(request)
        start = (max(request.page, 1) - 1) * request.limit
        hits = [self._hit(path, article, float(score)) for path, article, score in found[start:start + request.limit]]
        result = SearchResult(hits=hits, total=len(found), parsed_query=" AND ".join(_words(request.query)))
        if request.facets:
            result.facets = self.facets(request)
        return result

    def facets(self, request: SearchRequest) -> dict[str, list[tuple[str, int]]]:
        counts: dict[str, dict[str, int]] = {"tag": {}, "source": {}}
        for _path, article, _score in self._matches(request):
            for tag in article.tags:
                counts["tag"][tag] = counts["tag"].get(tag, 0) + 1
            if article.source:
                counts["source"][article.source] = counts["source"].get(article.source, 0) + 1
        return {name: sorted(values.items(), key=lambda kv: (-kv[1], kv[0])) for name, values in counts.items()}

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        return []

    def name_keys(self, request: SearchRequest) -> NameKeys:
        """Every word of the query (this engine knows no names but the words as folded)."""
        return NameKeys(sorted(set(_words(request.query))), [])

    def document_name_keys(self, article: Article) -> NameKeys:
        words = {w for text in (article.title, article.body, *article.tags) for w in _words(text)}
        return NameKeys(sorted(words), sorted(_places(article)))

    def place_texts(self, place: int, limit: int) -> list[tuple[str, list[tuple[str, bool]], str]]:
        naming = [(path, article) for path, article in sorted(self.documents.items()) if place in _places(article)]
        return [(path, [(article.title, False), (article.body, False), *((tag, True) for tag in article.tags)],
                 article.language) for path, article in naming[:limit]]

    def check_query(self, text: str) -> None:
        if text.count('"') % 2:
            raise QueryError(f"unbalanced quotes in {text!r}")

    def matching_dates(self, request: SearchRequest) -> tuple[list[str | None], list[Any]]:
        return [(article.date or "")[:10] or None for _path, article, _score in self._matches(request)], []

    def similar(self, doc_id: str, limit: int = 10) -> tuple[dict[str, Any], list[tuple[SearchHit, list[str]]]]:
        source = next((article for article in self.documents.values() if article.id == doc_id), None)
        if source is None:
            return {}, []
        own = set(_words(source.title + " " + source.body))
        out = []
        for path, article in sorted(self.documents.items()):
            shared = sorted(own & set(_words(article.title + " " + article.body)))
            if article.id != doc_id and shared:
                out.append((self._hit(path, article, float(len(shared))), shared[:3]))
        out.sort(key=lambda item: -item[0].score)
        return {"title": source.title, "key_terms": sorted(own)[:5]}, out[:limit]

    def content_stamp(self) -> str:
        return f"{self.generation}:{len(self.documents)}"

    def document_census(self, *, dates: bool = True) -> Iterator[tuple[str, int, str | None]]:
        for path, article in sorted(self.documents.items()):
            yield path, 1, ((article.date or "")[:10] or None) if dates else None

    def doc_count(self) -> int:
        return len(self.documents)

    # -- what alias suggestions read
    @contextlib.contextmanager
    def name_evidence(self) -> Iterator[MemoryEvidence]:
        yield MemoryEvidence(self)


class MemoryEvidence:
    def __init__(self, backend: MemoryBackend) -> None:
        self.backend = backend

    def doc_count(self) -> int:
        return self.backend.doc_count()

    def parts(self) -> list[IndexPart]:
        return []

    def part_keys(self, part: str) -> list[str]:
        return []

    def part_documents(self, part: str) -> list[dict[str, str]]:
        return []

    def key_terms(self, skeleton: str) -> list[str]:
        return []

    def document_terms(self, document: int) -> tuple[set[str], set[str]]:
        return set(), set()

    def documents_with_key(self, skeleton: str, folded: str, limit: int) -> list[int]:
        return []

    def stored(self, document: int) -> dict[str, str]:
        return {}

    def at_most(self, word: str, limit: int) -> bool:
        return True
