"""A copied archive is not taken for an interrupted add (issue 20, point 6).

`cp -a`, rsync or a restore from backup keeps each file's mtime and size but gives it a new inode, so every stamp
in the copy's catalog differs. The catalog keeps a digest of each file's bytes: a file whose content is what the
catalog recorded gets its new stamp and is not indexed again; no warning blames an add or a pull.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import BBC, need_shared

NEWSARC = str(Path(sys.executable).with_name("newsarc"))


def newsarc(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSARC, "--archive", str(archive), *args], capture_output=True, text=True, timeout=300)


def index_files(archive: Path) -> set[str]:
    """The Whoosh index's files: indexing anything again writes a new segment and table of contents."""
    return {path.name for path in (archive / ".newsarc" / "index").iterdir()}


def copy_with_cp(source: Path, target: Path) -> None:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)


def copy_with_copytree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 BBC articles: more than a reader indexes itself, so a copy taken for changed files was warned about."""
    need_shared(BBC)
    root = tmp_path_factory.mktemp("original") / "arc"
    subprocess.run([NEWSARC, "init", str(root)], check=True, capture_output=True)
    files = [str(p) for p in sorted((BBC / "politics").glob("*.txt"))[:250]]
    added = newsarc(root, "add", *files)
    assert added.returncode == 0, added.stderr
    assert newsarc(root, "search", "election", "--count").returncode == 0
    return root


@pytest.mark.parametrize("copy", [copy_with_cp, copy_with_copytree], ids=["cp -a", "shutil.copytree"])
def test_a_copied_archive_is_searched_without_a_warning_or_indexing_anything_again(
        original: Path, tmp_path: Path, copy: Callable[[Path, Path], None]) -> None:
    copied = tmp_path / "copy"
    copy(original, copied)
    before = index_files(copied)
    expected = newsarc(original, "search", "election", "--ids")

    search = newsarc(copied, "search", "election", "--ids")
    assert search.returncode == 0
    assert search.stderr == ""
    assert search.stdout == expected.stdout
    assert index_files(copied) == before  # nothing was indexed again

    # The stamps are recorded: the next writer has nothing to catch up either.
    one_more = sorted((BBC / "tech").glob("*.txt"))[0]
    added = newsarc(copied, "add", str(one_more))
    assert added.returncode == 0, added.stderr
    assert added.stderr == ""
    assert added.stdout.startswith("added ")
    stats = json.loads(newsarc(copied, "stats", "--json").stdout)
    assert stats["articles"] == 251


def test_in_a_copy_only_what_really_changed_is_indexed_again(original: Path, tmp_path: Path) -> None:
    copied = tmp_path / "copy"
    copy_with_cp(original, copied)
    edited = sorted((copied / "articles").rglob("*.yaml"))[0]
    data = yaml.safe_load(edited.read_text(encoding="utf-8"))
    data["body"] = "Zanzibarword. " + data["body"]
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    search = newsarc(copied, "search", "zanzibarword", "--count")
    assert search.stderr == ""
    assert search.stdout == "1\n"
    assert newsarc(copied, "search", "election", "--ids").stdout == newsarc(original, "search", "election",
                                                                              "--ids").stdout
