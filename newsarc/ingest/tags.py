"""Split a tags line into tags, recovering multi-word tags when a copy-paste lost the separators.

Web pages show tags as separate links; copied as text they become "Syria Iraq Mosul offensive Abu Kamal".
Explicit separators win when present. Otherwise a lower-case word continues the tag before it ("Mosul
offensive"), and a run of 2-4 words that the article itself writes verbatim is one tag ("Abu Kamal"). A line
with no capital at all gives nothing to group by: each word is a tag ("earn usa" is two).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"\s*[,;|]\s*")
_LOWER_WORD = re.compile(r"[^\W\d_]+")
_TRIM = " \t\"'#.:"


def _is_continuation(token: str) -> bool:
    """A word of lower-case letters only continues the tag before it; "al-Bukamal" is a name of its own."""
    return bool(_LOWER_WORD.fullmatch(token)) and token.islower()


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
        size = 1
        for n in range(min(4, len(tokens) - i), 1, -1):
            if evidence and _in_evidence(" ".join(tokens[i : i + n]), evidence):
                size = n
                break
        words = tokens[i : i + size]
        i += size
        while i < len(tokens) and _is_continuation(tokens[i]):
            words.append(tokens[i])
            i += 1
        _add(tags, " ".join(words))
    return tags
