"""What `newsarc add` and `newsarc import` report: a line per outcome, the summary line, and the --failures log."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from newsarc.errors import UsageError

if TYPE_CHECKING:
    from newsarc.api import AddOutcome, AddReport


class FailureLog:
    """--failures FILE: one JSON line per failure ({"path": ..., "reason": ...}), written as they happen.

    Written by newsarc.storage.atomic's rule, as every path a user names: a file is replaced when the command
    ends, however it ends (the failures seen until Ctrl-C or an error are true), a symlink is written through, a FIFO
    or /dev/stderr is written into line by line."""

    def __init__(self, path: str | None):
        self.path = path
        self.handle: Any = None
        self._file: Any = None

    def __enter__(self) -> FailureLog:
        if self.path:
            from newsarc.api import write_file

            self._file = write_file(self.path)
            try:
                self.handle = self._file.__enter__()
            except OSError as exc:
                raise UsageError(f"--failures {self.path}: cannot write ({exc.strerror or exc})") from None
        return self

    def write(self, outcome: AddOutcome) -> None:
        if self.handle is not None:
            self.handle.write(json.dumps({"path": outcome.origin, "reason": outcome.reason}, ensure_ascii=False)
                              + "\n")
            self.handle.flush()

    def __exit__(self, *exc: Any) -> None:
        if self._file is not None:
            try:
                self._file.__exit__(None, None, None)
            except OSError as error:
                raise UsageError(f"--failures {self.path}: cannot write ({error.strerror or error})") from None


def describe_outcome(outcome: AddOutcome) -> str:
    if outcome.status == "added":
        link = f"  ({outcome.link.replace('_of ', ' of ')})" if outcome.link else ""
        return f"added {outcome.id}  {outcome.title}{link}"
    if outcome.status == "near-duplicate":
        return f"skipped near-duplicate of {outcome.id} ({outcome.reason})  {outcome.title}"
    return f"already in the archive as {outcome.id}  {outcome.title}".rstrip()


def summary_line(report: AddReport, date_order: str | None) -> str:
    added, dups, bad = report.count("added"), report.count("duplicate"), report.count("failed")
    summary = f"{added} added, {dups} already in the archive, {bad} failed"
    if report.count("skipped"):
        summary += f", {report.skipped_summary()}"
    near = report.count("near-duplicate")
    if near:
        summary += f", {near} near-duplicate{'s' * (near != 1)} skipped"
    if report.linked:
        summary += f"; {report.linked} linked as near-duplicates or versions (see newsarc dups)"
    if report.ambiguous_dates:
        dates = "1 date was" if report.ambiguous_dates == 1 else f"{report.ambiguous_dates} dates were"
        summary += f"; {dates} ambiguous and read as {date_order or 'DMY'}"
    return summary
