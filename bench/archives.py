"""Test archives: generated as JSONL, ingested with `newsarc import` (timed: the bulk-ingest figure), cached.

A cached archive lives in <cache>/<size>-seed<seed>-gen<generator>-corpus<corpus>-<newsarc state schema>/:

    articles.jsonl   the generated articles (also the input of the raw-Whoosh baseline)
    archive/         the newsarc archive built from it
    build.json       what the build measured (import wall time, peak RSS) and which newsarc made it

Any change of the generator, the corpus or newsarc's catalog/index schema gives another key, and the old
archive of the same size and seed is deleted. A build that fails leaves nothing in the cache.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import Corpus, corpus_fingerprint, generator_hash, write_jsonl
from bench.measure import MeasureError, run_process
from bench.tools import Tools, newsarc_source_hash


@dataclass
class BuiltArchive:
    size: int
    seed: int
    root: Path
    jsonl: Path
    build: dict[str, Any] = field(default_factory=dict)
    cached: bool = False
    error: str | None = None


def state_schema() -> str:
    from newsarc.index import default_engine
    from newsarc.storage.store import state_schema as schema_of

    return schema_of(default_engine())


def cache_key(size: int, seed: int, corpus_dir: Path) -> str:
    return f"{size}-seed{seed}-gen{generator_hash()}-corpus{corpus_fingerprint(corpus_dir)}-{state_schema()}"


def import_timeout(size: int) -> float:
    """Generous: ~30 articles/s would still finish."""
    return 300 + size / 30


def ensure_archive(tools: Tools, corpus: Corpus, corpus_dir: Path, cache_dir: Path, size: int, seed: int, *,
                   use_cache: bool, log: Any = print) -> BuiltArchive:
    key = cache_key(size, seed, corpus_dir)
    home = cache_dir / key
    built = BuiltArchive(size, seed, home / "archive", home / "articles.jsonl")
    if use_cache and (home / "build.json").is_file() and (built.root / "newsarc.yaml").is_file():
        built.build = json.loads((home / "build.json").read_text(encoding="utf-8"))
        built.cached = True
        return built
    for old in cache_dir.glob(f"{size}-seed{seed}-*"):
        shutil.rmtree(old, ignore_errors=True)  # other generator/schema versions of this archive
    work = cache_dir / f".building-{key}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        built.build = _build(tools, corpus, work, size, seed, log)
        (work / "build.json").write_text(json.dumps(built.build, indent=2) + "\n", encoding="utf-8")
        work.rename(home)
    except MeasureError as exc:
        built.error = f"archive build failed: {exc}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return built


def _build(tools: Tools, corpus: Corpus, work: Path, size: int, seed: int, log: Any) -> dict[str, Any]:
    jsonl = work / "articles.jsonl"
    started = time.perf_counter()
    nbytes = write_jsonl(corpus, jsonl, size, seed)
    generated = time.perf_counter() - started
    log(f"  generated {size:,} articles ({nbytes / 2**20:.0f} MB JSONL) in {generated:.1f} s; importing...")
    archive = work / "archive"
    init = run_process(tools.na(archive, "init", str(archive)), timeout=60, env=tools.env, cwd=tools.cwd)
    if init.returncode != 0:
        raise MeasureError(f"newsarc init failed: {init.tail()}")
    argv = tools.na(archive, "import", str(jsonl))
    run = run_process(argv, timeout=import_timeout(size), env=tools.env, cwd=tools.cwd, whole_group_rss=True)
    if run.timed_out:
        raise MeasureError(f"newsarc import timed out after {run.seconds:.0f} s")
    if run.returncode != 0:
        raise MeasureError(f"newsarc import exited {run.returncode}: {run.tail()}")
    summary = run.stdout.decode("utf-8", "replace").strip().splitlines()
    imported = _imported_count(summary[-1] if summary else "")
    if imported != size:
        raise MeasureError(f"newsarc import added {imported} of {size} articles: {summary[-1:]}")
    log(f"  imported {size:,} articles in {run.seconds:.1f} s ({size / run.seconds:.0f} articles/s, "
        f"peak RSS {run.maxrss_kb / 1024:.0f} MB)")
    return {
        "size": size,
        "seed": seed,
        "jsonl_bytes": nbytes,
        "generate_s": round(generated, 3),
        "import_cmd": "newsarc --archive ARCHIVE import articles.jsonl",
        "import_s": round(run.seconds, 3),
        "import_articles_per_s": round(size / run.seconds, 1),
        "import_peak_rss_mb": round(run.maxrss_kb / 1024, 1),
        "import_output": summary[-1] if summary else "",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "newsarc_source": newsarc_source_hash(),
        "state_schema": state_schema(),
        "generator": generator_hash(),
    }


def write_text_folder(jsonl: Path, folder: Path, limit: int | None = None) -> int:
    """The articles of a JSONL file (the first `limit` of them) as plain-text files (title, Source/date/Tags
    header, body), as a user's folder of saved stories looks: the input of the `add FOLDER` and Ctrl-C
    measurements. Returns the number written."""
    import datetime as dt

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(jsonl, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            record = json.loads(line)
            header = [record["title"]]
            if record.get("source"):
                header.append(f"Source: {record['source']}")
            if record.get("date"):
                day = dt.date.fromisoformat(record["date"][:10])
                header.append(f"{day.day} {day:%B %Y}")
            if record.get("tags"):
                header.append("Tags: " + ", ".join(record["tags"]))
            text = "\n".join(header) + "\n\n" + record["body"] + "\n"
            (folder / f"{number:06d}.txt").write_text(text, encoding="utf-8")
            count += 1
    return count


def _imported_count(line: str) -> int:
    """N from newsarc import's summary `N imported, M already in the archive, K failed`."""
    first = line.split(" ", 1)[0]
    return int(first) if first.isdigit() else -1


def disk_usage(root: Path) -> dict[str, float]:
    """MB of article YAML and of derived state (index + catalog), and the number of article files."""
    def walk(path: Path) -> tuple[int, int]:
        total = count = 0
        for item in path.rglob("*"):
            if item.is_file():
                total += item.stat().st_size
                count += 1
        return total, count

    articles, files = walk(root / "articles")
    index, _ = walk(root / ".newsarc" / "index")
    catalog = (root / ".newsarc" / "catalog.sqlite")
    return {"articles_mb": round(articles / 2**20, 1), "article_files": files,
            "index_mb": round(index / 2**20, 1),
            "catalog_mb": round(catalog.stat().st_size / 2**20, 1) if catalog.exists() else 0.0}
