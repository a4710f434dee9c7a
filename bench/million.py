"""The 1,000,000-article archive (issue 24): built once, outside the repository, then measured like the other sizes.

    python -m bench.million build --data /work/million-data     # generate + `newsarc import`: ~1-2 h on 2 cores
    python -m bench --sizes 1000000 --cache-dir /work/million-data --skip-indexing --repeat 5 --heavy-runs 1

The build is the benchmark's own (bench.archives.ensure_archive: the same generator, so the first 100,000 articles
are the 100,000-article archive; `newsarc import` of the JSONL as one process, its wall time and the peak of the
summed RSS of its process group, i.e. the command and its indexing helper). What the other sizes do not need and a
build of an hour does: the load average, sampled every 30 s while it runs (the machine's two cores are shared, so
the wall time is only as good as the load beside it), written to `build-load.json` beside `build.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench import archives
from bench.corpus import DEFAULT_SEED, load_corpus
from bench.tools import DEFAULT_CORPUS, find_tools

MILLION = 1_000_000


class LoadSampler:
    """The 1-minute load average every `every` seconds on a thread, summarised as min/median/max."""

    def __init__(self, every: float = 30.0):
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.time()

    def _run(self) -> None:
        while True:
            self.samples.append((round(time.time() - self._start, 1), os.getloadavg()[0]))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def summary(self) -> dict[str, Any]:
        values = sorted(load for _, load in self.samples)
        if not values:
            return {}
        return {"loadavg_1min_min": values[0], "loadavg_1min_median": values[len(values) // 2],
                "loadavg_1min_max": values[-1], "samples": self.samples}


def build(data: Path, size: int, seed: int, corpus_dir: Path) -> int:
    tools = find_tools()
    corpus = load_corpus(corpus_dir)
    print(f"building {size:,} articles into {data} (load average {os.getloadavg()})", file=sys.stderr, flush=True)
    with LoadSampler() as load:
        built = archives.ensure_archive(tools, corpus, corpus_dir, data, size, seed, use_cache=True,
                                        log=lambda message: print(message, file=sys.stderr, flush=True))
    if built.error:
        print(built.error, file=sys.stderr)
        return 1
    home = built.root.parent
    if not built.cached:
        (home / "build-load.json").write_text(json.dumps(load.summary(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({**built.build, **archives.disk_usage(built.root)}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.million", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="generate the articles and `newsarc import` them (cached)")
    make.add_argument("--data", type=Path, required=True, help="where the archive goes (outside the repository)")
    make.add_argument("--size", type=int, default=MILLION, help="articles (default: %(default)s)")
    make.add_argument("--seed", type=int, default=DEFAULT_SEED)
    make.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    return build(args.data.expanduser().resolve(), args.size, args.seed, args.corpus.expanduser().resolve())


if __name__ == "__main__":
    sys.exit(main())
