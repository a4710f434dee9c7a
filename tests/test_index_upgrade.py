"""An archive whose index was built by an earlier newsarc keeps working (issue 12.3).

tests/fixtures/archive_315a3e9 was made by the code of commit 315a3e9 (before the package became sub-packages and
before the index schema changed): `newsarc init`, then `newsarc add` of a wire note naming AT&T and M&S, the seed
article (dated) and BBC politics/001.txt (undated). Its .newsarc/ holds that code's catalog and Whoosh index,
whose pickled schema names modules that no longer exist. Today's code rebuilds such an index once, saying so in
one line, and then searches it like any other.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "archive_315a3e9"
NEWSARC = Path(sys.executable).with_name("newsarc")


@pytest.fixture
def old_archive(tmp_path: Path) -> Path:
    copy = tmp_path / "old"
    shutil.copytree(FIXTURE, copy)
    return copy


def _run(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NEWSARC), "--archive", str(archive), *args], capture_output=True, text=True,
                          timeout=120)


def test_old_index_is_rebuilt_once_with_one_line_notice(old_archive: Path) -> None:
    first = _run(old_archive, "search", "Syria", "--ids")
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["x9v9r6tm09"]
    notice = first.stderr.strip().splitlines()
    assert len(notice) == 1, first.stderr
    assert "older version of newsarc" in notice[0] and "rebuild" in notice[0]
    assert "damaged" not in first.stderr and "Traceback" not in first.stderr
    again = _run(old_archive, "search", "Syria", "--ids")
    assert again.returncode == 0 and again.stderr == "" and again.stdout.split() == ["x9v9r6tm09"]


def test_old_index_answers_every_kind_of_read(old_archive: Path) -> None:
    assert set(_run(old_archive, "search", "Blair OR Syria", "--ids").stdout.split()) == {"x9v9r6tm09",
                                                                                          "9yb0ew0vt4"}
    assert _run(old_archive, "search", "maternity", "--ids").stdout.split() == ["9yb0ew0vt4"]
    assert _run(old_archive, "search", "Bokamal", "--ids").stdout.split() == ["x9v9r6tm09"]
    assert _run(old_archive, "search", "AT&T", "--ids").stdout.split() == ["hejz6jwkqy"]  # the rebuilt index
    listed = _run(old_archive, "list", "--jsonl")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3
    timeline = _run(old_archive, "timeline", "Blair OR Syria", "--json")
    assert timeline.returncode == 0, timeline.stderr
    assert '"undated": 1' in timeline.stdout
    check = _run(old_archive, "check")
    assert check.returncode == 0 and "no problems" in check.stderr, check.stdout + check.stderr
