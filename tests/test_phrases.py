"""Exact phrases by sets of positions (newsarc/index/whoosh_internals/phrases.py, issue 24.3): the same
documents, spans, scores, hits and totals as Whoosh's own span walk, in one segment or several, with deleted
documents, for two and three words, repeated words, and a phrase over a word the index lacks; a sloppy phrase
is left to Whoosh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import query
from whoosh.query.spans import SpanNear2

from newsarc.index import counting
from newsarc.index.backend import SearchRequest
from newsarc.index.whoosh_backend import WhooshBackend
from newsarc.index.whoosh_internals import patches, phrases
from tests.conftest import BBC, need_shared

PHRASES = (["oil", "price"], ["the", "compani"], ["of", "the", "year"], ["the", "the"], ["said", "the", "firm"],
           ["zzqxw", "oil"], ["oil", "zzqxw"])


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An index of the BBC business stories in three segments, with a few documents replaced (deleted)."""
    from newsarc.article import Article

    need_shared(BBC)
    items = []
    for number, path in enumerate(sorted((BBC / "business").glob("*.txt"))[:360]):
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        article = Article(title=title.strip(), body=body.strip(), source="BBC News", tags=["business"],
                          date="2005-03-01")
        article.id = f"id{number:05d}"
        items.append((f"articles/{number:03d}.yaml", article))
    backend = WhooshBackend(Path(tmp_path_factory.mktemp("phrases")) / "index")
    backend.create()
    for start in range(0, 360, 120):
        backend.apply(items[start:start + 120], [], bulk=True, fresh=True)
    backend.apply(items[:10], [])  # replaced: the old versions stay in their segment, deleted
    yield backend
    backend.close()


def _walk(searcher: Any, q: query.Query) -> list[tuple[int, list[tuple[int, int, Any, Any]], float]]:
    """Every match of q with its spans and score, segment by segment, as Whoosh's matcher gives them."""
    out = []
    for leaf, offset in searcher.leaf_searchers():
        matcher = q.matcher(leaf, leaf.context())
        while matcher.is_active():
            spans = [(s.start, s.end, s.startchar, s.endchar) for s in matcher.spans()]
            out.append((offset + matcher.id(), spans, matcher.score()))
            matcher.next()
    return out


@pytest.fixture
def whooshs_own(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Within it, Whoosh's own span walk and counting's Whoosh fallback."""
    def use_own() -> None:
        own = patches.WHOOSH_OWN[SpanNear2.SpanNear2Matcher, "_get_spans"]
        monkeypatch.setattr(SpanNear2.SpanNear2Matcher, "_get_spans", own)
        monkeypatch.setattr("newsarc.index.whoosh_internals.phrase_ids", lambda *args: None)

    return use_own


@pytest.mark.parametrize("words", PHRASES, ids="-".join)
@pytest.mark.parametrize("field", ["body", "title"])
def test_documents_spans_scores_and_totals_are_whooshs(backend: Any, whooshs_own: Any, field: str,
                                                       words: list[str]) -> None:
    assert SpanNear2.SpanNear2Matcher._get_spans is phrases._get_spans  # the fast path is what is compared
    q = query.Phrase(field, words)
    with backend.ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
        fast_walk, fast_total = _walk(searcher, q), counting.count(searcher, q)
        fast_docs = counting.docnums(searcher, q)
        whooshs_own()
        own_walk, own_total = _walk(searcher, q), counting.count(searcher, q)
        assert fast_walk == own_walk
        assert fast_total == own_total == len(own_walk) == sum(1 for _ in searcher.docs_for_query(q))
        assert fast_docs == set(searcher.docs_for_query(q))
    if words == ["oil", "price"] and field == "body":
        assert own_total > 10  # the comparison is about something


def test_a_phrase_search_gives_whooshs_hits_scores_and_total(backend: Any, whooshs_own: Any) -> None:
    request = SearchRequest('"oil prices" OR "said the firm"', limit=20)
    fast = backend.search(request)
    whooshs_own()
    own = backend.search(request)
    assert fast.total == own.total > 20
    assert [(h.id, h.score) for h in fast.hits] == [(h.id, h.score) for h in own.hits]


def test_a_sloppy_phrase_is_left_to_whoosh(backend: Any) -> None:
    with backend.ix.searcher() as searcher:
        reader = searcher.reader().leaf_readers()[0][0]
        assert phrases.phrase_ids(reader, "body", ["oil", "price"], lambda m: {}) is not None
        q = query.Phrase("body", ["oil", "price"], slop=3)
        assert counting.count(searcher, q) == sum(1 for _ in searcher.docs_for_query(q))
