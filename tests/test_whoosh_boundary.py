"""newsarc's own code for Whoosh's internals (newsarc/index/whoosh_internals/) is really in use on the Whoosh it
was written for, and stays out of the way on any other.

The byte-identity and same-answers tests (test_bulk_writer.py, test_counting.py) compare newsarc's code with
Whoosh's: if an upgrade silently left Whoosh's own methods in place, they would compare Whoosh with Whoosh and
pass. These tests say each fast path is installed (the class attribute is newsarc's function) and that it runs
(a profile of a search and of a bulk write sees its code), and that a process whose Whoosh reports another
version runs on Whoosh's own code, warns once in one line, answers as the fast paths do, and stamps its index
with its Whoosh version so the other version rebuilds it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from tests.conftest import BBC, REPO, need_shared

OTHER_VERSION = (2, 7, 6)


def _replaced() -> dict[tuple[str, str], Any]:
    """Every Whoosh class attribute the fast paths and fixes replace: (class, attribute) -> the value in place."""
    from whoosh import reading
    from whoosh.analysis import morph
    from whoosh.codec import whoosh3
    from whoosh.filedb.filetables import HashReader

    places = [(whoosh3.W3LeafMatcher, name) for name in ("_read_data", "_read_ids", "skip_to", "_goto")]
    from whoosh.query.spans import SpanNear2

    places += [(HashReader, "ranges_for_key"), (whoosh3.W3PerDocReader, "_cached_reader"),
               (morph.StemFilter, "clear"), (reading.MultiReader, "column_reader"),
               (SpanNear2.SpanNear2Matcher, "_get_spans"), (whoosh3.W3PerDocReader, "doc_field_length")]
    return {(owner.__name__, name): getattr(owner, name) for owner, name in places}


def test_the_pinned_whoosh_is_the_one_the_fast_paths_were_written_for() -> None:
    from newsarc.index import whoosh_internals

    pin = re.search(r'"whoosh-reloaded==([\d.]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pin is not None
    assert tuple(int(part) for part in pin.group(1).split(".")) == whoosh_internals.WRITTEN_FOR
    assert whoosh_internals.whoosh_version() == whoosh_internals.WRITTEN_FOR
    assert whoosh_internals.fast_paths_on()


def test_every_fast_path_and_fix_is_newsarcs_code_in_whooshs_classes(tmp_path: Path) -> None:
    from newsarc.index.whoosh_backend import WhooshBackend
    from newsarc.index.whoosh_internals import patches
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    for (owner, name), value in _replaced().items():
        assert value.__module__.startswith("newsarc.index.whoosh_internals."), (owner, name, value.__module__)
        assert any(o.__name__ == owner and n == name for o, n in patches.WHOOSH_OWN), (owner, name)
    backend = WhooshBackend(tmp_path / "index")
    backend.create()
    writer = backend.writer(bulk=True)
    try:
        assert type(writer) is GroupedSegmentWriter
        assert type(writer.fieldwriter).__name__ == "_LeanFieldWriter"
        assert type(writer.fieldwriter._tindex).__name__ == "_CompactTermTable"
    finally:
        writer.cancel()
        backend.close()


@contextmanager
def _calls() -> Iterator[set[CodeType]]:
    """The code objects of every Python function called in this thread inside the block."""
    seen: set[CodeType] = set()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            seen.add(frame.f_code)

    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(None)


def _code(function: Callable[..., Any]) -> CodeType:
    return function.__code__


def _articles(count: int) -> list[tuple[str, Any]]:
    from newsarc.article import Article

    need_shared(BBC)
    out = []
    for number, path in enumerate(sorted((BBC / "business").glob("*.txt"))[:count]):
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        article = Article(title=title.strip(), body=body.strip(), source="BBC News", tags=["business"],
                          date=f"2005-0{1 + number % 9}-1{number % 10}")
        article.id = f"abcdefg{number:03d}"
        out.append((f"articles/{number:03d}.yaml", article))
    return out


def test_the_fast_paths_run_during_a_bulk_write_and_a_search(tmp_path: Path, monkeypatch) -> None:
    """Not only installed: a profile sees each one's code run (the writer's grouped pool, its block and term
    table writers and field analysis, the merge that streams posting blocks, the remembered column misses;
    the shared posting reads, bisecting skip_to and the block-wise totals)."""
    from newsarc.index import analysis
    from newsarc.index.backend import SearchRequest
    from newsarc.index.whoosh_backend import WhooshBackend
    from newsarc.index.whoosh_internals import bulk_writer, postings

    monkeypatch.setenv("NEWSARC_INDEX_WORKER", "0")  # all in this process, where the profile looks
    replaced = _replaced()
    items = _articles(300)
    backend = WhooshBackend(tmp_path / "index")
    backend.create()
    with _calls() as wrote:
        for start in range(0, len(items), 100):
            backend.apply(items[start:start + 100], [], bulk=True, fresh=True)
        writer = backend.writer()
        writer.commit(optimize=True)  # the three segments merged into one: streamed, not pooled
    expected_writing = {
        "grouped pool": _code(bulk_writer.GroupedSegmentWriter.add_document),
        "grouped flush": _code(bulk_writer.write_grouped),
        "plain small blocks": _code(bulk_writer._LeanPostingsWriter._write_block),
        "compact term table": _code(bulk_writer._CompactTermTable.add),
        "streamed merge": _code(bulk_writer._w3_blocks),
        "remembered column misses": _code(replaced["W3PerDocReader", "_cached_reader"]),
        "fast field analysis": analysis.fast_indexer.__code__,
    }
    assert {name for name, code in expected_writing.items() if code not in wrote} == set()
    stem_filter = backend.ix.schema["body"].analyzer.items[1]
    assert type(stem_filter._stem).__module__ == "functools"  # the stem cache: functools' LRU in C

    with _calls() as searched:
        result = backend.search(SearchRequest("market AND shares", limit=5, since="2005-02-01"))
    assert result.total > 5 and result.hits[0].snippets
    expected_searching = {
        "shared block reads": _code(postings._read_data),
        "ids decoded in C": _code(postings._read_ids),
        "bisecting skip_to": _code(postings.skip_to),
        "shared block headers": _code(postings._goto),
        "shared term entries": _code(postings._ranges_for_key),
        "block-wise totals": _code(postings.add_block_ids),
        "lengths read whole": _code(replaced["W3PerDocReader", "doc_field_length"]),
    }
    assert {name for name, code in expected_searching.items() if code not in searched} == set()
    from newsarc.index.whoosh_internals import phrases

    with _calls() as searched:
        result = backend.search(SearchRequest('"oil prices"', limit=5))
    assert result.total > 0
    expected_phrases = {"phrase spans by position sets": _code(replaced["SpanNear2Matcher", "_get_spans"]),
                        "phrase totals by position sets": _code(phrases.phrase_ids)}
    assert {name for name, code in expected_phrases.items() if code not in searched} == set()
    backend.close()


SIMULATE = """
import sys
import whoosh
whoosh.__version__ = {version!r}  # what another release of Whoosh would report
from newsarc.cli.entry import main
sys.argv = ["newsarc", *sys.argv[1:]]
main()
"""


def _newsarc(*args: str, version: tuple[int, ...] | None = None) -> subprocess.CompletedProcess[str]:
    if version is None:
        command = [str(Path(sys.executable).with_name("newsarc")), *args]
    else:
        command = [sys.executable, "-c", SIMULATE.format(version=version), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_another_whoosh_version_runs_on_whooshs_own_code_with_one_warning(tmp_path: Path) -> None:
    need_shared(BBC)
    from newsarc import api

    folder = tmp_path / "texts"
    folder.mkdir()
    for path in sorted((BBC / "politics").glob("*.txt"))[:40]:
        (folder / path.name).write_bytes(path.read_bytes())
    answers = {}
    for name, version in (("pinned", None), ("other", OTHER_VERSION)):
        root = tmp_path / name
        api.init_archive(root)
        added = _newsarc("--archive", str(root), "add", str(folder), version=version)
        assert added.returncode == 0, added.stderr
        warnings = [line for line in added.stderr.splitlines() if "fast paths" in line]
        if version is None:
            assert warnings == []
        else:
            assert len(warnings) == 1 and warnings[0].startswith("newsarc: warning: Whoosh 2.7.6 is installed")
        searches = [_newsarc("--archive", str(root), "search", query, "--json", version=version)
                    for query in ("election", "Blair AND Brown", '"prime minister"', "tax --since 2004")]
        assert all(s.returncode in (0, 1) for s in searches), [s.stderr for s in searches]
        answers[name] = [s.stdout for s in searches]
        if version is not None:
            assert all(s.stderr.count("fast paths") == 1 for s in searches)
    assert answers["other"] == answers["pinned"] and '"total": 0' not in answers["pinned"][0]


def test_on_another_version_whooshs_own_classes_are_left_alone(tmp_path: Path) -> None:
    probe = (f"import whoosh; whoosh.__version__ = {OTHER_VERSION!r}\n"
             "from pathlib import Path\n"
             "from newsarc.index import whoosh_internals\n"
             "from newsarc.index.whoosh_backend import WhooshBackend\n"
             "from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader\n"
             "from whoosh.analysis.morph import StemFilter\n"
             "backend = WhooshBackend(Path(__import__('sys').argv[1]))\n"
             "backend.create()\n"
             "writer = backend.writer(bulk=True)\n"
             "print(whoosh_internals.fast_paths_on(), type(writer).__module__, W3LeafMatcher._read_ids.__module__,\n"
             "      W3PerDocReader._cached_reader.__module__, StemFilter.clear.__module__)\n"
             "writer.cancel()\n")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "index")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "whoosh.writing", "whoosh.codec.whoosh3", "whoosh.codec.whoosh3",
                                   "whoosh.analysis.morph"]
    assert len(done.stderr.strip().splitlines()) == 1  # the one-line warning


def test_an_index_written_by_another_whoosh_version_is_rebuilt_once(tmp_path: Path) -> None:
    from newsarc import api
    from newsarc.storage.catalog import Catalog
    from tests.conftest import SEED

    need_shared(SEED)
    root = tmp_path / "arc"
    api.init_archive(root)
    assert _newsarc("--archive", str(root), "add", str(SEED), version=OTHER_VERSION).returncode == 0
    catalog = Catalog(root / ".newsarc" / "catalog.sqlite")
    assert (catalog.get_meta("schema") or "").endswith("-whoosh2.7.6")
    catalog.close()
    first = _newsarc("--archive", str(root), "search", "Kamal", "--ids")
    assert first.returncode == 0 and len(first.stdout.split()) == 1
    assert "rebuilding it" in first.stderr and len(first.stderr.strip().splitlines()) == 1, first.stderr
    again = _newsarc("--archive", str(root), "search", "Kamal", "--ids")
    assert again.stdout == first.stdout and again.stderr == ""
    catalog = Catalog(root / ".newsarc" / "catalog.sqlite")
    assert (catalog.get_meta("schema") or "").endswith("-whoosh2.7.5")
    catalog.close()


@pytest.mark.parametrize("version", [OTHER_VERSION])
def test_the_stamp_names_the_whoosh_version(version: tuple[int, ...]) -> None:
    from newsarc.index.whoosh_engine import WhooshEngine

    assert WhooshEngine().format_stamp().endswith("-whoosh2.7.5")
    probe = (f"import whoosh; whoosh.__version__ = {version!r}\n"
             "from newsarc.index.whoosh_engine import WhooshEngine\nprint(WhooshEngine().format_stamp())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().endswith("-whoosh" + ".".join(map(str, version)))
