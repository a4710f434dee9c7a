"""Timelines over an archive whose index holds undated and dated articles in separate segments (issue 11.4).

Whoosh writes a segment's date column only when one of its documents has a date: a segment of undated BBC
stories has none, and reading the column across segments mapped their document numbers onto the next segment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BBC, SEED, need_shared


@pytest.fixture
def mixed(run) -> None:  # type: ignore[no-untyped-def]
    """init; add two (undated) BBC files; add the seed (dated): two index segments, one without dates."""
    need_shared(BBC)
    need_shared(SEED)
    assert run("add", str(BBC / "politics" / "001.txt"), str(BBC / "politics" / "002.txt")).exit_code == 0
    assert run("add", str(SEED)).exit_code == 0


def test_timeline_counts_undated_and_dated(run, mixed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("timeline", "Blair OR Syria", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["undated"] == 2
    assert [(row["period"], row["count"]) for row in data["series"]] == [("2017-05", 1)]
    by_day = run("timeline", "Blair OR Syria", "--by", "day", "--json")
    assert by_day.exit_code == 0, by_day.output
    assert [row["period"] for row in json.loads(by_day.stdout)["series"]] == ["2017-05-18"]
    shown = run("timeline", "Blair OR Syria")
    assert shown.exit_code == 0, shown.output
    assert "2017-05" in shown.output and "undated" in shown.output
    svg = tmp_path / "t.svg"
    drawn = run("timeline", "Blair OR Syria", "--output", str(svg))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert drawn.exit_code == 2 and "pip install 'newsarc[plot]'" in drawn.output
        return
    assert drawn.exit_code == 0, drawn.output
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_check_finds_an_index_date_that_disagrees_with_the_file(run, mixed, archive: Path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from newsarc import api

    assert "no problems" in run("check").output
    store = api.open_store(archive)
    relpath, article = next((p, a) for p, a in _articles(store) if a.date)
    store.backend.apply([(relpath, replace(article, date="1999-01-01"))], [])  # the index alone goes wrong
    store.close()
    result = run("check")
    assert result.exit_code != 0
    assert relpath in result.output and "1999-01-01" in result.output and "2017-05-18" in result.output
    repaired = run("check", "--repair")
    assert "no problems" in run("check").output, repaired.output
    data = json.loads(run("timeline", "Syria", "--json").stdout)
    assert [row["period"] for row in data["series"]] == ["2017-05"]


def _articles(store):  # type: ignore[no-untyped-def]
    for relpath in store.catalog.iter_paths():
        yield relpath, store.archive.read(relpath)
