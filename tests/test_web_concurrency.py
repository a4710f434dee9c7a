"""`newsarc serve` under load (issue 21, point 7): readers in parallel, and a bound on what one query may cost."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.events import HANG_GUARD, wait_for
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
        wait_for(marker.exists, "the held search's pause", process=running.process)
        for path in ("/api/search?q=Raqqa", "/?q=Raqqa", "/", "/timeline?q=Raqqa"):
            assert running.get(path)[0] == 200
        # Answered while the Mosul search is still held (an event, not a time: the marker is still there).
        assert held.is_alive() and "answer" not in slow and marker.exists()
        marker.unlink()
        held.join(HANG_GUARD)
        assert slow["answer"][0] == 200  # type: ignore[index]
    finally:
        if marker.exists():
            marker.unlink()
        assert running.stop() == 0


def test_no_search_waits_behind_a_slow_one_while_another_reader_is_free(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Many searches at once while one is held: each goes to a reader that is free, none queues behind the held
    one (handing requests to the reader with the fewest waiting put one in four behind it once all were busy)."""
    archive = make_web_archive(tmp_path / "arc")
    marker = tmp_path / "paused"
    monkeypatch.setenv("NEWSARC_TEST_PAUSE_QUERY", "Mosul")
    monkeypatch.setenv("NEWSARC_TEST_PAUSE_FILE", str(marker))
    running = start_server(archive)
    slow: dict[str, object] = {}
    answers: list[int] = []
    try:
        held = threading.Thread(target=lambda: slow.update(answer=running.get("/api/search?q=Mosul")))
        held.start()
        wait_for(marker.exists, "the held search's pause", process=running.process)
        crowd = [threading.Thread(target=lambda q=q: answers.append(running.get(f"/api/search?q={q}")[0]))
                 for q in ("Raqqa", "Aleppo", "council", "water", "schools", "Raqqa") * 4]
        for client in crowd:
            client.start()
        for client in crowd:
            client.join(HANG_GUARD)
        assert answers == [200] * len(crowd)  # every one answered while the Mosul search is still held
        assert held.is_alive() and "answer" not in slow and marker.exists()
        marker.unlink()
        held.join(HANG_GUARD)
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
def test_a_query_too_broad_is_refused_at_once_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              query: str, says: str) -> None:
    """Refused before any search work starts: the server would hold a search of this query at the test pause
    (creating `marker`), so a refusal that came only after searching is seen as such, however fast the machine."""
    archive = make_web_archive(tmp_path / "arc")
    marker = tmp_path / "searched"
    monkeypatch.setenv("NEWSARC_TEST_PAUSE_QUERY", query)
    monkeypatch.setenv("NEWSARC_TEST_PAUSE_FILE", str(marker))
    running = start_server(archive)
    answers: dict[str, tuple] = {}

    def ask() -> None:
        answers["page"] = running.get("/?q=" + quote(query))
        answers["api"] = running.get("/api/search?q=" + quote(query))

    try:
        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        wait_for(lambda: not asking.is_alive() or marker.exists(), "the answers to the broad query",
                 process=running.process)
        assert not marker.exists(), "the broad query was searched before it was refused"
        status, _, body = answers["page"]
        assert status == 400 and f"q is too broad: it {says}".replace("it the", "the") in body.decode()
        assert answers["api"][0] == 400
        assert running.get("/?q=Bukam*+OR+Raqq*")[0] == 200  # a wildcard with letters is still searched
    finally:
        if marker.exists():
            marker.unlink()
        assert running.stop() == 0
