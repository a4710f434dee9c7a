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
    """Write records as json (one array), jsonl (one a line) or csv (newsarc.records.record_text, which the web
    server's downloads use too). Returns how many records were written."""
    from newsarc.records import record_text

    count = 0

    def counted() -> Iterable[Any]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    for piece in record_text(counted(), fmt, fields, rows):
        stream.write(piece)
    return count


def write_document(document: Any, stream: IO[str]) -> None:
    """--json for a command whose answer is one object (stats, a timeline's series with its query)."""
    stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
