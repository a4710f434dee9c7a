"""Bulk work: big directories, JSONL and mailboxes stream in bounded memory, resume quickly, report failures."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from newsarc import adding, api
from newsarc.ingest.dispatch import parse_source
from tests.support.events import finish, paused_env, sigint_as_at_a_terminal, wait_until_paused

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

WORDS = ["harbour", "council", "budget", "river", "school", "market", "bridge", "station", "library", "festival",
         "hospital", "museum", "farmers", "weather", "transport", "housing", "energy", "water", "police", "court"]


def _story(n: int) -> str:
    """A distinct story per n (no two are near-duplicates): words drawn by a small generator seeded by n."""
    state, words = n * 2654435761 % 2**32 + 1, []
    for _ in range(60):
        state = (state * 1103515245 + 12345) % 2**31
        words.append(WORDS[state % len(WORDS)] + str(state % 7))
    return f"Story number {n} about the {WORDS[n % len(WORDS)]}\n\n" + " ".join(words) + f". Reference {n}.\n"


def _make_dir(root: Path, count: int) -> Path:
    folder = root / "inbox"
    for n in range(count):
        sub = folder / f"batch{n % 5}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{n:05d}.txt").write_text(_story(n), encoding="utf-8")
    return folder


def test_directory_resume_skips_what_is_in_without_parsing(archive: Path, tmp_path: Path) -> None:
    folder = _make_dir(tmp_path, 300)
    store = api.open_store(archive)
    first = api.add_sources(store, api.iter_sources([str(folder)]))
    assert (first.count("added"), first.count("failed")) == (300, 0)
    second = api.add_sources(store, api.iter_sources([str(folder)]))
    assert second.count("duplicate") == 300 and second.resumed == 300  # by input hash, not parsed again
    victim = first.outcomes[10].id
    api.remove_article(store, victim)
    third = api.add_sources(store, api.iter_sources([str(folder)]))
    assert third.count("added") == 1 and third.resumed == 299  # a removed article comes back
    store.close()


def test_interrupted_run_finishes_on_the_next_run(archive: Path, tmp_path: Path) -> None:
    folder = _make_dir(tmp_path, 600)
    command = [sys.executable, "-m", "newsarc", "--archive", str(archive), "add", str(folder), "-q"]
    marker = tmp_path / "paused"  # the add waits there after its 50th article (newsarc.pause_point)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=paused_env(marker, 50),
                               preexec_fn=sigint_as_at_a_terminal)
    wait_until_paused(process, marker)
    process.send_signal(signal.SIGINT)
    finish(process, "the exit after Ctrl-C")
    assert process.returncode == 130
    done_before = len(list(archive.glob("articles/undated/*.yaml")))
    assert 0 < done_before < 600
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    added = int(result.stderr.split(" added")[0].split()[-1])
    assert added == 600 - done_before
    assert len(list(archive.glob("articles/undated/*.yaml"))) == 600
    listed = subprocess.run([sys.executable, "-m", "newsarc", "--archive", str(archive), "list", "-n", "0", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert len({row["id"] for row in json.loads(listed.stdout)}) == 600


def test_big_jsonl_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    body = " ".join(WORDS) * 12  # ~1.7 KB
    with path.open("w", encoding="utf-8") as handle:
        for n in range(15_000):  # ~27 MB: more than any single article may be, so only a stream can read it
            handle.write(json.dumps({"headline": f"Record {n}", "text": f"{body} {n}", "date": "2017-05-18"}) + "\n")
    assert path.stat().st_size > 25 * 2**20
    tracemalloc.start()
    count = 0
    with path.open("rb") as stream:
        for parsed in parse_source(stream, origin=str(path)):
            count += 1
            assert parsed["title"] == f"Record {count - 1}"
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 15_000
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MB for a {path.stat().st_size / 2**20:.0f} MB file"


def test_big_mbox_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "list.mbox"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(5_000):
            handle.write(f"From list@example.com Thu May 18 07:30:00 2017\nFrom: List <list@example.com>\n"
                         f"Subject: Issue {n}\nDate: Thu, 18 May 2017 07:30:00 +0000\n\n"
                         f"{' '.join(WORDS) * 10} {n}\n\n")
    tracemalloc.start()
    titles = [p["title"] for p in parse_source(path.open("rb"), origin=str(path))]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(titles) == 5_000 and titles[-1] == "Issue 4999"
    assert peak < 8 * 2**20


def test_big_jsonl_through_the_cli_with_failures_file(run, archive: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    body = " ".join(WORDS) * 40  # ~5.5 KB a record: 800 records make a file streamed, not read whole
    lines = [json.dumps({"title": f"Record {n}", "body": f"Record {n}. {body}"}) for n in range(800)]
    lines[100] = '{"title": "cut short'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > adding.STREAM_FROM_BYTES
    failures = tmp_path / "failures.jsonl"
    result = run("add", str(path), "--failures", str(failures), "--dedupe", "keep")
    assert result.exit_code == 8
    assert result.output.splitlines()[-1] == "799 added, 0 already in the archive, 1 failed"
    (failure,) = [json.loads(line) for line in failures.read_text().splitlines()]
    assert failure["path"] == f"{path} line 101" and "invalid JSON" in failure["reason"]
    again = run("add", str(path), "--dedupe", "keep")
    assert again.output.splitlines()[-1] == "0 added, 799 already in the archive, 1 failed"


def test_failures_in_a_directory_never_stop_the_run(run, archive: Path, tmp_path: Path) -> None:
    folder = _make_dir(tmp_path, 5)
    (folder / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "empty.txt").write_text("   \n")
    report = tmp_path / "failed.jsonl"
    result = run("add", str(folder), "--failures", str(report))
    assert result.exit_code == 8
    assert result.output.splitlines()[-1] == "5 added, 0 already in the archive, 2 failed"
    reasons = {Path(r["path"]).name: r["reason"] for r in map(json.loads, report.read_text().splitlines())}
    assert "binary file" in reasons["photo.html"] and "empty" in reasons["empty.txt"]


def test_progress_bar_shows_count_rate_and_eta(monkeypatch, tmp_path: Path) -> None:
    from newsarc.cli.progress import ingest_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setenv("COLUMNS", "120")
    sources = [api.Source(f"f{n}", lambda: b"", size=1000) for n in range(300)]
    outcome = api.AddOutcome("f", "added", "x")
    with ingest_progress(sources) as progress:
        for _ in range(150):
            progress.consumed(1000)
            progress.article(outcome)
        time.sleep(0.25)
        progress.article(outcome)
        progress.progress.refresh()
        shown = screen.getvalue()
    assert "adding" in shown and "151 articles" in shown and "/s" in shown and "ETA" in shown
    # Half the input read and none of it indexed yet (the slow step) is less than half the work (issue 11, #18).
    percent = int(re.findall(r"(\d+)%", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown))[-1])
    assert 0 < percent < 50
    os.environ.pop("COLUMNS", None)
