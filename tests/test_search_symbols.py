"""Words written with symbols (AT&T, M&S, P&G, C++, C#, .NET, 9/11, COVID-19) are found as written (issue 11.7).

The index and the query read them with the same tokenizer (newsarc.names.variants.tokenize), so `AT&T` is one
word in both: it does not turn into `at` and `t`, and `M&S` does not match "Ms".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.archives import add_named

ARTICLES = {
    "att": ("Phone results", "AT&T said on Tuesday that profits rose on wireless subscriptions."),
    "at_t": ("Bar talk", "Att Jensen was at the bar at 9 when T-shirts were sold out. The T stop closed."),
    "ms": ("Retail sales", "M&S, the British retailer, said clothing sales fell again."),
    "ms_title": ("Analyst view", "Ms Smith, an analyst, said retail sales would recover. MS patients also."),
    "pg": ("Consumer goods", "P&G raised prices on detergent."),
    "pg_film": ("Cinema", "The film is rated PG and G in some places; P G Wodehouse wrote novels."),
    "cpp": ("Jobs", "Developers who know C++ and C# are in demand."),
    "c_vitamin": ("Health", "Vitamin C is good for you, and the grade was a C, the mark of the day."),
    "dotnet": ("Software", "Teams building on .NET moved to the cloud."),
    "net": ("Profits", "Net profit rose; the fishing net was mended."),
    "nine11": ("Anniversary", "Twenty years after 9/11 the memorial opened."),
    "nine_and_11": ("Numbers", "On 9 May, 11 people were hurt."),
    "covid": ("Pandemic", "The COVID-19 pandemic closed schools."),
    "covid_apart": ("Tally", "Covid cases rose; 19 new ones were found."),
}


@pytest.fixture
def ids(archive: Path) -> dict[str, str]:
    return add_named(archive, {name: {"title": title, "body": body, "date": "2021-09-11"}
                               for name, (title, body) in ARTICLES.items()})


def _found(run, *query: str) -> set[str]:  # type: ignore[no-untyped-def]
    result = run("search", *query, "--ids", "--limit", "100")
    assert result.exit_code in (0, 1), result.output
    return set(result.stdout.split())


@pytest.mark.parametrize(("query", "names"), [
    ("AT&T", {"att"}),
    ('"AT&T"', {"att"}),
    ("at&t", {"att"}),
    ("AT&T profits", {"att"}),
    ('"AT&T said"', {"att"}),
    ("M&S", {"ms"}),
    ("P&G", {"pg"}),
    ("C++", {"cpp"}),
    ("C#", {"cpp"}),
    (".NET", {"dotnet"}),
    ("9/11", {"nine11"}),
    ("COVID-19", {"covid"}),
    ("covid-19", {"covid"}),
    ("AT&T OR M&S", {"att", "ms"}),
])
def test_symbol_words_are_found_as_written(run, ids, query: str, names: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert _found(run, query) == {ids[n] for n in names}


def test_plain_words_still_found(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert ids["net"] in _found(run, "net")
    assert ids["ms_title"] in _found(run, "Ms")
    assert ids["covid_apart"] in _found(run, "covid")
    assert ids["nine_and_11"] in _found(run, "11")


def test_highlight_and_explain_show_the_symbol_word(run, ids) -> None:  # type: ignore[no-untyped-def]
    hits = json.loads(run("search", "AT&T", "--json").stdout)
    assert hits[0]["matched_terms"] == ["AT&T"]
    body = next(s for s in hits[0]["snippets"] if s["field"] == "body")
    assert [body["text"][a:b] for a, b in body["highlights"]] == ["AT&T"]
    explained = run("search", "AT&T C++", "--explain", "--count")
    assert "AT&T -> read as one word: at&t" in explained.output
    assert "C++ -> read as one word: c++" in explained.output
