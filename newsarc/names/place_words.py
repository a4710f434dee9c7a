"""Which written words may name a place: the test a search makes before it opens the gazetteer.

Most query words are lower-case Latin words (election, oil prices), which no place name begins with; a search
for them must not pay for the gazetteer at all: not its import (two dataclasses and the key rules), not its
file, not a look-up (issue 22.6: search no slower than before the gazetteer). This module holds only that
cheap test and the two facts of the key rules it needs, so that newsarc.index.query can import it on every
search while newsarc.names.gazetteer loads on the first word that may be a place's name.
"""

from __future__ import annotations

MAX_WORDS = 4  # the longest place name looked up, in words (Ras al Ayn, Nizhniy Novgorod, Khan Yunis)

# Words that open a place name and may be left out or contracted in running text (Le Caire: au Caire; al-Raqqa).
LEADING_ARTICLES = frozenset({"al", "el", "le", "la", "les", "l", "the", "il", "lo", "der", "die", "das"})


def may_name_place(raw: str) -> bool:
    """Whether a word as written may be (the start of) a place's name, for the index and the queries alike:
    capitalised, or in a script without capitals (Arabic, Hebrew); never lower-case Latin or a number."""
    first = raw[:1]
    if "a" <= first <= "z" or first <= "9":
        return False  # most words: lower-case Latin, and numbers
    return first.isupper() or (first.isalpha() and not first.islower() and first >= "\u0370")
