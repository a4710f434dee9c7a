"""What `add` says about inputs it cannot take, and about inputs that are not what they first look like
(issue 11: points 1, 2, 14, 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsarc.errors import ExitCode
from tests.conftest import SEED, need_shared


def failure_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("newsarc: failed:")]


# -- 14: failed adds name their input ------------------------------------------------------------------------
def test_missing_file_is_named(run, tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.txt"
    result = run("add", str(missing))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert failure_lines(result.output) == [f"newsarc: failed: {missing}: no such file or directory"]


@pytest.mark.parametrize("url", ["ftp://ftp.example.com/news/1.txt", "file:///etc/passwd", "gopher://x/1"])
def test_other_url_schemes_are_named_and_refused(run, url: str) -> None:
    result = run("add", url)
    assert result.exit_code == ExitCode.BAD_INPUT
    [line] = failure_lines(result.output)
    scheme = url.split(":", 1)[0]
    assert line == f"newsarc: failed: {url}: only http:// and https:// URLs are fetched, not {scheme}://"


@pytest.mark.parametrize("address", ["www.bbc.co.uk/news/1", "bbc.co.uk/news/world-123", "www.example.com"])
def test_a_web_address_without_scheme_is_told_https_is_missing(run, address: str) -> None:
    result = run("add", address)
    assert result.exit_code == ExitCode.BAD_INPUT
    [line] = failure_lines(result.output)
    assert line == (f"newsarc: failed: {address}: no such file; for a web address write "
                    f"https://{address}")


def test_a_missing_file_that_merely_has_a_dot_is_not_taken_for_an_address(run) -> None:
    result = run("add", "notes/story.txt")
    assert failure_lines(result.output) == ["newsarc: failed: notes/story.txt: no such file or directory"]


def test_a_failure_inside_a_file_names_the_file(run, tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = run("add", str(bad))
    assert failure_lines(result.output) == [f"newsarc: failed: {bad}: file is empty"]


# -- 15: skipped files are counted ---------------------------------------------------------------------------
def test_a_folder_of_only_other_formats_says_what_it_skipped(run, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4 ...")
    (folder / "b.docx").write_bytes(b"PK\x03\x04 ...")
    result = run("add", str(folder))
    assert result.output.splitlines()[-1] == (
        "0 added, 0 already in the archive, 0 failed, 2 skipped (not an article format: .docx, .pdf)")
    assert result.exit_code == ExitCode.BAD_INPUT  # nothing at all could be added


def test_skipped_files_are_counted_beside_what_was_added(run, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "story.txt").write_text("A story\n\nIts text, long enough to be a body.\n", encoding="utf-8")
    for name in ("a.pdf", "sub/b.PDF", "c.jpg", "README.md"):
        (folder / name).write_bytes(b"x")
    (folder / ".hidden.txt").write_text("dot files are not the user's documents\n", encoding="utf-8")
    result = run("add", str(folder))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "1 added, 0 already in the archive, 0 failed, 4 skipped (not an article format: .jpg, .pdf; "
        "README-like: README.md)")


def test_skipped_counts_reach_the_library_report(archive: Path, tmp_path: Path) -> None:
    from newsarc import api

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.odt").write_bytes(b"x")
    skipped: list[api.AddOutcome] = []
    sources = list(api.iter_sources([str(tmp_path / "in")], skipped=skipped))
    assert sources == []
    assert [(o.origin, o.status, o.reason) for o in skipped] == [
        (str(tmp_path / "in" / "x.odt"), "skipped", "not an article format (.odt)")]


# -- 2: all-lowercase tag lines ------------------------------------------------------------------------------
WIRE = """{title}

02-03-1987
Reuters
Tags: {tags}

{body}
"""


def added_tags(run, tmp_path: Path, name: str, title: str, tags: str, body: str) -> list[str]:
    path = tmp_path / name
    path.write_text(WIRE.format(title=title, tags=tags, body=body), encoding="utf-8")
    result = run("add", str(path))
    assert result.exit_code == 0, result.output
    article_id = result.output.split()[1]
    shown = run("show", article_id, "--format", "yaml")
    return yaml.safe_load(shown.output)["tags"]


@pytest.mark.parametrize(("line", "tags"), [
    ("earn usa", ["earn", "usa"]),
    ("veg-oil linseed lin-oil soy-oil", ["veg-oil", "linseed", "lin-oil", "soy-oil"]),
    ("crude nat-gas, usa", ["crude nat-gas", "usa"]),  # commas, where present, separate tags
    ("grain wheat corn", ["grain", "wheat", "corn"]),
])
def test_an_all_lowercase_tag_line_is_one_tag_per_word(run, tmp_path: Path, line: str, tags: list[str]) -> None:
    # The body writes "soy-oil prices" and "wheat corn" verbatim: that is no reason to join codes into one tag.
    body = "Soy-oil and linseed output rose; earn usa grain wheat corn crude nat-gas lin-oil veg-oil soy-oil."
    assert added_tags(run, tmp_path, "wire.txt", "OILSEED OUTPUT RISES", line, body) == tags


def test_the_seed_keeps_its_eight_tags(run, tmp_path: Path) -> None:
    need_shared(SEED)
    result = run("add", str(SEED))
    article_id = result.output.split()[1]
    tags = yaml.safe_load(run("show", article_id, "--format", "yaml").output)["tags"]
    assert tags == ["Syria", "Iraq", "ISIS", "Mosul offensive", "Iraqi border", "Abu Kamal", "al-Bukamal",
                    "al-Bokamal"]


# -- 1: angle brackets in text are not a page ----------------------------------------------------------------
CINRAM = """<CINRAM LTD> 4TH QTR NET

02-03-1987
Reuters
Tags: earn canada

Shr 18 cts vs 15 cts
Net 1,200,000 vs 980,000
Revs 32.1 mln vs 28.4 mln
"""
SCHULT = """<SCHULT HOMES CORP> MAKES INITIAL STOCK OFFER

Schult Homes Corp said it made an initial public offering of 1.2 mln shares at 12 dlrs a share through
<DREXEL BURNHAM LAMBERT INC> and <PAINEWEBBER INC>, the <A B C> group and <B.F. SAUL> of <A.G. EDWARDS>.

The company said proceeds would be used to repay debt.
"""
# A closing tag makes it look like a page, yet no page reading finds an article in it: it is read as text.
STRAY_TAG = """<CINRAM LTD> SAYS RESULTS WILL IMPROVE</p>

Cinram Ltd said its results for the year would improve as compact disc sales grew, the company said in a
statement. It gave no figures.
"""


@pytest.mark.parametrize(("text", "title", "body_start"), [
    (CINRAM, "<CINRAM LTD> 4TH QTR NET", "Shr 18 cts vs 15 cts"),
    (SCHULT, "<SCHULT HOMES CORP> MAKES INITIAL STOCK OFFER", "Schult Homes Corp said"),
    (STRAY_TAG, "<CINRAM LTD> SAYS RESULTS WILL IMPROVE</p>", "Cinram Ltd said"),
], ids=["cinram", "schult", "stray-closing-tag"])
def test_wire_text_with_bracketed_names_is_added_as_text(run, tmp_path: Path, text: str, title: str,
                                                         body_start: str) -> None:
    path = tmp_path / "wire.txt"
    path.write_text(text, encoding="utf-8")
    result = run("add", str(path))
    assert result.exit_code == 0, result.output
    article = yaml.safe_load(run("show", result.output.split()[1], "--format", "yaml").output)
    assert article["title"] == title
    assert article["body"].startswith(body_start)
    if text is SCHULT:
        assert "<DREXEL BURNHAM LAMBERT INC>" in article["body"]  # the brackets are text, kept as written


@pytest.mark.parametrize("page", [
    "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
    "<!DOCTYPE html>\n<title>Sections</title>\n<nav><a href='/w'>World</a> <a href='/b'>Business</a></nav>",
], ids=["index-page", "doctype-list"])
def test_a_real_index_page_is_still_refused_even_named_txt(run, tmp_path: Path, page: str) -> None:
    path = tmp_path / "home.txt"
    path.write_text(page, encoding="utf-8")
    result = run("add", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert failure_lines(result.output) == [
        f"newsarc: failed: {path}: no article text found in the page (is it an index page or a login wall?)"]
