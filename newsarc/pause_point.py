"""A test-only pause in the bulk loops of `add` and `import` and in an index rebuild: tests that must interrupt or
kill a command in the middle of its work make it wait at a known point, so that it provably has work left when the
signal lands, however busy the machine is (a test that polls for files and then signals loses that race on a
loaded machine: issue 25).

Inert unless both variables are set, which only the test suite does (tests/support/pause.py):

- NEWSARC_TEST_PAUSE_AFTER: a number N -- pause once this run has written its Nth new article file --, `last`
  -- pause after the last article, just before the final commit of the run -- or `rebuild` -- pause once a
  rebuild of the index (`reindex`, `check --repair`, an index from an older version) has put its first batch of
  articles into the new index beside the one in use (newsarc.storage.switch), before it switches to it -- or
  `catch-up` -- pause in a background catch-up (newsarc.storage.catchup) once it holds the lock, before it
  indexes anything: the reader that started it has answered by then, so a test knows what it answered from;
- NEWSARC_TEST_PAUSE_FILE: a path. At the pause, the command creates this file, then waits while it exists (at
  most LIMIT_SECONDS, then it goes on as if it had been removed). The test signals the command while it waits
  there, or removes the file to let it go on.

A value that is not a positive number, `last`, `rebuild` or `catch-up` leaves the pause off. Documented for the
next engineer in docs/reliability.md ("Tests on a busy machine"); it is not a user setting.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

AFTER_VAR = "NEWSARC_TEST_PAUSE_AFTER"
FILE_VAR = "NEWSARC_TEST_PAUSE_FILE"
AFTER_ARTICLE = "after-article"  # not a value of AFTER_VAR: a number there means this
LAST = "last"
REBUILD = "rebuild"
CATCH_UP = "catch-up"
LIMIT_SECONDS = 600.0  # a test that died without removing the file must not leave a command waiting for ever
POLL_SECONDS = 0.01


class PausePoint:
    """Where one run waits, `at` one of: AFTER_ARTICLE (once it has written its `after`th new article), LAST
    (before its final commit), REBUILD (in a rebuild, after its first batch) or CATCH_UP (at the start of a
    background catch-up). Each point waits once at most."""

    def __init__(self, marker: Path, at: str, after: int = 0):
        self.marker = marker
        self.at = at
        self.after = after
        self.written = 0
        self._waited = False

    @classmethod
    def from_environ(cls) -> PausePoint | None:
        """The pause the environment asks for, or None (the normal case: both variables unset)."""
        value, marker = os.environ.get(AFTER_VAR, ""), os.environ.get(FILE_VAR, "")
        if not value or not marker:
            return None
        if value in (LAST, REBUILD, CATCH_UP):
            return cls(Path(marker), value)
        if value.isdigit() and int(value) > 0:
            return cls(Path(marker), AFTER_ARTICLE, int(value))
        return None

    def article_written(self, settle: Callable[[], None] | None = None) -> None:
        """Count one new article file written by this run; wait here if it is the one asked for. `settle` is
        called first: a run hands its files to background writers (newsarc.storage.store.BackgroundWrites), and
        on a busy machine the 300th handed over was the 190th on disk, so an interrupt there left fewer files
        than the test asked for (fewer than a reader's catch-up limit: indexed in the foreground, not left)."""
        self.written += 1
        if self.at == AFTER_ARTICLE and self.written == self.after:
            if settle is not None:
                settle()
            self._wait_once()

    def before_last_commit(self) -> None:
        """The run has written everything and is about to record its last batch: wait here if asked for."""
        if self.at == LAST:
            self._wait_once()

    def rebuild_batch_built(self) -> None:
        """A rebuild has put a batch into the new index (the first time: wait here if asked for); the switch to
        it is still to come, so a signal that lands here interrupts a rebuild that has work left."""
        if self.at == REBUILD:
            self._wait_once()

    def catch_up_started(self) -> None:
        """A background catch-up holds the lock and has indexed nothing yet: wait here if asked for."""
        if self.at == CATCH_UP:
            self._wait_once()

    def _wait_once(self) -> None:
        if not self._waited:
            self._waited = True
            self.wait()

    def wait(self) -> None:
        """Say where we are (create the file), then wait while the file is there: a signal lands in this wait."""
        self.marker.write_text(f"{os.getpid()}\n", encoding="utf-8")
        deadline = time.monotonic() + LIMIT_SECONDS
        while self.marker.exists() and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)


QUERY_VAR = "NEWSARC_TEST_PAUSE_QUERY"  # with FILE_VAR: a server's search for exactly this query waits


def pause_for_query(query: str) -> None:
    """Tests only: when NEWSARC_TEST_PAUSE_QUERY is this query and NEWSARC_TEST_PAUSE_FILE is set, wait there as
    `wait` does (tests/test_web_concurrency.py holds one search of `newsarc serve` this way)."""
    wanted, marker = os.environ.get(QUERY_VAR), os.environ.get(FILE_VAR)
    if wanted and marker and query == wanted:
        PausePoint(Path(marker), QUERY_VAR).wait()
