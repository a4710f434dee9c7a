"""Fetching URLs (against a local server the test starts on 127.0.0.1), --keep-original, reextract, versions."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from newsarc.errors import BadInputError
from newsarc.ingest.fetch import MAX_BYTES, USER_AGENT, fetch
from tests.support.ingest_server import local_server

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
GRAIN = (HTML / "grain_wire.html").read_text(encoding="utf-8")


def _yaml_path(archive: Path, article_id: str) -> Path:
    return next(archive.glob(f"articles/**/{article_id}.yaml"))


def _yaml(archive: Path, article_id: str) -> dict:
    from newsarc.yamlio import load_yaml

    return load_yaml(_yaml_path(archive, article_id).read_bytes(), origin=article_id)


def _added(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("added ")).split()[1]


def test_fetch_records_final_url_and_sends_an_honest_user_agent() -> None:
    with local_server() as server:
        server.page("/story.html", GRAIN)
        start = server.redirect("/s/1", "/story.html", status=301)
        fetched = fetch(start, allow_private=True)
        assert fetched.final_url == server.url("/story.html")
        assert fetched.url == start
        assert fetched.data == GRAIN.encode("utf-8")
        assert fetched.fetched.endswith("Z") and fetched.fetched.startswith("20")
        agent = server.requests[-1][1]["User-Agent"]
        assert agent == USER_AGENT and agent.startswith("newsarc/")


def test_private_addresses_are_refused_unless_allowed() -> None:
    with local_server() as server:
        url = server.page("/story.html", GRAIN)
        with pytest.raises(BadInputError, match="private or local address .*--allow-private"):
            fetch(url)
        assert server.requests == []  # refused before any request was sent
        with pytest.raises(BadInputError, match="--allow-private"):
            fetch(f"http://localhost:{server.port}/story.html")


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http:///x"])
def test_only_http_and_https_with_a_host(url: str) -> None:
    with pytest.raises(BadInputError):
        fetch(url, allow_private=True)


def test_redirect_cap_size_cap_type_check_status_and_timeout() -> None:
    with local_server() as server:
        for n in range(8):
            server.redirect(f"/loop/{n}", f"/loop/{n + 1}")
        with pytest.raises(BadInputError, match="more than 5 redirects"):
            fetch(server.url("/loop/0"), allow_private=True)
        server.page("/big.html", b"<p>" + b"x" * (MAX_BYTES + 10) + b"</p>")
        with pytest.raises(BadInputError, match="more than the 10 MB"):
            fetch(server.url("/big.html"), allow_private=True)
        huge = gzip.compress(b"<p>" + b"y" * (MAX_BYTES + 10))  # a small download that inflates past the cap
        server.page("/bomb.html", huge, headers={"Content-Encoding": "gzip"})
        with pytest.raises(BadInputError, match="more than 10 MB"):
            fetch(server.url("/bomb.html"), allow_private=True)
        server.page("/pic.png", b"\x89PNG\r\n", content_type="image/png")
        with pytest.raises(BadInputError, match="sent image/png"):
            fetch(server.url("/pic.png"), allow_private=True)
        with pytest.raises(BadInputError, match="HTTP 404"):
            fetch(server.url("/missing"), allow_private=True)
        server.page("/slow.html", GRAIN)
        server.slow["/slow.html"] = 2.0
        with pytest.raises(BadInputError, match="no answer within 1 s"):
            fetch(server.url("/slow.html"), allow_private=True, timeout=1.0)
        zipped = gzip.compress(GRAIN.encode("utf-8"))
        server.page("/gz.html", zipped, headers={"Content-Encoding": "gzip"})
        assert fetch(server.url("/gz.html"), allow_private=True).data == GRAIN.encode("utf-8")


def test_add_url_records_provenance_and_keeps_the_original(run, archive: Path) -> None:
    with local_server() as server:
        url = server.page("/world/grain.html", GRAIN)
        refused = run("add", url)
        assert refused.exit_code == 5 and "--allow-private" in refused.output
        result = run("add", url, "--allow-private", "--keep-original")
    assert result.exit_code == 0, result.output
    article_id = _added(result.output)
    data = _yaml(archive, article_id)
    assert data["url"] == "https://wiredaily.example/world/grain-talks"  # the canonical URL the page declares
    assert data["final_url"] == url
    assert str(data["fetched"]).endswith("Z")
    assert data["original"] == f"{article_id}.orig.gz"
    original = _yaml_path(archive, article_id).with_name(f"{article_id}.orig.gz")
    assert gzip.decompress(original.read_bytes()) == GRAIN.encode("utf-8")
    # the freshness check and the index only look at *.yaml: the .orig.gz is not an article
    listed = run("list", "--json")
    assert listed.output.count('"id"') == 1
    check = run("search", "grain")
    assert check.exit_code == 0 and article_id in check.output
    # rm takes the kept original with the article
    assert run("rm", article_id).exit_code == 0
    assert not original.exists()


def test_reextract_reads_the_original_again(run, archive: Path) -> None:
    with local_server() as server:
        url = server.page("/world/grain.html", GRAIN)
        article_id = _added(run("add", url, "--allow-private", "--keep-original").output)
    path = _yaml_path(archive, article_id)
    damaged = path.read_text(encoding="utf-8").replace("Talks on resuming grain exports", "TALKS ON GRAIN")
    path.write_text(damaged, encoding="utf-8")  # as if an older extractor had got it wrong
    result = run("reextract", article_id[:6])
    assert result.exit_code == 0, result.output
    assert "changed body" in result.output
    assert _yaml(archive, article_id)["body"].startswith("Talks on resuming grain exports")
    again = run("reextract", article_id)
    assert "nothing changed" in again.output


def test_reextract_without_original_says_how_to_get_one(run, archive: Path) -> None:
    article_id = _added(run("add", str(HTML / "grain_wire.html")).output)
    result = run("reextract", article_id)
    assert result.exit_code == 3
    assert "--keep-original" in result.output


def test_changed_page_is_a_new_version_and_show_diff_tells_what_changed(run, archive: Path) -> None:
    updated = GRAIN.replace("agreed to meet again on Monday", "agreed to meet again on Tuesday")
    with local_server() as server:
        url = server.page("/world/grain.html", GRAIN)
        first = _added(run("add", url, "--allow-private").output)
        same = run("add", url, "--allow-private")
        assert same.output.startswith(f"already in the archive as {first}")
        server.page("/world/grain.html", updated)
        second_run = run("add", url, "--allow-private")
    assert f"(version of {first})" in second_run.output
    second = _added(second_run.output)
    assert _yaml(archive, second)["version_of"] == first
    versions = run("show", second, "--versions")
    assert first in versions.output and f"* {second}" in versions.output
    diff = run("show", second, "--diff")
    assert "-Negotiators met for more than four hours" in diff.output
    assert "agreed to meet again on Tuesday" in diff.output
    dups = run("dups")
    assert first in dups.output and "version" in dups.output
