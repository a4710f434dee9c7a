"""From query text to a Whoosh query: the query language, variant and alias expansion, and its explanation.

Words without a field search title, body and tags (the virtual field `text`). A capitalised word is also
expanded into the spellings of it that the archive holds (variant keys, newsarc.names.variants): the expansion reads
a few terms of the `vkeys` field by prefix, never the whole lexicon. Hyphenated words match written joined,
hyphenated or apart (al-Bukamal = alBukamal = al Bukamal), and an Arabic article before a name is optional.
Fuzzy terms (word~) and wildcards search the unstemmed `plain` field, where they mean what they say.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import (
    qparser,
    query,  # noqa: I001  (imported after newsarc.index.analysis loaded whoosh lightly)
)

from newsarc.errors import QueryError
from newsarc.index import query_syntax
from newsarc.index.analysis import stem
from newsarc.names import variants
from newsarc.names.place_words import LEADING_ARTICLES, MAX_WORDS, may_name_place

if TYPE_CHECKING:  # the gazetteer itself loads on the first query word that may name a place
    from newsarc.names.gazetteer import Gazetteer

DEFAULT_FIELD = "text"
TEXT_FIELDS = ("title", "body", "tagtext")
FIELD_ALIASES = {"tags": ["tag"], "authors": ["author", "by"], "location": ["place", "dateline"],
                 "language": ["lang"]}
HIDDEN_FIELDS = {"path", "tagtext", "source_key", "datestr", "ym", "plain", "vkeys", "places", "group", "dup_of",
                 "tag_facet", "source_facet", "location_facet", "added"}
MAX_EXPANSIONS = 12
_SPACED_ARTICLE = re.compile(r"(?<![\w:\"'-])(al|el|Al|El|AL|EL)\s+(?=[A-Z])")


@dataclass
class Expansion:
    word: str
    kind: str  # "variant", "alias", "contraction" (newsarc.names.contractions), "symbol" (AT&T read whole) or
    # "place only" (a function word typed alone: NewsParser._function_word_alone)
    terms: list[str] = field(default_factory=list)


class QueryNames:
    """The names a query searches (capitalised words, or words of a caseless script, of title, body and tags), as
    the parser matches them: words it matches as written in the `plain` field (a variant spelling, or a place's
    own name), stems it matches in title, body and tags (a name's own spelling: Beckham finds Beckhams), and the
    gazetteer places its words name. query_words() turns them into the `plain` words an article must hold.

    A plain class, not a dataclass: every search imports this module, and making a dataclass costs its import
    about half a millisecond (issue 22.6)."""

    __slots__ = ("words", "stems", "places")

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.stems: set[str] = set()
        self.places: set[int] = set()


class NewsParser(qparser.QueryParser):
    """Whoosh's parser with newsarc's handling of words (see the module docstring)."""

    def __init__(self, schema: Any, reader: Any, *, exact: bool, splits: list[list[str]] | None = None,
                 joined_forms: list[list[str]] | None = None):
        super().__init__(DEFAULT_FIELD, schema, group=qparser.AndGroup)
        self.reader = reader
        self.exact = exact
        # The archive's splits (newsarc alias split): name -> spellings set apart from its place, and back.
        self.set_apart: dict[tuple[str, ...], list[str]] = {}
        self.split_from: dict[tuple[str, ...], list[str]] = {}
        for name, *others in splits or []:
            self.set_apart.setdefault(_words_key(name), []).extend(others)
            for other in others:
                self.split_from.setdefault(_words_key(other), []).append(name)
        self.expansions: list[Expansion] = []
        self.names = QueryNames()
        self._variant_cache: dict[tuple[str, frozenset[int]], list[str]] = {}
        # A word that is part or a form of a place's name (Aqsur of El Aqsur, Bughraib of Abu Ghraib) names no
        # place alone, yet its rule variants must be held to that place as the whole name's are: the places of
        # the name around the word being parsed, and of the one-word forms the query's contractions joined.
        self._name_places: frozenset[int] = frozenset()
        self._joined_forms = joined_forms or []
        self._form_places: dict[str, frozenset[int]] | None = None
        self.remove_plugin_class(qparser.WildcardPlugin)
        self.add_plugin(qparser.WildcardPlugin())
        self.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
        self.add_plugin(qparser.GtLtPlugin())
        self.add_plugin(qparser.FuzzyTermPlugin())
        self.phraseclass = self._phrase
        self._text = ""

    def parse(self, text: str, normalize: bool = True, debug: bool = False) -> Any:
        self._text = text
        return super().parse(text, normalize=normalize, debug=debug)

    # -- words -----------------------------------------------------------------------------------------
    def term_query(self, fieldname: str, text: str, termclass: Any, boost: float = 1.0, tokenize: bool = True,
                   removestops: bool = True) -> Any:
        if fieldname != DEFAULT_FIELD and fieldname not in TEXT_FIELDS:
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        fields = TEXT_FIELDS if fieldname == DEFAULT_FIELD else (fieldname,)
        if termclass is not query.Term:  # fuzzy, wildcard, prefix: on the unstemmed words
            if fieldname == DEFAULT_FIELD and termclass is query.Wildcard and not text.strip("*"):
                # A bare `*` is every article. As a wildcard of the `plain` field Whoosh would read every one of
                # its posting lists (~30 s at 100,000 articles) and leave out an article without a word.
                return query.Every(boost=boost)
            folded = variants.fold_token(text)
            if fieldname == DEFAULT_FIELD:
                return termclass("plain", folded, boost=boost)
            if termclass is query.FuzzyTerm:
                folded = stem(folded)
            return termclass(fieldname, folded, boost=boost)
        tokens = list(variants.tokenize(text, extras=False))
        self._note_symbols(tokens)
        if not tokens:
            return None
        if len(tokens) == 1:
            return self._word(fields, tokens[0], boost)
        if any(variants.is_article(t.raw) for t in tokens[:-1]) and tokens[-1].raw[:1].isupper():
            return self._article_compound(fields, tokens, boost)
        joined = "".join(t.text for t in tokens)
        phrase = self._fields_or(fields, lambda f: query.Phrase(f, [stem(t.text) for t in tokens]))
        places = self._places(fields, tokens)
        if all(any(c.isalpha() for c in t.text) for t in tokens) and not _is_cjk(tokens):
            joined_raw = "".join(t.raw for t in tokens)
            with self._within_name(fields, tokens):
                as_one = self._word(fields, variants.Token(joined, 0, 0, len(joined), joined_raw, False), 1.0)
            return query.Or([phrase, as_one, *places], boost=boost)
        return query.Or([phrase, *places], boost=boost) if places else phrase

    def _note_symbols(self, tokens: list[variants.Token]) -> None:
        """For --explain: a word read whole for its symbol (AT&T, C++, 9/11) is said so, once."""
        for token in tokens:
            if variants.is_symbol_word(token.raw) and not any(e.word == token.raw for e in self.expansions):
                self.expansions.append(Expansion(token.raw, "symbol", [token.text]))

    def _word(self, fields: tuple[str, ...], token: variants.Token, boost: float) -> query.Query:
        own = self._fields_or(fields, lambda f: query.Term(f, stem(token.text)))
        others = self.variants_of(token.raw)
        places = self._places(fields, [token])
        if fields == TEXT_FIELDS and variants.is_name_word(token.raw):
            self.names.words.update(others)
            if places:
                self.names.words.add(token.text)  # `own` below: the word as written
            else:
                self.names.stems.add(stem(token.text))
        if not others and not places:
            return own.with_boost(boost) if boost != 1.0 else own
        if places and self._function_word_alone(token):
            self.expansions.append(Expansion(token.raw, "place only"))
            return query.Or(places, boost=boost)
        if places:  # a place's name matches as written, not through its stem (Resid is not "residents")
            own = query.And([own, query.Term("plain", token.text)])
        # Other spellings match as written (unstemmed), so that Lowe never brings in low, lower, lowest.
        if fields == TEXT_FIELDS:
            alternatives = [query.Term("plain", s) for s in others]
        else:
            alternatives = [query.Term(f, stem(s)) for s in others for f in fields]
        return query.Or([own, *alternatives, *places], boost=boost)

    def _function_word_alone(self, token: variants.Token) -> bool:
        """Whether the whole query is one Arabic-script word that is a function word of its language and a
        place's spelling (وان "and if" for Van, Persian's کیف, Kyiv, folded to كيف "how"): it is searched as the
        place only, as a search engine drops a stop word; its 296 and 62 verses of the Qur'an were its false
        hits (docs/searching.md). With other words, or with --exact, the word is searched as written."""
        if token.text[:1] < "\u0600" or len(list(variants.tokenize(self._text, extras=False))) != 1:
            return False
        from newsarc.names import gazetteer

        return gazetteer.table().is_function_word(token.text)

    def _places(self, fields: tuple[str, ...], tokens: list[variants.Token]) -> list[query.Query]:
        """`places:ID` for the gazetteer places the words name (any field of the text, not a single one)."""
        if self.exact or fields != TEXT_FIELDS or not tokens or not may_name_place(tokens[0].raw):
            return []
        found = self.places_of(tokens)
        key = tuple(t.text for t in tokens)
        for name in self.split_from.get(key, []):  # this spelling is not that place: the user said so
            found -= self.places_of(list(variants.tokenize(name, extras=False)), note=False)
        apart = self.set_apart.get(key, [])
        terms: list[query.Query] = []
        self.names.places |= found
        for pid in sorted(found):
            term: query.Query = query.Term("places", str(pid))
            shared = [o for o in apart if pid in self.places_of(list(variants.tokenize(o, extras=False)), note=False)]
            if shared:  # the place, but not where only a spelling set apart from it names it
                term = query.AndNot(term, query.Or([_plain_words(o) for o in shared]))
            terms.append(term)
        return terms

    def places_of(self, tokens: list[variants.Token], *, note: bool = True) -> frozenset[int]:
        """The gazetteer places named by query words, said once in the expansions (--explain)."""
        from newsarc.names import gazetteer

        table = gazetteer.table()
        found = table.places_of(tokens)
        written = " ".join(t.raw for t in tokens)
        if note and found and not any(e.word == written and e.kind == "place" for e in self.expansions):
            described = []
            for pid in sorted(found):
                place = table.place(pid)
                if place:
                    described.append(f"{place.label()} = {' · '.join(place.spellings[:8])}")
            self.expansions.append(Expansion(written, "place", described))
        return found

    def _article_compound(self, fields: tuple[str, ...], tokens: list[variants.Token],
                          boost: float) -> query.Query:
        """ez-Zor, al-Bukamal, Deir-ez-Zor: the article is optional; the joined spelling matches too."""
        split = max(i for i, t in enumerate(tokens[:-1]) if variants.is_article(t.raw)) + 1
        head, name = tokens[:split - 1], tokens[split:]
        joined = "".join(t.text for t in tokens[split - 1:])
        if len(name) == 1:
            with self._within_name(fields, tokens):
                name_query = self._word(fields, name[0], 1.0)
        else:
            name_query = self._fields_or(fields, lambda f: query.Phrase(f, [stem(t.text) for t in name]))
        either = query.Or([name_query, self._fields_or(fields, lambda f: query.Term(f, stem(joined)))])
        if fields == TEXT_FIELDS and len(name) == 1 and variants.is_name_word(name[0].raw):
            self.names.stems.add(stem(joined))  # al-Bukamal also finds Albukamal
        if not head:
            return either.with_boost(boost) if boost != 1.0 else either
        return query.And([*(self._word(fields, t, 1.0) for t in head), either], boost=boost)

    @staticmethod
    def _fields_or(fields: Iterable[str], make: Any) -> query.Query:
        parts = [make(f) for f in fields]
        return parts[0] if len(parts) == 1 else query.Or(parts)

    def variants_of(self, raw: str) -> list[str]:
        """Spellings in this archive that are variants of a capitalised query word (none with --exact)."""
        if self.exact or not variants.is_name_word(raw) or self.reader is None or _ordinary_word(raw):
            return []
        around = self._name_places | self.form_places().get(variants.fold_token(raw), frozenset())
        key = (raw, around)
        if key in self._variant_cache:
            return self._variant_cache[key]
        found = find_variants(self.reader, raw)
        found = _not_other_places(raw, found, around)
        self._variant_cache[key] = found
        if found:
            self.expansions.append(Expansion(raw, "variant", found))
        return found

    @contextlib.contextmanager
    def _within_name(self, fields: tuple[str, ...], tokens: list[variants.Token]) -> Iterator[None]:
        """While the words of a place's name are parsed one by one, the places the whole name gives them: only
        where the query also searches the place itself (every text field), whose `places:ID` then finds what
        the variants held back would; a field's phrase (body:"Dayr az Zawr") has only its words' variants."""
        outer = self._name_places
        if not self.exact and fields == TEXT_FIELDS and tokens and may_name_place(tokens[0].raw):
            self._name_places = outer | self.places_of(tokens, note=False)
        try:
            yield
        finally:
            self._name_places = outer

    def form_places(self) -> dict[str, frozenset[int]]:
        """The places of each one-word form a query's contractions joined to a name (Bughraib: Abu Ghraib's),
        read on first use: most queries join none."""
        if self._form_places is None:
            self._form_places = {}
            for group in self._joined_forms:
                places: frozenset[int] = frozenset()
                for member in group:
                    tokens = list(variants.tokenize(member, extras=False))
                    if tokens and may_name_place(tokens[0].raw):
                        places |= self.places_of(tokens, note=False)
                if places:
                    for member in group:
                        self._form_places[variants.fold_token(member)] = places
        return self._form_places

    # -- phrases ---------------------------------------------------------------------------------------
    def _phrase(self, fieldname: str, words: list[str], slop: int = 1, boost: float = 1.0,
                char_ranges: Any = None) -> Any:
        if fieldname != DEFAULT_FIELD and fieldname not in TEXT_FIELDS:
            return query.Phrase(fieldname, words, slop=slop, boost=boost, char_ranges=char_ranges)
        fields = TEXT_FIELDS if fieldname == DEFAULT_FIELD else (fieldname,)
        if fieldname != DEFAULT_FIELD and char_ranges and char_ranges[0][0] is not None:
            # The field's analyzer has lowercased the words: take them as written in the query, so that names
            # are still seen as names (title:"Deir ez-Zor" expands like "Deir ez-Zor").
            words = [self._text[char_ranges[0][0]:char_ranges[-1][1]]]
        tokens = list(variants.tokenize(" ".join(words), extras=False))
        self._note_symbols(tokens)
        places = self._places(fields, tokens) if len(tokens) > 1 else []
        if places:  # a place's name as a phrase: the phrase, or the place in any spelling
            written = self._phrase_words(fieldname, tokens, slop, 1.0)
            return query.Or([written, *places], boost=boost)
        return self._phrase_words(fieldname, tokens, slop, boost)

    def _phrase_words(self, fieldname: str, tokens: list[variants.Token], slop: int, boost: float) -> query.Query:
        fields = TEXT_FIELDS if fieldname == DEFAULT_FIELD else (fieldname,)
        # An Arabic article before a name may be written another way or not at all (Deir ez-Zor, Deir al-Zour,
        # Dayr az Zawr): leave it out and allow one word more between the words around it.
        whole = tokens
        if not self.exact:
            dropped = [i for i, t in enumerate(tokens[:-1])
                       if variants.is_article(t.raw) and tokens[i + 1].raw[:1].isupper()]
            slop += sum(1 for i in dropped if i > 0)
            tokens = [t for i, t in enumerate(tokens) if i not in dropped]
        if not tokens:
            return query.NullQuery
        with self._within_name(fields, whole if len(whole) > 1 else []):
            if len(tokens) == 1:
                return self._word(fields, tokens[0], boost)
            spellings = [[t.text, *self.variants_of(t.raw)] for t in tokens]
        if all(len(s) == 1 for s in spellings):
            stems = [stem(t.text) for t in tokens]
            if len(fields) == 1:
                return query.Phrase(fields[0], stems, slop=slop, boost=boost)
            return query.Or([query.Phrase(f, stems, slop=slop) for f in fields], boost=boost)
        # A name spelled another way inside the phrase: a sequence of alternatives, one field at a time.
        per_field = []
        for f in fields:
            steps = [query.Or([query.Term(f, stem(s)) for s in alts]) if len(alts) > 1 else query.Term(f, stem(alts[0]))
                     for alts in spellings]
            per_field.append(query.Sequence(steps, slop=slop))
        return query.Or(per_field, boost=boost)


def query_words(reader: Any, names: QueryNames) -> list[str]:
    """The `plain` words of the index whose articles a query's names find (besides its places): the words it
    matches as written, and every word of the index whose stem is one it matches. Read by prefix: a Snowball stem
    keeps all but the last three letters of its word (at most: "sensibility" -> "sens"), never the whole lexicon."""
    found = set(names.words)
    for wanted in names.stems:
        prefix = wanted[:max(len(wanted) - 3, min(len(wanted) - 1, 3))]
        for term in reader.expand_prefix("plain", prefix):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            if stem(word) == wanted:
                found.add(word)
    return sorted(found)


def _words_key(name: str) -> tuple[str, ...]:
    return tuple(t.text for t in variants.tokenize(name, extras=False))


def _plain_words(name: str) -> query.Query:
    """Articles that write a name (all its words, unstemmed)."""
    words = [query.Term("plain", w) for w in _words_key(name)]
    return words[0] if len(words) == 1 else query.And(words)


def _ordinary_word(raw: str) -> bool:
    """A common word of a caseless script (Arabic, Persian): never expanded as a name (newsarc.names.gazetteer)."""
    if raw[:1] < "\u0600":
        return False
    from newsarc.names import gazetteer

    return gazetteer.table().is_ordinary_word(variants.fold_token(raw))


def _not_other_places(raw: str, spellings: list[str], around: frozenset[int] = frozenset()) -> list[str]:
    """Rule variants of a place's name without the spellings that the gazetteer knows as other places only:
    Samara is not a variant of Samarra, nor Sidon of Sudan, nor George of Georgia, however alike the letters.
    Nor a spelling in another script, nor any guess in Arabic script: the gazetteer lists the place's spellings
    in every script, and a rule's guess across scripts, or in a script without capitals to tell a name, finds
    ordinary words and people (Agadir is not قدير "mighty", Alanya not Алан, آنکارا not نقير, أرمينيا not يرمون;
    measured on real prose: tests/support/prose_false_hits.py). `around`: the places of the name the word is part
    or a form of (Aqsur of El Aqsur, Bughraib of Abu Ghraib), held to the same rule: without it the part named
    no place, and its rules found قصر "palace" and قريب "near". And for a Cyrillic name alone, not a word the
    Russian dictionary knows as something else (newsarc.names.russian_words: Борис for Бурса); for a Latin one,
    not a common word or name of a Latin-script language (gazetteer.is_common_variant: Rossi for Rossiya)."""
    from newsarc.names import gazetteer
    from newsarc.names.russian_words import known_as_other_than_place

    table = gazetteer.table()
    if not table.available or not spellings:
        return spellings
    mine = table.places_of(list(variants.tokenize(raw, extras=False))) | around
    if not mine:  # not a place the gazetteer knows: the rules and the archive's evidence decide
        return spellings
    kept = []
    script = _script_of(raw)
    if script == "arabic":
        return []
    for spelling in spellings:
        if _script_of(spelling) != script:
            continue
        theirs = table.places_of(list(variants.tokenize(spelling, extras=False)))
        if theirs and not theirs & mine:
            continue
        if not theirs and table.opens_longer_name_of(spelling):
            continue  # the first word of another place's name (حمص Homs is not the Khamis of Khamis Mushait)
        if script == "cyrillic" and not around and not theirs and known_as_other_than_place(spelling):
            continue  # a name alone: Бурса is not Борис, nor Джордж Жорж (in a longer name, Хамисе Мушаите is)
        if script == "latin" and not around and not theirs and table.is_common_variant(spelling):
            continue  # a common word or name of a Latin-script language: Rossi is not Rossiya, Bacco not Baku
        kept.append(spelling)
    return kept


def _script_of(word: str) -> str:
    """The script a word is written in, by its first letter: latin, cyrillic, arabic or other."""
    letter = next((ch for ch in word if ch.isalpha()), "")
    if letter < "\u0250":
        return "latin"
    if "\u0400" <= letter <= "\u052f":
        return "cyrillic"
    if "\u0600" <= letter <= "\u06ff" or "\u0750" <= letter <= "\u077f" or "\ufb50" <= letter <= "\ufeff":
        return "arabic"
    return "other"


def _is_cjk(tokens: list[variants.Token]) -> bool:
    return any(len(t.text) == 2 and t.text[0] >= "\u3040" for t in tokens)


# A word counts as a name in this archive when at least this share of the articles that hold it write it
# capitalised in mid-sentence (or in a tag). "For", "Most" or "Went" do not, whatever the query's case.
NAME_SHARE = 0.3


def name_share(reader: Any, folded: str, key_terms: Iterable[str]) -> float:
    """The share of the articles holding `folded` that use it as a name (1.0 when the archive lacks it)."""
    everywhere = reader.doc_frequency("plain", folded)
    if everywhere < 3:
        return 1.0
    as_name = max((reader.doc_frequency("vkeys", term) for term in key_terms), default=0)
    return as_name / everywhere


def find_variants(reader: Any, raw: str, *, through_qaf: bool = True) -> list[str]:
    """Folded spellings in the index's `vkeys` field that are variants of `raw` (not `raw` itself).

    Only names take part: the query word must be one in this archive (see NAME_SHARE) and so must each
    spelling it expands to; spellings are read from the few `vkeys` terms that share a skeleton.

    The Arabic qaf is written q, k or g (Qadhafi, Kadhafi, Gaddafi), but k and g are not variants of each other
    by rule (Kate / Gate). Where the archive itself writes a name with q, that spelling bridges them: the
    variants of a q-spelling found here are variants of `raw` too (one step, `through_qaf`)."""
    own = variants.fold_token(raw)
    mine = variants.forms_of(raw)
    if not mine:
        return []
    own_terms: list[str] = []
    candidates: dict[str, list[str]] = {}
    apart: dict[str, list[str]] = {}  # one short vowel more or less (Teheran / Tehran): needs a bridge
    spellings: dict[str, list[variants.NameForm]] = {}
    for skeleton in variants.query_skeletons(raw):
        for term in reader.expand_prefix("vkeys", skeleton + " "):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            folded, spelling = variants.split_key_term(term)
            if folded == own:
                own_terms.append(term)
                continue
            theirs = spellings.setdefault(folded, variants.forms_of(spelling))
            if any(variants.compatible(a, b) for a in mine for b in theirs):
                candidates.setdefault(folded, []).append(term)
            elif any(variants.vowel_apart(a, b) for a in mine for b in theirs):
                apart.setdefault(folded, []).append(term)
    if not candidates or name_share(reader, own, own_terms) < NAME_SHARE:
        return []
    found = [folded for folded, terms in candidates.items() if name_share(reader, folded, terms) >= NAME_SHARE]
    # The archive's evidence that a vowel more or less is the same name: a spelling it holds in a script that
    # writes no short vowels (طهران) matches both forms (Tehran, Teheran), as the qaf bridge does for q/k/g.
    bridges = [form for folded in found for form in spellings[folded] if form.script != "latin"]
    for folded, terms in apart.items():
        if any(variants.compatible(bridge, form) for bridge in bridges for form in spellings[folded]) \
                and name_share(reader, folded, terms) >= NAME_SHARE:
            found.append(folded)
    if through_qaf and "q" not in own:
        for bridge in [f for f in found if "q" in f][:2]:
            found += [f for f in find_variants(reader, bridge.capitalize(), through_qaf=False)
                      if f != own and f not in found]
    return found[:MAX_EXPANSIONS]


def archive_has(reader: Any, folded: str) -> bool:
    """Whether the archive holds a word, as written or as a variant spelling of a name."""
    return reader.doc_frequency("plain", folded) > 0 or bool(find_variants(reader, folded.capitalize()))


def prepare_text(text: str) -> str:
    """Join a spaced article to the name it precedes ("al Bukamal" -> "al-Bukamal"), outside phrases."""
    parts = re.split(r'("[^"]*")', text)
    return "".join(p if p.startswith('"') else _SPACED_ARTICLE.sub(r"\1-", p) for p in parts)


_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def quote_place_names(text: str) -> str:
    """Quote the unquoted place names of two or more words (Khan Yunis, Le Caire, خان يونس), so that they are
    searched as one name (and as the place, in any spelling) rather than as separate words. The gazetteer is
    opened only for a run of words that may be a place's name: a query of lower-case words never loads it."""
    table: Gazetteer | None = None
    out: list[str] = []
    for part in re.split(r'("[^"]*"(?:~\d+)?)', text):
        if part.startswith('"'):
            out.append(part)
            continue
        tokens = [t for t in variants.tokenize(part, extras=False)
                  if t.raw not in _OPERATORS and not re.search(r"[\w]:$", part[:t.start])]
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(tokens):
            size = 0
            if may_name_place(tokens[i].raw) or tokens[i].text in LEADING_ARTICLES:
                for size in range(min(MAX_WORDS, len(tokens) - i), 1, -1):
                    window = tokens[i:i + size]
                    between = [part[a.end:b.start] for a, b in zip(window, window[1:], strict=False)]
                    if not (all(re.fullmatch(r"[ \-\u2010\u2011]+", gap) for gap in between)
                            and may_name_place(window[-1].raw)):
                        continue
                    if table is None:
                        from newsarc.names import gazetteer

                        table = gazetteer.table()
                    if table.places_of(window):
                        spans.append((window[0].start, window[-1].end))
                        break
                else:
                    size = 0
            i += size or 1
        last = 0
        for start, end in spans:
            out.append(part[last:start] + '"' + part[start:end] + '"')
            last = end
        out.append(part[last:])
    return "".join(out)


def parse(text: str, schema: Any, reader: Any, *, exact: bool = False, splits: list[list[str]] | None = None,
          names: QueryNames | None = None, joined_forms: list[list[str]] | None = None,
          ) -> tuple[query.Query, list[Expansion]]:
    """Parse a query (after check_syntax and alias expansion) into a Whoosh query and the expansions used;
    splits: the archive's `newsarc alias split` entries, which win over the gazetteer; names: filled with the
    names the query searches (QueryNames); joined_forms: the groups of one- and two-word forms of a name the
    query's contractions joined (newsarc.names.contractions)."""
    parser = NewsParser(schema, reader, exact=exact, splits=splits, joined_forms=joined_forms)
    if names is not None:
        parser.names = names
    whoosh_text = query_syntax.for_whoosh(text)
    try:
        parsed = parser.parse(whoosh_text if exact else quote_place_names(prepare_text(whoosh_text)))
    except QueryError:
        raise
    except Exception:  # whoosh raises bare exceptions from deep inside its parser: never show their text
        raise QueryError(f"query {text!r}: newsarc cannot read it as a query; quote the words to search for "
                         "them as they are") from None
    _raise_on_errors(parsed, text, schema)
    if parsed is query.NullQuery:
        raise QueryError(f"query {text!r} has no words to search for (punctuation and symbols alone are not searched)")
    return parsed, parser.expansions


def _raise_on_errors(parsed: query.Query, text: str, schema: Any) -> None:
    """Whoosh turns parse problems into null queries carrying an `error`, and leaves a range without a field
    on the parser's placeholder field: surface either as a one-line error."""
    stack = [parsed]
    while stack:
        node = stack.pop()
        error = getattr(node, "error", None)
        if error:
            raise QueryError(f"cannot parse query {text!r}: {error}")
        fieldname = getattr(node, "fieldname", None)
        if fieldname is not None and fieldname not in schema:
            raise QueryError(f"query {text!r}: a range (<, >, [a TO b]) needs a field, e.g. date:>2017-05")
        stack.extend(node.children())


# -- syntax checks with positions ---------------------------------------------------------------------------
_FIELD_PREFIX = re.compile(r"(?<![\w:/.@-])([A-Za-z_]+):(?=\S)")
_EMPTY_FIELD = re.compile(r"(?<![\w:/.@-])([A-Za-z_]+):(?:<=|>=|=<|=>|<|>)?(?=\s|$|\))")
_OPERATOR = re.compile(r"(?<![\w\"])(AND|OR|NOT|ANDNOT|ANDMAYBE)(?![\w\"])")


def check_syntax(text: str, field_names: Iterable[str]) -> None:
    """Catch what Whoosh would silently guess at, naming the position and how to fix it."""
    if not text.strip():
        raise QueryError("the query is empty; give words to search for")
    if text.count('"') % 2:
        at = text.rfind('"') + 1
        raise QueryError(f'query {text!r}: unclosed " at position {at}; close the phrase or remove the quote')
    plain = _without_phrases(text)
    for opening, closing in (("(", ")"), ("[", "]"), ("{", "}")):
        depth = 0
        for position, char in enumerate(plain, start=1):
            depth += {opening: 1, closing: -1}.get(char, 0)
            if depth < 0:
                raise QueryError(f"query {text!r}: {closing} at position {position} has no {opening}; "
                                 f"remove it or add the {opening}")
        if depth:
            raise QueryError(f"query {text!r}: {depth} unclosed {opening} (at position {plain.rfind(opening) + 1}); "
                             f"add the missing {closing}")
    empty = re.search(r"\(\s*\)", query_syntax.without_phrases(text, fill="_"))
    if empty:
        raise QueryError(f"query {text!r}: empty () at position {empty.start() + 1}; put words inside or remove it")
    _check_suffixes(text, plain)
    query_syntax.check_negations(text, plain)
    query_syntax.check_relations(text, plain)
    known = {n for n in field_names if n not in HIDDEN_FIELDS}
    known |= {alias for aliases in FIELD_ALIASES.values() for alias in aliases}
    for match in _FIELD_PREFIX.finditer(plain):
        if match.group(1).lower() not in known:
            raise QueryError(
                f"query {text!r}: unknown field {match.group(1)!r} at position {match.start() + 1}; "
                f"fields are {', '.join(sorted(known))} (quote the text to search for a colon)"
            )
    for match in _EMPTY_FIELD.finditer(plain):
        if text[match.end():match.end() + 1] == '"':
            continue
        raise QueryError(f"query {text!r}: field {match.group(1)!r} at position {match.start() + 1} has no value; "
                         f"write {match.group(1)}:word or {match.group(1)}:\"some words\"")
    operators = list(_OPERATOR.finditer(plain))
    for match in operators:
        before = text[: match.start()].rstrip()
        after = text[match.end():].lstrip()
        op = match.group(1)
        if op != "NOT" and (not before or before.endswith("(")):
            raise QueryError(f"query {text!r}: {op} at position {match.start() + 1} has nothing before it; "
                             f"write A {op} B (or search for the word in lower case: {op.lower()})")
        if not after or after.startswith(")"):
            raise QueryError(f"query {text!r}: {op} at position {match.start() + 1} has nothing after it; "
                             f"write A {op} B (or search for the word in lower case: {op.lower()})")
        following = _OPERATOR.match(after)
        if following and not (op in ("AND", "OR") and following.group(1) == "NOT"):
            raise QueryError(f"query {text!r}: {op} {following.group(1)} at position {match.start() + 1}; "
                             "two operators in a row")


_FUZZY_SUFFIX = re.compile(r"(?:\d+(?:/\d+)?)?(?=[\s)]|$)")
_BOOST_SUFFIX = re.compile(r"\d*\.?\d+(?=[\s)~]|$)")


def _check_suffixes(text: str, plain: str) -> None:
    """word~, word~2, "a b"~3 and word^2 take a number or nothing: Whoosh would read Blair~x as Blair~ AND x."""
    for match in re.finditer(r"[~^]", plain):
        at = match.start()
        token_start = max(plain.rfind(" ", 0, at), plain.rfind("(", 0, at)) + 1
        if plain[token_start:].lower().startswith("url:"):
            continue  # part of an address (example.com/~user)
        if match.group(0) == "~" and not _FUZZY_SUFFIX.match(plain, at + 1):
            raise QueryError(f"query {text!r}: ~ at position {at + 1} must be followed by a number or nothing; "
                             'write word~ or word~2 (spelling distance) or "a b"~3 (words apart)')
        if match.group(0) == "^" and not _BOOST_SUFFIX.match(plain, at + 1):
            raise QueryError(f"query {text!r}: ^ at position {at + 1} must be followed by a number; "
                             "write word^2 to weigh a word more (quote the text to search for a ^)")


_without_phrases = query_syntax.without_phrases


# -- explanation ---------------------------------------------------------------------------------------------
def describe(q: query.Query) -> str:
    """A readable form of a parsed query: one query repeated over title, body and tags is shown once as `any:`."""
    if isinstance(q, query.Or):
        return "(" + " OR ".join(_merge_fields(q.subqueries)) + ")"
    if isinstance(q, query.And):
        return "(" + " AND ".join(describe(s) for s in q.subqueries) + ")"
    if isinstance(q, query.AndNot):
        return f"({describe(q.a)} AND NOT {describe(q.b)})"
    if isinstance(q, query.Not):
        return f"NOT {describe(q.query)}"
    if isinstance(q, query.AndMaybe):
        return f"({describe(q.a)} ANDMAYBE {describe(q.b)})"
    if isinstance(q, query.DateRange):
        low = q.startdate.date().isoformat() if q.startdate else "*"
        high = q.enddate.date().isoformat() if q.enddate else "*"
        return f"{q.fieldname}:[{low} TO {high}]"
    local = _local(q)
    return local[1] if local else str(q)


def _local(q: query.Query) -> tuple[str, str] | None:
    """(field, text without the field) for a query on one text field; None otherwise."""
    if isinstance(q, query.Term) and q.fieldname in TEXT_FIELDS:
        return q.fieldname, f"{q.fieldname}:{q.text}"
    if isinstance(q, query.Phrase) and q.fieldname in TEXT_FIELDS:
        slop = f"~{q.slop}" if q.slop > 1 else ""
        return q.fieldname, f'{q.fieldname}:"{" ".join(q.words)}"{slop}'
    if isinstance(q, query.Sequence | query.Or):
        parts = [_local(s) for s in q.subqueries]
        fields = {p[0] for p in parts if p}
        if len(fields) != 1 or not all(parts):
            return None
        field_name = fields.pop()
        inner = [p[1].replace(f"{field_name}:", "") for p in parts if p]
        text = ("<" + " ".join(inner) + f">~{q.slop}") if isinstance(q, query.Sequence) else "(" + "|".join(inner) + ")"
        return field_name, f"{field_name}:{text}"
    return None


def _merge_fields(subqueries: list[query.Query]) -> list[str]:
    out: list[str] = []
    seen: dict[str, set[str]] = {}
    locals_ = [_local(s) for s in subqueries]
    for loc in locals_:
        if loc:
            seen.setdefault(loc[1].split(":", 1)[1], set()).add(loc[0])
    shown: set[str] = set()
    for sub, loc in zip(subqueries, locals_, strict=True):
        if loc:
            text = loc[1].split(":", 1)[1]
            if seen[text] == set(TEXT_FIELDS):
                if text not in shown:
                    out.append(f"any:{text}")
                    shown.add(text)
                continue
        out.append(describe(sub))
    return out


# -- helpers for did-you-mean ----------------------------------------------------------------------------------
_SYNTAX_WORDS = re.compile(r'\S*[*?~]\S*|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b|[A-Za-z_]+:\S*|[()"^\[\]{}]')


def words_of(text: str) -> str:
    """The plain words of a query (operators, field:value terms and syntax removed), for did-you-mean."""
    return _SYNTAX_WORDS.sub(" ", text)


def near_variants(reader: Any, raw: str, limit: int = 5) -> list[str]:
    """Spellings in the index with the same consonant skeleton as `raw` that the variant rules keep apart
    (Kharkiv / Kharkov): candidates for an alias group, never matched without one."""
    if not variants.is_name_word(raw):
        return []
    own = variants.fold_token(raw)
    mine = variants.forms_of(raw)
    found: list[str] = []
    for skeleton in variants.query_skeletons(raw):
        for term in reader.expand_prefix("vkeys", skeleton + " "):
            folded, spelling = variants.split_key_term(term.decode("utf-8") if isinstance(term, bytes) else term)
            shown = spelling[:1].upper() + spelling[1:]
            if folded == own or shown in found:
                continue
            if any(variants.near(a, b) for a in mine for b in variants.forms_of(spelling)):
                found.append(shown)
                if len(found) >= limit:
                    return found
    return found
