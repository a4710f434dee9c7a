"""What one search may cost once it runs: a time budget, and a bound on how many words one wildcard or range
term may stand for (issue 21, point 7; a fuzzy word is held by its distance instead:
newsarc.index.whoosh_budget.bound_terms). Engine-independent: the Whoosh side is newsarc.index.whoosh_budget.

The request's shape is bounded before it runs (newsarc.search_request.Limits: words, wildcard terms, letters).
Some queries are within those bounds and still costly, because of what the archive holds: `*ing` names thousands
of words, a phrase of common words is checked article by article, forty OR'ed common words score most of the
archive. Such a search is stopped, with QueryTooBroadError, as soon as it passes either bound, instead of holding a
server's reader (or a terminal) for minutes.

A search runs inside `spending(Budget(...))`; the code doing its work calls `check()` at places it passes often
(every CHECK_EVERY matches a collector walks, each document set the exact count builds, each did-you-mean word),
and `check()` raises once the budget's time is spent. The budget is per thread (a context variable), so the
server's readers each keep their own. Outside `spending` check() does nothing.

The time budget of a face is its Limits.time_budget (the command line is patient, a shared server less so);
NEWSARC_SEARCH_BUDGET (seconds, e.g. `2.5`) replaces it for every face, e.g. for a server on a slow machine, or
for the tests, which set a tiny budget to see a search stopped.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from newsarc.errors import QueryTooBroadError, UsageError

ENV_VAR = "NEWSARC_SEARCH_BUDGET"
CHECK_EVERY = 256  # matches walked between two looks at the clock (a look costs ~0.1 µs; a match ~1-10 µs)
# How long a search past its yield_after sleeps at each look at the clock, so that the searches running beside
# it on other threads of the same process take Python's lock (the GIL) in the meantime.
YIELD_SECONDS = 0.005
ADVICE = ("narrow it: fewer words joined by OR, a wildcard with more letters before the *, a shorter phrase, "
          "or a filter (a tag, a source, a date range)")

T = TypeVar("T")


class Budget:
    """One search's allowance: seconds from its start (None: no limit) and words per expanded term (None: any).

    yield_after (seconds; None: never): a search running longer than that sleeps YIELD_SECONDS at each look at
    the clock. In `newsarc serve` the searches share one process, and Python runs one thread at a time: a query
    of 3 s took its share of every 5 ms from the plain searches beside it (at 100,000 articles, their p95 went
    from 0.45 s to 1.2 s while one client sent the worst queries). A long search now yields; a short one never
    reaches the point where it would.

    A plain class, not a dataclass: every search process imports this module, and making a dataclass costs the
    import about half a millisecond (issue 22.6)."""

    __slots__ = ("query", "seconds", "max_expansions", "yield_after", "started")

    def __init__(self, query: str, seconds: float | None = None, max_expansions: int | None = None,
                 yield_after: float | None = None, started: float | None = None) -> None:
        self.query = query
        self.seconds = seconds
        self.max_expansions = max_expansions
        self.yield_after = yield_after
        self.started = time.monotonic() if started is None else started  # the search's start, by default now

    def check(self) -> None:
        """Raise QueryTooBroadError once the time is spent; past yield_after, let other threads run first."""
        elapsed = time.monotonic() - self.started
        if self.yield_after is not None and elapsed > self.yield_after:
            time.sleep(YIELD_SECONDS)
        if self.seconds is not None and elapsed > self.seconds:
            setting = os.environ.get(ENV_VAR, "").strip()
            raise QueryTooBroadError(self.query, f"it was stopped after {self.seconds:g} s, the most a search may "
                                                 f"take" + (f" ({ENV_VAR}={setting})" if setting else ""), ADVICE)

    def expanded(self, term: str, words: int) -> None:
        """Raise QueryTooBroadError when one term (a wildcard or range, as typed) stands for more words
        than max_expansions; words: how many it stands for, counted up to max_expansions + 1."""
        if self.max_expansions is not None and words > self.max_expansions:
            raise QueryTooBroadError(self.query, f"{term} stands for more than {self.max_expansions:,} of the "
                                                 f"archive's words, the most one term may expand to",
                                     "give it more letters (elect* rather than el*) or a narrower range")


_current: ContextVar[Budget | None] = ContextVar("newsarc_search_budget", default=None)


@contextlib.contextmanager
def spending(budget: Budget) -> Iterator[Budget]:
    """Run a search under budget: check() and current() see it until the block ends."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current() -> Budget | None:
    """The budget of the search running on this thread, if any."""
    return _current.get()


def check() -> None:
    """Raise QueryTooBroadError if the search running on this thread has spent its time; nothing outside a search."""
    budget = _current.get()
    if budget is not None:
        budget.check()


def checked(items: Iterable[T]) -> Iterator[T]:
    """items, looking at the clock every CHECK_EVERY of them (a long walk of matches stops within its budget)."""
    budget = _current.get()
    if budget is None or budget.seconds is None:
        yield from items
        return
    for number, item in enumerate(items, 1):
        if not number % CHECK_EVERY:
            budget.check()
        yield item


def seconds_from_environment(default: float | None) -> float | None:
    """The time budget: NEWSARC_SEARCH_BUDGET when set (a number of seconds above 0), else default."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise UsageError(f"{ENV_VAR}={text!r} is not a time budget: give the seconds a search may take, a number "
                         f"above 0 (e.g. 2.5), or unset it")
    return seconds
