"""`newsarc serve` over HTTP: pages, the JSON API against the CLI's own output, freshness, and safety.

One read-only server per module runs as a real process on a free loopback port; tests that need another mode
(--writable, a token) start their own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from markupsafe import escape

from tests.support.web_server import (
    HOSTILE_SOURCE,
    HOSTILE_TAG,
    HOSTILE_TITLE,
    Server,
    make_web_archive,
    newsarc,
    start_server,
)

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_web_archive(tmp_path_factory.mktemp("web") / "arc")


@pytest.fixture(scope="module")
def server(web_archive: Path) -> Iterator[Server]:
    running = start_server(web_archive)
    yield running
    assert running.stop() == 0


def cli_json(archive: Path, *args: str) -> object:
    done = newsarc(["--archive", str(archive), *args], check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def ids_on(page: str) -> list[str]:
    return re.findall(r'<li class="hit" data-id="([0-9a-z]{10})"', page)


def hostile_id(archive: Path) -> str:
    return cli_json(archive, "search", "hostile", "--json")[0]["id"]  # type: ignore[index]


# -- what a reader sees ------------------------------------------------------------------------------------------
def test_serve_prints_its_address_and_stops_on_ctrl_c(web_archive: Path) -> None:
    running = start_server(web_archive)
    assert running.banner.startswith(f"newsarc: serving {web_archive} at http://127.0.0.1:")
    assert "read-only" in running.banner and running.token is None
    assert running.stop() == 0
    assert "server stopped" in running.process.stderr.read()  # type: ignore[union-attr]


def test_search_page_highlights_counts_facets_and_pages(server: Server, web_archive: Path) -> None:
    status, headers, body = server.get("/?q=Raqqa&limit=5")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    total = int(newsarc(["--archive", str(web_archive), "search", "Raqqa", "--count"]).stdout)
    assert total == 23
    assert f"1–5 of {total} matches" in page
    assert "<mark>Raqqa</mark>" in page
    expected = [h["id"] for h in cli_json(web_archive, "search", "Raqqa", "--json", "--limit", "5")]  # type: ignore
    assert ids_on(page) == expected
    # facets are links that add a filter; the tag facet narrows to what `search --tag SDF` finds
    assert 'href="?q=Raqqa&amp;limit=5&amp;tag=SDF"' in page
    assert re.search(r'href="\?q=Raqqa&amp;limit=5&amp;source=Rudaw"', page)
    assert re.search(r'href="\?q=Raqqa&amp;limit=5&amp;since=2017-03&amp;until=2017-03"', page)
    sdf = server.get("/?q=Raqqa&limit=5&tag=SDF")[2].decode()
    assert "1–5 of 8 matches" in sdf and "tag: SDF" in sdf
    # pagination: page 2 shows the CLI's page 2, with links both ways
    second = server.get("/?q=Raqqa&limit=5&page=2")[2].decode()
    cli_second = cli_json(web_archive, "search", "Raqqa", "--json", "--limit", "5", "--page", "2")
    assert ids_on(second) == [h["id"] for h in cli_second]  # type: ignore[union-attr]
    assert 'rel="prev" href="?q=Raqqa&amp;limit=5&amp;page=1"' in second
    assert 'rel="next" href="?q=Raqqa&amp;limit=5&amp;page=3"' in second


def test_search_page_did_you_mean_and_no_matches(server: Server) -> None:
    page = server.get("/?q=coalitoin+Raqqa")[2].decode()
    assert "No matches" in page
    assert 'Did you mean <a href="?q=coalition+Raqqa">coalition Raqqa</a>?' in page
    assert "coalitoin: did you mean coalition?" in page


def test_filters_alone_list_every_article_they_admit(server: Server, web_archive: Path) -> None:
    for params, args in (("since=2017-08", ["--since", "2017-08"]), ("source=Kurdistan24", ["--source", "Kurdistan24"]),
                         ("tag=SDF&until=2017-05", ["--tag", "SDF", "--until", "2017-05"])):
        listed = cli_json(web_archive, "list", "--limit", "0", "--json", *args)
        page = server.get(f"/?{params}&limit=100")[2].decode()
        assert f"of {len(listed)} match" in page  # type: ignore[arg-type]
        assert sorted(ids_on(page)) == sorted(e["id"] for e in listed)  # type: ignore[union-attr]


def test_home_lists_newest_articles(server: Server, web_archive: Path) -> None:
    page = server.get("/")[2].decode()
    assert "27 articles, 2017-03-01 to 2017-08-18" in page
    newest = cli_json(web_archive, "list", "--limit", "15", "--json")
    assert re.findall(r'<a class="title" href="/a/([0-9a-z]{10})"', page) == [e["id"] for e in newest]  # type: ignore


def test_article_page_by_prefix_with_versions_and_duplicates(server: Server, web_archive: Path) -> None:
    clusters = json.loads(newsarc(["--archive", str(web_archive), "dups", "--json"]).stdout)
    assert len(clusters) == 1
    root = clusters[0]["id"]
    version = next(m["id"] for m in clusters[0]["members"] if m["kind"] == "version")
    copy = next(m["id"] for m in clusters[0]["members"] if m["kind"] == "duplicate")
    status, headers, _ = server.get(f"/a/{root[:5].upper()}")
    assert status == 302 and headers["location"] == f"/a/{root}"
    page = server.get(f"/a/{root}")[2].decode()
    assert '<h1 id="title" dir="auto">Mosul dam repairs begin</h1>' in page
    assert "Engineers began repairs on the Mosul dam" in page
    assert '<a href="https://rudaw.example.com/mosul-dam" rel="noopener noreferrer nofollow">' in page
    related = page.split('<aside class="related"', 1)[1]
    versions, elsewhere = related.split("Versions of this page", 1)[1].split("Same story elsewhere", 1)
    elsewhere = elsewhere.split("</ul>", 1)[0]
    assert f'href="/a/{version}"' in versions and f'href="/a/{copy}"' in elsewhere
    assert f'href="/a/{copy}"' not in versions and f'href="/a/{version}"' not in elsewhere
    # from the newer version, the first one is a version too
    newer = server.get(f"/a/{version}")[2].decode().split('<aside class="related"', 1)[1]
    assert f'href="/a/{root}"' in newer.split("Versions of this page", 1)[1].split("</ul>", 1)[0]


def test_article_page_lists_similar_articles(server: Server, web_archive: Path) -> None:
    article_id = cli_json(web_archive, "search", "Raqqa", "--json")[0]["id"]  # type: ignore[index]
    page = server.get(f"/a/{article_id}")[2].decode()
    similar = cli_json(web_archive, "similar", article_id, "--json", "--limit", "6")
    assert len(similar) == 6  # type: ignore[arg-type]
    assert "Similar articles" in page
    shown = re.findall(r'<li><a href="/a/([0-9a-z]{10})"', page.split('<ul class="similar">', 1)[1])
    assert shown == [h["id"] for h in similar]  # type: ignore[union-attr]


def test_timeline_chart_has_the_cli_counts(server: Server, web_archive: Path) -> None:
    page = server.get("/timeline?q=Raqqa&by=month")[2].decode()
    cli = cli_json(web_archive, "timeline", "Raqqa", "--by", "month", "--json")
    bars = re.findall(r'data-period="([^"]+)" data-count="(\d+)"', page)
    assert bars == [(row["period"], str(row["count"])) for row in cli["series"]]  # type: ignore[index]
    assert "<svg" in page and '<span id="total">23</span>' in page


# -- the JSON API prints the CLI's records -------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {"q": "Raqqa"},
    {"q": "Raqqa", "tag": "SDF", "sort": "date", "limit": "4", "page": "2"},
    {"q": "Raqqa OR Mosul", "source": "Rudaw", "since": "2017-04", "until": "2017-07"},
    {"q": "Mosul", "collapse": "1"},
    {"q": "raqqa", "exact": "1"},
])
def test_api_search_is_search_json(server: Server, web_archive: Path, params: dict[str, str]) -> None:
    args = ["search", params["q"], "--json"]
    for name in ("tag", "source", "since", "until", "sort", "limit", "page"):
        if name in params:
            args += [f"--{name}", params[name]]
    args += [f"--{flag}" for flag in ("collapse", "exact") if flag in params]
    document = server.json("/api/search?" + urlencode(params))
    assert document["hits"] == cli_json(web_archive, *args)  # type: ignore[index]
    with_facets = server.json("/api/search?" + urlencode({**params, "facets": "1"}))
    assert with_facets == cli_json(web_archive, *args, "--facets")


def test_api_article_is_show_format_json(server: Server, web_archive: Path) -> None:
    article_id = hostile_id(web_archive)
    assert server.json(f"/api/a/{article_id[:6]}") == cli_json(web_archive, "show", article_id[:6], "--format", "json")


def test_api_errors_are_json(server: Server) -> None:
    status, headers, body = server.get("/api/a/zzzzzzzz")
    assert status == 404 and headers["content-type"] == "application/json"
    assert "no article with an id starting 'zzzzzzzz'" in json.loads(body)["error"]
    status, _, body = server.get("/api/search?q=")
    assert status == 400 and "q is required" in json.loads(body)["error"]


# -- safe by default ------------------------------------------------------------------------------------------
def test_hostile_article_is_escaped_everywhere(server: Server, web_archive: Path) -> None:
    article_id = hostile_id(web_archive)
    pages = [server.get(path) for path in ("/?q=hostile", f"/a/{article_id}", "/?tag=hostile", "/timeline?q=hostile")]
    for status, headers, body in pages:
        page = body.decode()
        assert status == 200
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "<script" not in page.lower()
        assert "<img" not in page.lower() and "<b " not in page
        assert 'href="javascript:' not in page.lower()
    article = pages[1][2].decode()
    assert escape(HOSTILE_TITLE) in article and escape(HOSTILE_SOURCE) in article
    assert escape(HOSTILE_TAG) in article
    # the javascript: url is shown as text, never as a link
    assert '<span class="unlinked">javascript:alert(&#34;url&#34;)</span>' in article
    # a tag with quotes and angle brackets stays inside its attribute when it becomes a filter link
    assert f'href="/?tag={quote(HOSTILE_TAG, safe="/")}"' in article


@pytest.mark.parametrize("path, status, says", [
    ("/?q=" + "a" * 501, 400, "at most 500 are searched"),
    ("/api/search?q=" + "a" * 501, 400, "at most 500 are searched"),
    ("/?q=Raqqa&limit=101", 400, "limit must be a whole number from 1 to 100"),
    ("/?q=Raqqa&page=0", 400, "page must be a whole number from 1 to 1000"),
    ("/?q=Raqqa&page=x", 400, "page must be a whole number"),
    ("/?q=Raqqa&sort=random", 400, "sort must be one of relevance, date"),
    ("/?q=Raqqa&since=last+week", 400, "since must be a date: &#39;last week&#39; is not a date"),
    ("/?q=%22unclosed", 400, ""),
    ("/timeline?q=Raqqa&by=hour", 400, "by must be one of day, week, month, year"),
    ("/a/..%2F..%2Fetc%2Fpasswd", 404, ""),
    ("/a/abc", 400, "is too short: type at least 4 characters"),
    ("/a/not-an-id", 404, "is not an article id"),
    ("/a/zzzzzzzzzz", 404, "No article with an id starting &#39;zzzzzzzzzz&#39;. It may have been removed"),
    ("/static/../pyproject.toml", 404, ""),
    ("/static/%2e%2e/app.py", 404, ""),
])
def test_bad_requests_get_a_clear_status(server: Server, path: str, status: int, says: str) -> None:
    got, headers, body = server.get(path)
    assert got == status, body[:300]
    assert says in body.decode()
    assert "root:" not in body.decode()


def test_read_only_server_refuses_every_write(server: Server, web_archive: Path) -> None:
    article_id = hostile_id(web_archive)
    page = server.get(f"/a/{article_id}")[2].decode()
    assert "<form" not in page.split("</header>", 1)[1]  # no edit forms without --writable
    for method, path in (("POST", f"/a/{article_id}/tags"), ("PUT", "/"), ("DELETE", f"/a/{article_id}")):
        status, _, body = server.get(path, data=b"add=x", method=method)
        assert status == 403 and b"read-only" in body


def test_foreign_host_header_is_refused(server: Server) -> None:
    """A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) cannot read the archive."""
    status, _, _ = server.get("/?q=Raqqa", headers={"Host": "evil.example.com"})
    assert status == 400


def test_other_host_needs_the_token(web_archive: Path) -> None:
    running = start_server(web_archive, "--host", "127.0.0.2")
    try:
        assert running.token and "a token was generated" in running.process.stdout.readline()  # type: ignore
        status, _, body = running.get("/?q=Raqqa")
        assert status == 401 and b"token" in body
        assert running.get("/api/search?q=Raqqa", headers={"Authorization": "Bearer wrong-token"})[0] == 401
        assert running.get("/api/search?q=Raqqa", headers={"Authorization": f"Bearer {running.token}"})[0] == 200
        status, headers, _ = running.get(f"/?q=Raqqa&token={running.token}")
        assert status == 303 and headers["location"] == "/?q=Raqqa"
        cookie = headers["set-cookie"].split(";", 1)[0]
        assert "httponly" in headers["set-cookie"].lower() and "samesite=strict" in headers["set-cookie"].lower()
        assert running.get("/?q=Raqqa", headers={"Cookie": cookie})[0] == 200
    finally:
        assert running.stop() == 0


def test_short_token_is_refused(web_archive: Path) -> None:
    done = newsarc(["--archive", str(web_archive), "serve", "--token", "abc"], check=False)
    assert done.returncode == 2 and done.stderr.strip() == "newsarc: error: --token: use at least 8 characters"


def test_without_the_web_extra_serve_says_how_to_install(web_archive: Path) -> None:
    code = ("import sys; sys.modules['starlette'] = None; sys.argv = ['newsarc', '--archive', sys.argv[1], 'serve']; "
            "from newsarc.cli.entry import main; main()")
    done = subprocess.run([sys.executable, "-c", code, str(web_archive)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "newsarc: error: newsarc serve needs the web extra: pip install 'newsarc[web]'\n"


def test_the_rest_of_newsarc_runs_without_the_web_extra(web_archive: Path) -> None:
    code = ("import sys\nfor name in ('starlette', 'uvicorn', 'jinja2'): sys.modules[name] = None\n"
            "sys.argv = ['newsarc', '--archive', sys.argv[1], 'search', 'Raqqa', '--count']\n"
            "from newsarc.cli.entry import main\nmain()")
    done = subprocess.run([sys.executable, "-c", code, str(web_archive)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "23\n", "")


# -- writing, and always fresh ---------------------------------------------------------------------------------
def test_writable_tag_edit_needs_the_csrf_token(tmp_path: Path) -> None:
    archive = make_web_archive(tmp_path / "arc")
    article_id = hostile_id(archive)
    running = start_server(archive, "--writable")
    try:
        page = running.get(f"/a/{article_id}")[2].decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, body = running.get(f"/a/{article_id}/tags", data=b"add=Stolen", headers=form)
        assert status == 403 and b"another site" in body
        status, headers, _ = running.get(f"/a/{article_id}/tags", headers=form,
                                         data=urlencode({"csrf": csrf, "add": "Checked"}).encode())
        assert status == 303 and headers["location"] == f"/a/{article_id}"
        assert cli_json(archive, "show", article_id, "--format", "json")["tags"] == [  # type: ignore[index]
            HOSTILE_TAG, "hostile", "Checked"]
        status, _, _ = running.get(f"/a/{article_id}/tags", headers=form,
                                   data=urlencode({"csrf": csrf, "remove": HOSTILE_TAG}).encode())
        assert status == 303
        assert cli_json(archive, "show", article_id, "--format", "json")["tags"] == ["hostile", "Checked"]  # type: ignore
        assert running.get("/a/zzzzzzzzzz/tags", headers=form, data=urlencode({"csrf": csrf, "add": "x"}).encode())[
            0] == 404
    finally:
        assert running.stop() == 0


def test_added_and_hand_edited_articles_are_found_by_the_next_request(tmp_path: Path) -> None:
    archive = make_web_archive(tmp_path / "arc")
    running = start_server(archive)
    try:
        assert running.json("/api/search?q=Kobani")["total"] == 0  # type: ignore[index]
        note = tmp_path / "kobani.txt"
        note.write_text("Kobani rebuilds its market\n\n2017-09-01\nRudaw\n\nTraders in Kobani reopened the market.\n")
        newsarc(["--archive", str(archive), "add", str(note)])
        found = running.json("/api/search?q=Kobani")
        assert found["total"] == 1  # type: ignore[index]
        path = archive / found["hits"][0]["path"]  # type: ignore[index]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Kobani rebuilds its market", "Kobani reopens its market"), encoding="utf-8")
        article = running.json(f"/api/a/{found['hits'][0]['id']}")  # type: ignore[index]
        assert article["title"] == "Kobani reopens its market"  # type: ignore[index]
        assert "Kobani <mark>reopens</mark> its market" in running.get("/?q=reopens")[2].decode()
    finally:
        assert running.stop() == 0


def test_a_writer_holding_the_lock_never_blocks_a_page(server: Server, web_archive: Path) -> None:
    # The holder keeps the lock until its stdin closes: for as long as the pages take, however slow the machine.
    code = ("import sys; from newsarc import api; s = api.open_store(sys.argv[1]); s.archive.lock.acquire(); "
            "print('locked', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(web_archive)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"  # type: ignore[union-attr]
        assert server.get("/?q=Raqqa")[0] == 200
        assert server.get(f"/a/{hostile_id(web_archive)}")[0] == 200
        assert server.json("/api/search?q=Raqqa")["total"] == 23  # type: ignore[index]
        assert holder.poll() is None  # every page was answered while the lock was held: none waited for it
    finally:
        holder.kill()
        holder.wait()



def test_article_page_shows_each_place_once_with_its_spellings(tmp_path: Path) -> None:
    # Issue 22.7: a place is shown once, with the spellings the article writes it in, and links to its search.
    from tests.support.archives import add_named

    archive = tmp_path / "arc"
    assert newsarc(["init", str(archive)]).returncode == 0
    found = add_named(archive, {"story": {
        "title": "Strikes near Abu Kamal", "date": "2017-05-18",
        "body": "Jets struck near al-Bukamal on Monday. Residents of البوكمال fled towards Deir ez-Zor.",
        "tags": ["Abu Kamal", "Syria"]}})
    running = start_server(archive)
    try:
        page = running.get(f"/a/{found['story']}")[2].decode()
    finally:
        assert running.stop() == 0
    places = page.split('<dd class="places" id="places">', 1)[1].split("</dd>", 1)[0]
    assert places.count(">Ālbū Kamāl</a>") == 1  # one place, however many spellings
    assert "(Abu Kamal · al-Bukamal · البوكمال)" in places
    assert ">Deir ez-Zor</a>" in places and ">Syria</a>" in places
    assert f'href="/?q={quote("Ālbū Kamāl")}"' in places
