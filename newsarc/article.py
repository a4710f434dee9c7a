"""The Article record: its fields, validation, and conversion to and from plain dicts.

An Article is what one YAML file holds. Known fields are typed attributes; anything else a user or another tool
put in the file is kept in `extra` so that a load/save round trip never drops it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from newsarc.errors import BadInputError

# The order fields are written in: metadata first, the body last so the file reads like the article.
FIELD_ORDER = ("id", "title", "date", "source", "url", "authors", "tags", "location", "language", "added")
LIST_FIELDS = ("authors", "tags")
TEXT_FIELDS = ("title", "source", "url", "location", "language", "body")
ALL_FIELDS = (*FIELD_ORDER, "body")


def utc_now() -> str:
    """The current UTC time as an ISO 8601 string with a Z suffix, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_date(value: Any, *, field_name: str = "date") -> str | None:
    """Accept a date as YAML or JSON gives it (date, datetime, or ISO string) and return ISO 8601 text.

    A date without a time stays `YYYY-MM-DD`; a datetime keeps its time and offset.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text).isoformat()
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        except ValueError:
            pass
        from newsarc.dates import impossible_day, parse_date

        impossible = impossible_day(text)
        if impossible:
            raise BadInputError(f"field {field_name!r}: {text} does not exist: {impossible}; give a day that is in "
                                "the calendar")
        parsed = parse_date(text)
        if parsed:
            return parsed
    raise BadInputError(f"field {field_name!r}: {value!r} is not a date; write it as YYYY-MM-DD")


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadInputError(f"field {name!r} must be text, not {type(value).__name__}")
    return str(value)


def _text_list(value: Any, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        # A hand-edited file may hold "a, b" where a list belongs: split on explicit separators.
        return [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]
    if not isinstance(value, list | tuple):
        raise BadInputError(f"field {name!r} must be a list of text, not {type(value).__name__}")
    items = []
    for item in value:
        text = _text(item, name).strip()
        if text and text not in items:
            items.append(text)
    return items


@dataclass
class Article:
    title: str
    body: str = ""
    id: str = ""
    date: str | None = None
    source: str = ""
    url: str = ""
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    location: str = ""
    language: str = ""
    added: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # (title, date, source, body object, key): content_key() is asked for several times per added article.
    _key_cache: tuple[Any, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "article") -> Article:
        """Build an Article from a loaded mapping, checking types; unknown keys go to `extra`."""
        if not isinstance(data, dict):
            raise BadInputError(f"{origin}: expected a mapping of fields, got {type(data).__name__}")
        try:
            values: dict[str, Any] = {}
            for name in TEXT_FIELDS + ("id", "added"):
                values[name] = _text(data.get(name), name).strip() if name != "body" else _text(
                    data.get(name), name
                )
            for name in LIST_FIELDS:
                values[name] = _text_list(data.get(name), name)
            values["date"] = normalise_date(data.get("date"))
            added = data.get("added")
            if isinstance(added, dt.datetime | dt.date):
                values["added"] = normalise_date(added, field_name="added") or ""
            extra = {k: v for k, v in data.items() if k not in ALL_FIELDS}
            for key in extra:
                if not isinstance(key, str):
                    raise BadInputError(f"field name {key!r} must be text")
        except BadInputError as exc:
            raise BadInputError(f"{origin}: {exc}") from None
        if not values["title"].strip():
            raise BadInputError(f"{origin}: field 'title' is missing or empty; every article needs a title")
        return cls(**values, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """All fields in file order (empty ones included as None/[]), extras before the body."""
        data: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            data[name] = value if value not in ("",) else None
        data.update(self.extra)
        data["body"] = self.body
        return data

    def content_key(self) -> str:
        """A digest of the normalised title, date, source and body: equal for the same article added twice."""
        cached = self._key_cache
        if cached and cached[3] is self.body and cached[:3] == (self.title, self.date, self.source):
            return cached[4]
        parts = [normalise_text(self.title), (self.date or "")[:10], normalise_text(self.source),
                 normalise_text(self.body)]
        key = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        self._key_cache = (self.title, self.date, self.source, self.body, key)
        return key


# Replaced one by one: str.translate with a mapping looks up every character of a non-ASCII text in Python,
# which was two thirds of content_key() (and so of `newsarc check`'s work per file); six replace() calls scan
# in C and give the same text.
_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"))


def normalise_text(text: str) -> str:
    """Case-, space-, quote- and Unicode-form-insensitive form of a text, for duplicate detection."""
    text = text or ""
    if not text.isascii():  # NFKC and the quote map leave ASCII as it is: most texts skip both
        text = unicodedata.normalize("NFKC", text)
        for curly, plain in _QUOTES:
            if curly in text:
                text = text.replace(curly, plain)
    return " ".join(text.split()).casefold()  # split() breaks at exactly the characters \s matches
