"""Name variants, second round (issue 11.11), through `newsarc search`: cross-script matching is symmetric,
ё is е, inflected Cyrillic names are found, and a vowel more or less (Teheran / Tehran) is one name only where
the archive holds the evidence (a spelling in Arabic script that matches both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.archives import add_named

STORIES = {
    "en": ("Summit talks", "On Tuesday former president Gorbachev met envoys. Officials said Gorbachev was tired."),
    "ru": ("Переговоры", "Во вторник Михаил Горбачёв встретился с послами. Советники сказали, что Горбачёв устал."),
    "de": ("Gespräche", "Am Dienstag traf Michail Gorbatschow die Gesandten. Berater sagten, Gorbatschow sei müde."),
    "erdogan": ("Ankara", "On Monday President Erdogan spoke in Ankara. Aides to Erdogan said talks went well."),
    "erdogan_ru": ("Кремль", "Путин встретился с Ердоганом во вторник. Переговоры с Ердоганом продолжатся."),
    # A surname no gazetteer lists, written with a short vowel more or less (as Tehran / Teheran is).
    "rahmani": ("Protests", "Crowds cheered Rahmani on Friday. Police said Rahmani left the square."),
    "rahamani": ("Proteste", "Menschen jubelten Rahamani zu. Die Polizei sagte, Rahamani sei gegangen."),
}
ARABIC = ("احتجاجات", "هتفت الحشود لرحماني يوم الجمعة. وقالت الشرطة إن رحماني غادر الساحة.")


def _add(archive: Path, stories: dict[str, tuple[str, str]]) -> dict[str, str]:
    return add_named(archive, {name: {"title": title, "body": body, "date": "2018-03-01"}
                               for name, (title, body) in stories.items()})


@pytest.fixture
def ids(archive: Path) -> dict[str, str]:
    return _add(archive, STORIES)


def _found(run, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    result = run("search", query, "--ids", "--limit", "100")
    assert result.exit_code in (0, 1), result.output
    return set(result.stdout.split())


@pytest.mark.parametrize("query", ["Gorbachev", "Горбачев", "Горбачёв", "Gorbatschow"])
def test_every_script_finds_every_spelling(run, ids, query: str) -> None:  # type: ignore[no-untyped-def]
    assert _found(run, query) == {ids["en"], ids["ru"], ids["de"]}


@pytest.mark.parametrize("query", ["Erdogan", "Ердоганом", "Ердоган"])
def test_inflected_cyrillic_name_found_both_ways(run, ids, query: str) -> None:  # type: ignore[no-untyped-def]
    assert _found(run, query) == {ids["erdogan"], ids["erdogan_ru"]}


def test_inserted_vowel_needs_the_archives_evidence(run, ids, archive: Path) -> None:  # type: ignore[no-untyped-def]
    assert _found(run, "Rahmani") == {ids["rahmani"]}
    assert _found(run, "Rahamani") == {ids["rahamani"]}
    arabic = _add(archive, {"ar": ARABIC})["ar"]
    both = {ids["rahmani"], ids["rahamani"], arabic}
    assert _found(run, "Rahmani") == both
    assert _found(run, "Rahamani") == both
    assert _found(run, "رحماني") == both
    explained = run("search", "Rahmani", "--explain", "--count").output
    assert "Rahmani -> variants in this archive:" in explained and "rahamani" in explained


def test_a_place_the_gazetteer_knows_needs_no_evidence(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    found = _add(archive, {"tehran": ("Protests", "Crowds gathered in Tehran on Friday."),
                           "teheran": ("Proteste", "In Teheran versammelten sich Menschen.")})
    assert _found(run, "Tehran") == _found(run, "Teheran") == set(found.values())
    explained = run("search", "Teheran", "--explain", "--count").output
    assert "Teheran -> gazetteer place: Tehran (city, IR)" in explained
