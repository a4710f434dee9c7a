"""The command reference cannot drift from the code: docs/commands.md is what the --help texts say."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_command_reference_is_generated_from_the_current_help_texts() -> None:
    spec = importlib.util.spec_from_file_location("make_reference", DOCS / "make_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.reference()
    for command in ("newsarc add", "newsarc search", "newsarc serve", "newsarc feed rm", "newsarc watch run"):
        assert f"## {command}\n" in text
    assert (DOCS / "commands.md").read_text(encoding="utf-8") == text, (
        "docs/commands.md is out of date: run `python docs/make_reference.py` and commit it")
