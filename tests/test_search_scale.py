"""Searches that stay fast on common words (issue 14): same answers as before the speed-ups.

Date ranges are answered from whole-month terms plus day ranges for the part-months at the ends; the filter is
worked out once per search; matched terms (for snippets) are found for the page shown only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DAYS = ["2017-04-30", "2017-05-01", "2017-05-15", "2017-05-31", "2017-06-01", "2017-07-31", "2017-08-01",
        "2018-01-01", ""]


@pytest.fixture
def dated(run, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One article per day above (the last undated), each about the bank; id -> day."""
    lines = []
    for number, day in enumerate(DAYS):
        record = {"title": f"Bank report {number}", "body": f"The central bank met on report day {number}.",
                  "source": "Wire", "tags": ["Economy"]}
        if day:
            record["date"] = day
        lines.append(json.dumps(record))
    source = tmp_path / "dated.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("import", str(source))
    assert result.exit_code == 0, result.output
    listed = json.loads(run("list", "--json", "--limit", "100").stdout)
    return {item["id"]: item.get("date") or "" for item in listed}


@pytest.mark.parametrize(("since", "until", "expected"), [
    ("2017-05", "2017-05", ["2017-05-01", "2017-05-15", "2017-05-31"]),
    ("2017-05-01", "2017-06", ["2017-05-01", "2017-05-15", "2017-05-31", "2017-06-01"]),
    ("2017-05-02", "2017-07-31", ["2017-05-15", "2017-05-31", "2017-06-01", "2017-07-31"]),
    ("2017-04-30", "2017-05-01", ["2017-04-30", "2017-05-01"]),
    (None, "2017-05-14", ["2017-04-30", "2017-05-01"]),
    ("2017-07-31", None, ["2017-07-31", "2017-08-01", "2018-01-01"]),
    ("2017", "2017", ["2017-04-30", "2017-05-01", "2017-05-15", "2017-05-31", "2017-06-01", "2017-07-31",
                      "2017-08-01"]),
    ("2019", None, []),
])
def test_date_ranges_keep_exactly_the_days_asked_for(run, dated: dict[str, str], since: str | None,  # type: ignore[no-untyped-def]
                                                     until: str | None, expected: list[str]) -> None:
    args = ["search", "bank", "--ids", "--limit", "100"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    found = run(*args).stdout.split()
    assert sorted(dated[i][:10] for i in found) == expected
    count = run(*args[:2], "--count", *args[5:]).stdout.strip()
    assert int(count) == len(expected)


def test_a_page_shows_the_snippets_of_its_own_hits(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [json.dumps({"title": f"Oil story {n}", "body": f"Oil prices rose again in week {n}. " * 3
                         + ("Traders blamed the weather." if n % 2 else "Refineries were shut."),
                         "date": f"2016-03-{n + 1:02d}"}) for n in range(25)]
    source = tmp_path / "oil.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("import", str(source)).exit_code == 0
    first = json.loads(run("search", "oil prices", "--json", "--limit", "10").stdout)
    third = json.loads(run("search", "oil prices", "--json", "--limit", "10", "--page", "3").stdout)
    assert run("search", "oil prices", "--count").stdout.strip() == "25"
    assert len(first) == 10 and len(third) == 5
    assert not {h["id"] for h in first} & {h["id"] for h in third}
    for hit in first + third:
        assert {"Oil", "prices"} <= set(hit["matched_terms"]), hit["id"]
        body = [s for s in hit["snippets"] if s["field"] == "body"]
        assert body and body[0]["highlights"], hit["id"]
