"""Best fragments of a text around the words a query matched, with the matched words' offsets.

The index says which terms matched a hit (stems in title/body/tags, unstemmed words for fuzzy and wildcard
terms); this module finds the words of the stored text that stand for those terms and cuts up to three
fragments around the densest groups of them. Offsets are into the fragment text, for rich styling and for
`--json`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from newsarc.index.backend import Snippet
from newsarc.names.variants import tokenize

FRAGMENT_CHARS = 240
BEFORE_CHARS = 70


@dataclass
class Match:
    start: int
    end: int
    word: str  # as written in the text
    term: str  # the index term it stands for


def find_matches(text: str, stemmed: set[str], plain: set[str], stem: Callable[[str], str],
                 places: set[int] | None = None, language: str = "") -> list[Match]:
    """Words of text whose stem is in `stemmed` or whose folded form is in `plain`; a compound matched as a
    whole (albukamal for al-Bukamal) is one match; and the names of `places` (gazetteer ids) in any spelling,
    read as the index read them in a text of the article's `language`."""
    matches = _word_matches(text, stemmed, plain, stem)
    if places:
        from newsarc.index.analysis import place_spans

        taken = {(m.start, m.end) for m in matches}
        for start, end in place_spans(text, places, language):
            if not any(s < end and start < e for s, e in taken):
                matches.append(Match(start, end, text[start:end], f"place:{text[start:end]}"))
        matches.sort(key=lambda m: m.start)
    return matches


def _word_matches(text: str, stemmed: set[str], plain: set[str], stem: Callable[[str], str]) -> list[Match]:
    matches: list[Match] = []
    # Stemming only changes a word's ending: a word whose first two letters start no matched stem is skipped.
    starts = {term[:2] for term in stemmed}
    for token in tokenize(text):
        if token.text[:2] not in starts and token.text not in plain:
            continue
        stemmed_form = stem(token.text)
        if stemmed_form in stemmed:
            term = stemmed_form
        elif token.text in plain:
            term = token.text
        else:
            continue
        if token.extra and matches and matches[-1].start >= token.start:
            continue  # the parts of the compound already matched
        matches.append(Match(token.start, token.end, text[token.start:token.end], term))
    return matches


def fragments(text: str, matches: list[Match], top: int = 3) -> list[Snippet]:
    """Up to `top` fragments, the one holding most different matched terms first."""
    if not matches:
        return []
    candidates = []
    for i, first in enumerate(matches):
        start = _word_start(text, max(0, first.start - BEFORE_CHARS))
        end_limit = start + FRAGMENT_CHARS
        inside = [m for m in matches[i:] if m.end <= end_limit]
        end = _word_end(text, max(end_limit, inside[-1].end) if inside else end_limit)
        score = (len({m.term for m in inside}), len(inside), -start)
        candidates.append((score, start, end, inside))
    chosen: list[tuple[int, int, list[Match]]] = []
    for _score, start, end, inside in sorted(candidates, key=lambda c: c[0], reverse=True):
        if any(start < c_end and c_start < end for c_start, c_end, _ in chosen):
            continue
        chosen.append((start, end, inside))
        if len(chosen) == top:
            break
    return [_snippet(text, start, end, inside) for start, end, inside in chosen]


def lead(text: str, length: int = 200) -> Snippet:
    """The opening of a text when nothing in it matched (the match was in the tags or metadata)."""
    flat = " ".join(text.split())
    cut = flat if len(flat) <= length else flat[: max(flat.rfind(" ", 0, length), 1)] + " ..."
    return Snippet("body", cut, [])


def _snippet(text: str, start: int, end: int, inside: Iterable[Match]) -> Snippet:
    piece = text[start:end].replace("\n", " ").replace("\r", " ").replace("\t", " ")
    prefix = "... " if start > 0 else ""
    suffix = " ..." if end < len(text) else ""
    shift = len(prefix) - start
    highlights = [(m.start + shift, m.end + shift) for m in inside]
    return Snippet("body", prefix + piece + suffix, highlights)


def _word_start(text: str, at: int) -> int:
    if at <= 0:
        return 0
    space = text.rfind(" ", 0, at)
    newline = text.rfind("\n", 0, at)
    return max(space, newline) + 1


def _word_end(text: str, at: int) -> int:
    if at >= len(text):
        return len(text)
    for i in range(at, min(len(text), at + 40)):
        if text[i] in " \n":
            return i
    return at
