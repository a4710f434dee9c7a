"""`newsarc serve` checked by axe-core in Chromium (issue 21, point 15): no violation of impact moderate or above
on any page type, at 1,400 x 900 and on a 390 x 844 phone; a skip link; one link per result.

axe-core comes from the npm registry, pinned in tests/a11y/package.json (and its lock file); `.ci/run` installs it
with `npm ci`. Outside CI a missing axe-core or browser skips with the reason; in CI (CI=true) it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.web_server import Server, add_edge_articles, make_web_archive, newsarc, start_server

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[test]'")

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SERIOUS = ("moderate", "serious", "critical")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; .ci/run installs it, so CI must not skip the accessibility tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not AXE.is_file():
        _unavailable("axe-core is not installed: cd tests/a11y && npm ci")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("no Chromium found on PATH (apt-get install chromium chromium-driver)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    root = make_web_archive(tmp_path_factory.mktemp("a11y") / "arc")
    ids = add_edge_articles(root)
    ids["dam"] = newsarc(["--archive", str(root), "search", '"Mosul dam repairs begin"', "--ids"]).stdout.split()[0]
    running = start_server(root, "--writable")
    yield running, ids
    assert running.stop() == 0


PAGES = {
    "home": "",
    "search": "?q=Raqqa&tag=SDF",
    "search, no match": "?q=coalitoin",
    "article": "a/{dam}",
    "article from a search": "a/{dam}?q=Mosul+dam",
    "article, right to left": "a/{arabic}",
    "timeline": "timeline?q=Raqqa&by=month",
    "timeline, bare": "timeline",
    "recently added": "recent",
    "add (--writable)": "add",
    "not found": "nowhere",
    "bad request": "?q=Blair+AND",
}


@pytest.mark.parametrize("width, height", [(1400, 900), (390, 844)])
def test_no_page_has_an_accessibility_violation(browser: Any, site: tuple[Server, dict[str, str]], width: int,
                                                height: int) -> None:
    server, ids = site
    # bypass_csp: the test injects axe-core into the page; the server's CSP rightly forbids inline script
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 600,
                                  bypass_csp=True)
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        for name, path in PAGES.items():
            page.goto(server.url + path.format(**ids))
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [f"{v['id']} ({v['impact']}): {len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]}"
                   for v in result["violations"] if v["impact"] in SERIOUS]
            if bad:
                found[name] = bad
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_keyboard_users_can_skip_and_tab_once_per_result(browser: Any, site: tuple[Server, dict[str, str]]) -> None:
    server, _ = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(server.url + "?q=Raqqa")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#content"
        # one link per result to its article (was two: the id and the title)
        for hit in page.locator(".hit").all():
            hrefs = hit.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
            assert len([h for h in hrefs if re.match(r"/a/\w{10}(\?|$)", h)]) == 1, hrefs
        # Shift+Tab back up the page: the focused link is never under the header
        page.locator(".hit a.title").nth(5).focus()
        for _ in range(8):
            page.keyboard.press("Shift+Tab")
            box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect(); "
                                "const h = document.querySelector('header.top').getBoundingClientRect(); "
                                "return [r.top, h.bottom, getComputedStyle(document.querySelector('header.top'))"
                                ".position]; })()")
            assert box[2] != "sticky" or box[0] >= box[1] - 1, box
    finally:
        context.close()
