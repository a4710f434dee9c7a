"""Files newsarc writes honour the umask, as every other tool's do (issue 11, point 17)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED, need_shared

NEWSARC = str(Path(sys.executable).with_name("newsarc"))


def newsarc(*args: str, umask: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSARC, *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          preexec_fn=lambda: os.umask(umask))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002], ids=["022", "077", "002"])
def test_articles_exports_and_gitattributes_follow_the_umask(tmp_path: Path, umask: int) -> None:
    need_shared(SEED)
    arc = tmp_path / "arc"
    assert newsarc("init", str(arc), umask=umask, cwd=tmp_path).returncode == 0
    added = newsarc("--archive", str(arc), "add", str(SEED), "--keep-original", umask=umask, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    out = tmp_path / "x.jsonl"
    mapping = tmp_path / "m.json"
    exported = newsarc("--archive", str(arc), "export", "-o", str(out), umask=umask, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    bulk = newsarc("--archive", str(arc), "export", "-f", "es-bulk", "-o", str(tmp_path / "b.ndjson"),
                   "--mapping", str(mapping), umask=umask, cwd=tmp_path)
    assert bulk.returncode == 0, bulk.stderr
    expected = 0o666 & ~umask
    written = [*arc.joinpath("articles").rglob("*.yaml"), *arc.joinpath("articles").rglob("*.orig.gz"),
               arc / ".gitattributes", arc / "newsarc.yaml", out, mapping, tmp_path / "b.ndjson"]
    assert len(written) == 7
    assert {str(p.relative_to(tmp_path)): oct(mode(p)) for p in written} == {
        str(p.relative_to(tmp_path)): oct(expected) for p in written}


def test_rewriting_a_file_keeps_the_mode_it_was_given(run, archive: Path, tmp_path: Path) -> None:
    need_shared(SEED)
    run("add", str(SEED))
    [path] = archive.joinpath("articles").rglob("*.yaml")
    path.chmod(0o664)  # a colleague made it group-writable
    article_id = path.stem
    assert run("tag", article_id, "+Extra").exit_code == 0
    assert mode(path) == 0o664
