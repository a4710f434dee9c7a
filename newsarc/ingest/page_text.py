"""What an input read as a page is when the page reading finds no article: navigation, or text with tags.

Two opposite mistakes come from the same place. A wire story naming `<SCHULT HOMES CORP>` with one `the
<b>board</b>` in its body is sniffed as a page (a closing tag is markup) and, having no article layout, was
refused as "no article text found in the page". An index page -- a doctype, a nav bar, a `<ul>` of thirty
links -- gave the page reader its menu as an article body. So:

- a page whose text is mostly the text of its links is navigation and is refused, saying so
  (newsarc.ingest.navigation);
- any other input without an article is read as plain text: HTML tags used as inline markup are stripped
  (`<b>`, `</b>`, `<a href=...>`, `<em>`), anything else in angle brackets is text as written
  (`<SCHULT HOMES CORP>`, `<A AND W BRANDS>`, a stray `</p>`). A real page (doctype, html/head/body) is read
  through its element tree instead, and must hold enough words to be an article.
"""

from __future__ import annotations

import html
import re

from newsarc.errors import BadInputError
from newsarc.ingest.navigation import link_texts, refuse_navigation

# A real page whose text, read as plain text, is shorter than this is no article (a login wall, an error page).
MIN_PAGE_WORDS = 40

_INLINE = ("a|abbr|b|bdi|bdo|big|cite|code|del|dfn|em|font|i|img|ins|kbd|mark|q|s|samp|small|span|strike|strong|"
           "sub|sup|time|tt|u|var|wbr")
# A tag is markup when it names an HTML element and holds nothing but attributes (name="value", name=value, a
# lone `/`): `<b>`, `</b>`, `<a href="/x">`, `<br/>`. `<A AND W BRANDS>` and `<U.S. STEEL>` are text.
_ATTRIBUTES = r"""(?:\s+[\w:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=]+))?)*\s*/?"""
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE}){_ATTRIBUTES}>", re.IGNORECASE)
_BARE_WORD_ATTRIBUTE = re.compile(r"<(?i:[a-z]+)\s+[A-Z][A-Z.&]*(?:\s|>)")
_STRUCTURE = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def has_page_structure(text: str) -> bool:
    """A doctype or an html/head/body element: a real page, not text with a tag in it."""
    return _STRUCTURE.search(text) is not None


def inline_markup_to_text(text: str) -> str:
    """Text with the HTML tags that mark up words removed, other angle brackets kept and, when a tag was
    removed, entities decoded: `Schult said the <b>board</b> met` -> `Schult said the board met`."""
    stripped = _INLINE_TAG.sub(_keep_wire_names, text)
    return text if stripped == text else html.unescape(stripped)


def _keep_wire_names(match: re.Match[str]) -> str:
    """`<A AND W BRANDS>` looks like an <a> with attributes; upper-case bare words are a wire name: kept."""
    return match.group() if _BARE_WORD_ATTRIBUTE.match(match.group()) else ""


def read_as_text(text: str, origin: str) -> str:
    """An input the page reader found no article in, as plain text for the text reader (see the module
    docstring); NavigationOnlyError or BadInputError when it is navigation or too little to be an article."""
    if has_page_structure(text):
        return page_as_text(text, origin)
    plain = inline_markup_to_text(text)
    links = [" ".join(_INLINE_TAG.sub("", m.group(1)).split()) for m in _LINK.finditer(text)]
    refuse_navigation(origin, [line for line in plain.split("\n") if line.strip()], links)
    return plain


_LINK = re.compile(r"<a\b[^<>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)


def page_as_text(text: str, origin: str) -> str:
    """A page without an article layout as plain text for the text reader: its title, then its paragraphs.
    Refused when it is navigation, or too short to be an article."""
    import lxml.html

    from newsarc.ingest.html import fragment_to_text

    try:
        tree = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    except Exception:  # lxml: ParserError on an empty document, ValueError on odd input
        raise BadInputError(f"{origin}: not an HTML page lxml can read") from None
    links = link_texts(tree)
    body = tree.find("body")
    paragraphs = fragment_to_text(lxml.html.tostring(body, encoding="unicode")) if body is not None else ""
    lines = [line for line in paragraphs.split("\n") if line.strip()]
    refuse_navigation(origin, lines, links)
    if len(paragraphs.split()) < MIN_PAGE_WORDS:
        raise BadInputError(f"{origin}: no article text found in the page (is it an index page or a login wall?)")
    title = " ".join((tree.findtext(".//title") or "").split())
    return f"{title}\n\n{paragraphs}" if title else paragraphs
