"""Import Whoosh without the three imports it makes but never uses on our paths.

`whoosh.reading` imports the third-party `cached_property` package, which imports asyncio (~20 ms), and
`whoosh.compat` imports `urllib.request.urlretrieve`, which pulls in ssl, http and email (~10 ms). Together they
were a third of a search's start-up. `whoosh.query.terms` imports `whoosh.lang.morph_en` for its Variations
query (English word forms, which newsarc never builds): a table of regular expressions compiled at import, 5-7 ms
of every process. import_whoosh() lends Whoosh stand-ins for the time of the import only: `cached_property`
becomes functools' equivalent (same caching in the instance __dict__), and `urlretrieve` and `variations`
functions that import the real ones if they are ever called. Nothing of them stays in sys.modules afterwards, so
other code that imports those modules gets the real ones.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def _lazy_urlretrieve(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - whoosh never calls it on our paths
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _lazy_variations(word: str) -> Any:  # only a Whoosh Variations query calls it; newsarc builds none
    from whoosh.lang.morph_en import variations

    return variations(word)


_LENT_FUNCTIONS = {"urllib.request": ("urlretrieve", _lazy_urlretrieve),
                   "whoosh.lang.morph_en": ("variations", _lazy_variations)}


def import_whoosh() -> None:
    """Import the whoosh modules newsarc uses, with the light stand-ins described above."""
    if "whoosh.reading" in sys.modules:
        return
    import functools

    lent: dict[str, types.ModuleType] = {}
    if "cached_property" not in sys.modules:
        shim = types.ModuleType("cached_property")
        shim.cached_property = functools.cached_property  # type: ignore[attr-defined]  # a stand-in module we fill
        lent["cached_property"] = shim
    for name, (attribute, function) in _LENT_FUNCTIONS.items():
        if name not in sys.modules:
            shim = types.ModuleType(name)
            setattr(shim, attribute, function)  # a stand-in module with the one function Whoosh imports
            lent[name] = shim
    sys.modules.update(lent)
    try:
        import whoosh.fields  # noqa: F401
        import whoosh.index  # noqa: F401
        import whoosh.query  # noqa: F401  (load() imports it anyway, through the fast paths)
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in lent.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        for name in lent:
            parent, _, child = name.rpartition(".")
            package = sys.modules.get(parent)
            if package is not None and getattr(package, child, None) is lent[name]:
                delattr(package, child)
