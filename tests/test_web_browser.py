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
    ABU_KAMAL,
    ABU_KAMAL_ID,
    ARABIC_TITLE,
    HOSTILE_SOURCE,
    HOSTILE_TAG,
    HOSTILE_TITLE,
    LONG_TAG,
    Server,
    add_edge_articles,
    make_place_archive,
    make_web_archive,
    newsarc,
    start_server,
)

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

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
    with page.expect_navigation():
        page.click("text=Add tag")
    assert page.locator("#tags a.tag").all_inner_texts() == ["Iraq", "Dam safety"]
    assert page.inner_text(".flash") == "Added 1 tag: Dam safety."
    shown = newsarc(["--archive", str(web_archive), "show", article_id, "--format", "text"]).stdout
    assert "tags: Iraq, Dam safety" in shown
    with page.expect_navigation():
        page.click("button[aria-label='remove tag Iraq']")
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


# -- issue 21: what a reader sees on a phone and at 1,400 px ------------------------------------------------------
@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    root = make_web_archive(tmp_path_factory.mktemp("edge") / "arc")
    ids = add_edge_articles(root)
    running = start_server(root)
    yield running, ids
    assert running.stop() == 0


def at_size(browser: Any, width: int, height: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 600)


def fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_right_to_left_text_reads_right_to_left(browser: Any, edge: tuple[Server, dict[str, str]]) -> None:
    server, ids = edge
    context = at_size(browser, 1400, 900)
    try:
        page = context.new_page()
        page.goto(f"{server.url}a/{ids['arabic']}")
        assert page.inner_text("h1") == ARABIC_TITLE
        assert page.eval_on_selector("h1", "e => getComputedStyle(e).direction") == "rtl"
        assert page.eval_on_selector(".reading .body p", "e => getComputedStyle(e).direction") == "rtl"
        assert page.eval_on_selector(".reading", "e => e.closest('[lang]').lang") == "ar"
        # the paragraph's full stop is at its left end, where Arabic sentences end
        box = page.eval_on_selector(".reading .body p", "e => { const r = document.createRange(); "
                                    "r.setStart(e.firstChild, e.firstChild.length - 1); r.setEnd(e.firstChild, "
                                    "e.firstChild.length); return [r.getBoundingClientRect().left, "
                                    "e.getBoundingClientRect().left, e.getBoundingClientRect().right]; }")
        assert box[0] - box[1] < (box[2] - box[1]) / 2
        page.goto(f"{server.url}?q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9")
        assert page.eval_on_selector(".hit a.title", "e => getComputedStyle(e).direction") == "rtl"
        assert page.inner_text(".hit .date") == "2017-06-01"
    finally:
        context.close()


@pytest.mark.parametrize("width, height", [(1400, 900), (390, 844)])
def test_long_words_never_widen_the_page(browser: Any, edge: tuple[Server, dict[str, str]], width: int,
                                         height: int) -> None:
    server, ids = edge
    context = at_size(browser, width, height)
    try:
        page = context.new_page()
        for path in (f"?tag={LONG_TAG}", "timeline?q=" + "Raqqa" + "x" * 267, f"a/{ids['long']}",
                     f"?q=layout&tag={LONG_TAG}"):
            page.goto(server.url + path)
            assert fits(page), (path, page.evaluate("document.documentElement.scrollWidth"))
            clipped = page.eval_on_selector_all("h1:not(.visually-hidden), .filter, .tag",
                                                "es => es.filter(e => e.scrollWidth > e.clientWidth + 1).length")
            assert clipped == 0, path  # every heading, chip and tag shows all of its text
    finally:
        context.close()


def test_on_a_phone_the_chart_is_readable_and_the_facets_come_first(browser: Any,
                                                                      edge: tuple[Server, dict[str, str]]) -> None:
    server, _ = edge
    context = at_size(browser, 390, 844)
    try:
        page = context.new_page()
        page.goto(server.url + "timeline?q=Raqqa&by=month")
        heights = page.eval_on_selector_all(".chart .tick", "ts => ts.map(t => t.getBoundingClientRect().height)"
                                            ".filter(h => h > 0)")
        assert heights and min(heights) >= 10, heights  # were about 4 px
        page.goto(server.url + "?q=Raqqa")
        refine = page.locator(".refine summary")
        assert refine.bounding_box()["y"] < 400 < page.locator(".hit").last.bounding_box()["y"]
        assert not page.locator(".facet-tag").is_visible()
        refine.click()
        page.click(".facet-tag a:text-is('SDF')")
        page.wait_for_url("**tag=SDF**")
        assert "tag: SDF" in page.inner_text(".filters")
    finally:
        context.close()
    context = at_size(browser, 1400, 900)
    try:
        page = context.new_page()
        page.goto(server.url + "?q=Raqqa")
        assert page.locator(".facet-tag").is_visible() and not page.locator(".refine summary").is_visible()
        facets, hits = page.locator(".facets").bounding_box(), page.locator(".hits").bounding_box()
        assert facets["x"] > hits["x"] + hits["width"] - 1  # beside the hits, not under them
    finally:
        context.close()


def test_timeline_bars_sit_on_a_time_axis_and_peaks_read_well(browser: Any,
                                                                edge: tuple[Server, dict[str, str]]) -> None:
    server, _ = edge
    context = at_size(browser, 1400, 900)
    try:
        page = context.new_page()
        page.goto(server.url + "timeline?q=Raqqa&by=day")
        xs = page.eval_on_selector_all(".chart g.bar", "gs => gs.map(g => [g.dataset.period, "
                                       "g.querySelector('rect').getBoundingClientRect().x])")
        positions = dict(xs)
        first, last = positions["2017-03-01"], positions["2020-01-15"]
        late_2017 = max(x for period, x in positions.items() if period.startswith("2017"))
        assert late_2017 - first < (last - first) / 5  # 170 days of 1,050 sit in the first fifth
        page.goto(server.url + "timeline?q=source:Kurdistan24&by=month")
        assert page.inner_text("h2.peak") == "Peak 1: 2017-06 (1 article)"
        page.goto(server.url + "timeline")
        assert page.inner_text("h1") == "Timeline"
    finally:
        context.close()


def test_removing_a_tag_on_a_phone_hits_the_button_and_can_be_undone(browser: Any, server: Server,
                                                                     web_archive: Path) -> None:
    article_id = newsarc(["--archive", str(web_archive), "search", '"Mosul dam repairs begin"', "--ids",
                          "--sort", "date"]).stdout.split()[0]
    context = at_size(browser, 390, 844)
    try:
        page = context.new_page()
        page.goto(f"{server.url}a/{article_id}")
        before = page.locator("#tags a.tag").all_inner_texts()
        assert "Mosul" in before
        button = page.locator("button[aria-label='remove tag Mosul']").bounding_box()
        link = page.locator("#tags a.tag:text-is('Mosul')").bounding_box()
        assert button["width"] >= 24 and button["height"] >= 24  # was 17 x 19
        assert button["x"] - (link["x"] + link["width"]) >= 4  # was 1.6 px from the tag link
        with page.expect_navigation():
            page.click("button[aria-label='remove tag Mosul']")
        assert "Mosul" not in page.locator("#tags a.tag").all_inner_texts()
        assert page.inner_text(".flash .saved") == "Removed the tag Mosul."
        with page.expect_navigation():
            page.click(".flash button:text-is('Undo')")
        assert page.locator("#tags a.tag").all_inner_texts() == before
        assert "Added 1 tag: Mosul." in page.inner_text(".flash")
        page.reload()
        assert page.locator(".flash").count() == 0  # said once, not on every reload
    finally:
        context.close()


def test_the_kept_original_runs_no_script_and_loads_nothing_remote(browser: Any, edge: tuple[Server, dict[str, str]],
                                                                    tmp_path: Path) -> None:
    from tests.test_web_views import HOSTILE_PAGE

    server, _ = edge
    archive = Path(server.banner.split(" at ", 1)[0].split("serving ", 1)[1])
    page_file = tmp_path / "probe.html"
    page_file.write_text(HOSTILE_PAGE, encoding="utf-8")
    newsarc(["--archive", str(archive), "add", str(page_file), "--keep-original", "--quiet"])
    kept = newsarc(["--archive", str(archive), "search", '"Kept page probe"', "--ids"]).stdout.split()[0]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        dialogs: list[str] = []
        remote: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # Chromium reports a request the CSP blocked as failed with the reason "csp", before it leaves;
        # anything else (finished, or failed for any other reason) would have tried the network
        context.on("requestfinished", lambda request: remote.append(request.url) if "evil" in request.url else None)
        context.on("requestfailed", lambda request: remote.append(f"{request.url} {request.failure}")
                   if "evil" in request.url and (request.failure or "") != "csp" else None)
        page.goto(f"{server.url}a/{kept}")
        frame = page.frame_locator("iframe.kept")
        assert frame.locator("h1").inner_text() == "Kept page probe"  # the page as kept is shown
        page.wait_for_timeout(500)
        assert dialogs == [] and remote == []
        page.goto(f"{server.url}a/{kept}/original")  # opened on its own: still no script, nothing remote
        assert page.inner_text("h1") == "Kept page probe"
        page.wait_for_timeout(500)
        assert dialogs == [] and remote == []
    finally:
        context.close()


# -- issue 22.7: a place is one facet, labelled with its spellings ------------------------------------------------
@pytest.fixture(scope="module")
def place_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(make_place_archive(tmp_path_factory.mktemp("places") / "arc"))
    yield running
    assert running.stop() == 0


def test_a_place_is_one_facet_with_its_spellings_and_filters_by_all_of_them(page: Any,
                                                                            place_server: Server) -> None:
    page.goto(place_server.url + "?tag=Syria")
    assert page.inner_text("#total") == "1–4 of 4 matches"
    entries = page.locator(".facet-place li a").all_inner_texts()
    naming = [text for text in entries if any(spelling in text for spelling in ABU_KAMAL)]
    assert len(naming) == 1, entries  # one entry for the town, not one per spelling
    assert sorted(naming[0].split(" · ")) == sorted(ABU_KAMAL)
    assert page.locator(".facet-place li", has_text="al-Bukamal").locator(".count").inner_text() == "3"
    page.locator(".facet-place a", has_text="al-Bukamal").click()
    page.wait_for_url(f"**place={ABU_KAMAL_ID}**")
    assert page.inner_text("#total") == "1–3 of 3 matches"  # every spelling, both scripts
    assert sorted(page.locator(".hit a.title").all_inner_texts()) == sorted(
        ["Fighting near Abu Kamal on the border", "Crossing at al-Bukamal to reopen", "معارك في البوكمال"])
    chip = page.locator(".filter.place").inner_text()
    assert chip.startswith("place: ") and chip.endswith(" ✕")
    assert sorted(chip[len("place: "):-len(" ✕")].split(" · ")) == sorted(ABU_KAMAL)
    assert page.locator(".facet-place a[aria-current=true]").count() == 1
    page.click(".filter.place")
    page.wait_for_url("**/?tag=Syria")
    assert page.inner_text("#total") == "1–4 of 4 matches"
