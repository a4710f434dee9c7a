"""Several newsarc processes at once: writers lose nothing, a waiting writer says so in one line and proceeds, a
lock left by a killed process is no lock at all, and readers never wait for a writer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from newsarc import api
from newsarc.check import check_archive
from newsarc.errors import ExitCode, LockTimeoutError
from tests.support.events import HANG_GUARD, finish, paused_env, wait_for, wait_until_paused

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
WAIT_MESSAGE = "waiting for another newsarc process (pid {pid}) to finish writing to the archive..."

# A process that takes the archive lock with newsarc's own ArchiveLock and holds it until its stdin closes: it
# stands for "another newsarc process busy writing", for exactly as long as a test needs.
HOLDER = """
import sys
from pathlib import Path
from newsarc.storage.locking import ArchiveLock
lock = ArchiveLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
sys.stdin.read()
lock.release()
"""


def newsarc(root: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSARC, "--archive", str(root), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=root.parent)


def start(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([NEWSARC, "--archive", str(root), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=root.parent, env=env)


def stories(directory: Path, numbers: range, prefix: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (directory / f"{prefix.lower()}-{n:04d}.txt").write_text(
            f"{prefix} story {n} headline\n\nDate: 2015-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n\n"
            f"Body of {prefix.lower()} story {n}: {prefix}word{n} and the word Syria.\n", encoding="utf-8")
    return directory


def new_archive(root: Path, articles: int = 40) -> Path:
    subprocess.run([NEWSARC, "init", str(root)], check=True, capture_output=True, cwd=root.parent)
    if articles:
        result = newsarc(root, "add", str(stories(root.parent / f"{root.name}-seed", range(articles), "Seed")),
                         "-q")
        assert result.returncode == 0, result.stderr
    return root


def file_ids(root: Path) -> set[str]:
    return {p.stem for p in (root / "articles").rglob("*.yaml")}


def tags_of(root: Path, article_id: str) -> list[str]:
    result = newsarc(root, "show", article_id, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["tags"]


def problems(root: Path) -> list[str]:
    store = api.open_store(root)
    try:
        return [p.line() for p in check_archive(store)]
    finally:
        store.close()


class Holder:
    """Another process holding the archive lock until release() (or kill())."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(root / ".newsarc" / "lock")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root.parent)
        assert self.proc.stdout.readline().strip() == "held"
        self.pid = self.proc.pid

    def release(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=HANG_GUARD) == 0

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


# -- writers at once -------------------------------------------------------------------------------------------
def concurrent_round(base: Path, number: int) -> dict[str, int]:
    """Two bulk adds (overlapping), an import and a run of tag commands at once, with searches throughout."""
    root = new_archive(base / f"round{number}")
    target = sorted(file_ids(root))[7]
    before = file_ids(root)
    bulk_a = stories(base / f"a{number}", range(0, 120), "Bulk")
    bulk_b = stories(base / f"b{number}", range(100, 180), "Bulk")  # 20 articles also in bulk_a
    other = new_archive(base / f"other{number}", 0)
    assert newsarc(other, "add", str(stories(base / f"i{number}", range(60), "Imported")), "-q").returncode == 0
    jsonl = base / f"import{number}.jsonl"
    assert newsarc(other, "export", "-o", str(jsonl)).returncode == 0
    imported = file_ids(other)

    outputs: list[subprocess.CompletedProcess[str]] = []
    searches: list[subprocess.CompletedProcess[str]] = []
    done = threading.Event()

    def tagger() -> None:
        for n in range(6):
            outputs.append(newsarc(root, "tag", target, f"+Round tag {n}"))

    def searcher() -> None:
        while not done.is_set():
            searches.append(newsarc(root, "search", "Syria", "--count"))
            done.wait(0.3)

    writers = [start(root, "add", str(bulk_a)), start(root, "add", str(bulk_b)), start(root, "import", str(jsonl))]
    threads = [threading.Thread(target=tagger), threading.Thread(target=searcher)]
    for thread in threads:
        thread.start()
    for proc in writers:
        stdout, stderr = proc.communicate(timeout=300)
        outputs.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    threads[0].join(timeout=300)
    done.set()
    threads[1].join(timeout=300)

    for result in outputs:
        assert result.returncode == 0, (result.args, result.stderr)
        assert "Traceback" not in result.stderr
        # At most the one-line wait message (its pid is missing if read while the holder is writing it).
        assert all(line.startswith("waiting for another newsarc process") for line in
                   result.stderr.splitlines()), result.stderr
    for result in searches:
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        assert "waiting" not in result.stderr  # readers never wait
    bulk_ids = file_ids(root) - before - imported
    assert len(bulk_ids) == 180  # 120 + 80 with 20 in common, each once
    assert file_ids(root) == before | imported | bulk_ids
    assert {f"Round tag {n}" for n in range(6)} <= set(tags_of(root, target))  # no lost update
    assert problems(root) == []
    searched = newsarc(root, "search", "Syria", "--ids", "--limit", "10000")
    assert set(searched.stdout.split()) == file_ids(root)
    return {"writers": len(outputs), "searches": len(searches),
            "waits": sum("waiting for another newsarc process" in r.stderr for r in outputs)}


def test_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    totals = {"writers": 0, "searches": 0, "waits": 0}
    for number in range(2):
        for key, value in concurrent_round(tmp_path, number).items():
            totals[key] += value
    print(f"concurrency: 2 rounds, {totals['writers']} writer processes, {totals['waits']} waited for the lock, "
          f"{totals['searches']} searches during the writes")
    assert totals["waits"] > 0  # the writers really did overlap


@pytest.mark.slow
def test_writers_at_once_lose_nothing_many_rounds(tmp_path: Path) -> None:
    waits = 0
    for number in range(15):
        waits += concurrent_round(tmp_path, number)["waits"]
    print(f"concurrency: 15 rounds, {waits} lock waits")


def test_two_first_writers_build_a_new_index_together(tmp_path: Path) -> None:
    """Whoosh alone fails when two processes create an index at once; under the archive lock it cannot happen."""
    root = new_archive(tmp_path / "fresh", 0)
    a = start(root, "add", str(stories(tmp_path / "fa", range(0, 60), "First")))
    b = start(root, "add", str(stories(tmp_path / "fb", range(60, 120), "First")))
    for proc in (a, b):
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr
    assert len(file_ids(root)) == 120
    assert problems(root) == []


# -- the lock --------------------------------------------------------------------------------------------------
def test_waiting_writer_says_so_in_one_line_and_proceeds(tmp_path: Path) -> None:
    root = new_archive(tmp_path / "arc", 5)
    target = sorted(file_ids(root))[0]
    holder = Holder(root)
    said = root.parent / "tag.stderr"
    with open(said, "w", encoding="utf-8") as stderr_file:
        tag = subprocess.Popen([NEWSARC, "--archive", str(root), "tag", target, "+Patience"],
                               stdout=subprocess.PIPE, stderr=stderr_file, text=True, cwd=root.parent)
    wait_for(lambda: said.read_text(encoding="utf-8").endswith("\n"), "the waiting writer's message", process=tag)
    assert tag.poll() is None  # it waits ...
    holder.release()
    stdout, _ = finish(tag, "the waiting writer's exit once the lock was free")
    assert tag.returncode == 0, said.read_text(encoding="utf-8")  # ... and proceeds
    assert said.read_text(encoding="utf-8").splitlines() == [WAIT_MESSAGE.format(pid=holder.pid)]
    assert stdout.startswith(f"{target}  tags: ")
    assert "Patience" in tags_of(root, target)


def test_lock_wait_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    root = new_archive(tmp_path / "arc", 3)
    target = sorted(file_ids(root))[0]
    holder = Holder(root)
    store = api.open_store(root)
    store.archive.lock.timeout = 0.5
    messages: list[str] = []
    store.archive.lock.on_wait = messages.append
    try:
        with pytest.raises(LockTimeoutError) as caught:
            api.retag(store, target, ["Never"])
    finally:
        store.close()
        holder.release()
    assert messages == [WAIT_MESSAGE.format(pid=holder.pid)]
    message = str(caught.value)
    assert message.startswith(f"the archive is locked by another newsarc process (pid {holder.pid}) for over ")
    assert message.endswith(" s; try again when it has finished") and "\n" not in message
    assert caught.value.exit_code == ExitCode.LOCKED
    assert "Never" not in tags_of(root, target)


def test_lock_of_a_killed_holder_is_free_at_once(tmp_path: Path) -> None:
    root = new_archive(tmp_path / "arc", 3)
    target = sorted(file_ids(root))[0]
    holder = Holder(root)
    holder.kill()
    assert (root / ".newsarc" / "lock").read_text().strip() == str(holder.pid)  # its pid is still written there
    result = newsarc(root, "tag", target, "+Free", timeout=HANG_GUARD)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no wait: a writer that waits says so first (test_waiting_writer_says_so...)
    assert "Free" in tags_of(root, target)


def test_newsarc_killed_while_writing_leaves_no_stale_lock(tmp_path: Path) -> None:
    """kill -9 a real bulk add once it holds the lock: the kernel drops its flock, the next writer goes ahead."""
    root = new_archive(tmp_path / "arc", 20)
    target = sorted(file_ids(root))[0]
    bulk = stories(tmp_path / "bulk", range(400), "Killed")
    marker = tmp_path / "paused"  # the add waits there, lock held, after its 50th article (newsarc.pause_point)
    proc = subprocess.Popen([NEWSARC, "--archive", str(root), "add", str(bulk)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=tmp_path, env=paused_env(marker, 50))
    wait_until_paused(proc, marker)
    assert (root / ".newsarc" / "lock").read_text().strip() == str(proc.pid)  # it holds the lock
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 20 < len(file_ids(root)) < 420  # killed in the middle of its writing
    result = newsarc(root, "tag", target, "+After the kill")
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stderr
    assert "After the kill" in tags_of(root, target)
    assert [p for p in problems(root) if "temporary file" not in p] == []


# -- readers ---------------------------------------------------------------------------------------------------
def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    root = new_archive(tmp_path / "arc", 10)
    some_id = newsarc(root, "search", "Seedword3", "--ids").stdout.strip()
    assert some_id in file_ids(root)
    holder = Holder(root)
    try:
        for args, expect in ((["search", "Seedword3"], some_id), (["list", "-n", "0"], some_id),
                             (["show", some_id], "Seed story"), (["stats"], "articles"),
                             (["export", "--query", "Syria"], some_id)):
            # The lock is held until release(): a reader that waited for it would say "waiting" and fail with
            # the lock time-out (exit 6) after 60 s, within this bound.
            result = newsarc(root, *args, timeout=HANG_GUARD)
            assert result.returncode == 0, (args, result.stderr)
            assert expect in result.stdout
            assert "waiting" not in result.stderr and "Traceback" not in result.stderr
        # A file added by hand meanwhile is left for the next command that can take the lock ...
        handmade = root / "articles" / "2015" / "01" / "0000000h4n.yaml"
        handmade.parent.mkdir(parents=True, exist_ok=True)
        handmade.write_text("id: 0000000h4n\ntitle: Handmade\ndate: 2015-01-05\nbody: Handword3 here.\n",
                            encoding="utf-8")
        assert newsarc(root, "search", "Handword3").returncode == ExitCode.NO_MATCH
    finally:
        holder.release()
    assert newsarc(root, "search", "Handword3", "--ids").stdout.split() == ["0000000h4n"]  # ... like this one


def test_search_during_a_real_bulk_add(tmp_path: Path) -> None:
    root = new_archive(tmp_path / "arc", 10)
    bulk = stories(tmp_path / "bulk", range(1500), "Busy")
    marker = tmp_path / "paused"  # the writer waits there, lock held, after its 100th article
    writer = start(root, "add", str(bulk), "-q", env=paused_env(marker, 100))
    wait_until_paused(writer, marker)
    assert (root / ".newsarc" / "lock").read_text().strip() == str(writer.pid)  # it holds the lock
    result = newsarc(root, "search", "Seedword5", "--ids", timeout=HANG_GUARD)
    still_writing = writer.poll() is None
    marker.unlink()  # let the writer go on
    _, stderr = finish(writer, "the end of the bulk add", timeout=300)
    assert writer.returncode == 0, stderr
    assert len(file_ids(root)) == 1510
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 1
    assert still_writing, "the search should have overlapped the writer"
    assert len(file_ids(root)) == 1510
    assert problems(root) == []


def test_search_before_the_first_index_exists_is_a_clear_error(tmp_path: Path) -> None:
    root = new_archive(tmp_path / "arc", 0)
    holder = Holder(root)
    try:
        result = newsarc(root, "search", "anything")
    finally:
        holder.release()
    assert result.returncode == ExitCode.LOCKED
    assert result.stderr.strip() == (f"newsarc: error: the search index is being built by another newsarc "
                                     f"process (pid {holder.pid}); search again when it has finished")
