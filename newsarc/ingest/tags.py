"""Split a tags line into tags, recovering multi-word tags when a copy-paste lost the separators.

Web pages show tags as separate links; copied as text they become "Syria Iraq Mosul offensive Abu Kamal".
Explicit separators win when present. Otherwise a run of 2-5 words that the article itself writes verbatim is
one tag ("Abu Kamal", "Ludwig van Beethoven"), and a lower-case word continues the tag before it ("Mosul
offensive") -- except the lower-case words names are built with:

- a name particle (de, van, von der, bin, da, dos, la, ...) before a capitalised word begins the next name
  with it: "City Hall de Blasio" is "City Hall" and "de Blasio", not "City Hall de" and "Blasio";
- a connector (of, and, for, upon, ...) before a capitalised word joins both sides into one name:
  "Bank of England", "Trinidad and Tobago", "Newcastle upon Tyne".

A line with no capital at all gives nothing to group by: each word is a tag ("earn usa" is two).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"\s*[,;|]\s*")
_LOWER_WORD = re.compile(r"[^\W\d_]+")
_TRIM = " \t\"'#.:"
_EVIDENCE_WINDOW = 5
# Lower-case words that begin a name with the capitalised word after them (Dutch, German, French, Spanish,
# Italian, Portuguese, Arabic and Hebrew name particles).
NAME_PARTICLES = frozenset({
    "de", "del", "della", "delle", "dei", "degli", "der", "den", "des", "du", "da", "dal", "dalla", "di", "dos",
    "das", "van", "vander", "von", "vom", "zu", "zum", "zur", "la", "le", "les", "lo", "ter", "bin", "ibn",
    "bint", "ben", "al", "el", "ul",
})
# Lower-case words that join the words around them into one name.
CONNECTORS = frozenset({"of", "and", "&", "for", "upon", "on", "y", "und", "et"})
# Inside a run that a particle or connector starts, an article may follow (Prince of the Netherlands).
_INSIDE_RUN = NAME_PARTICLES | CONNECTORS | {"the"}


def _is_continuation(token: str) -> bool:
    """A word of lower-case letters only continues the tag before it; "al-Bukamal" is a name of its own."""
    return bool(_LOWER_WORD.fullmatch(token)) and token.islower()


def _run_before_name(tokens: list[str], i: int) -> int:
    """The end of a run of particles and connectors starting at tokens[i] when a capitalised word follows it
    (the index of that word); 0 when tokens[i] starts no such run."""
    if tokens[i] not in NAME_PARTICLES | CONNECTORS:
        return 0
    j = i
    while j < len(tokens) and tokens[j] in _INSIDE_RUN:
        j += 1
    return j if j < len(tokens) and tokens[j][:1].isupper() else 0


def _evidence_size(tokens: list[str], i: int, evidence: str) -> int:
    """How many words from tokens[i] the article writes verbatim (at least 2), never ending on a particle; else 1."""
    if not evidence:
        return 1
    for n in range(min(_EVIDENCE_WINDOW, len(tokens) - i), 1, -1):
        if tokens[i + n - 1] not in _INSIDE_RUN and _in_evidence(" ".join(tokens[i : i + n]), evidence):
            return n
    return 1


def _in_evidence(phrase: str, evidence: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", evidence) is not None


def _add(tags: list[str], tag: str) -> None:
    tag = tag.strip(_TRIM)
    if tag and tag not in tags:
        tags.append(tag)


def split_tags(line: str, *, evidence: str = "") -> list[str]:
    """The tags of one line, in order, without duplicates; `evidence` is the article text (title + body)."""
    tags: list[str] = []
    text = line.strip()
    if not text:
        return tags
    if _SEPARATORS.search(text):
        for part in _SEPARATORS.split(text):
            _add(tags, " ".join(part.split()))
        return tags
    tokens = text.split()
    if not any(ch.isupper() for ch in text):
        # No capitals to group words by (wire codes such as "earn usa", "veg-oil linseed"): each word is a tag.
        for token in tokens:
            _add(tags, token)
        return tags
    i = 0
    while i < len(tokens):
        size = _evidence_size(tokens, i, evidence)
        name_at = _run_before_name(tokens, i) if size == 1 else 0
        if name_at:  # "de Blasio", "von der Leyen": the particles and the name they belong to
            size = name_at + 1 - i
        words = tokens[i : i + size]
        i += size
        while i < len(tokens):
            name_at = _run_before_name(tokens, i)
            if name_at and any(t in CONNECTORS for t in tokens[i:name_at]):
                words += tokens[i : name_at + 1]  # "Bank" + "of England"
                i = name_at + 1
            elif not name_at and _is_continuation(tokens[i]):
                words.append(tokens[i])
                i += 1
            else:
                break  # a capitalised word, or particles that begin the next name
        _add(tags, " ".join(words))
    return tags
