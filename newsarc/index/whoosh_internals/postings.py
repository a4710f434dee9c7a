"""Reading Whoosh's posting blocks with less Python per search: the same ids, weights and positions, found in
the same order, so the same hits, scores and totals.

Whoosh 2.7's W3 codec stores a posting list as blocks of up to 128 postings; each block is one pickled (and
compressed) tuple of ids, weights and values. A warm search of a word in a fifth of 100,000 articles reads about
200 blocks for its top ten and as many again for its exact total (newsarc.index.counting). Three changes to
W3LeafMatcher (and one to HashReader), put in place by install():

- shared_blocks(): inside it, a block unpickled once is kept (per thread) and handed to every other matcher
  that reads the same block of the same segment file until the end of the search; the total and the top-N
  collector read nearly the same blocks, so a search decodes each once. The same for each block's header and
  for where a term's entry is in a segment's term table (the collector, the count and the shown hits' terms
  each look up every term in every segment).
- _read_ids undoes the delta coding with itertools.accumulate (in C) instead of a Python generator.
- skip_to finds the target inside a block by bisection instead of stepping posting by posting in Python (the
  ids of a block are sorted; the block is found as before).

add_block_ids() gives newsarc.index.counting a term's ids a block at a time, from the same decoded blocks.

install() is called by newsarc.index.whoosh_internals.load() on the Whoosh these were written for, and nowhere
else. tests/test_counting.py checks hits, scores and totals against Whoosh's own walk, with and without the
sharing; tests/test_whoosh_boundary.py that every replacement is in place and runs.
"""

from __future__ import annotations

import contextlib
import threading
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filetables import HashReader
from whoosh.matching import ReadTooFar
from whoosh.matching.wrappers import FilterMatcher

from newsarc.index.whoosh_internals.patches import WHOOSH_OWN, replace

# The attributes used below are Whoosh 2.7's: a version without them keeps Whoosh's own methods.
SHAPE_FITS = all(hasattr(W3LeafMatcher, name) for name in ("_read_data", "_read_ids", "_next_block", "_goto",
                                                           "_skip_to_block", "skip_to"))
SHAPE_FITS = SHAPE_FITS and hasattr(HashReader, "ranges_for_key")

_shared = threading.local()


@contextlib.contextmanager
def shared_blocks() -> Iterator[None]:
    """Keep the posting blocks decoded in this thread until the end of the block, for the other matchers of the
    same search (a segment's blocks never change, and the search's searcher keeps its files open)."""
    if getattr(_shared, "blocks", None) is not None:
        yield
        return
    _shared.blocks = {}
    try:
        yield
    finally:
        _shared.blocks = None


def install() -> bool:
    """Put the replacements below in place of Whoosh's methods (once); False where Whoosh's classes lack them."""
    global _whoosh_read_data, _whoosh_goto, _whoosh_ranges_for_key
    if not SHAPE_FITS:
        return False
    _whoosh_read_data = WHOOSH_OWN.get((W3LeafMatcher, "_read_data"), W3LeafMatcher._read_data)
    _whoosh_goto = WHOOSH_OWN.get((W3LeafMatcher, "_goto"), W3LeafMatcher._goto)
    _whoosh_ranges_for_key = WHOOSH_OWN.get((HashReader, "ranges_for_key"), HashReader.ranges_for_key)
    replace(W3LeafMatcher, "_read_data", _read_data)
    replace(W3LeafMatcher, "_goto", _goto)
    replace(HashReader, "ranges_for_key", _ranges_for_key)
    replace(W3LeafMatcher, "_read_ids", _read_ids)
    replace(W3LeafMatcher, "skip_to", skip_to)
    return True


# Whoosh's own methods that the replacements call (set by install()).
_whoosh_read_data: Any = None
_whoosh_goto: Any = None
_whoosh_ranges_for_key: Any = None


def _read_data(self: Any) -> None:
    """W3LeafMatcher._read_data; inside shared_blocks(), a block decoded once is handed to the other matchers."""
    blocks = getattr(_shared, "blocks", None)
    if blocks is None:
        _whoosh_read_data(self)
        return
    key = (self._postfile, self._dataoffset)  # the file object itself, not its id(): kept alive, never reused
    data = blocks.get(key)
    if data is None:
        _whoosh_read_data(self)
        blocks[key] = self._data
    else:
        self._data = data


def _read_ids(self: Any) -> None:
    """W3LeafMatcher._read_ids, with the delta decoding done by itertools.accumulate (in C)."""
    if self._data is None:
        self._read_data()
    ids = self._data[0]
    self._ids = ids if self._byteids else tuple(accumulate(ids))


def skip_to(self: Any, targetid: int) -> None:
    """W3LeafMatcher.skip_to, finding the target inside a block by bisection."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
    if not self.is_active():
        return
    if self._ids is None:
        self._read_ids()
    ids = self._ids
    position = bisect_left(ids, targetid, self._i)
    if position < len(ids):
        self._i = position
        return
    self._i = len(ids) - 1  # not reached (the block's last id is >= targetid): Whoosh's own steps
    while self.is_active() and self.id() < targetid:
        self.next()


def _goto(self: Any, position: int) -> None:
    """W3LeafMatcher._goto; inside shared_blocks(), a block's header is read once."""
    blocks = getattr(_shared, "blocks", None)
    if blocks is None:
        _whoosh_goto(self, position)
        return
    key = (self._postfile, position, "info")
    info = blocks.get(key)
    if info is None:
        _whoosh_goto(self, position)
        blocks[key] = (self._lastblock, self._nextoffset, self._dataoffset, self._blocklength, self._maxid,
                       self._maxweight, self._compression, self._minlength, self._maxlength)
        return
    self._data = self._ids = self._weights = self._values = None
    self._i = 0
    if info[0]:
        self._lastblock = True
    (_, self._nextoffset, self._dataoffset, self._blocklength, self._maxid, self._maxweight,
     self._compression, self._minlength, self._maxlength) = info


def _ranges_for_key(self: Any, key: bytes) -> Iterator[tuple[int, int]]:
    """HashReader.ranges_for_key; inside shared_blocks(), where a term's entry is is looked up once."""
    blocks = getattr(_shared, "blocks", None)
    if blocks is None:
        return _whoosh_ranges_for_key(self, key)
    memo_key = (self, key, "ranges")
    found = blocks.get(memo_key)
    if found is None:
        found = blocks[memo_key] = list(_whoosh_ranges_for_key(self, key))
    return iter(found)


def add_block_ids(matcher: Any, out: set[int], *, fast: bool) -> None:
    """Add the ids of a term's postings (a reader's matcher for it) to out, deleted documents included (the
    caller removes them per segment). fast: block by block, as _read_ids decodes them but without a Python-level
    loop (newsarc.index.counting); otherwise, or for postings that are not W3 blocks, Whoosh's all_ids()."""
    if isinstance(matcher, FilterMatcher):  # the deleted-documents filter: they are removed per segment instead
        matcher = matcher.child
    if not (fast and SHAPE_FITS and type(matcher) is W3LeafMatcher):
        out.update(matcher.all_ids())  # inlined postings (a term of one document): a ListMatcher
        return
    while not matcher._atend:
        if matcher._data is None:
            matcher._read_data()
        raw = matcher._data[0]
        out.update(raw if matcher._byteids else accumulate(raw))
        matcher._next_block()


def values_by_id(matcher: Any, *, fast: bool) -> dict[int, Any]:
    """The encoded value (positions, for a phrase) of each posting of a term, by document number, deleted
    documents included. fast: whole blocks at a time (ids and values are two arrays of the decoded block, zipped
    in C); otherwise, or for postings that are not W3 blocks of variable-size values, Whoosh's own walk."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    out: dict[int, Any] = {}
    if not (fast and SHAPE_FITS and type(matcher) is W3LeafMatcher and matcher._fixedsize is None):
        while matcher.is_active():
            out[matcher.id()] = matcher.value()
            matcher.next()
        return out
    while not matcher._atend:
        if matcher._data is None:
            matcher._read_data()
        raw = matcher._data[0]
        out.update(zip(raw if matcher._byteids else accumulate(raw), matcher._data[2], strict=True))
        matcher._next_block()
    return out
