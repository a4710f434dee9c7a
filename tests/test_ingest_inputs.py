"""What `add` says about inputs it cannot take, and about inputs that are not what they first look like
(issue 11: points 1, 2, 14, 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarc.errors import ExitCode


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
