"""Git's conflict markers left in an article file, and the one conflict that is safe to resolve without a person.

The merge driver (newsarc.storage.gitmerge) keeps conflicts out of article files, but where git merged without it
(a clone newsarc never wrote to, a hosting site's merge button) the same article added in two clones conflicts
on its `added:` time alone. `newsarc check` finds the markers; `check --repair` resolves such a conflict by
keeping the earlier time (so two clones that resolve it write the same file) and leaves any other to the user.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from newsarc.errors import NewsarcError

_CONFLICT_START, _CONFLICT_BASE, _CONFLICT_MID, _CONFLICT_END = "<<<<<<<", "|||||||", "=======", ">>>>>>>"
_ADDED_LINE = re.compile(r"^added:[ \t]")


def has_conflict_markers(raw: bytes) -> bool:
    if b"<<<<<<<" not in raw:
        return False
    lines = raw.split(b"\n")
    return any(line.startswith(b"<<<<<<<") for line in lines) and any(line.startswith(b">>>>>>>") for line in lines)


def resolve_added_conflict(raw: bytes) -> str | None:
    """The file with every conflict resolved, if each conflict is only about the `added:` line; else None.

    The earlier time is kept, so two clones that resolve the same conflict write the same file.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(_CONFLICT_START):
            out.append(line)
            i += 1
            continue
        sides: list[list[str]] = [[]]
        i += 1
        while i < len(lines) and not lines[i].startswith(_CONFLICT_END):
            if lines[i].startswith(_CONFLICT_BASE):
                sides.append([])  # diff3 style: the base section, ignored below
                sides[-1].append("\0base")
            elif lines[i].startswith(_CONFLICT_MID) and lines[i].rstrip() == _CONFLICT_MID:
                sides.append([])
            else:
                sides[-1].append(lines[i])
            i += 1
        if i == len(lines):
            return None  # no end marker
        i += 1
        kept = [side for side in sides if not side or side[0] != "\0base"]
        if len(kept) != 2 or any(len(side) != 1 or not _ADDED_LINE.match(side[0]) for side in kept):
            return None
        out.append(min(kept, key=lambda side: _added_value(side[0]))[0])
    return "\n".join(out)


def _added_value(line: str) -> str:
    value = line.split(":", 1)[1].strip().strip("'\"")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    except ValueError:
        return value


def resolve_added_conflict_in(path: Path, *, origin: str) -> bool:
    """Resolve the file's conflicts in place if each is only about `added:` and what is left is the article its
    name says; False (the file untouched) otherwise."""
    from newsarc.article import Article
    from newsarc.storage.atomic import atomic_write
    from newsarc.yamlio import load_yaml

    try:
        resolved = resolve_added_conflict(path.read_bytes())
        if resolved is None:
            return False
        article = Article.from_dict(load_yaml(resolved, origin=origin), origin=origin)
    except (OSError, NewsarcError):
        return False
    if f"{article.id}.yaml" != path.name:
        return False
    atomic_write(path, resolved)
    return True
