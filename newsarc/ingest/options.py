"""What shapes the reading of an input beyond its bytes: set by `newsarc add` from its options and settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newsarc.errors import BadInputError

# A single article (a page, a mail, a text) larger than this is not an article: refused before parsing.
MAX_SINGLE_BYTES = 20 * 1024 * 1024
# Fields a --map may name (the article fields a structured record can fill).
MAPPABLE = ("title", "body", "date", "source", "url", "authors", "tags", "location", "language", "summary")


class IngestOptions:
    """Options for parse_source. A plain class: cheap to import, nothing here loads a parser.

    hints: what a fetch learnt about the input (url, final_url, fetched, content_type, charset).
    seen: resume check, key -> ids already made from that exact input (or None); see newsarc.ingest.ledger.
    keep_raw: attach each article's raw source bytes (`_raw`) for --keep-original.
    on_bytes: called with the number of input bytes consumed, for a progress bar over big streamed files.
    known_url: url -> id of the article already holding it (feed entries already in are skipped unfetched).
    """

    __slots__ = ("allow_private", "date_order", "fetch_pages", "field_map", "hints", "keep_raw", "known_url",
                 "on_bytes", "rules", "seen")

    def __init__(self, *, date_order: str = "DMY", field_map: dict[str, str] | None = None, rules: Any = None,
                 hints: dict[str, Any] | None = None, keep_raw: bool = False,
                 seen: Callable[[str], list[str] | None] | None = None,
                 on_bytes: Callable[[int], None] | None = None, fetch_pages: bool = False,
                 allow_private: bool = False, known_url: Callable[[str], str | None] | None = None) -> None:
        self.date_order = date_order
        self.field_map = dict(field_map or {})
        self.rules = rules
        self.hints = dict(hints or {})
        self.keep_raw = keep_raw
        self.seen = seen
        self.on_bytes = on_bytes
        self.fetch_pages = fetch_pages
        self.allow_private = allow_private
        self.known_url = known_url

    def with_hints(self, hints: dict[str, Any]) -> IngestOptions:
        """A copy with other hints (one per source)."""
        copy = IngestOptions(date_order=self.date_order, field_map=self.field_map, rules=self.rules,
                             hints=hints, keep_raw=self.keep_raw, seen=self.seen, on_bytes=self.on_bytes,
                             fetch_pages=self.fetch_pages, allow_private=self.allow_private,
                             known_url=self.known_url)
        return copy

    def fingerprint(self) -> str:
        """What, besides the bytes, changes the articles an input gives: part of the resume key."""
        mapping = ",".join(f"{k}={v}" for k, v in sorted(self.field_map.items()))
        return f"v1|{self.date_order}|{mapping}"


def parse_field_map(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """--map FIELD=COLUMN options as a dict, checked: FIELD must be an article field."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        name, column = name.strip().lower(), column.strip()
        if not sep or not name or not column:
            raise BadInputError(f"--map {item!r}: write FIELD=COLUMN, e.g. --map body=story_text")
        if name not in MAPPABLE:
            raise BadInputError(f"--map {item!r}: {name!r} is not an article field; use one of "
                                f"{', '.join(MAPPABLE)}")
        mapping[name] = column
    return mapping
