"""The terminal the reports print to: as wide as the terminal, plain when redirected.

Width: ``COLUMNS`` when set, else the terminal's width, else (output to a file or a pipe)
:data:`FILE_WIDTH`. Colour and styles only reach a terminal; a file gets plain text (rich's own
detection, which also honours ``NO_COLOR``). A line of prose longer than the width wraps between
words and its continuation lines are indented two more columns than the line, so a sentence that
wraps still reads as one item and never runs into the next.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

#: Width of a report written to a file or a pipe when ``COLUMNS`` is not set.
FILE_WIDTH = 120
#: Continuation lines of wrapped prose are indented this much more than the first line.
HANG = 2


def report_width(stream=None) -> int | None:
    """The width to force, or None to let rich take ``COLUMNS`` or the terminal's width."""
    stream = sys.stdout if stream is None else stream
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    return FILE_WIDTH


class HangingText:
    """Text wrapped between words, continuation lines indented ``HANG`` more than the first."""

    def __init__(self, text: Text, indent: int):
        self.text = text
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        first = self.indent
        rest = first + HANG
        if width - rest < 20:  # too narrow to indent: plain wrapping
            first = rest = 0
        for i, line in enumerate(self.text.wrap(console, width - rest, overflow="fold")):
            pad = first if i == 0 else rest
            if pad:
                yield Segment(" " * pad)
            line.rstrip()
            yield from line.render(console, end="")
            yield Segment.line()


class ReportConsole(Console):
    """A Console whose one-string prints wrap with a hanging indent (see :class:`HangingText`) and whose
    tables fold a cell that does not fit rather than cut it off with an ellipsis."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        for obj in objects:
            if isinstance(obj, Table):  # a narrow terminal folds a cell; it never cuts off a name or a unit
                for column in obj.columns:
                    if column.overflow == "ellipsis":
                        column.overflow = "fold"
        if (len(objects) == 1 and isinstance(objects[0], str) and not kwargs.get("soft_wrap")
                and not kwargs.get("no_wrap") and kwargs.get("width") is None):
            raw = objects[0]
            body = raw.lstrip(" ")
            text = self.render_str(
                body, markup=kwargs.pop("markup", None), highlight=kwargs.pop("highlight", None),
                emoji=kwargs.pop("emoji", None),
            )
            if "\n" not in body and len(raw) - len(body) + text.cell_len > self.width:
                objects = (HangingText(text, len(raw) - len(body)),)
            else:
                objects = (Text(raw[: len(raw) - len(body)]) + text,)
        super().print(*objects, **kwargs)


def report_console(**kwargs: Any) -> ReportConsole:
    """A console for the report on standard output, sized as described above."""
    kwargs.setdefault("soft_wrap", False)
    return ReportConsole(width=report_width(kwargs.get("file")), **kwargs)


__all__ = ["FILE_WIDTH", "HangingText", "ReportConsole", "report_console", "report_width"]
