"""`newsarc serve`: the archive in a browser, server-rendered, on the library (newsarc.api).

Starlette (routing, requests, responses) on uvicorn (the ASGI server), pages from Jinja2 templates with
autoescape on. All three come with the optional extra `pip install 'newsarc[web]'`; the rest of newsarc
never imports this package.
"""

from __future__ import annotations

INSTALL_HINT = "newsarc serve needs the web extra: pip install 'newsarc[web]'"


def missing_dependency() -> str | None:
    """The name of the first web dependency that is not installed, or None."""
    import importlib

    for name in ("starlette", "uvicorn", "jinja2"):
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None
