"""Query words on the command line may start with a dash: `newsarc search Blair -election`.

A leading `-` leaves a word out of a search (newsarc.index.query_syntax), but click takes every word starting
with `-` for an option: `-election` failed as "no such option -e", and `-house` even printed the help (-h).
A command built with QueryCommand reads such a word as part of its QUERY unless it is one of the command's own
options (`-n 5`, `-n5`, `--limit`, `-h`) or the value of one.
"""

from __future__ import annotations

import click

_HIDDEN = "\ue000"  # marks a dash word while click parses; a private-use character no one types


class QueryCommand(click.Command):
    """A click command with a `query` argument whose words may start with `-` (see the module docstring)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: set[str] = set()
        flags: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = [*param.opts, *param.secondary_opts]
                (flags if param.is_flag or param.count else takes_value).update(names)
        marked: list[str] = []
        expects_value = False
        for at, arg in enumerate(args):
            if arg == "--":
                marked += args[at:]
                break
            if expects_value:
                marked.append(arg)
                expects_value = False
                continue
            if _is_query_word(arg, takes_value, flags):
                marked.append(_HIDDEN + arg)
                continue
            expects_value = arg in takes_value
            marked.append(arg)
        rest = super().parse_args(ctx, marked)
        if ctx.params.get("query"):
            ctx.params["query"] = tuple(word.removeprefix(_HIDDEN) for word in ctx.params["query"])
        return rest


def _is_query_word(arg: str, takes_value: set[str], flags: set[str]) -> bool:
    """`-election` is a query word; `--limit`, `--limit=5`, `-n`, `-n5` and `-h` are options."""
    if not arg.startswith("-") or arg.startswith("--") or len(arg) < 2:
        return False
    if arg in takes_value or arg in flags:
        return False
    return not (arg[:2] in takes_value and arg[2:].isdigit())

