"""Field lengths for scoring read from the whole length column at once (whoosh_internals.patches, issue 24.3):
the same answer as Whoosh's byte-at-a-time read for every document and field, present, absent or past the
column's end, and the same scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.codec import whoosh3

from newsarc.index.backend import SearchRequest
from newsarc.index.whoosh_backend import WhooshBackend
from newsarc.index.whoosh_internals import patches
from tests.conftest import BBC, need_shared


def test_every_documents_field_lengths_and_the_scores_are_whooshs(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarc.article import Article

    need_shared(BBC)
    items = []
    for number, path in enumerate(sorted((BBC / "politics").glob("*.txt"))[:150]):
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        article = Article(title=title.strip(), body=body.strip(), source="BBC News",
                          tags=["politics"] if number % 3 else [], date="2005-03-01")
        article.id = f"id{number:05d}"
        items.append((f"articles/{number:03d}.yaml", article))
    backend = WhooshBackend(tmp_path / "index")
    backend.create()
    backend.apply(items[:100], [], bulk=True, fresh=True)
    backend.apply(items[100:], [], bulk=True, fresh=True)
    own = patches.WHOOSH_OWN[whoosh3.W3PerDocReader, "doc_field_length"]
    assert whoosh3.W3PerDocReader.doc_field_length is not own
    request = SearchRequest("labour election", limit=30)
    try:
        fast_hits = [(h.id, h.score) for h in backend.search(request).hits]
        with backend.ix.searcher() as searcher:
            for leaf, _offset in searcher.reader().leaf_readers():
                perdoc = leaf._perdoc
                for field in ("title", "body", "tagtext", "tags", "path", "date", "nosuchfield"):
                    for docnum in range(leaf.doc_count_all() + 1):
                        assert perdoc.doc_field_length(docnum, field) == own(perdoc, docnum, field), (field, docnum)
        monkeypatch.setattr(whoosh3.W3PerDocReader, "doc_field_length", own)
        assert [(h.id, h.score) for h in backend.search(request).hits] == fast_hits
        assert len(fast_hits) == 30
    finally:
        backend.close()
