"""Exceptions newsarc raises for things a user can fix, each with the exit code it maps to.

The CLI turns any NewsarcError into a one-line message on stderr and its exit code; anything else is a bug.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What newsarc's exit status means; each code means one thing (README "Exit status" has the same table).

    ==== ============ ==========================================================================================
    code name         meaning
    ==== ============ ==========================================================================================
    0    OK           done (search/list: something matched)
    1    NO_MATCH     a search, listing or watch run found nothing, like grep
    2    USAGE        the command line could not be used: unknown option, bad value, malformed query
    3    NOT_FOUND    no article (or alias, feed, watch) by that id or name
    4    AMBIGUOUS    an id prefix matches several articles
    5    BAD_INPUT    an input file or field could not be used
    6    ARCHIVE      the archive itself is missing or cannot be opened
    7    LOCKED       another process held the archive lock for too long
    8    PARTIAL      a bulk operation finished but some items failed
    9    PROBLEMS     `newsarc check` found problems that are still there
    10   TOO_BROAD    a search would cost too much: stopped at its time budget, or a term expands to too many words
    130  INTERRUPTED  stopped with Ctrl-C
    ==== ============ ==========================================================================================
    """

    OK = 0
    NO_MATCH = 1
    USAGE = 2
    NOT_FOUND = 3
    AMBIGUOUS = 4
    BAD_INPUT = 5
    ARCHIVE = 6
    LOCKED = 7
    PARTIAL = 8
    PROBLEMS = 9
    TOO_BROAD = 10
    INTERRUPTED = 130


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


class QueryTooBroadError(NewsarcError):
    """A query that would cost too much to answer (newsarc.search_budget): stopped at its time budget, or refused
    because one of its terms stands for more words than a search expands. The message names the query, the bound
    it passed and what to do; a server answers 422 (the query was read, the archive makes it too costly)."""

    exit_code = ExitCode.TOO_BROAD

    def __init__(self, query: str, problem: str, advice: str):
        self.query = query
        self.problem = problem
        self.advice = advice
        super().__init__(f"query {query!r} is too broad: {problem}; {advice}")


class UsageError(NewsarcError):
    exit_code = ExitCode.USAGE


class LockTimeoutError(NewsarcError):
    exit_code = ExitCode.LOCKED
