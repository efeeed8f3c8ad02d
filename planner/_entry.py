"""The `plan` console script: signal handlers first, then the (slow) imports.

Ctrl-C or SIGTERM while the planner's libraries load ends the process at once with the
same one-line message and exit code (130 / 143) as later on; nothing has been written yet.
"""

import os
import signal
import sys


def _early(signum, frame):  # pragma: no cover - timing dependent
    what = "interrupted (Ctrl-C)" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    try:
        os.write(2, f"plan: {what}; nothing more was written\n".encode())
    finally:
        os._exit(128 + signum)


def entry() -> None:
    signal.signal(signal.SIGINT, _early)
    signal.signal(signal.SIGTERM, _early)
    from planner.cli import EXIT_SIGNAL_BASE, main

    code = main()
    if code > EXIT_SIGNAL_BASE:
        # interrupted: leave now, without waiting for a solver thread or interpreter clean-up
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
