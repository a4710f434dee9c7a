"""Near-duplicates: the same wire story from another site is linked (or skipped, or kept); `newsarc dups`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from newsarc.dedupe import NearDupIndex, similarity, sketch
from tests.conftest import BBC, need_shared

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
GRAIN = (HTML / "grain_wire.html").read_text(encoding="utf-8")


def _republished(tmp_path: Path, name: str = "republished.html") -> Path:
    """The wire story as another site runs it: its own intro line, URL, site name and a closing line."""
    page = (GRAIN.replace("Wire Daily", "Harbour Times")
            .replace("https://wiredaily.example/world/grain-talks", "https://harbourtimes.example/2017/grain")
            .replace("<p>Talks on resuming", "<p>This story was supplied by a news agency.</p>\n<p>Talks on resuming")
            .replace("</article>", "<p>Additional reporting by our Istanbul correspondent.</p></article>"))
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    return path


def _yaml(archive: Path, article_id: str) -> dict:
    from newsarc.yamlio import load_yaml

    path = next(archive.glob(f"articles/**/{article_id}.yaml"))
    return load_yaml(path.read_bytes(), origin=article_id)


def _added(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("added ")).split()[1]


def test_sketch_similarity() -> None:
    text = " ".join(f"word{i} filler text number {i}" for i in range(60))
    assert similarity(sketch(text), sketch(text)) == 1.0
    edited = "An agency intro sentence comes first here. " + text + " And a closing credit line."
    assert similarity(sketch(text), sketch(edited)) >= 0.8
    assert sketch("Too short to judge.") is None


def test_bbc_corpus_pairs() -> None:
    bbc = need_shared(BBC)
    a = (bbc / "business" / "001.txt").read_text(encoding="utf-8")
    b = (bbc / "business" / "002.txt").read_text(encoding="utf-8")
    assert similarity(sketch(a), sketch(b)) < 0.1


def test_near_duplicate_is_linked_skipped_or_kept(run, archive: Path, tmp_path: Path) -> None:
    original = _added(run("add", str(HTML / "grain_wire.html")).output)
    linked_run = run("add", str(_republished(tmp_path)))
    assert f"(duplicate of {original})" in linked_run.output
    linked = _added(linked_run.output)
    assert _yaml(archive, linked)["duplicate_of"] == original
    same_text = run("add", str(_republished(tmp_path, "copy.html")), "--dedupe", "skip")
    assert same_text.output.startswith(f"already in the archive as {linked}")  # an exact duplicate, not a near one
    other = _republished(tmp_path, "third.html")
    other.write_text(other.read_text(encoding="utf-8").replace("harbourtimes", "gulfpost").replace(
        "Harbour Times", "Gulf Post").replace("by our Istanbul correspondent", "by staff"), encoding="utf-8")
    skip = run("add", str(other), "--dedupe", "skip")
    assert f"skipped near-duplicate of {original}" in skip.output
    keep = run("add", str(other), "--dedupe", "keep")
    kept = _added(keep.output)
    assert "duplicate_of" not in _yaml(archive, kept)
    dups = run("dups")
    assert dups.output.splitlines()[0].startswith(original)
    assert f"duplicate {linked}" in dups.output and kept not in dups.output
    clusters = json.loads(run("dups", "--json").output)  # one document (issue 12: --json no longer JSON lines)
    assert clusters[0]["id"] == original and clusters[0]["members"][0]["id"] == linked
    assert [json.loads(line) for line in run("dups", "--jsonl").output.splitlines()] == clusters


def test_side_table_is_rebuilt_from_the_yaml(run, archive: Path, tmp_path: Path) -> None:
    original = _added(run("add", str(HTML / "grain_wire.html")).output)
    linked = _added(run("add", str(_republished(tmp_path))).output)
    for name in ("neardup.sqlite", "neardup.sqlite-wal", "neardup.sqlite-shm"):
        (archive / ".newsarc" / name).unlink(missing_ok=True)
    dups = run("dups")
    assert original in dups.output and linked in dups.output
    # and a new copy is still found against the articles it re-sketched
    third = _republished(tmp_path, "third.html")
    third.write_text(third.read_text(encoding="utf-8").replace("harbourtimes", "bayherald")
                     .replace("Harbour Times", "Bay Herald"), encoding="utf-8")
    assert f"(duplicate of {original})" in run("add", str(third)).output


def test_lookup_uses_the_index_not_a_scan(archive: Path) -> None:
    index = NearDupIndex(archive / ".newsarc")
    index.close()
    db = sqlite3.connect(archive / ".newsarc" / "neardup.sqlite")
    plan = " ".join(row[-1] for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM minhash WHERE h IN (1,2,3) GROUP BY id HAVING count(*) >= 3"))
    assert "USING PRIMARY KEY" in plan and "SCAN" not in plan, plan


def test_the_same_story_with_typographic_quotes_and_dashes_is_already_in_the_archive(run) -> None:  # type: ignore[no-untyped-def]
    """Curly quotes, en and em dashes and a compatibility form (the ffi ligature, NFKC) do not make a second
    copy of a story; a real difference does."""
    plain = "Talks resume\n\nThe minister said \"no deal\" - and 'not yet' - officials agreed.\n"
    fancy = ("Talks resume\n\nThe minister said \u201cno deal\u201d \u2013 and \u2018not yet\u2019 \u2014 "
             "o\ufb03cials agreed.\n")
    first = run("add", "-", input=plain)
    assert first.exit_code == 0 and first.stdout.startswith("added "), first.output
    second = run("add", "-", input=fancy)
    assert "already in the archive as " + first.stdout.split()[1] in second.output, second.output
    other = run("add", "-", input=fancy.replace("agreed", "disagreed"))
    assert other.stdout.startswith("added "), other.output


def test_an_import_keeps_the_near_duplicate_table_so_the_next_add_reads_no_imported_file(run, archive: Path,
                                                                                           tmp_path: Path) -> None:
    """`import` looks for no near-duplicate, but records each article's sketch as it adds it: the first `add`
    after importing a million articles read every file to build the table (more than five minutes). Here: 600
    BBC stories imported, then one of them sent again with a new first line, as another site runs a wire story:
    the add says nothing of reading articles, and links it to the imported story."""
    stories = sorted(need_shared(BBC / "business").glob("*.txt")) + sorted((BBC / "politics").glob("*.txt"))
    records = []
    for number, path in enumerate(stories[:600]):
        title, _, body = path.read_text(encoding="latin-1").partition("\n")
        records.append({"title": title.strip() or f"story {number}", "body": body.strip(),
                        "url": f"https://wire.example/{number}", "date": "2005-03-01"})
    jsonl = tmp_path / "wire.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    imported = run("import", str(jsonl))
    assert imported.exit_code == 0, imported.output
    assert int(imported.stdout.split()[0]) > 500, imported.output  # the corpus repeats a few stories
    again = tmp_path / "again.txt"
    again.write_text(f"{records[7]['title']}\nSource: Harbour Times\n\nThis story was supplied by a news agency.\n\n"
                     f"{records[7]['body']}\n", encoding="utf-8")
    added = run("add", str(again))
    assert added.exit_code == 0, added.output
    assert "near-duplicate detection" not in added.stderr
    first = json.loads(run("search", "url:wire.example/7", "--json").stdout)[0]["id"]
    assert _yaml(archive, _added(added.stdout))["duplicate_of"] == first
