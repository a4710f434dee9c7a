"""Every console block of the README runs as written: the commands are executed in order, in a sandbox laid out
like a checkout (the shipped sample archive in `archive/`, `../shared` beside it, a temporary home), and what they
print is compared with the README.

In the README, `...` on a line of its own stands for any number of lines, `...` inside a line for any text, and
`[exit N]` after a command's output for its exit status (0 otherwise). Times (`added:` stamps, durations) are
masked on both sides. Ids need no mask: they are derived from the content.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import need_shared

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
_MASKS = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"), "<TIME>"),
    (re.compile(r"\b\d+(?:\.\d+)? s\b"), "<N> s"),
]


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)
    exit_code: int = 0
    line: int = 0  # where the command stands in the README


def console_blocks(text: str) -> list[list[Step]]:
    blocks: list[list[Step]] = []
    current: list[Step] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None:
            if line.strip() == "```console":
                current = []
            continue
        if line.strip() == "```":
            blocks.append(current)
            current = None
        elif line.startswith("$ "):
            current.append(Step(line[2:], line=number))
        elif current and (exit_mark := re.fullmatch(r"\[exit (\d+)\]", line.strip())):
            current[-1].exit_code = int(exit_mark.group(1))
        elif current:
            current[-1].expected.append(line)
    return blocks


def _normalise(lines: list[str], home: Path) -> list[str]:
    out = []
    for line in lines:
        line = line.replace(str(home), "~").rstrip()
        for pattern, mask in _MASKS:
            line = pattern.sub(mask, line)
        out.append(line)
    return out


def _line_matches(expected: str, actual: str) -> bool:
    if "..." not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """`expected` (with `...` lines and in-line wildcards) against `actual`, line by line."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(output_matches(rest, actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and _line_matches(head, actual[0]) and output_matches(rest, actual[1:])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    need_shared(SHARED / "seeds")
    base = tmp_path_factory.mktemp("readme")
    checkout = base / "newsarc"
    checkout.mkdir()
    shutil.copytree(ROOT / "archive", checkout / "archive", ignore=shutil.ignore_patterns(".newsarc"))
    (base / "shared").symlink_to(SHARED, target_is_directory=True)
    home = base / "home"
    home.mkdir()
    return {"checkout": checkout, "home": home}


def test_every_console_block_of_the_readme_runs_as_written(sandbox: dict[str, Path]) -> None:
    blocks = console_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 2 and all(blocks), "the README lost its console blocks"
    env = {**os.environ, "HOME": str(sandbox["home"]), "XDG_DATA_HOME": str(sandbox["home"] / ".local/share"),
           "COLUMNS": "120", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for key in ("NEWSARC_ARCHIVE", "NO_COLOR", "FORCE_COLOR"):
        env.pop(key, None)
    for block in blocks:
        for step in block:
            result = subprocess.run(["bash", "-c", step.command], cwd=sandbox["checkout"], env=env, text=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    timeout=600)
            actual = _normalise(result.stdout.splitlines(), sandbox["home"])
            expected = _normalise(step.expected, sandbox["home"])
            where = f"README.md line {step.line}: $ {step.command}"
            assert result.returncode == step.exit_code, f"{where}\nexit {result.returncode}\n{result.stdout}"
            assert output_matches(expected, actual), (
                f"{where}\n--- README\n" + "\n".join(expected) + "\n--- printed\n" + "\n".join(actual))
