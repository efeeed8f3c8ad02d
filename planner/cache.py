"""The planner's folder in the user's cache: the pint registry and parsed weather files.

Both caches only save work; the planner gives the same answers without them. The folder is
``platformdirs.user_cache_dir("gpu-site-planner")`` (``~/.cache/gpu-site-planner`` on Linux), or
``$PLANNER_CACHE_DIR``; ``PLANNER_NO_CACHE=1`` turns caching off. A folder that cannot be
created or written is skipped silently, and an entry that cannot be read is rebuilt.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DIR = "PLANNER_CACHE_DIR"
ENV_OFF = "PLANNER_NO_CACHE"


def cache_disabled() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no", "off")


def cache_root() -> Path:
    given = os.environ.get(ENV_DIR, "").strip()
    if given:
        return Path(given).expanduser()
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("gpu-site-planner", appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs comes with pint
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Path(base) / "gpu-site-planner"


def cache_dir(sub: str) -> Path | None:
    """A writable sub-folder of the planner's cache, or None (caching off or not writable)."""
    if cache_disabled():
        return None
    path = cache_root() / sub
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(path, os.W_OK | os.X_OK):
        return None
    return path
