"""Which kind of source an input is, judged from its first bytes; the file name and HTTP type only break ties.

A saved page named .txt is still a page, a feed saved as .html is still a feed, a mailbox is recognised by its
"From " separator and mail headers whatever it is called.
"""

from __future__ import annotations

import json
import os
import re

KINDS = ("text", "markdown", "html", "feed", "json", "jsonl", "csv", "tsv", "eml", "mbox")

_EXTENSIONS = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html", ".php": "html", ".aspx": "html",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".eml": "eml", ".msg": "eml", ".mbox": "mbox", ".mbx": "mbox",
    ".md": "markdown", ".markdown": "markdown",
}
_CONTENT_TYPES = {
    "text/html": "html", "application/xhtml+xml": "html", "application/rss+xml": "feed",
    "application/atom+xml": "feed", "application/rdf+xml": "feed", "application/feed+json": "json",
    "application/json": "json", "application/x-ndjson": "jsonl", "text/csv": "csv",
    "text/tab-separated-values": "tsv", "message/rfc822": "eml", "application/mbox": "mbox",
    "text/markdown": "markdown",
}
_MAIL_HEADERS = ("from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version",
                 "content-type", "delivered-to", "reply-to", "list-id", "x-mailer", "cc", "sender")
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]{1,40}):[ \t]*(.*)$")
_FEED_ROOT = re.compile(r"<(?:[\w-]+:)?(?:rss|feed|RDF)\b", re.IGNORECASE)
_HTML_START = re.compile(r"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(r"<(?:p|div|article|section|span|a|h[1-6]|br|meta|title|script|table|main)\b[^>]*>",
                        re.IGNORECASE)
_STRUCTURE = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_CLOSING_TAG = re.compile(r"</(?:p|div|article|section|span|a|h[1-6]|title|script|table|main|ul|ol|li|em|strong|b|i|"
                          r"body|html|head|nav|header|footer|figure|blockquote|td|tr|style)\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,500}>")
_MARKUP_WINDOW = 8000
_FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)


def detect_kind(head: str, *, name: str = "", content_type: str = "") -> str:
    """The kind of an input from its decoded first bytes, its name and, for a download, its content type."""
    text = head.lstrip("\ufeff \t\r\n")
    ext = os.path.splitext(name.split("?")[0].lower())[1] if name else ""
    by_name = _EXTENSIONS.get(ext, "")
    by_type = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), "")
    if text.startswith("From ") and _is_mail(text.split("\n", 1)[1] if "\n" in text else ""):
        return "mbox"
    if _is_mail(text):
        return "eml"
    if text.startswith("<"):
        kind = _markup_kind(text)
        if kind:
            return kind
    if text[:1] in "[{":
        kind = _json_kind(text)
        if kind:
            return kind
    if by_name in ("csv", "tsv") or by_type in ("csv", "tsv"):
        return by_name or by_type
    if _FRONT_MATTER.match(text.replace("\r\n", "\n")):
        return "markdown"
    if len(_HTML_TAGS.findall(text[:4000])) >= 5:
        return "html"  # a fragment of a page, or a page with text before its first tag
    delimited = _delimited_kind(text)
    if delimited:
        return delimited
    if by_name == "markdown":
        return "markdown"
    return "text"


def _is_mail(text: str) -> bool:
    """True when the text opens with an RFC 822 header block holding at least two known mail headers."""
    known = 0
    for line in text.split("\n")[:60]:
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            continue  # a folded header continues the previous one
        m = _HEADER_LINE.match(line)
        if not m:
            return False
        known += m.group(1).lower() in _MAIL_HEADERS
    return known >= 2


def _markup_kind(text: str) -> str:
    """html or feed for an input that opens with a tag; '' when the opening `<...>` is not markup at all (wire
    stories put company names in angle brackets: `<CINRAM LTD> 4TH QTR NET`)."""
    if _HTML_START.match(text):
        return "html"
    if text.startswith("<?xml") or text.startswith("<!--") or _FEED_ROOT.match(text):
        start = text[:3000]
        if _FEED_ROOT.search(start) and not re.search(r"<html\b", start, re.IGNORECASE):
            return "feed"
    return "html" if looks_like_markup(text) else ""


def looks_like_markup(text: str) -> bool:
    """Whether a text has the structure of a page or a page fragment: a doctype or html/head/body element, a
    closing tag of an HTML element, or several of its block-level tags. One `<...>` is never enough."""
    start = text[:_MARKUP_WINDOW]
    if _STRUCTURE.search(start) or _CLOSING_TAG.search(start):
        return True
    return len(_HTML_TAGS.findall(start)) >= 5 or text.startswith(("<?xml", "<!--"))


def _json_kind(text: str) -> str:
    """json/jsonl for text that opens like JSON; '' for a text that merely starts with a bracket ("[Updated]")."""
    after = text[1:].lstrip()[:1]
    if text.startswith("["):
        return "json" if after in ("{", "[", "]", '"') or after.isdigit() else ""
    first, _, rest = text.partition("\n")
    try:
        json.loads(first.strip())
    except ValueError:
        return "json" if after in ('"', "}") else ""  # an object spread over several lines
    return "jsonl" if rest.strip().startswith("{") else "json"


def _delimited_kind(text: str) -> str:
    """csv/tsv when the first line is a header row naming an article field and the second has as many cells."""
    lines = [line for line in text.split("\n")[:3] if line.strip()]
    if len(lines) < 2:
        return ""
    from newsarc.ingest.structured import looks_like_header

    for delimiter, kind in (("\t", "tsv"), (",", "csv"), (";", "csv")):
        if lines[0].count(delimiter) >= 1 and looks_like_header(lines[0], delimiter):
            return kind
    return ""
