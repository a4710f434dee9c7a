"""Import Whoosh without the two imports it makes but never uses on our paths.

`whoosh.reading` imports the third-party `cached_property` package, which imports asyncio (~20 ms), and
`whoosh.compat` imports `urllib.request.urlretrieve`, which pulls in ssl, http and email (~10 ms). Together they
were a third of a search's start-up. import_whoosh() lends Whoosh stand-ins for the time of the import only:
`cached_property` becomes functools' equivalent (same caching in the instance __dict__), and `urlretrieve` a
function that imports the real one if it is ever called. Nothing of either stays in sys.modules afterwards, so
other code that imports them gets the real modules.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def _lazy_urlretrieve(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - whoosh never calls it on our paths
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


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
