"""The names Whoosh gives an index's files in its directory (Whoosh's storage convention, read without Whoosh)."""

from __future__ import annotations

from pathlib import Path

INDEX_NAME = "MAIN"


def toc_file(directory: Path, generation: int) -> Path:
    """The table of contents Whoosh writes for each commit: it names every segment and its deletions."""
    return directory / f"_{INDEX_NAME}_{generation}.toc"


def has_toc(directory: Path) -> bool:
    """Whether the directory holds an index: a table of contents of any generation (no file is opened)."""
    return any(directory.glob(f"_{INDEX_NAME}_*.toc"))
