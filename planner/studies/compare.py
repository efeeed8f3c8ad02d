"""Cooling layouts side by side, and the same per what-if scenario (`plan compare`).

A *layout* restricts the heat-rejection modules the **liquid** loop may use
(dry coolers only, a cooling tower, ...). The air-side loop (~20 degC chilled
water for the rack air heat) keeps its free choice unless a site layout names
its modules too: at 20 degC it needs chilled water in summer whatever the
liquid loop does. Each layout is planned with the same MILP on the same inputs
(only ``Inputs.heat_rejection`` is filtered), audited for every hour, and the
layouts are ranked by the site's objective (``economics.objective``) as the
audit evaluates it over the year, HOMER-style. A layout that cannot work is
listed with its reason, not dropped.

Public API
----------
:func:`layout_specs`      the layouts to compare for some inputs (built-in, site, free optimum)
:func:`compare_layouts`   plan each layout; pure, returns ranked :class:`LayoutResult`
:func:`compare_and_report` the `plan compare` command: scenarios, text, JSON and CSV
"""

from __future__ import annotations

import dataclasses
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from rich.console import Console
from rich.table import Table as RichTable

from planner.audit import areas, gpu_count
from planner.economics import objective_text
from planner.inputs import Inputs
from planner.load import InputError, did_you_mean, load_site
from planner.report.figures import assist_mask, energy_year, hottest_hour, pue_at
from planner.outputs import write_exports_atomic
from planner.report.export import csv_value, report_console
from planner.report.render import add_narrow_column, jsonable, narrow_table
from planner.report.usunits import convert, unit_label

FREE = "free optimum"
BUILTIN_LAYOUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dry coolers only", ("dry_cooler",)),
    ("adiabatic dry coolers", ("adiabatic_cooler",)),
    ("cooling tower", ("cooling_tower",)),
    ("dry coolers + trim chiller", ("dry_cooler", "air_cooled_chiller")),
)
# statuses of a layout without a plan
NOT_OFFERED = "not offered"
INFEASIBLE = "infeasible"

GRID_TOL = 1e-3  # a grid limit within 0.1 % counts as binding
AREA_TOL = 5e-3  # hall, yard, budget within 0.5 %


@dataclass(frozen=True)
class LayoutSpec:
    """Which heat-rejection modules each loop may use.

    ``liquid`` / ``air`` are heat-rejection ids; ``None`` means any module the
    site offers. ``missing`` says why the layout cannot be built from the
    site's choices (it is then listed, not planned).
    """

    name: str
    liquid: tuple[str, ...] | None
    air: tuple[str, ...] | None = None
    source: str = "built-in"
    missing: str = ""
    note: str = ""


# (key, heading, unit) of every figure of a layout, in table order
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("racks", "racks", "racks"),
    ("gpus", "GPUs", "GPU"),
    ("it_typical", "IT typical", "MW"),
    ("mining_installed", "mining installed", "MW"),
    ("pue_annual", "PUE annual", "-"),
    ("pue_hottest_hour", "PUE hottest hour", "-"),
    ("water", "water", "m^3/yr"),
    ("wue", "WUE", "L/kWh"),
    ("assist_hours_liquid", "adiabatic/chiller hours, liquid loop", "h"),
    ("assist_hours_air", "adiabatic/chiller hours, air loop", "h"),
    ("cooling_energy", "cooling energy", "MWh/yr"),
    ("capex", "capex", "MUSD"),
    ("noi", "NOI", "MUSD/yr"),
    ("noi_less_annualised_capex", "NOI less annualised capex", "MUSD/yr"),
    ("gap_to_best", "gap to best", "MUSD/yr"),
)
UNITS = {key: unit for key, _, unit in COLUMNS}
HEADINGS = {key: heading for key, heading, _ in COLUMNS}


@dataclass
class LayoutResult:
    """One layout planned (or not) at one site and scenario."""

    layout: LayoutSpec
    status: str  # optimal, time_limit, infeasible, not offered, no_solution, error, unbounded
    reason: str = ""
    figures: dict[str, float | int | None] = field(default_factory=dict)
    modules: dict[str, int] = field(default_factory=dict)  # "id@loop" -> count installed
    objective: float | None = None  # MUSD/yr, the site's objective from the full-year audit
    model_objective: float | None = None  # MUSD/yr, the MILP's objective (on its model hours)
    model_bound: float | None = None  # MUSD/yr
    mip_gap: float | None = None  # relative
    rank: int | None = None
    binding: str = ""
    audit_violations: int | None = None
    seconds: float = 0.0
    plan: Any = field(default=None, repr=False)  # planner.plan.PlanResult when solved (a DetachedPlan from a worker)
    results: Any = field(default=None, repr=False)  # planner.results.PlanResults, built by a worker when asked for

    def plan_results(self, loaded):
        """The plan's results model (:func:`planner.results.build_results`): as a worker built it, or built now."""
        if self.results is not None:
            return self.results
        if isinstance(self.plan, DetachedPlan):
            raise ValueError(f"layout {self.name!r} was planned in a worker process without site=, which builds "
                             "its results model there")
        from planner.results import build_results

        return build_results(self.plan, loaded)

    @property
    def name(self) -> str:
        return self.layout.name

    @property
    def has_plan(self) -> bool:
        return self.plan is not None and self.plan.design is not None

    def status_text(self) -> str:
        text = self.status
        if self.status == "time_limit" and self.mip_gap is not None:
            text = f"time limit, gap {self.mip_gap * 100:.2g} %"
        if self.audit_violations:
            text += f"; audit: {_violations_text(self.audit_violations)}"
        return text

    def to_dict(self) -> dict:
        return {
            "layout": self.name,
            "source": self.layout.source,
            "liquid_loop_may_use": list(self.layout.liquid) if self.layout.liquid is not None else "any",
            "air_loop_may_use": list(self.layout.air) if self.layout.air is not None else "any",
            "rank": self.rank,
            "status": self.status,
            "reason": self.reason or None,
            "binding_limit": self.binding or None,
            "audit_violations": self.audit_violations,
            "objective": {"value": jsonable(self.objective), "unit": "MUSD/yr"},
            "model_objective": {"value": jsonable(self.model_objective), "unit": "MUSD/yr"},
            "model_bound": {"value": jsonable(self.model_bound), "unit": "MUSD/yr"},
            "figures": {k: {"value": jsonable(self.figures.get(k)), "unit": UNITS[k]} for k, _, _ in COLUMNS},
            "modules": dict(self.modules),
            "seconds": round(self.seconds, 3),
        }


def _violations_text(n: int) -> str:
    return f"{n} violation{'s' if n > 1 else ''}"


# --- layouts ----------------------------------------------------------------------------------

def _ids_of(inp: Inputs, loop: str) -> dict[str, str]:
    """Heat-rejection id -> technology, for the modules the site offers."""
    return {h.id: h.technology for h in inp.heat_rejection if h.loop == loop}


def builtin_layouts(inp: Inputs) -> list[LayoutSpec]:
    """The built-in layouts, each limited to the modules of its technologies that the site offers."""
    offered = _ids_of(inp, "liquid")
    out = []
    for name, techs in BUILTIN_LAYOUTS:
        ids = tuple(hid for hid, tech in offered.items() if tech in techs)
        absent = [t for t in techs if t not in offered.values()]
        missing = ""
        if absent:
            missing = (f"not offered by choices.heat_rejection (no {' or '.join(absent)} module; "
                       f"offered: {', '.join(sorted(set(offered.values()))) or 'none'})")
        out.append(LayoutSpec(name, ids, None, "built-in: " + " + ".join(techs), missing))
    return out


def site_layouts(inp: Inputs, layouts: Mapping[str, Any]) -> list[LayoutSpec]:
    """Layouts named in the site file (``[layouts.NAME]``), or given as mappings.

    Each value has ``liquid`` (ids) and optionally ``air`` (ids) and ``note``;
    ids must be among the site's heat-rejection choices.
    """
    from planner.spec.site import toml_key

    offered = list(_ids_of(inp, "liquid"))
    out = []
    for name, lay in layouts.items():
        get = (lambda k, lay=lay: lay.get(k)) if isinstance(lay, Mapping) else (lambda k, lay=lay: getattr(lay, k, None))
        liquid, air = get("liquid"), get("air")
        for loop, ids in (("liquid", liquid), ("air", air)):
            for i, hid in enumerate(ids or []):
                if hid not in offered:
                    raise InputError(inp.site_name, f"layouts.{toml_key(name)}.{loop}[{i}]",
                                     f"{hid!r} is not among choices.heat_rejection{did_you_mean(hid, offered)}")
        if not liquid:
            raise InputError(inp.site_name, f"layouts.{toml_key(name)}.liquid", "name at least one heat-rejection id")
        out.append(LayoutSpec(name, tuple(liquid), None if air is None else tuple(air),
                              f"layouts.{toml_key(name)}", "", get("note") or ""))
    return out


def free_layout() -> LayoutSpec:
    return LayoutSpec(FREE, None, None, "no restriction")


def layout_specs(inp: Inputs, site: Mapping[str, Any] | None = None, *, builtin: bool = True,
                 free: bool = True) -> list[LayoutSpec]:
    """Built-in layouts, then the site's own (a site layout of the same name replaces a built-in), then the free optimum."""
    out: list[LayoutSpec] = builtin_layouts(inp) if builtin else []
    for spec in site_layouts(inp, site or {}):
        out = [s for s in out if s.name != spec.name] + [spec]
    if free:
        out.append(free_layout())
    return out


def restrict(inp: Inputs, layout: LayoutSpec) -> Inputs:
    """The inputs with only the layout's heat-rejection modules on each loop."""
    allowed = {"liquid": layout.liquid, "air": layout.air}
    kept = [h for h in inp.heat_rejection if allowed[h.loop] is None or h.id in allowed[h.loop]]
    return dataclasses.replace(inp, heat_rejection=kept)


# --- figures of one plan ----------------------------------------------------------------------

def _cooling_gap(inp: Inputs) -> str:
    """Why the liquid loop of these inputs cannot carry heat at some hour, or ''."""
    mods = [h for h in inp.heat_rejection if h.loop == "liquid"]
    if not mods:
        return "no heat-rejection module on the liquid loop"
    ids = ", ".join(dict.fromkeys(h.id for h in mods))
    clim = inp.climate
    if all(h.design_capacity <= 1e-9 for h in mods):
        return (f"no module of this layout ({ids}) rejects heat to the {inp.liquid_supply:g} degC liquid loop "
                f"at the design condition ({clim.design_dry_bulb:.1f} degC dry bulb / "
                f"{clim.design_wet_bulb:.1f} degC wet bulb)")
    cap = np.sum([np.asarray(h.capacity) for h in mods], axis=0)
    dead = np.flatnonzero(cap <= 1e-9)
    if dead.size:
        t = int(dead[np.argmax(inp.dry_bulb[dead])])
        return (f"no module of this layout ({ids}) rejects heat to the {inp.liquid_supply:g} degC liquid loop "
                f"at {inp.labels[t]} ({inp.dry_bulb[t]:.1f} degC dry bulb, {inp.wet_bulb[t]:.1f} degC wet bulb)")
    return ""


def plan_figures(plan) -> dict[str, float | int | None]:
    """The comparison figures of a solved, audited plan (units in :data:`COLUMNS`)."""
    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    year = energy_year(op)

    def assist_hours(loop: str) -> int:
        mask = np.zeros(len(op.grid_draw), dtype=bool)
        for hr in inp.heat_rejection:
            if hr.loop != loop or d.modules.get(hr.key, 0) <= 0:
                continue
            assisted = assist_mask(hr, op)
            if assisted is not None:
                mask |= assisted
        return int(np.count_nonzero(mask))

    return {
        "racks": int(sum(d.racks.values())),
        "gpus": int(gpu_count(inp, d)),
        "it_typical": op.it_typical,
        "mining_installed": float(sum(d.mining.values())),
        "pue_annual": year.pue,
        "pue_hottest_hour": pue_at(op, hottest_hour(inp)),
        "water": year.water,
        "wue": year.water / year.it if year.it > 0 else None,  # m^3/MWh = L/kWh
        "assist_hours_liquid": assist_hours("liquid"),
        "assist_hours_air": assist_hours("air"),
        "cooling_energy": year.cooling,
        "capex": eco.capex / 1e6,
        "noi": eco.noi / 1e6,
        "noi_less_annualised_capex": eco.noi_less_annualised_capex / 1e6,
        "gap_to_best": None,
    }


def binding_limit(plan) -> str:
    """The limits that keep one more rack out, first the grid.

    A simple rule on the audited year, for one more rack of the type the plan
    installs most of (its share of cooling scaled from the plan): the grid when
    the GPU peak envelope (mining off, plus cooling) is within 0.1 % of
    site.grid_limit or would exceed it; the hall, the yard or the budget when
    within 0.5 % or exceeded; limits.max_racks when reached. With none of these,
    cooling when the layout's liquid loop cannot reject heat at some hour, else
    economics (one more rack would not pay for itself).
    """
    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    a_ups = 1.0 / (inp.ups_efficiency * inp.transformer_efficiency)
    installed = [r for r in inp.racks if d.racks.get(r.id, 0) > 0]
    if installed:
        rack = max(installed, key=lambda r: d.racks[r.id])
    else:
        rack = min(inp.racks, key=lambda r: r.power_peak)
    hall, yard = areas(inp, d)
    envelope = float(np.max(op.envelope))
    grow = rack.power_design / op.it_design if op.it_design > 0 else 0.0
    more = {
        "grid": (envelope, envelope * (1 + rack.power_peak / op.it_peak) if op.it_peak > 0 else a_ups * rack.power_peak,
                 inp.grid_limit, GRID_TOL, "grid: GPU peak + cooling (site.grid_limit)"),
        "hall": (hall, hall + rack.floor_area, inp.hall_area, AREA_TOL, "hall (site.hall_area)"),
        "yard": (yard, yard * (1 + grow), inp.yard_area, AREA_TOL, "yard (site.yard_area)"),
        "budget": (eco.capex, eco.capex + rack.price + rack.power_design * inp.facility_capex
                   + rack.power_peak * inp.ups_price_per_mw, inp.budget, AREA_TOL, "budget (economics.capex_budget)"),
    }
    found = []
    for used, with_one_more, limit, tol, label in more.values():
        if limit > 0 and (used >= limit * (1 - tol) or with_one_more > limit * (1 + 1e-9)):
            found.append(label)
    if inp.max_racks is not None and sum(d.racks.values()) >= inp.max_racks:
        found.append("limits.max_racks")
    if found:
        return ", ".join(found)
    gap = _cooling_gap(inp)
    if gap:
        return f"cooling at design: {gap}"
    return f"none: one more {rack.id} rack would fit but not pay"


# --- compare ----------------------------------------------------------------------------------

def _presolve_problems(inp: Inputs) -> list[str]:
    """Errors found before solving (:func:`planner.explain.presolve_checks`); warnings do not stop a plan."""
    try:
        from planner.explain import presolve_checks

        return [str(p) for p in presolve_checks(inp) if p.severity == "error"]
    except Exception:  # the checks are a shortcut only; the solver decides
        return []


def plan_layout(inp: Inputs, layout: LayoutSpec, *, solver: str = "highs", time_limit: float | None = None,
                mip_gap: float | None = 1e-4, strategy: str = "fast", include=None) -> LayoutResult:
    """Plan one layout and collect its figures (no ranking); ``include`` as for :func:`planner.plan.run_plan`."""
    from planner.plan import run_plan

    if layout.missing:
        return LayoutResult(layout, NOT_OFFERED, layout.missing)
    start = time.perf_counter()
    sub = restrict(inp, layout)
    problems = _presolve_problems(sub)
    if problems:
        return LayoutResult(layout, INFEASIBLE, "; ".join(problems), seconds=time.perf_counter() - start)
    plan = run_plan(sub, solver=solver, time_limit=time_limit, mip_gap=mip_gap, strategy=strategy, include=include)
    r = plan.solve
    res = LayoutResult(layout, r.status, plan=plan if plan.design is not None else None,
                       model_objective=None if r.objective is None else r.objective / 1e3,
                       model_bound=None if r.bound is None else r.bound / 1e3, mip_gap=r.gap)
    if plan.design is None:
        if r.status == "infeasible":
            gap = _cooling_gap(sub)
            res.reason = "infeasible: " + (gap or f"the solver found no design meeting every limit ({r.detail})")
        else:
            res.reason = f"no plan: solver status '{r.status}' ({r.detail})" + (
                "; try a longer --time-limit or fewer --days" if r.status in ("no_solution", "time_limit") else "")
    else:
        res.figures = plan_figures(plan)
        res.objective = plan.economics.objective(sub.objective) / 1e6
        res.binding = binding_limit(plan)
        res.modules = {k: v for k, v in plan.design.modules.items() if v > 0}
        res.audit_violations = len(plan.audit.violations)
    res.seconds = time.perf_counter() - start
    return res


@dataclass
class DetachedPlan:
    """What a worker process sends back of a layout's plan: its design, from which the free optimum takes the
    best layout's technology set. The solver's model stays in the worker; the figures, and the results model
    where report files are written, are computed there (:attr:`LayoutResult.results`)."""

    design: Any


@dataclass
class LayoutTask:
    """One layout to plan in a worker process (:func:`plan_layout_task`)."""

    inp: Inputs
    layout: LayoutSpec
    solve_kw: dict
    site: tuple | None = None  # (site file, overrides, scenario) when the plan's results model is wanted


def plan_layout_task(task: LayoutTask) -> LayoutResult:
    """:func:`plan_layout` in a worker: the result with its plan detached (picklable), and the plan's results
    model built where ``task.site`` is given (the site is read again in the worker: the values of a loaded
    site are quantities of the planner's unit registry, which pickling does not carry)."""
    res = plan_layout(task.inp, task.layout, **task.solve_kw)
    if res.plan is not None:
        if task.site is not None:
            path, overrides, scenario = task.site
            res.results = res.plan_results(load_site(path, overrides=overrides, scenario=scenario))
        res.plan = DetachedPlan(res.plan.design)
    return res


def no_plan_code(statuses) -> int:
    """Exit code when nothing has a plan: 3 when each is infeasible or not offered, else 4 (the solver stopped)."""
    return 4 if any(s not in (INFEASIBLE, NOT_OFFERED) for s in statuses) else 3


def rank_results(results: list[LayoutResult]) -> list[LayoutResult]:
    """Planned layouts by the objective (best first), then the ones without a plan, in their order."""
    # ties (within 100 USD/yr) go to the free optimum, then keep the given order
    planned = sorted((r for r in results if r.has_plan), key=lambda r: (-round(r.objective, 4), r.name != FREE))
    best = planned[0].objective if planned else None
    for i, r in enumerate(planned, 1):
        r.rank = i
        r.figures["gap_to_best"] = max(0.0, best - r.objective)
    return planned + [r for r in results if not r.has_plan]


def compare_layouts(inp: Inputs, layouts: Sequence[LayoutSpec] | Mapping[str, Any] | None = None, *,
                    executor: str = "serial", workers: int | None = None, scheduler: str | None = None,
                    client=None, site: tuple | None = None, **solve_kw) -> list[LayoutResult]:
    """Plan each layout on the same inputs and rank them by the site's objective.

    Parameters
    ----------
    inp : Inputs
        Resolved inputs of the site (any time resolution).
    layouts : sequence of LayoutSpec, or mapping name -> {liquid, air}, optional
        Default: the built-in layouts and the free optimum. A mapping is read
        as site layouts (ids checked against the site's choices) and the
        built-in layouts and free optimum are added.
    executor, workers, scheduler, client
        Where the layouts other than the free optimum are planned (:func:`planner.studies.executors.iter_tasks`;
        ``client`` a Dask client shared by several calls, :func:`planner.studies.executors.session`):
        ``"serial"`` in this process (the default), ``"process"`` or ``"dask"`` side by side, each plan in a
        worker that sends back its figures and design (:class:`DetachedPlan`). The free optimum is planned
        here afterwards, as it keeps the best layout's technology set open.
    site : (Path, dict, str or None), optional
        The site file, its overrides and scenario (as for :func:`planner.load.load_site`): with a parallel
        executor, the plans' results models are built in the workers (:attr:`LayoutResult.results`, for
        report files).
    **solve_kw
        ``solver``, ``time_limit``, ``mip_gap``, ``strategy`` for :func:`planner.plan.run_plan`.

    Returns
    -------
    list of LayoutResult
        Ranked (``rank`` 1 is best; ``figures['gap_to_best']`` in MUSD/yr),
        then the layouts without a plan with their ``reason``.
    """
    if layouts is None:
        specs = layout_specs(inp)
    elif isinstance(layouts, Mapping):
        specs = layout_specs(inp, layouts)
    else:
        specs = list(layouts)
    results: list[LayoutResult | None] = [None] * len(specs)
    todo = [i for i, s in enumerate(specs) if s.name != FREE]
    if executor == "serial" or sum(not specs[i].missing for i in todo) < 2:  # a pool for one plan gains nothing
        for i in todo:
            results[i] = plan_layout(inp, specs[i], **solve_kw)
    else:  # a layout not offered comes back from its worker at once, as NOT_OFFERED
        from planner.studies.executors import iter_tasks

        tasks = [LayoutTask(inp, specs[i], solve_kw, site) for i in todo]
        for k, res in iter_tasks(plan_layout_task, tasks, executor=executor, workers=workers, scheduler=scheduler,
                                 client=client):
            results[todo[k]] = res
    # the free optimum last: with the fast strategy it keeps the best layout's technology set open, so it
    # is never below a layout it could have chosen (beyond the solver's gap)
    best = max((r for r in results if r is not None and r.has_plan and r.plan is not None
                and r.model_objective is not None), key=lambda r: r.model_objective, default=None)
    include = None
    if best is not None and solve_kw.get("strategy", "fast") == "fast":
        from planner.strategy import TechnologySet

        include = TechnologySet.of_design(best.plan.design)
    results = [r if r is not None else plan_layout(inp, s, **solve_kw, include=include)
               for r, s in zip(results, specs)]
    return rank_results(results)


# --- report -----------------------------------------------------------------------------------

def _fmt(value, unit: str = "") -> str:
    from planner.report.render import fmt

    if value is None:
        return "-"
    if unit == "h" or isinstance(value, (int, np.integer)):
        return f"{int(value):,d}"
    if unit in ("MUSD", "MUSD/yr"):
        return f"{value:,.2f}"
    if unit == "-":
        return f"{value:.3f}"
    return fmt(value)


def _shown(value, unit: str, system: str) -> str:
    """A table cell in ``system``'s units (:func:`planner.report.usunits.convert`); its heading's unit is
    :func:`planner.report.usunits.unit_label`."""
    return _fmt(*convert(value, unit, system)) if value is not None else "-"


def _modules_text(res: LayoutResult, inp: Inputs, loop: str) -> str:
    loops = {h.key: h.loop for h in inp.heat_rejection}
    parts = [f"{n} {k.split('@')[0]}" for k, n in res.modules.items() if loops.get(k) == loop]
    return " + ".join(parts) if parts else "-"


def _short_status(r: LayoutResult) -> str:
    if r.status == "time_limit":
        return f"time limit, gap {(r.mip_gap or 0) * 100:.2g} %"
    return r.status


def _short_binding(text: str) -> str:
    """The binding-limit label for the table (the full text goes to JSON and CSV)."""
    short = []
    for part in text.split(", "):
        if part.startswith("grid"):
            short.append("grid")
        elif part.startswith("cooling at design"):
            short.append("cooling at design")
        elif part.startswith("none:"):
            short.append("none: economics")
        else:
            short.append(part.split(" (")[0])
    return ", ".join(short)


def _table(cols: Sequence[tuple[str, str]]) -> RichTable:
    """A table of (heading, unit) columns, headings wrapped at 8 characters; columns with a unit are numbers."""
    t = narrow_table()
    for heading, unit in cols:
        add_narrow_column(t, textwrap.wrap(heading, 8, break_long_words=False), unit, right=bool(unit),
                          no_wrap=bool(unit))
    return t


def render_comparison(results: list[LayoutResult], inp: Inputs, console: Console, *, title: str = "",
                      system: str = "si") -> None:
    """Two tables: the ranking with money and the binding limit, then the cooling figures (in ``system``'s units:
    "si" or "us", as ``plan --units``)."""
    head = title or f"Cooling layouts at {inp.site_name}"
    console.rule(f"[bold]{head}")
    console.print(f"  ranked by {objective_text(inp.objective)} (economics.objective) in the full-year audit of each plan; "
                  f"planned on {inp.time_mode}", highlight=False)
    air, air_unit = convert(inp.air_supply, "degC", system)
    console.print("  a layout restricts the liquid-loop heat rejection; the air-side loop "
                  f"({air:.3g} {air_unit}) keeps its free choice", highlight=False)

    keys = ["racks", "gpus", "it_typical", "capex", "noi", "noi_less_annualised_capex", "gap_to_best"]
    t = _table([("rank", ""), ("layout", ""), ("status", "")]
               + [(HEADINGS[k], unit_label(UNITS[k], system)) for k in keys] + [("binding limit", "")])
    for r in results:
        cells = [str(r.rank) if r.rank else "-", r.name, _short_status(r)]
        cells += [_shown(r.figures.get(k), UNITS[k], system) for k in keys]
        cells.append(_short_binding(r.binding) if r.has_plan else "see below")
        t.add_row(*cells, style=None if r.has_plan else "dim")
    console.print(t)
    for r in results:
        if not r.has_plan:
            console.print(f"  {r.name}: {r.reason}", highlight=False)
    for r in results:
        if r.has_plan and r.binding.startswith("cooling at design"):
            console.print(f"  {r.name}: {r.binding}", highlight=False)
    console.print()
    keys = ["mining_installed", "pue_annual", "pue_hottest_hour", "water", "wue", "assist_hours_liquid",
            "assist_hours_air"]
    headings = {"assist_hours_liquid": "assist, liquid loop", "assist_hours_air": "assist, air loop",
                "pue_hottest_hour": "PUE hottest", "mining_installed": "mining"}
    t = _table([("rank", ""), ("layout", ""), ("liquid-loop modules", "")]
              + [(headings.get(k, HEADINGS[k]), unit_label(UNITS[k], system)) for k in keys] + [("audit", "")])
    t.columns[2].no_wrap = True
    for r in results:
        if r.has_plan:
            audit = _violations_text(r.audit_violations) if r.audit_violations else "passed"
            t.add_row(str(r.rank), r.name, _modules_text(r, inp, "liquid").replace(" + ", "\n"),
                      *[_shown(r.figures.get(k), UNITS[k], system) for k in keys], audit)
    console.print(t)
    console.print("  assist: hours with adiabatic spray or a chiller running; mining: installed; PUE: The Green Grid's, "
                  "the site's energy less mining's share over IT (GPU racks and support IT), for the year and at the "
                  "hottest hour, as `plan` reports it; WUE: water per IT energy", highlight=False, style="dim")
    free = next((r for r in results if r.name == FREE and r.has_plan), None)
    if free is not None and free.rank and free.rank > 1 and free.figures["gap_to_best"] > 1e-3:
        best = results[0]
        console.print(
            f"  [yellow]note[/yellow]: the free optimum ranks {free.rank} in the full-year audit, "
            f"{free.figures['gap_to_best']:.3g} MUSD/yr behind '{best.name}': the MILP is solved on "
            f"{inp.hours} model hours to a gap of {(free.mip_gap or 0) * 100:.2g} %, the audit runs all 8760 h",
            highlight=False)
    if any(r.audit_violations for r in results):
        console.print("  [yellow]note[/yellow]: some plans breach a limit in the hour-by-hour audit "
                      "(`plan SITE` lists the violations; planning on every hour instead of --days avoids most)",
                      highlight=False)


def _best(results: list[LayoutResult]) -> LayoutResult | None:
    return next((r for r in results if r.rank == 1), None)


def render_summary(runs: list[tuple[str, Inputs, list[LayoutResult]]], console: Console, system: str = "si") -> None:
    """Best layout per scenario (the sensitivity view, HOMER-style), in ``system``'s units."""
    console.rule("[bold]Best layout per scenario")
    t = _table([("scenario", ""), ("best layout", ""), ("liquid-loop modules", ""), ("objective", "MUSD/yr"),
                ("best restricted layout", ""), ("behind by", "MUSD/yr"), ("racks", "racks"), ("PUE annual", "-"),
                ("WUE", unit_label("L/kWh", system)), ("binding limit", "")])
    for label, inp, results in runs:
        best = _best(results)
        if best is None:
            t.add_row(label, "no layout works", "-", "-", "-", "-", "-", "-", "-", "-", style="red")
            continue
        runner = next((r for r in results if r.has_plan and r is not best and r.name != FREE), None)
        t.add_row(label, best.name, _modules_text(best, inp, "liquid").replace(" + ", "\n"),
                  _fmt(best.objective, "MUSD/yr"), runner.name if runner else "-",
                  _fmt(runner.figures["gap_to_best"], "MUSD/yr") if runner else "-",
                  _fmt(best.figures["racks"]), _fmt(best.figures["pue_annual"], "-"),
                  _shown(best.figures["wue"], "L/kWh", system), _short_binding(best.binding))
    console.print(t)
    console.print("  best restricted layout: the best of the built-in and site layouts, and how far it is behind "
                  "the best", highlight=False, style="dim")


def results_to_rows(label: str, results: list[LayoutResult], inp: Inputs) -> list[dict[str, Any]]:
    """Flat rows for CSV: one per layout, headings carry their units."""
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "scenario": label, "rank": r.rank or "", "layout": r.name, "source": r.layout.source,
            "status": r.status, "audit violations": "" if r.audit_violations is None else r.audit_violations,
            "liquid-loop modules": _modules_text(r, inp, "liquid") if r.has_plan else "",
            "air-loop modules": _modules_text(r, inp, "air") if r.has_plan else "",
        }
        for k, heading, unit in COLUMNS:
            row[f"{heading} [{unit}]"] = csv_value(jsonable(r.figures.get(k)))
        row["objective [MUSD/yr]"] = csv_value(r.objective)
        row["binding limit"] = r.binding
        row["reason"] = r.reason
        rows.append(row)
    return rows


def compare_and_report(site: Path, console: Console, *, scenarios: list[str | None], sets: dict,
                       days: int | None, bin_k: float | None, time_limit: float | None, solver: str,
                       json_out: Path | None, csv_out: Path | None, mip_gap: float | None = 1e-4,
                       layouts: Sequence[LayoutSpec] | None = None, strategy: str = "fast",
                       out_dir: Path | None = None, units: str = "si", executor: str = "serial",
                       workers: int | None = None, scheduler: str | None = None) -> int:
    """`plan compare`: every layout for each scenario, a summary, JSON and CSV (and report files in ``out_dir``).

    Raises :class:`~planner.load.InputError` on bad input (the CLI prints it and
    exits 2). Returns 0 when every scenario has at least one working layout
    (layouts that stop at the time limit are ranked and flagged), else 3 when
    the layouts of some scenario are all infeasible or not offered, or 4 when
    the solver stopped without a design.
    """
    from planner.climate import ClimateError
    from planner.inputs import resolve
    from planner.solve import SOLVERS

    if solver not in SOLVERS:
        raise InputError("--solver", solver, f"unknown solver{did_you_mean(solver, SOLVERS)}")
    if days is not None and days < 1:
        raise InputError("--days", str(days), "expected a whole number of days >= 1")
    from planner.studies.executors import check_executor, session

    check_executor(executor, workers, scheduler)
    site_file = Path(site).resolve()  # as the workers read it again (with --out), wherever they run
    scenarios = list(scenarios or [None])
    out = report_console(console, json_out)

    # load every scenario first, so a bad name or value stops before any solving
    loaded_all = [(sc, load_site(site, overrides=sets, scenario=sc)) for sc in scenarios]
    kw = {"time_mode": "days", "days": days} if days else {"bin_k": bin_k or None}
    runs: list[tuple[str, Inputs, list[LayoutResult]]] = []
    start = time.perf_counter()
    # one Dask cluster (or pool settings) for every scenario; an unreachable scheduler fails before any solve
    with session(executor, workers, scheduler) as runner:
        for sc, loaded in loaded_all:
            label = sc or "base"
            try:
                inp = resolve(loaded, **kw)
            except ClimateError as err:
                raise InputError(loaded.path, "climate.weather_file", str(err)) from None
            specs = list(layouts) if layouts is not None else layout_specs(inp, loaded.spec.layouts)
            t0 = time.perf_counter()
            results = compare_layouts(inp, specs, solver=solver, time_limit=time_limit, mip_gap=mip_gap,
                                      strategy=strategy, site=(site_file, sets, sc) if out_dir is not None else None,
                                      **runner)
            runs.append((label, inp, results))
            title = f"Cooling layouts at {inp.site_name}" + (f", scenario '{sc}'" if sc else "")
            render_comparison(results, inp, out, title=title, system=units)
            if loaded.overrides:
                out.print("  overrides: " + ", ".join(f"{k} = {v!r}" for k, v in loaded.overrides.items()), highlight=False)
            out.print(f"  {len(results)} layouts in {time.perf_counter() - t0:.1f} s "
                      f"({sum(r.seconds for r in results):.1f} s planning)", highlight=False, style="dim")
    if len(runs) > 1:
        render_summary(runs, out, units)

    data = None
    if json_out is not None or out_dir is not None:
        data = {
            "site": str(site),
            "objective": runs[0][1].objective if runs else None,
            "overrides": {k: v for k, v in sets.items()},
            "seconds": round(time.perf_counter() - start, 3),
            "scenarios": [
                {
                    "scenario": label,
                    "site_name": inp.site_name,
                    "time_resolution": inp.time_mode,
                    "model_hours": inp.hours,
                    "best_layout": (_best(results).name if _best(results) else None),
                    "layouts": [r.to_dict() for r in results],
                }
                for label, inp, results in runs
            ],
        }
    rows = [row for label, inp, results in runs for row in results_to_rows(label, results, inp)] \
        if csv_out is not None or out_dir is not None else []
    write_exports_atomic(data, rows if csv_out is not None else [], json_out, csv_out, out, first_field="scenario")
    if out_dir is not None:
        from planner.report.files import write_comparison

        loaded_by_label = {sc or "base": loaded for sc, loaded in loaded_all}
        written = write_comparison(out_dir, data, rows, [(label, loaded_by_label[label], results)
                                                         for label, _, results in runs], units)
        out.print(f"comparison written to {out_dir}: {len(written)} files", highlight=False)

    code = 0
    for label, inp, results in runs:
        if any(r.has_plan for r in results):
            continue
        out.print(f"[bold red]no layout works[/bold red] in scenario '{label}'", highlight=False)
        code = max(code, no_plan_code(r.status for r in results))
    return code


__all__ = [
    "FREE", "BUILTIN_LAYOUTS", "COLUMNS", "LayoutSpec", "LayoutResult", "builtin_layouts", "site_layouts",
    "free_layout", "layout_specs", "restrict", "plan_layout", "plan_figures", "binding_limit", "rank_results",
    "compare_layouts", "compare_and_report", "render_comparison", "render_summary", "DetachedPlan", "LayoutTask",
    "plan_layout_task",
]
