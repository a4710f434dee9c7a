"""A phrase's (or span query's) walk to its next match looks at the running search's clock (issue 24, issue 21.7).

Whoosh's span matchers (a phrase is one) find their next match in SpanWrappingMatcher._find_next: the child
matcher (the intersection of the phrase's words) is stepped document by document until one has the words in
place. The constructor runs it too, so a matcher is built only once the first match is found. For a long phrase
of common words with no match, at 1,000,000 articles, that walk went through every document holding all the
words before the top-ten collector saw anything: 26 s in a `newsarc search` process, and 9.9 s in `newsarc
serve` under a 3 s budget. The walk here is Whoosh's own, looking at the clock every CHECK_EVERY documents.

It replaces a private method of Whoosh's, so it lives inside the boundary; install() applies it on any Whoosh
whose SpanWrappingMatcher still has that method.
"""

from __future__ import annotations

from typing import Any

from newsarc import search_budget as budget

CHECK_EVERY = 256  # documents stepped between two looks at the clock (a step is ~5-10 µs of Python, a look ~0.3 µs)


def _find_next(self: Any) -> Any:
    """SpanWrappingMatcher._find_next, with budget.check() every CHECK_EVERY documents of the walk."""
    if not self.is_active():
        return None
    child = self.child
    moved = False
    running = budget.current()
    steps = 0
    spans = self._get_spans()
    while child.is_active() and not spans:
        moved = child.next() or moved
        if not child.is_active():
            return True
        steps += 1
        if running is not None and not steps % CHECK_EVERY:
            running.check()
        spans = self._get_spans()
    self._spans = spans
    return moved


def install() -> bool:
    """Replace SpanWrappingMatcher._find_next; False (and nothing changed) on a Whoosh without it."""
    from whoosh.query import spans

    matcher = getattr(spans, "SpanWrappingMatcher", None)
    if matcher is None or not hasattr(matcher, "_find_next"):
        return False
    matcher._find_next = _find_next
    return True
