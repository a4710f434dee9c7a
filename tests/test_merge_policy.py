"""What a commit merges (newsarc/index/merge_policy.py): never more than its cap, whatever the archive holds.

Whoosh's default policy merged whatever its Fibonacci rule picked: on a 1,000,000-article archive a commit of
3,000 articles merged 817,500 of them (more than 20 minutes), and at small sizes every fifth one-article add
rewrote the whole index. These tests read the index's segments after each command, as Whoosh lists them.
"""

from __future__ import annotations

from pathlib import Path

from newsarc.index import merge_policy
from tests.conftest import BBC, need_shared


def _segment_sizes(archive: Path) -> list[int]:
    """Documents (deleted ones included) of each segment of the archive's index, smallest first."""
    from newsarc.index import whoosh_internals

    whoosh_internals.load()
    from whoosh import index

    ix = index.open_dir(str(archive / ".newsarc" / "index"), indexname="MAIN")
    with ix.reader() as reader:
        return sorted(sub.doc_count_all() for sub, _offset in reader.leaf_readers())


def _stories(tmp_path: Path, first: int, count: int) -> list[Path]:
    paths = []
    for number, source in enumerate(sorted(need_shared(BBC / "business").glob("*.txt"))[first:first + count]):
        path = tmp_path / f"story{first + number:03d}.txt"
        path.write_text(source.read_text(encoding="latin-1"), encoding="utf-8")
        paths.append(path)
    return paths


def test_one_article_adds_never_merge_the_segment_of_earlier_articles(run, archive: Path, tmp_path: Path) -> None:
    """Twenty articles added as a folder are one segment; the one-article adds after them leave it as it is
    (Whoosh's own policy merged it into a new segment at the fifth add, and again at the tenth), and the small
    segments of the adds are merged among themselves once a level holds MERGE_FACTOR of them."""
    folder = tmp_path / "folder"
    folder.mkdir()
    _stories(folder, 0, 20)
    assert run("add", str(folder)).exit_code == 0
    assert _segment_sizes(archive) == [20]
    adds = merge_policy.MERGE_FACTOR + 2
    for number, story in enumerate(_stories(tmp_path, 20, adds), start=1):
        assert run("add", str(story)).exit_code == 0
        sizes = _segment_sizes(archive)
        assert 20 in sizes, f"after add {number}, the 20 earlier articles were merged: segments {sizes}"
        assert sum(sizes) == 20 + number
        assert len(sizes) <= merge_policy.MERGE_FACTOR + 1, sizes
    # The add after MERGE_FACTOR of them found a full level 1 and merged those segments with its own article.
    assert _segment_sizes(archive) == [1, merge_policy.MERGE_FACTOR + 1, 20]


def test_a_segment_whose_articles_were_all_removed_is_dropped(run, archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    _stories(folder, 0, 20)
    assert run("add", str(folder)).exit_code == 0
    (story,) = _stories(tmp_path, 20, 1)
    added = run("add", str(story))
    assert added.exit_code == 0 and _segment_sizes(archive) == [1, 20]
    article_id = added.output.split()[1]
    assert run("rm", article_id).exit_code == 0
    assert _segment_sizes(archive) == [20]


# The segments of the 1,000,000-article benchmark archive after its import (Whoosh's policy), as measured.
MILLION_LAYOUT = [1500] * 17 + [28500] * 4 + [169500] * 5


def test_no_commit_on_a_million_article_index_merges_more_than_its_cap() -> None:
    """On the measured layout, Whoosh's rule merged 25 segments (817,500 articles) for one commit; the policy
    merges a full level's smallest segments, within the cap of the kind of commit."""
    layout = MILLION_LAYOUT + [1500]  # the next import batch's segment: level 4 is full
    for cap in (merge_policy.INTERACTIVE_MAX_DOCS, merge_policy.BULK_MAX_DOCS):
        merged, dropped = merge_policy.plan_merge(layout, layout, cap)
        assert dropped == []
        assert sum(layout[i] for i in merged) <= cap
        assert all(layout[i] == 1500 for i in merged)  # level 4 is the only full one
    merged, _ = merge_policy.plan_merge(layout, layout, merge_policy.BULK_MAX_DOCS)
    assert len(merged) == merge_policy.MERGE_FACTOR  # a bulk commit can take the whole level: 27,000 articles
    merged, _ = merge_policy.plan_merge(layout, layout, merge_policy.INTERACTIVE_MAX_DOCS)
    assert len(merged) == 6  # an interactive one as many as fit under 10,000
    assert merge_policy.plan_merge(MILLION_LAYOUT, MILLION_LAYOUT, merge_policy.BULK_MAX_DOCS) == ([], [])
    # A full level of 169,500-article segments, but no two of them fit under the bulk cap together.
    big = [169500] * merge_policy.MERGE_FACTOR
    assert merge_policy.plan_merge(big, big, merge_policy.BULK_MAX_DOCS) == ([], [])


def test_levels_are_the_number_of_digits() -> None:
    assert [merge_policy.level(n) for n in (0, 1, 9, 10, 99, 1500, 169500)] == [1, 1, 1, 2, 2, 4, 6]
