"""Replacements of Whoosh methods, applied by newsarc.index.whoosh_internals.load() (nowhere else, once each).

Two kinds, kept apart because they fall back differently on a Whoosh version they were not written for:

- fixes of Whoosh bugs (install_fixes): without them an index goes wrong, so they apply on any version that
  still has the code they replace;
- fast paths (install_fast_paths): the same answers with less Python; only on the Whoosh they were written for
  (the package docstring says why and how).

Each replacement function is defined in this module (or postings.py), so a test can tell it is in place by its
__module__, and a profile shows it running.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

# (owner class, attribute name) -> Whoosh's own value, for every attribute replaced: the tests compare with them.
WHOOSH_OWN: dict[tuple[type, str], Any] = {}


def replace(owner: type, name: str, replacement: Any) -> None:
    """Put replacement at owner.name, keeping Whoosh's own first (once: a second call changes nothing)."""
    if (owner, name) in WHOOSH_OWN:
        return
    WHOOSH_OWN[owner, name] = owner.__dict__[name]
    setattr(owner, name, replacement)


# -- fixes ---------------------------------------------------------------------------------------------------
def install_fixes() -> None:
    _own_random()
    _columns_over_every_segment()


def _own_random() -> None:
    """Whoosh names new segment files with the global `random`: a program that reseeds it (hypothesis does for
    every example, a notebook may) makes two commits pick the same name and corrupts the index. Give whoosh its
    own generator, seeded by the OS."""
    import random

    util: Any = sys.modules["whoosh.util"]
    if hasattr(util, "random") and not isinstance(util.random, random.SystemRandom):
        util.random = random.SystemRandom()


def _columns_over_every_segment() -> None:
    """Whoosh's MultiReader.column_reader leaves out the segments that have no file for the column (a segment
    of undated articles has no date column) but keeps document numbers as if they were there: a document of a
    left-out segment is looked up in another segment at a negative offset (OSError: Invalid argument, or a
    wrong value). Give every segment its reader; a segment without the file answers the column's default."""
    from whoosh import columns, reading

    if not (hasattr(reading.MultiReader, "column_reader") and hasattr(columns, "MultiColumnReader")):
        return

    def column_reader(self: Any, fieldname: str, column: Any = None, reverse: bool = False,
                      translate: bool = True) -> Any:
        readers = [r.column_reader(fieldname, column=column, reverse=reverse, translate=translate)
                   for r in self.readers]
        return columns.MultiColumnReader(readers, list(self.doc_offsets))

    replace(reading.MultiReader, "column_reader", column_reader)


# -- fast paths ----------------------------------------------------------------------------------------------
def install_fast_paths() -> None:
    _remember_missing_columns()
    _fast_stem_cache()
    _lengths_read_whole()


def _remember_missing_columns() -> None:
    """Whoosh asks a segment for a field's length once per posting when it writes or merges segments. For fields
    without a length column (ids, keywords, dates) its per-document reader answers "no column" by a stat() of
    the missing file, and does not remember the answer: a million stat() calls per 10,000 articles, about a
    tenth of indexing time (profile: `python -m cProfile` over `bench.inproc rawwhoosh`). A segment's files
    never change once written, so remembering the miss is safe. Applies to the raw-Whoosh baseline too."""
    from whoosh.codec import whoosh3

    looks_up = whoosh3.W3PerDocReader._cached_reader

    def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
        readers = self._readers
        if fieldname in readers:
            return readers[fieldname]
        reader = looks_up(self, fieldname, column)
        readers[fieldname] = reader
        return reader

    replace(whoosh3.W3PerDocReader, "_cached_reader", _cached_reader)


def _lengths_read_whole() -> None:
    """Scoring a match (BM25F) asks the segment for the document's field length: Whoosh reads that one byte from
    the length column with a seek and a read, in Python, for every match of every scored field. For common words
    the top-N walk scores thousands of matches, so this grew with the posting lists: a fifth of `oil prices` at
    50,000 articles (issue 24.3). A segment's columns never change once written: the whole column (one byte a
    document) is read once per reader and indexed in memory. The same lengths, the same quirk (a zero byte, a
    field the document lacks, answers None)."""
    from whoosh.codec import whoosh3
    from whoosh.columns import NumericColumn

    own = whoosh3.W3PerDocReader.doc_field_length
    length_of = whoosh3.byte_to_length
    lenfield, lengths_column = whoosh3._lenfield, whoosh3.LENGTHS_COLUMN

    def doc_field_length(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
        cache = self.__dict__.setdefault("_newsarc_lengths", {})
        lengths = cache.get(fieldname)
        if lengths is None:
            reader = self._cached_reader(lenfield(fieldname), lengths_column)
            if (reader is None or type(reader) is not NumericColumn.Reader or reader._typecode != "B"
                    or reader._fixedlen != 1):
                return own(self, docnum, fieldname, default)
            lengths = cache[fieldname] = reader._dbfile.get(reader._basepos, reader._count)
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        if lbyte:
            return length_of(lbyte)
        return None

    replace(whoosh3.W3PerDocReader, "doc_field_length", doc_field_length)


def _fast_stem_cache() -> None:
    """Whoosh's StemFilter memoises the stemmer in its own pure-Python LFU cache, consulted once per word of
    every text Whoosh analyses: in a profile of `newsarc add` over the BBC folder it cost more than the stemming
    it saves. functools' LRU cache (in C) gives the same stems (the stemmer is a pure function) several times
    faster. The filter's pickled form, and so the index schema, are unchanged. Filters made before this ran
    (none: load() runs before any schema exists) would keep Whoosh's cache."""
    from whoosh.analysis import morph

    def clear(self: Any) -> None:
        stemfn = _stemfn(self)
        size = self.cachesize
        if isinstance(size, int) and size > 1:
            self._stem = functools.lru_cache(maxsize=size)(stemfn)
        elif isinstance(size, int) and size < 0:
            self._stem = functools.cache(stemfn)
        else:
            self._stem = stemfn

    replace(morph.StemFilter, "clear", clear)


def _stemfn(stem_filter: Any) -> Any:
    if stem_filter.lang:
        from whoosh.lang import stemmer_for_language

        return stemmer_for_language(stem_filter.lang)
    return stem_filter.stemfn
