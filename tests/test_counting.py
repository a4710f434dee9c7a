"""Search totals are exact: the number a search prints (and --count, the web page, /api/search) is the number of
articles that match, for every kind of query, with filters, deleted documents and an index of several segments.

The totals come from posting id sets (newsarc.index.counting); each is checked against two independent counts:
Whoosh's own walk of every match (searcher.docs_for_query) and the hits of the same search with a limit above the
number of articles (the top-N collector lists every match when nothing can be left out).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from newsarc.article import Article
from newsarc.index.backend import SearchRequest
from newsarc.index.whoosh_backend import WhooshBackend, document_for

TEXT = ("oil prices rose sharply as the market fell; the prime minister spoke about the election and the bank "
        "raised rates while gas supplies ran short in the north of the country")
WORDS = TEXT.split(" ")
NAMES = ("Abu Kamal", "Albu Kamal", "al-Bukamal", "Qamishli", "Kamishli", "Erbil", "Irbil", "Hawler", "Mohammed",
         "Muhammad", "Mohamed", "Deir ez-Zor", "Deir al-Zour")
TAGS = ("Iraq", "Syria", "Economy", "United Kingdom", "Human rights")
SOURCES = ("Reuters", "BBC News", "Al Jazeera")
ARTICLES = 600


def make_article(rng: random.Random, number: int) -> Article:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
    if rng.random() < 0.4:
        body += f". {rng.choice(NAMES)} was mentioned, then {rng.choice(WORDS)} {rng.choice(WORDS)}."
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()
    day = f"{rng.randint(2010, 2014)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    article = Article(title=title, body=body, source=rng.choice(SOURCES), tags=rng.sample(TAGS, rng.randint(0, 2)),
                      date=None if number % 50 == 0 else day)
    article.id = f"{number:010d}"
    return article


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> WhooshBackend:
    """An index of several segments (three commits that do not merge), some of whose documents are deleted."""
    rng = random.Random(20170518)
    backend = WhooshBackend(tmp_path_factory.mktemp("counting") / "index")
    backend.create()
    paths = []
    for batch in range(3):
        writer = backend.writer()
        for number in range(batch * ARTICLES // 3, (batch + 1) * ARTICLES // 3):
            path = f"articles/{number:05d}.yaml"
            paths.append(path)
            writer.add_document(**document_for(path, make_article(rng, number)))
        writer.commit(merge=False)
    writer = backend.writer()
    for path in paths[::7]:  # deletions in every segment
        writer.delete_by_term("path", path)
    writer.commit(merge=False)
    with backend.ix.searcher() as searcher:
        leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
        assert len(leaves) >= 3 and all(leaf.has_deletions() for leaf in leaves[:3])
    return backend


QUERIES = [
    "election",  # one word: a term in title, body and tagtext
    "title:election",  # one term
    "oil prices",  # AND
    "oil OR gas",
    "oil NOT gas",
    "oil -prices",
    '"prime minister"',  # phrase
    '"oil prices"~2',
    "Qamishli",  # variant-expanded names
    "Abu Kamal",
    "Deir ez-Zor",
    "Mohammed",
    "Erbil",
    "Bukam*",  # wildcard, fuzzy
    "Kamishly~",
    "tag:Iraq",
    'tag:"United Kingdom" market',
    "date:2012",
    "date:[2011-03 TO 2012-06]",
    "source:reuters rates",
    "(oil OR gas) AND (market NOT bank)",
    "nothingmatchesthis",
    "*",
]
FILTERS = [
    {},
    {"tags": ("Iraq",)},
    {"tags": ("Economy", "Syria")},
    {"source": "Reuters"},
    {"since": "2012-03", "until": "2013"},
    {"since": "2013-02-10"},
    {"until": "2011-12-31", "tags": ("United Kingdom",)},
    {"source": "Nobody"},
]


def walked_total(backend: WhooshBackend, request: SearchRequest) -> int:
    """Whoosh's walk of every match, filtered by the filter's own walk."""
    with backend.ix.searcher() as searcher:
        parsed, _ = backend.parse(request.query, searcher.reader(), exact=request.exact, aliases=request.aliases)
        filter_query = backend._filter(request, searcher.reader())
        allowed = None if filter_query is None else set(searcher.docs_for_query(filter_query))
        return sum(1 for docnum in searcher.docs_for_query(parsed) if allowed is None or docnum in allowed)


@pytest.mark.parametrize("text", QUERIES)
def test_totals_are_exact_for_every_kind_of_query_and_filter(backend: WhooshBackend, text: str) -> None:
    for filters in FILTERS:
        for exact in (False, True):
            request = SearchRequest(text, exact=exact, snippets=False, **filters)  # type: ignore[arg-type]
            total = backend.search(request).total
            everything = backend.search(SearchRequest(text, limit=ARTICLES + 1, exact=exact, snippets=False,
                                                      **filters))  # type: ignore[arg-type]
            assert total == walked_total(backend, request) == len(everything.hits), (text, filters, exact)


def test_totals_with_alias_groups_and_date_sort(backend: WhooshBackend) -> None:
    aliases = [["Erbil", "Hawler"], ["Qamishli", "Deir ez-Zor"]]
    for text in ("Erbil", "Hawler oil", "Qamishli OR election"):
        for sort in ("relevance", "date"):
            request = SearchRequest(text, aliases=aliases, sort=sort, snippets=False)
            every = backend.search(SearchRequest(text, aliases=aliases, sort=sort, limit=ARTICLES + 1))
            assert backend.search(request).total == walked_total(backend, request) == len(every.hits) > 0


def test_a_term_in_a_segment_without_deletions_is_counted_from_its_frequency(tmp_path: Path) -> None:
    """The shortcut for one term: a whole segment's document frequency, right only while nothing is deleted."""
    backend = WhooshBackend(tmp_path / "index")
    backend.create()
    rng = random.Random(7)
    backend.apply([(f"a/{n}.yaml", make_article(rng, n)) for n in range(60)], [], fresh=True)
    request = SearchRequest("title:oil", snippets=False)
    before = backend.search(request).total
    assert before == walked_total(backend, request) > 0
    with backend.ix.searcher() as searcher:
        doomed = [searcher.stored_fields(d)["path"] for d in list(searcher.docs_for_query(
            backend.parse("title:oil", searcher.reader())[0]))[:3]]
    backend.delete(doomed)
    assert backend.search(request).total == walked_total(backend, request) == before - 3


def test_shared_posting_blocks_change_no_hit_and_no_score(backend: WhooshBackend, monkeypatch) -> None:
    """A search decodes each posting block once and shares it (postings.shared_blocks): the same hits, in the
    same order, with the same scores and total as a search where every matcher decodes its own."""
    import contextlib

    from newsarc.index.whoosh_internals import postings

    requests = [SearchRequest(text, limit=25, **filters) for text in ("election", "oil prices", '"prime minister"',
                                                                      "Qamishli OR gas") for filters in FILTERS[:4]]
    shared = [backend.search(r) for r in requests]
    monkeypatch.setattr(postings, "shared_blocks", contextlib.nullcontext)
    alone = [backend.search(r) for r in requests]
    for one, other in zip(shared, alone, strict=True):
        assert one.total == other.total
        assert [(h.id, h.score, h.matched_terms) for h in one.hits] == [(h.id, h.score, h.matched_terms)
                                                                        for h in other.hits]


def test_posting_reads_answer_as_whooshs_own(backend: WhooshBackend, monkeypatch) -> None:
    """newsarc.index.whoosh_internals.postings decodes ids, skips inside a block and shares what it read its own
    way: every posting list of the index gives the same ids, and skip_to the same stops, as with Whoosh's own
    methods."""
    from newsarc.index.whoosh_internals import postings

    def walk(reader, fieldname: str, btext: bytes, targets: list[int]) -> tuple[list[int], list[int | None]]:
        ids = list(reader.postings(fieldname, btext).all_ids())
        stops: list[int | None] = []
        matcher = reader.postings(fieldname, btext)
        for target in targets:
            if not matcher.is_active():
                break
            matcher.skip_to(target)
            stops.append(matcher.id() if matcher.is_active() else None)
        return ids, stops

    rng = random.Random(5)
    with backend.ix.searcher() as searcher:
        lists = [(leaf, fieldname, btext) for leaf, _ in searcher.reader().leaf_readers()
                 for fieldname in ("title", "body", "plain", "tags", "path") for btext in leaf.lexicon(fieldname)]
        assert len(lists) > 500
        targets = {key: sorted(rng.sample(range(ARTICLES), 40)) for key in range(len(lists))}
        ours = [walk(leaf, f, t, targets[n]) for n, (leaf, f, t) in enumerate(lists)]
        with postings.shared_blocks():  # every list through one memo of blocks, headers and term entries, twice
            shared = [walk(leaf, f, t, targets[n]) for _ in range(2) for n, (leaf, f, t) in enumerate(lists)]
        replaced = {name for owner, name in postings.WHOOSH_OWN if owner.__name__ == "W3LeafMatcher"}
        assert {"_read_data", "_read_ids", "skip_to", "_goto"} <= replaced  # else Whoosh is compared with itself
        for (owner, name), method in postings.WHOOSH_OWN.items():
            monkeypatch.setattr(owner, name, method)
        theirs = [walk(leaf, f, t, targets[n]) for n, (leaf, f, t) in enumerate(lists)]
    assert ours == theirs and shared == theirs + theirs
    assert any(len(ids) > 128 for ids, _ in ours)  # lists of several blocks are among them


def test_a_remembered_total_belongs_to_its_own_query(backend: WhooshBackend) -> None:
    """A kept searcher remembers totals by query and filter (a next page asks again): queries that differ only
    in a phrase's slop, in --exact or in a filter each get their own, exact total."""
    asked = ['"Qamishli mentioned"', '"Qamishli mentioned"~2', '"Qamishli mentioned"', '"Qamishli mentioned"~2']
    totals = []
    for text in asked:
        for exact in (False, True):
            for filters in FILTERS[:3]:
                request = SearchRequest(text, exact=exact, snippets=False, **filters)  # type: ignore[arg-type]
                totals.append(backend.search(request).total)
                assert totals[-1] == walked_total(backend, request), (text, exact, filters)
    assert totals[0] == 0 < totals[6]  # one word between: only the looser phrase matches
