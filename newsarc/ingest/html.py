"""Web pages: the article's main text without the page around it, and its metadata from the page itself.

The main text comes from trafilatura (boilerplate removal built for news pages: navigation, share bars,
cookie banners, related links and comment threads go). The metadata is read here first, in order of trust:
JSON-LD (schema.org NewsArticle and kin), OpenGraph and article:* properties, other <meta> tags (Dublin Core,
parsely, sailthru, keywords), <link rel=canonical>, <html lang>, <time datetime>; what they leave open is taken
from trafilatura's own metadata. trafilatura and lxml are imported only when a page is read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsarc.errors import BadInputError
from newsarc.ingest.decode import clean_text, decode_bytes
from newsarc.ingest.language import from_tag
from newsarc.ingest.navigation import link_texts, refuse_navigation
from newsarc.ingest.when import ambiguous, parse_any_date

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "livebloggposting",
                  "liveblogposting", "report", "scholarlyarticle", "techarticle", "posting", "socialmediaposting"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_DATE_META = ("article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
              "publishdate", "publish-date", "publish_date", "dc.date.issued", "dc.date", "dcterms.created",
              "dcterms.issued", "sailthru.date", "parsely-pub-date", "citation_publication_date",
              "article.published", "og:published_time", "published_time", "release_date", "originalpublicationdate")
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl",
                "citation_author", "twitter:creator")
_TAG_META = ("article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags")
_MAX_TAGS = 20
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article",
           "ul", "ol", "table", "pre", "header", "footer", "dd", "dt", "figcaption", "hr"}
_SKIP = {"script", "style", "noscript", "iframe", "form", "button", "svg", "template", "head", "select", "nav"}


def declared_charset(data: bytes, content_type: str = "") -> str | None:
    """The charset an HTTP Content-Type, an XML declaration or a <meta> tag in the first 4 KB declares."""
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if m:
        return m.group(1)
    head = data[:4096]
    found = _XML_ENCODING.match(head.lstrip()) or _META_CHARSET.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


def _first(*values: Any) -> str:
    for value in values:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _json_ld(tree: Any) -> dict[str, Any]:
    """The first schema.org article object among the page's JSON-LD blocks (@graph and arrays searched)."""
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        text = (script.text or "").strip()
        text = re.sub(r"^\s*(?://)?\s*<!\[CDATA\[|(?://)?\s*\]\]>\s*$", "", text)
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if _types(node) & _ARTICLE_TYPES:
                    return node
                for key in ("@graph", "mainEntity", "itemListElement"):
                    if isinstance(node.get(key), list | dict):
                        stack.append(node[key])
    return {}


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(n for n in _ld_names(item) if n not in out)
        return out
    if isinstance(value, dict):
        return _ld_names(value.get("name"))
    if isinstance(value, str) and value.strip() and not value.startswith(("http://", "https://")):
        return [" ".join(value.split())]
    return []


def _meta(tree: Any) -> dict[str, list[str]]:
    """All <meta> values by lower-cased name/property/itemprop/http-equiv."""
    found: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _split_tags(values: list[str]) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in re.split(r"\s*[,;|]\s*", value):
            part = " ".join(part.split()).strip(" #")
            if part and part.casefold() not in seen and len(part) <= 60:
                seen.add(part.casefold())
                tags.append(part)
    return tags[:_MAX_TAGS]


def _split_authors(values: list[str]) -> list[str]:
    names: list[str] = []
    for value in values:
        if value.startswith(("http://", "https://", "@")):
            continue
        value = re.sub(r"^(?i:by)\s+", "", value.strip())
        for part in re.split(r"\s*[;|]\s*|\s*,\s*(?=[A-Z])|\s+and\s+|\s*&\s*", value):
            part = " ".join(part.split())
            if part and part not in names and len(part) <= 80:
                names.append(part)
    return names


def _strip_site_suffix(title: str, site: str) -> str:
    if site:
        for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
            if title.endswith(sep + site):
                return title[: -len(sep + site)].strip()
            if title.startswith(site + sep):
                return title[len(site + sep):].strip()
    return title


def _headline_part(tree: Any, tag_title: str) -> str:
    """From a <title> like "Site Name - Headline", the part the page also shows as a heading; else it whole."""
    parts = [p.strip() for p in re.split(r"\s+(?:[-|–—·]|::)\s+", tag_title) if p.strip()]
    if len(parts) < 2:
        return tag_title
    shown = set()
    for el in tree.xpath("//body//*[self::h1 or self::h2 or self::h3 or self::b or self::strong or self::font"
                         " or contains(@class, 'headline') or contains(@class, 'title')]")[:300]:
        shown.add(" ".join((el.text_content() or "").split()).casefold())
    matches = [p for p in parts if p.casefold() in shown]
    return max(matches, key=len) if matches else tag_title


def _time_values(tree: Any) -> list[str]:
    """<time datetime> values, those inside the article first, then date-like elements' short visible texts."""
    values: list[str] = []
    for el in tree.xpath("//article//time | //time[@itemprop or @pubdate] | //time"):
        value = el.get("datetime") or (el.text_content() or "").strip()
        if value and value not in values:
            values.append(value)
    for el in tree.xpath('//*[contains(@class, "date") or contains(@class, "time") or contains(@class, "publish")'
                         ' or contains(@itemprop, "date")][not(*)]'):
        text = " ".join((el.text_content() or "").split())
        if 3 < len(text) <= 60 and text not in values:
            values.append(text)
    return values


def _page_metadata(tree: Any, hints: dict[str, Any]) -> dict[str, Any]:
    ld = _json_ld(tree)
    meta = _meta(tree)

    def m(*names: str) -> list[str]:
        return [v for name in names for v in meta.get(name, [])]

    site = _first(*m("og:site_name", "application-name", "publisher", "dc.publisher"),
                  ld.get("publisher", {}).get("name") if isinstance(ld.get("publisher"), dict) else None)
    title_tag = tree.find(".//title")
    declared = _first(ld.get("headline"), *m("og:title", "twitter:title", "dc.title", "title"))
    tag_title = " ".join((title_tag.text_content() if title_tag is not None else "").split())
    title = _strip_site_suffix(declared or _headline_part(tree, tag_title), site)
    canonical = ""
    for link in tree.xpath('//link[@href][contains(concat(" ", translate(@rel, "CANONIL", "canonil"), " "), '
                           '" canonical ")]'):
        canonical = link.get("href", "").strip()
        break
    base = hints.get("final_url") or hints.get("url") or ""
    main_entity = ld.get("mainEntityOfPage")
    if isinstance(main_entity, dict):
        main_entity = main_entity.get("@id") or main_entity.get("url")
    url = ""
    for candidate in (canonical, *m("og:url"), ld.get("url") if isinstance(ld.get("url"), str) else "",
                      main_entity if isinstance(main_entity, str) else "", base):
        if candidate:
            absolute = urljoin(base, candidate.strip()) if base else candidate.strip()
            if urlsplit(absolute).scheme in ("http", "https"):
                url = absolute
                break
    root = tree.getroottree().getroot()
    language = (from_tag(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"))
                or from_tag(_first(*m("og:locale", "content-language", "language", "dc.language")))
                or from_tag(ld.get("inLanguage")))
    keywords = ld.get("keywords")
    keyword_values = keywords if isinstance(keywords, list) else [keywords] if isinstance(keywords, str) else []
    tags = _split_tags([str(v) for v in keyword_values] + m(*_TAG_META))
    authors = _ld_names(ld.get("author")) or _split_authors(m(*_AUTHOR_META))
    dates = [ld.get("datePublished"), *m(*_DATE_META), ld.get("dateCreated"), *_time_values(tree),
             ld.get("dateModified"), *m("article:modified_time", "og:updated_time")]
    dateline = ld.get("dateline") if isinstance(ld.get("dateline"), str) else ""
    location = ""
    if isinstance(ld.get("contentLocation"), dict):
        location = _first(ld["contentLocation"].get("name"))
    return {"title": title, "source": site, "url": url, "language": language,
            "tags": tags, "authors": authors,
            "dates": [d for d in dates if isinstance(d, str) and d.strip()], "location": _first(dateline, location),
            "summary": _first(ld.get("description"), *m("og:description", "description"))}


_XML_BLOCKS = frozenset({"p", "head", "list", "item", "quote", "table", "row", "cell", "code", "div", "main",
                         "doc", "body", "graphic", "image"})


def _block_text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split())


def _has_blocks(el: Any) -> bool:
    return any(child.tag in _XML_BLOCKS for child in el)


def _inline_text(el: Any) -> str:
    """The text of a paragraph-like element; <lb/> line breaks kept as newlines."""
    parts = [el.text or ""]
    for child in el:
        parts.append("\n" + (child.tail or "") if child.tag == "lb" else "".join(child.itertext()) + (child.tail or ""))
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n")).strip()


def _paragraphs_from_xml(body: Any) -> list[str]:
    """Paragraphs of trafilatura's XML body: headings and paragraphs alone, list items and table rows as lines,
    and the blocks inside a layout table (newsletters) as paragraphs of their own."""
    paragraphs: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag
        if tag in ("graphic", "image"):
            return
        if tag == "list" and not any(_has_blocks(item) for item in el.iter("item")):
            text = "\n".join(f"- {t}" for t in (_inline_text(item) for item in el.iter("item")) if t)
        elif tag == "table" and not any(_has_blocks(cell) for cell in el.iter("cell")):
            rows = [" | ".join(_block_text(cell) for cell in row.iter("cell")) for row in el.iter("row")]
            text = "\n".join(row for row in rows if row.strip(" |"))
        elif tag == "code":
            text = "".join(el.itertext()).strip("\n")
        elif _has_blocks(el) or tag in ("table", "list", "row", "body", "main", "doc", "div"):
            if (el.text or "").strip():
                paragraphs.append(" ".join(el.text.split()))
            for child in el:
                walk(child)
                if child.tail and child.tail.strip():
                    paragraphs.append(" ".join(child.tail.split()))
            return
        else:
            text = _inline_text(el)
        if text:
            paragraphs.append(text)

    for child in body:
        walk(child)
    return paragraphs


def fragment_to_text(html: str) -> str:
    """Plain paragraphs from an HTML fragment (a feed summary, a JSON body): blocks separated by blank lines."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises ParserError, ValueError... on odd input: fall back to dropping tags
        return clean_text(re.sub(r"<[^>]+>", " ", html)).strip()
    chunks: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            if el.tail:
                chunks.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            chunks.append("\n\n")
        if tag == "li":
            chunks.append("- ")
        if el.text:
            chunks.append(el.text)
        for child in el:
            walk(child)
        if block:
            chunks.append("\n\n")
        if el.tail:
            chunks.append(el.tail)

    walk(root)
    text = clean_text("".join(chunks))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def apply_rules(paragraphs: list[str], rules: Any) -> list[str]:
    """The plain-text rules applied to extracted paragraphs: furniture dropped, a footer cut (newsarc/data)."""
    from newsarc.ingest.text import Rules, footer_start

    rules = rules or Rules.load()
    kept = [p for p in paragraphs if not rules.is_furniture(p)]
    return kept[:footer_start(kept, rules)]


def _relative_base(hints: dict[str, Any]) -> str:
    return hints.get("fetched") or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class NoArticleTextError(BadInputError):
    """A page was read but holds no article text (an index page, a login wall, or text that was no page)."""


def extract_page(data: bytes | str, *, origin: str, hints: dict[str, Any] | None = None, date_order: str = "DMY",
                 rules: Any = None) -> dict[str, Any]:
    """A page's article: title, date, authors, source (site name), url (canonical), tags, language, location,
    body. Raises BadInputError when the page holds no article text."""
    import lxml.html
    from trafilatura import bare_extraction

    hints = hints or {}
    if isinstance(data, bytes):
        text = decode_bytes(data, origin=origin, encoding=declared_charset(data, hints.get("content_type", "")))
    else:
        text = clean_text(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an encoding declaration
    try:
        tree = lxml.html.document_fromstring(text)
    except Exception:  # lxml: ParserError on an empty document, ValueError on odd input
        raise BadInputError(f"{origin}: not an HTML page lxml can read") from None
    meta = _page_metadata(tree, hints)
    links = link_texts(tree)
    page_url = meta["url"] or hints.get("final_url") or hints.get("url") or None
    document = bare_extraction(tree, url=page_url, with_metadata=True, include_comments=False, include_tables=True,
                               include_images=False, deduplicate=False,
                               date_extraction_params={"extensive_search": False, "original_date": True})
    body = getattr(document, "body", None)  # a trafilatura Document (its type also admits a dict)
    paragraphs = _paragraphs_from_xml(body) if body is not None else []
    title = meta["title"] or _first(getattr(document, "title", None))
    if paragraphs and title and " ".join(paragraphs[0].split()).casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    paragraphs = apply_rules(paragraphs, rules)
    body = "\n\n".join(paragraphs).strip()
    if not body:
        raise NoArticleTextError(f"{origin}: no article text found in the page (is it an index page or a login "
                                 "wall?)")
    refuse_navigation(origin, [line for line in body.split("\n") if line.strip()], links)
    if not title:
        title = body.split("\n", 1)[0][:120]
    site = meta["source"] or _first(getattr(document, "sitename", None))
    if not site and page_url:
        site = urlsplit(page_url).hostname or ""
        site = site.removeprefix("www.")
    base = _relative_base(hints)
    date, is_ambiguous = None, False
    found_date = getattr(document, "date", None)
    dates = meta["dates"] + ([found_date] if found_date else [])
    for value in dates:
        date = parse_any_date(value, date_order=date_order, language=meta["language"], relative_base=base)
        if date:
            is_ambiguous = ambiguous(value)
            break
    found_author = getattr(document, "author", None)
    authors = meta["authors"] or _split_authors([found_author] if found_author else [])
    authors = [a for a in authors if a.casefold() != site.casefold()]  # "Jane Doe, CNN": CNN is the source
    tags = meta["tags"] or _split_tags(list(getattr(document, "tags", None) or [])
                                       + list(getattr(document, "categories", None) or []))
    location = meta["location"]
    if not location:
        from newsarc.ingest.text import find_dateline

        found = find_dateline(paragraphs[0], rules=rules, date_order=date_order)
        location = found[0] if found else ""
    parsed: dict[str, Any] = {
        "title": title, "date": date, "date_ambiguous": is_ambiguous, "source": site, "url": page_url or "",
        "authors": authors, "tags": tags, "location": location, "language": meta["language"], "body": body,
    }
    return parsed
