"""Search on the BBC corpus against a brute-force scan, and the precision of variant expansion there."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

_WORD = re.compile(r"\w+(?:[.'’]\w+)*")


def _stem(word: str) -> str:
    from whoosh.lang.snowball.english import EnglishStemmer

    return EnglishStemmer().stem(word)


def brute_tokens(text: str) -> list[str]:
    """An independent reading of the index's rules for plain English words: words split at anything but
    letters, digits and inner dots/apostrophes; a possessive 's dropped; apostrophes removed; case and accents
    folded; Snowball English stems. (Hyphenated words count as their parts.)"""
    import unicodedata

    out = []
    for word in _WORD.findall(text.replace("_", " ")):
        if re.search(r"['’][sS]$", word):
            word = word[:-2]
        word = unicodedata.normalize("NFKD", word.casefold().replace("'", "").replace("’", ""))
        word = "".join(ch for ch in word if not unicodedata.combining(ch))
        if word:
            out.append(_stem(word))
    return out


@pytest.fixture(scope="module")
def corpus(bbc_archive: Path) -> dict[str, list[str]]:
    """id -> stemmed words of title, body and tags, for every article of the BBC archive."""
    from newsarc.storage.archive import Archive

    archive = Archive(bbc_archive)
    texts = {}
    for relpath in archive.iter_relpaths():
        article = archive.read(relpath)
        texts[article.id] = brute_tokens("\n".join([article.title, article.body, *article.tags]))
    return texts


def _run_ids(bbc_archive: Path, *args: str) -> set[str]:
    from click.testing import CliRunner

    from newsarc.cli.app import cli

    result = CliRunner().invoke(cli, ["--archive", str(bbc_archive), "search", *args, "--ids", "--limit", "10000"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return set(result.stdout.split())


def _has_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


@pytest.mark.parametrize("phrase", ["prime minister", "interest rates", "chief executive", "world cup",
                                    "the government said", "mobile phones"])
def test_phrase_query_equals_brute_force(bbc_archive: Path, corpus: dict[str, list[str]], phrase: str) -> None:
    wanted = brute_tokens(phrase)
    expected = {doc_id for doc_id, words in corpus.items() if _has_phrase(words, wanted)}
    assert len(expected) > 5
    assert _run_ids(bbc_archive, f'"{phrase}"') == expected


@pytest.mark.parametrize("query", ["economy growth", "film award nomination", "election labour tory",
                                   "broadband speed price", "injury fitness coach"])
def test_and_query_equals_brute_force(bbc_archive: Path, corpus: dict[str, list[str]], query: str) -> None:
    wanted = set(brute_tokens(query))
    expected = {doc_id for doc_id, words in corpus.items() if wanted <= set(words)}
    assert len(expected) > 3
    assert _run_ids(bbc_archive, query) == expected
    assert _run_ids(bbc_archive, " AND ".join(query.split())) == expected


def test_or_and_not_equal_brute_force(bbc_archive: Path, corpus: dict[str, list[str]]) -> None:
    oscar, bafta, film = _stem("oscar"), _stem("bafta"), _stem("film")
    expected = {d for d, w in corpus.items() if (oscar in w or bafta in w) and film not in w}
    assert _run_ids(bbc_archive, "(oscar OR bafta) NOT film") == expected


def _frequent_words(corpus_dir: Path, limit: int) -> tuple[list[str], list[str]]:
    """The most frequent lower-case words (4+ letters) and mid-sentence capitalised words of the corpus."""
    from newsarc.storage.archive import Archive

    archive = Archive(corpus_dir)
    lower: collections.Counter[str] = collections.Counter()
    names: collections.Counter[str] = collections.Counter()
    for relpath in archive.iter_relpaths():
        for word in re.findall(r"(?<=[a-z,] )([A-Za-z]{4,})\b", archive.read(relpath).body):
            (names if word[0].isupper() else lower)[word] += 1
    return [w.capitalize() for w, _ in lower.most_common(limit)], [w for w, _ in names.most_common(limit)]


def extra_hits(bbc_archive: Path, words: list[str]) -> tuple[int, int, list[tuple[str, int, list[str]]]]:
    """Hits without expansion, hits that variant expansion adds, and the words that were expanded."""
    from newsarc import api
    from newsarc.index.backend import SearchRequest

    store = api.open_store(bbc_archive)
    exact_total = added = 0
    expanded = []
    try:
        for word in words:
            exact = {h.id for h in api.search(store, SearchRequest(word, limit=10**6, snippets=False,
                                                                   exact=True)).hits}
            result = api.search(store, SearchRequest(word, limit=10**6, snippets=False))
            more = {h.id for h in result.hits} - exact
            exact_total += len(exact)
            added += len(more)
            if result.expansions:
                expanded.append((word, len(more), result.expansions[0][2]))
    finally:
        store.close()
    return exact_total, added, expanded


def test_variant_expansion_adds_no_hits_to_ordinary_english_words(bbc_archive: Path) -> None:
    english, _ = _frequent_words(bbc_archive, 200)
    exact_total, added, expanded = extra_hits(bbc_archive, english)
    assert exact_total > 50_000
    assert added <= exact_total // 1000, expanded  # measured: 0 of 130,257 for the 300 most frequent


def test_variant_expansion_of_names_stays_precise(bbc_archive: Path) -> None:
    _, names = _frequent_words(bbc_archive, 200)
    exact_total, added, expanded = extra_hits(bbc_archive, names)
    assert added <= exact_total // 100, expanded  # measured: 0.5% (Martin/Martyn, Stephen/Stefan, Mark/Marc...)
