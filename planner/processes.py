"""Child processes: none outlives an interrupted run.

PuLP runs CBC as a child process, and a sweep, a comparison and the re-plans of a plan's binding
limits run their plans in worker processes; when the planner is interrupted (Ctrl-C, SIGTERM) it
terminates the processes it started before it exits.
"""

from __future__ import annotations

import os
import signal


def child_pids(parent: int | None = None) -> list[int]:
    """Process ids whose parent is ``parent`` (default: this process); read from /proc, [] elsewhere."""
    parent = os.getpid() if parent is None else parent
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    found = []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and fields[1] == str(parent) and fields[0] != "Z":
            found.append(int(name))
    return found


def stop_children(signum: int = signal.SIGTERM) -> None:
    """Send ``signum`` to every child process of this process (a solver, a worker)."""
    for pid in child_pids():
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def _worker_sigterm(signum, frame) -> None:  # pragma: no cover - runs in a worker process
    stop_children()
    os._exit(128 + signum)


def init_worker() -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops the workers); SIGTERM stops
    the worker's own children (a CBC run) and ends the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
