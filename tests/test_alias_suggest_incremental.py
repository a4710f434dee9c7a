"""`alias suggest` after a change costs what changed, and answers as a run without its caches (issue 24.4).

Each test warms the caches, changes the archive (adds, edits or deletes one article, or makes a context word
common), and holds the next answer to the one a run with no cache at all gives on the same index. The last test
counts the work a one-article change costs (articles whose stored record is read, from the catalog or the
index, and skeletons judged) on two archive sizes: it must not grow with the archive.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_alias_suggest import STORIES

FILLER = "Rain is expected across the region on Tuesday, forecasters said, with cooler weather later in the week."
TAGGED = "Convoy report {n}\nTags: Abu Kamal, al-Bukamal\n\nA convoy reached the town, report {n}.\n"


def _forget_caches(archive: Path) -> None:
    state = archive / ".newsarc"
    for name in ("alias-suggest.json", "alias-suggest-state.json"):
        (state / name).unlink(missing_ok=True)
    shutil.rmtree(state / "alias-suggest-parts", ignore_errors=True)


def _ids(run: Callable[..., Any], *texts: str) -> list[str]:
    """Add each text as one article (one commit each, as a user would); their ids."""
    ids = []
    for text in texts:
        result = run("add", "-", input=text)
        assert result.exit_code == 0, result.output
        ids.append(result.stdout.split()[1])
    return ids


def _story(number: int) -> str:
    city, body = STORIES[number]
    return f"News from {city} number {number}\n\n{body}\n"


def _archive(run: Callable[..., Any]) -> list[str]:
    """The Kharkiv / Kharkov stories, weather, and two articles that tag two spellings side by side."""
    ids = _ids(run, *[_story(n) for n in range(len(STORIES))])
    _ids(run, *[f"Weather report {n}\n\n{FILLER} Report {n}.\n" for n in range(6)])
    return ids + _ids(run, *[TAGGED.format(n=n) for n in range(2)])


def _same_as_from_scratch(run: Callable[..., Any], archive: Path) -> str:
    """The answer right after a change, asserted equal to the answer with every cache removed."""
    incremental = run("alias", "suggest")
    assert incremental.exit_code in (0, 1), incremental.output
    _forget_caches(archive)
    scratch = run("alias", "suggest")
    assert scratch.stdout == incremental.stdout
    return str(incremental.stdout)


def _edit(archive: Path, article_id: str, old: str, new: str) -> None:
    matches = [p for p in (archive / "articles").rglob("*.yaml") if article_id in p.read_text(encoding="utf-8")]
    assert len(matches) == 1
    text = matches[0].read_text(encoding="utf-8")
    assert old in text
    matches[0].write_text(text.replace(old, new), encoding="utf-8")


def test_after_adding_an_article_the_answer_is_the_one_found_without_caches(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    _archive(run)
    before = run("alias", "suggest").stdout
    assert "Kharkiv, Kharkov" in before and "tags of 2 article(s)" in before
    _ids(run, "Night in Kharkov\n\nIn Kharkov, Terekhov and Syniehubov toured Saltivka.\n",
         TAGGED.format(n=7))
    after = _same_as_from_scratch(run, archive)
    assert "Kharkiv, Kharkov" in after and "tags of 3 article(s)" in after


def test_after_deleting_an_article_the_answer_is_the_one_found_without_caches(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    """Deleting the only Kharkov story: the index keeps it, deleted, until a merge, so its word's document count
    does not change; the cached verdict must go all the same. And one tagged article fewer."""
    ids = _archive(run)
    assert "Kharkiv, Kharkov" in run("alias", "suggest").stdout
    assert run("rm", ids[3]).exit_code == 0
    assert run("rm", ids[-1]).exit_code == 0
    after = _same_as_from_scratch(run, archive)
    assert "Kharkov" not in after and "tags of 1 article(s)" in after


def test_after_editing_an_article_the_answer_is_the_one_found_without_caches(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    """The Kharkov story keeps its spelling but loses the context it shared with the Kharkiv stories."""
    ids = _archive(run)
    assert "Kharkiv, Kharkov" in run("alias", "suggest").stdout
    _edit(archive, ids[3], "Terekhov would rebuild the Saltivka market with help from", "a bakery reopened, said")
    after = _same_as_from_scratch(run, archive)
    assert "Kharkov" not in after


def test_a_context_word_that_becomes_common_elsewhere_is_no_evidence(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    """Articles that write no spelling of the skeleton make one of its context words common (more than 5
    articles): the verdict that counted it must be found again."""
    _archive(run)
    assert "share saltivka, syniehubov, terekhov" in run("alias", "suggest").stdout
    _ids(run, *[f"Market day {n}\n\nStalls opened in Saltivka again, number {n}.\n" for n in range(3)])
    after = _same_as_from_scratch(run, archive)
    assert "share syniehubov, terekhov" in after


def test_a_cache_that_cannot_be_read_is_found_again(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    _archive(run)
    first = run("alias", "suggest").stdout
    state = archive / ".newsarc"
    (state / "alias-suggest-state.json").write_text("{not json", encoding="utf-8")
    for part in (state / "alias-suggest-parts").iterdir():
        part.write_text('{"version": 3, "docs": 7}', encoding="utf-8")
    _ids(run, "Weather report 99\n\nFog in the valleys. Report 99.\n")
    assert _same_as_from_scratch(run, archive) == first


def _filler(number: int) -> tuple[str, dict[str, str]]:
    """An article with names of its own (some of one consonant skeleton), none of the Kharkiv stories'."""
    import itertools

    letters = "bdfgkmnprstvz"
    a, b, c = next(itertools.islice(itertools.product(letters, repeat=3), number, None))
    name, other = f"{a.upper()}a{b}e{c}", f"{a.upper()}o{b}o{c}"
    return (f"filler {number}", {"title": f"Filler {number}",
                                 "body": f"On Monday {name} met {other} in the hall, number {number}.\n"})


def _work_after_one_added_article(tmp_path: Path, fillers: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Build an archive of the stories and `fillers` other articles, warm the caches, add one Kharkov story, and
    count what the next `alias suggest` does: article records read (catalog rows made into entries, and the
    index's stored documents) and skeletons judged."""
    import whoosh.reading

    from newsarc import alias_suggest, api
    from newsarc.storage import catalog
    from newsarc.storage.archive import init_archive

    archive = init_archive(tmp_path / f"arc{fillers}")
    store = api.open_store(archive)
    try:
        stories = [(f"story {n}", {"title": f"News from {city} number {n}", "body": body})
                   for n, (city, body) in enumerate(STORIES)]
        assert api.add_articles(store, stories + [_filler(n) for n in range(fillers)]).count("added") == 4 + fillers
        alias_suggest.suggest_groups(store)
        assert api.add_articles(store, [("one more", {"title": "Kharkov at night", "body": (
            "In Kharkov, Terekhov met Syniehubov in Saltivka.")})]).count("added") == 1
    finally:
        store.close()
    counts = {"records": 0, "skeletons": 0}

    def counting(name: str, real: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)
        return counted

    monkeypatch.setattr(catalog, "_entry", counting("records", catalog._entry))
    monkeypatch.setattr(whoosh.reading.SegmentReader, "stored_fields",
                        counting("records", whoosh.reading.SegmentReader.stored_fields))
    monkeypatch.setattr(alias_suggest, "_skeleton_groups", counting("skeletons", alias_suggest._skeleton_groups))
    store = api.open_store(archive)
    try:
        groups = alias_suggest.suggest_groups(store)
    finally:
        store.close()
        monkeypatch.undo()
    assert groups[0][0] == ["Kharkiv", "Kharkov"]
    return counts


def test_the_work_after_one_added_article_does_not_grow_with_the_archive(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Before, every article's tags were read again after any change (20,000 catalog rows at 20,000 articles)."""
    small = _work_after_one_added_article(tmp_path, 40, monkeypatch)
    large = _work_after_one_added_article(tmp_path, 160, monkeypatch)
    assert small["skeletons"] > 0 and small["records"] > 0
    assert large == small
    assert small["records"] < 40
