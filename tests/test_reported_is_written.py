"""What `add` reports is already true on disk (found by the crash trials under load: `add one.txt` killed at 0.24 s
had printed "added ID" while the file was still being written by a background thread)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsarc import api


def _slow_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file write takes a moment, as on a busy disk: a write left to a background thread is not done yet
    when the caller goes on."""
    from newsarc.storage import atomic

    real = atomic.atomic_write

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(atomic, "atomic_write", slow)


def test_every_added_article_a_small_add_reports_is_on_disk_when_reported(
        archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = []
    for n in range(3):
        path = tmp_path / f"story{n}.txt"
        path.write_text(f"Story number {n}\n\nOfficials said on Monday that story {n} was true.\n", encoding="utf-8")
        inputs.append(str(path))
    _slow_disk(monkeypatch)
    store = api.open_store(archive)
    missing: list[str] = []

    def on_outcome(outcome: api.AddOutcome) -> None:
        if outcome.status == "added" and not list(archive.glob(f"articles/**/{outcome.id}.yaml")):
            missing.append(outcome.id)

    try:
        report = api.add_sources(store, api.iter_sources(inputs), on_outcome=on_outcome)
    finally:
        store.close()
    assert report.count("added") == 3
    assert missing == [], f"reported added before the file was written: {missing}"
