"""A title is one line of at most MAX_TITLE characters, whatever the input made of it (issue 20, point 10).

An input without a title line -- a text that opens with a whole paragraph, a one-line file of 3 MB, a JSON
record whose title field holds the story -- would otherwise make that paragraph the title: `list` and search
results would print it whole. Such a title is shortened and nothing is lost: the first sentence becomes the title
when it is short enough, and the text after it opens the body; otherwise the title is cut at a word boundary with
an ellipsis, and the whole line opens the body.
"""

from __future__ import annotations

import re

MAX_TITLE = 300
MIN_SENTENCE = 20  # a shorter "first sentence" ("Mr.", "No. 5") is an abbreviation, not a title
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s")
ELLIPSIS = "\u2026"


def fit_title(title: str, body: str) -> tuple[str, str]:
    """(title, body) with the title one line of at most MAX_TITLE characters; text moved out of the title is
    put at the start of the body, so the article keeps every word."""
    if len(title) <= MAX_TITLE and "\n" not in title:
        return title, body
    line = " ".join(title.split())
    if len(line) <= MAX_TITLE:
        return line, body
    for match in _SENTENCE_END.finditer(line, MIN_SENTENCE, MAX_TITLE + 1):
        sentence = line[:match.end()].rstrip()
        if MIN_SENTENCE <= len(sentence) <= MAX_TITLE:
            return sentence, _joined(line[match.end():].strip(), body)
    cut = line.rfind(" ", 0, MAX_TITLE)
    if cut < MAX_TITLE // 2:  # one very long word (a URL, base64): cut inside it
        cut = MAX_TITLE - 1
    return line[:cut].rstrip(" ,;:-\u2013\u2014") + ELLIPSIS, _joined(line, body)


def _joined(opening: str, body: str) -> str:
    if not opening:
        return body
    return f"{opening}\n\n{body}" if body.strip() else opening
