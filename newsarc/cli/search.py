"""Search commands beyond `search` itself: alias groups, timelines, similar articles, saved searches.

Loaded lazily by newsarc.cli.app (LAZY_COMMANDS), so their imports never slow down other commands.
"""

from __future__ import annotations

import sys

import click

from newsarc.cli.app import Env, checked, date_option
from newsarc.cli.output import output_options, refuse_with, write_document, write_records
from newsarc.cli.query_args import QueryCommand
from newsarc.errors import ExitCode, UsageError
from newsarc.search_request import MAX_PEAKS, PERIODS


# -- alias -------------------------------------------------------------------------------------------------
@click.group()
def alias() -> None:
    """Alias groups: spellings searched together (aliases.yaml in the archive; no reindex needed).

    \b
    Example:
      newsarc alias add "Abu Kamal" al-Bukamal al-Bokamal "Albu Kamal"
      newsarc alias suggest
    """


@alias.command(name="add")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def alias_add(env: Env, names: tuple[str, ...]) -> None:
    """Make NAMES one group (merging any group that already holds one of them).

    \b
    Example:
      newsarc alias add Erbil Irbil Arbil Hawler
    """
    from newsarc import api

    click.echo("alias group: " + ", ".join(api.add_alias_group(env.store(), names)))


@alias.command(name="split")
@click.argument("name")
@click.argument("others", nargs=-1, required=True)
@click.pass_obj
def alias_split(env: Env, name: str, others: tuple[str, ...]) -> None:
    """Say that OTHERS are not the place NAME names, where the gazetteer lists them as its spellings.

    A search for NAME then no longer finds articles only through OTHERS, and a search for one of OTHERS no
    longer finds NAME's place. Kept in aliases.yaml as `- {apart: [NAME, OTHER...]}`; `alias add` joins
    spellings the gazetteer lacks.

    \b
    Example:
      newsarc alias split Aleppo Beria
    """
    from newsarc import api

    split = api.split_alias(env.store(), name, others)
    click.echo(f"apart from {split[0]}: " + ", ".join(split[1:]))


@alias.command(name="list")
@output_options(texts={"json": "Print the groups as one JSON array of arrays of names.",
                       "jsonl": "Print one group a line, as a JSON array of names.",
                       "csv": "Print one group a row: its names joined with '; '."})
@click.pass_obj
def alias_list(env: Env, machine: str | None) -> None:
    """List the alias groups, one per line.

    \b
    Example:
      newsarc alias list
      newsarc alias list --json | jq '.[0]'
    """
    from newsarc import api

    groups = api.alias_groups(env.store())
    if machine:
        write_records(groups, machine, sys.stdout, ("names",), rows=lambda group: [{"names": group}])
    splits = api.alias_splits(env.store())
    if not machine:
        for group in groups:
            click.echo(", ".join(group))
        for split in splits:
            click.echo(f"{split[0]} is not " + ", ".join(split[1:]))
        if not groups and not splits:
            click.echo("no alias groups; add one with `newsarc alias add NAME NAME...`", err=True)
    if not groups and not splits:
        sys.exit(int(ExitCode.NO_MATCH))  # an empty listing, as `list`, `feed list` and `watch list`


@alias.command(name="rm")
@click.argument("names", nargs=-1, required=True)
@click.option("--group", "whole", is_flag=True, help="Remove the whole group that holds NAME.")
@click.pass_obj
def alias_rm(env: Env, names: tuple[str, ...], whole: bool) -> None:
    """Remove NAMES from their groups (a group left with one name goes), or --group: the whole group.

    \b
    Example:
      newsarc alias rm Arbil
      newsarc alias rm --group Erbil
    """
    from newsarc import api

    removed = api.remove_aliases(env.store(), names, whole_groups=whole)
    click.echo("removed: " + ", ".join(removed))


@alias.command(name="suggest")
@click.option("--accept", "accept", multiple=True, metavar="N|all",
              help="Accept suggestion N (repeatable) or all of them: they become alias groups.")
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(1), help="How many to propose.")
@output_options()
@click.pass_obj
def alias_suggest(env: Env, accept: tuple[str, ...], limit: int, machine: str | None) -> None:
    """Propose alias groups from evidence in the archive: spellings listed side by side in one article's
    tags, and names written with the same consonants whose articles share context. Accept with --accept N.

    \b
    Example:
      newsarc alias suggest
      newsarc alias suggest --accept 1 --accept 3
    """
    from newsarc import api

    refuse_with(machine, accept=bool(accept))
    store = env.store()
    proposals = api.suggest_aliases(store, limit=limit)
    if machine:
        records = ({"number": number, "names": names, "evidence": evidence}
                   for number, (names, evidence) in enumerate(proposals, start=1))
        write_records(records, machine, sys.stdout, ("number", "names", "evidence"))
        if not proposals:
            sys.exit(int(ExitCode.NO_MATCH))
        return
    if not accept:
        for number, (names, evidence) in enumerate(proposals, start=1):
            click.echo(f"{number:>2}. {', '.join(names)}")
            click.echo(f"    evidence: {evidence}")
            click.echo("    accept:   newsarc alias suggest --accept " + str(number))
        if not proposals:
            click.echo("no suggestions: no spellings in this archive look like unlisted variants", err=True)
            sys.exit(int(ExitCode.NO_MATCH))
        return
    chosen = range(1, len(proposals) + 1) if "all" in accept else []
    if not chosen:
        try:
            chosen = sorted({int(a) for a in accept})
        except ValueError:
            raise UsageError("--accept takes suggestion numbers or 'all'") from None
    for group in api.accept_aliases(store, proposals, chosen):
        click.echo("alias group: " + ", ".join(group))


# -- timeline ----------------------------------------------------------------------------------------------
@click.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@click.option("--by", default="month", show_default=True, metavar="|".join(PERIODS), help="Length of one bar.")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag (repeatable).")
@click.option("--place", "places", multiple=True, metavar="PLACE",
              help="Only articles naming this place in any spelling (a name or a place id; repeatable).")
@click.option("--source", help="Only articles from this source.")
@date_option("--since", "Only articles dated on or after DATE.")
@date_option("--until", "Only articles dated on or before DATE.")
@click.option("--exact", is_flag=True, help="No alias or variant expansion.")
@click.option("--peaks", default="3", show_default=True, metavar="N",
              help=f"Busiest periods to label (0-{MAX_PEAKS}).")
@click.option("--output", "-o", metavar="FILE.svg|FILE.png",
              help="Also write the chart as an image (needs matplotlib: pip install 'newsarc[plot]').")
@output_options(texts={"json": "Print the query, the period length and the series as one JSON object.",
                       "jsonl": "Print the series as JSON Lines: one period a line.",
                       "csv": "Print the series as CSV: period, start, end, count, peak."})
@click.pass_obj
def timeline(env: Env, query: tuple[str, ...], output: str | None, machine: str | None, **options: object) -> None:
    """Chart how many articles match QUERY per day, week, month or year; label the busiest periods and
    list their top stories.

    \b
    Example:
      newsarc timeline Raqqa --by week
      newsarc timeline '"Abu Kamal"' --output abu-kamal.svg
      newsarc timeline Mosul --csv > mosul.csv
    """
    from newsarc import timeline as tl
    from newsarc.search_request import build_timeline

    request = checked(build_timeline, {**options, "query": " ".join(query)})
    by = request.by
    result = tl.timeline_of(env.store(), request)
    if output:
        tl.write_chart(result, output)
    if machine == "json":
        write_document({"query": result.query, "by": by, "undated": result.undated,
                        "series": tl.series_records(result)}, sys.stdout)
    elif machine:
        write_records(tl.series_records(result), machine, sys.stdout, ("period", "start", "end", "count", "peak"))
    else:
        from newsarc.cli.render import print_timeline

        print_timeline(result, env.output())
        if output:
            click.echo(f"chart written to {output}", err=True)
    if result.total == 0:
        sys.exit(int(ExitCode.NO_MATCH))


# -- similar -----------------------------------------------------------------------------------------------
@click.command()
@click.argument("article_id", metavar="ID")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many similar articles to list.")
@output_options()
@click.pass_obj
def similar(env: Env, article_id: str, limit: int, machine: str | None) -> None:
    """Articles most like article ID (its key terms in body and tags), with the key terms they share.

    \b
    Example:
      newsarc similar 3kq8
    """
    from newsarc import api

    like = api.similar(env.store(), article_id, limit=limit)
    found = like.hits
    if machine:
        from newsarc.cli.render import SEARCH_FIELDS, hit_record

        records = ({**hit_record(hit), "shared_terms": shared} for hit, shared in found)
        write_records(records, machine, sys.stdout, (*SEARCH_FIELDS, "shared_terms"))
    else:
        from newsarc.cli.render import print_similar

        print_similar(like, env.output())
    if not found:
        click.echo("no similar articles", err=True)
        sys.exit(int(ExitCode.NO_MATCH))


# -- watch -------------------------------------------------------------------------------------------------
@click.group()
def watch() -> None:
    """Saved searches that report only what is new since their last run (for cron and scripts).

    \b
    Example:
      newsarc watch add raqqa 'Raqqa OR tag:Raqqa'
      newsarc watch run raqqa --jsonl
    """


@watch.command(name="add", cls=QueryCommand)
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@click.pass_obj
def watch_add(env: Env, name: str, query: tuple[str, ...]) -> None:
    """Save QUERY as watch NAME (replacing a watch of that name); `newsarc watch run` reports what is new.

    \b
    Example:
      newsarc watch add raqqa 'Raqqa OR tag:Raqqa'
    """
    from newsarc.watch import add_watch

    add_watch(env.store(), name, " ".join(query))
    click.echo(f"watch {name}: {' '.join(query)}")


@watch.command(name="list")
@output_options()
@click.pass_obj
def watch_list(env: Env, machine: str | None) -> None:
    """List the saved searches and when each last ran on this machine.

    \b
    Example:
      newsarc watch list
      newsarc watch list --json
    """
    from newsarc.watch import last_runs, load_watches

    root = env.store().archive.root
    watches, runs = load_watches(root), last_runs(root)
    if machine:
        records = ({"name": name, "query": text, "last_run": runs.get(name)} for name, text in sorted(watches.items()))
        write_records(records, machine, sys.stdout, ("name", "query", "last_run"))
    else:
        for name, text in sorted(watches.items()):
            click.echo(f"{name}: {text}    (last run: {runs.get(name) or 'never'})")
        if not watches:
            click.echo("no watches; add one with `newsarc watch add NAME QUERY`", err=True)
    if not watches:
        sys.exit(int(ExitCode.NO_MATCH))  # an empty listing, as `list`, `feed list` and `alias list`


@watch.command(name="rm")
@click.argument("name")
@click.pass_obj
def watch_rm(env: Env, name: str) -> None:
    """Delete watch NAME (the articles it found stay in the archive).

    \b
    Example:
      newsarc watch rm raqqa
    """
    from newsarc.watch import remove_watch

    remove_watch(env.store(), name)
    click.echo(f"removed watch {name}")


@watch.command(name="run")
@click.argument("names", nargs=-1)
@click.option("--peek", is_flag=True, help="Show what is new without marking it seen.")
@output_options()
@click.pass_obj
def watch_run(env: Env, names: tuple[str, ...], peek: bool, machine: str | None) -> None:
    """Print the hits each watch (all, or NAMES) has not shown before, then mark them seen.
    Exit status 1 when nothing is new.

    \b
    Example:
      newsarc watch run
      newsarc watch run raqqa --jsonl >> raqqa.jsonl
    """
    from newsarc.watch import load_watches, run_watch

    store = env.store()
    chosen = list(names) or sorted(load_watches(store.archive.root))
    if not chosen:  # nothing to run finds nothing new: exit 1 like a run that found nothing, not a usage error
        click.echo("no watches to run; add one with `newsarc watch add NAME QUERY`", err=True)
        sys.exit(int(ExitCode.NO_MATCH))
    runs = [run_watch(store, name, update=not peek) for name in chosen]
    if machine:
        from newsarc.cli.render import SEARCH_FIELDS, hit_record

        records = ({"watch": run.name, **hit_record(hit)} for run in runs for hit in run.new)
        write_records(records, machine, sys.stdout, ("watch", *SEARCH_FIELDS))
    else:
        for run in runs:
            note = " (first run: everything is new)" if run.first_run else ""
            click.echo(f"{run.name}: {len(run.new)} new of {run.total}{note}")
            for hit in run.new:
                click.echo(f"    {hit.id}  {hit.date or 'undated':10}  {hit.source or '-'}  {hit.title}")
    if not any(run.new for run in runs):
        sys.exit(int(ExitCode.NO_MATCH))
