"""Places in every spelling the world's gazetteers list: Aleppo = Halep = حلب = Алеппо, Moscow = Moskau = Москва.

No rule derives an exonym (Aleppo / Halab, Moscow / Moskva): that is knowledge, and Unicode CLDR and GeoNames
keep it. tools/build_gazetteer.py turns them into `gazetteer.sqlite` beside this module (sources, versions and
licences in its `meta` table; `newsarc alias` overrides it, see newsarc.names.aliases). This module holds the
rules both sides share, so that an article and a query that spell a place differently meet on its id:

- at index time, Gazetteer.link() reads an article's words and returns the ids of the places it names
  (the `places` field of the index);
- at query time, places_of() gives the ids a query word or phrase names, and the search adds `places:ID`.

A place name is looked up as written and in the forms news language gives it: an Arabic word without its
attached conjunction, preposition and article (وبغداد, بالموصل, لحلب -> بغداد, موصل, حلب), a Turkish name without
the case ending after its apostrophe (Bağdat'ta, Halep'te), a French or Italian elision (d'Alep, l'Irak), a German
genitive (Moskaus, Syriens: filed with the German names), and a Russian or Ukrainian name without its case
ending (в Москве, Москвы, у Києві, Львові: a "base" key on both sides, with Ukrainian's і/о/е alternation).

An Arabic-script spelling is keyed without its article (الموصل and Persian's موصل meet), except where the
article-less word is something else: a spelling whose bare word is a common word (الأبيض, El Obeid: أبيض
"white"; الأبي: أبي "my father") or whose ال is no article but the start of a foreign name (آلمان, Germany,
not مان; ألبانيا, not بانيا). tools/build_gazetteer.py decides which, and files those with the article
(keep_article), as it does a spelling that only looks like a clitic and the article (بالبالا, Balbala, not
بالا "up"); a text's word is looked up in both forms, so بالأبيض and الأبيض still name El Obeid.

A word is read as proclitics and a name only where the article's language writes that reading (is_whole_word:
وكالة "agency" is not و + كالة, Calais), and a spelling that is above all a word of the article's language names
no place there (is_ordinary_in: German's nouns, Lage; Arabic's منا "from us" for Nigeria's Minna).

A name that reads as English in one language's spelling (Italian's Roma, German's Rom, Turkish's Şam for
Damascus) names its place in a text of that language only: the article's detected language, passed to link()
(table in_language). A query does not expand it, as "Roma", "Island" or "Chili" typed alone are as likely
the English words.

A spelling that names two places (عمان: Amman and Oman; Tripoli) gives both ids; a spelling that names one place
gives only that one, so a look-alike (Samara / Samarra, Kiel / Kyiv) never joins another place's articles.

The file is opened on first use, read-only, and every look-up is cached: a search process pays one open and a
few indexed reads, never a parse of the whole table.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from newsarc.names.fold import APOSTROPHES, fold_word
from newsarc.names.place_words import LEADING_ARTICLES, MAX_WORDS, may_name_place
from newsarc.names.variants import Token, arabic_without_article, tokenize

DATA_FILE = "gazetteer.sqlite"
FORMAT = 5  # bump when the key rules below change: tools/build_gazetteer.py must then be run again
PATH = Path(__file__).with_name(DATA_FILE)
# Arabic proclitics written onto the next word: and, so, with/in, like, for (و ف ب ك ل), alone or in pairs.
_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ك", "ل")
_PROCLITIC_LETTERS = frozenset("وفبكل")
# The languages whose own word lists decide which words are no proclitics and name (Gazetteer.is_whole_word).
_ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur"})
_ORDINARY_IN_LANGUAGES = _ARABIC_SCRIPT_LANGUAGES | {"de"}  # the languages of table ordinary_in
_GENITIVE_LANGUAGES = frozenset({"de", ""})  # where a German genitive is read: German articles, and queries
_ARABIC = frozenset(chr(c) for c in range(0x0600, 0x0700))
_ARTICLE = "ال"
# Alef with a hamza or a madda, then lam: the start of a name or word (آلمان, ألبانيا, إلى), never the article,
# which is written with a bare alef.
NOT_THE_ARTICLE = ("\u0623\u0644", "\u0625\u0644", "\u0622\u0644")
# Russian and Ukrainian case endings of names, longest first; a base keeps at least three letters.
# Written as words are compared, folded (й is и: the instrumental Москвой, Украиной is москвои, украинои).
_CYRILLIC_ENDINGS = tuple(dict.fromkeys(fold_word(ending) for ending in (
    "ами", "ями", "ого", "его", "ому", "ему", "ові", "еві", "ой", "ей", "ом", "ем", "ою", "ею", "ах", "ях", "ам",
    "ям", "ию", "ии", "ия", "ие", "ья", "ье", "ьи", "а", "я", "о", "е", "у", "ю", "ы", "и", "і", "ь", "й")))
# And of the other words of a name of several words, which are declined with it, most of them adjectives
# (Саудовская Аравия: в Саудовской Аравии; Нижний Новгород: в Нижнем Новгороде; Южная Корея: в Южной Корее).
_CYRILLIC_HEAD_ENDINGS = tuple(dict.fromkeys(fold_word(ending) for ending in (
    "ыми", "ими", "ого", "его", "ому", "ему", "ая", "яя", "ое", "ее", "ую", "юю", "ый", "ий", "ой", "ые", "ие", "ых",
    "их", "ым", "им", "ом", "ем", "ей", "ій", "ої", *_CYRILLIC_ENDINGS)))
DECLINED_WORDS = 3  # the longest name whose every word is read declined
_UKRAINIAN_ALTERNATION = {"о": "і", "е": "і", "є": "і"}  # Львів: Львова; Київ: Києва; Харків: Харкова
# Letters Ukrainian writes and Russian does not: a text without any is not read with Ukrainian's alternation.
_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_ELISION = tuple(f"{letter}{mark}" for letter in "dlDL" for mark in APOSTROPHES)


# The key filter: a Bloom filter of every key of the exact, derived and base tables and of each key's first words
# (Khan, Khan Yunis), stored in the file (table `key_filter`, written by tools/build_gazetteer.py). Indexing asks
# it before the tables: most capitalised words of news text (people, firms, sentence starts) and most pairs of
# them begin no place name, and the filter says so in a microsecond where the tables took several SQL reads. A
# false "maybe" (about 1 in 100) only costs those reads; there is never a false "no".
FILTER_BITS = 1 << 23  # 1 MiB for ~450,000 keys and prefixes at two hashes each
_FILTER_MASK = FILTER_BITS - 1


def _filter_positions(words: str) -> tuple[int, int]:
    digest = hashlib.blake2b(words.encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest[:4], "little") & _FILTER_MASK, int.from_bytes(digest[4:], "little") & _FILTER_MASK)


def key_filter(entries: Iterable[str]) -> bytes:
    """The filter's bits for these keys and prefixes (tools/build_gazetteer.py stores them with the tables)."""
    bits = bytearray(FILTER_BITS // 8)
    for entry in entries:
        for position in _filter_positions(entry):
            bits[position >> 3] |= 1 << (position & 7)
    return bytes(bits)


def key_prefixes(keys: Iterable[str]) -> Iterator[str]:
    """Each key and each run of its first words (khan, khan yunis): what the key filter holds."""
    for key in keys:
        words = key.split(" ")
        for end in range(1, len(words) + 1):
            yield " ".join(words[:end])


def is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[:1] <= "\u04ff"


def arabic_key(word: str) -> str:
    """An Arabic-script word as the gazetteer keys it: folded, without an attached article."""
    return arabic_without_article(fold_word(word))


def _word_key(folded: str) -> str:
    return arabic_without_article(folded) if folded[:1] in _ARABIC else folded


def cyrillic_bases(folded: str) -> list[str]:
    """A Russian or Ukrainian name without each case ending it may have: москве, москвы, москва -> москв;
    сирии -> сир, сири. Both sides take every candidate, so any shared one joins them."""
    bases = [folded[: -len(e)] for e in _CYRILLIC_ENDINGS if folded.endswith(e) and len(folded) - len(e) >= 3]
    return bases or [folded]


def head_bases(folded: str) -> list[str]:
    """A word before the last of a Cyrillic name, without each ending an adjective or a noun may have: саудовская,
    саудовской -> саудовск; нижний, нижнем -> нижн. As written when it has none (сектор)."""
    bases = [folded[: -len(e)] for e in _CYRILLIC_HEAD_ENDINGS if folded.endswith(e) and len(folded) - len(e) >= 3]
    return list(dict.fromkeys(bases)) or [folded]


def _alternations(base: str) -> list[str]:
    """The base with Ukrainian's closed-syllable і for the last о/е/є (Львов -> Львів, Києв -> Київ)."""
    for i in range(len(base) - 1, max(len(base) - 3, 0), -1):
        if base[i] in _UKRAINIAN_ALTERNATION:
            return [base[:i] + _UKRAINIAN_ALTERNATION[base[i]] + base[i + 1:]]
    return []


def _bases(words: Sequence[str], *, in_text: bool, alternate: bool = False) -> list[str]:
    """Base keys of a name's words: the last word's case endings off when it is Cyrillic (and, with `alternate`,
    Ukrainian's alternation); none when it is not. `in_text`: the words are a text's or a query's, not the
    gazetteer's own spelling.

    A word of a text that has no case ending to take off is its own base only through the alternation (Львов:
    Львів): as written it is found by the exact keys already, and as a base it would meet every place whose name
    is it plus an ending (Александр, a man, is not Александрия; Алан is not Аланья; Сир, "sire", is not Сирия)."""
    if not words or not is_cyrillic(words[-1]):
        return []
    heads: list[list[str]] = [list(words[:-1])]
    if 1 < len(words) <= DECLINED_WORDS and all(is_cyrillic(w) for w in words):
        heads += [list(combo) for combo in itertools.product(*(head_bases(w) for w in words[:-1]))]
    keys: list[str] = []
    for base in cyrillic_bases(words[-1]):
        bare = base == words[-1]
        for form in [*([] if bare and in_text else [base]), *(_alternations(base) if alternate else [])]:
            keys.extend(" ".join([*head, form]) for head in heads)
    return list(dict.fromkeys(keys))


class SpellingKeys(NamedTuple):
    exact: list[str]  # the spelling as written (and its words joined: Khan Yunis as Khanyunis)
    derived: list[str]  # forms news text gives it: without a leading article, a German genitive
    bases: list[str]  # Russian and Ukrainian case endings off


def spelling_keys(spelling: str, *, own_name: bool = False, german: bool = False,
                  keep_article: bool = False) -> SpellingKeys | None:
    """The keys under which the gazetteer files one spelling of a place (tools/build_gazetteer.py). A place's
    own or CLDR name (own_name) is also filed without a leading article (Le Caire: au Caire, du Caire), and a
    German one (german) also in the genitive (Moskau: Moskaus); GeoNames' alternates are filed as written.
    A derived key is consulted only when no spelling as written matches (Taifas is Ta'if's, not Taifa's).
    keep_article: a one-word Arabic-script spelling keyed with its ال (module docstring)."""
    tokens = list(tokenize(spelling, extras=False))
    if keep_article and len(tokens) == 1 and tokens[0].text[:1] in _ARABIC:
        words = [tokens[0].text]
    else:
        words = [_word_key(t.text) for t in tokens]
    words = [w for w in words if w]
    if not words or len(words) > MAX_WORDS:
        return None
    exact = [" ".join(words)]
    if len(words) > 1:
        exact.append("".join(words))  # Khan Yunis written Khanyunis
    derived: list[list[str]] = []
    if own_name and len(words) > 1 and words[0] in LEADING_ARTICLES and len("".join(words[1:])) >= 5:
        derived.append(words[1:])
    last = words[-1]
    if german and last.isascii() and last[-1:] not in ("s", "x", "z") and len(last) >= 4:
        derived.append([*words[:-1], last + "s"])
    bases = [key for form in [words, *derived] for key in _bases(form, in_text=False)]
    derived_keys = [key for key in dict.fromkeys(" ".join(form) for form in derived) if key not in exact]
    return SpellingKeys(exact, derived_keys, list(dict.fromkeys(bases)))


def clitic_readings(word: str) -> list[tuple[str, list[str], list[str]]]:
    """Each way an Arabic-script word (folded, as written) reads as proclitics and a word: (the clitics, the
    word's keys without its article, its keys with it). وبالموصل: (وب, [موصل], [الموصل]); للحلب: (ل, [حلب],
    [الحلب]); وكالوغا: (و, [كالوغا], []) and (وك, [وغا], [الوغا])... A reading keeps three letters at least."""
    readings = []
    for clitic in _PROCLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 3:
            rest = word[len(clitic):]
            bare = arabic_without_article(rest)
            forms, with_article = [bare], ([rest] if bare != rest else [])  # بالأبيض: الأبيض
            if clitic.endswith("ل") and rest.startswith("ل"):  # لل: li + al
                forms.append(rest[1:])
                with_article.append(_ARTICLE + rest[1:])
            readings.append((clitic, forms, with_article))
    return readings


def _word_forms(token: Token, *, clitics: bool = True) -> list[str]:
    """The keys one word of a text may stand for: itself and its uninflected forms (module docstring). An
    Arabic-script word is asked without its ال, then as written (keys filed with it: keep_article); one that
    opens with آل, أل or إل has no article to take off. clitics=False: the word is read as written only,
    never as proclitics and a word (Gazetteer.is_whole_word: وكالة "agency" is not و + Calais's كالة)."""
    folded = _word_key(token.text)
    forms = [folded]
    raw = token.raw
    if folded[:1] in _ARABIC:
        word = fold_word(raw)
        if unicodedata.normalize("NFC", raw).startswith(NOT_THE_ARTICLE):
            return [word]  # آلمان is Germany, not مان (Man, Côte d'Ivoire)
        with_article = [word] if word != folded else []  # as written: keys filed with ال (keep_article)
        for _clitic, bare_forms, article_forms in clitic_readings(word) if clitics else ():
            forms.extend(bare_forms)
            with_article.extend(article_forms)  # وكالوغا: كالوغا (Kaluga, not وغا)
        return list(dict.fromkeys([folded, *(f for f in [*forms[1:], *with_article] if len(f) >= 3)]))
    for mark in APOSTROPHES:
        if mark in raw:
            head, _, tail = raw.partition(mark)
            if raw.startswith(_ELISION) and len(tail) >= 3:
                forms.append(fold_word(tail))  # d'Alep, l'Irak
            elif len(head) >= 3 and tail.isalpha() and len(tail) <= 5:
                forms.append(fold_word(head))  # Bağdat'ta, Halep'ten
            break
    return list(dict.fromkeys(forms))


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    kind: str  # "country" or "city"
    country: str  # ISO 3166 code
    spellings: tuple[str, ...]  # CLDR's first, then GeoNames'

    def label(self) -> str:
        return f"{self.name} ({self.kind}, {self.country})" if self.kind == "city" else f"{self.name} (country)"


# The look-ups kept (LRU), each bounded: every capitalised word of every article asks opens_longer_name (a key
# filter test, then one SQLite range read, ~10 hits), Arabic-script words ask is_ordinary_word, and a few words
# reach _lookup. Over the benchmark's articles: opens_longer_name 22,700 distinct words, 97% of the hits at
# 16,000 entries (~210 bytes each); _lookup 1,350 distinct keys, hit for 4% of its calls. The old bounds
# (50,000-100,000 each) filled with an archive's ever-new words. (docs/performance.md, "Memory of a bulk import")
OPENS_CACHE = 16_000
ORDINARY_CACHE = 16_000
LOOKUP_CACHE = 4_000
# What mentions() found for one word, and for a window of words, kept until this many (then forgotten at once):
# over the benchmark's articles 14,000 distinct words and 16,100 windows, the same at 10,000 articles as at
# 20,000. The old limits (100,000 and 50,000, ~200 bytes an entry) filled with an archive's new names.
SINGLE_WORDS_KEPT = 20_000
WINDOWS_KEPT = 20_000


class Gazetteer:
    """Read-only look-ups in gazetteer.sqlite, cached. One per process (see table())."""

    def __init__(self, path: Path = PATH):
        self.path = path
        self._local = threading.local()
        self.available = path.exists()
        # (article language, word) -> its reading: a word's reading depends on its article's language
        self._single: dict[tuple[str, str], _OneWord] = {}
        self._windows: dict[tuple[object, ...], frozenset[int]] = {}
        self._filter: bytes | None = None  # read by may_hold on the first word of a text (never by a query)
        self._query_only: frozenset[str] | None = None  # read on first use by _one_word
        self._in_language: dict[str, dict[str, frozenset[int]]] | None = None  # read on first use by mentions
        self._ordinary_in: dict[str, frozenset[str]] = {}  # per language, read on its first article

    def may_hold(self, candidates: Iterable[str], *, load: bool = True) -> bool:
        """Whether any candidate may be a key of the tables or a key's first words (the key filter, read on
        first use: a "no" is certain, a "maybe" needs the tables).

        load=False: ask the filter only if it is read already (by indexing, which asks it for every name-like
        word), else answer "maybe". A query looks up a few words: reading the filter's 1 MiB would cost its
        process about a millisecond, a hundred times the few indexed table reads it could spare."""
        bits = self._filter
        if bits is None:
            if not load:
                return self.available
            bits = self._filter = self._read_filter()
        if not bits:
            return self.available
        for candidate in candidates:
            first, second = _filter_positions(candidate)
            if bits[first >> 3] >> (first & 7) & 1 and bits[second >> 3] >> (second & 7) & 1:
                return True
        return False

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def query_only(self) -> frozenset[str]:
        """One-word names that a query may ask for but that a text's word never links (tools/build_gazetteer.py):
        small places' own names that are common English words or first names (David, Police, Obama), and
        Arabic-script alternates that are function words or common nouns of Arabic, Persian or Urdu (كيف "how"
        for Kyiv, سنه "year" for Sanandaj, ميدان "square" for Medan)."""
        if self._query_only is None:
            try:
                rows = self._db().execute("SELECT key FROM query_only").fetchall() if self.available else []
            except sqlite3.OperationalError:  # a file built before the table
                rows = []
            self._query_only = frozenset(key for (key,) in rows)
        return self._query_only

    def in_language(self, key: str, language: str) -> frozenset[int]:
        """The places a key names in a text of `language` only: CLDR names that read as English (Italian's and
        Spanish's Roma, German's Rom, Turkish's Şam), which a text of another language, or a query, does not
        link. A few dozen rows, read whole on first use."""
        if self._in_language is None:
            rows: list[tuple[str, str, int]] = []
            if self.available:
                try:
                    rows = self._db().execute("SELECT key, language, place FROM in_language").fetchall()
                except sqlite3.OperationalError:  # a file built before the table
                    rows = []
            table: dict[str, dict[str, set[int]]] = {}
            for row_key, row_language, pid in rows:
                table.setdefault(row_key, {}).setdefault(row_language, set()).add(pid)
            self._in_language = {k: {lang: frozenset(p) for lang, p in by.items()} for k, by in table.items()}
        return self._in_language.get(key, {}).get(language, _EMPTY)

    def is_ordinary_in(self, folded: str, language: str) -> bool:
        """A word of `language` that names no place in an article of that language, as tools/build_gazetteer.py
        lists them: a common noun of German, which capitalises every noun (Lage "situation", Leben, Süden: the
        capital says nothing of a name, so the word also gets no variant keys), and an Arabic-script spelling of
        places abroad that is above all a word of Arabic, Persian or Urdu (منا "from us" for Minna, Nigeria;
        پرت for Perth), keyed as the gazetteer keys it. Read whole on first use (some 20,000 German words)."""
        words = self._ordinary_in.get(language)
        if words is None:
            rows: list[tuple[str]] = []
            if self.available and language in _ORDINARY_IN_LANGUAGES:
                try:
                    rows = self._db().execute("SELECT word FROM ordinary_in WHERE language = ?",
                                              (language,)).fetchall()
                except sqlite3.OperationalError:  # a file built before the table
                    rows = []
            words = self._ordinary_in[language] = frozenset(word for (word,) in rows)
        return folded in words

    @lru_cache(maxsize=ORDINARY_CACHE)  # noqa: B019
    def is_opening_word(self, word: str, language: str) -> bool:
        """A common word of `language` (lower case, accents as written: "seul" is one, GeoNames' Sêûl for Seoul
        is not) that names no place where it opens a sentence of a text in that language: capitalised there, it
        says nothing of a name (German's "Auch", "also", is not the French town, "Daran" not Iran's Dārān).
        tools/build_gazetteer.py keeps a place's name in that language and any spelling of a country or of a
        place of 100,000+."""
        return self._holds("SELECT 1 FROM opening_word WHERE word = ? AND language = ?", (word, language))

    def is_function_word(self, key: str) -> bool:
        """A place's one-word Arabic-script spelling that is a function word of Arabic, Persian or Urdu (وان "and
        if" for Van, كيف "how" for Kyiv, stopwords-iso's lists): typed alone as a query, it can only mean the
        place, as a search engine drops a stop word (newsarc.index.query)."""
        return self._holds("SELECT 1 FROM function_word WHERE key = ?", (key,))

    def _forms(self, token: Token, language: str = "") -> list[str]:
        """_word_forms() of a word; not read as proclitics and a word where it is a word of its own in `language`
        (the article's; "" for a query: is_whole_word)."""
        if token.text[:1] in _ARABIC:
            word = fold_word(token.raw)  # Persian's ک is Arabic's ك
            if word[:1] in _PROCLITIC_LETTERS and self.is_whole_word(word, language):
                return _word_forms(token, clitics=False)
        return _word_forms(token)

    @lru_cache(maxsize=ORDINARY_CACHE)  # noqa: B019
    def is_whole_word(self, word: str, language: str = "") -> bool:
        """An Arabic-script word (folded, as written) that is no proclitics and place name in a text of `language`:
        وكالة "agency" is not و + كالة (Calais), كبيرة "big" not ك + بيرة (Al Bīrah), بأسنا "our might" not ب +
        إسنا (Esna); Persian's بریم "let's go" not ب + ریم (Rome), though in Arabic بريم may be "with Reem".
        tools/build_gazetteer.py lists, per language, the words whose every such reading is far more frequent
        than proclitics on that name are (whole_word), and under "" those it finds so in every language whose
        word list has them: what a query's word or an article of another language is read by. وبغداد, بالموصل
        and لحلب are in no list."""
        language = language if language in _ARABIC_SCRIPT_LANGUAGES else ""
        return self._holds("SELECT 1 FROM whole_word WHERE word = ? AND language = ?", (word, language))

    @lru_cache(maxsize=ORDINARY_CACHE)  # noqa: B019
    def is_common_variant(self, folded: str) -> bool:
        """A common word of a Latin-script language that the name rules take for a variant of a place's spelling
        and that the gazetteer lists for no place (Rossi, "red" and a surname, for Russia's Rossiya; Bacco for
        Baku; Bruce for Bursa): a query for the place does not expand to it (newsarc.index.query)."""
        return self._holds("SELECT 1 FROM common_variant WHERE word = ?", (folded,))

    def _holds(self, sql: str, parameters: tuple[str, ...]) -> bool:
        """Whether a one-row query of a word list answers a row; no for a missing file, or one built before the
        table (an older gazetteer links as it did)."""
        if not self.available:
            return False
        try:
            return self._db().execute(sql, parameters).fetchone() is not None
        except sqlite3.OperationalError:  # a file built before the table
            return False

    def _read_filter(self) -> bytes:
        if not self.available:
            return b""
        try:
            row = self._db().execute("SELECT bits FROM key_filter").fetchone()
        except sqlite3.OperationalError:  # a file built before the filter: every look-up goes to the tables
            return b""
        return bytes(row[0]) if row and len(row[0]) == FILTER_BITS // 8 else b""

    @lru_cache(maxsize=LOOKUP_CACHE)  # noqa: B019  (one Gazetteer lives as long as the process)
    def _lookup(self, table: str, key: str) -> frozenset[int]:
        if not self.available:
            return _EMPTY
        rows = self._db().execute(f"SELECT place FROM {table} WHERE key = ?", (key,)).fetchall()
        return frozenset(r[0] for r in rows) if rows else _EMPTY

    def _exact_and_opens(self, word: str) -> tuple[frozenset[int], bool]:
        """The places one word names exactly, and whether it opens a longer name: one range read of the exact
        table (the word's own rows sort first, then "word ...")."""
        rows = self._db().execute("SELECT key, place FROM exact WHERE key >= ? AND key < ? LIMIT 64",
                                  (word, word + "!")).fetchall()
        own = [place for key, place in rows if key == word]
        opens = len(own) < len(rows)
        if len(own) == len(rows) == 64:  # a spelling of more than 63 places: read them all
            return self.exact(word), self.opens_longer_name(word)
        return (frozenset(own) if own else _EMPTY), opens

    def exact(self, key: str) -> frozenset[int]:
        return self._lookup("exact", key)

    def derived(self, key: str, language: str = "") -> frozenset[int]:
        """The places a form news text gives a name stands for (Caire of Le Caire; Moskaus): a German genitive in
        a German article or a query only (an Italian article's Georges, a French name, is not George's genitive)."""
        places = self._lookup("derived", key)
        if places and language not in _GENITIVE_LANGUAGES and self._is_genitive(key):
            return _EMPTY
        return places

    @lru_cache(maxsize=ORDINARY_CACHE)  # noqa: B019
    def _is_genitive(self, key: str) -> bool:
        return self._holds("SELECT 1 FROM genitive WHERE key = ?", (key,))

    def base(self, key: str) -> frozenset[int]:
        return self._lookup("base", key)

    def opens_longer_base(self, head: str) -> bool:
        """Whether some base key of a Cyrillic name of several words begins with this word's base (саудовск)."""
        return self._opens_longer("base", head)

    def opens_longer_name(self, words: str) -> bool:
        """Whether some place name has more words after these (a cheap test before longer windows)."""
        return self._opens_longer("exact", words)

    @lru_cache(maxsize=OPENS_CACHE)  # noqa: B019
    def _opens_longer(self, table: str, words: str) -> bool:
        """Whether some key of `table` has more words after these: the key filter, then one range read."""
        if not self.may_hold([words], load=False):
            return False
        row = self._db().execute(f"SELECT 1 FROM {table} WHERE key >= ? AND key < ? LIMIT 1",
                                 (words + " ", words + "!")).fetchone()
        return row is not None

    def opens_longer_name_of(self, word: str) -> bool:
        """Whether a word, or its form without attached clitics (براس: راس), opens a place name of more words."""
        token = next(iter(tokenize(word, extras=False)), None)
        return token is not None and any(self.opens_longer_name(form) for form in self._forms(token))

    @lru_cache(maxsize=ORDINARY_CACHE)  # noqa: B019
    def is_ordinary_word(self, folded: str) -> bool:
        """A common Arabic or Persian word: one that no gazetteer lists as a place (المحلي, تعلن, الطرق), or a place's
        spelling that is above all a word of the language (query_only: وان "and that" for Van, كيف "how" for Kyiv).
        Such a word in a text gets no variant keys, as it links no place: otherwise a query for Wan (Van's Latin
        alternate) found every verse with وان through the transliteration rules."""
        if not self.available:
            return False
        if folded in self.query_only():
            return True
        key = arabic_without_article(folded)
        return self._db().execute("SELECT 1 FROM ordinary WHERE word = ?", (key,)).fetchone() is not None

    @lru_cache(maxsize=10_000)  # noqa: B019
    def place(self, pid: int) -> Place | None:
        if not self.available:
            return None
        row = self._db().execute("SELECT name, kind, cc, spellings FROM place WHERE id = ?", (pid,)).fetchone()
        if row is None:
            return None
        return Place(pid, row[0], row[1], row[2], tuple(s for s in row[3].split("\x1f") if s))

    def meta(self) -> dict[str, str]:
        if not self.available:
            return {}
        return dict(self._db().execute("SELECT key, value FROM meta").fetchall())

    # -- the rules both sides share ---------------------------------------------------------------------
    def places_of(self, tokens: Sequence[Token], *, ukrainian: bool = True, language: str = "") -> frozenset[int]:
        """The places a word or a sequence of words names, in any of its listed spellings and forms; `ukrainian`:
        whether the words may be Ukrainian (with its alternation, Львова: Львів), as a query's may be; `language`:
        the article's, as mentions() reads its words ("" for a query)."""
        if not tokens or len(tokens) > MAX_WORDS:
            return frozenset()
        # The words as written first; an uninflected form only when they name no place (Tartus is Tartus, not
        # Tartu's genitive; لبنان is Lebanon, not ل + بنان).
        forms = [self._forms(t, language) for t in tokens]
        middle = [_word_key(t.text) for t in tokens[1:-1]]
        keys = [" ".join([first, *middle, last] if len(tokens) > 1 else [first])
                for first in forms[0] for last in (forms[-1] if len(tokens) > 1 else [first])]
        base_keys = _bases([_word_key(t.text) for t in tokens], in_text=True, alternate=ukrainian)
        if not self.may_hold([*keys, *base_keys], load=False):
            return _EMPTY
        for key in keys:
            found = self.exact(key)
            if found:
                return found
        for key in keys:
            found = self.derived(key, language)
            if found:
                return found
        bases: set[int] = set()
        for key in base_keys:
            bases |= self.base(key)
        return frozenset(bases) if bases else _EMPTY

    def link(self, text: str, tokens: Sequence[Token], may_be_name: Iterable[bool], language: str = "") -> set[int]:
        """The places an article's words name (longest names first; a word is part of one name at most).
        `tokens` are the text's words without second forms; `may_be_name` says which could be a name;
        `language` is the article's (ISO 639-1), for names of that language that read as English (Roma)."""
        found: set[int] = set()
        for _first, _last, places in self.mentions(text, tokens, may_be_name, language):
            found |= places
        return found

    def mentions(self, text: str, tokens: Sequence[Token], may_be_name: Iterable[bool],
                 language: str = "") -> Iterator[tuple[Token, Token, frozenset[int]]]:
        """(first word, last word, places) of each place name in a text, as link() reads them.

        Ukrainian's alternation (Львова: Львів) is read only in a text that writes a letter of Ukrainian's own:
        in Russian it made a boy's name a city (Коле, "to Kolya": кол, кіл: Kiel's Кіль). The text's `language`
        (the article's) decides three things: its own names that read as English (in_language), German's common
        nouns (is_ordinary_in) and the common words that open its sentences (is_opening_word)."""
        single = self._single
        ukrainian: bool | None = None  # known on the first Cyrillic name
        n = len(tokens)
        covered = 0  # a word is part of one name at most
        names = [i for i, name in enumerate(may_be_name) if name]  # names only: most words are skipped here
        starts: list[tuple[int, bool]] = []
        for i in names:  # and an article before a name, which may open it (al-Bukamal, le Caire)
            if i and tokens[i - 1].text in LEADING_ARTICLES and (not starts or starts[-1][0] < i - 1):
                starts.append((i - 1, False))
            starts.append((i, True))
        for i, is_name in starts:
            if i < covered:
                continue
            token = tokens[i]
            if ukrainian is None and is_cyrillic(token.text):
                ukrainian = not _UKRAINIAN_LETTERS.isdisjoint(text)
            alternate = bool(ukrainian) and is_cyrillic(token.text)
            memo = (language, token.raw if not alternate else "\x00" + token.raw)  # a word's readings, apart
            known = single.get(memo)
            if known is None:  # one look-up per distinct word of a process (bounded: see _remember)
                known = self._one_word(token, ukrainian=alternate, language=language)
                self._remember(memo, known)
            matched = 0
            if known[1] or known[3]:
                # The longest window whose words but the last begin some name (the last may be inflected);
                # the first word may carry a clitic (لطرابلس الشام). A Cyrillic name's words are all declined
                # (в Саудовской Аравии): up to DECLINED_WORDS are tried, as their base keys say.
                longest = min(DECLINED_WORDS, n - i) if known[3] else 1
                for opening in known[1]:
                    size = 2
                    while size < min(MAX_WORDS, n - i) and self.opens_longer_name(
                            " ".join([opening, *(_word_key(t.text) for t in tokens[i + 1:i + size])])):
                        size += 1
                    longest = max(longest, min(size, n - i))
                for size in range(longest, 1, -1):
                    window = tokens[i:i + size]
                    if not _adjacent(text, window):
                        continue
                    raws = (bool(ukrainian), language, *(t.raw for t in window))
                    places = self._windows.get(raws)
                    if places is None:
                        places = self.places_of(window, ukrainian=bool(ukrainian), language=language)
                        if len(self._windows) >= WINDOWS_KEPT:
                            self._windows.clear()
                        self._windows[raws] = places
                    if places:
                        yield window[0], window[-1], places
                        matched = size
                        break
            if matched:
                covered = i + matched
            elif is_name and known[0] and not (known[2] and _opens_sentence(text, tokens, i)) \
                    and not (language and self._ordinary_here(token, known[4], language)) \
                    and not (language and _opens_sentence(text, tokens, i)
                             and self.is_opening_word(unicodedata.normalize("NFC", token.raw.casefold()), language)):
                yield token, token, known[0]
            elif is_name and language and language != "en" and not known[0]:
                places = self._in_language_word(token, language)
                if places:
                    yield token, token, places

    def _ordinary_here(self, token: Token, form: str, language: str) -> bool:
        """Whether a word that names places is an ordinary word of its article's language (is_ordinary_in): an
        Arabic-script word by `form`, the one that names them (_one_word: منا, or ومنا without its و)."""
        if token.text[:1] not in _ARABIC:
            return self.is_ordinary_in(token.text, language)
        return language in _ARABIC_SCRIPT_LANGUAGES and self.is_ordinary_in(form, language)

    def _in_language_word(self, token: Token, language: str) -> frozenset[int]:
        """The places one word names in a text of `language` only (in_language): as written, or without a
        Turkish case ending after an apostrophe (Roma'da)."""
        if self._in_language is not None and not self._in_language:
            return _EMPTY
        forms = self._forms(token, language) if any(mark in token.raw for mark in APOSTROPHES) \
            else [_word_key(token.text)]
        for form in forms:
            places = self.in_language(form, language)
            if places:
                return places
        return _EMPTY

    def _one_word(self, token: Token, *, ukrainian: bool = False, language: str = "") -> _OneWord:
        """(the places one word of a text names, its forms that open longer names, whether it names them only
        without a case ending, whether its base opens a declined Cyrillic name of several words, the form that
        names them): places_of([token]) and opens_longer_name() of each form, with the key filter first and one
        read per form after it."""
        forms = self._forms(token, language)
        bases = _bases(forms[:1], in_text=True, alternate=ukrainian)
        heads = head_bases(forms[0]) if is_cyrillic(forms[0]) else []
        if not self.may_hold([*forms, *bases, *heads]):
            return _NOTHING
        declined = any(self.opens_longer_base(head) for head in heads)  # Саудовской (Аравии)
        entries = [self._exact_and_opens(form) for form in forms]
        openers = tuple(form for form, (_, opens) in zip(forms, entries, strict=True) if opens)
        asked_only = self.query_only()
        if forms[0] in asked_only:
            return _EMPTY, openers, False, declined, ""  # alone it names no place in a text; it may open a longer name
        for form, (places, _) in zip(forms, entries, strict=True):
            if places and form not in asked_only:  # وكيف is "and how", not "and Kyiv"
                return places, openers, False, declined, form
        for form in forms:
            if form in asked_only:
                continue
            places = self.derived(form, language)
            if places:
                return places, openers, False, declined, form
        found: set[int] = set()
        for key in bases:
            found |= self.base(key)
        return (frozenset(found) if found else _EMPTY), openers, bool(found), declined, forms[0]

    def _remember(self, memo: tuple[str, str], known: _OneWord) -> None:
        if len(self._single) >= SINGLE_WORDS_KEPT:
            self._single.clear()
        self._single[memo] = known


_EMPTY: frozenset[int] = frozenset()
# (places, forms that open longer names, names them only declined, opens a declined name of several words)
_OneWord = tuple[frozenset[int], tuple[str, ...], bool, bool, str]
_NOTHING: _OneWord = (_EMPTY, (), False, False, "")
_SENTENCE_BREAKS = frozenset(".!?…:;\n«»\"—–")


def _opens_sentence(text: str, tokens: Sequence[Token], i: int) -> bool:
    """Whether word i begins the text, a sentence, a line or a quotation: capitalised there, a word says nothing
    of being a name, so it names a place only as the gazetteer writes it, never through a case ending taken off
    (Кони, "horses", at a sentence's start is not Конья; Либо is not Лібія)."""
    return i == 0 or any(ch in _SENTENCE_BREAKS for ch in text[tokens[i - 1].end:tokens[i].start])


@dataclass(frozen=True)
class PlaceNamed:
    """A place an article names, once, with the spellings the article writes it in (Abu Kamal · al-Bukamal)."""

    place: Place
    written: tuple[str, ...]


def places_in(texts: Sequence[tuple[str, bool]], language: str = "") -> list[PlaceNamed]:
    """The places named in (text, is_tag) parts of an article, in order of first mention, each once: what the
    web's article page shows. A name-like word counts as in the index (capitalised or caseless); a tag's all do.
    `language`: the article's, as link() takes it."""
    table_ = table()
    written: dict[int, list[str]] = {}
    for text, is_tag in texts:
        words = list(tokenize(text, extras=False))
        names = [is_tag or may_name_place(t.raw) for t in words]
        for first, last, places in table_.mentions(text, words, names, language):
            for pid in sorted(places):
                spelling = text[first.start:last.end]
                seen = written.setdefault(pid, [])
                if spelling not in seen:
                    seen.append(spelling)
    named = []
    for pid, spellings in written.items():
        place = table_.place(pid)
        if place is not None:
            named.append(PlaceNamed(place, tuple(spellings)))
    return named


def _adjacent(text: str, tokens: Sequence[Token]) -> bool:
    """Words of one name: separated by spaces or hyphens only (not a full stop, comma or line break), or by the
    zero-width non-joiner that Persian writes inside a word (کی‌یف, Kyiv; تل‌اویو, Tel Aviv)."""
    return all(not text[a.end:b.start].strip(" -\u2010\u2011\u00a0\u200c") and "\n" not in text[a.end:b.start]
               for a, b in zip(tokens, tokens[1:], strict=False))


_TABLE: Gazetteer | None = None


def table() -> Gazetteer:
    """The process's gazetteer (opened on first use)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = Gazetteer()
    return _TABLE
