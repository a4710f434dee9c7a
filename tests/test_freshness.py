"""The layered freshness check: each kind of change is noticed where docs/freshness.md says it is.

Large archives are simulated by setting full_scan_max_files to 0, so only the directory check runs on each
command, as it does above 5,000 articles.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import yaml

from newsarc import api
from newsarc.article import Article
from newsarc.storage.archive import SETTINGS_TEMPLATE
from newsarc.storage.freshness import RACY_NS


def make_large(archive: Path, interval: int = 3600) -> None:
    text = SETTINGS_TEMPLATE.replace("full_scan_max_files: 5000", "full_scan_max_files: 0")
    text = text.replace("full_scan_interval: 3600", f"full_scan_interval: {interval}")
    (archive / "newsarc.yaml").write_text(text, encoding="utf-8")


def seed_articles(archive: Path, n: int = 3) -> list[Article]:
    store = api.open_store(archive)
    items = [(f"t{i}", {"title": f"Story {i}", "date": f"2017-0{i + 1}-1{i}", "body": f"Unique{i} words here.\n"})
             for i in range(n)]
    api.add_articles(store, items)
    store.close()
    return [Article.from_dict(yaml.safe_load(p.read_text())) for p in sorted((archive / "articles").rglob("*.yaml"))]


def age(path: Path, seconds: float = 10, *, parents: bool = True) -> None:
    """Make a file (and its directories) look older than the racy window, as they are seconds after a write."""
    past = time.time() - seconds
    for p in [path, *path.parents] if parents else [path]:
        os.utime(p, (past, past))
        if p.name == "articles":
            break


def age_tree(archive: Path) -> None:
    for p in sorted((archive / "articles").rglob("*"), reverse=True):
        age(p)
    age(archive / "articles")


def edit_in_place(path: Path, old: str, new: str) -> None:
    """Rewrite a file through its open handle: same inode, no rename, so its directory's mtime does not move."""
    with open(path, "r+", encoding="utf-8") as handle:
        text = handle.read().replace(old, new)
        handle.seek(0)
        handle.write(text)
        handle.truncate()


def ids_for(archive: Path, query: str) -> set[str]:
    store = api.open_store(archive)
    try:
        from newsarc.index.backend import SearchRequest

        return {h.id for h in api.search(store, SearchRequest(query, limit=100)).hits}
    finally:
        store.close()


def refresh_twice(archive: Path) -> None:
    """Settle the racy-window re-checks, as the first commands after a write do."""
    for _ in range(2):
        store = api.open_store(archive)
        store.refresh(write=False)
        store.close()


@pytest.fixture
def large(archive: Path) -> Path:
    make_large(archive)
    seed_articles(archive)
    age_tree(archive)
    refresh_twice(archive)
    return archive


def test_added_file_seen_by_directory_check(large: Path) -> None:
    new = large / "articles" / "2017" / "01" / "zzzzzzzz01.yaml"
    new.write_text(yaml.safe_dump({"id": "zzzzzzzz01", "title": "Added", "date": "2017-01-05",
                                   "body": "Quetzal sighting."}))
    assert ids_for(large, "Quetzal") == {"zzzzzzzz01"}


def test_added_file_in_new_directory_seen(large: Path) -> None:
    new = large / "articles" / "2030" / "12" / "zzzzzzzz02.yaml"
    new.parent.mkdir(parents=True)
    new.write_text(yaml.safe_dump({"id": "zzzzzzzz02", "title": "Future", "date": "2030-12-01", "body": "Axolotl."}))
    assert ids_for(large, "Axolotl") == {"zzzzzzzz02"}


def test_deleted_file_and_directory_seen(large: Path) -> None:
    files = sorted((large / "articles").rglob("*.yaml"))
    files[0].unlink()
    assert ids_for(large, "Unique0") == set()
    for f in (large / "articles" / "2017" / "02").iterdir():
        f.unlink()
    (large / "articles" / "2017" / "02").rmdir()
    assert ids_for(large, "Unique1") == set()


def test_renamed_and_moved_file_seen(large: Path) -> None:
    src = next((large / "articles" / "2017" / "03").glob("*.yaml"))
    dest = large / "articles" / "undated" / src.name
    dest.parent.mkdir()
    src.rename(dest)
    store = api.open_store(large)
    from newsarc.index.backend import SearchRequest

    hits = api.search(store, SearchRequest("Unique2")).hits
    store.close()
    assert [h.path for h in hits] == [f"articles/undated/{src.name}"]


def test_replaced_by_rename_seen(large: Path) -> None:
    """Editors and git write a new file and rename it over the old one: the directory mtime changes."""
    path = next((large / "articles" / "2017" / "01").glob("*.yaml"))
    text = path.read_text().replace("Unique0", "Replaced0")
    tmp = path.with_name(".edit.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    assert ids_for(large, "Replaced0") == {path.stem}


def test_in_place_edit_is_the_documented_blind_spot_until_a_full_scan(large: Path, run) -> None:
    path = next((large / "articles" / "2017" / "01").glob("*.yaml"))
    edit_in_place(path, "Unique0", "Inplace0")
    age(path, parents=False)
    assert ids_for(large, "Inplace0") == set()  # not seen by the directory check ...
    result = run("check")  # ... but an explicit check scans every file
    assert "Traceback" not in result.output
    assert ids_for(large, "Inplace0") == {path.stem}


def test_in_place_edit_seen_when_full_scan_is_due(archive: Path) -> None:
    make_large(archive, interval=0)
    seed_articles(archive)
    age_tree(archive)
    refresh_twice(archive)
    path = next((archive / "articles" / "2017" / "01").glob("*.yaml"))
    edit_in_place(path, "Unique0", "Inplace0")
    age(path, parents=False)
    assert ids_for(archive, "Inplace0") == {path.stem}


def test_small_archive_sees_in_place_edits_on_every_command(archive: Path) -> None:
    seed_articles(archive)
    age_tree(archive)
    refresh_twice(archive)
    path = next((archive / "articles" / "2017" / "02").glob("*.yaml"))
    edit_in_place(path, "Unique1", "Inplace1")
    age(path, parents=False)
    assert ids_for(archive, "Inplace1") == {path.stem}


def test_racy_directory_is_listed_again(large: Path) -> None:
    """A directory written within RACY_NS of being recorded is re-listed next time, not trusted."""
    store = api.open_store(large)
    api.add_articles(store, [("x", {"title": "Racy", "date": "2017-01-20", "body": "Ocelot."})])
    store.close()
    dirs = dict(api.open_store(large).catalog.dirs())
    assert dirs["articles/2017/01"] == -1
    # A hand-made file dropped right after, within the same clock tick, is still found.
    drop = large / "articles" / "2017" / "01" / "zzzzzzzz03.yaml"
    drop.write_text(yaml.safe_dump({"id": "zzzzzzzz03", "title": "Drop", "date": "2017-01-21", "body": "Ocelot."}))
    assert len(ids_for(large, "Ocelot")) == 2
    assert RACY_NS >= 1_000_000_000


def test_freshness_check_cost_is_directory_count_not_file_count(large: Path) -> None:
    """On an unchanged large archive the check stats directories only."""
    from newsarc.storage.freshness import detect

    store = api.open_store(large)
    catalog = store.catalog
    listed: list[str] = []

    def stamps_in(directory: str, recursive: bool = False):
        listed.append(directory)
        return catalog.stamps_in(directory, recursive)

    changes = detect(large, catalog.dirs(), stamps_in, catalog.all_stamps, full=False)
    store.close()
    assert not changes and listed == []


def test_stats_reflect_hand_edits_through_cli(large: Path, run) -> None:
    path = next((large / "articles" / "2017" / "03").glob("*.yaml"))
    path.unlink()
    assert json.loads(run("stats", "--json").output)["articles"] == 2


def test_a_rebuild_walks_every_article_file_once_in_name_order(tmp_path: Path) -> None:
    """reindex lists the archive a directory at a time (newsarc.storage.freshness.walk_article_files): every
    article file once, hidden entries and other files left out, each directory's mtime recorded for the catalog."""
    from newsarc.storage.freshness import count_article_files, walk_article_files

    root = tmp_path
    names = ["articles/2024/05/b.yaml", "articles/2024/05/a.yaml", "articles/2024/11/c.yaml", "articles/d.yaml",
             "articles/2023/01/e.yaml"]
    for name in [*names, "articles/2024/05/notes.txt", "articles/.hidden/f.yaml", "articles/2024/.g.yaml"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("title: x\n", encoding="utf-8")
    dirs: dict[str, int] = {}
    walked = [path for path, _stamp in walk_article_files(root, dirs)]
    assert walked == ["articles/2023/01/e.yaml", "articles/2024/05/a.yaml", "articles/2024/05/b.yaml",
                      "articles/2024/11/c.yaml", "articles/d.yaml"]
    assert count_article_files(root) == len(names)
    assert set(dirs) == {"articles", "articles/2023", "articles/2023/01", "articles/2024", "articles/2024/05",
                         "articles/2024/11"}


def test_after_an_add_only_the_files_own_directory_is_listed_again(run, archive: Path, tmp_path: Path) -> None:
    """newsarc's own write changes its file's directory, so the next check lists that directory again; the
    directories above it keep their recorded mtimes (they change only when a new directory is made in them, and
    then the mismatch is seen anyway). Marking them too made every command after an `add` list articles/ and its
    year: at 1,000,000 articles, 4 of the 4.2 s of `add one.txt`."""
    import sqlite3

    body = "A convoy of lorries reached the town after a week at the checkpoint, officials said on Thursday.\n"
    first = tmp_path / "first.txt"
    first.write_text("Convoy reaches the town\n18 May 2017\n\n" + body, encoding="utf-8")
    assert run("add", str(first)).exit_code == 0
    old = time.time() - 3600
    for directory in [archive / "articles", *(p for p in (archive / "articles").rglob("*") if p.is_dir())]:
        os.utime(directory, (old, old))
    assert run("search", "convoy", "--count").exit_code == 0  # records the directories, now past the racy window

    def recorded() -> dict[str, int]:
        with sqlite3.connect(archive / ".newsarc" / "catalog.sqlite") as db:
            return dict(db.execute("SELECT path, mtime_ns FROM dirs"))

    before = recorded()
    assert before["articles"] != -1 and before["articles/2017"] != -1 and before["articles/2017/05"] != -1
    second = tmp_path / "second.txt"
    second.write_text("Second convoy reaches the town\n19 May 2017\n\n" + body.replace("week", "fortnight"),
                      encoding="utf-8")
    assert run("add", str(second)).exit_code == 0
    after = recorded()
    assert after["articles/2017/05"] == -1  # listed again by the next command
    assert (after["articles"], after["articles/2017"]) == (before["articles"], before["articles/2017"])
    assert run("search", "fortnight", "--count").stdout.strip() == "1"
