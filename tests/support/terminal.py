"""Run a command with its stderr on a pseudo-terminal, as a user at a terminal sees it (progress bars)."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class TerminalRun:
    returncode: int
    stdout: str
    terminal: str  # everything written to the terminal (stderr), escape sequences included
    seconds: float
    timeline: list[tuple[float, bytes]]  # (seconds since start, chunk) as the terminal received it


def run_on_terminal(args: Sequence[str], *, timeout: float = 300, cwd: str | None = None,
                    during: Callable[[subprocess.Popen, list[tuple[float, bytes]]], None] | None = None,
                    columns: int = 120) -> TerminalRun:
    """Run args with stderr on a pty (stdout piped); `during(process, timeline)` may act on it while it runs."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "40", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    started = time.monotonic()
    process = subprocess.Popen(list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                               cwd=cwd, env=env)
    os.close(slave)
    timeline: list[tuple[float, bytes]] = []

    def pump() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            timeline.append((time.monotonic() - started, chunk))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    out_chunks: list[bytes] = []
    out_reader = threading.Thread(target=lambda: out_chunks.append(process.stdout.read()), daemon=True)
    out_reader.start()
    try:
        if during is not None:
            during(process, timeline)
        process.wait(timeout=timeout)
    except BaseException:
        process.send_signal(signal.SIGKILL)
        process.wait()
        raise
    finally:
        out_reader.join(5)
        reader.join(5)
        os.close(master)
    terminal = b"".join(chunk for _, chunk in timeline).decode("utf-8", "replace")
    return TerminalRun(process.returncode, b"".join(out_chunks).decode("utf-8", "replace"), terminal,
                       time.monotonic() - started, timeline)
