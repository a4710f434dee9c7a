"""Other readings of a name word, for the variant keys of names that no gazetteer lists (newsarc.names.variants).

A name is written by the conventions of the language that writes it, and the variant rules compare Latin letters
read the English way. Three kinds of reading bring other spellings to that common ground; each is one more form
of the word, on the index side and the query side alike, so it can only add matches that the rules then check:

1. **Letters no table of the rules knows** (Greek, Armenian, Serbian ђ ћ љ њ џ, Kazakh ә қ ң ө ү, Latin ħ ŋ ə...)
   are transliterated by `anyascii` (well kept, pure Python, ISC licence, data loaded per Unicode block). The
   rules keep their own tables where those know more than a general transliterator: Russian г is g *or* h
   (Тегеран, Гамбург), Arabic consonants fall into classes (q/k/g, dh/z/d). Measured against ICU's Any-Latin and
   Unidecode (docs/searching.md, "Names no gazetteer lists"): anyascii matches them on recall, adds no compiled
   dependency (PyICU has no wheels) and no GPL (Unidecode).
2. **Arabic script with its long vowels**: ا و ي read as a, u/w, i/y (باراك barak, رامي rami), the reading ICU's
   Any-Latin gives and anyascii does not (it drops alef). The consonant key of the rules needs three consonants
   and ignores the vowels; this reading also meets short names (Rami, Sami) and checks the vowels it has.
3. **Transcription conventions of other languages**, applied only where the spelling itself shows the convention:
   - German writes Russian з and с both as s, й as j, х as ch and -ий as -ij or -yj: a spelling with a German
     mark (sch, a final -ow/-ew, w before a consonant, a final -ij/-yj) is also read with y for j before a vowel,
     -y for the final -ij/-yj and kh for ch (not in sch, tsch), and with z for an s before a vowel at the start
     (Selenskyj = Zelensky, Sacharow = Sakharov, Tschechow = Chekhov);
   - French writes Russian -ин as -ine (so as not to say it through the nose): a spelling with French ou for u
     that ends in -ine is also read without the e (Poutine = Putin, Raspoutine = Rasputin). Not every -ine:
     Martine and Justine are not Martin and Justin;
   - the Arabic qaf is written q, k or g (Qadhafi, Kadhafi, Gaddafi): a spelling with an Arabic transliteration
     digraph (dh, kh) is also read with q for each k or g, which the rules take as k or g. Plain k and g stay
     apart (Kate / Gate).
"""

from __future__ import annotations

import re

from newsarc.names.fold import fold_word

# -- 1. letters no table of the rules knows ------------------------------------------------------------------


def to_ascii(text: str) -> str:
    """ASCII letters for every letter that is still not ASCII after the rules' own tables (anyascii)."""
    from anyascii import anyascii  # loaded on the first name in a script the rules' tables do not cover

    return anyascii(text)


# -- 2. Arabic script with its long vowels --------------------------------------------------------------------
_ARABIC_TO_LATIN = str.maketrans({
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "dh", "ع": "", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "u", "ي": "i", "ا": "a", "ء": "", "ئ": "", "ؤ": "",
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g",
})
_ARABIC_PREFIXES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644", "\u0641\u0627\u0644",
                    "\u0627\u0644", "\u0644\u0644")  # وال بال كال فال ال لل (as newsarc.names.variants)


def arabic_reading(word: str) -> str | None:
    """An Arabic-script name in Latin letters with its long vowels: 'باراك' -> 'barak', 'رامي' -> 'rami';
    a first و or ي is the consonant w or y (وليد walid). None for a word with letters outside the table."""
    text = fold_word(word)
    for prefix in _ARABIC_PREFIXES:
        if text.startswith(prefix) and len(text) - len(prefix) >= 2:
            text = text[len(prefix):]
            break
    if text.endswith("\u0647") and len(text) > 2 and word.endswith("\u0629"):
        text = text[:-1] + "\u0627"  # ta marbuta: the -a of Misrata
    head = {"\u0648": "w", "\u064a": "y"}.get(text[:1], "")
    latin = head + text[1 if head else 0:].translate(_ARABIC_TO_LATIN)
    return latin if latin.isascii() and latin.isalpha() else None


# -- 3. transcription conventions of other languages ---------------------------------------------------------
_GERMAN_MARK = re.compile(r"sch|[oe]w$|w[^aeiouy]|[iy]j$")
_FRENCH_MARK = re.compile(r"ou")
_ARABIC_MARK = re.compile(r"dh|kh")
_LONE_K_OR_G = re.compile(r"ck|k(?!h)|(?<!n)g(?!h)")


def latin_readings(folded: str) -> tuple[str, ...]:
    """The other readings of a folded Latin name by the conventions its spelling shows (see the module
    docstring): 'selenskyj' -> ('zelensky',), 'poutine' -> ('poutin',), 'kadhafi' -> ('qadhafi',)."""
    if not folded.isascii() or not folded.isalpha():
        return ()
    found: list[str] = []
    if _GERMAN_MARK.search(folded):
        reading = re.sub(r"[iy]j$", "y", folded)
        reading = re.sub(r"j(?=[aeiou])", "y", reading)
        reading = re.sub(r"(?<![ts])ch", "kh", reading)
        for other in (reading, re.sub(r"^s(?=[aeiouy])", "z", reading)):
            if other != folded and other not in found:
                found.append(other)
    if _FRENCH_MARK.search(folded) and folded.endswith("ine") and len(folded) > 5:
        found.append(folded[:-1])
    if _ARABIC_MARK.search(folded):
        reading = _LONE_K_OR_G.sub("q", folded)
        if reading != folded:
            found.append(reading)
    return tuple(found)
