"""One search request for both faces (issue 21, point 17): options as data, checked once by the library, and
suggestions returned as data, which the CLI words as lines and the web page turns into links."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarc import api
from newsarc.index.backend import SearchRequest, Suggestion
from newsarc.search_request import (
    CLI_LIMITS,
    FACET_LABELS,
    OPTIONS,
    PERIODS,
    SORTS,
    WEB_LIMITS,
    OptionError,
    asks_nothing,
    build_request,
    check_period,
)
from tests.support.web_server import make_web_archive, newsarc


def test_the_cli_and_a_url_describe_the_same_request() -> None:
    typed = {"query": "Raqqa", "tags": ("SDF",), "source": "Rudaw", "since": "2017-04", "until": "2017-07",
             "sort": "date", "page": 2, "limit": 4, "exact": True, "collapse": False, "facets": True}
    from_url = {"query": " Raqqa ", "tags": ["SDF", " "], "source": "Rudaw", "since": "2017-04", "until": "2017-07",
                "sort": "date", "page": "2", "limit": "4", "exact": "1", "collapse": "0", "facets": "true"}
    assert build_request(typed) == build_request(from_url, limits=WEB_LIMITS) == SearchRequest(
        "Raqqa", limit=4, page=2, sort="date", tags=("SDF",), source="Rudaw", since="2017-04", until="2017-07",
        exact=True, facets=True)


@pytest.mark.parametrize("options, option, problem", [
    ({"query": "x", "limit": "101"}, "limit", "must be a whole number from 1 to 100"),
    ({"query": "x", "limit": "٣"}, "limit", "must be a whole number from 1 to 100"),
    ({"query": "x", "page": "①"}, "page", "must be a whole number from 1 to 1000"),
    ({"query": "x", "sort": "random"}, "sort", "must be one of relevance, date"),
    ({"query": "x", "since": "last week"}, "since", "must be a date: 'last week' is not a date"),
    ({"query": "x", "exact": "maybe"}, "exact", "must be 1 or 0 (on or off)"),
    ({"query": "x" * 501}, "query", "is 501 characters long; at most 500 are searched"),
    ({"query": "x", "tags": ["t"] * 21}, "tags", "is given 21 times; at most 20 tag filters"),
    ({"query": ""}, "query", "is required"),
])
def test_the_library_names_the_option_it_refuses(options: dict, option: str, problem: str) -> None:
    with pytest.raises(OptionError) as caught:
        build_request(options, limits=WEB_LIMITS, require_query=True)
    assert caught.value.option == option and caught.value.problem.startswith(problem)


def test_the_command_line_allows_more_than_a_server() -> None:
    assert build_request({"query": "x", "limit": 10_000, "page": 5000}).limit == CLI_LIMITS.max_limit
    with pytest.raises(OptionError):
        build_request({"query": "x", "limit": 10_001})
    with pytest.raises(KeyError):  # a face that sends an option the library does not know is a bug
        build_request({"query": "x", "colour": "red"})


def test_filters_alone_list_every_article_and_nothing_asks_nothing() -> None:
    assert build_request({"tags": ["Iraq"]}, filters_alone=True).query == "*"
    assert asks_nothing({"query": " ", "tags": [" "], "source": None})
    assert not asks_nothing({"since": "2017"})
    assert check_period(None) == "month" and check_period("week") == "week"
    with pytest.raises(OptionError, match="by must be one of day, week, month, year"):
        check_period("hour")


def test_the_faces_share_one_definition_of_each_name() -> None:
    """sorts, periods and facet labels were written out twice (cli/app.py and web/app.py)."""
    import newsarc.cli.render as render
    import newsarc.web.app as web

    assert render.FACET_LABELS is FACET_LABELS
    assert not hasattr(web, "SORTS") and not hasattr(web, "PERIODS") and not hasattr(web, "MAX_LIMIT")
    assert set(OPTIONS) >= {"query", "tags", "source", "since", "until", "sort", "page", "limit"}
    assert SORTS == ("relevance", "date") and PERIODS == ("day", "week", "month", "year")
    source = (Path(web.__file__).parent / "markup.py").read_text() + Path(web.__file__).read_text()
    assert "did you mean" not in source  # no English parsed back out of the library's sentences


def test_suggestions_are_data(tmp_path: Path) -> None:
    archive = make_web_archive(tmp_path / "arc")
    store = api.open_store(archive)
    try:
        result = api.search(store, build_request({"query": "coalitoin Raqqa"}))
    finally:
        store.close()
    assert result.total == 0
    assert result.suggestions[0] == Suggestion("coalitoin", "spelling", ["coalition"])
    assert result.suggestions[0].line == "coalitoin: did you mean coalition?"
    done = newsarc(["--archive", str(archive), "search", "coalitoin", "Raqqa"], check=False)
    assert done.returncode == 1 and "newsarc: coalitoin: did you mean coalition?" in done.stderr
