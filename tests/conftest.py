"""Shared fixtures: every test gets its own temporary archive; none touches a real one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_78a7aa51e64dfc42.txt"
BBC = SHARED / "corpora" / "bbc"


def need_shared(path: Path) -> Path:
    """The shared material at path, or a skip that says what is missing and where it belongs."""
    if not path.exists():
        pytest.skip(f"../shared/{path.relative_to(SHARED)} not found: put the shared material beside the repo")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may find the developer's own archive: no env var, XDG points at an empty temp dir."""
    monkeypatch.delenv("NEWSARC_ARCHIVE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """An empty, initialised archive directory."""
    from newsarc.storage.archive import init_archive

    return init_archive(tmp_path / "arc")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def run(runner: CliRunner, archive: Path):
    """Invoke the CLI on the test archive: run("search", "x") -> click Result (exceptions not swallowed)."""
    from newsarc.cli.app import cli

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(cli, ["--archive", str(archive), *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def bbc_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The whole BBC corpus ingested once per session into a temporary archive (read-only for tests)."""
    need_shared(BBC)
    from newsarc import api
    from newsarc.storage.archive import init_archive

    root = init_archive(tmp_path_factory.mktemp("bbc") / "arc")
    store = api.open_store(root)
    sources = api.iter_sources([str(BBC / topic) for topic in sorted(os.listdir(BBC)) if (BBC / topic).is_dir()])
    report = api.add_sources(store, sources)
    store.close()
    assert report.count("failed") == 0, [o.reason for o in report.outcomes if o.status == "failed"]
    yield root
    shutil.rmtree(root, ignore_errors=True)
