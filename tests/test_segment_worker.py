"""A big bulk batch is indexed on two cores (newsarc/index/whoosh_internals/segment_worker.py): the archive a
user gets is the same as from one process, and a worker that dies costs time, never articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.index.whoosh_internals import segment_worker

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

COUNT = segment_worker.MIN_SPLIT + 100
QUERIES = ["election", "oil prices", '"prime minister"', "Abu Kamal", "Mohammed", "Raqqa", "government"]


def _records(path: Path) -> Path:
    """COUNT articles in JSON lines: names with variant spellings, common words, dates, tags."""
    places = ["Abu Kamal", "al-Bukamal", "Albu Kamal", "Raqqa", "Raqqah", "Deir ez-Zor"]
    people = ["Mohammed", "Muhammad", "Mohamed"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(COUNT):
            body = (f"{people[i % 3]} spoke in {places[i % 6]} about the election. Oil prices rose by {i} cents, "
                    f"the prime minister said. Story number {i}, paragraph two: markets and the government.")
            out.write(json.dumps({"title": f"Report {i} from {places[(i + 1) % 6]}", "body": body,
                                  "date": f"20{10 + i % 12}-0{1 + i % 9}-1{i % 10}", "source": "Wire",
                                  "tags": [places[i % 6], "Syria"] if i % 2 else ["Economy"]}) + "\n")
    return path


def _newsarc(archive: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "newsarc.cli.entry", "--archive", str(archive), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)


def _answers(archive: Path) -> list[str]:
    out = []
    for query in QUERIES:
        result = _newsarc(archive, "search", "--jsonl", "--limit", "1000", query)
        assert result.returncode in (0, 1), result.stderr
        out.append(sorted(json.loads(line)["id"] for line in result.stdout.splitlines()))
    return out


def test_an_import_split_over_two_processes_finds_what_one_process_finds(tmp_path: Path) -> None:
    if not segment_worker.worker_wanted(COUNT):
        pytest.skip("one core here: a batch is never split")
    records = _records(tmp_path / "in.jsonl")
    answers = {}
    for name, env in (("split", {}), ("one", {segment_worker.ENV_DISABLE: "0"})):
        archive = tmp_path / name
        assert subprocess.run([sys.executable, "-m", "newsarc.cli.entry", "init", str(archive)],
                              capture_output=True).returncode == 0
        result = _newsarc(archive, "import", str(records), env=env)
        assert result.returncode == 0, result.stderr
        assert f"{COUNT} imported" in result.stdout
        check = _newsarc(archive, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        answers[name] = _answers(archive)
    assert answers["split"] == answers["one"]
    assert all(answers["one"]), "every query should find something"


def test_a_worker_that_dies_costs_time_not_articles(archive: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker process is killed as soon as it has its half: the parent indexes that half itself."""
    from newsarc import api
    from newsarc.exchange.importer import read_import

    started = []
    submit = segment_worker.SegmentWorker.submit

    def submit_then_die(self: segment_worker.SegmentWorker, *args: object) -> None:
        submit(self, *args)  # type: ignore[arg-type]  # the real arguments, passed through
        started.append(self._process.pid)
        self._process.kill()

    monkeypatch.setattr(segment_worker.SegmentWorker, "submit", submit_then_die)
    monkeypatch.setattr(segment_worker, "worker_wanted", lambda size: size >= 2)
    records = _records(tmp_path / "in.jsonl")
    store = api.open_store(archive)
    try:
        report = api.AddReport()
        api.add_articles(store, ((f"record {n}", record) for n, record in enumerate(read_import(records, "jsonl"))),
                         report=report)
    finally:
        store.close()
    assert started, "the batch was not split"
    assert report.count("added") == COUNT
    monkeypatch.undo()
    check = _newsarc(archive, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    counted = _newsarc(archive, "search", "--count", "Report")
    assert counted.stdout.strip() == str(COUNT)
