"""The embedded search backend: a Whoosh index in the archive's .newsarc/index directory.

Schema notes:
- title, body and tagtext are folded (case, accents, apostrophes, Arabic letter forms) and Snowball-stemmed by
  newsarc.index.analysis; no stop words are dropped, so a phrase query matches the words as written.
  Hyphenated words are indexed as their parts and joined (al-Bukamal: al, bukamal, albukamal); CJK text as
  character bigrams.
- plain holds the same words unstemmed (fuzzy terms, wildcards, did-you-mean); vkeys the variant keys of the
  words that may be names (see newsarc.names.variants and newsarc.index.query).
- tags holds each tag whole and folded, so tag:"Abu Kamal" is one term; tagtext makes tags findable by words;
  tag_facet, source_facet and location_facet keep the values as written, for facet counts.
- date is a day-precision DATETIME whose query parsing is ours: a partial date (2017, 2017-05) means the whole
  year or month, and a range's ends are widened to whole days/months correctly.
- group is the article's own id, or the id it is a duplicate of (`duplicate_of`), for --collapse.
- Documents are keyed by their file path, so a hand-copied file with a duplicate id is still indexed (and
  reported by `newsarc check`), and a moved file is a delete plus an add.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsarc import search_budget as budget
from newsarc.article import Article
from newsarc.dateranges import date_bounds
from newsarc.index import whoosh_files, whoosh_internals
from newsarc.index.backend import (
    CensusEntry,
    IndexPart,
    NameEvidence,
    NameKeys,
    SearchHit,
    SearchRequest,
    SearchResult,
    Snippet,
    Suggestion,
)
from newsarc.names.fold import fold_text

whoosh_internals.load()

if TYPE_CHECKING:
    from newsarc.index import query as whoosh_query

from whoosh import fields, index, query  # noqa: E402
from whoosh.analysis import Filter, RegexTokenizer  # noqa: E402

from newsarc.index import whoosh_budget  # noqa: E402
from newsarc.index.analysis import (  # noqa: E402
    article_text,
    name_keys_analyzer,
    places_analyzer,
    places_named,
    plain_words,
    stem,
    stemmed_analyzer,
    words_analyzer,
)
from newsarc.index.urls import url_analyzer  # noqa: E402

T = TypeVar("T")

# The schema's version is newsarc.index.whoosh_engine.SCHEMA_VERSION: bump it when the schema or analyzers change.
INDEX_NAME = whoosh_files.INDEX_NAME
FACET_FIELDS = {"tag": "tag_facet", "place": "places", "source": "source_facet", "location": "location_facet",
                "language": "language", "month": "ym"}
OVERLAPPING_FACETS = ("tag", "place")  # an article has several tags and names several places


def check_syntax(text: str, field_names: Iterable[str]) -> None:
    from newsarc.index.query import check_syntax as check

    check(text, field_names)


class FoldFilter(Filter):
    """Fold each token as newsarc.names.variants does (whole tags: every word folded, spacing kept)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __hash__(self) -> int:
        return hash(FoldFilter)

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = fold_text(token.text)
            yield token


class DayField(fields.DATETIME):
    """DATETIME whose query parsing understands partial ISO dates with correct bounds."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        start, end = date_bounds(qstring)
        return query.DateRange(fieldname, start, end, boost=boost)

    def parse_range(self, fieldname: str, start: str | None, end: str | None, startexcl: bool, endexcl: bool,
                    boost: float = 1.0) -> query.Query:
        low = high = None
        if start:
            first, last = date_bounds(start)
            low = last + dt.timedelta(microseconds=1) if startexcl else first
        if end:
            first, last = date_bounds(end)
            high = first - dt.timedelta(microseconds=1) if endexcl else last
        if low is None and high is None:
            return query.Every(fieldname, boost=boost)
        return query.DateRange(fieldname, low, high, boost=boost)


def _presence_field(analyzer: Any) -> fields.FieldType:
    """A field that records only which documents hold a term: no frequencies, positions or lengths."""
    from whoosh import formats

    return fields.FieldType(formats.Existence(), analyzer=analyzer, scorable=False, stored=False)


def build_schema() -> fields.Schema:
    stemmed = stemmed_analyzer()
    words = words_analyzer()
    whole = RegexTokenizer(r"[^\n]+") | FoldFilter()
    lines = RegexTokenizer(r"[^\n]+")
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=stemmed, stored=True, field_boost=2.0),
        body=fields.TEXT(analyzer=stemmed, stored=True),
        tagtext=fields.TEXT(analyzer=stemmed, field_boost=1.5),
        plain=_presence_field(words),
        vkeys=_presence_field(name_keys_analyzer()),
        places=_presence_field(places_analyzer()),
        tags=fields.TEXT(analyzer=whole, phrase=False, stored=True),
        tag_facet=fields.TEXT(analyzer=lines, phrase=False),
        source=fields.TEXT(analyzer=words, stored=True),
        source_key=fields.TEXT(analyzer=whole, phrase=False),
        source_facet=fields.ID(),
        authors=fields.TEXT(analyzer=words, stored=True),
        location=fields.TEXT(analyzer=words, stored=True),
        location_facet=fields.ID(),
        language=fields.TEXT(analyzer=whole, phrase=False, stored=True),
        url=fields.TEXT(analyzer=url_analyzer(), phrase=False, stored=True),
        date=DayField(sortable=True),
        datestr=fields.STORED(),
        ym=fields.ID(),
        group=fields.ID(sortable=True),
        dup_of=fields.ID(stored=True),
    )


def document_for(path: str, article: Article) -> dict[str, Any]:
    words = article_text(article.title, article.body, article.tags, article.language)
    duplicate_of = article.extra.get("duplicate_of")
    duplicate_of = str(duplicate_of).strip() if isinstance(duplicate_of, str | int) else ""
    doc: dict[str, Any] = {
        "path": path,
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "tagtext": " ; ".join(article.tags),
        "plain": words,
        "vkeys": words,
        "places": words,
        "tags": "\n".join(article.tags),
        "tag_facet": "\n".join(article.tags),
        "source": article.source,
        "source_key": article.source,
        "source_facet": article.source,
        "authors": "\n".join(article.authors),
        "location": article.location,
        "location_facet": article.location,
        "language": article.language,
        "url": article.url,
        "datestr": article.date or "",
        "group": duplicate_of or article.id,
        "dup_of": duplicate_of,
    }
    if article.date:
        day = dt.date.fromisoformat(article.date[:10])
        doc["date"] = dt.datetime(day.year, day.month, day.day)
        doc["ym"] = article.date[:7]
    return {key: value for key, value in doc.items() if value not in ("", None)}


@dataclass
class _KeptSearcher:
    key: tuple[int, bytes]
    thread: int
    searcher: Any
    busy: bool = False
    # What this index state answered before: exact totals by (query, filter), and a few filters' allowed
    # document sets (a next page asks for both again). Bounded; gone with the searcher when the index changes.
    totals: dict[Any, int] = field(default_factory=dict)
    allowed: dict[Any, set[int] | None] = field(default_factory=dict)


KEPT_TOTALS = 256
KEPT_FILTERS = 4  # a set of up to every document number each: a few MB at 100,000 articles


class WhooshBackend:
    """SearchBackend over one Whoosh index directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._ix: index.Index | None = None
        self._kept: _KeptSearcher | None = None
        self._worker: Any = None  # the segment worker of bulk batches, started by the first big one

    # -- lifecycle -------------------------------------------------------------------------------------
    def exists(self) -> bool:
        return whoosh_files.has_toc(self.directory)

    @property
    def ix(self) -> index.Index:
        if self._ix is None:
            self._ix = index.open_dir(str(self.directory), indexname=INDEX_NAME)
        return self._ix

    def create(self) -> None:
        """Start a new, empty index (the caller holds the archive lock)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._drop_searcher()
        self._ix = index.create_in(str(self.directory), build_schema(), indexname=INDEX_NAME)

    def clear(self) -> None:
        self.create()

    def close(self) -> None:
        self._drop_searcher()
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    @contextlib.contextmanager
    def _searcher(self) -> Iterator[Any]:
        """A searcher of the newest index, kept open between searches while the index stays the same.

        Opening one reads every segment's table of stored-field offsets again (Whoosh does it in Python): in a
        long-running `newsarc serve` that was about a quarter of a warm search at 100,000 articles (first requests
        of one-word queries, measured with the faster totals in place). The searcher is kept
        for the thread that opened it and used again while the index's newest table of contents is the same (one
        small file read per search); a commit by any process makes a new one, so a search never reads an older
        index than a new searcher would. Another thread, or a search inside a search, gets a searcher of its own,
        closed after it, as before."""
        me, key = threading.get_ident(), self._toc_key()
        kept = self._kept
        if kept is not None and kept.thread == me and not kept.busy and kept.key != key:
            self._drop_searcher()  # the index changed
            kept = None
        if kept is None and key is not None:
            kept = self._kept = _KeptSearcher(key, me, self.ix.searcher())
        if kept is None or kept.thread != me or kept.busy or kept.key != key:
            with self.ix.searcher() as searcher:
                yield searcher
            return
        kept.busy = True
        try:
            yield kept.searcher
        finally:
            kept.busy = False

    def _toc_key(self) -> tuple[int, bytes] | None:
        """What identifies the index's state: its newest table of contents, generation and bytes (they name
        every segment and its deletions; a rebuild starts the generations again, with other segments)."""
        generation = self.ix.latest_generation()
        try:
            return generation, whoosh_files.toc_file(self.directory, generation).read_bytes()
        except OSError:
            return None  # mid-commit or gone: this search opens its own searcher

    def _remembered(self, searcher: Any, table: str, key: Any, bound: int, compute: Callable[[], T]) -> T:
        """compute(), or what it gave before for key on this same kept searcher (the same index state). No key
        (a query that _query_key cannot describe) or another searcher: computed every time."""
        kept = self._kept
        if key is None or kept is None or kept.searcher is not searcher:
            return compute()
        memo: dict[Any, Any] = getattr(kept, table)
        if key in memo:
            return memo[key]
        value = memo[key] = compute()
        while len(memo) > bound:
            del memo[next(iter(memo))]  # the oldest
        return value

    def _drop_searcher(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.searcher.close()

    # -- writing ---------------------------------------------------------------------------------------
    def writer(self, *, bulk: bool = False) -> Any:
        """newsarc's grouped segment writer (whoosh_internals.bulk_writer), or Whoosh's own where the fast paths
        are off. 128 MB, Whoosh's default, for bulk batches: with 256 MB a 100k-article import or reindex peaked
        at 411 MB RSS (budget 400)."""
        limitmb = 128 if bulk else 64
        if not whoosh_internals.fast_paths_on():
            return self.ix.writer(limitmb=limitmb, timeout=30.0, compound=False)
        from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

        return GroupedSegmentWriter(self.ix, limitmb=limitmb, timeout=30.0, compound=False)

    def add(self, items: Iterable[tuple[str, Article]]) -> None:
        self.apply(items, [])

    def delete(self, paths: Iterable[str]) -> None:
        from newsarc.index import merge_policy

        writer = self.writer()
        for path in paths:
            writer.delete_by_term("path", path)
        writer.commit(mergetype=merge_policy.for_commit(bulk=False))

    def apply(self, upserts: Iterable[tuple[str, Article]], deletes: Iterable[str], *, bulk: bool = False,
              fresh: bool = False, on_indexed: Callable[[int], None] | None = None) -> None:
        """One commit for a batch of changes. fresh=True skips the delete-before-add of a new index. A big bulk
        batch is indexed on two cores: the second half by the segment worker (whoosh_internals.segment_worker),
        which needs the fast paths (it hands its segment to newsarc's writer's commit)."""
        from newsarc.index import merge_policy
        from newsarc.index.whoosh_internals import segment_worker

        batch = list(upserts)
        split = (bulk and whoosh_internals.fast_paths_on() and segment_worker.worker_wanted(len(batch))
                 and _unique_paths(batch))
        writer = self.writer(bulk=bulk)
        try:
            for path in deletes:
                writer.delete_by_term("path", path)
            if split:
                mine, theirs = batch[:len(batch) // 2], batch[len(batch) // 2:]
                documents = [document_for(path, article) for path, article in theirs]
                worker = self._segment_worker()
                with contextlib.suppress(segment_worker.WorkerFailed):  # then written here when the commit asks
                    worker.submit(str(self.directory), INDEX_NAME, writer.pool.limit >> 20, documents)
                self._index(writer, mine, fresh, on_indexed)
                if not fresh:
                    for path, _article in theirs:
                        writer.delete_by_term("path", path)
                # Fetched after this writer's own segment is written, so both processes work until then.
                writer.segment_sources.append(lambda: self._their_segment(worker, documents, writer, on_indexed))
            else:
                self._index(writer, batch, fresh, on_indexed)
            writer.commit(mergetype=merge_policy.for_commit(bulk=bulk))
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            if self._worker is not None:
                self._worker.close()
                self._worker = None
            raise

    @staticmethod
    def _index(writer: Any, upserts: Iterable[tuple[str, Article]], fresh: bool,
               on_indexed: Callable[[int], None] | None) -> None:
        for path, article in upserts:
            if fresh:
                writer.add_document(**document_for(path, article))
            else:
                writer.update_document(**document_for(path, article))
            if on_indexed:
                on_indexed(1)

    def _their_segment(self, worker: Any, documents: list[dict[str, Any]], writer: Any,
                       on_indexed: Callable[[int], None] | None) -> Any:
        """The worker's segment; if the worker failed, the same documents written as a segment here."""
        from newsarc.index.whoosh_internals import segment_worker

        try:
            segment = worker.result()
        except segment_worker.WorkerFailed:
            segment = segment_worker.write_segment(str(self.directory), INDEX_NAME, writer.pool.limit >> 20,
                                                   documents)
        if on_indexed:
            on_indexed(len(documents))
        return segment

    def _segment_worker(self) -> Any:
        from newsarc.index.whoosh_internals.segment_worker import SegmentWorker

        if self._worker is None:
            self._worker = SegmentWorker()
        return self._worker

    # -- queries ---------------------------------------------------------------------------------------
    def parse(self, text: str, reader: Any = None, *, exact: bool = False, aliases: list[list[str]] | None = None,
              names: whoosh_query.QueryNames | None = None) -> tuple[query.Query, list[whoosh_query.Expansion]]:
        """The Whoosh query for a query text, with the alias and variant expansions applied; names, when given,
        is filled with the names it searches."""
        from newsarc.index import query as whoosh_query

        # The schema of the reader's own snapshot: self.ix.schema reads the newest TOC file again, which a writer
        # committing meanwhile may just have replaced (FileNotFoundError, or a half-read TOC: "damaged").
        schema = getattr(reader, "schema", None) or self.ix.schema
        check_syntax(text, schema.names())
        expanded: list[whoosh_query.Expansion] = []
        splits: list[list[str]] = []
        joined_forms: list[list[str]] = []
        if not exact:
            from newsarc.names.aliases import name_key, separate_splits
            from newsarc.names.contractions import contraction_groups, merge_into

            aliases, splits = separate_splits(aliases or [])
            implicit = contraction_groups(text, lambda word: whoosh_query.archive_has(reader, word)) if reader else []
            groups = merge_into(aliases or [], implicit)
            if groups:
                from newsarc.names.alias_query import expand_query  # only a query that names an alias member

                text, applied = expand_query(text, groups)
                own = {name_key(name) for group in aliases or [] for name in group}
                expanded = [whoosh_query.Expansion(matched, "alias" if own & {name_key(n) for n in group}
                                                   else "contraction", list(group)) for matched, group in applied]
                joined_forms = [e.terms for e in expanded if e.kind == "contraction"]
        parsed, variant_expansions = whoosh_query.parse(text, schema, reader, exact=exact, splits=splits, names=names,
                                                        joined_forms=joined_forms)
        return parsed, expanded + variant_expansions

    def _filter(self, request: SearchRequest, reader: Any = None) -> query.Query | None:
        parts: list[query.Query] = [query.Term("tags", fold_text(tag)) for tag in request.tags]
        parts += [query.Term("places", str(place)) for place in request.places]
        if request.source:
            parts.append(query.Term("source_key", fold_text(request.source)))
        if request.since or request.until:
            low = date_bounds(request.since)[0] if request.since else None
            high = date_bounds(request.until)[1] if request.until else None
            parts.append(_date_filter(low, high, reader))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def search(self, request: SearchRequest) -> SearchResult:
        # shared_blocks: the hits, the total, the shown hits' terms and the facets read the same posting blocks
        with _spending(request), self._searcher() as searcher, whoosh_internals.shared_blocks():
            parsed, expansions = self.parse(request.query, searcher.reader(), exact=request.exact,
                                            aliases=request.aliases)
            whoosh_budget.bound_terms(searcher.reader(), parsed)
            # Not terms=True: recording the matched terms of every match cost common-word searches much of their
            # time; the matchers are kept as terms=True keeps them (same hits, same scores), and the shown page's
            # terms are found below.
            filter_query = self._filter(request, searcher.reader())
            filter_key = _query_key(filter_query)
            kwargs: dict[str, Any] = {"filter": self._remembered(searcher, "allowed", filter_key, KEPT_FILTERS,
                                                                 lambda: _allowed(searcher, filter_query))}
            if request.sort == "date":
                kwargs.update(sortedby=_newest_first_facet(), reverse=True)
            if request.collapse:
                from whoosh import sorting

                kwargs.update(collapse=sorting.FieldFacet("group"), collapse_limit=1)
            page, limit = max(request.page, 1), max(request.limit, 1)
            results = _search_current(searcher, parsed, limit=page * limit, **kwargs)
            query_key = _query_key(parsed)
            both = None if query_key is None or filter_key is None else (query_key, filter_key)
            total = self._remembered(searcher, "totals", both, KEPT_TOTALS,
                                     lambda: _total(searcher, parsed, kwargs["filter"]))
            copies: dict[str, int] = {}
            if request.collapse:  # Whoosh's own collapsed_counts miss a copy that a better one displaced
                from whoosh import sorting

                groups = whoosh_budget.search(searcher, parsed, limit=1, filter=kwargs["filter"],
                                              groupedby={"g": sorting.FieldFacet("group", maptype=sorting.Count)})
                sizes = {_text(k): v for k, v in groups.groups("g").items()}
                total = len(sizes)
                copies = {k: v - 1 for k, v in sizes.items() if v > 1}
            shown = range((page - 1) * limit, min(page * limit, results.scored_length()))
            terms = _matched_terms(searcher, parsed, [results.docnum(i) for i in shown]) if request.snippets else {}
            hits = [self._hit(results[i], request.snippets, copies, terms.get(results.docnum(i), []))
                    for i in shown]
            if request.sort == "date":  # Whoosh puts the sort key where the score was: no score to show
                for hit in hits:
                    hit.score = 0.0
            from newsarc.index.query import describe

            result = SearchResult(hits=hits, total=total, parsed_query=describe(parsed),
                                  expansions=[(e.word, e.kind, e.terms) for e in expansions])
            if request.facets:
                result.facets = self._facets(searcher, parsed, kwargs["filter"], request.facet_limit)
            if request.query.strip():
                result.suggestions = self._suggestions(searcher, request, expansions, matched=total > 0)
            return result

    def _hit(self, hit: Any, with_snippets: bool, copies: dict[str, int],
             terms: list[tuple[str, Any]] | None = None) -> SearchHit:
        """A hit as newsarc shows it; terms: the query terms this document matched (default: Whoosh's record
        of them, from a search with terms=True)."""
        from newsarc.index import snippets as snip

        stored = hit.fields()
        snippets: list[Snippet] = []
        matched: list[str] = []
        if with_snippets:
            stemmed, plain, tags = set(), set(), set()
            places: set[int] = set()
            matched_terms = hit.matched_terms() if terms is None else terms
            for fieldname, term in matched_terms:  # dates and other fields hold binary terms: skipped
                if fieldname in ("title", "body", "tagtext"):
                    stemmed.add(_text(term))
                elif fieldname == "plain":
                    plain.add(_text(term))
                elif fieldname == "tags":
                    tags.add(_text(term))
                elif fieldname == "places":
                    places.add(int(_text(term)))
            body = stored.get("body", "")
            title = stored.get("title", "")
            language = stored.get("language", "")
            body_matches = snip.find_matches(body, stemmed, plain, stem, places, language) if body else []
            title_matches = snip.find_matches(title, stemmed, plain, stem, places, language)
            snippets = snip.fragments(body, body_matches) if body_matches else ([snip.lead(body)] if body else [])
            for tag in _lines(stored.get("tags")):
                if fold_text(tag) in tags or snip.find_matches(tag, stemmed, plain, stem, places, language):
                    matched.append(tag)
            for m in [*title_matches, *body_matches]:
                if m.word not in matched:
                    matched.append(m.word)
            if title_matches:
                snippets.insert(0, Snippet("title", title, [(m.start, m.end) for m in title_matches]))
        group = stored.get("dup_of") or stored.get("id", "")
        return SearchHit(
            id=stored.get("id", ""),
            path=stored.get("path", ""),
            title=stored.get("title", ""),
            date=stored.get("datestr") or None,
            source=stored.get("source", ""),
            tags=_lines(stored.get("tags")),
            url=stored.get("url", ""),
            authors=_lines(stored.get("authors")),
            location=stored.get("location", ""),
            language=stored.get("language", ""),
            score=round(float(hit.score or 0.0), 4),
            snippets=snippets,
            matched_terms=matched,
            duplicate_of=stored.get("dup_of") or None,
            copies=copies.get(group, 0),
        )

    # -- facets, suggestions ---------------------------------------------------------------------------
    def _facets(self, searcher: Any, parsed: query.Query, filter_q: query.Query | None,
                limit: int) -> dict[str, list[tuple[str, int]]]:
        from whoosh import sorting

        groups = {name: sorting.FieldFacet(fieldname, allow_overlap=name in OVERLAPPING_FACETS, maptype=sorting.Count)
                  for name, fieldname in FACET_FIELDS.items()}
        results = whoosh_budget.search(searcher, parsed, limit=1, filter=filter_q, groupedby=groups)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in FACET_FIELDS:
            counts = results.groups(name)
            ordered = sorted(((_text(k), v) for k, v in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))
            if name == "month":
                ordered = sorted(ordered, key=lambda kv: kv[0], reverse=True)
            out[name] = ordered[:limit] if limit else ordered
        return out

    def facets(self, request: SearchRequest) -> dict[str, list[tuple[str, int]]]:
        with _spending(request), self.ix.searcher() as searcher:
            parsed, _ = self.parse(request.query, searcher.reader(), exact=request.exact, aliases=request.aliases)
            whoosh_budget.bound_terms(searcher.reader(), parsed)
            return self._facets(searcher, parsed, self._filter(request, searcher.reader()), request.facet_limit)

    def name_keys(self, request: SearchRequest) -> NameKeys:
        from newsarc.index import query as whoosh_query

        with self._searcher() as searcher:
            names = whoosh_query.QueryNames()
            self.parse(request.query, searcher.reader(), exact=request.exact, aliases=request.aliases, names=names)
            return NameKeys(whoosh_query.query_words(searcher.reader(), names), sorted(names.places))

    def document_name_keys(self, article: Article) -> NameKeys:
        text = article_text(article.title, article.body, article.tags, article.language)
        return NameKeys(sorted(plain_words(text)), sorted(places_named(text)))

    def place_texts(self, place: int, limit: int) -> list[tuple[str, list[tuple[str, bool]], str]]:
        with self.ix.searcher() as searcher:
            found = searcher.search(query.Term("places", str(place)), limit=limit, scored=False)
            texts = []
            for hit in found[:limit]:  # unscored results iterate past the limit
                stored = hit.fields()
                parts = [(stored.get("title", ""), False), (stored.get("body", ""), False)]
                parts += [(tag, True) for tag in (stored.get("tags") or "").split("\n") if tag]
                texts.append((stored.get("path", ""), parts, stored.get("language", "")))
            return texts

    def _suggestions(self, searcher: Any, request: SearchRequest, expansions: list[whoosh_query.Expansion], *,
                     matched: bool = False) -> list[Suggestion]:
        """Did-you-mean lines for the query words the archive does not hold: closer spellings from its vocabulary
        (edit distance 1 before 2, then the most frequent), and, when nothing matched, spellings that variants or
        aliases would add. A word whose hits came from a stem collision (goverment ~ governess) or from a
        variant that is not the closest spelling (Mourino ~ Moreno, not Mourinho) still gets its correction;
        a word that an alias or a variant found as one of its corrections does not."""
        from newsarc.index import query as whoosh_query
        from newsarc.names import variants

        reader = searcher.reader()
        lines: list[Suggestion] = []
        words = [t for t in variants.tokenize(whoosh_query.words_of(request.query), extras=False)]
        expanded = {term for e in expansions if e.kind != "symbol" for term in e.terms}
        expanded |= {fold_text(term) for term in expanded}
        in_groups = {t.text for e in expansions if e.kind in ("alias", "contraction")
                     for t in variants.tokenize(e.word, extras=False)}
        for token in words:
            budget.check()  # each word the archive lacks is a scan of its vocabulary
            if reader.doc_frequency("plain", token.text) or (matched and token.text in in_groups):
                continue
            close = self.corrections(reader, token.text)
            if matched and (not close or close[0] in expanded):
                continue
            if close:
                lines.append(Suggestion(token.raw, "spelling", close))
            if matched:
                continue
            if request.exact:
                found = whoosh_query.find_variants(reader, token.raw) if token.raw[:1].isupper() else []
                if found:
                    lines.append(Suggestion(token.raw, "variants", list(found)))
            near = whoosh_query.near_variants(reader, token.raw)
            if near:
                lines.append(Suggestion(token.raw, "names", list(near)))
        return lines

    def corrections(self, reader: Any, word: str, limit: int = 5) -> list[str]:
        """Words of the archive within edit distance 1 (else 2, sharing the first letter) of word, nearest
        (Damerau-Levenshtein) and most frequent first; found in the index's vocabulary kept in memory and in
        .newsarc/spelling/ (newsarc.index.spelling), not by walking every segment's term table."""
        from whoosh.support.levenshtein import damerau_levenshtein

        from newsarc.index import spelling

        if len(word) < 3:
            return []
        words = spelling.vocabulary(reader, self.directory.parent / spelling.CACHE_DIR)
        for maxdist in (1, 2):
            if maxdist == 2 and len(word) < 5:
                break
            terms = spelling.within_one(words, word) if maxdist == 1 else spelling.within_two_same_start(words, word)
            found = [(damerau_levenshtein(word, term), -reader.doc_frequency("plain", term), term)
                     for term in terms if term != word and any(c.isalpha() for c in term)]
            if found:
                return [term for *_, term in sorted(found)[:limit]]
        return []

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        with self.ix.searcher() as searcher:
            from newsarc.names.variants import fold_token

            return self.corrections(searcher.reader(), fold_token(word), limit)

    # -- other readers ---------------------------------------------------------------------------------
    def matching_dates(self, request: SearchRequest) -> tuple[list[str | None], list[whoosh_query.Expansion]]:
        """The date (ISO day, or None when undated) of every article the request matches."""
        with _spending(request), self.ix.searcher() as searcher:
            parsed, expansions = self.parse(request.query, searcher.reader(), exact=request.exact,
                                            aliases=request.aliases)
            whoosh_budget.bound_terms(searcher.reader(), parsed)
            results = whoosh_budget.search(searcher, parsed, limit=None,
                                           filter=self._filter(request, searcher.reader()), scored=False)
            column = searcher.reader().column_reader("date", translate=False)
            return [_day(column[docnum]) for docnum in results.docs()], expansions

    def document_census(self, *, dates: bool = True) -> Iterator[CensusEntry]:
        """Every path with live documents, in ascending path order: how many, and the date (ISO day, or None) of the
        last of them, read the way timelines read it (newsarc check merges it with the files and the catalog).

        Each segment's lexicon of paths is already sorted (as UTF-8 bytes, which is str order), so the segments'
        walks are merged (heapq.merge: a path in two segments comes from the earlier one first, so its date is the
        later document's, as a dict filled segment by segment gave it). What is held is one term per segment, not a
        record of the archive: at 1,000,000 articles the dict this was cost about 200 MB. A path with one posting
        names its document in the term's own entry, so its postings are not opened."""
        with self.ix.searcher() as searcher:
            walks = [_segment_census(leaf, dates) for leaf, _offset in searcher.reader().leaf_readers()
                     if leaf.doc_count_all()]
            path, documents, day = "", 0, None
            for entry in heapq.merge(*walks, key=_census_path):
                if entry[0] == path:
                    documents, day = documents + entry[1], entry[2]
                    continue
                if documents:
                    yield path, documents, day
                path, documents, day = entry
            if documents:
                yield path, documents, day

    def similar(self, doc_id: str, limit: int = 10) -> tuple[dict[str, Any], list[tuple[SearchHit, list[str]]]]:
        """Articles most like one article (key terms of its title, body and tags), with the terms they share."""
        with self.ix.searcher() as searcher:
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return {}, []
            stored = searcher.stored_fields(docnum)
            text = "\n".join([stored.get("title", ""), stored.get("body", ""), *(_lines(stored.get("tags")))])
            key_terms = [(term, weight) for term, weight in searcher.key_terms_from_text("body", text, numterms=30)
                         if term not in _FUNCTION_STEMS and len(term) > 2 and not term.isdigit()][:15]
            tag_terms = [fold_text(t) for t in _lines(stored.get("tags"))]
            subqueries: list[query.Query] = [query.Term("body", term, boost=max(weight, 0.01))
                                             for term, weight in key_terms]
            subqueries += [query.Term("tags", term, boost=0.5) for term in tag_terms]
            if not subqueries:
                return stored, []
            exclude = query.Or([query.Term("id", doc_id), query.Term("group", stored.get("dup_of") or doc_id)])
            results = searcher.search(query.Or(subqueries), limit=limit, mask=exclude, terms=True)
            from newsarc.names.variants import tokenize

            surface: dict[str, str] = {}  # stem -> the word as the article writes it, for display
            for token in tokenize(text, extras=False):
                surface.setdefault(stem(token.text), token.text)
            order = {term: i for i, (term, _) in enumerate(key_terms)}
            out = []
            for hit in results:
                terms = {_text(t) for f, t in hit.matched_terms() if f in ("body", "tags")}
                shared = [surface.get(t, t) for t in sorted(terms, key=lambda t: order.get(t, 99))]
                out.append((self._hit(hit, False, {}), shared))
            return {**stored, "key_terms": [surface.get(k, k) for k, _ in key_terms]}, out

    def check_query(self, text: str) -> None:
        """Raise QueryError if text does not parse against this index."""
        with self.ix.searcher() as searcher:
            self.parse(text, searcher.reader())

    def content_stamp(self) -> str:
        """Names what the index holds: its generation, and its segments with their deletions. Any commit changes
        it, and a rebuild, which starts the generations again, makes segments with new random ids."""
        ix = self.ix
        return f"{ix.latest_generation()}:{whoosh_internals.segments_stamp(ix)}"

    @contextlib.contextmanager
    def name_evidence(self) -> Iterator[NameEvidence]:
        """One searcher's view of the index for alias suggestions (see NameEvidence)."""
        with self.ix.searcher() as searcher:
            yield _WhooshNameEvidence(searcher)

    def doc_count(self) -> int:
        return self.ix.doc_count()


class _WhooshNameEvidence:
    """NameEvidence over one searcher: documents are Whoosh's document numbers, parts its segments."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self._leaves: dict[str, tuple[Any, int]] = {}
        for leaf, offset in self.reader.leaf_readers():
            segment = leaf.segment()
            if segment is not None:  # an index without a segment yet gives Whoosh's empty reader
                self._leaves[segment.segment_id()] = (leaf, offset)

    def parts(self) -> list[IndexPart]:
        out = []
        for part, (leaf, offset) in self._leaves.items():
            segment = leaf.segment()
            deleted = frozenset(segment.deleted_docs()) if segment.has_deletions() else frozenset()
            out.append(IndexPart(part, offset, int(leaf.doc_count_all()), deleted))
        return out

    def part_keys(self, part: str) -> list[str]:
        leaf, _ = self._leaves[part]
        return [_text(term) for term in leaf.lexicon("vkeys")] if "vkeys" in leaf.schema else []

    def part_documents(self, part: str) -> list[dict[str, str]]:
        leaf, _ = self._leaves[part]
        return [dict(leaf.stored_fields(number)) for number in range(leaf.doc_count_all())]

    def key_terms(self, skeleton: str) -> list[str]:
        return sorted({_text(term) for term in self.reader.expand_prefix("vkeys", f"{skeleton} ")})

    def document_terms(self, document: int) -> tuple[set[str], set[str]]:
        """From the stored title, body and tags, analysed by the schema's own vkeys and plain fields."""
        stored = self.searcher.stored_fields(document)
        text = article_text(stored.get("title") or "", stored.get("body") or "",
                            [t for t in (stored.get("tags") or "").split("\n") if t], stored.get("language") or "")
        schema = self.reader.schema
        keys = {_text(term) for term, *_ in schema["vkeys"].index(text)}
        words = {_text(term) for term, *_ in schema["plain"].index(text)}
        return keys, words

    def doc_count(self) -> int:
        return int(self.reader.doc_count())

    def documents_with_key(self, skeleton: str, folded: str, limit: int) -> list[int]:
        reader = self.reader
        terms = [t for t in reader.expand_prefix("vkeys", f"{skeleton} {folded}") if _text(t).split(" ")[1] == folded]
        docs: set[int] = set()
        for term in terms:
            docs.update(d for d in reader.postings("vkeys", term).all_ids() if not reader.is_deleted(d))
        return sorted(docs)[:limit]

    def stored(self, document: int) -> dict[str, str]:
        return dict(self.searcher.stored_fields(document))

    def at_most(self, word: str, limit: int) -> bool:
        """Whoosh's document frequency answers unless it counts replaced versions not yet merged away, and then
        the live postings are counted only up to limit + 1."""
        reader = self.reader
        if ("plain", word) not in reader:
            return True
        if reader.doc_frequency("plain", word) <= limit:
            return True
        if not reader.has_deletions():
            return False
        live = 0
        for docnum in reader.postings("plain", word).all_ids():
            if not reader.is_deleted(docnum):
                live += 1
                if live > limit:
                    return False
        return True


# Stems of English function words: never what two articles are "about" (similar's key terms skip them).
_FUNCTION_STEMS = frozenset(stem(w) for w in (
    "about", "above", "after", "again", "against", "all", "also", "among", "and", "any", "are", "because", "been",
    "before", "being", "below", "between", "both", "but", "can", "could", "did", "does", "doing", "down", "during",
    "each", "few", "for", "from", "further", "had", "has", "have", "having", "her", "here", "hers", "him", "his",
    "how", "into", "its", "itself", "just", "more", "most", "much", "must", "not", "now", "off", "once", "only",
    "other", "our", "out", "over", "own", "said", "same", "says", "she", "should", "since", "some", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "under", "until",
    "very", "was", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "two", "three", "one", "year", "years", "new"
))


def _unique_paths(upserts: list[tuple[str, Article]]) -> bool:
    """Whether no path comes twice (then the halves of a split batch cannot replace each other's documents)."""
    return len({path for path, _article in upserts}) == len(upserts)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _query_key(q: query.Query | None) -> Any:
    """A hashable description of a query with every attribute of every part (class, fields, words, slop, date
    bounds...): equal keys match the same documents. Not repr(), which a query class may write without some
    attribute (Or leaves out its scale).
    None where some attribute cannot be described; the empty filter is ()."""
    if q is None:
        return ()

    def describe(value: Any) -> Any:
        if isinstance(value, query.Query):
            return (type(value).__module__, type(value).__qualname__,
                    tuple(sorted((name, describe(item)) for name, item in vars(value).items())))
        if isinstance(value, list | tuple):
            return tuple(describe(item) for item in value)
        if value is None or isinstance(value, str | bytes | int | float | dt.datetime | dt.date):
            return value
        raise TypeError(type(value).__name__)

    try:
        return describe(q)
    except TypeError:
        return None


def _spending(request: SearchRequest) -> contextlib.AbstractContextManager[budget.Budget]:
    """The budget of one search, from the request's bounds (newsarc.search_budget); the clock starts here."""
    return budget.spending(budget.Budget(request.query, request.time_budget, request.max_expansions,
                                                yield_after=request.yield_after))


def _total(searcher: Any, parsed: query.Query, allowed: set[int] | None) -> int:
    """How many live documents match, honouring the filter (the allowed document numbers). Whoosh's
    len(results) recounts the query without its filter (--since, --tag ... printed the unfiltered total), and its
    top-N collector skips blocks without counting them; this is the exact count of searcher.docs_for_query(parsed)
    in allowed, from posting id sets (newsarc.index.counting)."""
    from newsarc.index import counting

    return counting.count(searcher, parsed, allowed)


def _segment_census(leaf: Any, dates: bool) -> Iterator[CensusEntry]:
    """One segment's paths in its lexicon's order, with their live documents there and the last one's date."""
    column = leaf.column_reader("date", translate=False) if dates else None
    deletions = leaf.has_deletions()
    for term, info in leaf.iter_field("path"):
        docnums = (info.min_id(),) if info.doc_frequency() == 1 else leaf.postings("path", term).all_ids()
        live = [docnum for docnum in docnums if not (deletions and leaf.is_deleted(docnum))]
        if live:
            yield _text(term), len(live), _day(column[live[-1]]) if column is not None else None


def _census_path(entry: CensusEntry) -> str:
    return entry[0]


def _day(value: Any) -> str | None:
    """The ISO day of a date column value; None for an undated article (it holds the column's default)."""
    from whoosh.util.times import long_to_datetime

    try:
        day = long_to_datetime(value)
    except (OverflowError, ValueError, TypeError):
        return None
    return day.date().isoformat() if day.year > 1 else None


def _newest_first_facet() -> Any:
    """Sort key for --sort date (reversed): newest first, undated last. An undated article holds the date
    column's default, its largest value, which a plain reverse sort would put first."""
    from whoosh import sorting

    undated = fields.DATETIME(sortable=True).default
    return sorting.TranslateFacet(lambda value: -1 if value == undated else value, sorting.FieldFacet("date"))
def _allowed(searcher: Any, filter_query: query.Query | None) -> set[int] | None:
    """The document numbers a filter allows, worked out once: the search, the total, the duplicate groups and
    the facets all use it (each used to evaluate the filter query again)."""
    if filter_query is None:
        return None
    # Whoosh ignores a filter that is an empty set (it tests `if filter`): a filter nothing passes must still
    # filter, so it is a set of no real document number.
    from newsarc.index import counting

    return counting.docnums(searcher, filter_query) or {-1}


def _date_filter(low: dt.datetime | None, high: dt.datetime | None, reader: Any) -> query.Query:
    """Articles dated from low to high. Whole months are one `ym` term each (a DateRange walks one posting
    list per day, and over years of a big archive it cost a date-filtered search most of its time); only the
    part-months at the ends are DateRanges. Without a reader: one DateRange."""
    if reader is None:
        return query.DateRange("date", low, high)
    import calendar

    parts: list[query.Query] = []
    whole: list[query.Query] = []
    first_month = f"{low:%Y-%m}" if low else ""
    last_month = f"{high:%Y-%m}" if high else "9999-99"
    for month in (_text(t) for t in reader.lexicon("ym")):
        if not first_month <= month <= last_month:
            continue
        year, number = int(month[:4]), int(month[5:7])
        start = dt.datetime(year, number, 1)
        last_day = dt.datetime(year, number, calendar.monthrange(year, number)[1])  # documents hold midnights
        if (low is None or low <= start) and (high is None or high >= last_day):
            whole.append(query.Term("ym", month))
        else:
            end = last_day + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
            parts.append(query.DateRange("date", max(low, start) if low else start, min(high, end) if high else end))
    if whole:
        parts.append(query.Or(whole))
    if not parts:
        return query.NullQuery
    return parts[0] if len(parts) == 1 else query.Or(parts)


def _search_current(searcher: Any, parsed: query.Query, **kwargs: Any) -> Any:
    """searcher.search(parsed, **kwargs) with its matchers built as terms=True builds them (needs_current), so the
    hits and scores are exactly those of a terms=True search, without recording every match's terms."""
    from whoosh import collectors

    class Current(collectors.WrappingCollector):
        def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
            self.child.prepare(top_searcher, q, context.set(needs_current=True))

        def collect_matches(self) -> None:
            self.child.collect_matches()  # the child's own loop: a FilterCollector filters in it

    collector = Current(searcher.collector(**kwargs))
    searcher.search_with_collector(parsed, whoosh_budget.bounded(collector))
    return collector.results()


def _matched_terms(searcher: Any, parsed: query.Query, docnums: list[int]) -> dict[int, list[tuple[str, Any]]]:
    """The query terms each of docnums matches, as Whoosh's terms=True records them while it collects every
    match: here a matcher (kept current, as terms=True keeps it) skips straight to each shown hit instead."""
    out: dict[int, list[tuple[str, Any]]] = {}
    wanted = sorted(set(docnums))
    if not wanted:
        return out
    context = searcher.context(needs_current=True)
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.reader().doc_count_all()
        mine = [docnum - offset for docnum in wanted if offset <= docnum < end]
        if not mine:
            continue
        matcher = parsed.matcher(subsearcher, context)
        term_matchers = list(matcher.term_matchers())
        for sub in mine:
            if not matcher.is_active():
                break
            if matcher.id() < sub:
                matcher.skip_to(sub)
            if matcher.is_active() and matcher.id() == sub:
                out[offset + sub] = [tm.term() for tm in term_matchers if tm.is_active() and tm.id() == sub]
    return out


def _lines(value: str | None) -> list[str]:
    return [line for line in (value or "").split("\n") if line]
