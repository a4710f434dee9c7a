"""Bulk work at one archive size, one command after another: plain Whoosh, then `newsarc import`, `newsarc reindex`
and `newsarc add FOLDER` over the benchmark's articles (the 100,000-article rows of docs/performance.md; the
benchmark itself runs these rows in alternation only up to 20,000, where a round takes minutes, not half an hour).

Run from the repository with the venv's interpreter, after `python -m bench --sizes N` has built the archive
(bench/.cache/N-*/articles.jsonl): `python -m bench.bulk` (N = 100,000) or `python -m bench.bulk --size N`. The
text folder for `add` is written first, untimed (bench.archives.write_text_folder, as the benchmark does). Peak RSS
is the whole process group's (the command and its helper processes), as in bench/measure.py. No archive is deleted
before the last command has run: on a filesystem without a journal a command run right after a mass deletion pays
for it (bench/run.py, SizeRun.indexing, has the measurement).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.archives import write_text_folder
from bench.measure import run_process

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="articles (default: %(default)s)")
    size = parser.parse_args(argv).size
    found = sorted((REPO / "bench" / ".cache").glob(f"{size}-*/articles.jsonl"))
    if not found:
        parser.error(f"no benchmark archive of {size} articles: run `python -m bench --sizes {size}` first")
    jsonl = found[0]
    python = sys.executable
    newsarc = str(Path(sys.executable).parent / "newsarc")
    scratch = Path(tempfile.mkdtemp(prefix="newsarc-bulk-"))
    try:
        folder = scratch / "texts"
        print("text folder:", write_text_folder(jsonl, folder), "files", flush=True)
        run = run_process([python, "-m", "bench.inproc", "plainwhoosh", str(jsonl), str(scratch / "plain")],
                          timeout=7200, cwd=REPO)
        plain = json.loads(run.stdout)
        print("plain", plain, flush=True)
        for name, source, command in (("import", jsonl, "import"), ("add FOLDER", folder, "add")):
            archive = scratch / f"archive-{command}"
            subprocess.run([newsarc, "init", str(archive)], check=True, capture_output=True)
            steps = [(name, [newsarc, "--archive", str(archive), command, str(source)])]
            if command == "import":
                steps.append(("reindex", [newsarc, "--archive", str(archive), "reindex"]))
            for label, command_argv in steps:
                run = run_process(command_argv, timeout=7200, whole_group_rss=True)
                print(f"{label} {run.seconds:.1f} s, {size / run.seconds:.0f} art/s, "
                      f"{plain['index_s'] / run.seconds:.2f}x plain, peak group RSS {run.maxrss_kb / 1024:.0f} MB, "
                      f"rc {run.returncode}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
