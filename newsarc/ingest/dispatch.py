"""From the bytes of one input to the articles in it: the one entry point `newsarc add` calls.

Each parsed article is a plain dict with the keys parse_text returns (title, date, date_ambiguous, source,
authors, tags, location, body, and optionally url, language or any provenance field).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsarc.ingest.decode import decode_bytes
from newsarc.ingest.text import parse_text


def parse_source(data: bytes, *, origin: str, date_order: str = "DMY") -> Iterator[dict[str, Any]]:
    """Every article one input holds. Plain text holds one."""
    text = decode_bytes(data, origin=origin)
    yield parse_text(text, date_order=date_order, origin=origin)
