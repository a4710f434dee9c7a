"""Articles from structured files other tools write: JSON (an object or an array), JSON Lines, CSV/TSV, and
Markdown or text with YAML front matter.

Field names map to article fields whatever the tool called them (headline/title, articleBody/text/content,
pubDate/datePublished/published, link/url, byline/author, keywords/categories/tags, ...); `--map body=COLUMN`
names a column outright. Big JSONL and CSV files are read record by record, never whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from newsarc.errors import BadInputError
from newsarc.ingest.decode import clean_text
from newsarc.ingest.options import IngestOptions
from newsarc.ingest.when import ambiguous, parse_any_date

# Accepted names per field, in order of preference, compared after _key() (lower case, letters and digits).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading", "name", "subject", "articletitle", "newstitle"),
    "body": ("body", "text", "content", "articlebody", "fulltext", "maintext", "story", "storytext", "article",
             "articletext", "contentencoded", "bodytext", "html", "contenthtml"),
    "date": ("date", "published", "datepublished", "pubdate", "publishedat", "publisheddate", "publicationdate",
             "publishdate", "publishtime", "publishedtime", "created", "createdat", "datecreated", "issued",
             "datetime", "time", "timestamp", "updated", "datemodified", "modified"),
    "url": ("url", "link", "canonicalurl", "canonical", "permalink", "href", "uri", "articleurl", "sourceurl",
            "weburl"),
    "authors": ("authors", "author", "byline", "creator", "creators", "dccreator", "writer", "writers", "by",
                "authorname"),
    "tags": ("tags", "keywords", "categories", "category", "topics", "topic", "subjects", "labels", "newskeywords",
             "section"),
    "source": ("source", "sourcename", "publisher", "site", "sitename", "publication", "outlet", "media",
               "newspaper", "domain", "feedtitle"),
    "location": ("location", "dateline", "place", "city"),
    "language": ("language", "lang", "inlanguage", "locale"),
    "summary": ("summary", "description", "abstract", "standfirst", "lead", "excerpt", "teaser", "subtitle"),
}
_LIST_FIELDS = ("authors", "tags")
_ALL_NAMES = {name for names in FIELD_NAMES.values() for name in names}
_UNREADABLE = "\0unreadable"  # key of the stand-in for a record that could not be read
_HTML_HINT = re.compile(r"</?(?:p|div|br|span|a|em|strong|h[1-6]|ul|li|blockquote)\b[^>]*>", re.IGNORECASE)


def _key(name: Any) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def looks_like_header(line: str, delimiter: str) -> bool:
    """A CSV/TSV header row: 2+ short cells, one of them a title or body field name."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    keys = [_key(cell) for cell in cells]
    if len(keys) < 2 or any(len(cell) > 40 for cell in cells):
        return False
    known = {k for k in keys if k in _ALL_NAMES}
    return bool(known & (set(FIELD_NAMES["title"]) | set(FIELD_NAMES["body"]))) and len(known) >= 2


class FieldMapper:
    """Finds, once per set of column names, which column feeds which article field."""

    def __init__(self, field_map: dict[str, str]):
        self.field_map = field_map
        self._cache: dict[tuple[str, ...], dict[str, str]] = {}

    def columns(self, names: Iterable[str]) -> dict[str, str]:
        names = tuple(names)
        found = self._cache.get(names)
        if found is None:
            found = self._cache[names] = self._resolve(names)
        return found

    def _resolve(self, names: tuple[str, ...]) -> dict[str, str]:
        by_key: dict[str, str] = {}
        for name in names:
            by_key.setdefault(_key(name), name)
        chosen: dict[str, str] = {}
        for field, column in self.field_map.items():
            if column in names:
                chosen[field] = column
            elif _key(column) in by_key:
                chosen[field] = by_key[_key(column)]
        taken = set(chosen.values())
        for field, candidates in FIELD_NAMES.items():
            if field in chosen:
                continue
            for candidate in candidates:
                found = by_key.get(candidate)
                if found is not None and found not in taken:
                    chosen[field] = found
                    taken.add(found)
                    break
        return chosen


def _names(value: Any) -> list[str]:
    """Names out of an author-like value: "A; B", ["A", {"name": "B"}], {"name": "A"}."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("title") or ""
        return _names(value)
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(n for n in _names(item) if n not in out)
        return out
    text = str(value).strip()
    if not text:
        return []
    parts = re.split(r"\s*[;|]\s*|\s+and\s+|\s*&\s*", text)
    return [re.sub(r"^(?i:by)\s+", "", p).strip() for p in parts if p.strip()]


def _tags(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return _tags(value.get("name") or value.get("term") or value.get("label") or "")
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(t for t in _tags(item) if t not in out)
        return out
    return [part.strip() for part in re.split(r"\s*[,;|]\s*", str(value)) if part.strip()]


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("name", "@value", "value", "href", "url", "#text", "text"):
            if isinstance(value.get(key), str | int | float):
                return str(value[key])
        return ""
    if isinstance(value, list | tuple):
        return _scalar(value[0]) if value else ""
    return str(value)


def _date(value: Any, options: IngestOptions) -> tuple[str | None, bool]:
    if value is None or value == "":
        return None, False
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds or seconds
        try:
            stamp = dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None, False
        return stamp.replace(microsecond=0).isoformat(), False
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(), False
    text = _scalar(value)
    return (parse_any_date(text, date_order=options.date_order, relative_base=options.hints.get("fetched")),
            ambiguous(text))


def _text_body(value: Any) -> str:
    text = _scalar(value) if not isinstance(value, str) else value
    if _HTML_HINT.search(text[:5000]):
        from newsarc.ingest.html import fragment_to_text

        return fragment_to_text(text)
    return clean_text(text).strip()


def record_to_parsed(record: dict[str, Any], mapper: FieldMapper, options: IngestOptions,
                     where: str) -> dict[str, Any]:
    """One record (a JSON object, a CSV row, a front-matter mapping) as a parsed article dict."""
    if not isinstance(record, dict):
        raise BadInputError(f"{where}: expected an object of article fields, got {type(record).__name__}")
    columns = mapper.columns(record.keys())
    get = {field: record.get(column) for field, column in columns.items()}
    body = _text_body(get.get("body")) if get.get("body") not in (None, "") else ""
    summary = _text_body(get.get("summary")) if get.get("summary") not in (None, "") else ""
    if not body and summary:
        body, summary = summary, ""
    title = " ".join(clean_text(_scalar(get.get("title"))).split())
    if not title:
        present = ", ".join(str(k) for k in list(record)[:12])
        raise BadInputError(f"{where}: no title field (fields: {present}); name one with --map title=FIELD")
    date, is_ambiguous = _date(get.get("date"), options)
    parsed: dict[str, Any] = {
        "title": title,
        "date": date,
        "date_ambiguous": is_ambiguous,
        "source": " ".join(clean_text(_scalar(get.get("source"))).split()),
        "url": _scalar(get.get("url")).strip(),
        "authors": _names(get.get("authors")),
        "tags": _tags(get.get("tags")),
        "location": " ".join(_scalar(get.get("location")).split()),
        "language": _scalar(get.get("language")).strip(),
        "body": body,
    }
    if summary and summary != body:
        parsed["summary"] = summary
    return parsed


def _unit(options: IngestOptions, raw: bytes, where: str) -> dict[str, Any] | None:
    """Resume bookkeeping for one record: its key, and a skip marker when it is already in the archive."""
    key = hashlib.sha256(options.fingerprint().encode() + b"\0" + raw).hexdigest()
    ids = options.seen(key) if options.seen else None
    if ids:
        return {"_skip": True, "_ids": ids, "_origin": where, "_raw_key": key}
    return {"_raw_key": key}


def _with_unit(parsed_or_error: dict[str, Any], unit: dict[str, Any], raw: bytes, options: IngestOptions,
               where: str) -> dict[str, Any]:
    parsed_or_error.update(unit)
    parsed_or_error["_origin"] = where
    if options.keep_raw:
        parsed_or_error["_raw"] = raw
    return parsed_or_error


def _records(items: Iterable[tuple[str, Any, bytes]], options: IngestOptions) -> Iterator[dict[str, Any]]:
    """Parsed dicts for (where, record, raw bytes); a bad record becomes an `_error` dict, never an exception."""
    mapper = FieldMapper(options.field_map)
    for where, record, raw in items:
        if isinstance(record, dict) and _UNREADABLE in record:
            yield {"_error": record[_UNREADABLE], "_origin": where}
            continue
        unit = _unit(options, raw, where)
        if unit and unit.get("_skip"):
            yield unit
            continue
        try:
            parsed = record_to_parsed(record, mapper, options, where)
        except BadInputError as exc:
            yield {"_error": str(exc), "_origin": where}
            continue
        yield _with_unit(parsed, unit or {}, raw, options, where)


def parse_json(text: str, *, origin: str, options: IngestOptions) -> Iterator[dict[str, Any]]:
    """A JSON document: one article object, an array of them, or an object holding such an array."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadInputError(f"{origin}: invalid JSON ({exc}); check the file") from None
    if isinstance(data, dict):
        for key in ("articles", "items", "entries", "results", "data", "records", "posts", "news"):
            if isinstance(data.get(key), list) and not any(k in data for k in ("title", "headline")):
                data = data[key]
                break
    items = data if isinstance(data, list) else [data]

    def raw_items() -> Iterator[tuple[str, Any, bytes]]:
        for n, item in enumerate(items, start=1):
            where = f"{origin} record {n}" if isinstance(data, list) else origin
            yield where, item, json.dumps(item, sort_keys=True, ensure_ascii=False).encode("utf-8")

    yield from _records(raw_items(), options)


def parse_jsonl(lines: Iterable[str], *, origin: str, options: IngestOptions) -> Iterator[dict[str, Any]]:
    """JSON Lines read line by line: memory stays flat however big the file."""

    def raw_items() -> Iterator[tuple[str, Any, bytes]]:
        for n, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            where = f"{origin} line {n}"
            try:
                record = json.loads(text)
            except ValueError as exc:
                yield where, {_UNREADABLE: f"{where}: invalid JSON ({exc}); fix or remove the line"}, b""
                continue
            yield where, record, text.encode("utf-8")

    yield from _records(raw_items(), options)


def parse_delimited(stream: Iterable[str], *, origin: str, options: IngestOptions,
                    delimiter: str | None) -> Iterator[dict[str, Any]]:
    """CSV or TSV with a header row, read row by row. delimiter None: sniffed from the header line."""
    csv.field_size_limit(2**31 - 1)
    iterator = iter(stream)
    header_line = ""
    for line in iterator:
        if line.strip():
            header_line = line
            break
    if not header_line:
        raise BadInputError(f"{origin}: no header row; a CSV file needs one naming its columns")
    if delimiter is None:
        counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
        delimiter = max(counts, key=lambda d: counts[d])
    reader = csv.reader(_chain([header_line], iterator), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise BadInputError(f"{origin}: unreadable header row ({exc})") from None
    if len(header) < 2:
        raise BadInputError(f"{origin}: the header row has one column; is it really CSV?")

    def raw_items() -> Iterator[tuple[str, Any, bytes]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                where = f"{origin} line {reader.line_num}"
                yield where, {_UNREADABLE: f"{where}: unreadable CSV row ({exc})"}, b""
                continue
            if not any(cell.strip() for cell in row):
                continue
            where = f"{origin} line {reader.line_num}"
            if len(row) > len(header):
                extra = row[len(header):]
                if any(cell.strip() for cell in extra):
                    yield where, {_UNREADABLE: f"{where}: {len(row)} cells but {len(header)} columns; "
                                               "quote cells that hold the delimiter"}, b""
                    continue
            record = dict(zip(header, row, strict=False))
            yield where, record, json.dumps(row, ensure_ascii=False).encode("utf-8")

    yield from _records(raw_items(), options)


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


def parse_front_matter(text: str, *, origin: str, options: IngestOptions) -> dict[str, Any]:
    """Markdown or text with a YAML front-matter block; the title falls back to the first '# ' heading."""
    from newsarc.yamlio import load_yaml

    normalised = text.lstrip("\ufeff").replace("\r\n", "\n")
    m = re.match(r"^---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", normalised, re.DOTALL)
    meta: Any = {}
    body = normalised
    if m:
        meta = load_yaml(m.group(1) or "", origin=f"{origin} front matter") or {}
        if not isinstance(meta, dict):
            raise BadInputError(f"{origin}: the front matter must be a mapping of fields (key: value)")
        body = normalised[m.end():]
    body = body.strip("\n")
    mapper = FieldMapper(options.field_map)
    columns = mapper.columns(meta.keys())
    if "title" not in columns:
        heading = re.match(r"^#\s+(.+?)\s*#*\s*$", body.split("\n", 1)[0])
        if heading:
            meta = {**meta, "title": heading.group(1)}
            body = body.split("\n", 1)[1].lstrip("\n") if "\n" in body else ""
    if "body" not in columns:
        meta = {**{k: v for k, v in meta.items() if _key(k) not in FIELD_NAMES["body"]}, "body": body}
    return record_to_parsed(meta, FieldMapper(options.field_map), options, origin)
