"""`newsarc check` in flat memory (issue 24.2): the files are compared with the catalog and the index as a
merge-join (the walk in path order beside the catalog's rows and the index's paths streamed in the same order),
and what needs the whole archive (ids used twice, links to no article, kept originals no article names) goes to a
temporary SQLite ledger, instead of dicts of every article (~1 GB at 1,000,000 articles). These tests hold the
findings to what the dicts found, on archives whose names make the orders easy to get wrong, and hold the memory
flat as the archive grows.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsarc import api
from newsarc.article import Article
from newsarc.check import Problem, check_archive
from newsarc.errors import NewsarcError
from newsarc.ids import make_id
from newsarc.storage.archive import Archive
from newsarc.storage.catalog import FileRecord
from tests.test_check import seed, settle

COMPARED = ("index", "duplicate-id", "link")  # the kinds the merge-join and the ledger find


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Makes the archive one check cannot write (a read-only mount, another user's): check then compares the
    files with the catalog and the index as they stand, without the freshness update first, so every
    disagreement a test made stays for the comparison to find (a row without its file, a file without its row)."""
    return lambda: monkeypatch.setattr(Archive, "write_problem", lambda self: "read-only for this test")


def problems_of(archive: Path) -> list[Problem]:
    store = api.open_store(archive)
    try:
        return check_archive(store)
    finally:
        store.close()


def new_id(text: str) -> str:
    """A valid id, made from text as newsarc makes one from an article's content."""
    import hashlib

    return make_id(hashlib.sha256(text.encode()).hexdigest())


def write(archive: Path, rel: str, text: str) -> None:
    path = archive / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def article_yaml(title: str, article_id: str, date: str, extra: str = "") -> str:
    return f"id: {article_id}\ntitle: {title}\ndate: '{date}'\nbody: Text of {title}.\n{extra}"


def index_document(archive: Path, rel: str, article: Article) -> None:
    """One more document for rel in the search index, beside any it has (not a replacement)."""
    from newsarc.index.whoosh_backend import document_for

    store = api.open_store(archive)
    try:
        writer = store.backend.ix.writer()
        writer.add_document(**document_for(rel, article))
        writer.commit()
    finally:
        store.close()


def unindex(archive: Path, rel: str) -> None:
    store = api.open_store(archive)
    try:
        writer = store.backend.ix.writer()
        writer.delete_by_term("path", rel)
        writer.commit()
    finally:
        store.close()


def catalog_sql(archive: Path, sql: str, *args: Any) -> None:
    store = api.open_store(archive)
    try:
        store.catalog.db.execute(sql, args)
    finally:
        store.close()


# -- the oracle: what the dicts of every article found ---------------------------------------------------------------
def by_dicts(archive: Path) -> Counter[str]:
    """The lines of kinds index, duplicate-id and link that check found with a dict of every catalog row, a dict
    of the index's documents per path and a dict of every readable article: the answers the merge-join must
    equal. The index is read document by document (not through the census the merge-join reads)."""
    from whoosh.util.times import long_to_datetime

    from newsarc.ids import is_valid_id
    from newsarc.links import LINK_FIELDS, link_target

    store = api.open_store(archive)
    try:
        files = sorted(p.relative_to(archive).as_posix() for p in (archive / "articles").rglob("*.yaml")
                       if p.is_file() and not p.is_symlink()
                       and not any(part.startswith(".") for part in p.relative_to(archive).parts))
        articles: dict[str, Article] = {}
        unreadable: set[str] = set()
        for rel in files:
            try:
                articles[rel] = store.archive.read(rel)
            except NewsarcError:
                unreadable.add(rel)
        rows = {record.path: record.metadata() for record in store.catalog.records()}
        census: dict[str, tuple[int, str | None]] = {}
        with store.backend.ix.searcher() as searcher:
            reader = searcher.reader()
            dates = reader.column_reader("date", translate=False)
            for docnum, fields in searcher.iter_docs():
                try:  # an undated article holds the column's default, beyond any date
                    day: str | None = long_to_datetime(dates[docnum]).date().isoformat()
                except OverflowError:
                    day = None
                count = census.get(fields["path"], (0, None))[0]
                census[fields["path"]] = (count + 1, day if day != "0001-01-01" else None)
    finally:
        store.close()
    found: list[str] = []
    for rel, article in articles.items():
        row = rows.get(rel)
        if row is None:
            found.append(f"{rel}: index: is not in the search index")
            continue
        if row != FileRecord.of(rel, article).metadata():
            found.append(f"{rel}: index: the index holds an older version of this file (changed without its "
                         "timestamp showing it)")
        expected = article.date[:10] if article.date else None
        if rel in census and census[rel][1] != expected:
            found.append(f"{rel}: date: the search index dates this article {census[rel][1] or 'undated'}, the file "
                         f"{expected or 'undated'}")
    for rel in set(rows) - set(articles):
        found.append(f"{rel}: index: is in the search index, but the file "
                     f"{'can no longer be read' if rel in unreadable else 'is gone'}")
    for rel in set(rows) - set(census):
        found.append(f"{rel}: index: is in the catalog but missing from the search index")
    for rel, (count, _) in census.items():
        if rel not in rows:
            found.append(f"{rel}: index: has a document in the search index but no catalog entry")
        elif count > 1:
            found.append(f"{rel}: index: is in the search index {count} times")
    by_id: dict[str, list[str]] = {}
    for rel, article in articles.items():
        if is_valid_id(article.id):
            by_id.setdefault(article.id, []).append(rel)
    for article_id, paths in by_id.items():
        for rel in paths if len(paths) > 1 else ():
            others = ", ".join(p for p in sorted(paths, key=lambda p: p.split("/")) if p != rel)
            found.append(f"{rel}: id: id {article_id} is also used by {others}")
    for rel, article in articles.items():
        for field_name in LINK_FIELDS:
            if (target := link_target(article, field_name)) and target not in by_id:
                found.append(f"{rel}: {field_name}: names {target}, which is not in the archive (removed, or a typo)")
    return Counter(found)


def compared_lines(problems: list[Problem]) -> Counter[str]:
    """`path: field: problem` of the findings of the kinds the oracle knows (what to do is not compared)."""
    return Counter(f"{p.path}: {p.field}: {p.problem}" for p in problems if p.kind in COMPARED)


# -- the edge cases, one by one ---------------------------------------------------------------------------------------
def test_each_disagreement_between_files_catalog_and_index_is_found_among_names_that_sort_differently(
        archive: Path, read_only: Callable[[], None]) -> None:
    """Directory `2017` beside `2017-x/` and `2017.yaml` ("-" and "." sort before "/"), upper case and a letter
    beyond ASCII, each holding one kind of disagreement the merge-join must see: a file without its row, a row
    without its file, an unreadable file with its row, a document without a row, a document twice, an id used in
    two directories, a link to an id only an unreadable file has."""
    files = seed(archive, 4)
    ids = [f.stem for f in files]
    write(archive, "articles/2017-x/a.yaml", article_yaml("Dash", ids[0], "2017-01-10"))  # the same id elsewhere
    write(archive, "articles/2017.yaml", article_yaml("Dot", new_id("dot"), "2017-01-10"))
    write(archive, "articles/\u00e9t\u00e9/b.yaml", article_yaml("Accent", new_id("acc"), "2017-02-11",
                                                                  f"duplicate_of: {ids[3]}\n"))
    write(archive, "articles/B/c.yaml", article_yaml("Upper", new_id("upp"), "2017-03-12"))
    settle(archive)  # catalog and index now hold every file above
    rel = [f.relative_to(archive).as_posix() for f in files]
    (archive / "articles/B/c.yaml").unlink()  # a row without its file
    write(archive, "articles/2017-a.yaml", article_yaml("New", new_id("new"), "2017-04-13"))  # no row
    files[3].write_text("title: [not closed\n", encoding="utf-8")  # unreadable, with its row; its id is named
    index_document(archive, "articles/2017-y/ghost.yaml", Article(title="Ghost", id=new_id("gho")))
    index_document(archive, "articles/2017.yaml", Article(title="Dot", id=new_id("dot"), date="2017-01-10"))
    unindex(archive, rel[1])
    read_only()

    problems = problems_of(archive)
    found = compared_lines(problems)
    assert found == by_dicts(archive)
    assert found == Counter([
        "articles/2017-a.yaml: index: is not in the search index",
        f"articles/2017-x/a.yaml: id: id {ids[0]} is also used by {rel[0]}",
        f"{rel[0]}: id: id {ids[0]} is also used by articles/2017-x/a.yaml",
        "articles/2017-y/ghost.yaml: index: has a document in the search index but no catalog entry",
        "articles/2017.yaml: index: is in the search index 2 times",
        f"{rel[1]}: index: is in the catalog but missing from the search index",
        f"{rel[3]}: index: is in the search index, but the file can no longer be read",
        "articles/B/c.yaml: index: is in the search index, but the file is gone",
        f"articles/\u00e9t\u00e9/b.yaml: duplicate_of: names {ids[3]}, which is not in the archive (removed, or "
        "a typo)",
    ])
    paths = [p.path for p in problems]
    assert paths == sorted(paths)  # one report, in path order, as before


def test_kept_originals_are_judged_by_the_article_beside_them(run, archive: Path) -> None:
    """A kept original that its article names is no problem wherever it sorts; one that no article beside it
    names is reported, never removed."""
    files = seed(archive, 2)
    named = files[0].with_name(f"{files[0].stem}.orig.gz")
    named.write_bytes(b"original")
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text + f"original: {named.name}\n", encoding="utf-8")
    orphan = files[1].with_name("zzzzzzzzzz.orig.gz")
    orphan.write_bytes(b"orphan")
    result = run("check")
    rel = orphan.relative_to(archive).as_posix()
    assert problem_lines(result) == [f"{rel}: file: is a kept original whose article is not beside it; move it next "
                                     "to its article's file (or delete it if the article is gone)"]
    assert named.exists() and orphan.exists()


def problem_lines(result: Any) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


# -- random archives against the oracle -------------------------------------------------------------------------------
ODD_DIRECTORIES = ["2017-x", "2017.d", "2017_x", "A", "a", "\u00e9", "2017/03-x", "2017/03.d", "0"]


@pytest.mark.parametrize("seed_value", range(4))
def test_findings_equal_the_dicts_of_every_article_on_random_archives(archive: Path, seed_value: int,
                                                                      read_only: Callable[[], None]) -> None:
    """Random archives: articles moved to directories whose names sort differently as paths and as names, then
    files removed, spoiled, added and copied, catalog rows made stale, index documents removed, added, doubled and
    re-dated, links made to ids that are gone or unreadable. check (on the archive as it stands) finds exactly what
    the dicts of every article found."""
    rng = random.Random(seed_value)
    files = seed(archive, 24)
    ids = [f.stem for f in files]
    for n, path in enumerate(files):  # into odd directories, and some linked to another article
        extra = f"version_of: {rng.choice(ids)}\n" if rng.random() < 0.3 else ""
        target = path if rng.random() < 0.4 else archive / "articles" / rng.choice(ODD_DIRECTORIES) / path.name
        text = path.read_text(encoding="utf-8") + extra
        path.unlink()
        write(archive, target.relative_to(archive).as_posix(), text)
        files[n] = target
    settle(archive)
    rels = [f.relative_to(archive).as_posix() for f in files]
    for n, rel in enumerate(rels):
        roll = rng.random()
        if roll < 0.1:
            (archive / rel).unlink()
        elif roll < 0.2:
            (archive / rel).write_text("title: [spoiled\n", encoding="utf-8")
        elif roll < 0.3:
            catalog_sql(archive, "UPDATE files SET title='stale' WHERE path=?", rel)
        elif roll < 0.4:
            unindex(archive, rel)
        elif roll < 0.5:
            index_document(archive, rel, Article(title="again", id=ids[n], date="2017-01-01"))
        elif roll < 0.6:
            store = api.open_store(archive)
            try:
                store.backend.apply([(rel, Article(title="redated", id=ids[n], date="1999-12-31"))], [])
            finally:
                store.close()
        elif roll < 0.7:
            write(archive, f"articles/{rng.choice(ODD_DIRECTORIES)}/copy-{n}.yaml",
                  (archive / rel).read_text(encoding="utf-8"))  # the same id twice, the copy without a row
    for n in range(4):
        write(archive, f"articles/{rng.choice(ODD_DIRECTORIES)}/new-{n}.yaml",
              article_yaml(f"New {n}", new_id(f"{seed_value}new{n}"), "2017-05-05",
                           f"duplicate_of: {new_id(f'gone{n}')}\n" if n % 2 else ""))
        index_document(archive, f"articles/{rng.choice(ODD_DIRECTORIES)}/ghost-{n}.yaml",
                       Article(title="Ghost", id=new_id(f"ghost{n}")))
    read_only()

    problems = problems_of(archive)
    assert compared_lines(problems) == by_dicts(archive)
    paths = [p.path for p in problems]
    assert paths == sorted(paths)


# -- memory -----------------------------------------------------------------------------------------------------------
def _archive_of(root: Path, articles: int) -> Path:
    """An archive of `articles` small articles, written by another process (so that this one's interned strings,
    whose table Python grows in steps of up to a megabyte, stay those of the check), its files then made older
    than the freshness check's racy window so that every check of it reads a settled archive."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from newsarc import api
        from newsarc.storage.archive import init_archive
        root = init_archive(Path({str(root)!r}))
        store = api.open_store(root)
        try:
            api.add_articles(store, ((f"a{{n}}", {{"title": f"Story {{n}}", "body": f"Word{{n}} and the rest.\\n",
                                                  "date": f"{{2000 + n % 20}}-0{{1 + n % 9}}-1{{n % 9}}",
                                                  "tags": ["news"]}})
                                     for n in range({articles})))
        finally:
            store.close()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=900, capture_output=True)
    past = time.time() - 10
    for path in sorted((root / "articles").rglob("*"), reverse=True):
        os.utime(path, (past, past))
    os.utime(root / "articles", (past, past))
    return root


def _peak_of_check(root: Path) -> tuple[int, str]:
    from click.testing import CliRunner

    from newsarc.cli.app import cli

    runner = CliRunner()
    # Once untraced: the new stamps recorded, the check's modules imported and its caches warm.
    runner.invoke(cli, ["--archive", str(root), "check"], catch_exceptions=False)
    tracemalloc.start()
    try:
        result = runner.invoke(cli, ["--archive", str(root), "check"], catch_exceptions=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    return peak, result.stderr


def test_check_memory_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    """The Python peak of `newsarc check` (in-process CLI, the second check of a settled archive) for an archive
    of 1,000 articles and of 3,000.

    Measured: with dicts of every catalog row, every index path and every article's id, the peak grew by 810 KB
    from 1,000 to 3,000 articles (1.73 MB to 2.54 MB; 4,000: 3.15 MB); with the merge-join and the ledger by 11 KB
    (315 to 326 KB; 4,000: 399 KB, the interpreter's own noise). 250 KB is under a third of the old growth and
    over twenty times the new."""
    small, small_said = _peak_of_check(_archive_of(tmp_path / "small", 1000))
    large, large_said = _peak_of_check(_archive_of(tmp_path / "large", 3000))
    assert small_said.strip() == "checked 1000 article files: no problems"
    assert large_said.strip() == "checked 3000 article files: no problems"
    assert large - small < 250_000, f"peak {small:,} B for 1,000 articles, {large:,} B for 3,000"


def test_the_ledger_leaves_no_file_behind(archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger lives in SQLite's temporary directory while check runs, and nothing of it is left after."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(temp))
    seed(archive, 3)
    assert problems_of(archive) == []
    assert list(temp.iterdir()) == []
    shutil.rmtree(temp)


def test_an_index_whose_dates_cannot_be_read_is_compared_by_its_counts(run, archive: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """When the index's date column cannot be read, check still compares the documents with the files (a second
    pass, the counts alone) and reports the dates once, for a rebuild."""
    from whoosh.reading import SegmentReader

    files = seed(archive, 3)
    settle(archive)
    unindex(archive, files[1].relative_to(archive).as_posix())
    real = SegmentReader.column_reader

    def column_reader(self: Any, fieldname: str, *args: Any, **kwargs: Any) -> Any:
        if fieldname == "date":
            raise OSError(5, "Input/output error")
        return real(self, fieldname, *args, **kwargs)

    monkeypatch.setattr(SegmentReader, "column_reader", column_reader)
    result = run("check")
    rel = files[1].relative_to(archive).as_posix()
    assert problem_lines(result) == [
        ".newsarc/index: date: the dates in the search index cannot be read ([Errno 5] Input/output error); "
        "timelines would fail; `newsarc check --repair` rebuilds the index",
        f"{rel}: index: is in the catalog but missing from the search index; `newsarc check --repair` rebuilds the "
        "index",
    ]
