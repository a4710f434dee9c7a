"""The memory one merge takes (issue 24.2): merge the big segments of a copy of an archive's index, as the merge
policy's biggest merges do, in one process, and report its resident memory before, at the peak and after.

    python -m bench.merge_memory ARCHIVE [--all]

ARCHIVE's index is copied to a temporary directory first (the archive is not changed). By default the segments
of 10,000 documents or more are merged into one (at 250,000 articles of the benchmark: eight of 28,500-30,000,
the 238,500-document merge an import makes at ~490,000 articles); `--all` merges every segment. The process's
RSS is sampled every 20 ms on a thread (VmRSS, and RssAnon: the anonymous memory, not the index files' pages).
Run it with each version's code (each in its own checkout and environment) on the same archive to compare them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BIG_SEGMENT = 10_000  # documents: the merge policy's level 5 and up (newsarc.index.merge_policy)


def _status() -> dict[str, int]:
    """VmRSS, RssAnon and RssFile of this process, in MB (Linux)."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) // 1024
    return out


class _Sampler:
    def __init__(self) -> None:
        self.peak = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            for key, value in _status().items():
                self.peak[key] = max(self.peak[key], value)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def merge(index_dir: Path, *, every_segment: bool) -> dict[str, Any]:
    """Merge the index in index_dir (a copy) with newsarc's writer; what it took."""
    from whoosh import index
    from whoosh.reading import SegmentReader

    from newsarc.index import whoosh_internals
    from newsarc.index.whoosh_files import INDEX_NAME

    whoosh_internals.load()
    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
    counts = [segment.doc_count_all() for segment in ix._segments()]

    def merge_big(writer: Any, segments: list[Any]) -> list[Any]:
        kept = [s for s in segments if not every_segment and s.doc_count_all() < BIG_SEGMENT]
        for segment in segments:
            if segment not in kept:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
        return kept

    before = _status()
    started = time.perf_counter()
    with _Sampler() as sampler:
        writer = GroupedSegmentWriter(ix, limitmb=128, timeout=30.0, compound=False)
        writer.commit(mergetype=merge_big)
    seconds = time.perf_counter() - started
    after = _status()
    merged = sum(c for c in counts if every_segment or c >= BIG_SEGMENT)
    now = index.open_dir(str(index_dir), indexname=INDEX_NAME)._segments()
    return {"segments_before": counts, "documents_merged": merged, "seconds": round(seconds, 1),
            "before_mb": before, "peak_mb": sampler.peak, "after_mb": after,
            "segments_after": [segment.doc_count_all() for segment in now]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.merge_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--all", action="store_true", help="merge every segment, not only those of 10,000+")
    args = parser.parse_args(argv)
    source = args.archive / ".newsarc" / "index"
    if not source.is_dir():
        print(f"bench.merge_memory: no index at {source}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="merge-memory-") as scratch:
        copy = Path(scratch) / "index"
        shutil.copytree(source, copy)
        result = merge(copy, every_segment=args.all)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
