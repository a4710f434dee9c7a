"""What the benchmark runs: the interpreter, the newsarc script beside it, grep tools, and the child environment."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "bbc"
DEFAULT_CACHE = BENCH_DIR / ".cache"
DEFAULT_RESULTS = BENCH_DIR / "results"


@dataclass
class Tools:
    python: str
    newsarc: str
    rg: str | None
    grep: str
    env: dict[str, str]
    cwd: Path

    def na(self, archive: Path, *args: str) -> list[str]:
        """argv of a newsarc command on an archive."""
        return [self.newsarc, "--archive", str(archive), *args]


class ToolMissing(Exception):
    pass


def child_env() -> dict[str, str]:
    """The environment of every timed child: as a user's shell has it (bytecode cache on, no archive set)."""
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "NEWSARC_ARCHIVE", "PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC",
                 "PYTHONDEVMODE", "PYTHONWARNINGS"):
        env.pop(name, None)
    return env


def find_tools() -> Tools:
    python = sys.executable
    newsarc = Path(python).parent / "newsarc"
    found = str(newsarc) if newsarc.exists() else shutil.which("newsarc")
    if not found:
        raise ToolMissing(f"the newsarc command was not found beside {python} nor on PATH; "
                          "install newsarc in this environment (pip install -e .)")
    grep = shutil.which("grep")
    if not grep:
        raise ToolMissing("grep was not found on PATH")
    return Tools(python=python, newsarc=found, rg=shutil.which("rg"), grep=grep, env=child_env(), cwd=REPO)


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.strip().splitlines()[0] if out.strip() else ""


def machine_name() -> str:
    """hostname-arch-Ncpu, reduced to characters that are safe in a file name."""
    raw = f"{platform.node() or 'host'}-{platform.machine() or 'cpu'}-{os.cpu_count() or 0}cpu"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-.").lower() or "machine"


def today() -> str:
    return dt.date.today().isoformat()


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no",
                                "--", "newsarc"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = out.stdout.strip()
    return f"{commit}+dirty" if commit and dirty.stdout.strip() else commit


def newsarc_source_hash() -> str:
    """A digest of newsarc's Python files: tells whether a cached build was made by the code measured now."""
    try:
        import newsarc
    except ImportError:
        return ""
    package = Path(newsarc.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
