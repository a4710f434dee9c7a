"""Whoosh analyzers over newsarc.names.variants: one tokenizer for every text field, so index and queries agree.

- words_analyzer(): folded words (source, authors, location, and the unstemmed `plain` field that fuzzy
  terms, wildcards, did-you-mean and variant expansion read);
- stemmed_analyzer(): the same words with Snowball English stemming (title, body, tagtext);
- name_keys_analyzer(): for each word that may be a name, its variant-key terms (`vkeys` field);
- places_analyzer(): the gazetteer ids of the places the text names (`places` field).

plain_words() and places_named() give the `plain` and `places` terms of one article_text() outside Whoosh too: the
es-bulk export writes them into each document (newsarc.exchange.es_names), so that a cluster matches a name's
spellings as the index does.

The schema pickles these classes by module path: renaming them needs a schema bump.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from newsarc.index import whoosh_internals
from newsarc.names import variants

whoosh_internals.load()

from whoosh.analysis import Token, Tokenizer  # noqa: E402
from whoosh.analysis.morph import StemFilter  # noqa: E402
from whoosh.lang.snowball.english import EnglishStemmer  # noqa: E402

_STEMMER = EnglishStemmer()
# What Whoosh's field.index(value) gives: (term bytes, frequency, weight, encoded value) per term.
FieldIndexer = Callable[[str], list[tuple[bytes, int, float, bytes]]]


# Words whose stems are kept (LRU). Every word of every title, body and tag is stemmed, in both processes of a bulk
# import, and a Snowball stem costs ~200 hits: the cache must hold the words that recur. Over the benchmark's
# articles (33,000 distinct words) it keeps 99.9% of the hits at 32,000 entries, 96.8% at 16,000. 200,000
# entries (~40 MB a process) filled only with an archive's ever-growing tail of rare words: memory that grew with
# the archive. ~200 bytes an entry: at most ~10 MB. (docs/performance.md, "Memory of a bulk import")
STEM_CACHE = 50_000


@lru_cache(maxsize=STEM_CACHE)
def stem(word: str) -> str:
    """The Snowball English stem that the title/body/tagtext fields index for a folded word."""
    return _STEMMER.stem(word)


class Joined(str):
    """A text made of parts (title, body, tags) whose tokens may already be known from other fields."""

    parts: tuple[str, ...] = ()
    language: str = ""  # the article's (ISO 639-1), for the gazetteer's names of one language (Roma)

    @classmethod
    def of(cls, parts: list[str], sep: str = "\n", language: str = "") -> Joined:
        joined = cls(sep.join(parts))
        joined.parts = tuple(parts)
        joined.language = language
        return joined


def article_text(title: str, body: str, tags: Iterable[str], language: str = "") -> Joined:
    """An article's title, body and tags as one text, the tags after TAGS_MARK: what the plain, vkeys and places
    fields index (every word of a tag counts as a name; the title and body only where written as one). The
    article's language decides which of the gazetteer's names of one language (Italian's Roma) name places."""
    return Joined.of([title, body, variants.TAGS_MARK, *tags], language=language)


def plain_words(text: str) -> set[str]:
    """The terms of the `plain` field for a text (an article_text(), or any text): its folded words as written,
    with the joined forms of hyphenated words (al-Bukamal: al, bukamal, albukamal). A name's spellings, variants
    included, are matched on these (newsarc.index.query)."""
    if isinstance(text, Joined) and text.parts:
        return {token.text for _part, tokens, _is_tag in _parts(text) for token in tokens}
    return {token.text for token in _tokens(text, True)}


class _Recent:
    """Tokens of the last few texts analysed: one document's fields share their texts (body, then the
    plain and vkeys fields made of title + body + tags), so each text is tokenized once."""

    size = 8
    entries: list[tuple[str, list[variants.Token]]] = []


def _tokens(text: str, extras: bool) -> list[variants.Token]:
    if not extras:
        return list(variants.tokenize(text, extras=False))
    for seen, tokens in _Recent.entries:
        if seen is text:
            return tokens
    if isinstance(text, Joined) and text.parts:
        tokens, shift, pos_shift = [], 0, 0
        for part in text.parts:
            for token in _tokens(part, True):
                tokens.append(token._replace(pos=token.pos + pos_shift, start=token.start + shift,
                                             end=token.end + shift))
            shift += len(part) + 1
            pos_shift = tokens[-1].pos + 1 if tokens else 0
    else:
        tokens = list(variants.tokenize(text))
    _Recent.entries = [(text, tokens), *_Recent.entries[: _Recent.size - 1]]
    return tokens


def _parts(text: str) -> list[tuple[str, list[variants.Token], bool]]:
    """(part, its tokens, whether it is a tag) for each part of a Joined text (the text itself otherwise)."""
    if not isinstance(text, Joined) or not text.parts:
        return [(text, _tokens(text, True), False)]
    out, in_tags = [], False
    for part in text.parts:
        if part == variants.TAGS_MARK:
            in_tags = True
            continue
        out.append((part, _tokens(part, True), in_tags))
    return out


class SettinglessTokenizer(Tokenizer):
    """A tokenizer without settings: equal to every other of its class. Whoosh compares analyzers when it
    checks an index's schema against the code's, and Tokenizer's own equality compares instance attributes."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class NewsTokenizer(SettinglessTokenizer):
    """Folded words with positions and offsets (see variants.tokenize). At index time it adds the second
    forms that share a position (al-Bukamal -> albukamal); queries and highlighting get the plain words."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = variants.fold_token(value)
            t.boost = 1.0
            t.pos, t.startchar, t.endchar = start_pos, start_char, start_char + len(value)
            yield t
            return
        if not positions and not chars and mode == "index" and isinstance(value, Joined):
            for _part, tokens, _is_tag in _parts(value):  # the plain field: words only
                for token in tokens:
                    t.text = token.text
                    t.boost = 1.0
                    t.stopped = False
                    yield t
            return
        for token in _tokens(value, extras=mode == "index"):
            t.text = token.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = token.raw
            if positions:
                t.pos = start_pos + token.pos
            if chars:
                t.startchar = start_char + token.start
                t.endchar = start_char + token.end
            yield t


class _TermsTokenizer(SettinglessTokenizer):
    """A field of terms without positions, one per thing the text holds (subclasses say which in terms())."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.pos = start_pos
        t.startchar = t.endchar = start_char
        if not tokenize:
            t.text = value
            yield t
            return
        for term in self.terms(value):
            t.text = term
            t.stopped = False
            yield t

    def terms(self, value: str) -> Iterator[str]:
        raise NotImplementedError


class NameKeyTokenizer(_TermsTokenizer):
    """The variant-key terms ('SKELETON folded [spelling]') of the words that may be names."""

    def terms(self, value: str) -> Iterator[str]:
        seen: set[str] = set()
        language = value.language if isinstance(value, Joined) else ""
        for part, tokens, is_tag in _parts(value):
            for token in tokens:
                first = token.raw[:1]
                if token.extra or not (first.isupper() or first >= "\u0600") or token.raw in seen:
                    continue
                if not variants.counts_as_name(part, token, 0 if is_tag else len(part)):
                    continue
                if not is_tag and first >= "\u0600" and _ordinary_word(token.text):
                    continue  # a caseless script: a common word of the language is not taken for a name
                if not is_tag and language and _ordinary_in(token.text, language):
                    continue  # a word of its language (German capitalises nouns: Leben; Arabic's منا "from us")
                seen.add(token.raw)
                yield from variants.index_keys(token.raw, token.text)


class PlaceTokenizer(_TermsTokenizer):
    """The gazetteer ids of the places an article names, in any spelling (newsarc.names.gazetteer): the
    `places` field, so that Aleppo, Halep, حلب and Алеппо meet on one term."""

    def terms(self, value: str) -> Iterator[str]:
        for place in sorted(places_named(value)):
            yield str(place)


def places_named(text: str) -> set[int]:
    """The gazetteer places a text (or a Joined title + body + tags) names: words that may be names (capitalised,
    or in a caseless script) and every word of a tag."""
    from newsarc.names import gazetteer

    table = gazetteer.table()
    language = text.language if isinstance(text, Joined) else ""
    found: set[int] = set()
    for part, tokens, is_tag in _parts(text):
        words = [t for t in tokens if not t.extra]
        if words:
            names = [True] * len(words) if is_tag else [gazetteer.may_name_place(t.raw) for t in words]
            found |= table.link(part, words, names, language)
    return found


def place_spans(text: str, places: set[int], language: str = "") -> list[tuple[int, int]]:
    """Character spans of the names in a text (not a Joined one) that stand for any of `places`: what a hit
    found through the gazetteer highlights (Halep in a hit for Aleppo; Roma in an Italian article)."""
    from newsarc.names import gazetteer

    words = [t for t in _tokens(text, True) if not t.extra]
    mentions = gazetteer.table().mentions(text, words, (gazetteer.may_name_place(t.raw) for t in words), language)
    return [(first.start, last.end) for first, last, found in mentions if found & places]


def _ordinary_in(folded: str, language: str) -> bool:
    from newsarc.names import gazetteer

    return gazetteer.table().is_ordinary_in(folded, language)


def _ordinary_word(folded: str) -> bool:
    from newsarc.names import gazetteer

    return gazetteer.table().is_ordinary_word(folded)


def words_analyzer() -> NewsTokenizer:
    return NewsTokenizer()


def stemmed_analyzer() -> Any:  # a Whoosh CompositeAnalyzer
    return NewsTokenizer() | StemFilter(lang="en", cachesize=100_000)


def name_keys_analyzer() -> NameKeyTokenizer:
    return NameKeyTokenizer()


def places_analyzer() -> PlaceTokenizer:
    return PlaceTokenizer()


def fast_indexer(field: Any) -> FieldIndexer | None:
    """A function giving what field.index(value) gives for a field analysed by NewsTokenizer (Positions with
    stemming: title, body, tagtext; Existence: plain), without Whoosh's token and filter generators; None for
    any other field (the writer then asks Whoosh). tests/test_bulk_writer.py holds both to the same bytes."""
    from whoosh import formats
    from whoosh.analysis.analyzers import CompositeAnalyzer

    fmt, analyzer = field.format, field.analyzer
    if type(fmt) is formats.Existence and type(analyzer) is NewsTokenizer:
        return _existence_indexer(fmt.field_boost)
    if (type(fmt) is formats.Positions and type(analyzer) is CompositeAnalyzer and len(analyzer.items) == 2
            and type(analyzer.items[0]) is NewsTokenizer and type(analyzer.items[1]) is StemFilter
            and analyzer.items[1].lang == "en"):  # the Snowball English stemmer: stem() below
        return _stemmed_positions_indexer(fmt, analyzer.items[1].ignore)
    return None


def _existence_indexer(field_boost: float) -> FieldIndexer:
    def index(value: str) -> list[tuple[bytes, int, float, bytes]]:
        words = plain_words(value)
        return [(word.encode("utf-8"), 1, field_boost, b"") for word in words]

    return index


def _stemmed_positions_indexer(fmt: Any, ignore: frozenset[str]) -> FieldIndexer:
    encode, field_boost = fmt.encode, fmt.field_boost
    stem_word = stem

    def index(value: str) -> list[tuple[bytes, int, float, bytes]]:
        positions: dict[str, list[int]] = {}
        for token in _tokens(value, True):
            text = token.text
            if text not in ignore:
                text = stem_word(text)
            found = positions.get(text)
            if found is None:
                positions[text] = [token.pos]
            else:
                found.append(token.pos)
        return [(word.encode("utf-8"), len(poses), float(len(poses)) * field_boost, encode(poses))
                for word, poses in positions.items()]

    return index
