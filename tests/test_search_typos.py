"""Did-you-mean for a query word the archive does not hold, even when other words matched (issue 11.10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.archives import add_named

ARTICLES = {
    "governess": ("Obituary", "She worked as a governess in Vienna before the war."),
    "government": ("Budget", "The government said the budget would pass. The government denied it."),
    "government2": ("Vote", "The government lost the vote on Tuesday."),
    "moreno": ("Football", "Lenin Moreno met the players. Moreno said the vote was fair."),
    "mourinho": ("Chelsea", "Jose Mourinho said Chelsea would win. Mourinho praised the players."),
    "kamishli": ("Market", "A car bomb exploded in Kamishli, near the border."),
}


@pytest.fixture
def ids(archive: Path) -> dict[str, str]:
    return add_named(archive, {name: {"title": title, "body": body, "date": "2017-05-18"}
                               for name, (title, body) in ARTICLES.items()})


def test_stem_collision_hits_still_get_did_you_mean(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "goverment", "--ids")
    assert "goverment: did you mean government?" in result.stderr
    assert result.stdout.split()  # the stem collision's hits are still listed


def test_variant_hits_of_an_unknown_name_suggest_the_closer_word(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "Mourino")
    assert "Mourino: did you mean mourinho?" in result.stderr


def test_no_suggestion_for_words_the_archive_holds_or_a_variant_explains(run, ids) -> None:  # type: ignore[no-untyped-def]
    for query in ("government", "Mourinho", "Qamishli", "Kamishli border"):
        result = run("search", query)
        assert result.exit_code == 0
        assert "did you mean" not in result.stderr, (query, result.stderr)


def test_did_you_mean_also_with_json_output(run, ids) -> None:  # type: ignore[no-untyped-def]
    import json

    result = run("search", "goverment", "--json")
    assert json.loads(result.stdout)  # stdout stays one JSON document
    assert "goverment: did you mean government?" in result.stderr


def test_an_empty_archive_is_searched_and_suggested_from_without_a_traceback(archive: Path) -> None:
    """A new archive's index has no segment yet (Whoosh gives an empty reader with no segment): did-you-mean and
    alias suggestions, which read the words segment by segment, find none there instead of failing."""
    import subprocess
    import sys

    newsarc = str(Path(sys.executable).with_name("newsarc"))
    search = subprocess.run([newsarc, "--archive", str(archive), "search", "economy"], capture_output=True,
                            text=True, timeout=120)
    assert search.returncode == 1 and search.stdout == "", search.stderr
    assert "Traceback" not in search.stderr and len(search.stderr.splitlines()) == 1, search.stderr
    suggested = subprocess.run([newsarc, "--archive", str(archive), "alias", "suggest"], capture_output=True,
                               text=True, timeout=120)
    assert suggested.returncode in (0, 1) and "Traceback" not in suggested.stderr, suggested.stderr
