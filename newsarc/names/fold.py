"""Folding text to the form every comparison of words uses: the index, tag and source filters, the catalog's
tag table, alias groups and tag edits all fold with these two functions, so `--tag Baath` finds a `Ba'ath` tag
wherever it is asked.

Folding: casefold; Arabic and Persian letter forms to one; diacritics dropped; apostrophes and ʿayn/hamza
marks dropped ('Būkamāl' -> 'bukamal', "Ba'ath" -> 'baath', 'أحمد' -> 'احمد').
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u02bb\u02bf\u02be\u2032"
APOSTROPHE_TABLE = {ord(ch): None for ch in APOSTROPHES}

# Arabic and Persian letter forms folded to one (alef variants, ya/alef maqsura, ta marbuta, tatweel, ...).
_ARABIC_FOLD = str.maketrans({
    "\u0671": "\u0627", "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627",  # alef forms -> alef
    "\u0649": "\u064a", "\u06cc": "\u064a", "\u06d2": "\u064a",  # alef maqsura, Farsi ya -> ya
    "\u0629": "\u0647",  # ta marbuta -> ha
    "\u06a9": "\u0643",  # keheh -> kaf
    "\u0640": None,  # tatweel
    "\u0131": "i",  # dotless i (Turkish)
})


# Words whose folded form is kept (LRU): folding costs ~2 hits, so a small cache holds what recurs (over the
# benchmark's articles 99.7% of the hits at 8,000 entries; 200,000 grew with the archive's rare words). ~100
# bytes an entry. (docs/performance.md, "Memory of a bulk import")
FOLD_CACHE = 16_000


@lru_cache(maxsize=FOLD_CACHE)
def fold_word(word: str) -> str:
    """The searchable form of one word: 'Būkamāl' -> 'bukamal', "Ba'ath" -> 'baath', 'أحمد' -> 'احمد'."""
    folded = word.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded.translate(_ARABIC_FOLD))
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
        folded = unicodedata.normalize("NFC", folded)
    return folded.translate(APOSTROPHE_TABLE)


def fold_text(text: str) -> str:
    """Fold every word of a phrase (tags, sources, alias members): 'Al-Bukamal ' -> 'al-bukamal'."""
    return " ".join(fold_word(word) for word in text.split())
