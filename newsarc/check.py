"""`newsarc check`: validate every article file, compare the index with the archive, repair what is safe.

What is checked (each finding is a Problem, printed as `path: field: problem; what to do`):

- newsarc.yaml: parses, is a mapping, its settings have usable values.
- every articles/**/*.yaml: size, UTF-8, YAML syntax (only plain YAML: no tags, few aliases, no duplicate
  keys), a mapping, required fields (id, title), field types, dates, an id that is valid and matches the file
  name, the file in the place its date says (articles/YYYY/MM/<id>.yaml or articles/undated/<id>.yaml),
  unresolved git merge conflicts, and ids used by more than one file;
- links between articles: a `duplicate_of` or `version_of` naming an id no article has (dangling);
- dates written other than as ISO `YYYY-MM-DD` (a hand edit: `date: 18 May 2017`, `date: 03/04/1987`), and
  `added` times alike: one that reads only one way is rewritten as ISO by --repair; one whose day and month
  could be swapped is reported with both readings and left for the user, never guessed (a missing `added`, as
  in a file written by hand, is no problem, as a missing date is not);
- anything else under articles/ newsarc would silently ignore: leftover temporary files of interrupted writes
  (.tmp-*.part), symbolic links, files not named *.yaml, pipes and devices;
- the derived state, after the same freshness update every command does (with a full scan): every readable
  article is in the catalog with the same fields, nothing is in the catalog without its file, and the Whoosh
  index holds exactly one document for each catalog entry. Comparing fields (not only timestamps) also finds a
  file rewritten in place with its old mtime, the one change the freshness check cannot see.

`repair=True` fixes only what is safe and never deletes an article file: it re-indexes or rebuilds the index
from the YAML, moves a misplaced file to its place (a hard link then an unlink, so it never replaces another
file and an interruption leaves two names for the same file, which the next repair finishes), removes
newsarc's own temporary files once they are a minute old, clears a dangling link, writes an unambiguous date
or `added` as ISO (in the file's own place), and resolves a git merge conflict only where the
two sides differ in nothing but their `added:` time (the same article added in two clones: the earlier time
is kept). Everything else is reported with what the user should do.

The whole check runs under the archive lock, so it sees a consistent archive; readers are not blocked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sqlite3
import time
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from newsarc.check_ledger import Ledger
from newsarc.errors import BadInputError, NewsarcError
from newsarc.links import LINK_FIELDS, link_target
from newsarc.storage.archive import ARTICLES_DIR, ORIGINAL_SUFFIX, SETTINGS_FILE, original_name
from newsarc.storage.atomic import TEMP_PREFIX, TEMP_SUFFIX
from newsarc.storage.conflicts import has_conflict_markers, resolve_added_conflict
from newsarc.storage.freshness import path_order

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.index.backend import CensusEntry
    from newsarc.storage.store import Store

T = TypeVar("T")
TEMP_MIN_AGE = 60.0  # seconds: a younger temporary file could still belong to a running writer
DATE_ORDERS = ("DMY", "MDY", "YMD")


@dataclass
class Problem:
    """One finding. `kind` is a stable code for scripts (see KINDS); the rest is for people."""

    path: str  # relative to the archive root, '/' separators
    field: str  # the field concerned, or 'file', 'yaml', 'id', 'place', 'index'
    problem: str
    action: str  # what to do about it
    kind: str
    remedy: str = ""  # what --repair would do: remove, move, resolve, reindex, unindex, rebuild ("" = nothing)
    target: str = ""  # for a misplaced file: where it belongs
    repaired: bool = False
    done: str = ""  # what --repair did

    @property
    def repairable(self) -> bool:
        return bool(self.remedy)

    def line(self) -> str:
        if self.repaired:
            return f"{self.path}: {self.field}: {self.problem}; repaired: {self.done}"
        return f"{self.path}: {self.field}: {self.problem}; {self.action}"

    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.path, self.field)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "repairable": self.repairable}


KINDS = {
    "settings": "newsarc.yaml cannot be used as it is",
    "file": "an article file cannot be read (size, permissions)",
    "yaml": "an article file is not valid plain YAML or not a mapping",
    "conflict": "an article file holds an unresolved git merge conflict",
    "field": "a field is missing, of the wrong type or not a valid value",
    "id": "the id is missing or not a valid newsarc id",
    "misplaced": "the file is not at articles/<date>/<id>.yaml",
    "duplicate-id": "two files hold the same id",
    "temp-file": "a temporary file left by an interrupted write",
    "stray": "a file under articles/ that newsarc does not read",
    "index": "the catalog or search index disagrees with the files",
    "git": "the archive is in git, but git does not know newsarc's merge rules for it",
    "link": "a duplicate_of or version_of names an article that is not in the archive",
    "date-format": "a date is not written as ISO YYYY-MM-DD",
}


def check_archive(store: Store, *, repair: bool = False) -> list[Problem]:
    """Check the archive; with repair=True fix what is safe. Returns the problems found (repaired ones marked)."""
    return Checker(store).run(repair=repair)


class Checker:
    """One run of the check. After run(): files_checked, articles (readable ones) and index_changes."""

    def __init__(self, store: Store):
        self.store = store
        self.archive = store.archive
        self.root = store.archive.root
        self.root_text = str(store.archive.root)
        self.files_checked = 0
        self.articles = 0
        self.index_changes = 0

    # -- the run ---------------------------------------------------------------------------------------
    def run(self, *, repair: bool = False) -> list[Problem]:
        store = self.store
        unwritable = self.archive.write_problem()
        if unwritable and repair:
            from newsarc.errors import ArchiveError

            raise ArchiveError(f"cannot repair the archive at {self.root} ({unwritable}): `newsarc check` without "
                               "--repair only reads it")
        warn = store.warn
        store.warn = lambda message: None  # files skipped by the update are reported below, as problems
        if unwritable:  # a read-only mount, another user's archive: check the files against the index as it stands
            try:
                store.refresh(write=False)
                return self._recovered() + self._scan()
            finally:
                store.warn = warn
        try:
            with self.archive.lock:
                changes = store.refresh(write=True, full=True)
                self.index_changes = changes.article_count if changes else 0
                problems = self._scan()
                if not repair or not any(p.repairable for p in problems):
                    return self._recovered() + problems
                done = self._repair(problems)
                store.refresh(write=True, full=True)
                remaining = self._scan()
        finally:
            store.warn = warn
        still = {p.key() for p in remaining}
        repaired = []
        for problem in problems:
            if problem.key() in done and problem.key() not in still:
                problem.repaired = True
                problem.done = done[problem.key()]
                repaired.append(problem)
        return self._recovered() + repaired + remaining

    def _recovered(self) -> list[Problem]:
        """A damaged index found on the way (and rebuilt then, as any command does), as a repaired problem."""
        if not self.store.damage:
            return []
        return [Problem(".newsarc", "index", f"the index was damaged ({self.store.damage})", "", "index",
                        repaired=True, done="rebuilt from the article files")]

    def _scan(self) -> list[Problem]:
        """One pass over the files, merged with the catalog's rows and the index's paths (see _scan_once). An index
        whose dates cannot be read is compared by its counts alone, in a second pass."""
        self.dates_unreadable = ""
        try:
            return self.store.read_index(self._scan_once)  # a damaged index met on the way: rebuilt, scanned again
        except _DatesUnreadable as exc:
            self.dates_unreadable = str(exc.__cause__)
            return self.store.read_index(self._scan_once)

    def _scan_once(self) -> list[Problem]:
        """One pass over the files. Each article is compared with its catalog row and its index entry as it is
        read, then dropped. The walk yields the files in ascending path order, and the catalog's rows and the
        index's paths are streamed in the same order beside it (a merge-join): a row or an index path passed over
        is one without its file. What must be judged over the whole archive (ids used twice, links to no article,
        kept originals no article names) goes to a Ledger on disk. So memory does not grow with the archive:
        neither with the articles' text nor with their number."""
        self.problems: list[Problem] = []
        self.kept_originals: dict[str, tuple[str, str]] = {}  # a misplaced file's (id, `original:`), for its move
        self.files_checked = 0
        self.articles = 0
        self._check_settings()
        self._check_git_setup()
        self._temp_files_in(self.root, "")
        with Ledger() as ledger, self._derived_state() as derived, \
                self.store.progress(self._expected_files(), "checking") as advance:
            self.ledger = ledger
            for relpath in self._walk(ARTICLES_DIR):
                if derived is not None:
                    for path, row, entry in derived.before(relpath):
                        self._compare_derived(path, None, row, entry, walked=False)
                article = self._check_file(relpath)
                if derived is not None:
                    row, entry = derived.take(relpath)
                    self._compare_derived(relpath, article, row, entry, walked=True)
                self.files_checked += 1
                advance(1)
            if derived is not None:
                for path, row, entry in derived.rest():
                    self._compare_derived(path, None, row, entry, walked=False)
            self.articles = ledger.articles
            self._check_originals()
            self._check_duplicate_ids()
            self._check_links()
        self._check_index()
        self.problems.sort(key=lambda p: (p.path, p.kind != "temp-file", p.field))
        return self.problems

    def _expected_files(self) -> int:
        """The progress bar's total: the catalog's count of articles, which the freshness update just brought up
        to date with the files (only a file that cannot be read is not in it). Counting the files themselves
        would list the whole tree once more before the walk."""
        try:
            return self.store.catalog.count()
        except sqlite3.Error:  # a catalog to be rebuilt: the bar is only a guide
            return 0

    def _add(self, path: str, field_name: str, problem: str, action: str, kind: str, **extra: Any) -> Problem:
        found = Problem(path, field_name, problem, action, kind, **extra)
        self.problems.append(found)
        return found

    # -- settings --------------------------------------------------------------------------------------
    def _check_settings(self) -> None:
        from newsarc.yamlio import load_yaml

        path = self.root / SETTINGS_FILE
        try:
            data = load_yaml(path.read_bytes(), origin=SETTINGS_FILE)
        except OSError as exc:
            self._add(SETTINGS_FILE, "file", f"cannot read ({exc.strerror})", "check the file's permissions",
                      "settings")
            return
        except BadInputError as exc:
            self._add(SETTINGS_FILE, "yaml", _without_origin(str(exc), SETTINGS_FILE),
                      "fix the file (the settings newsarc writes are in `newsarc init`'s template)", "settings")
            return
        if data is None:
            return
        if not isinstance(data, dict):
            self._add(SETTINGS_FILE, "file", f"holds {_kind(data)}, not a mapping of settings",
                      "write one `name: value` per line", "settings")
            return
        order = data.get("date_order", "DMY")
        if not isinstance(order, str) or order.upper() not in DATE_ORDERS:
            self._add(SETTINGS_FILE, "date_order", f"{order!r} is not a date order",
                      f"write one of {', '.join(DATE_ORDERS)}", "settings")
        for name in ("full_scan_max_files", "full_scan_interval"):
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                self._add(SETTINGS_FILE, name, f"{value!r} is not a number of {'files' if 'files' in name else 's'}",
                          "write a whole number of zero or more", "settings")

    def _check_git_setup(self) -> None:
        """Set up git's merge rules as every writing command does (a clone newsarc never wrote to lacks them),
        and report them only if that failed."""
        from newsarc.storage.gitmerge import ensure_git_setup, git_setup_gaps

        if not self.archive.write_problem():
            ensure_git_setup(self.root, force=True)
        for path, problem in git_setup_gaps(self.root):
            self._add(path, "git", problem,
                      "`newsarc check --repair` sets it up (see docs/reliability.md)", "git", remedy="git-setup")

    # -- walking the tree ------------------------------------------------------------------------------
    def _walk(self, rel: str) -> Iterator[str]:
        """The *.yaml article files below rel, reporting everything else newsarc would silently ignore."""
        try:
            entries = sorted(os.scandir(self.root / rel), key=path_order)  # ascending paths, as the catalog's
        except FileNotFoundError:
            return
        except OSError as exc:
            self._add(rel, "file", f"cannot list the directory ({exc.strerror})", "check its permissions", "file")
            return
        for entry in entries:
            name = entry.name
            relpath = f"{rel}/{name}"
            if name.startswith("."):
                if _is_temp(name):
                    self._temp_problem(relpath, entry)
                continue  # other hidden files and directories are the user's own business
            if entry.is_symlink():
                self._add(relpath, "file", "is a symbolic link, which newsarc does not follow inside the archive",
                          "replace it with the file it points to", "stray")
            elif entry.is_dir(follow_symlinks=False):
                yield from self._walk(relpath)
            elif not entry.is_file(follow_symlinks=False):
                self._add(relpath, "file", "is not a regular file (a pipe, socket or device)",
                          "move it out of articles/", "stray")
            elif name.endswith(".yaml"):
                yield relpath
            elif name.endswith(ORIGINAL_SUFFIX):
                self.ledger.original(relpath)
            else:
                hint = f"rename it to {name[:-4]}.yaml" if name.endswith(".yml") else "move it out of articles/"
                self._add(relpath, "file", "is not read by newsarc (article files end in .yaml)", hint, "stray")

    def _temp_files_in(self, directory: Any, rel: str) -> None:
        with contextlib.suppress(OSError):
            for entry in os.scandir(directory):
                if _is_temp(entry.name) and entry.is_file(follow_symlinks=False):
                    self._temp_problem(f"{rel}/{entry.name}".lstrip("/"), entry)

    def _temp_problem(self, relpath: str, entry: os.DirEntry[str]) -> None:
        try:
            age = time.time() - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            return
        old = age >= TEMP_MIN_AGE
        action = ("`newsarc check --repair` removes it" if old else
                  "`newsarc check --repair` removes it once it is a minute old (a writer may still own it)")
        self._add(relpath, "file", "temporary file left by an interrupted write", action, "temp-file",
                  remedy="remove" if old else "")

    # -- one article file ------------------------------------------------------------------------------
    def _check_file(self, relpath: str) -> Article | None:
        """Read and check one article file; the article, or None when it cannot be read as one."""
        from newsarc.article import Article
        from newsarc.yamlio import MAX_YAML_BYTES, load_yaml

        try:  # one open, the size from the open file, one read: no Path objects, no second stat
            fd = os.open(os.path.join(self.root_text, relpath), os.O_RDONLY)
            try:
                size = os.fstat(fd).st_size
                if size > MAX_YAML_BYTES:
                    self._add(relpath, "file", f"is {size / 2**20:.0f} MB, more than the {MAX_YAML_BYTES // 2**20} "
                              "MB an article file may have", "split or trim it; newsarc skips it until then", "file")
                    return None
                raw = _read_all(fd, size)
            finally:
                os.close(fd)
        except OSError as exc:
            self._add(relpath, "file", f"cannot read ({exc.strerror})", "check the file's permissions", "file")
            return None
        if has_conflict_markers(raw):
            resolvable = resolve_added_conflict(raw) is not None
            self._add(relpath, "file", "holds an unresolved git merge conflict (<<<<<<< ... >>>>>>>)",
                      "`newsarc check --repair` resolves it (both sides differ only in `added`), then `git add` it"
                      if resolvable else "edit it to keep one version, then `git add` it", "conflict",
                      remedy="resolve" if resolvable else "")
            return None
        try:
            data = load_yaml(raw, origin=relpath)
        except BadInputError as exc:
            problem, _, action = _without_origin(str(exc), relpath).partition("; ")
            self._add(relpath, "yaml", problem, f"{action or 'fix the file'} (newsarc skips it until then)", "yaml")
            return None
        if not isinstance(data, dict):
            self._add(relpath, "yaml", f"holds {_kind(data)}, not a mapping of article fields",
                      "write one `field: value` per line (see any file newsarc wrote)", "yaml")
            return None
        before = len(self.problems)
        self._check_fields(relpath, data)
        try:
            article = Article.from_dict(data, origin=relpath)
        except BadInputError as exc:
            if len(self.problems) == before:  # a rule the field checks above do not know
                self._add(relpath, "file", _without_origin(str(exc), relpath), "fix the file", "field")
            return None
        original = str(article.extra.get("original") or "")
        valid_id = self._check_id_and_place(relpath, data, article, original)
        self.ledger.article(relpath, article.id if valid_id else None, original)
        for field_name in LINK_FIELDS:
            if target := link_target(article, field_name):
                self.ledger.link(relpath, field_name, target)
        return article

    def _check_fields(self, relpath: str, data: dict[Any, Any]) -> None:
        from newsarc.article import LIST_FIELDS, TEXT_FIELDS, normalise_date

        for key in data:
            if not isinstance(key, str):
                self._add(relpath, str(key), "field names must be text", f"write the name in quotes: '{key}':",
                          "field")
        title = data.get("title")
        if title is None or (isinstance(title, str) and not title.strip()):
            self._add(relpath, "title", "is missing or empty", "every article needs a title: add `title: ...`",
                      "field")
        for name in TEXT_FIELDS:
            value = data.get(name)
            if value is None or isinstance(value, str):
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                self._add(relpath, name, f"is the number {value!r}, not text",
                          f"put it in quotes: {name}: \"{value}\"", "field")
            else:
                self._add(relpath, name, f"must be text, not {_kind(value)}",
                          "write it as text (in quotes if it looks like a date, number or yes/no)", "field")
        for name in LIST_FIELDS:
            value = data.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self._add(relpath, name, "is text, not a list",
                          "write it as a YAML list, one `- item` per line (newsarc reads it split at , ; |)", "field")
            elif not isinstance(value, list):
                self._add(relpath, name, f"must be a list of text, not {_kind(value)}",
                          "write it as a YAML list, one `- item` per line", "field")
            else:
                bad = [item for item in value if not isinstance(item, str)]
                if bad:
                    self._add(relpath, name, f"holds {_kind(bad[0])} {bad[0]!r}, not text",
                              "put each item in quotes", "field")
        for name in ("date", "added"):
            value = data.get(name)
            if value is None or value == "":  # undated, or written by hand without `added`: both are fine
                continue
            try:
                iso = normalise_date(value, field_name=name)
            except BadInputError:
                self._add(relpath, name, f"{value!r} is not a date",
                          "write it as YYYY-MM-DD" if name == "date" else "write it as YYYY-MM-DDTHH:MM:SSZ",
                          "field")
                continue
            if isinstance(value, str) and not _is_iso(value):
                self._check_date_format(relpath, name, value, iso)

    def _check_date_format(self, relpath: str, name: str, value: str, iso: str | None) -> None:
        """A date (or `added` time) newsarc reads but that is not ISO: rewritable when it reads one way, else
        both readings. `added` orders `recent` and an article's versions as text, so it is held to ISO too."""
        from newsarc.dates import is_ambiguous_numeric, parse_date

        if is_ambiguous_numeric(value):
            day_first, month_first = parse_date(value, "DMY"), parse_date(value, "MDY")
            self._add(relpath, name, f"{value!r} is not an ISO date and reads two ways: {day_first} (day "
                      f"first) or {month_first} (month first); newsarc reads it as {iso}",
                      "write the one meant as YYYY-MM-DD (--repair never guesses)", "date-format")
        else:
            self._add(relpath, name, f"{value!r} is not an ISO date (it reads as {iso})",
                      f"`newsarc check --repair` writes it as {iso}", "date-format", remedy="iso-date")

    def _check_id_and_place(self, relpath: str, data: dict[Any, Any], article: Article, original: str) -> bool:
        """The id and the file's place; whether the id is a valid one (only those count as used, for duplicates
        and links)."""
        from newsarc.ids import is_valid_id, make_id

        if not article.id:
            suggested = make_id(article.content_key())
            self._add(relpath, "id", "is missing", f"add `id: {suggested}` (the id its content gives)", "id")
            return False
        if not isinstance(data.get("id"), str) or not is_valid_id(article.id):
            suggested = make_id(article.content_key())
            self._add(relpath, "id", f"{article.id!r} is not a valid newsarc id (10 characters of 0-9 and a-z "
                      "without i, l, o, u)", f"write `id: {suggested}` (the id its content gives)", "id")
            return False
        try:
            expected = self.archive.relpath_for(article)
        except NewsarcError:
            return True  # a date relpath_for cannot place was reported by the field checks
        if expected == relpath:
            return True
        target = self.root / expected
        free = not target.exists() or _same_file(self.root / relpath, target)
        why = "its id and date place it" if relpath.rsplit("/", 1)[-1] == f"{article.id}.yaml" else \
            "its id names the file, and its date places it"
        if free:
            self._add(relpath, "place", f"belongs at {expected} ({why})", "`newsarc check --repair` moves it there",
                      "misplaced", remedy="move", target=expected)
            self.kept_originals[relpath] = (article.id, original)  # its original moves with it
        else:
            self._add(relpath, "place", f"belongs at {expected} ({why}), where another file already is",
                      "compare the two files and keep one", "misplaced", target=expected)
        return True

    def _check_originals(self) -> None:
        """A kept original (<id>.orig.gz) belongs beside its article, which names it in `original:`."""
        for relpath in self.ledger.unclaimed_originals():
            self._add(relpath, "file", "is a kept original whose article is not beside it",
                      "move it next to its article's file (or delete it if the article is gone)", "stray")

    def _check_duplicate_ids(self) -> None:
        for article_id, paths in self.ledger.duplicate_ids():
            paths.sort(key=_walk_order)  # the order they are named in, as a walk by name lists them
            distinct = _distinct_files(self.root, paths)
            if len(distinct) < 2:
                continue  # hard links to one file (an interrupted move): the misplaced check handles them
            for relpath in distinct:
                others = ", ".join(p for p in distinct if p != relpath)
                self._add(relpath, "id", f"id {article_id} is also used by {others}",
                          "if it is the same article, remove one copy; otherwise give one of them the id "
                          "`newsarc check` suggests after you remove its id line", "duplicate-id")

    def _check_links(self) -> None:
        """A duplicate_of/version_of must name an article in the archive (newsarc.links keeps them whole on rm)."""
        for relpath, field_name, target in self.ledger.dangling_links():
            self._add(relpath, field_name, f"names {target}, which is not in the archive (removed, or a typo)",
                      "`newsarc check --repair` clears it", "link", remedy="unlink")

    # -- the derived state -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _derived_state(self) -> Iterator[_DerivedState | None]:
        """The catalog's rows and the index's paths, streamed in path order beside the walk; None when the derived
        state is to be rebuilt (nothing to compare). The index is opened first, so that a damaged one is met (and
        rebuilt, by store.read_index) before the catalog is trusted."""
        store = self.store
        census = self._census()
        try:
            first = next(census, None)
            self.reason = store.rebuild_reason()
            if self.reason:
                yield None
                return
            rows = ((record.path, _fingerprint(record.metadata())) for record in store.catalog.records())
            yield _DerivedState(rows, itertools.chain(() if first is None else (first,), census))
        finally:
            census.close()

    def _census(self) -> Generator[CensusEntry, None, None]:
        """The index's document_census, with a date column that cannot be read (an OSError that is not damage of
        the index's files) told to _scan, which compares the counts alone in a second pass."""
        store = self.store
        census = store.backend.document_census(dates=not self.dates_unreadable)
        try:
            yield from census
        except OSError as exc:
            if self.dates_unreadable or store.engine.is_damage(exc):
                raise
            raise _DatesUnreadable from exc
        finally:
            close = getattr(census, "close", None)
            if close is not None:
                close()

    def _compare_derived(self, relpath: str, article: Article | None, row: int | None, entry: CensusEntry | None, *,
                         walked: bool) -> None:
        """One path's catalog row (its fingerprint) and index entry against its file: the article read from it,
        None when the file cannot be read as one (walked) or is not there (not walked)."""
        from newsarc.storage.catalog import FileRecord

        if article is not None and row is None:
            self._add(relpath, "index", "is not in the search index", "`newsarc check --repair` indexes it",
                      "index", remedy="reindex")
        elif article is not None:
            if row != _fingerprint(FileRecord.of(relpath, article).metadata()):
                self._add(relpath, "index", "the index holds an older version of this file (changed without its "
                          "timestamp showing it)", "`newsarc check --repair` re-indexes it", "index",
                          remedy="reindex")
            if entry is not None and not self.dates_unreadable:
                day, expected = entry[2], article.date[:10] if article.date else None
                if day != expected:
                    self._add(relpath, "date", f"the search index dates this article {day or 'undated'}, the file "
                              f"{expected or 'undated'}", "`newsarc check --repair` re-indexes it", "index",
                              remedy="reindex")
        elif row is not None:
            what = "the file can no longer be read" if walked else "the file is gone"
            self._add(relpath, "index", f"is in the search index, but {what}",
                      "`newsarc check --repair` removes it from the index", "index", remedy="unindex")
        if row is not None and entry is None:
            self._add(relpath, "index", "is in the catalog but missing from the search index",
                      "`newsarc check --repair` rebuilds the index", "index", remedy="rebuild")
        elif entry is not None and row is None:
            self._add(relpath, "index", "has a document in the search index but no catalog entry",
                      "`newsarc check --repair` rebuilds the index", "index", remedy="rebuild")
        elif entry is not None and entry[1] > 1:
            self._add(relpath, "index", f"is in the search index {entry[1]} times",
                      "`newsarc check --repair` rebuilds the index", "index", remedy="rebuild")

    def _check_index(self) -> None:
        """What concerns the derived state as a whole (each path was compared as the walk passed it)."""
        if self.reason:
            self._add(".newsarc/index", "index", self.reason, "`newsarc check --repair` rebuilds it", "index",
                      remedy="rebuild")
            return
        if self.dates_unreadable:
            self._add(".newsarc/index", "date", f"the dates in the search index cannot be read "
                      f"({self.dates_unreadable}); timelines would fail", "`newsarc check --repair` rebuilds the "
                      "index", "index", remedy="rebuild")

    # -- repairs (lock held) ---------------------------------------------------------------------------
    def _repair(self, problems: list[Problem]) -> dict[tuple[str, str, str], str]:
        """Fix the repairable problems; returns what was done, by problem key."""
        from newsarc.storage.atomic import fsync_dir

        done: dict[tuple[str, str, str], str] = {}
        rebuild = False
        upserts: dict[str, Article] = {}
        deletes: list[str] = []
        for problem in problems:  # rewrites first, in each file's place, before any move
            if problem.remedy in ("unlink", "iso-date"):
                article = self._rewrite(problem)
                if article is not None:
                    upserts[problem.path] = article
                    done[problem.key()] = "cleared" if problem.remedy == "unlink" else "written as YYYY-MM-DD"
        for problem in problems:
            path = self.root / problem.path
            if problem.remedy == "remove" and _is_temp(path.name):  # only ever newsarc's own temporary files
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                fsync_dir(path.parent)
                done[problem.key()] = "removed"
            elif problem.remedy == "move":
                if _move_no_replace(path, self.root / problem.target):
                    done[problem.key()] = f"moved to {problem.target}"
                    if problem.path in upserts:  # rewritten above, then moved: index it at its new place
                        upserts[problem.target] = upserts.pop(problem.path)
                    self._move_original(problem.path, problem.target)
                    self.archive.prune_empty_folders(problem.path)  # as rm does: no empty folder left behind
            elif problem.remedy == "resolve":
                if self._resolve_conflict(problem.path):
                    done[problem.key()] = "kept the earlier `added` time; now `git add` the file and commit"
            elif problem.remedy == "git-setup":
                from newsarc.storage.gitmerge import ensure_git_setup

                ensure_git_setup(self.root, quiet=True, force=True)
                done[problem.key()] = "set up (commit .gitattributes if it changed)"
            elif problem.remedy == "rebuild":
                rebuild = True
                done[problem.key()] = "rebuilt the index from the files"
            elif problem.remedy == "reindex":
                if problem.path not in upserts:  # once, though its catalog row and index date may both be stale
                    try:
                        upserts[problem.path] = self.archive.read(problem.path)
                    except NewsarcError:
                        continue  # changed since it was checked: the scan after the repair reports it as it is
                done[problem.key()] = "re-indexed"
            elif problem.remedy == "unindex":
                deletes.append(problem.path)
                done[problem.key()] = "removed from the index"
        if rebuild:
            self.store.rebuild(reason="newsarc check --repair")
            for key in list(done):
                if key[0] == "index":
                    done[key] = "rebuilt the index from the files"
        elif upserts or deletes:
            self.store.record(list(upserts.items()), deletes)
        return done

    def _rewrite(self, problem: Problem) -> Article | None:
        """Clear a dangling link or write the date (or `added`) as ISO, in the file's own place; None when the
        file changed since the scan (the scan after the repair reports it as it is)."""
        from newsarc.article import normalise_date
        from newsarc.storage.atomic import atomic_write
        from newsarc.yamlio import article_yaml

        try:
            article = self.archive.read(problem.path)
            if problem.remedy == "iso-date" and problem.field == "added":  # read as written: made ISO here
                article.added = normalise_date(article.added, field_name="added") or ""
        except NewsarcError:
            return None
        if problem.remedy == "unlink":
            article.extra.pop(problem.field, None)
        atomic_write(self.root / problem.path, article_yaml(article))  # the date is read as ISO: written so
        return article

    def _move_original(self, source: str, target: str) -> None:
        """Take the article's kept original along -- only the name newsarc gives it, never a path from the YAML."""
        article_id, named = self.kept_originals.get(source, ("", ""))
        name = original_name(article_id) if article_id else ""
        if article_id and named == name:
            original = (self.root / source).parent / name
            if original.is_file() and not original.is_symlink():
                _move_no_replace(original, (self.root / target).parent / name)

    def _resolve_conflict(self, relpath: str) -> bool:
        from newsarc.storage.conflicts import resolve_added_conflict_in

        return resolve_added_conflict_in(self.root / relpath, origin=relpath)


class _DatesUnreadable(Exception):
    """The index's date column cannot be read (its cause says why): check compares the counts alone."""


class _DerivedState:
    """The catalog's rows (path, fingerprint) and the index's census, two streams in ascending path order, read in
    step with the walk of the files, which yields paths in the same order (newsarc.storage.freshness.path_order):
    only the head of each is held."""

    def __init__(self, rows: Iterator[tuple[str, int]], census: Iterator[CensusEntry]):
        self._rows = _in_batches(rows)
        self._census = _in_batches(census)
        self._row = next(rows, None)
        self._entry = next(census, None)

    def take(self, path: str) -> tuple[int | None, CensusEntry | None]:
        """The row's fingerprint and the census entry of path, each None when its stream does not hold it."""
        row = entry = None
        if self._row is not None and self._row[0] == path:
            row = self._row[1]
            self._row = next(self._rows, None)
        if self._entry is not None and self._entry[0] == path:
            entry = self._entry
            self._entry = next(self._census, None)
        return row, entry

    def before(self, path: str | None) -> Iterator[tuple[str, int | None, CensusEntry | None]]:
        """(path, row, entry) of each path either stream holds before `path` (all that is left, for None), in
        order: the walk has passed them, so they have no article file."""
        while True:
            heads = [head[0] for head in (self._row, self._entry) if head is not None]
            if not heads or (path is not None and min(heads) >= path):
                return
            first = min(heads)
            yield first, *self.take(first)

    def rest(self) -> Iterator[tuple[str, int | None, CensusEntry | None]]:
        return self.before(None)


# -- helpers -----------------------------------------------------------------------------------------------
STREAM_BATCH = 256  # rows of the catalog (or paths of the index) read at a time


def _in_batches(items: Iterator[T]) -> Iterator[T]:
    """items, read STREAM_BATCH at a time. Taking one catalog row and one index path between every two files read
    cost the check a fifth more time than reading them all first (4,000 articles, in-process, paired); a few
    hundred at a time cost nothing, and memory stays what a few hundred rows take."""
    while batch := list(itertools.islice(items, STREAM_BATCH)):
        yield from batch


def _walk_order(relpath: str) -> list[str]:
    """A path's place in a walk that lists each directory by name (component by component): the order check
    has always named the files of a duplicate id in, where "2024-x/" and "2024/" sort the other way as text."""
    return relpath.split("/")


def _is_iso(value: str) -> bool:
    """A date text written as ISO 8601 (YYYY-MM-DD, or a full ISO date and time)."""
    text = value.strip()
    try:
        if len(text) == 10:
            dt.date.fromisoformat(text)
        else:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return text[4:5] == "-"


def _is_temp(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, int | float):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__


def _without_origin(message: str, origin: str) -> str:
    prefix = f"{origin}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _same_file(a: Any, b: Any) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _distinct_files(root: Any, paths: list[str]) -> list[str]:
    """paths with hard links to one file counted once (keeping the first name)."""
    seen: set[tuple[int, int]] = set()
    distinct: list[str] = []
    for relpath in paths:
        try:
            st = os.stat(root / relpath)
            key = (st.st_dev, st.st_ino)
        except OSError:
            key = (-1, len(distinct))
        if key not in seen:
            seen.add(key)
            distinct.append(relpath)
    return distinct


def _move_no_replace(source: Any, target: Any) -> bool:
    """Move source to target without ever replacing a different file; False when target is taken.

    A hard link then an unlink: if newsarc dies in between, both names point to one file, which the next
    repair sees (same inode at the target) and finishes by removing the second name -- no data is removed.
    """
    from newsarc.storage.atomic import fsync_dir

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # refuses an existing target, atomically
    except FileExistsError:
        if not _same_file(source, target):
            return False
    except OSError:  # no hard links on this file system: rename, having checked the target is free
        if target.exists():
            return False
        os.rename(source, target)
        fsync_dir(target.parent)
        fsync_dir(source.parent)
        return True
    fsync_dir(target.parent)
    os.unlink(source)
    fsync_dir(source.parent)
    return True


def _read_all(fd: int, size: int) -> bytes:
    """The whole file: one read of the size fstat gave (a short read is the end of the file), then more only if
    the file grew under us."""
    chunks = [os.read(fd, size + 1)]
    if len(chunks[0]) <= size:
        return chunks[0]
    while chunks[-1]:
        chunks.append(os.read(fd, 1 << 16))
    return b"".join(chunks)


def _fingerprint(metadata: tuple[Any, ...]) -> int:
    """A catalog row's article fields as one number: 20,000 rows kept while the files are read cost little."""
    return hash(tuple(tuple(value) if isinstance(value, list) else value for value in metadata))
