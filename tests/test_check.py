"""`newsarc check [--repair] [--json]`: every kind of damage is reported on one line, and --repair fixes only
what is safe, never deleting or overwriting an article file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarc import api
from newsarc.check import Problem, check_archive
from newsarc.errors import ExitCode
from newsarc.index.backend import SearchRequest

NEWSARC = str(Path(sys.executable).with_name("newsarc"))


def seed(archive: Path, n: int = 3) -> list[Path]:
    """n articles written by newsarc itself; returns their files."""
    store = api.open_store(archive)
    try:
        items = [(f"seed {i}", {"title": f"Seeded story {i}", "date": f"2017-0{i % 9 + 1}-1{i % 10}",
                                "tags": ["Syria"], "body": f"Seedword{i} text of the story.\n"}) for i in range(n)]
        report = api.add_articles(store, items)
        assert report.count("added") == n
    finally:
        store.close()
    return sorted((archive / "articles").rglob("*.yaml"))


def search_ids(archive: Path, query: str) -> set[str]:
    store = api.open_store(archive)
    try:
        return {hit.id for hit in api.search(store, SearchRequest(query, limit=1000)).hits}
    finally:
        store.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(archive: Path) -> set[str]:
    """The digests of every file under articles/ (to prove nothing was lost, wherever it moved)."""
    return {digest(p) for p in (archive / "articles").rglob("*") if p.is_file() and not p.is_symlink()}


def problem_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def age(path: Path, seconds: float = 120) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def settle(archive: Path) -> None:
    """Make the files look as they do a few seconds after a write, and let a command record their timestamps
    as trusted (until then every command re-indexes them: see RACY_NS in newsarc.storage.freshness)."""
    for path in sorted((archive / "articles").rglob("*"), reverse=True):
        age(path, 10)
    age(archive / "articles", 10)
    search_ids(archive, "anything")


# -- a clean archive -----------------------------------------------------------------------------------------
def test_clean_archive_has_no_problems(run, archive: Path) -> None:
    seed(archive)
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "checked 3 article files: no problems" in result.stderr


def test_empty_archive_is_clean(run) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "checked 0 article files: no problems" in result.stderr


def test_check_runs_as_a_real_process(archive: Path) -> None:
    files = seed(archive)
    files[0].write_text("title: [unclosed\n", encoding="utf-8")
    proc = subprocess.run([NEWSARC, "--archive", str(archive), "check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == ExitCode.PROBLEMS
    assert "Traceback" not in proc.stderr
    rel = files[0].relative_to(archive).as_posix()
    assert proc.stdout.splitlines() == [line for line in proc.stdout.splitlines() if line.startswith(f"{rel}: yaml: ")]
    assert len(proc.stdout.splitlines()) == 1


# -- one problem, one line -------------------------------------------------------------------------------------
def _replace(field_line: str, new: str):
    def damage(archive: Path, victim: Path) -> Path:
        text = victim.read_text(encoding="utf-8")
        lines = [new if line.startswith(field_line) else line for line in text.splitlines()]
        victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return victim
    return damage


def _write(text: str | bytes, name: str | None = None):
    def damage(archive: Path, victim: Path) -> Path:
        path = victim.with_name(name) if name else victim
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path
    return damage


def _rename(name: str):
    def damage(archive: Path, victim: Path) -> Path:
        return victim.rename(victim.with_name(name))
    return damage


def _move_to(directory: str):
    def damage(archive: Path, victim: Path) -> Path:
        target = archive / directory / victim.name
        target.parent.mkdir(parents=True, exist_ok=True)
        return victim.rename(target)
    return damage


def _append(extra: str):
    def damage(archive: Path, victim: Path) -> Path:
        with open(victim, "a", encoding="utf-8") as handle:
            handle.write(extra)
        return victim
    return damage


def _string_tags(archive: Path, victim: Path) -> Path:
    text = victim.read_text(encoding="utf-8").replace("tags:\n- Syria\n", "tags: Syria, Iraq\n")
    victim.write_text(text, encoding="utf-8")
    return victim


DAMAGE = {
    # name: (damage, field, words the problem must contain)
    "yaml syntax": (_write("id: 0000000001\ntitle: [unclosed\n"), "yaml", "invalid YAML"),
    "python tag": (_write("!!python/object/apply:os.system ['echo pwned']\n"), "yaml", "only plain YAML"),
    "custom tag": (_write("id: 0000000001\ntitle: !secret x\n"), "yaml", "only plain YAML"),
    "duplicate key": (_append("title: Second title\n"), "yaml", "duplicate key 'title'"),
    "a list": (_write("- title: a\n- title: b\n"), "yaml", "holds a list"),
    "not UTF-8": (_write(b"id: 0000000001\ntitle: caf\xe9\n"), "yaml", "not valid UTF-8"),
    "impossible date": (_replace("date:", "date: 2017-02-30"), "yaml", "day is out of range"),
    "not a date": (_replace("date:", "date: sometime soon"), "date", "is not a date"),
    "bad added": (_replace("added:", "added: yesterday-ish"), "added", "is not a date"),
    "no title": (_replace("title:", "title: ''"), "title", "missing or empty"),
    "number title": (_replace("title:", "title: 1984"), "title", "the number 1984"),
    "boolean title": (_replace("title:", "title: yes"), "title", "must be text"),
    "string tags": (_string_tags, "tags", "is text, not a list"),
    "mapping in tags": (_replace("- Syria", "- {a: 1}"), "tags", "a mapping"),
    "no id": (_replace("id:", "source: Somewhere"), "id", "is missing"),
    "bad id": (_replace("id:", "id: ../../etc/passwd"), "id", "not a valid newsarc id"),
    "renamed": (_rename("my-copy.yaml"), "place", "belongs at"),
    "wrong month": (_move_to("articles/1999/12"), "place", "belongs at"),
    "conflict": (_replace("added:", "<<<<<<< HEAD\nadded: x\n=======\nadded: y\n>>>>>>> other"), "file",
                 "merge conflict"),
    "stray .yml": (_write("title: x\n", "notes.yml"), "file", "not read by newsarc"),
    "temp file": (_write("partial", ".tmp-abc123.part"), "file", "temporary file"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_each_problem_is_one_clear_line(run, archive: Path, case: str) -> None:
    files = seed(archive)
    damage, field, words = DAMAGE[case]
    damaged = damage(archive, files[1])
    rel = damaged.relative_to(archive).as_posix()
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    lines = problem_lines(result)
    mine = [line for line in lines if line.startswith(f"{rel}: {field}: ")]
    assert mine, lines
    assert words in mine[0]
    assert "; " in mine[0].split(f"{rel}: {field}: ", 1)[1]  # a problem, then what to do
    assert all("\n" not in line for line in lines)
    # The other articles are untouched and still found.
    assert search_ids(archive, "Seedword0") == {files[0].stem}
    assert search_ids(archive, "Seedword2") == {files[2].stem}


def test_symlink_and_pipe_under_articles_are_reported(run, archive: Path, tmp_path: Path) -> None:
    files = seed(archive)
    outside = tmp_path / "outside.yaml"
    outside.write_text(files[0].read_text(encoding="utf-8"), encoding="utf-8")
    (files[0].parent / "link.yaml").symlink_to(outside)
    os.mkfifo(files[0].parent / "pipe.yaml")
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    text = result.stdout
    assert "link.yaml: file: is a symbolic link" in text
    assert "pipe.yaml: file: is not a regular file" in text


def bytes_read_by_this_process() -> int:
    """What this process has read through read() calls so far (Linux's rchar), page cache or not."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_oversized_file_is_refused_without_reading_it(run, archive: Path) -> None:
    files = seed(archive)
    big = files[0].parent / "0000000000.yaml"
    with open(big, "wb") as handle:  # sparse: 40 MB on paper, nothing on disk
        handle.truncate(40 * 2**20)
    read_before = bytes_read_by_this_process()
    result = run("check")
    assert bytes_read_by_this_process() - read_before < 32 * 2**20  # the 40 MB were never read
    assert result.exit_code == ExitCode.PROBLEMS
    assert "0000000000.yaml: file: is 40 MB, more than the 32 MB" in result.stdout
    assert search_ids(archive, "Seedword1") == {files[1].stem}


def test_duplicate_ids_are_reported_on_both_files(run, archive: Path) -> None:
    files = seed(archive)
    copy = files[0].parent / "zzzz-copy.yaml"
    copy.write_bytes(files[0].read_bytes())
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    rel0, rel_copy = (p.relative_to(archive).as_posix() for p in (files[0], copy))
    assert f"{rel0}: id: id {files[0].stem} is also used by {rel_copy}" in result.stdout
    assert f"{rel_copy}: id: id {files[0].stem} is also used by {rel0}" in result.stdout
    # --repair may not choose for the user: both copies stay.
    result = run("check", "--repair")
    assert result.exit_code == ExitCode.PROBLEMS
    assert files[0].exists() and copy.exists()


def test_settings_problems(run, archive: Path) -> None:
    seed(archive, 1)
    settings = archive / "newsarc.yaml"
    settings.write_text(settings.read_text().replace("date_order: DMY", "date_order: XYZ"))
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    assert "newsarc.yaml: date_order: 'XYZ' is not a date order; write one of DMY, MDY, YMD" in result.stdout


# -- the index against the files -------------------------------------------------------------------------------
def test_index_is_brought_up_to_date_by_a_plain_check(run, archive: Path) -> None:
    files = seed(archive)
    import shutil

    shutil.rmtree(archive / ".newsarc")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert search_ids(archive, "Seedword1") == {files[1].stem}


def test_search_index_missing_a_document_is_found_and_rebuilt(run, archive: Path) -> None:
    files = seed(archive)
    settle(archive)
    rel = files[1].relative_to(archive).as_posix()
    store = api.open_store(archive)
    writer = store.backend.ix.writer()
    writer.delete_by_term("path", rel)  # the index loses a document the catalog says it has
    writer.commit()
    store.close()
    assert search_ids(archive, "Seedword1") == set()
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    assert f"{rel}: index: is in the catalog but missing from the search index" in result.stdout
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert f"{rel}: index: is in the catalog but missing from the search index; repaired: rebuilt" in result.stdout
    assert search_ids(archive, "Seedword1") == {files[1].stem}
    assert run("check").exit_code == 0


def test_search_index_document_without_file_is_found_and_rebuilt(run, archive: Path) -> None:
    files = seed(archive)
    store = api.open_store(archive)
    from newsarc.article import Article

    ghost = Article(title="Ghost story", body="Ghostword only in the index.", id="0000000ghs")
    store.backend.apply([("articles/2017/01/0000000ghs.yaml", ghost)], [])
    store.close()
    assert search_ids(archive, "Ghostword") == {"0000000ghs"}
    result = run("check", "--repair")
    assert "articles/2017/01/0000000ghs.yaml: index: has a document in the search index but no catalog entry" \
        in result.stdout
    assert result.exit_code == 0, result.output
    assert search_ids(archive, "Ghostword") == set()
    assert search_ids(archive, "Seedword0") == {files[0].stem}


def test_edit_hidden_from_timestamps_is_found_by_check(run, archive: Path) -> None:
    """A same-size in-place edit with the old mtime put back (touch -r): only a content comparison sees it."""
    files = seed(archive)
    settle(archive)
    victim = files[2]
    st = victim.stat()
    text = victim.read_text(encoding="utf-8")
    assert "Seedword2" in text
    with open(victim, "r+", encoding="utf-8") as handle:
        handle.write(text.replace("Seedword2", "Hiddenwd2"))
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert victim.stat().st_size == st.st_size and victim.stat().st_ino == st.st_ino
    assert search_ids(archive, "Hiddenwd2") == set()  # the freshness check cannot see it
    rel = victim.relative_to(archive).as_posix()
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    assert f"{rel}: index: the index holds an older version of this file" in result.stdout
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert search_ids(archive, "Hiddenwd2") == {victim.stem}


def test_a_date_the_index_holds_differently_from_the_file_is_found(run, archive: Path) -> None:
    """The index's date (what timelines and --sort date read) is compared with each file's, not only the catalog."""
    files = seed(archive)
    settle(archive)
    victim = files[2]
    st = victim.stat()
    text = victim.read_text(encoding="utf-8")
    assert "date: 2017-03-12" in text
    with open(victim, "r+", encoding="utf-8") as handle:  # the same month: the file stays in its place
        handle.write(text.replace("date: 2017-03-12", "date: 2017-03-19"))
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    rel = victim.relative_to(archive).as_posix()
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    assert f"{rel}: date: the search index dates this article 2017-03-12, the file 2017-03-19" in result.stdout
    assert run("check", "--repair").exit_code == 0
    assert run("check").exit_code == 0

def test_hand_edits_are_indexed_by_check_without_being_problems(run, archive: Path) -> None:
    files = seed(archive)
    files[0].unlink()
    text = files[1].read_text(encoding="utf-8").replace("Seedword1", "Editedword1")
    files[1].write_text(text, encoding="utf-8")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert search_ids(archive, "Seedword0") == set()
    assert search_ids(archive, "Editedword1") == {files[1].stem}


# -- repairs ---------------------------------------------------------------------------------------------------
def test_repair_moves_misplaced_files_and_keeps_every_byte(run, archive: Path) -> None:
    files = seed(archive, 4)
    before = contents(archive)
    renamed = files[0].rename(files[0].with_name("renamed by hand.yaml"))
    elsewhere = archive / "articles" / "1999" / "12" / files[1].name
    elsewhere.parent.mkdir(parents=True)
    files[1].rename(elsewhere)
    undated = archive / "articles" / "misc" / "x.yaml"
    undated.parent.mkdir()
    files[2].rename(undated)
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("repaired: moved to") == 3
    assert all(f.exists() for f in files[:3])
    assert not renamed.exists() and not elsewhere.exists() and not undated.exists()
    assert contents(archive) == before
    assert search_ids(archive, "Seedword1") == {files[1].stem}
    assert run("check").exit_code == 0


def test_repair_never_replaces_a_different_file(run, archive: Path) -> None:
    files = seed(archive)
    # A misplaced copy whose proper place holds a different version of the same article.
    other = files[0].parent.parent / "11" / files[0].name
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text(files[0].read_text(encoding="utf-8").replace("Seedword0", "Otherversion0"), encoding="utf-8")
    before = {p: digest(p) for p in (files[0], other)}
    result = run("check", "--repair")
    assert result.exit_code == ExitCode.PROBLEMS
    rel = other.relative_to(archive).as_posix()
    assert f"{rel}: place: belongs at {files[0].relative_to(archive).as_posix()}" in result.stdout
    assert "where another file already is; compare the two files and keep one" in result.stdout
    assert {p: digest(p) for p in (files[0], other)} == before


def test_repair_finishes_a_move_that_was_interrupted(run, archive: Path) -> None:
    """A move is a hard link then an unlink: killed in between, two names share one file; repair drops one."""
    files = seed(archive)
    stray = archive / "articles" / "2000" / "01" / files[0].name
    stray.parent.mkdir(parents=True)
    os.link(files[0], stray)
    result = run("check")
    assert result.exit_code == ExitCode.PROBLEMS
    assert "is also used by" not in result.stdout  # one file under two names is not a duplicate article
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert files[0].exists() and not stray.exists()
    assert search_ids(archive, "Seedword0") == {files[0].stem}


def test_repair_removes_only_old_temporary_files(run, archive: Path) -> None:
    files = seed(archive)
    young = files[0].parent / ".tmp-young1.part"
    old = files[0].parent / ".tmp-old1.part"
    settings_tmp = archive / ".tmp-settings.part"
    mine = files[0].parent / ".my-notes.part"  # hidden, but not newsarc's: left alone, not reported
    for path in (young, old, settings_tmp, mine):
        path.write_text("half an article")
    age(old)
    age(settings_tmp)
    result = run("check", "--repair")
    assert not old.exists() and not settings_tmp.exists()
    assert young.exists() and mine.exists()
    assert result.exit_code == ExitCode.PROBLEMS  # the young one is still a problem ...
    assert problem_lines(result)[-1].endswith("removes it once it is a minute old (a writer may still own it)")
    age(young)
    assert run("check", "--repair").exit_code == 0  # ... until it is old enough
    assert not young.exists() and mine.exists()


def test_repair_resolves_a_conflict_only_about_the_added_time(run, archive: Path) -> None:
    files = seed(archive)
    text = files[0].read_text(encoding="utf-8")
    added = next(line for line in text.splitlines() if line.startswith("added:"))
    conflicted = text.replace(added + "\n", "<<<<<<< HEAD\nadded: '2024-03-02T10:00:00Z'\n=======\n"
                              "added: '2024-03-01T09:00:00Z'\n>>>>>>> theirs\n")
    files[0].write_text(conflicted, encoding="utf-8")
    assert search_ids(archive, "Seedword0") == set()  # unreadable while conflicted ...
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert "repaired: kept the earlier `added` time; now `git add` the file and commit" in result.stdout
    assert files[0].read_text(encoding="utf-8") == text.replace(added, "added: '2024-03-01T09:00:00Z'")
    assert search_ids(archive, "Seedword0") == {files[0].stem}  # ... and found again


def test_repair_leaves_a_real_conflict_to_the_user(run, archive: Path) -> None:
    files = seed(archive)
    text = files[0].read_text(encoding="utf-8")
    conflicted = text.replace("title: Seeded story 0\n",
                              "<<<<<<< HEAD\ntitle: Mine\n=======\ntitle: Theirs\n>>>>>>> theirs\n")
    files[0].write_text(conflicted, encoding="utf-8")
    result = run("check", "--repair")
    assert result.exit_code == ExitCode.PROBLEMS
    assert "merge conflict (<<<<<<< ... >>>>>>>); edit it to keep one version, then `git add` it" in result.stdout
    assert files[0].read_text(encoding="utf-8") == conflicted


def test_repair_never_deletes_an_article_file(run, archive: Path) -> None:
    """Every kind of damage at once (beside intact copies): repair moves files but never removes one."""
    files = seed(archive, 6)
    for number, (name, (damage, _, _)) in enumerate(sorted(DAMAGE.items())):
        if name in ("temp file", "conflict"):  # newsarc's own temp file; a conflict is rewritten, resolved
            continue
        shadow = files[number % 6].with_name(f"{name.replace(' ', '-')}.yaml")
        shadow.write_bytes(files[number % 6].read_bytes())
        damage(archive, shadow)
    yaml_files = len(list((archive / "articles").rglob("*.yaml")))
    before = contents(archive)
    result = run("check", "--repair")
    assert "Traceback" not in result.output
    assert result.exit_code == ExitCode.PROBLEMS  # most of this needs the user
    assert contents(archive) == before
    assert len(list((archive / "articles").rglob("*.yaml"))) == yaml_files


# -- output forms ------------------------------------------------------------------------------------------------
def test_json_output(run, archive: Path) -> None:
    files = seed(archive)
    files[0].write_text("- a list\n", encoding="utf-8")
    result = run("check", "--json")
    assert result.exit_code == ExitCode.PROBLEMS
    data = json.loads(result.stdout)
    assert data["files_checked"] == 3 and data["articles"] == 2
    [problem] = data["problems"]
    assert problem["path"] == files[0].relative_to(archive).as_posix()
    assert problem["kind"] == "yaml" and problem["field"] == "yaml" and problem["repairable"] is False
    assert data["repaired"] == []


def test_api_returns_problem_objects(archive: Path) -> None:
    files = seed(archive)
    files[0].rename(files[0].with_name("elsewhere.yaml"))
    store = api.open_store(archive)
    try:
        problems = check_archive(store)
        assert [type(p) for p in problems] == [Problem]
        assert problems[0].kind == "misplaced" and problems[0].repairable and not problems[0].repaired
        assert problems[0].line().startswith("articles/")
        repaired = check_archive(store, repair=True)
        assert [p.repaired for p in repaired] == [True]
        assert check_archive(store) == []
    finally:
        store.close()


# -- originals kept by `add --keep-original` ----------------------------------------------------------------------
def test_kept_originals_are_newsarc_files_and_move_with_their_article(run, archive: Path, tmp_path: Path) -> None:
    source = tmp_path / "story.txt"
    source.write_text("Kept story\n\nDate: 2017-05-18\n\nKeptword in the body.\n", encoding="utf-8")
    assert run("add", str(source), "--keep-original").exit_code == 0
    [yaml_file] = (archive / "articles").rglob("*.yaml")
    original = yaml_file.with_name(f"{yaml_file.stem}.orig.gz")
    assert original.exists()
    assert run("check").exit_code == 0  # not a stray file
    elsewhere = archive / "articles" / "2001" / "01"
    elsewhere.mkdir(parents=True)
    yaml_file.rename(elsewhere / yaml_file.name)
    original.rename(elsewhere / original.name)
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert yaml_file.exists() and original.exists()  # both back where they belong
    assert not elsewhere.exists()  # nothing left there, not even the emptied folder (issue 20.15)


def test_orphan_original_is_reported_never_removed(run, archive: Path) -> None:
    files = seed(archive)
    orphan = files[0].with_name("0000000000.orig.gz")
    orphan.write_bytes(b"\x1f\x8b not really")
    result = run("check", "--repair")
    assert result.exit_code == ExitCode.PROBLEMS
    assert "0000000000.orig.gz: file: is a kept original whose article is not beside it" in result.stdout
    assert orphan.exists()


def test_original_named_outside_the_archive_is_never_moved(run, archive: Path, tmp_path: Path) -> None:
    """`original:` comes from the YAML: check --repair moves only the file newsarc names <id>.orig.gz."""
    files = seed(archive)
    outside = tmp_path / "precious.orig.gz"
    outside.write_bytes(b"keep me here")
    text = files[0].read_text(encoding="utf-8").replace("body:", f"original: ../../../../{outside.name}\nbody:")
    misplaced = archive / "articles" / "1990" / "01" / files[0].name
    misplaced.parent.mkdir(parents=True)
    misplaced.write_text(text, encoding="utf-8")
    files[0].unlink()
    result = run("check", "--repair")
    assert result.exit_code == 0, result.output
    assert outside.read_bytes() == b"keep me here"
    assert files[0].exists()


# -- a damaged index (power cut, bad disk block): derived, so rebuilt from the YAML ---------------------------------
def _garbage(paths, size: int = 300) -> None:
    for path in paths:
        path.write_bytes(os.urandom(size))


INDEX_DAMAGE = {
    "terms file emptied": lambda state: [p.write_bytes(b"") for p in (state / "index").glob("*.trm")],
    "postings overwritten": lambda state: _garbage((state / "index").glob("*.pst")),
    "table of contents overwritten": lambda state: _garbage((state / "index").glob("_MAIN_*.toc"), 100),
    "segment file deleted": lambda state: [p.unlink() for p in (state / "index").glob("*.pst")],
    "catalog overwritten": lambda state: _garbage([state / "catalog.sqlite"], 8192),
    "catalog truncated": lambda state: os.truncate(state / "catalog.sqlite", 4096),
}


@pytest.mark.parametrize("damage", sorted(INDEX_DAMAGE))
def test_damaged_index_is_rebuilt_by_the_next_command(archive: Path, damage: str) -> None:
    files = seed(archive)
    settle(archive)  # nothing left to index: the damage is met by the search itself
    store = api.open_store(archive)
    store.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    INDEX_DAMAGE[damage](archive / ".newsarc")
    proc = subprocess.run([NEWSARC, "--archive", str(archive), "search", "Seedword1", "--ids"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [files[1].stem]
    [warning] = proc.stderr.splitlines()
    assert warning.startswith(f"newsarc: warning: the index in {archive / '.newsarc'} was damaged (")
    assert warning.endswith("); rebuilding it from the article files")
    again = subprocess.run([NEWSARC, "--archive", str(archive), "search", "Seedword2", "--ids"], capture_output=True,
                           text=True, timeout=60)
    assert again.stderr == "" and again.stdout.split() == [files[2].stem]


def test_check_reports_a_damaged_index_it_rebuilt(run, archive: Path) -> None:
    files = seed(archive)
    settle(archive)
    INDEX_DAMAGE["terms file emptied"](archive / ".newsarc")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(".newsarc: index: the index was damaged (FileFormatError: ")
    assert result.stdout.rstrip().endswith("; repaired: rebuilt from the article files")
    assert search_ids(archive, "Seedword0") == {files[0].stem}


def test_damaged_index_while_another_process_writes_is_a_clear_error(archive: Path) -> None:
    from newsarc.storage.locking import ArchiveLock

    seed(archive)
    settle(archive)
    INDEX_DAMAGE["terms file emptied"](archive / ".newsarc")
    holder = ArchiveLock(archive / ".newsarc" / "lock")  # its own open file: to the kernel, another holder
    holder.acquire()
    try:
        proc = subprocess.run([NEWSARC, "--archive", str(archive), "search", "Seedword1"], capture_output=True,
                              text=True, timeout=60)
    finally:
        holder.release()
    assert proc.returncode == ExitCode.ARCHIVE
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"newsarc: error: the index in {archive / '.newsarc'} is damaged (FileFormatError: ")
    assert line.endswith("the next command that can take the archive lock rebuilds it, or `newsarc check --repair`")


def test_check_shows_a_bar_on_a_terminal(archive: Path) -> None:
    """Checking 200 files or more is worth a bar (on stderr, a terminal only); the verdict is still printed."""
    from tests.support.terminal import run_on_terminal
    from tests.test_progress import screen_lines

    seed(archive, 220)
    shown = run_on_terminal([NEWSARC, "--archive", str(archive), "check"])
    assert shown.returncode == 0, shown.terminal
    lines = screen_lines(shown.terminal)
    assert any(line.startswith("checking") for line in lines), lines
    assert lines[-1] == "checked 220 article files: no problems"
