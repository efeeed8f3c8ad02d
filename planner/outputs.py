"""Output files: checked before any work starts, written atomically.

A report is written to a temporary file in the folder of its target, flushed to disk, then
renamed over the target (``os.replace``): a run that is killed, interrupted or out of disk
space leaves the previous file or none, never half a file.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console

from planner.load import InputError
from planner.spec.fields import path_problem


def output_problem(path: str | Path) -> str | None:
    """Why a report cannot be written to ``path`` (checked without writing), or None."""
    text = os.fspath(path)
    problem = path_problem(text)
    if problem:
        return problem
    if not text or text.endswith(os.sep):
        return "expected a file name, got a folder"
    target = Path(text)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        return f"{_first_file(target.parent)} is a file, not a folder"
    except OSError as err:
        return f"cannot use this path ({err.strerror})"
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return "is a folder; name a file in it"
        if not stat.S_ISREG(st.st_mode):
            return "is not a regular file (a device, pipe or socket); name a regular file"
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fst = os.stat(folder)
    except FileNotFoundError:
        return f"the folder {folder} does not exist"
    except NotADirectoryError:
        return f"{_first_file(folder)} is a file, not a folder"
    except OSError as err:
        return f"cannot use the folder {folder} ({err.strerror})"
    if not stat.S_ISDIR(fst.st_mode):
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in the folder {folder} (permission denied)"
    return None


def _first_file(folder: Path) -> Path:
    for parent in [*reversed(folder.parents), folder]:
        if parent.exists() and not parent.is_dir():
            return parent
    return folder


def check_outputs(**options: str | Path | None) -> None:
    """Refuse unusable output paths before anything is solved: ``check_outputs(json=..., csv=...)``.

    ``-`` (standard output) and None are always fine; two options naming one file are refused.
    """
    seen: dict[str, str] = {}
    for name, path in options.items():
        if path is None or str(path) == "-":
            continue
        option = f"--{name.replace('_', '-')}"
        problem = output_problem(path)
        if problem:
            raise InputError(option, str(path), problem)
        key = os.path.realpath(os.fspath(path))
        if key in seen:
            raise InputError(option, str(path), f"the same file as {seen[key]}; name another file")
        seen[key] = option


@contextlib.contextmanager
def atomic_path(path: str | Path, option: str = "--json") -> Iterator[Path]:
    """A temporary path in the folder of ``path``; renamed to ``path`` when the block succeeds.

    On any exception (including an interrupt) the temporary file is removed and the target is
    left as it was; a failed write (disk full, file-size limit) becomes an InputError naming
    ``option`` and the file.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise InputError(option, str(path), f"cannot write the file ({err.strerror})") from None
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            mode = os.stat(target).st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            kept = "the previous file is unchanged" if target.exists() else "no file was written"
            raise InputError(option, str(path), f"cannot write the file ({err.strerror or err}); {kept}") from None
        raise


def write_text_atomic(path: str | Path, text: str, option: str = "--json") -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, option) as tmp:
        tmp.write_text(text)


def write_exports_atomic(data: dict | None, rows: list[dict[str, Any]], json_out: Path | None,
                         csv_out: Path | None, out: Console, first_field: str) -> None:
    """:func:`planner.report.export.write_exports`, each file written atomically."""
    from planner.report.export import write_exports

    if json_out is not None and str(json_out) == "-":
        write_exports(data or {}, rows, json_out, None, out, first_field)
        json_out = None
    silent = Console(file=io.StringIO())
    if json_out is not None:
        with atomic_path(json_out) as tmp:
            write_exports(data or {}, rows, tmp, None, silent, first_field)
        out.print(f"JSON written to {json_out}", highlight=False)
    if csv_out is not None:
        with atomic_path(csv_out, "--csv") as tmp:
            write_exports(data or {}, rows, None, tmp, silent, first_field)
        out.print(f"CSV written to {csv_out}", highlight=False)


def out_dir_problem(path: str | Path) -> str | None:
    """Why report files cannot be written to the folder ``path`` (created if missing), or None."""
    text = os.fspath(path)
    problem = path_problem(text)
    if problem:
        return problem
    folder = Path(text)
    if folder.exists():
        if not folder.is_dir():
            return "is a file, not a folder"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"cannot write in the folder {folder} (permission denied)"
        return None
    parent = folder.parent if str(folder.parent) else Path(".")
    for p in [parent, *parent.parents]:
        if p.exists():
            if not p.is_dir():
                return f"{p} is a file, not a folder"
            if not os.access(p, os.W_OK | os.X_OK):
                return f"cannot create the folder in {p} (permission denied)"
            return None
    return None
