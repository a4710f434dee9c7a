"""Folding and transliteration-aware variant keys for names: Qamishli = Kamishli, Deir = Dayr, Zor = Zour.

Three layers, each used at index time and at query time alike:

1. fold_token: case, diacritics, apostrophes and ʿayn/hamza marks (Ba'ath = Baath = Baʿath), Arabic letter
   forms (alef with hamza or madda, alef maqsura, ta marbuta, tatweel, harakat), Persian kaf/ya, dotless i.
2. tokenize: words with their character offsets; hyphenated compounds give their parts *and* the joined word
   (al-Bukamal -> al, bukamal, albukamal), an Arabic article glued to a capitalised name is split
   (alBukamal -> al, bukamal), CJK runs become overlapping character bigrams, Arabic words also give the word
   without the attached article (البوكمال -> بوكمال).
3. Variant keys (name words only): a consonant skeleton with transliteration classes (q/k, kh/h, gh/g, dh/z,
   sh/ch/sch, j/dj/zh, ph/f, w/v, doubled consonants, final -h) plus the vowel groups between the consonants.
   Two spellings are variants when a skeleton agrees and every vowel slot is the same or a known
   transliteration swap (ou/u/oo/o, ee/i/y, ai/ay/ei/ey, a/e, e/i, o/aw). Differences of vowel quality that
   are *not* transliteration noise keep names apart: Bashir / Bashar, Hassan / Hussein, Jordan / Gordon.
   German, French and Italian spellings of Russian names (Gorbatschow, Khrouchtchev, Gorbaciov, Jelzin) and
   other scripts (Горбачёв, Ердоганом, طهران) meet the English ones (see forms_of and compatible); a vowel more
   or less (Teheran / Tehran) is left to the archive's evidence (vowel_apart, newsarc.index.query).

Pure Python and cheap to import: the search CLI loads it on every query.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from newsarc.names.fold import APOSTROPHE_TABLE, APOSTROPHES
from newsarc.names.fold import fold_word as fold_token  # the name the variant rules give it

# Arabic definite articles as transliterated, with the sun-letter assimilations (ad-, ar-, as-, ash-, ...).
ARTICLES = frozenset(
    ["al", "el", "il", "ul", "ad", "ed", "ud", "ar", "er", "ur", "as", "es", "us", "at", "et", "ut", "az", "ez",
     "uz", "an", "en", "un", "ash", "esh", "ush", "ath", "eth", "adh", "edh"]
)
# Articles that also count when written apart from the name ("al Bukamal"): the others are English words.
SPACED_ARTICLES = frozenset({"al", "el"})
# Articles written glued to a one-word name ("Albukamal", "Elbukamal") that a variant key may look past.
GLUED_ARTICLES = ("al", "el")

HYPHENS = "-\u2010\u2011"

_ARABIC_PREFIXES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644", "\u0641\u0627\u0644",
                    "\u0627\u0644", "\u0644\u0644")  # وال بال كال فال ال لل

# Characters that belong inside a word although Python's \w does not count them: combining marks.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed" \
         "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_WORD = rf"[\w{_MARKS}]+"
_PIECE = rf"{_WORD}(?:[.{APOSTROPHES}]{_WORD})*"
# Words written with a symbol, read whole so that index and query agree: AT&T, M&S, Q&A (not at + t, nor "Ms"),
# C++, C#, .NET, 9/11 and 24/7 (with the numbers as second forms, so 11 still finds 9/11).
_SYMBOL_WORD = (rf"(?<![\w&])[A-Za-z]{{1,4}}&[A-Za-z]{{1,4}}(?:[{APOSTROPHES}][sS])?(?![\w&])"
                r"|(?<![\w+#])[A-Za-z]{1,2}(?:\+\+|#)(?![\w+#])"
                r"|(?<![\w.])\.[A-Z][A-Za-z]{1,5}(?![\w.])"
                r"|(?<![\w/])\d{1,4}/\d{1,4}(?![\w/])")
_SYMBOL = re.compile(_SYMBOL_WORD)
_DOT_WORD = re.compile(r"\.[A-Z][A-Za-z]")
_ANCHOR = re.compile(r"[&#+/]|\.[A-Z]")  # where a symbol word has its symbol
COMPOUND = re.compile(rf"{_PIECE}(?:[{HYPHENS}]{_PIECE})*")
_HYPHEN_SPLIT = re.compile(rf"[{HYPHENS}]")
_POSSESSIVE = re.compile(rf"[{APOSTROPHES}][sS]$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")
_GLUED_ARTICLE = re.compile(r"^([Aa]l|[Ee]l)(?=[A-Z][a-z])")






class Token(NamedTuple):
    text: str  # folded, unstemmed
    pos: int
    start: int  # character offsets into the original text
    end: int
    raw: str  # the word as written
    extra: bool  # a second form at the same position (joined compound, word without its article)


def _strip_possessive(piece: str) -> str:
    return piece[:-2] if _POSSESSIVE.search(piece) else piece


def tokenize(text: str, *, extras: bool = True) -> Iterator[Token]:
    """Words of a text in order with positions and offsets. extras=False (queries, highlighting) leaves out
    the second forms that share a position: joined compounds and Arabic words without their article."""
    pos = -1
    for match in _with_symbols(text) if _may_hold_symbols(text) else COMPOUND.finditer(text):
        compound = match.group(0)
        base = match.start()
        if match.re is _SYMBOL:
            raw = _strip_possessive(compound) if "&" in compound else compound
            pos += 1
            yield Token(raw.casefold(), pos, base, base + len(raw), raw, False)
            if extras and "/" in raw:
                for number in raw.split("/"):
                    yield Token(number, pos, base, base + len(raw), raw, True)
            continue
        if compound.isascii() and compound.isalnum() and not (
                compound[:1] in "aAeE" and compound[1:2] == "l" and compound[2:3].isupper()):
            pos += 1  # the common case: one plain ASCII word
            yield Token(compound.lower(), pos, base, match.end(), compound, False)
            continue
        parts: list[tuple[str, int]] = []
        offset = 0
        for piece in _HYPHEN_SPLIT.split(compound):
            glued = _GLUED_ARTICLE.match(piece)
            if glued and len(piece) > 4:
                parts.append((piece[:2], base + offset))
                parts.append((piece[2:], base + offset + 2))
            else:
                parts.append((piece, base + offset))
            offset += len(piece) + 1
        words: list[str] = []
        for piece, start in parts:
            cjk = _CJK.search(piece)
            if cjk:
                for token in _cjk_tokens(piece, start, pos):
                    pos = token.pos
                    yield token
                continue
            bare_piece = _strip_possessive(piece)
            word = fold_token(bare_piece)
            if not word:
                continue
            pos += 1
            words.append(word)
            yield Token(word, pos, start, start + len(piece), bare_piece, False)
            if extras and _ARABIC_LETTERS.match(word):
                bare = arabic_without_article(word)
                if bare != word:
                    yield Token(bare, pos, start, start + len(piece), piece, True)
        if extras and len(words) > 1 and all(any(c.isalpha() for c in w) for w in words):
            yield Token("".join(words), pos, base, match.end(), compound, True)


def _may_hold_symbols(text: str) -> bool:
    """Cheap test first: most texts hold no symbol word and take the plain COMPOUND pattern alone."""
    return "&" in text or "#" in text or "+" in text or "/" in text or _DOT_WORD.search(text) is not None


def _symbol_words(text: str) -> Iterator[re.Match[str]]:
    """Matches of _SYMBOL, tried only just before the characters that mark one (faster than a full scan)."""
    at = 0
    for anchor in _ANCHOR.finditer(text):
        where = anchor.start()
        for start in range(max(at, where - 4), where + 1):
            found = _SYMBOL.match(text, start)
            if found:
                yield found
                at = found.end()
                break


def _with_symbols(text: str) -> Iterator[re.Match[str]]:
    """The COMPOUND matches of a text, with its symbol words (AT&T, C++) as matches of _SYMBOL."""
    at = 0
    for symbol in _symbol_words(text):
        yield from COMPOUND.finditer(text, at, symbol.start())
        yield symbol
        at = symbol.end()
    yield from COMPOUND.finditer(text, at)


def _cjk_tokens(piece: str, start: int, pos: int) -> Iterator[Token]:
    """Latin and other words inside the piece as they are, CJK runs as overlapping bigrams."""
    last = 0
    for run in _CJK.finditer(piece):
        if run.start() > last:
            word = fold_token(piece[last:run.start()])
            pos += 1
            yield Token(word, pos, start + last, start + run.start(), piece[last:run.start()], False)
        chars = run.group(0)
        grams = [chars] if len(chars) == 1 else [chars[i:i + 2] for i in range(len(chars) - 1)]
        for i, gram in enumerate(grams):
            pos += 1
            at = start + run.start() + i
            yield Token(gram, pos, at, at + len(gram), gram, False)
        last = run.end()
    if last < len(piece):
        word = fold_token(piece[last:])
        pos += 1
        yield Token(word, pos, start + last, start + len(piece), piece[last:], False)


def is_symbol_word(raw: str) -> bool:
    """Whether a word as written is one that tokenize reads whole for its symbol (AT&T, C++, .NET, 9/11)."""
    return _SYMBOL.fullmatch(raw) is not None


def arabic_without_article(word: str) -> str:
    """An Arabic-script word without an attached definite article: 'البوكمال' -> 'بوكمال'."""
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix):]
    return word


def is_article(word: str) -> bool:
    return word.casefold() in ARTICLES


# -- variant keys ----------------------------------------------------------------------------------------
# Latin letters of other alphabets, as names are really written in English-language news.
_TO_LATIN = str.maketrans({
    # Turkish / Kurdish / Azeri
    "ş": "sh", "ç": "ch", "ğ": "gh", "ı": "i", "ə": "a", "ž": "zh", "š": "sh", "č": "ch", "ć": "ch", "ż": "zh",
    "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "þ": "th", "ð": "dh",
    # Cyrillic (Russian and Ukrainian)
    "а": "a", "б": "b", "в": "v", "г": "G", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})
# Arabic-script consonants as one class character each; long vowels as vowels; ayn and hamza silent.
_ARABIC_TO_KEY = str.maketrans({
    "ب": "b", "ت": "t", "ث": "Z", "ج": "j", "ح": "h", "خ": "h", "د": "d", "ذ": "Z", "ر": "r", "ز": "z",
    "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "Z", "ع": "", "غ": "g", "ف": "f", "ق": "Q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "u", "ي": "i", "ا": "a", "ء": "", "پ": "p",
    "چ": "S", "ژ": "j", "گ": "g",
})
# Letter groups with one class each; a tuple lists the classes of an ambiguous spelling (q is k or g).
_MULTI: tuple[tuple[str, str | tuple[str, ...]], ...] = (
    ("dsch", "j"), ("tsch", "S"), ("shch", "S"), ("dzh", "j"), ("sch", "S"), ("tch", "S"), ("tsh", "S"), ("sh", "S"),
    ("ch", "S"), ("zh", "j"), ("dj", "j"), ("kh", "h"), ("gh", "g"), ("ph", "f"), ("dh", ("z", "d")),
    ("th", "z"), ("ts", "z"), ("tz", "z"), ("ck", "k"),
)
_SINGLE: dict[str, str | tuple[str, ...]] = {
    "b": "b", "d": "d", "f": "f", "g": "g", "h": "h", "j": "j", "k": "k", "l": "l", "m": "m", "n": "n",
    "p": "p", "q": ("k", "g"), "r": "r", "s": "s", "t": "t", "v": "v", "w": "v", "z": "z", "x": "ks",
    "Q": ("k", "g"), "Z": ("z", "d"), "S": "S",
    # Russian writes a foreign h with г (Тегеран Tehran, Гамбург Hamburg, Гитлер Hitler); Ukrainian г is h.
    "G": ("g", "h"),
}
_VOWELS = frozenset("aeiou")
_VOWEL_GROUPS = {
    "a": "a", "e": "e", "i": "i", "o": "u", "u": "u", "ee": "i", "ie": "i", "oo": "u", "ou": "u",
    "oe": "u", "ai": "ai", "ei": "ai", "ae": "ai", "aie": "ai", "aei": "ai", "aii": "ai", "au": "au",
    "ao": "au", "aou": "au", "ua": "ua", "ia": "ia",
}
# Vowel swaps that transliteration produces; anything else keeps two names apart.
_SWAPS_SHORT = frozenset({frozenset({"u", "au"})})
_SWAPS_LONG = _SWAPS_SHORT | {frozenset(p) for p in (("a", "e"), ("e", "i"))}
_SINGLE_VOWELS = frozenset("aeiu")
_HUSHED = frozenset({"e", "u"})
# The Latin final vowel an Arabic-script ending is written with: none, alef or ta marbuta (a), ya or alef
# maqsura (i; Mustafa مصطفى), waw (u).
_FINALS = {"": ("",), "a": ("a", "e"), "i": ("i", "a", "e"), "u": ("u",)}
MAX_KEYS = 4
MIN_NAME_LETTERS = 3


class NameForm(NamedTuple):
    skeletons: tuple[str, ...]  # every consonant skeleton the spelling may stand for
    vowels: tuple[str, ...]  # canonical vowel group before, between and after the consonants
    doubled: tuple[bool, ...]  # consonant i was written doubled
    script: str  # "latin" or "arabic" (whose short vowels are not written)
    final: str = ""  # Arabic script: the long vowel or ta marbuta (a) it ends in: مصراتة Misrata, not Misrati


def _canon_vowels(group: str) -> str:
    if not group:
        return ""
    group = group.replace("y", "i").replace("w", "u")
    if group in _VOWEL_GROUPS:
        return _VOWEL_GROUPS[group]
    collapsed = "".join(ch for i, ch in enumerate(group) if i == 0 or ch != group[i - 1])
    return _VOWEL_GROUPS.get(collapsed, collapsed)


def name_form(word: str) -> NameForm | None:
    """The variant key of one name word (folded or as written), or None when it cannot be a name."""
    text = word.casefold().translate(APOSTROPHE_TABLE).translate(_TO_LATIN)
    if _ARABIC_LETTERS.search(text):
        return _arabic_form(text)
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
        if not text.isascii() and text.isalpha():
            from newsarc.names import readings  # loaded by the first name word, not by a query of other words

            text = readings.to_ascii(text).casefold()  # letters the tables above do not know (Greek, Serbian ђ)
    if not text.isalpha() or not text.isascii() or len(text) < MIN_NAME_LETTERS:
        return None
    if len(text) > 3 and text.endswith("h") and text[-2] in _VOWELS:
        text = text[:-1]  # Raqqah = Raqqa
    return _latin_form(text)


def _latin_form(text: str) -> NameForm | None:
    classes: list[str | tuple[str, ...]] = []
    vowels, doubled = [""], []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        is_vowel = ch in _VOWELS or (ch == "y" and not (i == 0 and nxt in _VOWELS)) or (
            ch == "w" and i > 0 and text[i - 1] in "ao" and nxt not in _VOWELS
            and not (i == n - 1 and n > 5 and text[i - 1] == "o")  # German -ow is -ov: Gorbatschow
            and not text.startswith("sk", i + 1))  # and -owski, -owsky: Tschaikowsky, Kowalski
        if is_vowel:
            vowels[-1] += ch
            i += 1
            continue
        code: str | tuple[str, ...] | None = None
        if ch in "cg" and nxt == "i" and i + 2 < n and text[i + 2] in "aou":  # Italian Gorbaciov, Giorgio
            code, i = ("S" if ch == "c" else "j"), i + 2
        elif i == 0 and text.startswith("ch") and n > 3 and text[2] in "rl":  # German Chruschtschow = Khr-
            code, i = ("h", "k"), 2
        for pattern, value in (() if code else _MULTI):
            if text.startswith(pattern, i):
                code, i = value, i + len(pattern)
                break
        if code is None:
            hard_or_soft_c = "s" if nxt in ("e", "i", "y") else "k"
            code = hard_or_soft_c if ch == "c" else _SINGLE.get(ch, ch)
            i += 1
        if isinstance(code, str) and len(code) > 1:  # x -> k s
            for part in code:
                classes.append(part)
                doubled.append(False)
                vowels.append("")
            continue
        if classes and classes[-1] == code and vowels[-1] == "":
            doubled[-1] = True
            continue
        classes.append(code)
        doubled.append(False)
        vowels.append("")
    if not classes:
        return None
    options = [c if isinstance(c, tuple) else (c,) for c in classes]
    skeletons = tuple(itertools.islice(("".join(p) for p in itertools.product(*options)), MAX_KEYS))
    return NameForm(skeletons, tuple(_canon_vowels(v) for v in vowels), tuple(doubled), "latin")


def _arabic_form(text: str) -> NameForm | None:
    feminine = text.endswith("\u0629")  # ta marbuta: the Latin -a/-ah (Misrata), not a consonant
    text = arabic_without_article(fold_token(text))
    if len(text) > 4 and text[0] == text[1] and text[0] in "\u0628\u0644\u0643\u0641\u0648":
        text = text[1:]  # a proclitic before a name that begins with the same letter: ببرات is bi-Berat, not b-b-r-t
    if feminine:
        text = text[:-1] + "a"
    keyed = text.translate(_ARABIC_TO_KEY)
    consonants = [ch for ch in keyed if ch not in "aiu"]
    if len(consonants) < 3 or not all(ch.isascii() for ch in keyed):
        return None
    options = [_SINGLE.get(ch, ch) for ch in consonants]
    merged: list[tuple[str, ...]] = []
    for opt in options:
        opt = opt if isinstance(opt, tuple) else (opt,)
        if not merged or merged[-1] != opt:
            merged.append(opt)
    skeletons = tuple(itertools.islice(("".join(p) for p in itertools.product(*merged)), MAX_KEYS))
    return NameForm(skeletons, (), (), "arabic", keyed[-1] if keyed[-1] in "aiu" else "")


def _without_glued_article(word: str) -> str | None:
    for article in GLUED_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 5 and word[len(article)] not in _VOWELS:
            return word[len(article):]
    return None


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Russian and Ukrainian case endings of a name ending in a consonant (Ердоганом, Горбачева, Путину).
_CASE_ENDINGS = ("ом", "ем", "ём", "ым", "ой", "ою", "у", "ю", "а", "е", "і")
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєйьъ")


def _without_case_ending(folded: str) -> str | None:
    for ending in _CASE_ENDINGS:
        stem = folded[: -len(ending)]
        if folded.endswith(ending) and len(stem) >= 4 and stem[-1] not in _CYRILLIC_VOWELS:
            return stem
    return None


def forms_of(word: str) -> list[NameForm]:
    """The word's own name form, and the forms it may stand for: without a glued article ('albukamal' ->
    'bukamal'), without the y/j that Russian Е is written with at the start (Yeltsin, Jelzin = Eltsin = Ельцин),
    a Cyrillic name without its case ending (Ердоганом -> Ердоган), an Arabic-script name read with its long
    vowels (باراك barak) and a Latin spelling read by the transcription convention it shows (Selenskyj,
    Poutine, Kadhafi: newsarc.names.readings)."""
    return list(_forms_of(word))


# Name words whose forms are kept (LRU). A name word's forms cost ~50 hits and ~530 bytes each: 100,000 entries
# (~53 MB a process, filled by an archive's ever-new names) held the most memory of any cache. Over the benchmark's
# articles (11,500 distinct name words) 16,000 entries keep every hit, 8,000 keep 96%. name_form() and
# readings.latin_readings() are called only from here, once per word this cache misses: caches of their own were
# hit for 0.1% and 0% of their calls. (docs/performance.md, "Memory of a bulk import")
FORMS_CACHE = 16_000


@lru_cache(maxsize=FORMS_CACHE)
def _forms_of(word: str) -> tuple[NameForm, ...]:
    forms = []
    own = name_form(word)
    if own:
        forms.append(own)
    folded = fold_token(word)
    others = [_without_glued_article(folded)]
    if folded[:1] in ("y", "j") and folded[1:2] == "e" and len(folded) > 4:
        others.append(folded[1:])
    if _CYRILLIC.match(folded):
        others.append(_without_case_ending(word.casefold()))
    from newsarc.names import readings  # loaded by the first name word, not by a query of other words

    if _ARABIC_LETTERS.match(folded):
        others.append(readings.arabic_reading(word))
    else:
        others.extend(readings.latin_readings(folded))
    for other in others:
        form = name_form(other) if other else None
        if form and form not in forms:
            forms.append(form)
    return tuple(forms)


def compatible(a: NameForm, b: NameForm) -> bool:
    """Whether two name forms are spellings of one name (see the module docstring)."""
    shared = set(a.skeletons) & set(b.skeletons)
    if not shared:
        return False
    consonants = len(a.skeletons[0])
    if "arabic" in (a.script, b.script):  # short vowels are not written: the skeleton is all there is, and
        if a.script == b.script:  # whether the name ends in a vowel (مصراتة Misrata, not طهران Tehrani)
            return consonants >= 3
        arabic, latin = (a, b) if a.script == "arabic" else (b, a)
        return consonants >= 3 and latin.vowels[-1] in _FINALS[arabic.final]
    skeleton = min(shared)
    if len(a.vowels) != len(b.vowels):
        return False
    short = consonants < 3
    swaps = _SWAPS_SHORT if short else _SWAPS_LONG
    differences = 0
    for slot, (x, y) in enumerate(zip(a.vowels, b.vowels, strict=True)):
        if x == y:
            continue
        differences += 1
        if not x or not y:
            return False
        if frozenset((x, y)) in swaps:
            continue
        # After a hushing consonant Russian ё/е is written e or o: Gorbachev / Gorbatschow, Chernobyl / Chornobyl.
        if slot >= 1 and skeleton[slot - 1] == "S" and frozenset((x, y)) == _HUSHED:
            continue
        # A short vowel before a doubled consonant is unstable in transliteration (Hizbullah / Hizballah),
        # but not in the first syllable, where it tells names apart (Bill / Ball / Bell).
        free = (not short and 2 <= slot < consonants and (a.doubled[slot] or b.doubled[slot])
                and x in _SINGLE_VOWELS and y in _SINGLE_VOWELS)
        if not free:
            return False
    return differences <= (1 if short else 2)


def vowel_apart(a: NameForm, b: NameForm) -> bool:
    """Whether two Latin forms differ only by a short vowel written between two consonants in one and not in the
    other (Teheran / Tehran, Misurata / Misrata): the same name only where the archive's evidence says so."""
    if a.script != "latin" or b.script != "latin" or len(a.vowels) != len(b.vowels):
        return False
    if not set(a.skeletons) & set(b.skeletons) or len(a.skeletons[0]) < 3:
        return False
    gaps = [slot for slot, (x, y) in enumerate(zip(a.vowels, b.vowels, strict=True)) if bool(x) != bool(y)]
    if len(gaps) != 1 or not 1 <= gaps[0] < len(a.vowels) - 1:
        return False
    slot = gaps[0]
    vowel = a.vowels[slot] or b.vowels[slot]
    if vowel not in _SINGLE_VOWELS:
        return False
    filled = b._replace(vowels=b.vowels[:slot] + (vowel,) + b.vowels[slot + 1:])
    other = a._replace(vowels=a.vowels[:slot] + (vowel,) + a.vowels[slot + 1:])
    return compatible(other, filled)


def near(a: NameForm, b: NameForm) -> bool:
    """Same skeleton and vowels in the same places, but not variants by the rules (Kharkiv / Kharkov):
    worth proposing as an alias, never matched without one."""
    if not set(a.skeletons) & set(b.skeletons) or a.script != b.script or len(a.vowels) != len(b.vowels):
        return False
    if len(a.skeletons[0]) < 3 or compatible(a, b):
        return False
    pairs = list(zip(a.vowels, b.vowels, strict=True))
    return all(bool(x) == bool(y) for x, y in pairs) and sum(x != y for x, y in pairs) == 1


def are_variants(a: str, b: str) -> bool:
    """Whether two words are spellings of one name under the variant rules."""
    return any(compatible(x, y) for x in forms_of(a) for y in forms_of(b))


def is_name_word(raw: str) -> bool:
    """A word as written that may be a name: capitalised (not a short acronym) or in a caseless script."""
    if len(raw) < MIN_NAME_LETTERS:
        return False
    first = raw[0]
    if first.isupper():
        return not (raw.isupper() and len(raw) <= 4) and not any(ch.isdigit() for ch in raw)
    return bool(_ARABIC_LETTERS.match(raw))


TAGS_MARK = "\x1d"  # separates an article's text from its tags in the text the vkeys field indexes
_OPENERS = ".!?:;\n\r\"'\u201c\u2018(\u2014\u2013*#>|"


def counts_as_name(text: str, token: Token, tags_start: int) -> bool:
    """Whether a word of an article's text may be a name for the variant keys: capitalised (or in a caseless
    script) and not merely because it starts a sentence, a line or a title; every word of a tag counts."""
    if not is_name_word(token.raw):
        return False
    if token.start >= tags_start or not token.raw[0].isupper():
        return True
    i = token.start - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i >= 0 and text[i] not in _OPENERS


def index_keys(raw: str, folded: str) -> list[str]:
    """Terms of the variant-key field for one name word: 'SKELETON folded [spelling]' for each skeleton it
    may have; the spelling (lower case, accents kept) is there when folding lost a letter's sound (ş = sh)."""
    spelling = raw.casefold().translate(APOSTROPHE_TABLE)
    suffix = f" {spelling}" if spelling != folded and not spelling.isascii() else ""
    keys = []
    for form in forms_of(spelling):
        for skeleton in form.skeletons:
            term = f"{skeleton} {folded}{suffix}"
            if term not in keys:
                keys.append(term)
    return keys


def split_key_term(term: str) -> tuple[str, str]:
    """(folded word, spelling to compare) of a variant-key term."""
    parts = term.split(" ")
    return parts[1], parts[2] if len(parts) > 2 else parts[1]


def query_skeletons(word: str) -> list[str]:
    """The skeletons under which an index may hold variants of a query word."""
    seen: list[str] = []
    for form in forms_of(word):
        for skeleton in form.skeletons:
            if skeleton not in seen:
                seen.append(skeleton)
    return seen
