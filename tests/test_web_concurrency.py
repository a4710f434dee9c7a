"""`newsarc serve` under load (issue 21, point 7): readers in parallel, and a bound on what one query may cost."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.web_server import make_web_archive, start_server

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")


def test_a_slow_search_does_not_hold_up_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_web_archive(tmp_path / "arc")
    marker = tmp_path / "paused"
    monkeypatch.setenv("NEWSARC_TEST_PAUSE_QUERY", "Mosul")  # the server holds this search while marker exists
    monkeypatch.setenv("NEWSARC_TEST_PAUSE_FILE", str(marker))
    running = start_server(archive)
    slow: dict[str, object] = {}
    try:
        held = threading.Thread(target=lambda: slow.update(answer=running.get("/api/search?q=Mosul")))
        held.start()
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the held search never reached its pause"
        started = time.monotonic()
        for path in ("/api/search?q=Raqqa", "/?q=Raqqa", "/", "/timeline?q=Raqqa"):
            assert running.get(path)[0] == 200
        assert time.monotonic() - started < 10  # answered while the Mosul search is still held
        assert held.is_alive() and "answer" not in slow
        marker.unlink()
        held.join(30)
        assert slow["answer"][0] == 200  # type: ignore[index]
    finally:
        if marker.exists():
            marker.unlink()
        assert running.stop() == 0


@pytest.mark.parametrize("query, says", [
    ("*a* OR *e* OR *i* OR *o*", "has 4 wildcard terms (*a*, *e*, *i*, *o*); at most 3 are expanded at once"),
    ("*a*", "the wildcard *a* would expand to most of the archive&#39;s words; give it at least 3 letters"),
    (" ".join(["Raqqa"] * 41), "has 41 words and operators; at most 40 are searched at once"),
])
def test_a_query_too_broad_is_refused_at_once_with_the_reason(tmp_path: Path, query: str, says: str) -> None:
    archive = make_web_archive(tmp_path / "arc")
    running = start_server(archive)
    try:
        started = time.monotonic()
        status, _, body = running.get("/?q=" + quote(query))
        assert status == 400 and f"q is too broad: it {says}".replace("it the", "the") in body.decode()
        assert running.get("/api/search?q=" + quote(query))[0] == 400
        assert running.get("/?q=Bukam*+OR+Raqq*")[0] == 200  # a wildcard with letters is still searched
        assert time.monotonic() - started < 10
    finally:
        assert running.stop() == 0
