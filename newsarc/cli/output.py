"""The one writer for every listing command's machine output, and the options that choose it.

`--json` is one JSON document (an array, `[]` when empty), `--jsonl` one JSON value a line, `--csv` a header row
then one row per record in the dialect `newsarc export --format csv` writes (RFC 4180: comma, double quotes,
CRLF line ends), with every cell a spreadsheet would run as a formula (= + - @ TAB CR at the start) neutralised
by export's own `neutralise_cell`. Giving two of the flags is a usage error, never a silent pick.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import IO, Any

import click

FORMATS = ("json", "jsonl", "csv")
FORMAT_HELP = {
    "json": "Print one JSON document for scripts.",
    "jsonl": "Print JSON Lines for scripts: one record a line.",
    "csv": "Print CSV for spreadsheets: a header row, then one row per record (formula cells neutralised).",
}
_CHOSEN = "newsarc.output"


def output_options(*formats: str, texts: dict[str, str] | None = None) -> Callable[[Callable[..., Any]], Any]:
    """Add --json/--jsonl/--csv (or the subset named) to a command; it receives the choice as `machine`
    (None for the human layout). Two of them together are refused as a usage error."""
    chosen_formats = formats or FORMATS
    texts = {**FORMAT_HELP, **(texts or {})}

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if not value:
            return
        fmt = str(param.name)
        chosen = ctx.meta.setdefault(_CHOSEN, {}).setdefault(ctx.command_path, [])
        if chosen and chosen[0] != fmt:
            raise click.UsageError(f"--{chosen[0]} and --{fmt} are two output formats; give one", ctx=ctx)
        chosen.append(fmt)

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            chosen = ctx.meta.get(_CHOSEN, {}).get(ctx.command_path) or [None]
            return func(*args, machine=chosen[0], **kwargs)

        for fmt in reversed(chosen_formats):
            command = click.option(f"--{fmt}", fmt, is_flag=True, expose_value=False, callback=remember,
                                   help=texts[fmt])(command)
        return command

    return decorate


def refuse_with(machine: str | None, **flags: bool) -> None:
    """A usage error when a machine format is asked for together with a flag that prints something else."""
    given = [name for name, on in flags.items() if on]
    if machine and given:
        raise click.UsageError(f"--{machine} and --{given[0].replace('_', '-')} ask for two different outputs; "
                               "give one")


def write_records(records: Iterable[Any], fmt: str, stream: IO[str], fields: tuple[str, ...],
                  rows: Callable[[Any], Iterable[dict[str, Any]]] | None = None) -> int:
    """Write records as json (one array), jsonl (one a line) or csv (header `fields`, then the row(s) of each
    record: `rows(record)` when given, else the record itself). Returns how many records were written."""
    count = 0
    if fmt == "csv":
        writer = csv_writer(stream)
        writer.writerow(fields)
        for record in records:
            for row in rows(record) if rows else (record,):
                writer.writerow([csv_cell(row.get(name)) for name in fields])
            count += 1
        return count
    if fmt == "json":
        stream.write("[")
        for record in records:
            stream.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
            count += 1
        stream.write("\n]\n" if count else "]\n")
        return count
    if fmt != "jsonl":
        raise ValueError(f"unknown output format {fmt!r}")
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_document(document: Any, stream: IO[str]) -> None:
    """--json for a command whose answer is one object (stats, a timeline's series with its query)."""
    stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def csv_writer(stream: IO[str]) -> Any:
    import csv

    return csv.writer(stream, lineterminator="\r\n")


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
