"""Importing an edited export: a differing article is reported, --update applies it and the old text stays
reachable as an earlier version (issue 11, point 12)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def articles(root: Path) -> dict[str, dict]:
    found = {}
    for path in sorted((root / "articles").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["id"]] = data
    return found


def exported_and_edited(run, tmp_path: Path) -> tuple[str, Path]:
    story = tmp_path / "story.txt"
    story.write_text("Dam talks resume\n\n18-05-2017\nRudaw\nTags: Water\n\nThe talks resumed on Thursday.\n",
                     encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("Harvest is early\n\n19-05-2017\nRudaw\n\nFarmers began the harvest.\n", encoding="utf-8")
    assert run("add", str(story), str(other), "--keep-original").exit_code == 0
    out = tmp_path / "all.jsonl"
    assert run("export", "-o", str(out)).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    [edited] = [r for r in records if r["title"] == "Dam talks resume"]
    edited["body"] = "The talks resumed on Thursday in Baghdad, officials said.\n"
    edited["tags"] = ["Water", "Iraq"]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return edited["id"], out


def test_an_edited_article_is_reported_as_differing_and_left_alone(run, archive: Path, tmp_path: Path) -> None:
    article_id, out = exported_and_edited(run, tmp_path)
    before = articles(archive)
    result = run("import", str(out))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "0 imported, 1 already in the archive, 1 differing from the archive (body, tags; "
        "`newsarc import --update` applies them), 0 failed")
    assert articles(archive) == before


def test_update_applies_the_new_fields_and_keeps_the_old_as_a_version(run, archive: Path, tmp_path: Path) -> None:
    article_id, out = exported_and_edited(run, tmp_path)
    old = articles(archive)[article_id]
    result = run("import", "--update", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "0 imported, 1 already in the archive, 1 updated, 0 failed"
    now = articles(archive)
    assert now[article_id]["body"] == "The talks resumed on Thursday in Baghdad, officials said.\n"
    assert now[article_id]["tags"] == ["Water", "Iraq"]
    assert now[article_id]["added"] == old["added"]
    [kept] = [a for a in now.values() if a.get("version_of") == article_id]
    assert (kept["body"], kept["tags"], kept["title"]) == (old["body"], old["tags"], old["title"])
    assert "original" not in kept and now[article_id]["original"] == old["original"]  # the original is the id's
    # the version history lists both, oldest first, and the diff shows the edit
    versions = run("show", article_id, "--versions")
    lines = versions.output.splitlines()
    assert [line[2:12] for line in lines] == [kept["id"], article_id]
    assert lines[1].startswith("*")  # the article asked for
    diff = run("show", article_id, "--diff").output
    assert "-The talks resumed on Thursday." in diff
    assert "+The talks resumed on Thursday in Baghdad, officials said." in diff
    # the search finds the new text under the article's id
    found = run("search", "Baghdad", "--ids")
    assert found.output.split() == [article_id]
    # importing the same file again changes nothing
    again = run("import", "--update", str(out))
    assert again.output.splitlines()[-1] == "0 imported, 2 already in the archive, 0 failed"
    assert articles(archive) == now


def test_update_of_a_date_moves_the_file(run, archive: Path, tmp_path: Path) -> None:
    article_id, out = exported_and_edited(run, tmp_path)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for record in records:
        if record["id"] == article_id:
            record["date"] = "2018-01-02"
    out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = run("import", "--update", str(out))
    assert result.exit_code == 0, result.output
    assert (archive / "articles" / "2018" / "01" / f"{article_id}.yaml").is_file()
    assert not (archive / "articles" / "2017" / "05" / f"{article_id}.yaml").exists()
    # the kept original moved with it, and reextract still finds it
    assert (archive / "articles" / "2018" / "01" / f"{article_id}.orig.gz").is_file()
    assert not (archive / "articles" / "2017" / "05" / f"{article_id}.orig.gz").exists()
    shown = json.loads(run("show", article_id, "--format", "json").output)
    assert shown["date"] == "2018-01-02"
    assert [e["id"] for e in json.loads(run("list", "--since", "2018", "--json").output)] == [article_id]
    assert run("reextract", article_id).exit_code == 0  # it finds the original where the article now is
