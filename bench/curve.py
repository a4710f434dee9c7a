"""The curve of time against archive size: several benchmark runs (say 2k/20k/100k and the 1,000,000-article run)
as one table and one log-log plot (issue 24).

    python -m bench.curve bench/results/A.json bench/results/B.json --svg docs/performance-curve.svg --md out.md

Each row at a size is taken from the last file on the command line that measured it without an error. Every time
row is shown as its median and as a multiple of `python -c pass` measured at that size in the same run (the ratio
is what the targets are about: the machine is shared, and the floor moves with its load); the load average at the
start of that size's rows is shown beside it. The plot is an SVG written by this module (no plotting library: the
benchmark has no dependency of its own), one line per row, both axes logarithmic, with a dashed line of slope 1 (time
proportional to the archive) for comparison.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

# (key, label) of the rows on the curve: every search kind and the per-command costs of issue 24.
CURVE_ROWS: tuple[tuple[str, str], ...] = (
    ("python_pass", "`python -c pass`"),
    ("search_term", "search: one word"),
    ("search_and", "search: two words (AND, `oil prices`)"),
    ("search_phrase", "search: phrase"),
    ("search_common_phrase", "search: common-word phrase (`\"oil prices\"`)"),
    ("search_tag", "search: word + --tag"),
    ("search_date", "search: word + --since/--until"),
    ("search_common_date", "search: common word + dates"),
    ("search_suggest", "search: did-you-mean (misspelt word)"),
    ("show", "show ID"),
    ("list", "list --limit 20"),
    ("add", "add one.txt"),
    ("freshness", "freshness check (in-process)"),
    ("serve_search", "serve: warm GET /api/search"),
    ("check", "check (whole archive)"),
    ("alias_suggest_first", "alias suggest, first run"),
    ("alias_suggest_changed", "alias suggest, after adding one article"),
    ("export", "export (whole archive)"),
)
PLOTTED = ("python_pass", "search_term", "search_and", "search_phrase", "search_common_phrase", "search_tag",
           "search_common_date", "search_suggest", "show", "add", "serve_search", "check", "export")
COLOURS = ("#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aa3377", "#4477aa")


def merge(paths: list[Path]) -> dict[int, dict[str, Any]]:
    """size -> {"rows", "loadavg", "archive", "source"}: each row from the last file that measured it without an
    error, so a run of a few rows (`NEWSARC_BENCH_SKIP`) completes a size's earlier run; the sources are listed."""
    out: dict[int, dict[str, Any]] = {}
    for path in paths:
        results = json.loads(path.read_text(encoding="utf-8"))
        for size, data in results["sizes"].items():
            if "rows" not in data:
                continue
            fresh = {key: row for key, row in data["rows"].items() if not row.get("error")}
            if int(size) in out:
                fresh.pop("python_pass", None)  # each row keeps its ratio to its own run's floor
                known = out[int(size)]
                known["rows"].update(fresh)
                known["source"] += f" + {path.name} ({', '.join(sorted(fresh))})"
                continue
            out[int(size)] = {"rows": dict(data["rows"]), "loadavg": data.get("loadavg_start", "?"),
                              "archive": data.get("archive", {}), "source": path.name,
                              "commit": results["meta"].get("git_commit")}
    return dict(sorted(out.items()))


def _ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f} s"
    if value >= 1000:
        return f"{value / 1000:.1f} s"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def cell(row: dict[str, Any] | None) -> str:
    if not row:
        return "-"
    if row.get("error"):
        return "ERROR"
    median = row.get("median_ms")
    if median is None:
        return "-"
    text = _ms(median)
    if row.get("ratio_pass") is not None and not row.get("inproc"):
        text += f" ({row['ratio_pass']:.1f}x)"
    if row.get("ratio_yaml") is not None:
        text += f" ({row['ratio_yaml']:.2f}x YAML)"
    if row.get("articles_per_s") is not None:
        text += f", {row['articles_per_s']:,.0f} art/s"
    return text


def markdown(sizes: dict[int, dict[str, Any]]) -> str:
    header = ["at N articles", *[f"{size:,}" for size in sizes]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, label in CURVE_ROWS:
        cells = [cell(data["rows"].get(key)) for data in sizes.values()]
        if all(c == "-" for c in cells):
            continue
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in [label, *cells]) + " |")
    lines.append("| load average at the start | " + " | ".join(str(d["loadavg"]) for d in sizes.values()) + " |")
    lines.append("| run | " + " | ".join(f"{d['source']}" for d in sizes.values()) + " |")
    return "\n".join(lines) + "\n"


def crossing(points: list[tuple[int, float]], limit_ms: float) -> tuple[float | None, float]:
    """(archive size at which the cost reaches limit_ms, ms per 1,000 articles), from the line through the two
    largest sizes measured: a fixed part (start-up) plus a part proportional to the archive (posting lists grow
    with it). None when the cost does not grow; the size itself when it is already past the limit."""
    if len(points) < 2:
        return None, 0.0
    (n1, t1), (n2, t2) = points[-2], points[-1]
    slope = (t2 - t1) / (n2 - n1)
    if t2 >= limit_ms:
        return float(n2), slope * 1000
    if slope <= 0:
        return None, slope * 1000
    return n2 + (limit_ms - t2) / slope, slope * 1000


def limits(sizes: dict[int, dict[str, Any]]) -> str:
    """Where each kind of search passes one second in a fresh process (100 ms for the warm server request), by
    the straight line through the two largest sizes: a markdown table."""
    lines = ["| cost | at the largest size | growth per 1,000 articles | reaches the limit at about |",
             "|---|---|---|---|"]
    for key, label in CURVE_ROWS:
        if key == "python_pass" or key in ("check", "export", "freshness") or key.startswith("alias"):
            continue
        points = _points(sizes, key)
        if len(points) < 2:
            continue
        limit = 100.0 if key.startswith("serve") else 1000.0
        where, per_thousand = crossing(points, limit)
        reach = ("does not grow" if where is None else
                 f"already past {_ms(limit)}" if where <= points[-1][0] else f"{where:,.0f} articles ({_ms(limit)})")
        lines.append(f"| {label.replace('|', '/')} | {_ms(points[-1][1])} at {points[-1][0]:,} | "
                     f"{per_thousand:+.2f} ms | {reach} |")
    return "\n".join(lines) + "\n"


def _points(sizes: dict[int, dict[str, Any]], key: str) -> list[tuple[int, float]]:
    points = []
    for size, data in sizes.items():
        row = data["rows"].get(key)
        if row and not row.get("error") and row.get("median_ms"):
            points.append((size, float(row["median_ms"])))
    return points


def svg(sizes: dict[int, dict[str, Any]], title: str = "newsarc: time against archive size") -> str:
    """A log-log line plot of every PLOTTED row's median against the archive size, as SVG text."""
    series = [(key, label, _points(sizes, key)) for key, label in CURVE_ROWS if key in PLOTTED]
    series = [s for s in series if len(s[2]) >= 2]
    width, height, left, right, top, bottom = 900, 560, 70, 330, 40, 50
    xs = [x for _, _, pts in series for x, _ in pts] or [1000, 1_000_000]
    ys = [y for _, _, pts in series for _, y in pts] or [1, 1000]
    x0, x1 = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    y0, y1 = 10 ** math.floor(math.log10(min(ys))), 10 ** math.ceil(math.log10(max(ys)))
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + plot_w * (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))

    def py(y: float) -> float:
        return top + plot_h * (1 - (math.log10(y) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15">{_esc(title)}</text>']
    decade = x0
    while decade <= x1:
        x = px(decade)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{decade:,}</text>')
        decade *= 10
    decade = y0
    while decade <= y1:
        y = py(decade)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_ms(decade)}</text>')
        decade *= 10
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">articles in the archive '
               f'(log)</text>')
    out.append(f'<text x="16" y="{top + plot_h / 2}" transform="rotate(-90 16 {top + plot_h / 2})" '
               f'text-anchor="middle">median wall time (log)</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
    # Slope 1 through the one-word search's first point: a cost proportional to the archive would run parallel.
    anchor = next((pts for key, _, pts in series if key == "search_term"), None)
    if anchor:
        (ax, ay), bx = anchor[0], max(xs)
        by = ay * bx / ax
        if by > y1:
            bx, by = ax * y1 / ay, y1
        out.append(f'<line x1="{px(ax):.1f}" y1="{py(ay):.1f}" x2="{px(bx):.1f}" y2="{py(by):.1f}" stroke="#999" '
                   f'stroke-dasharray="5,4"/>')
    legend_y = top + 6
    for number, (_key, label, points) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in points)
        ly = legend_y + 18 * number
        lx = left + plot_w + 16
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{lx + 28}" y="{ly + 4}">{_esc(label.replace("`", ""))}</text>')
    ly = legend_y + 18 * len(series)
    lx = left + plot_w + 16
    out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="#999" stroke-dasharray="5,4"/>')
    out.append(f'<text x="{lx + 28}" y="{ly + 4}">slope 1: time proportional to the archive</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.curve", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="benchmark result JSON files (later ones win)")
    parser.add_argument("--svg", type=Path, help="write the log-log plot here")
    parser.add_argument("--md", type=Path, help="write the table here (else printed)")
    parser.add_argument("--limits", action="store_true",
                        help="also the archive size where each search passes 1 s (serve: 100 ms), by the line "
                             "through the two largest sizes")
    args = parser.parse_args(argv)
    sizes = merge(args.results)
    if not sizes:
        parser.error("no measured sizes in those files")
    table = markdown(sizes) + ("\n" + limits(sizes) if args.limits else "")
    if args.md:
        args.md.write_text(table, encoding="utf-8")
    else:
        sys.stdout.write(table)
    if args.svg:
        args.svg.write_text(svg(sizes), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
