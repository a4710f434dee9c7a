"""Feed subscriptions: which RSS/Atom feeds an archive follows, and adding their new entries.

Each subscription is one YAML file in the archive's `feeds/` folder (url, title, tags), so two clones that
subscribe to different feeds never conflict; when each feed was last updated is per-machine state in
`.newsarc/feeds.json`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarc.errors import ArchiveError, ExitCode, NewsarcError, NotFoundError, UsageError

if TYPE_CHECKING:
    from newsarc.storage.store import Store

FEEDS_DIR = "feeds"
STATE_FILE = "feeds.json"


@dataclass
class FeedUpdate:
    """What one `feed update` did for one feed."""

    url: str
    name: str
    added: int = 0
    known: int = 0
    near_duplicates: int = 0
    failed: int = 0
    first_failure: str = ""
    error: str = ""  # the whole feed could not be read


def _feed_path(store: Store, url: str) -> Path:
    return store.archive.root / FEEDS_DIR / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}.yaml"


def subscriptions(store: Store) -> list[dict[str, Any]]:
    """The subscriptions, from feeds/*.yaml in the archive, ordered by title."""
    from newsarc.yamlio import load_yaml

    directory = store.archive.root / FEEDS_DIR
    feeds = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        item = load_yaml(path.read_bytes(), origin=str(path))
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item["url"]:
            raise UsageError(f"{path}: a feed file needs `url: ...` (and may have title and tags)")
        feeds.append(item)
    return sorted(feeds, key=lambda f: (str(f.get("title") or "").casefold(), f["url"]))


def last_updates(store: Store) -> dict[str, dict[str, Any]]:
    """Per feed URL: when it was last updated on this machine, and what happened ({updated, added | error})."""
    try:
        state = json.loads((store.archive.state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save_state(store: Store, state: dict[str, Any]) -> None:
    from newsarc.storage.atomic import atomic_write

    atomic_write(store.archive.state_dir / STATE_FILE, json.dumps(state, indent=1, sort_keys=True), durable=False)


def read_location(location: str, allow_private: bool) -> tuple[bytes, dict[str, Any]]:
    """The feed's bytes and the hints for its entries, from a URL or a file."""
    from newsarc.ingest.fetch import fetch, is_url

    if is_url(location):
        fetched = fetch(location, allow_private=allow_private)
        return fetched.data, {**fetched.hints(), "feed": location}
    path = Path(location)
    try:
        return path.read_bytes(), {"feed": str(path), "name": path.name}
    except OSError as exc:
        raise NewsarcError(f"{location}: cannot read the feed file ({exc.strerror})") from None


class AmbiguousFeedError(NewsarcError):
    exit_code = ExitCode.AMBIGUOUS


def find(feeds: list[dict[str, Any]], which: str, *, action: str = "use") -> int:
    """The position of the feed named by its URL, its number in `feed list` or its title. A title that several
    feeds share names none of them: refused, listing them, rather than one picked at random."""
    if which.isdigit() and 1 <= int(which) <= len(feeds):
        return int(which) - 1
    for i, item in enumerate(feeds):
        if which == item["url"]:
            return i
    titled = [i for i, item in enumerate(feeds) if which == item.get("title")]
    if len(titled) > 1:
        listed = ", ".join(f"{i + 1} {feeds[i]['url']}" for i in titled)
        raise AmbiguousFeedError(f"{len(titled)} feeds are titled {which!r}: {listed}; name the one to {action} "
                                 "by its URL or number (`newsarc feed list`)")
    if titled:
        return titled[0]
    raise NotFoundError(f"no feed {which!r} among the subscriptions; `newsarc feed list` shows them")


def subscribe(store: Store, location: str, *, tags: Iterable[str] = (),
              allow_private: bool = False) -> tuple[dict[str, Any], int]:
    """Subscribe to a feed after reading it once; returns the subscription and how many entries it has now."""
    from newsarc.ingest.feed import read_feed
    from newsarc.ingest.fetch import is_url
    from newsarc.storage.atomic import atomic_write
    from newsarc.yamlio import dump_yaml

    if not is_url(location):
        location = str(Path(location).expanduser().absolute())
    if any(f["url"] == location for f in subscriptions(store)):
        raise UsageError(f"already subscribed to {location}")
    data, hints = read_location(location, allow_private)
    parsed = read_feed(data, origin=location, hints=hints)
    entry: dict[str, Any] = {"url": location, "title": " ".join((parsed.feed.get("title") or location).split())}
    if tags:
        entry["tags"] = list(tags)
    if allow_private:
        entry["allow_private"] = True
    with store.archive.lock:
        atomic_write(_feed_path(store, location), dump_yaml(entry))
    return entry, len(parsed.entries)


def unsubscribe(store: Store, which: str) -> dict[str, Any]:
    """Remove a subscription (its articles stay in the archive); returns it."""
    import contextlib

    with store.archive.lock:
        feeds = subscriptions(store)
        removed = feeds.pop(find(feeds, which, action="remove"))
        with contextlib.suppress(FileNotFoundError):
            _feed_path(store, removed["url"]).unlink()
    return removed


def update(store: Store, which: Iterable[str] = (), *, fetch_pages: bool = False, keep_original: bool = False,
           dedupe: str = "link") -> Iterator[FeedUpdate]:
    """Add the new entries of every feed (or those named), one FeedUpdate per feed as it finishes.

    A feed that cannot be read is reported in its FeedUpdate.error and the others go on."""
    from newsarc.adding import IngestSettings, Overrides, add_sources
    from newsarc.article import utc_now
    from newsarc.ingest.sources import Source
    from newsarc.outcomes import AddReport

    feeds = subscriptions(store)
    if not feeds:
        raise UsageError("no feeds to update; subscribe with `newsarc feed add URL`")
    which = list(which)
    chosen = [feeds[find(feeds, w, action="update")] for w in which] if which else feeds
    store.archive.require_writable()
    state = last_updates(store)
    try:
        for item in chosen:
            url = item["url"]
            result = FeedUpdate(url=url, name=item.get("title") or url)
            allow_private = bool(item.get("allow_private"))
            try:
                data, hints = read_location(url, allow_private)
                source = Source(url, _constant(data), hints=hints)
                settings = IngestSettings(dedupe=dedupe, keep_original=keep_original and fetch_pages,
                                          allow_private=allow_private, fetch_pages=fetch_pages, resume=False)
                report = add_sources(store, [source], overrides=Overrides(tags=tuple(item.get("tags") or ())),
                                     settings=settings, report=AddReport(keep_outcomes=False))
            except ArchiveError:
                raise  # the archive, not this feed: the other feeds would fail the same way
            except NewsarcError as exc:
                result.error = str(exc)
                state[url] = {**state.get(url, {}), "updated": utc_now(), "error": result.error}
                yield result
                continue
            result.added, result.known = report.count("added"), report.count("duplicate")
            result.near_duplicates, result.failed = report.count("near-duplicate"), report.count("failed")
            result.first_failure = report.outcomes[0].reason if result.failed and report.outcomes else ""
            state[url] = {"updated": utc_now(), "added": result.added}
            yield result
    finally:
        _save_state(store, state)


def _constant(data: bytes) -> Callable[[], bytes]:
    """A reader that hands back bytes already fetched (a Source reads lazily; a feed is read before it)."""
    return lambda: data
