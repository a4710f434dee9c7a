"""Feedback a user can trust (issue 20, point 15): the same situation gets the same answer in every command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED, need_shared

NEWSARC = str(Path(sys.executable).with_name("newsarc"))


def newsarc(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, NEWSARC, *args], capture_output=True, text=True, timeout=60, cwd=cwd,
                          env={**os.environ, "COLUMNS": "80", **(env or {})})


def story(folder: Path, name: str, title: str, body: str = "A body of a few words.") -> Path:
    path = folder / name
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [["list"], ["feed", "list"], ["watch", "list"], ["alias", "list"],
                                  ["watch", "run"]], ids=lambda a: " ".join(a))
def test_an_empty_listing_is_exit_1_with_one_line_on_stderr(archive: Path, args: list[str]) -> None:
    """README's exit status table: 1 is "a search, listing or watch run found nothing, like grep"."""
    result = newsarc("--archive", str(archive), *args)
    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1 and "error" not in result.stderr


@pytest.mark.parametrize("args", [["feed", "list", "--json"], ["watch", "list", "--json"],
                                  ["alias", "list", "--json"]], ids=lambda a: " ".join(a))
def test_an_empty_machine_listing_is_an_empty_array_and_exit_1(archive: Path, args: list[str]) -> None:
    result = newsarc("--archive", str(archive), *args)
    assert (result.returncode, json.loads(result.stdout)) == (1, [])


@pytest.mark.parametrize("value, why", [
    ("2020-02-30", "2020-02-30 does not exist: February 2020 has 29 days"),
    ("2019-02-29", "2019-02-29 does not exist: February 2019 has 28 days"),
    ("2020-13-01", "2020-13-01 does not exist: there is no month 13"),
])
def test_a_date_that_does_not_exist_is_called_so(run, archive: Path, tmp_path: Path, value: str, why: str) -> None:
    # A bad --date is the command line's mistake, said once before any input is read (exit 2, as `list --since`
    # does), also when the input is already in the archive (it was silently ignored then).
    first = story(tmp_path, "a.txt", "Title")
    assert run("add", str(first)).exit_code == 0
    before = sorted(p.name for p in archive.rglob("*.yaml"))
    added = newsarc("--archive", str(archive), "add", str(first), str(story(tmp_path, "b.txt", "Other title")),
                    "--date", value)
    assert added.returncode == 2, added.stderr
    assert added.stdout == ""
    assert added.stderr == (f"newsarc: error: --date must be a date: {why}; give a day that is in the calendar "
                            "(see `newsarc add --help`)\n")
    assert sorted(p.name for p in archive.rglob("*.yaml")) == before  # nothing read, nothing added
    listed = run("list", "--since", value)
    assert listed.exit_code == 2 and f"{value} is not a real date: {why.split(': ', 1)[1]}" in listed.output


def test_init_with_an_empty_name_is_refused(tmp_path: Path) -> None:
    result = newsarc("init", "", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("newsarc: error: the directory name is empty; name the directory for the archive, or "
                             "leave it out to make the current directory one\n")
    assert list(tmp_path.iterdir()) == []
    empty_archive = newsarc("--archive", "", "list", cwd=tmp_path)
    assert empty_archive.returncode == 2 and "--archive" in empty_archive.stderr


def test_init_where_it_may_not_write_is_one_line(tmp_path: Path) -> None:
    import tempfile

    locked = Path(tempfile.mkdtemp(prefix="newsarc-locked-", dir="/tmp"))
    try:
        if os.geteuid() == 0:  # root writes anywhere: run as nobody, as tests/test_readonly.py does
            if shutil.which("setpriv") is None:
                pytest.skip("needs setpriv to run as another user")
            locked.chmod(0o755)
            prefix: tuple[str, ...] = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        else:
            locked.chmod(0o555)
            prefix = ()
        result = newsarc("init", str(locked / "news"), prefix=prefix, cwd=Path("/"))
        assert result.returncode == 6
        assert result.stderr == (f"newsarc: error: cannot create an archive at {locked / 'news'} (permission "
                                 "denied); choose a folder you can write to\n")
    finally:
        locked.chmod(0o755)
        shutil.rmtree(locked, ignore_errors=True)


@pytest.mark.parametrize("args, meant", [
    (["--json", "list"], "newsarc list --json"),
    (["--limit", "3", "list"], "newsarc list --limit 3"),
    (["--ids", "search", "Assad"], "newsarc search --ids Assad"),
], ids=["--json list", "--limit 3 list", "--ids search"])
def test_a_command_option_before_the_command_says_where_it_goes(archive: Path, args: list[str],
                                                                meant: str) -> None:
    result = newsarc(*args)
    assert result.returncode == 2
    option = args[0]
    assert result.stderr == (f"newsarc: error: no such option {option} before the command; {option} belongs to the "
                             f"command and goes after it: {meant}\n")


def test_importing_a_markdown_export_says_what_it_is(run, tmp_path: Path) -> None:
    need_shared(SEED)
    run("add", str(SEED))
    for name in ("export.md", "export.txt"):
        exported = tmp_path / name
        assert run("export", "--format", "markdown", "-o", str(exported)).exit_code == 0
        result = run("import", str(exported))
        assert result.exit_code == 5
        assert result.output == (f"newsarc: error: {exported}: a Markdown export, which is for reading and cannot "
                                 "be imported; export the archive with --format jsonl (or json, csv, yaml, es-bulk) "
                                 "and import that file\n")


def test_add_quiet_prints_only_the_summary_and_failures_go_to_the_file(archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    story(folder, "good.txt", "Harvest is late")
    for n in range(3):
        (folder / f"bad{n}.txt").write_bytes(b"\x00\x01\x02junk")
    failures = tmp_path / "failed.jsonl"
    result = newsarc("--archive", str(archive), "add", str(folder), "-q", "--failures", str(failures))
    assert result.returncode == 8
    assert result.stdout == ""
    assert result.stderr == "1 added, 0 already in the archive, 3 failed\n"
    assert len(failures.read_text(encoding="utf-8").splitlines()) == 3


def test_show_aligns_extra_fields_as_plain_text(run, archive: Path, tmp_path: Path) -> None:
    body = " ".join(f"word{n}" for n in range(60))
    for n, text in enumerate((body, body.replace("word5 ", "changed5 "))):  # the page changed: a new version
        source = tmp_path / f"v{n}.json"
        source.write_text(json.dumps({"title": "Budget plan", "url": "https://example.com/b", "body": text}),
                          encoding="utf-8")
        assert run("add", str(source)).exit_code == 0
    [newer] = [p for p in archive.glob("articles/**/*.yaml") if "version_of" in p.read_text(encoding="utf-8")]
    shown = run("show", newer.stem).output.splitlines()
    [line] = [ln for ln in shown if ln.startswith("version_of:")]
    [id_line] = [ln for ln in shown if ln.startswith("id:")]
    assert '"' not in line
    assert line.index(line.split()[1]) == id_line.index(id_line.split()[1])  # values in one column


def test_counts_take_the_singular_for_one(run, archive: Path) -> None:
    need_shared(SEED)
    run("add", str(SEED))
    assert newsarc("--archive", str(archive), "export").stderr == "exported 1 article\n"
    page = run("search", "Assad", "--page", "2")
    assert "no hits on page 2; there is 1 match" in page.output


def test_search_json_list_json_and_export_agree_on_null_for_a_missing_value(run, archive: Path) -> None:
    need_shared(SEED)
    run("add", str(SEED))  # the seed has no URL
    [exported] = [json.loads(line) for line in run("export").output.splitlines() if line.startswith("{")]
    [hit] = json.loads(run("search", "Assad", "--json").output)
    [entry] = json.loads(run("list", "--json").output)
    assert exported["url"] is None and hit["url"] is None and entry["url"] is None
    assert hit["source"] == entry["source"] == exported["source"] == "Rudaw"


def test_list_ids_prints_only_the_ids(run, tmp_path: Path) -> None:
    for n, title in enumerate(("One story", "Another story")):
        run("add", str(story(tmp_path, f"{n}.txt", title)), "--date", f"2020-01-0{n + 1}")
    result = run("list", "--ids")
    assert result.exit_code == 0
    assert len(result.output.split()) == 2 and all(len(line) == 10 for line in result.output.splitlines())
    both = run("list", "--ids", "--json")
    assert both.exit_code == 2


def test_rm_removes_the_folders_it_leaves_empty(run, archive: Path, tmp_path: Path) -> None:
    run("add", str(story(tmp_path, "a.txt", "Old story")), "--date", "2001-02-03")
    run("add", str(story(tmp_path, "b.txt", "Other story")), "--date", "2002-03-04")
    [old] = archive.glob("articles/2001/02/*.yaml")
    assert run("rm", old.stem).exit_code == 0
    assert not (archive / "articles" / "2001").exists()
    assert (archive / "articles" / "2002" / "03").is_dir() and (archive / "articles").is_dir()
    assert run("check").exit_code == 0


def test_check_repair_moving_a_misplaced_file_leaves_no_empty_folder(run, archive: Path, tmp_path: Path) -> None:
    """One step further than rm: the repair that moves a file to the folder its date names."""
    run("add", str(story(tmp_path, "a.txt", "Old story")), "--date", "2001-02-03")
    [placed] = archive.glob("articles/2001/02/*.yaml")
    stray = archive / "articles" / "misc" / "deep" / placed.name
    stray.parent.mkdir(parents=True)
    placed.rename(stray)
    assert run("check", "--repair").exit_code == 0
    assert (archive / "articles" / "2001" / "02" / placed.name).is_file()
    assert not (archive / "articles" / "misc").exists()


def test_similar_and_timeline_fit_80_columns(archive: Path, tmp_path: Path) -> None:
    long_title = "Ministers of " + " and ".join(f"country{n}" for n in range(30)) + " meet on the budget"
    shared = "The budget talks between ministers of finance stalled over farm subsidies and pensions."
    for n, topic in enumerate(("harvest", "railway", "hospital", "football", "weather")):
        words = " ".join(f"{topic}{k}" for k in range(30))
        story(tmp_path, f"{n}.txt", f"{long_title} {n}", f"Date: 2020-0{n + 1}-01\n\n{shared} {words}")
    assert newsarc("--archive", str(archive), "add", str(tmp_path)).returncode == 0
    [first] = sorted(archive.glob("articles/**/*.yaml"))[:1]
    for args in (["similar", first.stem], ["timeline", "budget"], ["timeline", "budget", "--by", "day"]):
        result = newsarc("--archive", str(archive), *args, env={"COLUMNS": ""})
        assert result.returncode == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= 80, (args, result.stdout)
