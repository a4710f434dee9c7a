"""One search request for both faces (issue 21, point 17): options as data, checked once by the library, and
suggestions returned as data, which the CLI words as lines and the web page turns into links."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from newsarc import api
from newsarc.index.backend import SearchRequest, Suggestion
from newsarc.search_request import (
    CLI_LIMITS,
    FACET_LABELS,
    LISTING_SORTS,
    OPTIONS,
    PERIODS,
    SORTS,
    WEB_LIMITS,
    OptionError,
    asks_nothing,
    build_request,
    build_timeline,
    check_date,
    check_period,
)
from tests.support.web_server import Server, make_web_archive, newsarc, start_server, web_articles


def test_the_cli_and_a_url_describe_the_same_request() -> None:
    typed = {"query": "Raqqa", "tags": ("SDF",), "source": "Rudaw", "since": "2017-04", "until": "2017-07",
             "sort": "date", "page": 2, "limit": 4, "exact": True, "collapse": False, "facets": True}
    from_url = {"query": " Raqqa ", "tags": ["SDF", " "], "source": "Rudaw", "since": "2017-04", "until": "2017-07",
                "sort": "date", "page": "2", "limit": "4", "exact": "1", "collapse": "0", "facets": "true"}
    typed_request, url_request = build_request(typed), build_request(from_url, limits=WEB_LIMITS)
    # The same selection; what one search may cost is each face's own bound (a shared server allows less).
    def cost(request: SearchRequest) -> tuple[object, ...]:
        return request.time_budget, request.max_expansions, request.yield_after

    assert cost(typed_request) == (CLI_LIMITS.time_budget, CLI_LIMITS.max_expansions, CLI_LIMITS.yield_after)
    assert cost(url_request) == (WEB_LIMITS.time_budget, WEB_LIMITS.max_expansions, WEB_LIMITS.yield_after)
    assert replace(url_request, time_budget=typed_request.time_budget, max_expansions=typed_request.max_expansions,
                   yield_after=typed_request.yield_after) == typed_request == SearchRequest(
        "Raqqa", limit=4, page=2, sort="date", tags=("SDF",), source="Rudaw", since="2017-04", until="2017-07",
        exact=True, facets=True, time_budget=CLI_LIMITS.time_budget, max_expansions=CLI_LIMITS.max_expansions)


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


# -- both faces, one rule: search, list and timeline on the command line; /, /recent and /timeline on the web -----
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Server]]:
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")
    archive = make_web_archive(tmp_path_factory.mktemp("faces") / "arc")
    server = start_server(archive)
    yield archive, server
    server.stop()


def _cli_error(archive: Path, args: list[str]) -> str:
    done = newsarc(["--archive", str(archive), *args], check=False)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    return done.stderr


def _web_error(server: Server, path: str) -> str:
    status, _, body = server.get(path)
    assert status == 400, (path, status)
    return html.unescape(body.decode())


def _problem(option: str, check: Callable[[], object]) -> str:
    with pytest.raises(OptionError) as caught:
        check()
    assert caught.value.option == option
    return caught.value.problem


# (command line, web address): the same request in each face, with {} where the bad value goes
DATE_FACES = [(["search", "Raqqa", "--since", "{}"], "/?q=Raqqa&since={}"),
              (["list", "--since", "{}"], "/recent?since={}"),
              (["timeline", "Raqqa", "--since", "{}"], "/timeline?q=Raqqa&since={}")]


@pytest.mark.parametrize("cli, url", DATE_FACES, ids=["search", "list", "timeline"])
def test_both_faces_reject_a_bad_date_with_the_librarys_one_message(served: tuple[Path, Server], cli: list[str],
                                                                    url: str) -> None:
    archive, server = served
    problem = _problem("since", lambda: check_date("since", "2017-13"))
    assert problem.startswith("must be a date: 2017-13 is not a real date")
    assert f"newsarc: error: --since {problem}" in _cli_error(archive, [a.format("2017-13") for a in cli])
    assert f"since {problem}" in _web_error(server, url.format("2017-13"))


@pytest.mark.parametrize("option, names, cli, url, bad", [
    ("sort", SORTS, ["search", "Raqqa", "--sort", "{}"], "/?q=Raqqa&sort={}", "random"),
    ("sort", LISTING_SORTS, ["list", "--sort", "{}"], "/recent?sort={}", "relevance"),
    ("by", PERIODS, ["timeline", "Raqqa", "--by", "{}"], "/timeline?q=Raqqa&by={}", "hour"),
], ids=["search sorts", "listing sorts", "timeline periods"])
def test_both_faces_accept_exactly_the_librarys_names(served: tuple[Path, Server], option: str, names: tuple,
                                                      cli: list[str], url: str, bad: str) -> None:
    archive, server = served
    for name in names:
        done = newsarc(["--archive", str(archive), *[a.format(name) for a in cli]], check=False)
        assert done.returncode == 0, (name, done.stderr)
        assert server.get(url.format(name))[0] == 200, name
    problem = f"must be one of {', '.join(names)}"
    assert f"newsarc: error: --{option} {problem}" in _cli_error(archive, [a.format(bad) for a in cli])
    assert f"{option} {problem}" in _web_error(server, url.format(bad))


def test_page_sizes_are_the_librarys_in_each_face(served: tuple[Path, Server]) -> None:
    archive, server = served
    cli_problem = _problem("limit", lambda: build_request({"query": "x", "limit": "0"}))
    web_problem = _problem("limit", lambda: build_request({"query": "x", "limit": "0"}, limits=WEB_LIMITS))
    assert cli_problem == f"must be a whole number from 1 to {CLI_LIMITS.max_limit}"
    assert f"--limit {cli_problem}" in _cli_error(archive, ["search", "Raqqa", "--limit", "0"])
    assert f"limit {web_problem}" in _web_error(server, "/?q=Raqqa&limit=0")
    peaks = _problem("peaks", lambda: build_timeline({"query": "x", "peaks": "21"}))
    assert f"--peaks {peaks}" in _cli_error(archive, ["timeline", "Raqqa", "--peaks", "21"])
    # `list --limit 0` lists every article on the command line; a server never sends everything on one page
    done = newsarc(["--archive", str(archive), "list", "--limit", "0", "--ids"])
    assert len(done.stdout.split()) == len(web_articles()) + 1  # and the dam page's second version
    assert "limit must be a whole number from 1 to 100" in _web_error(server, "/recent?limit=0")


def test_a_new_search_option_is_one_line_per_face(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim of newsarc/search_request.py, tested: an option the library adds reaches build_request from a
    URL with no change to the web face, and from the command line with one click option and nothing else."""
    import click
    from click.testing import CliRunner
    from starlette.requests import Request

    import newsarc.search_request as library
    import newsarc.web.app as web
    from newsarc.cli.app import Env, cli
    from newsarc.cli.app import search as search_command

    monkeypatch.setitem(library.OPTIONS, "example", "a new option, for this test")
    seen: list[dict] = []
    real = library.build_request

    def build(options: dict, **settings: object) -> SearchRequest:
        seen.append(dict(options))
        return real({k: v for k, v in options.items() if k != "example"}, **settings)

    monkeypatch.setattr(library, "build_request", build)
    url = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                   "query_string": b"q=Raqqa&example=yes"})
    assert web._search_options(url)["example"] == "yes"

    archive = tmp_path / "arc"
    assert CliRunner().invoke(cli, ["init", str(archive)]).exit_code == 0
    command = click.Command(search_command.name, callback=search_command.callback,
                            params=[*search_command.params, click.Option(["--example"])])  # the one line
    done = CliRunner().invoke(command, ["Raqqa", "--example", "yes"], obj=Env(str(archive), "never"))
    assert done.exit_code == 1, done.output  # no matches in an empty archive: the search ran
    assert seen[-1]["example"] == "yes"


def test_did_you_mean_links_replace_the_word_not_a_piece_of_another(served: tuple[Path, Server]) -> None:
    """The page used to build its links with str.replace: `coalitoin -coalitoined` became
    `coalition -coalitioned`, a query the reader never typed. The library's Suggestion.corrected replaces words."""
    _, server = served
    page = html.unescape(server.get("/?q=coalitoin+-coalitoined")[2].decode())
    assert 'href="?q=coalition+-coalitoined"' in page and "coalitioned" not in page
    suggestion = Suggestion("coalitoin", "spelling", ["coalition"])
    assert suggestion.corrected("coalitoin -coalitoined", "coalition") == "coalition -coalitoined"
