"""Names that Arabic writes as two words or one: Abu Kamal = Albu Kamal = al-Bukamal = Bukamal.

"Abu" (father of) and the tribal "Albu" (family of) lose their first vowel in speech and in Maghrebi and Gulf
spelling: Abu Kamal is also al-Bukamal, Abu Madyan is Boumediene, Abu Taflika is Bouteflika. No per-word
variant rule sees it, since one spelling has a word more than the other. So a query word written `Bu...` /
`Bou...` (also after al-, el- or glued Al) is also searched as the phrase `Abu ...` / `Albu ...`, and a query
`Abu X` (or Abou, Albu, Bou) also as the one word `BuX`; the per-word variant rules then apply to each form
(Bokamal, Abou). The forms join the query as an implicit alias group, so --explain and matched terms show them.

Only where the archive holds the other form's word: a query for Burton is never rewritten into "Abu Rton".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from newsarc.names.variants import fold_token, is_article, is_name_word

Group = list[str]
# Written forms of "Abu" / "Albu" before a name, folded.
ABU_FORMS = frozenset({"abu", "abou", "albu", "bou", "bu"})
_BU_PREFIXES = ("albou", "albu", "albo", "elbou", "elbu", "elbo", "bou", "bu", "bo")  # longest first
MIN_REST = 4  # letters of the name after Bu: Bukamal yes, Bush no
_WORDS = re.compile(r"[^\s()\"]+")
_VOWELS = "aeiouy"


def _name_rest(rest: str) -> bool:
    return len(rest) >= MIN_REST and rest.isalpha() and rest[0] not in _VOWELS


def _joined_rest(compound: str) -> tuple[str, str] | None:
    """('kamal', 'Kamal') for al-Bukamal, Albukamal, Bukamal, Boukamal; None for anything else."""
    parts = [p for p in re.split(r"[-\u2010\u2011]", compound) if p]
    while len(parts) > 1 and is_article(parts[0]):
        parts = parts[1:]
    if len(parts) != 1 or not is_name_word(parts[0]):
        return None
    word = fold_token(parts[0])
    for prefix in _BU_PREFIXES:
        if word.startswith(prefix) and _name_rest(word[len(prefix):]):
            rest = word[len(prefix):]
            return rest, rest.capitalize()
    return None


def contraction_groups(text: str, has_word: Callable[[str], bool]) -> list[Group]:
    """Implicit alias groups for the contractions in a query (see the module docstring).

    `has_word(folded)` says whether the archive holds a word; a group is made only when it holds the name
    part of the other form. Field-prefixed words (title:Bukamal) are left alone."""
    groups: list[Group] = []
    words = _WORDS.findall(text)
    for i, word in enumerate(words):
        if ":" in word or word.upper() in ("AND", "OR", "NOT", "ANDNOT"):
            continue
        joined = _joined_rest(word)
        if joined:
            rest, name = joined
            if has_word(rest) and any(has_word(form) for form in ("abu", "abou", "albu")):
                groups.append([word, f"Abu {name}", f"Albu {name}"])
            continue
        if fold_token(word) in ABU_FORMS and i + 1 < len(words):
            following = words[i + 1]
            if ":" in following or not is_name_word(following) or not following.isalpha():
                continue
            rest = fold_token(following)
            if _name_rest(rest) and (has_word("bu" + rest) or has_word("albu" + rest) or has_word("bou" + rest)):
                name = rest.capitalize()
                groups.append(_distinct([f"{word} {following}", f"Abu {name}", f"Albu {name}", f"Bu{rest}"]))
    return groups


def _distinct(names: list[str]) -> Group:
    seen: set[str] = set()
    out = []
    for name in names:
        if fold_token(name) not in seen:
            seen.add(fold_token(name))
            out.append(name)
    return out


def merge_into(aliases: list[Group], implicit: list[Group]) -> list[Group]:
    """The user's alias groups with the implicit ones added: a group sharing a name with an alias group joins
    it (the sample archive's Abu Kamal group gains Bukamal), others are appended."""
    from newsarc.names.aliases import name_key

    merged = [list(group) for group in aliases]
    for group in implicit:
        keys = {name_key(name) for name in group}
        target = next((g for g in merged if keys & {name_key(n) for n in g}), None)
        if target is None:
            merged.append(list(group))
            continue
        known = {name_key(n) for n in target}
        target.extend(name for name in group if name_key(name) not in known)
    return merged
