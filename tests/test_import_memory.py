"""An import's memory does not grow with the words it has seen (issue 24.2).

Every word of every article goes through the name and analysis code (folding, stemming, name forms, the
gazetteer's look-ups), each with a cache that keeps what it computed. Their bounds were up to 200,000 entries
each: an archive's vocabulary never stops growing (names, misspellings, numbers), so over a long import they
filled with words seen once, and with them the memory of the command and of its indexing helper (~150 MB
each, measured per entry). These tests feed an import words it has never seen and hold
what those caches can come to at their bounds to a few megabytes.
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarc.cli.app import cli
from newsarc.names import gazetteer

SYLLABLES = [consonant + vowel for consonant in "bdfgklmnprstvz" for vowel in "aeiou"]
WORDS_PER_ARTICLE = 500


def made_up_names() -> Iterator[str]:
    """Capitalised three-syllable words, each new (70**3 of them): what a name, a place or a misspelling is to the
    analysis code, one that no cache has seen."""
    for first, second, third in itertools.product(SYLLABLES, repeat=3):
        yield (first + second + third).capitalize()


def write_articles(path: Path, words: Iterator[str], articles: int, first: int) -> None:
    """JSONL articles whose bodies name WORDS_PER_ARTICLE new words each, mid-sentence (so each counts as a name),
    each after a word that opens place names."""
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(first, first + articles):
            # "New" opens place names (New York): each following word is looked up as a window of two too
            names = " ".join(f"New {word}" for word in itertools.islice(words, WORDS_PER_ARTICLE))
            record = {"title": f"Envoys meet in round {number}", "date": "2020-05-01", "source": "Wire",
                      "tags": ["Diplomacy"], "body": f"The envoy met {names} in the capital.\n"}
            handle.write(json.dumps(record) + "\n")


def lru_caches(prefix: str = "newsarc") -> list[functools._lru_cache_wrapper]:
    """Every functools cache of the modules under `prefix` that this process has made."""
    return [obj for obj in gc.get_objects()
            if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith(prefix)]


def freed_by(clear: Callable[[], None]) -> int:
    """The traced bytes that clear() gives back."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    clear()
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def import_file(root: Path, jsonl: Path) -> None:
    result = CliRunner().invoke(cli, ["--archive", str(root), "import", str(jsonl)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_caches_an_import_fills_hold_a_few_megabytes_however_many_words_it_meets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cache the import uses, at its bound: its entries' bytes as measured on 2,000 new name words (what
    clearing it frees), times its maximum number of entries. That is what the import's command, and again its
    indexing helper, comes to hold once an archive has brought enough new words to fill it.

    Measured with the old bounds: 135 MB a process (_forms_of 44.5 MB, stem 32.8, fold_word 16.4,
    opens_longer_name 9.7, name_form 8.2, the gazetteer's windows 7.3, latin_readings 6.8, _lookup 6.5, its words
    2.9): memory that grew with the archive up to there. With the bounds of the measured hit rates
    (docs/performance.md, "Memory of a bulk import"), 25 MB."""
    monkeypatch.setenv("NEWSARC_INDEX_WORKER", "0")  # everything in this process, where it is measured
    root = tmp_path / "archive"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    words = made_up_names()
    warm, new = tmp_path / "warm.jsonl", tmp_path / "new.jsonl"
    write_articles(warm, words, 1, 0)
    write_articles(new, words, 4, 1)  # 2,000 words no cache has seen
    import_file(root, warm)  # modules imported, the catalog and index opened once
    for cache in lru_caches():
        cache.cache_clear()  # what earlier tests of this process left: its bytes were not traced
    gazetteer.table()._single.clear()
    gazetteer.table()._windows.clear()
    tracemalloc.start()
    try:
        import_file(root, new)
        at_bound: dict[str, float] = {}
        for cache in lru_caches():
            info = cache.cache_info()
            if not info.currsize:
                continue  # not used by an import
            name = f"{cache.__module__}.{cache.__qualname__}"
            assert info.maxsize is not None, f"{name} has no bound: it grows with every new word"
            at_bound[name] = freed_by(cache.cache_clear) / info.currsize * info.maxsize
        table = gazetteer.table()  # the look-ups of words and windows of words that mentions() keeps
        for name, kept, bound in (("gazetteer words", table._single, gazetteer.SINGLE_WORDS_KEPT),
                                  ("gazetteer windows", table._windows, gazetteer.WINDOWS_KEPT)):
            entries = len(kept)
            assert entries, f"no {name} were kept: the measure is void"
            at_bound[name] = freed_by(kept.clear) / entries * bound
    finally:
        tracemalloc.stop()
    assert "newsarc.index.analysis.stem" in at_bound and "newsarc.names.variants._forms_of" in at_bound
    total = sum(at_bound.values())
    assert total < 32_000_000, "at their bounds: " + ", ".join(
        f"{name} {size / 1e6:.1f} MB" for name, size in sorted(at_bound.items(), key=lambda item: -item[1]))
