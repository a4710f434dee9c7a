"""`newsarc serve` over HTTP: the defects of issue 21 (points 8-14 and 16), each as a user or an attacker meets it.

One read-only server over the web test archive plus the edge articles (Arabic, a 190-character tag, a
1,000-character title, a 2020 story, an ambiguous id prefix); the writable cases start their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from tests.support.web_server import (
    ARABIC_TITLE,
    Server,
    add_edge_articles,
    make_web_archive,
    newsarc,
    start_server,
)

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")

LAYOUT = '<header class="top">'


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = make_web_archive(tmp_path_factory.mktemp("edge") / "arc")
    return root, add_edge_articles(root)


@pytest.fixture(scope="module")
def server(edge: tuple[Path, dict[str, str]]) -> Iterator[Server]:
    running = start_server(edge[0])
    yield running
    assert running.stop() == 0


def search_box(page: str) -> str:
    match = re.search(r'<input type="search" name="q" value="([^"]*)"', page)
    assert match, "no search box"
    return match.group(1)


# -- 8: malformed numbers are a 400 with the page's layout -------------------------------------------------------
@pytest.mark.parametrize("params", ["limit=%C2%B2", "page=%C2%B9", "page=%E2%91%A0", "limit=%D9%A3", "page=%D9%A3",
                                    "page=1%C2%B2", "limit=%2B3", "page=-1"])
def test_number_parameters_take_ascii_digits_only(server: Server, params: str) -> None:
    status, headers, body = server.get(f"/?q=Raqqa&{params}")
    page = body.decode()
    assert status == 400, page[:300]
    assert "default-src 'none'" in headers["content-security-policy"]  # the 500 had no security headers
    assert LAYOUT in page and "must be a whole number" in page
    assert search_box(page) == "Raqqa"
    assert server.get(f"/api/search?q=Raqqa&{params}")[0] == 400


# -- 9: a page past the end ---------------------------------------------------------------------------------------
def test_a_page_past_the_end_says_so_and_links_the_last_page(server: Server) -> None:
    total = server.json("/api/search?q=Raqqa")["total"]  # type: ignore[index]
    pages = -(-total // 10)
    page = server.get("/?q=Raqqa&page=50")[2].decode()
    assert f"Page 50 is past the end: {total} matches fill {pages} pages." in page
    assert f'href="?q=Raqqa&amp;page={pages}">Go to the last page (page {pages})</a>' in page
    assert 'rel="prev"' not in page and "page=49" not in page and f"of {total} matches" not in page


# -- 10: errors keep the query and speak in words -------------------------------------------------------------------
def test_a_malformed_query_keeps_the_query_and_says_what_to_do(server: Server) -> None:
    status, _, body = server.get("/?q=" + quote("Blair AND"))
    page = body.decode()
    assert status == 400 and LAYOUT in page
    assert "<h1>The query could not be read</h1>" in page and "<h1>400</h1>" not in page
    assert search_box(page) == "Blair AND"
    assert "an AND, OR or NOT with nothing after it" in page


def test_an_unknown_id_is_explained_in_words(server: Server) -> None:
    status, _, body = server.get("/a/zzzzzzzz")
    page = body.decode()
    assert status == 404 and "<h1>Not found</h1>" in page and "<h1>404</h1>" not in page
    assert "`" not in page and "newsarc list" not in page
    assert "No article with an id starting &#39;zzzzzzzz&#39;. It may have been removed" in page


def test_an_ambiguous_prefix_lists_linked_titles(server: Server, edge: tuple[Path, dict[str, str]]) -> None:
    ids = edge[1]
    status, _, body = server.get(f"/a/{ids['twin'][:4]}")
    page = body.decode()
    assert status == 409 and "<h1>Several articles match</h1>" in page
    assert f'<a href="/a/{ids["late"]}" dir="auto">Raqqa after the war</a>' in page
    assert f'<a href="/a/{ids["twin"]}" dir="auto">Raqqa after the war, a twin</a>' in page


@pytest.mark.parametrize("path", ["/nonexistent", "/favicon.ico", "/static/nothing.css", "/a/"])
def test_unknown_addresses_get_the_sites_not_found_page(server: Server, path: str) -> None:
    status, headers, body = server.get(path)
    page = body.decode()
    assert status == 404 and LAYOUT in page and "<h1>Not found</h1>" in page
    assert 'name="viewport"' in page  # not Starlette's bare text, 980 px wide on a phone
    assert "default-src 'none'" in headers["content-security-policy"]


def test_the_pages_name_an_icon_that_exists(server: Server) -> None:
    page = server.get("/")[2].decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    status, headers, body = server.get(icon)
    assert status == 200 and body.startswith(b"<svg") and headers["content-type"].startswith("image/svg+xml")


# -- 11: right-to-left text --------------------------------------------------------------------------------------
def test_arabic_article_text_carries_its_language_and_direction(server: Server,
                                                                 edge: tuple[Path, dict[str, str]]) -> None:
    article_id = edge[1]["arabic"]
    page = server.get(f"/a/{article_id}")[2].decode()
    assert '<article class="reading" lang="ar">' in page
    assert f'<h1 id="title" dir="auto">{ARABIC_TITLE}</h1>' in page
    assert '<div class="body" dir="auto">' in page and '<p dir="auto">' in page
    assert "<dd><bdi>2017-06-01</bdi></dd>" in page  # the date keeps its order beside right-to-left text
    listing = server.get("/?q=" + quote("الرقة"))[2].decode()
    assert f'<li class="hit" data-id="{article_id}" lang="ar">' in listing
    assert '<span class="date"><bdi>2017-06-01</bdi></span>' in listing
    english = server.get("/?q=Mosul")[2].decode()
    assert 'lang="ar"' not in english and re.search(r'<li class="hit" data-id="\w+" lang="en">', english)


# -- 13: the timeline's axis is time -----------------------------------------------------------------------------
def bar_positions(page: str) -> dict[str, float]:
    found = re.findall(r'data-period="([^"]+)" data-count="\d+"[^>]*>\s*<title>[^<]*</title>\s*<rect x="([\d.]+)"',
                       page)
    return {period: float(x) for period, x in found}


def test_a_day_timeline_places_bars_by_date(server: Server) -> None:
    page = server.get("/timeline?q=Raqqa&by=day")[2].decode()
    bars = bar_positions(page)
    assert "2017-03-01" in bars and "2020-01-15" in bars
    span = (2020 * 365 + 15) - (2017 * 365 + 60)  # about 1,050 days from the first bar to the last
    # the last 2017 story (2017-08-18) is 170 days after the first: a sixth of the axis, not beside 2020
    assert max(x for period, x in bars.items() if period.startswith("2017")) < 960 * 200 / span
    assert bars["2020-01-15"] > 940


def test_timeline_counts_speak_english_and_the_bare_page_explains_itself(server: Server) -> None:
    page = server.get("/timeline?q=source:Kurdistan24&by=month")[2].decode()
    assert "(1 article)" in page and "1 articles" not in page
    bare = server.get("/timeline")[2].decode()
    assert "<h1>Timeline</h1>" in bare and "How many articles match a query per day" in bare


# -- 14 and 16: tag edits ------------------------------------------------------------------------------------------
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[tuple[Server, Path, str, str]]:
    archive = make_web_archive(tmp_path / "arc")
    article_id = newsarc(["--archive", str(archive), "search", "source:Kurdistan24", "--ids"]).stdout.strip()
    running = start_server(archive, "--writable")
    page = running.get(f"/a/{article_id}")[2].decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    yield running, archive, article_id, csrf
    assert running.stop() == 0


def tags_of(archive: Path, article_id: str) -> list[str]:
    return json.loads(newsarc(["--archive", str(archive), "show", article_id, "--format", "json"]).stdout)["tags"]


@pytest.mark.parametrize("form, says", [
    ({"add": "   "}, "A tag cannot be empty or only spaces"),
    ({"add": "two\nlines"}, "A tag cannot contain line breaks"),
    ({"add": "tab\there"}, "A tag cannot contain line breaks"),
    ({"remove": "Syria"}, "this article has no tag &#39;Syria&#39;, so there was nothing to remove"),
    ({"remove": " "}, "A tag cannot be empty"),
    ({}, "Type a tag to add, or choose one to remove."),
])
def test_a_tag_edit_that_changes_nothing_says_why(writable: tuple[Server, Path, str, str], form: dict[str, str],
                                                  says: str) -> None:
    running, archive, article_id, csrf = writable
    status, headers, body = running.get(f"/a/{article_id}/tags", headers=FORM,
                                        data=urlencode({"csrf": csrf, **form}).encode())
    assert status == 400 and says in body.decode() and LAYOUT in body.decode()
    assert "set-cookie" not in headers  # no "saved" is queued
    assert tags_of(archive, article_id) == ["Iraq"]


def test_saved_is_said_once_not_on_every_reload(writable: tuple[Server, Path, str, str]) -> None:
    running, archive, article_id, csrf = writable
    status, headers, _ = running.get(f"/a/{article_id}/tags", headers=FORM,
                                     data=urlencode({"csrf": csrf, "add": "Dam safety"}).encode())
    assert status == 303 and headers["location"] == f"/a/{article_id}"  # no ?saved=1 left in the address
    cookie = headers["set-cookie"].split(";", 1)[0]
    status, headers, body = running.get(headers["location"], headers={"Cookie": cookie})
    assert "Added 1 tag: <span dir=\"auto\">Dam safety</span>." in body.decode()
    assert headers["set-cookie"].startswith("newsarc_flash=") and "max-age=0" in headers["set-cookie"].lower()
    assert "Added 1 tag" not in running.get(f"/a/{article_id}")[2].decode()  # the reload, cookie gone
    assert tags_of(archive, article_id) == ["Iraq", "Dam safety"]


def test_a_removed_tag_can_be_put_back(writable: tuple[Server, Path, str, str]) -> None:
    running, archive, article_id, csrf = writable
    _, headers, _ = running.get(f"/a/{article_id}/tags", headers=FORM,
                                data=urlencode({"csrf": csrf, "remove": "Iraq"}).encode())
    page = running.get(f"/a/{article_id}", headers={"Cookie": headers["set-cookie"].split(";", 1)[0]})[2].decode()
    assert tags_of(archive, article_id) == []
    undo = page.split('<form class="undo"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="add" value="Iraq">' in undo and "Undo</button>" in undo
    running.get(f"/a/{article_id}/tags", headers=FORM, data=urlencode({"csrf": csrf, "add": "Iraq"}).encode())
    assert tags_of(archive, article_id) == ["Iraq"]


def test_the_cli_refuses_a_tag_with_a_line_break(tmp_path: Path) -> None:
    archive = make_web_archive(tmp_path / "arc")
    article_id = newsarc(["--archive", str(archive), "search", "source:Kurdistan24", "--ids"]).stdout.strip()
    done = newsarc(["--archive", str(archive), "tag", article_id, "+two\nlines"], check=False)
    assert done.returncode == 2 and "cannot contain line breaks" in done.stderr
    assert tags_of(archive, article_id) == ["Iraq"]


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://127.0.0.1:1"},  # another port of this host is another site's server
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "null"},
])
def test_a_post_from_another_site_is_refused_even_with_the_csrf_value(writable: tuple[Server, Path, str, str],
                                                                        headers: dict[str, str]) -> None:
    running, archive, article_id, csrf = writable
    status, _, body = running.get(f"/a/{article_id}/tags", headers={**FORM, **headers},
                                  data=urlencode({"csrf": csrf, "add": "Stolen"}).encode())
    assert status == 403 and b"sent from another site" in body
    assert tags_of(archive, article_id) == ["Iraq"]
    own = {"Origin": running.url.rstrip("/"), "Sec-Fetch-Site": "same-origin"}
    status, _, _ = running.get(f"/a/{article_id}/tags", headers={**FORM, **own},
                               data=urlencode({"csrf": csrf, "add": "Mine"}).encode())
    assert status == 303 and tags_of(archive, article_id) == ["Iraq", "Mine"]


def test_the_token_link_never_redirects_off_site_and_the_cookie_is_not_the_token(
        edge: tuple[Path, dict[str, str]]) -> None:
    running = start_server(edge[0], "--host", "127.0.0.2")
    try:
        token = running.token
        for path in ("//evil.example/", "/\\evil.example/", "///evil.example/x"):
            status, headers, _ = running.get(f"{path}?token={token}&q=Raqqa")
            assert status == 303
            location = headers["location"]
            assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        status, headers, _ = running.get(f"/?token={token}")
        name, value = headers["set-cookie"].split(";", 1)[0].split("=", 1)
        port = running.url.rsplit(":", 1)[1].strip("/")
        assert name == f"newsarc_token_{port}" and value != token and token not in headers["set-cookie"]
        assert running.get("/?q=Raqqa", headers={"Cookie": f"{name}={value}"})[0] == 200
        assert running.get("/?q=Raqqa", headers={"Cookie": f"{name}={token}"})[0] == 401
        assert running.get("/api/search?q=Raqqa", headers={"Authorization": f"Bearer {value}"})[0] == 401
    finally:
        assert running.stop() == 0
