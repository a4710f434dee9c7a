"""`newsarc alias suggest` from the archive's vocabulary: same consonants, shared context (issue 14 made it fast).

Each article's names and each word's commonness are now worked out once per run instead of once per pair of
spellings; these tests pin what it suggests, including when the index still holds replaced versions of an
article (Whoosh keeps them, deleted, until segments merge), and that it reports progress.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

STORIES = [
    ("Kharkiv", "Shelling hit Kharkiv overnight. Mayor Terekhov said the Saltivka district lost power, and "
                "governor Syniehubov asked residents to stay in shelters."),
    ("Kharkiv", "Trams ran again in Kharkiv on Monday. Terekhov thanked the engineers; Syniehubov promised "
                "more generators for Saltivka."),
    ("Kharkiv", "Schools in Kharkiv moved underground, Terekhov said, while Syniehubov visited Saltivka."),
    ("Kharkov", "Officials in Kharkov said Terekhov would rebuild the Saltivka market with help from "
                "Syniehubov."),
]
FILLER = "Rain is expected across the region on Tuesday, forecasters said, with cooler weather later in the week."


def _add_all(run) -> None:  # type: ignore[no-untyped-def]
    for number, (city, body) in enumerate(STORIES):
        assert run("add", "-", input=f"News from {city} number {number}\n\n{body}\n").exit_code == 0
    for number in range(6):
        assert run("add", "-", input=f"Weather report {number}\n\n{FILLER} Report {number}.\n").exit_code == 0


def test_spellings_with_the_same_consonants_and_shared_context_are_suggested(run) -> None:  # type: ignore[no-untyped-def]
    _add_all(run)
    result = run("alias", "suggest")
    assert result.exit_code == 0, result.output
    assert "1. Kharkiv, Kharkov" in result.stdout
    assert "same consonants, and their articles share saltivka, syniehubov, terekhov" in result.stdout


def test_replaced_versions_in_the_index_do_not_make_a_context_word_common(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    _add_all(run)
    # Edit two Kharkiv stories by hand: the index replaces them, keeping the old versions as deleted documents,
    # so "terekhov" is in 6 documents of the index but only 4 live articles (the limit of "common" is 5).
    edited = 0
    for path in sorted((archive / "articles").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "Kharkiv" in text and edited < 2:
            path.write_text(text.rstrip("\n") + " Terekhov added later.\n", encoding="utf-8")
            edited += 1
    assert edited == 2
    assert run("search", "Terekhov", "--count").stdout.strip() == "4"
    result = run("alias", "suggest")
    assert "same consonants, and their articles share saltivka, syniehubov, terekhov" in result.stdout


def test_suggest_reports_progress(archive: Path, run) -> None:  # type: ignore[no-untyped-def]
    _add_all(run)
    from newsarc import api
    from newsarc.alias_suggest import suggest_groups

    seen: list[tuple[str, int, int]] = []

    @contextlib.contextmanager
    def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
        done = [0]
        yield lambda n: done.__setitem__(0, done[0] + n)
        seen.append((label, total, done[0]))

    store = api.open_store(archive, progress=progress)
    try:
        groups = suggest_groups(store)
    finally:
        store.close()
    assert groups and groups[0][0] == ["Kharkiv", "Kharkov"]
    comparing = [entry for entry in seen if entry[0] == "comparing spellings"]
    assert len(comparing) == 1 and comparing[0][1] > 0 and comparing[0][1] == comparing[0][2]


def _cache(archive: Path) -> Path:
    return archive / ".newsarc" / "alias-suggest.json"


def test_an_unchanged_archive_answers_from_the_cache_and_a_changed_one_as_without_it(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    _add_all(run)
    first = run("alias", "suggest")
    assert "1. Kharkiv, Kharkov" in first.stdout
    # Unchanged: the second run answers from what the first one found (the marker shows it was read).
    cache = _cache(archive)
    cache.write_text(cache.read_text(encoding="utf-8").replace("saltivka", "cachedword"), encoding="utf-8")
    assert "their articles share cachedword, syniehubov, terekhov" in run("alias", "suggest").stdout
    # Changed: a new spelling with shared context, and the same answer as a run with no cache at all.
    assert run("add", "-", input="Night in Charkiv\n\nIn Charkiv, Terekhov and Syniehubov toured Saltivka.\n"
               ).exit_code == 0
    changed = run("alias", "suggest").stdout
    assert "cachedword" not in changed and "share saltivka, syniehubov, terekhov" in changed
    cache.unlink()
    assert run("alias", "suggest").stdout == changed
    assert cache.is_file()  # written again
    # Known groups apply after the cache: accepting a suggestion removes it at once.
    assert run("alias", "add", "Kharkiv", "Kharkov").exit_code == 0
    assert "Kharkiv, Kharkov" not in run("alias", "suggest").stdout


def test_spellings_in_the_tags_of_several_articles_are_counted_once_each(run) -> None:  # type: ignore[no-untyped-def]
    for number in range(2):
        text = f"Convoy report {number}\nTags: Abu Kamal, al-Bukamal\n\nA convoy reached the town, report {number}.\n"
        assert run("add", "-", input=text).exit_code == 0
    result = run("alias", "suggest")
    assert "1. Abu Kamal, al-Bukamal" in result.stdout
    assert "listed side by side in the tags of 2 article(s)" in result.stdout


def test_suggest_shows_a_bar_on_a_terminal(archive: Path) -> None:
    """Enough spellings of their own consonants (300) that comparing them is worth a bar."""
    import itertools
    import sys

    from newsarc import api
    from tests.support.terminal import run_on_terminal
    from tests.test_progress import screen_lines

    letters = "bdfgkmnprstvz"
    names = [f"{a.upper()}a{b}e{c}" for a, b, c in itertools.islice(itertools.product(letters, repeat=3), 300)]
    store = api.open_store(archive)
    try:
        items = [(f"story {n}", {"title": f"Story {n}", "body": f"On Monday {' and '.join(names[n::30])} met.\n"})
                 for n in range(30)]
        assert api.add_articles(store, items).count("added") == 30
    finally:
        store.close()
    shown = run_on_terminal([str(Path(sys.executable).with_name("newsarc")), "--archive", str(archive), "alias",
                             "suggest"])
    assert shown.returncode in (0, 1), shown.terminal
    assert any(line.startswith("comparing spellings") for line in screen_lines(shown.terminal)), shown.terminal


def _suggest_counting_reads(archive: Path, monkeypatch) -> tuple[list[tuple[list[str], str]], int]:  # type: ignore[no-untyped-def]
    """suggest_groups in this process, and how many stored articles it read to judge context."""
    from newsarc import api
    from newsarc.alias_suggest import suggest_groups
    from newsarc.index import whoosh_backend

    reads = [0]
    real = whoosh_backend._WhooshNameEvidence.stored

    def counted(self, document: int):  # type: ignore[no-untyped-def]
        reads[0] += 1
        return real(self, document)

    monkeypatch.setattr(whoosh_backend._WhooshNameEvidence, "stored", counted)
    store = api.open_store(archive)
    try:
        return suggest_groups(store), reads[0]
    finally:
        store.close()


def test_after_a_change_only_the_skeletons_it_touched_are_judged_again(run, archive: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 24.4: the first `alias suggest` after a change cost as much as the first ever (8.6 s at 20,000)."""
    _add_all(run)
    first, reads = _suggest_counting_reads(archive, monkeypatch)
    assert first[0][0] == ["Kharkiv", "Kharkov"] and reads > 0
    # A change that adds no spelling of the skeleton: nothing is read again, the same answer.
    assert run("add", "-", input="Weather report 99\n\nFog in the valleys. Report 99.\n").exit_code == 0
    again, reads = _suggest_counting_reads(archive, monkeypatch)
    assert again == first and reads == 0
    # A change to the skeleton's spellings (one more Kharkov story): judged again, from the articles.
    assert run("add", "-", input="Kharkov at night\n\nIn Kharkov, Terekhov met Syniehubov in Saltivka.\n"
               ).exit_code == 0
    changed, reads = _suggest_counting_reads(archive, monkeypatch)
    assert changed[0][0] == ["Kharkiv", "Kharkov"] and reads > 0
    # The same answer as a run that starts with no cache at all.
    _forget_caches(archive)
    assert _suggest_counting_reads(archive, monkeypatch)[0] == changed


def _forget_caches(archive: Path) -> None:
    """Remove everything `alias suggest` keeps (newsarc.alias_suggest_cache), as if it never ran."""
    import shutil

    state = archive / ".newsarc"
    for name in ("alias-suggest.json", "alias-suggest-state.json"):
        (state / name).unlink()
    shutil.rmtree(state / "alias-suggest-parts")
