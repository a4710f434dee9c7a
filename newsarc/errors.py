"""Exceptions newsarc raises for things a user can fix, each with the exit code it maps to.

The CLI turns any NewsarcError into a one-line message on stderr and its exit code; anything else is a bug.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NO_MATCH = 1  # search/list found nothing, like grep
    USAGE = 2  # malformed query, bad option value
    NOT_FOUND = 3  # unknown id
    AMBIGUOUS = 4  # id prefix matches several articles
    BAD_INPUT = 5  # an input file or field could not be used
    ARCHIVE = 6  # the archive itself is missing or damaged
    LOCKED = 7  # another process holds the archive lock for too long
    PARTIAL = 8  # a bulk operation finished but some items failed


class NewsarcError(Exception):
    """A problem the user can act on; the message says what and how."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class ArchiveError(NewsarcError):
    exit_code = ExitCode.ARCHIVE


class NotFoundError(NewsarcError):
    exit_code = ExitCode.NOT_FOUND


class AmbiguousIdError(NewsarcError):
    exit_code = ExitCode.AMBIGUOUS

    def __init__(self, prefix: str, candidates: list[str]):
        self.prefix = prefix
        self.candidates = candidates
        super().__init__(f"id prefix {prefix!r} is ambiguous: it matches {', '.join(candidates)}; type more of the id")


class BadInputError(NewsarcError):
    exit_code = ExitCode.BAD_INPUT


class QueryError(NewsarcError):
    exit_code = ExitCode.USAGE


class UsageError(NewsarcError):
    exit_code = ExitCode.USAGE


class LockTimeoutError(NewsarcError):
    exit_code = ExitCode.LOCKED
