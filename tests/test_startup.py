"""Start-up of a search (issue 14): a real `newsarc search` process imports nothing it does not use.

Adding, the input parsers and near-duplicate hashing cost a search tens of milliseconds of imports; they load
only when a command adds articles. Checked with Python's own import trace (`-X importtime`, here through
PYTHONPROFILEIMPORTTIME, so the real console script runs) of whole processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED, need_shared

NEWSARC = Path(sys.executable).parent / "newsarc"
NOT_FOR_SEARCH = ("newsarc.adding", "newsarc.ingest", "newsarc.dedupe", "newsarc.index.whoosh_internals.bulk_writer",
                  "newsarc.index.whoosh_internals.segment_worker", "whoosh.writing",
                  "whoosh.lang.morph_en")  # Whoosh's English word forms: 5-7 ms, for a query newsarc never builds


def _imported(archive: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSARC_ARCHIVE", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    proc = subprocess.run([str(NEWSARC), "--archive", str(archive), *args], capture_output=True, text=True,
                          env=env, timeout=120)
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return proc, modules


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_shared(SEED)
    from newsarc import api

    root = tmp_path_factory.mktemp("startup") / "arc"
    api.init_archive(root)
    store = api.open_store(root)
    try:
        report = api.add_sources(store, api.iter_sources([str(SEED)]))
    finally:
        store.close()
    assert report.count("added") == 1
    return root


@pytest.mark.parametrize("args", [("search", "Kamal"), ("search", "Kamal", "--count"),
                                  ("search", '"Abu Kamal"', "--since", "2017"), ("search", "zzkamalx")])
def test_a_search_process_does_not_import_adding_ingest_or_dedupe(filled: Path, args: tuple[str, ...]) -> None:
    proc, modules = _imported(filled, *args)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "newsarc.index.whoosh_backend" in modules  # the trace is real: the search backend shows in it
    loaded = sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_FOR_SEARCH))
    assert loaded == [], f"`newsarc {' '.join(args)}` imported {loaded}"


def test_the_library_still_offers_adding_by_name(filled: Path) -> None:
    from newsarc import api

    assert api.add_sources.__module__ == "newsarc.adding"
    assert api.iter_sources.__module__ == "newsarc.ingest.sources"
    assert api.Overrides().title is None and api.Source("x", lambda: b"").origin == "x"


def test_whooshs_word_forms_still_load_when_a_variations_query_asks_for_them() -> None:
    """The search process does without whoosh.lang.morph_en (light_import lends Whoosh a stand-in); a program
    that builds Whoosh's Variations query through newsarc's Whoosh still gets the real word forms."""
    from newsarc.index import whoosh_internals

    whoosh_internals.load()
    from whoosh.query import terms

    assert {"city", "cities"} <= set(terms.variations("cities"))
    assert sys.modules["whoosh.lang.morph_en"].variations is not None
