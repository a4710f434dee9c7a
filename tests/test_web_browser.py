"""`newsarc serve` in a real headless Chromium (Debian's package, driven by Playwright; no browser download).

A user types a query, sees the highlighted hit, clicks a facet, follows pagination, opens the article, edits a
tag, and a hostile article runs no script. One --writable server and one browser serve the whole module.
Outside CI a missing browser skips with the reason; in CI (CI=true) it fails, because .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BBC
from tests.support.events import HANG_GUARD
from tests.support.web_server import (
    HOSTILE_SOURCE,
    HOSTILE_TAG,
    HOSTILE_TITLE,
    Server,
    make_web_archive,
    newsarc,
    start_server,
)

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; .ci/run installs it, so CI must not skip the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("no Chromium found on PATH (apt-get install chromium chromium-driver)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_web_archive(tmp_path_factory.mktemp("web") / "arc")


@pytest.fixture(scope="module")
def server(web_archive: Path) -> Iterator[Server]:
    running = start_server(web_archive, "--writable")
    yield running
    assert running.stop() == 0


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that fails the test on any dialog (alert, confirm) a script might open."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(HANG_GUARD * 1000)  # waits are for events; the bound only catches a hang
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()
    assert dialogs == [], f"a script ran and opened a dialog: {dialogs}"


def test_search_facet_pagination_and_article(page: Any, server: Server) -> None:
    page.goto(server.url)
    page.fill("input[name=q]", "Raqqa")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=Raqqa")
    assert page.inner_text("#total") == "1–10 of 23 matches"
    assert page.locator(".hit .snippet mark").first.inner_text() == "Raqqa"
    assert page.eval_on_selector(".hit mark", "m => getComputedStyle(m).backgroundColor") == "rgb(255, 227, 110)"
    page.click(".facet-tag a:text-is('SDF')")
    page.wait_for_url("**tag=SDF**")
    assert page.inner_text("#total") == "1–8 of 8 matches"
    assert page.locator(".filter").inner_text() == "tag: SDF ✕"
    page.click(".facet-month a:text-is('2017-03')")
    page.wait_for_url("**since=2017-03**")
    assert page.inner_text("#total") == "1–4 of 4 matches"
    assert page.locator(".filter").all_inner_texts() == ["tag: SDF ✕", "since 2017-03 ✕", "until 2017-03 ✕"]
    page.goto(server.url + "?q=Raqqa&limit=10")
    page.click("a[rel=next]")
    assert page.inner_text("#total") == "11–20 of 23 matches"
    page.click("a[rel=next]")
    assert page.inner_text("#total") == "21–23 of 23 matches" and page.locator("a[rel=next]").count() == 0
    title = page.locator(".hit a.title").first.inner_text()
    page.locator(".hit a.title").first.click()
    page.wait_for_url("**/a/*")
    assert page.inner_text("h1") == title
    assert page.locator(".reading .body p").count() >= 1


def test_edit_a_tag_in_writable_mode(page: Any, server: Server, web_archive: Path) -> None:
    article_id = newsarc(["--archive", str(web_archive), "search", "source:Kurdistan24", "--ids"]).stdout.strip()
    page.goto(f"{server.url}a/{article_id}")
    page.fill("input[name=add]", "Dam safety")
    page.click("text=Add tag")
    page.wait_for_url(f"**/a/{article_id}?saved=1")
    assert page.locator("#tags a.tag").all_inner_texts() == ["Iraq", "Dam safety"]
    shown = newsarc(["--archive", str(web_archive), "show", article_id, "--format", "text"]).stdout
    assert "tags: Iraq, Dam safety" in shown
    page.click("button[aria-label='remove tag Iraq']")
    page.wait_for_url(f"**/a/{article_id}?saved=1")
    assert page.locator("#tags a.tag").all_inner_texts() == ["Dam safety"]


def test_hostile_article_runs_no_script(page: Any, server: Server, web_archive: Path) -> None:
    article_id = newsarc(["--archive", str(web_archive), "search", "hostile", "--ids"]).stdout.strip()
    for path in ("?q=hostile", f"a/{article_id}", "?tag=hostile", "timeline?q=hostile"):
        page.goto(server.url + path)
        assert page.evaluate("document.scripts.length") == 0
        assert page.locator("img, [onerror], [onmouseover]").count() == 0  # no element came out of a field
    page.goto(f"{server.url}a/{article_id}")
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert page.inner_text("dd.url") == 'javascript:alert("url")' and page.locator("dd.url a").count() == 0
    assert HOSTILE_TAG in page.locator("#tags a.tag").all_inner_texts()
    page.hover(f"text={HOSTILE_SOURCE}")
    page.click(f"#tags a.tag:text-is('{HOSTILE_TAG}')")  # follow the hostile tag: a filter, not an injection
    assert page.locator(".filter").inner_text() == f"tag: {HOSTILE_TAG} ✕"
    assert page.dialogs == []


def test_usable_without_javascript_and_on_a_phone(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  is_mobile=True)
    try:
        page = context.new_page()
        page.goto(server.url)
        page.fill("input[name=q]", "Mosul")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/?q=Mosul")
        assert page.inner_text("#total") == "1–3 of 3 matches"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator(".hit a.title").first.click()
        page.wait_for_url("**/a/*")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_screenshot_of_a_search(browser: Any, tmp_path: Path) -> None:
    """The README's picture: BBC politics articles when ../shared is there, else the test archive.
    NEWSARC_SCREENSHOT=docs/serve.png writes it into the docs; otherwise it goes to a temporary file."""
    archive = tmp_path / "arc"
    if (BBC / "politics").is_dir():
        newsarc(["init", str(archive)])
        files = sorted((BBC / "politics").glob("*.txt"))[:120]
        newsarc(["--archive", str(archive), "add", "--quiet", "--source", "BBC", *map(str, files)])
        query = "Blair election"
    else:
        make_web_archive(archive)
        query = "Raqqa"
    running = start_server(archive)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(HANG_GUARD * 1000)  # waits are for events; the bound only catches a hang
        page = context.new_page()
        page.goto(f"{running.url}?q={query}")
        target = Path(os.environ.get("NEWSARC_SCREENSHOT") or tmp_path / "serve.png")
        page.screenshot(path=str(target))
        context.close()
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 20_000
    finally:
        assert running.stop() == 0
