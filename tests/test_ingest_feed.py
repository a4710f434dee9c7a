"""RSS/Atom feeds: `newsarc add feed.xml`, and subscriptions (feed add/list/rm/update) against a local server."""

from __future__ import annotations

from pathlib import Path

from newsarc.ingest.dispatch import parse_source
from tests.support.ingest_server import local_server

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
GRAIN = (Path(__file__).resolve().parent / "fixtures" / "html" / "grain_wire.html").read_text(encoding="utf-8")


def _feed(name: str, base: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"http://HOST", base.encode())


def _yaml(archive: Path, article_id: str) -> dict:
    from newsarc.yamlio import load_yaml

    path = next(archive.glob(f"articles/**/{article_id}.yaml"))
    return load_yaml(path.read_bytes(), origin=article_id)


def test_rss_entries_become_articles() -> None:
    parsed = list(parse_source(_feed("world_50.xml", "https://world.example"), origin="world_50.xml"))
    assert len(parsed) == 50
    first = parsed[0]
    assert first["title"] == "Nairobi report 1: new figures on economy"
    assert first["url"] == "https://world.example/news/001-economy.html"
    assert first["date"] == "2017-05-01T06:15:00+00:00"
    assert first["source"] == "World Desk" and first["authors"] == ["World Desk"]
    assert first["tags"] == ["Economy"] and first["language"] == "en"
    assert first["guid"] == "tag:world.example,2017:1"
    assert first["body"].startswith("Officials in Nairobi published new figures on economy")
    assert "<p>" not in first["body"]


def test_atom_entries_and_localised_dates() -> None:
    atom = list(parse_source(_feed("atom_3.xml", "https://sci.example"), origin="atom_3.xml"))
    assert [a["title"] for a in atom][0] == "Telescope finds water vapour on distant planet"
    assert atom[0]["authors"] == ["Ada Ncube"] and atom[0]["tags"] == ["Astronomy"]
    assert atom[0]["body"].count("\n\n") == 1
    # A Latin-1 feed with Portuguese dates that feedparser leaves unparsed: read with dateparser (pt).
    folha = list(parse_source(_feed("folha_pt.xml", "https://folha.example"), origin="folha_pt.xml"))
    assert [a["date"] for a in folha] == ["2018-09-24T13:20:00+00:00", "2018-09-25T11:00:00+00:00"]
    assert folha[0]["language"] == "pt"
    assert folha[1]["title"] == "Chuvas voltam ao sul do país"


def test_feed_subscription_update_adds_only_what_is_new(run, archive: Path) -> None:
    with local_server() as server:
        state = {"feed": _feed("world_50.xml", server.base)}
        server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, lambda: state["feed"])
        url = server.url("/feed.xml")
        added = run("feed", "add", url, "--tag", "World", "--allow-private")
        assert added.exit_code == 0, added.output
        assert "subscribed to World Desk (50 entries now)" in added.output
        subscriptions = list((archive / "feeds").glob("*.yaml"))  # one file per feed: merge-safe in git
        assert len(subscriptions) == 1 and url in subscriptions[0].read_text(encoding="utf-8")
        again = run("feed", "add", url, "--allow-private")
        assert again.exit_code == 2 and "already subscribed" in again.output
        first = run("feed", "update")
        assert first.output.strip() == "World Desk: 50 new, 0 already in"
        second = run("feed", "update")
        assert second.output.strip() == "World Desk: 0 new, 50 already in"
        # a new entry appears at the top of the feed
        state["feed"] = state["feed"].replace(b"<item>", b"<item><title>Late news: a new entry</title><link>"
                                              + server.base.encode() + b"/news/late.html</link><description>Something"
                                              b" happened late in the evening, officials said.</description></item>"
                                              b"<item>", 1)
        third = run("feed", "update")
        assert third.output.strip() == "World Desk: 1 new, 50 already in"
    listed = run("list", "--tag", "World", "--limit", "0", "--json")
    assert listed.output.count('"id"') == 51
    feed_list = run("feed", "list")
    assert "World Desk" in feed_list.output and url in feed_list.output and "1 added last time" in feed_list.output


def test_a_failing_feed_is_reported_and_the_others_go_on(run, archive: Path, tmp_path: Path) -> None:
    local_file = tmp_path / "science.xml"
    local_file.write_bytes(_feed("atom_3.xml", "https://sci.example"))
    with local_server() as server:
        server.page("/broken.xml", "<html><body>Moved</body></html>")
        server.page("/gone.xml", "", status=404)
        good = server.page("/folha.xml", _feed("folha_pt.xml", server.base), content_type="application/rss+xml")
        assert run("feed", "add", good, "--allow-private").exit_code == 0
        assert run("feed", "add", str(local_file)).exit_code == 0
        bad = run("feed", "add", server.url("/broken.xml"), "--allow-private")
        assert bad.exit_code == 5 and "not an RSS or Atom feed" in bad.output
        # a subscription that breaks later: the feed moves away
        server.routes["/folha.xml"] = (404, {"Content-Type": "text/plain"}, b"gone")
        result = run("feed", "update")
    assert result.exit_code == 8
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Folha Exemplo: failed: ") and "HTTP 404" in lines[0]
    assert lines[1] == "Science Notes: 3 new, 0 already in"
    assert "error: " in run("feed", "list").output


def test_update_with_fetch_pages_extracts_the_full_text(run, archive: Path) -> None:
    with local_server() as server:
        feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Grain talks'
                b'</title><link>' + server.base.encode() + b'/grain.html</link><description>Short teaser.'
                b'</description></item></channel></rss>')
        server.page("/grain.html", GRAIN)
        url = server.page("/wire.xml", feed, content_type="application/rss+xml")
        run("feed", "add", url, "--allow-private")
        result = run("feed", "update", "--fetch-pages", "--keep-original")
        assert result.output.strip() == "Wire: 1 new, 0 already in"
    listed = run("list", "--json")
    article_id = listed.output.split('"id": "')[1].split('"')[0]
    data = _yaml(archive, article_id)
    assert data["body"].startswith("Talks on resuming grain exports")
    assert data["source"] == "Wire"  # the feed's name: what the user subscribed to
    assert data["authors"] == ["Lena Fischer"] and data["feed"] == url
    assert data["original"].endswith(".orig.gz")


def test_feed_rm(run, archive: Path, tmp_path: Path) -> None:
    local_file = tmp_path / "science.xml"
    local_file.write_bytes(_feed("atom_3.xml", "https://sci.example"))
    run("feed", "add", str(local_file))
    assert run("feed", "rm", "Science Notes").output.startswith("unsubscribed from Science Notes")
    assert run("feed", "list").exit_code == 1
    assert run("feed", "rm", "1").exit_code == 3


def test_feed_rm_of_a_title_two_feeds_share_refuses_and_lists_both(run, archive: Path, tmp_path: Path) -> None:
    """Issue 11, point 16: `feed rm TITLE` removed one of two same-titled feeds at random."""
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.write_bytes(_feed("atom_3.xml", "https://sci.example"))
    second.write_bytes(_feed("atom_3.xml", "https://sci-mirror.example"))
    assert run("feed", "add", str(first)).exit_code == 0
    assert run("feed", "add", str(second)).exit_code == 0
    result = run("feed", "rm", "Science Notes")
    assert result.exit_code == 4
    assert result.output == (f"newsarc: error: 2 feeds are titled 'Science Notes': 1 {first}, 2 {second}; "
                             "name the one to remove by its URL or number (`newsarc feed list`)\n")
    assert len(list((archive / "feeds").glob("*.yaml"))) == 2  # nothing removed
    assert run("feed", "rm", str(second)).output == "unsubscribed from Science Notes\n"
    assert run("feed", "rm", "Science Notes").output == "unsubscribed from Science Notes\n"
