"""What `alias suggest` keeps between runs, so that the first run after a change costs what changed (issue 24.4).

Its evidence depends on nothing but the index, and the index is made of parts that never change once written
(Whoosh's segments): only which of their documents are deleted does. So it keeps, in .newsarc/:

- per part, what its documents say once and for all (PARTS_DIR/<part>.json): each document's identity (path and a
  digest of the fields the evidence reads) and the consonant skeletons of its variant keys; and apart, because
  every run reads it, the groups its documents' tags propose (PARTS_DIR/<part>.tags.json);
- one state (STATE_FILE): the parts and their deletions as of the last run, the limit of a common context word,
  each judged skeleton's verdict with what it looked at (the documents, by part and position, and the context
  words), and each context word's verdict.

Changes (below) compares the index's parts with the state's: a document of a new part that is no copy of a live
document of a part merged away is new; a document deleted since, or left out of the merge, is gone. Only the
skeletons whose keys those documents hold, whose verdict looked at one of them, or whose context words became
common or rare again are judged again, and the answer is the one a run without these files gives
(tests/test_alias_suggest.py holds both to it). Every file is versioned, written atomically, and read as missing
when it cannot be read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarc.index.backend import IndexPart, NameEvidence

VERSION = 3  # of every file below: bump when what they hold or how it is found changes
PARTS_DIR = "alias-suggest-parts"
STATE_FILE = "alias-suggest-state.json"
LEGACY = ("alias-suggest-skeletons.json", "alias-keys")  # what versions before 3 kept: removed when this one writes

Proposal = tuple[list[str], str, int]  # names, evidence, weight
TagEntry = tuple[int, str, str, str, list[list[str]]]  # position in its part, path, id, date, the groups its tags give


def skeleton_of(term: str) -> str | None:
    """The consonant skeleton of a variant-key term ('SKELETON folded [spelling]'), if long enough to judge."""
    skeleton = term.partition(" ")[0]
    return skeleton if len(skeleton) >= 3 else None


def document_digest(stored: Mapping[str, Any]) -> str:
    """Names what the evidence reads of a document: a copy of it made by a merge has the same digest."""
    fields = [str(stored.get(name) or "") for name in ("id", "title", "body", "tags", "datestr")]
    return hashlib.sha1("\x1f".join(fields).encode("utf-8")).hexdigest()[:16]


@dataclass
class PartFacts:
    """What one part's documents say once and for all."""

    docs: list[tuple[str, str]]  # (path, digest) by position
    skeletons: list[str]  # of the variant-key terms its documents hold, deleted ones included


@dataclass
class Verdict:
    """One skeleton's groups, with what finding them looked at."""

    groups: list[Proposal]
    documents: list[str]  # "part:position" of every document a spelling's look-up returned
    words: str  # the context words whose commonness was asked, one a line (one string: quick to read and write)
    capped: bool  # a look-up returned as many documents as it asks for: a merge's new order could change which

    def word_set(self) -> set[str]:
        return set(self.words.split("\n")) if self.words else set()

    def to_json(self) -> list[Any]:
        return [self.groups, self.documents, self.words, self.capped]

    @classmethod
    def of_json(cls, raw: Any) -> Verdict:
        groups, documents, words, capped = raw
        if not (isinstance(documents, list) and isinstance(words, str)):
            raise ValueError("not a verdict")
        return cls([(list(n), str(e), int(w)) for n, e, w in groups], documents, words, bool(capped))


@dataclass
class State:
    """The evidence as of the last run."""

    parts: dict[str, list[int]]  # part id -> positions of its deleted documents
    limit: int
    skeletons: dict[str, Verdict]  # skeletons judged with something to show or to watch
    words: dict[str, bool]  # context word -> at most `limit` live articles hold it (every word a verdict asked)


@dataclass
class Changes:
    """What changed in the index since the state was written, as far as the evidence is concerned."""

    skeletons: set[str] = field(default_factory=set)  # to judge again: keys of documents that came or went
    documents: set[str] = field(default_factory=set)  # "part:position" of documents live then, not now (or moved)
    moved: dict[str, str] = field(default_factory=dict)  # "part:position" then -> now, of documents a merge copied
    words: set[str] | None = field(default_factory=set)  # words whose live count may have changed (None: any)
    merged: bool = False  # parts were merged away: documents moved


class Cache:
    """The files of one archive's .newsarc/ directory."""

    def __init__(self, state_dir: Path):
        self.state_dir = state_dir
        self.parts_dir = state_dir / PARTS_DIR

    # -- reading: anything missing, of another version or unreadable reads as None
    def _read(self, path: Path) -> Any:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return raw if isinstance(raw, dict) and raw.get("version") == VERSION else None

    def part_facts(self, part: str) -> PartFacts | None:
        raw = self._read(self.parts_dir / f"{part}.json")
        try:
            return PartFacts([(str(p), str(d)) for p, d in raw["docs"]], [str(s) for s in raw["skeletons"]])
        except (TypeError, KeyError, ValueError):
            return None

    def part_tags(self, part: str) -> list[TagEntry] | None:
        raw = self._read(self.parts_dir / f"{part}.tags.json")
        try:
            return [(int(pos), str(path), str(id_), str(date), [[str(n) for n in g] for g in groups])
                    for pos, path, id_, date, groups in raw["tags"]]
        except (TypeError, KeyError, ValueError):
            return None

    def state(self) -> State | None:
        raw = self._read(self.state_dir / STATE_FILE)
        try:
            rare, common = raw["words"]
            words = dict.fromkeys(common.split("\n") if common else [], False)
            words.update(dict.fromkeys(rare.split("\n") if rare else [], True))
            return State({str(k): [int(p) for p in v] for k, v in raw["parts"].items()}, int(raw["limit"]),
                         {str(k): Verdict.of_json(v) for k, v in raw["skeletons"].items()}, words)
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    # -- writing: a cache, so a failure costs only time
    def write(self, parts: Iterable[IndexPart], new_facts: dict[str, tuple[PartFacts, list[TagEntry]]],
              state: State) -> None:
        import shutil

        from newsarc.storage.atomic import atomic_write

        with contextlib.suppress(OSError):
            self.parts_dir.mkdir(parents=True, exist_ok=True)
            for part, (facts, tags) in new_facts.items():
                atomic_write(self.parts_dir / f"{part}.json", json.dumps(
                    {"version": VERSION, "docs": facts.docs, "skeletons": facts.skeletons}, ensure_ascii=False),
                    durable=False)
                atomic_write(self.parts_dir / f"{part}.tags.json", json.dumps(
                    {"version": VERSION, "tags": tags}, ensure_ascii=False), durable=False)
            atomic_write(self.state_dir / STATE_FILE, json.dumps({
                "version": VERSION, "parts": state.parts, "limit": state.limit,
                "skeletons": {k: v.to_json() for k, v in state.skeletons.items()},
                "words": ["\n".join(w for w, rare in state.words.items() if rare),
                          "\n".join(w for w, rare in state.words.items() if not rare)]},
                ensure_ascii=False), durable=False)
            keep = {name for part in parts for name in (f"{part.id}.json", f"{part.id}.tags.json")}
            for old in self.parts_dir.iterdir():  # parts merged away: their files served this run, and are done
                if old.name not in keep:
                    old.unlink()
            for legacy in LEGACY:
                path = self.state_dir / legacy
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def read_part(index: NameEvidence, part: IndexPart, stored: Sequence[Mapping[str, Any]],
              tag_groups: Any) -> tuple[PartFacts, list[TagEntry]]:
    """The facts of a part not seen before, from its documents' stored fields (read once: a part never changes).
    tag_groups(tags) gives the groups one article's tags propose."""
    docs: list[tuple[str, str]] = []
    tags: list[TagEntry] = []
    for position, fields in enumerate(stored):
        docs.append((str(fields.get("path") or ""), document_digest(fields)))
        names = [t for t in str(fields.get("tags") or "").split("\n") if t]
        groups = tag_groups(names) if len(names) > 1 else []
        if groups:
            tags.append((position, str(fields.get("path") or ""), str(fields.get("id") or ""),
                         str(fields.get("datestr") or ""), groups))
    skeletons = sorted({s for s in map(skeleton_of, index.part_keys(part.id)) if s})
    return PartFacts(docs, skeletons), tags


def changes(index: NameEvidence, state: State, parts: list[IndexPart], facts: dict[str, PartFacts],
            gone: dict[str, PartFacts]) -> Changes:
    """What changed since state, from the parts that are new (facts holds theirs) and gone (gone holds theirs).

    A new part's document whose (path, digest) is that of a live document of a part merged away is that document
    moved; any other is new, and the index's analysis of it says which skeletons and words it touches. A document
    deleted since (or moved and deleted) is gone, and its analysis says which words; a verdict that looked at it
    is judged again. A document of a merged-away part that no new part holds (deleted and merged away between two
    runs) cannot be read any more: then every skeleton of that part is judged again, and every context word's
    commonness asked again (what this costs: index look-ups, no article is read)."""
    out = Changes()
    before: dict[tuple[str, str], list[str]] = {}
    for part_id, part_facts in gone.items():
        deleted = set(state.parts[part_id])
        if deleted:  # their keys leave the index with them
            out.skeletons.update(part_facts.skeletons)
        for position, doc in enumerate(part_facts.docs):
            if position not in deleted:
                before.setdefault(doc, []).append(f"{part_id}:{position}")
    out.merged = bool(gone)
    words: set[str] = set()

    def analyse(document: int, keys: bool, live_count: bool) -> None:
        terms, plain = index.document_terms(document)
        if keys:
            out.skeletons.update(s for s in map(skeleton_of, terms) if s)
        if live_count:
            words.update(plain)

    for part in parts:
        if part.id in state.parts:
            for position in sorted(part.deleted - set(state.parts[part.id])):
                out.documents.add(f"{part.id}:{position}")
                analyse(part.first + position, keys=False, live_count=True)
            continue
        for position, doc in enumerate(facts[part.id].docs):
            copies = before.get(doc)
            if copies:
                old = copies.pop()
                out.moved[old] = f"{part.id}:{position}"
                if position in part.deleted:  # moved, then deleted
                    out.documents.add(old)
                    analyse(part.first + position, keys=False, live_count=True)
            else:  # new (its keys count even if deleted since: the index holds them until a merge)
                analyse(part.first + position, keys=True, live_count=position not in part.deleted)
    lost = [old for copies in before.values() for old in copies]
    if lost:
        out.documents.update(lost)
        for part_id in {old.partition(":")[0] for old in lost}:
            out.skeletons.update(gone[part_id].skeletons)
        out.words = None
    else:
        out.words = words
    return out
