"""Bad and hostile input: each gives a clear one-line error or a clean skip, never a traceback, and nothing
already in the archive is lost or changed.

Inputs to `add` (files), YAML placed in the archive by hand or by a clone, ids and paths that try to leave the
archive, and exports that a spreadsheet or a Markdown renderer would otherwise run. (Web input -- URLs, feeds,
HTML -- belongs to the ingest work and is tested there.)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.errors import ExitCode
from tests.support.events import HANG_GUARD

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
GOOD = "A good article stays\n\nDate: 2017-05-18\n\nGoodword appears in the body of the good article.\n"


def proc(archive: Path, *args: str, timeout: float = HANG_GUARD, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run newsarc; a command still running after `timeout` seconds hangs (a hostile input's usual harm): fail."""
    try:
        return subprocess.run([NEWSARC, "--archive", str(archive), *args], capture_output=True, text=True,
                              timeout=timeout, cwd=archive.parent, **kwargs)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the end of `newsarc {' '.join(args)[:200]}` did not happen within {timeout:.0f} s")


def snapshot(archive: Path) -> dict[str, str]:
    """Every article file and its digest: what must survive any bad input unchanged."""
    return {p.relative_to(archive).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((archive / "articles").rglob("*.yaml"))}


@pytest.fixture
def good(run, archive: Path, tmp_path: Path) -> dict[str, str]:
    """One good article already in the archive; returns the snapshot to compare with afterwards."""
    source = tmp_path / "good.txt"
    source.write_text(GOOD, encoding="utf-8")
    result = run("add", str(source))
    assert result.exit_code == 0, result.output
    return snapshot(archive)


def assert_intact(run, archive: Path, before: dict[str, str]) -> None:
    """Nothing lost: the good article's file is unchanged, it is still found, and the archive checks clean."""
    after = snapshot(archive)
    assert {k: v for k, v in after.items() if k in before} == before
    found = run("search", "Goodword", "--ids")
    assert found.exit_code == 0 and len(found.stdout.split()) == 1


def one_line_error(stderr: str, *needles: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- files given to `add` --------------------------------------------------------------------------------------
ADD_CASES = {
    # name: (bytes, file name)
    "binary PNG": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "picture.txt"),
    "binary noise": (bytes((i * 7919) % 256 for i in range(20000)), "noise.txt"),
    "empty": (b"", "empty.txt"),
    "only spaces": (b"   \n\n\t \n", "blank.txt"),
    "NUL bytes": (b"Title\n\nBody\x00with\x00many\x00NUL\x00bytes\x00" * 50, "nul.txt"),
}


@pytest.mark.parametrize("case", sorted(ADD_CASES))
def test_unusable_files_are_refused_in_one_line(run, archive: Path, tmp_path: Path, good, case: str) -> None:
    data, name = ADD_CASES[case]
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(data)
    result = run("add", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    one_line_error(result.stderr, str(path))
    assert snapshot(archive) == good
    assert_intact(run, archive, good)


def test_invalid_utf8_is_read_not_refused(run, archive: Path, tmp_path: Path, good) -> None:
    path = tmp_path / "latin.txt"
    text = "Caf\u00e9 society returns\n\nThe caf\u00e9 and the na\u00efve r\u00e9sum\u00e9.\n"
    path.write_bytes(text.encode("cp1252"))
    result = run("add", str(path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    shown = run("search", "resume", "--json")
    assert "r\u00e9sum\u00e9" in shown.stdout  # decoded, not mangled into replacement characters
    assert_intact(run, archive, good)


def test_200_mb_file_is_refused_before_it_is_read(archive: Path, tmp_path: Path, good) -> None:
    big = tmp_path / "huge.txt"
    with open(big, "wb") as handle:  # a megabyte of text, then sparse: 200 MB long, little of it on disk
        handle.write(b"A title\n\n" + b"Some words of an endless article.\n" * 30000)
        handle.truncate(200 * 2**20)
    result = proc(archive, "add", str(big))
    assert result.returncode == ExitCode.BAD_INPUT
    one_line_error(result.stderr, str(big), "20 MB")


def test_pipe_and_device_do_not_hang(archive: Path, tmp_path: Path, good) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/zero"):
        result = proc(archive, "add", target, timeout=60)  # would block (pipe) or fill memory (/dev/zero)
        assert result.returncode == ExitCode.BAD_INPUT, result.stderr
        one_line_error(result.stderr, target, "not a regular file")


def test_symlink_loops_in_a_directory_are_skipped(run, archive: Path, tmp_path: Path, good) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "story.txt").write_text("Loop survivor\n\nLoopword in a real file.\n", encoding="utf-8")
    (tree / "sub" / "up").symlink_to("..")  # a directory loop
    (tree / "a").symlink_to("b")  # a file loop
    (tree / "b").symlink_to("a")
    (tree / "self").symlink_to("self")
    result = proc(archive, "add", str(tree))  # following the loops would never end
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, ExitCode.PARTIAL)
    for line in result.stderr.splitlines():
        assert line.startswith("newsarc: "), line
    assert run("search", "Loopword", "--count").stdout.strip() == "1"  # added once, not once per loop
    assert_intact(run, archive, good)


def test_unreadable_file_is_refused(run, archive: Path, tmp_path: Path, good) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root, which reads any file whatever its mode; the pipe and /dev/zero cases "
                    "cover files that cannot be read as articles")
    path = tmp_path / "secret.txt"
    path.write_text("Secret\n\nbody\n", encoding="utf-8")
    path.chmod(0)
    result = run("add", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    one_line_error(result.stderr, str(path), "permission denied")


def test_file_names_with_newlines_and_bad_bytes(archive: Path, tmp_path: Path, good) -> None:
    tree = tmp_path / "names"
    tree.mkdir()
    odd = [b"with\nnewline.txt", b"latin\xe9\xff.txt", b"tab\tand\rcr.txt"]
    for number, raw in enumerate(odd):
        path = os.path.join(os.fsencode(tree), raw)
        with open(path, "wb") as handle:
            handle.write(f"Odd name story {number}\n\nOddword{number} in the body.\n".encode())
    empty = os.path.join(os.fsencode(tree), b"empty\n\xfe.txt")
    open(empty, "wb").close()
    result = subprocess.run([NEWSARC, "--archive", str(archive), "add", str(tree)], capture_output=True,
                            timeout=60, cwd=tmp_path)
    assert b"Traceback" not in result.stderr
    assert result.returncode == ExitCode.PARTIAL  # three added, the empty one failed
    assert b"3 added" in result.stdout + result.stderr
    for number in range(3):
        found = proc(archive, "search", f"Oddword{number}", "--ids")
        assert found.returncode == 0 and len(found.stdout.split()) == 1
    assert proc(archive, "check").returncode == 0


def test_failure_for_a_file_name_with_a_newline_is_one_line(archive: Path, tmp_path: Path) -> None:
    tree = tmp_path / "names"
    tree.mkdir()
    open(os.path.join(os.fsencode(tree), b"empty\nfile.txt"), "wb").close()
    result = proc(archive, "add", str(tree))
    assert result.returncode == ExitCode.BAD_INPUT
    one_line_error(result.stderr, "file.txt")


# -- YAML in the archive -------------------------------------------------------------------------------------------
def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[level]
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\ntitle: *j\n"


ARCHIVE_YAML = {
    # name: (text, words in the warning, words in check's line)
    "python object": ("id: 0000000001\ntitle: !!python/object/apply:os.system ['touch {marker}']\nbody: x\n",
                      "only plain YAML", "only plain YAML"),
    "python name": ("id: 0000000001\ntitle: !!python/name:os.system\nbody: x\n", "only plain YAML", "plain YAML"),
    "custom tag": ("id: 0000000001\ntitle: !include /etc/passwd\nbody: x\n", "only plain YAML", "plain YAML"),
    "binary tag": ("id: 0000000001\ntitle: x\nbody: !!binary aGVsbG8=\n", "must be text", "must be text"),
    "set tag": ("id: 0000000001\ntitle: !!set {a, b}\nbody: x\n", "must be text", "must be text"),
    "billion laughs": (_billion_laughs(), "too many YAML aliases", "too many YAML aliases"),
    "duplicate keys": ("id: 0000000001\ntitle: First\ntitle: Second\nbody: x\n", "duplicate key 'title'",
                       "duplicate key"),
    "a list": ("- id: 0000000001\n  title: x\n", "expected a mapping", "holds a list"),
    "a bare string": ("just some words\n", "expected a mapping", "holds text"),
    "empty file": ("", "expected a mapping", "holds nothing"),
    "deep nesting": ("id: 0000000001\ntitle: " + "[" * 5000 + "]" * 5000 + "\n", "invalid YAML", "invalid YAML"),
    "impossible date": ("id: 0000000001\ntitle: x\ndate: 2017-02-30\nbody: x\n", "day is out of range",
                        "day is out of range"),
    "NUL byte": ("id: 0000000001\ntitle: x\x00y\nbody: x\n", "invalid YAML", "invalid YAML"),
    "bad UTF-8": (b"id: 0000000001\ntitle: caf\xe9\nbody: x\n", "not valid UTF-8", "not valid UTF-8"),
    "mapping as title": ("id: 0000000001\ntitle: {a: 1}\nbody: x\n", "must be text", "must be text"),
    "number list as tags": ("id: 0000000001\ntitle: x\ntags: [[1, 2]]\nbody: x\n", "must be text",
                            "a list"),
}


@pytest.mark.parametrize("case", sorted(ARCHIVE_YAML))
def test_hostile_yaml_in_the_archive_is_skipped_and_reported(run, archive: Path, tmp_path: Path, good,
                                                             case: str) -> None:
    text, warning, problem = ARCHIVE_YAML[case]
    marker = tmp_path / "pwned"
    path = archive / "articles" / "2017" / "05" / "0000000001.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text.replace("{marker}", str(marker)), encoding="utf-8")
    before = path.read_bytes()
    result = proc(archive, "search", "Goodword")
    assert result.returncode == 0, result.stderr  # the other articles are searched as usual
    one_line_error(result.stderr, "newsarc: warning: skipped articles/2017/05/0000000001.yaml: ", warning)
    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS
    [line] = [line for line in checked.stdout.splitlines() if line.startswith("articles/2017/05/0000000001.yaml")]
    assert problem in line
    assert not marker.exists()  # nothing in the file was ever run
    assert path.read_bytes() == before  # reported, never rewritten or removed
    assert_intact(run, archive, good)


def test_lenient_types_are_read_and_reported(run, archive: Path, good) -> None:
    """A number as title and a string as tags are what a person writes by hand: read, and flagged by check."""
    path = archive / "articles" / "2017" / "05" / "0000000002.yaml"
    path.write_text("id: '0000000002'\ntitle: 1984\ntags: Syria, Iraq\nbody: Orwellword text.\n", encoding="utf-8")
    found = run("search", "tag:Iraq", "--json")
    assert found.exit_code == 0
    [hit] = json.loads(found.stdout)
    assert hit["title"] == "1984" and hit["tags"] == ["Syria", "Iraq"]
    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS
    assert "0000000002.yaml: title: is the number 1984, not text; put it in quotes" in checked.stdout
    assert "0000000002.yaml: tags: is text, not a list" in checked.stdout


def test_50_mb_body_is_refused_by_size(run, archive: Path, good) -> None:
    path = archive / "articles" / "2017" / "05" / "0000000003.yaml"
    line = "  " + "word " * 19 + "\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("id: '0000000003'\ntitle: Enormous\nbody: |\n")
        handle.write(line * (50 * 2**20 // len(line)))
    result = proc(archive, "search", "Goodword")
    assert result.returncode == 0
    # refused by its size, never parsed or indexed:
    one_line_error(result.stderr, "0000000003.yaml", "larger than the 32 MB an article file may have")
    assert "0000000003.yaml: file: is 50 MB, more than the 32 MB" in run("check").stdout
    assert_intact(run, archive, good)


def test_import_never_writes_a_file_it_could_not_read_back(run, archive: Path, tmp_path: Path, good) -> None:
    records = tmp_path / "big.jsonl"
    with open(records, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"title": "Too big", "body": "x" * (33 * 2**20)}) + "\n")
        handle.write(json.dumps({"title": "Small one", "body": "Smallword"}) + "\n")
    result = run("import", str(records))
    assert result.exit_code == ExitCode.PARTIAL
    one_line_error(result.stderr, "larger than the 32 MB an article file may have")
    assert run("search", "Smallword", "--count").stdout.strip() == "1"
    assert all(p.stat().st_size < 2**20 for p in (archive / "articles").rglob("*.yaml"))


# -- ids and paths that try to leave the archive ----------------------------------------------------------------
ESCAPES = ["../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini", "C:/x", "..", "abcd/../../..",
           "~root", "articles/2017/05", "\\\\server\\share", "abcd\x00efgh", "%2e%2e%2f"]


@pytest.mark.parametrize("text", ESCAPES)
@pytest.mark.parametrize("command", [["show"], ["tag", "{id}", "+x"], ["rm"]])
def test_ids_that_look_like_paths_never_reach_the_file_system(run, archive: Path, good, text: str,
                                                              command: list[str]) -> None:
    args = [text if part == "{id}" else part for part in command]
    if "{id}" not in command:
        args.append(text)
    result = run(*args)
    assert result.exit_code in (ExitCode.NOT_FOUND, ExitCode.USAGE), result.output
    one_line_error(result.stderr, "newsarc: error: ")
    assert snapshot(archive) == good


EVIL_IDS = ["../x", "../../../../tmp/evil", "/tmp/evil", "C:\\evil", "C:/evil", "abc/def", "..\\..\\evil",
            "0000000000/../../evil", "./0000000000", "0000000000\n", ""]


def test_imported_ids_and_dates_never_become_paths(run, archive: Path, tmp_path: Path, good) -> None:
    records = [{"id": evil, "title": f"Evil {n}", "body": f"Evilword{n}"} for n, evil in enumerate(EVIL_IDS)]
    records += [{"title": "Evil date", "date": "../../etc", "body": "x"},
                {"title": "Evil date 2", "date": "2017/../../../etc", "body": "x"},
                {"id": "0000000e5c", "title": "A fine one", "body": "Fineword"}]
    source = tmp_path / "evil.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    private, shared = set(os.listdir(tmp_path)), set(os.listdir("/tmp"))
    result = run("import", str(source))
    assert "Traceback" not in result.output
    assert result.exit_code == ExitCode.PARTIAL
    failures = [line for line in result.stderr.splitlines() if line.startswith("newsarc: failed: ")]
    # every evil id is refused; "" means "give it an id", and "0000000000\n" is a valid id once stripped
    assert len(failures) == len(EVIL_IDS) - 2 + 2
    assert all("not a valid newsarc id" in line or "not a date" in line for line in failures)
    assert set(os.listdir(tmp_path)) == private
    # Other processes (parallel tests, anything else on the machine) create entries in /tmp meanwhile: what must
    # not appear is a name that one of the evil ids or dates could have produced.
    assert {name for name in set(os.listdir("/tmp")) - shared
            if name.split(".")[0] in ("x", "evil", "def", "etc", "0000000000") or "evil" in name.lower()} == set()
    assert not Path("/tmp/evil").exists()
    for path in (archive / "articles").rglob("*"):
        assert path.resolve().is_relative_to(archive.resolve())
    assert run("search", "Fineword", "--ids").stdout.split() == ["0000000e5c"]
    assert_intact(run, archive, good)


def test_hand_written_evil_id_is_searchable_but_never_a_path(run, archive: Path, tmp_path: Path, good) -> None:
    evil = archive / "articles" / "2017" / "05" / "handmade.yaml"
    evil.write_text(f"id: ../../../../{tmp_path.name}/escaped\ntitle: Escaper\ndate: 2017-05-02\nbody: Escapeword\n",
                    encoding="utf-8")
    found = run("search", "Escapeword", "--ids")
    assert found.exit_code == 0
    checked = run("check", "--repair")
    assert "handmade.yaml: id: " in checked.stdout and "is not a valid newsarc id" in checked.stdout
    assert checked.exit_code == ExitCode.PROBLEMS
    assert evil.exists()
    assert not (tmp_path / "escaped.yaml").exists()
    assert not list(tmp_path.glob("**/escaped*"))


def test_original_field_never_reaches_the_file_system_as_a_path(run, archive: Path, tmp_path: Path) -> None:
    import gzip

    outside = tmp_path / "outside.orig.gz"
    outside.write_bytes(gzip.compress(b"Outside title\n\nOutsideword from a file outside the archive.\n"))
    relative = os.path.relpath(outside, archive / "articles" / "2017" / "05")
    article = archive / "articles" / "2017" / "05" / "0000000e5d.yaml"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(f"id: 0000000e5d\ntitle: Inside\ndate: 2017-05-03\noriginal: {relative}\nbody: Insideword\n",
                       encoding="utf-8")
    result = run("reextract", "0000000e5d")
    assert "Traceback" not in result.output
    assert run("search", "Outsideword", "--count").stdout.strip() == "0"  # nothing read from outside
    assert outside.exists()


# -- exports that would run in a spreadsheet or render in Markdown -----------------------------------------------
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]


def formula_archive(run, tmp_path: Path) -> None:
    records = [{"title": formula, "source": "+Source", "tags": ["=Tag", "@Tag"], "body": f"{formula}\nsecond line"}
               for formula in FORMULAS]
    source = tmp_path / "formulas.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert run("import", str(source)).exit_code == 0


def test_csv_export_neutralises_formulas_by_default(run, archive: Path, tmp_path: Path) -> None:
    formula_archive(run, tmp_path)
    result = run("export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert sum(cell.startswith("'=HYPERLINK") for cell in cells) == 2  # title and body
    # ... and the neutralised file imports back to the same articles.
    path = tmp_path / "safe.csv"
    assert run("export", "--format", "csv", "-o", str(path)).exit_code == 0
    other = tmp_path / "other"
    from click.testing import CliRunner

    from newsarc.cli.app import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(other)]).exit_code == 0
    assert runner.invoke(cli, ["--archive", str(other), "import", str(path)]).exit_code == 0
    titles = runner.invoke(cli, ["--archive", str(other), "list", "--json", "-n", "0"]).stdout
    assert sorted(entry["title"] for entry in json.loads(titles)) == sorted(FORMULAS)


def test_csv_safety_can_be_turned_off(run, archive: Path, tmp_path: Path) -> None:
    formula_archive(run, tmp_path)
    result = run("export", "--format", "csv", "--no-csv-safe")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    titles = sorted(row[1] for row in rows[1:])
    assert titles == sorted(FORMULAS)


def test_markdown_export_escapes_links_and_html(run, archive: Path, tmp_path: Path) -> None:
    records = [{"title": "[Click me](http://evil.example) <img src=x onerror=alert(1)>",
                "source": "<b>Bold</b>", "tags": ["[x](javascript:alert(1))"],
                "body": "<script>alert('x')</script>\n![pixel](http://evil.example/p.png)\n# Not a heading\n"
                        "Visit www.evil.example or mail me@evil.example\n<!-- hidden -->"}]
    source = tmp_path / "md.jsonl"
    source.write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    assert run("import", str(source)).exit_code == 0
    result = run("export", "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    import re

    # Every <, [, ], ( and ! that could open a tag, a link or an image is backslash-escaped; no line of the body
    # starts a heading.
    for pattern in (r"(?<!\\)<", r"(?<!\\)\]\(", r"(?<!\\)!\[", r"\n# Not"):
        assert not re.search(pattern, text), (pattern, text)
    assert "alert" in text and "Not a heading" in text  # the words are kept, only made inert


# -- XML in feeds: entity expansion is bounded, external entities are never read --------------------------------
def _feed_with_doctype(doctype: str, title: str, body: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{doctype}]>\n<rss version="2.0"><channel><title>T</title>'
            f"<link>https://x.example/</link><description>d</description><item><title>{title}</title>"
            f"<link>https://x.example/1</link><description>{body}</description></item></channel></rss>\n")


def test_feed_entity_bomb_is_not_expanded(archive: Path, tmp_path: Path) -> None:
    entities = '<!ENTITY a "lollollollollollollollollollol">\n'
    for previous, name in zip("abcdefghi", "bcdefghij", strict=True):
        entities += f'<!ENTITY {name} "' + f"&{previous};" * 10 + '">\n'
    feed = tmp_path / "bomb.xml"
    feed.write_text(_feed_with_doctype(entities, "Item &j;", "Body &j;"), encoding="utf-8")
    result = proc(archive, "add", str(feed))
    assert "Traceback" not in result.stderr
    sizes = [p.stat().st_size for p in (archive / "articles").rglob("*.yaml")]
    assert all(size < 10_000 for size in sizes)  # 10^9 "lol"s were never built


def test_feed_external_entity_is_never_read(archive: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRETVALUE", encoding="utf-8")
    feed = tmp_path / "xxe.xml"
    feed.write_text(_feed_with_doctype(f'<!ENTITY xxe SYSTEM "file://{secret}">\n', "Leak &xxe;", "x &xxe;"),
                    encoding="utf-8")
    result = proc(archive, "add", str(feed))
    assert "Traceback" not in result.stderr
    for path in (archive / "articles").rglob("*.yaml"):
        assert "TOPSECRETVALUE" not in path.read_text(encoding="utf-8")
