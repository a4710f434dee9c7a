"""Alias groups applied to a query: every member the query names, as words or a quoted phrase, is replaced by
its whole group (`(Abu Kamal OR al-Bukamal)`), at query time, so an edit of aliases.yaml takes effect without
reindexing. The groups come from newsarc.names.aliases."""

from __future__ import annotations

import re

from newsarc.names.aliases import Group
from newsarc.names.variants import Token, tokenize

_QUOTED = re.compile(r'"([^"]*)"(~\d+)?')
_FIELD_BEFORE = re.compile(r"[A-Za-z_]+:$")


def expand_query(text: str, groups: list[Group]) -> tuple[str, list[tuple[str, Group]]]:
    """The query with every alias member (as a word sequence or a quoted phrase) replaced by its group,
    and the list of (text matched, group) applied. A member matches its words as written or spelled as a
    variant (Abou Kamal matches the member Abu Kamal). Field-prefixed words are left alone."""
    if not groups:
        return text, []
    members: list[tuple[list[Token], Group]] = []
    for group in groups:
        for member in group:
            words = list(tokenize(member, extras=False))
            if words:
                members.append((words, group))
    members.sort(key=lambda m: -len(m[0]))
    applied: list[tuple[str, Group]] = []
    out: list[str] = []
    last = 0
    blanked = _QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    for match in _QUOTED.finditer(text):  # whole quoted phrases that are a member (no slop)
        words = list(tokenize(match.group(1), extras=False))
        found = next((g for m, g in members if len(m) == len(words) and _same_words(words, m)), None)
        if found and not match.group(2) and not _FIELD_BEFORE.search(text[: match.start()]):
            out.append(_expand_plain(text[last:match.start()], blanked[last:match.start()], members, applied))
            out.append(_group_expression(found))
            applied.append((match.group(1), found))
            last = match.end()
    out.append(_expand_plain(text[last:], blanked[last:], members, applied))
    return "".join(out), applied


def _same_words(query_words: list[Token], member_words: list[Token]) -> bool:
    from newsarc.names.variants import are_variants

    return all(q.text == m.text or (q.raw[:1].isupper() and are_variants(q.raw, m.raw))
               for q, m in zip(query_words, member_words, strict=True))


def _expand_plain(text: str, blanked: str, members: list[tuple[list[Token], Group]],
                  applied: list[tuple[str, Group]]) -> str:
    tokens = [t for t in tokenize(blanked, extras=False) if not _FIELD_BEFORE.search(blanked[: t.start])
              and blanked[t.start:t.end].strip()]
    out: list[str] = []
    last = 0
    i = 0
    while i < len(tokens):
        for words, group in members:
            window = tokens[i:i + len(words)]
            if len(window) == len(words) and _adjacent(blanked, window) and _same_words(window, words):
                start, end = window[0].start, window[-1].end
                out.append(text[last:start])
                out.append(_group_expression(group))
                applied.append((text[start:end], group))
                last = end
                i += len(words)
                break
        else:
            joined = _joined_member(tokens[i], members)
            if joined:
                out.append(text[last:tokens[i].start])
                out.append(_group_expression(joined))
                applied.append((text[tokens[i].start:tokens[i].end], joined))
                last = tokens[i].end
            i += 1
    out.append(text[last:])
    return "".join(out)


def _joined_member(token: Token, members: list[tuple[list[Token], Group]]) -> Group | None:
    """The group of a member that one query word spells as one word (Albukamal for al-Bukamal)."""
    from newsarc.names.variants import are_variants, is_article

    if not token.raw[:1].isupper():
        return None
    for words, group in members:
        if len(words) < 2:
            continue
        raws = [w.raw for w in words]
        while len(raws) > 1 and is_article(raws[0]):
            raws = raws[1:]
        joined = "".join(raws)
        if token.text == joined.casefold() or are_variants(token.raw, joined[:1].upper() + joined[1:]):
            return group
    return None


def _adjacent(text: str, tokens: list[Token]) -> bool:
    """Consecutive words separated only by spaces or hyphens (not by an operator or punctuation)."""
    pairs = zip(tokens, tokens[1:], strict=False)
    return all(re.fullmatch(r"[\s\-\u2010\u2011]*", text[a.end:b.start]) for a, b in pairs)


def _group_expression(group: Group) -> str:
    parts = []
    for member in group:
        clean = member.replace('"', " ").strip()
        if re.fullmatch(r"[^\s()\"':*?~^]+", clean) and clean.upper() not in ("AND", "OR", "NOT", "ANDNOT"):
            parts.append(clean)
        else:
            parts.append(f'"{clean}"')
    return "(" + " OR ".join(parts) + ")"
