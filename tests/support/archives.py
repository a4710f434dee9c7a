"""Filling a test archive through the library, one call for the tests that need articles by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_named(archive: Path, records: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Add each record (article fields) to the archive; return the id each name got. Every record must be added."""
    from newsarc import api

    store = api.open_store(archive)
    try:
        report = api.add_articles(store, list(records.items()))
    finally:
        store.close()
    assert [o.status for o in report.outcomes] == ["added"] * len(records), [o.reason for o in report.outcomes]
    return {name: o.id for name, o in zip(records, report.outcomes, strict=True)}
