"""The command line's face (issue 12, points 6-9): one output writer, one error path and exit-code table,
help texts with examples for every command, and terminal output that respects its width."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.errors import ExitCode

NEWSARC = Path(sys.executable).parent / "newsarc"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def add_article(run, tmp_path: Path, name: str, text: str, *args: str) -> str:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = run("add", str(path), *args)
    assert result.exit_code == 0, result.output
    return result.output.split()[1]


# -- 7. one error path, one meaning per exit code ------------------------------------------------------------
def test_exit_codes_each_mean_one_thing() -> None:
    codes = [int(code) for code in ExitCode]
    assert len(codes) == len(set(codes))
    assert ExitCode.PROBLEMS != ExitCode.ARCHIVE


def test_check_problems_and_no_archive_exit_differently(run, runner, archive: Path, tmp_path: Path,
                                                         monkeypatch) -> None:
    from newsarc.cli.app import cli

    (archive / "articles" / "2017" / "05").mkdir(parents=True)
    (archive / "articles" / "2017" / "05" / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS, checked.output
    monkeypatch.chdir(tmp_path)
    nowhere = runner.invoke(cli, ["--archive", str(tmp_path / "none"), "check"])
    assert nowhere.exit_code == ExitCode.ARCHIVE


def test_archive_message_names_the_environment_variable_it_came_from(runner, tmp_path: Path, monkeypatch) -> None:
    from newsarc.cli.app import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSARC_ARCHIVE", str(tmp_path / "gone"))
    from_env = runner.invoke(cli, ["list"])
    assert from_env.exit_code == ExitCode.ARCHIVE
    assert from_env.stderr.startswith("newsarc: error: ")
    assert "$NEWSARC_ARCHIVE" in from_env.stderr and "--archive" not in from_env.stderr
    from_option = runner.invoke(cli, ["--archive", str(tmp_path / "gone"), "list"])
    assert "(from --archive)" in from_option.stderr and "NEWSARC_ARCHIVE" not in from_option.stderr


@pytest.mark.parametrize("args", [["search", "--bogus", "x"], ["list", "--limit", "many"], ["search"],
                                  ["--bogus", "list"], ["nosuchcommand"]])
def test_click_usage_errors_are_one_line_in_the_one_format(run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsarc: error: ") and "--help" in lines[0]


def test_archive_after_the_command_gets_a_hint(run, archive: Path) -> None:
    result = run("list", "--archive", str(archive))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1
    assert "--archive goes before the command" in result.stderr
    assert f"newsarc --archive {archive} list" in result.stderr


def test_usage_error_as_a_real_process(archive: Path) -> None:
    proc = subprocess.run([NEWSARC, "list", "-a", str(archive)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == ExitCode.USAGE
    assert proc.stderr.startswith("newsarc: error: ") and "goes before the command" in proc.stderr
    assert "Traceback" not in proc.stderr and "Usage:" not in proc.stderr
