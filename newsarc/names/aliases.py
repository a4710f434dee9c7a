"""Alias groups: names the user says are one (Abu Kamal = al-Bukamal = al-Bokamal), searched together; this
module holds the file and the edits of its groups (query expansion is newsarc.names.alias_query, suggestions from
the archive's evidence newsarc.alias_suggest).

They live in `aliases.yaml` at the archive root, one group per line, so that a diff or a merge between clones
touches only the groups that changed:

    # newsarc alias groups: the names on one line are searched together.
    - [Abu Kamal, al-Bukamal, al-Bokamal, Albu Kamal]
    - [Erbil, Hawler]

Searches expand aliases at query time, so a change takes effect at once, without reindexing. Reading the
YAML costs a yaml import, so the groups are cached as JSON in .newsarc/ keyed by the file's mtime and size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from newsarc.errors import BadInputError, UsageError
from newsarc.names.variants import tokenize

ALIASES_FILE = "aliases.yaml"
CACHE_FILE = "aliases.json"
HEADER = (
    "# newsarc alias groups: the names on one line are searched together (`newsarc alias add/rm` edits this\n"
    "# file; hand edits are fine). One group per line keeps diffs and merges between clones small.\n"
)

Group = list[str]


def name_key(name: str) -> tuple[str, ...]:
    """How alias members are compared: folded words, hyphens and spacing ignored ('Al-Bukamal' = 'al Bukamal')."""
    return tuple(token.text for token in tokenize(name, extras=False))


def load_groups(root: Path) -> list[Group]:
    """The archive's alias groups ([] when there is no aliases.yaml)."""
    return _load(root)[0]


def load_splits(root: Path) -> list[Group]:
    """The archive's splits: [name, other, ...] says the others are not the place `name` names, although a
    gazetteer lists them as its spellings (`newsarc alias split Aleppo Beria`)."""
    return _load(root)[1]


def _load(root: Path) -> tuple[list[Group], list[Group]]:
    path = root / ALIASES_FILE
    try:
        st = path.stat()
    except FileNotFoundError:
        return [], []
    stamp = [st.st_mtime_ns, st.st_size]
    cache = root / ".newsarc" / CACHE_FILE
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("stamp") == stamp:
            return [list(g) for g in cached["groups"]], [list(g) for g in cached.get("splits", [])]
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        pass
    groups, splits = _parse(path)
    try:
        from newsarc.storage.atomic import atomic_write

        cache.parent.mkdir(exist_ok=True)
        atomic_write(cache, json.dumps({"stamp": stamp, "groups": groups, "splits": splits}, ensure_ascii=False),
                     durable=False)
    except OSError:
        pass
    return groups, splits


def _parse(path: Path) -> tuple[list[Group], list[Group]]:
    from newsarc.yamlio import load_yaml

    data = load_yaml(path.read_bytes(), origin=str(path))
    if data is None:
        return [], []
    if not isinstance(data, list):
        raise BadInputError(f"{path}: expected a list of groups like `- [Abu Kamal, al-Bukamal]`")
    groups: list[Group] = []
    splits: list[Group] = []
    for number, entry in enumerate(data, start=1):
        if isinstance(entry, dict):
            names = entry.get("apart")
            if set(entry) != {"apart"} or not isinstance(names, list) or len(names) < 2 \
                    or not all(isinstance(n, str | int | float) for n in names):
                raise BadInputError(f"{path}: entry {number} must be `- {{apart: [Aleppo, Beria]}}` (a place's "
                                    "name, then the spellings that are not it)")
            splits.append(_dedupe(str(n).strip() for n in names))
            continue
        if isinstance(entry, str):
            entry = [part.strip() for part in entry.split(",")]
        if not isinstance(entry, list) or not all(isinstance(n, str | int | float) for n in entry):
            raise BadInputError(f"{path}: group {number} must be a list of names, like `- [Erbil, Hawler]`")
        names = _dedupe(str(n).strip() for n in entry)
        if len(names) >= 2:
            groups.append(names)
    return groups, splits


def save_groups(root: Path, groups: list[Group], splits: list[Group] | None = None) -> None:
    """Write aliases.yaml atomically, one group (or split) per line; splits are kept unless given."""
    from newsarc.storage.atomic import atomic_write
    from newsarc.yamlio import entry_line

    if splits is None:
        splits = load_splits(root)
    lines = [HEADER]
    for group in groups:
        lines.append(entry_line([group], flow=True))
    for split in splits:
        lines.append(entry_line([{"apart": split}], flow=True))
    atomic_write(root / ALIASES_FILE, "".join(lines))


SPLIT_MARK = "\x00apart"  # first item of a split carried among a request's alias groups (splits_as_groups)


def splits_as_groups(splits: list[Group]) -> list[Group]:
    """Splits in the shape of alias groups, marked, so that a search request carries both in one list."""
    return [[SPLIT_MARK, *split] for split in splits]


def separate_splits(groups: list[Group]) -> tuple[list[Group], list[Group]]:
    """(alias groups, splits) of a request's list (see splits_as_groups)."""
    return ([g for g in groups if g[:1] != [SPLIT_MARK]], [g[1:] for g in groups if g[:1] == [SPLIT_MARK]])


def add_split(splits: list[Group], name: str, others: Iterable[str]) -> tuple[list[Group], Group]:
    """Splits with `others` set apart from the place `name` names (merged into an existing split of it)."""
    key = name_key(name)
    others = [o for o in _dedupe(o.strip() for o in others) if name_key(o) != key]
    if not key or not others:
        raise UsageError("name the place and at least one spelling that is not it, e.g. "
                         "newsarc alias split Aleppo Beria")
    kept = [s for s in splits if name_key(s[0]) != key]
    merged = _dedupe([name, *(m for s in splits if name_key(s[0]) == key for m in s[1:]), *others])
    return [*kept, merged], merged


def _dedupe(names: Iterable[str]) -> Group:
    out: Group = []
    keys: set[tuple[str, ...]] = set()
    for name in names:
        key = name_key(name)
        if name and key and key not in keys:
            keys.add(key)
            out.append(name)
    return out


def add_group(groups: list[Group], names: Iterable[str]) -> tuple[list[Group], Group]:
    """Groups with `names` joined into one; groups that share a member with it are merged into it."""
    names = _dedupe(n.strip() for n in names)
    if not names:
        raise UsageError("name at least two spellings, e.g. newsarc alias add \"Abu Kamal\" al-Bukamal")
    keys = {name_key(n) for n in names}
    merged: Group = list(names)
    kept: list[Group] = []
    for group in groups:
        if keys & {name_key(n) for n in group}:
            merged = _dedupe([*group, *merged])
        else:
            kept.append(group)
    if len(merged) < 2:
        raise UsageError("an alias group needs at least two different spellings")
    return [*kept, merged], merged


def remove_names(groups: list[Group], names: Iterable[str]) -> tuple[list[Group], list[str]]:
    """Groups without `names` (a group left with one member goes); returns the names that were found."""
    keys = {name_key(n): n for n in names}
    found: list[str] = []
    out: list[Group] = []
    for group in groups:
        left = []
        for member in group:
            if name_key(member) in keys:
                found.append(member)
            else:
                left.append(member)
        if len(left) >= 2:
            out.append(left)
    return out, found


def remove_group_of(groups: list[Group], name: str) -> tuple[list[Group], Group | None]:
    key = name_key(name)
    for i, group in enumerate(groups):
        if key in {name_key(n) for n in group}:
            return groups[:i] + groups[i + 1:], group
    return groups, None
