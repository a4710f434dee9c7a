"""Did-you-mean: the words of the archive within a small edit distance of a word it does not hold, found in a
vocabulary kept in memory instead of by walking Whoosh's term tables.

Whoosh's `terms_within` builds a Levenshtein automaton in Python for every segment and steps it against the
segment's on-disk term table, a file seek and read per step: ~0.5 s for one misspelt word at 100,000 articles,
more with every segment (issue 24). The answers are the same sets, found another way:

- distance 1: every string one deletion, substitution or insertion away from the word (with the characters the
  vocabulary uses), looked up in the vocabulary set: a few thousand set lookups;
- distance 2 (words of 5 letters or more, sharing the first letter, as before): the vocabulary's words of that
  first letter and a length within 2, each measured with an early-exit Levenshtein.

The vocabulary is the `plain` field's terms (the unstemmed words) of every segment. A segment never changes
once written (deletions are kept beside it), so each segment's terms are read from the index once and kept in
`<state>/spelling/<segment id>.txt`, and the union for the index's current set of segments in `all-<stamp>.txt`:
after a change only the new segments are read (a commit of one article: its few hundred words). Files of
segments that are gone are deleted. Where the archive cannot be written, the vocabulary is built in memory for
the one search.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

FIELD = "plain"
ALPHABET_MARK = "#alphabet "  # the first line of an all- file: the characters of its words
END = "\n#end\n"  # the last line of every cache file: one cut short is read again from the index
CACHE_DIR = "spelling"  # beside the index directory: .newsarc/spelling/


class Vocabulary:
    """The plain words of an index's segments, sorted (a first letter's words are one slice), as a set for
    lookups, and the characters they use."""

    def __init__(self, sorted_words: list[str], alphabet: str | None = None):
        self.sorted = sorted_words
        self.words = set(sorted_words)
        self.alphabet = alphabet if alphabet is not None else "".join(sorted(set("".join(sorted_words))))

    def starting(self, first: str) -> list[str]:
        """The words that start with first (a slice of the sorted list)."""
        low = bisect_left(self.sorted, first)
        high = bisect_left(self.sorted, first[:-1] + chr(ord(first[-1]) + 1)) if first else len(self.sorted)
        return self.sorted[low:high]


def within_one(vocabulary: Vocabulary, word: str) -> set[str]:
    """Vocabulary words at Levenshtein distance exactly 1 from word (deletion, substitution, insertion)."""
    words, alphabet = vocabulary.words, vocabulary.alphabet
    found = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            candidate = head + tail[1:]
            if candidate in words:
                found.add(candidate)
        for char in alphabet:
            candidate = head + char + tail
            if candidate in words:
                found.add(candidate)
            if tail and char != tail[0]:
                candidate = head + char + tail[1:]
                if candidate in words:
                    found.add(candidate)
    found.discard(word)
    return found


def within_two_same_start(vocabulary: Vocabulary, word: str) -> set[str]:
    """Vocabulary words within Levenshtein distance 2 of word that share its first letter."""
    found = set()
    letters = set(word)
    shortest, longest = len(word) - 2, len(word) + 2
    for term in vocabulary.starting(word[:1]):
        # An edit changes the set of letters by at most two (a substitution drops one and adds one): a cheap
        # test that leaves most words of the same first letter out before the distance is computed.
        if shortest <= len(term) <= longest and len(letters ^ set(term)) <= 4 and levenshtein_at_most(word, term, 2):
            found.add(term)
    return found


def levenshtein_at_most(a: str, b: str, limit: int) -> bool:
    """Whether the Levenshtein distance (insertions, deletions, substitutions) of a and b is at most limit; each
    row stops as soon as every cell in it exceeds the limit."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


# -- the vocabulary of an index, kept per segment ------------------------------------------------------------
_memory: dict[tuple[str, str], Vocabulary] = {}  # (cache folder, stamp) -> vocabulary, for a long-running serve
_memory_lock = threading.Lock()


def segment_leaves(reader: Any) -> Iterator[tuple[Any, str]]:
    """(leaf reader, segment id) for each segment of reader. An index without a segment yet (a new archive) gives
    Whoosh's empty reader, whose segment() is None: it has no words, so it is left out."""
    for leaf, _offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is not None:
            yield leaf, segment.segment_id()


def vocabulary(reader: Any, cache: Path | None) -> Vocabulary:
    """The plain words of every segment of reader (a Whoosh reader), from cache where it holds them."""
    leaves = list(segment_leaves(reader))
    ids = sorted(segment_id for _, segment_id in leaves)
    stamp = hashlib.sha1(" ".join(ids).encode()).hexdigest()[:16]
    key = (str(cache), stamp)
    if key in _memory:
        return _memory[key]
    stored = read_lines(cache / f"all-{stamp}.txt") if cache is not None else None
    if stored and stored[0].startswith(ALPHABET_MARK):
        found = Vocabulary(stored[1:], stored[0][len(ALPHABET_MARK):])
    else:
        union: set[str] = set()
        for leaf, segment_id in leaves:
            union.update(segment_lines(leaf, segment_id, cache, _plain_words))
        found = Vocabulary(sorted(union))
        if cache is not None:
            store_lines(cache, f"all-{stamp}.txt", [ALPHABET_MARK + found.alphabet, *found.sorted])
            prune(cache, keep={f"all-{stamp}.txt", *(f"{i}.txt" for i in ids)})
    with _memory_lock:  # `newsarc serve` searches on several threads
        _memory[key] = found
        while len(_memory) > 2:
            del _memory[next(iter(_memory))]
    return found


def _plain_words(leaf: Any) -> list[str]:
    return [_text(term) for term in leaf.lexicon(FIELD)] if FIELD in leaf.schema else []


def _text(term: Any) -> str:
    return term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)


# -- per-segment cache files (also used for the variant keys that alias suggestions read) ---------------------
def segment_lines(leaf: Any, segment_id: str, cache: Path | None, compute: Callable[[Any], list[str]]) -> list[str]:
    """compute(leaf), or what it gave before for this segment: a segment never changes once written."""
    if cache is not None:
        lines = read_lines(cache / f"{segment_id}.txt")
        if lines is not None:
            return lines
    lines = compute(leaf)
    if cache is not None:
        store_lines(cache, f"{segment_id}.txt", lines)
    return lines


def read_lines(path: Path) -> list[str] | None:
    """The lines of a cache file; None when it is missing or not whole."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.endswith(END):  # written whole or not at all (atomic), but a hand-cut file says so here
        return None
    return text[:-len(END)].split("\n") if len(text) > len(END) else []


def store_lines(cache: Path, name: str, lines: list[str]) -> None:
    """Write one cache file (a cache: a failure to write it costs only time, so it is not reported)."""
    from newsarc.storage.atomic import atomic_write

    with contextlib.suppress(OSError):
        cache.mkdir(parents=True, exist_ok=True)
        atomic_write(cache / name, "\n".join(lines) + END, durable=False, sync_dir=False)


def prune(cache: Path, keep: set[str]) -> None:
    """Delete the cache files not named in keep (those of segments merged away or of an older union)."""
    with contextlib.suppress(OSError):
        for old in cache.iterdir():
            if old.name not in keep and old.suffix == ".txt":
                old.unlink()
