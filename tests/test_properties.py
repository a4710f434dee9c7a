"""Property tests (hypothesis) through the real CLI and archive:

- any Unicode text given to `newsarc add -` is added or refused cleanly (an exit code, never a traceback), and
  what is added is a valid article file;
- export -> import into an empty archive is the identity, field for field, for arbitrary articles (any Unicode,
  empty fields, very long fields, YAML-special strings), in every importable format;
- any query string given to `newsarc search` gives results or a clean error (exit 0, 1 or 2) that names a
  position or what is wrong with the whole query, never a message from inside the parser.

The default run keeps the example counts modest for CI; `pytest -m slow` runs many more.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarc import api
from newsarc.article import ALL_FIELDS, Article
from newsarc.cli.app import cli
from newsarc.errors import ExitCode
from newsarc.ids import make_id
from newsarc.storage.archive import init_archive

CI = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))

YAML_SPECIAL = ["no", "yes", "No", "off", "on", "null", "Null", "~", "true", "0x1", "0o17", "1e3", ".inf", "-.nan",
                "2017-05-18", "2017-05-18 10:00:00", "12:30:45", "---", "--- x", "...", "- item", "? key", ": value",
                "key: value", "&anchor", "*alias", "!tag", "!!python/object:os.system", "%YAML 1.1", "#comment",
                "@at", "`tick", "|", ">", "'", '"', "{a: 1}", "[1, 2]", "=1+1", "+1", "-1", "'=x", "\ufeffbom",
                "\t", " ", "\u2028", "\u0085", "\r", "\r\n", "é", "👍🏽", "\x00", "\x1b[31m", "\ud7ff", "\U0010fffd"]

special = st.sampled_from(YAML_SPECIAL)
any_text = st.text(max_size=80) | special | st.builds("".join, st.lists(special, max_size=4))
long_text = st.text(min_size=2000, max_size=20000, alphabet=st.characters(codec="utf-8"))


def run_cli(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


# -- any text through `add -` ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def add_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_archive(tmp_path_factory.mktemp("props") / "arc")


def check_add(archive: Path, text: str) -> None:
    """Added (exit 0), refused (5), or -- when the text reads as several records, e.g. a JSON list -- some of
    each (8); every failure one `newsarc: ...` line, and every article reported is a valid file."""
    result = run_cli("--archive", str(archive), "add", "-", input=text.encode("utf-8", "surrogatepass"))
    assert result.exit_code in (0, ExitCode.BAD_INPUT, ExitCode.PARTIAL), result.output
    assert "Traceback" not in result.output
    for line in result.stderr.splitlines():
        assert line.startswith("newsarc: "), result.stderr
    if result.exit_code != 0:
        assert result.stderr.strip(), result.output
    reported = [line.split()[1] if line.startswith("added ") else line.split()[5]
                for line in result.stdout.splitlines() if line.startswith(("added ", "already in the archive as "))]
    store = api.open_store(archive)
    try:
        for article_id in reported:
            [path] = (archive / "articles").rglob(f"{article_id}.yaml")
            article = store.archive.read(path.relative_to(archive).as_posix())
            assert article.id == article_id and article.title.strip()
    finally:
        store.close()


text_inputs = (st.text() | st.builds(lambda t, b: f"{t}\n\n{b}", any_text, st.text())
               | st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"])))


@CI
@given(text=text_inputs)
def test_any_text_is_added_or_refused_cleanly(add_archive: Path, text: str) -> None:
    check_add(add_archive, text)


@pytest.mark.slow
@SLOW
@given(text=text_inputs)
def test_any_text_is_added_or_refused_cleanly_many(add_archive: Path, text: str) -> None:
    check_add(add_archive, text)


# -- export -> import is the identity -------------------------------------------------------------------------
extra_keys = st.text(min_size=1, max_size=20).filter(lambda k: k not in ALL_FIELDS) | special.filter(
    lambda k: k not in ALL_FIELDS)
extra_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | any_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(extra_keys, children, max_size=3),
    max_leaves=6)


@st.composite
def articles(draw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": draw(any_text.filter(lambda t: t.strip()) | long_text.filter(lambda t: t.strip())),
        "body": draw(any_text | long_text | st.just("")),
        "date": draw(st.none() | st.dates().map(lambda d: d.isoformat())),
        "source": draw(st.none() | any_text),
        "url": draw(st.none() | any_text),
        "authors": draw(st.lists(any_text, max_size=3)),
        "tags": draw(st.lists(any_text, max_size=4)),
        "location": draw(st.none() | any_text),
        "language": draw(st.none() | st.sampled_from(["en", "ar", "no", "null", ""])),
    }
    for key, value in draw(st.dictionaries(extra_keys, extra_values, max_size=3)).items():
        data.setdefault(key, value)
    return data


def _valid(data: dict[str, Any]) -> Article | None:
    """The article as newsarc reads such a record (None when it is refused, e.g. a title of only controls)."""
    from newsarc.errors import NewsarcError

    try:
        return Article.from_dict(data)
    except NewsarcError:
        return None


def stored(archive: Path) -> dict[str, dict[str, Any]]:
    """Every article of an archive as read back from its YAML, by id."""
    store = api.open_store(archive)
    try:
        return {a.id: a.to_dict() for a in (store.archive.read(p) for p in store.archive.iter_relpaths())}
    finally:
        store.close()


def round_trip(records: list[dict[str, Any]], fmt: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="newsarc-props-"))
    try:
        first, second = init_archive(work / "first"), init_archive(work / "second")
        store = api.open_store(first)
        try:
            report = api.add_articles(store, [(f"record {n}", r) for n, r in enumerate(records)])
        finally:
            store.close()
        # Which records newsarc adds: the readable ones, each unless its content or its (non-empty) URL is
        # already in -- the import's duplicate rule.
        expected: dict[str, Article] = {}
        keys: set[str] = set()
        urls: set[str] = set()
        for article in (a for a in (_valid(r) for r in records) if a is not None):
            if article.content_key() in keys or (article.url and article.url in urls):
                continue
            keys.add(article.content_key())
            urls.add(article.url)
            expected[make_id(article.content_key())] = article
        assert sorted(o.id for o in report.outcomes if o.status == "added") == sorted(expected), report.outcomes
        original = stored(first)
        assert sorted(original) == sorted(expected)
        # What went in is what is stored: newsarc only adds the id and added time, ends a non-empty body with
        # a newline (the YAML block style keeps it) and drops extra fields that hold nothing.
        for article_id, article in expected.items():
            want = article.to_dict()
            want.update(id=article_id, added=original[article_id]["added"])
            if want["body"] and not want["body"].endswith("\n"):
                want["body"] += "\n"
            want = {k: v for k, v in want.items() if k not in article.extra or v not in (None, "", [])}
            assert original[article_id] == want
            assert list(original[article_id]) == list(want)
        exported = work / f"export.{fmt}"
        result = run_cli("--archive", str(first), "export", "--format", fmt, "-o", str(exported))
        assert result.exit_code == 0, result.output
        result = run_cli("--archive", str(second), "import", str(exported))
        assert result.exit_code == 0, result.output
        assert stored(second) == original  # field for field, value for value, in the same key order
        assert [list(d) for d in stored(second).values()] == [list(d) for d in original.values()]
    finally:
        shutil.rmtree(work, ignore_errors=True)


@CI
@given(records=st.lists(articles(), min_size=1, max_size=3), fmt=st.sampled_from(["jsonl", "json", "yaml", "csv"]))
def test_export_then_import_is_the_identity(records: list[dict[str, Any]], fmt: str) -> None:
    round_trip(records, fmt)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(records=st.lists(articles(), min_size=1, max_size=5), fmt=st.sampled_from(["jsonl", "json", "yaml", "csv"]))
def test_export_then_import_is_the_identity_many(records: list[dict[str, Any]], fmt: str) -> None:
    round_trip(records, fmt)


# -- any query -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def search_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = init_archive(tmp_path_factory.mktemp("query") / "arc")
    store = api.open_store(root)
    try:
        api.add_articles(store, [
            ("a", {"title": "Syrian President Assad meets Iraqi advisor", "date": "2017-05-18", "source": "Rudaw",
                   "tags": ["Syria", "Abu Kamal"], "authors": ["A. Writer"], "body": "Abu Kamal, Būkamāl, border."}),
            ("b", {"title": "Unrelated sport story", "date": "2005-01-02", "body": "Football and tennis.",
                   "tags": ["Sport"], "language": "en", "location": "London"}),
            ("c", {"title": "Undated note", "body": "Nothing dated here: 10:30, C++, e-mail, 3.5%."}),
        ])
    finally:
        store.close()
    return root


TOKENS = ["Abu", "Kamal", "syria", "AND", "OR", "NOT", "(", ")", '"', "*", "?", "~", "~2", "^2", "[", "]", "{",
          "}", "TO", "to", ":", "title:", "tag:", "body:", "date:", "date:2017", "date:>2017", "date:[2017 TO",
          "source:", "author:", "lang:", "nofield:", "-", "+", "\\", "/", "'", "!", "&&", "||", "2017-05",
          "2017-13-45", "date:2017-02-30", "*:*", "Bu*", "kamal~", "", " ", "\t", "\n", "\x00", "é", "ق"]
queries = (st.text() | st.lists(st.sampled_from(TOKENS), max_size=8).map(" ".join)
           | st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=6).map("".join))


# Text rich in the characters query syntaxes use, with the operators as words: where parsers break.
SYNTAX_ALPHABET = "()\"'*?:-!<>[]{}^~+/\\ ab"
syntax_queries = st.lists(st.text(alphabet=SYNTAX_ALPHABET, max_size=6)
                          | st.sampled_from(["AND", "OR", "NOT", "TO", "date:", "title:", "tag:", "Blair", "2017",
                                             "url:", "-Abu", "!Kamal", '"Abu Kamal"', " "]),
                          max_size=8).map("".join)
# What a user may be told without a position: about the whole query, or a value that is not a date.
WHOLE_QUERY_ERRORS = ("the query is empty", "has no words to search for", "needs a field, e.g. date:",
                      "is not a date: write YYYY", "is not a real date")


def check_query(archive: Path, query: str) -> None:
    """Answered, nothing found, or refused in one line that says where (a position) or what; never a message
    from inside the parser (IndexError's "list index out of range" and the like)."""
    result = run_cli("--archive", str(archive), "search", "--", query)
    assert result.exit_code in (0, ExitCode.NO_MATCH, ExitCode.USAGE), (query, result.output)
    if result.exit_code == ExitCode.USAGE:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("newsarc: error: "), (query, lines)
        assert "at position " in lines[0] or any(known in lines[0] for known in WHOLE_QUERY_ERRORS), (query, lines)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=queries)
def test_any_query_is_answered_or_refused_cleanly(search_archive: Path, query: str) -> None:
    check_query(search_archive, query)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=queries)
def test_any_query_is_answered_or_refused_cleanly_many(search_archive: Path, query: str) -> None:
    check_query(search_archive, query)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=syntax_queries)
def test_any_syntax_soup_is_answered_or_refused_with_a_position(search_archive: Path, query: str) -> None:
    check_query(search_archive, query)


@pytest.mark.slow
@settings(max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=syntax_queries)
def test_any_syntax_soup_is_answered_or_refused_with_a_position_many(search_archive: Path, query: str) -> None:
    check_query(search_archive, query)


def test_reseeding_random_between_writes_does_not_corrupt_the_index(tmp_path: Path) -> None:
    """Hypothesis reseeds `random` before every example, as a user's script may: Whoosh must not reuse a segment
    name (it used to draw them from the global `random`, so two commits collided and the index broke)."""
    import random

    root = init_archive(tmp_path / "arc")
    for n in range(6):
        random.seed(0)
        store = api.open_store(root)
        try:
            api.add_articles(store, [(f"r{n}", {"title": f"Reseeded {n}", "body": f"Seedword{n} text"})])
        finally:
            store.close()
    for n in range(6):
        result = run_cli("--archive", str(root), "search", f"Seedword{n}", "--count")
        assert result.stdout.strip() == "1", result.output
    assert run_cli("--archive", str(root), "check").exit_code == 0
