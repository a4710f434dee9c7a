"""Round trips, CSV formula neutralisation, Markdown escaping, es-bulk, YAML safety; streaming."""

from __future__ import annotations

import csv
import io
import json
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarc.article import ALL_FIELDS, Article
from newsarc.errors import BadInputError, UsageError
from newsarc.exchange.export import CSV_COLUMNS, FORMATS, es_mapping, neutralise_cell, restore_cell, write_export
from newsarc.exchange.importer import read_import

IMPORTABLE = ("jsonl", "json", "yaml", "csv", "es-bulk")
EXTENSION = {"jsonl": "jsonl", "json": "json", "yaml": "yaml", "csv": "csv", "markdown": "md",
             "es-bulk": "ndjson"}


def make(title: str = "Title", body: str = "Body text.", **fields: Any) -> dict[str, Any]:
    """An article dict in `Article.to_dict()` shape; extra keyword fields go before the body."""
    article: dict[str, Any] = {"id": "20260101-abc", "title": title, "date": "2026-01-01", "source": None,
                               "url": None, "authors": [], "tags": [], "location": None, "language": None,
                               "added": "2026-11-25T20:53:12Z"}
    for key, value in fields.items():
        article[key] = value
    article["body"] = body
    return article


def export_text(articles: Any, fmt: str, **options: Any) -> str:
    out = io.StringIO(newline="")
    write_export(articles, fmt, out, **options)
    return out.getvalue()


def round_trip(tmp_path: Path, articles: list[dict[str, Any]], fmt: str, *, detect: bool = False,
               **options: Any) -> list[dict[str, Any]]:
    path = tmp_path / f"out.{EXTENSION[fmt]}"
    with open(path, "w", encoding="utf-8", newline="") as out:
        assert write_export(iter(articles), fmt, out, **options) == len(articles)
    if detect:  # no telling extension: the importer must sniff the content
        plain = path.with_suffix(".data")
        path.rename(plain)
        path = plain
    return list(read_import(path, None if detect else fmt))


def assert_same(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """Equal field for field, in the same key order, with the same types."""
    assert [list(d.items()) for d in got] == [list(d.items()) for d in want]
    for g, w in zip(got, want, strict=True):
        for key in w:
            assert type(g[key]) is type(w[key]), key


HOSTILE = [
    make(),
    make("no", "yes", source="null", location="~", language="0x1", url="2017-05-18"),
    make("--- leading document marker", "---\nstill body\n...\n", id="---"),
    make("Ünïcödé ✓ 漢字 🎉 \u200b zero width", "emoji 🎉\nRTL \u202e text\n\u2028separator\u2029\x85nel"),
    make("tabs\tand\rcarriage", "line\r\nwindows\rold mac\ttab\n", tags=["\ttab"]),
    make("trailing spaces   ", "trailing   \nspaces  \n  \n"),
    make("leading body spaces", "    indented code\n  two\n"),
    make("only newlines", "\n\n\n"),
    make("empty body", ""),
    make("x", "", id=None, date=None, added=None),
    make("=1+1", "=HYPERLINK(\"http://evil\")", source="+cmd", url="-2", location="@SUM(A1)",
         language="\tx", authors=["=a", "'=b", "''-c", "'", "'x"], tags=["@t"]),
    make("'=already quoted", "''+two quotes", source="'@", url="'\t", location="'\r"),
    make("\r starts with CR", "\rbody"),
    make("tags", tags=["a;b", "c, d", "e"], authors=["Smith, John", "Doe; Jane"]),
    make("tag lists", tags=["[not json"], authors=[""]),
    make("tag lists 2", tags=["x", "[y]"], authors=["a", "b", "c"]),
    make("long " * 5000, "body " * 100_000, tags=["t" * 10_000]),
    make("extras", nested={"a": [1, 2.5, None, True, False, {"b": "no"}], "": "empty key"},
         count=3, ratio=-0.5, flag=False, nothing=None, big=2**70, text="null", extra="named extra",
         when="2017-05-18", lst=[], dct={}),
    make("quote chars \"'`", "a \"quoted\" 'body' with `code` and \\backslash\\"),
    make("nul", "a\x00b\x01c\x7f\ufeffd\ufffe"),
    make("date time", date="2026-01-01T12:30:00+02:00"),
    make("yaml special", "? key\n: value\n- item\n# comment\n&anchor *alias !tag %directive @at `tick`\n"),
]


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_round_trip_fixed_examples(tmp_path: Path, fmt: str) -> None:
    assert_same(round_trip(tmp_path, HOSTILE, fmt), HOSTILE)


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_round_trip_with_detection(tmp_path: Path, fmt: str) -> None:
    assert_same(round_trip(tmp_path, HOSTILE[:4], fmt, detect=True), HOSTILE[:4])


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_round_trip_safe_csv_off(tmp_path: Path, fmt: str) -> None:
    assert_same(round_trip(tmp_path, HOSTILE, fmt, safe_csv=False), HOSTILE)


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_round_trip_zero_articles(tmp_path: Path, fmt: str) -> None:
    assert round_trip(tmp_path, [], fmt) == []


def test_round_trip_through_article(tmp_path: Path) -> None:
    article = Article(title="T", body="b", id="x1", authors=["A"], tags=["t;1"], extra={"k": [1]})
    for fmt in IMPORTABLE:
        (got,) = round_trip(tmp_path, [article.to_dict()], fmt)
        assert Article.from_dict(got) == article


# --- property test --------------------------------------------------------------------------------------

text = st.text()
some_text = st.text(min_size=1)
maybe_text = st.none() | some_text
iso_date = st.dates().map(lambda d: d.isoformat())
iso_datetime = st.datetimes().map(lambda d: d.isoformat())
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(text, inner, max_size=4), max_leaves=12)
extra_keys = text.filter(lambda key: key not in ALL_FIELDS)


@st.composite
def articles(draw: st.DrawFn) -> dict[str, Any]:
    article: dict[str, Any] = {
        "id": draw(maybe_text),
        "title": draw(some_text),
        "date": draw(st.none() | iso_date | iso_datetime),
        "source": draw(maybe_text),
        "url": draw(maybe_text),
        "authors": draw(st.lists(text, max_size=4)),
        "tags": draw(st.lists(text, max_size=4)),
        "location": draw(maybe_text),
        "language": draw(maybe_text),
        "added": draw(st.none() | iso_datetime | some_text),
    }
    article.update(draw(st.dictionaries(extra_keys, values, max_size=3)))
    article["body"] = draw(text)
    return article


@pytest.mark.parametrize("fmt", IMPORTABLE)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(articles(), max_size=3), safe=st.booleans())
def test_round_trip_property(tmp_path: Path, fmt: str, batch: list[dict[str, Any]], safe: bool) -> None:
    assert_same(round_trip(tmp_path, batch, fmt, safe_csv=safe), batch)


@given(st.text())
def test_cell_neutralisation_is_reversible(cell: str) -> None:
    for safe in (True, False):
        written = neutralise_cell(cell, safe=safe)
        assert restore_cell(written) == cell
        if safe:
            assert written[:1] not in tuple("=+-@\t\r")


# --- CSV ------------------------------------------------------------------------------------------------


def csv_rows(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_csv_header_and_list_encoding() -> None:
    article = make("T", tags=["a;b", "c"], authors=["A", "B"], topic={"x": 1})
    data = export_text([article, make("U", tags=["x", "y"])], "csv")
    assert data.splitlines()[0] == ",".join(CSV_COLUMNS)
    first, second = csv_rows(data)
    assert first["authors"] == "A; B"
    assert json.loads(first["tags"]) == ["a;b", "c"]
    assert json.loads(first["extra"]) == {"topic": {"x": 1}}
    assert second["tags"] == "x; y" and second["extra"] == ""


def test_csv_neutralises_formulas_by_default() -> None:
    article = make("=HYPERLINK(\"http://evil\",\"x\")", "+1", source="-1", url="@SUM(A1)", location="\tx",
                   language="\rx", authors=["=cmd"], topic="=extra")
    (row,) = csv_rows(export_text([article], "csv"))
    for column in ("title", "body", "source", "url", "location", "language", "authors"):
        assert row[column].startswith("'"), column
        assert row[column][1] in "=+-@\t\r"
    assert row["date"] == "2026-01-01" and row["id"] == "20260101-abc"
    (row,) = csv_rows(export_text([article], "csv", safe_csv=False))
    assert row["title"].startswith("=HYPERLINK") and row["body"] == "+1" and row["source"] == "-1"


def test_csv_quote_escape_is_exact() -> None:
    article = make("'=a", "''-b", source="'x", url="'", location="x'=")
    for safe in (True, False):
        (row,) = csv_rows(export_text([article], "csv", safe_csv=safe))
        assert (row["title"], row["body"]) == ("''=a", "'''-b")
        assert (row["source"], row["url"], row["location"]) == ("'x", "'", "x'=")


def test_csv_bad_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    header = ",".join(CSV_COLUMNS)
    path.write_text(header + "\r\n" + ",T" + "," * 10 + "\r\nonly,three,cells\r\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"bad\.csv: record 2 \(line 3\).*3 cells"):
        list(read_import(path))
    path.write_text(header + "\r\nx,T,,,,,,,,,,{not json\r\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"record 1 \(line 2\).*'extra'"):
        list(read_import(path))
    path.write_text("name,value\r\na,b\r\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"line 1: .*header"):
        list(read_import(path, "csv"))


def test_csv_hand_made_file(tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_text("\ufefftitle,tags,note\r\nHello,\"a; b\",keep me\r\n", encoding="utf-8")
    (got,) = read_import(path)
    assert got["title"] == "Hello" and got["tags"] == ["a", "b"] and got["note"] == "keep me"
    assert got["body"] == "" and got["id"] is None


# --- Markdown -------------------------------------------------------------------------------------------


def test_markdown_escapes_links_html_images_and_headings() -> None:
    hostile = make("[click](http://evil) <script>alert(1)</script>",
                   "# heading\n[click](http://evil)\n<script>alert(1)</script>\n![img](x)\n"
                   "  ## indented heading\ntitle\n===\n<img src=x onerror=alert(1)>\n&lt;b&gt;\n"
                   "[ref]: http://evil\nvisit www.evil.com or http://evil.com or me@evil.com\n",
                   source="![img](x)", url="javascript:alert(1)", tags=["<b>", "[x](y)"])
    data = export_text([hostile], "markdown")
    lines = data.splitlines()
    assert lines[0].startswith("## ") and lines[0].count("\n") == 0
    headings = [line for line in lines if re.match(r" {0,3}#", line)]
    assert headings == [lines[0]]
    assert not re.search(r"(?<!\\)[<>\[\]]", data)  # every bracket is escaped
    assert not re.search(r"(?<!\\)!", data)
    assert "\\<script\\>" in data and "\\!\\[img\\]\\(x\\)" in data and "\\<img" in data
    assert not re.search(r"(?<!\\)&", data)  # entities cannot decode to HTML
    assert "http://" not in data and "www.evil" not in data and "me@" not in data  # no bare autolinks
    assert not re.search(r"^\s*===", data, re.MULTILINE)  # no setext heading underline
    assert "\\# heading" in data and "\\[click\\]\\(http\\://evil\\)" in data


def test_markdown_layout_and_one_section_per_article() -> None:
    data = export_text([make("One", "First body.", source="Paper", tags=["a", "b"]), make("Two", "")],
                       "markdown")
    assert data.count("\n## ") + data.startswith("## ") == 2
    assert "- **Source:** Paper" in data and "- **Tags:** a, b" in data and "- **ID:** 20260101-abc" in data
    assert "First body." in data


# --- es-bulk --------------------------------------------------------------------------------------------


def test_es_bulk_lines() -> None:
    batch = [make("A", id="id-1"), make("B", "multi\nline\r\nbody \u2028", id="id-2"), make("C", id=None)]
    data = export_text(batch, "es-bulk", index_name="news-2026")
    assert data.endswith("\n") and not data.endswith("\n\n")
    lines = data.split("\n")[:-1]
    assert len(lines) == 2 * len(batch)
    pairs = zip(lines[::2], lines[1::2], strict=True)
    for (action_line, doc_line), article in zip(pairs, batch, strict=True):
        action, doc = json.loads(action_line), json.loads(doc_line)
        assert list(action) == ["index"] and action["index"]["_index"] == "news-2026"
        assert action["index"].get("_id") == article["id"]
        assert doc == article


def test_es_mapping() -> None:
    mapping = es_mapping("newsarc")
    props = mapping["mappings"]["properties"]
    assert props["id"]["type"] == "keyword" and props["url"]["type"] == "keyword"
    assert props["title"] == {**props["title"], "type": "text", "analyzer": "english"}
    assert props["body"] == {"type": "text", "analyzer": "english"}
    assert props["tags"]["type"] == props["authors"]["type"] == props["language"]["type"] == "keyword"
    assert props["source"]["type"] == "keyword" and props["source"]["fields"]["text"]["type"] == "text"
    assert props["location"]["type"] == "text"
    assert props["date"]["type"] == props["added"]["type"] == "date"
    json.dumps(mapping)
    with pytest.raises(UsageError, match="index name"):
        es_mapping("Bad Name")
    with pytest.raises(UsageError, match="index name"):
        export_text([make()], "es-bulk", index_name="_x")


# --- json / formats -------------------------------------------------------------------------------------


def test_json_with_zero_articles_is_empty_array() -> None:
    assert export_text([], "json").strip() == "[]"
    assert json.loads(export_text(iter([]), "json")) == []
    assert json.loads(export_text([make()], "json")) == [make()]


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match=r"unknown export format 'xml'.*jsonl.*es-bulk"):
        export_text([make()], "xml")
    with pytest.raises(UsageError, match="unknown import format"):
        list(read_import(Path("x.json"), "xml"))
    assert set(IMPORTABLE) < set(FORMATS)


def test_exports_accept_article_objects() -> None:
    article = Article(title="T", body="b")
    assert json.loads(export_text([article], "jsonl")) == article.to_dict()


# --- importer errors ------------------------------------------------------------------------------------


def test_malformed_json_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(make()) + "\n\n" + '{"title": "x",\n', encoding="utf-8")
    with pytest.raises(BadInputError, match=r"in\.jsonl: line 3: not valid JSON"):
        list(read_import(path))
    path.write_text(json.dumps(make()) + "\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"line 2: expected a mapping"):
        list(read_import(path))


def test_json_errors_and_shapes(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text('[\n{"title": "a"},\n{"title": }\n]', encoding="utf-8")
    with pytest.raises(BadInputError, match=r"in\.json: line 3 column \d+: not valid JSON"):
        list(read_import(path))
    path.write_text('{"title": "one"}', encoding="utf-8")
    assert list(read_import(path)) == [{"title": "one"}]
    path.write_text('{"title": "a"}\n{"title": "b"}\n', encoding="utf-8")  # JSON Lines named .json
    assert [d["title"] for d in read_import(path)] == ["a", "b"]
    path.write_text('[{"title": "a"}, 3]', encoding="utf-8")
    with pytest.raises(BadInputError, match="record 2"):
        list(read_import(path))


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read"):
        list(read_import(tmp_path / "nope.jsonl"))
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"title": "caf\u00e9"}\n'.encode("latin-1"))
    with pytest.raises(BadInputError, match="not UTF-8"):
        list(read_import(path))


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
title: boom
"""


def test_yaml_billion_laughs_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(BadInputError, match=r"laughs\.yaml: document 1 .*aliases"):
            list(read_import(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"{peak / 2**20:.0f} MB: the aliases were expanded"  # 9**9 items never built
    path.write_text("title: &t x\nbody: *t\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="aliases"):
        list(read_import(path))
    path.write_text("title: x\nself: &s [*s]\n", encoding="utf-8")
    with pytest.raises(BadInputError):
        list(read_import(path))


@pytest.mark.parametrize("document", [
    "title: x\nrun: !!python/object/apply:os.system ['echo hacked']\n",
    "!!python/object:builtins.dict {title: x}\n",
    "title: !!binary aGVsbG8=\n",
    "title: x\nset: !!set {a, b}\n",
    "title: !custom x\n",
])
def test_yaml_non_standard_tags_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "tags.yml"
    path.write_text("---\ntitle: fine\n---\n" + document, encoding="utf-8")
    with pytest.raises(BadInputError, match=r"tags\.yml: document 2 line \d+: the YAML tag .* not accepted"):
        list(read_import(path))


def test_yaml_errors_and_shapes(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text("title: a\n---\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"in\.yaml: line \d+: not valid YAML"):
        list(read_import(path))
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"document 1 \(line 1\), item 1: expected a mapping"):
        list(read_import(path))
    path.write_text("---\ntitle: a\ndate: 2017-05-18\n---\n- title: b\n- title: c\n---\n", encoding="utf-8")
    got = list(read_import(path))
    assert [d["title"] for d in got] == ["a", "b", "c"]
    assert Article.from_dict(got[0]).date == "2017-05-18"


def test_yaml_body_is_a_literal_block() -> None:
    data = export_text([make("T", "first line\nsecond line\n")], "yaml")
    assert "body: |\n  first line\n  second line\n" in data
    long_title = "word " * 200 + "end"
    assert f"title: {long_title}\n" in export_text([make(long_title)], "yaml")


# --- streaming ------------------------------------------------------------------------------------------


def small_articles(count: int, seen: list[int]) -> Iterator[dict[str, Any]]:
    for number in range(count):
        seen[0] = number + 1
        yield make(f"Article {number}", f"Body of article {number}.\nSecond line =x.\n", id=f"id-{number}",
                   tags=["news", f"t{number % 7}"], note={"n": number})


@pytest.mark.parametrize("fmt", FORMATS)
def test_streaming_export_keeps_memory_flat(tmp_path: Path, fmt: str) -> None:
    seen = [0]
    progress: list[int] = []

    class Probe(io.TextIOWrapper):
        """Records how many articles the generator had produced when the first article was written."""

        def write(self, text: str) -> int:
            if seen[0] and not progress:
                progress.append(seen[0])
            return super().write(text)

    path = tmp_path / f"big.{EXTENSION[fmt]}"
    tracemalloc.start()
    try:
        with Probe(open(path, "wb"), encoding="utf-8", newline="") as out:
            count = write_export(small_articles(20_000, seen), fmt, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000 and seen[0] == 20_000
    assert progress and progress[0] < 100  # writing started long before the generator was exhausted
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    if fmt in IMPORTABLE:
        last = None
        for number, last in enumerate(read_import(path), start=1):  # noqa: B007
            pass
        assert number == 20_000 and last is not None and last["id"] == "id-19999"


def test_every_format_import_offers_round_trips_through_the_cli(run, archive: Path, tmp_path: Path) -> None:
    """`import --help` offers exactly the formats that come back, es-bulk included (it was offered and refused)."""
    from click.testing import CliRunner

    from newsarc.cli.app import cli
    from newsarc.storage.archive import init_archive

    help_text = run("import", "--help").output
    offered = help_text.split("--format [", 1)[1].split("]", 1)[0].split("|")
    assert sorted(offered) == sorted(IMPORTABLE)
    added = run("add", "-", "--date", "2017-05-18", "--tag", "Syria", input="Talks resume\n\nThe talks resumed.\n")
    article_id = added.output.split()[1]
    for fmt in offered:
        target = tmp_path / f"export-{fmt}"
        assert run("export", "--format", fmt, "-o", str(target)).exit_code == 0
        copy = init_archive(tmp_path / f"copy-{fmt}")
        result = CliRunner().invoke(cli, ["--archive", str(copy), "import", str(target)], catch_exceptions=False)
        assert result.exit_code == 0, (fmt, result.output)
        assert result.output.startswith("1 imported, 0 already in the archive, 0 failed"), (fmt, result.output)
        shown = CliRunner().invoke(cli, ["--archive", str(copy), "show", article_id, "--format", "json"])
        assert json.loads(shown.stdout)["tags"] == ["Syria"], fmt


def test_an_es_bulk_file_cut_short_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bulk.ndjson"
    path.write_text('{"index": {"_index": "newsarc", "_id": "x9v9r6tm09"}}\n', encoding="utf-8")
    with pytest.raises(BadInputError, match="no document after it"):
        list(read_import(path))
    path.write_text('{"delete": {"_index": "newsarc", "_id": "x9v9r6tm09"}}\n', encoding="utf-8")
    with pytest.raises(BadInputError, match="line 1: a 'delete' action; an es-bulk import takes index or create"):
        list(read_import(path))


# -- where exports go: -o and --mapping behave alike (issue 11, point 13) -----------------------------------
def _seeded(run, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("A story\n\n18-05-2017\nRudaw\n\nIts text.\n", encoding="utf-8")
    assert run("add", str(story)).exit_code == 0


@pytest.mark.parametrize("which", ["-o", "--mapping"])
def test_export_into_a_missing_folder_fails_in_one_line_and_writes_nothing(run, tmp_path: Path,
                                                                          which: str) -> None:
    _seeded(run, tmp_path)
    missing = tmp_path / "missing" / "dir"
    out = tmp_path / "out.ndjson" if which == "--mapping" else missing / "x.ndjson"
    mapping = missing / "mapping.json" if which == "--mapping" else tmp_path / "mapping.json"
    result = run("export", "-f", "es-bulk", "-o", str(out), "--mapping", str(mapping))
    assert result.exit_code == 2
    target = out if which == "-o" else mapping
    assert result.output == (f"newsarc: error: {which} {target}: folder {target.parent} does not exist; "
                             "create it first\n")
    assert not (tmp_path / "missing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arc", "story.txt"]  # nothing half-written


def test_export_to_an_unwritable_folder_fails_in_one_line(run, tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    _seeded(run, tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = run("export", "-o", str(locked / "x.jsonl"))
    assert result.exit_code == 2
    assert result.output == f"newsarc: error: -o {locked / 'x.jsonl'}: cannot write in {locked} (permission denied)\n"
