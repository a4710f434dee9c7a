"""The results as a table (terminal and markdown) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# (key, label, kind): the rows of the table, in order. kind: time (whole process), inproc, latency (from a
# signal to the exit), throughput, rss.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("python_pass", "baseline: `python -c pass`", "time"),
    ("search_term", "search: one word", "time"),
    ("search_and", "search: two words (AND)", "time"),
    ("search_phrase", "search: phrase", "time"),
    ("search_tag", "search: word + --tag", "time"),
    ("search_date", "search: word + --since/--until", "time"),
    ("search_common_phrase", "search: common-word phrase", "time"),
    ("search_common_date", "search: common word + --since/--until", "time"),
    ("search_rare", "search: rare word (0.1% of articles)", "time"),
    ("search_suggest", "search: misspelt word, did-you-mean (vs rare word)", "time"),
    ("serve_search_first", "serve: GET /api/search, first request of distinct queries", "serve"),
    ("serve_search", "serve: GET /api/search, warm (vs search: one word)", "serve"),
    ("serve_search_8", "serve: GET /api/search, 8 concurrent clients", "serve"),
    ("serve_search_8_worst", "serve: 8 clients while a ninth sends the worst queries", "serve"),
    ("grep_term", "baseline: {grep} (one word)", "time"),
    ("grep_and", "baseline: {grep} (AND pipeline)", "time"),
    ("grep2_term", "baseline: grep -ril (one word)", "time"),
    ("grep2_and", "baseline: grep (AND pipeline)", "time"),
    ("show", "show ID (8-char prefix)", "time"),
    ("list", "list --limit 20", "time"),
    ("stats", "stats (check + counts, process)", "time"),
    ("freshness", "freshness check, in-process (new Store)", "inproc"),
    ("freshness_reused", "freshness check, in-process (same Store)", "inproc"),
    ("freshness_full", "full stat scan, in-process", "inproc"),
    ("add", "add one.txt", "time"),
    ("ctrl_c", "Ctrl-C to exit (add FOLDER, SIGINT mid-run)", "latency"),
    ("check", "check (whole archive)", "time"),
    ("read_yaml", "baseline: read every file with PyYAML's C loader", "time"),
    ("alias_suggest_first", "alias suggest, first run (vs search: one word)", "time"),
    ("alias_suggest", "alias suggest, unchanged archive (cached)", "time"),
    ("alias_suggest_changed", "alias suggest, right after one article was added", "time"),
    ("export", "export all (jsonl to /dev/null)", "throughput"),
    ("import", "bulk ingest: newsarc import", "throughput"),
    ("reindex", "reindex", "throughput"),
    ("raw_whoosh", "baseline: raw Whoosh indexing", "throughput"),
    ("add_folder", "add FOLDER (new archive)", "throughput"),
    ("import_run", "import JSONL (new archive)", "throughput"),
    ("plain_whoosh", "baseline: plain Whoosh indexing", "throughput"),
    ("rss:search", "peak RSS: search (max of the 5)", "rss"),
    ("rss:import", "peak RSS: import", "rss"),
    ("rss:reindex", "peak RSS: reindex", "rss"),
    ("rss:export", "peak RSS: export", "rss"),
    ("rss:raw_whoosh", "peak RSS: raw Whoosh", "rss"),
    ("rss:serve_rss", "peak RSS: newsarc serve (after the serve rows)", "rss"),
    ("rss:add_folder", "peak RSS: add FOLDER", "rss"),
    ("rss:import_run", "peak RSS: import JSONL (new archive)", "rss"),
    ("rss:plain_whoosh", "peak RSS: plain Whoosh", "rss"),
)
SEARCH_KEYS = ("search_term", "search_and", "search_phrase", "search_tag", "search_date", "search_common_phrase",
               "search_common_date", "search_rare", "search_suggest")


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _error(row: dict[str, Any]) -> str:
    message = str(row["error"])
    return "ERROR: " + (message if len(message) <= 70 else message[:67] + "...")


def _rss_row(rows: dict[str, Any], key: str) -> dict[str, Any] | None:
    name = key.split(":", 1)[1]
    if name == "search":
        found = [rows[k] for k in SEARCH_KEYS if k in rows and rows[k].get("peak_rss_mb") is not None]
        return max(found, key=lambda r: r["peak_rss_mb"]) if found else None
    return rows.get(name)


def primary(rows: dict[str, Any], key: str, kind: str) -> float | None:
    """The figure a row is compared by across sizes: median ms, articles/s, or MB."""
    row = _rss_row(rows, key) if kind == "rss" else rows.get(key)
    if not row or row.get("error"):
        return None
    if kind == "throughput":
        return row.get("articles_per_s")
    if kind == "rss":
        return row.get("peak_rss_mb")
    return row.get("median_ms")


def cell(rows: dict[str, Any], key: str, kind: str) -> str:
    row = _rss_row(rows, key) if kind == "rss" else rows.get(key)
    if row is None:
        return "-"
    if row.get("error"):
        return _error(row)
    if kind == "rss":
        return f"{row['peak_rss_mb']:.0f} MB" if row.get("peak_rss_mb") is not None else "-"
    if kind == "throughput":
        text = f"{row['articles_per_s']:.0f} art/s ({row['median_ms'] / 1000:.1f} s)"
        if row.get("ratio_raw") is not None:
            text += f" {row['ratio_raw']:.2f}x raw"
        if row.get("ratio_plain") is not None:
            text += f" {row['ratio_plain']:.2f}x plain"
        if row.get("from_cache"):
            text += " *stale" if row.get("stale") else " *"
        return text
    text = f"{_ms(row['median_ms'])} ms (p95 {_ms(row['p95_ms'])})"
    if kind == "serve":
        if row.get("ratio_cli") is not None:
            text += f" {row['ratio_cli']:.3f}x search"
        if row.get("requests_per_s") is not None:
            text += f", {row['requests_per_s']:.0f} req/s"
        if row.get("p95_ratio_alone") is not None:
            text += f", p95 {row['p95_ratio_alone']:.2f}x alone; slowest worst query {row['worst_query_max_ms']:.0f} ms"
        return text
    if kind == "time" and row.get("ratio_pass") is not None and key != "python_pass":
        text += f" {row['ratio_pass']:.1f}x"
    if row.get("ratio_grep") is not None:
        text += f", {row['ratio_grep']:.2f}x grep"
    if row.get("ratio_yaml") is not None:
        text += f", {row['ratio_yaml']:.2f}x reading the YAML"
    if row.get("ratio_search") is not None:
        text += f", {row['ratio_search']:.2f}x search"
    if row.get("extra_ms") is not None:
        text += f", +{row['extra_ms']:.0f} ms"
    return text


def growth(results: dict[str, Any], key: str, kind: str) -> str:
    sizes = sorted(results["sizes"], key=int)
    values = [primary(results["sizes"][s]["rows"], key, kind) for s in sizes]
    if len(sizes) < 2 or values[0] in (None, 0):
        return ""
    parts = [f"x{v / values[0]:.2f}" if v is not None else "-" for v in values[1:]]
    return ", ".join(parts)


def table(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the main table."""
    sizes = sorted(results["sizes"], key=int)
    grep = results["meta"].get("grep_tool", "grep")
    header = ["measurement", *[f"{int(s):,} articles" for s in sizes]]
    if len(sizes) > 1:
        header.append(f"growth vs {int(sizes[0]):,}")
    body = [["`newsarc --version`", cell(results["baselines"], "version", "time")] + [""] * (len(header) - 2),
            ["`python -c pass` (run start)", cell(results["baselines"], "python_pass", "time")]
            + [""] * (len(header) - 2)]
    for key, label, kind in ROWS:
        if not any(key in results["sizes"][s]["rows"] or kind == "rss" for s in sizes):
            continue
        cells = [cell(results["sizes"][s]["rows"], key, kind) for s in sizes]
        if all(c == "-" for c in cells):
            continue
        line = [label.format(grep=grep), *cells]
        if len(sizes) > 1:
            line.append(growth(results, key, kind))
        body.append(line)
    return header, body


def target_table(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["target", "at", "value", "verdict"]
    body = []
    for t in results["targets"]:
        value = t["value"]
        if value is None:
            shown = "-"
        elif t["measure"] in ("ratio_pass", "ratio_raw", "ratio_plain", "ratio_grep", "ratio_cli", "ratio_yaml",
                              "ratio_search", "p95_ratio_alone"):
            shown = f"{value:.2f}x"
        elif t["measure"] == "extra_ms":
            shown = f"+{value:.0f} ms"
        elif t["measure"] == "rss_mb":
            shown = f"{value:.0f} MB"
        else:
            shown = f"{value:.1f} ms"
        verdict = t["verdict"] + (f" ({t['detail']})" if t["detail"] else "")
        body.append([t["target"], f"{t['at_size']:,}" if t["at_size"] else "any", shown, verdict])
    return header, body


def _text(header: list[str], body: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body)
    return lines


def _markdown(header: list[str], body: list[list[str]]) -> list[str]:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(esc(c) for c in r) + " |" for r in body)
    return lines


def _meta_lines(results: dict[str, Any]) -> list[str]:
    m = results["meta"]
    return [
        f"date {m['date']}, machine {m['machine']} ({m['cpus']} CPUs), Python {m['python_version']}, "
        f"newsarc {m['newsarc_version']} (commit {m['git_commit'] or '?'}, schema {m['state_schema']})",
        f"command: {m['command']}",
        f"seed {m['seed']}, repeats {m['repeat']} (median and p95 of that many runs after a warm-up; "
        f"heavy steps run {m['heavy_runs']}x), grep baseline: {m['grep_tool']} ({m['grep_version']})",
        f"load average at start {m['loadavg_start']}, at end {m.get('loadavg_end')}",
    ]


NOTES = (
    "Times are whole processes (wall clock, output to a pipe or /dev/null, warm file cache), median with p95; "
    "Nx = median / median of `python -c pass` measured at the same size; 'grep' ratios compare with the grep "
    "baseline on the same article files. Throughput rows: articles/s (wall time) and ratios to raw Whoosh "
    "indexing of the same documents with newsarc's schema and writer settings ('raw') and to plain Whoosh "
    "(title/body StemmingAnalyzer, KEYWORD tags, one writer limitmb=128: 'plain'); plain Whoosh, add FOLDER, "
    "import JSONL and reindex run in alternation, so load hits both sides. '*' = import figure from when "
    "the cached archive was built ('*stale': newsarc's code has changed since); --no-cache measures it again."
)


def render_text(results: dict[str, Any]) -> str:
    lines = _meta_lines(results) + [""] + _text(*table(results)) + [""] + _text(*target_table(results))
    lines += ["", NOTES]
    return "\n".join(lines)


def render_markdown(results: dict[str, Any]) -> str:
    lines = [f"# newsarc benchmark: {results['meta']['date']} on {results['meta']['machine']}", ""]
    lines += [f"- {line}" for line in _meta_lines(results)]
    lines += ["", *_markdown(*table(results)), "", "## Targets (issues 6 and 14)", ""]
    lines += _markdown(*target_table(results))
    lines += ["", NOTES, ""]
    for size, data in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        notes = [f"{key}: {row['note']}" for key, row in data["rows"].items() if row.get("note")]
        if notes:
            lines += [f"Notes at {int(size):,}: " + "; ".join(notes), ""]
    lines += ["## Commands", ""]
    commands = {key: row["cmd"] for key, row in results["baselines"].items()}
    for data in results["sizes"].values():
        commands.update({key: row["cmd"] for key, row in data["rows"].items() if row.get("cmd")})
    lines += [f"- {key}: `{cmd}`" for key, cmd in commands.items()]
    lines += ["", "ARCHIVE is bench/.cache/<size>-seed<seed>-.../archive; every newsarc command gets "
              "--archive ARCHIVE (show: the id differs per size).", ""]
    return "\n".join(lines)


def write(results: dict[str, Any], directory: Path, stem: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{stem}.json"
    md_path = directory / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(results), encoding="utf-8")
    return json_path, md_path


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.report RESULTS.json`: print the tables again and rewrite the markdown beside the JSON."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m bench.report bench/results/<date>-<machine>.json")
    path = Path(args[0])
    results = json.loads(path.read_text(encoding="utf-8"))
    print(render_text(results))
    path.with_suffix(".md").write_text(render_markdown(results), encoding="utf-8")


if __name__ == "__main__":
    main()
