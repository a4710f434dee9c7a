"""The background catch-up: the process that indexes many changed article files while readers go on.

A reader (search, list, stats...) that finds more changed files than it indexes itself (an interrupted add, a
big `git pull`) answers from the index as it stands and starts this process (Store._start_catch_up), handing it
the archive lock it holds (newsarc.storage.locking.ArchiveLock.hand_over): the child inherits the locked
descriptor, so there is no moment when another reader could start a second catch-up, and writers wait for it as
for any writer. While it runs, readers say how many articles are not searchable yet.

Run as `python -m newsarc.storage.catchup ARCHIVE FD [--full]`; what it says (and a traceback, should it fail)
goes to .newsarc/catch-up.log when it ends.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Adopt the lock, index what changed, let the lock go, and leave what it said in the log."""
    import traceback

    from newsarc.pause_point import PausePoint
    from newsarc.storage.archive import Archive
    from newsarc.storage.atomic import atomic_write
    from newsarc.storage.store import CATCH_UP_LOG, Store

    root, fd = Path(argv[0]), int(argv[1])
    archive = Archive(root)
    said: list[str] = []
    status = 0
    try:
        archive.lock.adopt(fd)
        pause = PausePoint.from_environ()  # None but in tests of what readers answer meanwhile (pause_point)
        if pause is not None:
            pause.catch_up_started()
        store = Store(archive, warn=said.append)
        try:
            store.catch_up(full="--full" in argv[2:])
        finally:
            store.close()
    except Exception:
        said.append(traceback.format_exc().rstrip())
        status = 1
    try:  # written while the lock is still held: whoever waits for the lock finds the log complete
        atomic_write(archive.state_dir / CATCH_UP_LOG, "".join(f"{line}\n" for line in said), durable=False)
    finally:
        archive.lock.release()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
