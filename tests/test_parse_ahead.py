"""A big `add FOLDER` reads and parses the next files in a helper process (newsarc/ingest/parse_ahead.py) while
it adds the current ones: the archive, the report and a later resumed add are exactly what one process gives,
and a helper that dies costs time, never an article."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsarc.ingest import parse_ahead
from tests.conftest import BBC, need_shared

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

FIXTURES = Path(__file__).parent / "fixtures"
TOO_FEW = parse_ahead.START_AFTER + 8  # BBC stories before the odd files, so that the helper takes those


def _folder(root: Path) -> Path:
    """BBC stories, then (after the helper has started) inputs of every awkward kind: other encodings, a feed
    (parsed by the adding process), a JSON array and JSON lines (several articles each), an empty file, a story
    saved twice under two names."""
    folder = root / "saved"
    folder.mkdir()
    stories = sorted(need_shared(BBC).rglob("*.txt"))[:TOO_FEW + 20]
    for number, path in enumerate(stories):
        shutil.copy(path, folder / f"a{number:03d}.txt")
    shutil.copy(stories[0], folder / "z-copy-of-a000.txt")
    for fixture in ("encodings/russian_cp1251.txt", "encodings/german_latin1.txt", "encodings/arabic_cp1256.txt",
                    "feeds/atom_3.xml", "structured/scraper_array.json", "structured/briefs.jsonl",
                    "structured/front_matter.md"):
        shutil.copy(FIXTURES / fixture, folder / f"z-{Path(fixture).name}")
    (folder / "z-empty.txt").write_bytes(b"")
    return folder


def _add(archive: Path, folder: Path) -> list[tuple[str, str, str]]:
    from newsarc import api

    store = api.open_store(archive)
    try:
        report = api.add_sources(store, api.iter_sources([str(folder)]))
    finally:
        store.close()
    return sorted((o.origin, o.status, o.reason) for o in report.outcomes)


def _files(archive: Path) -> dict[str, list[str]]:
    """Every article file's lines but its `added:` time."""
    return {str(path.relative_to(archive)): [line for line in path.read_text("utf-8").splitlines()
                                              if not line.startswith("added:")]
            for path in sorted((archive / "articles").rglob("*.yaml"))}


def _counting_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    answered: list[int] = []
    answer = parse_ahead._Helper.answer

    def counted(self: Any) -> Any:
        result = answer(self)
        answered.append(result is not None)
        return result

    monkeypatch.setattr(parse_ahead._Helper, "answer", counted)
    return answered


def test_files_parsed_ahead_give_the_archive_one_process_gives(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core here: the helper never starts")
    from newsarc.storage.archive import init_archive

    folder = _folder(tmp_path)
    answered = _counting_answers(monkeypatch)
    ahead, alone = init_archive(tmp_path / "ahead"), init_archive(tmp_path / "alone")
    first = _add(ahead, folder)
    assert sum(answered) >= 20, "the helper parsed (almost) nothing"
    monkeypatch.setenv(parse_ahead.ENV_DISABLE, "0")
    assert _add(alone, folder) == first
    assert {status for _origin, status, _reason in first} == {"added", "duplicate", "failed"}
    assert any(origin.endswith("z-empty.txt") for origin, status, _reason in first if status == "failed")
    assert _files(ahead) == _files(alone)

    # Added again: every input is recognised by the resume ledger or as a duplicate, the same way.
    monkeypatch.delenv(parse_ahead.ENV_DISABLE)
    answered.clear()
    again = _add(ahead, folder)
    assert sum(answered) >= 20
    monkeypatch.setenv(parse_ahead.ENV_DISABLE, "0")
    assert _add(alone, folder) == again
    assert not [o for o in again if o[1] == "added"]


def test_a_helper_that_dies_costs_time_not_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper is killed after its fifth answer: the files it was asked for are parsed here instead."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core here: the helper never starts")
    from newsarc.storage.archive import init_archive

    folder = _folder(tmp_path)
    answers: list[Any] = []
    answer = parse_ahead._Helper.answer

    def answer_then_die(self: Any) -> Any:
        result = answer(self)
        answers.append(result)
        if len(answers) == 5:
            self.process.kill()
            self.process.wait()
        return result

    monkeypatch.setattr(parse_ahead._Helper, "answer", answer_then_die)
    ahead, alone = init_archive(tmp_path / "ahead"), init_archive(tmp_path / "alone")
    outcomes = _add(ahead, folder)
    assert len([a for a in answers if a is not None]) >= 5 and answers[-1] is None, "the helper did not die"
    monkeypatch.setenv(parse_ahead.ENV_DISABLE, "0")
    assert _add(alone, folder) == outcomes
    assert _files(ahead) == _files(alone)


def test_newsarc_add_of_a_folder_prints_what_one_process_prints(tmp_path: Path) -> None:
    """The command as a user runs it."""
    folder = _folder(tmp_path)
    out = {}
    for name, value in (("ahead", "1"), ("alone", "0")):
        archive = tmp_path / name
        env = {**os.environ, parse_ahead.ENV_DISABLE: value}
        assert subprocess.run([sys.executable, "-m", "newsarc.cli.entry", "init", str(archive)],
                              capture_output=True, env=env).returncode == 0
        result = subprocess.run([sys.executable, "-m", "newsarc.cli.entry", "--archive", str(archive), "add",
                                 str(folder)], capture_output=True, text=True, env=env, timeout=300)
        out[name] = (result.returncode, result.stdout, result.stderr)
    assert out["ahead"] == out["alone"]
    assert out["ahead"][0] != 0 and "z-empty.txt: file is empty" in out["ahead"][2]  # some inputs failed
    assert "added" in out["ahead"][1]


def test_the_archive_s_own_ingest_rules_reach_the_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files parsed ahead obey the `ingest_rules:` of the archive's settings, as those parsed here do."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core here: the helper never starts")
    from newsarc.storage.archive import init_archive

    folder = tmp_path / "saved"
    folder.mkdir()
    for number in range(TOO_FEW + 10):
        (folder / f"{number:03d}.txt").write_text(
            f"Storm {number} hits coast\n\nListen to this story\nA storm hit the south coast on day {number}.\n\n"
            "Engineers worked through the night.\n\nMore from the desk: other stories\n", encoding="utf-8")
    archive = init_archive(tmp_path / "arc")
    settings = archive / "newsarc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "ingest_rules:\n  furniture:\n    exact: ['Listen to this story']\n"
                          "  footer:\n    patterns: ['More from the desk.*']\n", encoding="utf-8")
    answered = _counting_answers(monkeypatch)
    assert {status for _origin, status, _reason in _add(archive, folder)} == {"added"}
    assert sum(answered) >= 5, "the helper parsed nothing"
    bodies = _files(archive)
    assert len(bodies) == TOO_FEW + 10
    for lines in bodies.values():
        assert not [line for line in lines if "Listen to this story" in line or "More from the desk" in line]
