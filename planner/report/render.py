"""Render report sections as rich text or JSON; every number goes out with its unit."""

from __future__ import annotations

import json
import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from planner.report.figures import Section


def fmt(value, unit: str = "") -> str:
    """A number with its unit, rounded for reading: '18 MW', '1,426 h', '0.0123 MW'."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value if not unit else f"{value} {unit}"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        text = f"{value:,d}"
    else:
        v = float(value)
        if not math.isfinite(v):
            text = str(v)
        elif v == 0:
            text = "0"
        elif abs(v) >= 1000:
            text = f"{v:,.0f}"
        elif abs(v) >= 100:
            text = f"{v:.1f}"
        elif abs(v) >= 1:
            text = f"{v:#.3g}" if abs(v) < 10 else f"{v:.2f}"
        else:
            text = f"{v:.3g}"
    return f"{text} {unit}".strip()


def narrow_table() -> RichTable:
    """A borderless table for many numeric columns under narrow, wrapped headings."""
    return RichTable(show_header=True, header_style="bold", box=None, pad_edge=False, collapse_padding=True)


def add_narrow_column(t: RichTable, lines: list[str], unit: str, *, right: bool, no_wrap: bool) -> None:
    """A column headed by ``lines`` and ``[unit]`` (escaped: rich would read "[MW]" as markup)."""
    text = "\n".join(lines) + (f"\n[{unit}]" if unit else "")
    t.add_column(escape(text), justify="right" if right else "left", no_wrap=no_wrap, overflow="fold",
                 vertical="top")


def render_text(sections: list[Section], console: Console) -> None:
    for s in sections:
        console.rule(f"[bold]{s.title}")
        for t in s.tables:
            if not t.rows:
                continue
            rt = RichTable(show_header=True, header_style="bold", box=None, pad_edge=False)
            for heading, unit in t.columns:
                # escaped: rich would read "[racks]" or "[m^3/yr]" as a markup tag and drop it
                rt.add_column(escape(f"{heading}" + (f" [{unit}]" if unit else "")), justify="left" if not unit else "right")
            for row in t.rows:
                rt.add_row(*[fmt(v, "") if unit else str(v) for v, (_, unit) in zip(row, t.columns)])
            console.print(rt)
        for f in s.figures:
            note = f"  [dim]({f.note})[/dim]" if f.note else ""
            console.print(f"  {f.label}: [bold]{fmt(f.value, f.unit)}[/bold]{note}", highlight=False)
        for line in s.lines:
            console.print(f"  {line}", highlight=False)


def jsonable(value):
    """A JSON-ready scalar: NumPy scalars as Python numbers, NaN and infinity as None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def sections_to_dict(sections: list[Section]) -> dict:
    out = {}
    for s in sections:
        sec = {}
        for f in s.figures:
            sec[f.label] = {"value": jsonable(f.value), "unit": f.unit, **({"note": f.note} if f.note else {})}
        for t in s.tables:
            sec[t.title] = [
                {h: {"value": jsonable(v), "unit": u} if u else jsonable(v) for v, (h, u) in zip(row, t.columns)}
                for row in t.rows
            ]
        if s.lines:
            sec["notes"] = list(s.lines)
        out[s.title] = sec
    return out


def render_json(sections: list[Section], extra: dict | None = None) -> str:
    data = sections_to_dict(sections)
    if extra:
        data.update(extra)
    return json.dumps(data, indent=2, sort_keys=False, default=jsonable)


def section_lines(section: Section) -> list[str]:
    """A section as plain lines of text (no markup): its tables row by row, its figures, its notes."""
    out = []
    for t in section.tables:
        for row in t.rows:
            out.append("; ".join(f"{h}: {fmt(v, u) if u else v}" for v, (h, u) in zip(row, t.columns)))
    for f in section.figures:
        out.append(f"{f.label}: {fmt(f.value, f.unit)}" + (f" ({f.note})" if f.note else ""))
    out += list(section.lines)
    return out
