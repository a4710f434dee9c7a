"""Which segments a commit merges: levels by size, eighteen to a level, and a cap on what one commit may merge.

Whoosh's default policy (MERGE_SMALL) merges whatever its Fibonacci rule picks, however big. At 1,000,000
articles (26 segments from an import: 17 of 1,500 documents, 4 of 28,500, 5 of 169,500) it picked 25 of them,
817,500 documents, for a commit of 3,000: a merge that rewrote 7 GB of index and ran for more than 20 minutes.
Any commit can set it off, the one of `newsarc add one.txt` included, so the time of a one-article add grew
with the archive without bound.

This policy is Lucene's LogDocMergePolicy with a maximum merge, the shape Lucene and Elasticsearch use:

- a segment's level is the number of digits of its document count (1-9 documents: level 1, 10-99: level 2, ...,
  100,000-999,999: level 6);
- when a level holds MERGE_FACTOR segments or more, its smallest ones are merged into one, as many as fit under
  the commit's cap (at least two);
- the cap is what a commit may spend: INTERACTIVE_MAX_DOCS for the commit of a command a person waits on
  (`add`, `edit`, `delete`, a search's catch-up of a few files), BULK_MAX_DOCS for a batch of an import, a folder
  added in bulk or a rebuild, whose time is spread over the whole batch. Segments too big to merge under the
  cap stay as they are: a million articles end as a few segments of 100,000-250,000 documents and at most
  MERGE_FACTOR - 1 per level below, so the segment count grows with the logarithm of the archive, and no
  commit rewrites more than its cap;
- a segment whose every document was deleted is dropped without being read.

Each document is merged about once per level on its way up, as with Whoosh's policy: the total work of a bulk
import stays proportional to the archive times the number of levels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

# Segments of one level before they are merged. Lucene's default is 10; 18 makes an import's first merge come at
# 27,000 articles (18 batch segments of 1,500), where Whoosh's own rule made it: with 10 it came at 15,000, and an
# import of 20,000 articles cost 1.34x the CPU of the code just before this policy, and with 18 1.07x (farm-bench,
# 3 and 2 pairs; the code compared also held the other changes of that day).
MERGE_FACTOR = 18
# What one commit may merge, in documents (merged at roughly 500-1,500 documents a second on two cores):
INTERACTIVE_MAX_DOCS = 10_000  # a one-article add: at most one merge of the small segments of many adds, seconds
BULK_MAX_DOCS = 250_000  # an import batch: up to nine segments of 27,000 documents, a few minutes

MergePolicy = Callable[[Any, list[Any]], list[Any]]


def level(doc_count: int) -> int:
    """The number of digits of a segment's document count (an empty segment is level 1)."""
    return len(str(max(doc_count, 1)))


def plan_merge(doc_counts: Sequence[int], live_counts: Sequence[int], max_docs: int,
               factor: int = MERGE_FACTOR) -> tuple[list[int], list[int]]:
    """(positions of the segments to merge, positions of the segments to drop), given each segment's documents
    (deleted included: what a merge reads) and live documents. At most one merge per commit: the lowest level
    that is full, its smallest segments that fit under max_docs together."""
    dropped = [i for i, live in enumerate(live_counts) if live == 0 and doc_counts[i] > 0]
    by_level: dict[int, list[int]] = defaultdict(list)
    for i, count in enumerate(doc_counts):
        if i not in dropped:
            by_level[level(count)].append(i)
    for _level, members in sorted(by_level.items()):
        if len(members) < factor:
            continue
        chosen: list[int] = []
        total = 0
        for i in sorted(members, key=lambda i: (doc_counts[i], i)):
            if total + doc_counts[i] > max_docs:
                break
            chosen.append(i)
            total += doc_counts[i]
        if len(chosen) >= 2:
            return sorted(chosen), dropped
    return [], dropped


def bounded_merge(max_docs: int, factor: int = MERGE_FACTOR) -> MergePolicy:
    """A Whoosh merge policy (the `mergetype` of `writer.commit`) that follows plan_merge with this cap."""

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        from whoosh.reading import SegmentReader

        merge, drop = plan_merge([s.doc_count_all() for s in segments], [s.doc_count() for s in segments],
                                 max_docs, factor)
        for i in merge:
            reader = SegmentReader(writer.storage, writer.schema, segments[i])
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        gone = set(merge) | set(drop)
        return [segment for i, segment in enumerate(segments) if i not in gone]

    return policy


def for_commit(bulk: bool) -> MergePolicy:
    """The policy for one commit: bulk batches may merge up to BULK_MAX_DOCS, anything else INTERACTIVE_MAX_DOCS.
    The caps are read at each call, so a test can lower them."""
    return bounded_merge(BULK_MAX_DOCS if bulk else INTERACTIVE_MAX_DOCS)
