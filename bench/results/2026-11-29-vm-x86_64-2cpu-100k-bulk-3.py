"""Plain Whoosh, then `newsarc import`, `newsarc reindex` and `newsarc add FOLDER` over the benchmark's 100,000
articles, one after another, after the bulk writer's third round (posting blocks zlib cannot shrink stored plain,
files parsed ahead by a helper process during `add`). Unlike -2, no archive is deleted before the last command
has run: on this VM's ext4 (no journal) inodes freed in the last minutes are skipped when new files are made, so a
command run right after a mass deletion pays for it (bench/run.py, SizeRun.indexing, has the measurement).

Run from the repository with the venv's interpreter, after `python -m bench --sizes 100000` has built its archive
(bench/.cache/100000-*/articles.jsonl): `python bench/results/2026-11-29-vm-x86_64-2cpu-100k-bulk-3.py`.
The text folder for `add` is written first, untimed (bench.archives.write_text_folder, as the benchmark does).
Peak RSS is the whole process group's (the command and its index worker), as in bench/measure.py.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.archives import write_text_folder  # noqa: E402
from bench.measure import run_process  # noqa: E402

jsonl = next((REPO / "bench" / ".cache").glob("100000-*/articles.jsonl"))
python = sys.executable
newsarc = str(Path(sys.executable).parent / "newsarc")
scratch = Path("/tmp/newsarc-100k-bulk")
shutil.rmtree(scratch, ignore_errors=True)
folder = scratch / "texts"
print("text folder:", write_text_folder(jsonl, folder), "files", flush=True)
run = run_process([python, "-m", "bench.inproc", "plainwhoosh", str(jsonl), str(scratch / "plain")], timeout=7200,
                  cwd=REPO)
plain = json.loads(run.stdout)
print("plain", plain, flush=True)
shutil.rmtree(scratch / "plain", ignore_errors=True)
for name, source, command in (("import", jsonl, "import"), ("add FOLDER", folder, "add")):
    archive = scratch / f"archive-{command}"
    subprocess.run([newsarc, "init", str(archive)], check=True, capture_output=True)
    steps = [(name, [newsarc, "--archive", str(archive), command, str(source)])]
    if command == "import":
        steps.append(("reindex", [newsarc, "--archive", str(archive), "reindex"]))
    for label, argv in steps:
        run = run_process(argv, timeout=7200, whole_group_rss=True)
        print(f"{label} {run.seconds:.1f} s, {100000 / run.seconds:.0f} art/s, "
              f"{plain['index_s'] / run.seconds:.2f}x plain, peak group RSS {run.maxrss_kb / 1024:.0f} MB, "
              f"rc {run.returncode}", flush=True)
shutil.rmtree(scratch, ignore_errors=True)
