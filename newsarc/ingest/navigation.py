"""Pages that are only navigation: an index, a section front, a list of headlines linking elsewhere.

Such a page has no article, yet a page reader finds text in it -- its menu -- and newsarc added that menu as
an article body. What gives it away is link text: on an index page nearly every line read is the whole text
of a link, while an article's paragraphs at most contain one.
"""

from __future__ import annotations

from typing import Any

from newsarc.errors import BadInputError

# At least this many links, carrying at least this share of the words read, make a page navigation.
MIN_NAVIGATION_LINKS = 5
NAVIGATION_SHARE = 0.6


class NavigationOnlyError(BadInputError):
    """A page that is only navigation: its text is the text of its links (an index, a section front)."""


def navigation_error(origin: str, links: int, share: float) -> NavigationOnlyError:
    return NavigationOnlyError(
        f"{origin}: no article text found in the page: it is only navigation ({links} links hold "
        f"{share:.0%} of its text); add the page of one article")


def link_texts(tree: Any) -> list[str]:
    """The text of every link in a page's element tree, spaces normalised (read before the page reader, which
    may change the tree)."""
    return [" ".join(a.text_content().split()) for a in tree.iter("a")]


def navigation_share(lines: list[str], links: list[str]) -> float:
    """The share of the words in `lines` that sit on lines which are the whole text of a link (a bullet
    "- " before it allowed). Prose that contains a link is prose; a menu is lines that are links."""
    link_set = {text.casefold() for text in links if text}
    total = linked = 0
    for line in lines:
        words = len(line.split())
        total += words
        if line.removeprefix("- ").strip().casefold() in link_set:
            linked += words
    return linked / total if total else 0.0


def refuse_navigation(origin: str, lines: list[str], links: list[str]) -> None:
    """Raise NavigationOnlyError when `lines` (what was read of a page) are mostly its links."""
    if len(links) < MIN_NAVIGATION_LINKS:
        return
    share = navigation_share(lines, links)
    if share >= NAVIGATION_SHARE:
        raise navigation_error(origin, len(links), share)
