"""`newsarc check [--repair] [--json]`: the thin command over newsarc.check."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from newsarc.cli.output import output_options, write_document
from newsarc.errors import ExitCode

if TYPE_CHECKING:
    from newsarc.cli.app import Env


@click.command()
@click.option("--repair", is_flag=True,
              help="Fix what is safe: update or rebuild the index, move misplaced files to their place, remove "
                   "temporary files of interrupted writes, resolve `added`-only git conflicts, clear a "
                   "duplicate_of/version_of naming a missing article, write an unambiguous date as YYYY-MM-DD. "
                   "Never deletes an article file and never guesses an ambiguous date.")
@output_options("json", texts={"json": "Print one JSON object: counts, the problems left and those repaired."})
@click.pass_obj
def check(env: Env, repair: bool, machine: str | None) -> None:
    """Check every article file and the index against each other; report each problem on one line.

    Each line reads `path: field: problem; what to do`. Checks YAML syntax, required fields, types, dates, that
    each id is valid, names its file and is used once, that each file sits where its date says, that dates are
    written YYYY-MM-DD (03/04/1987 is reported with both readings), that duplicate_of/version_of name an
    article in the archive, leftover temporary files, and that the index holds exactly the articles on disk
    (with a full scan of the files).
    Exit status 0 when nothing is left to fix, 9 while problems remain.

    \b
    Example:
      newsarc check
      newsarc check --repair
    """
    from newsarc.api import Checker

    checker = Checker(env.store())
    problems = checker.run(repair=repair)
    remaining = [p for p in problems if not p.repaired]
    repaired = [p for p in problems if p.repaired]
    if machine:
        write_document({
            "files_checked": checker.files_checked,
            "articles": checker.articles,
            "index_updates": checker.index_changes,
            "problems": [p.to_dict() for p in remaining],
            "repaired": [p.to_dict() for p in repaired],
        }, sys.stdout)
    else:
        for problem in repaired + remaining:
            click.echo(problem.line())
        summary = f"checked {checker.files_checked} article file{'s' * (checker.files_checked != 1)}"
        if not problems:
            summary += ": no problems"
        else:
            summary += f": {len(remaining)} problem{'s' * (len(remaining) != 1)}"
            if repaired:
                summary += f", {len(repaired)} repaired"
            fixable = sum(1 for p in remaining if p.repairable)
            if fixable and not repair:
                summary += f" ({fixable} can be fixed with `newsarc check --repair`)"
        click.echo(summary, err=True)
    if remaining:
        sys.exit(int(ExitCode.PROBLEMS))
