"""`newsarc search` through the CLI on a small archive: the query language, dates, errors, output options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ARTICLES = {
    "seed": {"title": "Assad and Iraqi advisor discuss military cooperation", "date": "2017-05-18",
             "source": "Rudaw", "authors": ["Rudaw staff"], "location": "Erbil", "language": "en",
             "tags": ["Syria", "Abu Kamal", "al-Bukamal"],
             "body": "President Bashar al-Assad discussed direct military cooperation on the shared border.\n\n"
                     "Airstrikes hit Raqqa and Abu Kamal in Deir ez-Zor province, officials said."},
    "kamishli": {"title": "Car bomb in Kamishli market", "date": "2017-05-31", "source": "Reuters",
                 "tags": ["Syria", "Kurds"], "language": "en",
                 "body": "A car bomb exploded in a market in Kamishli, near the Turkish border. The prime minister "
                         "condemned the attack."},
    "raqqah": {"title": "Offensive on ar-Raqqah", "date": "2017-06-01", "source": "AFP", "language": "en",
               "tags": ["Syria"],
               "body": "Coalition military and security cooperation against ISIS continued in ar-Raqqah."},
    "april": {"title": "Border talks", "date": "2017-04-30", "source": "AFP", "language": "en",
              "body": "Envoys met at the border to discuss the crossing and the market."},
    "arabic": {"title": "غارات على البوكمال", "date": "2017-05-20", "source": "Al Jazeera", "language": "ar",
               "body": "قال أحمد إن الغارات استهدفت مواقع في البوكمال قرب الحدود العراقية."},
    "russian": {"title": "Зеленский выступил в Раде", "date": "2019-06-06", "source": "Meduza", "language": "ru",
                "body": "Президент Зеленский выступил в Верховной Раде."},
    "chinese": {"title": "中华人民共和国成立", "date": "2019-10-01", "source": "Xinhua", "language": "zh",
                "body": "中华人民共和国成立七十周年。"},
    "undated": {"title": "An undated note on cooperation", "body": "Military cooperation without a date."},
}


@pytest.fixture
def ids(archive: Path) -> dict[str, str]:
    """The ARTICLES in the test archive, plus a copy of the seed marked duplicate_of it."""
    from newsarc import api

    store = api.open_store(archive)
    report = api.add_articles(store, [(name, dict(data)) for name, data in ARTICLES.items()])
    found = {name: o.id for name, o in zip(ARTICLES, report.outcomes, strict=True)}
    copy = {**ARTICLES["seed"], "source": "Syndicated", "duplicate_of": found["seed"],
            "title": ARTICLES["seed"]["title"] + " (copy)"}
    found["copy"] = api.add_articles(store, [("copy", copy)]).outcomes[0].id
    store.close()
    return found


def _ids(result) -> set[str]:  # type: ignore[no-untyped-def]
    return set(result.stdout.split())


def _search_ids(run, *args: str) -> set[str]:  # type: ignore[no-untyped-def]
    result = run("search", *args, "--ids", "--limit", "100")
    assert result.exit_code in (0, 1), result.output
    return _ids(result)


# -- query language -----------------------------------------------------------------------------------------
def test_words_are_anded_and_phrases_are_exact(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, "military cooperation") == {ids["seed"], ids["copy"], ids["raqqah"], ids["undated"]}
    assert _search_ids(run, '"military cooperation"') == {ids["seed"], ids["copy"], ids["undated"]}


def test_proximity(run, ids) -> None:  # type: ignore[no-untyped-def]
    # "military and security cooperation": the words are 3 positions apart
    assert ids["raqqah"] not in _search_ids(run, '"military cooperation"~2')
    assert ids["raqqah"] in _search_ids(run, '"military cooperation"~3')


def test_or_not_and_parentheses(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, "Kamishli OR crossing") == {ids["kamishli"], ids["april"]}
    assert _search_ids(run, "market NOT bomb") == {ids["april"]}
    assert _search_ids(run, "(bomb OR envoys) AND border") == {ids["kamishli"], ids["april"]}


@pytest.mark.parametrize(("query", "expected"), [
    ("title:Kamishli", {"kamishli"}),
    ('tag:"Abu Kamal"', {"seed", "copy"}),
    ("tag:kurds", {"kamishli"}),
    ("source:Rudaw", {"seed"}),
    ('author:"Rudaw staff"', {"seed", "copy"}),
    ("location:Erbil", {"seed", "copy"}),
    ("language:AR", {"arabic"}),
    ("body:Turkish", {"kamishli"}),
])
def test_fields(run, ids, query: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, query, "--exact") == {ids[name] for name in expected}


def test_wildcards_and_fuzzy_terms(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, "Raqq*") == {ids["seed"], ids["copy"], ids["raqqah"]}
    # a typo two edits away: fuzzy on the unstemmed words (a stemmed field would miss "cooperation~")
    assert ids["seed"] in _search_ids(run, "coperaton~2")
    assert ids["seed"] not in _search_ids(run, "coperaton~1")
    assert _search_ids(run, "Kamishly~") == {ids["kamishli"]}
    assert _search_ids(run, "cooperation~") >= {ids["seed"], ids["raqqah"], ids["undated"]}


def test_dates_month_and_day_granularity(run, ids) -> None:  # type: ignore[no-untyped-def]
    may = {ids["seed"], ids["copy"], ids["kamishli"], ids["arabic"]}
    assert _search_ids(run, "date:2017-05") == may
    assert _search_ids(run, "date:[2017-05-01 TO 2017-05-20]") == {ids["seed"], ids["copy"], ids["arabic"]}
    assert _search_ids(run, "date:[2017-05-19 TO 2017-05-31]") == {ids["kamishli"], ids["arabic"]}
    assert _search_ids(run, "date:2017-05-31") == {ids["kamishli"]}
    assert _search_ids(run, "date:>2017-05") == {ids["raqqah"], ids["russian"], ids["chinese"]}
    assert _search_ids(run, "date:<2017-05") == {ids["april"]}
    assert _search_ids(run, "border", "--since", "2017-05", "--until", "2017-05") == {
        ids["seed"], ids["copy"], ids["kamishli"]}
    assert _search_ids(run, "border", "--since", "2017-05-31", "--until", "2017-06-01") == {ids["kamishli"]}
    assert _search_ids(run, "date:2017-04 OR date:2017-06") == {ids["april"], ids["raqqah"]}
    shown = json.loads(run("search", "border date:2017-05", "--json").stdout)  # snippets with a date term
    assert {h["id"] for h in shown} == {ids["seed"], ids["copy"], ids["kamishli"]}
    assert all("border" in " ".join(h["matched_terms"]) for h in shown)


@pytest.mark.parametrize(("query", "fragment"), [
    ('"military cooperation', "unclosed \" at position 1"),
    ("(border AND talks", "unclosed ( (at position 1)"),
    ("border)", ") at position 7 has no ("),
    ("colour:red", "unknown field 'colour' at position 1"),
    ("title: border", "field 'title' at position 1 has no value"),
    ("border AND", "AND at position 8 has nothing after it"),
    ("OR border", "OR at position 1 has nothing before it"),
    ("date:2017-13", "not a real date"),
    ("date:[2017-05 TO", "unclosed [ (at position 6)"),
    ("", "the query is empty"),
    ("   ", "the query is empty"),
    ("Blair~x", "~ at position 6"),
    ("Blair~2x", "~ at position 6"),
    ('"tony blair"~x', "~ at position 13"),
    ("border^x", "^ at position 7"),
    ("()", "empty () at position 1"),
    ("border ( )", "empty () at position 8"),
])
def test_syntax_errors_exit_2_with_position(run, ids, query: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    result = run("search", query)
    assert result.exit_code == 2
    assert "newsarc: error:" in result.output and fragment in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_well_formed_fuzzy_and_proximity_still_parse(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, "Kamishly~") == {ids["kamishli"]}
    assert _search_ids(run, "Kamishly~1") == {ids["kamishli"]}
    assert ids["raqqah"] in _search_ids(run, '"military cooperation"~3')
    assert _search_ids(run, "Kamishli^2") == {ids["kamishli"]}


def test_malformed_query_fails_as_a_subprocess_too(archive: Path, ids) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("newsarc")
    for query in ("", "Blair~x", "()"):
        done = subprocess.run([str(exe), "--archive", str(archive), "search", query], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2, (query, done.stdout, done.stderr)
        assert done.stdout == "" and done.stderr.startswith("newsarc: error: "), (query, done.stderr)


# -- variants, aliases, explain, did you mean ----------------------------------------------------------------
def test_variants_find_other_spellings_and_say_which_matched(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "Qamishli", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.output)
    assert [h["id"] for h in hits] == [ids["kamishli"]]
    assert "Kamishli" in hits[0]["matched_terms"]
    for snippet in hits[0]["snippets"]:
        for start, end in snippet["highlights"]:
            assert snippet["text"][start:end] == "Kamishli"
    assert _search_ids(run, "Bukamal") >= {ids["seed"], ids["copy"]}  # the tag al-Bukamal, article optional
    assert _search_ids(run, "alBukamal") >= {ids["seed"]}
    assert _search_ids(run, "Deir al-Zour") == {ids["seed"], ids["copy"]}
    assert _search_ids(run, '"Deir al-Zour province"') == {ids["seed"], ids["copy"]}


def test_exact_turns_expansion_off_and_did_you_mean_says_so(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "Qamishli", "--exact")
    assert result.exit_code == 1
    assert "without --exact, the variants kamishli would match" in result.output


def test_did_you_mean_closest_spelling(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "cooperaton")
    assert result.exit_code == 1
    assert "cooperaton: did you mean cooperation?" in result.output


def test_explain_prints_query_and_expansions(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "Qamishli", "--explain", "--count")
    assert result.exit_code == 0
    assert "query: " in result.output and "Qamishli -> variants in this archive: kamishli" in result.output
    assert result.output.strip().endswith("1")


def test_alias_groups_take_effect_without_reindex(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, '"Kamal Town"') == set()
    assert run("alias", "add", "Abu Kamal", "Kamal Town").exit_code == 0
    # Abu Kamal is also a gazetteer place, written البوكمال in the Arabic article.
    assert _search_ids(run, '"Kamal Town"') == {ids["seed"], ids["copy"], ids["arabic"]}
    assert _search_ids(run, "Kamal Town") == {ids["seed"], ids["copy"], ids["arabic"]}
    result = run("search", "Kamal Town", "--explain", "--ids")
    assert "Kamal Town -> alias group: Abu Kamal, Kamal Town" in result.output
    assert _search_ids(run, '"Kamal Town"', "--exact") == set()


def test_albu_kamal_finds_abu_kamal_without_an_alias(run, ids) -> None:  # type: ignore[no-untyped-def]
    # ... and through Bukamal the Arabic spelling البوكمال too
    assert _search_ids(run, '"Albu Kamal"') == {ids["seed"], ids["copy"], ids["arabic"]}
    result = run("search", '"Albu Kamal"', "--explain", "--ids")
    assert "Albu Kamal -> one-word and two-word forms: Albu Kamal, Abu Kamal, Bukamal" in result.output
    assert _search_ids(run, '"Albu Kamal"', "--exact") == set()


# -- output options -------------------------------------------------------------------------------------------
def test_limit_page_ids_count(run, ids) -> None:  # type: ignore[no-untyped-def]
    everything = run("search", "border", "--ids", "--limit", "100")
    all_ids = everything.output.split()
    assert len(all_ids) == 4
    count = run("search", "border", "--count")
    assert count.output.strip() == "4"
    pages = [run("search", "border", "--ids", "--limit", "3", "--page", str(p)).output.split() for p in (1, 2)]
    assert len(pages[0]) == 3 and len(pages[1]) == 1
    assert pages[0] + pages[1] == all_ids
    beyond = run("search", "border", "--limit", "3", "--page", "5")
    assert beyond.exit_code == 0 and "there are 4 matches" in beyond.output


def test_collapse_folds_duplicates(run, ids) -> None:  # type: ignore[no-untyped-def]
    plain = json.loads(run("search", '"military cooperation"', "--json").output)
    assert {h["id"] for h in plain} == {ids["seed"], ids["copy"], ids["undated"]}
    collapsed = json.loads(run("search", '"military cooperation"', "--json", "--collapse").output)
    assert len(collapsed) == 2
    folded = next(h for h in collapsed if h["id"] in (ids["seed"], ids["copy"]))
    assert folded["copies"] == 1
    assert run("search", '"military cooperation"', "--collapse", "--count").output.strip() == "2"
    text = run("search", '"military cooperation"', "--collapse")
    assert "(+1 copy)" in text.output


def test_facets_in_json_and_text(run, ids) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("search", "border", "--json", "--facets").output)
    assert data["total"] == 4 and len(data["hits"]) == 4
    tags = {f["value"]: f["count"] for f in data["facets"]["tag"]}
    assert tags == {"Syria": 3, "Abu Kamal": 2, "al-Bukamal": 2, "Kurds": 1}
    months = {f["value"]: f["count"] for f in data["facets"]["month"]}
    assert months == {"2017-05": 3, "2017-04": 1}
    assert {f["value"] for f in data["facets"]["source"]} == {"Rudaw", "Syndicated", "Reuters", "AFP"}
    plain = json.loads(run("search", "border", "--json").output)
    assert isinstance(plain, list)  # without --facets, --json stays an array of hits
    lines = run("search", "border", "--jsonl", "--facets").output.strip().splitlines()
    assert len(lines) == 5 and "facets" in json.loads(lines[-1])
    text = run("search", "border", "--facets").output
    assert "tags: Syria (3)" in text and "months: 2017-05 (3), 2017-04 (1)" in text
    assert run("search", "border", "--csv", "--facets").exit_code == 2


def test_rich_output_highlights(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("--color", "always", "search", "Qamishli")
    assert result.exit_code == 0
    assert "\x1b[" in result.output and "Kamishli" in result.output and "matched: Kamishli" in result.output


# -- scripts other than Latin ---------------------------------------------------------------------------------
def test_arabic_cyrillic_and_cjk(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, "احمد") == {ids["arabic"]}  # written أحمد: the alef with hamza folds
    assert _search_ids(run, "بوكمال", "--exact") == {ids["arabic"]}  # البوكمال without its article
    # by the variant key, across scripts both ways: the Arabic spelling finds the Latin al-Bukamal too
    assert _search_ids(run, "بوكمال") == {ids["arabic"], ids["seed"], ids["copy"]}
    assert _search_ids(run, "ЗЕЛЕНСКИЙ") == {ids["russian"]}
    assert _search_ids(run, "人民") == {ids["chinese"]}
    assert _search_ids(run, "共和国") == {ids["chinese"]}
    assert _search_ids(run, "人民共和") == {ids["chinese"]}
    assert _search_ids(run, "国人") == set()
    # across scripts, by the variant key: the Latin spelling finds the Arabic article too
    assert ids["arabic"] in _search_ids(run, "Bukamal")


def test_variants_apply_inside_a_field_prefixed_phrase(run, ids) -> None:  # type: ignore[no-untyped-def]
    assert _search_ids(run, 'body:"Dayr az Zawr"') == {ids["seed"], ids["copy"]}
    assert "Zawr -> variants in this archive: zor" in run("search", 'body:"Dayr az Zawr"', "--explain").output
    assert _search_ids(run, 'title:"Dayr az Zawr"') == set()  # the field still counts
    assert _search_ids(run, 'body:"Dayr az Zawr"', "--exact") == set()


def test_sort_date_newest_first_undated_last(run, ids) -> None:  # type: ignore[no-untyped-def]
    result = run("search", "cooperation OR border OR Зеленский", "--sort", "date", "--ids", "--limit", "100")
    order = result.stdout.split()
    expected = ["russian", "raqqah", "kamishli", "april", "undated"]
    assert [o for o in order if o in {ids[n] for n in expected}] == [ids[n] for n in expected]
    assert order[-1] == ids["undated"]
    dated = json.loads(run("search", "cooperation", "--sort", "date", "--json", "--limit", "100").stdout)
    assert [h["date"] for h in dated][-1] is None
    days = [h["date"] for h in dated if h["date"]]
    assert days == sorted(days, reverse=True)
    # paging keeps the order: the undated article is on the last page
    pages = [run("search", "cooperation", "--sort", "date", "--ids", "-n", "2", "--page", str(p)).stdout.split()
             for p in (1, 2, 3)]
    assert [i for page in pages for i in page] == [h["id"] for h in dated]
