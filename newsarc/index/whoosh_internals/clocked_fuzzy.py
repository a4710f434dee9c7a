"""A fuzzy word whose expansion looks at the running search's clock (issue 21, point 7).

Whoosh expands `governmnt~2` in each segment by walking a Levenshtein automaton against the segment's word list
(codec.base.Automata.find_matches): one cursor seek per step, and only a matching word comes out of the
generator. At distance 2 that walk took 4.6 s in one segment of a 20,000-article archive while yielding a handful
of words, so a check between the words it yields (search_budget.checked) came too late to hold a 3 s budget.
The walk here is Whoosh's own, on a cursor that looks at the clock every CHECK_EVERY seeks.

It touches a segment reader's private codec, storage and segment (how SegmentReader.terms_within builds its
automaton), so it lives inside the boundary. On a reader without them (another Whoosh, a multi-segment reader)
the word list is Whoosh's own, checked between the words it yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import query

from newsarc import search_budget as budget

CHECK_EVERY = 32  # cursor seeks between two looks at the clock (a seek costs ~5-20 µs in Python, a look ~0.1 µs)


class _ClockedCursor:
    """A field cursor that raises QueryTooBroadError once the running search's time is spent."""

    def __init__(self, cursor: Any, running: budget.Budget) -> None:
        self._cursor = cursor
        self._budget = running
        self.seeks = 0

    def text(self) -> Any:
        return self._cursor.text()

    def find(self, term: Any) -> Any:
        self.seeks += 1
        if not self.seeks % CHECK_EVERY:
            self._budget.check()
        return self._cursor.find(term)


class ClockedFuzzyTerm(query.FuzzyTerm):
    """query.FuzzyTerm, its expansion in each segment stopped when the search's time budget is spent."""

    def _btexts(self, ixreader: Any) -> Iterator[Any]:
        running = budget.current()
        parts: list[Any] = [getattr(ixreader, name, None) for name in ("_codec", "_storage", "_segment")]
        if running is None or running.seconds is None or any(part is None for part in parts):
            return budget.checked(super()._btexts(ixreader))
        codec, storage, segment = parts
        spelling_field = ixreader.schema[self.fieldname].spelling_fieldname(self.fieldname)
        automata = codec.automata(storage, segment)
        cursor = _ClockedCursor(ixreader.cursor(spelling_field), running)
        return automata.terms_within(cursor, self.text, self.maxdist, self.prefixlength)


def clock(fuzzy: query.FuzzyTerm) -> None:
    """Make fuzzy (a term of a parsed query) expand under the running search's clock, in place."""
    fuzzy.__class__ = ClockedFuzzyTerm
