"""Import Whoosh without the two imports it makes but never uses on our paths, and with its own random source.

`whoosh.reading` imports the third-party `cached_property` package, which imports asyncio (~20 ms), and
`whoosh.compat` imports `urllib.request.urlretrieve`, which pulls in ssl, http and email (~10 ms). Together they
are a third of a search's start-up. We import whoosh through `load()`, which lends it stand-ins for the time of
the import only: `cached_property` becomes functools' equivalent (same caching in the instance __dict__), and
`urlretrieve` a function that imports the real one if it is ever called. Nothing of either stays in
sys.modules afterwards, so other code that imports them gets the real modules.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def _lazy_urlretrieve(*args, **kwargs):  # pragma: no cover - whoosh never calls it on our paths
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def load() -> None:
    """Import the whoosh modules newsarc uses, with the light stand-ins described above."""
    if "whoosh.reading" in sys.modules:
        _own_random()
        _remember_missing_columns()
        _columns_over_every_segment()
        _fast_stem_cache()
        return
    import functools

    lent: dict[str, types.ModuleType] = {}
    if "cached_property" not in sys.modules:
        shim = types.ModuleType("cached_property")
        shim.cached_property = functools.cached_property  # type: ignore[attr-defined]  # a stand-in module we fill
        lent["cached_property"] = shim
    if "urllib.request" not in sys.modules:
        shim = types.ModuleType("urllib.request")
        shim.urlretrieve = _lazy_urlretrieve  # type: ignore[attr-defined]  # a stand-in module we fill
        lent["urllib.request"] = shim
    sys.modules.update(lent)
    try:
        import whoosh.fields  # noqa: F401
        import whoosh.index  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in lent.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        urllib = sys.modules.get("urllib")
        if urllib is not None and getattr(urllib, "request", None) is lent.get("urllib.request"):
            delattr(urllib, "request")
    _own_random()
    _columns_over_every_segment()


def _own_random() -> None:
    """Whoosh names new segment files with the global `random`: a program that reseeds it (hypothesis does for
    every example, a notebook may) makes two commits pick the same name and corrupts the index. Give whoosh its
    own generator, seeded by the OS."""
    import random

    util: Any = sys.modules["whoosh.util"]
    if not isinstance(util.random, random.SystemRandom):
        util.random = random.SystemRandom()


def _fast_stem_cache() -> None:
    """Whoosh's StemFilter memoises the stemmer in its own pure-Python LFU cache, consulted once per word of
    every text indexed: in a profile of `newsarc add` over the BBC folder it cost more than the stemming it
    saves. functools' LRU cache (in C) gives the same stems (the stemmer is a pure function) several times
    faster. The filter's pickled form, and so the index schema, are unchanged."""
    import functools

    from whoosh.analysis import morph

    if getattr(morph.StemFilter, "_newsarc_fast_cache", False):
        return

    def clear(self):
        stemfn = _stemfn(self)
        size = self.cachesize
        if isinstance(size, int) and size > 1:
            self._stem = functools.lru_cache(maxsize=size)(stemfn)
        elif isinstance(size, int) and size < 0:
            self._stem = functools.cache(stemfn)
        else:
            self._stem = stemfn

    morph.StemFilter.clear = clear
    morph.StemFilter._newsarc_fast_cache = True


def _stemfn(stem_filter):
    if stem_filter.lang:
        from whoosh.lang import stemmer_for_language

        return stemmer_for_language(stem_filter.lang)
    return stem_filter.stemfn


def _remember_missing_columns() -> None:
    """Whoosh asks a segment for a field's length once per posting when it writes or merges segments. For fields
    without a length column (ids, keywords, dates) its per-document reader answers "no column" by a stat() of
    the missing file, and does not remember the answer: a million stat() calls per 10,000 articles, about a
    tenth of indexing time (profile: `python -m cProfile` over `bench.inproc rawwhoosh`). A segment's files
    never change once written, so remembering the miss is safe. Applies to the raw-Whoosh baseline too."""
    from whoosh.codec import whoosh3

    reader_class = whoosh3.W3PerDocReader
    if getattr(reader_class, "_newsarc_remembers_missing_columns", False):
        return
    looks_up = reader_class._cached_reader

    def _cached_reader(self, fieldname, column):
        readers = self._readers
        if fieldname in readers:
            return readers[fieldname]
        reader = looks_up(self, fieldname, column)
        readers[fieldname] = reader
        return reader

    reader_class._cached_reader = _cached_reader
    reader_class._newsarc_remembers_missing_columns = True


def _columns_over_every_segment() -> None:
    """Whoosh's MultiReader.column_reader leaves out the segments that have no file for the column (a segment
    of undated articles has no date column) but keeps document numbers as if they were there: a document of a
    left-out segment is looked up in another segment at a negative offset (OSError: Invalid argument, or a
    wrong value). Give every segment its reader; a segment without the file answers the column's default."""
    from whoosh import columns, reading

    multi = reading.MultiReader
    if getattr(multi, "_newsarc_columns_over_every_segment", False):
        return

    def column_reader(self, fieldname, column=None, reverse=False, translate=True):
        readers = [r.column_reader(fieldname, column=column, reverse=reverse, translate=translate)
                   for r in self.readers]
        return columns.MultiColumnReader(readers, list(self.doc_offsets))

    multi.column_reader = column_reader
    multi._newsarc_columns_over_every_segment = True
