"""A second process that indexes part of a bulk batch into a segment of its own, on the machine's other core.

Indexing is pure Python (analysis, then writing postings), so one process uses one core. For a big batch
(`add FOLDER`, `import`, `reindex`) the backend gives the second half of the batch's documents to this worker,
indexes the first half itself meanwhile, and commits both segments in one table of contents: the batch becomes
searchable at once, as before. Deletions of the paths being replaced, the merge policy and the commit stay in
the parent, which holds the index lock throughout; the worker only writes new segment files, which nothing
references until the parent's commit (a cancelled batch leaves files that the next commit cleans away).

The worker is a fresh interpreter (no fork of a process that has threads) that ignores Ctrl-C (the parent decides
what an interrupt stops) and returns when its input ends, so it does not outlive the command.
"""

from __future__ import annotations

import os
from typing import Any

# Below this many documents in a batch the worker's start (a Python process importing Whoosh, ~0.3 s) and the
# documents' trip through a pipe cost more than half the batch's indexing saves.
MIN_SPLIT = 400
ENV_DISABLE = "NEWSARC_INDEX_WORKER"  # "0": index in one process


def worker_wanted(batch_size: int) -> bool:
    """Whether a batch this big is worth splitting on this machine."""
    if os.environ.get(ENV_DISABLE, "") == "0":
        return False
    return batch_size >= MIN_SPLIT and (os.cpu_count() or 1) > 1


class WorkerFailed(Exception):
    """The worker could not index its share (it died, or raised): the parent indexes those documents itself."""


class SegmentWorker:
    """One long-lived worker process for a backend's bulk batches, spoken to in pickles over its stdin/stdout."""

    def __init__(self) -> None:
        self._process: Any = None
        self._busy = False

    def submit(self, directory: str, indexname: str, limitmb: int, documents: list[dict[str, Any]]) -> None:
        """Start indexing the documents into a new segment of the index in directory (WorkerFailed if the worker
        cannot be started or reached)."""
        import pickle

        try:
            if self._process is None or self._process.poll() is not None:
                self._start()
            pickle.dump((directory, indexname, limitmb, documents), self._process.stdin, pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except (OSError, pickle.PicklingError) as exc:
            self.close()
            raise WorkerFailed(f"the index worker could not be reached: {exc}") from exc
        self._busy = True

    def result(self) -> Any:
        """The finished segment (a Whoosh Segment), or WorkerFailed."""
        import pickle

        if not self._busy:
            raise WorkerFailed("nothing was submitted")
        self._busy = False
        try:
            status, value = pickle.load(self._process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self.close()
            raise WorkerFailed(f"the index worker stopped: {exc}") from exc
        if status != "ok":
            raise WorkerFailed(value)
        return value

    def close(self) -> None:
        """Stop the worker; one still writing a segment is killed (its files are unreferenced)."""
        import subprocess

        process, self._process = self._process, None
        if process is None:
            return
        try:
            if self._busy:
                process.kill()
            process.stdin.close()  # end of input: an idle worker returns
            process.wait(timeout=5)
        except (OSError, ValueError):
            pass
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            process.stdout.close()
            self._busy = False

    def _start(self) -> None:
        """A fresh interpreter running this module (not multiprocessing: its spawn re-imports the caller's main
        script, which fails for a script read from stdin), with this process's module path, in its process
        group (Ctrl-C reaches it; it ignores it)."""
        import os
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self._process = subprocess.Popen([sys.executable, "-m", "newsarc.index.whoosh_internals.segment_worker"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         env=env)


def _serve() -> None:
    """The worker's loop: (directory, indexname, limitmb, documents) in, ("ok", segment) or ("error", text) out."""
    import pickle
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            job = pickle.load(source)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", write_segment(*job))
        except Exception as exc:  # reported to the parent, which indexes the documents itself
            reply = ("error", f"{type(exc).__name__}: {exc}")
        pickle.dump(reply, sink, pickle.HIGHEST_PROTOCOL)
        sink.flush()


def write_segment(directory: str, indexname: str, limitmb: int, documents: list[dict[str, Any]]) -> Any:
    """Write the documents as one new segment of the index, without its lock or a commit; return the segment."""
    from whoosh import index

    from newsarc.index.whoosh_internals.bulk_writer import GroupedSegmentWriter

    ix = index.open_dir(directory, indexname=indexname)
    writer = GroupedSegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False)
    try:
        for document in documents:
            writer.add_document(**document)
        segment = writer._finalize_segment()
    except BaseException:
        writer._close_segment()
        raise
    # The temporary folder is the index's one, shared with the parent's writer: the parent's commit removes it.
    return segment


if __name__ == "__main__":
    _serve()
