"""One build at a time per reports folder: ``reports/build.lock``.

The lock file holds the process id, start time and command of the build that holds
it. It is held with ``flock`` (an operating-system lock, released by the kernel when
the holding process ends, however it ends), so a build that crashed or was killed
never blocks the next one: its file is still there, the lock on it is not, and the
next build takes it over and says so. A build that ends normally removes the file.

Worker processes forked by the build close their copy of the lock file at once, so
the lock is held by the build process alone.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import CcgtoolsError

LOCK_NAME = "build.lock"
#: Seconds between two attempts to take a lock that another build holds.
POLL_S = 0.2

#: Descriptors of the lock files this process holds (closed in forked children).
_HELD: set[int] = set()


class BuildBusy(CcgtoolsError):
    """Another build holds the lock of this reports folder (and did not finish within ``--wait``)."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a build lock: what the lock file says."""

    pid: int
    started: str
    command: str

    def describe(self) -> str:
        """E.g. ``pid 4242, started 2026-11-24 06:00:01 +0000: ccgtools build``."""
        return f"pid {self.pid}, started {self.started}" + (f": {self.command}" if self.command else "")


def now_text() -> str:
    """The local time to the second with its UTC offset, as lock files and ``build.log`` write it."""
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def parse_holder(text: str) -> Holder | None:
    """The holder a lock file's text names; None for an empty or unreadable file."""
    try:
        record = json.loads(text)
        return Holder(int(record["pid"]), str(record.get("started", "")), str(record.get("command", "")))
    except (ValueError, TypeError, KeyError):
        return None


def _read(fd: int) -> str:
    return os.pread(fd, 1 << 16, 0).decode("utf-8", errors="replace")


def _write(fd: int, holder: Holder) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps({"pid": holder.pid, "started": holder.started, "command": holder.command})
                   + "\n").encode("utf-8"), 0)
    os.fsync(fd)


def _is_same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (a finishing build removes its lock file)."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _try_lock(path: Path) -> tuple[int | None, Holder | None]:
    """One attempt: (descriptor, what the file held before) when taken, else (None, current holder)."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = parse_holder(_read(fd))
        os.close(fd)
        return None, holder
    if not _is_same_file(fd, path):  # removed by the build that just finished: try again on the new file
        os.close(fd)
        return _try_lock(path)
    return fd, parse_holder(_read(fd))


def _close_in_child() -> None:
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def build_lock(reports_dir: Path, *, wait: float = 0.0, command: str = "",
               log: Callable[[str], None] = print) -> Iterator[Holder]:
    """Hold ``reports_dir/build.lock`` for the duration of a build.

    Parameters
    ----------
    reports_dir : Path
        The reports folder (it must exist).
    wait : float
        Seconds to wait for another build to finish; 0 gives up at once.
    command : str
        The command line, recorded in the lock file for whoever finds it held.
    log : callable
        Told when this build waits, and when it takes over the lock of a build that
        ended without releasing it.

    Yields
    ------
    Holder
        This build, as written in the lock file.

    Raises
    ------
    BuildBusy
        Another build still held the lock after ``wait`` seconds.
    """
    path = reports_dir / LOCK_NAME
    deadline = time.monotonic() + max(0.0, wait)
    announced = False
    while True:
        fd, previous = _try_lock(path)
        if fd is not None:
            break
        holder = previous.describe() if previous else "holder unknown"
        if time.monotonic() >= deadline:
            waited = f" after waiting {wait:g} s" if wait > 0 else ""
            raise BuildBusy(f"another build is running on {reports_dir} ({holder}); this one did not start"
                            f"{waited}. Use --wait SECONDS to wait for it, or run it later.")
        if not announced:
            log(f"Waiting up to {wait:g} s for the build running on {reports_dir} to finish ({holder}).")
            announced = True
        time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
    _HELD.add(fd)
    if previous is not None:
        log(f"Took over {path}: left by a build that ended without releasing it ({previous.describe()}; "
            "that process is gone).")
    me = Holder(os.getpid(), now_text(), command)
    try:
        _write(fd, me)
        yield me
    finally:
        path.unlink(missing_ok=True)  # before unlocking, so a waiting build never takes a removed file
        _HELD.discard(fd)
        os.close(fd)
