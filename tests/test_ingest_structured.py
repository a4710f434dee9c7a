"""Structured files from other tools (JSON, JSONL, CSV/TSV), --map, Markdown front matter, our own exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarc.errors import BadInputError
from newsarc.ingest.dispatch import parse_source
from newsarc.ingest.options import IngestOptions, parse_field_map

STRUCTURED = Path(__file__).resolve().parent / "fixtures" / "structured"


def _parse(name: str, **options) -> list[dict]:
    path = STRUCTURED / name
    return list(parse_source(path.read_bytes(), origin=name, options=IngestOptions(**options)))


def test_json_array_with_other_tools_field_names() -> None:
    grain, french = _parse("scraper_array.json")
    assert grain["title"] == "Grain export talks resume"
    assert grain["date"] == "2017-05-18T10:05:00+00:00"
    assert grain["authors"] == ["Lena Fischer", "Omar Haddad"]
    assert grain["tags"] == ["Grain", "Trade"]
    assert grain["url"] == "https://wiredaily.example/world/grain-talks"
    assert grain["source"] == "Wire Daily"
    assert grain["body"].count("\n\n") == 2 and grain["_origin"] == "scraper_array.json record 1"
    assert "scraper_id" not in grain
    assert french["date"] == "2017-05-18"  # "18 mai 2017"
    assert french["authors"] == ["Claire Martin"] and french["tags"] == ["Agriculture", "Sécheresse"]
    assert french["body"].startswith("Le gouvernement a annoncé jeudi") and "<p>" not in french["body"]
    assert french["language"] == "fr"


def test_single_json_object() -> None:
    (article,) = _parse("one_object.json")
    assert (article["title"], article["source"], article["date"]) == ("Hilfspaket beschlossen", "Tagesblatt",
                                                                      "2017-05-18")
    assert article["language"] == "de"


def test_jsonl_bad_line_fails_alone() -> None:
    parsed = _parse("briefs.jsonl")
    errors = [p for p in parsed if "_error" in p]
    good = [p for p in parsed if "_error" not in p]
    assert len(good) == 5 and len(errors) == 1
    assert errors[0]["_error"].startswith("briefs.jsonl line 4: invalid JSON")
    assert good[0]["date"] == "2017-05-18T11:05:00+00:00"  # epoch seconds
    assert good[0]["tags"] == ["Wire", "Brief"]


def test_spreadsheet_csv_bom_semicolons_quoted_newlines_and_cp1252() -> None:
    for name in ("excel_export.csv", "cp1252_export.csv"):
        parsed = _parse(name)
        cafe, bridge, headless = parsed
        assert cafe["title"] == "Café owners protest; rents rise", name
        assert cafe["body"] == "Owners of cafés marched on Thursday.\n\nThey say rents rose by a “third” in a year."
        assert cafe["date"] == "2017-06-05" and cafe["date_ambiguous"] is True
        assert cafe["authors"] == ["Ana López"] and cafe["tags"] == ["City"]
        assert bridge["url"] == "https://city.example/2" and bridge["date"] == "2017-06-09"
        assert headless["_error"].startswith(f"{name} line 6: no title field")
        assert "--map title=" in headless["_error"]


def test_csv_date_order_follows_the_option() -> None:
    cafe = _parse("excel_export.csv", date_order="MDY")[0]
    assert cafe["date"] == "2017-05-06"


def test_utf16_tsv_and_map_option() -> None:
    parsed = _parse("unicode_text.tsv")
    assert parsed[0]["body"].startswith("Talks on resuming grain exports")  # story_text is a known body name
    mapped = _parse("unicode_text.tsv", field_map=parse_field_map(["body=keywords", "tags=story_text"]))
    assert mapped[0]["body"] == "Grain|Brief"
    with pytest.raises(BadInputError, match="not an article field"):
        parse_field_map(["colour=x"])
    with pytest.raises(BadInputError, match="FIELD=COLUMN"):
        parse_field_map(["body"])


def test_markdown_front_matter_and_heading() -> None:
    (bees,) = _parse("front_matter.md")
    assert bees["title"] == "Bees use landmarks to find their way home"
    assert bees["date"] == "2017-05-17" and bees["authors"] == ["Ada Ncube"] and bees["tags"] == ["Science", "Bees"]
    assert bees["url"] == "https://notes.example/bees"
    assert bees["body"].startswith("Honeybees remember") and "---" not in bees["body"]
    (seeds,) = _parse("heading_only.md")
    assert seeds["title"] == "Ancient seeds sprout after two thousand years"
    assert seeds["body"] == "Date palm seeds found in a desert fortress have grown into young trees."


def test_add_csv_with_map_and_failures_file(run, archive: Path, tmp_path: Path) -> None:
    report = tmp_path / "failed.jsonl"
    result = run("add", str(STRUCTURED / "excel_export.csv"), "--map", "title=Headline", "--failures", str(report))
    assert result.exit_code == 8
    assert result.output.splitlines()[-1].startswith("2 added, 0 already in the archive, 1 failed")
    (line,) = report.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["path"].endswith("excel_export.csv line 6") and "no title field" in record["reason"]
    bad = run("add", str(STRUCTURED / "excel_export.csv"), "--map", "nonsense")
    assert bad.exit_code == 5 and "FIELD=COLUMN" in bad.output


def test_own_export_still_round_trips_through_import(run, archive: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsarc.cli.app import cli
    from newsarc.storage.archive import init_archive

    run("add", str(STRUCTURED / "scraper_array.json"), str(STRUCTURED / "front_matter.md"))
    exported = tmp_path / "all.jsonl"
    run("export", "-o", str(exported))
    copy = init_archive(tmp_path / "copy")
    result = CliRunner().invoke(cli, ["--archive", str(copy), "import", str(exported)])
    assert result.output.strip() == "3 imported, 0 already in the archive, 0 failed"
    again = tmp_path / "again.jsonl"
    CliRunner().invoke(cli, ["--archive", str(copy), "export", "-o", str(again)])
    assert sorted(exported.read_text().splitlines()) == sorted(again.read_text().splitlines())
    # `add` also reads our own export (fields map by name): nothing new, every article already there
    readd = run("add", str(exported))
    assert readd.output.strip().endswith("0 added, 3 already in the archive, 0 failed")
