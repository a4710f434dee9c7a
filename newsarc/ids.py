"""Article ids: short, typeable, derived from content, so two clones of an archive never collide.

An id is 10 characters of Crockford base32 (no i, l, o, u) taken from a SHA-256 digest of the article's
normalised content: 50 bits, so even a million articles collide with odds below one in two thousand million,
and no counter is shared between machines. The same article added on two machines gets the same id.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 10
MIN_PREFIX = 4
_ID_PATTERN = re.compile(f"^[{ALPHABET}]{{{ID_LENGTH}}}$")
_PREFIX_PATTERN = re.compile(f"^[{ALPHABET}]+$")


def make_id(hex_digest: str) -> str:
    """The id for a content digest given as hex (see Article.content_key)."""
    number = int(hex_digest[:16], 16) >> (64 - 5 * ID_LENGTH)
    chars = []
    for _ in range(ID_LENGTH):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def is_valid_id(text: str) -> bool:
    return bool(_ID_PATTERN.match(text))


def normalise_prefix(text: str) -> str | None:
    """A user-typed id or prefix in canonical form, or None when it cannot be one (so never a path)."""
    text = text.strip().lower()
    if len(text) > ID_LENGTH or not _PREFIX_PATTERN.match(text):
        return None
    return text
