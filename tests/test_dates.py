"""Dates as news text writes them: newsarc.dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsarc.dates import is_ambiguous_numeric, looks_like_date_line, parse_date
from newsarc.errors import BadInputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-05-18", "2017-05-18"),
        ("2017-05-18T12:41:00Z", "2017-05-18T12:41:00+00:00"),
        ("2017-05-18T12:41:00+03:00", "2017-05-18T12:41:00+03:00"),
        ("2017-05-18T12:41", "2017-05-18"),  # a time without a zone keeps only its day
        ("18-05-2017", "2017-05-18"),
        ("18/05/2017", "2017-05-18"),
        ("18.05.2017", "2017-05-18"),
        ("05-18-2017", "2017-05-18"),
        ("2017/05/18", "2017-05-18"),
        ("May 18, 2017", "2017-05-18"),
        ("18 May 2017", "2017-05-18"),
        ("18th May 2017", "2017-05-18"),
        ("May 18th, 2017", "2017-05-18"),
        ("18 Sept 2017", "2017-09-18"),
        ("18 Sep. 2017", "2017-09-18"),
        ("1 march 2005", "2005-03-01"),
        ("Thursday 18 May 2017 12:41 GMT", "2017-05-18T12:41:00+00:00"),
        ("Thu, 18 May 2017 12:41:00 +0000", "2017-05-18T12:41:00+00:00"),
        ("Thursday, May 18, 2017 3:41 pm EDT", "2017-05-18T15:41:00-04:00"),
        ("Thursday 18 May 2017 12:41", "2017-05-18"),
        ("  18 May 2017  ", "2017-05-18"),
    ],
)
def test_parse_date_formats(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31-02-2017",
        "30 February 2017",
        "2017-13-01",
        "13-13-2017",
        "Thursday 18 May 2017 25:00 GMT",
        "The minister met the president on Thursday.",
        "2017",
        "42",
        "18 May",
        "May 2017",
        "",
        "Syria Iraq ISIS",
    ],
)
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert parse_date(text) is None


def test_ambiguous_numeric_follows_date_order() -> None:
    assert parse_date("05-06-2017") == "2017-06-05"
    assert parse_date("05-06-2017", "DMY") == "2017-06-05"
    assert parse_date("05-06-2017", "MDY") == "2017-05-06"
    assert parse_date("05/06/2017", "YMD") == "2017-06-05"  # year last: YMD cannot apply, day first


def test_unambiguous_numeric_ignores_date_order() -> None:
    assert parse_date("05-18-2017", "DMY") == "2017-05-18"
    assert parse_date("18-05-2017", "MDY") == "2017-05-18"
    assert parse_date("2017-05-18", "MDY") == "2017-05-18"


def test_is_ambiguous_numeric() -> None:
    assert is_ambiguous_numeric("05-06-2017")
    assert is_ambiguous_numeric("Published: 05/06/2017")
    assert not is_ambiguous_numeric("18-05-2017")
    assert not is_ambiguous_numeric("05-05-2017")  # both orders give the same day
    assert not is_ambiguous_numeric("2017-05-06")
    assert not is_ambiguous_numeric("18 May 2017")
    assert not is_ambiguous_numeric("not a date")


def test_unknown_date_order_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="date order"):
        parse_date("18-05-2017", "DM")


@pytest.mark.parametrize(
    "line",
    [
        "18-05-2017",
        "Published: 18 May 2017",
        "Updated: Thursday 18 May 2017 12:41 GMT",
        "Date: 2017-05-18",
        "Posted on May 18, 2017",
        "Thu, 18 May 2017 12:41:00 +0000",
    ],
)
def test_date_lines(line: str) -> None:
    assert looks_like_date_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Rudaw",
        "Tags: Syria Iraq",
        "Published by Rudaw",
        "Tuesday, 1 March",
        "The vote was held on 18 May 2017 in Damascus.",
        "",
    ],
)
def test_not_date_lines(line: str) -> None:
    assert not looks_like_date_line(line)


@given(st.text(max_size=60))
def test_parse_date_never_raises_and_returns_iso(text: str) -> None:
    result = parse_date(text)
    if result is not None:
        assert dt.date.fromisoformat(result[:10])
        assert len(result) == 10 or dt.datetime.fromisoformat(result).tzinfo is not None


@given(
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%d %B %Y", "%B %d, %Y", "%A %d %b %Y", "%a, %d %b %Y"]),
)
def test_parse_date_round_trips_written_dates(day: dt.date, fmt: str) -> None:
    assert parse_date(day.strftime(fmt)) == day.isoformat()
