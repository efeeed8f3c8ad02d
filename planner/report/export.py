"""Write a table of plans as JSON (to a file or standard output) and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from planner.report.render import jsonable


def write_exports(data: dict, rows: list[dict[str, Any]], json_out: Path | None, csv_out: Path | None,
                  out: Console, first_field: str) -> None:
    """JSON of ``data`` to ``json_out`` ('-': standard output) and CSV of ``rows`` to ``csv_out``."""
    if json_out is not None:
        text = json.dumps(data, indent=2, default=lambda v: jsonable(v) if hasattr(v, "item") else str(v))
        if str(json_out) == "-":
            print(text)
        else:
            Path(json_out).write_text(text + "\n")
            out.print(f"JSON written to {json_out}", highlight=False)
    if csv_out is not None:
        with open(csv_out, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()) if rows else [first_field])
            writer.writeheader()
            writer.writerows(rows)
        out.print(f"CSV written to {csv_out}", highlight=False)


def csv_value(value) -> Any:
    """A CSV cell: '' for no value, a float to 6 significant digits, anything else as it is."""
    return "" if value is None else (float(f"{value:.6g}") if isinstance(value, float) else value)


def report_console(console: Console, json_out: Path | None) -> Console:
    """Where the text goes: standard error when the JSON goes to standard output ('--json -')."""
    quiet = json_out is not None and str(json_out) == "-"
    return Console(stderr=True, width=console.width) if quiet else console
