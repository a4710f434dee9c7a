"""The names of the export and import formats, in one place for the library and both faces (no heavy imports)."""

from __future__ import annotations

# What `newsarc export` writes; every one but markdown is read back by `newsarc import`.
EXPORT_FORMATS = ("jsonl", "json", "yaml", "csv", "markdown", "es-bulk")
IMPORT_FORMATS = tuple(fmt for fmt in EXPORT_FORMATS if fmt != "markdown")
