"""The embedded search backend: a Whoosh index in the archive's .newsarc/index directory.

Schema notes:
- title, body and tagtext use Snowball stemming after case and accent folding (Būkamāl = bukamal); no stop
  words are dropped, so a phrase query matches the words as written.
- tags holds each tag whole and folded, so tag:"Abu Kamal" is one term; tagtext makes tags findable by words.
- date is a day-precision DATETIME whose query parsing is ours: a partial date (2017, 2017-05) means the whole
  year or month, and a range's ends are widened to whole days/months correctly.
- Documents are keyed by their file path, so a hand-copied file with a duplicate id is still indexed (and
  reported by `newsarc check`), and a moved file is a delete plus an add.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsarc import whoosh_import
from newsarc.article import Article
from newsarc.backend import SearchHit, SearchRequest, SearchResult, Snippet
from newsarc.dateranges import date_bounds
from newsarc.errors import QueryError
from newsarc.textfold import fold_text, fold_word

whoosh_import.load()

from whoosh import fields, index, query  # noqa: E402
from whoosh.analysis import Filter, RegexTokenizer, StemFilter  # noqa: E402
from whoosh.highlight import ContextFragmenter, Formatter, get_text  # noqa: E402

# Bump when the schema or analyzers change: an index of another version is rebuilt automatically.
SCHEMA_VERSION = "1"
INDEX_NAME = "MAIN"
DEFAULT_FIELDS = ("title", "body", "tagtext")
FIELD_ALIASES = {"tags": ["tag"], "authors": ["author", "by"], "location": ["place", "dateline"],
                 "language": ["lang"]}
_MARK_START, _MARK_END, _FRAGMENT_SEP = "\x02", "\x03", "\x1e"


class FoldFilter(Filter):
    """Lowercase and strip accents from each token (see newsarc.textfold.fold_word)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __hash__(self) -> int:
        return hash(FoldFilter)

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            token.text = fold_word(token.text)
            yield token


class DayField(fields.DATETIME):
    """DATETIME whose query parsing understands partial ISO dates with correct bounds."""

    def parse_query(self, fieldname, qstring, boost=1.0):  # type: ignore[no-untyped-def]
        start, end = date_bounds(qstring)
        return query.DateRange(fieldname, start, end, boost=boost)

    def parse_range(self, fieldname, start, end, startexcl, endexcl, boost=1.0):  # type: ignore[no-untyped-def]
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


def build_schema() -> fields.Schema:
    words = RegexTokenizer() | FoldFilter()
    stemmed = words | StemFilter(lang="en", cachesize=100_000)
    whole = RegexTokenizer(r"[^\n]+") | FoldFilter()
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=stemmed, stored=True, field_boost=2.0),
        body=fields.TEXT(analyzer=stemmed, stored=True),
        tagtext=fields.TEXT(analyzer=stemmed, field_boost=1.5),
        tags=fields.TEXT(analyzer=whole, phrase=False, stored=True),
        source=fields.TEXT(analyzer=words, stored=True),
        source_key=fields.TEXT(analyzer=whole, phrase=False),
        authors=fields.TEXT(analyzer=words, stored=True),
        location=fields.TEXT(analyzer=words, stored=True),
        language=fields.ID(stored=True),
        url=fields.ID(stored=True),
        date=DayField(sortable=True),
        datestr=fields.STORED(),
        ym=fields.ID(),
    )


def document_for(path: str, article: Article) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "path": path,
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "tagtext": " ; ".join(article.tags),
        "tags": "\n".join(article.tags),
        "source": article.source,
        "source_key": article.source,
        "authors": "\n".join(article.authors),
        "location": article.location,
        "language": article.language,
        "url": article.url,
        "datestr": article.date or "",
    }
    if article.date:
        day = dt.date.fromisoformat(article.date[:10])
        doc["date"] = dt.datetime(day.year, day.month, day.day)
        doc["ym"] = article.date[:7]
    return {key: value for key, value in doc.items() if value not in ("", None)}


class _MarkFormatter(Formatter):
    """Marks matched words with control characters, parsed back into offsets by _snippets()."""

    between = _FRAGMENT_SEP

    def format_token(self, text, token, replace=False):  # type: ignore[no-untyped-def]
        return _MARK_START + get_text(text, token, replace) + _MARK_END


def _snippets(field: str, marked: str) -> list[Snippet]:
    snippets = []
    for fragment in marked.split(_FRAGMENT_SEP):
        text, highlights, pos = [], [], 0
        for i, part in enumerate(re.split(f"[{_MARK_START}{_MARK_END}]", fragment)):
            part = part.replace("\n", " ")
            if i % 2:
                highlights.append((pos, pos + len(part)))
            text.append(part)
            pos += len(part)
        joined = "".join(text)
        if joined.strip():
            snippets.append(Snippet(field, joined, highlights))
    return snippets


class WhooshBackend:
    """SearchBackend over one Whoosh index directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._ix: index.Index | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def exists(self) -> bool:
        return index.exists_in(str(self.directory), indexname=INDEX_NAME)

    @property
    def ix(self) -> index.Index:
        if self._ix is None:
            self._ix = index.open_dir(str(self.directory), indexname=INDEX_NAME)
        return self._ix

    def create(self) -> None:
        """Start a new, empty index (the caller holds the archive lock)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._ix = index.create_in(str(self.directory), build_schema(), indexname=INDEX_NAME)

    def clear(self) -> None:
        self.create()

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    # -- writing ---------------------------------------------------------------------------------------
    def writer(self, *, bulk: bool = False):  # type: ignore[no-untyped-def]
        return self.ix.writer(limitmb=256 if bulk else 64, timeout=30.0, compound=False)

    def add(self, items: Iterable[tuple[str, Article]]) -> None:
        writer = self.writer()
        try:
            for path, article in items:
                writer.update_document(**document_for(path, article))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def delete(self, paths: Iterable[str]) -> None:
        writer = self.writer()
        for path in paths:
            writer.delete_by_term("path", path)
        writer.commit()

    def apply(self, upserts: Iterable[tuple[str, Article]], deletes: Iterable[str], *, bulk: bool = False,
              fresh: bool = False) -> None:
        """One commit for a batch of changes. fresh=True skips the delete-before-add of a new index."""
        writer = self.writer(bulk=bulk)
        try:
            for path in deletes:
                writer.delete_by_term("path", path)
            for path, article in upserts:
                if fresh:
                    writer.add_document(**document_for(path, article))
                else:
                    writer.update_document(**document_for(path, article))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def optimize(self) -> None:
        self.ix.optimize()

    # -- reading ---------------------------------------------------------------------------------------
    def parse(self, text: str) -> query.Query:
        from whoosh import qparser

        check_syntax(text, self.ix.schema.names())

        parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), self.ix.schema, group=qparser.AndGroup)
        parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
        parser.add_plugin(qparser.GtLtPlugin())
        parser.add_plugin(qparser.FuzzyTermPlugin())
        try:
            parsed = parser.parse(text)
        except QueryError:
            raise
        except Exception as exc:  # whoosh raises bare exceptions from deep inside its parser
            raise QueryError(f"cannot parse query {text!r}: {exc}") from None
        _raise_on_errors(parsed, text)
        return parsed

    def _filter(self, request: SearchRequest) -> query.Query | None:
        parts: list[query.Query] = [query.Term("tags", fold_text(tag)) for tag in request.tags]
        if request.source:
            parts.append(query.Term("source_key", fold_text(request.source)))
        if request.since or request.until:
            low = date_bounds(request.since)[0] if request.since else None
            high = date_bounds(request.until)[1] if request.until else None
            parts.append(query.DateRange("date", low, high))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = self.parse(request.query) if request.query.strip() else query.Every()
        with self.ix.searcher() as searcher:
            kwargs: dict[str, Any] = {"filter": self._filter(request), "terms": True}
            if request.sort == "date":
                kwargs.update(sortedby="date", reverse=True)
            page = searcher.search_page(parsed, max(request.page, 1), pagelen=max(request.limit, 1), **kwargs)
            results = page.results
            results.fragmenter = ContextFragmenter(maxchars=240, surround=70)
            results.formatter = _MarkFormatter()
            hits = [self._hit(hit, request.snippets) for hit in page] if page.offset < page.total else []
            return SearchResult(hits=hits, total=len(results), parsed_query=str(parsed))

    def _hit(self, hit: Any, with_snippets: bool) -> SearchHit:
        stored = hit.fields()
        snippets: list[Snippet] = []
        if with_snippets:
            body = stored.get("body", "")
            marked = hit.highlights("body", text=body, top=3) if body else ""
            snippets = _snippets("body", marked) if marked else []
            if not snippets and body:
                snippets = [Snippet("body", _lead(body), [])]
        title_marked = hit.highlights("title", text=stored.get("title", ""), top=1) if with_snippets else ""
        matched = []
        for snippet in ([*_snippets("title", title_marked)] if title_marked else []) + snippets:
            for start, end in snippet.highlights:
                word = snippet.text[start:end]
                if word not in matched:
                    matched.append(word)
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
        )

    def facets(self, request: SearchRequest, names: Iterable[str] = ("tags", "source_key", "ym")
               ) -> dict[str, list[tuple[str, int]]]:
        from whoosh import sorting

        parsed = self.parse(request.query) if request.query.strip() else query.Every()
        groups = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in names}
        with self.ix.searcher() as searcher:
            results = searcher.search(parsed, limit=1, filter=self._filter(request), groupedby=groups)
            out = {}
            for name in names:
                counts = results.groups(name)
                out[name] = sorted(((str(k), v) for k, v in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))
            return out

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        with self.ix.searcher() as searcher:
            for maxdist in (1, 2):
                found = searcher.suggest("body", word.lower(), limit=limit, maxdist=maxdist)
                if found:
                    return found
        return []

    def doc_count(self) -> int:
        return self.ix.doc_count()


_FIELD_PREFIX = re.compile(r"(?<![\w:/.@-])([A-Za-z_]+):(?=\S)")
_HIDDEN_FIELDS = {"path", "tagtext", "source_key", "datestr", "ym"}


def check_syntax(text: str, field_names: Iterable[str]) -> None:
    """Catch what Whoosh would silently guess at: unbalanced quotes or parentheses, unknown fields."""
    if text.count('"') % 2:
        raise QueryError(f'query {text!r} has an unclosed " at position {text.rfind(chr(34)) + 1}; close the phrase')
    depth = 0
    for position, char in enumerate(_without_phrases(text), start=1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError(f"query {text!r} has a ) without its ( at position {position}")
    if depth:
        raise QueryError(f"query {text!r} has {depth} unclosed ( ; add the missing )")
    known = {n for n in field_names if n not in _HIDDEN_FIELDS}
    known |= {alias for aliases in FIELD_ALIASES.values() for alias in aliases}
    for match in _FIELD_PREFIX.finditer(_without_phrases(text)):
        if match.group(1).lower() not in known:
            raise QueryError(
                f"query {text!r}: unknown field {match.group(1)!r} at position {match.start() + 1}; "
                f"fields are {', '.join(sorted(known))} (quote the text to search for a colon)"
            )


def _without_phrases(text: str) -> str:
    """The query with quoted phrases blanked out (same length), so their content is not read as syntax."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), text)


def _raise_on_errors(parsed: query.Query, text: str) -> None:
    """Whoosh turns parse problems into null queries carrying an `error`; surface the first one."""
    stack = [parsed]
    while stack:
        node = stack.pop()
        error = getattr(node, "error", None)
        if error:
            raise QueryError(f"cannot parse query {text!r}: {error}")
        stack.extend(node.children())


def _lines(value: str | None) -> list[str]:
    return [line for line in (value or "").split("\n") if line]


def _lead(body: str, length: int = 200) -> str:
    text = " ".join(body.split())
    return text if len(text) <= length else text[: text.rfind(" ", 0, length)] + " ..."
