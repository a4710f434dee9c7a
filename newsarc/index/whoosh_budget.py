"""The search budget (newsarc.search_budget) inside Whoosh: collectors that look at the clock as they walk the
matches, and how many words a wildcard, fuzzy or range term stands for, counted before Whoosh opens a posting
list for each of them.

Whoosh's own TimeLimitCollector starts a timer thread per search and checks it only in its own loop; newsarc's
searches nest Whoosh's collectors (a filter, facets, collapsing), each with its own loop over the innermost
collector's matches(). `bounded` wraps that one generator instead, so every loop over matches is checked,
whatever wraps it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import collectors, query

from newsarc import search_budget as budget
from newsarc.errors import QueryTooBroadError
from newsarc.index.whoosh_internals import clocked_fuzzy


class _Bounded(collectors.WrappingCollector):
    """A collector whose every walk over matches stops when the search's budget is spent."""

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        self.child.prepare(top_searcher, q, context)
        base = self.child
        while isinstance(base, collectors.WrappingCollector):
            base = base.child
        walk = base.matches
        # An instance attribute: the wrappers' loops all call child.matches(), which ends at the base's.
        base.matches = lambda: budget.checked(walk())

    def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
        budget.check()  # opening a segment's matchers expands its wildcards: a step of its own
        super().set_subsearcher(subsearcher, offset)

    def collect_matches(self) -> None:
        self.child.collect_matches()  # the child's own loop (a FilterCollector filters in it)


def bounded(collector: Any) -> Any:
    """collector, stopped (QueryTooBroadError) when the running search's budget is spent; as it is outside one."""
    return _Bounded(collector)


def search(searcher: Any, q: query.Query, **kwargs: Any) -> Any:
    """searcher.search(q, **kwargs) within the running search's budget."""
    collector = searcher.collector(**kwargs)
    searcher.search_with_collector(q, bounded(collector))
    return collector.results()


MAX_FUZZY_DISTANCE = 2


def bound_terms(reader: Any, parsed: query.Query) -> None:
    """Hold the terms of parsed to what one term may cost, for every face alike: a fuzzy word is searched within
    at most MAX_FUZZY_DISTANCE letters (further is refused), and at distance 2 its first letter as typed
    (Whoosh's expansion from any first letter took 2-5 s per index segment, minutes a search at 20,000
    articles; `governmnt~2` still finds `government`), its walk of each segment's words stopped by the clock
    (clocked_fuzzy); and a wildcard or range term may stand for at most
    the running search's max_expansions words (QueryTooBroadError otherwise, each counted only up to one past
    the bound, a segment at a time, the clock looked at between them)."""
    spending = budget.current()
    for q in _walk(parsed):
        if not isinstance(q, query.MultiTerm):
            continue
        if isinstance(q, query.FuzzyTerm):
            if q.maxdist > MAX_FUZZY_DISTANCE:
                raise QueryTooBroadError(spending.query if spending else q.text,
                                         f"{_as_typed(q)} asks for words up to {q.maxdist:g} letters different",
                                         f"at most {MAX_FUZZY_DISTANCE} are searched: write {q.text}~2")
            if q.maxdist >= 2 and q.prefixlength < 1:
                q.prefixlength = 1
            clocked_fuzzy.clock(q)  # its walk of each segment's words looks at the clock too
            continue  # held by its distance and first letter; counting its words would expand it once more
        if spending is None or spending.max_expansions is None:
            continue
        words: set[Any] = set()
        for leaf in _segments(reader):
            budget.check()
            if q.field() not in leaf.schema:
                continue
            for _, word in budget.checked(q.expanded_terms(leaf)):
                words.add(word)
                if len(words) > spending.max_expansions:
                    break
            if len(words) > spending.max_expansions:
                break
        spending.expanded(_as_typed(q), len(words))


def _segments(reader: Any) -> list[Any]:
    return [leaf for leaf, _ in reader.leaf_readers()]


def _walk(q: query.Query) -> Iterator[query.Query]:
    yield q
    for child in q.children():
        yield from _walk(child)


def _as_typed(q: Any) -> str:
    """A term as the query language writes it (the folded text, without the hidden field's name)."""
    if isinstance(q, query.FuzzyTerm):
        return f"{q.text}~{q.maxdist:g}" if q.maxdist != 1 else f"{q.text}~"
    if isinstance(q, query.TermRange):
        return f"{q.fieldname}:[{q.start or ''} TO {q.end or ''}]"
    text = getattr(q, "text", "") + ("*" if isinstance(q, query.Prefix) else "")
    return text if q.fieldname in ("plain", "text") else f"{q.fieldname}:{text}"
