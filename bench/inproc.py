"""Measurements taken inside one Python process, run as a child of the benchmark: prints one JSON object.

    python -m bench.inproc freshness ARCHIVE [--runs N] [--full-runs N]
    python -m bench.inproc rawwhoosh ARTICLES.jsonl INDEX_DIR
    python -m bench.inproc plainwhoosh ARTICLES.jsonl INDEX_DIR
    python -m bench.inproc readyaml ARCHIVE

freshness: the cost of the index freshness check every command pays, on an unchanged archive: Store.refresh(
write=False) on a new Store each time (what a command pays: opening the catalog included), on one Store
reused, and with the full stat scan forced (what the periodic/small-archive scan costs).

rawwhoosh: the floor of indexing in Whoosh: the same documents newsarc would index (its schema and
document_for), added with newsarc's bulk writer settings in commits of newsarc.store.BATCH, with nothing else
(no YAML, no catalog). Only the Whoosh calls are timed; building the documents is not.

plainwhoosh: what a plain Whoosh user would build over the same articles (issue 14): title and body with
Whoosh's StemmingAnalyzer, stored; tags as a KEYWORD field; one writer with limitmb=128 and one commit. Only the
Whoosh calls are timed. newsarc's add, import and reindex are compared with its throughput.

readyaml: the floor of `newsarc check`: read and parse every article file under ARCHIVE/articles with PyYAML's
C loader (CSafeLoader), nothing else.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def _summary(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]
    return {"runs": len(samples), "median_ms": round(statistics.median(samples) * 1000, 3),
            "p95_ms": round(p95 * 1000, 3), "min_ms": round(ordered[0] * 1000, 3)}


def freshness(archive: Path, runs: int, full_runs: int) -> dict[str, Any]:
    from newsarc.api import open_store

    warm = open_store(archive)
    first = time.perf_counter()
    changes = warm.refresh(write=False)  # brings a stale index up to date (and may run the periodic full scan)
    first = time.perf_counter() - first
    fresh_store, reused, full = [], [], []
    for _ in range(runs):
        store = open_store(archive)
        started = time.perf_counter()
        result = store.refresh(write=False)
        fresh_store.append(time.perf_counter() - started)
        store.close()
        if result is None:
            raise SystemExit("the archive lock was busy: another process is writing to the archive")
        if result:
            raise SystemExit(f"the archive changed during the measurement: {result.article_count} articles")
    for _ in range(runs):
        started = time.perf_counter()
        warm.refresh(write=False)
        reused.append(time.perf_counter() - started)
    for _ in range(full_runs):
        started = time.perf_counter()
        warm.refresh(write=False, full=True)
        full.append(time.perf_counter() - started)
    count = warm.catalog.count()
    settings = warm.archive.settings
    warm.close()
    return {
        "articles": count,
        "first_call_ms": round(first * 1000, 3),
        "first_call_changes": changes.article_count if changes else 0,
        "new_store": _summary(fresh_store),
        "reused_store": _summary(reused),
        "full_scan": _summary(full),
        "full_scan_max_files": settings.get("full_scan_max_files"),
        "full_scan_every_command": count <= int(settings.get("full_scan_max_files", 0)),
    }


def rawwhoosh(jsonl: Path, index_dir: Path) -> dict[str, Any]:
    from newsarc.api import finalise_new
    from newsarc.article import Article
    from newsarc.index.whoosh_backend import WhooshBackend, document_for
    from newsarc.storage.archive import Archive
    from newsarc.storage.store import BATCH

    shutil.rmtree(index_dir, ignore_errors=True)
    backend = WhooshBackend(index_dir)
    backend.create()
    layout = Archive(index_dir.parent)
    writer_args = _writer_args(backend)
    index_seconds = 0.0
    count = 0
    started = time.perf_counter()
    with open(jsonl, encoding="utf-8") as handle:
        while True:
            docs = []
            for line in handle:
                article = finalise_new(Article.from_dict(json.loads(line)))
                docs.append(document_for(layout.relpath_for(article), article))
                if len(docs) >= BATCH:
                    break
            if not docs:
                break
            t0 = time.perf_counter()
            writer = backend.writer(bulk=True)
            for doc in docs:
                writer.add_document(**doc)
            writer.commit()
            index_seconds += time.perf_counter() - t0
            count += len(docs)
    wall = time.perf_counter() - started
    backend.close()
    return _indexing_result(count, index_seconds, wall, index_dir, writer_args, batch=BATCH)


def plainwhoosh(jsonl: Path, index_dir: Path) -> dict[str, Any]:
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    schema = fields.Schema(title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
                           body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
                           tags=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True))
    ix = index.create_in(str(index_dir), schema)
    index_seconds = 0.0
    count = 0
    started = time.perf_counter()
    t0 = time.perf_counter()
    writer = ix.writer(limitmb=128)
    index_seconds += time.perf_counter() - t0
    with open(jsonl, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            doc = {"title": record.get("title") or "", "body": record.get("body") or "",
                   "tags": ",".join(record.get("tags") or [])}
            t0 = time.perf_counter()
            writer.add_document(**doc)
            index_seconds += time.perf_counter() - t0
            count += 1
    t0 = time.perf_counter()
    writer.commit()
    index_seconds += time.perf_counter() - t0
    wall = time.perf_counter() - started
    ix.close()
    return _indexing_result(count, index_seconds, wall, index_dir,
                            "one SegmentWriter, limitmb=128, one commit; StemmingAnalyzer title/body, KEYWORD tags")


def _indexing_result(count: int, index_seconds: float, wall: float, index_dir: Path, writer: str,
                     **extra: Any) -> dict[str, Any]:
    """What an indexing baseline prints: articles, the time in Whoosh calls, wall time, index size, peak RSS."""
    size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
    return {
        "articles": count,
        "index_s": round(index_seconds, 3),
        "wall_s": round(wall, 3),
        "articles_per_s": round(count / index_seconds, 1) if index_seconds else None,
        **extra,
        "writer": writer,
        "index_mb": round(size / 2**20, 1),
        "self_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def readyaml(archive: Path) -> dict[str, Any]:
    import os

    import yaml

    started = time.perf_counter()
    count = 0
    for directory, _dirs, files in os.walk(archive / "articles"):
        for name in files:
            if name.endswith(".yaml"):
                with open(os.path.join(directory, name), "rb") as handle:
                    yaml.load(handle, Loader=yaml.CSafeLoader)
                count += 1
    seconds = time.perf_counter() - started
    return {"articles": count, "seconds": round(seconds, 3)}


def _writer_args(backend: Any) -> str:
    """The settings newsarc's bulk writer uses, read back from a writer (for the record)."""
    writer = backend.writer(bulk=True)
    try:
        pool = getattr(writer, "pool", None)
        limit = getattr(pool, "limit", None)
        procs = type(writer).__name__
        return f"{procs} limitmb={round(limit / 2**20) if limit else '?'} compound={getattr(writer, 'compound', '?')}"
    finally:
        writer.cancel()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inproc")
    sub = parser.add_subparsers(dest="what", required=True)
    fresh = sub.add_parser("freshness")
    fresh.add_argument("archive", type=Path)
    fresh.add_argument("--runs", type=int, default=50)
    fresh.add_argument("--full-runs", type=int, default=5)
    raw = sub.add_parser("rawwhoosh")
    raw.add_argument("jsonl", type=Path)
    raw.add_argument("index_dir", type=Path)
    plain = sub.add_parser("plainwhoosh")
    plain.add_argument("jsonl", type=Path)
    plain.add_argument("index_dir", type=Path)
    read = sub.add_parser("readyaml")
    read.add_argument("archive", type=Path)
    args = parser.parse_args(argv)
    if args.what == "freshness":
        result = freshness(args.archive, args.runs, args.full_runs)
    elif args.what == "plainwhoosh":
        result = plainwhoosh(args.jsonl, args.index_dir)
    elif args.what == "readyaml":
        result = readyaml(args.archive)
    else:
        result = rawwhoosh(args.jsonl, args.index_dir)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
