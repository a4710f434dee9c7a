"""The core commands as a user runs them: init, add, search, show, list, tag, rm, stats, reindex, export, import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from newsarc.errors import ExitCode
from tests.conftest import BBC, REPO, SEED, need_shared

SEED_TAGS = ["Syria", "Iraq", "ISIS", "Mosul offensive", "Iraqi border", "Abu Kamal", "al-Bukamal", "al-Bokamal"]
SEED_TITLE = "Syrian President Assad, Iraqi security advisor discuss 'direct' military cooperation"


def article_files(archive: Path) -> list[Path]:
    return sorted((archive / "articles").rglob("*.yaml"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def add_text(run, tmp_path: Path, name: str, text: str, *args: str):
    return run("add", str(write(tmp_path / "in" / name, text)), *args)


def added_id(result) -> str:
    line = result.output.strip().splitlines()[-1]
    return line.split()[1] if line.startswith("added") else line.split()[5]


# -- add -----------------------------------------------------------------------------------------------------
def test_seed_ingests_with_exact_fields(run, archive: Path) -> None:
    need_shared(SEED)
    result = run("add", str(SEED))
    assert result.exit_code == 0, result.output
    files = article_files(archive)
    assert len(files) == 1
    assert files[0].parent == archive / "articles" / "2017" / "05"
    data = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    assert data["title"] == SEED_TITLE
    assert str(data["date"]) == "2017-05-18"
    assert data["source"] == "Rudaw"
    assert data["tags"] == SEED_TAGS
    assert data["location"] == "ERBIL, Kurdistan Region"
    assert data["body"].startswith("Syrian President Bashar al-Assad")
    assert data["body"].rstrip().endswith("against the extremist group in 2014.")
    for furniture in ("A+ A-", "Comments", "moderates all comments", "Post a comment", "Required"):
        assert furniture not in data["body"]
    assert files[0].name == f"{data['id']}.yaml"
    assert data["added"].endswith("Z")
    # The body is a literal block: the file reads like the article, one paragraph per line.
    text = files[0].read_text(encoding="utf-8")
    assert "body: |" in text
    assert "\n  Iraqi PM Abadi also ordered airstrikes" in text


def test_adding_twice_reports_the_existing_id(run, archive: Path) -> None:
    need_shared(SEED)
    first = run("add", str(SEED))
    second = run("add", str(SEED))
    assert second.exit_code == 0
    assert "already in the archive" in second.output
    assert added_id(first) in second.output
    assert len(article_files(archive)) == 1


def test_same_url_is_a_duplicate(run, archive: Path, tmp_path: Path) -> None:
    add_text(run, tmp_path, "a.txt", "First title\n\nSome body text here.", "--url", "https://example.org/a")
    result = add_text(run, tmp_path, "b.txt", "Other title\n\nOther body.", "--url", "https://example.org/a")
    assert result.exit_code == 0 and "already in the archive" in result.output
    assert len(article_files(archive)) == 1


def test_duplicate_detection_ignores_case_space_and_quotes(run, archive: Path, tmp_path: Path) -> None:
    add_text(run, tmp_path, "a.txt", "Market ‘rally’ ends\n\nShares   fell on Monday.")
    result = add_text(run, tmp_path, "b.txt", "market 'rally' ends\n\nShares fell on  Monday.")
    assert "already in the archive" in result.output
    assert len(article_files(archive)) == 1


def test_other_date_forms_parse(run, archive: Path, tmp_path: Path) -> None:
    for n, form in enumerate(["2017-05-18", "May 18, 2017", "18 May 2017", "18-05-2017"]):
        text = f"Headline number {n}\n\n{form}\nExample Times\n\nBody of article {n} is a sentence."
        assert add_text(run, tmp_path, f"{n}.txt", text).exit_code == 0
    dates = {str(yaml.safe_load(f.read_text())["date"]) for f in article_files(archive)}
    assert dates == {"2017-05-18"}


def test_metadata_options_override_and_add(run, archive: Path, tmp_path: Path) -> None:
    result = add_text(
        run, tmp_path, "x.txt", "Read title\n\nThe body.", "--title", "Given title", "--date", "18 May 2017",
        "--source", "Rudaw", "--url", "https://rudaw.net/x", "--author", "A. Writer", "--author", "B. Writer",
        "--tag", "Syria", "--tag", "Abu Kamal",
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(article_files(archive)[0].read_text())
    assert (data["title"], str(data["date"]), data["source"], data["url"]) == (
        "Given title", "2017-05-18", "Rudaw", "https://rudaw.net/x")
    assert data["authors"] == ["A. Writer", "B. Writer"]
    assert data["tags"] == ["Syria", "Abu Kamal"]


def test_add_from_stdin(run, archive: Path) -> None:
    result = run("add", "-", "--source", "Paste", input="Pasted headline\n\nPasted body text.\n")
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(article_files(archive)[0].read_text())["source"] == "Paste"


def test_bulk_add_reports_failures_and_goes_on(run, archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for n in range(5):
        write(folder / f"{n}.txt", f"Story {n}\n\nText of story {n}.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    result = run("add", str(folder))
    assert result.exit_code == ExitCode.PARTIAL
    assert "5 added, 0 already in the archive, 2 failed" in result.output
    assert "empty.txt" in result.output and "binary.txt" in result.output
    assert "Traceback" not in result.output
    assert len(article_files(archive)) == 5


def test_missing_file_fails_cleanly(run, archive: Path) -> None:
    result = run("add", "/no/such/file.txt")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "no such file" in result.output


def test_add_needs_an_argument(run) -> None:
    result = run("add")
    assert result.exit_code == ExitCode.USAGE
    assert "newsarc: error:" in result.output


# -- the BBC corpus ------------------------------------------------------------------------------------------
def test_bbc_corpus_ingests_with_titles_and_searches(bbc_archive: Path, runner) -> None:
    from newsarc.cli.app import cli

    files = article_files(bbc_archive)
    # 2,225 files hold 98 byte-identical copies and 3 more that differ only in white space.
    assert len(files) == 2124
    result = runner.invoke(cli, ["-a", str(bbc_archive), "search", "title:(Ad sales boost Time Warner profit)",
                                 "--json"])
    hits = json.loads(result.output)
    assert hits[0]["title"] == "Ad sales boost Time Warner profit"
    result = runner.invoke(cli, ["-a", str(bbc_archive), "search", "Yukos", "--count"])
    assert int(result.output) > 20


def test_bbc_non_utf8_file_keeps_its_text(bbc_archive: Path, runner) -> None:
    from newsarc.cli.app import cli

    need_shared(BBC / "sport" / "199.txt")
    result = runner.invoke(cli, ["-a", str(bbc_archive), "search", '"£15.8m signing"', "--json"])
    hits = json.loads(result.output)
    assert len(hits) == 1
    shown = runner.invoke(cli, ["-a", str(bbc_archive), "show", hits[0]["id"], "--format", "json"])
    body = json.loads(shown.output)["body"]
    assert "a £15.8m signing from Parma" in body
    assert "\ufffd" not in body


# -- search --------------------------------------------------------------------------------------------------
@pytest.fixture
def seeded(run, archive: Path) -> str:
    need_shared(SEED)
    return added_id(run("add", str(SEED)))


def test_search_finds_the_seed_and_highlights(run, seeded: str) -> None:
    result = run("search", "Abu Kamal")
    assert result.exit_code == 0
    assert seeded in result.output and SEED_TITLE in result.output
    assert "Abu Kamal in Deir ez Zor" in result.output
    styled = run("--color", "always", "search", "Abu Kamal")
    assert "\x1b[" in styled.output  # highlighted on a terminal


def test_search_json_fields_and_offsets(run, seeded: str) -> None:
    hits = json.loads(run("search", "Abu Kamal", "--json").output)
    assert len(hits) == 1
    hit = hits[0]
    assert set(hit) == {"id", "score", "date", "source", "title", "tags", "url", "authors", "location", "language",
                        "path", "matched_terms", "snippets"}
    assert (hit["id"], hit["date"], hit["source"], hit["tags"]) == (seeded, "2017-05-18", "Rudaw", SEED_TAGS)
    snippet = hit["snippets"][0]
    marked = [snippet["text"][s:e] for s, e in snippet["highlights"]]
    assert marked == ["Abu", "Kamal"]


def test_search_jsonl_and_csv(run, seeded: str) -> None:
    lines = run("search", "Assad", "--jsonl").output.strip().splitlines()
    assert json.loads(lines[0])["id"] == seeded
    rows = run("search", "Assad", "--csv").output.strip().splitlines()
    assert rows[0].startswith("id,score,date,source,title,tags")
    assert rows[1].startswith(seeded)


def test_search_language(run, archive: Path, tmp_path: Path, seeded: str) -> None:
    add_text(run, tmp_path, "b.txt", "Budget talks\n\n2018-02-03\nThe Times\n\nThe budget was agreed in Damascus.",
             "--tag", "Economy")
    for query, expected in [
        ('"direct military cooperation"', {seeded}),
        ('"military direct cooperation"', set()),
        ("Damascus", None),  # both
        ("Damascus NOT budget", {seeded}),
        ("budget OR Mosul", None),
        ('tag:"Abu Kamal"', {seeded}),
        ("tag:economy", "other"),
        ("source:rudaw", {seeded}),
        ("date:2017-05", {seeded}),
        ("date:[2017-05-01 TO 2017-05-17]", set()),
        ("date:[2017-05-18 TO 2017-05-18]", {seeded}),
        ("date:>2017-05", "other"),
        ("Damasc*", None),
    ]:
        result = run("search", query, "--ids")
        ids = set(result.output.split())
        if expected is None:
            assert len(ids) == 2, query
        elif expected == "other":
            assert len(ids) == 1 and seeded not in ids, query
        else:
            assert ids == expected, query
        assert result.exit_code == (0 if ids else ExitCode.NO_MATCH)


def test_search_filters_sort_and_paging(run, archive: Path, tmp_path: Path) -> None:
    for n, date in enumerate(["2016-01-10", "2017-03-05", "2018-07-20"]):
        add_text(run, tmp_path, f"{n}.txt", f"Flood story {n}\n\n{date}\nSource {n % 2}\nTags: Weather\n\n"
                 f"Rain and flood number {n} hit the valley.")
    by_date = run("search", "flood", "--sort", "date", "--json").output
    assert [h["date"] for h in json.loads(by_date)] == ["2018-07-20", "2017-03-05", "2016-01-10"]
    assert run("search", "flood", "--since", "2017", "--count").output.strip() == "2"
    assert run("search", "flood", "--until", "2017-03", "--count").output.strip() == "2"
    assert run("search", "flood", "--since", "2017-03-06", "--until", "2018-07-20", "--count").output.strip() == "1"
    assert run("search", "flood", "--source", "Source 1", "--count").output.strip() == "1"
    assert run("search", "flood", "--tag", "weather", "--count").output.strip() == "3"
    page2 = run("search", "flood", "--sort", "date", "--limit", "2", "--page", "2", "--json").output
    assert [h["date"] for h in json.loads(page2)] == ["2016-01-10"]
    assert run("search", "flood", "--since", "2017-13").exit_code == ExitCode.USAGE


def test_search_no_match_exits_1(run, seeded: str) -> None:
    result = run("search", "zebra")
    assert result.exit_code == ExitCode.NO_MATCH
    assert run("search", "zebra", "--json").output.strip() == "[]"


@pytest.mark.parametrize("query", ['"unclosed phrase', "(Assad", "Assad)", "nosuchfield:x", "date:2017-13"])
def test_malformed_query_exits_2_with_one_line(run, seeded: str, query: str) -> None:
    result = run("search", query)
    assert result.exit_code == ExitCode.USAGE
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsarc: error:")


# -- show, ids -----------------------------------------------------------------------------------------------
def test_show_by_prefix_and_formats(run, seeded: str) -> None:
    result = run("show", seeded[:4])
    assert result.exit_code == 0
    assert SEED_TITLE in result.output and "Rudaw" in result.output and "Syrian President Bashar" in result.output
    as_json = json.loads(run("show", seeded, "--format", "json").output)
    assert as_json["tags"] == SEED_TAGS
    as_yaml = yaml.safe_load(run("show", seeded, "--format", "yaml").output)
    assert as_yaml["id"] == seeded
    assert run("show", seeded, "--format", "markdown").output.startswith("## ")
    assert run("show", seeded, "--format", "text").output.startswith(SEED_TITLE)


def test_unknown_and_ambiguous_ids(run, archive: Path, tmp_path: Path) -> None:
    ids = [added_id(add_text(run, tmp_path, f"{n}.txt", f"Story {n}\n\nBody {n}.")) for n in range(40)]
    unknown = run("show", "zzzzzz")
    assert unknown.exit_code == ExitCode.NOT_FOUND and "no article" in unknown.output
    # 40 ids over 32 first characters: some share their first character, and so a prefix.
    first = {}
    for id_ in ids:
        first.setdefault(id_[0], []).append(id_)
    shared = next(group for group in first.values() if len(group) > 1)
    common = os.path.commonprefix(shared)
    assert len(common) < 4
    short = run("show", shared[0][:3])
    assert short.exit_code == ExitCode.USAGE and "at least 4" in short.output
    # Make an ambiguous 4-character prefix by hand: copy an article under a sibling id.
    src = next(p for p in article_files(archive) if p.stem == ids[0])
    twin = ids[0][:4] + ("0" if ids[0][4] != "0" else "1") + ids[0][5:]
    data = yaml.safe_load(src.read_text())
    data["id"], data["title"] = twin, "Twin story"
    write(src.with_name(f"{twin}.yaml"), yaml.safe_dump(data))
    ambiguous = run("show", ids[0][:4])
    assert ambiguous.exit_code == ExitCode.AMBIGUOUS
    assert ids[0] in ambiguous.output and twin in ambiguous.output
    for bad in ("../../etc/passwd", "/etc/passwd", "C:\\x"):
        assert run("show", bad).exit_code == ExitCode.NOT_FOUND


# -- list, tag, rm, stats, reindex ---------------------------------------------------------------------------
def test_list_newest_first_with_filters(run, archive: Path, tmp_path: Path) -> None:
    for n, date in enumerate(["2016-01-10", "2018-07-20", "2017-03-05"]):
        add_text(run, tmp_path, f"{n}.txt", f"Story {n}\n\n{date}\nDaily {n}\nTags: T{n}, Common\n\nBody {n}.")
    add_text(run, tmp_path, "u.txt", "Undated story\n\nNo date here.")
    rows = json.loads(run("list", "--json").output)
    assert [r["date"] for r in rows] == ["2018-07-20", "2017-03-05", "2016-01-10", None]
    assert [r["title"] for r in json.loads(run("list", "--limit", "1", "--json").output)] == ["Story 1"]
    assert [r["title"] for r in json.loads(run("list", "--tag", "t2", "--json").output)] == ["Story 2"]
    assert len(json.loads(run("list", "--since", "2017", "--json").output)) == 2
    assert [r["title"] for r in json.loads(run("list", "--until", "2016-12", "--json").output)] == ["Story 0"]
    assert [r["title"] for r in json.loads(run("list", "--source", "daily 2", "--json").output)] == ["Story 2"]
    plain = run("list").output.splitlines()
    assert plain[0].split()[1] == "2018-07-20" and "Story 1" in plain[0]
    assert run("list", "--tag", "nope").exit_code == ExitCode.NO_MATCH


def test_articles_added_within_one_second_are_listed_last_added_first(run, tmp_path: Path) -> None:
    """`added` is written to the second, so one command adds many articles with the same time: among them, the
    one added last is the most recently added (the web's /recent listed it after the others, by path, so an
    undated story added after twenty others in the same second fell off the first page on a fast machine)."""
    same = "2020-01-01T00:00:00Z"
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps({"title": f"Dated {n}", "date": "2017-05-01", "added": same,
                                         "body": f"Story number {n} of a batch."}) + "\n" for n in range(3)),
                     encoding="utf-8")
    assert run("import", str(first)).exit_code == 0
    last = tmp_path / "last.jsonl"
    last.write_text(json.dumps({"title": "Undated, added last", "added": same, "body": "No date given."}) + "\n",
                    encoding="utf-8")
    assert run("import", str(last)).exit_code == 0
    listed = json.loads(run("list", "--sort", "added", "--json").output)
    assert [r["title"] for r in listed][0] == "Undated, added last"


def test_pages_sorted_by_date_show_every_article_once_when_dates_and_added_times_tie(run, archive: Path,
                                                                                   tmp_path: Path) -> None:
    """Page 1 of a date-sorted listing walks the date index; later pages are read with an offset. Both must break
    a tie of date and `added` the same way, or an article on a page boundary shows twice or on no page at all
    (page 1 broke it by the order rows were recorded, later pages by path)."""
    from newsarc import api
    from newsarc.search_request import build_listing

    batch = tmp_path / "same.jsonl"
    batch.write_text("".join(json.dumps({"title": f"Tied story {n}", "date": "2017-05-01",
                                         "added": "2020-01-01T00:00:00Z", "body": f"Tied body number {n}."}) + "\n"
                             for n in range(9)), encoding="utf-8")
    assert run("import", str(batch)).exit_code == 0
    store = api.open_store(archive)
    try:
        every = [e.id for e in api.listing(store, build_listing({"sort": "date", "limit": 0}))]
        pages = [[e.id for e in api.listing(store, build_listing({"sort": "date", "limit": 4, "page": page}))]
                 for page in (1, 2, 3)]
    finally:
        store.close()
    assert len(every) == 9 and sorted(every) == sorted(set(every))
    assert [i for page in pages for i in page] == every


def test_tag_adds_and_removes(run, archive: Path, seeded: str) -> None:
    result = run("tag", seeded[:6], "+Deir ez-Zor", "-ISIS", "-syria")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(article_files(archive)[0].read_text())
    assert data["tags"] == ["Iraq", "Mosul offensive", "Iraqi border", "Abu Kamal", "al-Bukamal", "al-Bokamal",
                            "Deir ez-Zor"]
    assert run("search", 'tag:"deir ez-zor"', "--ids").output.strip() == seeded
    assert run("search", "tag:isis").exit_code == ExitCode.NO_MATCH
    assert run("tag", seeded, "Syria").exit_code == ExitCode.USAGE


def test_rm_removes_file_and_index_entry(run, archive: Path, seeded: str) -> None:
    result = run("rm", seeded[:5])
    assert result.exit_code == 0 and seeded in result.output
    assert article_files(archive) == []
    assert run("search", "Assad").exit_code == ExitCode.NO_MATCH
    assert run("show", seeded).exit_code == ExitCode.NOT_FOUND


def test_stats(run, archive: Path, tmp_path: Path, seeded: str) -> None:
    add_text(run, tmp_path, "b.txt", "Other\n\n2019-01-02\nRudaw\nTags: Syria\n\nBody.")
    stats = json.loads(run("stats", "--json").output)
    assert stats["articles"] == 2
    assert (stats["first_date"], stats["last_date"]) == ("2017-05-18", "2019-01-02")
    assert stats["sources"][0] == {"source": "Rudaw", "count": 2}
    assert stats["tags"][0] == {"tag": "Syria", "count": 2}
    assert "articles: 2" in run("stats").output


def test_reindex_rebuilds_a_deleted_index(run, archive: Path, seeded: str) -> None:
    import shutil

    shutil.rmtree(archive / ".newsarc")
    assert run("search", "Assad", "--ids").output.strip() == seeded  # rebuilt by itself
    result = run("reindex")
    assert result.exit_code == 0 and "indexed 1 article " in result.output
    assert run("search", "Assad", "--ids").output.strip() == seeded


# -- hand edits are seen by the next command ------------------------------------------------------------------
def test_hand_edits_added_edited_deleted_are_seen(run, archive: Path, seeded: str) -> None:
    path = article_files(archive)[0]
    # Edited in place (same size would be a trap for a size-only check: change a word of equal length).
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Damascus", "Damaskus"), encoding="utf-8")
    assert run("search", "Damaskus", "--ids").output.strip() == seeded
    assert run("search", "Damascus", "--exact").exit_code == ExitCode.NO_MATCH  # (a variant finds Damaskus)
    # Added by hand (as git pull would), in a new month directory.
    data = yaml.safe_load(text)
    data.update(id="abcdefgh12", title="Hand written story", date="2019-02-03", body="Zanzibar clove harvest.\n")
    write(archive / "articles" / "2019" / "02" / "abcdefgh12.yaml", yaml.safe_dump(data))
    assert run("search", "Zanzibar", "--ids").output.strip() == "abcdefgh12"
    assert run("show", "abcd").exit_code == 0
    # Renamed / moved.
    moved = archive / "articles" / "undated" / "abcdefgh12.yaml"
    moved.parent.mkdir(parents=True)
    (archive / "articles" / "2019" / "02" / "abcdefgh12.yaml").rename(moved)
    hits = json.loads(run("search", "Zanzibar", "--json").output)
    assert [h["path"] for h in hits] == ["articles/undated/abcdefgh12.yaml"]
    # Deleted.
    path.unlink()
    assert run("search", "Damaskus").exit_code == ExitCode.NO_MATCH
    assert run("show", seeded).exit_code == ExitCode.NOT_FOUND


def test_broken_hand_edit_is_reported_not_fatal(run, archive: Path, seeded: str) -> None:
    path = article_files(archive)[0]
    path.write_text("title: [unclosed\n", encoding="utf-8")
    result = run("search", "Assad")
    assert result.exit_code == ExitCode.NO_MATCH
    assert "invalid YAML" in result.output and path.name in result.output
    assert "Traceback" not in result.output


# -- export / import -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "yaml"])
def test_export_import_round_trip(run, runner, archive: Path, tmp_path: Path, seeded: str, fmt: str) -> None:
    from newsarc.cli.app import cli

    add_text(run, tmp_path, "x.txt", "Second =SUM(A1) story\n\nnull\n\n-leading dash line", "--tag", "no")
    out = tmp_path / f"all.{fmt}"
    result = run("export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0 and "exported 2 articles" in result.output
    other = tmp_path / "copy"
    result = runner.invoke(cli, ["-a", str(other), "init", str(other)])
    result = runner.invoke(cli, ["-a", str(other), "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 imported" in result.output

    def articles(root: Path) -> dict[str, dict]:
        found = {}
        for f in article_files(root):
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
            found[data["id"]] = data
        return found

    assert articles(other) == articles(archive)
    again = runner.invoke(cli, ["-a", str(other), "import", str(out)])
    assert "0 imported, 2 already in the archive" in again.output


def test_export_selection_and_stdout(run, archive: Path, tmp_path: Path, seeded: str) -> None:
    add_text(run, tmp_path, "x.txt", "Budget story\n\n2020-01-01\nTimes\n\nMoney.", "--tag", "Economy")
    lines = run("export", "--tag", "economy").output.strip().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert [r["title"] for r in records] == ["Budget story"]
    records = [json.loads(x) for x in run("export", "--query", "Assad").output.splitlines() if x.startswith("{")]
    assert [r["id"] for r in records] == [seeded]
    records = [json.loads(x) for x in run("export", "--since", "2018").output.splitlines() if x.startswith("{")]
    assert [r["title"] for r in records] == ["Budget story"]


def test_export_es_bulk_with_mapping(run, tmp_path: Path, seeded: str) -> None:
    mapping = tmp_path / "mapping.json"
    out = tmp_path / "bulk.ndjson"
    result = run("export", "--format", "es-bulk", "-o", str(out), "--mapping", str(mapping))
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert json.loads(lines[0]) == {"index": {"_index": "newsarc", "_id": seeded}}
    assert json.loads(lines[1])["title"] == SEED_TITLE
    assert "mappings" in json.loads(mapping.read_text())


# -- archive discovery, init, help ---------------------------------------------------------------------------
def test_archive_found_walking_up_and_env(runner, archive: Path, tmp_path: Path, monkeypatch) -> None:
    from newsarc.cli.app import cli

    deep = archive / "articles"
    monkeypatch.chdir(deep)
    assert runner.invoke(cli, ["stats", "--json"]).exit_code == 0
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    runner.invoke(cli, ["init", str(project / "archive")])
    monkeypatch.chdir(project / "sub")
    assert json.loads(runner.invoke(cli, ["stats", "--json"]).output)["articles"] == 0
    monkeypatch.chdir(tmp_path)
    nowhere = runner.invoke(cli, ["search", "x"])
    assert nowhere.exit_code == ExitCode.ARCHIVE and "newsarc init" in nowhere.output
    monkeypatch.setenv("NEWSARC_ARCHIVE", str(archive))
    assert runner.invoke(cli, ["stats", "--json"]).exit_code == 0


def test_init_makes_the_archive_option_s_directory_not_the_current_one(tmp_path: Path, monkeypatch) -> None:
    """`newsarc --archive DIR init` creates DIR (it made the current directory an archive and ignored DIR); a
    DIRECTORY given to init is the one created, as before (a script that passes --archive to every command)."""
    newsarc = str(Path(sys.executable).with_name("newsarc"))
    here = tmp_path / "here"
    here.mkdir()
    made = subprocess.run([newsarc, "--archive", str(tmp_path / "news"), "init"], cwd=here, capture_output=True,
                          text=True)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "news" / "newsarc.yaml").is_file()
    assert list(here.iterdir()) == []
    added = subprocess.run([newsarc, "--archive", str(tmp_path / "news"), "add", "-", "--title", "One"], cwd=here,
                           input="Some text.\n", capture_output=True, text=True)
    assert added.returncode == 0, added.stderr

    both = subprocess.run([newsarc, "--archive", str(tmp_path / "a"), "init", str(tmp_path / "b")], cwd=here,
                          capture_output=True, text=True)
    assert both.returncode == 0, both.stderr
    assert (tmp_path / "b" / "newsarc.yaml").is_file() and not (tmp_path / "a").exists()
    assert list(here.iterdir()) == []


def test_init_creates_settings_and_gitignore(runner, tmp_path: Path) -> None:
    from newsarc.cli.app import cli

    result = runner.invoke(cli, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0
    assert (tmp_path / "new" / "newsarc.yaml").is_file()
    assert ".newsarc/" in (tmp_path / "new" / ".gitignore").read_text()


def test_every_command_has_help_with_an_example(runner) -> None:
    from newsarc.cli.app import cli

    for name in cli.list_commands(None):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, name


# -- the installed program as a real process -----------------------------------------------------------------
def test_installed_newsarc_runs_as_a_process(archive: Path) -> None:
    need_shared(SEED)
    exe = Path(sys.executable).parent / "newsarc"
    assert exe.exists(), "newsarc is not installed in this environment: pip install -e ."
    env = {**os.environ, "NEWSARC_ARCHIVE": str(archive)}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("newsarc, version")
    added = subprocess.run([exe, "add", SEED], capture_output=True, text=True, env=env, timeout=60)
    assert added.returncode == 0, added.stderr
    found = subprocess.run([exe, "search", "Abu Kamal"], capture_output=True, text=True, env=env, timeout=60)
    assert found.returncode == 0
    assert SEED_TITLE in found.stdout and "\x1b[" not in found.stdout  # plain when piped
    missing = subprocess.run([exe, "search", "zebra"], capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 1
    bad = subprocess.run([exe, "show", "nope!"], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == ExitCode.NOT_FOUND and "Traceback" not in bad.stderr


def test_shipped_sample_archive_finds_abu_kamal() -> None:
    sample = REPO / "archive"
    if not (sample / "newsarc.yaml").exists():
        pytest.fail("the repository must ship a sample archive in archive/")
    exe = Path(sys.executable).parent / "newsarc"
    env = {k: v for k, v in os.environ.items() if k != "NEWSARC_ARCHIVE"}
    found = subprocess.run([exe, "--archive", sample, "search", "Abu Kamal", "--json"], capture_output=True,
                           text=True, env=env, timeout=120)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["title"] == SEED_TITLE


def test_filtered_total_counts_only_what_the_filter_lets_through(run, archive: Path) -> None:
    """Whoosh's own total recounts a query without its filter once posting lists are long enough to skip
    blocks; --count and the "of N matches" footer must honour --since/--tag."""
    from newsarc import api

    store = api.open_store(archive)
    api.add_articles(store, [(f"r{n}", {"title": f"Flood report {n}", "date": f"{2000 + n % 20}-03-0{1 + n % 9}",
                                        "tags": ["Even"] if n % 2 == 0 else ["Odd"],
                                        "body": f"The flood reached street {n}. " * 3}) for n in range(600)])
    store.close()
    ids = run("search", "flood", "--since", "2015", "--limit", "10000", "--ids").output.split()
    assert len(ids) == 150
    assert run("search", "flood", "--since", "2015", "--count").output.strip() == "150"
    assert run("search", "flood", "--tag", "even", "--count").output.strip() == "300"
    assert run("search", "flood", "--count").output.strip() == "600"
    assert "of 150 matches" in run("search", "flood", "--since", "2015").output
