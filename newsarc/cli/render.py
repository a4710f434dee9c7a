"""What the commands print: rich renderables on a terminal, plain text when piped, stable records for scripts.

rich is imported only when output goes to a terminal (or --color always), so piped and scripted use stays
fast.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from typing import IO, TYPE_CHECKING, Any

from newsarc.records import (  # noqa: F401 - SEARCH_FIELDS, LIST_FIELDS, entry_record: re-exported for the commands
    LIST_FIELDS,
    SEARCH_FIELDS,
    article_record,
    entry_record,
    facet_records,
    hit_record,
    search_document,
)
from newsarc.search_request import FACET_LABELS  # the facets' names, as the web page shows them too

if TYPE_CHECKING:
    from newsarc.api import Article, CatalogEntry, SearchHit, SearchResult, Similar, Snippet, Timeline


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

    @property
    def is_terminal(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    @property
    def width(self) -> int | None:
        """Columns to fit: the terminal's (rich reads $COLUMNS too) when styled; piped, $COLUMNS when set, the
        terminal's when the stream is one (--color never), else None: plain output for scripts is not wrapped."""
        if self.styled:
            return int(self.console.width)
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self.is_terminal:
            import shutil

            return shutil.get_terminal_size().columns
        return None


def indent_lines(text: str, width: int | None, indent: int = 4) -> list[str]:
    """text indented, and wrapped to width with every continuation line indented too; no width: one line."""
    pad = " " * indent
    if not width or width <= indent + 10:
        return [pad + text]
    return textwrap.wrap(text, width, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False) or [pad]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 article`, `2 articles`; `many` for nouns that do not just take an s (`copy`, `copies`)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def clip(text: str, width: int) -> str:
    """text cut to width characters, ending in … when it was cut."""
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def wrap_items(label: str, items: list[str], width: int | None, indent: int = 10) -> list[str]:
    """`label item, item, ...` as lines of at most width, broken between items, never inside one (an item
    longer than a line gets a line of its own). No width: one line."""
    head = label.ljust(indent)
    if width is None:
        return [head + ", ".join(items)]
    lines: list[str] = []
    current = head
    for n, item in enumerate(items):
        piece = item + ("," if n < len(items) - 1 else "")
        if len(current) > len(head) and len(current) + 1 + len(piece) > width:
            lines.append(current)
            current = " " * indent
        current += ("" if len(current) == len(head) else " ") + piece
    lines.append(current.rstrip())
    return lines


# -- records for scripts (built in newsarc.records, shared with the web server's /api routes) ------------------
def write_search_records(result: SearchResult, fmt: str, stream: IO[str], *, with_facets: bool = False) -> int:
    """Hits as json/jsonl/csv. With facets, --json prints one object {"total", "hits", "facets"} and --jsonl
    the hits then one last line {"facets": ...}; without, --json stays a plain array of hits."""
    from newsarc.cli.output import write_document, write_records

    records = (hit_record(h) for h in result.hits)
    if not with_facets:
        return write_records(records, fmt, stream, SEARCH_FIELDS)
    if fmt == "json":
        document = search_document(result)
        write_document(document, stream)
        return len(document["hits"])
    facets = facet_records(result)
    count = write_records(records, "jsonl", stream, SEARCH_FIELDS)
    stream.write(json.dumps({"facets": facets, "total": result.total}, ensure_ascii=False) + "\n")
    return count


def explain_lines(result: SearchResult) -> list[str]:
    """What --explain prints: the parsed query and each alias or variant expansion."""
    lines = [f"query: {result.parsed_query}"]
    for word, kind, terms in result.expansions:
        if kind == "place":  # one line a place: "Tripoli -> gazetteer place: Tripoli (city, LY) = ..."
            lines += [f"  {word} -> gazetteer place: {place}" for place in terms]
            continue
        if kind == "place only":
            lines.append(f"  {word} -> a function word of its language: searched as the place only "
                         "(--exact searches the word)")
            continue
        label = {"alias": "alias group", "contraction": "one-word and two-word forms",
                 "symbol": "read as one word"}.get(
            kind, "variants in this archive")
        lines.append(f"  {word} -> {label}: {', '.join(terms)}")
    if not result.expansions:
        lines.append("  (no alias or variant expansion)")
    return lines


# -- search ------------------------------------------------------------------------------------------------
def print_search(result: SearchResult, out: Output, *, page: int, limit: int) -> None:
    first = (page - 1) * limit + 1
    show_matched = bool(result.expansions)
    if not out.styled:
        for hit in result.hits:
            copies = f"  (+{plural(hit.copies, 'copy', 'copies')})" if hit.copies else ""
            out.line(f"{hit.id}  {hit.date or 'undated':10}  {hit.source or '-'}  {hit.title}{copies}")
            lines = [f"tags: {', '.join(hit.tags)}"] if hit.tags else []
            if show_matched and hit.matched_terms:
                lines.append(f"matched: {', '.join(hit.matched_terms)}")
            lines += [snippet.text.strip() for snippet in _body_snippets(hit)[:2]]
            for text in lines:  # wrapped only on a terminal (--color never): piped, one line each for grep
                for line in indent_lines(text, out.width if out.is_terminal else None):
                    out.line(line)
        out.line(f"-- {first}-{first + len(result.hits) - 1} of {plural(result.total, 'match', 'matches')}")
        if result.facets:
            print_facets(result, out)
        return
    from rich.padding import Padding
    from rich.text import Text

    def indented(text: Text) -> Any:
        """Four spaces in, for every line the terminal wraps it into, not only the first."""
        return Padding(text, (0, 0, 0, 4), expand=False)

    console = out.console
    for number, hit in enumerate(result.hits, start=first):
        head = Text()
        head.append(f"{number:>2}. ", style="dim")
        head.append(hit.id, style="bold cyan")
        head.append(f"  {hit.date or 'undated'}", style="green")
        head.append(f"  {hit.source}" if hit.source else "", style="magenta")
        if hit.copies:
            head.append(f"  +{plural(hit.copies, 'copy', 'copies')}", style="dim")
        console.print(head)
        title = next((s for s in hit.snippets if s.field == "title"), None)
        console.print(indented(snippet_text(title, base="bold") if title else Text(hit.title, style="bold")))
        if hit.tags:
            console.print(indented(Text("tags: " + ", ".join(hit.tags), style="yellow")))
        if show_matched and hit.matched_terms:
            console.print(indented(Text("matched: " + ", ".join(hit.matched_terms), style="cyan")))
        for snippet in _body_snippets(hit)[:2]:
            console.print(indented(snippet_text(snippet)))
        console.print()
    console.print(Text(f"{first}-{first + len(result.hits) - 1} of {plural(result.total, 'match', 'matches')}",
                       style="dim"))
    if result.facets:
        print_facets(result, out)


def _body_snippets(hit: SearchHit) -> list[Snippet]:
    return [s for s in hit.snippets if s.field != "title"]




def print_facets(result: SearchResult, out: Output) -> None:
    """Facet counts: one line per facet when piped, a table of columns on a terminal. A place is shown once, by
    its spellings in the archive (the label api.search gives it), not by its gazetteer id."""
    facets = {name: [(result.facet_labels.get(name, {}).get(value, value), count) for value, count in pairs]
              for name, pairs in result.facets.items()}
    if not out.styled:
        for name, pairs in facets.items():
            if pairs:
                out.line(f"{FACET_LABELS.get(name, name)}: " + ", ".join(f"{v} ({c})" for v, c in pairs))
        return
    from rich.markup import escape
    from rich.table import Table

    shown = [(name, pairs) for name, pairs in facets.items() if pairs]
    if not shown:
        return
    table = Table(box=None, pad_edge=False, show_edge=False, title="facets", title_justify="left")
    for name, _ in shown:
        table.add_column(FACET_LABELS.get(name, name), overflow="fold")
    rows = max(len(pairs) for _, pairs in shown)
    for i in range(rows):
        table.add_row(*(f"{escape(pairs[i][0])} [dim]{pairs[i][1]}[/]" if i < len(pairs) else ""
                        for _, pairs in shown))
    out.console.print(table)


def snippet_text(snippet: Snippet, base: str = "") -> Any:
    from rich.text import Text

    text = Text(snippet.text.strip() and snippet.text, style=base)
    for start, end in snippet.highlights:
        text.stylize("bold black on yellow", start, end)
    return text


# -- one article -------------------------------------------------------------------------------------------
def article_as(article: Article, fmt: str) -> str:
    """An article as yaml, json, text or markdown, for scripts (no colour, nothing cut)."""
    if fmt == "yaml":
        from newsarc.records import article_yaml

        return article_yaml(article)
    if fmt == "json":
        return json.dumps(article_record(article), ensure_ascii=False, indent=2) + "\n"
    meta = _meta_lines(article)
    if fmt == "markdown":
        import io

        from newsarc.exchange.export import write_export

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
    pairs += [(str(k), _plain(v)) for k, v in article.extra.items()]
    return [(k, v) for k, v in pairs if v]


def _plain(value: object) -> str:
    """An extra field as a reader wants it: text as it is, a list of words joined, only a structure as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def print_article(article: Article, out: Output, width: int = 88) -> None:
    """Title, metadata and the body in paragraphs, at most `width` columns, or the terminal's ($COLUMNS when
    piped) if narrower."""
    if not out.styled:
        width = min(width, out.width or width)
        out.line(article.title)
        out.line("=" * min(len(article.title), width))
        meta = _meta_lines(article)
        column = max([10, *(len(key) + 2 for key, _ in meta)])  # `version_of:` and the like stay aligned
        for key, value in meta:
            out.line(f"{key + ':':{column}}{value}")
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
        table.add_row(e.id, e.date[:10] if e.date else "undated", e.source, e.title, _first_tags(e.tags, 4))
    out.console.print(table)


def _first_tags(tags: list[str], most: int) -> str:
    """Up to `most` tags; an ellipsis says there are more."""
    return ", ".join(tags[:most]) + (", …" if len(tags) > most else "")


def print_stats(stats: dict[str, Any], out: Output) -> None:
    """The counts; the source and tag lists wrap at the terminal's width between items, never inside one."""
    width = out.width
    lines = [
        f"articles: {stats['articles']}" + (f" ({stats['undated']} undated)" if stats["undated"] else ""),
        f"dates:    {stats['first_date'] or '-'} to {stats['last_date'] or '-'}",
        *wrap_items("sources:", [f"{s['source']} ({s['count']})" for s in stats["sources"]] or ["-"], width),
        *wrap_items("tags:", [f"{t['tag']} ({t['count']})" for t in stats["tags"]] or ["-"], width),
    ]
    for text in lines:
        out.line(text)


# -- similar -----------------------------------------------------------------------------------------------
LAYOUT_WIDTH = 80  # the columns a human layout fits when neither the terminal nor $COLUMNS says


def print_similar(like: Similar, out: Output) -> None:
    """The article, its key terms, and each similar article on a line (title clipped) with the terms they share,
    all within the terminal's width ($COLUMNS, else 80 columns)."""
    width = out.width or LAYOUT_WIDTH
    out.line(clip(f"like {like.id}  {like.title}", width))
    for line in wrap_items("key terms:", list(like.key_terms), width, indent=11):
        out.line(line)
    for hit, shared in like.hits:
        out.line(clip(f"{hit.id}  {hit.date or 'undated':10}  {hit.score:7.2f}  {hit.title}", width))
        for line in wrap_items("    shared:", list(shared), width, indent=12):
            out.line(line)


# -- timeline ----------------------------------------------------------------------------------------------
def print_timeline(t: Timeline, out: Output, width: int = 50) -> None:
    """A bar per period (rich on a terminal, # when piped), the busiest marked, then their top stories; every
    line within the terminal's width ($COLUMNS, else 80 columns)."""
    peak_rank = {p.period: i for i, p in enumerate(t.peaks, start=1)}
    most = max((count for _, count in t.series), default=0) or 1
    label_width = max((len(label) for label, _ in t.series), default=4)
    columns = out.width or LAYOUT_WIDTH
    # label, bar, " 1234", "  <- peak 10": the bar gives way when the screen is narrow
    width = max(1, min(width, columns - label_width - 1 - len(f" {most}") - (12 if peak_rank else 0)))
    if out.styled:
        from rich.text import Text

        console = out.console
        console.print(Text(f"{t.query!r}: {_count_articles(t.total)} by {t.by}", style="bold"))
        for label, count in t.series:
            bar = "█" * max(round(count / most * width), 1 if count else 0)
            line = Text(f"{label:>{label_width}} ", style="green")
            line.append(bar, style="bold yellow" if label in peak_rank else "cyan")
            line.append(f" {count}" if count else "", style="dim" if label not in peak_rank else "bold")
            if label in peak_rank:
                line.append(f"  <- peak {peak_rank[label]}", style="bold magenta")
            console.print(line)
    else:
        out.line(f"{t.query!r}: {_count_articles(t.total)} by {t.by}")
        for label, count in t.series:
            bar = "#" * max(round(count / most * width), 1 if count else 0)
            mark = f"  <- peak {peak_rank[label]}" if label in peak_rank else ""
            out.line(f"{label:>{label_width}} {bar}{' ' + str(count) if count else ''}{mark}")
    if t.undated:
        out.line(f"(+{t.undated} undated {'article' if t.undated == 1 else 'articles'}, not charted)")
    for i, peak in enumerate(t.peaks, start=1):
        out.line(f"peak {i}: {peak.period} ({_count_articles(peak.count)})")
        for hit in peak.stories:
            out.line(clip(f"    {hit.id}  {hit.date or 'undated':10}  {hit.title}", columns))


def _count_articles(count: int) -> str:
    return f"{count} article{'s' * (count != 1)}"
