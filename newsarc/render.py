"""What the commands print: rich renderables on a terminal, plain text when piped, stable records for scripts.

rich is imported only when output goes to a terminal (or --color always), so piped and scripted use stays
fast.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import asdict
from typing import IO, Any

from newsarc.article import Article
from newsarc.backend import SearchHit, SearchResult, Snippet
from newsarc.catalog import CatalogEntry


class Output:
    """Where results go and whether they are styled."""

    def __init__(self, stream: IO[str] | None = None, color: str = "auto"):
        self.stream = stream or sys.stdout
        if color == "always":
            self.styled = True
        elif color == "never" or os.environ.get("NO_COLOR"):
            self.styled = False
        else:
            self.styled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._console: Any = None

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, force_terminal=self.styled, highlight=False,
                                    soft_wrap=False)
        return self._console

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")


# -- records for scripts -----------------------------------------------------------------------------------
SEARCH_FIELDS = ("id", "score", "date", "source", "title", "tags", "url", "authors", "location", "language",
                 "path", "matched_terms", "snippets")
LIST_FIELDS = ("id", "date", "source", "title", "tags", "url", "added", "path")


def hit_record(hit: SearchHit) -> dict[str, Any]:
    record = {name: getattr(hit, name) for name in SEARCH_FIELDS if name != "snippets"}
    record["snippets"] = [
        {"field": s.field, "text": s.text, "highlights": [list(h) for h in s.highlights]} for s in hit.snippets
    ]
    return record


def entry_record(entry: CatalogEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in LIST_FIELDS}


def write_records(records: Iterable[dict[str, Any]], fmt: str, stream: IO[str], fields: tuple[str, ...]) -> int:
    """Print records as json (an array, [] when empty), jsonl or csv; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(fields)
        for record in records:
            writer.writerow([_csv_cell(record.get(name)) for name in fields])
            count += 1
        return count
    if fmt == "json":
        stream.write("[")
        for record in records:
            stream.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
            count += 1
        stream.write("\n]\n" if count else "]\n")
        return count
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return " ... ".join(str(item.get("text", "")) for item in value)
        return "; ".join(str(item) for item in value)
    return str(value)


# -- search ------------------------------------------------------------------------------------------------
def print_search(result: SearchResult, out: Output, *, page: int, limit: int) -> None:
    first = (page - 1) * limit + 1
    if not out.styled:
        for hit in result.hits:
            out.line(f"{hit.id}  {hit.date or 'undated':10}  {hit.source or '-'}  {hit.title}")
            if hit.tags:
                out.line(f"    tags: {', '.join(hit.tags)}")
            for snippet in hit.snippets[:2]:
                out.line("    " + snippet.text.strip())
        out.line(f"-- {first}-{first + len(result.hits) - 1} of {result.total} matches")
        return
    from rich.text import Text

    console = out.console
    for number, hit in enumerate(result.hits, start=first):
        head = Text()
        head.append(f"{number:>2}. ", style="dim")
        head.append(hit.id, style="bold cyan")
        head.append(f"  {hit.date or 'undated'}", style="green")
        head.append(f"  {hit.source}" if hit.source else "", style="magenta")
        console.print(head)
        console.print(Text("    ") + Text(hit.title, style="bold"))
        if hit.tags:
            console.print(Text("    tags: " + ", ".join(hit.tags), style="yellow"))
        for snippet in hit.snippets[:2]:
            console.print(Text("    ") + snippet_text(snippet))
        console.print()
    console.print(Text(f"{first}-{first + len(result.hits) - 1} of {result.total} matches", style="dim"))


def snippet_text(snippet: Snippet) -> Any:
    from rich.text import Text

    text = Text(snippet.text.strip() and snippet.text)
    for start, end in snippet.highlights:
        text.stylize("bold black on yellow", start, end)
    return text


# -- one article -------------------------------------------------------------------------------------------
def article_as(article: Article, fmt: str) -> str:
    """An article as yaml, json, text or markdown, for scripts (no colour, nothing cut)."""
    if fmt == "yaml":
        from newsarc.yamlio import dump_article

        return dump_article(article.to_dict())
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2) + "\n"
    meta = _meta_lines(article)
    if fmt == "markdown":
        import io

        from newsarc.export import write_export

        buffer = io.StringIO()
        write_export([article.to_dict()], "markdown", buffer)
        return buffer.getvalue()
    return article.title + "\n" + "\n".join(f"{k}: {v}" for k, v in meta) + "\n\n" + article.body.rstrip() + "\n"


def _meta_lines(article: Article) -> list[tuple[str, str]]:
    pairs = [
        ("id", article.id), ("date", article.date or ""), ("source", article.source), ("url", article.url),
        ("authors", ", ".join(article.authors)), ("tags", ", ".join(article.tags)),
        ("location", article.location), ("language", article.language), ("added", article.added),
    ]
    pairs += [(str(k), json.dumps(v, ensure_ascii=False, default=str)) for k, v in article.extra.items()]
    return [(k, v) for k, v in pairs if v]


def print_article(article: Article, out: Output, width: int = 88) -> None:
    if not out.styled:
        out.line(article.title)
        out.line("=" * min(len(article.title), width))
        for key, value in _meta_lines(article):
            out.line(f"{key + ':':10}{value}")
        out.line()
        for paragraph in article.body.split("\n\n"):
            out.line(textwrap.fill(" ".join(paragraph.split()), width=width))
            out.line()
        return
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = out.console
    console.print(Text(article.title, style="bold"))
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    for key, value in _meta_lines(article):
        table.add_row(key, value)
    console.print(table)
    console.print()
    for paragraph in article.body.split("\n\n"):
        console.print(Padding(Text(" ".join(paragraph.split())), (0, 0, 1, 0)), width=min(console.width, width))


# -- listings ----------------------------------------------------------------------------------------------
def print_entries(entries: list[CatalogEntry], out: Output) -> None:
    if not out.styled:
        for e in entries:
            out.line(f"{e.id}  {e.date[:10] if e.date else 'undated':10}  {e.source or '-'}  {e.title}")
        return
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, box=None)
    for name, style in (("id", "cyan"), ("date", "green"), ("source", "magenta"), ("title", "bold"),
                        ("tags", "yellow")):
        table.add_column(name, style=style, overflow="fold" if name == "title" else "ellipsis")
    for e in entries:
        table.add_row(e.id, e.date[:10] if e.date else "undated", e.source, e.title, ", ".join(e.tags[:4]))
    out.console.print(table)


def print_stats(stats: dict[str, Any], out: Output) -> None:
    lines = [
        f"articles: {stats['articles']}" + (f" ({stats['undated']} undated)" if stats["undated"] else ""),
        f"dates:    {stats['first_date'] or '-'} to {stats['last_date'] or '-'}",
        "sources:  " + (", ".join(f"{s['source']} ({s['count']})" for s in stats["sources"]) or "-"),
        "tags:     " + (", ".join(f"{t['tag']} ({t['count']})" for t in stats["tags"]) or "-"),
    ]
    for text in lines:
        out.line(text)


def dataclass_json(value: Any) -> str:
    return json.dumps(asdict(value), ensure_ascii=False)
