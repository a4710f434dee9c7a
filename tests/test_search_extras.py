"""`newsarc timeline`, `newsarc similar` and `newsarc watch` through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

STORIES = [
    ("Raqqa offensive begins", "2017-06-06", "The offensive on Raqqa began with airstrikes on the city."),
    ("Fighting in Raqqa old city", "2017-06-20", "Fighting reached the old city of Raqqa, residents said."),
    ("Raqqah dam seized", "2017-06-21", "Fighters seized the dam north of Raqqah on the Euphrates."),
    ("Raqqa falls", "2017-10-17", "Raqqa fell after four months; the stadium was the last position taken."),
    ("Raqqa mines", "2018-01-09", "Engineers cleared mines in Raqqa as families returned."),
    ("Mosul market reopens", "2017-07-02", "The old market in Mosul reopened after the battle."),
    ("Undated Raqqa note", None, "A note about Raqqa without a date."),
]


@pytest.fixture
def stories(archive: Path) -> dict[str, str]:
    from newsarc import api

    store = api.open_store(archive)
    items = [(title, {"title": title, "date": date, "body": body, "source": "Test"}) for title, date, body in STORIES]
    report = api.add_articles(store, items)
    store.close()
    return {o.origin: o.id for o in report.outcomes}


def test_timeline_json_by_month(run, stories) -> None:  # type: ignore[no-untyped-def]
    result = run("timeline", "Raqqa", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    series = {row["period"]: row["count"] for row in data["series"]}
    assert series == {"2017-06": 3, "2017-07": 0, "2017-08": 0, "2017-09": 0, "2017-10": 1, "2017-11": 0,
                      "2017-12": 0, "2018-01": 1}
    assert data["undated"] == 1
    june = next(row for row in data["series"] if row["period"] == "2017-06")
    assert (june["start"], june["end"], june["peak"]) == ("2017-06-01", "2017-06-30", 1)


def test_timeline_by_week_day_year_and_csv(run, stories) -> None:  # type: ignore[no-untyped-def]
    by_week = json.loads(run("timeline", "Raqqa", "--by", "week", "--json").stdout)["series"]
    weeks = {r["period"]: r["count"] for r in by_week}
    assert weeks["2017-W23"] == 1 and weeks["2017-W25"] == 2 and weeks["2017-W24"] == 0
    days = json.loads(run("timeline", "Raqqa", "--by", "day", "--json", "--until", "2017-06").stdout)["series"]
    assert [(r["period"], r["count"]) for r in days if r["count"]] == [("2017-06-06", 1), ("2017-06-20", 1),
                                                                     ("2017-06-21", 1)]
    rows = list(csv.reader(io.StringIO(run("timeline", "Raqqa", "--by", "year", "--csv").stdout)))
    assert rows == [["period", "start", "end", "count", "peak"], ["2017", "2017-01-01", "2017-12-31", "4", "1"],
                    ["2018", "2018-01-01", "2018-12-31", "1", "2"]]


def test_timeline_terminal_chart_labels_peaks_with_top_stories(run, stories) -> None:  # type: ignore[no-untyped-def]
    result = run("timeline", "Raqqa")
    out = result.stdout
    assert "2017-06 ### 3  <- peak 1" in out.replace("#" * 50, "###")
    assert "peak 1: 2017-06 (3 articles)" in out
    assert stories["Raqqah dam seized"] in out  # the variant spelling is counted and listed
    assert "(+1 undated article, not charted)" in out
    styled = run("--color", "always", "timeline", "Raqqa")
    assert "█" in styled.stdout and "\x1b[" in styled.stdout


def test_timeline_image(run, stories, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "raqqa.png"
    result = run("timeline", "Raqqa", "--output", str(target))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert result.exit_code == 2 and "pip install 'newsarc[plot]'" in result.output
        return
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "raqqa.svg"
    assert run("timeline", "Raqqa", "-o", str(svg)).exit_code == 0
    assert "<svg" in svg.read_text(encoding="utf-8")
    assert run("timeline", "Raqqa", "-o", str(tmp_path / "chart.gif")).exit_code == 2


def test_timeline_nothing_found(run, stories) -> None:  # type: ignore[no-untyped-def]
    assert run("timeline", "Aleppo").exit_code == 1


def test_similar_lists_related_stories_with_shared_terms(run, stories) -> None:  # type: ignore[no-untyped-def]
    result = run("similar", stories["Raqqa offensive begins"], "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    ids = [h["id"] for h in hits]
    assert stories["Raqqa offensive begins"] not in ids
    assert ids[0] in {stories["Fighting in Raqqa old city"], stories["Raqqa falls"], stories["Raqqa mines"],
                      stories["Undated Raqqa note"]}
    assert "raqqa" in hits[0]["shared_terms"]
    text = run("similar", stories["Raqqa offensive begins"][:5])
    assert "key terms:" in text.stdout and "shared:" in text.stdout
    assert run("similar", "zzzzzzzzzz").exit_code == 3


def test_watch_reports_only_new_hits(run, stories) -> None:  # type: ignore[no-untyped-def]
    assert run("watch", "add", "raqqa", "Raqqa", "NOT", "mines").exit_code == 0
    assert run("watch", "list").stdout.strip() == "raqqa: Raqqa NOT mines    (last run: never)"
    first = run("watch", "run", "raqqa")
    assert first.exit_code == 0 and "raqqa: 5 new of 5 (first run: everything is new)" in first.stdout
    again = run("watch", "run", "raqqa")
    assert again.exit_code == 1 and "raqqa: 0 new of 5" in again.stdout
    run("add", "-", "--date", "2018-02-01", input="Raqqa council elected\n\nA new council was elected in Raqqa.\n")
    peek = run("watch", "run", "--peek", "--jsonl")
    records = [json.loads(line) for line in peek.stdout.splitlines()]
    assert [(r["watch"], r["title"]) for r in records] == [("raqqa", "Raqqa council elected")]
    assert run("watch", "run", "raqqa", "--jsonl").stdout == peek.stdout  # --peek did not mark it seen
    assert run("watch", "run", "raqqa").exit_code == 1
    assert "last run: 20" in run("watch", "list").stdout


def test_watch_state_is_per_machine_and_file_is_shared(run, stories, archive: Path) -> None:  # type: ignore[no-untyped-def]
    run("watch", "add", "mosul", "Mosul")
    run("watch", "run", "mosul")
    assert (archive / "watches.yaml").read_text(encoding="utf-8").splitlines()[1:] == ["mosul: Mosul"]
    assert (archive / ".newsarc" / "watches.json").exists()
    gitignore = (archive / ".gitignore").read_text(encoding="utf-8")
    assert ".newsarc/" in gitignore


def test_watch_errors(run, stories) -> None:  # type: ignore[no-untyped-def]
    assert run("watch", "add", "bad name", "x").exit_code == 2
    bad_query = run("watch", "add", "broken", '"unclosed')
    assert bad_query.exit_code == 2 and "unclosed" in bad_query.output
    assert run("watch", "run", "nothere").exit_code == 3
    assert run("watch", "run").exit_code == 1  # no watches at all: nothing new, as an empty listing (issue 20.15)
    assert run("watch", "rm", "nothere").exit_code == 3
