"""The web server's speed (issue 13, point 6): `GET /api/search` on a warm `newsarc serve` against the
`newsarc search` process for the same query, measured in the same run on the same archive.

Rows: serve_search_first (the first request of each of several distinct queries: what a user typing new
searches meets; the first of them is the measured query itself, its time and ratio are in the row's extras),
serve_search (the measured query again and again: one client, keep-alive, median and p95), serve_search_8
(8 concurrent clients: the p95 a user waits under load), serve_search_8_worst (the same 8 clients while a ninth
sends the worst queries newsarc serve accepts, and one it refuses, over and over), serve_rss (the server's
resident memory after them).
The server is started on a free loopback port, warmed with a few requests of other words, and stopped with
Ctrl-C (SIGINT) afterwards; traffic goes to 127.0.0.1 only, with a bounded number of requests.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.measure import Measurement, percentile

CLIENTS = 8
_COMMON = ("said", "year", "people", "government", "world", "company", "market", "game", "film", "music",
           "election", "bank", "police", "court", "minister", "report", "new", "also", "first", "time")
# The costliest queries a client may send (issue 21, point 7), one of each class, found by timing candidates at
# 20,000 articles (docs/serving.md, "What one query may cost"): wildcards at the shape bounds newsarc serve
# allows (three prefixes; suffix and infix wildcards, which a word bound refuses), fuzzy words at distance 2, a
# loose phrase, 20 common words joined by OR, a long phrase of common words, every date, misspelt words (each a
# did-you-mean scan of the vocabulary), and the refused `*a* OR *e*...` (answered at once with 400).
WORST = ("elect* OR minist* OR gover*", "*ing OR *ion OR *ent", "*tio* OR *ent*", "governmnt~2 OR electon~2",
         "gov~2 OR said~2 OR year~2", '"prime minister said"~20', " OR ".join(_COMMON),
         '"' + " ".join(("the", "government", "said", "that", "the", "first", "year", "would", "be", "the")) + '"',
         "date:[1900 TO 2100]", "electoin govermnet ministr polise compnay markte",
         "*a* OR *e* OR *i* OR *o*")
WARMUP = ("weather", "football", "film", "technology", "health")  # words asked before any measured one
# Queries each asked once, after the measured query's own first request (one word, AND, phrase, a name with its
# variants, a rare and a very common word...): none of them has been asked of the server before.
DISTINCT = ("oil prices", '"prime minister"', "market", "government", "bank", "Qamishli", "Abu Kamal", "police",
            "minister", "company", "music", "court")


class ServerError(Exception):
    pass


def start(argv: list[str], env: dict[str, str], cwd: Any, timeout: float = 120.0) -> tuple[subprocess.Popen, str,
                                                                                               int]:
    """Run `newsarc ... serve --port 0`; (process, host, port) once it answers."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = re.search(r"http://([0-9.]+):(\d+)/", banner)
    if not match:
        stop(process)
        err = process.stderr.read() if process.stderr else ""
        raise ServerError(f"newsarc serve printed no address: {(banner + err).strip()[-300:]}")
    host, port = match.group(1), int(match.group(2))
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=30)
            connection.request("GET", "/static/style.css")
            if connection.getresponse().status == 200:
                connection.close()
                return process, host, port
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise ServerError("newsarc serve did not answer in time")
        time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in KB, from /proc (0, 0 where there is no /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    return int(values.get("VmRSS", 0)), int(values.get("VmHWM", 0))


def timed_gets(host: str, port: int, path: str, count: int, samples: list[float], errors: list[str]) -> None:
    """count GETs of path on one keep-alive connection; the seconds of each go to samples."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200 or not body.startswith(b'{"total"'):
                errors.append(f"GET {path}: status {response.status}: {body[:200]!r}")
                return
            samples.append(elapsed)
    except OSError as exc:
        errors.append(f"GET {path}: {exc}")
    finally:
        connection.close()


def clients_beside_worst(host: str, port: int, path: str, per_client: int, samples: list[float],
                         errors: list[str], statuses: dict[str, dict[int, int]] | None = None) -> list[float]:
    """CLIENTS threads of plain searches (their seconds to samples) while one more thread sends WORST over and
    over until they finish (at least one whole round); returns the seconds of each worst query (a 400 or 422
    "too broad" counts: it is the answer); statuses, when given, counts each worst query's answers by HTTP
    status."""
    done = threading.Event()
    worst_times: list[float] = []

    def hostile() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=600)
        try:
            while not done.is_set():
                for text in WORST:
                    started = time.perf_counter()
                    connection.request("GET", "/api/search?" + urlencode({"q": text}))
                    response = connection.getresponse()
                    response.read()
                    worst_times.append(time.perf_counter() - started)
                    if statuses is not None:
                        counts = statuses.setdefault(text, {})
                        counts[response.status] = counts.get(response.status, 0) + 1
                        counts[0] = max(counts.get(0, 0), round((time.perf_counter() - started) * 1000))
                    if response.status not in (200, 400, 422):
                        errors.append(f"worst query {text!r}: status {response.status}")
                        return
                # every worst query is sent at least once, even when the clients finish first (a quick run)
        except OSError as exc:
            errors.append(f"worst queries: {exc}")
        finally:
            connection.close()

    attacker = threading.Thread(target=hostile)
    attacker.start()
    time.sleep(0.2)  # the first worst query is already running when the clients start
    threads = [threading.Thread(target=timed_gets, args=(host, port, path, per_client, samples, errors))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    done.set()
    attacker.join(timeout=600)
    return worst_times


def measure(serve_argv: list[str], query: str, *, env: dict[str, str], cwd: Any, runs: int,
            per_client: int, cli: Measurement | None) -> dict[str, Measurement]:
    """The serve rows for one archive; cli is the `newsarc search QUERY` row of the same run (for the ratio)."""
    path = "/api/search?" + urlencode({"q": query})
    shown = f"GET {path}  # newsarc serve, warm, keep-alive"
    rows = {
        "serve_search_first": Measurement(f"GET /api/search, first request of {1 + len(DISTINCT)} distinct queries",
                                          cmd=f"GET /api/search?q=...  # {query!r} and {', '.join(DISTINCT)}: "
                                              "each once, warm server"),
        "serve_search": Measurement("GET /api/search (warm server)", cmd=shown),
        "serve_search_8": Measurement(f"GET /api/search, {CLIENTS} concurrent clients",
                                      cmd=f"{shown}; {CLIENTS} threads x {per_client}"),
        "serve_search_8_worst": Measurement(f"GET /api/search, {CLIENTS} clients while one sends the worst queries",
                                            cmd=f"{shown}; {CLIENTS} threads x {per_client}, and one thread "
                                                f"looping {len(WORST)} worst queries (bench/serve.py WORST)"),
        "serve_rss": Measurement("newsarc serve RSS", cmd="VmRSS/VmHWM of the server after the search rows"),
    }
    try:
        process, host, port = start(serve_argv, env, cwd)
    except (ServerError, OSError) as exc:
        for row in rows.values():
            row.error = str(exc)
        return rows
    try:
        errors: list[str] = []
        for word in WARMUP:
            timed_gets(host, port, "/api/search?" + urlencode({"q": word}), 1, [], errors)
        first = rows["serve_search_first"]
        for text in (query, *DISTINCT):
            timed_gets(host, port, "/api/search?" + urlencode({"q": text}), 1, first.samples, errors)
        single = rows["serve_search"]
        timed_gets(host, port, path, runs, single.samples, errors)
        loaded = rows["serve_search_8"]
        started = time.perf_counter()
        threads = [threading.Thread(target=timed_gets, args=(host, port, path, per_client, loaded.samples, errors))
                   for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        wall = time.perf_counter() - started
        worst = rows["serve_search_8_worst"]
        statuses: dict[str, dict[int, int]] = {}
        worst_times = clients_beside_worst(host, port, path, per_client, worst.samples, errors, statuses)
        if not errors and loaded.samples and worst.samples:
            worst.extra["p95_ratio_alone"] = round(percentile(worst.samples, 0.95) / percentile(loaded.samples, 0.95),
                                                   3)
            worst.extra["worst_queries_answered"] = len(worst_times)
            worst.extra["worst_query_max_ms"] = round(max(worst_times, default=0.0) * 1000, 1)
            # per worst query, how it was answered (200 searched, 400 refused by its shape, 422 stopped by its
            # time budget or refused for a term standing for too many words) and its slowest answer (max_ms)
            worst.extra["worst_statuses"] = {text: {("max_ms" if k == 0 else str(k)): v
                                                    for k, v in sorted(counts.items())}
                                             for text, counts in statuses.items()}
            stopped = sum(counts.get(422, 0) for counts in statuses.values())
            worst.note = (f"p95 {worst.extra['p95_ratio_alone']:.2f}x the p95 of {CLIENTS} clients alone; the "
                          f"slowest worst query took {worst.extra['worst_query_max_ms']:.0f} ms; "
                          f"{len(worst_times)} worst queries sent, {stopped} answered 422 (too broad)")
        if errors:
            first.error = single.error = loaded.error = errors[0]
        else:
            first.extra["first_ms"] = round(first.samples[0] * 1000, 3)  # the measured query, asked the first time
            if cli is not None and cli.ok:  # not ratio_cli: the row's median is of other queries
                first.extra["first_ratio_cli"] = round(first.samples[0] / cli.median, 3)
                first.note = (f"{query!r} asked the first time: {first.extra['first_ms']:.1f} ms, "
                              f"{first.extra['first_ratio_cli']:.3f}x the `newsarc search` process for it")
            loaded.extra["requests_per_s"] = round(len(loaded.samples) / wall, 1)
            loaded.extra["p95_8_ms"] = round(percentile(loaded.samples, 0.95) * 1000, 3)
            if cli is not None and cli.ok and single.median:
                single.extra["ratio_cli"] = round(single.median / cli.median, 3)
                single.note = f"{single.extra['ratio_cli']:.3f}x the `newsarc search` process for the same query"
        now, peak = rss_kb(process.pid)
        memory = rows["serve_rss"]
        if now:
            memory.rss_kb = [peak]  # the peak, as the other RSS rows; the current figure is in rss_mb
            memory.extra["rss_mb"] = round(now / 1024, 1)
        else:
            memory.error = "no /proc on this system"
    finally:
        stop(process)
    return rows
