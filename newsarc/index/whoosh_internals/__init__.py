"""The one place where newsarc touches Whoosh's private names: its import, its fixes and its fast paths.

newsarc keeps its own code for parts of Whoosh that were too slow in Python (the profiles are in
docs/performance.md): a segment writer that groups postings by term and writes posting blocks and the term hash
table itself (bulk_writer.py), a second process writing half of a big batch's segment (segment_worker.py),
posting blocks decoded once per search (postings.py), exact phrases checked with sets of positions
(phrases.py), a fuzzy word's expansion and a phrase's walk to its next match that look at the search's clock
(clocked_fuzzy.py, clocked_spans.py), and replacements of
a few Whoosh methods (patches.py).
They read and write Whoosh's private attributes and binary formats, so they are only right for the Whoosh they
were written for. Everything that does lives in this package; tests/test_architecture.py fails on a private
Whoosh name anywhere else.

load() is the only way newsarc imports Whoosh. It runs once per process, before any index is opened:

1. imports Whoosh lightly (light_import.py);
2. applies the fixes of Whoosh bugs (patches.install_fixes): on any version that still has the code they fix;
3. if Whoosh is the version in WRITTEN_FOR (pinned in pyproject.toml), applies the fast paths
   (patches.install_fast_paths, postings.install, phrases.install) and lets the backend use the grouped writer
   and the segment worker (fast_paths_on()). On any other version it applies none of them, warns once on stderr
   (one line), and newsarc runs on Whoosh's own code: slower, the same answers.

The index stamp names the Whoosh version (WhooshBackend.format_stamp), so an index written by another version is
rebuilt once. What to check before moving the pin: docs/design.md, "Upgrading Whoosh".
"""

from __future__ import annotations

import sys
from typing import Any

# The whoosh-reloaded release the fast paths were written and byte-compared for (pyproject.toml pins it).
WRITTEN_FOR = (2, 7, 5)
WARNING = ("newsarc: warning: Whoosh {found} is installed, but newsarc's fast paths are written for whoosh-reloaded "
           "{wanted}: using Whoosh's own (slower) code; `pip install whoosh-reloaded=={wanted}` restores them")

_state: dict[str, Any] = {}  # "fast": whether the fast paths are on (set once by load())


def load() -> None:
    """Import Whoosh and apply the fixes, and on WRITTEN_FOR the fast paths, in this order, once per process."""
    if _state:
        return
    from newsarc.index.whoosh_internals import clocked_spans, light_import, patches

    light_import.import_whoosh()
    patches.install_fixes()
    clocked_spans.install()
    fast = whoosh_version() == WRITTEN_FOR
    if fast:
        from newsarc.index.whoosh_internals import phrases, postings

        patches.install_fast_paths()
        fast = postings.install()
        if fast:
            phrases.install()
    else:
        wanted = ".".join(map(str, WRITTEN_FOR))
        print(WARNING.format(found=version_string(), wanted=wanted), file=sys.stderr, flush=True)
    _state["fast"] = fast


def whoosh_version() -> tuple[int, ...]:
    """The installed Whoosh's version, as whoosh.__version__ gives it (no package metadata lookup: start-up)."""
    import whoosh

    return tuple(part for part in getattr(whoosh, "__version__", ()) if isinstance(part, int))


def version_string() -> str:
    return ".".join(map(str, whoosh_version())) or "of unknown version"


def fast_paths_on() -> bool:
    """Whether newsarc's own code for Whoosh's internals is in use (only on the version it was written for)."""
    load()
    return bool(_state["fast"])


def shared_blocks() -> Any:
    """A context in which a search decodes each posting block once (postings.shared_blocks); a no-op context
    when the fast paths are off."""
    import contextlib

    if not fast_paths_on():
        return contextlib.nullcontext()
    from newsarc.index.whoosh_internals.postings import shared_blocks as blocks

    return blocks()


def add_term_ids(matcher: Any, out: set[int]) -> None:
    """Add the ids of one term's postings (its matcher from a segment reader) to out, deleted documents included
    (newsarc.index.counting removes them per segment)."""
    from newsarc.index.whoosh_internals.postings import add_block_ids

    add_block_ids(matcher, out, fast=fast_paths_on())


def phrase_ids(reader: Any, fieldname: str, words: list[str]) -> set[int] | None:
    """The documents of one segment (reader) holding the words as an exact phrase, deleted ones included
    (newsarc.index.counting removes them): the candidates are the intersection of the words' posting ids, and
    each is checked with sets of positions (phrases.starts). None where the fast paths are off or the field
    keeps no plain positions: the caller asks Whoosh."""
    if not fast_paths_on():
        return None
    from newsarc.index.whoosh_internals import phrases
    from newsarc.index.whoosh_internals.postings import values_by_id

    return phrases.phrase_ids(reader, fieldname, words, lambda matcher: values_by_id(matcher, fast=True))


def segments_stamp(ix: Any) -> str:
    """Names an index's segments and their deletions (a commit or a rebuild changes it)."""
    return ",".join(f"{segment.segment_id()}/{segment.deleted_count()}" for segment in ix._segments())


load()
