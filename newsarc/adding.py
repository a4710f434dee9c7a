"""Adding articles: turning parsed inputs into Articles, skipping duplicates, writing and recording them.

Everything here runs under the archive lock; new articles are recorded in the index and catalog in batches of
store.BATCH, so memory stays flat whatever the size of the input.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsarc.article import Article, normalise_date, utc_now
from newsarc.errors import NewsarcError
from newsarc.ids import make_id
from newsarc.outcomes import AddOutcome, AddReport
from newsarc.pause_point import PausePoint
from newsarc.storage.store import BATCH, BackgroundWrites, Store

if TYPE_CHECKING:
    from newsarc.ingest.sources import Source

# Files above this size are read as a stream (JSON Lines, CSV, mbox): memory stays flat whatever their size.
STREAM_FROM_BYTES = 4 * 1024 * 1024

@dataclass
class Overrides:
    """Metadata given on the command line; it wins over what was read from the input."""

    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class IngestSettings:
    """How `add` treats what it reads (see newsarc add --help): field mapping, near-duplicates, originals."""

    field_map: dict[str, str] = field(default_factory=dict)
    dedupe: str = "link"  # link | skip | keep (newsarc.dedupe.DEDUPE_MODES)
    keep_original: bool = False
    allow_private: bool = False
    fetch_pages: bool = False
    resume: bool = True  # skip inputs whose exact bytes are already in (newsarc.ingest.ledger)

    @classmethod
    def from_options(cls, *, field_map: Iterable[str] = (), **settings: Any) -> IngestSettings:
        """Settings from command-line style values: `field_map` as FIELD=COLUMN strings (checked here)."""
        from newsarc.ingest.options import parse_field_map

        return cls(field_map=parse_field_map(tuple(field_map)), **settings)


def article_from_parsed(parsed: dict[str, Any], *, origin: str, overrides: Overrides) -> tuple[Article, bool]:
    """An Article from what a parser read, with the command-line overrides applied; also whether its date
    was ambiguous (day/month order) and so was read by the archive's date order."""
    tags = list(parsed.get("tags") or [])
    tags.extend(t for t in overrides.tags if t not in tags)
    known = {"title", "date", "date_ambiguous", "source", "url", "authors", "tags", "location", "language", "body"}
    data = {
        **{k: v for k, v in parsed.items()
           if k not in known and not k.startswith("_") and v not in (None, "", [], {})},
        "title": overrides.title or parsed.get("title"),
        "date": normalise_date(overrides.date, field_name="--date") if overrides.date else parsed.get("date"),
        "source": overrides.source or parsed.get("source") or "",
        "url": overrides.url or parsed.get("url") or "",
        "authors": list(overrides.authors) or parsed.get("authors") or [],
        "tags": tags,
        "location": parsed.get("location") or "",
        "language": parsed.get("language") or "",
        "body": parsed.get("body") or "",
    }
    article = Article.from_dict(data, origin=origin)
    return article, bool(parsed.get("date_ambiguous")) and not overrides.date


def finalise_new(article: Article) -> Article:
    """Give a new article its id (from its content) and its added time, unless it already has them."""
    if not article.id:
        article.id = make_id(article.content_key())
    if not article.added:
        article.added = utc_now()
    return article


# Articles written in the foreground before bulk writing moves to background threads: more than the CLI ever
# reports one line each for (20), so every "added ID" it prints names a file already on disk.
SYNC_FIRST = 32


class _Adder:
    """Writes new articles under the lock, skipping duplicates, and records them in batches.

    Exact duplicates (same content, or same URL with the same body) are never added twice. With near-duplicate
    handling on (`dedupe`), a body that is nearly the same as one already in is linked (`duplicate_of: ID`),
    skipped or kept as it is; a page whose URL is in but whose body changed is added as `version_of: ID`.
    """

    def __init__(self, store: Store, report: AddReport, *, durable: bool, dedupe: str | None = None,
                 keep_original: bool = False, ledger: Any = None, versions: bool = False, sketches: bool = False):
        self.store = store
        self.versions = versions
        self.report = report
        self.durable = durable
        self.dedupe = dedupe
        self.keep_original = keep_original
        self.ledger = ledger
        self.pending: list[tuple[str, Article]] = []
        self.recorded = 0  # articles written and recorded in the index by earlier batches
        self.abandoned = False  # set by abandon() (Ctrl-C): nothing more is recorded
        # Bulk adds write and fsync the files in background threads; flush() waits for them before recording.
        # The first SYNC_FIRST files are written before add() returns: a small add prints "added ID" for each,
        # and a line printed must be true on disk even if the process is killed the next instant.
        self.writes: BackgroundWrites | None = None
        self.background = durable
        self.saved = 0
        self.seen_urls: dict[str, str] = {}
        self.seen_content: dict[str, str] = {}
        self.pause = PausePoint.from_environ()  # None but in the tests that interrupt a run (newsarc.pause_point)
        self.near: Any = None
        self.near_synced = True  # whether close() may mark the near-duplicate table in step with the archive
        if dedupe is not None:
            from newsarc.dedupe import NearDupIndex

            self.near = NearDupIndex(store.archive.state_dir)
            self.near.sync(store)
        elif sketches:
            # import: no near-duplicate is looked for, but each article's sketch is recorded as it is added, so
            # that the next `add` does not read every imported file to build the table (a million articles: more
            # than five minutes). The table is marked in step at the end only if it was at the start.
            from newsarc.dedupe import NearDupIndex

            self.near = NearDupIndex(store.archive.state_dir)
            self.near_synced = self.near.is_synced(store) or not store.catalog.has_more_than(0)

    def add(self, article: Article, origin: str, *, raw: bytes | None = None, raw_key: str = "") -> AddOutcome:
        key = article.content_key()
        existing = self.store.catalog.find_duplicate("" if self.versions else article.url, key)
        existing_id = existing[0] if existing else self.seen_content.get(key)
        if not existing_id and not self.versions:
            existing_id = self.seen_urls.get(article.url, "") if article.url else ""
        link = ""
        mins = None
        if not existing_id and article.url and self.versions:
            existing_id, link = self._same_url(article)
        if not existing_id and not link and self.near is not None and self.dedupe is not None:
            from newsarc.dedupe import sketch

            mins = sketch(article.body)
            found = self.near.find(mins) if mins else None
            if found:
                root = self.near.root_of(found[0])
                if self.dedupe == "skip":
                    outcome = AddOutcome(origin, "near-duplicate", root, article.title,
                                         reason=f"{found[1]:.0%} like {root}")
                    return self._done(outcome, raw_key)
                if self.dedupe == "link":
                    link = f"duplicate_of {root}"
        if existing_id:
            return self._done(AddOutcome(origin, "duplicate", existing_id, article.title), raw_key)
        if link:
            kind, target = link.split(" ", 1)
            article.extra[kind] = target
        if not article.id:
            article.id = make_id(key)  # what finalise_new would compute, without hashing the text again
        finalise_new(article)
        if raw is not None and self.keep_original:
            article.extra["original"] = self._write_original(article, raw)
        # Listed before it is written, so that a Ctrl-C landing anywhere in the write still counts the file.
        entry = (self.store.archive.relpath_for(article), article)
        self.pending.append(entry)
        if self.writes is None and self.background and self.saved >= SYNC_FIRST:
            self.writes = BackgroundWrites()
        try:
            self.store.archive.save(article, durable=self.durable, writes=self.writes)
            self.saved += 1
        except Exception:
            self.pending.remove(entry)
            raise
        if article.url:
            self.seen_urls[article.url] = article.id
        self.seen_content[key] = article.id
        if self.near is not None:
            if mins is None:
                from newsarc.dedupe import sketch

                mins = sketch(article.body)
            self.near.add(article.id, mins)
            if link:
                kind, target = link.split(" ", 1)
                self.near.link(article.id, target, kind.removesuffix("_of"))
        outcome = self._done(AddOutcome(origin, "added", article.id, article.title, link=link), raw_key)
        if len(self.pending) >= BATCH:
            self.flush()
        if self.pause is not None:
            self.pause.article_written(self.writes.wait if self.writes is not None else None)
        return outcome

    def _same_url(self, article: Article) -> tuple[str, str]:
        """For an article whose URL is already in: (id, "") when it is the same article -- same body, or a body
        unrelated to the one stored, which is the core rule "same URL, same article" -- or ("", "version_of
        ROOT") when the body is an edited version of the stored one (the page changed). ("", "") for a new URL."""
        from newsarc.article import normalise_text
        from newsarc.dedupe import VERSION_THRESHOLD, similarity, sketch

        rows = self.store.catalog.with_url(article.url)
        if not rows and article.url in self.seen_urls:
            rows = [(self.seen_urls[article.url], "")]
        if not rows:
            return "", ""
        body = normalise_text(article.body)
        mins = sketch(article.body)
        edited_from = ""
        for article_id, path in rows:
            try:
                other = self.store.archive.read(path) if path else None
            except NewsarcError:
                continue
            if other is None or normalise_text(other.body) == body:
                return article_id, ""
            other_mins = sketch(other.body)
            if mins and other_mins and similarity(mins, other_mins) >= VERSION_THRESHOLD and not edited_from:
                edited_from = article_id
        if not edited_from:
            return rows[0][0], ""
        root = self.near.root_of(edited_from) if self.near is not None else edited_from
        return "", f"version_of {root}"

    def _write_original(self, article: Article, raw: bytes) -> str:
        """Store the raw source gzip'd beside the article's YAML; returns the file name for `original:`."""
        import gzip

        from newsarc.storage.atomic import atomic_write

        relpath = self.store.archive.original_relpath(self.store.archive.relpath_for(article), article.id)
        target = self.store.archive.abspath(relpath)
        atomic_write(target, gzip.compress(raw, mtime=0), durable=self.durable)
        return target.name

    def _done(self, outcome: AddOutcome, raw_key: str) -> AddOutcome:
        # A skipped near-duplicate is not recorded: a re-run with another --dedupe must see the input again.
        if raw_key and self.ledger is not None and outcome.id and outcome.status != "near-duplicate":
            self.ledger.record(raw_key, outcome.id)
        self.report.add(outcome)
        return outcome

    def flush(self) -> None:
        if self.writes is not None:
            self.writes.wait()
        if self.pending:
            self.store.record(self.pending, bulk=len(self.pending) > 1)
            self.recorded += len(self.pending)
            self.pending = []
        # What was recorded is in the catalog now: the in-run maps only bridge the unflushed batch.
        self.seen_urls.clear()
        self.seen_content.clear()
        if self.near is not None:
            self.near.commit()
        if self.ledger is not None:
            self.ledger.commit()

    def close(self) -> None:
        if self.writes is not None:
            self.writes.close()
        if self.near is not None:
            if self.near_synced:
                self.near.mark_synced(self.store)
            self.near.close()
        if self.ledger is not None:
            self.ledger.close()

    def finish(self) -> None:
        """Record what was written, as a normal end does. A Ctrl-C during that last commit is treated as one
        during the run: what is not recorded yet is left to the next command (an import of a few hundred
        articles is read in well under a second, so the signal often lands here)."""
        if self.abandoned:
            return
        interrupted = False
        try:
            if self.pause is not None:
                self.pause.before_last_commit()
            self.flush()
            self.store.end_bulk()
        except KeyboardInterrupt:
            interrupted = True
            self.abandon()
            raise
        finally:
            if not interrupted:
                self.close()

    def abandon(self) -> None:
        """Stop at once (Ctrl-C): the articles written so far stay, but the batch not yet indexed is left for
        the next command's freshness check to index (indexing it here could take half a minute). The ledger
        and near-duplicate tables only record articles whose files are written, so they are kept."""
        if self.writes is not None:
            self.writes.abandon()  # writes not started are dropped; the running ones finish, so count them
        written = [p for p, _ in self.pending if self.store.archive.abspath(p).exists()]
        self.report.unindexed = len(written)
        self.report.kept = self.recorded + len(written)
        self.pending = []
        self.abandoned = True
        for table in (self.ledger, self.near):
            if table is None:
                continue
            with contextlib.suppress(Exception):
                table.commit()
            with contextlib.suppress(Exception):
                table.close()


def _ingest_rules(store: Store) -> Any:
    """The plain-text rules with the archive's `ingest_rules:` setting merged in (None: the shipped ones)."""
    extra = store.archive.settings.get("ingest_rules")
    if not extra:
        return None
    from newsarc.ingest.text import Rules

    return Rules.load(extra)


def add_sources(store: Store, sources: Iterable[Source], *, overrides: Overrides | None = None,
                date_order: str | None = None, report: AddReport | None = None,
                on_outcome: Callable[[AddOutcome], None] = lambda o: None,
                settings: IngestSettings | None = None,
                on_bytes: Callable[[int], None] | None = None) -> AddReport:
    """Ingest sources of any kind (newsarc.ingest.dispatch). A bad source, or a bad record in a container, is
    recorded as failed and never stops the others."""
    from newsarc.ingest.dispatch import parse_source
    from newsarc.ingest.ledger import Ledger
    from newsarc.ingest.options import IngestOptions

    overrides = overrides or Overrides()
    settings = settings or IngestSettings()
    report = report or AddReport()
    order = (date_order or store.archive.settings["date_order"]).upper()
    with store.archive.lock:
        store.refresh(write=True)
        store.begin_bulk("add")
        ledger = Ledger(store.archive.state_dir, store.catalog) if settings.resume else None
        adder = _Adder(store, report, durable=True, dedupe=None if settings.dedupe == "keep" else settings.dedupe,
                       keep_original=settings.keep_original, ledger=ledger, versions=True)

        def known_url(url: str) -> str | None:
            found = store.catalog.find_duplicate(url, "\0")
            return found[0] if found else adder.seen_urls.get(url)

        options = IngestOptions(date_order=order, field_map=settings.field_map, rules=_ingest_rules(store),
                                keep_raw=settings.keep_original, seen=ledger.seen if ledger else None,
                                on_bytes=on_bytes, fetch_pages=settings.fetch_pages,
                                allow_private=settings.allow_private, known_url=known_url)
        from newsarc.ingest.parse_ahead import with_ahead

        try:
            with contextlib.closing(with_ahead(sources, options, limit=STREAM_FROM_BYTES)) as inputs:
                for source, ahead in inputs:
                    _add_one_source(source, adder, report, options, overrides, on_outcome, parse_source, ahead)
        except KeyboardInterrupt:
            adder.abandon()
            raise
        finally:
            adder.finish()
    return report


def _add_one_source(source: Source, adder: _Adder, report: AddReport, options: Any, overrides: Overrides,
                    on_outcome: Callable[[AddOutcome], None], parse_source: Callable[..., Any],
                    ahead: Any = None) -> None:
    """Parse one source (or take what the parse-ahead helper made of it) and add what it holds."""
    stream = None
    consumed = 0
    try:
        items: Iterable[dict[str, Any]]
        if ahead is not None:  # read and parsed by newsarc.ingest.parse_ahead
            consumed = ahead.size
            items = _resume_checked(ahead.items, source.origin, options)
        else:
            if source.open is not None and source.size > STREAM_FROM_BYTES:
                stream = source.open()
                payload: Any = stream
            else:
                payload = source.read()
                consumed = len(payload)
            source_options = options.with_hints(source.hints)
            if options.on_bytes and stream is None:
                source_options.on_bytes = None  # counted here, once the bytes are read
            items = parse_source(payload, origin=source.origin, date_order=options.date_order,
                                 options=source_options)
        for parsed in items:
            origin = parsed.get("_origin") or source.origin
            if "_error" in parsed:
                outcome = AddOutcome(origin, "failed", reason=parsed["_error"])
                report.add(outcome)
            elif parsed.get("_skip"):
                ids = parsed.get("_ids") or [""]
                known = adder.store.catalog.entry_of(ids[0]) if ids[0] else None
                outcome = AddOutcome(origin, "duplicate", ids[0], known.title if known else "",
                                     reason="unchanged input already added")
                report.resumed += 1
                report.add(outcome)
            else:
                try:
                    article, ambiguous = article_from_parsed(parsed, origin=origin, overrides=overrides)
                except NewsarcError as exc:
                    outcome = AddOutcome(origin, "failed", reason=str(exc))
                    report.add(outcome)
                else:
                    report.ambiguous_dates += ambiguous
                    outcome = adder.add(article, origin, raw=parsed.get("_raw"), raw_key=parsed.get("_raw_key", ""))
            on_outcome(outcome)
    except NewsarcError as exc:
        outcome = AddOutcome(source.origin, "failed", reason=str(exc))
        report.add(outcome)
        on_outcome(outcome)
    finally:
        if stream is not None:
            stream.close()
        if consumed and options.on_bytes:
            options.on_bytes(consumed)


def _resume_checked(items: list[dict[str, Any]], origin: str, options: Any) -> Iterator[dict[str, Any]]:
    """Items parsed in the helper, with the resume check parse_source makes here before it parses: an input (or
    record) whose exact bytes were added before becomes the same skip marker, whatever its parse gave."""
    for parsed in items:
        key = parsed.get("_raw_key")
        if key and options.seen and "_skip" not in parsed:
            ids = options.seen(key)
            if ids:
                parsed = {"_skip": True, "_ids": ids, "_origin": parsed.get("_origin") or origin, "_raw_key": key}
        yield parsed


def add_articles(store: Store, articles: Iterable[tuple[str, Article | dict[str, Any] | NewsarcError]], *,
                 on_outcome: Callable[[AddOutcome], None] = lambda o: None, update: bool = False,
                 report: AddReport | None = None) -> AddReport:
    """Add already-structured articles (import): ids and added times they carry are kept. An item that is a
    NewsarcError is a record the reader could not use: counted as failed with its message, as a bad file in add.

    An article whose id is in the archive with the same fields is a duplicate. One whose fields differ (an
    edited export) is reported as "differing", naming the fields; with update=True its fields are applied and
    the old ones are kept as an earlier version (status "updated"; see update_article).
    """
    report = report if report is not None else AddReport()
    with store.archive.lock:
        store.refresh(write=True)
        store.begin_bulk("import")
        adder = _Adder(store, report, durable=True, sketches=True)
        try:
            for origin, item in articles:
                try:
                    if isinstance(item, NewsarcError):
                        raise item
                    article = item if isinstance(item, Article) else Article.from_dict(item, origin=origin)
                    found = store.catalog.paths_for_prefix(article.id, limit=1) if article.id else []
                    if found and found[0][0] == article.id:
                        outcome = _existing(store, adder, origin, article, item, found[0][1], update)
                        report.add(outcome)
                    else:
                        outcome = adder.add(article, origin)
                except NewsarcError as exc:
                    outcome = AddOutcome(origin, "failed", reason=str(exc))
                    report.add(outcome)
                on_outcome(outcome)
        except KeyboardInterrupt:
            adder.abandon()  # as add_sources: what was written stays, the next command indexes it
            raise
        finally:
            adder.finish()
    return report


def differing_fields(old: Article, new: Article, given: Iterable[str] | None = None) -> list[str]:
    """The fields in which new differs from old, among those the record gave (all when given is None). A
    record without an `added` time makes no claim about it; the body's final line break is not a difference."""
    old_d, new_d = old.to_dict(), new.to_dict()
    for data in (old_d, new_d):
        data["body"] = (data.get("body") or "").rstrip("\n")
    names = [k for k in dict.fromkeys([*new_d, *old_d]) if k != "id"]
    if given is not None:
        present = set(given)
        names = [k for k in names if k in present]
    return [k for k in names if old_d.get(k) != new_d.get(k) and not (k == "added" and not new_d.get(k))]


def _existing(store: Store, adder: _Adder, origin: str, article: Article, item: Article | dict[str, Any], relpath: str,
              update: bool) -> AddOutcome:
    """The outcome for an imported article whose id is in the archive (at relpath)."""
    old = store.archive.read(relpath)
    given = list(item) if isinstance(item, dict) else None
    fields = differing_fields(old, article, given)
    if not fields:
        return AddOutcome(origin, "duplicate", article.id, article.title)
    if not update:
        return AddOutcome(origin, "differing", article.id, article.title, reason=", ".join(fields))
    adder.flush()  # what this run added before is recorded first: the update reads the catalog
    update_article(store, relpath, old, article, given)
    return AddOutcome(origin, "updated", article.id, article.title, reason=", ".join(fields))


def update_article(store: Store, relpath: str, old: Article, new: Article, given: Iterable[str] | None) -> str:
    """Apply new's fields (those given) to the article at relpath, keeping its id, and keep the old fields as an
    earlier version: a copy with its own id and `version_of` the article's first version, so `newsarc show ID
    --versions` lists it and `--diff` shows the edit. Returns the kept copy's id. The caller holds the lock."""
    from newsarc.article import utc_now

    old_d, new_d = old.to_dict(), new.to_dict()
    present = set(given) if given is not None else set(new_d)
    merged = {**old_d, **{k: v for k, v in new_d.items() if k in present and k != "id"}}
    merged["added"] = new_d.get("added") or old_d.get("added")
    merged["updated"] = utc_now()
    root = old.extra.get("version_of") if isinstance(old.extra.get("version_of"), str) else None
    merged.pop("version_of", None)
    if root:
        merged["version_of"] = root
    updated = Article.from_dict(merged, origin=relpath)
    kept = Article.from_dict({k: v for k, v in old_d.items() if k not in ("original",)}, origin=relpath)
    kept.id = make_id(hashlib.sha256(f"{old.id}\0{old.content_key()}\0version".encode()).hexdigest())
    kept.extra["version_of"] = root or old.id
    kept_relpath = store.archive.save(kept)
    new_relpath = store.archive.save(updated)
    deletes = [relpath] if new_relpath != relpath else []
    if deletes:  # the date changed: the file moved, and a kept original moves with it
        original = store.archive.abspath(store.archive.original_relpath(relpath, old.id))
        if original.exists():
            original.replace(store.archive.abspath(store.archive.original_relpath(new_relpath, old.id)))
        store.archive.remove(relpath)
    store.record([(kept_relpath, kept), (new_relpath, updated)], deletes)
    if (store.archive.state_dir / "neardup.sqlite").exists():
        from newsarc.dedupe import NearDupIndex, sketch

        near = NearDupIndex(store.archive.state_dir)
        try:
            near.add(updated.id, sketch(updated.body))
            near.add(kept.id, sketch(kept.body))
            near.link(kept.id, kept.extra["version_of"], "version")
            near.commit()
        finally:
            near.close()
    return kept.id
