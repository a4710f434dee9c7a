"""The full freshness scan in flat memory (issue 24.2): a merge-join of the tree walked in path order with the
catalog's stamps streamed in the same order, instead of a dict of every recorded stamp and a set of every path
seen (~300 MB at 1,000,000 articles). These tests hold it to the answers the dict gave, on trees whose names
make the two orders easy to get wrong, and hold its memory flat as the archive grows.
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarc.storage.catalog import Catalog
from newsarc.storage.freshness import UNKNOWN, Changes, Stamp, detect, walk_article_files

OLD = time.time() - 60  # older than the racy window: a stamp recorded with it is trusted


def write(root: Path, rel: str, text: str = "title: x\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (OLD, OLD))
    return path


def age_directories(root: Path) -> None:
    """Make every directory look older than the racy window, so the mtimes to record do not depend on how long
    the test took (a directory seconds old is recorded as unknown)."""
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        os.utime(directory, (OLD, OLD))


def stamp(root: Path, rel: str) -> Stamp:
    st = (root / rel).stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def catalog_with(path: Path, stamps: dict[str, Stamp]) -> Catalog:
    """A real catalog (SQLite, its primary key's order) holding exactly these file stamps."""
    catalog = Catalog(path)
    catalog.begin()
    catalog.db.executemany("INSERT INTO files(path, id, mtime_ns, size, ino) VALUES(?, 'x', ?, ?, ?)",
                           [(p, *s) for p, s in stamps.items()])
    catalog.commit()
    return catalog


def no_stamps_in(directory: str, recursive: bool = False) -> dict[str, Stamp]:
    raise AssertionError("the full scan reads the catalog in one ordered stream, not a directory at a time")


def by_dict(root: Path, recorded_dirs: dict[str, int], recorded: dict[str, Stamp]) -> Changes:
    """What the full scan answered before the merge-join: every path looked up in a dict of every stamp, the
    deletes found with a set of every path seen. The oracle the merge-join must equal."""
    now = time.time_ns()
    changes = Changes(full_scan=True)
    seen: set[str] = set()
    for rel, walked in walk_article_files(root, changes.dirs, now=now):
        seen.add(rel)
        st = (root / rel).stat()
        old = recorded.get(rel)
        if old is None or old[0] == UNKNOWN or old != (st.st_mtime_ns, st.st_size, st.st_ino):
            changes.upserts[rel] = walked
    changes.deletes = [p for p in recorded if p not in seen]
    changes.gone_dirs = [d for d in recorded_dirs if d not in changes.dirs]
    changes.dirs = {d: m for d, m in changes.dirs.items() if recorded_dirs.get(d) != m}
    return changes


def summary(changes: Changes) -> tuple[set[str], set[str], dict[str, int], set[str]]:
    return set(changes.upserts), set(changes.deletes), dict(changes.dirs), set(changes.gone_dirs)


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Directories (absolute paths) that cannot be listed, as a directory without read permission is for a
    normal user (the tests may run as root, whom permissions do not stop)."""
    blocked: set[str] = set()
    real = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if os.fspath(path) in blocked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return blocked


def test_full_scan_finds_every_kind_of_change_in_names_that_sort_differently_as_paths(
        tmp_path: Path, unreadable: set[str]) -> None:
    """Each kind of change the full scan must see, among names whose order as paths is not their order as names:
    directory `2024` beside file `2024-notes.yaml` and `2024.yaml` ("-" and "." sort before "/"), upper case
    before lower case, and a letter beyond ASCII."""
    root = tmp_path
    same = ["articles/2024-notes.yaml", "articles/2024.yaml", "articles/2024/05/a.yaml", "articles/B/b.yaml",
            "articles/a.yaml", "articles/a/a.yaml", "articles/z.yaml", "articles/\u00e9t\u00e9/e.yaml"]
    for rel in same:
        write(root, rel)
    changed = write(root, "articles/2024/05/changed.yaml")
    racy = write(root, "articles/2024/05/racy.yaml")
    write(root, "articles/2024/05/new.yaml")
    write(root, "articles/2030/12/never-seen.yaml")  # a directory the record never saw
    write(root, "articles/2024/05/notes.txt")  # not an article file
    write(root, "articles/.hidden/h.yaml")
    write(root, "articles/2024/.h.yaml")
    write(root, "articles/locked/l.yaml")
    age_directories(root)
    unreadable.add(str(root / "articles" / "locked"))
    recorded = {rel: stamp(root, rel) for rel in same}
    recorded["articles/2024/05/changed.yaml"] = stamp(root, "articles/2024/05/changed.yaml")
    changed.write_text("title: changed\n", encoding="utf-8")
    os.utime(changed, (OLD, OLD))
    recorded["articles/2024/05/racy.yaml"] = (UNKNOWN, *stamp(root, "articles/2024/05/racy.yaml")[1:])
    racy.touch()
    for gone in ["articles/2023/01/gone.yaml", "articles/2024/05/gone.yaml", "articles/zz-gone.yaml"]:
        recorded[gone] = (1, 1, 1)
    for hidden in ["articles/.hidden/h.yaml", "articles/2024/.h.yaml", "articles/locked/l.yaml"]:
        recorded[hidden] = stamp(root, hidden)
    recorded_dirs = {"articles": UNKNOWN, "articles/2023": 5, "articles/2023/01": 5, "articles/.hidden": 5,
                     "articles/locked": 5, "articles/a": (root / "articles/a").stat().st_mtime_ns}
    catalog = catalog_with(tmp_path / "catalog.sqlite", recorded)
    try:
        changes = detect(root, recorded_dirs, no_stamps_in, catalog.all_stamps, full=True)
    finally:
        catalog.close()

    assert set(changes.upserts) == {"articles/2024/05/changed.yaml", "articles/2024/05/racy.yaml",
                                    "articles/2024/05/new.yaml", "articles/2030/12/never-seen.yaml"}
    assert sorted(changes.deletes) == ["articles/.hidden/h.yaml", "articles/2023/01/gone.yaml",
                                       "articles/2024/.h.yaml", "articles/2024/05/gone.yaml",
                                       "articles/locked/l.yaml", "articles/zz-gone.yaml"]
    assert set(changes.gone_dirs) == {"articles/2023", "articles/2023/01", "articles/.hidden", "articles/locked"}
    assert "articles/a" not in changes.dirs  # listed, its mtime as recorded: no new row
    assert {"articles/2024", "articles/2030/12", "articles/\u00e9t\u00e9"} <= set(changes.dirs)
    assert summary(changes) == summary(by_dict(root, recorded_dirs, recorded))


@pytest.mark.parametrize("seed", range(6))
def test_full_scan_equals_a_dict_of_every_stamp_on_random_trees(tmp_path: Path, seed: int) -> None:
    """Random trees of names chosen to collide in every order (prefixes, "-", ".", "_", case, accents), a random
    part of them recorded, some with stale or racy stamps, some recorded files gone: the merge-join answers what
    the dict of every stamp answered."""
    rng = random.Random(seed)
    parts = ["a", "a-b", "a.b", "a_b", "ab", "A", "B", "2024", "2024-x", "\u00e9", "z", "0"]
    root = tmp_path / "tree"
    on_disk: set[str] = set()
    for _ in range(120):
        depth = rng.randint(0, 3)
        rel = "/".join(["articles", *(rng.choice(parts) for _ in range(depth)), rng.choice(parts) + ".yaml"])
        if any(other.startswith(rel + "/") or rel.startswith(other + "/") for other in on_disk) or \
                any((root / prefix).is_file() for prefix in _prefixes(rel)):
            continue  # a name already used for a directory, or a directory where a file is
        write(root, rel)
        on_disk.add(rel)
    age_directories(root)
    recorded: dict[str, Stamp] = {}
    for rel in sorted(on_disk):
        roll = rng.random()
        if roll < 0.6:
            recorded[rel] = stamp(root, rel)
        elif roll < 0.7:
            recorded[rel] = (UNKNOWN, *stamp(root, rel)[1:])
        elif roll < 0.8:
            recorded[rel] = (1, 2, 3)
    for _ in range(20):  # recorded, never on disk (deleted since)
        recorded["/".join(["articles", *(rng.choice(parts) for _ in range(rng.randint(0, 3))),
                           rng.choice(parts) + "-gone.yaml"])] = (1, 2, 3)
    recorded_dirs = {"articles": UNKNOWN, "articles/0-gone": 7}
    catalog = catalog_with(tmp_path / "catalog.sqlite", recorded)
    try:
        changes = detect(root, recorded_dirs, no_stamps_in, catalog.all_stamps, full=True)
    finally:
        catalog.close()
    assert summary(changes) == summary(by_dict(root, recorded_dirs, recorded))
    assert len(changes.deletes) == len(set(changes.deletes))


def _prefixes(rel: str) -> Iterator[str]:
    parts = rel.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


def _archive_of(root: Path, files: int, per_directory: int = 100) -> dict[str, Stamp]:
    """files tiny article files, per_directory to a directory as articles/YYYY/MM are, and their stamps."""
    stamps: dict[str, Stamp] = {}
    for n in range(files):
        rel = f"articles/{2000 + n // (12 * per_directory)}/{1 + n // per_directory % 12:02d}/a{n:07d}x.yaml"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"title: x\n")
        st = path.stat()
        stamps[rel] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return stamps


def _peak_of_full_scan(tmp_path: Path, files: int) -> tuple[int, Changes]:
    root = tmp_path / f"arc{files}"
    stamps = _archive_of(root, files)
    catalog = catalog_with(root / "catalog.sqlite", stamps)
    try:
        dirs = catalog.dirs()
        del stamps
        tracemalloc.start()
        try:
            changes = detect(root, dirs, catalog.stamps_in, catalog.all_stamps, full=True)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        catalog.close()
    return peak, changes


def test_full_scan_memory_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    """The peak of Python's allocations during a full scan of an unchanged archive of 2,000 files and of 8,000:
    flat but for one entry per directory (the mtimes to record, ~250 directories for 20 years of articles).

    Measured: with a dict of every stamp and a set of every path, the peak grew by 2.3 MB from 2,000 to 8,000
    files (from 0.74 to 3.05 MB, ~385 bytes a file: ~385 MB at 1,000,000); with the merge-join by 11 KB (from 96
    to 107 KB: the 65 more directories' entries in Changes.dirs, ~165 bytes each; one listing of 100 files is
    ~30 KB whatever the archive's size). 150 KB leaves room for the interpreter's own noise and is a fifteenth
    of what the old scan grew by."""
    small, small_changes = _peak_of_full_scan(tmp_path, 2000)
    large, large_changes = _peak_of_full_scan(tmp_path, 8000)
    # Every file's stamp is the one recorded: nothing to index, and each directory is listed.
    assert not small_changes.upserts and not small_changes.deletes
    assert not large_changes.upserts and not large_changes.deletes
    assert len(large_changes.dirs) > len(small_changes.dirs)
    assert large - small < 150_000, f"peak {small:,} B at 2,000 files, {large:,} B at 8,000"


# -- one step further: an export lists no path of the archive before it streams ------------------------------


def _archive_with(root: Path, articles: int) -> Path:
    from newsarc import api
    from newsarc.storage.archive import init_archive

    init_archive(root)
    store = api.open_store(root)
    try:
        api.add_articles(store, ((f"a{n}", {"title": f"Story {n}", "date": f"{2000 + n % 20}-0{1 + n % 9}-1{n % 9}",
                                           "body": f"Word{n} and the rest.\n", "tags": ["news"]})
                                 for n in range(articles)))
    finally:
        store.close()
    return root


def _peak_of_export(root: Path, *args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from newsarc.cli.app import cli

    out = root.parent / f"{root.name}.jsonl"
    runner = CliRunner()
    # Once untraced: the freshness check settled, the export's modules imported and its caches warm.
    runner.invoke(cli, ["--archive", str(root), "export", *args, "-o", str(out)], catch_exceptions=False)
    tracemalloc.start()
    try:
        result = runner.invoke(cli, ["--archive", str(root), "export", *args, "-o", str(out)], catch_exceptions=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    return peak, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("selection", [(), ("--since", "1990-01-01"), ("--tag", "news")],
                         ids=["everything", "date-range", "tag"])
def test_export_memory_does_not_grow_with_the_archive(tmp_path: Path, selection: tuple[str, ...]) -> None:
    """The export's Python peak for an archive of 500 articles and of 2,000: the paths are counted by SQLite and
    streamed from the catalog, not listed first (a list of every path, or of every catalog entry for a tag or
    date range: ~90 bytes, or ~600-1,200, an article; ~90 MB, or ~1 GB, at 1,000,000).

    Measured (tracemalloc, the second in-process CLI export of each archive): with the lists the peak grew by
    133 KB (everything), 941 KB (--since) and 1.83 MB (--tag) from 500 to 2,000 articles; streamed, by 13, 20
    and 6 KB. 60 KB is three times the streamed growth and under half the smallest growth of the lists."""
    small, small_out = _peak_of_export(_archive_with(tmp_path / "small", 500), *selection)
    large, large_out = _peak_of_export(_archive_with(tmp_path / "large", 2000), *selection)
    assert small_out.count("\n") == 500 and large_out.count("\n") == 2000
    assert large - small < 60_000, f"peak {small:,} B for 500 articles, {large:,} B for 2,000"
