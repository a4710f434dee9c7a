"""A Whoosh segment writer that keeps postings grouped by term, for newsarc's batches of documents.

Whoosh's SegmentWriter puts every posting into a pool as one tuple (field, term, docnum, weight, value), sorts
all of them at commit, and hands them one by one to the field writer, which asks the per-document reader for the
document's field length once per posting. newsarc indexes ~250 postings per article (the stemmed fields, the
unstemmed `plain` words, variant keys, facets), so that per-posting Python work was most of a bulk import.

Here the pool appends each posting to its term's arrays as documents arrive (documents come in docnum order, so
each term's list is already sorted), only the distinct terms are sorted at commit, and each term's postings are
written a block at a time, with the field lengths read once per document. The segment files are the same bytes
Whoosh writes (tests/test_bulk_writer.py compares them).

Where the grouped path cannot promise Whoosh's order (a docnum that is not larger than its term's last one,
Whoosh's spelling pseudo-postings), or the pool passes its memory limit, it hands everything to Whoosh's own
external sort, so the result is still exactly Whoosh's.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any

from newsarc.index import whoosh_loader

whoosh_loader.load()

from whoosh.writing import PostingPool, SegmentWriter  # noqa: E402

from newsarc.index.analysis import fast_indexer  # noqa: E402

# Whoosh's estimate of a pooled posting's size, less its variable parts (PostingPool.add): the limit means the same.
_POSTING_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21


class _Term:
    """One term's postings in docnum order."""

    __slots__ = ("docnums", "weights", "values")

    def __init__(self) -> None:
        self.docnums = array("I")
        self.weights = array("d")  # Python floats exactly: the block's max weight is taken before float32
        self.values: list[bytes | None] = []


class GroupedPostingPool(PostingPool):
    """A PostingPool that groups postings by term while it can (see the module docstring)."""

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.terms: dict[str, dict[bytes, _Term]] = {}
        self.grouped = True  # False once the postings went to Whoosh's sorting pool

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        if not self.grouped:
            PostingPool.add(self, item)
            return
        fieldname, btext, docnum, weight, value = item
        terms = self.terms.get(fieldname)
        if terms is None:
            terms = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        term = terms.get(btext)
        if term is None:
            term = terms[btext] = _Term()
        elif docnum <= term.docnums[-1]:
            self._ungroup()
            PostingPool.add(self, item)
            return
        if docnum < 0:  # Whoosh's spelling pseudo-posting: its own sort knows what to do with it
            if not term.docnums:
                del terms[btext]
            self._ungroup()
            PostingPool.add(self, item)
            return
        term.docnums.append(docnum)
        term.weights.append(weight)
        term.values.append(value)
        self.currentsize += _POSTING_OVERHEAD + len(fieldname) + 2 * len(btext) + len(value or b"")
        if self.currentsize > self.limit:
            self._ungroup()
            self.save()

    def _ungroup(self) -> None:
        """Move the grouped postings into Whoosh's own pool, which spills sorted runs to disk."""
        if not self.grouped:
            return
        self.grouped = False
        current = self.current
        for fieldname, terms in self.terms.items():
            for btext, term in terms.items():
                current.extend(zip([fieldname] * len(term.docnums), [btext] * len(term.docnums),
                                   term.docnums, term.weights, term.values, strict=True))
        self.terms = {}

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        if not self.grouped:
            return self.items()
        return self._grouped_items()

    def _grouped_items(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        for fieldname in sorted(self.terms):
            terms = self.terms[fieldname]
            for btext in sorted(terms):
                term = terms[btext]
                for docnum, weight, value in zip(term.docnums, term.weights, term.values, strict=True):
                    yield fieldname, btext, docnum, weight, value


class GroupedSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with a GroupedPostingPool and a block-at-a-time flush of grouped postings."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        limitmb = kwargs.get("limitmb", 128)
        self.pool: GroupedPostingPool = GroupedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self._indexers: dict[str, Callable[[str], list[tuple[bytes, int, float, bytes]]] | None] = {}
        self._simple_fields: set[str] | None = None
        self.extra_segments: list[Any] = []  # segments written by a worker process for this commit

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        """SegmentWriter.commit, with the extra segments listed after this writer's own."""
        self._check_state()
        final = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        final.extend(self.extra_segments)
        self._commit_toc(final)
        self._finish()

    def add_document(self, **fields: Any) -> None:
        """SegmentWriter.add_document, with newsarc's text fields analysed by analysis.fast_indexer and each
        posting appended to its term's arrays directly (while the pool is grouped)."""
        pool = self.pool
        if self._simple_fields is None:
            self._simple_fields = {name for name, field in self.schema.items()
                                   if not field.separate_spelling() and not field.vector}
        if not pool.grouped or not self._simple_fields.issuperset(fields):  # boosts, custom values, spelling...
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        pooled = 0
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    indexer = self._indexer(fieldname, field) if isinstance(value, str) else None
                    items = indexer(value) if indexer else list(field.index(value))
                    scorable = field.scorable
                    terms = pool.terms.get(fieldname)
                    if terms is None:
                        terms = pool.terms[fieldname] = {}
                        pool.fieldnames.add(fieldname)
                    for btext, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        term = terms.get(btext)
                        if term is None:
                            term = terms[btext] = _Term()
                        term.docnums.append(docnum)
                        term.weights.append(weight)
                        term.values.append(vbytes)
                        pooled += 2 * len(btext) + len(vbytes or b"")
                    pooled += (_POSTING_OVERHEAD + len(fieldname)) * len(items)
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except BaseException:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        pool.currentsize += pooled
        if pool.currentsize > pool.limit:
            pool._ungroup()
            pool.save()

    def _indexer(self, fieldname: str, field: Any) -> Callable[[str], list[tuple[bytes, int, float, bytes]]] | None:
        if fieldname not in self._indexers:
            self._indexers[fieldname] = fast_indexer(field)
        return self._indexers[fieldname]

    def _flush_segment(self) -> None:
        pool = self.pool
        if not (isinstance(pool, GroupedPostingPool) and pool.grouped and self.codec.length_stats):
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            write_grouped(self.fieldwriter, self.schema, lengths, pool.terms)
        finally:
            self.fieldwriter.close()
            lengths.close()


def write_grouped(fieldwriter: Any, schema: Any, lengths: Any, grouped: dict[str, dict[bytes, _Term]]) -> None:
    """What FieldWriter.add_postings does for sorted postings, a term and a block at a time."""
    doccount = lengths.doc_count_all()
    for fieldname in sorted(grouped):
        terms = grouped[fieldname]
        if not terms:
            continue
        fieldobj = schema[fieldname]
        field_lengths = None
        if fieldobj.scorable:
            field_lengths = [lengths.doc_field_length(docnum, fieldname) for docnum in range(doccount)]
        fieldwriter.start_field(fieldname, fieldobj)
        for btext in sorted(terms):
            term = terms[btext]
            fieldwriter.start_term(btext)
            _write_postings(fieldwriter._postwriter, term, field_lengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


def _write_postings(postwriter: Any, term: _Term, field_lengths: list[int] | None) -> None:
    """Fill the postings writer's block buffer as W3PostingsWriter.add_posting would, a block at a time: a full
    block is written when the next posting arrives, the last one is left for finish_postings (which may inline it)."""
    limit = postwriter._blocklimit
    docnums, weights, values = term.docnums, term.weights, term.values
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        block_ids = docnums[start:start + limit]
        block_weights = weights[start:start + limit]
        postwriter._ids = block_ids
        postwriter._weights = array("f", block_weights)
        postwriter._values = [value for value in values[start:start + limit] if value]
        postwriter._maxweight = max(0, max(block_weights))
        if field_lengths is not None:
            present = [length for length in map(field_lengths.__getitem__, block_ids) if length]
            if present:
                postwriter._minlength = min(present)
                postwriter._maxlength = max(present)
