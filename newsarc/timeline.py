"""Mentions over time: how many articles match a query per day, week, month or year, and the busiest periods.

    from newsarc.timeline import timeline
    t = timeline(store, SearchRequest("Raqqa"), by="month")
    t.series   # [("2017-04", 3), ("2017-05", 11), ...] with empty periods filled in
    t.peaks    # the busiest periods, each with its top stories
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from newsarc.errors import UsageError
from newsarc.search_request import PERIODS, check_period  # noqa: F401 - PERIODS: one definition for all

if TYPE_CHECKING:
    from newsarc.index.backend import SearchHit, SearchRequest
    from newsarc.search_request import TimelineRequest
    from newsarc.storage.store import Store

MAX_FILLED = 400  # beyond this many periods, empty ones are left out of the series


@dataclass
class Peak:
    period: str
    count: int
    stories: list[SearchHit] = field(default_factory=list)


@dataclass
class Timeline:
    query: str
    by: str
    series: list[tuple[str, int]]
    undated: int
    peaks: list[Peak]
    expansions: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.series) + self.undated


def period_of(day: dt.date, by: str) -> str:
    """The label of the period holding day: 2017-05-18, 2017-W20, 2017-05 or 2017."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return day.isoformat()[:7]
    return str(day.year)


def period_start(label: str, by: str) -> dt.date:
    if by == "week":
        year, week = label.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    if by == "month":
        return dt.date.fromisoformat(label + "-01")
    if by == "year":
        return dt.date(int(label), 1, 1)
    return dt.date.fromisoformat(label)


def period_bounds(label: str, by: str) -> tuple[str, str]:
    """First and last day (ISO) of a period."""
    start = period_start(label, by)
    nxt = _next(start, by)
    return start.isoformat(), (nxt - dt.timedelta(days=1)).isoformat()


def _next(start: dt.date, by: str) -> dt.date:
    if by == "day":
        return start + dt.timedelta(days=1)
    if by == "week":
        return start + dt.timedelta(days=7)
    if by == "month":
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return dt.date(start.year + 1, 1, 1)


def build_series(days: list[str | None], by: str) -> tuple[list[tuple[str, int]], int]:
    """Counts per period from first to last, empty periods included (unless there would be too many)."""
    check_period(by)  # the library's one rule: a face checked it already (build_timeline)
    counts: dict[str, int] = {}
    undated = 0
    for day in days:
        if day is None:
            undated += 1
            continue
        label = period_of(dt.date.fromisoformat(day[:10]), by)
        counts[label] = counts.get(label, 0) + 1
    if not counts:
        return [], undated
    labels = sorted(counts, key=lambda label: period_start(label, by))
    filled: list[tuple[str, int]] = []
    current, last = period_start(labels[0], by), period_start(labels[-1], by)
    while current <= last and len(filled) <= MAX_FILLED:
        label = period_of(current, by)
        filled.append((label, counts.get(label, 0)))
        current = _next(current, by)
    if len(filled) > MAX_FILLED:
        filled = [(label, counts[label]) for label in labels]
    return filled, undated


def busiest(series: list[tuple[str, int]], n: int = 3) -> list[tuple[str, int]]:
    """The n periods with most articles (the earlier first among equals), busiest first."""
    ranked = sorted(((label, count) for label, count in series if count), key=lambda lc: -lc[1])
    return ranked[:n]


def timeline_of(store: Store, request: TimelineRequest) -> Timeline:
    """The timeline a checked request asks for (newsarc.search_request.build_timeline): what both faces call."""
    return timeline(store, request.search, by=request.by, peaks=request.peaks)


def timeline(store: Store, request: SearchRequest, *, by: str = "month", peaks: int = 3,
             stories: int = 3) -> Timeline:
    """The series of a query, its busiest periods and the top stories of each."""
    from newsarc import api

    request = replace(request, snippets=False)
    if not request.exact and not request.aliases:
        from newsarc.names.aliases import load_groups, load_splits, splits_as_groups

        request.aliases = load_groups(store.archive.root) + splits_as_groups(load_splits(store.archive.root))
    store.refresh(write=False)
    days, expansions = store.backend.matching_dates(request)
    series, undated = build_series(days, by)
    top: list[Peak] = []
    for label, count in busiest(series, peaks):
        since, until = period_bounds(label, by)
        if request.since and since < request.since:
            since = request.since
        found = api.search(store, replace(request, since=since, until=until, limit=stories, page=1))
        top.append(Peak(label, count, found.hits))
    return Timeline(request.query, by, series, undated, top,
                    [(e.word, e.kind, e.terms) for e in expansions])


# -- records -----------------------------------------------------------------------------------------------
def series_records(t: Timeline) -> list[dict[str, Any]]:
    peak_rank = {p.period: i for i, p in enumerate(t.peaks, start=1)}
    out = []
    for label, count in t.series:
        start, end = period_bounds(label, t.by)
        out.append({"period": label, "start": start, "end": end, "count": count, "peak": peak_rank.get(label)})
    return out


def write_chart(t: Timeline, path: str) -> None:
    """Save the series as an SVG or PNG bar chart (needs matplotlib: pip install 'newsarc[plot]')."""
    if not path.lower().endswith((".svg", ".png")):
        raise UsageError(f"--output {path}: write a .svg or .png file")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--output needs matplotlib, an optional extra: pip install 'newsarc[plot]'") from None
    labels = [label for label, _ in t.series]
    counts = [count for _, count in t.series]
    peak_labels = {p.period for p in t.peaks}
    fig, ax = plt.subplots(figsize=(max(6.0, min(0.35 * len(labels), 18.0)), 4.0))
    colours = ["#d95f02" if label in peak_labels else "#1b9e77" for label in labels]
    ax.bar(range(len(labels)), counts, color=colours)
    step = max(1, len(labels) // 20)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("articles")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{t.query} - articles by {t.by}")
    for peak in t.peaks:
        i = labels.index(peak.period)
        ax.annotate(str(peak.count), (i, peak.count), ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    from pathlib import Path

    from newsarc.storage.atomic import atomic_file

    try:
        with atomic_file(Path(path), binary=True, durable=False) as out:  # a symlink written through, a FIFO into
            fig.savefig(out, format=path.lower().rsplit(".", 1)[-1])
    except OSError as exc:
        raise UsageError(f"--output {path}: cannot write ({exc.strerror})") from None
    finally:
        plt.close(fig)
