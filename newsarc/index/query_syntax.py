"""Query syntax newsarc reads itself before Whoosh does: a leading `-` or `!` as NOT; `<`/`>` only after a field.

Users bring Google's and Lucene's habits: `Blair -election` and `Blair !election` leave out the articles that
say "election". Whoosh reads neither (it drops the `-` and searches both words), so a `-` or `!` that starts a
word, a quoted phrase or a group -- at the start of the query or after a space or `(` -- is rewritten as
`NOT ` before Whoosh parses. A dash inside a word (al-Bukamal, e-mail) or standing alone (`Blair - election`)
is no operator.

A relation (`<`, `>`, `<=`, `>=`) means something only right after a field (`date:>2017-05`). Whoosh reads one
anywhere else as nothing when a word comes before it (`a < b` searches a and b) and fails with an internal
error when none does (`<b>`), so elsewhere it is refused with its position (quoted, it is searched as text).

The checks run on the user's text, so positions in errors are the user's; the rewrite comes after them.
"""

from __future__ import annotations

import re

from newsarc.errors import QueryError

_NEGATION = re.compile(r"""(?:^|(?<=[\s(]))[-!](?=[\w"(])""")
_NOT_BEFORE = re.compile(r"(?:^|[\s(])NOT[\s(]*$")
_OPERATOR_AFTER = re.compile(r"(AND|OR|NOT|ANDNOT|ANDMAYBE)(?![\w\"])")
_RELATION = re.compile(r"[<>]=?")
_FIELD_BEFORE = re.compile(r"(?<![\w:/.@-])[A-Za-z_]+:$")


def negation_positions(text: str, plain: str) -> list[int]:
    """Offsets of the `-`/`!` in `text` that negate what follows (`plain` is `text` with phrases blanked)."""
    return [m.start() for m in _NEGATION.finditer(text) if plain[m.start()] == text[m.start()]
            and not _in_url_value(plain, m.start())]


def check_negations(text: str, plain: str) -> None:
    """A negation needs something to leave out: `-AND b` or `NOT -b` is refused with its position."""
    for at in negation_positions(text, plain):
        sign = text[at]
        following = _OPERATOR_AFTER.match(text, at + 1)
        if following:
            raise QueryError(f"query {text!r}: {sign} at position {at + 1} is followed by the operator "
                             f"{following.group(1)}; write {sign}word to leave a word out "
                             f"(or search for the word in lower case: {sign}{following.group(1).lower()})")
        if _NOT_BEFORE.search(plain[:at]):
            raise QueryError(f"query {text!r}: {sign} at position {at + 1} negates a negation; "
                             "write NOT word (or -word) once")


def check_relations(text: str, plain: str) -> None:
    """`<` or `>` outside a phrase must follow a field (date:>2017-05): elsewhere it is refused with its position."""
    for match in _RELATION.finditer(plain):
        if _FIELD_BEFORE.search(plain[:match.start()]) or _in_url_value(plain, match.start()):
            continue
        sign = match.group()
        raise QueryError(f"query {text!r}: {sign} at position {match.start() + 1} compares a field with a value "
                         f"and needs one before it, e.g. date:{sign}2017-05; quote the text to search for it")


def for_whoosh(text: str) -> str:
    """The query as Whoosh should read it (after the checks): a leading - or ! as NOT."""
    plain = without_phrases(text)
    out = list(text)
    for at in reversed(negation_positions(text, plain)):
        out[at] = "NOT "
    return "".join(out)


def without_phrases(text: str, fill: str = " ") -> str:
    """The query with quoted phrases replaced by `fill` (same length), so their content is not read as syntax."""
    return re.sub(r'"[^"]*"', lambda m: fill * len(m.group(0)), text)


def _in_url_value(plain: str, at: int) -> bool:
    """Whether offset `at` lies inside the value of a url: term (example.com/a-b?x=<1>)."""
    token_start = max(plain.rfind(" ", 0, at), plain.rfind("(", 0, at)) + 1
    return plain[token_start:at].lower().startswith("url:")
