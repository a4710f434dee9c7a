"""Concepts with one owner in the library: the same words mean the same thing wherever a user types them."""

from __future__ import annotations

import json
from pathlib import Path


def _add(run, title: str, tag: str) -> str:
    result = run("add", "-", "--date", "2017-05-18", "--source", "Rudaw", "--tag", tag,
                 input=f"{title}\n\nThe body of the story about {title}.\n")
    assert result.exit_code == 0, result.output
    return result.output.split()[1]


def test_tag_filters_fold_alike_in_search_list_and_export(run, archive: Path) -> None:
    """`--tag Baath` finds a `Ba'ath` tag in every command that filters by tag (list and export missed it)."""
    article_id = _add(run, "Party congress opens", "Ba'ath")
    _add(run, "Harvest begins early", "Farming")
    searched = run("search", "congress", "--tag", "Baath", "--ids")
    listed = run("list", "--tag", "Baath", "--json")
    exported = run("export", "--tag", "Baath")
    assert searched.output.split() == [article_id]
    assert [row["id"] for row in json.loads(listed.output)] == [article_id]
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [article_id]
    # and the other way round: a tag typed with the apostrophe finds the plain spelling
    assert [row["id"] for row in json.loads(run("list", "--tag", "ba’ath", "--json").output)] == [article_id]


def test_tag_removal_folds_like_the_filters(run) -> None:
    article_id = _add(run, "Party congress opens", "Ba'ath")
    result = run("tag", article_id[:6], "-Baath")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{article_id}  tags: (none)"
    assert run("list", "--tag", "Ba'ath").exit_code == 1


def test_removing_a_tag_with_an_h_is_not_read_as_help(run) -> None:
    """`tag ID -Shah` was parsed as the short options -S -h -a -h and printed the help instead."""
    article_id = _add(run, "Shah visits", "Shah")
    result = run("tag", article_id, "-Shah", "+Iran")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{article_id}  tags: Iran"


def test_a_kept_original_moves_and_goes_with_its_article(run, archive: Path, tmp_path: Path) -> None:
    """The kept original is named and placed by one rule: beside the YAML, as <id>.orig.gz, and rm takes it."""
    page = tmp_path / "story.html"
    page.write_text("<html><head><title>Grain talks resume</title></head><body><article><h1>Grain talks resume"
                    "</h1><p>" + "Negotiators met in Istanbul on Thursday to resume talks on grain exports. " * 8
                    + "</p></article></body></html>", encoding="utf-8")
    result = run("add", str(page), "--keep-original", "--date", "2022-07-13")
    assert result.exit_code == 0, result.output
    article_id = result.output.split()[1]
    originals = list(archive.rglob("*.orig.gz"))
    assert [p.name for p in originals] == [f"{article_id}.orig.gz"]
    assert originals[0].parent == next(archive.rglob(f"{article_id}.yaml")).parent
    assert "nothing changed" in run("reextract", article_id).output
    assert run("rm", article_id).exit_code == 0
    assert list(archive.rglob("*.orig.gz")) == []
