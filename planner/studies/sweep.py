"""What one more MW is worth: one plan per combination of varied values (`plan sweep`).

``plan sweep SITE --vary PATH=V1,V2,V3 [--vary PATH2=...]`` plans the site once
per point of the full factorial over the ``--vary`` options, each point being the
site file with those values set (as ``--set`` would), and tabulates, per point,
racks, GPUs, IT power, mining, capex, NOI, NOI less annualised capex, the
binding limit and, along each numeric varied path, the finite-difference
marginal value of one more unit of it ("+1 MW of site.grid_limit: +X MUSD/yr").

Each point is planned exactly as ``plan SITE`` plans it (every cooling option
free) through :func:`planner.studies.compare.plan_layout` with the free layout, so the
figures, the binding limit and the reasons of infeasible points are those of
``plan compare``.

Syntax of ``--vary``
--------------------
``PATH=V1,V2,...``: values are separated by commas that are outside quotes
(``'...'`` or ``"..."``) and brackets (``[...]``, ``{...}``). Each value is read
as a TOML value, else as a string, like ``--set``. So::

    --vary site.grid_limit='16 MW','18 MW','20 MW'    # the shell removes the quotes: 16 MW,18 MW,20 MW
    --vary "gpu_market.price=2.5 USD/GPU/h,3.25 USD/GPU/h"
    --vary "site.hall_area='1,000 m^2','2,000 m^2'"    # a comma inside a value: quote the value
    --vary "choices.racks=['gb300_nvl72'],['gb200_nvl72']"

Determinism
-----------
Points are built and sorted before any solving: by the values of the first
``--vary`` path, then the second, ... (numeric paths by their magnitude, other
values in the order given). Results are collected in that order whatever the
executor and the completion order. Each point has a stable id, a short hash
of the scenario name and all its overrides (``--set`` and varied), sorted.

Public API
----------
:func:`parse_vary`        ``--vary`` strings -> :class:`Axis` list
:func:`build_points`      validate every point (load_site) and sort them; no solving
:func:`run_points`        plan the points serially, in a process pool or with dask.distributed
:func:`add_marginals`     finite differences along each numeric path
:func:`sweep`             all of the above, pure, returns :class:`SweepPoint` list
:func:`sweep_and_report`  the `plan sweep` command: text, JSON, CSV, exit code
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from planner.studies.compare import (
    COLUMNS,
    HEADINGS,
    UNITS,
    _fmt,
    _short_binding,
    LayoutResult,
    free_layout,
    no_plan_code,
)
from planner.economics import objective_text
from planner.load import InputError, did_you_mean, input_errors, load_site
from planner.outputs import write_exports_atomic
from planner.report.export import csv_value, report_console
from planner.report.render import add_narrow_column, jsonable, narrow_table
from planner.studies.executors import EXECUTORS, check_executor, default_workers, run_tasks

OBJECTIVES = ("noi", "noi_less_annualised_capex")
INPUT_ERROR = "input error"
# figures in the table, in order (keys of planner.studies.compare.COLUMNS)
TABLE_KEYS = ("racks", "gpus", "it_typical", "mining_installed", "capex", "noi", "noi_less_annualised_capex")
TABLE_HEADINGS = {"it_typical": "IT", "mining_installed": "mining", "noi_less_annualised_capex": "NOI less ann. capex"}


# --- parsing ----------------------------------------------------------------------------------

VARY_SYNTAX = ("expected PATH=V1,V2,..., e.g. --vary site.grid_limit='16 MW','18 MW','20 MW' "
               "(values separated by commas outside quotes and brackets; quote a value that contains a comma)")


def split_values(text: str) -> list[str]:
    """Split ``V1,V2,...`` on commas outside quotes and brackets; pieces stripped.

    Raises ValueError on an unclosed quote or bracket, or an empty value.
    """
    pieces, cur, quote, depth = [], [], "", 0
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced '{ch}'")
        elif ch == "," and depth == 0:
            pieces.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if quote:
        raise ValueError(f"unclosed quote {quote}")
    if depth:
        raise ValueError("unclosed bracket")
    pieces.append("".join(cur).strip())
    if any(p == "" for p in pieces):
        raise ValueError("an empty value (two commas in a row, or a comma at the end)")
    return pieces


@dataclass(frozen=True)
class Axis:
    """One ``--vary`` option: a TOML path and its values (TOML values or strings), in the order given."""

    path: str
    values: tuple[Any, ...]
    texts: tuple[str, ...]  # each value for display: a string as read, anything else as written


def parse_vary(items: Sequence[str]) -> list[Axis]:
    """``--vary PATH=V1,V2`` strings -> axes. Values are read like ``--set`` (TOML, else string)."""
    from planner.overrides import parse_sets  # the --set value reading, shared

    axes: list[Axis] = []
    for item in items:
        if "=" not in item:
            raise InputError("--vary", item, VARY_SYNTAX)
        path, raw = (s.strip() for s in item.split("=", 1))
        if not path:
            raise InputError("--vary", item, VARY_SYNTAX)
        try:
            texts = split_values(raw)
        except ValueError as err:
            raise InputError("--vary", path, f"cannot read the values {raw!r}: {err}; {VARY_SYNTAX}") from None
        values = tuple(parse_sets([f"{path}={t}"])[path] for t in texts)
        keys = [_canon(v) for v in values]
        dup = next((t for t, k in zip(texts, keys) if keys.count(k) > 1), None)
        if dup is not None:
            raise InputError("--vary", path, f"the value {dup!r} is listed twice")
        if any(a.path == path for a in axes):
            raise InputError("--vary", path, "this path is varied twice; give all its values in one --vary")
        # shown as read: a string without the quotes it needed on the command line, else as written
        axes.append(Axis(path, values, tuple(v if isinstance(v, str) else t for v, t in zip(values, texts))))
    if not axes:
        raise InputError("--vary", "", VARY_SYNTAX)
    return axes


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# --- points -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """The value of a varied path at one point."""

    path: str
    raw: Any  # as set in the site data (TOML value or string)
    text: str  # for display (Axis.texts)
    number: float | None = None  # in ``unit`` when the path is numeric
    unit: str = ""  # the unit of the first value given for this path ("" for plain numbers)


@dataclass
class Outcome:
    """What a worker returns for one point (picklable: no PuLP model)."""

    result: LayoutResult  # planner.studies.compare's record, with ``plan`` dropped
    planned: bool
    objective_name: str = ""
    site_name: str = ""
    time_mode: str = ""
    model_hours: int = 0


@dataclass
class SweepPoint:
    """One combination of varied values, planned (or not)."""

    id: str
    values: tuple[Value, ...]
    overrides: dict[str, Any]  # every override of the point: --set, then the varied values
    outcome: Outcome | None = None
    # path -> {"from": id, "step": float, "unit": str, "noi": MUSD/yr per unit, "noi_less_annualised_capex": ...}
    marginal: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def planned(self) -> bool:
        return self.outcome is not None and self.outcome.planned

    @property
    def result(self) -> LayoutResult | None:
        return None if self.outcome is None else self.outcome.result

    def value_text(self) -> str:
        return ", ".join(f"{v.path} = {v.text}" for v in self.values)

    def objective_of(self, name: str) -> float | None:
        r = self.result
        return None if r is None or not self.planned else r.figures.get(name)


def point_id(scenario: str | None, overrides: dict[str, Any]) -> str:
    """A stable short id: a hash of the scenario name and the sorted overrides."""
    text = json.dumps({"scenario": scenario, "overrides": sorted(overrides.items())}, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def _spec_value(spec, dotted: str) -> Any:
    node = spec
    for part in dotted.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    return node


def _vary_origin(err: InputError, axes: Sequence[Axis]) -> InputError:
    """load_site says '(set by --set)' for every override; say --vary for the varied ones."""
    problems = []
    for path, message in err.problems:
        for a in axes:
            if path == a.path or path.startswith(a.path + ".") or path.startswith(a.path + "["):
                if message.endswith("(set by --set)"):
                    message = message[: -len("(set by --set)")] + "(set by --vary)"
                    break
        problems.append((path, message))
    return input_errors(err.file, problems)


def build_points(site: str | Path, axes: Sequence[Axis], *, sets: dict[str, Any] | None = None,
                 scenario: str | None = None,
                 validating: Callable[[int, int], None] | None = None) -> list[SweepPoint]:
    """Every point of the full factorial, each validated like the site file, sorted by its values.

    Raises :class:`InputError` (bad path with did-you-mean, bad unit with the
    expected kind, ...) before anything is solved.
    """
    from planner.spec.fields import Measured

    sets = dict(sets or {})
    references: dict[str, Any] = {}
    for a in axes:
        if a.path in sets:
            raise InputError("--vary", a.path, "also given with --set; vary it or set it, not both")
    points: list[SweepPoint] = []
    total = math.prod(len(a.values) for a in axes)
    for n, combo in enumerate(itertools.product(*[range(len(a.values)) for a in axes]), start=1):
        if validating:
            validating(n, total)
        overrides = dict(sets)
        for a, i in zip(axes, combo):
            overrides[a.path] = a.values[i]
        try:
            loaded = load_site(site, overrides=overrides, scenario=scenario)
        except InputError as err:
            raise _vary_origin(err, axes) from None
        values = []
        for a, i in zip(axes, combo):
            got = _spec_value(loaded.spec, a.path)
            number, unit = None, ""
            if isinstance(got, Measured):
                # in the unit of the path's first value (the first combination loads it first)
                ref = references.setdefault(a.path, got.quantity)
                number, unit = float(got.quantity.to(ref.units).magnitude), _unit_as_written(a.values[0])
            elif isinstance(got, (int, float)) and not isinstance(got, bool):
                number = float(got)
            values.append(Value(a.path, a.values[i], a.texts[i], number, unit))
        points.append(SweepPoint(point_id(scenario, overrides), tuple(values), overrides))
    # a path is numeric when every one of its values is; other paths keep the order given
    numeric = [all(p.values[k].number is not None for p in points) for k in range(len(axes))]
    for p in points:
        p.values = tuple(v if numeric[k] else Value(v.path, v.raw, v.text) for k, v in enumerate(p.values))
    return sorted(points, key=lambda p: tuple(v.number if numeric[k] else axes[k].texts.index(v.text)
                                              for k, v in enumerate(p.values)))


def _unit_as_written(raw: Any) -> str:
    """The unit of a value as the user wrote it: '18 MW' -> 'MW', '3.25 USD/GPU/h' -> 'USD/GPU/h'; '' for a number."""
    from planner.units import _NUMBER

    m = _NUMBER.match(raw) if isinstance(raw, str) else None
    return m.group("unit").strip() if m else ""


# --- planning ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """Everything a worker needs to plan one point (picklable)."""

    site: str
    overrides: dict[str, Any]
    scenario: str | None
    resolve_kw: dict[str, Any]
    solver: str = "highs"
    time_limit: float | None = None
    mip_gap: float | None = 1e-4
    strategy: str = "fast"


def plan_point(task: Task) -> Outcome:
    """Load, resolve and plan one point, as `plan SITE` would (every cooling option free).

    Runs in a worker; returns the compare module's result record without the
    PuLP model, so it crosses process boundaries.
    """
    from planner.studies import compare
    from planner.climate import ClimateError
    from planner.inputs import resolve

    start = time.perf_counter()
    free = free_layout()
    try:
        loaded = load_site(task.site, overrides=task.overrides, scenario=task.scenario)
        inp = resolve(loaded, **task.resolve_kw)
    except (InputError, ClimateError) as err:
        reason = str(err) if isinstance(err, InputError) else f"climate.weather_file: {err}"
        res = LayoutResult(free, INPUT_ERROR, reason, seconds=time.perf_counter() - start)
        return Outcome(res, False)
    try:
        res = compare.plan_layout(inp, free, solver=task.solver, time_limit=task.time_limit, mip_gap=task.mip_gap,
                                  strategy=task.strategy)
    except Exception as err:  # solver missing or crashed: list the point, keep the others
        res = LayoutResult(free, "error", f"no plan: {type(err).__name__}: {err}")
    planned = res.has_plan
    res.plan = None
    res.seconds = time.perf_counter() - start
    return Outcome(res, planned, inp.objective, inp.site_name, inp.time_mode, inp.hours)


def run_points(tasks: Sequence[Task], *, executor: str = "process", workers: int | None = None,
               progress: Callable[[int, Outcome], None] | None = None,
               fn: Callable[[Task], Outcome] = plan_point, scheduler: str | None = None) -> list[Outcome]:
    """Plan every task; the outcomes come back in the order of ``tasks`` whatever the completion order.

    Runs on the shared executors of :mod:`planner.studies.executors` (serial, a process pool, Dask).
    """
    return run_tasks(fn, tasks, executor=executor, workers=workers, scheduler=scheduler, progress=progress)


# --- marginal values --------------------------------------------------------------------------

def add_marginals(points: Sequence[SweepPoint], axes: Sequence[Axis]) -> None:
    """Finite differences along each numeric path between consecutive points.

    For each numeric varied path, points with the same values of every other
    varied path, in increasing order of that path, are paired; the later point
    gets (objective_b - objective_a) / (x_b - x_a), MUSD/yr per unit of the
    path (its first value's unit), for NOI and for NOI less annualised capex,
    when both points have a plan.
    """
    for k, a in enumerate(axes):
        if not all(p.values[k].number is not None for p in points):
            continue
        groups: dict[tuple, list[SweepPoint]] = {}
        for p in points:
            rest = tuple(_canon(v.raw) for j, v in enumerate(p.values) if j != k)
            groups.setdefault(rest, []).append(p)
        for members in groups.values():
            members = sorted(members, key=lambda p: p.values[k].number)
            for prev, cur in zip(members, members[1:]):
                step = cur.values[k].number - prev.values[k].number
                if step == 0 or not (prev.planned and cur.planned):
                    continue
                entry: dict[str, Any] = {"from": prev.id, "step": step, "unit": cur.values[k].unit}
                for name in OBJECTIVES:
                    entry[name] = (cur.objective_of(name) - prev.objective_of(name)) / step
                cur.marginal[a.path] = entry


# --- the whole sweep --------------------------------------------------------------------------

def resolve_kw(days: int | None, bin_k: float | None) -> dict[str, Any]:
    if days is not None and bin_k is not None:
        raise InputError("--days", str(days), "give --days or --bin, not both")
    if days is not None and days < 1:
        raise InputError("--days", str(days), "expected a whole number of days >= 1")
    if bin_k is not None and bin_k < 0:
        raise InputError("--bin", str(bin_k), "expected a temperature bin >= 0 K")
    return {"time_mode": "days", "days": days} if days else {"bin_k": 2.0 if bin_k is None else (bin_k or None)}


MAX_POINTS = 200  # a larger sweep needs --yes (or --max-points)


def sweep_size(axes: Sequence[Axis]) -> tuple[int, str]:
    """The number of points and how it arises, e.g. (12, '3 x 4')."""
    return math.prod(len(a.values) for a in axes), " x ".join(str(len(a.values)) for a in axes)


def check_size(axes: Sequence[Axis], max_points: int | None) -> None:
    """Refuse a sweep of more than ``max_points`` points before anything is validated or solved."""
    n, how = sweep_size(axes)
    if max_points is not None and n > max_points:
        raise InputError("--vary", " ".join(a.path for a in axes),
                         f"{n:,} points ({how} values) exceed the limit of {max_points:,} points per sweep; "
                         "pass --yes to run them all, or raise the limit with --max-points N")


def sweep(site: str | Path, vary: Sequence[str] | Sequence[Axis], *, sets: dict[str, Any] | None = None,
          scenario: str | None = None, days: int | None = None, bin_k: float | None = None,
          time_limit: float | None = 120.0, solver: str = "highs", mip_gap: float | None = 1e-4,
          executor: str = "process", workers: int | None = None,
          progress: Callable[[int, Outcome], None] | None = None,
          max_points: int | None = None,
          validating: Callable[[int, int], None] | None = None,
          strategy: str = "fast", scheduler: str | None = None) -> tuple[list[Axis], list[SweepPoint]]:
    """Validate every point, plan them, add the marginal values; pure (no printing).

    Raises :class:`InputError` for any bad input, before anything is solved, and when the sweep
    has more than ``max_points`` points (None: no limit).
    """
    from planner.solve import SOLVERS

    if solver not in SOLVERS:
        raise InputError("--solver", solver, f"unknown solver{did_you_mean(solver, SOLVERS)}")
    check_executor(executor, workers, scheduler)
    kw = resolve_kw(days, bin_k)
    axes = list(vary) if all(isinstance(a, Axis) for a in vary) else parse_vary([str(v) for v in vary])
    check_size(axes, max_points)
    points = build_points(site, axes, sets=sets, scenario=scenario, validating=validating)
    site_abs = str(Path(site).resolve())
    tasks = [Task(site_abs, p.overrides, scenario, kw, solver, time_limit, mip_gap, strategy) for p in points]
    for p, o in zip(points, run_points(tasks, executor=executor, workers=workers, progress=progress,
                                                scheduler=scheduler)):
        p.outcome = o
    add_marginals(points, axes)
    return axes, points


# --- report -----------------------------------------------------------------------------------

def _marginal_text(v: float | None) -> str:
    if v is None:
        return "-"
    if v == 0 or abs(v) >= 0.01:
        return f"{v:+,.2f}"
    return f"{v:+.3g}"


def _number_text(x: float) -> str:
    return f"{x:g}"


def _numeric_axes(axes: Sequence[Axis], points: Sequence[SweepPoint]) -> list[tuple[int, Axis]]:
    return [(k, a) for k, a in enumerate(axes)
            if len(a.values) > 1 and points and all(p.values[k].number is not None for p in points)]


def _objective_name(points: Sequence[SweepPoint]) -> str:
    return next((p.outcome.objective_name for p in points if p.outcome and p.outcome.objective_name), "noi")


def _path_lines(path: str) -> list[str]:
    """'site.grid_limit' -> ['site.', 'grid_limit']: narrow table headings."""
    parts = path.split(".")
    return [p + "." for p in parts[:-1]] + parts[-1:]


def _step_label(axis: Axis, unit: str) -> str:
    return f"+1 {unit} of {axis.path}" if unit else f"+1 of {axis.path}"


def render_sweep(axes: Sequence[Axis], points: Sequence[SweepPoint], console: Console, *, site_name: str = "",
                 scenario: str | None = None, system: str = "si") -> None:
    """The table of points, the marginal values along each numeric path, and the reasons of points without a plan.

    ``system`` ("si" or "us", as ``plan --units``) converts the varied values (m^2 to ft^2, degC to degF) and
    the marginal values per unit of them (per ft^2, per degF)."""
    from planner.report.usunits import convert, per_unit
    obj = _objective_name(points)
    obj_label = "NOI" if obj == "noi" else "NOI less annualised capex"
    some = next((p.outcome for p in points if p.outcome and p.outcome.time_mode), None)
    head = f"Sweep at {site_name}" + (f", scenario '{scenario}'" if scenario else "")
    console.rule(f"[bold]{escape(head)}")
    console.print(f"  {len(points)} points: " + " x ".join(f"{a.path} ({len(a.values)})" for a in axes)
                  + "; each planned as `plan SITE` plans it (every cooling option free) and audited for all 8760 h",
                  highlight=False)
    console.print(f"  objective: {objective_text(obj)} (economics.objective)"
                  + (f"; planned on {some.time_mode}" if some else ""), highlight=False)

    numeric = _numeric_axes(axes, points)
    written = {a.path: (points[0].values[k].unit if points and points[0].values[k].number is not None else "")
               for k, a in enumerate(axes)}
    units = {path: convert(1.0, unit, system)[1] for path, unit in written.items()}  # as shown
    steps = {path: per_unit(1.0, unit, system)[1] for path, unit in written.items()}  # marginal value per +1 of

    def marginal(value: float | None, path: str) -> str:
        return _marginal_text(per_unit(value, written[path], system)[0])

    def table(figures: bool, marginals: tuple[str, ...]) -> RichTable:
        """Point, varied values, [status, figures], marginal columns of ``marginals``, [binding limit]."""
        t = narrow_table()

        def col(lines: list[str], unit: str, right: bool = True, no_wrap: bool | None = None) -> None:
            add_narrow_column(t, lines, unit, right=right, no_wrap=right if no_wrap is None else no_wrap)

        col(["point"], "", right=False, no_wrap=True)
        for k, a in enumerate(axes):
            col(_path_lines(a.path), units[a.path], right=bool(units[a.path]) or (
                bool(points) and points[0].values[k].number is not None))
        if figures:
            col(["status"], "", right=False, no_wrap=True)
            for key in TABLE_KEYS:
                col(textwrap.wrap(TABLE_HEADINGS.get(key, HEADINGS[key]), 8, break_long_words=False), UNITS[key])
        for name in marginals:
            label = "NOI" if name == "noi" else "NOI less ann. capex"
            for k, a in numeric:
                step = f"+1 {steps[a.path]} of" if steps[a.path] else "+1 of"
                col(textwrap.wrap(f"{label} per", 10, break_long_words=False) + [step] + _path_lines(a.path),
                    "MUSD/yr")
        if figures:
            col(["binding", "limit"], "", right=False)
        for p in points:
            r = p.result
            cells = [p.id] + [_number_text(convert(v.number, written[v.path], system)[0]) if v.number is not None
                              else v.text for v in p.values]
            if figures:
                cells.append(r.status_text())
                cells += [_fmt(r.figures.get(key), UNITS[key]) if p.planned else "-" for key in TABLE_KEYS]
            for name in marginals:
                for k, a in numeric:
                    m = p.marginal.get(a.path)
                    cells.append(marginal(m[name], a.path) if m else "-")
            if figures:
                cells.append(_short_binding(r.binding) if p.planned else "see below")
            t.add_row(*[escape(c) for c in cells], style=None if p.planned else "dim")
        return t

    full = table(True, (obj,))
    from rich.measure import Measurement

    wide = Measurement.get(console, console.options.update_width(10_000), full).maximum
    if not numeric or wide <= console.width:
        console.print(full)
    else:  # too wide for the console: the marginal values in a table of their own
        console.print(table(True, ()))
        console.print()
        console.print("  marginal values: change of NOI and of NOI less annualised capex from the previous point "
                      "along each path (other varied values equal), per +1 unit of the path", highlight=False)
        console.print(table(False, OBJECTIVES))

    for k, a in (numeric if len(axes) == 1 else []):  # several paths: the table says it
        lines = []
        for p in points:
            m = p.marginal.get(a.path)
            if not m:
                continue
            prev = next(q for q in points if q.id == m["from"])
            others = [v for j, v in enumerate(p.values) if j != k]
            where = f" at {', '.join(f'{v.path} = {v.text}' for v in others)}" if others else ""
            lines.append(
                f"  {_step_label(a, steps[a.path])}: {marginal(m[obj], a.path)} MUSD/yr of {obj_label} "
                f"(from {prev.values[k].text} to {p.values[k].text}{where}; "
                f"{'NOI less annualised capex' if obj == 'noi' else 'NOI'}: "
                f"{marginal(m['noi_less_annualised_capex' if obj == 'noi' else 'noi'], a.path)} MUSD/yr)")
        if lines:
            console.print(f"  marginal value of {a.path} (finite difference between consecutive points):",
                          highlight=False)
            for line in lines:
                console.print(line, highlight=False, markup=False)
    for p in points:
        if not p.planned:
            console.print(f"  {p.id} ({p.value_text()}): {p.result.reason}", highlight=False, markup=False)
    for p in points:
        if p.planned and p.result.binding.startswith("cooling at design"):
            console.print(f"  {p.id}: {p.result.binding}", highlight=False, markup=False)


def points_to_rows(axes: Sequence[Axis], points: Sequence[SweepPoint]) -> list[dict[str, Any]]:
    """Flat rows for CSV: one per point; headings carry their units."""
    numeric = _numeric_axes(axes, points)
    rows = []
    for p in points:
        r = p.result
        row: dict[str, Any] = {"point": p.id}
        for v in p.values:
            if v.number is not None:
                row[f"{v.path} [{v.unit or '-'}]"] = float(f"{v.number:.12g}")
            else:
                row[v.path] = v.text
        row["status"] = r.status
        row["audit violations"] = "" if r.audit_violations is None else r.audit_violations
        for k, heading, unit in COLUMNS:
            if k == "gap_to_best":
                continue
            row[f"{heading} [{unit}]"] = csv_value(jsonable(r.figures.get(k)) if p.planned else None)
        row["objective [MUSD/yr]"] = csv_value(r.objective if p.planned else None)
        for k, a in numeric:
            m = p.marginal.get(a.path)
            unit = p.values[k].unit
            for name, label in (("noi", "NOI"), ("noi_less_annualised_capex", "NOI less annualised capex")):
                row[f"marginal {label} per {_step_label(a, unit)} [MUSD/yr]"] = (
                    "" if not m else float(f"{m[name]:.6g}"))
        row["binding limit"] = r.binding
        row["reason"] = r.reason
        rows.append(row)
    return rows


def point_to_dict(p: SweepPoint) -> dict[str, Any]:
    r = p.result
    o = p.outcome
    return {
        "id": p.id,
        "values": {v.path: {"as_written": v.raw, "value": v.number, "unit": v.unit if v.number is not None else None}
                   for v in p.values},
        "overrides": dict(p.overrides),
        "status": r.status,
        "planned": p.planned,
        "reason": r.reason or None,
        "binding_limit": r.binding or None,
        "audit_violations": r.audit_violations,
        "objective": {"name": o.objective_name or None, "value": jsonable(r.objective), "unit": "MUSD/yr"},
        "figures": {k: {"value": jsonable(r.figures.get(k)) if p.planned else None, "unit": UNITS[k]}
                    for k, _, _ in COLUMNS if k != "gap_to_best"},
        "marginal": {
            path: {"from_point": m["from"], "step": m["step"], "step_unit": m["unit"],
                   "noi": {"value": m["noi"], "unit": f"MUSD/yr per {m['unit'] or 'unit'}"},
                   "noi_less_annualised_capex": {"value": m["noi_less_annualised_capex"],
                                                 "unit": f"MUSD/yr per {m['unit'] or 'unit'}"}}
            for path, m in p.marginal.items()
        },
        "mip_gap": jsonable(r.mip_gap),
        "seconds": round(r.seconds, 3),
    }


def sweep_and_report(site: Path, console: Console, *, vary: Sequence[str], sets: dict[str, Any],
                     scenario: str | None, days: int | None, bin_k: float | None, time_limit: float | None,
                     solver: str, executor: str, workers: int | None, json_out: Path | None,
                     csv_out: Path | None, mip_gap: float | None = 1e-4,
                     max_points: int | None = MAX_POINTS, strategy: str = "fast", out_dir: Path | None = None,
                     units: str = "si", scheduler: str | None = None) -> int:
    """`plan sweep`: plan every point, print the table, write JSON and CSV; return the exit code.

    Raises :class:`InputError` on bad input, before any solving (the CLI prints
    it and exits 2). Returns 0 when at least one point has a plan, else 3 when
    every point is infeasible, or 4 when the solver stopped without a design;
    2 when a point failed when its inputs were resolved (a weather file that
    cannot be read: the only input errors found in the workers).
    """
    out = report_console(console, json_out)
    err = Console(stderr=True)
    start = time.perf_counter()
    n_done = [0]
    total = [0]

    def progress(i: int, o: Outcome) -> None:
        n_done[0] += 1
        if err.is_terminal or total[0] >= 10:
            err.print(f"  planned {n_done[0]}/{total[0]}: {o.result.status} in {o.result.seconds:.1f} s",
                      highlight=False)

    axes = parse_vary(vary)
    check_executor(executor, workers, scheduler)
    n_workers = 1 if executor == "serial" else (workers or default_workers())
    total[0], how = sweep_size(axes)
    check_size(axes, max_points)
    err.print(f"sweep: {total[0]:,} point{'s' if total[0] != 1 else ''} ({how}), "
              f"{min(n_workers, total[0])} worker{'s' if min(n_workers, total[0]) != 1 else ''} ({executor})",
              highlight=False)
    step = max(1, total[0] // 10)

    def validating(n: int, of: int) -> None:
        if of >= 20 and (n == 1 or n % step == 0 or n == of):
            err.print(f"  validating point {n}/{of}", highlight=False)

    axes, points = sweep(site, axes, sets=sets, scenario=scenario, days=days, bin_k=bin_k, time_limit=time_limit,
                         solver=solver, mip_gap=mip_gap, executor=executor, workers=workers, progress=progress,
                         max_points=max_points, validating=validating, strategy=strategy,
                         scheduler=scheduler)
    wall = time.perf_counter() - start
    site_name = next((p.outcome.site_name for p in points if p.outcome and p.outcome.site_name), str(site))
    render_sweep(axes, points, out, site_name=site_name, scenario=scenario, system=units)
    if sets:
        out.print("  overrides: " + ", ".join(f"{k} = {v!r}" for k, v in sets.items()), highlight=False)
    planning = sum(p.result.seconds for p in points)
    out.print(f"  timing: {len(points)} points in {wall:.1f} s ({planning:.1f} s planning; executor {executor}, "
              f"{min(n_workers, len(points))} worker{'s' if min(n_workers, len(points)) > 1 else ''})",
              highlight=False, style="dim")

    data = None
    if json_out is not None or out_dir is not None:
        some = next((p.outcome for p in points if p.outcome and p.outcome.time_mode), None)
        data = {
            "site": str(site),
            "site_name": site_name,
            "scenario": scenario,
            "overrides": dict(sets),
            "vary": [{"path": a.path, "values": list(a.values),
                      "unit": (points[0].values[k].unit if points and points[0].values[k].number is not None else None)}
                     for k, a in enumerate(axes)],
            "objective": _objective_name(points),
            "time_resolution": some.time_mode if some else None,
            "model_hours": some.model_hours if some else None,
            "executor": executor,
            "workers": min(n_workers, len(points)),
            "seconds": round(wall, 3),
            "points": [point_to_dict(p) for p in points],
        }
    rows = points_to_rows(axes, points) if csv_out is not None or out_dir is not None else []
    write_exports_atomic(data, rows if csv_out is not None else [], json_out, csv_out, out, first_field="point")
    if out_dir is not None:
        from planner.report.files import sweep_figures, write_side_by_side

        os.makedirs(out_dir, exist_ok=True)
        written = write_side_by_side(Path(out_dir), "sweep", f"Sweep of {site_name}", data, rows,
                                     figures=sweep_figures(axes, points), system=units)
        out.print(f"sweep written to {out_dir}: {', '.join(p.name for p in written)}", highlight=False)

    if any(p.result.status == INPUT_ERROR for p in points):  # found when resolving (weather file, ...)
        out.print("[bold red]input error[/bold red] at some points (listed above)", highlight=False)
        return 2
    if any(p.planned for p in points):
        return 0
    out.print("[bold red]no point has a plan[/bold red]", highlight=False)
    return no_plan_code(p.result.status for p in points)


__all__ = [
    "Axis", "Value", "SweepPoint", "Outcome", "Task", "EXECUTORS", "split_values", "parse_vary", "point_id",
    "build_points", "plan_point", "run_points", "add_marginals", "sweep", "sweep_and_report", "render_sweep",
    "points_to_rows", "point_to_dict",
]
