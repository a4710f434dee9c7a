"""Waiting for events, not for time (issue 25): tests that start processes wait until something has happened,
with a generous bound that only guards against a hang, and interrupt a command at a known point of its work
(newsarc.pause_point) instead of racing it.

A bound that runs out fails the test saying what "did not happen within N s"; it is never how a test measures
speed (speed is the benchmark's job: bench/README.md, "Ctrl-C to exit").
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsarc.pause_point import AFTER_VAR, CATCH_UP, FILE_VAR, LAST, REBUILD

HANG_GUARD = 120.0  # seconds: far beyond anything a loaded 2-core machine needs; only a hang reaches it


def sigint_as_at_a_terminal() -> None:
    """Popen's preexec_fn for a command a test stops with SIGINT: Ctrl-C reaches it as at a terminal even when
    the test run itself ignores SIGINT, as a background job of a script does (`bash .ci/run &`): an ignored
    signal is inherited, and the command would run on as if nothing had been sent."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def paused_env(marker: Path, after: int | str = LAST, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a command that pauses after its `after`th new article (`last`: before its last
    commit; `rebuild`: in an index rebuild, before its switch; `catch-up`: in the background catch-up a reader
    starts, before it indexes anything), creating `marker` and waiting while it exists (newsarc.pause_point)."""
    assert after in (LAST, REBUILD, CATCH_UP) or (isinstance(after, int) and after > 0), after
    return {**(os.environ if base is None else base), AFTER_VAR: str(after), FILE_VAR: str(marker)}


def wait_for(condition: Callable[[], bool], what: str, *, process: subprocess.Popen | None = None,
             timeout: float = HANG_GUARD) -> None:
    """Return once condition() holds; fail if `process` exits first or after `timeout` seconds (a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"{what} did not happen: the command exited first with status {process.returncode}\n"
                        f"stdout: {out!s:.2000}\nstderr: {err!s:.2000}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.01)


def wait_until_paused(process: subprocess.Popen, marker: Path, *, timeout: float = HANG_GUARD) -> None:
    """Wait until the command has reached its pause: it is in the middle of its work, and waits there."""
    wait_for(marker.exists, f"the command's pause ({marker.name})", process=process, timeout=timeout)


def finish(process: subprocess.Popen, what: str, *, timeout: float = HANG_GUARD) -> tuple[str, str]:
    """The rest of the process's (stdout, stderr) once it exits; a hang kills it and fails the test."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def release_pause(marker: Path, *, timeout: float = HANG_GUARD) -> None:
    """Let a command that is not our child (the background catch-up a reader started) go on from its pause: wait
    until it is there, then remove the marker (removed earlier, the command would create it again and wait)."""
    wait_for(marker.exists, f"the command's pause ({marker.name})", timeout=timeout)
    marker.unlink()
