"""`alias suggest`: alias groups proposed from evidence in the archive -- spellings listed side by side in one
article's tags, and spellings with one consonant skeleton whose articles share context -- read through the
index's NameEvidence (newsarc.index.backend). A feature over the archive, as similar.py is: the groups themselves
and the rules that compare names are newsarc.names'."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from newsarc.names.aliases import load_groups, name_key
from newsarc.names.variants import NameForm, fold_token, tokenize

if TYPE_CHECKING:
    from newsarc.alias_suggest_cache import PartFacts, TagEntry
    from newsarc.index.backend import IndexPart, NameEvidence
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


SUGGEST_CACHE = "alias-suggest.json"  # in .newsarc/: the answer of the last run, for an unchanged index
SUGGEST_CACHE_VERSION = 3  # bump when what the evidence holds or how it is found changes

Proposal = tuple[list[str], str, int]  # names, evidence, weight


def suggest_groups(store: Store, *, limit: int = 20) -> list[tuple[list[str], str]]:
    """Proposed alias groups with the evidence for each, strongest first:

    - spellings listed side by side in one article's tags (the seed tags Abu Kamal, al-Bukamal, al-Bokamal);
    - names that the archive writes with the same consonants but vowels the variant rules keep apart
      (Kharkiv / Kharkov), when the articles that use them share context (other names, tags, sources).
    Groups already known, or spellings the variant rules already match, are left out.

    Finding the evidence the first time reads every article's tags and many articles' text (seconds at 20,000
    articles); it depends on nothing but the index, so what it found is kept (newsarc.alias_suggest_cache) and a
    run after a change reads only what changed. The answer itself is kept in .newsarc/alias-suggest.json under
    the index's content stamp, and a run on an unchanged index answers from it. The known groups and the limit
    apply afterwards, so editing aliases.yaml or asking for more suggestions still uses it."""
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
    """(groups from the tags, groups from the vocabulary), before the known groups are left out: from the answer
    cache when the index has not changed since it was written, else found again from what changed
    (newsarc.alias_suggest_cache), and kept when the archive can be written."""
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
    tagged, vocabulary, save = store.read_index(lambda: _find_evidence(store))
    if store.archive.write_problem() is None and store.read_index(store.backend.content_stamp) == stamp:
        save()
        with contextlib.suppress(OSError):  # a cache: an archive on a full disk still answers
            atomic_write(cache, json.dumps({"version": SUGGEST_CACHE_VERSION, "stamp": stamp, "tags": tagged,
                                            "vocabulary": vocabulary}, ensure_ascii=False), durable=False)
    return tagged, vocabulary


def _find_evidence(store: Store) -> tuple[list[Proposal], list[Proposal], Callable[[], None]]:
    """(groups from the tags, groups from the vocabulary, a function that keeps what was found), reading only
    the parts of the index that are new since the last run and judging only the skeletons that changed."""
    from newsarc.alias_suggest_cache import Cache, State, Verdict, changes, read_part

    files = Cache(store.archive.state_dir)
    with store.backend.name_evidence() as index:
        parts = index.parts()
        state = files.state()
        gone: dict[str, PartFacts] = {}
        if state is not None:
            for part_id in set(state.parts) - {part.id for part in parts}:
                found = files.part_facts(part_id)
                if found is None:  # a part merged away whose facts are lost: found again in full
                    state = None
                    break
                gone[part_id] = found
        judge_same = _TagJudge()
        facts: dict[str, PartFacts] = {}  # of the parts that are new since the state (all, without one)
        tags: dict[str, list[TagEntry]] = {}
        new_facts: dict[str, tuple[PartFacts, list[TagEntry]]] = {}
        for part in parts:
            need_facts = state is None or part.id not in state.parts
            kept_tags = files.part_tags(part.id)
            kept_facts = files.part_facts(part.id) if need_facts and kept_tags is not None else None
            if kept_tags is not None and (kept_facts is not None or not need_facts):
                tags[part.id] = kept_tags
                if kept_facts is not None:
                    facts[part.id] = kept_facts
                continue
            read = read_part(index, part, index.part_documents(part.id), judge_same.groups)
            facts[part.id], tags[part.id] = new_facts[part.id] = read
        tagged = _tag_proposals(parts, tags)

        limit = max(5, int(index.doc_count() * COMMON_CONTEXT_SHARE))
        verdicts: dict[str, Verdict] = {}
        words: dict[str, bool] = {}
        if state is None:  # from scratch: every skeleton of every part
            touched = {s for part in parts for s in facts[part.id].skeletons}
            terms_of = _terms_by_skeleton(index, parts)
        else:
            verdicts, words = dict(state.skeletons), dict(state.words)
            changed = changes(index, state, parts, facts, gone)
            touched = set(changed.skeletons)
            if changed.documents or changed.moved:  # a verdict looked at a document deleted or moved since
                for skeleton, verdict in verdicts.items():
                    if changed.moved and not changed.moved.keys().isdisjoint(verdict.documents):
                        verdict.documents = [changed.moved.get(d, d) for d in verdict.documents]
                    if not changed.documents.isdisjoint(verdict.documents):
                        touched.add(skeleton)
            if changed.merged:  # documents moved: a look-up that took the first of many may now take others
                kept = [i for i, part in enumerate(parts) if part.id in state.parts]
                if all(i < len(kept) for i in kept):  # the new parts come last: so do the documents moved
                    moved_to = set(changed.moved.values())
                    touched.update(s for s, v in verdicts.items() if v.capped and not moved_to.isdisjoint(v.documents))
                else:
                    new_skeletons = {s for part in parts if part.id in facts for s in facts[part.id].skeletons}
                    touched.update(s for s, v in verdicts.items() if v.capped and s in new_skeletons)
            asked = words.keys() if changed.words is None or limit != state.limit else changed.words & words.keys()
            flipped = set()
            for word in sorted(asked):
                verdict_now = index.at_most(word, limit)
                if verdict_now != words[word]:
                    words[word] = verdict_now
                    flipped.add(word)
            if flipped:  # a context word became common, or rare again
                touched.update(s for s, v in verdicts.items() if not flipped.isdisjoint(v.word_set()))

            def terms_of(skeleton: str) -> list[str]:
                return index.key_terms(skeleton)

        memo: dict[str, dict[Any, Any]] = {}
        with store.progress(len(touched), "comparing spellings") as advance:
            for skeleton in sorted(touched):
                advance(1)
                verdicts.pop(skeleton, None)
                spellings: dict[str, str] = {}
                for term in terms_of(skeleton):  # sorted: of one folded form's spellings, the last is shown
                    folded, _, spelling = term.partition(" ")[2].partition(" ")
                    spellings[folded] = spelling or folded
                if len(spellings) < 2:
                    continue  # one spelling: nothing to compare
                looked = _LookedAt()
                groups = _skeleton_groups(index, skeleton, spellings, memo, looked)
                if groups or looked.documents or looked.words:
                    verdicts[skeleton] = Verdict(groups, _identities(parts, looked.documents),
                                                 "\n".join(sorted(looked.words)), looked.capped)
        words.update(memo.get("rare", {}))  # words no verdict asks any more stay: a look-up each, when touched
        vocabulary = [group for skeleton in sorted(verdicts) for group in verdicts[skeleton].groups]
    new_state = State({part.id: sorted(part.deleted) for part in parts}, limit, verdicts, words)
    return tagged, vocabulary, lambda: files.write(parts, new_facts, new_state)


class _LookedAt:
    """What judging one skeleton looked at: what decides whether a change can alter its verdict."""

    def __init__(self) -> None:
        self.documents: set[int] = set()
        self.words: set[str] = set()
        self.capped = False


def _identities(parts: list[IndexPart], documents: set[int]) -> list[str]:
    """"part:position" of documents (engine handles), which stays true until the part is merged away."""
    import bisect

    firsts = [part.first for part in parts]
    out = []
    for document in sorted(documents):
        part = parts[bisect.bisect_right(firsts, document) - 1]
        out.append(f"{part.id}:{document - part.first}")
    return out


def _terms_by_skeleton(index: NameEvidence, parts: list[IndexPart]) -> Callable[[str], list[str]]:
    """key_terms for every skeleton at once, from every part's terms (a run from scratch asks for all)."""
    from newsarc.alias_suggest_cache import skeleton_of

    by_skeleton: dict[str, set[str]] = {}
    for part in parts:
        for term in index.part_keys(part.id):
            skeleton = skeleton_of(term)
            if skeleton:
                by_skeleton.setdefault(skeleton, set()).add(term)
    return lambda skeleton: sorted(by_skeleton.get(skeleton, ()))


class _TagJudge:
    """The groups one article's tags propose: spellings of one name side by side that the variant rules do not
    already match. Tags come from a small vocabulary: each pair and group is judged once a run."""

    def __init__(self) -> None:
        self.same: dict[tuple[str, str], bool] = {}
        self.all_variants: dict[tuple[str, ...], bool] = {}

    def groups(self, tags: list[str]) -> list[list[str]]:
        out = []
        for i, a in enumerate(tags):
            group = [a]
            for b in tags[i + 1:]:
                if (a, b) not in self.same:
                    self.same[a, b] = _same_name(a, b)
                if self.same[a, b]:
                    group.append(b)
            if len(group) < 2:
                continue
            if tuple(group) not in self.all_variants:
                self.all_variants[tuple(group)] = _all_variants(group)
            if not self.all_variants[tuple(group)]:
                out.append(group)
        return out


def _tag_proposals(parts: list[IndexPart], tags: dict[str, list[TagEntry]]) -> list[Proposal]:
    """Spellings of one name listed side by side in an article's tags, with how many live articles list them:
    the names as the newest article writes them, the oldest as the example (newest first: by date, undated
    last, then by path)."""
    entries = [entry for part in parts for entry in tags[part.id] if entry[0] not in part.deleted]
    entries.sort(key=lambda e: e[1], reverse=True)
    entries.sort(key=lambda e: e[3], reverse=True)  # stable: one date's articles stay in path order
    proposals: dict[tuple[tuple[str, ...], ...], Proposal] = {}
    counts: dict[tuple[tuple[str, ...], ...], int] = {}
    for _, _, article_id, _, groups in entries:
        for group in groups:
            key = tuple(sorted(name_key(n) for n in group))
            count = counts[key] = counts.get(key, 0) + 1
            names = proposals[key][0] if key in proposals else group
            # Counted apart from the weight: the weight was counted up instead, by 101 an article, and printed as
            # the count ("the tags of 102 article(s)" for two).
            proposals[key] = (names, f"listed side by side in the tags of {count} article(s), e.g. {article_id}",
                              count + 100)
    return list(proposals.values())


def _all_variants(names: list[str]) -> bool:
    """Whether the variant rules already match every name of a group with every other."""
    from newsarc.names.variants import compatible

    return all(_joined_forms(a) and _joined_forms(b) and any(
        compatible(x, y) for x in _joined_forms(a) for y in _joined_forms(b))
        for i, a in enumerate(names) for b in names[i + 1:])


def _skeleton_groups(index: NameEvidence, skeleton: str, words: dict[str, str],
                     memo: dict[str, dict[Any, Any]], looked: _LookedAt | None = None) -> list[Proposal]:
    """The groups of one skeleton's spellings (words: folded -> spelling as written); looked, if given, is told
    which documents and context words the verdict depended on."""
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
                shared = _shared_context(index, skeleton, a, b, memo, looked)
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


SPELLING_DOCS_READ = 30  # of a spelling's articles, the first this many (in the engine's order) are looked at
RARE_SPELLING_DOCS = 10  # one of two near spellings must be this rare: variants are rare beside the usual one
COMMON_CONTEXT_SHARE = 0.01  # context names in more than this share of the articles (or 5) say nothing


def _context(index: NameEvidence, docnums: list[int], exclude: set[str],
             memo: dict[str, dict[Any, Any]] | None = None, looked: _LookedAt | None = None) -> set[str]:
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
    if looked is not None:
        looked.words.update(words)
    out = set()
    for word in words:
        verdict = rare.get(word)
        if verdict is None:
            verdict = rare[word] = index.at_most(word, limit)
        if verdict:
            out.add(word)
    return out


def _shared_context(index: NameEvidence, skeleton: str, a: str, b: str,
                    memo: dict[str, dict[Any, Any]] | None = None, looked: _LookedAt | None = None) -> list[str]:
    """index: the backend's NameEvidence (newsarc.index.backend)."""
    docs_a = index.documents_with_key(skeleton, a, SPELLING_DOCS_READ)
    docs_b = index.documents_with_key(skeleton, b, SPELLING_DOCS_READ)
    if looked is not None:
        looked.documents.update(docs_a, docs_b)
        looked.capped = looked.capped or SPELLING_DOCS_READ in (len(docs_a), len(docs_b))
    if not docs_a or not docs_b or min(len(docs_a), len(docs_b)) > RARE_SPELLING_DOCS:
        return []
    ctx_a = _context(index, docs_a, {a, b}, memo, looked)
    ctx_b = _context(index, docs_b, {a, b}, memo, looked)
    shared = sorted(ctx_a & ctx_b)
    smaller = min(len(ctx_a), len(ctx_b)) or 1
    return shared if len(shared) >= 2 and len(shared) / smaller >= 0.25 else []


def _display(spelling: str) -> str:
    """A spelling as names are written (capitalised)."""
    return spelling[:1].upper() + spelling[1:]
