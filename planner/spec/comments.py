"""The comments of a TOML file by the dotted path of the value they annotate: the sources a site file names.

A site file says where its figures come from in comments, e.g.
``grid_limit = "18 MW"  # gross site power [S] pulse2.com``. :func:`toml_comments` reads them by lines,
independently of the TOML parser (which drops comments): the comment at the end of a ``key = value``
line, or else the block of comment lines directly above it. Table headers (``[a.b]``) and arrays of
tables (``[[a]]``, numbered from 0) prefix the keys below them. A value that spans lines (an array or
a multi-line string) is passed over to its end. Whatever the lines cannot say is simply absent: the
comments are documentation, never input.
"""

from __future__ import annotations

import re
from pathlib import Path

_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$""")
_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _dotted(key: str) -> str:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return ".".join(p.strip("\"'") for p in parts)


def _scan(text: str, depth: int, in_multiline: str) -> tuple[int, str, str | None]:
    """Bracket depth and open multi-line string after ``text``, and its trailing comment (outside strings)."""
    i, n = 0, len(text)
    while i < n:
        if in_multiline:
            end = text.find(in_multiline, i)
            if end < 0:
                return depth, in_multiline, None
            i, in_multiline = end + 3, ""
            continue
        ch = text[i]
        if text.startswith(('"""', "'''"), i):
            in_multiline, i = text[i:i + 3], i + 3
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if ch == '"' and text[j] == "\\" else 1
            i = j + 1
        elif ch == "#":
            return depth, in_multiline, text[i + 1:].strip()
        else:
            depth += (ch in "[{") - (ch in "]}")
            i += 1
    return depth, in_multiline, None


def toml_comments(path: str | Path) -> dict[str, str]:
    """The comment of each value of a TOML file by its dotted path (``site.grid_limit``).

    Parameters
    ----------
    path : str or Path
        The file; one that cannot be read as UTF-8 text has no comments.

    Returns
    -------
    dict of str to str
        Path -> comment text without its ``#``; values without a comment are absent.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, str] = {}
    prefix, above = "", []
    counts: dict[str, int] = {}
    depth, multiline = 0, ""
    for line in lines:
        if depth > 0 or multiline:  # inside a value that spans lines
            depth, multiline, _ = _scan(line, depth, multiline)
            continue
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        table = _TABLE.match(line)
        if table and not _KEY.match(line):
            name = _dotted(table.group(2))
            if table.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                name = f"{name}[{counts[name]}]"
            prefix, above = name + ".", []
            continue
        key = _KEY.match(line)
        if key:
            depth, multiline, comment = _scan(key.group(2), 0, "")
            text = comment or " ".join(a for a in above if a)
            if text:
                out[prefix + _dotted(key.group(1))] = text
        above = []
    return out


def comment_for(comments: dict[str, str], path: str) -> str:
    """The comment of ``path``, or of the array it is an element of (``x[3]`` -> ``x``)."""
    while path:
        if path in comments:
            return comments[path]
        trimmed = re.sub(r"\[\d+\]$", "", path)
        if trimmed == path:
            return ""
        path = trimmed
    return ""


__all__ = ["comment_for", "toml_comments"]
