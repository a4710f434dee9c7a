"""Reading and parsing the next files of an `add` in a second process while this one adds the current ones.

Adding an article is sequential (duplicate checks depend on what came before; the files, ledger and catalog are
written in order), but reading and parsing a file depends on nothing but its bytes and the options. For a big
`add FOLDER` a helper process reads and parses the files ahead, in order, on the machine's other core (idle
until the index worker needs it at the batch's commit); this process takes the results in the same order. What a
result would be is unchanged: the helper runs the same parse_source, and the parts of it that look at this
process's state are done here when the result arrives (the resume ledger), or the input is parsed here after all
(feeds: which entries are skipped depends on the articles added so far).

Only local files of at most STREAM_FROM_BYTES go ahead; URLs, stdin and big streamed files are read here as
before. Anything unexpected in the helper (it dies, a result cannot be sent) makes this process parse the input
itself, so a helper costs time at worst, never an article or an error message.

Messages, pickled: ("options", IngestOptions without callables) once, then (origin, path, hints) per file.
Replies, in order: ("parsed", [parsed, ...], bytes read), or ("here",) for an input this process must parse
itself (a feed, an input the helper could not read or parse: its error message comes from this process).
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Generator, Iterable
from typing import Any

from newsarc.ingest.sources import Source

# Inputs parsed here before the helper starts: a short add never starts it, and the helper's start (a Python
# process importing the parsers, ~0.3 s) is spent on the other core while these are parsed.
START_AFTER = 32
AHEAD = 32  # files asked for ahead of the one being added
ENV_DISABLE = "NEWSARC_PARSE_AHEAD"  # "0": parse in this process


class Ahead:
    """What the helper made of one source: its parsed items, and how many bytes it read."""

    __slots__ = ("items", "size")

    def __init__(self, items: list[dict[str, Any]], size: int):
        self.items = items
        self.size = size


def with_ahead(sources: Iterable[Source], options: Any, *,
               limit: int) -> Generator[tuple[Source, Ahead | None], None, None]:
    """The sources in order, each with what the helper made of it, or None where this process parses it."""
    if os.environ.get(ENV_DISABLE, "") == "0" or (os.cpu_count() or 1) < 2 or options.fetch_pages:
        for source in sources:
            yield source, None
        return
    helper: _Helper | None = None
    waiting: deque[tuple[Source, bool]] = deque()  # sources in order, and whether the helper was asked
    seen, tried = 0, False
    try:
        for source in sources:
            seen += 1
            eligible = source.path is not None and 0 < source.size <= limit
            if eligible and not tried and seen > START_AFTER:
                tried = True  # once: an add whose helper cannot start goes on without it
                helper = _Helper.start(options)
            asked = eligible and helper is not None and helper.ask(source)
            waiting.append((source, asked))
            while len(waiting) > (AHEAD if helper is not None and helper.alive else 0):
                yield _next(waiting, helper)
        while waiting:
            yield _next(waiting, helper)
    finally:
        if helper is not None:
            helper.close()


def _next(waiting: deque[tuple[Source, bool]], helper: _Helper | None) -> tuple[Source, Ahead | None]:
    source, asked = waiting.popleft()
    return source, (helper.answer() if asked and helper is not None else None)


class _Helper:
    """The helper process: asked in order, answering in order."""

    def __init__(self, process: Any):
        self.process = process
        self.alive = True
        self.asked = 0

    @classmethod
    def start(cls, options: Any) -> _Helper | None:
        import subprocess
        import sys

        from newsarc.ingest.options import IngestOptions

        detached = IngestOptions(date_order=options.date_order, field_map=options.field_map, rules=options.rules,
                                 keep_raw=options.keep_raw, allow_private=options.allow_private)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        try:
            process = subprocess.Popen([sys.executable, "-m", "newsarc.ingest.parse_ahead"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError:
            return None
        helper = cls(process)
        try:
            helper._send(("options", detached))
        except Exception:  # noqa: BLE001 - options that cannot be sent (rules of an unusual kind): no helper
            helper.close()
            return None
        return helper

    def ask(self, source: Source) -> bool:
        """Ask for a source ahead; False if the helper cannot take it (then this process parses it)."""
        if not self.alive:
            return False
        try:
            self._send((source.origin, str(source.path), dict(source.hints)))
        except Exception:  # noqa: BLE001 - any failure to send: parse here
            self.alive = False
            return False
        self.asked += 1
        return True

    def answer(self) -> Ahead | None:
        """The next answer in order; None when the helper failed (it is not asked again)."""
        import pickle

        if not self.alive:
            return None
        try:
            reply = pickle.load(self.process.stdout)
        except Exception:  # noqa: BLE001 - a dead or confused helper: parse here from now on
            self.alive = False
            return None
        return Ahead(reply[1], reply[2]) if reply[0] == "parsed" else None

    def _send(self, message: tuple[Any, ...]) -> None:
        import pickle

        pickle.dump(message, self.process.stdin, pickle.HIGHEST_PROTOCOL)
        self.process.stdin.flush()

    def close(self) -> None:
        import subprocess

        process = self.process
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            process.kill()  # answers not taken are not wanted (an interrupted add)
            process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def _serve() -> None:
    """The helper's loop (see the module docstring)."""
    import pickle
    import signal
    import sys
    from pathlib import Path

    from newsarc.ingest.dispatch import parse_detached
    from newsarc.ingest.sources import _reader

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    options: Any = None
    while True:
        try:
            message = pickle.load(source)
        except EOFError:
            return
        if message[0] == "options":
            options = message[1]
            continue
        origin, path, hints = message
        try:
            data = _reader(Path(path))()
            items = parse_detached(data, origin=origin, options=options.with_hints(hints))
            reply: tuple[Any, ...] = ("here",) if items is None else ("parsed", items, len(data))
        except Exception:  # noqa: BLE001 - the parent parses it again and meets the problem itself
            reply = ("here",)
        try:
            pickle.dump(reply, sink, pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError):
            pickle.dump(("here",), sink, pickle.HIGHEST_PROTOCOL)
        sink.flush()


if __name__ == "__main__":
    _serve()
