"""Exact phrases checked with sets of positions instead of Whoosh's span objects: the same documents, spans and
scores, with less Python per candidate.

A phrase query (`"oil prices"`) is Whoosh's SpanNear2 over the phrase's terms: an intersection of their posting
lists, and for every document holding all the words, `_get_spans` builds a Span object per position of each
word and pairs them in nested Python loops. For common words that is most of a phrase search, and it grows
with the posting lists (issue 24: at 100,000 articles `"oil prices"` cost 35x `python -c pass`, against 16x
for a rare word), once for the top hits and once more for the exact total (newsarc.index.counting).

For an exact phrase (slop 1, ordered, words at distance 1: what the query parser makes of `"..."`) over a
field that stores positions without characters (newsarc's title, body and tagtext), the phrase occurs at p when
word k is at p + k for every k: one set of start positions, narrowed word by word. The spans returned are
Whoosh's own: Span(p, p + n - 1) for every such p, sorted. Anything else (a slop, unordered spans, character
positions) is left to Whoosh's method.

install() is called by newsarc.index.whoosh_internals.load() on the Whoosh this was written for, and nowhere
else; tests/test_phrases.py compares documents, spans, hits and totals with Whoosh's own method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.query.spans import Span, SpanNear2

from newsarc.index.whoosh_internals.patches import WHOOSH_OWN, replace

SHAPE_FITS = hasattr(SpanNear2, "SpanNear2Matcher") and hasattr(SpanNear2.SpanNear2Matcher, "_get_spans")

_whoosh_get_spans: Any = None


def install() -> bool:
    """Put _get_spans in place of Whoosh's (once); False where Whoosh's class lacks it."""
    global _whoosh_get_spans
    if not SHAPE_FITS:
        return False
    matcher = SpanNear2.SpanNear2Matcher
    _whoosh_get_spans = WHOOSH_OWN.get((matcher, "_get_spans"), matcher._get_spans)
    replace(matcher, "_get_spans", _get_spans)
    return True


def phrase_ids(reader: Any, fieldname: str, words: list[str],
               values_of: Callable[[Any], dict[int, Any]]) -> set[int] | None:
    """Documents of the segment holding words as an exact phrase (see whoosh_internals.phrase_ids); values_of
    gives a term matcher's encoded values by document. None: not a field this can read, ask Whoosh."""
    if fieldname not in reader.schema:
        return set()
    field = reader.schema[fieldname]
    fmt = field.format
    if not fmt or not fmt.supports("positions") or fmt.supports("characters") or len(words) < 2:
        return None
    terms = []
    for word in words:
        try:
            term = field.to_bytes(word)
        except ValueError:
            return set()  # as Whoosh's Phrase.matcher: a word the field cannot hold matches nothing
        if (fieldname, term) not in reader:
            return set()
        terms.append(term)
    postings = [values_of(reader.postings(fieldname, term)) for term in terms]
    smallest = min(range(len(postings)), key=lambda k: len(postings[k]))
    candidates = set(postings[smallest]).intersection(*postings)
    decode = fmt.decode_positions
    found = set()
    for document in candidates:
        starts = set(decode(postings[0][document]))
        for offset in range(1, len(postings)):
            starts.intersection_update(p - offset for p in decode(postings[offset][document]))
            if not starts:
                break
        if starts:
            found.add(document)
    return found


def _get_spans(self: Any) -> list[Any]:
    """SpanNear2Matcher._get_spans for an exact phrase by sets of positions; Whoosh's own otherwise."""
    ms = self.ms
    if not (self.slop == 1 and self.ordered and self.mindist == 1 and len(ms) > 1) or not all(
            m.supports("positions") and not m.supports("characters") for m in ms):
        return _whoosh_get_spans(self)
    starts = set(ms[0].value_as("positions"))
    for offset in range(1, len(ms)):
        if not starts:
            return []
        starts.intersection_update(position - offset for position in ms[offset].value_as("positions"))
    last = len(ms) - 1
    return [Span(start, start + last) for start in sorted(starts)]
