"""The field-by-field merge behind newsarc's git merge driver (newsarc/storage/gitmerge.py), and its set-up checks.
Whole merges through git are in test_git_clones_merge.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarc.cli.app import cli
from newsarc.storage.gitmerge import main as driver_main
from newsarc.storage.gitmerge import merge_fields, merged_article_text

BASE = {"id": "pc9wpamfkx", "title": "Convoy reaches Abu Kamal", "date": "2017-05-18", "added": "2020-01-02T00:00:00Z",
        "tags": ["Syria", "Abu Kamal"], "body": "Text.\n"}


def test_changes_on_different_fields_both_land() -> None:
    ours = {**BASE, "title": "Convoy reaches al-Bukamal"}
    theirs = {**BASE, "source": "Bench Wire", "tags": ["Syria", "Abu Kamal", "Deir ez-Zor"]}
    merged = merge_fields(BASE, ours, theirs)
    assert merged == {**BASE, "title": "Convoy reaches al-Bukamal", "source": "Bench Wire",
                      "tags": ["Syria", "Abu Kamal", "Deir ez-Zor"]}


def test_tags_merge_as_sets_and_removals_stick() -> None:
    ours = {**BASE, "tags": ["Syria", "Euphrates"]}  # removed Abu Kamal, added Euphrates
    theirs = {**BASE, "tags": ["Abu Kamal", "Syria", "Iraq"]}  # reordered, added Iraq
    assert merge_fields(BASE, ours, theirs)["tags"] == ["Syria", "Euphrates", "Iraq"]


def test_added_in_both_clones_keeps_the_earlier_time_whichever_side_is_ours() -> None:
    early, late = {**BASE, "added": "2019-06-01T10:00:00Z"}, {**BASE, "added": "2021-03-04T05:06:07Z"}
    earlier = "2019-06-01T10:00:00Z"
    assert merge_fields(None, early, late)["added"] == merge_fields(None, late, early)["added"] == earlier


@pytest.mark.parametrize("field", ["title", "body", "date"])
def test_a_field_both_sides_changed_differently_is_a_conflict(field: str) -> None:
    one, two = ("2018-01-01", "2019-01-01") if field == "date" else ("one", "two")
    ours, theirs = {**BASE, field: one}, {**BASE, field: two}
    assert merge_fields(BASE, ours, theirs) is None
    assert merge_fields(None, ours, theirs) is None  # added in both clones with different content


def test_a_field_deleted_on_one_side_and_kept_on_the_other_is_deleted() -> None:
    ours = {**BASE, "location": "Deir ez-Zor"}
    base = dict(ours)
    theirs = {k: v for k, v in ours.items() if k != "location"}
    assert "location" not in merge_fields(base, ours, theirs)


def test_merged_text_is_what_newsarc_writes_and_bad_yaml_defers_to_the_line_merge() -> None:
    ours = b"id: pc9wpamfkx\ntitle: Convoy\ndate: 2017-05-18\nadded: '2021-01-01T00:00:00Z'\nbody: |\n  Text.\n"
    theirs = ours.replace(b"2021-01-01", b"2019-01-01")
    text = merged_article_text(b"", ours, theirs, origin="articles/2017/05/pc9wpamfkx.yaml")
    assert text is not None and "added: '2019-01-01T00:00:00Z'" in text and text.startswith("id: pc9wpamfkx\n")
    assert merged_article_text(b"", ours, b"title: [unclosed\n", origin="x.yaml") is None
    assert merged_article_text(b"", ours, b"- a list\n", origin="x.yaml") is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_driver_leaves_markers_and_says_conflict(tmp_path: Path) -> None:
    base, ours, theirs = tmp_path / "base", tmp_path / "ours", tmp_path / "theirs"
    base.write_text("id: pc9wpamfkx\ntitle: Old\nbody: |\n  Text.\n", encoding="utf-8")
    ours.write_text("id: pc9wpamfkx\ntitle: Mine\nbody: |\n  Text.\n", encoding="utf-8")
    theirs.write_text("id: pc9wpamfkx\ntitle: Theirs\nbody: |\n  Text.\n", encoding="utf-8")
    assert driver_main([str(base), str(ours), str(theirs), "7", "articles/undated/pc9wpamfkx.yaml"]) == 3
    assert "<<<<<<< ours\ntitle: Mine\n=======\ntitle: Theirs\n>>>>>>> theirs\n" in ours.read_text(encoding="utf-8")


def test_the_driver_as_git_runs_it(tmp_path: Path) -> None:
    base, ours, theirs = tmp_path / "base", tmp_path / "ours", tmp_path / "theirs"
    base.write_text("id: pc9wpamfkx\ntitle: Old\ntags:\n- Syria\nbody: |\n  Text.\n", encoding="utf-8")
    ours.write_text("id: pc9wpamfkx\ntitle: New\ntags:\n- Syria\nbody: |\n  Text.\n", encoding="utf-8")
    theirs.write_text("id: pc9wpamfkx\ntitle: Old\ntags:\n- Syria\n- Iraq\nbody: |\n  Text.\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-I", "-m", "newsarc.storage.gitmerge",
                             str(base), str(ours), str(theirs), "7",
                             "articles/undated/pc9wpamfkx.yaml"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert ours.read_text(encoding="utf-8") == (
        "id: pc9wpamfkx\ntitle: New\ndate: null\ntags:\n- Syria\n- Iraq\nadded: null\nbody: |\n  Text.\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_check_sets_up_a_clone_newsarc_never_wrote_to(tmp_path: Path) -> None:
    root = tmp_path / "arc"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(root)]).exit_code == 0
    assert (root / ".gitattributes").read_text(encoding="utf-8").count("merge=newsarc") == 1
    assert runner.invoke(cli, ["--archive", str(root), "check"]).exit_code == 0  # not in git: nothing to do
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitattributes").unlink()  # an archive made before newsarc wrote it
    checked = runner.invoke(cli, ["--archive", str(root), "check"])
    assert checked.exit_code == 0, checked.output
    assert "registered its git merge driver" in checked.output
    assert "merge=newsarc" in (root / ".gitattributes").read_text(encoding="utf-8")
    config = subprocess.run(["git", "-C", str(root), "config", "--get", "merge.newsarc.driver"], capture_output=True,
                            text=True, check=True).stdout
    assert "newsarc.storage.gitmerge" in config
    again = runner.invoke(cli, ["--archive", str(root), "check"])
    assert again.exit_code == 0 and "registered" not in again.output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_is_missing_for_clean_merges_is_named(tmp_path: Path) -> None:
    """What check reports when it could not set git up (git refused to write its config, say)."""
    from newsarc.storage.gitmerge import git_setup_gaps

    root = tmp_path / "arc"
    root.mkdir()
    assert git_setup_gaps(root) == []  # not in git
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert git_setup_gaps(root) == [
        (".gitattributes", "lacks newsarc's merge rules, so clones adding the same article conflict"),
        (".git/config", "newsarc's merge driver is not registered in this clone")]
    subprocess.run(["git", "-C", str(root), "config", "merge.newsarc.driver",
                    "/gone/python -m newsarc.storage.gitmerge"],
                   check=True)
    stale = (".git/config", "newsarc's merge driver is registered for another Python in this clone")
    assert stale in git_setup_gaps(root)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_an_archive_in_a_folder_its_repository_ignores_is_left_alone(tmp_path: Path) -> None:
    """Like the benchmark's archives under bench/.cache: nothing there is ever merged."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("cache/\n", encoding="utf-8")
    root = tmp_path / "cache" / "arc"
    story = tmp_path / "story.txt"
    story.write_text("Convoy reaches Abu Kamal\n\nA convoy reached the town on Thursday.\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(root)]).exit_code == 0
    added = runner.invoke(cli, ["--archive", str(root), "add", str(story)])
    assert added.exit_code == 0 and "registered" not in added.output
    config = subprocess.run(["git", "-C", str(tmp_path), "config", "--local", "--get-regexp", "merge"],
                            capture_output=True, text=True)
    assert config.stdout == ""
    assert runner.invoke(cli, ["--archive", str(root), "check"]).exit_code == 0
    # remembered, so later writes do not ask git again
    assert (root / ".newsarc" / "git-merge-driver").read_text(encoding="utf-8").startswith("not tracked")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_rules_name_article_files_only(tmp_path: Path) -> None:
    """Originals kept beside the YAML (.orig.gz) are bytes: git's own handling, not the field merge."""
    from newsarc.storage.archive import init_archive

    root = init_archive(tmp_path / "arc")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    paths = ["articles/2017/05/x9v9r6tm09.yaml", "articles/2017/05/x9v9r6tm09.orig.gz", "articles/undated/a.yaml",
             "aliases.yaml", "watches.yaml", "newsarc.yaml", "feeds/0123456789ab.yaml"]
    result = subprocess.run(["git", "-C", str(root), "check-attr", "merge", "--", *paths], capture_output=True,
                            text=True, check=True)
    assert result.stdout.splitlines() == [
        "articles/2017/05/x9v9r6tm09.yaml: merge: newsarc", "articles/2017/05/x9v9r6tm09.orig.gz: merge: unspecified",
        "articles/undated/a.yaml: merge: newsarc", "aliases.yaml: merge: union", "watches.yaml: merge: union",
        "newsarc.yaml: merge: unspecified", "feeds/0123456789ab.yaml: merge: unspecified"]
