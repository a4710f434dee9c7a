"""What Russian's dictionary says a capitalised word is: a place, or a word it knows as something else.

The consonant rules that find a name's other spellings cannot tell a place from a person: Бурса (Bursa) and Борис,
Джордж (George, the town) and Жорж, Джида (Jeddah) and Жид share their letters' skeletons, and in Russian prose
(Debian's fortunes-ru, tests/support/prose_false_hits.py) the archive's variants of a place's Cyrillic name were
such first names and nouns 40 times in 191 false hits. The OpenCorpora dictionary, through pymorphy3, knows
Борис as a first name (Name), Жид as a common noun, and Даммаме or Москвой as forms of places (Geox).

Loaded on first use only (a one-word Cyrillic query of a place the gazetteer knows, with variants in the
archive): reading the dictionary's DAWG files took 0.07 s and raised the process's peak RSS by 28 MB, measured.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    try:
        import pymorphy3
    except ImportError:  # pragma: no cover - a dependency; without it every word stays a candidate
        return None
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=2_000)
def known_as_other_than_place(word: str) -> bool:
    """Whether the dictionary knows `word` (as written, any case) only as something other than a place name: a
    person's first name, surname or patronymic, or a common word (Борис, Жорж, Жид). A word it does not know
    (a guess from the ending) or knows as a place in any reading (Бурса, Даммаме, Руси) is not."""
    analyzer = _analyzer()
    if analyzer is None:
        return False
    parses = analyzer.parse(word)
    if not parses or not all(parse.is_known for parse in parses):
        return False
    return not any("Geox" in parse.tag for parse in parses)
