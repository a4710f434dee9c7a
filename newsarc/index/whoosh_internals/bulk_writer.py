"""A Whoosh segment writer that keeps postings grouped by term, for newsarc's batches of documents.

Whoosh's SegmentWriter puts every posting into a pool as one tuple (field, term, docnum, weight, value), sorts
all of them at commit, and hands them one by one to the field writer, which asks the per-document reader for the
document's field length once per posting. newsarc indexes ~250 postings per article (the stemmed fields, the
unstemmed `plain` words, variant keys, facets), so that per-posting Python work was most of a bulk import.

Here the pool appends each posting to its term's arrays as documents arrive (documents come in docnum order, so
each term's list is already sorted), only the distinct terms are sorted at commit, and each term's postings are
written a block at a time, with the field lengths read once per document. The segment files are the bytes
Whoosh writes, but for one rule of ours: posting blocks that zlib cannot shrink are stored uncompressed
(MIN_COMPRESSED_BLOCK; Whoosh's reader takes both). tests/test_bulk_writer.py compares every file with Whoosh's
own writer given that one rule.

Merges (Whoosh's merge policy, at commits) do not go through the pool either: Whoosh copies every posting of the
merged segments into it and sorts them again, which filled the pool to its limit once segments were big, so memory
grew with the archive. Here the flush walks the pool's terms and each merged segment's term table in order and
copies the segments' posting blocks into the new segment, renumbered: one term in memory at a time.

Where the grouped path cannot promise Whoosh's order (a docnum that is not larger than its term's last one,
Whoosh's spelling pseudo-postings, documents added after a merge), or the pool passes its memory limit, it hands
everything to Whoosh's own external sort, so the result is still exactly Whoosh's.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, repeat
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3PostingsWriter
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.formats import Existence
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from newsarc.index.analysis import fast_indexer

# Whoosh's estimate of a pooled posting's size, less its variable parts (PostingPool.add), for postings in its pool.
_POSTING_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21
# What the grouped pool really holds (sys.getsizeof, CPython 3.11, 64-bit): per term its object, three arrays, a
# bytearray, its key and dict slot; per posting a docnum (4 bytes), a weight (8), where its value ends (4) and
# the value's bytes, or a docnum alone for presence. The pool's limit then bounds memory, not Whoosh's estimate
# for tuples (about three times as much), so a batch of a few thousand articles stays grouped.
_GROUPED_TERM = 56 + 3 * 64 + 57 + 33 + 2 * 24
_TERM_POSTING = 4 + 8 + 4
_PRESENCE_POSTING = 4
_HASH_LENGTHS = struct.Struct("!ii")  # whoosh.filedb.filetables' _lengths and _pointer
_HASH_POINTER = struct.Struct("!Iq")
_MAX_SMALL_POSITION = 2**32 - 1


class _Term:
    """One term's postings in docnum order. The values (positions) are kept end to end in one bytearray, with
    where each ends: a bytes object per posting cost 33 bytes more than its content, a third of the pool."""

    __slots__ = ("docnums", "weights", "data", "ends")

    def __init__(self) -> None:
        self.docnums = array("I")
        self.weights = array("d")  # Python floats exactly: the block's max weight is taken before float32
        self.data = bytearray()
        self.ends = array("I")  # where each posting's value ends in data (an empty value takes no bytes)

    def add(self, docnum: int, weight: float, value: bytes | None) -> bool:
        self.docnums.append(docnum)
        self.weights.append(weight)
        if value:
            self.data += value
        self.ends.append(len(self.data))
        return True

    def postings(self) -> Iterator[tuple[int, float, bytes]]:
        return zip(self.docnums, self.weights, self._values(0, len(self.docnums), keep_empty=True), strict=True)

    def _values(self, start: int, stop: int, keep_empty: bool = False) -> list[bytes]:
        ends = self.ends
        begin = ends[start - 1] if start else 0
        stop = min(stop, len(ends))
        chunk = bytes(self.data[begin:ends[stop - 1]]) if stop > start else b""
        values = []
        previous = 0
        for end in ends[start:stop]:
            end -= begin
            if end > previous or keep_empty:
                values.append(chunk[previous:end])
            previous = end
        return values

    def block(self, start: int, stop: int) -> tuple[array[float], list[bytes], float]:
        """Whoosh's buffers for postings start..stop: float32 weights, the non-empty values, the largest weight."""
        weights = self.weights[start:stop]
        return array("f", weights), self._values(start, stop), max(0, max(weights))


class _Presence:
    """A term of a field that records only presence (Whoosh's Existence format): docnums, one weight, no values."""

    __slots__ = ("docnums", "weight")

    def __init__(self, weight: float) -> None:
        self.docnums = array("I")
        self.weight = weight

    def add(self, docnum: int, weight: float, value: bytes | None) -> bool:
        if weight != self.weight or value:
            return False
        self.docnums.append(docnum)
        return True

    def postings(self) -> Iterator[tuple[int, float, bytes | None]]:
        weight = self.weight
        return ((docnum, weight, b"") for docnum in self.docnums)

    def block(self, start: int, stop: int) -> tuple[array[float], list[bytes], float]:
        count = len(self.docnums[start:stop])
        return array("f", [self.weight]) * count, [], max(0, self.weight)


class _CompactTermTable(OrderedHashWriter):
    """Whoosh's term table writer, holding each term's hash and file position in two arrays per hash bucket, not
    as a tuple of two Python ints in a list (about 130 bytes a term): a segment's terms grow with its size, so a
    merge into a big segment held tens of megabytes there (memory that grew with the archive). The positions
    take 4 bytes each until the table passes 4 GB (a merge of 238,500 articles writes 1.36 million terms: 5 MB
    less than with 8). Same bytes."""

    lastkey: bytes  # set by OrderedHashWriter.__init__
    buckets: list[tuple[array[int], array[int]]]  # per bucket: hashes, positions

    @classmethod
    def adopt(cls, writer: Any) -> None:
        """Make Whoosh's writer, which has written its header and nothing more, one of these."""
        if type(writer) is not OrderedHashWriter or any(writer.buckets) or len(writer.index):
            return
        writer.__class__ = cls
        writer.buckets = [(array("I"), array("I")) for _ in range(256)]

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        dbfile = self.dbfile
        position = dbfile.tell()
        self.index.append(position)
        dbfile.write(_HASH_LENGTHS.pack(len(key), len(value)))
        dbfile.write(key)
        dbfile.write(value)
        hashval = self.hashfn(key)
        hashes, positions = self.buckets[hashval & 255]
        hashes.append(hashval)
        if position > _MAX_SMALL_POSITION and positions.typecode == "I":
            self._widen_positions()
            hashes, positions = self.buckets[hashval & 255]
        positions.append(position)
        self.lastkey = key

    def _widen_positions(self) -> None:
        self.buckets = [(hashes, array("Q", positions)) for hashes, positions in self.buckets]

    def _write_hashes(self) -> None:
        """HashWriter._write_hashes over the arrays: the same open-addressing tables, a bucket at a time."""
        dbfile = self.dbfile
        null = (0, 0)
        for hashes, positions in self.buckets:
            numslots = 2 * len(hashes)
            self.directory.append((dbfile.tell(), numslots))
            table = [null] * numslots
            for hashval, position in zip(hashes, positions, strict=True):
                slot = (hashval >> 8) % numslots
                while table[slot] != null:
                    slot = (slot + 1) % numslots
                table[slot] = (hashval, position)
            dbfile.write(b"".join(_HASH_POINTER.pack(hashval, position) for hashval, position in table))


class GroupedPostingPool(PostingPool):
    """A PostingPool that groups postings by term while it can (see the module docstring)."""

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.terms: dict[str, dict[bytes, _Term | _Presence]] = {}
        self.presence: dict[str, float] = {}  # presence-only fields (set by the writer): their postings' weight
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
        if docnum < 0 or (term is not None and docnum <= term.docnums[-1]):
            # Whoosh's spelling pseudo-postings, or docnums out of order: Whoosh's own sort handles them
            self._ungroup()
            PostingPool.add(self, item)
            return
        if term is None:
            term = terms[btext] = _Presence(self.presence[fieldname]) if fieldname in self.presence else _Term()
            self.currentsize += _GROUPED_TERM + len(btext)
        if not term.add(docnum, weight, value):
            if not term.docnums:
                del terms[btext]
            self._ungroup()
            PostingPool.add(self, item)
            return
        if isinstance(term, _Presence):
            self.currentsize += _PRESENCE_POSTING
        else:
            self.currentsize += _TERM_POSTING + (len(value) if value else 0)
        if self.currentsize > self.limit:
            self._ungroup()
            self.save()

    def _ungroup(self) -> None:
        """Move the grouped postings into Whoosh's own pool, which spills sorted runs to disk."""
        if not self.grouped:
            return
        self.grouped = False
        current = self.current
        size = 0  # from here on the limit is Whoosh's, for its tuples
        for fieldname, terms in self.terms.items():
            for btext, term in terms.items():
                start = len(current)
                current.extend((fieldname, btext, docnum, weight, value) for docnum, weight, value in term.postings())
                size += (_POSTING_OVERHEAD + len(fieldname) + 2 * len(btext)) * (len(current) - start)
                size += sum(len(posting[4] or b"") for posting in current[start:])
        self.currentsize = size
        self.terms = {}

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        if not self.grouped:
            return self.items()
        return self._grouped_items()

    def _grouped_items(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        for fieldname in sorted(self.terms):
            terms = self.terms[fieldname]
            for btext in sorted(terms):
                for docnum, weight, value in terms[btext].postings():
                    yield fieldname, btext, docnum, weight, value


# Posting blocks whose pickle is shorter than this are written uncompressed. Whoosh compresses every block (its
# "less than 20 bytes, don't bother" is overwritten by the next line), and zlib makes a block of under ~250 bytes
# longer, not shorter: over the 2,225 BBC articles 64,000 of 74,000 blocks are that small, and zlib took them from
# 3.07 MB to 3.07 MB at the cost of a compressor set-up each. A block's header says whether it is compressed, and
# Whoosh's reader decompresses only those, so segments written either way mix in one index.
MIN_COMPRESSED_BLOCK = 256


class _LeanPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, compressing only the blocks that zlib makes smaller (MIN_COMPRESSED_BLOCK)."""

    def _write_block(self, last: bool = False) -> None:  # Whoosh's, but for the size check
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 2)
        comp = self._compression if len(databytes) >= MIN_COMPRESSED_BLOCK else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class _LeanFieldWriter(W3FieldWriter):
    """Whoosh's field writer with _LeanPostingsWriter for every field."""

    @classmethod
    def adopt(cls, fieldwriter: Any) -> None:
        if type(fieldwriter) is W3FieldWriter:
            fieldwriter.__class__ = cls

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        if type(self._postwriter) is W3PostingsWriter:
            self._postwriter.__class__ = _LeanPostingsWriter


class GroupedSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with a GroupedPostingPool and a block-at-a-time flush of grouped postings."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        limitmb = kwargs.get("limitmb", 128)
        self.pool: GroupedPostingPool = GroupedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        _CompactTermTable.adopt(self.fieldwriter._tindex)
        _LeanFieldWriter.adopt(self.fieldwriter)
        self._indexers: dict[str, Callable[[str], list[tuple[bytes, int, float, bytes]]] | None] = {}
        self._simple_fields: set[str] | None = None
        # Functions giving segments written elsewhere (the segment worker) for this commit, called once this
        # writer's own segment is written: their segments are listed after it.
        self.segment_sources: list[Callable[[], Any]] = []
        # Segments being merged into this one (reader of our own, first new docnum, old -> new docnums or None):
        # their postings are streamed into the new segment at the flush instead of going through the pool.
        self._merged: list[tuple[Any, int, dict[int, int] | None]] = []
        self._did_merge = False

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        """SegmentWriter.commit, with the segments of segment_sources listed after this writer's own."""
        self._check_state()
        final = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        final.extend(source() for source in self.segment_sources)
        self._commit_toc(final)
        self._finish()
        if self._did_merge:
            give_back_freed_memory()

    def add_document(self, **fields: Any) -> None:
        """SegmentWriter.add_document, with newsarc's text fields analysed by analysis.fast_indexer and each
        posting appended to its term's arrays directly (while the pool is grouped)."""
        pool = self.pool
        if self._simple_fields is None:
            self._simple_fields = {name for name, field in self.schema.items()
                                   if not field.separate_spelling() and not field.vector}
        if self._merged:  # documents after a merge: the merged postings must come first in the pool
            self._pool_merged()
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
                    if field.scorable:
                        length = sum(item[1] for item in items)
                    terms: dict[bytes, Any] = pool.terms.setdefault(fieldname, {})
                    pool.fieldnames.add(fieldname)
                    presence = pool.presence.get(fieldname)
                    if presence is None and type(field.format) is Existence:
                        presence = pool.presence[fieldname] = field.format.field_boost
                    if presence is not None:  # every posting is (docnum, the field's boost, no value)
                        for btext, _freq, _weight, _value in items:
                            seen = terms.get(btext)
                            if seen is None:
                                seen = terms[btext] = _Presence(presence)
                                pooled += _GROUPED_TERM + len(btext)
                            seen.docnums.append(docnum)
                        pooled += _PRESENCE_POSTING * len(items)
                    else:
                        for btext, _freq, weight, vbytes in items:
                            term = terms.get(btext)
                            if term is None:
                                term = terms[btext] = _Term()
                                pooled += _GROUPED_TERM + len(btext)
                            term.docnums.append(docnum)
                            term.weights.append(weight)
                            if vbytes:
                                term.data += vbytes
                                pooled += len(vbytes)
                            term.ends.append(len(term.data))
                        pooled += _TERM_POSTING * len(items)
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

    def add_reader(self, reader: Any) -> None:
        """SegmentWriter.add_reader (a merge), keeping the segment's postings where they are until the flush, which
        streams them term by term: Whoosh's own way copies every posting into the pool and sorts them all again,
        which held up to the pool's limit in memory (a merge of big segments reached it at any archive size)."""
        from whoosh.reading import SegmentReader

        self._did_merge = True
        if not (self.pool.grouped and self.codec.length_stats and isinstance(reader, SegmentReader)):
            super().add_reader(reader)
            return
        self._check_state()
        basedoc = self.docnum
        indexed = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | indexed, reader)
        # The caller (the merge policy) closes its reader when this returns: the flush reads through its own.
        self._merged.append((SegmentReader(self.storage, self.schema, reader.segment()), basedoc, docmap))
        self._added = True

    def _pool_merged(self) -> None:
        """Put the merged segments' postings into the pool after all (Whoosh's way), and close their readers."""
        merged, self._merged = self._merged, []
        for reader, basedoc, docmap in merged:
            self.add_postings_to_pool(reader, basedoc, docmap)
            reader.close()

    def _flush_segment(self) -> None:
        pool = self.pool
        if not (isinstance(pool, GroupedPostingPool) and pool.grouped and self.codec.length_stats):
            self._pool_merged()
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            write_grouped(self.fieldwriter, self.schema, lengths, pool.terms, self._merged)
        finally:
            self.fieldwriter.close()
            lengths.close()
            for reader, _basedoc, _docmap in self._merged:
                reader.close()
            self._merged = []

    def _close_segment(self) -> None:
        for reader, _basedoc, _docmap in self._merged:
            reader.close()
        self._merged = []
        super()._close_segment()


def give_back_freed_memory() -> None:
    """Ask the C allocator to return the memory a merge freed to the system (glibc's malloc_trim; elsewhere
    nothing). A merge of 238,500 articles allocates and frees tens of megabytes of arrays and term keys, and glibc
    kept 13 MB of them mapped after it, so the import's memory stayed at the height of its biggest merge; trimmed
    after the merge, it came back down (bench/results, docs/performance.md). It takes milliseconds, once per
    commit that merged."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows): nothing to ask
        return
    trim(0)


def write_grouped(fieldwriter: Any, schema: Any, lengths: Any, grouped: dict[str, dict[bytes, _Term | _Presence]],
                  merged: list[tuple[Any, int, dict[int, int] | None]] | None = None) -> None:
    """What FieldWriter.add_postings does for sorted postings, a term and a block at a time: the pool's terms
    (documents added to this segment) merged in order with the terms of the segments being merged into it."""
    doccount = lengths.doc_count_all()
    merged = merged or []
    fieldnames = set(grouped)
    for reader, _basedoc, _docmap in merged:
        fieldnames.update(name for name in reader.indexed_field_names() if name in schema)
    for fieldname in sorted(fieldnames):
        terms = grouped.get(fieldname, {})
        fieldobj = schema[fieldname]
        field_lengths = None
        if fieldobj.scorable:  # 4 bytes a document (a list cost 8), for the whole merged segment
            field_lengths = array("I", [lengths.doc_field_length(docnum, fieldname) or 0 for docnum in range(doccount)])
        started = False
        for btext, own, holders in _field_terms(fieldname, terms, merged):
            chunks: Iterator[tuple[Any, Any, Any]] | None = None
            first: tuple[Any, Any, Any] | None = None
            if holders:  # postings in merged segments: streamed, a block at a time
                chunks = _live(_merged_chunks(fieldname, btext, own, holders, merged))
                first = next(chunks, None)
                if first is None:  # no live posting: left out, as Whoosh does
                    continue
            if not started:
                fieldwriter.start_field(fieldname, fieldobj)
                started = True
            fieldwriter.start_term(btext)
            if chunks is None:
                assert own is not None
                _write_postings(fieldwriter._postwriter, own, field_lengths)
            else:
                assert first is not None
                stream = _BlockStream(fieldwriter._postwriter, field_lengths)
                stream.add(*first)
                for chunk in chunks:
                    stream.add(*chunk)
                stream.finish()
            fieldwriter.finish_term()
        if started:
            fieldwriter.finish_field()


def _field_terms(fieldname: str, terms: dict[bytes, _Term | _Presence],
                 merged: list[tuple[Any, int, dict[int, int] | None]],
                 ) -> Iterator[tuple[bytes, _Term | _Presence | None, list[tuple[int, Any]]]]:
    """A field's terms in order: (term, the pool's postings of it or None, the merged segments that hold it as
    (their number, the term's info there))."""
    if not merged:
        for btext in sorted(terms):
            yield btext, terms[btext], []
        return
    import heapq
    from itertools import groupby

    sources = [_tagged(((btext, None) for btext in sorted(terms)), -1)]
    for number, (reader, _basedoc, _docmap) in enumerate(merged):
        if fieldname in reader.indexed_field_names():
            sources.append(_tagged(_term_infos(reader, fieldname), number))
    for btext, group in groupby(heapq.merge(*sources), key=lambda entry: entry[0]):
        holders = [(number, info) for _btext, number, info in group]
        own = terms.get(btext) if holders[0][0] == -1 else None
        yield btext, own, [(number, info) for number, info in holders if number >= 0]


def _term_infos(reader: Any, fieldname: str) -> Iterator[tuple[bytes, Any]]:
    """(term, its term info) of one field of a segment, in order, read in one pass over the term table (asking
    for each term's info by key costs a hash lookup each: most of a merge's time)."""
    terms_reader = getattr(reader, "_terms", None)
    if terms_reader is None or not hasattr(terms_reader, "items_from"):
        yield from ((btext, None) for btext in reader.lexicon(fieldname))
        return
    for (name, btext), info in terms_reader.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield btext, info


def _tagged(entries: Iterable[tuple[bytes, Any]], number: int) -> Iterator[tuple[bytes, int, Any]]:
    for btext, info in entries:
        yield btext, number, info


def _merged_chunks(fieldname: str, btext: bytes, own: _Term | _Presence | None, holders: list[tuple[int, Any]],
                   merged: list[tuple[Any, int, dict[int, int] | None]]) -> Iterator[tuple[Any, Any, Any]]:
    """One term's postings as (docnums, weights, values or None) chunks in docnum order: the pool's (documents
    added before the merge), then each merged segment's, a stored block at a time, renumbered, deleted documents
    left out. A term is never whole in memory: a common word of a merge of 238,500 articles took megabytes, and
    the allocator kept what the biggest ones took (the import's memory grew with its merges)."""
    if own is not None:
        count = len(own.docnums)
        if isinstance(own, _Presence):
            yield own.docnums, array("d", [own.weight]) * count, None
        else:
            yield own.docnums, own.weights, own._values(0, count, keep_empty=True)
    for number, info in holders:
        reader, basedoc, docmap = merged[number]
        for ids, weights, values in _posting_blocks(reader, fieldname, btext, info):
            if values is not None and not values:  # an inlined term of a field without values: Whoosh kept ()
                values = None
            if docmap is None:
                yield [basedoc + docnum for docnum in ids], weights, values
                continue
            kept = [(new, weight, value) for new, weight, value in
                    zip(map(docmap.get, ids), weights, repeat(None) if values is None else values,
                        strict=values is not None) if new is not None]  # deleted documents are not mapped
            if kept:
                yield [new for new, _w, _v in kept], [w for _n, w, _v in kept], [v for _n, _w, v in kept]


def _live(chunks: Iterator[tuple[Any, Any, Any]]) -> Iterator[tuple[Any, Any, Any]]:
    return (chunk for chunk in chunks if len(chunk[0]))


class _BlockStream:
    """A term's postings, arriving in chunks of any size, put into the postings writer's block buffer a block at a
    time, as _write_postings does for a term held whole: a full block is written when the next posting arrives,
    the last one is left for finish_postings (which may inline it). The same bytes, one block in memory."""

    def __init__(self, postwriter: Any, field_lengths: array[int] | None) -> None:
        self.postwriter = postwriter
        self.limit: int = postwriter._blocklimit
        self.field_lengths = field_lengths
        self._reset()

    def _reset(self) -> None:
        self.ids = array("I")
        self.weights = array("d")  # Python floats, as _Term keeps them: the block's max weight is taken before float32
        self.values: list[bytes] = []  # the non-empty ones, as Whoosh's buffer holds them

    def add(self, ids: Any, weights: Any, values: Any) -> None:
        count = len(ids)
        position = 0
        while position < count:
            if len(self.ids) == self.limit:
                self._hand_over()
                self.postwriter._write_block()
                self._reset()
            stop = min(count, position + self.limit - len(self.ids))
            self.ids.extend(ids[position:stop])
            part = weights[position:stop]
            self.weights.extend(part.tolist() if isinstance(part, array) else part)
            if values is not None:
                self.values.extend(value for value in values[position:stop] if value)
            position = stop

    def finish(self) -> None:
        """Leave the last block in the writer's buffer (the caller's finish_term writes or inlines it)."""
        if len(self.ids):
            self._hand_over()

    def _hand_over(self) -> None:
        _fill_block(self.postwriter, self.ids, array("f", self.weights), self.values, max(0, max(self.weights)),
                    self.field_lengths)


def _posting_blocks(reader: Any, fieldname: str, btext: bytes, info: Any) -> Iterator[tuple[Any, Any, Any]]:
    """A segment's postings of one term as (ids, weights, values) a block at a time, deleted documents included
    (the caller's docmap leaves them out). Through Whoosh's matcher where the postings are not W3 blocks."""
    from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo

    fieldobj = reader.schema[fieldname]
    if type(info) is W3TermInfo:
        if info._inlined is not None:  # Whoosh's ListMatcher hands these out as they are
            yield info._inlined
            return
        fixedsize = fieldobj.format.fixed_value_size()
        if fixedsize is None or fixedsize <= 0:  # variable-size values, or none (fixed sizes: the matcher's way)
            yield from _w3_blocks(reader._terms._postfile, info, fixedsize)
            return
    if info is not None:
        matcher = reader._terms._codec.postings_reader(reader._terms._postfile, info, fieldobj.format)
    else:
        matcher = reader._terms.matcher(fieldname, btext, fieldobj.format)
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            yield matcher._ids, matcher._weights, matcher._values
            matcher._next_block()
        return
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    yield ids, weights, values


_BLOCK_LENGTH = struct.Struct("!i")
WHOLE_EXTENT_BYTES = 64 * 1024  # a term's postings in a segment read in one piece up to this size


def _w3_blocks(postfile: Any, info: Any, fixedsize: int | None) -> Iterator[tuple[Any, Any, Any]]:
    """W3LeafMatcher's blocks of one term, decoded as _read_ids, _read_weights and _read_values decode them, from
    one read of the term's whole extent (a merge of small segments reads about one block per term and segment,
    and a matcher's construction, seeks and header checks cost several times the decoding), or, for a term
    whose postings take more than WHOLE_EXTENT_BYTES, one read per block: a common word of a segment of 27,000
    articles takes a megabyte or more, and a merge holds one block of a term, not the term."""

    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves struct.unpack's tuple there
        (length,) = length
    whole = length <= WHOLE_EXTENT_BYTES
    raw = postfile.get(offset, length if whole else 8)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"posting block tag error at {offset}")
    start = 0  # where raw begins in the term's extent
    position = 4  # the next block's length, in the extent
    infos = io.BytesIO(raw)
    while True:
        if not whole:
            if position + 4 > start + len(raw):
                raw, start = postfile.get(offset + position, 4), position
            (block_length,) = _BLOCK_LENGTH.unpack_from(raw, position - start)
            raw, start = postfile.get(offset + position, 4 + abs(block_length)), position
            infos = io.BytesIO(raw)
        (block_length,) = _BLOCK_LENGTH.unpack_from(raw, position - start)
        last = block_length < 0
        end = position + 4 + abs(block_length)
        infos.seek(position + 4 - start)
        count, _maxid, _maxweight, compression, _minlength, _maxlength = pickle.load(infos)
        data = raw[infos.tell():end - start]
        ids, weights, values = pickle.loads(zlib.decompress(data) if compression else data)
        if weights is None:
            weights = array("f", [1.0]) * count
        elif isinstance(weights, float):
            weights = array("f", [weights]) * count
        if fixedsize == 0:
            values = (None,) * count
        yield tuple(accumulate(ids)), weights, values
        if last:
            return
        position = end


def _write_postings(postwriter: Any, term: _Term | _Presence, field_lengths: array[int] | None) -> None:
    """Fill the postings writer's block buffer as W3PostingsWriter.add_posting would, a block at a time: a full
    block is written when the next posting arrives, the last one is left for finish_postings (which may inline it)."""
    limit = postwriter._blocklimit
    docnums = term.docnums
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        _fill_block(postwriter, docnums[start:start + limit], *term.block(start, start + limit), field_lengths)


def _fill_block(postwriter: Any, ids: Any, weights: array[float], values: list[bytes], maxweight: float,
                field_lengths: array[int] | None) -> None:
    """Put one block of postings into the postings writer's buffer, with its documents' shortest and longest
    field lengths, as its add_posting would have left them."""
    postwriter._ids = ids
    postwriter._weights, postwriter._values, postwriter._maxweight = weights, values, maxweight
    if field_lengths is not None:
        present = [length for length in map(field_lengths.__getitem__, ids) if length]
        if present:
            postwriter._minlength = min(present)
            postwriter._maxlength = max(present)
