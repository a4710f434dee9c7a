"""`import` with a bad record (issue 20, point 2): the record is a failure like a bad file in `add`: named with
its line and why, counted, written to --failures FILE, and the records after it are imported; exit 8."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOOD_1 = {"id": "aaaa1111bb", "title": "Dam talks resume", "date": "2020-03-01", "body": "The talks resumed."}
GOOD_2 = {"id": "cccc2222dd", "title": "Harvest is late", "date": "2020-03-02", "body": "Rain delayed it."}


def _jsonl(bad: str) -> str:
    return json.dumps(GOOD_1) + "\n" + bad + "\n" + json.dumps(GOOD_2) + "\n"


# (file name, text, the line the bad record is on, words of its reason)
CASES = {
    "jsonl: not JSON": ("x.jsonl", _jsonl('{"title": "cut short'), "line 2", "not valid JSON"),
    "jsonl: not an object": ("x.jsonl", _jsonl('["a", "list"]'), "line 2", "expected a mapping"),
    "jsonl: no title": ("x.jsonl", _jsonl('{"body": "text without a title"}'), "line 2", "'title' is missing"),
    "json array: not an object": ("x.json", json.dumps([GOOD_1, "text", GOOD_2], indent=1), "record 2",
                                  "expected a mapping"),
    "json array: bad date": ("x.json", json.dumps([GOOD_1, {"title": "T", "date": "2020-02-30", "body": "B"},
                                                   GOOD_2]), "record 2", "date"),
    "yaml stream: syntax error": (
        "x.yaml",
        "---\nid: aaaa1111bb\ntitle: Dam talks resume\ndate: 2020-03-01\nbody: The talks resumed.\n"
        "---\ntitle: [unclosed\nbody: x\n"
        "---\nid: cccc2222dd\ntitle: Harvest is late\ndate: 2020-03-02\nbody: Rain delayed it.\n",
        "line 8", "not valid YAML"),
    "yaml stream: not a mapping": (
        "x.yaml",
        "---\nid: aaaa1111bb\ntitle: Dam talks resume\ndate: 2020-03-01\nbody: The talks resumed.\n"
        "--- just text\n"
        "---\nid: cccc2222dd\ntitle: Harvest is late\ndate: 2020-03-02\nbody: Rain delayed it.\n",
        "document 2 (line 6)", "expected a mapping"),
    "csv: wrong number of cells": (
        "x.csv", "id,title,date,body\naaaa1111bb,Dam talks resume,2020-03-01,The talks resumed.\n"
                 "only,three,cells\ncccc2222dd,Harvest is late,2020-03-02,Rain delayed it.\n",
        "record 2 (line 3)", "has 3 cells"),
    "es-bulk: document not JSON": (
        "x.ndjson", "".join(f'{{"index": {{"_index": "newsarc", "_id": "{i}"}}}}\n{doc}\n' for i, doc in (
            ("aaaa1111bb", json.dumps(GOOD_1)), ("eeee3333ff", "{not json"), ("cccc2222dd", json.dumps(GOOD_2)))),
        "line 4", "not valid JSON"),
    "es-bulk: not an action line": (
        "x.ndjson", '{"index": {"_index": "newsarc", "_id": "aaaa1111bb"}}\n' + json.dumps(GOOD_1) + "\n"
        '{"delete": {"_index": "newsarc", "_id": "zzzz"}}\n'
        '{"index": {"_index": "newsarc", "_id": "cccc2222dd"}}\n' + json.dumps(GOOD_2) + "\n",
        "line 3", "'delete' action"),
    "es-bulk: cut short after an action line": (
        "x.ndjson", '{"index": {"_index": "newsarc", "_id": "aaaa1111bb"}}\n' + json.dumps(GOOD_1) + "\n"
        '{"index": {"_index": "newsarc", "_id": "cccc2222dd"}}\n' + json.dumps(GOOD_2) + "\n"
        '{"index": {"_index": "newsarc", "_id": "eeee3333ff"}}\n',
        "line 5", "no document after it"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_record_is_a_counted_failure_and_the_rest_is_imported(run, archive: Path, tmp_path: Path,
                                                                    case: str) -> None:
    name, text, where, why = CASES[case]
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    failures = tmp_path / "failed.jsonl"
    result = run("import", str(source), "--failures", str(failures))
    assert result.exit_code == 8, result.output
    lines = result.output.splitlines()
    [failed] = [line for line in lines if line.startswith("newsarc: failed:")]
    assert failed.startswith(f"newsarc: failed: {source} {where}: ") and why in failed, failed
    assert lines[-1] == "2 imported, 0 already in the archive, 1 failed"
    [logged] = [json.loads(line) for line in failures.read_text(encoding="utf-8").splitlines()]
    assert logged["path"] == f"{source} {where}" and why in logged["reason"]
    listed = run("list", "--json")
    assert sorted(entry["id"] for entry in json.loads(listed.output)) == ["aaaa1111bb", "cccc2222dd"]


def test_the_failures_file_has_the_format_add_writes(run, archive: Path, tmp_path: Path) -> None:
    """One JSON object a line with the same keys for add and import, so one script reads both."""
    missing = tmp_path / "gone.txt"
    add_log, import_log = tmp_path / "add.jsonl", tmp_path / "import.jsonl"
    run("add", str(missing), str(tmp_path), "--failures", str(add_log))
    source = tmp_path / "x.jsonl"
    source.write_text(_jsonl("nonsense"), encoding="utf-8")
    run("import", str(source), "--failures", str(import_log))
    [from_add] = [json.loads(line) for line in add_log.read_text(encoding="utf-8").splitlines()]
    [from_import] = [json.loads(line) for line in import_log.read_text(encoding="utf-8").splitlines()]
    assert sorted(from_add) == sorted(from_import) == ["path", "reason"]


def test_a_file_that_cannot_be_read_on_still_fails_whole(run, archive: Path, tmp_path: Path) -> None:
    """A JSON document that does not parse has no records to read on to: one error, nothing imported."""
    source = tmp_path / "x.json"
    source.write_text('[{"title": "T", "body": "B"}, {"title": ', encoding="utf-8")
    result = run("import", str(source))
    assert result.exit_code == 5
    assert result.output.startswith(f"newsarc: error: {source}: line 1 column")
