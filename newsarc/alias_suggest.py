"""`alias suggest`: alias groups proposed from evidence in the archive -- spellings listed side by side in one
article's tags, and spellings with one consonant skeleton whose articles share context -- read through the
index's NameEvidence (newsarc.index.backend). A feature over the archive, as similar.py is: the groups themselves
and the rules that compare names are newsarc.names'."""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import TYPE_CHECKING, Any

from newsarc.names.aliases import load_groups, name_key
from newsarc.names.variants import NameForm, fold_token, tokenize

if TYPE_CHECKING:
    from newsarc.index.backend import NameEvidence
    from newsarc.storage.store import Store


def _joined_forms(name: str) -> list[NameForm]:
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
SUGGEST_CACHE_VERSION = 2  # bump when what the evidence holds or how it is found changes
SKELETON_CACHE = "alias-suggest-skeletons.json"  # in .newsarc/: each skeleton's verdict under its keys' counts

Proposal = tuple[list[str], str, int]  # names, evidence, weight


def suggest_groups(store: Store, *, limit: int = 20) -> list[tuple[list[str], str]]:
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


def _evidence(store: Store) -> tuple[list[Proposal], list[Proposal]]:
    """(groups from the tags, groups from the vocabulary), before the known groups are left out: from the cache
    when the index has not changed since it was written, else found again (and cached when the archive can be
    written). Found again, a consonant skeleton whose variant keys and their document counts are as they were
    keeps its verdict from SKELETON_CACHE: after a change, only the skeletons of the words it added or removed
    are judged again (issue 24; the commonness of their context words is as it was judged then)."""
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
    judged_cache = store.archive.state_dir / SKELETON_CACHE
    try:
        before = json.loads(judged_cache.read_text(encoding="utf-8"))
        previous = before["skeletons"] if before.get("version") == SUGGEST_CACHE_VERSION else {}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        previous = {}
    tagged = _tag_groups(store)
    vocabulary, judged = store.read_index(lambda: _vocabulary_pairs(store, previous))
    if store.archive.write_problem() is None and store.read_index(store.backend.content_stamp) == stamp:
        with contextlib.suppress(OSError):  # a cache: an archive on a full disk still answers
            atomic_write(judged_cache, json.dumps({"version": SUGGEST_CACHE_VERSION, "skeletons": judged},
                                                  ensure_ascii=False), durable=False)
            atomic_write(cache, json.dumps({"version": SUGGEST_CACHE_VERSION, "stamp": stamp, "tags": tagged,
                                            "vocabulary": vocabulary}, ensure_ascii=False), durable=False)
    return tagged, vocabulary


def _tag_groups(store: Store) -> list[Proposal]:
    """Spellings of one name listed side by side in an article's tags, with how many articles list them."""
    proposals: dict[tuple[tuple[str, ...], ...], Proposal] = {}
    counts: dict[tuple[tuple[str, ...], ...], int] = {}
    same: dict[tuple[str, str], bool] = {}  # tags come from a small vocabulary: each pair is judged once a run
    all_variants: dict[tuple[str, ...], bool] = {}

    def same_name(a: str, b: str) -> bool:
        if (a, b) not in same:
            same[a, b] = _same_name(a, b)
        return same[a, b]

    for entry in store.catalog.newest(limit=None):
        tags = entry.tags
        for i, a in enumerate(tags):
            group = [a] + [b for b in tags[i + 1:] if same_name(a, b)]
            if len(group) < 2:
                continue
            if tuple(group) not in all_variants:
                all_variants[tuple(group)] = _all_variants(group)
            if all_variants[tuple(group)]:
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


def _vocabulary_pairs(store: Store, previous: dict[str, Any] | None = None) -> tuple[list[Proposal], dict[str, Any]]:
    """Groups of names with one consonant skeleton that the vowel rules split (Kharkiv / Kharkov) but whose
    articles share context; each group also holds the spellings the rules already join to its members.

    previous: {skeleton: [signature, groups]} of an earlier run; a skeleton whose signature (its variant-key terms
    and how many documents hold each) is unchanged keeps its groups without reading an article. Returns the
    groups and the same map for this run."""
    by_skeleton: dict[str, dict[str, str]] = {}
    signed: dict[str, list[str]] = {}
    for term, count in store.backend.vocabulary_keys().items():
        skeleton, _, rest = term.partition(" ")
        folded, _, spelling = rest.partition(" ")
        if len(skeleton) >= 3:
            by_skeleton.setdefault(skeleton, {})[folded] = spelling or folded
            signed.setdefault(skeleton, []).append(f"{term}\t{count}")
    out: list[Proposal] = []
    judged: dict[str, Any] = {}
    previous = previous or {}
    memo: dict[str, dict[Any, Any]] = {}
    with store.backend.name_evidence() as index, store.progress(len(by_skeleton), "comparing spellings") as advance:
        for skeleton, words in sorted(by_skeleton.items()):
            advance(1)
            if len(words) < 2:
                continue  # one spelling: nothing to compare
            signature = hashlib.sha1("\n".join(sorted(signed[skeleton])).encode()).hexdigest()[:16]
            before = previous.get(skeleton)
            if isinstance(before, list) and len(before) == 2 and before[0] == signature:
                groups = [(list(n), str(e), int(w)) for n, e, w in before[1]]
            else:
                groups = _skeleton_groups(index, skeleton, words, memo)
            judged[skeleton] = [signature, groups]
            out.extend(groups)
    return out, judged


def _skeleton_groups(index: NameEvidence, skeleton: str, words: dict[str, str],
                     memo: dict[str, dict[Any, Any]]) -> list[Proposal]:
    """The groups of one skeleton's spellings (words: folded -> spelling as written)."""
    from newsarc.names import variants

    out = []
    items = sorted(words.items())
    forms = {folded: variants.forms_of(spelling) for folded, spelling in items}
    parent = {folded: folded for folded, _ in items}

    def find(x: str) -> str:
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
            out.append((names, "same consonants, and their articles share " + ", ".join(shared[:4]), len(shared)))
    return out


RARE_SPELLING_DOCS = 10  # one of two near spellings must be this rare: variants are rare beside the usual one
COMMON_CONTEXT_SHARE = 0.01  # context names in more than this share of the articles (or 5) say nothing


def _context(index: NameEvidence, docnums: list[int], exclude: set[str],
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


def _shared_context(index: NameEvidence, skeleton: str, a: str, b: str,
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
