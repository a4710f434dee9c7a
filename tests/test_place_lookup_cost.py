"""What the gazetteer costs a search (issue 22 point 6: search no slower than before the gazetteer), counted,
not timed.

A query of lower-case words (the benchmark's searches: election, oil prices, "prime minister", bank with dates)
names no place, so the search loads nothing of the gazetteer: not its module, not its file, not a look-up (nor
the name readings and alias rewriting that only a name needs). A
capitalised word is looked up in the tables with a few indexed reads, never by reading the 1 MiB key filter
that indexing uses (about a millisecond of a process for a handful of words); a place is still found in all its
spellings, and a Khan Yunis still quoted as one name.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.archives import add_named

NEWSARC = Path(sys.executable).parent / "newsarc"
BENCH_QUERIES = [("election",), ("oil", "prices"), ('"prime minister"',), ("bank", "--since", "2008-01",
                                                                           "--until", "2015-12")]
STORIES = {
    "en": ("Shelling in Aleppo", "Shelling hit Aleppo on Monday; the election was put off, said Mr Blair."),
    "tr": ("Bombardıman", "Halep'te çatışmalar sürüyor."),
    "gaza": ("Khan Yunis", "Aid reached Khan Younes on Monday, officials said."),
}


@pytest.fixture
def ids(archive: Path) -> dict[str, str]:
    return add_named(archive, {name: {"title": t, "body": b, "date": "2010-01-02"} for name, (t, b) in STORIES.items()})


def _imported(archive: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSARC_ARCHIVE", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    proc = subprocess.run([str(NEWSARC), "--archive", str(archive), "search", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return proc, modules


@pytest.mark.parametrize("args", BENCH_QUERIES)
def test_a_search_process_for_lower_case_words_does_not_load_the_gazetteer(archive: Path, ids: dict[str, str],
                                                                           args: tuple[str, ...]) -> None:
    proc, modules = _imported(archive, *args)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "newsarc.index.query" in modules  # the trace is real: the query parser shows in it
    assert "newsarc.names.gazetteer" not in modules
    # Nor what only a name needs: the other readings of name words, the alias groups' query rewriting.
    assert "newsarc.names.readings" not in modules and "newsarc.names.alias_query" not in modules


def test_a_search_process_for_a_place_loads_it_and_finds_every_spelling(archive: Path, ids: dict[str, str]) -> None:
    proc, modules = _imported(archive, "Aleppo", "--ids")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"newsarc.names.gazetteer", "newsarc.names.readings"} <= modules
    assert set(proc.stdout.split()) == {ids["en"], ids["tr"]}


class Counted:
    """Counts of the gazetteer's work during a search: table() asked for, key-filter reads, table reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from newsarc.names import gazetteer

        self.calls: Counter[str] = Counter()
        fresh = gazetteer.Gazetteer()  # a new process's table: nothing read yet
        monkeypatch.setattr(gazetteer, "_TABLE", fresh)
        real_table, real_filter, real_db = gazetteer.table, gazetteer.Gazetteer._read_filter, gazetteer.Gazetteer._db

        def table() -> Any:
            self.calls["table"] += 1
            return real_table()

        def read_filter(table_: Any) -> bytes:
            self.calls["filter"] += 1
            return real_filter(table_)

        def db(table_: Any) -> Any:
            self.calls["reads"] += 1
            return real_db(table_)

        monkeypatch.setattr(gazetteer, "table", table)
        monkeypatch.setattr(gazetteer.Gazetteer, "_read_filter", read_filter)
        monkeypatch.setattr(gazetteer.Gazetteer, "_db", db)


@pytest.mark.parametrize("args", BENCH_QUERIES)
def test_lower_case_words_make_no_place_look_up(run, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                args: tuple[str, ...]) -> None:
    counted = Counted(monkeypatch)
    result = run("search", *args, "--ids")
    assert result.exit_code in (0, 1), result.output
    assert counted.calls == Counter()


def test_a_capitalised_word_that_is_no_place_costs_a_few_table_reads(run, ids: dict[str, str],  # type: ignore[no-untyped-def]
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    counted = Counted(monkeypatch)
    assert set(run("search", "Blair", "--ids").stdout.split()) == {ids["en"]}
    assert counted.calls["filter"] == 0
    assert 0 < counted.calls["reads"] <= 4  # exact and derived keys of one word (the `places` clause's check)


def test_places_are_still_found_in_every_spelling_without_the_filter(run, ids: dict[str, str],  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    counted = Counted(monkeypatch)
    assert set(run("search", "Halep", "--ids").stdout.split()) == {ids["en"], ids["tr"]}
    assert set(run("search", "Khan Yunis", "--ids").stdout.split()) == {ids["gaza"]}
    explained = run("search", "Khan Yunis", "--explain", "--count").output
    assert "any:<khan " in explained and "places:" in explained  # quoted as one name, and searched as the place
    assert "gazetteer place: Khān Yūnis" in explained
    assert counted.calls["filter"] == 0 and counted.calls["reads"] > 0
