"""Ingest commands beyond `add`: feed subscriptions, near-duplicate clusters, re-extraction; and the helpers
`add` uses to report progress and failures. Loaded lazily by newsarc.cli.app (LAZY_COMMANDS)."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import click

from newsarc.api import INDEX_BATCH
from newsarc.cli.output import output_options, write_records
from newsarc.errors import ExitCode, UsageError

PROGRESS_MIN_SOURCES = 200
PROGRESS_MIN_BYTES = 20 * 1024 * 1024


# -- helpers for `newsarc add` -------------------------------------------------------------------------------
class FailureLog:
    """--failures FILE: one JSON line per failure ({"path": ..., "reason": ...}), written as they happen.

    Written by newsarc.storage.atomic's rule, as every path a user names: a file is replaced when the command
    ends, however it ends (the failures seen until Ctrl-C or an error are true), a symlink is written through, a FIFO
    or /dev/stderr is written into line by line."""

    def __init__(self, path: str | None):
        self.path = path
        self.handle: Any = None
        self._file: Any = None

    def __enter__(self) -> FailureLog:
        if self.path:
            from newsarc.api import write_file

            self._file = write_file(self.path)
            try:
                self.handle = self._file.__enter__()
            except OSError as exc:
                raise UsageError(f"--failures {self.path}: cannot write ({exc.strerror or exc})") from None
        return self

    def write(self, outcome: Any) -> None:
        if self.handle is not None:
            self.handle.write(json.dumps({"path": outcome.origin, "reason": outcome.reason}, ensure_ascii=False)
                              + "\n")
            self.handle.flush()

    def __exit__(self, *exc: Any) -> None:
        if self._file is not None:
            try:
                self._file.__exit__(None, None, None)
            except OSError as error:
                raise UsageError(f"--failures {self.path}: cannot write ({error.strerror or error})") from None


def describe_outcome(outcome: Any) -> str:
    if outcome.status == "added":
        link = f"  ({outcome.link.replace('_of ', ' of ')})" if outcome.link else ""
        return f"added {outcome.id}  {outcome.title}{link}"
    if outcome.status == "near-duplicate":
        return f"skipped near-duplicate of {outcome.id} ({outcome.reason})  {outcome.title}"
    return f"already in the archive as {outcome.id}  {outcome.title}".rstrip()


def summary_line(report: Any, date_order: str | None) -> str:
    added, dups, bad = report.count("added"), report.count("duplicate"), report.count("failed")
    summary = f"{added} added, {dups} already in the archive, {bad} failed"
    if report.count("skipped"):
        summary += f", {report.skipped_summary()}"
    near = report.count("near-duplicate")
    if near:
        summary += f", {near} near-duplicate{'s' * (near != 1)} skipped"
    if report.linked:
        summary += f"; {report.linked} linked as near-duplicates or versions (see newsarc dups)"
    if report.ambiguous_dates:
        dates = "1 date was" if report.ambiguous_dates == 1 else f"{report.ambiguous_dates} dates were"
        summary += f"; {dates} ambiguous and read as {date_order or 'DMY'}"
    return summary


# -- progress on the terminal -------------------------------------------------------------------------------
PROGRESS_MIN_WORK = 200  # below this many units of work (files, thirds of a file) a bar is not worth showing
_LIVE: Any = None  # the one rich Progress shown on stderr, while any bar is


def say(message: str, *, err: bool = False) -> None:
    """Print a line; while a bar is shown on the terminal, above it rather than through it."""
    if _LIVE is not None and (err or sys.stdout.isatty()):
        _LIVE.console.print(message, markup=False, highlight=False, emoji=False, soft_wrap=True)
    else:
        click.echo(message, err=err)


@contextlib.contextmanager
def _live() -> Iterator[Any]:
    """The shared rich Progress on stderr: a second bar (the index catching up during an add) joins the first
    as a line of its own instead of fighting it for the terminal."""
    global _LIVE
    if _LIVE is not None:
        yield _LIVE
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    class Live(TextColumn):
        """A text column that an AddMeter recomputes at every refresh, so the ETA counts down during a long
        index commit, when no event comes to update it."""

        def render(self, task: Any) -> Any:
            meter = task.fields.get("meter")
            if meter is not None:
                meter.refresh(task)
            return super().render(task)

    columns = [Live("{task.description}"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), TextColumn("{task.fields[eta]}")]
    with Progress(*columns, console=Console(stderr=True), transient=True, refresh_per_second=4) as progress:
        _LIVE = progress
        try:
            yield progress
        finally:
            _LIVE = None


def _eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "ETA -:--"
    seconds = int(seconds + 0.5)
    return f"ETA {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"ETA {seconds // 60}:{seconds % 60:02d}"


@contextlib.contextmanager
def work_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A bar over `total` even units of work (the store's catch-up, a rebuild), on a terminal only. Its ETA is
    the elapsed time scaled by what is left: the units are chosen to cost about the same time each."""
    if total < PROGRESS_MIN_WORK or not sys.stderr.isatty():
        yield lambda n: None
        return
    started = time.monotonic()
    with _live() as progress:
        task = progress.add_task(label, total=total, detail="", eta=_eta_text(None))
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            elapsed = time.monotonic() - started
            eta = elapsed * (total - done) / done if done and elapsed > 1 else None
            progress.update(task, advance=n, eta=_eta_text(eta))

        finished = False
        try:
            yield advance
            finished = True
        finally:
            if finished:  # all the work is done: the bar's last frame says so, whatever the units' rounding
                progress.update(task, completed=total, eta=_eta_text(0))
                progress.refresh()
            progress.remove_task(task)


class AddMeter:
    """Progress of an add or import. The bar counts work done: each article is three even units -- read (and
    written), analysed by the index writer, committed -- and one that needs no indexing (a duplicate, a failure)
    is all three at once; the total is the articles expected (the inputs, or the records of an import; for inputs
    that hold several articles each, what the bytes read so far promise). The bar never moves backwards and is
    full when the command has finished its work.

    The ETA is time, not work: indexing is the slow step and comes in batches (newsarc.api.INDEX_BATCH), so the
    time left is the reading left at the measured reading rate plus the articles left to index at the measured
    indexing rate (a prior until the first batch is in).
    """

    PRIOR_INDEX_SECONDS = 0.010  # per article, analysis and commit: the least guessed before a batch is in
    UNITS = 3  # per article: read, analysed, committed

    def __init__(self, progress: Any, task: Any, *, total_bytes: int = 0, total_items: int = 0,
                 label: str = "adding", sources: int = 0):
        self.progress = progress
        self.task = task
        self.label = label
        self.total_bytes = total_bytes
        self.total_items = total_items
        self.sources = sources  # inputs to read (files, URLs), when the bar is sized by their bytes
        self.sources_read = 0
        self.bytes = 0
        self.articles = 0
        self.added = 0
        self.analysed = 0
        self.committed = 0
        self.done_without_index = 0  # duplicates, failures: all their units done at once
        self.shown = 0.0  # the fraction the bar shows: it only grows
        self.index_seconds = 0.0
        self.flush_started: float | None = None
        self.started = time.monotonic()

    def article(self, outcome: Any) -> None:
        self.articles += 1
        indexed = outcome.status in ("added", "updated")
        self.added += indexed
        self.done_without_index += not indexed

    def consumed(self, n: int) -> None:
        self.bytes += n
        self.sources_read += 1

    def expected_articles(self) -> int:
        """How many articles this run will have handled: the inputs (or records) counted before it started, more
        when inputs turn out to hold several articles each (then estimated from the bytes read so far)."""
        expected = max(self.total_items, self.sources, self.articles, 1)
        if self.total_bytes and self.bytes and self.articles > self.sources_read:
            expected = max(expected, round(self.articles * self.total_bytes / self.bytes))
        return expected

    def work_fraction(self) -> float:
        """Work done over work expected, in [0, 1], never less than shown before."""
        done = self.UNITS * self.done_without_index + self.added + self.analysed + self.committed
        fraction = min(done / (self.UNITS * self.expected_articles()), 1.0)
        self.shown = max(self.shown, fraction)
        return self.shown

    def finish(self) -> None:
        """The command finished its work: the bar shows it full (drawn once more before it is removed)."""
        self.shown = 1.0
        if self.progress is not None:
            self.progress.update(self.task, completed=1000, eta=_eta_text(0))
            self.progress.refresh()

    def on_index(self, analysed: int, committed: int) -> None:
        """Store.on_index: documents handed to the index writer, then documents committed."""
        self.analysed += analysed
        now = time.monotonic()
        if self.flush_started is None:
            self.flush_started = now
        if committed:
            self.index_seconds += now - self.flush_started
            self.committed += committed
            self.flush_started = None

    def read_fraction(self) -> float:
        if self.total_bytes:
            return min(self.bytes / self.total_bytes, 1.0)
        if self.total_items:
            return min(self.articles / self.total_items, 1.0)
        return 0.0

    def seconds_left(self) -> float | None:
        now = time.monotonic()
        in_flush = now - self.flush_started if self.flush_started is not None else 0.0
        reading = max(now - self.started - self.index_seconds - in_flush, 1e-6)
        fraction = self.read_fraction()
        if fraction <= 0 or now - self.started < 1:
            return None
        read_left = reading * (1 - fraction) / fraction
        expected_added = self.added / fraction
        # Before a batch is in, indexing is guessed from reading, on this machine as loaded as it is now. Measured
        # on the BBC corpus, an article costs about 0.8x its reading time to index in a batch of 500 and 1.4-3x
        # in one of 2000 (Whoosh flushes and merges segments within a big batch; the spread is the machine's
        # load): the ratio grows with the batch, 2x at 2000.
        batch = min(max(self.added / fraction, 1.0), float(INDEX_BATCH))
        prior = max(self.PRIOR_INDEX_SECONDS, (0.5 + 0.75 * batch / 1000) * reading / max(self.articles, 1))
        per_article = self.index_seconds / self.committed if self.committed else prior
        unflushed = max(self.added - self.committed, 0)
        index_left = max(expected_added - self.committed - unflushed, 0) * per_article
        if self.flush_started is None:
            index_left += unflushed * per_article
        else:
            batch_left = unflushed * per_article - in_flush
            if batch_left < 0:
                # The batch takes longer than this run's rate says (the index merges its segments as it grows):
                # no honest figure can be given until it is in, so none is.
                return None
            index_left += batch_left
        return read_left + max(index_left, 0.0)

    def refresh(self, task: Any) -> None:
        """Recompute the bar (work done), the counts and the ETA (time) -- called by the display at each refresh."""
        now = time.monotonic()
        elapsed = now - self.started
        left = self.seconds_left()
        rate = self.articles / max(elapsed, 1e-6)
        task.completed = 1000 * self.work_fraction()
        task.description = "indexing" if self.flush_started is not None else self.label
        task.fields.update(detail=f"{self.articles:,} articles {rate:,.0f}/s",
                           eta=_eta_text(0 if self.shown >= 1.0 else left))



@dataclass
class SourceTally:
    """What `add` needs to know of its inputs before it starts (the bar's total, whether to list each outcome),
    tallied in one walk over them: the inputs themselves are not held in memory, which for a folder of 100,000
    files was ~110 MB (issue 14; ~1.1 KB per Source by tracemalloc)."""

    count: int = 0
    total_bytes: int = 0
    sized: bool = True
    first_origin: str = ""

    @classmethod
    def of(cls, sources: Iterable[Any]) -> SourceTally:
        tally = cls()
        for source in sources:
            if not tally.count:
                tally.first_origin = source.origin
            tally.count += 1
            tally.total_bytes += source.size
            tally.sized = tally.sized and bool(source.size)
        return tally


@contextlib.contextmanager
def ingest_progress(sources: Iterable[Any] | SourceTally | None = None, *, store: Any = None,
                    total_items: int = 0, label: str = "adding") -> Iterator[AddMeter]:
    """A bar for an add (over its sources, or their SourceTally) or an import (over total_items records), for
    runs worth one; it follows the indexing through store.on_index."""
    tally = sources if isinstance(sources, SourceTally) else SourceTally.of(sources or [])
    sized = tally.count > 0 and tally.sized
    total_bytes = tally.total_bytes if sized else 0
    items = total_items or (tally.count if tally.count and not sized else 0)
    big = (tally.count >= PROGRESS_MIN_SOURCES or total_bytes >= PROGRESS_MIN_BYTES
           or total_items >= PROGRESS_MIN_SOURCES)
    if not big or not sys.stderr.isatty():
        yield AddMeter(None, None)
        return
    with _live() as progress:
        task = progress.add_task(label, total=1000, detail="", eta=_eta_text(None))
        meter = AddMeter(progress, task, total_bytes=total_bytes, total_items=items, label=label,
                         sources=tally.count if sized else 0)
        progress.update(task, meter=meter)
        if store is not None:
            store.on_index = meter.on_index
        try:
            yield meter
        finally:
            if store is not None:
                store.on_index = None
            progress.remove_task(task)


# -- newsarc show --versions / --diff ------------------------------------------------------------------------
def show_versions(env: Any, article_id: str, *, diff: bool) -> None:
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
def dups(env: Any, machine: str | None) -> None:
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
def reextract(env: Any, article_id: str) -> None:
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
def feed_add(env: Any, location: str, tags: tuple[str, ...], allow_private: bool) -> None:
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
def feed_list(env: Any, machine: str | None) -> None:
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
def feed_rm(env: Any, which: str) -> None:
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
def feed_update(env: Any, which: tuple[str, ...], fetch_pages: bool, keep_original: bool, dedupe: str) -> None:
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
