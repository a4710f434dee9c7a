"""The command line's face (issue 12, points 6-9): one output writer, one error path and exit-code table,
help texts with examples for every command, and terminal output that respects its width."""

from __future__ import annotations

import csv
import io
import json
import os
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


def test_archive_with_equals_after_the_command_gets_the_same_hint(run, archive: Path) -> None:
    result = run("search", f"--archive={archive}", "grain", "--json")
    assert result.exit_code == ExitCode.USAGE
    assert f"newsarc --archive {archive} search grain --json" in result.stderr


def test_usage_error_as_a_real_process(archive: Path) -> None:
    proc = subprocess.run([NEWSARC, "list", "-a", str(archive)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == ExitCode.USAGE
    assert proc.stderr.startswith("newsarc: error: ") and "goes before the command" in proc.stderr
    assert "Traceback" not in proc.stderr and "Usage:" not in proc.stderr


# -- 6. one output writer for every listing command ----------------------------------------------------------
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'
FORMULA_STARTS = tuple("=+-@\t\r")
BODY = " ".join(f"word{i} grain harbour shipment" for i in range(80))
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>@SUM(1+1)</title><link>http://feed.example/</link>
<item><title>Grain report</title><link>http://feed.example/1</link><description>grain harbour</description></item>
</channel></rss>"""


@pytest.fixture
def listed(run, archive: Path, tmp_path: Path) -> dict[str, str]:
    """An archive where every listing command has something to list, with formula-like titles and tags."""
    first = add_article(run, tmp_path, "a.txt", f"{FORMULA_TITLE}\n\n2017-05-02\nDaily\nTags: +cmd, Syria\n\n{BODY}\n",
                        "--url", "https://a.example/1")
    second = add_article(run, tmp_path, "b.txt", f"Harbour grain shipment delayed\n\n2017-05-03\nOther Paper\n\n{BODY} "
                         "and one more sentence here.\n", "--url", "https://b.example/2")
    third = add_article(run, tmp_path, "c.txt", "@risk: grain prices\n\n2017-06-01\nThird\n\nGrain harbour prices "
                        "rose and shipment word1 word2 word3 grain again.\n")
    assert run("watch", "add", "grain", "grain").exit_code == 0
    assert run("alias", "add", "Abu Kamal", "al-Bukamal").exit_code == 0
    feed = tmp_path / "feed.xml"
    feed.write_text(RSS, encoding="utf-8")
    assert run("feed", "add", str(feed)).exit_code == 0
    return {"first": first, "second": second, "third": third}


LISTINGS = {
    "search": ["search", "grain"],
    "list": ["list"],
    "similar": ["similar", "{third}"],
    "dups": ["dups"],
    "timeline": ["timeline", "grain"],
    "watch list": ["watch", "list"],
    "watch run": ["watch", "run", "--peek"],
    "alias list": ["alias", "list"],
    "alias suggest": ["alias", "suggest"],
    "feed list": ["feed", "list"],
}


def _args(name: str, ids: dict[str, str]) -> list[str]:
    return [word.format(**ids) for word in LISTINGS[name]]


@pytest.mark.parametrize("name", LISTINGS)
def test_every_listing_speaks_json_jsonl_and_safe_csv(run, listed: dict[str, str], name: str) -> None:
    args = _args(name, listed)
    as_json = run(*args, "--json")
    assert as_json.exit_code in (0, 1), as_json.output
    document = json.loads(as_json.stdout)  # one JSON document, whatever the command
    lines = run(*args, "--jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert records == (document["series"] if name == "timeline" else document)
    table = run(*args, "--csv").stdout_bytes.decode("utf-8")  # .stdout would turn CRLF into LF
    rows = list(csv.reader(io.StringIO(table, newline="")))
    assert table.endswith("\r\n") and "\n" not in table.replace("\r\n", "")  # export's dialect: RFC 4180
    assert len(rows) >= 1 and all(len(row) == len(rows[0]) for row in rows)
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("name", ["search", "list", "dups", "watch run"])
def test_csv_neutralises_a_formula_title_as_export_does(run, listed: dict[str, str], name: str) -> None:
    from newsarc.exchange.export import neutralise_cell

    rows = list(csv.reader(io.StringIO(run(*_args(name, listed), "--csv").stdout, newline="")))
    cells = {cell for row in rows for cell in row}
    assert neutralise_cell(FORMULA_TITLE) in cells and FORMULA_TITLE not in cells


def test_feed_list_csv_neutralises_the_feed_title(run, listed: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(run("feed", "list", "--csv").stdout, newline="")))
    assert [row["title"] for row in rows] == ["'@SUM(1+1)"]


def test_stats_json_is_one_document(run, listed: dict[str, str]) -> None:
    assert json.loads(run("stats", "--json").stdout)["articles"] == 3


@pytest.mark.parametrize("name", LISTINGS)
def test_two_output_formats_are_a_usage_error(run, listed: dict[str, str], name: str) -> None:
    for pair in (["--json", "--csv"], ["--jsonl", "--json"]):
        result = run(*_args(name, listed), *pair)
        assert result.exit_code == ExitCode.USAGE, (name, pair, result.output)
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("newsarc: error: ") and pair[0] in line and pair[1] in line


def test_a_format_with_another_kind_of_output_is_a_usage_error(run, listed: dict[str, str]) -> None:
    for args in (["search", "grain", "--ids", "--json"], ["search", "grain", "--count", "--csv"],
                 ["alias", "suggest", "--accept", "1", "--json"]):
        result = run(*args)
        assert result.exit_code == ExitCode.USAGE and result.stdout == "", args
        assert result.stderr.startswith("newsarc: error: "), args


# -- 8. every command's --help has an example, every option a help text -------------------------------------
def _command_tree() -> list[tuple[list[str], object]]:
    """Every command and subcommand under `newsarc`, lazily loaded ones included, as (path, command)."""
    import click

    from newsarc.cli.app import cli

    found: list[tuple[list[str], object]] = []

    def walk(group: click.Group, path: list[str]) -> None:
        ctx = click.Context(group, info_name=path[-1] if path else "newsarc")
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"{' '.join(path + [name])} is listed but does not load"
            found.append(([*path, name], command))
            if isinstance(command, click.Group):
                walk(command, [*path, name])

    found.append(([], cli))
    walk(cli, [])
    return found


def test_the_command_tree_includes_lazy_commands_and_subcommands() -> None:
    paths = {" ".join(path) for path, _ in _command_tree()}
    assert {"check", "dups", "similar", "alias list", "watch add", "feed update", "search", ""} <= paths


@pytest.mark.parametrize("path", [path for path, _ in _command_tree()], ids=lambda p: " ".join(p) or "newsarc")
def test_every_command_help_has_an_example_and_every_option_a_help_text(runner, path: list[str]) -> None:
    import click

    from newsarc.cli.app import cli

    result = runner.invoke(cli, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "\nExample:" in result.output or "\n  Example:" in result.output, f"{path}: no Example: in --help"
    command = dict((tuple(p), c) for p, c in _command_tree())[tuple(path)]
    missing = [param.opts[0] for param in command.params
               if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()]
    assert not missing, f"newsarc {' '.join(path)}: options without help: {missing}"


# -- 9. terminal output that respects its width ---------------------------------------------------------------
LONG_BODY = ("The grain convoy left the harbour at dawn and the officials counted every sack twice before the "
             "ships could sail across the narrow strait toward the northern ports where buyers waited. ") * 6
MANY_TAGS = ["Black Sea grain corridor", "Odesa", "Istanbul talks", "Food prices", "Shipping insurance",
             "United Nations", "Wheat exports"]


@pytest.fixture
def wide(run, tmp_path: Path) -> str:
    return add_article(run, tmp_path, "w.txt", f"Grain convoy leaves the harbour\n\n2022-08-01\nThe Harbour Times\n"
                       f"Tags: {', '.join(MANY_TAGS)}\n\n{LONG_BODY}\n")


def _screen(result) -> list[str]:
    return ANSI.sub("", result.stdout).splitlines()


def test_search_on_an_80_column_terminal_indents_snippet_continuations(runner, archive: Path, wide: str) -> None:
    from newsarc.cli.app import cli

    result = runner.invoke(cli, ["--archive", str(archive), "--color", "always", "search", "grain convoy"],
                           env={"COLUMNS": "80"}, catch_exceptions=False)
    lines = _screen(result)
    assert all(len(line) <= 80 for line in lines), lines
    block = lines[1:lines.index("")]  # the hit: title, tags, snippets under its header line
    assert len(block) > 3 and all(line.startswith("    ") for line in block), block


def test_list_marks_truncated_tags_with_an_ellipsis(runner, archive: Path, wide: str) -> None:
    from newsarc.cli.app import cli

    result = runner.invoke(cli, ["--archive", str(archive), "--color", "always", "list"], env={"COLUMNS": "200"},
                           catch_exceptions=False)
    [row] = [line for line in _screen(result) if line.startswith(wide)]
    assert row.rstrip().endswith("…") and MANY_TAGS[3] in row and MANY_TAGS[4] not in row


def test_stats_wraps_between_tags_never_inside_one(runner, archive: Path, wide: str) -> None:
    from newsarc.cli.app import cli

    for color in ("always", "never"):
        result = runner.invoke(cli, ["--archive", str(archive), "--color", color, "stats"], env={"COLUMNS": "60"},
                               catch_exceptions=False)
        lines = _screen(result)
        assert all(len(line) <= 60 for line in lines), lines
        start = next(i for i, line in enumerate(lines) if line.startswith("tags:"))
        tag_lines = [lines[start]] + [line for line in lines[start + 1:] if line.startswith(" " * 10)]
        assert len(tag_lines) > 1
        items = [item.strip(" ,") for line in tag_lines for item in line[10:].split(", ") if item.strip()]
        assert sorted(items) == sorted(f"{tag} (1)" for tag in MANY_TAGS), items


def test_piped_show_honours_columns(archive: Path, wide: str) -> None:
    env = {**os.environ, "COLUMNS": "50"}
    proc = subprocess.run([NEWSARC, "--archive", str(archive), "show", wide], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    body = proc.stdout.split("\n\n", 1)[1].splitlines()
    assert max(len(line) for line in body) <= 50 and max(len(line) for line in body) > 40


def test_plurals_agree(run, archive: Path, tmp_path: Path) -> None:
    add_article(run, tmp_path, "one.txt", "Lone report\n\n2017-05-02\nDaily\n\nA quiet zebra crossing.\n")
    found = run("search", "zebra")
    assert "of 1 match" in found.stdout and "of 1 matches" not in found.stdout
    assert "indexed 1 article " in run("reindex").stdout
    timeline = run("timeline", "zebra").stdout
    assert "1 article by" in timeline and "(1 article)" in timeline and "1 articles" not in timeline


@pytest.mark.parametrize("args", [[], ["alias"], ["feed"]])
def test_a_group_alone_still_shows_its_help(runner, args: list[str]) -> None:
    from newsarc.cli.app import cli

    result = runner.invoke(cli, args)
    assert "Commands:" in result.output and "newsarc: error" not in result.output
    assert len(result.output.splitlines()) > 5


def test_plain_search_on_a_terminal_wraps_with_indented_continuations(archive: Path, wide: str) -> None:
    """--color never on a real terminal (a pty): no rich, but the lines still fit and stay indented."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    with open(leader, "rb", buffering=0) as reader:
        proc = subprocess.Popen([NEWSARC, "--archive", str(archive), "--color", "never", "search", "grain convoy"],
                                stdout=follower, stderr=subprocess.PIPE, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = reader.read(4096)
            except OSError:  # the pty closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    lines = b"".join(chunks).decode("utf-8").replace("\r\n", "\n").splitlines()
    assert lines[0].startswith(wide) and lines[-1].startswith("-- 1-1 of 1 match")
    block = lines[1:-1]
    assert len(block) > 3 and all(line.startswith("    ") and len(line) <= 80 for line in block), lines
