"""Abu Kamal = al-Bukamal (newsarc.names.contractions) and the qaf bridge (Kadhafi = Gaddafi through Qaddafi), through
the CLI: what a user searching a name meets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarc.names.contractions import contraction_groups, merge_into

STORIES = {
    "two-words.txt": "Convoy reaches Abu Kamal\n\nLorries reached Abu Kamal on the Euphrates after a week.\n",
    "hyphen.txt": "Strikes near al-Bukamal\n\nAircraft struck positions near al-Bukamal at dawn, residents said.\n",
    "glued.txt": "Market reopens in Albukamal\n\nTraders in Albukamal reopened the covered market on Sunday.\n",
    "o-spelling.txt": "Checkpoint at al-Bokamal\n\nA new checkpoint went up outside al-Bokamal, officials said.\n",
    "unrelated.txt": "Burton wins the cup\n\nBurton Albion won the cup with a late goal from Mark Kamal Burton.\n",
}


@pytest.fixture
def filled(tmp_path: Path, run, archive: Path) -> Path:  # type: ignore[no-untyped-def]
    for name, text in STORIES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert run("add", *(str(tmp_path / name) for name in STORIES), "-q").exit_code == 0
    return archive


def titles(run, *args: str) -> set[str]:  # type: ignore[no-untyped-def]
    result = run("search", *args, "--json")
    assert result.exit_code in (0, 1), result.output
    return {hit["title"] for hit in json.loads(result.stdout)} if result.exit_code == 0 else set()


TOWN = {"Convoy reaches Abu Kamal", "Strikes near al-Bukamal", "Market reopens in Albukamal",
        "Checkpoint at al-Bokamal"}


@pytest.mark.parametrize("query", ["Abu Kamal", '"Abu Kamal"', "Abou Kamal", "al-Bukamal", "Bukamal",
                                   "Albukamal", "al-Bokamal", "Albu Kamal"])
def test_every_spelling_finds_the_town_and_nothing_else(filled, run, query: str) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, query) == TOWN


def test_exact_turns_it_off(filled, run) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, "Bukamal", "--exact") == {"Strikes near al-Bukamal"}
    assert titles(run, '"Abu Kamal"', "--exact") == {"Convoy reaches Abu Kamal"}


def test_explain_names_the_forms_and_hits_say_which_spelling_matched(filled, run) -> None:  # type: ignore[no-untyped-def]
    explained = run("search", "Bukamal", "--explain")
    assert "Bukamal -> one-word and two-word forms: Bukamal, Abu Kamal, Albu Kamal" in explained.output
    hits = json.loads(run("search", "Bukamal", "--json").stdout)
    matched = {hit["title"]: hit["matched_terms"] for hit in hits}
    assert matched["Convoy reaches Abu Kamal"] == ["Abu", "Kamal"]
    assert matched["Market reopens in Albukamal"] == ["Albukamal"]


def test_a_name_that_merely_starts_with_bu_is_left_alone(filled, run) -> None:  # type: ignore[no-untyped-def]
    explained = run("search", "Burton", "--explain")
    assert "one-word and two-word forms" not in explained.output
    assert titles(run, "Burton") == {"Burton wins the cup"}


def test_the_groups_for_a_query() -> None:
    def archive_words(word: str) -> bool:
        return word in {"kamal", "bukamal", "abu", "rton"}

    assert contraction_groups("al-Bukamal", archive_words) == [["al-Bukamal", "Abu Kamal", "Albu Kamal"]]
    assert contraction_groups("Abou Kamal AND convoy", archive_words) == [
        ["Abou Kamal", "Abu Kamal", "Albu Kamal", "Bukamal"]]
    assert contraction_groups("Abu Kamal", archive_words) == [["Abu Kamal", "Albu Kamal", "Bukamal"]]
    assert contraction_groups("Bush", archive_words) == []  # too short a rest
    assert contraction_groups("title:Bukamal", archive_words) == []  # field-prefixed words are the user's
    assert contraction_groups("bukamal", archive_words) == []  # not written as a name
    assert contraction_groups("Burton", lambda word: word == "rton") == []  # the archive has no Abu at all


def test_an_alias_group_with_the_same_name_absorbs_the_implicit_one() -> None:
    aliases = [["Abu Kamal", "al-Bukamal", "al-Bokamal"], ["Erbil", "Hawler"]]
    merged = merge_into(aliases, [["Abu Kamal", "Albu Kamal", "Bukamal"]])
    assert merged == [["Abu Kamal", "al-Bukamal", "al-Bokamal", "Albu Kamal", "Bukamal"], ["Erbil", "Hawler"]]
    assert aliases[0] == ["Abu Kamal", "al-Bukamal", "al-Bokamal"]  # the user's groups are not changed


QAF = {
    "q.txt": "Qaddafi speaks in Sirte\n\nColonel Muammar Qaddafi spoke to supporters in Sirte on Monday.\n",
    "g.txt": "Gaddafi compound shelled\n\nThe compound of Muammar Gaddafi was shelled overnight, witnesses said.\n",
    "k.txt": "Kadhafi son arrested\n\nA son of Mouammar Kadhafi was arrested near the border, police said.\n",
}


def test_kadhafi_and_gaddafi_meet_through_the_q_spelling(tmp_path: Path, run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    for name, text in QAF.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert run("add", str(tmp_path / "g.txt"), str(tmp_path / "k.txt"), "-q").exit_code == 0
    # Kadhafi shows the transcription of an Arabic qaf (newsarc.names.readings): it meets Gaddafi even without a
    # q-spelling in the archive, while k and g stay apart elsewhere (Kate is not Gate: test_search_readings.py).
    assert titles(run, "Kadhafi") == {"Kadhafi son arrested", "Gaddafi compound shelled"}
    assert run("add", str(tmp_path / "q.txt"), "-q").exit_code == 0
    everyone = {"Qaddafi speaks in Sirte", "Gaddafi compound shelled", "Kadhafi son arrested"}
    assert titles(run, "Kadhafi") == titles(run, "Gaddafi") == titles(run, "Qaddafi") == everyone
