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
    from newsarc.names.aliases import suggest_groups

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
