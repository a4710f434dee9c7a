"""Articles most like one article: its key terms (title, body, tags) searched, with the terms each hit shares.

    from newsarc.similar import similar
    found = similar(store, "3kq8", limit=10)
    found.key_terms        # ["Raqqa", "offensive", ...]
    found.hits             # [(SearchHit, ["Raqqa", "SDF"]), ...]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarc.index.backend import SearchHit
    from newsarc.storage.store import Store


@dataclass
class Similar:
    id: str  # the article they are like (its full id)
    title: str
    key_terms: list[str]
    hits: list[tuple[SearchHit, list[str]]] = field(default_factory=list)  # (hit, the key terms it shares)


def similar(store: Store, text: str, *, limit: int = 10) -> Similar:
    """The `limit` articles most like the article with id (or unique prefix) text."""
    store.refresh(write=False)
    store.require_index()
    doc_id, _ = store.resolve(text)
    source, found = store.read_index(lambda: store.backend.similar(doc_id, limit=limit))
    return Similar(doc_id, source.get("title", ""), list(source.get("key_terms", [])), found)
