"""What one search may cost once it runs (issue 21, point 7): a time budget (NEWSARC_SEARCH_BUDGET replaces the
face's), a bound on the words one wildcard may stand for, and on a fuzzy word's distance. Over any, the search
stops with one line naming the query, the bound and what to do, and exit status 10 (TOO_BROAD)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.errors import ExitCode

NEWSARC = str(Path(sys.executable).parent / "newsarc")


def articles() -> list[dict]:
    """A small archive whose vocabulary holds 1,200 words starting `zzq` (one wildcard can stand for all of them)."""
    made = [{"title": f"Raqqa council meets, report {i}", "date": f"2017-05-{i + 1:02d}", "source": "Rudaw",
             "body": f"Raqqa council members met on day {i} to discuss water, electricity and schools."}
            for i in range(12)]
    made.append({"title": "A list of codes", "date": "2017-06-01", "source": "Rudaw",
                 "body": " ".join(f"zzq{n:04d}x" for n in range(1200))})
    return made


@pytest.fixture
def small_archive(tmp_path: Path) -> Path:
    root = tmp_path / "arc"
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles()), encoding="utf-8")
    subprocess.run([NEWSARC, "init", str(root)], check=True, capture_output=True)
    subprocess.run([NEWSARC, "--archive", str(root), "add", str(source), "--quiet"], check=True, capture_output=True)
    return root


def search(root: Path, *args: str, budget: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NEWSARC_SEARCH_BUDGET"}
    if budget is not None:
        env["NEWSARC_SEARCH_BUDGET"] = budget
    return subprocess.run([NEWSARC, "--archive", str(root), "search", *args], capture_output=True, text=True,
                          env={**env, "NO_COLOR": "1"}, timeout=120)


def test_a_search_over_its_time_budget_stops_with_one_line_and_status_10(small_archive: Path) -> None:
    done = search(small_archive, "Raqqa council", budget="0.000001")  # no search is that fast: it must stop
    assert done.returncode == ExitCode.TOO_BROAD == 10
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "newsarc: error: query 'Raqqa council' is too broad: it was stopped after 1e-06 s, the most a search may "
        "take (NEWSARC_SEARCH_BUDGET=0.000001); narrow it: fewer words joined by OR, a wildcard with more letters "
        "before the *, a shorter phrase, or a filter (a tag, a source, a date range)"]
    assert "Traceback" not in done.stderr
    answered = search(small_archive, "Raqqa council", budget="30")  # the same search within a budget: answered
    assert answered.returncode == 0 and "Raqqa council meets" in answered.stdout
    assert search(small_archive, "Raqqa council", "--count").stdout.strip() == "12"  # the CLI's own budget


def test_the_budget_stops_a_search_and_a_timeline_through_the_command_line_face(small_archive: Path) -> None:
    from click.testing import CliRunner

    from newsarc.cli.app import cli

    runner = CliRunner()
    for args in (["search", "Raqqa"], ["timeline", "Raqqa"]):
        result = runner.invoke(cli, ["--archive", str(small_archive), *args],
                               env={"NEWSARC_SEARCH_BUDGET": "0.000001", "NO_COLOR": "1"})
        assert result.exit_code == 10, (args, result.output)
        assert "query 'Raqqa' is too broad: it was stopped after 1e-06 s" in result.output
        assert runner.invoke(cli, ["--archive", str(small_archive), *args]).exit_code == 0


def test_the_budget_stops_every_way_of_searching(small_archive: Path) -> None:
    for args in (["Raqqa", "--facets"], ["Raqqa", "--collapse"], ["Raqqa", "--json"], ["Raqqa", "--count"],
                 ["Raqqa", "--since", "2017-05", "--tag", "x"], ["zzq*", "--ids"], ['"council members"~3']):
        done = search(small_archive, *args, budget="0.000001")
        assert done.returncode == 10, (args, done.stdout, done.stderr)
        assert done.stderr.startswith(f"newsarc: error: query {args[0]!r} is too broad: it was stopped after"), args


def test_a_time_budget_that_is_not_a_number_of_seconds_is_refused(small_archive: Path) -> None:
    for value in ("soon", "0", "-1", "nan"):
        done = search(small_archive, "Raqqa", budget=value)
        assert done.returncode == 2
        assert done.stderr == (f"newsarc: error: NEWSARC_SEARCH_BUDGET={value!r} is not a time budget: give the "
                               "seconds a search may take, a number above 0 (e.g. 2.5), or unset it\n")


def test_a_fuzzy_word_is_searched_within_two_letters_and_at_two_keeps_its_first_letter(small_archive: Path) -> None:
    done = search(small_archive, "counsil~3")
    assert done.returncode == 10 and done.stderr == (
        "newsarc: error: query 'counsil~3' is too broad: counsil~3 asks for words up to 3 letters different; at "
        "most 2 are searched: write counsil~2\n")
    assert search(small_archive, "counsil~2", "--count").stdout.strip() == "12"  # council: the same first letter
    assert search(small_archive, "kouncil~", "--count").stdout.strip() == "12"  # one letter: any letter may differ
    # two letters from `council` but its first letter changed: not searched (it took minutes at 20,000 articles)
    assert search(small_archive, "kounsil~2", "--count").returncode == 1


def test_a_wildcard_that_stands_for_too_many_words_is_refused_by_the_library(small_archive: Path) -> None:
    from newsarc import api
    from newsarc.errors import QueryTooBroadError
    from newsarc.search_request import Limits, build_request

    store = api.open_store(small_archive)
    try:
        bounded = Limits(max_expansions=1000)
        with pytest.raises(QueryTooBroadError) as refused:
            api.search(store, build_request({"query": "Raqqa OR zzq*"}, limits=bounded))
        assert str(refused.value) == (
            "query 'Raqqa OR zzq*' is too broad: zzq* stands for more than 1,000 of the archive's words, the most "
            "one term may expand to; give it more letters (elect* rather than el*) or a narrower range")
        assert refused.value.exit_code == 10
        assert api.search(store, build_request({"query": "zzq011*"}, limits=bounded)).total == 1  # 10 words
        assert api.search(store, build_request({"query": "zzq*"})).total == 1  # the CLI's bound is higher
    finally:
        store.close()


def test_the_server_answers_a_search_over_its_budget_with_a_422_page_that_keeps_the_query(
        small_archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")
    from tests.support.web_server import start_server

    monkeypatch.setenv("NEWSARC_SEARCH_BUDGET", "0.000001")
    running = start_server(small_archive)
    try:
        status, headers, body = running.get("/?q=Raqqa+council")
        page = body.decode()
        assert status == 422 and "default-src 'none'" in headers["content-security-policy"]
        assert "The search was too broad" in page
        assert ("query &#39;Raqqa council&#39; is too broad: it was stopped after 1e-06 s, the most a search may "
                "take (NEWSARC_SEARCH_BUDGET=0.000001); narrow it:") in page
        assert 'value="Raqqa council"' in page  # the query stays in the search box
        status, _, body = running.get("/api/search?q=Raqqa")
        assert status == 422 and json.loads(body) == {"status": 422, "error": (
            "query 'Raqqa' is too broad: it was stopped after 1e-06 s, the most a search may take "
            "(NEWSARC_SEARCH_BUDGET=0.000001); narrow it: fewer words joined by OR, a wildcard with more letters "
            "before the *, a shorter phrase, or a filter (a tag, a source, a date range)")}
        assert running.get("/timeline?q=Raqqa")[0] == 422
        assert running.get("/export.csv?q=Raqqa")[0] == 422
        assert running.get("/")[0] == 200  # no search: nothing to stop
    finally:
        assert running.stop() == 0


def test_the_server_refuses_a_wildcard_that_stands_for_too_many_words(small_archive: Path) -> None:
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")
    from tests.support.web_server import start_server

    running = start_server(small_archive)
    try:
        status, _, body = running.get("/api/search?q=zzq*")  # 3 letters: within the query's shape bounds
        assert status == 422 and json.loads(body)["error"] == (
            "query 'zzq*' is too broad: zzq* stands for more than 1,000 of the archive's words, the most one term "
            "may expand to; give it more letters (elect* rather than el*) or a narrower range")
        assert running.json("/api/search?q=zzq011*")["total"] == 1  # type: ignore[index]
        assert running.json("/api/search?q=Raqqa")["total"] == 12  # type: ignore[index]
    finally:
        assert running.stop() == 0


def test_a_fuzzy_words_walk_of_a_segments_words_is_stopped_by_the_clock(tmp_path: Path) -> None:
    """At distance 2 Whoosh walks a segment's word list seek by seek and yields only the few words that match (4.6 s
    in one segment at 20,000 articles): the clock must be looked at inside that walk, not between the words."""
    from newsarc import search_budget
    from newsarc.errors import QueryTooBroadError
    from newsarc.index import whoosh_internals
    from newsarc.index.whoosh_internals import clocked_fuzzy

    whoosh_internals.load()
    from whoosh import fields, index, query

    letters = random.Random(21).choices  # a vocabulary the walk must seek through: 5,000 words starting with g
    words = ["g" + "".join(letters("aeioulnrstmgv", k=4 + n % 8)) for n in range(5000)]
    ix = index.create_in(str(tmp_path), fields.Schema(text=fields.TEXT(spelling=True)))
    with ix.writer() as writer:
        writer.add_document(text=" ".join(words) + " government governor")
    with ix.searcher() as searcher:
        leaf = searcher.reader()
        whooshs_own = query.FuzzyTerm("text", "governmnt", maxdist=2, prefixlength=1)
        expected = sorted(whooshs_own._btexts(leaf))
        assert "government" in expected

        clocked = query.FuzzyTerm("text", "governmnt", maxdist=2, prefixlength=1)
        clocked_fuzzy.clock(clocked)
        with search_budget.spending(search_budget.Budget("governmnt~2", seconds=60.0)):
            assert sorted(clocked._btexts(leaf)) == expected  # the same words while time is left
        spent = search_budget.Budget("governmnt~2", seconds=1.0, started=0.0)
        with search_budget.spending(spent), pytest.raises(QueryTooBroadError):
            next(iter(clocked._btexts(leaf)))  # the walk's first seeks see the spent budget, before any word
        with search_budget.spending(spent):
            assert sorted(whooshs_own._btexts(leaf)) == expected  # Whoosh's own walk never looks at the clock

        from newsarc.index import whoosh_budget

        typed = query.Or([query.Term("text", "governor"), query.FuzzyTerm("text", "governmnt", maxdist=2)])
        whoosh_budget.bound_terms(leaf, typed)  # what every search does with its parsed query
        assert isinstance(typed.subqueries[1], clocked_fuzzy.ClockedFuzzyTerm)


def test_a_servers_search_past_its_yield_point_lets_the_others_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """In `newsarc serve` a long search sleeps at each look at the clock (the plain searches on the other threads
    get Python's lock meanwhile); the command line's never does, and neither does a short search."""
    import time

    from newsarc import search_budget
    from newsarc.search_request import CLI_LIMITS, WEB_LIMITS, build_request

    assert build_request({"query": "Raqqa"}, limits=WEB_LIMITS).yield_after == WEB_LIMITS.yield_after == 0.3
    assert build_request({"query": "Raqqa"}, limits=CLI_LIMITS).yield_after is None

    long_running = search_budget.Budget("Raqqa", seconds=60.0, yield_after=0.3, started=time.monotonic() - 1.0)
    started = time.perf_counter()
    for _ in range(4):
        long_running.check()
    assert time.perf_counter() - started >= 4 * search_budget.YIELD_SECONDS  # slept at every look

    fresh = search_budget.Budget("Raqqa", seconds=60.0, yield_after=0.3)
    calls: list[float] = []
    monkeypatch.setattr(search_budget.time, "sleep", calls.append)
    fresh.check()
    search_budget.Budget("Raqqa", seconds=60.0, started=time.monotonic() - 1.0).check()  # the CLI's
    assert calls == []  # a search younger than its yield point, and one without it, never sleep


def test_a_phrases_walk_to_its_first_match_is_stopped_by_the_clock(tmp_path: Path) -> None:
    """Whoosh builds a phrase's matcher only once it has found the first match, stepping through every document
    that holds all the words: for a long phrase of common words with no match at 1,000,000 articles, 9.9 s under
    a 3 s budget in `newsarc serve`. The clock must be looked at inside that walk."""
    from newsarc import search_budget
    from newsarc.errors import QueryTooBroadError
    from newsarc.index import whoosh_internals
    from newsarc.index.whoosh_internals import clocked_spans

    whoosh_internals.load()
    from whoosh import fields, index, query
    from whoosh.query import spans

    assert spans.SpanWrappingMatcher._find_next is clocked_spans._find_next  # installed by load()
    ix = index.create_in(str(tmp_path), fields.Schema(text=fields.TEXT(phrase=True)))
    with ix.writer() as writer:
        for number in range(3 * clocked_spans.CHECK_EVERY):
            writer.add_document(text=f"figures {number} said the government")  # never "government figures"
    phrase = query.Phrase("text", ["government", "figures"])
    with ix.searcher() as searcher:
        with search_budget.spending(search_budget.Budget('"government figures"', seconds=60.0)):
            assert not phrase.matcher(searcher).is_active()  # no match: the whole walk, while time is left
        spent = search_budget.Budget('"government figures"', seconds=1.0, started=0.0)
        with search_budget.spending(spent), pytest.raises(QueryTooBroadError):
            phrase.matcher(searcher)
