"""Moved: YAML is a format, not storage (newsarc.yamlio). This name forwards there until the modules that still
import it (check.py, ingest/structured.py, names/aliases.py, being changed elsewhere) import newsarc.yamlio;
tests/test_architecture.py lets no other module import it."""

from newsarc.yamlio import MAX_YAML_BYTES, article_yaml, load_yaml

__all__ = ["MAX_YAML_BYTES", "article_yaml", "load_yaml"]
