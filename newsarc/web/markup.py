"""Small helpers the templates use: highlighted snippets, safe links, query strings, the timeline chart.

Everything an article brings (title, body, tags, source, url) is untrusted: it reaches HTML only through
Jinja2's autoescape or through markupsafe.escape here.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from newsarc.api import Snippet


def snippet_html(snippet: Snippet) -> Markup:
    """A snippet with its matched words wrapped in <mark>, everything else escaped."""
    text = snippet.text
    out: list[str] = []
    position = 0
    for start, end in sorted(snippet.highlights):
        if start < position or end > len(text) or start >= end:
            continue
        out.append(str(escape(text[position:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def safe_link(url: str | None) -> str | None:
    """url when it is an http(s) address a browser may follow, else None (javascript:, data:, relative...)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def query_string(params: Iterable[tuple[str, Any]], **changes: Any) -> str:
    """`?...` for the search page: params with some names replaced (None drops a name); empty values left out."""
    kept = [(k, v) for k, v in params if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            kept.append((key, item))
    kept = [(k, v) for k, v in kept if v not in ("", None)]
    return "?" + urlencode(kept) if kept else "?"


# -- filters a person can see and remove: location and language facets are terms of the query ----------------------
_QUERY_FILTER = re.compile(r'(?<![\w:])(location|language):"([^"]*)"')


def facet_term(name: str, value: str) -> str:
    """The query term a location or language facet adds: language:"en"."""
    return f'{name}:"{value.replace(chr(34), "")}"'


def query_filters(query: str) -> list[tuple[str, str, str]]:
    """(name, value, the query without it) for each location:"..." or language:"..." term in a query, as the
    facets write them, so each can be shown as a chip with a link that removes it."""
    found = []
    for match in _QUERY_FILTER.finditer(query):
        rest = " ".join((query[:match.start()] + " " + query[match.end():]).split())
        found.append((match.group(1), match.group(2), rest))
    return found


# -- the query carried into the article: every match marked, numbered for next/previous -----------------------------
def mark_words(texts: list[str], words: list[str]) -> tuple[list[Markup], int]:
    """Each text escaped with every whole-word occurrence of `words` (as the article writes them) in
    <mark id="match-N">, numbered from 1 across all the texts; after each mark a step span holding links to the
    previous and next match (shown by CSS only when that mark is the target). Returns (texts, how many)."""
    if not words:
        return [Markup(escape(t)) for t in texts], 0
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
                         + r")(?!\w)")
    marked, count = [], 0
    for text in texts:
        out, position = [], 0
        for match in pattern.finditer(text):
            count += 1
            out.append(str(escape(text[position:match.start()])))
            previous = f'<a href="#match-{count - 1}">previous match</a> · ' if count > 1 else ""
            out.append(f'<mark id="match-{count}">{escape(match.group(0))}</mark>'
                       f'<span class="step">{previous}<a href="#match-{count + 1}">next match</a></span>')
            position = match.end()
        out.append(str(escape(text[position:])))
        marked.append("".join(out))
    # the last match's "next" goes back to the list of matches (article text cannot hold a raw "<a href=")
    last = f'<a href="#match-{count + 1}">next match</a>'
    return [Markup(html.replace(last, '<a href="#matches">all matches</a>')) for html in marked], count


def bookmarklet(base_url: str) -> str:
    """A bookmark that opens this server's add form with the current page's address filled in (it adds nothing
    by itself: the form is sent from this server's page, with its CSRF field)."""
    target = json.dumps(base_url.rstrip("/") + "/add?url=")
    return f"javascript:location.href={target}+encodeURIComponent(location.href)"


def lang_of(language: str | None) -> str | None:
    """An article's language as an HTML lang value (ar, en, pt-BR), or None when it is empty or not one."""
    text = (language or "").strip()
    return text if _LANG.fullmatch(text) else None


_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_CODE = re.compile(r"`([^`]+)`")


def message_html(text: str) -> Markup:
    """A library message for a page: escaped, its `command` spans set as code instead of raw backticks."""
    out, position = [], 0
    for match in _CODE.finditer(text):
        out.append(str(escape(text[position:match.start()])))
        out.append(f"<code>{escape(match.group(1))}</code>")
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def for_readers(message: str) -> str:
    """A library message for a page: the clauses that name a CLI command (`; `newsarc list` shows ids`) left
    out, the first letter capitalised, a full stop at the end."""
    kept = "; ".join(part for part in message.split("; ") if "`newsarc" not in part).strip()
    kept = kept[:1].upper() + kept[1:]
    return kept if kept.endswith((".", "?", "!")) else kept + "."


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 article', '2 articles'."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


MAX_TAG = 200


def tag_problem(tag: str) -> str | None:
    """Why a tag typed into a form cannot be used, in words; None when it can."""
    if not tag.strip():
        return "A tag cannot be empty or only spaces: type the tag's words."
    if any(ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\u0085" for ch in tag):
        return "A tag cannot contain line breaks or control characters: type it on one line."
    if len(tag.strip()) > MAX_TAG:
        return f"A tag has at most {MAX_TAG} characters; this one has {len(tag.strip())}."
    return None


# -- the one-shot message after a form (a cookie read once, so a reload does not repeat it) -----------------------
def write_flash(*, added: list[str], removed: list[str]) -> str:
    data = json.dumps({"added": added, "removed": removed}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(data).decode("ascii")


def read_flash(value: str | None) -> dict[str, list[str]] | None:
    """The flash cookie's {"added": [...], "removed": [...]}, or None when absent or not one of ours."""
    if not value or len(value) > 4096:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(data, dict):
        return None
    out: dict[str, list[str]] = {}
    for key in ("added", "removed"):
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            return None
        out[key] = value
    return out


# -- the timeline chart: bars placed on a time axis ---------------------------------------------------------------
@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    peak: int | None


@dataclass
class Tick:
    label: str
    x: float
    major: bool  # the few labels a phone-sized chart keeps


@dataclass
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    width: float
    height: float


def time_chart(series: list[tuple[str, int]], peaks: list[str], by: str, *, width: float = 960,
               height: float = 220, ticks: int = 12, majors: int = 4) -> Chart | None:
    """An SVG bar chart (viewBox 0 0 width height+30) whose x axis is time: each period's bar sits at its start
    date, as wide as the period, so a gap of two years looks like two years even where the series leaves empty
    periods out. Up to `ticks` date labels, evenly spaced in time; `majors` of them are kept on a phone."""
    from newsarc.timeline import period_bounds, period_of

    if not series:
        return None
    spans = []
    for label, count in series:
        first_day, last_day = period_bounds(label, by)
        spans.append((label, count, dt.date.fromisoformat(first_day),
                      dt.date.fromisoformat(last_day) + dt.timedelta(days=1)))
    first, last = spans[0][2], spans[-1][3]
    days = max((last - first).days, 1)
    most = max(count for _, count, _, _ in spans) or 1
    rank = {label: i for i, label in enumerate(peaks, start=1)}

    def x_of(day: dt.date) -> float:
        return (day - first).days / days * width

    bars = []
    for label, count, start, end in spans:
        h = count / most * (height - 16)
        if count and h < 1.5:
            h = 1.5
        left, right = x_of(start), x_of(end)
        bar_width = max((right - left) * 0.8, 1.0)
        x = min(max(left + (right - left - bar_width) / 2, 0.0), width - bar_width)
        bars.append(Bar(label, count, round(x, 2), round(height - h, 2),
                        round(bar_width, 2), round(h, 2), rank.get(label)))
    marks: list[Tick] = []
    count = min(ticks, len(series))
    every = max(1, -(-count // majors))
    for k in range(count):
        day = first + dt.timedelta(days=days * k / count)
        label = period_of(day, by)
        begins = dt.date.fromisoformat(period_bounds(label, by)[0])
        if marks and marks[-1].label == label:
            continue
        marks.append(Tick(label, round(max(x_of(begins), 0.0), 2), k % every == 0))
    return Chart(bars, marks, width, height)
