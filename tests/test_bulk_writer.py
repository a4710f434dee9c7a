"""newsarc's grouped segment writer writes exactly the index Whoosh's own SegmentWriter writes.

The writer (newsarc/index/whoosh_internals/bulk_writer.py) replaces Whoosh's posting pool and its per-posting
flush, and analyses newsarc's text fields without Whoosh's token generators (analysis.fast_indexer). Its promise
is byte-identity: the same documents, deletions, updates and merges give segment files with the same bytes.
Each test builds one index with Whoosh's writer and one with newsarc's, and compares every segment file's bytes.

One difference is on purpose: posting blocks too small for zlib to shrink are stored uncompressed (Whoosh
compresses every block). The reference writer here is Whoosh's with that one rule (_WhooshWriter), and
test_small_posting_blocks_are_stored_plain_and_read_back_as_whoosh_s holds the rule itself to Whoosh's postings.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from newsarc.article import Article
from tests.conftest import BBC, need_shared

STEPS = 9  # commits per build: from the sixth on, Whoosh merges the small segments of earlier commits


def _articles_from(folder: Path, limit: int) -> list[Article]:
    """BBC stories as articles: the first line is the title, the rest the body; the topic folder is the tag."""
    out = []
    for path in sorted(folder.rglob("*.txt"))[:limit]:
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        out.append(Article(title=title.strip(), body=body.strip(), source="BBC News", tags=[path.parent.name]))
    return out


def _hand_made() -> list[Article]:
    """Shapes the BBC text lacks: names in Arabic script and with articles, symbols, CJK, tags, long fields."""
    bodies = [
        "Fighting near Abu Kamal (al-Bukamal, البوكمال) went on, said Mohammed al-Hassan of AT&T's office.",
        "In Deir ez-Zor and Deir al-Zour the U.S. and M&S traders met; C++ and .NET developers met at 9/11.",
        "東京 and 서울 reporters wrote about Qamishli / Kamishli. O'Brien's team won 3-1.",
        "Erbil, Irbil or Hawler: the Kurdish capital. " * 40,
    ]
    out = []
    for i in range(24):
        body = bodies[i % len(bodies)] + f" Paragraph {i} of the story."
        out.append(Article(title=f"Story {i}: {body[:30]}", body=body, date=f"2020-0{1 + i % 9}-1{i % 10}",
                           source=["Reuters", "BBC News", "Al Jazeera"][i % 3],
                           tags=[["Syria", "Abu Kamal"], ["Iraq"], [], ["Human rights", "Syrian civil war"]][i % 4],
                           url=f"https://example.org/news/{i}?ref=x", authors=["Jane Doe"] if i % 2 else []))
    return out


def _whoosh_writer() -> Any:
    """Whoosh's SegmentWriter, storing the posting blocks that zlib would not shrink uncompressed, as newsarc's
    writer does (bulk_writer.MIN_COMPRESSED_BLOCK); in every other byte Whoosh's own."""
    from whoosh.writing import SegmentWriter

    from newsarc.index.whoosh_internals.bulk_writer import _LeanFieldWriter

    class _WhooshWriter(SegmentWriter):
        def __init__(self, ix: Any, **kwargs: Any) -> None:
            super().__init__(ix, **kwargs)
            _LeanFieldWriter.adopt(self.fieldwriter)

    return _WhooshWriter


def _build(root: Path, writer_class: Any, articles: list[Article], limitmb: float = 128,
           deletes: bool = True) -> dict[str, list[str]]:
    """Index the articles in STEPS commits (updating one and deleting one on the way unless deletes=False), the
    last one an optimize (every segment merged into one); the digests of the segment files, by file kind."""
    from whoosh import index

    from newsarc.index.whoosh_backend import build_schema, document_for

    root.mkdir()
    ix = index.create_in(str(root), build_schema())
    step = max(1, len(articles) // STEPS)
    starts = range(0, len(articles), step)
    segments = []
    for start in starts:
        writer = writer_class(ix, limitmb=limitmb, compound=False)
        for number, article in enumerate(articles[start:start + step], start):
            writer.update_document(**document_for(f"articles/{number}.yaml", article))
        if start and deletes:
            writer.delete_by_term("path", "articles/1.yaml")
            writer.update_document(**document_for("articles/0.yaml", articles[-1]))
        writer.commit(optimize=start == starts[-1])
        segments.append(len(ix._segments()))
    assert segments[-1] == 1 and max(segments) > 1, segments  # the optimize merged several segments
    digests: dict[str, list[str]] = {"merges": [str(segments)]}
    for name in os.listdir(root):
        if name.endswith(".toc") or name.endswith("LOCK"):
            continue  # the table of contents names the segments, whose names are random
        kind = name.rsplit(".", 1)[-1]
        digests.setdefault(kind, []).append(hashlib.sha256((root / name).read_bytes()).hexdigest())
    return {kind: sorted(values) for kind, values in digests.items()}


def _same_index(tmp_path: Path, articles: list[Article], limitmb: float = 128) -> None:
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    whoosh = _build(tmp_path / "whoosh", _whoosh_writer(), articles, limitmb)
    grouped = _build(tmp_path / "grouped", GroupedSegmentWriter, articles, limitmb)
    assert {"pst", "trm", "col"} <= set(whoosh)
    assert grouped == whoosh


def test_hand_made_articles_give_the_bytes_whoosh_writes(tmp_path: Path) -> None:
    _same_index(tmp_path, _hand_made())


def test_a_term_table_past_4_gb_gives_the_bytes_whoosh_writes(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The term table keeps positions in 4 bytes each until one passes 4 GB, then in 8: here the limit is
    lowered to a few hundred bytes, so every table widens on the way."""
    from newsarc.index.whoosh_internals import bulk_writer

    monkeypatch.setattr(bulk_writer, "_MAX_SMALL_POSITION", 300)
    widened = []
    widen = bulk_writer._CompactTermTable._widen_positions
    monkeypatch.setattr(bulk_writer._CompactTermTable, "_widen_positions",
                        lambda table: (widened.append(1), widen(table))[1])
    _same_index(tmp_path, _hand_made())
    assert widened


@pytest.mark.parametrize("read_whole", [True, False], ids=["terms-read-whole", "terms-read-a-block-at-a-time"])
def test_small_segments_merged_on_the_way_give_the_bytes_whoosh_writes(tmp_path: Path, read_whole: bool,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two articles a commit: Whoosh's merge policy merges the small segments of earlier commits as it goes. A
    merged segment's postings of a term are read in one piece up to WHOLE_EXTENT_BYTES, a block at a time past it
    (here every term, with the limit lowered to nothing)."""
    from newsarc.index.whoosh_internals import bulk_writer
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    if not read_whole:
        monkeypatch.setattr(bulk_writer, "WHOLE_EXTENT_BYTES", 0)

    articles = _hand_made()[:2 * STEPS]
    for deletes in (True, False):  # with deletions the merge renumbers through a map; without, by an offset
        whoosh = _build(tmp_path / f"whoosh{deletes}", _whoosh_writer(), articles, deletes=deletes)
        counts = [int(n) for n in whoosh["merges"][0].strip("[]").split(", ")]
        assert any(later < earlier for earlier, later in zip(counts, counts[1:-1], strict=False)), counts
        assert _build(tmp_path / f"grouped{deletes}", GroupedSegmentWriter, articles, deletes=deletes) == whoosh


def test_bbc_articles_give_the_bytes_whoosh_writes(tmp_path: Path) -> None:
    _same_index(tmp_path, _articles_from(need_shared(BBC), 400))


def test_a_pool_over_its_memory_limit_spills_like_whoosh(tmp_path: Path) -> None:
    """With a quarter-megabyte pool the grouped postings go to Whoosh's sorted runs on disk mid-batch: same bytes.
    (The grouped pool counts what it holds, about a third of Whoosh's estimate for its tuples, so it spills later.)"""
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    articles = _hand_made() * 8
    _same_index(tmp_path, articles, limitmb=0.25)
    from whoosh import index

    from newsarc.index.whoosh_backend import build_schema, document_for

    (tmp_path / "spill").mkdir()
    ix = index.create_in(str(tmp_path / "spill"), build_schema())
    writer = GroupedSegmentWriter(ix, limitmb=0.25, compound=False)
    # The same bytes above came through the compact term table (were it not adopted, Whoosh's would write them).
    assert type(writer.fieldwriter._tindex).__name__ == "_CompactTermTable"
    for number, article in enumerate(articles):
        writer.add_document(**document_for(f"articles/{number}.yaml", article))
    assert not writer.pool.grouped and writer.pool.runs, "the test did not reach the pool's limit"
    writer.cancel()


def test_documents_with_whoosh_only_options_take_whoosh_s_path(tmp_path: Path) -> None:
    """A field boost (`_title_boost`) is not the grouped writer's business: it hands the document to Whoosh,
    and the index still holds what Whoosh would have written."""
    from whoosh import index

    from newsarc.index.whoosh_backend import build_schema, document_for
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    contents = {}
    for name, writer_class in (("whoosh", _whoosh_writer()), ("grouped", GroupedSegmentWriter)):
        (tmp_path / name).mkdir()
        ix = index.create_in(str(tmp_path / name), build_schema())
        writer = writer_class(ix, compound=False)
        for number, article in enumerate(_hand_made()[:6]):
            writer.add_document(**document_for(f"articles/{number}.yaml", article), _title_boost=3.0)
        writer.commit()
        with ix.searcher() as searcher:
            contents[name] = sorted((fieldname, text, list(searcher.reader().postings(fieldname, text).all_ids()))
                                    for fieldname, text in searcher.reader().all_terms())
    assert contents["grouped"] == contents["whoosh"]
    assert contents["whoosh"]


def test_small_posting_blocks_are_stored_plain_and_read_back_as_whoosh_s(tmp_path: Path) -> None:
    """Whoosh's own writer compresses every posting block; newsarc's leaves the small ones plain. Read through
    Whoosh's reader, every term of both indexes has the same documents, weights and positions, and both kinds
    of block are there (an old index's compressed blocks and a new segment's plain ones mix the same way)."""
    from whoosh import index
    from whoosh.writing import SegmentWriter

    from newsarc.index.whoosh_backend import build_schema, document_for
    from newsarc.index.whoosh_internals.bulk_writer import MIN_COMPRESSED_BLOCK, GroupedSegmentWriter

    articles = _hand_made() * 6
    postings, compressed = {}, {}
    for name, writer_class in (("whoosh", SegmentWriter), ("grouped", GroupedSegmentWriter)):
        (tmp_path / name).mkdir()
        ix = index.create_in(str(tmp_path / name), build_schema())
        writer = writer_class(ix, compound=False)
        for number, article in enumerate(articles):
            writer.add_document(**document_for(f"articles/{number}.yaml", article))
        writer.commit()
        table, kinds = {}, set()
        with ix.reader() as reader:
            for fieldname, text in reader.all_terms():
                matcher = reader.postings(fieldname, text)
                if hasattr(matcher, "_compression"):  # a term with blocks (one posting is inlined in the term)
                    kinds.add(bool(matcher._compression))
                table[fieldname, text] = list(matcher.items_as("positions") if fieldname in ("title", "body")
                                              else matcher.all_items())
        postings[name], compressed[name] = table, kinds
    assert postings["grouped"] == postings["whoosh"]
    assert compressed["whoosh"] == {True}
    assert compressed["grouped"] == {False, True}, f"no block on one side of {MIN_COMPRESSED_BLOCK} bytes"


@pytest.mark.parametrize("field", ["title", "body", "tagtext", "plain"])
def test_fast_field_analysis_equals_whoosh_s(field: str) -> None:
    from newsarc.index.analysis import fast_indexer
    from newsarc.index.whoosh_backend import build_schema, document_for

    schema = build_schema()
    indexer = fast_indexer(schema[field])
    assert indexer is not None
    compared = 0
    for number, article in enumerate(_hand_made()):
        value = document_for(f"articles/{number}.yaml", article).get(field)
        if value:
            assert sorted(indexer(value)) == sorted(schema[field].index(value))
            compared += 1
    assert compared


def _merge_peak(root: Path, repeats: int) -> tuple[int, int, int]:
    """Four segments of 1,000 documents, each document the word `common` `repeats` times and a word of its own,
    merged into one: (the merge's peak of traced memory, the documents and the bytes of positions of `common`)."""
    import tracemalloc

    from whoosh import fields, index
    from whoosh.reading import SegmentReader

    from newsarc.index import whoosh_internals
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    whoosh_internals.load()
    root.mkdir()
    ix = index.create_in(str(root), fields.Schema(body=fields.TEXT(phrase=True)))
    text = " ".join(["common"] * repeats)
    for part in range(4):
        writer = GroupedSegmentWriter(ix, limitmb=128, compound=False)
        for n in range(1_000):
            writer.add_document(body=f"{text} doc{part}x{n}")
        writer.commit(merge=False)
    assert [s.doc_count_all() for s in ix._segments()] == [1_000] * 4

    def postings_of_common() -> tuple[int, int]:
        with ix.searcher() as searcher:
            matcher = searcher.reader().postings("body", "common")
            documents = size = 0
            while matcher.is_active():
                documents += 1
                size += len(matcher.value())
                matcher.next()
            return documents, size

    def merge_everything(writer: Any, segments: list[Any]) -> list[Any]:
        for segment in segments:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        return []

    before = postings_of_common()
    writer = GroupedSegmentWriter(ix, limitmb=128, compound=False)
    tracemalloc.start()
    try:
        writer.commit(mergetype=merge_everything)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [s.doc_count_all() for s in ix._segments()] == [4_000]
    assert postings_of_common() == before  # every posting merged
    return peak, *before


def test_a_merge_holds_one_block_of_a_term_not_the_whole_term(tmp_path: Path) -> None:
    """A merge copies each term's postings a block at a time: the memory it takes does not grow with how many
    documents a word is in or how often. (It held each term whole: a common word of a 240,000-article merge
    took megabytes, and the million-article import's memory grew with its merges.) The same merge of 4,000
    documents is made twice, the word in every document once and 120 times: the second's positions take about
    a megabyte more, and the merge's peak of memory no more than a fifth of that more (a few blocks; holding
    the term whole, it took 1.16 times that more)."""
    small_peak, documents, small = _merge_peak(tmp_path / "once", 1)
    big_peak, documents, big = _merge_peak(tmp_path / "often", 120)
    assert documents == 4_000 and big - small > 900_000
    assert big_peak - small_peak < (big - small) / 5, (small_peak, big_peak, big - small)


def test_a_commit_that_merges_gives_the_freed_memory_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a commit that merged segments the writer asks the C allocator to return what the merge freed (on
    glibc; bench: 13 MB after a merge of 238,500 articles); a commit that merged nothing does not ask."""
    from whoosh import fields, index

    from newsarc.index import whoosh_internals
    from newsarc.index.whoosh_internals import bulk_writer

    whoosh_internals.load()
    asked: list[int] = []
    monkeypatch.setattr(bulk_writer, "give_back_freed_memory", lambda: asked.append(1))
    ix = index.create_in(str(tmp_path), fields.Schema(body=fields.TEXT))
    for n in range(3):
        writer = bulk_writer.GroupedSegmentWriter(ix, compound=False)
        writer.add_document(body=f"story {n}")
        writer.commit(merge=False)
    assert len(ix._segments()) == 3 and asked == []
    writer = bulk_writer.GroupedSegmentWriter(ix, compound=False)
    writer.add_document(body="story 3")
    writer.commit(optimize=True)
    assert len(ix._segments()) == 1 and asked == [1]

