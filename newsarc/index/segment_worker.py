"""A second process that indexes part of a bulk batch into a segment of its own, on the machine's other core.

Indexing is pure Python (analysis, then writing postings), so one process uses one core. For a big batch
(`add FOLDER`, `import`, `reindex`) the backend gives the second half of the batch's documents to this worker,
indexes the first half itself meanwhile, and commits both segments in one table of contents: the batch becomes
searchable at once, as before. Deletions of the paths being replaced, the merge policy and the commit stay in
the parent, which holds the index lock throughout; the worker only writes new segment files, which nothing
references until the parent's commit (a cancelled batch leaves files that the next commit cleans away).

The worker is started with the "spawn" method (no fork of a process that has threads), ignores Ctrl-C (the parent
decides what an interrupt stops) and is a daemon, so it never outlives the command.
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
    """One long-lived worker process for a backend's bulk batches."""

    def __init__(self) -> None:
        self._process: Any = None
        self._conn: Any = None
        self._busy = False

    def submit(self, directory: str, indexname: str, limitmb: int, documents: list[dict[str, Any]]) -> None:
        """Start indexing the documents into a new segment of the index in directory."""
        if self._process is None or not self._process.is_alive():
            self._start()
        self._conn.send((directory, indexname, limitmb, documents))
        self._busy = True

    def result(self) -> Any:
        """The finished segment (a Whoosh Segment), or WorkerFailed."""
        if not self._busy:
            raise WorkerFailed("nothing was submitted")
        self._busy = False
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            self.close()
            raise WorkerFailed(f"the index worker stopped: {exc}") from exc
        if status != "ok":
            raise WorkerFailed(value)
        return value

    def close(self) -> None:
        """Stop the worker; one still writing a segment is killed (its files are unreferenced)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if self._busy:
                process.kill()
            else:
                self._conn.send(None)
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        except (OSError, ValueError):
            pass
        finally:
            self._conn.close()
            self._busy = False

    def _start(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True, name="newsarc-index-worker")
        self._process.start()
        child.close()
        self._conn = parent


def _serve(conn: Any) -> None:
    """The worker's loop: (directory, indexname, limitmb, documents) in, ("ok", segment) or ("error", text) out."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("ok", write_segment(*job)))
        except Exception as exc:  # reported to the parent, which indexes the documents itself
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def write_segment(directory: str, indexname: str, limitmb: int, documents: list[dict[str, Any]]) -> Any:
    """Write the documents as one new segment of the index, without its lock or a commit; return the segment."""
    from whoosh import index

    from newsarc.index.bulk_writer import GroupedSegmentWriter

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
