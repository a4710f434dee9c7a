"""Read an article pasted as plain text: title, a header block of metadata lines, then the body.

The layout is described by rules, not special cases: which whole lines are page furniture (dropped anywhere),
which lines start a footer (cut to the end), which agencies appear in datelines. The shipped rules live in
`newsarc/data/rules.yaml`; an archive's settings may add to them through `Rules.load(extra)`.

A line is only taken as the source when the header also holds a date or a tags line: a file that is just a
title and paragraphs (the BBC corpus) must never lose its first paragraph to a guess.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from newsarc.dates import DATE_ORDERS, is_ambiguous_numeric, looks_like_date_line, parse_date
from newsarc.errors import BadInputError
from newsarc.ingest.tags import split_tags
from newsarc.ingest.when import parse_localized

_RULE_KEYS = ("furniture", "footer", "dateline_agencies")
_MAX_HEADER_LINES = 10
_MAX_HEADER_LINE = 100  # a longer line is prose
_MAX_SOURCE = 60
_MAX_FOOTER_PATTERN_LINE = 1000
_SENTENCE_END = r"[.!?…:;][\"'”’)\]]*$"
_TAGS_LINE = r"(?i)^(?:tags|keywords|topics|tagged)\s*:\s*(?P<tags>.*)$"
_SOURCE_LINE = r"(?i)^source\s*:\s*(?P<source>.+)$"
_AUTHOR_LINE = r"(?i)^(?:(?:written\s+)?by|authors?\s*:)\s*:?\s*(?P<names>.+)$"
_NAME_SPLIT = r"\s*,\s*|\s+and\s+|\s*&\s*"
_NAME_WORD = r"(?:[A-Z][\w.'’-]*|al|el|de|da|del|der|van|von|bin|ibn|la|le)"
# A wire dateline: an ALL-CAPS place, optional ", continuation" parts (more place, or a date), an optional
# agency in parentheses, then a dash. Hyphens count only with spaces around them ("LONDON (Reuters) - ").
_DATELINE = (
    r"^(?P<place>[A-Z][A-Z.'’-]*[A-Z.](?:\s+[A-Z][A-Z.'’-]*[A-Z.])*)"
    r"(?P<rest>(?:\s*,\s*[^,()—–\n]{1,40}?){0,3})"
    r"(?:\s*\((?P<agency>[^()\n]{1,40})\))?"
    r"(?P<dash>\s*[—–]\s*|\s*--\s*|\s+-\s+)"
)
_PLACE_PART = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|of|de|al|el|la|le)){0,3}"
_MONTH_DAY = (
    r"(?i)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
)
# Patterns are compiled on first use, not at import: importing newsarc must stay cheap for `--help`.
_rx = functools.cache(re.compile)


def _string_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInputError(f"rules {where}: expected a list of text lines; fix the rules setting")
    return [item.strip() for item in value if item.strip()]


def _line_rules(value: Any, where: str) -> tuple[list[str], list[str]]:
    """(exact lines, patterns) from a mapping with `exact`/`patterns`, or a bare list of exact lines."""
    if isinstance(value, dict):
        unknown = set(value) - {"exact", "patterns"}
        if unknown:
            raise BadInputError(f"rules {where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                                "use 'exact' and 'patterns'")
        return (_string_list(value.get("exact"), f"{where}.exact"),
                _string_list(value.get("patterns"), f"{where}.patterns"))
    return _string_list(value, where), []


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise BadInputError(f"rules {where}: pattern {pattern!r} is not a valid regex ({exc}); fix it"
                                ) from None
    return tuple(compiled)


class Rules:
    """The line rules of the plain-text reader (see newsarc/data/rules.yaml for their meaning)."""

    # A plain class rather than a dataclass: building a dataclass costs milliseconds at import time.
    __slots__ = ("agencies", "footer_exact", "footer_patterns", "furniture_exact", "furniture_patterns")

    def __init__(
        self,
        *,
        furniture_exact: frozenset[str] = frozenset(),
        furniture_patterns: tuple[re.Pattern[str], ...] = (),
        footer_exact: frozenset[str] = frozenset(),
        footer_patterns: tuple[re.Pattern[str], ...] = (),
        agencies: frozenset[str] = frozenset(),
    ) -> None:
        self.furniture_exact = furniture_exact
        self.furniture_patterns = furniture_patterns
        self.footer_exact = footer_exact
        self.footer_patterns = footer_patterns
        self.agencies = agencies

    @classmethod
    def load(cls, extra: dict[str, Any] | None = None) -> Rules:
        """The shipped rules, with the lists in `extra` (same layout as rules.yaml) added to them."""
        if not extra:
            return _default_rules()
        if not isinstance(extra, dict):
            raise BadInputError("rules: expected a mapping with keys furniture, footer, dateline_agencies")
        unknown = set(extra) - set(_RULE_KEYS)
        if unknown:
            raise BadInputError(f"rules: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                                f"use {', '.join(_RULE_KEYS)}")
        return cls._from_mappings(_shipped_data(), extra)

    @classmethod
    def _from_mappings(cls, *sources: dict[str, Any]) -> Rules:
        lists: dict[str, list[str]] = {k: [] for k in
                                       ("furniture", "furniture_re", "footer", "footer_re", "agencies")}
        for source in sources:
            for key in ("furniture", "footer"):
                exact, patterns = _line_rules(source.get(key), key)
                lists[key] += exact
                lists[f"{key}_re"] += patterns
            lists["agencies"] += _string_list(source.get("dateline_agencies"), "dateline_agencies")
        return cls(
            furniture_exact=frozenset(_fold(line) for line in lists["furniture"]),
            furniture_patterns=_compile(lists["furniture_re"], "furniture.patterns"),
            footer_exact=frozenset(_fold(line) for line in lists["footer"]),
            footer_patterns=_compile(lists["footer_re"], "footer.patterns"),
            agencies=frozenset(a.casefold() for a in lists["agencies"]),
        )

    def is_furniture(self, line: str) -> bool:
        text = _fold(line)
        return bool(text) and (text in self.furniture_exact
                               or any(p.fullmatch(line.strip()) for p in self.furniture_patterns))

    def is_footer(self, line: str) -> bool:
        text = line.strip()
        if not text or len(text) > _MAX_FOOTER_PATTERN_LINE:
            return False
        return _fold(text) in self.footer_exact or any(p.fullmatch(text) for p in self.footer_patterns)


def _fold(line: str) -> str:
    return " ".join(line.split()).casefold()


def _shipped_data() -> dict[str, Any]:
    import importlib.resources

    from newsarc.yamlio import load_yaml

    text = (importlib.resources.files("newsarc") / "data" / "rules.yaml").read_text(encoding="utf-8")
    data = load_yaml(text, origin="newsarc/data/rules.yaml") or {}
    if not isinstance(data, dict):
        raise BadInputError("newsarc/data/rules.yaml: expected a mapping; reinstall newsarc")
    return data


@functools.cache
def _default_rules() -> Rules:
    return Rules._from_mappings(_shipped_data())


def _is_prose(line: str) -> bool:
    return len(line) > _MAX_HEADER_LINE or bool(_rx(_SENTENCE_END).search(line))


def _header_date(line: str, date_order: str) -> str | None:
    """The date of a header line holding only a date: English forms, or a written-out date in a common language
    ("18 mai 2017", "18. Mai 2017") -- both with the standard library, never dateparser."""
    if looks_like_date_line(line):
        return parse_date(line, date_order)
    return parse_localized(line)


def _authors(line: str) -> list[str] | None:
    """The names of a "By NAME and NAME" / "Author: NAME" line, or None when the line is not one."""
    m = _rx(_AUTHOR_LINE).match(line)
    if not m or len(line) > 120:
        return None
    names = [n.strip(" .") for n in _rx(_NAME_SPLIT).split(m.group("names").strip()) if n.strip(" .")]
    if not names:
        return None
    for name in names:
        words = name.split()
        if not 1 <= len(words) <= 5 or not words[0][0].isupper():
            return None
        if not all(_rx(_NAME_WORD).fullmatch(word) for word in words):
            return None
    return names


def _dateline(paragraph: str, rules: Rules, date_order: str) -> tuple[str, str, str | None] | None:
    """(location, paragraph without the dateline, full date in the dateline or None) for a wire dateline."""
    m = _rx(_DATELINE).match(paragraph)
    if not m or not paragraph[m.end():].strip():
        return None
    agency = (m.group("agency") or "").strip()
    known_agency = bool(agency) and agency.casefold() in rules.agencies
    places = [m.group("place")]
    date_text = ""
    for part in (p.strip() for p in m.group("rest").split(",")[1:]):
        if not part:
            return None
        is_year = part.isdigit() and len(part) == 4
        if is_year or _rx(_MONTH_DAY).fullmatch(part) or parse_date(part, date_order):
            date_text = f"{date_text} {part}".strip()
        elif _rx(_PLACE_PART).fullmatch(part) and not date_text:
            places.append(part)
        else:
            return None
    hyphen = m.group("dash").strip() == "-"
    if hyphen and not (known_agency or date_text):
        return None  # "US - China talks" is a headline style, not a dateline
    full_date = parse_date(date_text, date_order) if date_text else None
    return ", ".join(places), paragraph[m.end():], full_date


def find_dateline(paragraph: str, *, rules: Rules | None = None,
                  date_order: str = "DMY") -> tuple[str, str, str | None] | None:
    """(location, paragraph without the dateline, date in it or None) when a paragraph opens with a wire
    dateline ("LONDON (Reuters) - "), else None. Readers other than plain text keep the paragraph whole."""
    return _dateline(paragraph, rules or Rules.load(), (date_order or "DMY").upper())


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def footer_start(lines: list[str], rules: Rules) -> int:
    """Index of the first footer marker with at least a third of the text before it, else len(lines)."""
    total = sum(len(line) + 1 for line in lines)
    seen = 0
    for index, line in enumerate(lines):
        if seen * 3 >= total and rules.is_footer(line):
            return index
        seen += len(line) + 1
    return len(lines)


def parse_text(
    text: str, *, date_order: str = "DMY", rules: Rules | None = None, origin: str = "input"
) -> dict[str, Any]:
    """A plain-text article's fields: title, date, date_ambiguous, source, authors, tags, location, body."""
    if (date_order or "").upper() not in DATE_ORDERS:
        raise BadInputError(
            f"{origin}: date order {date_order!r} is not known; use one of {', '.join(DATE_ORDERS)}"
        )
    date_order = date_order.upper()
    rules = rules or Rules.load()
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in raw if not rules.is_furniture(line)]

    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise BadInputError(f"{origin}: no text found; an article needs a title on its first line")
    title = lines[start].strip()
    rest = lines[start + 1:]
    rest = rest[:footer_start(rest, rules)]

    date: str | None = None
    date_line = ""
    tags_line: str | None = None
    source = ""
    authors: list[str] = []
    dropped: set[int] = set()
    others: list[int] = []
    seen = 0
    for index, line in enumerate(rest):
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > _MAX_HEADER_LINES:
            break
        tags_match = _rx(_TAGS_LINE).match(stripped)
        source_match = _rx(_SOURCE_LINE).match(stripped)
        names = _authors(stripped)
        if date is None and (found := _header_date(stripped, date_order)):
            date, date_line = found, stripped
        elif tags_line is None and tags_match and len(stripped) <= 1000:
            tags_line = tags_match.group("tags")
        elif not source and source_match and len(stripped) <= _MAX_SOURCE + 8:
            source = source_match.group("source").strip()
        elif not authors and names:
            authors = names
        elif _is_prose(stripped):
            break
        else:
            others.append(index)
            continue
        dropped.add(index)
    if (date or tags_line is not None) and not source:
        for index in others:
            candidate = rest[index].strip()
            if len(candidate) <= _MAX_SOURCE and len(candidate.split()) <= 6:
                source = " ".join(candidate.split())
                dropped.add(index)
                break

    paragraphs = _paragraphs([line for i, line in enumerate(rest) if i not in dropped])
    location = ""
    if paragraphs:
        found_dateline = _dateline(paragraphs[0], rules, date_order)
        if found_dateline:
            location, paragraphs[0], dateline_date = found_dateline
            if date is None and dateline_date:
                date = dateline_date
    body = "\n\n".join(paragraphs)
    tags = split_tags(tags_line, evidence=f"{title}\n{body}") if tags_line else []
    return {
        "title": title,
        "date": date,
        "date_ambiguous": bool(date_line) and is_ambiguous_numeric(date_line),
        "source": source,
        "authors": authors,
        "tags": tags,
        "location": location,
        "body": body,
    }
