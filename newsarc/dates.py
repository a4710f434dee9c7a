"""Dates as news text writes them, turned into ISO 8601.

`parse_date` accepts ISO dates, numeric day/month/year dates in either order, written-out dates
("18 May 2017", "May 18, 2017", "18th May 2017"), RFC 822 dates, and any of those with a leading weekday and a
trailing time. It returns a full datetime only when the text gives both a time and a zone: a time without a
zone cannot be placed on the timeline, so only its day is kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from newsarc.errors import BadInputError

DATE_ORDERS = ("DMY", "MDY", "YMD")

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
# Zone abbreviations common in English-language news; anything else is not treated as a zone.
_ZONES = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "BST": 60, "IST": 60, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "MSK": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420,
}

_MONTH_RE = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY_RE = (
    r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)"
    r"\.?,?\s+)?"
)
_DAY_RE = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR_RE = r"(?P<year>\d{4})"
_ZONE_RE = (
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)\s*[+-]\d{1,2}(?::?\d{2})?|"
    + "|".join(sorted((z for z in _ZONES if z != "Z"), key=len, reverse=True))
    + r")"
)
_TIME_RE = (
    r"(?:(?:,\s*|\s+)(?:at\s+)?(?P<hh>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?)?"
    r"(?:\s*\(?" + _ZONE_RE + r"\)?)?)?"
)
_CORES = (
    # 18 May 2017, 18th of May, 2017
    _DAY_RE + r"\s+(?:of\s+)?" + _MONTH_RE + r",?\s+" + _YEAR_RE,
    # May 18, 2017 / May 18th 2017
    _MONTH_RE + r"\s+" + _DAY_RE + r",?\s+" + _YEAR_RE,
    # 18-05-2017, 05/18/2017, 18.05.2017, 2017/05/18 (one separator throughout)
    r"(?P<n1>\d{1,4})(?P<sep>[-/.])(?P<n2>\d{1,2})(?P=sep)(?P<n3>\d{1,4})",
)
_TEXT_DATE = tuple(r"(?i)^" + _WEEKDAY_RE + core + _TIME_RE + r"\.?$" for core in _CORES)
_ISO = (
    r"(?i)"
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?$"
)
_LABEL = (
    r"(?i)^(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified)(?:\s+on)?|date(?:line)?)\s*:?\s*"
)

# Patterns are compiled on first use, not at import: importing newsarc must stay cheap for `--help`.
_rx = functools.cache(re.compile)


def _check_order(date_order: str) -> str:
    order = (date_order or "DMY").upper()
    if order not in DATE_ORDERS:
        raise BadInputError(f"date order {date_order!r} is not known; use one of {', '.join(DATE_ORDERS)}")
    return order


def _offset_minutes(tz: str) -> int | None:
    tz = tz.strip().upper()
    if tz in _ZONES:
        return _ZONES[tz]
    m = _rx(r"(?:GMT|UTC)?\s*([+-])(\d{1,2}):?(\d{2})?").fullmatch(tz)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    if minutes > 18 * 60:
        return None
    return -minutes if m.group(1) == "-" else minutes


def _build(day: dt.date, hh: str | None, mi: str | None, ss: str | None, ampm: str | None,
           tz: str | None) -> str | None:
    """ISO text for a day plus an optional time; None when the time is impossible."""
    if hh is None:
        return day.isoformat()
    hour, minute, second = int(hh), int(mi or 0), int(ss or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    if not tz:
        return day.isoformat()
    offset = _offset_minutes(tz)
    if offset is None:
        return None
    zone = dt.timezone(dt.timedelta(minutes=offset))
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone).isoformat()


def _numeric_candidates(n1: str, n2: str, n3: str) -> list[tuple[int, int, int]]:
    """All (year, month, day) readings of a numeric date that form real calendar days."""
    if len(n1) == 4:
        readings = [(int(n1), int(n2), int(n3))]
    elif len(n3) == 4:
        a, b, year = int(n1), int(n2), int(n3)
        readings = [(year, b, a), (year, a, b)]  # DMY reading first, then MDY
    else:
        return []
    valid = []
    for y, m, d in readings:
        try:
            dt.date(y, m, d)
        except ValueError:
            continue
        if (y, m, d) not in valid:
            valid.append((y, m, d))
    return valid


def _strip_label(text: str) -> str:
    return _rx(_LABEL).sub("", text.strip(), count=1).strip()


def parse_date(text: str, date_order: str = "DMY") -> str | None:
    """ISO `YYYY-MM-DD` (or a full ISO datetime when a time and zone are given) for a date text, else None.

    A numeric date whose day and month could be swapped follows `date_order`; one that reads only one way
    (05-18-2017) parses whatever the order.
    """
    order = _check_order(date_order)
    if not isinstance(text, str):
        return None
    text = _strip_label(text)
    if not text or len(text) > 80:
        return None
    m = _rx(_ISO).match(text)
    if m:
        try:
            day = dt.date.fromisoformat(m.group("date"))
        except ValueError:
            return None
        time = m.group("time")
        if not time:
            return day.isoformat()
        parts = time.split(":")
        seconds = parts[2].split(".")[0] if len(parts) > 2 else None
        return _build(day, parts[0], parts[1], seconds, None, m.group("tz"))
    for pattern in _TEXT_DATE:
        m = _rx(pattern).match(text)
        if not m:
            continue
        groups = m.groupdict()
        if groups.get("mon"):
            try:
                day = dt.date(int(groups["year"]), _MONTHS[groups["mon"].lower()], int(groups["day"]))
            except ValueError:
                return None
        else:
            candidates = _numeric_candidates(groups["n1"], groups["n2"], groups["n3"])
            if not candidates:
                return None
            if len(candidates) > 1 and order == "MDY":
                y, mo, d = candidates[1]
            else:
                y, mo, d = candidates[0]
            day = dt.date(y, mo, d)
        return _build(day, groups["hh"], groups["mi"], groups["ss"], groups["ampm"], groups["tz"])
    return None


def is_ambiguous_numeric(text: str) -> bool:
    """True when a numeric date reads as two different real days depending on day/month order (05-06-2017)."""
    if not isinstance(text, str):
        return False
    m = _rx(_TEXT_DATE[2]).match(_strip_label(text))
    return m is not None and len(_numeric_candidates(m.group("n1"), m.group("n2"), m.group("n3"))) > 1


def looks_like_date_line(line: str) -> bool:
    """True for a short line holding only a date, perhaps with a weekday, a time and a "Published:" label."""
    if not isinstance(line, str):
        return False
    text = line.strip()
    if not text or len(text) > 80:
        return False
    return parse_date(text) is not None or parse_date(text, "MDY") is not None


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?\s*")


def impossible_day(text: str) -> str | None:
    """Why a date written YYYY-MM-DD (or YYYY-MM) names no day of the calendar ("February 2020 has 29 days",
    "there is no month 13"), or None when it is not written so or does exist. For messages: "is not a date;
    write it as YYYY-MM-DD" would send someone who did just that looking for a format problem."""
    import calendar

    match = _ISO_DAY.fullmatch(text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if match.group(3) is not None and not 1 <= int(match.group(3)) <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None
