"""An interrupted `reindex` leaves the old index searchable (issue 20, point 3).

The new index and catalog are built beside the ones in use (.newsarc/index.new, catalog.new.sqlite) and switched
to at the end. Real `newsarc reindex` processes, held in the middle of their build (newsarc.pause_point: a batch is
in the new index, the switch is still to come, however busy the machine is), then interrupted or killed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BBC, need_shared
from tests.support.events import HANG_GUARD, paused_env, sigint_as_at_a_terminal, wait_until_paused

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load
INTERRUPTED = ("newsarc: warning: the last index rebuild (`newsarc reindex`) was interrupted; the index from before it "
               "is kept and searched (`newsarc reindex` rebuilds it)\n")


def newsarc(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSARC, "--archive", str(archive), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def filled(archive: Path) -> Path:
    need_shared(BBC)
    files = [str(p) for p in sorted((BBC / "sport").glob("*.txt"))[:400]]
    assert newsarc(archive, "add", "-q", *files).returncode == 0
    return archive


def stopped_mid_build(archive: Path, marker: Path) -> subprocess.Popen[str]:
    """A `newsarc reindex` that waits in the middle of its build (`marker` exists while it waits): the new index
    beside the old one holds a batch, and the switch is still to come."""
    process = subprocess.Popen([NEWSARC, "--archive", str(archive), "reindex"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=paused_env(marker, "rebuild"),
                               preexec_fn=sigint_as_at_a_terminal)
    wait_until_paused(process, marker)
    assert {"index.new", "catalog.new.sqlite"} <= state_files(archive)
    return process


def state_files(archive: Path) -> set[str]:
    return {path.name for path in (archive / ".newsarc").iterdir()}


def test_ctrl_c_during_reindex_leaves_the_old_index_searchable_and_the_next_command_says_so(filled: Path,
                                                                                           tmp_path: Path) -> None:
    expected = newsarc(filled, "search", "England", "--ids").stdout
    assert expected
    process = stopped_mid_build(filled, tmp_path / "paused")
    try:
        # During the build, searches answer from the old index and say why it may be behind.
        during = newsarc(filled, "search", "England", "--ids")
        assert during.stdout == expected
        assert during.stderr == (f"newsarc: warning: the index is being rebuilt (pid {process.pid}); answering from "
                                 "the index as it was before\n")
    finally:
        process.send_signal(signal.SIGINT)  # lands while it waits mid-build: Ctrl-C at a terminal
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 130
    assert stderr.splitlines()[-1] == ("newsarc: interrupted: the index was not rebuilt; the one from before is kept "
                                       "and searched")
    assert "Traceback" not in stderr

    after = newsarc(filled, "search", "England", "--ids")
    assert after.stdout == expected
    assert after.stderr == INTERRUPTED  # one line, once
    assert "index.new" not in state_files(filled) and "catalog.new.sqlite" not in state_files(filled)
    assert newsarc(filled, "search", "England", "--ids").stderr == ""


def test_a_killed_reindex_leaves_the_old_index_and_the_next_reindex_cleans_up(filled: Path, tmp_path: Path) -> None:
    expected = newsarc(filled, "search", "England", "--ids").stdout
    process = stopped_mid_build(filled, tmp_path / "paused")
    process.kill()
    process.communicate()
    assert {"index.new", "catalog.new.sqlite"} <= state_files(filled)

    again = newsarc(filled, "reindex")
    assert again.returncode == 0, again.stderr
    files = sum(1 for _ in (filled / "articles").rglob("*.yaml"))
    assert again.stdout.startswith(f"indexed {files} articles")
    assert not {"index.new", "catalog.new.sqlite", "index.old"} & state_files(filled)
    search = newsarc(filled, "search", "England", "--ids")
    assert search.stdout == expected
    assert search.stderr == ""
    check = newsarc(filled, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_switch_killed_between_its_two_renames_is_undone_by_the_next_command(filled: Path) -> None:
    """The switch renames index -> index.old, then index.new -> index; a kill in between leaves no index."""
    expected = newsarc(filled, "search", "England", "--ids").stdout
    state = filled / ".newsarc"
    (state / "index").rename(state / "index.old")
    search = newsarc(filled, "search", "England", "--ids")
    assert search.stdout == expected
    assert search.stderr == ""  # not rebuilt: the old index was put back
    assert (state / "index").is_dir() and not (state / "index.old").exists()
