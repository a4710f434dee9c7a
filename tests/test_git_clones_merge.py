"""Hand edits and git: what a person or git does to the YAML shows in the next search; two clones that each
added articles merge without conflicts from newsarc's own files, and ids never collide.

An article added in both clones has the same id and file but each clone's own `added` time: newsarc's git merge
driver (newsarc/storage/gitmerge.py, registered in each clone newsarc writes to) merges it field by field. Without the
driver git's line merge conflicts on the `added:` line and `newsarc check --repair` resolves exactly that case
(the earlier time is kept, so both clones resolve it the same way); every other difference is left to the user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.errors import ExitCode

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")
GIT_ENV = {"GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "Tester",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def newsarc(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([NEWSARC, "--archive", str(root), *args], capture_output=True, text=True, timeout=120,
                            cwd=root.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([GIT, "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo,
                            capture_output=True, text=True, timeout=60, env={**os.environ, **GIT_ENV})
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def stories(directory: Path, numbers: range, prefix: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (directory / f"{prefix.lower()}-{n:03d}.txt").write_text(
            f"{prefix} report {n} from the border\n\nDate: 2018-{n % 12 + 1:02d}-{n % 27 + 1:02d}\n\n"
            f"Text of {prefix.lower()} report {n} with {prefix}word{n}.\n", encoding="utf-8")
    return directory


def ids_found(root: Path, query: str) -> set[str]:
    result = newsarc(root, "search", query, "--ids", "--limit", "10000")
    assert result.returncode in (0, ExitCode.NO_MATCH), result.stderr
    return set(result.stdout.split())


def file_ids(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "articles").rglob("*.yaml"))


def listed_ids(root: Path) -> list[str]:
    result = newsarc(root, "list", "--json", "-n", "0")
    return sorted(entry["id"] for entry in json.loads(result.stdout))


def path_of(root: Path, article_id: str) -> Path:
    [path] = (root / "articles").rglob(f"{article_id}.yaml")
    return path


# -- hand edits ------------------------------------------------------------------------------------------------
@pytest.fixture
def archive_with_stories(tmp_path: Path) -> Path:
    root = tmp_path / "arc"
    subprocess.run([NEWSARC, "init", str(root)], check=True, capture_output=True, cwd=tmp_path)
    assert newsarc(root, "add", str(stories(tmp_path / "src", range(12), "Hand")), "-q").returncode == 0
    return root


def test_field_changed_by_hand_shows_in_the_next_search(archive_with_stories: Path) -> None:
    root = archive_with_stories
    [target] = ids_found(root, "Handword3")
    path = path_of(root, target)
    edited = path.with_name(".edit-swap")  # an editor: write a new file, rename it over the old one
    edited.write_text(path.read_text(encoding="utf-8").replace("title: Hand report 3", "title: Renamed headline"),
                      encoding="utf-8")
    os.replace(edited, path)
    assert ids_found(root, "title:renamed") == {target}
    shown = newsarc(root, "show", target, "--format", "json")
    assert json.loads(shown.stdout)["title"] == "Renamed headline from the border"


def test_body_rewritten_in_place_shows_in_the_next_search(archive_with_stories: Path) -> None:
    root = archive_with_stories
    [target] = ids_found(root, "Handword4")
    path = path_of(root, target)
    text = path.read_text(encoding="utf-8").replace("Handword4.", "Rewrittenword and much longer text now.")
    with open(path, "r+", encoding="utf-8") as handle:  # in place: same inode, directory untouched
        handle.write(text)
        handle.truncate()
    assert ids_found(root, "Rewrittenword") == {target}
    assert ids_found(root, "Handword4") == set()


def test_file_renamed_moved_and_deleted_by_hand(archive_with_stories: Path) -> None:
    root = archive_with_stories
    [renamed] = ids_found(root, "Handword5")
    [moved] = ids_found(root, "Handword6")
    [deleted] = ids_found(root, "Handword7")
    path_of(root, renamed).rename(path_of(root, renamed).with_name("my favourite.yaml"))
    elsewhere = root / "articles" / "keep" / f"{moved}.yaml"
    elsewhere.parent.mkdir()
    path_of(root, moved).rename(elsewhere)
    path_of(root, deleted).unlink()
    assert ids_found(root, "Handword5") == {renamed}  # found under its new name ...
    assert ids_found(root, "Handword6") == {moved}
    assert ids_found(root, "Handword7") == set()
    assert newsarc(root, "show", deleted).returncode == ExitCode.NOT_FOUND
    assert newsarc(root, "show", renamed).returncode == 0
    checked = newsarc(root, "check")  # ... and check says where they belong
    assert checked.returncode == ExitCode.PROBLEMS
    assert "my favourite.yaml: place: belongs at" in checked.stdout
    assert f"keep/{moved}.yaml: place: belongs at" in checked.stdout
    assert newsarc(root, "check", "--repair").returncode == 0
    assert ids_found(root, "Handword5") == {renamed} and ids_found(root, "Handword6") == {moved}
    assert listed_ids(root) == file_ids(root)


def test_file_written_by_hand_is_found(archive_with_stories: Path) -> None:
    root = archive_with_stories
    new = root / "articles" / "2019" / "02" / "0000000h4d.yaml"
    new.parent.mkdir(parents=True)
    new.write_text("id: 0000000h4d\ntitle: Written by hand\ndate: 2019-02-03\ntags: [Notes]\nbody: |\n"
                   "  Handwrittenword in a file nobody added.\n", encoding="utf-8")
    assert ids_found(root, "Handwrittenword") == {"0000000h4d"}
    assert ids_found(root, "tag:Notes") == {"0000000h4d"}
    assert newsarc(root, "check").returncode == 0


# -- two clones and a merge -------------------------------------------------------------------------------------
@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """An archive under git with 20 articles, as a user would publish it."""
    root = tmp_path / "origin"
    subprocess.run([NEWSARC, "init", str(root)], check=True, capture_output=True, cwd=tmp_path)
    assert newsarc(root, "add", str(stories(tmp_path / "base", range(20), "Base")), "-q").returncode == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base archive")
    assert git(root, "ls-files", ".newsarc").stdout == ""  # the derived index is never committed
    return root


def clone(origin: Path, name: str) -> Path:
    target = origin.parent / name
    git(origin.parent, "clone", "-q", str(origin), str(target))
    return target


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def test_two_clones_add_tag_and_remove_then_merge_cleanly(origin: Path, tmp_path: Path) -> None:
    one, two = clone(origin, "one"), clone(origin, "two")
    base = set(file_ids(origin))
    for repo in (one, two):
        assert ids_found(repo, "Baseword3")  # each clone builds its own index from the YAML
    # Clone one adds 30 articles and tags an existing one; clone two adds 30 others and removes one.
    assert newsarc(one, "add", str(stories(tmp_path / "one-src", range(30), "Alpha")), "-q").returncode == 0
    assert newsarc(two, "add", str(stories(tmp_path / "two-src", range(30), "Beta")), "-q").returncode == 0
    [tagged] = ids_found(one, "Baseword1")
    assert newsarc(one, "tag", tagged, "+Cloneone").returncode == 0
    [removed] = ids_found(two, "Baseword2")
    assert newsarc(two, "rm", removed).returncode == 0
    alpha, beta = set(file_ids(one)) - base, set(file_ids(two)) - base
    assert len(alpha) == len(beta) == 30 and not alpha & beta  # ids never collide
    commit_all(one, "clone one")
    commit_all(two, "clone two")

    git(two, "pull", "-q", "--no-rebase", "--no-edit", str(one), "main")  # exits 0: no conflict at all
    assert git(two, "status", "--porcelain").stdout == ""
    merged = base - {removed} | alpha | beta
    assert set(file_ids(two)) == merged and len(file_ids(two)) == len(merged)  # every id once
    # The index of clone two catches up with what git wrote, on the next command.
    found = ids_found(two, "Alphaword7")
    assert len(found) == 1 and found <= alpha
    assert ids_found(two, "tag:cloneone") == {tagged}
    assert ids_found(two, "Baseword2") == set()
    assert listed_ids(two) == sorted(merged)
    assert newsarc(two, "check").returncode == 0

    git(one, "pull", "-q", "--no-rebase", "--no-edit", str(two), "main")  # a fast-forward back
    assert ids_found(one, "Betaword11")
    assert ids_found(one, "Baseword2") == set()  # git deleted the file: gone from one's index too
    assert listed_ids(one) == sorted(merged)
    assert newsarc(one, "check").returncode == 0


def add_same_article_in_both(one: Path, two: Path, tmp_path: Path) -> tuple[str, str]:
    """Each clone adds the shared article (at different times) and three of its own; returns (id, path)."""
    shared = stories(tmp_path / "shared", range(1), "Shared")
    assert newsarc(one, "add", str(shared)).returncode == 0
    assert newsarc(one, "add", str(stories(tmp_path / "only-one", range(3), "Gamma")), "-q").returncode == 0
    # Make sure the two `added` times differ, as they do when the clones add it at different moments.
    [shared_id] = ids_found(one, "Sharedword0")
    shared_file = path_of(one, shared_id)
    text = shared_file.read_text(encoding="utf-8")
    added = next(line for line in text.splitlines() if line.startswith("added:"))
    shared_file.write_text(text.replace(added, "added: '2001-01-01T00:00:00Z'"), encoding="utf-8")
    assert newsarc(two, "add", str(shared)).returncode == 0
    assert newsarc(two, "add", str(stories(tmp_path / "only-two", range(3), "Delta")), "-q").returncode == 0
    assert ids_found(two, "Sharedword0") == {shared_id}  # the same content gives the same id
    return shared_id, path_of(two, shared_id).relative_to(two).as_posix()


def test_same_article_added_in_both_clones_merges_cleanly(origin: Path, tmp_path: Path) -> None:
    one, two = clone(origin, "one"), clone(origin, "two")
    shared_id, rel = add_same_article_in_both(one, two, tmp_path)
    # Each clone also tags the shared article its own way, and clone two renames its source.
    assert newsarc(one, "tag", shared_id, "+Fromone").returncode == 0
    assert newsarc(two, "tag", shared_id, "+Fromtwo").returncode == 0
    commit_all(one, "clone one")
    commit_all(two, "clone two")

    pulled = git(two, "pull", "--no-rebase", "--no-edit", str(one), "main", check=False)
    assert pulled.returncode == 0, (pulled.stdout, pulled.stderr)
    assert git(two, "status", "--porcelain").stdout == ""
    text = (two / rel).read_text(encoding="utf-8")
    assert "added: '2001-01-01T00:00:00Z'" in text  # the earlier time, as clone one will also resolve it
    assert "<<<<<<<" not in text
    assert ids_found(two, "Sharedword0") == {shared_id}
    assert ids_found(two, "tag:Fromone") == ids_found(two, "tag:Fromtwo") == {shared_id}  # both tags kept
    assert len(file_ids(two)) == len(set(file_ids(two))) == 20 + 1 + 3 + 3
    assert listed_ids(two) == file_ids(two)
    assert newsarc(two, "check").returncode == 0

    git(one, "pull", "-q", "--no-rebase", "--no-edit", str(two), "main")
    assert (one / rel).read_text(encoding="utf-8") == text  # both clones end with the same file


def test_the_driver_is_registered_once_per_clone_and_says_so(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, "work")
    assert git(repo, "config", "--local", "--get", "merge.newsarc.driver", check=False).returncode != 0
    first = newsarc(repo, "add", str(stories(tmp_path / "a", range(2), "First")), "-q")
    assert "registered its git merge driver" in first.stderr
    driver = git(repo, "config", "--local", "--get", "merge.newsarc.driver").stdout
    assert "-m newsarc.storage.gitmerge %O %A %B %L %P" in driver
    again = newsarc(repo, "add", str(stories(tmp_path / "b", range(2), "Second")), "-q")
    assert "registered" not in again.stderr
    assert "articles/**/*.yaml merge=newsarc" in (repo / ".gitattributes").read_text(encoding="utf-8")
    assert git(repo, "status", "--porcelain", ".gitattributes").stdout == ""  # shipped by init, not new


def test_without_the_driver_check_repair_resolves_the_added_conflict(origin: Path, tmp_path: Path) -> None:
    """A clone where the driver is not registered (another machine, a hosting site's merge) gets git's line
    merge: the one conflict is the `added:` line, and `check --repair` resolves it the same way the driver does."""
    one, two = clone(origin, "one"), clone(origin, "two")
    shared_id, rel = add_same_article_in_both(one, two, tmp_path)
    commit_all(one, "clone one")
    commit_all(two, "clone two")
    git(two, "config", "--local", "--remove-section", "merge.newsarc")

    pulled = git(two, "pull", "--no-rebase", "--no-edit", str(one), "main", check=False)
    conflicted = git(two, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert pulled.returncode != 0 and conflicted == [rel]  # only that article, none of newsarc's own files
    assert newsarc(two, "search", "Gammaword1", "--ids").returncode == 0  # the rest merged and is searchable
    checked = newsarc(two, "check")
    assert checked.returncode == ExitCode.PROBLEMS
    assert f"{rel}: file: holds an unresolved git merge conflict" in checked.stdout
    repaired = newsarc(two, "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert "added: '2001-01-01T00:00:00Z'" in path_of(two, shared_id).read_text(encoding="utf-8")  # the earlier
    commit_all(two, "merge clone one")
    assert git(two, "status", "--porcelain").stdout == ""
    assert ids_found(two, "Sharedword0") == {shared_id}
    assert listed_ids(two) == file_ids(two)
    assert newsarc(two, "check").returncode == 0


def edit_title(repo: Path, article_id: str, title: str) -> None:
    path = path_of(repo, article_id)
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old, f"title: {title}"), encoding="utf-8")


def test_a_real_conflict_is_left_to_the_user_with_markers(origin: Path, tmp_path: Path) -> None:
    one, two = clone(origin, "one"), clone(origin, "two")
    for repo in (one, two):  # registers the driver in both clones
        assert newsarc(repo, "add", str(stories(tmp_path / repo.name, range(1), repo.name.title()))).returncode == 0
    [target] = ids_found(origin, "Baseword5")
    edit_title(one, target, "Title chosen in clone one")
    edit_title(two, target, "Title chosen in clone two")
    commit_all(one, "one")
    commit_all(two, "two")
    pulled = git(two, "pull", "--no-rebase", "--no-edit", str(one), "main", check=False)
    assert pulled.returncode != 0
    text = path_of(two, target).read_text(encoding="utf-8")
    assert ("<<<<<<< ours\ntitle: Title chosen in clone two\n=======\n"
            "title: Title chosen in clone one\n>>>>>>> theirs") in text
    checked = newsarc(two, "check")
    assert checked.returncode == ExitCode.PROBLEMS and "unresolved git merge conflict" in checked.stdout


def test_a_driver_that_cannot_start_falls_back_to_the_line_merge(origin: Path, tmp_path: Path) -> None:
    one, two = clone(origin, "one"), clone(origin, "two")
    shared_id, rel = add_same_article_in_both(one, two, tmp_path)
    commit_all(one, "clone one")
    commit_all(two, "clone two")
    driver = git(two, "config", "--local", "--get", "merge.newsarc.driver").stdout.strip()
    broken = driver.replace(sys.executable, str(tmp_path / "gone" / "python"))
    assert broken != driver
    git(two, "config", "--local", "merge.newsarc.driver", broken)  # as after the virtualenv was deleted
    pulled = git(two, "pull", "--no-rebase", "--no-edit", str(one), "main", check=False)
    assert pulled.returncode != 0
    text = (two / rel).read_text(encoding="utf-8")
    assert "<<<<<<< ours" in text and ">>>>>>> theirs" in text  # git's markers, not a half-merged file
    assert newsarc(two, "check", "--repair").returncode == 0
    assert "added: '2001-01-01T00:00:00Z'" in (two / rel).read_text(encoding="utf-8")


def test_aliases_and_watches_added_in_two_clones_merge_cleanly(origin: Path, tmp_path: Path) -> None:
    one, two = clone(origin, "one"), clone(origin, "two")
    assert newsarc(one, "alias", "add", "Erbil", "Hawler").returncode == 0
    assert newsarc(two, "alias", "add", "Raqqa", "ar-Raqqah").returncode == 0
    assert newsarc(one, "watch", "add", "border-one", "Alphaword1").returncode == 0
    assert newsarc(two, "watch", "add", "border-two", "Betaword1").returncode == 0
    commit_all(one, "one")
    commit_all(two, "two")
    pulled = git(two, "pull", "--no-rebase", "--no-edit", str(one), "main", check=False)
    assert pulled.returncode == 0, git(two, "diff", "--name-only", "--diff-filter=U").stdout
    listed = newsarc(two, "alias", "list").stdout
    assert "Erbil" in listed and "Hawler" in listed and "Raqqa" in listed and "ar-Raqqah" in listed
    watches = newsarc(two, "watch", "list").stdout
    assert "border-one" in watches and "border-two" in watches


def test_switching_branches_updates_the_index(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, "work")
    assert ids_found(repo, "Baseword0")
    git(repo, "checkout", "-q", "-b", "more")
    assert newsarc(repo, "add", str(stories(tmp_path / "more", range(5), "Branch")), "-q").returncode == 0
    commit_all(repo, "more")
    assert len(ids_found(repo, "Branchword*")) == 5
    git(repo, "checkout", "-q", "main")
    assert ids_found(repo, "Branchword*") == set()
    git(repo, "checkout", "-q", "more")
    assert len(ids_found(repo, "Branchword*")) == 5
    assert newsarc(repo, "check").returncode == 0


def test_feeds_subscribed_in_two_clones_merge_cleanly(origin: Path, tmp_path: Path) -> None:
    one, two = clone(origin, "one"), clone(origin, "two")
    for repo, name in ((one, "first"), (two, "second")):
        feed = tmp_path / f"{name}.xml"
        feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title><link>'
                        f"https://{name}.example.com/</link><description>x</description><item><title>{name} story"
                        f"</title><link>https://{name}.example.com/1</link><description>Body</description></item>"
                        "</channel></rss>", encoding="utf-8")
        assert newsarc(repo, "feed", "add", str(feed)).returncode == 0
        commit_all(repo, name)
    pulled = git(two, "pull", "--no-rebase", "--no-edit", str(one), "main", check=False)
    assert pulled.returncode == 0, git(two, "diff", "--name-only", "--diff-filter=U").stdout
