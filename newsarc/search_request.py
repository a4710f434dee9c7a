"""One request description for every face: options as data in, a checked request out.

The command line (`newsarc search`, `list`, `timeline`) and the web server (`newsarc serve`: search, the front
page's listing, /recent, /timeline) describe what they want as a mapping of option names to values: typed values
from click, strings from a URL. build_request (a search), build_listing (every article the filters admit) and
build_timeline (a search counted per period) check them once, by one set of rules, and raise OptionError naming
the option; each face only translates its input into the mapping and the error into its own words (`--limit` on
the command line, `limit` in a URL). Adding a search option means one entry in OPTIONS and SearchRequest, and at
most one line per face (tests/test_web_request.py holds both faces to the library's names and messages).

    from newsarc.search_request import build_request, WEB_LIMITS
    request = build_request({"query": "Raqqa", "tags": ["SDF"], "page": "2"}, limits=WEB_LIMITS)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from newsarc.errors import NewsarcError, UsageError

if TYPE_CHECKING:  # imported when a request is built: the command line reads SORTS before any search
    from newsarc.index.backend import SearchRequest

SORTS = ("relevance", "date")  # best match first, or newest first (undated last)
PERIODS = ("day", "week", "month", "year")  # timeline periods (newsarc.timeline)
LISTING_SORTS = ("added", "date")  # a listing of every article: most recently added, or newest date, first
# The facets a search can count, in the order they are shown, with the name a reader sees.
FACET_LABELS = {"tag": "tags", "place": "places", "source": "sources", "location": "locations",
                "language": "languages", "month": "months"}
EVERY = "*"  # the query that admits every article (filters alone)
# Options that narrow a search; alone, they list what they admit.
FILTERS = ("tags", "places", "source", "since", "until")

_DIGITS = re.compile(r"[0-9]{1,9}")  # str.isdigit() admits ², ① and ٣
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Limits:
    """What one request may ask for. The command line trusts its user further than a server trusts the web."""

    max_limit: int = 10_000
    max_page: int | None = None
    max_query: int | None = None  # characters
    max_tags: int | None = None
    max_value: int | None = None  # characters of a tag or source filter
    # What one query may cost (a shared server: one query of `*a* OR *e*` took 15 s and stalled everyone):
    max_terms: int | None = None  # words, phrases and operators
    max_wildcards: int | None = None  # terms with * or ?
    wildcard_letters: int = 0  # letters a wildcard term needs besides * and ? (`*a*` expands to half the words)
    # ... and what it may cost once it runs (newsarc.search_budget; NEWSARC_SEARCH_BUDGET replaces time_budget):
    time_budget: float | None = None  # seconds
    max_expansions: int | None = None  # words one wildcard or range term may stand for
    yield_after: float | None = None  # seconds, past which a search lets the others beside it go first
    whole_listing: bool = True  # a listing's limit 0 means every article (`newsarc list --limit 0`)


CLI_LIMITS = Limits(time_budget=60.0, max_expansions=20_000)
WEB_LIMITS = Limits(max_limit=100, max_page=1000, max_query=500, max_tags=20, max_value=200, max_terms=40,
                    max_wildcards=3, wildcard_letters=3, whole_listing=False, time_budget=3.0, max_expansions=1_000,
                    yield_after=0.3)


class OptionError(UsageError):
    """One option's value cannot be used: `option` is its name in OPTIONS, `problem` says why, in words that
    follow the option's name in any face ("--limit must be..." or "limit must be...")."""

    def __init__(self, option: str, problem: str):
        self.option = option
        self.problem = problem
        super().__init__(f"{option} {problem}")


# option name: what it holds (the faces' help texts say the same in their own words)
OPTIONS = {
    "query": "the query text, in newsarc's query language",
    "tags": "only articles with every one of these tags",
    "places": "only articles naming every one of these places, in any spelling (gazetteer ids or names)",
    "source": "only articles from this source",
    "since": "only articles dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)",
    "until": "only articles dated on or before this date",
    "sort": "relevance or date",
    "page": "the page of results, from 1",
    "limit": "results per page",
    "exact": "no alias or variant expansion",
    "collapse": "fold near-duplicates into one hit",
    "facets": "count the matches by tag, source, location, language and month",
    "snippets": "highlighted fragments of the matching text",
}
REPEATABLE = ("tags", "places")  # options given once per value (`--tag A --tag B`, `tag=A&tag=B`); the others once
# A listing (newsarc list, the front page, /recent) takes the filters and a page; its sorts are LISTING_SORTS.
LISTING_OPTIONS = ("tags", "source", "since", "until", "sort", "page", "limit")
# A timeline (newsarc timeline, /timeline) counts a search's matches per period (PERIODS) and labels the peaks.
TIMELINE_OPTIONS = ("query", "tags", "places", "source", "since", "until", "exact", "by", "peaks")
MAX_PEAKS = 20


# The listing's and the timeline's requests are NamedTuples (immutable, compared by value) rather than frozen
# dataclasses: every search process imports this module, and making the two frozen dataclasses cost it about 2 ms
# (8 million instructions, issue 22.6), for requests only `list`, `timeline` and the web pages build.
class ListingRequest(NamedTuple):
    """Every article the filters admit, one page of them in one order: a listing, not a search (no index)."""

    sort: str = "added"  # LISTING_SORTS
    page: int = 1
    limit: int | None = 20  # None: every article (the command line's --limit 0)
    tags: tuple[str, ...] = ()
    source: str | None = None
    since: str | None = None
    until: str | None = None


class TimelineRequest(NamedTuple):
    """A search whose matches are counted per period (PERIODS), with the busiest `peaks` periods labelled."""

    search: SearchRequest
    by: str = "month"
    peaks: int = 3


def build_request(options: Mapping[str, Any], *, limits: Limits = CLI_LIMITS, filters_alone: bool = False,
                  require_query: bool = False) -> SearchRequest:
    """A checked SearchRequest from options as data (names of OPTIONS; values typed or strings). An unknown
    name is a programming error (KeyError); a value that cannot be used is an OptionError. filters_alone=True:
    an empty query with at least one filter lists every article the filters admit. require_query=True: an
    empty query (without filters_alone's filters) is an OptionError; otherwise the query parser says it is
    empty, with the other parse errors."""
    from newsarc.index.backend import SearchRequest
    from newsarc.search_budget import seconds_from_environment

    _known(options, OPTIONS, "search")
    query = _text(options.get("query"))
    if limits.max_query is not None and len(query) > limits.max_query:
        raise OptionError("query", f"is {len(query)} characters long; at most {limits.max_query} are searched")
    _check_cost(query, limits)
    tags, source, since, until = _filters(options, limits)
    sort = check_choice("sort", options.get("sort"), SORTS)
    if not query:
        if filters_alone and not asks_nothing(options):
            query = EVERY
        elif require_query:
            raise OptionError("query", "is required: the search query, in newsarc's query language")
    return SearchRequest(query, limit=_number(options, "limit", 10, 1, limits.max_limit),
                         page=_number(options, "page", 1, 1, limits.max_page), sort=sort, tags=tags,
                         places=check_places(options.get("places"), limits), source=source,
                         since=since, until=until, exact=_flag(options, "exact"),
                         collapse=_flag(options, "collapse"), facets=_flag(options, "facets"),
                         snippets=_flag(options, "snippets", default=True),
                         time_budget=seconds_from_environment(limits.time_budget),
                         max_expansions=limits.max_expansions, yield_after=limits.yield_after)


_TERM = re.compile(r'"[^"]*"|[^\s()"]+')


def _check_cost(query: str, limits: Limits) -> None:
    """OptionError("query", "is too broad: ...") when a query would cost more than the limits allow."""
    terms = _TERM.findall(query)
    if limits.max_terms is not None and len(terms) > limits.max_terms:
        raise OptionError("query", f"is too broad: it has {len(terms)} words and operators; at most "
                                   f"{limits.max_terms} are searched at once")
    wild = [t for t in terms if not t.startswith('"') and ("*" in t or "?" in t) and t != EVERY]
    if limits.max_wildcards is not None and len(wild) > limits.max_wildcards:
        raise OptionError("query", f"is too broad: it has {len(wild)} wildcard terms ({', '.join(wild[:5])}); at "
                                   f"most {limits.max_wildcards} are expanded at once")
    for term in wild:
        letters = sum(ch.isalnum() for ch in term.split(":", 1)[-1])
        if letters < limits.wildcard_letters:
            raise OptionError("query", f"is too broad: the wildcard {term} would expand to most of the archive's "
                                       f"words; give it at least {limits.wildcard_letters} letters (Bukam*)")


def asks_nothing(options: Mapping[str, Any]) -> bool:
    """True when the options hold neither a query nor a filter (a front page, not a search)."""
    return not _text(options.get("query")) and not any(_strings(options.get(name)) and any(
        v.strip() for v in _strings(options.get(name))) for name in FILTERS)


def build_listing(options: Mapping[str, Any], *, limits: Limits = CLI_LIMITS, sort: str = "added",
                  limit: int = 20) -> ListingRequest:
    """A checked ListingRequest from options as data (names of LISTING_OPTIONS); sort and limit are the face's
    defaults when the options give none (the command line lists newest first, /recent most recently added)."""
    _known(options, LISTING_OPTIONS, "listing")
    tags, source, since, until = _filters(options, limits)
    low = 0 if limits.whole_listing else 1
    count = _number(options, "limit", limit, low, limits.max_limit)
    return ListingRequest(sort=check_choice("sort", options.get("sort"), LISTING_SORTS, default=sort),
                          page=_number(options, "page", 1, 1, limits.max_page), limit=count or None, tags=tags,
                          source=source, since=since, until=until)


def build_timeline(options: Mapping[str, Any], *, limits: Limits = CLI_LIMITS) -> TimelineRequest:
    """A checked TimelineRequest from options as data (names of TIMELINE_OPTIONS): the search is checked as
    build_request checks one (a query is required), the period and the number of peaks here."""
    _known(options, TIMELINE_OPTIONS, "timeline")
    search = build_request({name: value for name, value in options.items() if name in OPTIONS}, limits=limits,
                           require_query=True)
    return TimelineRequest(search, by=check_period(options.get("by")),
                           peaks=_number(options, "peaks", 3, 0, MAX_PEAKS))


def check_period(by: Any) -> str:
    """A timeline period name (day, week, month, year); month when none is given."""
    return check_choice("by", by, PERIODS, default="month")


def check_choice(name: str, value: Any, choices: tuple[str, ...], *, default: str | None = None) -> str:
    """One of choices (the first, or default, when none is given); OptionError naming the option otherwise."""
    text = _text(value) or (default or choices[0])
    if text not in choices:
        raise OptionError(name, f"must be one of {', '.join(choices)}")
    return text


def check_places(values: Any, limits: Limits = CLI_LIMITS) -> tuple[int, ...]:
    """The gazetteer ids of a place filter. Each value is an id (a place facet's link) or a name in any spelling
    the gazetteer lists (Abu Kamal, البوكمال); a name of several places (Tripoli) is refused with their ids, so the
    reader picks one."""
    given = [v.strip() for v in _strings(values) if v.strip()]
    if limits.max_tags is not None and len(given) > limits.max_tags:
        raise OptionError("places", f"is given {len(given)} times; at most {limits.max_tags} place filters are "
                                    f"applied")
    if not given:
        return ()  # most searches: no place filter, and no need to load the gazetteer
    from newsarc.names.gazetteer import table
    from newsarc.names.variants import tokenize

    gazetteer = table()
    found: list[int] = []
    for value in given:
        if limits.max_value is not None and len(value) > limits.max_value:
            raise OptionError("places", f"has {len(value)} characters; at most {limits.max_value} are matched")
        if _DIGITS.fullmatch(value):
            if gazetteer.place(int(value)) is None:
                raise OptionError("places", f"{value} is not a place of the gazetteer: give a place's name or the "
                                            f"id a place facet links")
            found.append(int(value))
            continue
        ids = sorted(gazetteer.places_of(list(tokenize(value, extras=False))))
        if not ids:
            raise OptionError("places", f"{value} names no place the gazetteer knows (spell it as the gazetteer "
                                        f"does, or search for the word instead)")
        if len(ids) > 1:
            choices = "; ".join(f"{pid} {label}" for pid in ids[:8]
                                if (label := _place_label(gazetteer, pid)))
            raise OptionError("places", f"{value} names {len(ids)} places: {choices}; give the id of the one meant")
        found.append(ids[0])
    return tuple(dict.fromkeys(found))


def _place_label(gazetteer: Any, pid: int) -> str:
    place = gazetteer.place(pid)
    return place.label() if place is not None else ""


def check_date(name: str, value: Any) -> str | None:
    """A date filter as given (YYYY, YYYY-MM or YYYY-MM-DD), None when empty; OptionError naming the option
    when it is not a date in the calendar. Every face's --since/--until and since/until go through here."""
    text = _text(value)
    if not text:
        return None
    from newsarc.dateranges import date_bounds

    try:
        date_bounds(text)
    except NewsarcError as exc:
        raise OptionError(name, f"must be a date: {exc}") from None
    return text


# -- one value each ---------------------------------------------------------------------------------------------
def _known(options: Mapping[str, Any], names: Any, what: str) -> None:
    unknown = set(options) - set(names)
    if unknown:  # a face that sends an option the library does not know is a bug, not a user's mistake
        raise KeyError(f"unknown {what} options: {', '.join(sorted(unknown))}")


def _filters(options: Mapping[str, Any], limits: Limits) -> tuple[tuple[str, ...], str | None, str | None,
                                                                   str | None]:
    """(tags, source, since, until): the filters a search, a listing and a timeline share, checked alike."""
    tags = tuple(t.strip() for t in _strings(options.get("tags")) if t.strip())
    if limits.max_tags is not None and len(tags) > limits.max_tags:
        raise OptionError("tags", f"is given {len(tags)} times; at most {limits.max_tags} tag filters are applied")
    source = _text(options.get("source")) or None
    for name, value in [("tags", t) for t in tags] + [("source", source or "")]:
        if limits.max_value is not None and len(value) > limits.max_value:
            raise OptionError(name, f"has {len(value)} characters; at most {limits.max_value} are matched")
    return tags, source, check_date("since", options.get("since")), check_date("until", options.get("until"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip()


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _number(options: Mapping[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    value = options.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise OptionError(name, "must be a whole number")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _DIGITS.fullmatch(text):
            raise OptionError(name, _range_text(low, high))
        number = int(text)
    if number < low or (high is not None and number > high):
        raise OptionError(name, _range_text(low, high))
    return number


def _range_text(low: int, high: int | None) -> str:
    return f"must be a whole number from {low} to {high}" if high is not None else \
        f"must be a whole number of at least {low}"


def _flag(options: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    value = options.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OptionError(name, "must be 1 or 0 (on or off)")
