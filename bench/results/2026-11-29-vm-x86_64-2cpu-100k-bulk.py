"""Plain Whoosh, `newsarc import` and `newsarc reindex` over the benchmark's 100,000 articles, one after another.

Run from the repository with the venv's interpreter, after `python -m bench --sizes 100000` has built its archive
(bench/.cache/100000-*/articles.jsonl): `python bench/results/2026-11-29-vm-x86_64-2cpu-100k-bulk.py`.
Peak RSS is the whole process group's (the command and its index worker), as in bench/measure.py.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.measure import run_process  # noqa: E402

jsonl = next((REPO / "bench" / ".cache").glob("100000-*/articles.jsonl"))
python = sys.executable
newsarc = str(Path(sys.executable).parent / "newsarc")
scratch = Path("/tmp/newsarc-100k-bulk")
shutil.rmtree(scratch, ignore_errors=True)
run = run_process([python, "-m", "bench.inproc", "plainwhoosh", str(jsonl), str(scratch / "plain")], timeout=7200,
                  cwd=REPO)
plain = json.loads(run.stdout)
print("plain", plain, flush=True)
archive = scratch / "archive"
subprocess.run([newsarc, "init", str(archive)], check=True, capture_output=True)
for name, argv in (("import", [newsarc, "--archive", str(archive), "import", str(jsonl)]),
                   ("reindex", [newsarc, "--archive", str(archive), "reindex"])):
    run = run_process(argv, timeout=7200, whole_group_rss=True)
    print(f"{name} {run.seconds:.1f} s, {100000 / run.seconds:.0f} art/s, {plain['index_s'] / run.seconds:.2f}x plain, "
          f"peak group RSS {run.maxrss_kb / 1024:.0f} MB, rc {run.returncode}", flush=True)
shutil.rmtree(scratch, ignore_errors=True)
