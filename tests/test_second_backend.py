"""A second search engine takes Whoosh's place without a change to storage, names or the faces (issue 23.2).

The store is built with tests/support/memory_backend.py's in-memory engine (through newsarc.index.default_engine,
which the store asks when it is given none, as the command line's is), and the command line's read commands run
on it: search, list, show, timeline, similar, stats, check, export, alias suggest. Whoosh writes no index file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.memory_backend import MemoryEngine

STORIES = [
    ("Dam talks resume on the Nile", "Egypt and Ethiopia resume talks on the dam. Sudan joins the talks.",
     "2020-06-01", "Nile"),
    ("Harvest begins early in Kansas", "Farmers say the wheat harvest begins early this year.", "2021-07-02",
     "Farming"),
    ("Nile dam filling starts", "Ethiopia starts filling the dam on the Blue Nile, Egypt protests.", "2020-07-15",
     "Nile"),
]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> MemoryEngine:
    import newsarc.index

    memory = MemoryEngine()
    monkeypatch.setattr(newsarc.index, "default_engine", lambda: memory)
    return memory


@pytest.fixture
def ids(run, engine: MemoryEngine) -> dict[str, str]:
    out = {}
    for title, body, date, tag in STORIES:
        added = run("add", "-", "--date", date, "--tag", tag, "--source", "Wire", input=f"{title}\n\n{body}\n")
        assert added.exit_code == 0, added.output
        out[title] = added.output.split()[1]
    return out


def test_the_read_commands_run_on_another_engine(run, archive: Path, engine: MemoryEngine,
                                                 ids: dict[str, str]) -> None:
    index_dir = archive / ".newsarc" / "index"
    assert engine.opened and index_dir in engine.opened
    assert len(engine.index_of(index_dir)) == 3  # the engine holds the articles...
    assert [path.name for path in index_dir.iterdir()] == ["memory-index"]  # ...and Whoosh wrote nothing

    nile = {ids["Dam talks resume on the Nile"], ids["Nile dam filling starts"]}
    searched = run("search", "dam Egypt", "--ids")
    assert searched.exit_code == 0 and set(searched.output.split()) == nile
    as_json = json.loads(run("search", "dam", "--json", "--since", "2020-07-01").output)
    assert [hit["id"] for hit in as_json] == [ids["Nile dam filling starts"]]
    assert run("search", "dam", "--count").output.strip() == "2"
    assert run("search", "tractor").exit_code == 1  # nothing found: the same exit code as with Whoosh

    listed = json.loads(run("list", "--tag", "Nile", "--json").output)
    assert {row["id"] for row in listed} == nile
    shown = run("show", ids["Harvest begins early in Kansas"])
    assert shown.exit_code == 0 and "wheat harvest" in shown.output

    timeline = json.loads(run("timeline", "dam", "--by", "month", "--json").output)
    assert sum(point["count"] for point in timeline["series"]) == 2

    similar = run("similar", ids["Dam talks resume on the Nile"], "--json")
    assert similar.exit_code == 0, similar.output
    assert ids["Nile dam filling starts"] in similar.output

    stats = run("stats")
    assert stats.exit_code == 0 and "3" in stats.output
    checked = run("check")
    assert checked.exit_code == 0, checked.output
    exported = run("export")
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == 3
    suggested = run("alias", "suggest")
    assert suggested.exit_code in (0, 1), suggested.output


def test_a_query_the_other_engine_refuses_is_a_one_line_error(run, ids: dict[str, str]) -> None:
    result = run("search", '"dam')
    assert result.exit_code != 0 and "unbalanced quotes" in result.output
    assert "Traceback" not in result.output
