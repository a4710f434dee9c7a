"""Partial ISO dates as ranges: 2017 is the whole year, 2017-05 the whole month, with the right last day.

Whoosh's own parser widens a partial date inside a range to the whole year; newsarc builds every date range
here instead, for queries (date:2017-05, date:[2017-05-01 TO 2017-05-31]) and for --since/--until alike.
"""

from __future__ import annotations

import datetime as dt
import re

from newsarc.errors import QueryError

_PARTIAL = re.compile(r"\s*(\d{4})(?:[-/.]?(\d{1,2})(?:[-/.]?(\d{1,2}))?)?\s*")


def date_bounds(text: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and last moment that a date written as YYYY, YYYY-MM or YYYY-MM-DD covers."""
    match = _PARTIAL.fullmatch(text)
    if not match:
        raise QueryError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    try:
        if match.group(3):
            start = dt.datetime(year, int(match.group(2)), int(match.group(3)))
            end = start + dt.timedelta(days=1)
        elif match.group(2):
            month = int(match.group(2))
            start = dt.datetime(year, month, 1)
            end = dt.datetime(year + month // 12, month % 12 + 1, 1)
        else:
            start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    except ValueError:
        from newsarc.dates import impossible_day

        why = impossible_day(text) or "it is not in the calendar"
        raise QueryError(f"{text.strip()} is not a real date: {why}; give a day that is in the calendar") from None
    return start, end - dt.timedelta(microseconds=1)


def since_day(text: str) -> str:
    """First day (ISO) that --since TEXT admits."""
    return date_bounds(text)[0].date().isoformat()


def until_day(text: str) -> str:
    """Last day (ISO) that --until TEXT admits."""
    return date_bounds(text)[1].date().isoformat()
