"""Ingest commands beyond `add`: feed subscriptions, near-duplicate clusters, re-extraction, a page's versions.
Loaded lazily by newsarc.cli.app (LAZY_COMMANDS); what `add` prints is newsarc.cli.add_report, its progress bar
newsarc.cli.progress."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from newsarc.cli.output import output_options, write_records
from newsarc.errors import ExitCode

if TYPE_CHECKING:
    from newsarc.cli.app import Env


# -- newsarc show --versions / --diff ------------------------------------------------------------------------
def show_versions(env: Env, article_id: str, *, diff: bool) -> None:
    """List the versions of a page (same URL, changed text), or show what changed from the previous one."""
    from newsarc import api
    from newsarc.versions import when

    store = env.store()
    if diff:
        changes = api.diff(store, article_id)
        click.echo("\n".join(changes.lines) if changes.lines
                   else f"{changes.old.id} and {changes.new.id} have the same title and text")
        return
    found = api.versions(store, article_id)
    if len(found.articles) < 2:
        click.echo(f"{found.id} has no other version (a version is the same URL re-added with changed text)")
        return
    for article in found.articles:
        mark = "*" if article.id == found.id else " "
        click.echo(f"{mark} {article.id}  {when(article)}  {len(article.body.split())} words  {article.title}")


# -- newsarc dups ------------------------------------------------------------------------------------------
DUPS_CSV_FIELDS = ("cluster", "kind", "id", "date", "source", "title", "url")


@click.command()
@output_options(texts={
    "json": "Print one JSON array of clusters: the article's fields and its `members` (each with its `kind`).",
    "jsonl": "Print one cluster a line, as --json's objects.",
    "csv": "Print one row per article: its cluster's first id, its kind (original, duplicate, version) and fields.",
})
@click.pass_obj
def dups(env: Env, machine: str | None) -> None:
    """List clusters of near-duplicates and versions: an article and those linked to it.

    Articles are linked when added (see `newsarc add --dedupe`): `duplicate_of` for the same story from
    another URL, `version_of` for a page re-added after its text changed.

    \b
    Example:
      newsarc dups
      newsarc show 3kq8 --diff
    """
    from newsarc import api
    from newsarc.cli.render import clip

    records = api.dups(env.store())
    if machine:
        def rows(record: dict[str, Any]) -> list[dict[str, Any]]:
            return [{**record, "cluster": record["id"], "kind": "original"},
                    *({**member, "cluster": record["id"]} for member in record["members"])]

        write_records(records, machine, sys.stdout, DUPS_CSV_FIELDS, rows=rows)
        if not records:
            sys.exit(int(ExitCode.NO_MATCH))
        return
    if not records:
        click.echo("no near-duplicates or versions", err=True)
        sys.exit(int(ExitCode.NO_MATCH))
    for record in records:
        head, rest = record, record["members"]
        click.echo(f"{head['id']}  {head['date'] or 'undated':10.10}  {clip(head['source'], 20):20}  {head['title']}")
        for item in rest:
            label = "version  " if item["kind"] == "version" else "duplicate"
            click.echo(f"  {label} {item['id']}  {clip(item['source'], 20):20}  {item['title']}")


# -- newsarc reextract -------------------------------------------------------------------------------------
@click.command()
@click.argument("article_id", metavar="ID")
@click.pass_obj
def reextract(env: Env, article_id: str) -> None:
    """Read an article again from the original kept with --keep-original (after newsarc's extractors improved).

    What the extractor reads (title, date, source, url, authors, location, language, body) replaces the stored
    fields when it finds them; tags are merged; the id, the added time and other fields are kept.

    \b
    Example:
      newsarc add https://example.com/story.html --keep-original
      newsarc reextract 3kq8
    """
    from newsarc import api

    found_id, changed = api.reextract(env.store(), article_id)
    if changed:
        click.echo(f"{found_id}: re-extracted; changed {', '.join(changed)}")
    else:
        click.echo(f"{found_id}: re-extracted, nothing changed")


# -- newsarc feed ------------------------------------------------------------------------------------------
@click.group()
def feed() -> None:
    """Subscribe to RSS/Atom feeds and add their new entries (one entry = one article).

    \b
    Example:
      newsarc feed add https://www.example.com/rss.xml --tag World
      newsarc feed update            # from cron: adds only what is new
    """


@feed.command(name="add")
@click.argument("location", metavar="URL|FILE")
@click.option("--tag", "tags", multiple=True, help="Tag every article from this feed (repeatable).")
@click.option("--allow-private", is_flag=True, help="Let the URL reach private and local addresses.")
@click.pass_obj
def feed_add(env: Env, location: str, tags: tuple[str, ...], allow_private: bool) -> None:
    """Subscribe to a feed (checked by reading it once); `newsarc feed update` adds its entries.

    \b
    Example:
      newsarc feed add https://www.example.com/rss.xml --tag World
    """
    from newsarc import api

    entry, entries = api.subscribe_feed(env.store(create=True), location, tags=tags, allow_private=allow_private)
    from newsarc.cli.render import plural

    click.echo(f"subscribed to {entry['title']} ({plural(entries, 'entry', 'entries')} now); "
               "`newsarc feed update` adds them")


FEED_FIELDS = ("url", "title", "tags", "last_updated", "last_added", "last_error")


@feed.command(name="list")
@output_options(texts={"json": "Print one JSON array of the subscriptions with their last update.",
                       "jsonl": "Print one subscription a line, as --json's objects.",
                       "csv": "Print one subscription a row: " + ", ".join(FEED_FIELDS) + "."})
@click.pass_obj
def feed_list(env: Env, machine: str | None) -> None:
    """List the subscriptions with their last update.

    \b
    Example:
      newsarc feed list
      newsarc feed list --json | jq -r '.[].url'
    """
    from newsarc import api

    feeds, state = api.feeds(env.store())
    if machine:
        records = ({**item, **{f"last_{k}": v for k, v in state.get(item["url"], {}).items()}} for item in feeds)
        write_records(records, machine, sys.stdout, FEED_FIELDS)
    elif not feeds:
        click.echo("no feeds; subscribe with `newsarc feed add URL`", err=True)
    if not feeds:
        sys.exit(int(ExitCode.NO_MATCH))
    if machine:
        return
    for n, item in enumerate(feeds, start=1):
        last = state.get(item["url"], {})
        when = last.get("updated", "never updated")
        status = f"error: {last['error']}" if last.get("error") else f"{last.get('added', 0)} added last time"
        tags = f"  tags: {', '.join(item.get('tags') or [])}" if item.get("tags") else ""
        click.echo(f"{n:>3}  {item.get('title') or item['url']}\n     {item['url']}{tags}\n     {when}; {status}")


@feed.command(name="rm")
@click.argument("which", metavar="URL|N|TITLE")
@click.pass_obj
def feed_rm(env: Env, which: str) -> None:
    """Unsubscribe from a feed (its articles stay in the archive). Name it by URL, title or its number in
    `newsarc feed list`.

    \b
    Example:
      newsarc feed rm 2
    """
    from newsarc import api

    removed = api.unsubscribe_feed(env.store(), which)
    click.echo(f"unsubscribed from {removed.get('title') or removed['url']}")


@feed.command(name="update")
@click.argument("which", nargs=-1, metavar="[URL|N|TITLE]...")
@click.option("--fetch-pages", is_flag=True, help="Fetch each new entry's page and extract its full text.")
@click.option("--keep-original", is_flag=True, help="With --fetch-pages: keep each page gzip'd beside its YAML.")
@click.option("--dedupe", type=click.Choice(["link", "skip", "keep"]), default="link", show_default=True,
              help="Near-duplicates of articles already in: link, skip or keep.")
@click.pass_obj
def feed_update(env: Env, which: tuple[str, ...], fetch_pages: bool, keep_original: bool, dedupe: str) -> None:
    """Add the new entries of every feed (or those named): one summary line per feed. A feed that fails is
    reported and the others go on; the exit status is then 8.

    \b
    Example:
      newsarc feed update
      newsarc feed update 2 --fetch-pages
    """
    from newsarc import api

    failures = 0
    for result in api.update_feeds(env.store(), which, fetch_pages=fetch_pages, keep_original=keep_original,
                                   dedupe=dedupe):
        if result.error:
            failures += 1
            click.echo(f"{result.name}: failed: {result.error}")
            continue
        line = f"{result.name}: {result.added} new, {result.known} already in"
        if result.near_duplicates:
            line += f", {result.near_duplicates} near-duplicate{'s' * (result.near_duplicates != 1)} skipped"
        if result.failed:
            failures += 1
            line += f", {result.failed} failed" + (f" ({result.first_failure})" if result.first_failure else "")
        click.echo(line)
    if failures:
        sys.exit(int(ExitCode.PARTIAL))
