"""Read articles back from jsonl, json, yaml, csv or es-bulk files (as `newsarc.exchange.export` writes them) as
plain dicts.

jsonl, yaml and csv are read record by record; json is loaded whole. YAML is loaded with the safe loader
only: tags beyond the plain YAML types are refused, and so are anchors/aliases -- article data never needs
them, and refusing them outright stops "billion laughs" documents before anything is expanded.
A record that cannot be used (a line that is not JSON, a row with too few cells, a YAML document that is not
a mapping) does not end the reading: read_records yields it as a BadRecord, naming where it is and why, and
reads on, so that `newsarc import` counts it as a failure and imports the rest, as `add` does with a bad file.
Only a file that cannot be read on from there (not UTF-8, a JSON document that does not parse) fails whole.
read_import, for callers that want every record or none, raises BadInputError at the first bad record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from newsarc.errors import BadInputError, UsageError
from newsarc.exchange.es_names import FIELD as NAMES_FIELD
from newsarc.exchange.es_names import is_document_names
from newsarc.exchange.formats import IMPORT_FORMATS

_BULK_ACTIONS = ("index", "create", "delete", "update")  # an Elasticsearch/OpenSearch _bulk body's action names
_DOCUMENT_ACTIONS = ("index", "create")  # those followed by a whole document
_ALIASES = {"ndjson": "jsonl", "yml": "yaml"}
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".yaml": "yaml", ".yml": "yaml",
               ".csv": "csv"}
_ALLOWED_YAML_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "null", "bool", "int", "float", "str", "seq", "map", "timestamp", "merge"))
_CSV_FIELD_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class BadRecord:
    """A record the reader could not use; reading went on after it. `where` is its place in the file (line 3,
    record 2 (line 5), document 4 (line 9)), `reason` why it failed and what to do."""

    where: str
    reason: str

    def error(self, path: Path) -> BadInputError:
        return BadInputError(f"{path}: {self.where}: {self.reason}")


Record = dict[str, Any] | BadRecord


def read_records(path: Path, fmt: str | None = None) -> Iterator[tuple[str, Record]]:
    """(where, record) for every record in `path`: an article dict, or a BadRecord for one that could not be
    used. `fmt` is detected from the extension or content when None. A file that cannot be read at all, or
    not read on, raises BadInputError."""
    path = Path(path)
    if fmt is not None:
        fmt = _ALIASES.get(fmt, fmt)
        if fmt not in IMPORT_FORMATS:
            raise UsageError(f"unknown import format {fmt!r}; choose one of: {', '.join(IMPORT_FORMATS)}")
    readers = {"jsonl": _read_jsonl, "json": _read_json, "yaml": _read_yaml, "csv": _read_csv,
               "es-bulk": _read_es_bulk}
    try:
        if fmt is None:
            fmt = detect_format(path)
        yield from readers[fmt](path)
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 "
                            "and import it again") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read the file ({exc.strerror or exc}); check the path") from None


def read_import(path: Path, fmt: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield the articles in `path` as dicts; the first record that cannot be used raises BadInputError."""
    for _, record in read_records(path, fmt):
        if isinstance(record, BadRecord):
            raise record.error(Path(path))
        yield record


def _open(path: Path) -> TextIO:
    # utf-8-sig: a byte-order mark (as spreadsheets write) is not part of the data.
    return open(path, encoding="utf-8-sig", newline="")


def detect_format(path: Path) -> str:
    """The format by extension, else by the first non-space character (and line) of the file; a JSON Lines
    file whose first line is a _bulk action is es-bulk, whatever its name."""
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt not in (None, "jsonl", "json"):
        return fmt
    with _open(path) as handle:
        for line in handle:
            text = line.strip()
            if not text:
                continue
            if path.suffix.lower() in (".md", ".markdown") or _is_markdown_export(text, handle):
                raise BadInputError(f"{path}: a Markdown export, which is for reading and cannot be imported; "
                                    "export the archive with --format jsonl (or json, csv, yaml, es-bulk) and "
                                    "import that file")
            if _bulk_action(text) is not None:
                return "es-bulk"
            if fmt:
                return fmt
            if text.startswith("["):
                return "json"
            if text.startswith("{"):
                # One complete object on the first line is JSON Lines; an object spread over lines is JSON.
                try:
                    json.loads(text)
                except ValueError:
                    return "json"
                return "jsonl"
            if text.split(",")[:2] == ["id", "title"]:
                return "csv"
            return "yaml"
    return "jsonl"  # an empty file: any reader yields nothing


def _is_markdown_export(first_line: str, rest: TextIO) -> bool:
    """The first line of `newsarc export --format markdown` is `## Title`, and its field list ends with
    `- **ID:** ...` a few lines on (a YAML file opening with a `##` comment has no such list)."""
    if not first_line.startswith("## "):
        return False
    return any(line.startswith("- **ID:** ") for _, line in zip(range(12), rest, strict=False))


def _as_mapping(value: Any) -> dict[str, Any] | str:
    """The record as an article mapping, or why it is not one."""
    if not isinstance(value, dict):
        kind = {list: "a list", str: "text", type(None): "null"}.get(type(value), type(value).__name__)
        return f"expected a mapping of article fields, got {kind}; each record must be one article"
    return value


def _record(value: Any, where: str) -> tuple[str, Record]:
    checked = _as_mapping(value)
    return where, (BadRecord(where, checked) if isinstance(checked, str) else checked)


# --- JSON -----------------------------------------------------------------------------------------------


def _record_line(line: str, number: int, rule: str) -> tuple[str, Record]:
    """One article record from one line of JSON Lines; a line that is not a JSON object is refused with `rule`."""
    where = f"line {number}"
    try:
        value = json.loads(line)
    except ValueError as exc:
        message = getattr(exc, "msg", str(exc))
        return where, BadRecord(where, f"not valid JSON ({message}); {rule}")
    return _record(value, where)


def _read_jsonl(path: Path) -> Iterator[tuple[str, Record]]:
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            yield _record_line(line, number, "each line must hold one JSON object")


def _bulk_action(line: str) -> tuple[str, dict[str, Any]] | None:
    """(name, metadata) of a _bulk action line such as {"index": {"_index": ..., "_id": ...}}, else None."""
    if not line.startswith("{") or not any(f'"{name}"' in line[:16] for name in _BULK_ACTIONS):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if isinstance(value, dict) and len(value) == 1:
        (name, action), = value.items()
        if name in _BULK_ACTIONS and isinstance(action, dict) and ("_index" in action or "_id" in action):
            return name, action
    return None


def _read_es_bulk(path: Path) -> Iterator[tuple[str, Record]]:
    """An es-bulk export: an `index` (or `create`) action line, then the document; the action's _id is the id
    of a document that lacks one. A line where an action belongs that is not one is a bad record, and the next
    line is read as an action again."""
    pending: dict[str, Any] | None = None
    pending_line = 0
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if pending is None:
                action = _bulk_action(line.strip())
                if action is None or action[0] not in _DOCUMENT_ACTIONS:
                    what = f"a {action[0]!r} action" if action else "not an action line"
                    where = f"line {number}"
                    yield where, BadRecord(where, f"{what}; an es-bulk import takes index or create actions, each "
                                                  'followed by its article, as {"index": {"_id": "..."}}')
                    continue
                pending, pending_line = action[1], number
                continue
            where, record = _record_line(line, number, "a _bulk document follows each action line")
            if isinstance(record, dict) and is_document_names(record.get(NAMES_FIELD)):
                record = {key: value for key, value in record.items() if key != NAMES_FIELD}  # derived, not kept
            if isinstance(record, dict) and not record.get("id") and pending.get("_id"):
                record = {"id": str(pending["_id"]), **record}
            pending = None
            yield where, record
    if pending is not None:  # the records before it are good: this one is a failure like any other
        where = f"line {pending_line}"
        yield where, BadRecord(where, "the last action line has no document after it; the file was cut short")


def _read_json(path: Path) -> Iterator[tuple[str, Record]]:
    with _open(path) as handle:
        text = handle.read()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            # Several objects one after another: JSON Lines under a .json name.
            yield from _read_jsonl(path)
            return
        raise BadInputError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg}); "
                            "fix the file or export it again") from None
    if isinstance(value, list):
        for number, item in enumerate(value, start=1):
            yield _record(item, f"record {number}")
    else:
        yield _record(value, "the top-level value")


# --- YAML -----------------------------------------------------------------------------------------------


def _check_yaml_node(root: Any, number: int) -> BadRecord | None:
    """Refuse aliases and non-standard tags before constructing anything.

    An alias makes the composed graph share a node, so a node seen twice means an alias (or a cycle). The
    walk is iterative and visits each node once, so even a hostile document is checked in linear time.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            return BadRecord(f"document {number} (anchor at line {line})", "uses YAML anchors/aliases (& and *), "
                             "which newsarc does not accept; write each value out in full")
        seen.add(id(node))
        if node.tag not in _ALLOWED_YAML_TAGS:
            return BadRecord(f"document {number} line {line}", f"the YAML tag {node.tag!r} is not accepted; "
                             "remove the tag or quote the value")
        if isinstance(node.value, list):
            for item in node.value:
                if isinstance(item, tuple):
                    stack.extend(item)
                else:
                    stack.append(item)
    return None


def _yaml_documents(path: Path) -> Iterator[tuple[int, str]]:
    """(first line, text) of each document of a YAML stream, split at the `---` lines that start documents
    (at the start of a line they can mean nothing else), so that a document that does not parse is one bad
    record and the next is read. The file is read a document at a time."""
    with _open(path) as handle:
        lines: list[str] = []
        start = 1
        for number, line in enumerate(handle, start=1):
            if line.startswith("---") and line[3:4] in ("", " ", "\t", "\n", "\r") and any(
                    text.strip() and not text.lstrip().startswith("#") for text in lines):
                yield start, "".join(lines)
                lines, start = [], number
            lines.append(line)
        if lines:
            yield start, "".join(lines)


def _read_yaml(path: Path) -> Iterator[tuple[str, Record]]:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    number = 0
    for first_line, text in _yaml_documents(path):
        loader = base(text)
        try:
            while loader.check_node():
                number += 1
                node = loader.get_node()
                if node is None:
                    continue
                where = f"document {number} (line {first_line + node.start_mark.line})"
                refused = _check_yaml_node(node, number)
                if refused is not None:
                    yield where, refused
                    continue
                data = loader.construct_document(node)
                if data is None:
                    continue  # an empty document, e.g. after a trailing '---'
                if isinstance(data, list):  # a single document holding a list of articles
                    for index, item in enumerate(data, start=1):
                        yield _record(item, f"{where}, item {index}")
                else:
                    yield _record(data, where)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {first_line + mark.line}" if mark is not None else f"document {number or 1}"
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            yield where, BadRecord(where, f"not valid YAML ({problem}); fix the file or export it again")
        finally:
            loader.dispose()


# --- CSV ------------------------------------------------------------------------------------------------


def _read_csv(path: Path) -> Iterator[tuple[str, Record]]:
    import csv

    from newsarc.article import FIELD_ORDER
    from newsarc.exchange.export import CSV_COLUMNS, CSV_LIST_COLUMNS, decode_list, restore_cell

    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)  # article bodies can exceed the 128 KiB default
    with _open(path) as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise BadInputError(f"{path}: line {reader.line_num}: not valid CSV ({exc}); fix the file or "
                                "export it again") from None
        if header is None:
            return
        if "title" not in header or len(set(header)) != len(header):
            raise BadInputError(f"{path}: line 1: the first row must be the header "
                                f"{','.join(CSV_COLUMNS)}; export the file again or fix its header")
        unknown = [name for name in header if name not in CSV_COLUMNS]
        number = 0
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader, None)
            except csv.Error as exc:
                number += 1
                where = f"record {number} (line {start})"
                start = reader.line_num + 1
                yield where, BadRecord(where, f"not valid CSV ({exc}); fix the row or export the file again")
                continue
            if row is None:
                return
            number += 1
            where = f"record {number} (line {start})"
            start = reader.line_num + 1
            if not row:
                continue
            if len(row) != len(header):
                yield where, BadRecord(where, f"has {len(row)} cells but the header has {len(header)}; fix the "
                                              "row or export the file again")
                continue
            cells = {name: restore_cell(cell) for name, cell in zip(header, row, strict=True)}
            try:
                yield where, _csv_article(cells, unknown, where, FIELD_ORDER, CSV_LIST_COLUMNS, decode_list)
            except BadInputError as exc:
                yield where, BadRecord(where, str(exc).removeprefix(f"{where}: "))


def _csv_article(cells: dict[str, str], unknown: list[str], where: str, field_order: tuple[str, ...],
                 list_columns: tuple[str, ...], decode_list: Any) -> dict[str, Any]:
    """Rebuild the article dict in `Article.to_dict()` order from one row's (un-neutralised) cells."""
    article: dict[str, Any] = {}
    for name in field_order:
        cell = cells.get(name, "")
        if name in list_columns:
            try:
                article[name] = decode_list(cell)
            except ValueError:
                raise BadInputError(f"{where}: column {name!r} starts with '[' but is not a JSON list; "
                                    "write the items separated by '; '") from None
        else:
            article[name] = cell or None
    extra_cell = cells.get("extra", "")
    if extra_cell:
        try:
            extra = json.loads(extra_cell)
        except ValueError:
            extra = None
        if not isinstance(extra, dict):
            raise BadInputError(f"{where}: column 'extra' must hold a JSON object of extra fields; fix the "
                                "cell or leave it empty")
        clash = [key for key in extra if key in article or key == "body"]
        if clash:
            raise BadInputError(f"{where}: column 'extra' holds {clash[0]!r}, which has its own column; "
                                "move it out of 'extra'")
        article.update(extra)
    for name in unknown:  # columns a person added by hand become extra text fields
        if cells[name] and name not in article:
            article[name] = cells[name]
    article["body"] = cells.get("body", "")
    return article


def count_records(path: Path, fmt: str | None = None) -> int:
    """About how many articles an import file holds, cheaply (for a progress bar): lines of JSON Lines (an
    es-bulk file's action lines left out) and CSV rows; 0 when that cannot be told without parsing it all."""
    import csv

    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        fmt = _ALIASES.get(fmt, fmt) if fmt else detect_format(path)
        if fmt in ("jsonl", "es-bulk"):
            count = actions = 0
            with open(path, "rb") as handle:
                for line in handle:
                    if line.strip():
                        count += 1
                        actions += line.lstrip().startswith((b'{"index"', b'{"create"'))
            return count - actions
        if fmt == "csv":
            with _open(path) as handle:
                return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    except (OSError, UnicodeDecodeError, csv.Error, UsageError):
        return 0
    return 0
