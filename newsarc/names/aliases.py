"""Alias groups: names the user says are one (Abu Kamal = al-Bukamal = al-Bokamal), searched together.

They live in `aliases.yaml` at the archive root, one group per line, so that a diff or a merge between clones
touches only the groups that changed:

    # newsarc alias groups: the names on one line are searched together.
    - [Abu Kamal, al-Bukamal, al-Bokamal, Albu Kamal]
    - [Erbil, Hawler]

Searches expand aliases at query time, so a change takes effect at once, without reindexing. Reading the
YAML costs a yaml import, so the groups are cached as JSON in .newsarc/ keyed by the file's mtime and size.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsarc.errors import BadInputError, UsageError
from newsarc.names.variants import fold_token, tokenize

ALIASES_FILE = "aliases.yaml"
CACHE_FILE = "aliases.json"
HEADER = (
    "# newsarc alias groups: the names on one line are searched together (`newsarc alias add/rm` edits this\n"
    "# file; hand edits are fine). One group per line keeps diffs and merges between clones small.\n"
)

Group = list[str]


def name_key(name: str) -> tuple[str, ...]:
    """How alias members are compared: folded words, hyphens and spacing ignored ('Al-Bukamal' = 'al Bukamal')."""
    return tuple(token.text for token in tokenize(name, extras=False))


def load_groups(root: Path) -> list[Group]:
    """The archive's alias groups ([] when there is no aliases.yaml)."""
    return _load(root)[0]


def load_splits(root: Path) -> list[Group]:
    """The archive's splits: [name, other, ...] says the others are not the place `name` names, although a
    gazetteer lists them as its spellings (`newsarc alias split Aleppo Beria`)."""
    return _load(root)[1]


def _load(root: Path) -> tuple[list[Group], list[Group]]:
    path = root / ALIASES_FILE
    try:
        st = path.stat()
    except FileNotFoundError:
        return [], []
    stamp = [st.st_mtime_ns, st.st_size]
    cache = root / ".newsarc" / CACHE_FILE
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("stamp") == stamp:
            return [list(g) for g in cached["groups"]], [list(g) for g in cached.get("splits", [])]
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        pass
    groups, splits = _parse(path)
    try:
        from newsarc.storage.atomic import atomic_write

        cache.parent.mkdir(exist_ok=True)
        atomic_write(cache, json.dumps({"stamp": stamp, "groups": groups, "splits": splits}, ensure_ascii=False),
                     durable=False)
    except OSError:
        pass
    return groups, splits


def _parse(path: Path) -> tuple[list[Group], list[Group]]:
    from newsarc.yamlio import load_yaml

    data = load_yaml(path.read_bytes(), origin=str(path))
    if data is None:
        return [], []
    if not isinstance(data, list):
        raise BadInputError(f"{path}: expected a list of groups like `- [Abu Kamal, al-Bukamal]`")
    groups: list[Group] = []
    splits: list[Group] = []
    for number, entry in enumerate(data, start=1):
        if isinstance(entry, dict):
            names = entry.get("apart")
            if set(entry) != {"apart"} or not isinstance(names, list) or len(names) < 2 \
                    or not all(isinstance(n, str | int | float) for n in names):
                raise BadInputError(f"{path}: entry {number} must be `- {{apart: [Aleppo, Beria]}}` (a place's "
                                    "name, then the spellings that are not it)")
            splits.append(_dedupe(str(n).strip() for n in names))
            continue
        if isinstance(entry, str):
            entry = [part.strip() for part in entry.split(",")]
        if not isinstance(entry, list) or not all(isinstance(n, str | int | float) for n in entry):
            raise BadInputError(f"{path}: group {number} must be a list of names, like `- [Erbil, Hawler]`")
        names = _dedupe(str(n).strip() for n in entry)
        if len(names) >= 2:
            groups.append(names)
    return groups, splits


def save_groups(root: Path, groups: list[Group], splits: list[Group] | None = None) -> None:
    """Write aliases.yaml atomically, one group (or split) per line; splits are kept unless given."""
    from newsarc.storage.atomic import atomic_write
    from newsarc.yamlio import entry_line

    if splits is None:
        splits = load_splits(root)
    lines = [HEADER]
    for group in groups:
        lines.append(entry_line([group], flow=True))
    for split in splits:
        lines.append(entry_line([{"apart": split}], flow=True))
    atomic_write(root / ALIASES_FILE, "".join(lines))


SPLIT_MARK = "\x00apart"  # first item of a split carried among a request's alias groups (splits_as_groups)


def splits_as_groups(splits: list[Group]) -> list[Group]:
    """Splits in the shape of alias groups, marked, so that a search request carries both in one list."""
    return [[SPLIT_MARK, *split] for split in splits]


def separate_splits(groups: list[Group]) -> tuple[list[Group], list[Group]]:
    """(alias groups, splits) of a request's list (see splits_as_groups)."""
    return ([g for g in groups if g[:1] != [SPLIT_MARK]], [g[1:] for g in groups if g[:1] == [SPLIT_MARK]])


def add_split(splits: list[Group], name: str, others: Iterable[str]) -> tuple[list[Group], Group]:
    """Splits with `others` set apart from the place `name` names (merged into an existing split of it)."""
    key = name_key(name)
    others = [o for o in _dedupe(o.strip() for o in others) if name_key(o) != key]
    if not key or not others:
        raise UsageError("name the place and at least one spelling that is not it, e.g. "
                         "newsarc alias split Aleppo Beria")
    kept = [s for s in splits if name_key(s[0]) != key]
    merged = _dedupe([name, *(m for s in splits if name_key(s[0]) == key for m in s[1:]), *others])
    return [*kept, merged], merged


def _dedupe(names: Iterable[str]) -> Group:
    out: Group = []
    keys: set[tuple[str, ...]] = set()
    for name in names:
        key = name_key(name)
        if name and key and key not in keys:
            keys.add(key)
            out.append(name)
    return out


def add_group(groups: list[Group], names: Iterable[str]) -> tuple[list[Group], Group]:
    """Groups with `names` joined into one; groups that share a member with it are merged into it."""
    names = _dedupe(n.strip() for n in names)
    if not names:
        raise UsageError("name at least two spellings, e.g. newsarc alias add \"Abu Kamal\" al-Bukamal")
    keys = {name_key(n) for n in names}
    merged: Group = list(names)
    kept: list[Group] = []
    for group in groups:
        if keys & {name_key(n) for n in group}:
            merged = _dedupe([*group, *merged])
        else:
            kept.append(group)
    if len(merged) < 2:
        raise UsageError("an alias group needs at least two different spellings")
    return [*kept, merged], merged


def remove_names(groups: list[Group], names: Iterable[str]) -> tuple[list[Group], list[str]]:
    """Groups without `names` (a group left with one member goes); returns the names that were found."""
    keys = {name_key(n): n for n in names}
    found: list[str] = []
    out: list[Group] = []
    for group in groups:
        left = []
        for member in group:
            if name_key(member) in keys:
                found.append(member)
            else:
                left.append(member)
        if len(left) >= 2:
            out.append(left)
    return out, found


def remove_group_of(groups: list[Group], name: str) -> tuple[list[Group], Group | None]:
    key = name_key(name)
    for i, group in enumerate(groups):
        if key in {name_key(n) for n in group}:
            return groups[:i] + groups[i + 1:], group
    return groups, None


# -- query-time expansion --------------------------------------------------------------------------------
_QUOTED = re.compile(r'"([^"]*)"(~\d+)?')
_FIELD_BEFORE = re.compile(r"[A-Za-z_]+:$")


def expand_query(text: str, groups: list[Group]) -> tuple[str, list[tuple[str, Group]]]:
    """The query with every alias member (as a word sequence or a quoted phrase) replaced by its group,
    and the list of (text matched, group) applied. A member matches its words as written or spelled as a
    variant (Abou Kamal matches the member Abu Kamal). Field-prefixed words are left alone."""
    if not groups:
        return text, []
    members: list[tuple[list[Any], Group]] = []
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


def _same_words(query_words: list[Any], member_words: list[Any]) -> bool:
    from newsarc.names.variants import are_variants

    return all(q.text == m.text or (q.raw[:1].isupper() and are_variants(q.raw, m.raw))
               for q, m in zip(query_words, member_words, strict=True))


def _expand_plain(text: str, blanked: str, members: list[tuple[list[Any], Group]],
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


def _joined_member(token: Any, members: list[tuple[list[Any], Group]]) -> Group | None:
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


def _adjacent(text: str, tokens: list) -> bool:
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


# -- suggestions from evidence in the archive ----------------------------------------------------------------
def _joined_forms(name: str) -> list:
    """Name forms of a (multi-word) name written as one word, with leading articles dropped."""
    from newsarc.names import variants

    words = [t.raw for t in tokenize(name, extras=False)]
    while len(words) > 1 and variants.is_article(words[0]):
        words = words[1:]
    return variants.forms_of("".join(words)) if words else []


def _same_name(a: str, b: str) -> bool:
    """Evidence-grade similarity of two tags: the same consonant skeleton once joined (Abu Kamal / al-Bukamal)."""
    fa, fb = _joined_forms(a), _joined_forms(b)
    return any(set(x.skeletons) & set(y.skeletons) and len(x.skeletons[0]) >= 3 for x in fa for y in fb)


SUGGEST_CACHE = "alias-suggest.json"  # in .newsarc/: the evidence of the last run, for an unchanged index
SUGGEST_CACHE_VERSION = 1  # bump when what the evidence holds or how it is found changes

Proposal = tuple[list[str], str, int]  # names, evidence, weight


def suggest_groups(store, *, limit: int = 20) -> list[tuple[list[str], str]]:
    """Proposed alias groups with the evidence for each, strongest first:

    - spellings listed side by side in one article's tags (the seed tags Abu Kamal, al-Bukamal, al-Bokamal);
    - names that the archive writes with the same consonants but vowels the variant rules keep apart
      (Kharkiv / Kharkov), when the articles that use them share context (other names, tags, sources).
    Groups already known, or spellings the variant rules already match, are left out.

    Finding the evidence reads every article's tags and many articles' text (seconds at 20,000 articles); it
    depends on nothing but the index, so it is kept in .newsarc/alias-suggest.json under the index's content
    stamp, and a run on an unchanged index answers from it. The known groups and the limit apply afterwards, so
    editing aliases.yaml or asking for more suggestions still uses it."""
    store.refresh(write=False)
    known = load_groups(store.archive.root)
    known_keys = [{name_key(n) for n in g} for g in known]

    def already(names: list[str]) -> bool:
        keys = {name_key(n) for n in names}
        return any(keys <= group for group in known_keys)

    tagged, vocabulary = _evidence(store)
    proposals: dict[tuple[tuple[str, ...], ...], Proposal] = {}
    for names, evidence, weight in tagged:
        if not already(names):
            proposals[tuple(sorted(name_key(n) for n in names))] = (names, evidence, weight)
    for names, evidence, weight in vocabulary:
        if already(names):
            continue
        key = tuple(sorted(name_key(n) for n in names))
        if key not in proposals:
            proposals[key] = (names, evidence, weight)
    ranked = sorted(proposals.values(), key=lambda p: (-len(p[0]), -p[2], [n.casefold() for n in p[0]]))
    kept: list[Proposal] = []
    for names, evidence, weight in ranked:  # a group inside a larger proposal adds nothing
        keys = {name_key(n) for n in names}
        if not any(keys <= {name_key(n) for n in other} for other, _, _ in kept):
            kept.append((names, evidence, weight))
    kept.sort(key=lambda p: (-p[2], [n.casefold() for n in p[0]]))
    return [(names, evidence) for names, evidence, _ in kept[:limit]]


def _evidence(store) -> tuple[list[Proposal], list[Proposal]]:
    """(groups from the tags, groups from the vocabulary), before the known groups are left out: from the cache
    when the index has not changed since it was written, else found again (and cached when the archive can be
    written)."""
    from newsarc.storage.atomic import atomic_write

    cache = store.archive.state_dir / SUGGEST_CACHE
    stamp = store.read_index(store.backend.content_stamp)
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("version") == SUGGEST_CACHE_VERSION and cached.get("stamp") == stamp:
            return ([(list(n), str(e), int(w)) for n, e, w in cached["tags"]],
                    [(list(n), str(e), int(w)) for n, e, w in cached["vocabulary"]])
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        pass  # no cache yet, or one this version cannot read: found again below
    tagged = _tag_groups(store)
    vocabulary = store.read_index(lambda: _vocabulary_pairs(store))
    if store.archive.write_problem() is None and store.read_index(store.backend.content_stamp) == stamp:
        with contextlib.suppress(OSError):  # a cache: an archive on a full disk still answers
            atomic_write(cache, json.dumps({"version": SUGGEST_CACHE_VERSION, "stamp": stamp, "tags": tagged,
                                            "vocabulary": vocabulary}, ensure_ascii=False), durable=False)
    return tagged, vocabulary


def _tag_groups(store) -> list[Proposal]:
    """Spellings of one name listed side by side in an article's tags, with how many articles list them."""
    proposals: dict[tuple[tuple[str, ...], ...], Proposal] = {}
    counts: dict[tuple[tuple[str, ...], ...], int] = {}
    for entry in store.catalog.newest(limit=None):
        tags = entry.tags
        for i, a in enumerate(tags):
            group = [a] + [b for b in tags[i + 1:] if _same_name(a, b)]
            if len(group) < 2 or _all_variants(group):
                continue
            key = tuple(sorted(name_key(n) for n in group))
            count = counts[key] = counts.get(key, 0) + 1
            names = proposals[key][0] if key in proposals else group
            # Counted apart from the weight: the weight was counted up instead, by 101 an article, and printed as
            # the count ("the tags of 102 article(s)" for two).
            proposals[key] = (names, f"listed side by side in the tags of {count} article(s), e.g. {entry.id}",
                              count + 100)
    return list(proposals.values())


def _all_variants(names: list[str]) -> bool:
    """Whether the variant rules already match every name of a group with every other."""
    from newsarc.names.variants import compatible

    return all(_joined_forms(a) and _joined_forms(b) and any(
        compatible(x, y) for x in _joined_forms(a) for y in _joined_forms(b))
        for i, a in enumerate(names) for b in names[i + 1:])


def _vocabulary_pairs(store) -> list[Proposal]:
    """Groups of names with one consonant skeleton that the vowel rules split (Kharkiv / Kharkov) but whose
    articles share context; each group also holds the spellings the rules already join to its members."""
    from newsarc.names import variants

    by_skeleton: dict[str, dict[str, str]] = {}
    for term in store.backend.vocabulary_keys():
        skeleton, _, rest = term.partition(" ")
        folded, _, spelling = rest.partition(" ")
        if len(skeleton) >= 3:
            by_skeleton.setdefault(skeleton, {})[folded] = spelling or folded
    out = []
    memo: dict[str, dict[Any, Any]] = {}
    with store.backend.name_evidence() as index, store.progress(len(by_skeleton), "comparing spellings") as advance:
        for skeleton, words in sorted(by_skeleton.items()):
            advance(1)
            items = sorted(words.items())
            forms = {folded: variants.forms_of(spelling) for folded, spelling in items}
            parent = {folded: folded for folded, _ in items}

            def find(x: str, parent: dict[str, str] = parent) -> str:
                while parent[x] != x:
                    x = parent[x]
                return x

            evidence: dict[str, list[str]] = {}
            for i, (a, _) in enumerate(items):
                for b, _ in items[i + 1:]:
                    if any(variants.compatible(x, y) for x in forms[a] for y in forms[b]):
                        parent[find(a)] = find(b)
                    elif any(variants.near(x, y) for x in forms[a] for y in forms[b]):
                        shared = _shared_context(index, skeleton, a, b, memo)
                        if shared:
                            parent[find(a)] = find(b)
                            evidence.setdefault(a, []).extend(shared)
            components: dict[str, list[str]] = {}
            for folded, _ in items:
                components.setdefault(find(folded), []).append(folded)
            for members in components.values():
                shared = sorted({s for m in members for s in evidence.get(m, [])})
                if len(members) > 1 and shared:
                    names = [_display(words[m]) for m in members]
                    out.append((names, "same consonants, and their articles share " + ", ".join(shared[:4]),
                                len(shared)))
    return out


RARE_SPELLING_DOCS = 10  # one of two near spellings must be this rare: variants are rare beside the usual one
COMMON_CONTEXT_SHARE = 0.01  # context names in more than this share of the articles (or 5) say nothing


def _context(index, docnums: list[int], exclude: set[str],
             memo: dict[str, dict[Any, Any]] | None = None) -> set[str]:
    """Names (capitalised mid-sentence), tags and sources of some articles, leaving out the common ones.

    memo (one per suggest run) keeps each article's names and each word's verdict: the same articles and words
    come up for many pairs of spellings, and counting a common word's live postings again each time was most
    of `alias suggest`'s time."""
    from newsarc.names import variants

    memo = memo if memo is not None else {}
    of_doc = memo.setdefault("doc", {})
    rare = memo.setdefault("rare", {})
    limit = max(5, int(index.doc_count() * COMMON_CONTEXT_SHARE))
    words: set[str] = set()
    for docnum in docnums:
        found = of_doc.get(docnum)
        if found is None:
            stored = index.stored(docnum)
            names: set[str] = set()
            for text in (stored.get("title", ""), stored.get("body", "")):
                for token in tokenize(text, extras=False):
                    if token.text not in names and variants.counts_as_name(text, token, len(text)):
                        names.add(token.text)
            tags = {fold_token(t) for t in (stored.get("tags") or "").split("\n") if t}
            found = of_doc[docnum] = (names, tags)
        names, tags = found
        words.update(n for n in names if n not in exclude)
        words.update(tags)
    out = set()
    for word in words:
        verdict = rare.get(word)
        if verdict is None:
            verdict = rare[word] = index.at_most(word, limit)
        if verdict:
            out.add(word)
    return out


def _shared_context(index, skeleton: str, a: str, b: str,
                    memo: dict[str, dict[Any, Any]] | None = None) -> list[str]:
    """index: the backend's NameEvidence (newsarc.index.backend)."""
    docs_a, docs_b = index.documents_with_key(skeleton, a, 30), index.documents_with_key(skeleton, b, 30)
    if not docs_a or not docs_b or min(len(docs_a), len(docs_b)) > RARE_SPELLING_DOCS:
        return []
    ctx_a = _context(index, docs_a, {a, b}, memo)
    ctx_b = _context(index, docs_b, {a, b}, memo)
    shared = sorted(ctx_a & ctx_b)
    smaller = min(len(ctx_a), len(ctx_b)) or 1
    return shared if len(shared) >= 2 and len(shared) / smaller >= 0.25 else []


def _display(spelling: str) -> str:
    """A spelling as names are written (capitalised)."""
    return spelling[:1].upper() + spelling[1:]
