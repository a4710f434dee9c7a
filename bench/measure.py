"""Timing whole processes: wall time and peak RSS of each child, repeated, summarised as median and p95.

Each child is started with its output on a pipe (drained by a thread, as `| cat` would) or on /dev/null, in
its own session so a timeout kills the whole process group (pipelines included). Its peak RSS comes from
os.wait4, which reports the rusage of that one child (and the descendants it waited for).
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class MeasureError(Exception):
    """A measurement that could not be taken: reported in the table, never a crash of the run."""


@dataclass
class Run:
    seconds: float
    maxrss_kb: int
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    def tail(self) -> str:
        """The last line of stderr (or stdout), for an error message."""
        for stream in (self.stderr, self.stdout):
            lines = stream.decode("utf-8", "replace").strip().splitlines()
            if lines:
                return lines[-1][:300]
        return ""


def _drain(stream: Any, sink: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(65536), b""):
        sink.append(chunk)
    stream.close()


def _group_rss_kb(pgid: int) -> int:
    """The summed resident memory of every process in a process group (a command and the workers it started)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                after_name = stat.read().rsplit(b")", 1)[1].split()
            if int(after_name[2]) == pgid:  # fields 5 (process group) and 24 (resident pages) of proc(5)
                total += int(after_name[21]) * _PAGE_KB
        except (OSError, ValueError, IndexError):
            continue
    return total


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def run_process(argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None, cwd: Any = None,
                capture: bool = True, whole_group_rss: bool = False) -> Run:
    """Run argv once; capture=False sends stdout to /dev/null (stderr is always kept). whole_group_rss: the peak
    RSS is that of the command and every process it started together (bulk work indexes in a second process),
    sampled every 0.1 s; otherwise the process's own peak from wait4."""
    sinks: dict[str, list[bytes]] = {"out": [], "err": []}
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True)
    except OSError as exc:
        raise MeasureError(f"cannot start {argv[0]}: {exc.strerror or exc}") from None
    readers = [threading.Thread(target=_drain, args=(proc.stderr, sinks["err"]), daemon=True)]
    if capture:
        readers.append(threading.Thread(target=_drain, args=(proc.stdout, sinks["out"]), daemon=True))
    for reader in readers:
        reader.start()
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    group_peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            group_peak[0] = max(group_peak[0], _group_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if whole_group_rss:
        sampler.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        done.set()
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        # a pipeline's other members may still hold the pipes open
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    for reader in readers:
        reader.join(timeout=10)
    if whole_group_rss:
        sampler.join(timeout=5)
    return Run(seconds, max(usage.ru_maxrss, group_peak[0]), proc.returncode, b"".join(sinks["out"]),
               b"".join(sinks["err"]), timed_out.is_set())


def _sigint_default() -> None:
    """Ctrl-C reaches the command as at a terminal even when the benchmark runs as a background job, which
    ignores SIGINT and would pass that on (the add would finish as if nothing had been sent)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _article_files(articles: Path) -> int:
    return sum(name.endswith(".yaml") for _, _, names in os.walk(articles) for name in names)


def interrupt_after(argv: Sequence[str], articles: Path, after: int, total: int, *, env: dict[str, str] | None,
                    cwd: Any = None, timeout: float = 600) -> float:
    """Run argv (a bulk add of `total` articles) in its own session; once `after` article files are under
    `articles`, send SIGINT to its process group, as a terminal's Ctrl-C does, and return the seconds from the
    signal to its exit. Anything but a stop in the middle -- exit 130, one line on stderr, work left -- is a
    MeasureError: a run that finished first measured nothing."""
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True,
                                preexec_fn=_sigint_default)
    except OSError as exc:
        raise MeasureError(f"cannot start {argv[0]}: {exc.strerror or exc}") from None
    said: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(proc.stderr, said), daemon=True)
    reader.start()

    def stop_all() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    deadline = time.monotonic() + timeout
    while _article_files(articles) < after:
        if proc.poll() is not None:
            reader.join(10)
            raise MeasureError(f"exit status {proc.returncode} before {after} articles were written: "
                               f"{b''.join(said).decode('utf-8', 'replace').strip()[-300:]}")
        if time.monotonic() > deadline:
            stop_all()
            raise MeasureError(f"{after} articles were not written within {timeout:.0f} s")
        time.sleep(0.01)
    sent = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        stop_all()
        raise MeasureError("the exit did not happen within 120 s of the Ctrl-C") from None
    seconds = time.perf_counter() - sent
    reader.join(10)
    lines = b"".join(said).decode("utf-8", "replace").strip().splitlines()
    if proc.returncode != 130:
        raise MeasureError(f"exit status {proc.returncode} after Ctrl-C, not 130: {(lines or [''])[-1][:300]}")
    if len(lines) != 1 or not lines[0].startswith("newsarc: interrupted: "):
        raise MeasureError(f"Ctrl-C printed {len(lines)} lines, not one: {' / '.join(lines)[:300]}")
    if _article_files(articles) >= total:
        raise MeasureError("every article was written before the Ctrl-C landed: nothing was interrupted")
    return seconds


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 10 samples is the largest; of 20, the second largest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measurement:
    """One row of the results: repeated timings of one command, or one figure computed another way."""

    label: str
    cmd: str = ""
    samples: list[float] = field(default_factory=list)  # seconds
    rss_kb: list[int] = field(default_factory=list)
    error: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        return percentile(self.samples, 0.95) if self.samples else None

    @property
    def peak_rss_mb(self) -> float | None:
        return max(self.rss_kb) / 1024 if self.rss_kb else None

    def to_json(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 3)

        return {
            "label": self.label,
            "cmd": self.cmd,
            "runs": len(self.samples),
            "median_ms": ms(self.median),
            "p95_ms": ms(self.p95),
            "min_ms": ms(min(self.samples)) if self.samples else None,
            "samples_ms": [ms(s) for s in self.samples],
            "peak_rss_mb": None if self.peak_rss_mb is None else round(self.peak_rss_mb, 1),
            "error": self.error,
            "note": self.note,
            **self.extra,
        }


Check = Callable[[Run], None]


def expect_exit(*codes: int) -> Check:
    def check(run: Run) -> None:
        if run.timed_out:
            raise MeasureError(f"timed out after {run.seconds:.0f} s")
        if run.returncode not in codes:
            raise MeasureError(f"exit status {run.returncode}: {run.tail()}")

    return check


def time_command(label: str, argv: Sequence[str], *, runs: int, warmup: int = 1, timeout: float = 60,
                 env: dict[str, str] | None = None, cwd: Any = None, capture: bool = True,
                 check: Check | None = None, after: Callable[[Run], None] | None = None,
                 shown: str | None = None) -> Measurement:
    """Run argv warmup + runs times and keep the timed runs; any failure becomes the measurement's error.

    `after(run)` runs after every run (warm-up included) and is not timed: e.g. removing an article just added.
    """
    check = check or expect_exit(0)
    measurement = Measurement(label, cmd=shown or " ".join(argv))
    try:
        for number in range(warmup + runs):
            run = run_process(argv, timeout=timeout, env=env, cwd=cwd, capture=capture)
            check(run)
            if after is not None:
                after(run)
            if number >= warmup:
                measurement.samples.append(run.seconds)
                measurement.rss_kb.append(run.maxrss_kb)
    except MeasureError as exc:
        measurement.error = str(exc)
    except Exception as exc:  # a bug in a check must not end the whole run either
        measurement.error = f"{type(exc).__name__}: {exc}"
    return measurement
