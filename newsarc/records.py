"""The machine records newsarc prints for scripts: one owner, so every face prints the same fields.

`newsarc search --json`, `show --format json`, `list --json` (newsarc.cli.render) and the web server's
`/api/...` routes (newsarc.web) all build their JSON here, so they agree by construction.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.index.backend import SearchHit, SearchResult
    from newsarc.storage.catalog import CatalogEntry

SEARCH_FIELDS = ("id", "score", "date", "source", "title", "tags", "url", "authors", "location", "language",
                 "path", "matched_terms", "snippets")
LIST_FIELDS = ("id", "date", "source", "title", "tags", "url", "added", "path")


# Text fields an article may lack: null in every record, as `export` and `show --format json` write them
# (Article.to_dict), never "" in one face and null in another.
OPTIONAL_TEXT = frozenset({"date", "source", "url", "location", "language"})


def _field(holder: Any, name: str) -> Any:
    value = getattr(holder, name)
    return None if name in OPTIONAL_TEXT and not value else value


def hit_record(hit: SearchHit) -> dict[str, Any]:
    """One search hit: SEARCH_FIELDS, plus duplicate_of and copies only where they apply."""
    record = {name: _field(hit, name) for name in SEARCH_FIELDS if name != "snippets"}
    record["snippets"] = [
        {"field": s.field, "text": s.text, "highlights": [list(h) for h in s.highlights]} for s in hit.snippets
    ]
    if hit.duplicate_of:  # only on near-duplicates, and with --collapse: scripts reading the fields above keep working
        record["duplicate_of"] = hit.duplicate_of
    if hit.copies:
        record["copies"] = hit.copies
    return record


def facet_records(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values with their counts; a value a reader cannot read (a place's gazetteer id) also has its
    label (the place's spellings in the archive)."""
    records: dict[str, list[dict[str, Any]]] = {}
    for name, pairs in result.facets.items():
        labels = result.facet_labels.get(name, {})
        records[name] = [{"value": value, "count": count, **({"label": labels[value]} if value in labels else {})}
                         for value, count in pairs]
    return records


def search_document(result: SearchResult) -> dict[str, Any]:
    """A result with its facets as one object: what `search --json --facets` prints."""
    return {"total": result.total, "hits": [hit_record(h) for h in result.hits], "facets": facet_records(result)}


def entry_record(entry: CatalogEntry) -> dict[str, Any]:
    return {name: _field(entry, name) for name in LIST_FIELDS}


def article_record(article: Article) -> dict[str, Any]:
    """One whole article, every field (empty ones as None/[]), extras before the body: `show --format json`."""
    return article.to_dict()


def article_yaml(article: Article) -> str:
    """`show --format yaml`: every field (empty ones too), by the archive's one writer of article YAML."""
    from newsarc.yamlio import article_yaml as write

    return write(article, every_field=True)


# -- the records as text: JSON (one array), JSONL (one a line), CSV (formula cells neutralised) ----------------------
def record_text(records: Iterable[Any], fmt: str, fields: tuple[str, ...],
                rows: Callable[[Any], Iterable[dict[str, Any]]] | None = None) -> Iterator[str]:
    """The text of records in one of the machine formats, a piece per record, so a face can stream it: json (one
    array), jsonl (one a line) or csv (header `fields`, then the row(s) of each record: `rows(record)` when given,
    else the record itself, every cell that a spreadsheet would run as a formula neutralised). The command line
    writes these pieces to stdout, the web server sends them as a streamed download."""
    if fmt == "csv":
        yield _csv_line(fields)
        for record in records:
            yield "".join(_csv_line([csv_cell(row.get(name)) for name in fields])
                          for row in (rows(record) if rows else (record,)))
        return
    if fmt == "json":
        count = 0
        yield "["
        for record in records:
            yield ("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False)
            count += 1
        yield "\n]\n" if count else "]\n"
        return
    if fmt != "jsonl":
        raise ValueError(f"unknown output format {fmt!r}")
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _csv_line(cells: Iterable[str]) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    """A value as one safe CSV cell: lists joined with "; " (snippets by their text), None empty."""
    from newsarc.exchange.export import neutralise_cell

    if value is None:
        text = ""
    elif isinstance(value, list | tuple):
        if value and isinstance(value[0], dict):
            text = " ... ".join(str(item.get("text", "")) for item in value)
        else:
            text = "; ".join(str(item) for item in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return neutralise_cell(text)
