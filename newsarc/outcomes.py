"""What adding reports: one outcome per input or article, and the counts of a whole run.

Kept apart from newsarc.adding so that newsarc.ingest.sources can report an unreadable input without importing
the add pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AddOutcome:
    origin: str
    status: str  # "added" | "duplicate" | "near-duplicate" (skipped) | "failed" | "skipped" (not an article file)
    id: str = ""
    title: str = ""
    reason: str = ""
    link: str = ""  # "duplicate_of ID" / "version_of ID" for an added article linked to another

    @property
    def message(self) -> str:
        """The reason, naming the input it is about (most reasons do already; those from deeper down may not)."""
        if not self.origin or self.reason.startswith(self.origin):
            return self.reason
        return f"{self.origin}: {self.reason}"


@dataclass
class AddReport:
    """Counts of outcomes; the outcomes themselves are kept unless keep_outcomes is False (bulk runs keep only
    failures, so memory does not grow with the input)."""

    outcomes: list[AddOutcome] = field(default_factory=list)
    ambiguous_dates: int = 0
    keep_outcomes: bool = True
    tally: dict[str, int] = field(default_factory=dict)
    linked: int = 0
    resumed: int = 0  # inputs skipped unparsed because their exact bytes were already in
    unindexed: int = 0  # after an interrupt: added articles left for the next command to index
    kept: int | None = None  # after an interrupt: articles whose files were written (the report may lag by one)
    # files a folder walk passed over: "not an article format" -> {".pdf", ...}, "README-like" -> {names}
    skipped_kinds: dict[str, set[str]] = field(default_factory=dict)

    def add(self, outcome: AddOutcome) -> None:
        self.tally[outcome.status] = self.tally.get(outcome.status, 0) + 1
        if outcome.status == "skipped":
            name = outcome.origin.replace("\\", "/").rsplit("/", 1)[-1]
            if outcome.reason.startswith("not an article format"):
                self.skipped_kinds.setdefault("not an article format", set()).add(
                    "." + name.rsplit(".", 1)[-1].lower() if "." in name else name)
            else:
                self.skipped_kinds.setdefault("README-like", set()).add(name)
            return
        self.linked += bool(outcome.link)
        if self.keep_outcomes or outcome.status == "failed":
            self.outcomes.append(outcome)

    def count(self, status: str) -> int:
        return self.tally.get(status, 0)

    def interrupted_line(self, command: str = "add") -> str:
        """What an interrupted add (or import) kept, in one line."""
        added = self.count("added") if self.kept is None else self.kept
        kept = "nothing was added" if not added else (
            f"kept the {added} article{'s' if added != 1 else ''} added so far")
        later = f"; the next command indexes the {self.unindexed} not yet in the index" if self.unindexed else ""
        return f"interrupted: {kept}{later}; running the same {command} again adds the rest"

    def skipped_summary(self) -> str:
        """'4 skipped (not an article format: .jpg, .pdf; README-like: README.md)', or '' when none was."""
        if not self.count("skipped"):
            return ""
        kinds = "; ".join(f"{kind}: {', '.join(sorted(names, key=str.lower)[:8])}"
                          + (", ..." if len(names) > 8 else "")
                          for kind, names in sorted(self.skipped_kinds.items(), reverse=True))
        return f"{self.count('skipped')} skipped ({kinds})"
