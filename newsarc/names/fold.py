"""Folding text to a case- and accent-insensitive form, shared by the index analyzers and the filters.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=100_000)
def fold_word(word: str) -> str:
    """casefold, then drop combining marks: 'Būkamāl' -> 'bukamal', 'Straße' -> 'strasse'."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_text(text: str) -> str:
    return " ".join(fold_word(word) for word in text.split())
