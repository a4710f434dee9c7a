"""Links between articles stay whole, and dates stay readable (issue 20, point 13).

`rm` of the article a cluster of near-duplicates or versions hangs from rewires the others and says so;
`check` reports a duplicate_of/version_of naming a missing article and a date not written as ISO;
`check --repair` clears a dangling link and rewrites an unambiguous date, and never guesses an ambiguous one.
"""

from __future__ import annotations

from pathlib import Path

from newsarc.errors import ExitCode
from newsarc.yamlio import load_yaml

BODY = ("The council met on Tuesday and agreed a new budget for schools, roads and libraries after a long "
        "debate that ran late into the night, officials said. The mayor said the plan would protect services "
        "while taxes stayed flat for another year, and opposition members called it a fair compromise.")


def fields_of(archive: Path, article_id: str) -> dict:
    (path,) = archive.glob(f"articles/**/{article_id}.yaml")
    return load_yaml(path.read_bytes(), origin=str(path))


def added_id(output: str) -> str:
    return next(line.split()[1] for line in output.splitlines() if line.startswith("added "))


def add_text(run, tmp_path: Path, name: str, text: str, *options: str) -> str:  # type: ignore[no-untyped-def]
    source = tmp_path / f"{name}.txt"
    source.write_text(text)
    result = run("add", str(source), *options)
    assert result.exit_code == 0, result.output
    return added_id(result.output)


def test_rm_of_the_first_duplicate_rewires_the_others(run, archive: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = add_text(run, tmp_path, "a", f"Council agrees budget\n\n{BODY}\n", "--source", "Paper A")
    second = add_text(run, tmp_path, "b", f"Council agrees budget plan\n\n{BODY}\n", "--source", "Paper B")
    third = add_text(run, tmp_path, "c", f"Council budget agreed\n\n{BODY}\n", "--source", "Paper C")
    assert fields_of(archive, second)["duplicate_of"] == first == fields_of(archive, third)["duplicate_of"]

    result = run("rm", first)
    assert result.exit_code == 0, result.output
    assert f"relinked {second}  duplicate_of: {first} cleared" in result.output
    assert f"relinked {third}  duplicate_of: {first} -> {second}" in result.output
    assert "duplicate_of" not in fields_of(archive, second)
    assert fields_of(archive, third)["duplicate_of"] == second
    checked = run("check")
    assert checked.exit_code == 0, checked.output
    dups = run("dups")
    assert second in dups.output and third in dups.output and first not in dups.output


def test_rm_of_an_article_with_earlier_versions_keeps_them_one_family(run, archive: Path,  # type: ignore[no-untyped-def]
                                                                      tmp_path: Path) -> None:
    url = "https://news.example/council-budget"
    live = add_text(run, tmp_path, "v1", f"Council agrees budget\n\n{BODY}\n", "--url", url)
    for n, words in enumerate(["Tuesday", "Wednesday"], start=2):
        text = f"Council agrees budget\n\n{BODY.replace('on Tuesday', 'on ' + words + ' evening')} Update {n}.\n"
        source = tmp_path / f"v{n}.txt"
        source.write_text(text)
        assert run("add", str(source), "--url", url).exit_code == 0
    kept = sorted(p.stem for p in archive.glob("articles/**/*.yaml") if p.stem != live)
    assert len(kept) == 2 and all(fields_of(archive, k)["version_of"] == live for k in kept)

    result = run("rm", live)
    assert result.exit_code == 0, result.output
    assert result.output.count("relinked ") == 2
    links = {k: fields_of(archive, k).get("version_of") for k in kept}
    heads = [k for k, target in links.items() if target is None]
    assert len(heads) == 1 and all(target in (None, heads[0]) for target in links.values())
    assert run("check").exit_code == 0


def test_check_reports_a_dangling_link_and_repair_clears_it(run, archive: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article_id = add_text(run, tmp_path, "a", f"Council agrees budget\n\n{BODY}\n")
    (path,) = archive.glob(f"articles/**/{article_id}.yaml")
    path.write_text(path.read_text() + "duplicate_of: zzzzzzzzzz\nversion_of: yyyyyyyyyy\n")

    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS, checked.output
    assert f"{article_id}.yaml: duplicate_of: names zzzzzzzzzz, which is not in the archive" in checked.stdout
    assert f"{article_id}.yaml: version_of: names yyyyyyyyyy, which is not in the archive" in checked.stdout
    assert "`newsarc check --repair` clears it" in checked.stdout

    repaired = run("check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "duplicate_of: names zzzzzzzzzz, which is not in the archive (removed, or a typo); repaired: cleared" \
        in repaired.stdout
    fields = fields_of(archive, article_id)
    assert "duplicate_of" not in fields and "version_of" not in fields and fields["body"].startswith("The council")
    assert run("check").exit_code == 0


def test_check_reports_an_ambiguous_date_and_never_guesses(run, archive: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article_id = add_text(run, tmp_path, "a", f"Council agrees budget\n\n{BODY}\n", "--date", "1987-04-03")
    (path,) = archive.glob(f"articles/**/{article_id}.yaml")
    path.write_text(path.read_text().replace("date: '1987-04-03'", "date: 03/04/1987")
                    .replace("date: 1987-04-03", "date: 03/04/1987"))
    assert "date: 03/04/1987" in path.read_text()
    before = path.read_bytes()

    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS, checked.output
    line = next(line for line in checked.stdout.splitlines() if "03/04/1987" in line)
    assert "reads two ways: 1987-04-03 (day first) or 1987-03-04 (month first)" in line
    assert "write the one meant as YYYY-MM-DD" in line

    repaired = run("check", "--repair")
    assert repaired.exit_code == ExitCode.PROBLEMS  # left to the user
    assert path.read_bytes() == before


def test_repair_writes_an_unambiguous_date_as_iso(run, archive: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article_id = add_text(run, tmp_path, "a", f"Council agrees budget\n\n{BODY}\n", "--date", "2017-05-18")
    (path,) = archive.glob(f"articles/**/{article_id}.yaml")
    text = path.read_text()
    for written in ("date: '2017-05-18'", "date: 2017-05-18"):
        text = text.replace(written, "date: 18 May 2017")
    path.write_text(text)

    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS, checked.output
    assert "'18 May 2017' is not an ISO date (it reads as 2017-05-18)" in checked.stdout

    repaired = run("check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: written as YYYY-MM-DD" in repaired.stdout
    assert str(fields_of(archive, article_id)["date"]) == "2017-05-18"
    assert "18 May 2017" not in path.read_text()
    assert run("check").exit_code == 0


def _set_added(path: Path, line: str | None) -> None:
    """Replace the file's `added:` line by `line` (None: remove it), as a hand edit does."""
    lines = [kept for kept in path.read_text().splitlines() if not kept.startswith("added:")]
    if line is not None:
        lines.insert(1, line)
    path.write_text("\n".join(lines) + "\n")


def test_check_reports_an_added_time_not_written_as_iso_as_it_does_a_date(run, archive: Path,  # type: ignore[no-untyped-def]
                                                                          tmp_path: Path) -> None:
    """`added` is read as leniently as `date` (it orders `recent` and the versions): check says so alike."""
    clear = add_text(run, tmp_path, "a", f"Council agrees budget\n\n{BODY}\n")
    ambiguous = add_text(run, tmp_path, "b", f"Harbour reopens\n\n{BODY.replace('council', 'harbour board')}\n")
    (clear_path,) = archive.glob(f"articles/**/{clear}.yaml")
    (ambiguous_path,) = archive.glob(f"articles/**/{ambiguous}.yaml")
    _set_added(clear_path, "added: 18 May 2017")
    _set_added(ambiguous_path, "added: 03/04/1987")
    ambiguous_before = ambiguous_path.read_bytes()

    checked = run("check")
    assert checked.exit_code == ExitCode.PROBLEMS, checked.output
    assert (f"articles/undated/{clear}.yaml: added: '18 May 2017' is not an ISO date (it reads as 2017-05-18); "
            "`newsarc check --repair` writes it as 2017-05-18") in checked.stdout.splitlines()
    line = next(line for line in checked.stdout.splitlines() if "03/04/1987" in line)
    assert line.startswith(f"articles/undated/{ambiguous}.yaml: added: ")
    assert "reads two ways: 1987-04-03 (day first) or 1987-03-04 (month first)" in line

    repaired = run("check", "--repair")
    assert repaired.exit_code == ExitCode.PROBLEMS  # the ambiguous one is left to the user
    assert str(fields_of(archive, clear)["added"]) == "2017-05-18"
    assert ambiguous_path.read_bytes() == ambiguous_before

