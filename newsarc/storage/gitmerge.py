"""Merging an archive between git clones without conflicts from newsarc's own files.

Two clones that add the same article write the same file (the id comes from the content) with different
`added:` times, and git's line merge calls that a conflict. So article files are merged field by field by a git
merge driver (`python -m newsarc.storage.gitmerge`): equal fields stay, a field changed on one side only takes that
side's value, `added` keeps the earlier time, tags and authors merge as sets. Only a field both sides changed
differently (two rewrites of one title, say) falls back to git's line merge and its conflict markers.

The files newsarc appends entries to (aliases.yaml, watches.yaml: one entry per line) use git's built-in union
driver, and feeds are one file each, so clones adding entries never conflict either.

The archive's .gitattributes names the drivers. Git keeps the command of a custom driver in each clone's
.git/config, which cloning does not copy, so newsarc registers it the first time it writes an article in a
clone or checks it (once; a `.newsarc/` marker remembers it) and says so on stderr. Where it is not registered
(a clone newsarc never touched, a hosting site's merge button) git uses its line merge, and
`newsarc check --repair` resolves the `added:` conflict.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

GITATTRIBUTES = ".gitattributes"
GITATTRIBUTES_BLOCK = """\
# newsarc: how git merges this archive between clones (newsarc's docs/reliability.md)
articles/**/*.yaml merge=newsarc
aliases.yaml merge=union
watches.yaml merge=union
"""
DRIVER = "newsarc"
MARKER = "git-merge-driver"  # in .newsarc/: the driver command registered for this clone
CONFLICT_EXIT = 3  # the driver wrote conflict markers (1 would be indistinguishable from a Python failure)
SET_FIELDS = ("tags", "authors")
_MISSING: Any = object()


# -- set-up ----------------------------------------------------------------------------------------------------
def write_gitattributes(root: Path) -> bool:
    """Add newsarc's merge rules to the archive's .gitattributes (created if missing); True if it changed."""
    path = root / GITATTRIBUTES
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    if f"merge={DRIVER}" in current:
        return False
    separator = "" if not current or current.endswith("\n") else "\n"
    from newsarc.storage.atomic import atomic_write

    atomic_write(path, current + separator + GITATTRIBUTES_BLOCK, durable=False)
    return True


def enclosing_work_tree(root: Path) -> Path | None:
    """The work tree of the git repository the archive lies in, as git finds it (a few stat calls)."""
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return directory
    return None


def is_ignored(work_tree: Path, root: Path) -> bool:
    """Whether the repository ignores the archive's folder (a cache, a build directory: nothing there is
    merged, as with the benchmark's archives under bench/.cache)."""
    git = shutil.which("git")
    if git is None:
        return True
    result = subprocess.run([git, "-C", str(work_tree), "check-ignore", "-q", str(root)], capture_output=True,
                            timeout=30)
    return result.returncode == 0


def tracking_work_tree(root: Path) -> Path | None:
    """The work tree of the git repository that tracks the archive, if any."""
    work_tree = enclosing_work_tree(root)
    return None if work_tree is None or is_ignored(work_tree, root) else work_tree


def driver_command() -> str:
    """The shell command git runs to merge one article file.

    It runs this Python with newsarc; should that fail to start (a deleted virtualenv, newsarc uninstalled), the
    shell falls back to git's own line merge, so a merge is never worse than without the driver.
    """
    python = shlex.quote(sys.executable)
    line_merge = "git merge-file --marker-size=%L -L ours -L base -L theirs %A %O %B"
    return (f"{python} -I -m newsarc.storage.gitmerge %O %A %B %L %P; s=$?; "
            f"if [ $s -eq 0 ]; then exit 0; elif [ $s -eq {CONFLICT_EXIT} ]; then exit 1; else {line_merge}; fi")


def registered_command(work_tree: Path) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    result = subprocess.run([git, "-C", str(work_tree), "config", "--local", "--get", f"merge.{DRIVER}.driver"],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def register_driver(work_tree: Path) -> bool:
    """Write the driver into the clone's .git/config; False if git is missing or refuses."""
    git = shutil.which("git")
    if git is None:
        return False
    settings = {f"merge.{DRIVER}.name": "newsarc: merge article files field by field",
                f"merge.{DRIVER}.driver": driver_command()}
    for key, value in settings.items():
        result = subprocess.run([git, "-C", str(work_tree), "config", "--local", key, value],
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            return False
    return True


def ensure_git_setup(root: Path, *, quiet: bool = False, force: bool = False) -> None:
    """Once per clone: the .gitattributes rules and the driver registered in .git/config (see the module doc).

    Costs one stat() once the marker exists; never fails a command (a merge without the driver is only
    less convenient). `force` checks again whatever the marker says (`check --repair`)."""
    marker = root / ".newsarc" / MARKER
    if not force and _marker_is_current(marker):
        return
    work_tree = enclosing_work_tree(root)
    if work_tree is None:
        return  # not in git; looked for again by the next command that writes, which costs a few stat calls
    from newsarc.storage.atomic import atomic_write

    try:
        marker.parent.mkdir(exist_ok=True)
        if is_ignored(work_tree, root):
            atomic_write(marker, f"not tracked: {work_tree} ignores this folder\n", durable=False)
            return
        write_gitattributes(root)
        command = driver_command()
        registered = registered_command(work_tree) == command
        if not registered and not register_driver(work_tree):
            return
        atomic_write(marker, command + "\n", durable=False)
    except (OSError, subprocess.SubprocessError):
        return
    if not quiet and not registered:
        sys.stderr.write(f"newsarc: registered its git merge driver in {work_tree / '.git'} so that clones "
                         "adding the same article merge cleanly (once per clone)\n")


def _marker_is_current(marker: Path) -> bool:
    """Whether this clone was set up for this newsarc: a marker naming another command (an older newsarc, another
    Python) means the driver is registered again."""
    try:
        noted = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return noted.startswith("not tracked:") or noted == driver_command()


def git_setup_gaps(root: Path) -> list[tuple[str, str]]:
    """What is missing for clean merges, as (file, problem) pairs; [] when the archive is not in git."""
    work_tree = tracking_work_tree(root)
    if work_tree is None:
        return []
    gaps = []
    try:
        rules = (root / GITATTRIBUTES).read_text(encoding="utf-8")
    except OSError:
        rules = ""
    if f"merge={DRIVER}" not in rules:
        gaps.append((GITATTRIBUTES, "lacks newsarc's merge rules, so clones adding the same article conflict"))
    registered = registered_command(work_tree)
    if registered != driver_command():
        problem = "not registered" if registered is None else "registered for another Python"
        gaps.append((".git/config", f"newsarc's merge driver is {problem} in this clone"))
    return gaps


# -- the merge -------------------------------------------------------------------------------------------------
def merge_fields(base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any] | None:
    """A three-way merge of two versions of one article, field by field; None if a field conflicts.

    `base` is None when both sides added the file (git's add/add): then only equal fields, `added` and the set
    fields merge.
    """
    from newsarc.article import normalise_date

    merged: dict[str, Any] = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        mine, other = ours.get(key, _MISSING), theirs.get(key, _MISSING)
        old = base.get(key, _MISSING) if base is not None else _MISSING
        if mine == other:
            value = mine
        elif key == "added" and mine is not _MISSING and other is not _MISSING:
            value = min(mine, other, key=lambda v: normalise_date(v, field_name="added") or "")
        elif key in SET_FIELDS and all(v is _MISSING or v is None or isinstance(v, list) for v in (mine, other, old)):
            value = _merge_sets(old, mine, other)
        elif base is not None and mine == old:
            value = other
        elif base is not None and other == old:
            value = mine
        else:
            return None
        if value is not _MISSING:
            merged[key] = value
    return merged


def _merge_sets(old: Any, mine: Any, other: Any) -> list[Any]:
    """Items either side added are kept, items either side removed are gone; ours' order, then theirs' new ones."""
    old, mine, other = (v if isinstance(v, list) else [] for v in (old, mine, other))
    removed = [item for item in old if item not in mine or item not in other]
    out = [item for item in mine if item not in removed]
    out += [item for item in other if item not in out and item not in removed]
    return out


def merged_article_text(base: bytes, ours: bytes, theirs: bytes, *, origin: str) -> str | None:
    """The merged article file as newsarc writes it, or None where a line merge must decide."""
    from newsarc.article import Article
    from newsarc.errors import NewsarcError
    from newsarc.yamlio import article_yaml, load_yaml

    try:
        sides = [load_yaml(raw, origin=origin) if raw.strip() else None for raw in (base, ours, theirs)]
    except NewsarcError:
        return None
    old, mine, other = sides
    if not isinstance(mine, dict) or not isinstance(other, dict) or not (old is None or isinstance(old, dict)):
        return None
    try:
        merged = merge_fields(old, mine, other)
        return None if merged is None else article_yaml(Article.from_dict(merged, origin=origin))
    except NewsarcError:  # an unreadable `added` time, a field of the wrong type: the line merge decides
        return None


def main(argv: list[str] | None = None) -> int:
    """git's merge driver, `python -m newsarc.storage.gitmerge BASE OURS THEIRS MARKER_SIZE PATH`.

    The result goes to OURS."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 5:
        sys.stderr.write("usage: python -m newsarc.storage.gitmerge BASE OURS THEIRS MARKER_SIZE PATH (run by git)\n")
        return 2
    base_file, ours_file, theirs_file, marker_size, path = args
    base, ours, theirs = (Path(name).read_bytes() for name in (base_file, ours_file, theirs_file))
    text = merged_article_text(base, ours, theirs, origin=path)
    if text is not None:
        from newsarc.storage.atomic import atomic_write

        atomic_write(Path(ours_file), text, durable=False)
        return 0
    git = shutil.which("git") or "git"
    result = subprocess.run([git, "merge-file", f"--marker-size={marker_size}", "-L", "ours", "-L", "base",
                             "-L", "theirs", ours_file, base_file, theirs_file], env=os.environ)
    return 0 if result.returncode == 0 else CONFLICT_EXIT


if __name__ == "__main__":
    sys.exit(main())
