"""`newsarc serve`, issue 21: the views a newsroom reaches for (points 1, 2, 3, 5): downloads of a whole result,
filters a person can see and remove, the query carried into the article, and the recently added listing."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode

import pytest

from tests.support.web_server import FORMULA_TITLE, Server, add_edge_articles, make_web_archive, newsarc, start_server

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = make_web_archive(tmp_path_factory.mktemp("views") / "arc")
    return root, add_edge_articles(root)


@pytest.fixture(scope="module")
def server(edge: tuple[Path, dict[str, str]]) -> Iterator[Server]:
    running = start_server(edge[0])
    yield running
    assert running.stop() == 0


def cli(archive: Path, *args: str) -> str:
    done = newsarc(["--archive", str(archive), *args], check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


# -- 1: downloads of the whole view -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
@pytest.mark.parametrize("params, args", [
    ({"q": "Raqqa", "limit": "5", "page": "2"}, ["search", "Raqqa"]),
    ({"q": "Raqqa", "tag": "SDF", "sort": "date", "since": "2017-04"}, ["search", "Raqqa", "--tag", "SDF",
                                                                        "--sort", "date", "--since", "2017-04"]),
    ({"tag": "formula"}, ["search", "*", "--tag", "formula"]),
])
def test_a_download_is_every_match_as_the_cli_prints_it(server: Server, edge: tuple[Path, dict[str, str]],
                                                        fmt: str, params: dict[str, str], args: list[str]) -> None:
    status, headers, body = server.get(f"/export.{fmt}?" + urlencode(params))
    assert status == 200
    assert headers.get("transfer-encoding") == "chunked" and "content-length" not in headers  # streamed
    assert headers["content-disposition"] == f'attachment; filename="newsarc-search.{fmt}"'
    # the CLI runs in text mode, which reads CSV's CRLF as LF
    assert body.decode().replace("\r\n", "\n") == cli(edge[0], *args, f"--{fmt}", "--limit", "10000")  # every page


def test_a_download_neutralises_formulas_and_the_page_links_it(server: Server) -> None:
    rows = list(csv.DictReader(io.StringIO(server.get("/export.csv?tag=formula")[2].decode())))
    assert rows[0]["title"] == "'" + FORMULA_TITLE and rows[0]["source"] == "'+Formula Wire"
    page = server.get("/?q=Raqqa&limit=5&page=2")[2].decode()
    total = json.loads(server.get("/api/search?q=Raqqa")[2])["total"]
    assert f'Download all {total} matches: <a href="/export.json?q=Raqqa&amp;page=2">JSON</a>' not in page
    assert f'Download all {total} matches: <a href="/export.json?q=Raqqa">JSON</a>' in page
    assert '<a href="/export.csv?q=Raqqa">CSV</a>' in page
    assert server.get("/export.xml?q=Raqqa")[0] == 404
    assert server.get("/export.csv?q=" + quote("Blair AND"))[0] == 400


# -- 2: filters a person can see and remove ---------------------------------------------------------------------
def chips(page: str) -> list[tuple[str, str]]:
    found = re.findall(r'<a class="filter" href="([^"]*)"[^>]*>(.*?)</a>', page)
    return [(href.replace("&amp;", "&"), re.sub(r"<[^>]+>", "", text).replace("✕", "").strip())
            for href, text in found]


def test_every_active_filter_is_a_chip_with_a_remove_link(server: Server) -> None:
    query = 'Raqqa language:"en"'
    page = server.get("/?" + urlencode({"q": query, "tag": "SDF", "source": "Rudaw", "since": "2017-03",
                                        "until": "2017-06", "sort": "date", "collapse": "1"}))[2].decode()
    shown = {text: parse_qs(href.lstrip("?")) for href, text in chips(page)}
    assert set(shown) == {"tag: SDF", "source: Rudaw", "language: en", "since 2017-03", "until 2017-06",
                          "sorted by date", "copies collapsed"}
    everything = {"q": [query], "tag": ["SDF"], "source": ["Rudaw"], "since": ["2017-03"], "until": ["2017-06"],
                  "sort": ["date"], "collapse": ["1"]}
    for text, name in (("tag: SDF", "tag"), ("source: Rudaw", "source"), ("since 2017-03", "since"),
                       ("until 2017-06", "until"), ("sorted by date", "sort"), ("copies collapsed", "collapse")):
        assert shown[text] == {k: v for k, v in everything.items() if k != name}, text  # removes itself only
    assert shown["language: en"] == {**everything, "q": ["Raqqa"]}


def test_a_chosen_facet_is_marked_and_never_added_twice(server: Server) -> None:
    page = server.get("/?" + urlencode({"q": 'Raqqa language:"en"', "tag": "SDF"}))[2].decode()
    assert page.count("language%3A%22en%22+language%3A%22en%22") == 0  # was language:"en" language:"en"
    language = page.split('<ul class="facet facet-language">', 1)[1].split("</ul>", 1)[0]
    chosen = re.search(r'<li class="chosen"><a href="\?([^"]*)" dir="auto" aria-current="true"', language)
    assert chosen and parse_qs(chosen.group(1).replace("&amp;", "&")) == {"q": ["Raqqa"], "tag": ["SDF"]}
    tags = page.split('<ul class="facet facet-tag">', 1)[1].split("</ul>", 1)[0]
    assert re.search(r'<li class="chosen"><a href="\?q=Raqqa[^"]*"[^>]*>✓ SDF</a>', tags)
    assert "tag=SDF&amp;tag=SDF" not in page


def test_a_date_range_can_be_typed(server: Server, edge: tuple[Path, dict[str, str]]) -> None:
    page = server.get("/?q=Raqqa&since=2017-04")[2].decode()
    form = page.split('<form class="daterange"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="q" value="Raqqa">' in form
    assert '<input name="since" value="2017-04"' in form and '<input name="until" value=""' in form
    typed = server.get("/?q=Raqqa&since=2017-04&until=2017-05-20")[2].decode()
    count = cli(edge[0], "search", "Raqqa", "--since", "2017-04", "--until", "2017-05-20", "--count").strip()
    assert f"of {count} matches" in typed


# -- 3: the query carried into the article ------------------------------------------------------------------------
def test_the_query_travels_into_the_article_with_every_match_marked(server: Server,
                                                                     edge: tuple[Path, dict[str, str]]) -> None:
    results = server.get("/?q=Rakka&tag=SDF&page=1&limit=5")[2].decode()
    first = re.search(r'<a class="title" href="(/a/([0-9a-z]{10})[^"]*)"', results)
    assert first, results[:500]
    link, article_id = first.group(1).replace("&amp;", "&"), first.group(2)
    assert parse_qs(link.split("?", 1)[1]) == {"q": ["Rakka"], "tag": ["SDF"], "limit": ["5"]}
    page = server.get(link)[2].decode()
    article = json.loads(server.get(f"/api/a/{article_id}")[2])
    # Rakka found Raqqa through the name's variants: every Raqqa of the title and the body is marked, in order
    occurrences = len(re.findall(r"(?<!\w)Raqqa(?!\w)", article["title"] + "\n" + article["body"]))
    marks = re.findall(r'<mark id="match-(\d+)">([^<]+)</mark>', page)
    assert occurrences >= 2 and [int(n) for n, _ in marks] == list(range(1, occurrences + 1))
    assert {word for _, word in marks} == {"Raqqa"}
    assert f"{occurrences} matches of <q dir=\"auto\">Rakka</q>" in page
    after_second = '#match-3">next match' if occurrences > 2 else '#matches">all matches'
    assert f'<span class="step"><a href="#match-1">previous match</a> · <a href="{after_second}</a>' in page
    back = re.search(r'<a class="back" href="([^"]+)">Back to the results</a>', page).group(1)  # type: ignore
    assert parse_qs(back.replace("&amp;", "&").split("?", 1)[1]) == {"q": ["Rakka"], "tag": ["SDF"], "limit": ["5"]}
    assert re.search(r'<input type="search" name="q" value="Rakka"', page)  # the query stays in the search box
    plain = server.get(f"/a/{article_id}")[2].decode()
    assert "<mark" not in plain and "Back to the results" not in plain


# -- 5: browse everything -------------------------------------------------------------------------------------------
def test_recently_added_lists_every_article_paged_and_sortable(server: Server,
                                                               edge: tuple[Path, dict[str, str]]) -> None:
    total = len(json.loads(cli(edge[0], "list", "--limit", "0", "--json")))
    first = server.get("/recent")[2].decode()
    assert f"1–20 of {total} articles" in first
    assert "A wire story with no date" in first  # undated, and added last: on the first page
    by_date = server.get("/recent?sort=date")[2].decode()
    assert "A wire story with no date" not in by_date  # undated ones come last when sorted by date
    last = server.get(f"/recent?sort=date&page={-(-total // 20)}")[2].decode()
    assert "A wire story with no date" in last and f"21–{total} of {total} articles" in last
    newest = json.loads(cli(edge[0], "list", "--limit", "20", "--json"))
    shown = re.findall(r'<li class="hit" data-id="(\w+)"', by_date)
    assert len(shown) == 20 and set(shown) == {e["id"] for e in newest}  # `newsarc list`'s newest 20
    filtered = server.get("/recent?tag=SDF")[2].decode()
    assert f"of {len(json.loads(cli(edge[0], 'list', '--tag', 'SDF', '--limit', '0', '--json')))} articles" in filtered
    assert server.get("/recent?sort=random")[0] == 400 and server.get("/recent?page=%D9%A3")[0] == 400


def test_copies_of_a_collapsed_hit_are_a_link(server: Server) -> None:
    page = server.get("/?q=Mosul+dam&collapse=1")[2].decode()
    link = re.search(r'<a class="copies" href="(/a/\w+#copies)">\+(\d) cop', page)
    assert link, page
    article = server.get(link.group(1).split("#")[0])[2].decode()
    assert '<h2 id="copies">Same story elsewhere</h2>' in article


# -- 4: the original and the history ------------------------------------------------------------------------------
HOSTILE_PAGE = """<!doctype html><html><head><title>Kept page probe</title>
<script>alert("kept")</script><link rel="stylesheet" href="https://evil.example/style.css"></head>
<body><article><h1>Kept page probe</h1><img src="https://evil.example/pixel.png" onerror="alert('img')">
<p>""" + "The council of Raqqa met on Monday to discuss the water supply and the repair of the old bridge. " * 6 + """
</p></article><script src="https://evil.example/tracker.js"></script></body></html>"""


@pytest.fixture(scope="module")
def kept(edge: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> str:
    page = tmp_path_factory.mktemp("kept") / "probe.html"
    page.write_text(HOSTILE_PAGE, encoding="utf-8")
    newsarc(["--archive", str(edge[0]), "add", str(page), "--keep-original", "--quiet"])
    return newsarc(["--archive", str(edge[0]), "search", '"Kept page probe"', "--ids"]).stdout.split()[0]


def test_the_kept_original_is_shown_sandboxed(server: Server, kept: str) -> None:
    page = server.get(f"/a/{kept}")[2].decode()
    assert f'<iframe class="kept" sandbox="" src="/a/{kept}/original"' in page
    status, headers, body = server.get(f"/a/{kept}/original")
    assert status == 200 and body.decode() == HOSTILE_PAGE  # the page as fetched, byte for byte
    policy = headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy and headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'none'" in server.get(f"/a/{kept}")[1]["content-security-policy"]  # pages stay unframed
    without = [i for i in json.loads(cli_json_ids(server)) if i != kept][0]
    assert server.get(f"/a/{without}/original")[0] == 404


def cli_json_ids(server: Server) -> str:
    return json.dumps([h["id"] for h in json.loads(server.get("/api/search?q=Raqqa&limit=3")[2])["hits"]])


def test_a_version_shows_what_changed(server: Server, edge: tuple[Path, dict[str, str]]) -> None:
    clusters = json.loads(cli(edge[0], "dups", "--json"))
    version = next(m["id"] for c in clusters for m in c["members"] if m["kind"] == "version")
    page = server.get(f"/a/{version}")[2].decode()
    expected = cli(edge[0], "show", version, "--diff")
    changes = page.split('<pre class="diff">', 1)[1].split("</pre>", 1)[0]
    added = re.findall(r'<span class="add" dir="auto">([^<]*)</span>', changes)
    assert added and all(line.replace("&#39;", "'") in expected for line in added)
    assert any("the first phase of the grouting" in line for line in added)


# -- 6: add from the browser, only with --writable ----------------------------------------------------------------
def test_adding_from_the_browser_is_the_cli_add(tmp_path: Path, server: Server) -> None:
    assert server.get("/add")[0] == 403  # the module's server is read-only
    archive = make_web_archive(tmp_path / "arc")
    running = start_server(archive, "--writable")
    try:
        form_page = running.get("/add?url=" + quote("https://example.org/story"))[2].decode()
        assert '<textarea id="urls" name="urls" rows="4" dir="auto">https://example.org/story</textarea>' in form_page
        assert 'class="bookmarklet" href="javascript:location.href=&#34;http://127.0.0.1:' in form_page
        csrf = re.search(r'name="csrf" value="([^"]+)"', form_page).group(1)  # type: ignore[union-attr]
        text = "Kobani market reopens\n\n2017-09-01\n\nTraders in Kobani reopened the covered market on Friday."
        private = "http://127.0.0.1:9/story"
        form = urlencode({"csrf": csrf, "urls": f"{private}\nnot a url", "text": text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, body = running.get("/add", data=form, headers=headers)
        page = body.decode()
        assert status == 200
        added = re.search(r'<li class="outcome outcome-added"><span class="status">added</span>\s*'
                          r'<a href="/a/(\w{10})" dir="auto">Kobani market reopens</a>', page)
        assert added and json.loads(running.get("/api/search?q=Kobani")[2])["total"] == 1
        cli_refusal = newsarc(["--archive", str(archive), "add", private], check=False).stderr
        refused = re.search(r'outcome-failed"><span class="status">failed</span>\s*<span class="origin" dir="auto">'
                            + re.escape(private) + r'</span>: <span class="reason">([^<]+)</span>', page)
        assert refused and refused.group(1).replace("&#39;", "'") in cli_refusal  # the CLI's own refusal
        assert "not a url</span>: <span class=\"reason\">not an http or https address" in page
        stolen = urlencode({"urls": "https://example.org/x"}).encode()
        assert running.get("/add", data=stolen, headers=headers)[0] == 403  # no CSRF value
    finally:
        assert running.stop() == 0
