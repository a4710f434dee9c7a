"""Exact match counts and document-number sets from posting id arrays, without a per-document Python walk.

A search shows how many articles match. Whoosh's top-N collector skips whole posting blocks that cannot
reach the top N, so it never counts; walking every match through the matcher tree (`searcher.docs_for_query`)
is exact but costs one Python generator step per match and per tree level: about half of a warm
`GET /api/search` at 100,000 articles. Here the same set is built per segment from the posting lists' id blocks
(each block's ids are one unpickled array, delta-decoded by itertools.accumulate in C) and combined with set
operations:

- Term: its posting ids; And/Require: intersection; Or: union; AndNot: difference; AndMaybe: the left side;
  NullQuery: nothing. Only these exact classes: a subclass could match differently.
- An exact phrase (slop 1): the intersection of its words' posting ids, each candidate checked with sets of
  positions (newsarc.index.whoosh_internals.phrase_ids): Whoosh's walk built span objects for every position
  of every candidate, twice per search with the top hits'.
- Anything else (sloppy phrases, sequences, ranges, wildcards, Not, Every...) is asked of Whoosh itself,
  `query.docs(segment searcher)`, the same per-segment walk `docs_for_query` does, so it is exact by definition,
  just not faster.
- Posting lists still hold deleted documents (Whoosh's reader filters them out as it walks): they are removed
  from each segment's set at the end. (A∪B)−D = (A−D)∪(B−D) and the same for ∩ and −, so removing them once is
  the same as removing them from every list.
- A lone term in a segment without deletions needs no ids at all: its document frequency is the count.
- A term's ids are read a block at a time by newsarc.index.whoosh_internals (add_term_ids): inside its
  shared_blocks(), a block the collector of the top hits has decoded is not decoded again for the count (nor
  the other way round). On a Whoosh without the fast paths, Whoosh's own all_ids().

tests/test_counting.py checks the counts against Whoosh's walk for each kind of query, filtered, with deleted
documents and several segments.
"""

from __future__ import annotations

from typing import Any

from newsarc import search_budget as budget
from newsarc.index import whoosh_internals

whoosh_internals.load()

from whoosh import query  # noqa: E402
from whoosh.reading import TermNotFound  # noqa: E402

_UNION = (query.Or, query.compound.DefaultOr, query.compound.PreloadedOr, query.compound.SplitOr)
_NULL = type(query.NullQuery)


def count(searcher: Any, q: query.Query, allowed: set[int] | None = None) -> int:
    """How many live documents match q (and are in allowed, a set of document numbers, when given): exactly
    sum(1 for d in searcher.docs_for_query(q) if allowed is None or d in allowed)."""
    total = 0
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if allowed is None and type(q) is query.Term and not q.minquality and not reader.has_deletions():
            total += _term_frequency(reader, q)
            continue
        ids = _live(reader, _ids(leaf, q))
        if allowed is not None:
            ids = set(map(offset.__add__, ids)) & allowed if offset else ids & allowed
        total += len(ids)
    return total


def docnums(searcher: Any, q: query.Query) -> set[int]:
    """The document numbers of the live documents matching q: set(searcher.docs_for_query(q))."""
    out: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        ids = _live(leaf.reader(), _ids(leaf, q))
        out.update(map(offset.__add__, ids) if offset else ids)
    return out


def _live(reader: Any, ids: set[int]) -> set[int]:
    if reader.has_deletions():
        ids -= reader.deleted_docs_set
    return ids


def _ids(leaf: Any, q: query.Query) -> set[int]:
    """The segment's document numbers matching q; may include deleted documents (see the module notes)."""
    budget.check()  # each document set is a step of a search's work (newsarc.search_budget)
    kind = type(q)
    if kind is query.Term and not q.minquality:
        out: set[int] = set()
        _add_term_ids(leaf.reader(), q, out)
        return out
    if kind in _UNION:
        out = set()
        for sub in q.subqueries:  # terms straight into the union, no set of their own
            if type(sub) is query.Term and not sub.minquality:
                _add_term_ids(leaf.reader(), sub, out)
            else:
                out |= _ids(leaf, sub)
        return out
    if kind is query.And:
        if not q.subqueries:
            return set()
        sets = sorted((_ids(leaf, sub) for sub in q.subqueries), key=len)
        return sets[0].intersection(*sets[1:])
    if kind is query.AndNot:
        return _ids(leaf, q.a) - _ids(leaf, q.b)
    if kind is query.Require:
        return _ids(leaf, q.a) & _ids(leaf, q.b)
    if kind is query.AndMaybe:
        return _ids(leaf, q.a)
    if kind is _NULL:
        return set()
    if kind is query.Phrase and q.slop == 1:
        found = whoosh_internals.phrase_ids(leaf.reader(), q.fieldname, list(q.words))
        if found is not None:
            return found
    # Whoosh's own walk: exact for any query, deleted documents already left out; one Python step per match, so
    # the clock is looked at as it goes
    return set(budget.checked(q.docs(leaf)))


def _btext(reader: Any, q: query.Term) -> bytes | None:
    """The term's bytes as Term.matcher makes them, or None where it matches nothing."""
    schema = reader.schema
    if q.fieldname not in schema:
        return None
    try:
        return schema[q.fieldname].to_bytes(q.text)
    except ValueError:
        return None


def _term_frequency(reader: Any, q: query.Term) -> int:
    btext = _btext(reader, q)
    return 0 if btext is None else reader.doc_frequency(q.fieldname, btext)  # 0 for a term the segment lacks


def _add_term_ids(reader: Any, q: query.Term, out: set[int]) -> None:
    """Add the ids of the term's postings in this segment to out."""
    btext = _btext(reader, q)
    if btext is None:
        return
    try:
        matcher = reader.postings(q.fieldname, btext)
    except TermNotFound:
        return
    whoosh_internals.add_term_ids(matcher, out)
