"""Progress bars count work and end full (issue 20, point 14).

BBC `add` ended at 50% (the bar was time elapsed over a guessed total time), `import` at 55%, and `reindex` never
drew its last frame. Each bar is read here from what a real terminal received (a pseudo-terminal): its
percentages never go down, and the last one drawn is 100%.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.conftest import BBC, need_shared
from tests.support.terminal import run_on_terminal

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PERCENT = re.compile(r"\s(\d{1,3})%\s")


def percentages(terminal: str, labels: tuple[str, ...]) -> list[int]:
    """The percentage of every frame of one bar, in the order drawn. An add's bar is labelled by its step
    (adding or importing, then indexing while a batch is committed)."""
    frames = [part for part in re.split(r"[\r\n]+", ANSI.sub("", terminal)) if part.startswith(labels)]
    return [int(found.group(1)) for frame in frames if (found := PERCENT.search(frame))]


def assert_counts_work_and_ends_full(shown: list[int]) -> None:
    assert shown, "no bar was drawn"
    assert shown == sorted(shown), f"the bar went backwards: {shown}"
    assert shown[-1] == 100, f"the bar ended at {shown[-1]}%: {shown}"


@pytest.fixture
def inputs() -> list[str]:
    need_shared(BBC)
    return [str(p) for p in sorted((BBC / "entertainment").glob("*.txt"))[:260]]


def test_add_import_and_reindex_bars_end_at_100_and_never_go_back(archive: Path, tmp_path: Path,
                                                                  inputs: list[str]) -> None:
    add = run_on_terminal([NEWSARC, "--archive", str(archive), "add", *inputs])
    assert add.returncode == 0, add.terminal
    assert_counts_work_and_ends_full(percentages(add.terminal, ("adding", "indexing")))

    export = tmp_path / "all.jsonl"
    assert run_on_terminal([NEWSARC, "--archive", str(archive), "export", "-o", str(export)]).returncode == 0
    copy = tmp_path / "copy"
    assert run_on_terminal([NEWSARC, "init", str(copy)]).returncode == 0
    imported = run_on_terminal([NEWSARC, "--archive", str(copy), "import", str(export)])
    assert imported.returncode == 0, imported.terminal
    assert_counts_work_and_ends_full(percentages(imported.terminal, ("importing", "indexing")))

    rebuilt = run_on_terminal([NEWSARC, "--archive", str(archive), "reindex"])
    assert rebuilt.returncode == 0, rebuilt.terminal
    assert_counts_work_and_ends_full(percentages(rebuilt.terminal, ("building index",)))



def test_the_bar_of_inputs_holding_many_articles_each_never_goes_back() -> None:
    """Three JSON Lines files of 1,000 bytes: the first holds 10 articles, the others 400 each. The articles
    expected grow as they are read (estimated from the bytes); the bar may pause, never go back."""
    from newsarc.cli.progress import AddMeter
    from newsarc.outcomes import AddOutcome

    meter = AddMeter(None, None, total_bytes=3000, sources=3)
    shown = []
    for articles in (10, 400, 400):
        for n in range(articles):
            meter.article(AddOutcome(f"r{n}", "added" if n % 5 else "duplicate"))
            shown.append(meter.work_fraction())
        meter.consumed(1000)
        shown.append(meter.work_fraction())
    added = meter.added
    meter.on_index(added, 0)
    shown.append(meter.work_fraction())
    meter.on_index(0, added)
    shown.append(meter.work_fraction())
    assert shown == sorted(shown)
    assert shown[-1] == 1.0
