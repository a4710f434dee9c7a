"""Readers never present a half-known archive as the whole truth (issue 20, points 4 and 5).

After an interrupted add, during an add or import, and after a big `git pull`, a reading command answers from the
index as it stands and says on stderr, in one line, how many articles are not searchable yet and why; what is
missing is indexed by one background catch-up that the reader starts, after which nothing is left to warn about.
Real processes and real signals throughout; every wait is on an event (files written, the lock let go).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BBC, need_shared
from tests.support.events import finish, paused_env, release_pause, sigint_as_at_a_terminal, wait_until_paused
from tests.support.locks import wait_until_unlocked

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load


def newsarc(archive: Path, *args: str, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSARC, "--archive", str(archive), *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def yaml_files(archive: Path) -> int:
    return sum(1 for _ in (archive / "articles").rglob("*.yaml"))


def articles_in_index(archive: Path) -> int:
    stats = newsarc(archive, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    return json.loads(stats.stdout)["articles"]


def start_paused(archive: Path, marker: Path, after: int, *args: str) -> subprocess.Popen[str]:
    """A writing command that waits at a known point, once it has written its `after`th new article file
    (newsarc.pause_point): it provably has work left however busy the machine is. Returns once it waits there."""
    process = subprocess.Popen([NEWSARC, "--archive", str(archive), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=paused_env(marker, after),
                               preexec_fn=sigint_as_at_a_terminal)
    wait_until_paused(process, marker)
    return process


def interrupt(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Ctrl-C a command waiting at its pause."""
    process.send_signal(signal.SIGINT)
    stdout, stderr = finish(process, "the exit after Ctrl-C")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def bbc_inputs() -> list[str]:
    need_shared(BBC)
    return [str(p) for p in sorted((BBC / "business").glob("*.txt"))[:450]]


def interrupted_add(archive: Path, inputs: list[str], *, after: int) -> int:
    """An add stopped by Ctrl-C once `after` files are written, before its first batch is indexed; the number of
    article files it left."""
    process = start_paused(archive, archive.parent / "add-paused", after, "add", *inputs)
    result = interrupt(process)
    assert result.returncode == 130, result.stderr
    written = yaml_files(archive)
    assert written == after  # the pause waits until the `after`th file is on disk (newsarc.pause_point)
    return written


def test_after_an_interrupted_add_readers_say_what_is_missing_and_one_background_catch_up_indexes_it(
        archive: Path, bbc_inputs: list[str]) -> None:
    written = interrupted_add(archive, bbc_inputs, after=300)

    # The catch-up the search starts waits before it indexes anything (newsarc.pause_point), so what the search
    # and the next reader answered from is known however busy the machine is.
    held = archive.parent / "catch-up-paused"
    search = newsarc(archive, "search", "economy", "--count", env=paused_env(held, "catch-up"))
    assert search.stdout == "0\n"  # the index as it stands: the interrupted add indexed nothing
    line = re.fullmatch(rf"newsarc: warning: {written} article files not in the index yet \(left by an "
                        r"interrupted add\): being indexed in the background \(pid (\d+)\); answering from the "
                        r"index as it stands\n", search.stderr)
    assert line, search.stderr
    catch_up = line.group(1)

    # While it runs, other readers say so too, and start no second one.
    listed = newsarc(archive, "list", "--limit", "0")
    assert re.fullmatch(rf"newsarc: warning: {written} article files not in the index yet: being indexed in the "
                        rf"background \(pid {catch_up}\); answering from the index as it stands",
                        listed.stderr.splitlines()[0]), listed.stderr

    release_pause(held)
    wait_until_unlocked(archive)
    # One catch-up, and everything is searchable, with nothing left to warn about (point 5).
    assert articles_in_index(archive) == written
    again = newsarc(archive, "search", "economy", "--count")
    assert again.stderr == ""
    assert int(again.stdout) > 0
    assert (archive / ".newsarc" / "catch-up.log").read_text() == (
        f"indexing {written} article files changed since the index was last updated (left by an interrupted "
        "add)...\n")


def test_the_next_add_indexes_what_an_interrupted_add_left_and_names_the_cause(
        archive: Path, bbc_inputs: list[str]) -> None:
    written = interrupted_add(archive, bbc_inputs, after=300)
    again = newsarc(archive, "add", *bbc_inputs)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[0] == (f"newsarc: warning: indexing {written} article files changed since the "
                                            "index was last updated (left by an interrupted add)...")
    assert articles_in_index(archive) == yaml_files(archive)
    assert newsarc(archive, "search", "economy", "--count").stderr == ""


def records(path: Path, count: int, word: str) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(json.dumps({"title": f"{word} story {n}", "date": "2020-03-04",
                                  "body": f"{word} appears in story number {n} of the batch test."}) + "\n")
    return path


def test_a_search_during_an_import_sees_the_committed_batches_and_says_an_import_is_in_progress(
        archive: Path, tmp_path: Path) -> None:
    from newsarc.storage.store import BATCH

    source = records(tmp_path / "many.jsonl", 2 * BATCH, "Batchword")
    # It waits once its (BATCH + 1)th article file is written: its first batch is committed by then (batches are
    # indexed as they fill), the article after it is not.
    marker = tmp_path / "import-paused"
    importing = start_paused(archive, marker, BATCH + 1, "import", str(source))
    try:
        search = newsarc(archive, "search", "batchword", "--count")
        stats = newsarc(archive, "stats", "--json")
        written = yaml_files(archive)
    finally:
        marker.unlink()  # let it go on
    assert written == BATCH + 1
    assert search.stdout == f"{BATCH}\n"
    assert search.stderr == (f"newsarc: warning: an import is in progress (pid {importing.pid}): answers include the "
                             "articles it has indexed so far; 1 article file written but not searchable yet\n")
    assert json.loads(stats.stdout)["articles"] == BATCH
    assert stats.stderr == search.stderr
    finish(importing, "the end of the import")
    assert importing.returncode == 0
    assert newsarc(archive, "search", "batchword", "--count").stdout == f"{2 * BATCH}\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_after_a_big_git_pull_readers_say_what_is_missing_without_guessing_a_cause(
        archive: Path, tmp_path: Path, bbc_inputs: list[str]) -> None:
    assert newsarc(archive, "add", *bbc_inputs[:20]).returncode == 0
    git(archive, "init", "-q")
    git(archive, "add", "-A")
    git(archive, "commit", "-qm", "first")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(archive), str(clone))
    assert newsarc(clone, "search", "economy", "--count").returncode in (0, 1)  # builds the clone's index
    assert newsarc(archive, "add", *bbc_inputs[20:]).returncode == 0
    git(archive, "add", "-A")
    git(archive, "commit", "-qm", "more")
    git(clone, "pull", "-q")
    pulled = yaml_files(clone) - 20

    search = newsarc(clone, "search", "economy", "--count")
    assert re.fullmatch(rf"newsarc: warning: {pulled} article files not in the index yet: being indexed in the "
                        r"background \(pid \d+\); answering from the index as it stands\n", search.stderr), \
        search.stderr
    wait_until_unlocked(clone)
    after = newsarc(clone, "search", "economy", "--count")
    assert after.stderr == ""
    assert after.stdout == newsarc(archive, "search", "economy", "--count").stdout
    assert articles_in_index(clone) == yaml_files(clone)


def test_a_catch_up_of_files_too_recent_to_trust_leaves_no_false_warning(archive: Path,
                                                                        bbc_inputs: list[str]) -> None:
    """`check` after an interrupted add said "no problems", and the next search still warned that 1358 files
    had changed: files written within the last two seconds have stamps too recent to trust (racy), so they were
    recorded as unknown, and every later command took them for changed. Their content is known now, so the next
    command records their stamps without indexing or warning."""
    written = interrupted_add(archive, bbc_inputs, after=300)
    # As if the check ran at once after the interrupt: every stamp is within the racy window when recorded.
    future = time.time_ns() + 30 * 10**9
    for path in (archive / "articles").rglob("*.yaml"):
        os.utime(path, ns=(future, future))
    check = newsarc(archive, "check")
    assert check.returncode == 0, check.stderr
    assert check.stderr == f"checked {written} article files: no problems\n"
    for _ in range(2):
        search = newsarc(archive, "search", "economy", "--count")
        assert search.stderr == ""
        assert int(search.stdout) > 0
