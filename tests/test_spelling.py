"""Did-you-mean reads a vocabulary kept per index segment, not every segment's term table (issue 24.4).

The corrections are the same sets Whoosh's automaton walk found (checked against a plain Levenshtein over random
vocabularies); after a change only the new segment's words are read from the index.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarc.index import spelling
from tests.support.archives import add_named


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


words = st.text(alphabet="abcdeé", min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(vocabulary=st.sets(words, max_size=40), word=words)
def test_the_vocabulary_search_finds_exactly_the_words_within_the_distance(vocabulary: set[str], word: str) -> None:
    found = spelling.Vocabulary(sorted(vocabulary))
    assert spelling.within_one(found, word) == {t for t in vocabulary if levenshtein(word, t) == 1}
    assert spelling.within_two_same_start(found, word) == {
        t for t in vocabulary if t[:1] == word[:1] and levenshtein(word, t) <= 2}


def cache_files(archive: Path) -> dict[str, float]:
    folder = archive / ".newsarc" / spelling.CACHE_DIR
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.is_dir() else {}


def test_did_you_mean_keeps_each_segments_words_and_reads_only_new_segments(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    add_named(archive, {"budget": {"title": "Budget", "body": "The government said the budget would pass."}})
    assert run("search", "goverment").stderr.count("did you mean government?") == 1
    first = cache_files(archive)
    segments = {name for name in first if not name.startswith("all-")}
    assert len(segments) == 1 and len(first) == 2  # the segment's words and the union

    add_named(archive, {"island": {"title": "Ferry", "body": "A ferry reached Zanzibar on Monday."}})
    result = run("search", "Zanzibat")
    assert "Zanzibat: did you mean zanzibar?" in result.stderr  # a word of the new segment
    second = cache_files(archive)
    assert {n: t for n, t in second.items() if n in segments} == {n: first[n] for n in segments}  # not re-read
    assert len([n for n in second if not n.startswith("all-")]) == 2
    assert len([n for n in second if n.startswith("all-")]) == 1  # the old union is gone


def test_a_damaged_vocabulary_file_is_read_again_from_the_index(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    add_named(archive, {"budget": {"title": "Budget", "body": "The government said the budget would pass."}})
    run("search", "goverment")
    folder = archive / ".newsarc" / spelling.CACHE_DIR
    for path in folder.iterdir():
        path.write_text("gov\n", encoding="utf-8")  # cut short: no end marker
    spelling._memory.clear()  # the CliRunner shares this process with the run before
    assert "goverment: did you mean government?" in run("search", "goverment").stderr
    assert all(p.read_text(encoding="utf-8").endswith("\n#end\n") for p in folder.iterdir())
