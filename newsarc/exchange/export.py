"""Streaming exporters: articles (`Article.to_dict()` dicts) as jsonl, json, yaml, csv, markdown or es-bulk.

Every writer handles one article at a time and writes it before asking for the next, so memory stays flat
however many articles are exported.

CSV encoding (lossless: `newsarc.exchange.importer` reverses it exactly)
    * Header row, always: id,title,date,source,url,authors,tags,location,language,added,body,extra.
      Rows end with CRLF (RFC 4180); open `out` with ``newline=""`` so line breaks inside cells stay intact.
    * Text columns hold the value as text; an empty cell stands for None (the dict form has None for every
      empty metadata field). An empty body cell is the empty body "".
    * authors/tags: the items joined with "; " -- unless any item contains ";", is empty or is not text, or
      the first item starts with "[": then the whole list is written as a JSON array (which starts with "[").
      Reading: an empty cell is [], a cell starting with "[" is JSON, anything else is split on "; ".
    * extra: the extra fields as one JSON object, in their order; an empty cell when there are none.
    * Formula neutralisation: spreadsheets run a cell that starts with = + - @ TAB or CR as a formula. With
      ``safe_csv=True`` (the default) such a cell is written with a single quote in front ("=1+1" -> "'=1+1").
      So that this stays reversible, a cell that already starts with one or more quotes followed by one of
      those characters gets one more quote ("'=x" -> "''=x") -- always, even with ``safe_csv=False``.
      Reading: a cell matching ^'+[=+\\-@\\t\\r] loses exactly one leading quote; nothing else is touched.

Markdown is one-way: article text is escaped so it cannot render as a link, image, HTML or heading.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from newsarc.errors import BadInputError, UsageError
from newsarc.exchange.formats import EXPORT_FORMATS as FORMATS

if TYPE_CHECKING:
    from newsarc.index.backend import NameKeys

# The name keys of one article as exported (a dict as Article.to_dict() gives): api.name_keys_of.
NameKeysOf = Callable[[dict[str, Any]], "NameKeys"]

CSV_COLUMNS = ("id", "title", "date", "source", "url", "authors", "tags", "location", "language", "added",
               "body", "extra")
CSV_LIST_COLUMNS = ("authors", "tags")
# The fields with their own CSV column; everything else in an article dict goes into the `extra` column.
CSV_FIELDS = frozenset(CSV_COLUMNS) - {"extra"}

FORMULA_CHARS = "=+-@\t\r"
# A cell that is, or after undoing our prefix would be, read by a spreadsheet as a formula.
_QUOTED_FORMULA = re.compile(r"'+[=+\-@\t\r]")

_LIST_SEPARATOR = "; "

# Elasticsearch index names: lowercase, none of \ / * ? " < > | space , # :, not starting with - _ +.
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,254}")


def neutralise_cell(text: str, *, safe: bool = True) -> str:
    """Prefix a quote to a cell a spreadsheet would treat as a formula (see the module docstring)."""
    if _QUOTED_FORMULA.match(text) or (safe and text[:1] and text[0] in FORMULA_CHARS):
        return "'" + text
    return text


def restore_cell(text: str) -> str:
    """Undo `neutralise_cell` exactly."""
    return text[1:] if _QUOTED_FORMULA.match(text) else text


def encode_list(items: Any) -> str:
    """authors/tags as one CSV cell: "a; b", or a JSON array when joining would be ambiguous."""
    if items is None:
        return ""
    if not isinstance(items, list | tuple):
        items = [items]
    if not items:
        return ""
    if (all(isinstance(item, str) and item and ";" not in item for item in items)
            and not items[0].startswith("[")):
        return _LIST_SEPARATOR.join(items)
    return _json(list(items))


def decode_list(cell: str) -> Any:
    """Reverse `encode_list`; raises ValueError for a cell starting with "[" that is not JSON."""
    if not cell:
        return []
    if cell.startswith("["):
        return json.loads(cell)
    return cell.split(_LIST_SEPARATOR)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} values cannot be exported")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _as_dict(article: Any) -> dict[str, Any]:
    if isinstance(article, dict):
        return article
    to_dict = getattr(article, "to_dict", None)
    if to_dict is None:
        raise BadInputError(f"cannot export a {type(article).__name__}; expected an article")
    return to_dict()


def _label(article: dict[str, Any]) -> str:
    return f"article {article.get('id') or article.get('title')!r}"


def write_export(articles: Iterable[Any], fmt: str, out: TextIO, *, safe_csv: bool = True,
                 index_name: str = "newsarc", name_keys: NameKeysOf | None = None) -> int:
    """Write `articles` (dicts as `Article.to_dict()` gives, or Articles) to `out` in `fmt`; return the count.

    The writer pulls one article at a time from `articles`, so a generator is exported without a list. es-bulk
    documents also carry each article's name keys when `name_keys` gives them (api.name_keys_of: the words and
    places the index holds for it; newsarc.exchange.es_names).
    """
    writers: dict[str, Callable[[Iterable[dict[str, Any]], TextIO], int]] = {
        "jsonl": _write_jsonl,
        "json": _write_json,
        "yaml": _write_yaml,
        "csv": lambda arts, stream: _write_csv(arts, stream, safe=safe_csv),
        "markdown": _write_markdown,
        "es-bulk": lambda arts, stream: _write_es_bulk(arts, stream, index_name, name_keys),
    }
    writer = writers.get(fmt)
    if writer is None:
        raise UsageError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if fmt == "es-bulk":
        check_index_name(index_name)
    return writer((_as_dict(article) for article in articles), out)


def _dumps_article(article: dict[str, Any]) -> str:
    try:
        return _json(article)
    except (TypeError, ValueError) as exc:
        raise BadInputError(f"{_label(article)}: {exc}; only text, numbers, true/false, null, lists and "
                            "mappings can be exported") from None


def _write_jsonl(articles: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for article in articles:
        out.write(_dumps_article(article) + "\n")
        count += 1
    return count


def _write_json(articles: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    out.write("[")
    for article in articles:
        out.write(("\n" if count == 0 else ",\n") + _dumps_article(article))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


# --- YAML -----------------------------------------------------------------------------------------------


def _write_yaml(articles: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A YAML stream, one document an article, written by the archive's one writer of article YAML
    (newsarc.yamlio) with every value exactly as given, so that `import` reads back the same values."""
    from newsarc.yamlio import Unrepresentable, dump_yaml

    count = 0
    for article in articles:
        try:
            text = dump_yaml(article, exact=True)
        except Unrepresentable as exc:
            raise BadInputError(f"{_label(article)}: {exc}; only text, numbers, true/false, null, lists "
                                "and mappings can be exported") from None
        out.write("---\n" + text)
        count += 1
    return count


# --- CSV ------------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return _json(value)
    return str(value)


def csv_row(article: dict[str, Any], *, safe: bool = True) -> list[str]:
    """One article as the cells of a CSV row, in `CSV_COLUMNS` order."""
    cells = []
    for column in CSV_COLUMNS:
        if column in CSV_LIST_COLUMNS:
            text = encode_list(article.get(column))
        elif column == "extra":
            extra = {key: value for key, value in article.items() if key not in CSV_FIELDS}
            try:
                text = _json(extra) if extra else ""
            except (TypeError, ValueError) as exc:
                raise BadInputError(f"{_label(article)}: {exc}; only text, numbers, true/false, null, lists "
                                    "and mappings can be exported") from None
        else:
            text = _cell_text(article.get(column))
        cells.append(neutralise_cell(text, safe=safe))
    return cells


def _write_csv(articles: Iterable[dict[str, Any]], out: TextIO, *, safe: bool) -> int:
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for article in articles:
        writer.writerow(csv_row(article, safe=safe))
        count += 1
    return count


# --- Markdown -------------------------------------------------------------------------------------------

# Characters that start links, images, HTML, entities, emphasis, code or tables: always backslash-escaped.
_MD_INLINE = re.compile(r"([\\`*_\[\]()<>!#|~&{}])")
# Bare URLs, www. hosts and e-mail addresses that GFM-style renderers turn into links by themselves.
_MD_AUTOLINK = re.compile(r":(?=//)|(?<=www)\.|@", re.IGNORECASE)
# Line starts that make a heading (setext underline), list, block quote or thematic break.
_MD_LINE_START = re.compile(r"^(\s*)([=+\-]|\d+(?=[.)]))")


def md_escape(text: str) -> str:
    """Escape one line of article text so that it renders as plain text only."""
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_AUTOLINK.sub(lambda m: "\\" + m.group(0), text)
    match = _MD_LINE_START.match(text)
    if match:
        lead, mark = match.groups()
        if mark.isdigit():  # "1." starts an ordered list: escape the dot or parenthesis after the number
            end = match.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = lead + "\\" + text[len(lead):]
    return text


def _md_line(value: Any) -> str:
    """A value flattened to one escaped line (titles and metadata must not span lines)."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    return md_escape(" ".join(str(value).split()))


def _write_markdown(articles: Iterable[dict[str, Any]], out: TextIO) -> int:
    labels = (("date", "Date"), ("source", "Source"), ("url", "URL"), ("authors", "Authors"),
              ("tags", "Tags"), ("location", "Location"), ("id", "ID"))
    count = 0
    for article in articles:
        parts = [f"## {_md_line(article.get('title') or '(untitled)')}\n\n"]
        meta = [f"- **{label}:** {_md_line(article[key])}\n" for key, label in labels if article.get(key)]
        if meta:
            parts.append("".join(meta) + "\n")
        body = str(article.get("body") or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        if body:
            parts.append("\n".join(md_escape(line) for line in body.split("\n")) + "\n\n")
        out.write("".join(parts))
        count += 1
    return count


# --- Elasticsearch / OpenSearch -------------------------------------------------------------------------


def check_index_name(index_name: str) -> None:
    """Refuse a name Elasticsearch would reject, before writing a file that cannot be loaded."""
    if not _INDEX_NAME.fullmatch(index_name) or len(index_name.encode()) > 255 or index_name in (".", ".."):
        raise UsageError(f"invalid index name {index_name!r}; use lowercase letters, digits, '-', '_' "
                         "or '.', starting with a letter or digit")


def _write_es_bulk(articles: Iterable[dict[str, Any]], out: TextIO, index_name: str,
                   name_keys: NameKeysOf | None) -> int:
    """The `_bulk` NDJSON body: an `index` action line, then the document line (the article, and under
    es_names.FIELD its name keys when name_keys gives them), each ending in a newline."""
    from newsarc.exchange import es_names

    count = 0
    for article in articles:
        action: dict[str, Any] = {"_index": index_name}
        if article.get("id"):
            action["_id"] = str(article["id"])
        if name_keys is not None:
            article = {**article, es_names.FIELD: es_names.document_names(article, name_keys(article))}
        out.write(_json({"index": action}) + "\n" + _dumps_article(article) + "\n")
        count += 1
    return count


def es_mapping(index_name: str = "newsarc", alias_groups: Iterable[Iterable[str]] = ()) -> dict[str, Any]:
    """The index-creation body (`PUT /<index_name>`) matching the documents es-bulk writes.

    Extra fields are kept in `_source` but not indexed (`dynamic: false`), so articles whose extra fields
    differ in type cannot make a bulk load fail with mapping conflicts. The name keys and places are keyword
    fields; alias_groups (the archive's `newsarc alias` groups) become synonyms of title and body at search time
    (newsarc.exchange.es_names).
    """
    from newsarc.exchange import es_names

    check_index_name(index_name)
    date = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
    analysis = es_names.alias_analysis(alias_groups)
    english: dict[str, Any] = {"analyzer": "english"}
    if analysis:
        english["search_analyzer"] = es_names.SEARCH_ANALYZER
    body: dict[str, Any] = {"settings": {"analysis": analysis}} if analysis else {}
    return {
        **body,
        "mappings": {
            "_meta": {"created_by": "newsarc", "index": index_name},
            "dynamic": False,
            "properties": {
                "id": {"type": "keyword"},
                "title": {"type": "text", **english,
                          "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}},
                "date": date,
                "source": {"type": "keyword", "fields": {"text": {"type": "text"}}},
                "url": {"type": "keyword", "ignore_above": 8191},
                "authors": {"type": "keyword"},
                "tags": {"type": "keyword"},
                "location": {"type": "text"},
                "language": {"type": "keyword"},
                "added": date,
                "body": {"type": "text", **english},
                **es_names.mapping_properties(),
            },
        }
    }


def check_target(path: str | os.PathLike[str], option: str) -> Path:
    """The file an export option names, once it is sure it can be written: its folder exists (it is never
    created: a typo in the path should not make folders) and is writable. A symlink is judged by its target and
    a FIFO or device by itself (newsarc.storage.atomic.write_target: those are written into, not replaced).
    Checked for every target before anything is written, so a bad second path leaves no first file behind."""
    from newsarc.storage.atomic import write_target

    given = Path(path)
    try:
        target = write_target(given)
    except OSError as exc:
        raise UsageError(f"{option} {given}: {exc.strerror or exc}") from None
    if not target.replace:
        if not os.access(target.path, os.W_OK):
            raise UsageError(f"{option} {given}: cannot write it (permission denied)")
        return given
    folder = target.path.parent if str(target.path.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{option} {given}: folder {folder} {what}; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {given}: cannot write in {folder} (permission denied)")
    return given


def write_export_file(path: Path, write: Callable[[Any], int], option: str = "-o") -> int:
    """Write by newsarc.storage.atomic's rule: a file through a temporary file renamed into place, so a failed
    export leaves no half file; a symlink through to its target; a FIFO or device into it. A write error (disk
    full, a folder removed meanwhile) is one line naming the file."""
    from newsarc.storage.atomic import atomic_file

    try:
        with atomic_file(path, durable=False) as stream:
            return write(stream)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write ({exc.strerror or exc})") from None
