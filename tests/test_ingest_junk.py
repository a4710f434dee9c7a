"""Junk is refused and a title is a line (issue 20, point 10): binary content is one failure line naming the
input; a title is one line of at most a few hundred characters, and what is cut from it opens the body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

MAX_TITLE = 300  # "a few hundred characters": newsarc.ingest.title.MAX_TITLE
ELLIPSIS = "\u2026"

BINARY = {
    "control bytes then words": b"\x00\x01\x02ELF binary junk\n",
    "an MP4 header": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 40,
    "a Windows executable": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program" * 4,
    "a Matroska video": b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01webm",
    "an xz archive": b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F\x02\x00!\x01",
}


@pytest.mark.parametrize("name", BINARY, ids=list(BINARY))
def test_binary_content_is_refused_in_one_line(run, archive: Path, tmp_path: Path, name: str) -> None:
    junk = tmp_path / "junk.txt"  # the name does not make it text
    junk.write_bytes(BINARY[name])
    result = run("add", str(junk))
    assert result.exit_code == 5
    assert result.output.startswith(f"newsarc: failed: {junk}: looks like a binary file (")
    assert len(result.output.splitlines()) == 1
    assert not list(archive.glob("articles/**/*.yaml"))


def test_a_binary_file_among_articles_is_one_counted_failure(run, archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Harvest is late\n\nRain delayed the harvest this year.\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(BINARY["control bytes then words"])
    result = run("add", str(folder))
    assert result.exit_code == 8
    assert "1 added, 0 already in the archive, 1 failed" in result.output
    assert f"newsarc: failed: {folder / 'b.txt'}: looks like a binary file" in result.output


def _show_json(run, archive: Path) -> dict:
    [path] = archive.glob("articles/**/*.yaml")
    return json.loads(run("show", path.stem, "--format", "json").output)


def test_a_one_line_file_of_megabytes_gets_a_short_title_and_keeps_every_word(run, archive: Path,
                                                                        tmp_path: Path) -> None:
    words = " ".join(f"word{n % 997}" for n in range(200_000))  # about 1.5 MB, no line break, no sentence end
    source = tmp_path / "one-line.txt"
    source.write_text(words + "\n", encoding="utf-8")
    assert run("add", str(source)).exit_code == 0
    article = _show_json(run, archive)
    assert len(article["title"]) <= MAX_TITLE + 1 and article["title"].endswith(ELLIPSIS)
    assert "\n" not in article["title"]
    assert words[:len(article["title"]) - 1] == article["title"][:-1]  # cut at a word boundary
    assert article["body"].rstrip("\n") == words  # nothing lost: the whole line is the body
    listed = run("list")
    assert max(len(line) for line in listed.output.splitlines()) < 400


def test_a_text_without_a_title_line_takes_its_first_sentence(run, archive: Path, tmp_path: Path) -> None:
    paragraph = ("The minister said on Tuesday that the budget would be cut by a tenth. " +
                 "Unions called the plan reckless and promised to fight it in parliament. " * 6).strip()
    source = tmp_path / "paragraph.txt"
    source.write_text(paragraph + "\n\nA second paragraph follows.\n", encoding="utf-8")
    assert run("add", str(source)).exit_code == 0
    article = _show_json(run, archive)
    assert article["title"] == "The minister said on Tuesday that the budget would be cut by a tenth."
    rest = paragraph[len(article["title"]):].strip()
    assert article["body"].rstrip("\n") == rest + "\n\nA second paragraph follows."


def test_a_structured_record_with_a_long_or_multi_line_title_is_handled_alike(run, archive: Path,
                                                                             tmp_path: Path) -> None:
    long_title = "Breaking " + "very " * 200 + "long headline"
    source = tmp_path / "records.jsonl"
    source.write_text(json.dumps({"title": long_title, "body": "The story."}) + "\n"
                      + json.dumps({"title": "Two lines\nof title", "body": "Another story."}) + "\n",
                      encoding="utf-8")
    assert run("add", str(source)).exit_code == 0
    titles = sorted(entry["title"] for entry in json.loads(run("list", "--json").output))
    assert titles[1] == "Two lines of title"
    assert len(titles[0]) <= MAX_TITLE + 1 and titles[0].endswith(ELLIPSIS)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=2000), st.text(max_size=200))
def test_fit_title_keeps_every_word(title: str, body: str) -> None:
    from newsarc.ingest.title import MAX_TITLE as LIMIT
    from newsarc.ingest.title import fit_title

    assert LIMIT == MAX_TITLE
    new_title, new_body = fit_title(title, body)
    assert len(new_title) <= MAX_TITLE + 1 and "\n" not in new_title.strip("\n") or new_title == title
    if new_title == title:
        assert new_body == body
        return
    kept = " ".join(new_title.removesuffix(ELLIPSIS).split() + new_body.split())
    assert " ".join(title.split()) in kept or " ".join(title.split()) in " ".join(new_body.split())
    assert " ".join(body.split()) in " ".join(new_body.split())
