"""Small helpers the templates use: highlighted snippets, safe links, query strings, the timeline chart.

Everything an article brings (title, body, tags, source, url) is untrusted: it reaches HTML only through
Jinja2's autoescape or through markupsafe.escape here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from newsarc.index.backend import Snippet


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


_DID_YOU_MEAN = re.compile(r"^(?P<word>.+?): did you mean (?P<words>.+)\?$")


def corrections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(word typed, [closer spellings]) from the search's did-you-mean lines."""
    found = []
    for line in lines:
        match = _DID_YOU_MEAN.match(line)
        if match:
            found.append((match["word"], [w.strip() for w in match["words"].split(",") if w.strip()]))
    return found


@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    peak: int | None
    tick: bool


def chart_bars(series: list[tuple[str, int]], peaks: list[str], *, width: float = 960, height: float = 220,
               ticks: int = 12) -> list[Bar]:
    """Bars of an SVG chart (viewBox 0 0 width height+30) for the timeline's series; ticks labels at most."""
    if not series:
        return []
    most = max(count for _, count in series) or 1
    step = width / len(series)
    every = max(1, -(-len(series) // ticks))
    rank = {label: i for i, label in enumerate(peaks, start=1)}
    bars = []
    for i, (label, count) in enumerate(series):
        h = count / most * (height - 16)
        if count and h < 1.5:
            h = 1.5
        bars.append(Bar(label, count, round(i * step + step * 0.1, 2), round(height - h, 2),
                        round(max(step * 0.8, 0.5), 2), round(h, 2), rank.get(label), i % every == 0))
    return bars
