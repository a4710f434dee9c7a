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
from tests.support.locks import wait_until_unlocked

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load


def newsarc(archive: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSARC, "--archive", str(archive), *args], capture_output=True, text=True,
                          timeout=timeout)


def yaml_files(archive: Path) -> int:
    return sum(1 for _ in (archive / "articles").rglob("*.yaml"))


def articles_in_index(archive: Path) -> int:
    stats = newsarc(archive, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    return json.loads(stats.stdout)["articles"]


def start(archive: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([NEWSARC, "--archive", str(archive), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop_once_written(process: subprocess.Popen[str], archive: Path, count: int) -> None:
    """SIGSTOP the process once `count` article files are on disk (it must still be running then)."""
    deadline = time.monotonic() + 240
    while yaml_files(archive) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command wrote too few articles in time"
        time.sleep(0.01)
    process.send_signal(signal.SIGSTOP)


def interrupt(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Ctrl-C a stopped process: SIGINT is queued, SIGCONT delivers it."""
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGCONT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def bbc_inputs() -> list[str]:
    need_shared(BBC)
    return [str(p) for p in sorted((BBC / "business").glob("*.txt"))[:450]]


def interrupted_add(archive: Path, inputs: list[str], *, after: int) -> int:
    """An add stopped by Ctrl-C once `after` files are written, before its first batch is indexed; the number of
    article files it left."""
    process = start(archive, "add", *inputs)
    stop_once_written(process, archive, after)
    result = interrupt(process)
    assert result.returncode == 130, result.stderr
    return yaml_files(archive)


def test_after_an_interrupted_add_readers_say_what_is_missing_and_one_background_catch_up_indexes_it(
        archive: Path, bbc_inputs: list[str]) -> None:
    written = interrupted_add(archive, bbc_inputs, after=300)

    search = newsarc(archive, "search", "economy", "--count")
    assert search.stdout == "0\n"  # the index as it stands: the interrupted add indexed nothing
    line = re.fullmatch(rf"newsarc: warning: {written} article files not in the index yet \(left by an "
                        r"interrupted add\): being indexed in the background \(pid (\d+)\); answering from the "
                        r"index as it stands\n", search.stderr)
    assert line, search.stderr
    catch_up = line.group(1)

    # While it runs, other readers say so too, and start no second one.
    listed = newsarc(archive, "list", "--limit", "0")
    if listed.stderr.startswith("newsarc: warning:"):  # (unless the catch-up has finished already)
        assert re.fullmatch(rf"newsarc: warning: \d+ article files? not in the index yet: being indexed in the "
                            rf"background \(pid {catch_up}\); answering from the index as it stands",
                            listed.stderr.splitlines()[0]), listed.stderr

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
    importing = start(archive, "import", str(source))
    # Its first batch is committed before the file after it is written (batches are indexed as they fill).
    stop_once_written(importing, archive, BATCH + 1)
    try:
        search = newsarc(archive, "search", "batchword", "--count")
        stats = newsarc(archive, "stats", "--json")
        written = yaml_files(archive)
    finally:
        importing.send_signal(signal.SIGCONT)
    assert int(search.stdout) >= BATCH
    pending = written - int(search.stdout)
    assert search.stderr == (f"newsarc: warning: an import is in progress (pid {importing.pid}): answers include the "
                             f"articles it has indexed so far; {pending} article files written but not searchable "
                             "yet\n")
    assert json.loads(stats.stdout)["articles"] == int(search.stdout)
    assert stats.stderr == search.stderr
    importing.communicate(timeout=300)
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
