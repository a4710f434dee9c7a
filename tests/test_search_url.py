"""`url:` finds articles by host or by part of the address, not only by the whole URL (issue 11.9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.archives import add_named

URLS = {
    "rudaw_en": "https://www.rudaw.net/english/middleeast/syria/18052017",
    "rudaw_ar": "http://rudaw.net/arabic/middleeast/syria/180520172",
    "not_rudaw": "https://notrudaw.net/english/news/1",
    "bbc": "https://www.bbc.co.uk/news/world-middle-east-39961217?ocid=rss#top",
    "none": "",
}


@pytest.fixture
def ids(archive: Path) -> dict[str, str]:
    return add_named(archive, {name: {"title": f"Story {name}", "body": f"Talks on the border, story {name}.",
                                      "url": url, "date": "2017-05-18"} for name, url in URLS.items()})


def _found(run, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    result = run("search", query, "--ids", "--limit", "100")
    assert result.exit_code in (0, 1), result.output
    return set(result.stdout.split())


@pytest.mark.parametrize(("query", "names"), [
    ("url:rudaw.net", {"rudaw_en", "rudaw_ar"}),
    ("url:www.rudaw.net", {"rudaw_en", "rudaw_ar"}),
    ("url:RUDAW.NET", {"rudaw_en", "rudaw_ar"}),
    ("url:rudaw", {"rudaw_en", "rudaw_ar"}),
    ("url:rudaw.net/english", {"rudaw_en"}),
    ("url:rudaw.net/english/", {"rudaw_en"}),
    ("url:https://www.rudaw.net/english", {"rudaw_en"}),
    ("url:rudaw.net/english/middleeast/syria", {"rudaw_en"}),
    ("url:https://www.rudaw.net/english/middleeast/syria/18052017", {"rudaw_en"}),
    ('url:"https://www.rudaw.net/english/middleeast/syria/18052017"', {"rudaw_en"}),
    ("url:english", {"rudaw_en", "not_rudaw"}),
    ("url:middleeast", {"rudaw_en", "rudaw_ar"}),
    ("url:notrudaw.net", {"not_rudaw"}),
    ("url:bbc.co.uk", {"bbc"}),
    ("url:bbc.co.uk/news", {"bbc"}),
    ("url:https://www.bbc.co.uk/news/world-middle-east-39961217?ocid=rss", {"bbc"}),
    ("url:rudaw.net/engl", set()),  # a path part is whole, not a prefix of a word
    ("url:udaw.net", set()),
    ("url:rudaw.net border", {"rudaw_en", "rudaw_ar"}),
])
def test_url_matches_host_and_parts(run, ids, query: str, names: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert _found(run, query) == {ids[n] for n in names}


def test_url_is_shown_as_written(run, ids) -> None:  # type: ignore[no-untyped-def]
    import json

    hits = json.loads(run("search", "url:bbc.co.uk", "--json").stdout)
    assert [h["url"] for h in hits] == [URLS["bbc"]]
