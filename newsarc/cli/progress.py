"""Progress on the terminal: the one live display on stderr, a bar over even units of work (the store's catch-up,
a rebuild), and the bar of an add or import with its ETA (AddMeter); `say` prints above a bar rather than
through it. Nothing is drawn when stderr is not a terminal, or for work too small to be worth a bar."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from newsarc.api import INDEX_BATCH

if TYPE_CHECKING:
    from newsarc.api import AddOutcome, Source, Store

PROGRESS_MIN_SOURCES = 200
PROGRESS_MIN_BYTES = 20 * 1024 * 1024

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
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

    class Live(TextColumn):
        """A text column that an AddMeter recomputes at every refresh, so the ETA counts down during a long
        index commit, when no event comes to update it."""

        def render(self, task: Any) -> Any:
            meter = task.fields.get("meter")
            if meter is not None:
                meter.refresh(task)
            return super().render(task)

    # The spinner (ASCII) turns with time while the bar has work left: a long step with no event to move the bar
    # (an index commit) still shows the command alive.
    columns = [Live("{task.description}"), SpinnerColumn("line"), BarColumn(), TaskProgressColumn(),
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

    def article(self, outcome: AddOutcome) -> None:
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
        # on the benchmark's articles (`add FOLDER` of text files, batches of INDEX_BATCH = 3000 split over two
        # processes; issue 24): indexing an article cost 2.4x its reading time in a batch of 1000 and 4.0-4.2x in
        # one of 3000 (the bigger batch's segments are merged within it): the ratio grows with the batch.
        batch = min(max(self.added / fraction, 1.0), float(INDEX_BATCH))
        prior = max(self.PRIOR_INDEX_SECONDS, (1.5 + 0.87 * batch / 1000) * reading / max(self.articles, 1))
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

    def phase(self) -> str:
        """What the command is doing, for the bar's label: reading its inputs (the label it was given), or
        indexing a batch -- "indexing 1,500 articles" -- from the moment every input is read or a batch is handed
        to the index until it is committed. The last commit of a big add can take a while without an event to
        move the bar, so the label says what it waits for and it never looks hung."""
        unindexed = max(self.added - self.committed, 0)
        if unindexed and self.shown < 1.0 and (self.flush_started is not None or self.read_fraction() >= 1.0):
            return f"indexing {unindexed:,} article{'s' if unindexed != 1 else ''}"
        return self.label

    def refresh(self, task: Any) -> None:
        """Recompute the bar (work done), the counts and the ETA (time) -- called by the display at each refresh."""
        now = time.monotonic()
        elapsed = now - self.started
        left = self.seconds_left()
        rate = self.articles / max(elapsed, 1e-6)
        task.completed = 1000 * self.work_fraction()
        task.description = self.phase()
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
    def of(cls, sources: Iterable[Source]) -> SourceTally:
        tally = cls()
        for source in sources:
            if not tally.count:
                tally.first_origin = source.origin
            tally.count += 1
            tally.total_bytes += source.size
            tally.sized = tally.sized and bool(source.size)
        return tally


@contextlib.contextmanager
def ingest_progress(sources: Iterable[Source] | SourceTally | None = None, *, store: Store | None = None,
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
