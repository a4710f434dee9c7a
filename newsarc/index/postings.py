"""Reading Whoosh's posting blocks with less Python per search: the same ids, weights and positions, found in
the same order, so the same hits, scores and totals.

Whoosh 2.7's W3 codec stores a posting list as blocks of up to 128 postings; each block is one pickled (and
compressed) tuple of ids, weights and values. A warm search of a word in a fifth of 100,000 articles reads about
200 blocks for its top ten and as many again for its exact total (newsarc.index.counting). Three changes, made
to W3LeafMatcher when this module is imported:

- shared_blocks(): inside it, a block unpickled once is kept (per thread) and handed to every other matcher
  that reads the same block of the same segment file until the end of the search; the total and the top-N
  collector read nearly the same blocks, so a search decodes each once. The same for each block's header and
  for where a term's entry is in a segment's term table (the collector, the count and the shown hits' terms
  each look up every term in every segment).
- _read_ids undoes the delta coding with itertools.accumulate (in C) instead of a Python generator.
- skip_to finds the target inside a block by bisection instead of stepping posting by posting in Python (the
  ids of a block are sorted; the block is found as before).

tests/test_counting.py checks hits, scores and totals against Whoosh's own walk, with and without the sharing.
"""

from __future__ import annotations

import contextlib
import threading
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from newsarc.index import whoosh_loader

whoosh_loader.load()

from whoosh.codec.whoosh3 import W3LeafMatcher  # noqa: E402
from whoosh.filedb.filetables import HashReader  # noqa: E402
from whoosh.matching import ReadTooFar  # noqa: E402

# The attributes used below are Whoosh 2.7's; without them Whoosh's own methods stay in place.
SUPPORTED = all(hasattr(W3LeafMatcher, name) for name in ("_read_data", "_read_ids", "_next_block", "_goto",
                                                          "_skip_to_block", "skip_to"))
SUPPORTED = SUPPORTED and hasattr(HashReader, "ranges_for_key")

_shared = threading.local()
WHOOSH_OWN: dict[tuple[type, str], Any] = {}  # Whoosh's own methods, by class and name, replaced below (tests
# compare with them)


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


def _install() -> None:
    if not SUPPORTED or getattr(W3LeafMatcher, "_newsarc_postings", False):
        return
    WHOOSH_OWN.update({(W3LeafMatcher, name): getattr(W3LeafMatcher, name)
                       for name in ("_read_data", "_read_ids", "skip_to", "_goto")})
    WHOOSH_OWN[HashReader, "ranges_for_key"] = HashReader.ranges_for_key
    read_data = WHOOSH_OWN[W3LeafMatcher, "_read_data"]

    def _read_data(self: Any) -> None:
        blocks = getattr(_shared, "blocks", None)
        if blocks is None:
            read_data(self)
            return
        key = (self._postfile, self._dataoffset)  # the file object itself, not its id(): kept alive, never reused
        data = blocks.get(key)
        if data is None:
            read_data(self)
            blocks[key] = self._data
        else:
            self._data = data

    def _read_ids(self: Any) -> None:
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))

    def skip_to(self: Any, targetid: int) -> None:
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

    goto = WHOOSH_OWN[W3LeafMatcher, "_goto"]

    def _goto(self: Any, position: int) -> None:
        blocks = getattr(_shared, "blocks", None)
        if blocks is None:
            goto(self, position)
            return
        key = (self._postfile, position, "info")
        info = blocks.get(key)
        if info is None:
            goto(self, position)
            blocks[key] = (self._lastblock, self._nextoffset, self._dataoffset, self._blocklength, self._maxid,
                           self._maxweight, self._compression, self._minlength, self._maxlength)
            return
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        if info[0]:
            self._lastblock = True
        (_, self._nextoffset, self._dataoffset, self._blocklength, self._maxid, self._maxweight,
         self._compression, self._minlength, self._maxlength) = info

    ranges_for_key = WHOOSH_OWN[HashReader, "ranges_for_key"]

    def _ranges_for_key(self: Any, key: bytes) -> Iterator[tuple[int, int]]:
        blocks = getattr(_shared, "blocks", None)
        if blocks is None:
            return ranges_for_key(self, key)
        memo_key = (self, key, "ranges")
        found = blocks.get(memo_key)
        if found is None:
            found = blocks[memo_key] = list(ranges_for_key(self, key))
        return iter(found)

    W3LeafMatcher._read_data = _read_data
    W3LeafMatcher._goto = _goto
    HashReader.ranges_for_key = _ranges_for_key
    W3LeafMatcher._read_ids = _read_ids
    W3LeafMatcher.skip_to = skip_to
    W3LeafMatcher._newsarc_postings = True


_install()
