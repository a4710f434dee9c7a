"""RSS and Atom feeds (feedparser): one entry is one article.

The feed's bytes are decoded by newsarc's decoder before feedparser sees them: feeds that declare no encoding,
or declare one and use another, are common, and feedparser's `bozo` flag alone does not say the text came out
right. Localised dates ("Seg, 24 Set 2018") that feedparser leaves unparsed are read with dateparser in the
feed's language. With fetch_pages, each new entry's page is fetched and extracted for the full text; when
that fails the entry's own text is kept and the failure noted in `fetch_error`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from newsarc.errors import BadInputError, NewsarcError
from newsarc.ingest.decode import decode_bytes
from newsarc.ingest.language import from_tag
from newsarc.ingest.options import IngestOptions
from newsarc.ingest.when import parse_any_date


def _feedparser_parse(text: str) -> Any:
    import feedparser

    return feedparser.parse(text, sanitize_html=False, resolve_relative_uris=True)


def read_feed(data: bytes, *, origin: str, hints: dict[str, Any] | None = None) -> Any:
    """The feedparser result for a feed's bytes; BadInputError when they hold no feed."""
    from newsarc.ingest.html import declared_charset

    hints = hints or {}
    text = decode_bytes(data, origin=origin, encoding=declared_charset(data, hints.get("content_type", "")))
    text = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    parsed = _feedparser_parse(text)
    if not parsed.entries and not parsed.feed.get("title"):
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "")() or str(
            parsed.get("bozo_exception") or "no <rss>, <feed> or <rdf:RDF> root")
        raise BadInputError(f"{origin}: not an RSS or Atom feed ({reason})")
    return parsed


def _strip_tags(text: str) -> str:
    if "<" in text:
        from newsarc.ingest.html import fragment_to_text

        return " ".join(fragment_to_text(text).split())
    return " ".join(text.split())


def _entry_date(entry: Any, language: str, options: IngestOptions) -> str | None:
    for key in ("published", "updated", "created"):
        stamp = entry.get(f"{key}_parsed")
        if stamp:
            seconds = calendar.timegm(stamp)
            return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()
        raw = entry.get(key)
        if raw:
            found = parse_any_date(raw, date_order=options.date_order, language=language,
                                   relative_base=options.hints.get("fetched"))
            if found:
                return found
    return None


def _entry_body(entry: Any) -> str:
    from newsarc.ingest.html import fragment_to_text

    candidates = [c.get("value", "") for c in entry.get("content", []) or []]
    candidates.append(entry.get("summary", "") or "")
    best = max(candidates, key=len, default="")
    return fragment_to_text(best) if best else ""


def entry_to_parsed(entry: Any, feed: Any, *, feed_url: str, options: IngestOptions) -> dict[str, Any]:
    info = feed.feed
    language = from_tag(entry.get("language") or info.get("language") or "")
    title = _strip_tags(entry.get("title", "") or "")
    body = _entry_body(entry)
    if not title:
        title = body.split("\n", 1)[0][:120]
    authors = [a.get("name", "") for a in entry.get("authors", []) or [] if a.get("name")]
    if not authors and entry.get("author"):
        authors = [entry["author"]]
    tags: list[str] = []
    for tag in entry.get("tags", []) or []:
        term = " ".join(str(tag.get("label") or tag.get("term") or "").split())
        if term and term not in tags:
            tags.append(term)
    parsed: dict[str, Any] = {
        "title": title,
        "date": _entry_date(entry, language, options),
        "date_ambiguous": False,
        "source": " ".join((info.get("title") or "").split()),
        "url": (entry.get("link") or "").strip(),
        "authors": authors,
        "tags": tags,
        "location": "",
        "language": language,
        "body": body,
    }
    if feed_url:
        parsed["feed"] = feed_url
    guid = entry.get("id")
    if guid and guid != parsed["url"]:
        parsed["guid"] = str(guid)
    return parsed


def _with_page(parsed: dict[str, Any], options: IngestOptions, origin: str) -> dict[str, Any]:
    """The entry with its page's full text and metadata (page values win, the feed's fill the gaps)."""
    from newsarc.ingest.fetch import fetch
    from newsarc.ingest.html import extract_page

    try:
        page = fetch(parsed["url"], allow_private=options.allow_private)
        extracted = extract_page(page.data, origin=f"{origin}: {parsed['url']}", hints=page.hints(),
                                 date_order=options.date_order, rules=options.rules)
    except NewsarcError as exc:
        parsed["fetch_error"] = str(exc)
        return parsed
    merged = dict(parsed)
    for key, value in extracted.items():
        if key in ("source", "tags") and parsed.get(key):
            continue  # the feed's name and categories are what the user subscribed to
        if value not in (None, "", []):
            merged[key] = value
    merged["fetched"] = page.fetched
    if page.final_url != merged.get("url"):
        merged["final_url"] = page.final_url
    if options.keep_raw:
        merged["_raw"] = page.data
    return merged


def parse_feed(data: bytes, *, origin: str, options: IngestOptions) -> Iterator[dict[str, Any]]:
    feed = read_feed(data, origin=origin, hints=options.hints)
    feed_url = options.hints.get("feed") or options.hints.get("url") or ""
    for n, entry in enumerate(feed.entries, start=1):
        where = f"{origin} entry {n}"
        link = (entry.get("link") or "").strip()
        existing = options.known_url(link) if options.known_url and link else None
        if existing:
            yield {"_skip": True, "_ids": [existing], "_origin": where}
            continue
        try:
            parsed = entry_to_parsed(entry, feed, feed_url=feed_url, options=options)
            if options.fetch_pages and parsed["url"].startswith(("http://", "https://")):
                parsed = _with_page(parsed, options, origin)
        except NewsarcError as exc:
            yield {"_error": f"{where}: {exc}", "_origin": where}
            continue
        parsed["_origin"] = where
        yield parsed
