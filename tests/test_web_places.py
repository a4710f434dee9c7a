"""A place is one facet, labelled with its spellings in the archive (issue 22.7): the index links each article
to the gazetteer places it names (the `places` field), so the web page, its JSON API and `newsarc search --facets`
count Abu Kamal once, as "Abu Kamal · al-Bukamal · البوكمال", not once per spelling; choosing the facet keeps
the articles that name the place in any spelling. Over HTTP and through the CLI; tests/test_web_browser.py
clicks it in Chromium."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.web_server import (
    ABU_KAMAL,
    ABU_KAMAL_ID,
    Server,
    make_place_archive,
    newsarc,
    start_server,
)

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")

@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Server]]:
    archive = make_place_archive(tmp_path_factory.mktemp("places") / "arc")
    server = start_server(archive)
    yield archive, server
    server.stop()


def _facet_items(page: str, name: str) -> list[tuple[str, str, str]]:
    """(href, text, count) of each entry of one facet on a search page."""
    block = re.search(rf'<ul class="facet facet-{name}">(.*?)</ul>', page, re.S)
    assert block, f"no {name} facet on the page"
    return [(html.unescape(href), html.unescape(re.sub(r"<[^>]+>", "", text)).strip(), count) for href, text, count
            in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a> <span class="count">(\d+)</span>', block.group(1), re.S)]


def _hit_titles(page: str) -> list[str]:
    return sorted(html.unescape(re.sub(r"<[^>]+>", "", t)).strip()
                  for t in re.findall(r'<a class="title"[^>]*>(.*?)</a>', page, re.S))


def test_a_place_is_one_facet_labelled_with_its_spellings(places: tuple[Path, Server]) -> None:
    _, server = places
    status, _, body = server.get("/?tag=Syria")
    assert status == 200
    items = _facet_items(body.decode(), "place")
    naming = [(href, text, count) for href, text, count in items if any(s in text for s in ABU_KAMAL)]
    assert len(naming) == 1, items  # not one entry per spelling
    href, text, count = naming[0]
    assert sorted(text.split(" · ")) == sorted(ABU_KAMAL) and count == "3"
    assert f"place={ABU_KAMAL_ID}" in href


def test_choosing_the_place_keeps_every_spelling_and_shows_a_chip(places: tuple[Path, Server]) -> None:
    _, server = places
    href = next(h for h, text, _ in _facet_items(server.get("/?tag=Syria")[2].decode(), "place")
                if "al-Bukamal" in text)
    status, _, body = server.get("/" + href)
    page = body.decode()
    assert status == 200
    assert _hit_titles(page) == sorted(["Fighting near Abu Kamal on the border", "Crossing at al-Bukamal to reopen",
                                        "معارك في البوكمال"])
    chip = re.search(r'<a class="filter place" href="([^"]*)"[^>]*><span dir="auto">(.*?)</span>', page)
    assert chip and html.unescape(chip.group(2)).startswith("place: ") and sorted(
        html.unescape(chip.group(2))[len("place: "):].split(" · ")) == sorted(ABU_KAMAL)
    assert "place=" not in html.unescape(chip.group(1))  # removing the chip removes the filter, nothing else
    chosen = [text for _, text, _ in _facet_items(page, "place") if text.startswith("✓")]
    assert len(chosen) == 1 and "البوكمال" in chosen[0]


def test_any_spelling_of_the_place_is_the_same_filter_in_both_faces(places: tuple[Path, Server]) -> None:
    archive, server = places
    wanted = None
    for spelling in (*ABU_KAMAL, ABU_KAMAL_ID):
        done = newsarc(["--archive", str(archive), "search", "*", "--place", spelling, "--ids"])
        ids = sorted(done.stdout.split())
        api = server.json(f"/api/search?q=*&place={quote(spelling)}")
        assert sorted(hit["id"] for hit in api["hits"]) == ids
        wanted = wanted or ids
        assert ids == wanted and len(ids) == 3, spelling


def test_the_cli_facets_group_a_place_as_the_page_does(places: tuple[Path, Server]) -> None:
    archive, server = places
    done = newsarc(["--archive", str(archive), "search", "*", "--tag", "Syria", "--facets"])
    line = next(line for line in done.stdout.splitlines() if line.startswith("places: "))
    entries = re.findall(r"(.+?) \((\d+)\)(?:, |$)", line[len("places: "):])
    naming = [(label, count) for label, count in entries if any(s in label for s in ABU_KAMAL)]
    assert len(naming) == 1 and sorted(naming[0][0].split(" · ")) == sorted(ABU_KAMAL) and naming[0][1] == "3", line
    as_json = json.loads(newsarc(["--archive", str(archive), "search", "*", "--tag", "Syria", "--facets",
                                  "--json"]).stdout)
    web = server.json("/api/search?q=*&tag=Syria&facets=1")
    assert as_json["facets"]["place"] == web["facets"]["place"]  # one library call, one record
    record = next(r for r in as_json["facets"]["place"] if r["value"] == ABU_KAMAL_ID)
    assert record["count"] == 3 and sorted(record["label"].split(" · ")) == sorted(ABU_KAMAL)


def test_a_place_the_gazetteer_lacks_or_that_names_two_is_refused_alike(places: tuple[Path, Server]) -> None:
    archive, server = places
    for value, problem in (("Zzyzzx", "Zzyzzx names no place the gazetteer knows"),
                           ("Tripoli", "Tripoli names 3 places: ")):
        done = newsarc(["--archive", str(archive), "search", "*", "--place", value], check=False)
        assert done.returncode == 2 and f"newsarc: error: --place {problem}" in done.stderr
        status, _, body = server.get(f"/?place={value}")
        assert status == 400 and f"place {problem}" in html.unescape(body.decode())


def test_a_label_reads_a_few_articles_and_no_possessive(places: tuple[Path, Server]) -> None:
    """The label reads at most SAMPLE articles per place (an unscored Whoosh search used to hand back every one),
    and "Abu Kamal's" is Abu Kamal, not a fourth spelling."""
    from newsarc import api
    from newsarc.place_labels import place_labels

    archive, _ = places
    store = api.open_store(archive)
    try:
        assert len(store.read_index(lambda: store.backend.place_texts(int(ABU_KAMAL_ID), 2))) == 2
        label = place_labels(store, [int(ABU_KAMAL_ID)])[int(ABU_KAMAL_ID)]
    finally:
        store.close()
    assert sorted(label.spellings) == sorted(ABU_KAMAL) and label.spellings[0] == "Abu Kamal"  # most used first


def test_a_label_reads_each_article_in_its_language(archive: Path) -> None:
    """Italian's Roma names Rome in an Italian article only (newsarc.names.gazetteer): the place's label, read
    from the articles, shows it, as the index linked it."""
    from newsarc import api
    from newsarc.names.gazetteer import table
    from newsarc.place_labels import place_labels
    from tests.support.archives import add_named

    add_named(archive, {"it": {"title": "Vertice", "body": "Il vertice dei ministri si è svolto a Roma lunedì.",
                               "language": "it", "date": "2024-03-04"}})
    rome = next(pid for pid in table().exact("rome") if table().place(pid).country == "IT")  # type: ignore[union-attr]
    store = api.open_store(archive)
    try:
        label = place_labels(store, [rome])[rome]
    finally:
        store.close()
    assert label.spellings == ("Roma",)
