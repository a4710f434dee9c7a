"""The YAML archive on disk: where it is, its settings, and one file per article.

Layout of an archive directory:

    newsarc.yaml                 settings (the file that marks a directory as an archive)
    .gitignore                   keeps .newsarc/ out of git
    .gitattributes               tells git how to merge newsarc's files between clones (newsarc/storage/gitmerge.py)
    articles/YYYY/MM/<id>.yaml   one article per file; undated ones under articles/undated/
    .newsarc/                    derived state, never shared: index/, catalog.sqlite, lock

Everything under .newsarc/ can be deleted at any time: it is rebuilt from the YAML.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarc.errors import ArchiveError, BadInputError, UsageError
from newsarc.ids import is_valid_id

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.storage.locking import ArchiveLock
    from newsarc.storage.store import BackgroundWrites

SETTINGS_FILE = "newsarc.yaml"
ARTICLES_DIR = "articles"
STATE_DIR = ".newsarc"
UNDATED_DIR = "undated"
ORIGINAL_SUFFIX = ".orig.gz"  # a raw source kept beside its article by `add --keep-original`
ENV_VAR = "NEWSARC_ARCHIVE"
# Written even when empty (an unknown date is `date: null`); other empty fields are left out of the file.

DEFAULT_SETTINGS: dict[str, Any] = {
    "newsarc": 1,
    # How to read ambiguous numeric dates such as 05-06-2017: DMY, MDY or YMD.
    "date_order": "DMY",
    # The freshness check stats every file on every command while the archive has at most this many articles;
    # above it, only directories are checked on each command and a full scan runs every full_scan_interval s.
    "full_scan_max_files": 5000,
    "full_scan_interval": 3600,
}

SETTINGS_TEMPLATE = """\
# newsarc archive settings. This file marks the directory as a newsarc archive.
newsarc: 1
# How to read ambiguous numeric dates such as 05-06-2017: DMY, MDY or YMD.
date_order: DMY
# Hand edits are noticed by the next command. Files added, removed or renamed are seen at any size; files
# rewritten in place are seen on every command up to full_scan_max_files articles, and above that by a full
# scan every full_scan_interval seconds (and always by `newsarc check`).
full_scan_max_files: 5000
full_scan_interval: 3600
# Plain-text rules added to the shipped ones (newsarc/data/rules.yaml), e.g.:
# ingest_rules:
#   furniture: ["Listen to this article"]
#   footer: ["More from our network"]
"""

GITIGNORE = "# newsarc's derived index and lock: rebuilt from the YAML, never shared\n.newsarc/\n"


def default_archive_dir() -> Path:
    """The per-user archive under the XDG data directory."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "newsarc"


def is_archive(path: Path) -> bool:
    return (path / SETTINGS_FILE).is_file()


def find_archive_dir(explicit: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> tuple[Path, str]:
    """Locate the archive: --archive, else $NEWSARC_ARCHIVE, else the nearest one up from cwd, else the default.

    Walking up, a directory D holds an archive when D/newsarc.yaml or D/archive/newsarc.yaml exists (the
    second lets a project keep its archive in an `archive/` folder, as this repository does). Returns the path
    and where it came from, for messages: "--archive", "$NEWSARC_ARCHIVE", "found" or "default".
    """
    if explicit:
        return Path(explicit).expanduser().absolute(), "--archive"
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().absolute(), f"${ENV_VAR}"
    here = (cwd or Path.cwd()).absolute()
    for directory in (here, *here.parents):
        if is_archive(directory):
            return directory, "found"
        if is_archive(directory / "archive"):
            return directory / "archive", "found"
    return default_archive_dir(), "default"


def init_archive(root: Path) -> Path:
    """Create an empty archive at root (idempotent: an existing archive is left as it is)."""
    root = root.expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a directory")
    from newsarc.storage.atomic import atomic_write
    from newsarc.storage.gitmerge import write_gitattributes

    try:
        (root / ARTICLES_DIR).mkdir(parents=True, exist_ok=True)
        settings = root / SETTINGS_FILE
        if not settings.exists():
            atomic_write(settings, SETTINGS_TEMPLATE)
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            atomic_write(gitignore, GITIGNORE)
        write_gitattributes(root)
    except OSError as exc:
        from newsarc.errors import ArchiveError

        where = f" in {exc.filename}" if exc.filename and Path(exc.filename) != root else ""
        raise ArchiveError(f"cannot create an archive at {root} ({(exc.strerror or str(exc)).lower()}{where}); "
                           "choose a folder you can write to") from None
    return root


def original_name(article_id: str) -> str:
    """The file name of an article's kept original: the only name newsarc reads or writes for it."""
    return f"{article_id}{ORIGINAL_SUFFIX}"


class Archive:
    """One archive directory. Paths handed in and out are relative to the root, with '/' separators."""

    def __init__(self, root: Path):
        self.root = root
        self.articles_dir = root / ARTICLES_DIR
        self.state_dir = root / STATE_DIR
        self._settings: dict[str, Any] | None = None
        self._lock: ArchiveLock | None = None
        self._git_checked = False
        self._write_problem: str | None = None
        # Digest of each file save() wrote and record() has not taken yet (newsarc.storage.store.Store.record).
        self.written_digests: dict[str, str] = {}

    @classmethod
    def open(cls, root: Path) -> Archive:
        if not is_archive(root):
            raise ArchiveError(f"no newsarc archive at {root}; create one with `newsarc init {root}`")
        return cls(root)

    # -- settings --------------------------------------------------------------------------------------
    @property
    def settings(self) -> dict[str, Any]:
        """The archive settings, read from newsarc.yaml through a JSON cache so most commands skip yaml."""
        if self._settings is None:
            self._settings = self._load_settings()
        return self._settings

    def _load_settings(self) -> dict[str, Any]:
        source = self.root / SETTINGS_FILE
        st = source.stat()
        stamp = [st.st_mtime_ns, st.st_size]
        cache = self.state_dir / "settings.json"
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if cached.get("stamp") == stamp:
                return {**DEFAULT_SETTINGS, **cached["settings"]}
        except (OSError, ValueError, KeyError, AttributeError):
            pass
        from newsarc.yamlio import load_yaml

        loaded = load_yaml(source.read_bytes(), origin=str(source)) or {}
        if not isinstance(loaded, dict):
            raise ArchiveError(f"{source}: settings must be a mapping of names to values")
        try:
            self.state_dir.mkdir(exist_ok=True)
            from newsarc.storage.atomic import atomic_write

            atomic_write(cache, json.dumps({"stamp": stamp, "settings": loaded}, default=str), durable=False)
        except OSError:
            pass  # a read-only archive still works, it just reads the YAML each time
        return {**DEFAULT_SETTINGS, **loaded}

    # -- read-only archives ------------------------------------------------------------------------------
    def write_problem(self) -> str | None:
        """Why newsarc cannot write to this archive (a read-only mount, no write permission), or None.

        Asked by readers before they try to bring the index up to date: on an archive they cannot write they
        search the index as it stands instead of failing on the lock file.
        """
        if self._write_problem is None:
            self._write_problem = self._find_write_problem() or ""
        return self._write_problem or None

    def require_writable(self) -> None:
        """Fail in one line, before any work, for a writer on an archive newsarc cannot write (the message the
        archive lock gives, for writers that would otherwise find out half-way, after fetching feeds)."""
        from newsarc.errors import ArchiveError

        problem = self.write_problem()
        if problem:
            raise ArchiveError(f"cannot write to the archive at {self.root} ({problem}); commands that only read "
                               "it still work")

    def _find_write_problem(self) -> str:
        try:
            if os.statvfs(self.root).f_flag & os.ST_RDONLY:
                return "read-only file system"
        except OSError:
            pass
        for path in (self.root, self.articles_dir, self.state_dir):
            if path.exists() and not os.access(path, os.W_OK | os.X_OK):
                return f"no permission to write in {path}"
        return ""

    # -- lock ------------------------------------------------------------------------------------------
    @property
    def lock(self) -> ArchiveLock:
        if self._lock is None:
            from newsarc.storage.locking import ArchiveLock

            self._lock = ArchiveLock(self.state_dir / "lock")
        return self._lock

    # -- article files ---------------------------------------------------------------------------------
    def relpath_for(self, article: Article) -> str:
        """Where an article lives: articles/YYYY/MM/<id>.yaml, or articles/undated/<id>.yaml."""
        if not is_valid_id(article.id):
            raise BadInputError(f"article id {article.id!r} is not a valid newsarc id")
        if article.date:
            year, month = article.date[:4], article.date[5:7]
            if not (year.isdigit() and month.isdigit()):
                raise BadInputError(f"field 'date': {article.date!r} is not an ISO date")
            return f"{ARTICLES_DIR}/{year}/{month}/{article.id}.yaml"
        return f"{ARTICLES_DIR}/{UNDATED_DIR}/{article.id}.yaml"

    def abspath(self, relpath: str) -> Path:
        return self.root / relpath

    def save(self, article: Article, *, durable: bool = True, writes: BackgroundWrites | None = None) -> str:
        """Write an article atomically to its place; returns its relative path.

        With writes (bulk adding), the file is written and fsynced by a background thread while the caller goes
        on; it is on disk once writes.wait() returns, which the caller does before recording the batch."""
        from newsarc.storage.atomic import atomic_write
        from newsarc.yamlio import MAX_YAML_BYTES, article_yaml

        if not self._git_checked:
            self._git_checked = True
            from newsarc.storage.gitmerge import ensure_git_setup

            ensure_git_setup(self.root)
        relpath = self.relpath_for(article)
        text = article_yaml(article)
        if len(text) > MAX_YAML_BYTES // 4 and len(text.encode("utf-8")) > MAX_YAML_BYTES:
            # Never write a file that read() would refuse: the article would be on disk but out of reach.
            raise BadInputError(f"article {article.id} ({article.title[:60]!r}) is larger than the "
                                f"{MAX_YAML_BYTES // 2**20} MB an article file may have; split or trim it")
        from newsarc.storage.catalog import file_digest

        self.written_digests[relpath] = file_digest(text.encode("utf-8"))
        try:
            if writes is not None:
                writes.write(self.root / relpath, text)
            else:
                atomic_write(self.root / relpath, text, durable=durable)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            raise ArchiveError(f"cannot write to the archive at {self.root} ({(exc.strerror or str(exc)).lower()}: "
                               f"{relpath})") from None
        return relpath

    def read(self, relpath: str) -> Article:
        """Load and validate the article in one file; a problem names the file and the field."""
        return self.parse(relpath, self.read_bytes(relpath))

    def read_with_digest(self, relpath: str) -> tuple[Article, str]:
        """The article in one file and the digest of its bytes (what the catalog keeps to know its content)."""
        from newsarc.storage.catalog import file_digest

        raw = self.read_bytes(relpath)
        return self.parse(relpath, raw), file_digest(raw)

    def read_bytes(self, relpath: str) -> bytes:
        """The bytes of one article file; refused by size before it is read; a problem names the file."""
        from newsarc.yamlio import MAX_YAML_BYTES

        # A string path, not self.root / relpath: pathlib (Python 3.11) interns every part of a path it parses, so
        # reading every article of an archive churned the interpreter's table of interned strings by one entry
        # per file name (a resize of it alone is ~2 MB at 40,000 articles).
        path = os.path.join(self.root, relpath)
        try:
            size = os.stat(path).st_size
            if size > MAX_YAML_BYTES:  # refused before reading it into memory
                raise BadInputError(f"{relpath}: file is {size / 2**20:.0f} MB, larger than the "
                                    f"{MAX_YAML_BYTES // 2**20} MB an article file may have; split or trim it")
            with open(path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise ArchiveError(f"{relpath}: file has disappeared; run `newsarc check`") from None
        except OSError as exc:
            raise ArchiveError(f"{relpath}: cannot read ({exc.strerror})") from None

    @staticmethod
    def parse(relpath: str, raw: bytes) -> Article:
        from newsarc.article import Article
        from newsarc.yamlio import load_yaml

        data = load_yaml(raw, origin=relpath)
        return Article.from_dict(data, origin=relpath)

    def remove(self, relpath: str) -> None:
        """Delete an article file (or its kept original), and the folders it leaves empty (articles/2017/05,
        then articles/2017), so that a removed month leaves no trace; articles/ itself stays."""
        with contextlib.suppress(FileNotFoundError):
            (self.root / relpath).unlink()
        self.prune_empty_folders(relpath)

    def prune_empty_folders(self, relpath: str) -> None:
        """Remove the folders above `relpath`, up to articles/, that hold nothing any more (not even a hidden
        file: rmdir refuses a folder that is not empty, so nothing of anyone's is lost)."""
        folder = (self.root / relpath).parent
        while folder != self.articles_dir and self.articles_dir in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def original_relpath(self, relpath: str, article_id: str) -> str:
        """Where the kept original of the article at `relpath` lies: beside it, under the name newsarc gives it.

        An article's `original:` field is data anyone may edit: it names the original, never locates it."""
        folder = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
        return f"{folder}/{original_name(article_id)}" if folder else original_name(article_id)

    def iter_relpaths(self) -> Iterator[str]:
        """Every article file under articles/, in sorted order (temporary files skipped)."""
        yield from self._walk(self.articles_dir, ARTICLES_DIR)

    def _walk(self, directory: Path, rel: str) -> Iterator[str]:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(Path(entry.path), f"{rel}/{entry.name}")
            elif entry.name.endswith(".yaml") and entry.is_file(follow_symlinks=False):
                yield f"{rel}/{entry.name}"
