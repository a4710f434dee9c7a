"""The search index: the backend protocols and their request/result types (backend.py), and the Whoosh engine.

default_engine() is the engine an archive's store uses unless it is given another (newsarc.api.open_store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarc.index.backend import Engine


def default_engine() -> Engine:
    """Whoosh, embedded (newsarc.index.whoosh_engine); loads nothing of Whoosh yet."""
    from newsarc.index.whoosh_engine import WhooshEngine

    return WhooshEngine()
