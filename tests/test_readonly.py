"""A read-only archive (a read-only mount, a colleague's archive): reading works, writing fails in one line
(issue 11, point 3). The archive is made read-only for real: a read-only bind mount in a user namespace."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BBC, SEED, need_shared

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

NEWSARC = str(Path(sys.executable).with_name("newsarc"))


def _can_mount_read_only(tmp: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-r", "-m", "sh", "-c", f"mount --bind -o ro {tmp} {tmp} && touch {tmp}/x"],
                           capture_output=True, text=True)
    return "Read-only file system" in probe.stderr


def read_only(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `newsarc --archive ARCHIVE ARGS` with the archive mounted read-only."""
    command = " ".join(shlex.quote(a) for a in [NEWSARC, "--archive", str(archive), *args])
    script = f"mount --bind -o ro {shlex.quote(str(archive))} {shlex.quote(str(archive))} && exec {command}"
    return subprocess.run(["unshare", "-r", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60)


@pytest.fixture
def ro_archive(run, archive: Path, tmp_path: Path) -> Path:
    need_shared(SEED)
    need_shared(BBC)
    probe = tmp_path / "probe"
    probe.mkdir()
    if not _can_mount_read_only(probe):
        pytest.skip("needs `unshare -r -m` (user namespaces) to mount the archive read-only")
    assert run("add", str(SEED), *(str(p) for p in sorted((BBC / "tech").glob("*.txt"))[:3])).exit_code == 0
    return archive


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_reading_works_and_says_nothing_when_the_index_is_current(ro_archive: Path) -> None:
    before = snapshot(ro_archive)
    search = read_only(ro_archive, "search", "Assad", "--ids")
    assert (search.returncode, search.stdout, search.stderr) == (0, "x9v9r6tm09\n", "")
    for args in (["show", "x9v9"], ["list"], ["stats"], ["export"], ["search", "spyware"]):
        result = read_only(ro_archive, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr and "warning" not in result.stderr, args
    assert snapshot(ro_archive) == before


def test_a_changed_yaml_is_read_with_one_warning_that_the_index_may_be_stale(ro_archive: Path) -> None:
    [seed_file] = ro_archive.glob("articles/2017/05/x9v9r6tm09.yaml")
    seed_file.write_text(seed_file.read_text(encoding="utf-8").replace("Rudaw", "Rudaw English"), encoding="utf-8")
    result = read_only(ro_archive, "search", "Assad", "--ids")
    assert result.returncode == 0
    assert result.stdout == "x9v9r6tm09\n"  # the index as it stands
    assert result.stderr == (
        f"newsarc: warning: the archive at {ro_archive} cannot be written (read-only file system): its index may "
        "be stale (1 article file changed since it was last updated); reading it as it stands\n")
    shown = read_only(ro_archive, "show", "x9v9", "--format", "yaml")
    assert "source: Rudaw English" in shown.stdout  # show reads the YAML itself
    assert shown.stderr.count("may be stale") == 1


@pytest.mark.parametrize("args", [
    ["add", "{bbc}/tech/010.txt"], ["tag", "x9v9", "+Extra"], ["rm", "x9v9"], ["import", "{export}"],
    ["reindex"],
], ids=["add", "tag", "rm", "import", "reindex"])
def test_writing_fails_in_one_line_naming_the_archive(ro_archive: Path, tmp_path: Path, args: list[str]) -> None:
    export = tmp_path / "x.jsonl"
    export.write_text('{"id": "abcdefghjk", "title": "T", "body": "B"}\n', encoding="utf-8")
    before = snapshot(ro_archive)
    result = read_only(ro_archive, *(a.format(bbc=BBC, export=export) for a in args))
    assert result.returncode == 6
    assert result.stderr == (f"newsarc: error: cannot write to the archive at {ro_archive} (read-only file "
                             "system); commands that only read it still work\n")
    assert snapshot(ro_archive) == before


def test_an_archive_of_another_user_is_read_and_not_written(tmp_path: Path) -> None:
    """Write permission rather than a read-only mount: the archive belongs to someone else (root runs the test
    as `nobody`; another user makes the archive unwritable to itself)."""
    import os
    import stat
    import tempfile

    need_shared(SEED)
    shared = Path(tempfile.mkdtemp(prefix="newsarc-shared-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        arc = shared / "arc"
        for args in (["init", str(arc)], ["--archive", str(arc), "add", str(SEED)]):
            assert subprocess.run([NEWSARC, *args], capture_output=True, timeout=60).returncode == 0
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("needs setpriv to run as another user")
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        else:
            prefix = []
            for path in [arc, *arc.rglob("*")]:
                path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

        def as_reader(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*prefix, NEWSARC, "--archive", str(arc), *args], capture_output=True, text=True,
                                  timeout=60, cwd="/")

        search = as_reader("search", "Assad", "--ids")
        assert (search.returncode, search.stdout, search.stderr) == (0, "x9v9r6tm09\n", "")
        tag = as_reader("tag", "x9v9", "+Extra")
        assert tag.returncode == 6
        assert tag.stderr == (f"newsarc: error: cannot write to the archive at {arc} (permission denied); "
                              "commands that only read it still work\n")
    finally:
        for path in [shared, *shared.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(shared, ignore_errors=True)


# -- issue 20, point 7: every reading command reads, every writer fails in one line --------------------------
READERS = [
    ["search", "Assad"], ["search", "Assad", "--json"], ["show", "x9v9"], ["show", "x9v9", "--format", "json"],
    ["show", "x9v9", "--versions"], ["show", "{version}", "--diff"], ["list"], ["list", "--json"], ["stats"],
    ["export"], ["export", "-o", "{out}"], ["dups"], ["dups", "--json"], ["similar", "x9v9"],
    ["timeline", "Assad"], ["check"], ["check", "--json"], ["alias", "list"], ["watch", "list"],
    ["watch", "run", "--peek"], ["feed", "list"],
]


@pytest.fixture
def rich_ro_archive(ro_archive: Path, run, tmp_path: Path) -> Path:
    """The read-only archive with a second version of one page, an alias, a watch and a feed to read."""
    import json

    body = " ".join(f"word{n}" for n in range(60))
    first, second = tmp_path / "v1.json", tmp_path / "v2.json"
    for path, text in ((first, body), (second, body.replace("word5 ", "changed5 "))):
        path.write_text(json.dumps({"title": "Ministers agree budget plan", "url": "https://example.com/budget",
                                    "body": text}), encoding="utf-8")
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><item><title>One</title>'
                    "<link>https://example.com/one</link><description>Text of one.</description></item>"
                    "</channel></rss>", encoding="utf-8")
    for args in (["add", str(first)], ["add", str(second)], ["alias", "add", "Bukamal", "Abu Kamal"],
                 ["watch", "add", "syria", "Assad"], ["feed", "add", str(feed)], ["search", "Assad"]):
        assert run(*args).exit_code == 0, (args, run(*args).output)
    return ro_archive


def _version_id(archive: Path) -> str:
    import yaml

    for path in archive.glob("articles/**/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("version_of"):
            return str(data["id"])
    raise AssertionError("no second version was made")


@pytest.mark.parametrize("args", READERS, ids=[" ".join(a) for a in READERS])
def test_every_reading_command_reads_a_read_only_archive(rich_ro_archive: Path, tmp_path: Path,
                                                         args: list[str]) -> None:
    before = snapshot(rich_ro_archive)
    out = tmp_path / "export.jsonl"
    words = [a.format(out=out, version=_version_id(rich_ro_archive)) for a in args]
    result = read_only(rich_ro_archive, *words)
    assert result.returncode == 0, (words, result.stderr)
    assert "Traceback" not in result.stderr and "error" not in result.stderr, (words, result.stderr)
    assert result.stdout or result.stderr or out.exists(), words  # check speaks on stderr
    assert snapshot(rich_ro_archive) == before


WRITERS = [
    ["feed", "update"], ["feed", "add", "{feed}"], ["feed", "rm", "1"], ["alias", "add", "Raqqa", "Rakka"],
    ["alias", "rm", "Bukamal"], ["watch", "add", "more", "Iraq"], ["watch", "rm", "syria"], ["watch", "run"],
    ["reextract", "x9v9"],
]


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a) for a in WRITERS])
def test_every_writer_fails_in_one_line_naming_the_archive(rich_ro_archive: Path, tmp_path: Path,
                                                            args: list[str]) -> None:
    feed = tmp_path / "other.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Other</title></channel></rss>',
                    encoding="utf-8")
    before = snapshot(rich_ro_archive)
    result = read_only(rich_ro_archive, *(a.format(feed=feed) for a in args))
    assert result.returncode == 6, (args, result.stderr)
    assert result.stderr == (f"newsarc: error: cannot write to the archive at {rich_ro_archive} (read-only file "
                             "system); commands that only read it still work\n")
    assert snapshot(rich_ro_archive) == before


def test_check_reads_and_check_repair_refuses_in_one_line(rich_ro_archive: Path) -> None:
    before = snapshot(rich_ro_archive)
    check = read_only(rich_ro_archive, "check")
    assert check.returncode == 0, check.stderr
    assert check.stderr.endswith("no problems\n") and "error" not in check.stderr
    repair = read_only(rich_ro_archive, "check", "--repair")
    assert repair.returncode == 6
    assert repair.stderr == (f"newsarc: error: cannot repair the archive at {rich_ro_archive} (read-only file "
                             "system): `newsarc check` without --repair only reads it\n")
    assert snapshot(rich_ro_archive) == before
