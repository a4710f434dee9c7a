"""The targets of issue 6, checked against a run's results (informational: a MISS never fails the run).

Each target names the size it is set for (100,000 articles unless it holds at any size). When that size was not
measured, it is checked at the largest size that was, and the verdict says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TARGET_SIZE = 100_000
MILLION = 1_000_000


@dataclass(frozen=True)
class Target:
    name: str
    text: str
    key: str  # the row whose value is checked
    # "ratio_pass" | "ratio_grep" | "ratio_raw" | "ratio_plain" | "ratio_cli" | "ratio_yaml" | "ratio_search" |
    # "rss_mb" | "median_ms" | "p95_ms" | "p95_ratio_alone"
    measure: str
    limit: float
    at_least: bool = False  # True: value >= limit passes; else value <= limit (or < for ratio_grep)
    size: int | None = TARGET_SIZE  # None: checked against the size-independent baselines


TARGETS: tuple[Target, ...] = (
    Target("version", "`newsarc --version` <= 5x `python -c pass`", "version", "ratio_pass", 5, size=None),
    Target("term", "one-word search <= 20x `python -c pass`", "search_term", "ratio_pass", 20),
    Target("term-grep", "one-word search faster than the grep baseline", "search_term", "ratio_grep", 1),
    Target("and", "two-word AND search <= 20x `python -c pass`", "search_and", "ratio_pass", 20),
    Target("and-grep", "two-word AND search faster than the grep baseline", "search_and", "ratio_grep", 1),
    Target("phrase", "phrase search <= 40x `python -c pass`", "search_phrase", "ratio_pass", 40),
    Target("tag", "tag-filtered search <= 40x `python -c pass`", "search_tag", "ratio_pass", 40),
    Target("date", "date-range search <= 40x `python -c pass`", "search_date", "ratio_pass", 40),
    Target("show", "`show ID` (8-char prefix) <= 12x `python -c pass`", "show", "ratio_pass", 12),
    Target("list", "`list --limit 20` <= 12x `python -c pass`", "list", "ratio_pass", 12),
    Target("add", "`add one.txt` <= 50x `python -c pass`", "add", "ratio_pass", 50),
    # issue 25: how fast Ctrl-C takes effect is measured here, not asserted by the tests
    Target("ctrl-c", "Ctrl-C stops a bulk add within 2 s (p95, signal to exit)", "ctrl_c", "p95_ms", 2000),
    Target("ingest", "bulk ingest (import) >= 0.8x raw-Whoosh throughput", "import", "ratio_raw", 0.8,
           at_least=True),
    Target("ingest-rss", "bulk ingest peak RSS <= 400 MB", "import", "rss_mb", 400),
    Target("reindex", "reindex >= 0.8x raw-Whoosh throughput", "reindex", "ratio_raw", 0.8, at_least=True),
    Target("reindex-rss", "reindex peak RSS <= 400 MB", "reindex", "rss_mb", 400),
    # issue 14: bulk work against plain Whoosh (>= 0.6x at 2k and 20k, >= 0.5x at 100k), common words at scale
    Target("add-plain", "add FOLDER >= 0.6x plain-Whoosh throughput", "add_folder", "ratio_plain", 0.6,
           at_least=True, size=20_000),
    Target("import-plain", "import JSONL >= 0.6x plain-Whoosh throughput", "import_run", "ratio_plain", 0.6,
           at_least=True, size=20_000),
    Target("reindex-plain", "reindex >= 0.6x plain-Whoosh throughput", "reindex", "ratio_plain", 0.6,
           at_least=True, size=20_000),
    Target("common-phrase", "common-word phrase search <= 40x `python -c pass`", "search_common_phrase",
           "ratio_pass", 40),
    Target("common-date", "common word + date range <= 40x `python -c pass`", "search_common_date", "ratio_pass",
           40),
    Target("check", "`check` <= 3x reading every article file with PyYAML's C loader", "check", "ratio_yaml", 3,
           size=20_000),
    Target("alias-suggest", "`alias suggest` <= 10x a `newsarc search` process (unchanged archive: cached)",
           "alias_suggest", "ratio_search", 10, size=20_000),
    Target("export-rss", "export of everything: peak RSS <= 150 MB", "export", "rss_mb", 150),
    Target("freshness", "freshness check <= 20 ms per command (in-process)", "freshness", "median_ms", 20),
    Target("serve-20k", "warm `GET /api/search` median <= 0.25x the `newsarc search` process", "serve_search",
           "ratio_cli", 0.25, size=20_000),
    # issue 24.3-4: at 100,000 articles, common words as cheap as rare ones; did-you-mean adds <= 100 ms
    Target("and-100k", "common-word AND (`oil prices`) <= 18x `python -c pass`", "search_and", "ratio_pass", 18),
    Target("common-phrase-100k", "common-word phrase (`\"oil prices\"`) <= 25x `python -c pass`",
           "search_common_phrase", "ratio_pass", 25),
    Target("rare-100k", "rare word <= 13x `python -c pass`", "search_rare", "ratio_pass", 13),
    Target("suggest-100k", "did-you-mean adds <= 100 ms to a search (vs the rare word's)", "search_suggest",
           "extra_ms", 100),
    # issue 24.2: at 1,000,000 articles
    Target("build-rss-1m", "archive build (import) peak RSS <= 300 MB", "import", "rss_mb", 300, size=MILLION),
    Target("term-1m", "one-word search <= 20x `python -c pass`", "search_term", "ratio_pass", 20, size=MILLION),
    Target("and-1m", "common-word AND <= 30x `python -c pass`", "search_and", "ratio_pass", 30, size=MILLION),
    Target("tag-1m", "--tag search <= 30x `python -c pass`", "search_tag", "ratio_pass", 30, size=MILLION),
    Target("date-1m", "date-range search <= 30x `python -c pass`", "search_date", "ratio_pass", 30, size=MILLION),
    Target("common-date-1m", "common word + date range <= 30x `python -c pass`", "search_common_date",
           "ratio_pass", 30, size=MILLION),
    Target("phrase-1m", "phrase search <= 50x `python -c pass`", "search_phrase", "ratio_pass", 50, size=MILLION),
    Target("common-phrase-1m", "common-word phrase <= 50x `python -c pass`", "search_common_phrase", "ratio_pass",
           50, size=MILLION),
    Target("show-1m", "`show ID` <= 12x `python -c pass`", "show", "ratio_pass", 12, size=MILLION),
    Target("list-1m", "`list --limit 20` <= 12x `python -c pass`", "list", "ratio_pass", 12, size=MILLION),
    Target("add-1m", "`add one.txt` <= 60x `python -c pass`", "add", "ratio_pass", 60, size=MILLION),
    Target("freshness-1m", "freshness check <= 20 ms per command (in-process)", "freshness", "median_ms", 20,
           size=MILLION),
    Target("check-1m", "`check` <= 3x reading every article file with PyYAML's C loader", "check", "ratio_yaml", 3,
           size=MILLION),
    Target("serve-100k", "warm `GET /api/search` median <= 0.25x the `newsarc search` process", "serve_search",
           "ratio_cli", 0.25),
    # issue 21, point 7: one client sending the worst queries must not stall the others
    Target("serve-worst-20k", "p95 of 8 clients while a ninth sends the worst queries <= 2x their p95 alone",
           "serve_search_8_worst", "p95_ratio_alone", 2, size=20_000),
    Target("serve-worst-100k", "p95 of 8 clients while a ninth sends the worst queries <= 2x their p95 alone",
           "serve_search_8_worst", "p95_ratio_alone", 2),
)


def _value(row: dict[str, Any] | None, measure: str) -> float | None:
    if not row or row.get("error"):
        return None
    if measure == "rss_mb":
        return row.get("peak_rss_mb")
    return row.get(measure)


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One verdict per target: PASS, MISS, or ERROR (the measurement is missing or failed)."""
    sizes = sorted(int(s) for s in results["sizes"])
    verdicts = []
    for target in TARGETS:
        if target.size is None:
            row, at = results["baselines"].get(target.key), None
        else:
            at = target.size if target.size in sizes else (sizes[-1] if sizes else None)
            row = results["sizes"][str(at)]["rows"].get(target.key) if at is not None else None
        value = _value(row, target.measure)
        if value is None:
            verdict = "ERROR"
            detail = (row or {}).get("error") or "not measured"
        else:
            if target.at_least:
                ok = value >= target.limit
            elif target.measure == "ratio_grep":
                ok = value < target.limit
            else:
                ok = value <= target.limit
            verdict = "PASS" if ok else "MISS"
            detail = ""
        if at is not None and target.size is not None and at != target.size:
            detail = (detail + "; " if detail else "") + f"at {at:,} articles; the target is for {target.size:,}"
        verdicts.append({
            "name": target.name, "target": target.text, "key": target.key, "measure": target.measure,
            "limit": target.limit, "at_size": at, "value": value, "verdict": verdict, "detail": detail,
        })
    return verdicts
