"""Query syntax users bring from other search engines: -word and !word as NOT, phrases in groups, odd text.

Every query gets a right answer or a one-line error naming the position and what to write instead; never an
internal message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.errors import ExitCode

STORIES = [
    ("Blair calls election", "Tony Blair said the general election would be held in May."),
    ("Blair visits Africa", "Tony Blair met leaders in Ghana on Tuesday."),
    ("Howard on the campaign", "Michael Howard said the election campaign would be about taxes."),
    ("Blair and the e-mail row", "Tony Blair's office said the e-mail was sent by mistake; no election talk."),
]


@pytest.fixture
def stories(archive: Path) -> dict[str, str]:
    from newsarc import api

    store = api.open_store(archive)
    report = api.add_articles(store, [(title, {"title": title, "body": body, "source": "Test"})
                                      for title, body in STORIES])
    store.close()
    return {o.origin: o.id for o in report.outcomes}


def hits(run, *query: str) -> set[str]:  # type: ignore[no-untyped-def]
    result = run("search", "--csv", "--", *query)
    assert result.exit_code in (0, ExitCode.NO_MATCH), result.output
    import csv
    import io

    return {row["title"] for row in csv.DictReader(io.StringIO(result.stdout))}


@pytest.mark.parametrize("query", ["Blair -election", "Blair !election", "Blair NOT election", "Blair (-election)"])
def test_leading_dash_or_bang_leaves_a_word_out(run, stories, query: str) -> None:  # type: ignore[no-untyped-def]
    assert hits(run, query) == {"Blair visits Africa"}


def test_leading_dash_before_a_phrase_a_group_or_a_field(run, stories) -> None:  # type: ignore[no-untyped-def]
    assert hits(run, 'Blair -"general election"') == {"Blair visits Africa", "Blair and the e-mail row"}
    assert hits(run, "Blair -(election OR Ghana)") == set()
    assert hits(run, "Blair -title:election") == {"Blair visits Africa", "Blair and the e-mail row"}
    assert hits(run, "-Blair") == {"Howard on the campaign"}
    assert hits(run, "election OR -Blair") == {"Blair calls election", "Howard on the campaign",
                                               "Blair and the e-mail row"}


def test_a_dash_inside_or_between_words_is_no_operator(run, stories) -> None:  # type: ignore[no-untyped-def]
    assert hits(run, "e-mail") == {"Blair and the e-mail row"}
    assert hits(run, "Blair - election") == {"Blair calls election", "Blair and the e-mail row"}


def test_dash_words_on_the_command_line_are_query_words(archive: Path, stories) -> None:  # type: ignore[no-untyped-def]
    newsarc = [sys.executable, "-m", "newsarc", "--archive", str(archive)]
    for args in (["search", "Blair", "-election"], ["search", "-election", "Blair"],
                 ["search", "-n", "5", "Blair", "-election"], ["search", "-n5", "Blair", "-election"],
                 ["search", "Blair", "-house", "-election"]):
        result = subprocess.run([*newsarc, *args, "--ids"], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.split() == [stories["Blair visits Africa"]], args
    typo = subprocess.run([*newsarc, "search", "Blair", "--limt", "3"], capture_output=True, text=True, timeout=120)
    assert typo.returncode == ExitCode.USAGE and "--limt" in typo.stderr


def test_a_phrase_inside_parentheses(run, stories) -> None:  # type: ignore[no-untyped-def]
    assert hits(run, '("tony blair")') == {"Blair calls election", "Blair visits Africa", "Blair and the e-mail row"}
    assert hits(run, '("general election" OR Ghana)') == {"Blair calls election", "Blair visits Africa"}


@pytest.mark.parametrize(("query", "answer"), [
    ("<b>", "position 1"), ("<<", "position 1"), ("Blair <b>", "position 7"), ("date:<", "position 1"),
    ("title:>", "position 1"), ("NOT -Blair", "position 5"), ("-AND Blair", "position 1"),
    ("<>", "position 1"), ("a < b", "position 3"), ("-", "no words to search for"),
    ("'", "no words to search for"),
])
def test_odd_queries_get_a_one_line_error_with_position(run, stories, query: str,  # type: ignore[no-untyped-def]
                                                         answer: str) -> None:
    result = run("search", "--", query)
    lines = result.stderr.splitlines()
    if answer.startswith("position"):
        assert result.exit_code == ExitCode.USAGE, result.output
        assert len(lines) == 1 and answer in lines[0], lines
    else:
        assert result.exit_code == ExitCode.USAGE and answer in lines[0], result.output
    assert "index out of range" not in result.output and "Traceback" not in result.output
