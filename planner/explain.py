"""Explain every plan and diagnose every failure.

Four jobs, each returning report sections (:class:`planner.report.figures.Section`):

- :func:`unit_audit_section` (``--show-units``): every input quantity with the TOML
  path it came from, as written and in canonical units, grouped by canonical
  unit, and the derived per-hour coefficient families with their ranges.
- :func:`presolve_checks` / :func:`problems_section`: plain-word checks before any
  solve (one rack alone above the grid limit, no heat rejection able to reach the
  loop temperature, no CDU, hall, yard or budget too small for one rack,
  ``limits.min_racks`` beyond the grid ...). Each :class:`Problem` names a TOML path.
- :func:`diagnose_infeasible`: an elastic re-solve (:func:`planner.model.build_model`
  with ``elastic=True``) that finds the smallest relaxations of the limits, with
  their units, TOML paths and hours.
- :func:`explain` / :func:`compare_with_optimum`: after a plan, the fixed-integer LP
  (every equipment count held) gives shadow prices per limit family; binding
  limits and stranded capacity are read from the plan's hour-by-hour operation.

Dual sign convention
--------------------
The MILP maximises the objective (kUSD/yr). PuLP hands HiGHS the *negated*
objective (a minimisation) and copies HiGHS's row duals into ``constraint.pi``
unchanged, so with HiGHS ``pi = -d(objective)/d(rhs)``. PuLP's CBC interface
reports duals of the maximisation itself: ``pi = +d(objective)/d(rhs)``.
:data:`DUAL_SIGN` turns either into d(objective)/d(rhs), "kUSD/yr per unit of
the limit". Both were checked by finite differences (tests/test_explain.py:
re-solving with the grid limit raised by a small step).

Hydro miners whose coolant limit is below the liquid loop supply are not a
failure: nothing forces mining, so the planner only warns (a ``warning``
:class:`Problem`) when every miner offered is ineligible, and plans without mining.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pulp

from planner.audit import areas, design_loads, installed_with_spares_out
from planner.inputs import LOOPS, Inputs
from planner.model import CAPEX_TIE_BREAK, K, Model, build_model
from planner.report.figures import Figure, Section, Table
from planner.report.render import fmt
from planner.solve import solve, solve_fixed_lp

#: PuLP's ``constraint.pi`` times this is d(objective)/d(rhs) for our maximisation.
DUAL_SIGN = {"highs": -1.0, "cbc": 1.0}
BIND_TOL = 1e-6  # a row binds when its slack is below this (MW, m^2, kUSD, units)
SLACK_TOL = 1e-6  # an elastic relaxation counts when above this (in its own unit)

FIXED_LP_NOTE = (
    "Shadow prices are marginal values of the LP re-solved with every equipment count held at the "
    "plan's value (racks, CDUs, heat-rejection modules, air-side units): they price a small change "
    "of a limit with the same equipment. A change large enough to add or remove a unit can be worth "
    "more or less; re-plan with --set to see it."
)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def _chain(inp: Inputs) -> tuple[float, float]:
    """(a_ups, a_tx): MW at the meter per MW of IT behind the UPS, and behind the transformer only."""
    a_tx = 1.0 / inp.transformer_efficiency
    return a_tx / inp.ups_efficiency, a_tx


def _q(value: float, unit: str) -> str:
    if isinstance(value, float) and abs(value) < 1e-9:
        value = 0.0
    return fmt(value, unit)


def _clean(value: float) -> float:
    """Round solver noise (|x| < 1e-9) to zero for the report."""
    return 0.0 if abs(value) < 1e-9 else float(value)


def _hours_text(inp: Inputs, ts) -> str:
    ts = list(ts)
    if not ts:
        return "no hour"
    year = float(sum(inp.weight[t] for t in ts))
    total = float(np.sum(inp.weight))
    year = int(round(year)) if abs(year - round(year)) < 1e-6 else year
    total = int(round(total)) if abs(total - round(total)) < 1e-6 else total
    if len(ts) == inp.hours:
        return f"every model hour ({_q(year, 'h')} of the year)"
    return f"{len(ts)} of {inp.hours} model hours, standing for {_q(year, 'h')} of {_q(total, 'h')}"


def _rack_need(inp: Inputs, r) -> dict[str, float]:
    """Heat of one rack at design power per loop [MW]."""
    return {"liquid": r.power_design * r.liquid_fraction, "air": r.power_design * (1.0 - r.liquid_fraction)}


def _min_units(capacity: float, heat: float, spares: int) -> int:
    """Units needed to carry ``heat`` with ``spares`` out (N+k)."""
    if heat <= 0:
        return 0
    return int(math.ceil(heat / capacity - 1e-9)) + spares


def _cooling_options(inp: Inputs, r) -> dict[str, dict[str, float] | None]:
    """Cheapest (area, price) to cool one rack of type ``r``, per kind of equipment; None if impossible."""
    heat = _rack_need(inp, r)
    out: dict[str, dict[str, float] | None] = {}
    if heat["liquid"] > 0:
        opts = [(_min_units(c.capacity, heat["liquid"], inp.spares["cdu"]), c) for c in inp.cdus]
        out["cdu"] = ({"area": min(n * c.floor_area for n, c in opts), "price": min(n * c.price for n, c in opts),
                       "power": min(n * c.pump_power for n, c in opts)} if opts else None)
    if heat["air"] > 0:
        opts = [(_min_units(a.capacity, heat["air"], inp.spares["air_side"]), a) for a in inp.air_side if a.allowed]
        out["air"] = ({"area": min(n * a.floor_area for n, a in opts), "price": min(n * a.price for n, a in opts),
                       "power": min(n * a.fan_power for n, a in opts)} if opts else None)
    for loop in LOOPS:
        if heat[loop] <= 0:
            continue
        opts = [(_min_units(h.design_capacity, heat[loop], inp.spares["heat_rejection"]), h)
                for h in inp.heat_rejection if h.loop == loop and h.design_capacity > 0]
        out[f"hr_{loop}"] = ({"area": min(n * h.floor_area for n, h in opts), "price": min(n * h.price for n, h in opts)}
                             if opts else None)
    return out


def _technology_reason(inp: Inputs, h, supply: float, t: int | None) -> str:
    db = inp.design_dry_bulb if t is None else float(inp.dry_bulb[t])
    wb = inp.design_wet_bulb if t is None else float(inp.wet_bulb[t])
    tech = h.technology
    if tech == "dry_cooler":
        return f"{h.id} (dry cooler) needs the dry bulb below {supply:g} degC, it is {db:.1f} degC"
    if tech == "adiabatic_cooler":
        return f"{h.id} (adiabatic cooler) needs the pad outlet air below {supply:g} degC (dry bulb {db:.1f}, wet bulb {wb:.1f} degC)"
    if tech == "cooling_tower":
        return f"{h.id} (cooling tower) needs the wet bulb below {supply:g} degC, it is {wb:.1f} degC"
    return f"{h.id} ({tech.replace('_', ' ')}) has no capacity there"


# --------------------------------------------------------------------------------------
# unit audit
# --------------------------------------------------------------------------------------

def unit_audit_section(inp: Inputs) -> Section:
    """Every input quantity: TOML path, as written, pint unit, canonical value; derived coefficients."""
    from planner.units import KINDS

    s = Section("Unit audit: every input with the TOML path it came from")
    by_unit: dict[str, list] = {}
    for path, text, unit, value, canon in inp.provenance:
        by_unit.setdefault(canon, []).append((path, text, unit, value))
    t = Table("inputs by kind", [("TOML path (by kind)", ""), ("as written", ""),
                                 ("pint unit as written", ""), ("canonical value", "")])
    for canon in sorted(by_unit, key=lambda u: (u == "dimensionless", u.lower())):
        kinds = sorted({k.name.removeprefix("an ").removeprefix("a ") for k in KINDS.values() if k.canonical == canon})
        t.rows.append([f"-- {', '.join(kinds) or 'quantity'} (canonical unit: {canon})", "", "", ""])
        for path, text, unit, value in by_unit[canon]:
            shown = f"{value:.6g}" + ("" if canon == "dimensionless" else f" {canon}")
            t.rows.append([path, text, unit, shown])
    s.tables.append(t)
    s.lines.append("paths 'id.field' are fields of the hardware file with that id (hardware_dir); "
                   "all others are paths in the site file")

    a_ups, a_tx = _chain(inp)
    t = Table("derived per-hour coefficient families (model hours)",
              [("coefficient family", ""), ("from", ""), ("unit", ""), ("min", ""), ("max", ""), ("at design", "")])

    def g(x):
        return float(f"{float(x):.6g}")

    for h in inp.heat_rejection:
        supply = inp.liquid_supply if h.loop == "liquid" else inp.air_supply
        t.rows.append([f"heat-rejection capacity per module, {h.key}",
                       f"{h.id}.rated_capacity, rated_approach, max_capacity_factor; climate; {h.loop} loop at {supply:g} degC",
                       "MW", g(h.capacity.min()), g(h.capacity.max()), g(h.design_capacity)])
    for h in inp.heat_rejection:
        t.rows.append([f"electricity per heat, {h.key}", f"{h.id}.fan_power / rated_capacity (+ 1/COP for chillers)",
                       "MW/MW", g(h.electricity_per_heat.min()), g(h.electricity_per_heat.max()), ""])
    for m in inp.miners:
        t.rows.append([f"mining revenue, {m.id}",
                       f"market.* (hashprice {inp.hashprice:.4g} USD/(PH/s)/day), {m.id}.power / hash_rate",
                       "USD/MWh", g(m.revenue_per_mwh), g(m.revenue_per_mwh), ""])
        t.rows.append([f"mining availability, {m.id}", f"{m.id} derating with inlet air, or coolant limit",
                       "-", g(m.availability.min()), g(m.availability.max()), ""])
    t.rows.append(["energy price", "tariff.energy_price, tariff.time_of_use", "USD/MWh",
                   g(inp.energy_price.min()), g(inp.energy_price.max()), ""])
    t.rows.append(["meter power per MW of IT (1/(UPS x transformer efficiency))",
                   "choices.ups, choices.transformer efficiency", "MW/MW", g(a_ups), g(a_ups), ""])
    t.rows.append(["meter power per MW behind the transformer only (mining, cooling)",
                   "choices.transformer efficiency", "MW/MW", g(a_tx), g(a_tx), ""])
    t.rows.append(["hours each model hour stands for", inp.time_mode, "h", g(inp.weight.min()), g(inp.weight.max()), ""])
    t.rows.append(["liquid loop supply", inp.liquid_supply_note, "degC", g(inp.liquid_supply), g(inp.liquid_supply), ""])
    t.rows.append(["air loop supply", "cooling.air_loop_supply_temperature", "degC", g(inp.air_supply), g(inp.air_supply), ""])
    s.tables.append(t)
    return s


# --------------------------------------------------------------------------------------
# checks before any solve
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Why a site cannot be planned as written (``severity="error"``), or a warning."""

    path: str  # TOML path to change
    message: str  # engineering words, with units
    severity: str = "error"  # "error" stops the run (exit 3); "warning" is printed and the plan goes on

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _loop_problems(inp: Inputs) -> dict[str, list[Problem]]:
    """Problems that stop any rack with heat on this loop."""
    out: dict[str, list[Problem]] = {}
    for loop in LOOPS:
        supply = inp.liquid_supply if loop == "liquid" else inp.air_supply
        what = (f"the liquid loop (facility water supply {supply:g} degC)" if loop == "liquid"
                else f"the air-side loop (chilled water supply {supply:g} degC, cooling.air_loop_supply_temperature)")
        opts = [h for h in inp.heat_rejection if h.loop == loop]
        probs: list[Problem] = []
        if not opts:
            probs.append(Problem("choices.heat_rejection", f"no heat-rejection module is offered for {what}"))
            out[loop] = probs
            continue
        no_design = all(h.design_capacity <= 0 for h in opts)
        dead = np.all(np.stack([h.capacity <= 0 for h in opts]), axis=0)
        parts = []
        if no_design:
            reasons = "; ".join(_technology_reason(inp, h, supply, None) for h in opts)
            parts.append(f"at the design condition ({inp.design_dry_bulb:.1f} degC dry bulb / "
                         f"{inp.design_wet_bulb:.1f} degC wet bulb): {reasons}")
        if dead.any():
            ts = np.flatnonzero(dead)
            worst = int(ts[np.argmax(inp.dry_bulb[ts])])
            text = (f"in {_hours_text(inp, ts)}, the hottest at {inp.labels[worst]} "
                    f"({inp.dry_bulb[worst]:.1f} degC dry bulb)")
            if not no_design:
                text += ": " + "; ".join(_technology_reason(inp, h, supply, worst) for h in opts)
            parts.append(text)
        if parts:
            probs.append(Problem(
                "choices.heat_rejection",
                f"no heat-rejection option offered can supply {what} " + ", nor ".join(parts)
                + "; offer a chiller or a technology that works at this ambient"))
        out[loop] = probs
    return out


def presolve_checks(inp: Inputs) -> list[Problem]:
    """Plain-word checks before any solve.

    Every rack type offered is tried alone (one rack, the fewest CDUs, air-side
    units and heat-rejection modules it needs with the spares of ``[redundancy]``).
    When no rack type can be installed at all, each reason is an error (a plan
    with no racks is no plan). ``limits.min_racks`` is checked against the grid
    (IT peak power through the UPS and transformer, before any cooling), the hall
    and the budget, and against ``limits.max_racks``. Checks are necessary
    conditions only: a site passing them can still be infeasible, which the
    elastic re-solve (:func:`diagnose_infeasible`) then explains.
    """
    a_ups, a_tx = _chain(inp)
    problems: list[Problem] = []
    capex_fixed = inp.transformer_price_per_mw * inp.grid_limit
    if capex_fixed > inp.budget:
        problems.append(Problem(
            "economics.capex_budget",
            f"the budget of {_q(inp.budget / 1e6, 'MUSD')} does not even cover the transformer sized to "
            f"site.grid_limit ({_q(inp.grid_limit, 'MW')} x {_q(inp.transformer_price_per_mw / 1e6, 'MUSD/MW')} = "
            f"{_q(capex_fixed / 1e6, 'MUSD')})"))

    loop_probs = _loop_problems(inp)
    per_rack: dict[str, list[Problem]] = {}
    fitting = []
    for r in inp.racks:
        probs: list[Problem] = []
        heat = _rack_need(inp, r)
        peak = r.power_peak * a_ups
        if peak > inp.grid_limit:
            probs.append(Problem(
                "site.grid_limit",
                f"one {r.name} alone draws {_q(peak, 'MW')} at the meter at peak power "
                f"({_q(r.power_peak * 1000, 'kW')} through UPS {inp.ups_efficiency * 100:g} % and transformer "
                f"{inp.transformer_efficiency * 100:g} %), above the grid limit of {_q(inp.grid_limit, 'MW')}, "
                "before any cooling"))
        for loop in LOOPS:
            if heat[loop] > 0:
                probs += loop_probs[loop]
        if heat["liquid"] > 0 and not inp.cdus:
            probs.append(Problem(
                "choices.cdus",
                f"{r.name} gives {_q(heat['liquid'] * 1000, 'kW')} at design power to liquid, but no CDU is offered"))
        if heat["air"] > 0:
            if not inp.air_side:
                probs.append(Problem(
                    "choices.air_side",
                    f"{r.name} gives {_q(heat['air'] * 1000, 'kW')} at design power to room air, but no air-side unit is offered"))
            elif not any(a.allowed for a in inp.air_side):
                reasons = "; ".join(f"{a.id} {a.reason}" for a in inp.air_side)
                probs.append(Problem(
                    "cooling.air_loop_supply_temperature",
                    f"{r.name} gives {_q(heat['air'] * 1000, 'kW')} to room air, but every air-side unit offered is "
                    f"excluded by the air-loop temperature: {reasons}"))
        opts = _cooling_options(inp, r)
        if all(v is not None for v in opts.values()) and not probs:
            hall_need = r.floor_area + sum(opts[k]["area"] for k in ("cdu", "air") if k in opts)
            if hall_need > inp.hall_area:
                probs.append(Problem(
                    "site.hall_area",
                    f"one {r.name} ({_q(r.floor_area, 'm^2')}) with the fewest CDUs and air-side units it needs "
                    f"with the spares of redundancy.* take {_q(hall_need, 'm^2')}, more than the hall's {_q(inp.hall_area, 'm^2')}"))
            yard_need = sum(opts[k]["area"] for k in ("hr_liquid", "hr_air") if k in opts)
            if yard_need > inp.yard_area:
                probs.append(Problem(
                    "site.yard_area",
                    f"the fewest heat-rejection modules for one {r.name} at the design condition with "
                    f"N+{inp.spares['heat_rejection']} take {_q(yard_need, 'm^2')}, more than the yard's "
                    f"{_q(inp.yard_area, 'm^2')}"))
            cost = (capex_fixed + r.price + r.power_design * inp.facility_capex + r.power_peak * inp.ups_price_per_mw
                    + sum(v["price"] for v in opts.values()))
            if cost > inp.budget and capex_fixed <= inp.budget:
                probs.append(Problem(
                    "economics.capex_budget",
                    f"one {r.name} ({_q(r.price / 1e6, 'MUSD')}) with its share of facility capex "
                    f"({_q(r.power_design * inp.facility_capex / 1e6, 'MUSD')}), UPS, the cheapest cooling it needs and "
                    f"the transformer costs {_q(cost / 1e6, 'MUSD')}, above the budget of {_q(inp.budget / 1e6, 'MUSD')}"))
        per_rack[r.id] = probs
        if not probs:
            fitting.append(r)

    if not fitting:
        seen = set()
        for r in inp.racks:
            for p in per_rack[r.id]:
                if (p.path, p.message) not in seen:
                    seen.add((p.path, p.message))
                    problems.append(p)
        if len(inp.racks) > 1:
            problems.append(Problem("choices.racks", "no rack type offered can be installed (reasons above)"))

    n = inp.min_racks
    if n > 0:
        if inp.max_racks is not None and inp.max_racks < n:
            problems.append(Problem(
                "limits.min_racks", f"limits.min_racks = {n} is above limits.max_racks = {inp.max_racks}"))
        if fitting:
            peak = min(r.power_peak for r in fitting) * a_ups
            if n * peak > inp.grid_limit:
                problems.append(Problem(
                    "limits.min_racks",
                    f"{n} racks draw at least {_q(n * peak, 'MW')} at the meter at peak power (through UPS and "
                    f"transformer losses, before cooling), above site.grid_limit = {_q(inp.grid_limit, 'MW')}; "
                    f"at most {int(inp.grid_limit / peak)} fit"))
            area = min(r.floor_area for r in fitting)
            if n * area > inp.hall_area:
                problems.append(Problem(
                    "limits.min_racks",
                    f"{n} racks take at least {_q(n * area, 'm^2')} of floor, more than site.hall_area = "
                    f"{_q(inp.hall_area, 'm^2')}"))
            price = min(r.price + r.power_design * inp.facility_capex + r.power_peak * inp.ups_price_per_mw
                        for r in fitting)
            if capex_fixed + n * price > inp.budget:
                problems.append(Problem(
                    "limits.min_racks",
                    f"{n} racks cost at least {_q((capex_fixed + n * price) / 1e6, 'MUSD')} with facility, UPS and "
                    f"transformer, above economics.capex_budget = {_q(inp.budget / 1e6, 'MUSD')}"))

    if inp.miners and not any(m.allowed for m in inp.miners):
        reasons = "; ".join(f"{m.id}: {m.reason}" for m in inp.miners)
        problems.append(Problem("choices.miners", f"no miner offered can run, so the plan has no mining ({reasons})",
                                severity="warning"))
    return problems


def problems_section(problems: list[Problem]) -> Section:
    """The pre-solve problems in engineering words, each with its TOML path."""
    errors = [p for p in problems if p.severity == "error"]
    title = "Diagnosis: the site cannot be planned as written" if errors else "Warnings before solving"
    s = Section(title)
    for p in errors:
        s.lines.append(str(p))
    for p in problems:
        if p.severity != "error":
            s.lines.append(f"warning: {p}")
    if errors:
        s.lines.append("Change the TOML paths named above (or try a value with --set PATH=VALUE) and run again; "
                       "these checks ran before any solve.")
    return s


# --------------------------------------------------------------------------------------
# elastic diagnosis of an infeasible plan
# --------------------------------------------------------------------------------------

def _decision_values(model: Model) -> dict[str, float]:
    out = {}
    for k, v in model.racks.items():
        out[f"racks.{k}"] = round(v.varValue or 0.0)
    for k, v in model.cdus.items():
        out[f"cdus.{k}"] = round(v.varValue or 0.0)
    for k, v in model.modules.items():
        out[f"heat_rejection.{k}"] = round(v.varValue or 0.0)
    for k, v in model.air_units.items():
        out[f"air_side.{k}"] = round(v.varValue or 0.0)
    for k, v in model.mining.items():
        out[f"mining.{k}"] = max(0.0, v.varValue or 0.0)
    return out


def _design_text(values: dict[str, float], only_nonzero: bool = True) -> str:
    parts = []
    for k, v in values.items():
        if only_nonzero and abs(v) < 1e-9:
            continue
        parts.append(f"{k} = {_q(v, 'MW')}" if k.startswith("mining.") else f"{k} = {int(v)}")
    return ", ".join(parts) if parts else "nothing"


def _relaxations(model: Model) -> list[dict]:
    """Elastic slacks above tolerance: path, amount, unit, words, worst hour and hours."""
    inp = model.inputs
    out = []
    for key, fam in model.families.items():
        for sl in fam.slacks:
            v = sl.var.varValue or 0.0
            if v <= SLACK_TOL:
                continue
            item = {"key": key, "path": sl.path, "amount": v, "unit": sl.unit, "what": sl.what,
                    "hour": None, "hours": [], "detail": ""}
            if fam.hourly_slacks and sl.var.name in ("slack_grid", "slack_heat_liquid", "slack_heat_air"):
                by_hour: dict[int, dict[str, float]] = {}
                for h in fam.hourly_slacks:
                    val = h.var.varValue or 0.0
                    if val > SLACK_TOL:
                        by_hour.setdefault(h.t, {})[h.what] = val
                if by_hour:
                    worst = max(by_hour, key=lambda t: max(by_hour[t].values()))
                    item["hours"] = sorted(by_hour)
                    item["hour"] = worst
                    item["energy"] = float(sum(inp.weight[t] * max(d.values()) for t, d in by_hour.items()))
                    if key == "grid":
                        what, val = max(by_hour[worst].items(), key=lambda kv: kv[1])
                        item["detail"] = (
                            f"GPU peak power plus cooling with mining curtailed needs {_q(inp.grid_limit + val, 'MW')}"
                            if what.startswith("GPU peak") else
                            f"the grid draw at typical power needs {_q(inp.grid_limit + val, 'MW')}")
            out.append(item)
    return out


def _forced_text(inp: Inputs, fixed: dict[str, float] | None, forced_one: bool) -> str:
    if fixed:
        return f"with the fixed design ({_design_text(fixed, only_nonzero=False)})"
    if forced_one:
        return "with the minimum of one rack and its cooling"
    n = inp.min_racks
    return f"with limits.min_racks = {n} rack{'s' if n != 1 else ''} and their cooling"


def _relaxation_line(inp: Inputs, item: dict, forced: str) -> str:
    path, v, unit = item["path"], item["amount"], item["unit"]
    if unit == "USD":
        amount = _q(v / 1e6, "MUSD")
    else:
        amount = _q(v, unit)
    if item["key"] == "grid":
        t = item["hour"]
        line = f"{path} is {amount} short at {inp.labels[t]} {forced}"
        if item["detail"]:
            line += f" ({item['detail']} against {_q(inp.grid_limit, 'MW')})"
        line += f"; short in {_hours_text(inp, item['hours'])}, {_q(item['energy'], 'MWh/yr')} in all"
        return line
    if item["key"].startswith("heat_"):
        t = item["hour"]
        return (f"{path}: {amount} of {item['what'].replace(' (largest hour)', '')} at {inp.labels[t]} "
                f"({inp.dry_bulb[t]:.1f} degC dry bulb) {forced}; short in {_hours_text(inp, item['hours'])}")
    if item["key"] in ("hall", "yard", "budget"):
        limit = {"hall": inp.hall_area, "yard": inp.yard_area, "budget": inp.budget}[item["key"]]
        lim = _q(limit / 1e6, "MUSD") if unit == "USD" else _q(limit, unit)
        return f"{path} is {amount} short (of {lim}) {forced}"
    return f"{path} is short by {amount} ({item['what']}) {forced}"


def diagnose_infeasible(inp: Inputs, solver: str = "highs", fixed: dict[str, float] | None = None,
                        time_limit: float | None = 120.0) -> Section:
    """Why no plan is feasible: the smallest relaxations of the limits (elastic re-solve).

    The rack count is forced to ``limits.min_racks`` (at least one rack when the
    site sets none and no design is fixed) and every limit family may be relaxed
    at a large penalty per scaled unit (see :mod:`planner.model`). The report gives
    each relaxation with its unit, TOML path and the hours concerned.
    """
    s = Section("Diagnosis: why no plan is feasible")
    forced_one = not fixed and inp.min_racks == 0
    einp = replace(inp, min_racks=1) if forced_one else inp
    model = build_model(einp, fixed=dict(fixed) if fixed else None, elastic=True)
    res = solve(model, solver=solver, time_limit=time_limit, mip_gap=1e-6)
    if not res.has_solution:
        s.lines.append(f"the elastic re-solve (every limit relaxable at a penalty) ended with status "
                       f"'{res.status}' ({res.detail}); no relaxation could be computed")
        return s
    forced = _forced_text(inp, fixed, forced_one)
    items = _relaxations(model)
    # a min_racks relaxation is reported last: the limits are what must change to host the racks asked for
    items.sort(key=lambda it: (it["path"] == "limits.min_racks", it["path"]))
    t = Table("smallest relaxations that make the plan feasible",
              [("TOML path", ""), ("short by", ""), ("worst hour", ""), ("hours of the year", "h")])
    if not items:
        s.lines.append("the elastic re-solve relaxed nothing: the infeasibility is numerical or outside the "
                       "limit families; try --solver cbc or --debug")
    for it in items:
        s.lines.append(_relaxation_line(inp, it, forced))
        amount = _q(it["amount"] / 1e6, "MUSD") if it["unit"] == "USD" else _q(it["amount"], it["unit"])
        hour = inp.labels[it["hour"]] if it["hour"] is not None else ""
        year = float(sum(inp.weight[x] for x in it["hours"])) if it["hours"] else None
        t.rows.append([it["path"], amount, hour, year])
        value, unit = (it["amount"] / 1e6, "MUSD") if it["unit"] == "USD" else (it["amount"], it["unit"])
        s.figures.append(Figure(f"{it['path']}: {it['what'].replace(' (largest hour)', '')}", value, unit,
                                f"worst at {hour}" if hour else ""))
        if it["key"] == "air_side" and inp.air_side and not any(a.allowed for a in inp.air_side):
            s.lines.append("cooling.air_loop_supply_temperature: every air-side unit offered is excluded by the "
                           "air-loop temperature (" + "; ".join(f"{a.id} {a.reason}" for a in inp.air_side) + ")")
    s.tables.append(t)
    s.lines.append(f"least-relaxed design found: {_design_text(_decision_values(model))}")
    if res.status != "optimal":
        s.lines.append(f"(the elastic re-solve stopped with status '{res.status}': the relaxations may not be the smallest)")

    # How many racks the limits as written allow, when a minimum was asked for.
    if inp.min_racks > 0 and not any(k.startswith("racks.") for k in (fixed or {})):
        strict = build_model(inp, fixed=dict(fixed) if fixed else None, elastic=True)
        for fam in strict.families.values():
            for sl in fam.slacks + fam.hourly_slacks:
                if sl.path != "limits.min_racks":
                    sl.var.upBound = 0.0
        r2 = solve(strict, solver=solver, time_limit=time_limit, mip_gap=1e-6)
        if r2.has_solution:
            most = int(round(sum(v.varValue or 0.0 for v in strict.racks.values())))
            s.lines.append(f"limits.min_racks: under the limits as written at most {most} rack"
                           f"{'s' if most != 1 else ''} can be installed with their cooling "
                           f"(limits.min_racks asks for {inp.min_racks})")
    s.lines.append("Each relaxation is the least the elastic re-solve needed (penalty 1e6 kUSD/yr per MW, "
                   "per 1000 m^2, per 10 MUSD or per unit of equipment, ten times that per MW of missing cooling); "
                   "relax the limit named (or use --set) and run again.")
    return s


# --------------------------------------------------------------------------------------
# explanation of a solved plan
# --------------------------------------------------------------------------------------

def _fixed_lp(model: Model, solver: str):
    """Fixed-integer LP re-solve; the sign turning ``pi`` into d(objective)/d(rhs) of the solver that ran
    (HiGHS requested may fall back to CBC)."""
    res = solve_fixed_lp(model, solver=solver)
    return res, DUAL_SIGN.get(res.solver, 1.0)


def _dual(con: pulp.LpConstraint, sign: float) -> float:
    return sign * (con.pi or 0.0)


def _binds(con: pulp.LpConstraint) -> bool:
    return con.slack is not None and abs(con.slack) < BIND_TOL


def _binding_summary(model: Model) -> dict[str, dict]:
    """Binding limits after a (fixed-integer LP) solve, per TOML path: hours/rows binding and slack."""
    inp = model.inputs
    fams = model.families
    out: dict[str, dict] = {}
    g = [t for t, c in fams["grid"].rows if _binds(c)]
    e = [t for t, c in fams["envelope"].rows if _binds(c)]
    if g or e:
        out["site.grid_limit"] = {"grid": g, "envelope": e,
                                  "text": f"grid draw binds in {_hours_text(inp, g)}, the GPU peak envelope in "
                                          f"{_hours_text(inp, e)}"}
    for key in ("hall", "yard", "budget"):
        for _, c in fams[key].rows:
            if _binds(c):
                out[fams[key].path] = {"text": "fully used"}
    names = {"cdu_redundancy": "redundancy.cdu", "air_redundancy": "redundancy.air_side",
             "hr_design_liquid": "redundancy.heat_rejection", "hr_design_air": "redundancy.heat_rejection",
             "max_racks": "limits.max_racks", "min_racks": "limits.min_racks", "max_mining": "limits.max_mining"}
    for fam in fams.values():
        for _, c in fam.rows:
            path = names.get(c.name)
            if path and _binds(c):
                what = {"cdu_redundancy": "CDU N+k binds (no spare capacity beyond the spares)",
                        "air_redundancy": "air-side N+k binds",
                        "hr_design_liquid": "liquid-loop heat rejection N+k binds at the design condition",
                        "hr_design_air": "air-loop heat rejection N+k binds at the design condition",
                        "max_racks": "the rack count is at limits.max_racks",
                        "min_racks": "the rack count is at limits.min_racks",
                        "max_mining": "installed mining is at limits.max_mining"}[c.name]
                prev = out.get(path, {}).get("text")
                out[path] = {"text": what if not prev else f"{prev}; {what}"}
    at_capacity: dict[str, list[int]] = {}
    for t, c in fams["hr_capacity"].rows:
        key = c.name[len("hrcap_"):].rsplit("_", 1)[0]
        if _binds(c) and key in model.modules and (model.modules[key].varValue or 0) > 0.5:
            at_capacity.setdefault(key, []).append(t)
    if at_capacity:
        parts = [f"{key} in {_hours_text(inp, sorted(ts))}" for key, ts in sorted(at_capacity.items())]
        out["choices.heat_rejection"] = {
            "text": "modules at their capacity at that hour's ambient: " + "; ".join(parts)
            + " (the cheapest modules run full first; installing more is weighed against their cost)"}
    return out


def _shadow_section(plan, lp, sign: float) -> Section:
    model, inp = plan.model, plan.inputs
    fams = model.families
    s = Section("Binding limits and shadow prices (fixed-integer LP)")
    grid_rows = [(t, c) for t, c in fams["grid"].rows]
    env_rows = [(t, c) for t, c in fams["envelope"].rows]
    d_grid = sum(_dual(c, sign) for _, c in grid_rows)
    d_env = sum(_dual(c, sign) for _, c in env_rows)
    d_budget = sum(_dual(c, sign) for _, c in fams["budget"].rows)  # kUSD/yr per kUSD
    capex_weight = 1.0 if inp.objective == "noi_less_annualised_capex" else CAPEX_TIE_BREAK
    transformer = K * inp.transformer_price_per_mw * (d_budget + inp.crf["facility"] * capex_weight)
    value_grid = d_grid + d_env - transformer
    g_bind = [t for t, c in grid_rows if _binds(c)]
    e_bind = [t for t, c in env_rows if _binds(c)]
    s.figures.append(Figure(
        "site.grid_limit: 1 MW more is worth", value_grid / 1e3, "MUSD/yr",
        f"sum of the duals of the grid rows ({d_grid / 1e3:.4g}) and envelope rows ({d_env / 1e3:.4g} MUSD/yr per MW) "
        f"less the transformer sized to the limit ({transformer / 1e3:.3g})"))
    s.figures.append(Figure("site.grid_limit: hours the grid draw binds", float(sum(inp.weight[t] for t in g_bind)), "h",
                            f"{len(g_bind)} of {inp.hours} model hours"))
    s.figures.append(Figure("site.grid_limit: hours the GPU peak envelope binds", float(sum(inp.weight[t] for t in e_bind)),
                            "h", f"{len(e_bind)} of {inp.hours} model hours; mining curtailed, GPU at peak power"))
    for key, label in (("hall", "site.hall_area"), ("yard", "site.yard_area")):
        for _, c in fams[key].rows:
            s.figures.append(Figure(f"{label}: 1 m^2 more is worth", _dual(c, sign), "kUSD/yr",
                                    f"{_q(c.slack, 'm^2')} unused"))
    for _, c in fams["budget"].rows:
        s.figures.append(Figure("economics.capex_budget: 1 MUSD more is worth", _dual(c, sign), "MUSD/yr",
                                f"{_q(c.slack / 1e3, 'MUSD')} unused"))
    if "mining_limit" in fams:
        for _, c in fams["mining_limit"].rows:
            s.figures.append(Figure("limits.max_mining: 1 MW more is worth", _dual(c, sign) / 1e3, "MUSD/yr",
                                    f"{_q(c.slack, 'MW')} unused"))
    by_key: dict[str, list] = {}
    for t, c in fams["hr_capacity"].rows:
        key = c.name.removeprefix("hrcap_").rsplit("_", 1)[0]
        by_key.setdefault(key, []).append((t, c))
    for key, rows in by_key.items():
        n = round(model.modules[key].varValue or 0) if key in model.modules else 0
        if n <= 0:
            continue
        bind = sorted({t for t, c in rows if _binds(c)})
        val = sum(_dual(c, sign) for _, c in rows)
        s.figures.append(Figure(f"choices.heat_rejection {key}: 1 MW more capacity in every hour is worth", val, "kUSD/yr",
                                f"at capacity in {_hours_text(inp, bind)}"))
    red = {"cdu_redundancy": ("redundancy.cdu", "CDU N+{} binds", "CDU"),
           "air_redundancy": ("redundancy.air_side", "air-side N+{} binds", "air side"),
           "hr_design_liquid": ("redundancy.heat_rejection", "liquid-loop heat rejection N+{} binds at the design condition",
                                "liquid-loop heat rejection"),
           "hr_design_air": ("redundancy.heat_rejection", "air-loop heat rejection N+{} binds at the design condition",
                             "air-loop heat rejection")}
    spares = {"redundancy.cdu": inp.spares["cdu"], "redundancy.air_side": inp.spares["air_side"],
              "redundancy.heat_rejection": inp.spares["heat_rejection"]}
    for fam in fams.values():
        for _, c in fam.rows:
            if c.name in red:
                path, words, what = red[c.name]
                state = words.format(spares[path]) if _binds(c) else f"{what} spare beyond N+{spares[path]}"
                s.figures.append(Figure(f"{path}: {state}", c.slack, "MW",
                                        "capacity with the spares out less the design heat"))
    s.lines.append(f"fixed-integer LP objective {_q(lp.objective / 1e3, 'MUSD/yr')} "
                   f"(MILP {_q((plan.solve.objective or 0) / 1e3, 'MUSD/yr')})")
    s.lines.append(FIXED_LP_NOTE)
    s.lines.append("Shadow prices are changes of the objective (economics.objective, kUSD/yr or MUSD/yr) per unit of "
                   "the limit; hour weights are already inside the coefficients.")
    return s


def _stranded_section(plan) -> Section:
    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    clim = inp.climate
    h = int(np.argmax(clim.dry_bulb))
    label = f"{clim.timestamps[h]}, {clim.dry_bulb[h]:.1f} degC"
    s = Section("Stranded capacity")
    s.figures.append(Figure("grid power unused at the hottest hour", inp.grid_limit - float(op.grid_draw[h]), "MW",
                            f"site.grid_limit {_q(inp.grid_limit, 'MW')} less the draw at {label}"))
    s.figures.append(Figure("grid headroom for GPU peaks at the hottest hour", inp.grid_limit - float(op.envelope[h]), "MW",
                            "site.grid_limit less GPU peak power plus cooling, mining curtailed"))
    s.figures.append(Figure("grid energy unused over the year", float(np.sum(inp.grid_limit - op.grid_draw)), "MWh/yr",
                            "site.grid_limit x 8760 h less the energy drawn"))

    loads = design_loads(inp, d)
    sp = inp.spares
    for loop in LOOPS:
        cap = 0.0
        for hr in inp.heat_rejection:
            n = d.modules.get(hr.key, 0)
            if hr.loop == loop and n > 0:
                cap += (n - sp["heat_rejection"]) * hr.design_capacity
        if cap > 0 or loads[loop] > 0:
            s.figures.append(Figure(f"{loop}-loop heat rejection unused at the design condition", cap - loads[loop], "MW",
                                    f"choices.heat_rejection with N+{sp['heat_rejection']} (redundancy.heat_rejection) "
                                    f"at {inp.design_dry_bulb:.1f} degC, less the design heat {_q(loads[loop], 'MW')}"))
            heat_h = float(op.liquid_heat[h] if loop == "liquid" else op.air_heat[h])
            cap_h = float(op.capacity_by_loop.get(loop, np.zeros(len(op.grid_draw)))[h])
            s.figures.append(Figure(f"{loop}-loop heat rejection unused at the hottest hour", cap_h - heat_h, "MW",
                                    f"choices.heat_rejection, every module installed running at {label}, less the heat then"))
    cdu_cap, cdu_left = installed_with_spares_out(inp.cdus, d.cdus, sp["cdu"])
    if cdu_cap > 0:
        s.figures.append(Figure("CDU capacity unused", cdu_left - loads["liquid"], "MW",
                                f"choices.cdus with N+{sp['cdu']} (redundancy.cdu), less the liquid heat at design power"))
    air_cap, air_left = installed_with_spares_out(inp.air_side, d.air_units, sp["air_side"])
    if air_cap > 0:
        s.figures.append(Figure("air-side capacity unused", air_left - loads["air"], "MW",
                                f"choices.air_side with N+{sp['air_side']} (redundancy.air_side), less the rack air heat"))
    hall, yard = areas(inp, d)
    s.figures.append(Figure("hall area unused", inp.hall_area - hall, "m^2", f"site.hall_area {_q(inp.hall_area, 'm^2')}"))
    s.figures.append(Figure("yard area unused", inp.yard_area - yard, "m^2", f"site.yard_area {_q(inp.yard_area, 'm^2')}"))
    s.figures.append(Figure("water used", float(op.water_m3.sum()), "m^3/yr", "no limit; priced at economics.water_price"))
    s.figures.append(Figure("budget unused", inp.budget - eco.capex, "USD",
                            f"economics.capex_budget {_q(inp.budget / 1e6, 'MUSD')} less capex {_q(eco.capex / 1e6, 'MUSD')}"))
    return s



def _next_rack(plan) -> list[tuple[object, list[tuple[str, str]]]]:
    """For each rack type: which limits one more rack (with the cooling it adds) would break."""
    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    a_ups, a_tx = _chain(inp)
    h = int(np.argmax(op.envelope))
    label = str(inp.climate.timestamps[h])
    env_left = inp.grid_limit - float(op.envelope[h])
    heat_h = float(op.liquid_heat[h] + op.air_heat[h])
    fixed_cool = (sum(d.cdus.get(c.id, 0) * c.pump_power for c in inp.cdus)
                  + sum(d.air_units.get(a.id, 0) * a.fan_power for a in inp.air_side))
    per_heat = (float(op.cooling_power[h]) - fixed_cool) / heat_h if heat_h > 1e-9 else 0.02
    hall, yard = areas(inp, d)
    hall_left, yard_left = inp.hall_area - hall, inp.yard_area - yard
    budget_left = inp.budget - eco.capex
    loads = design_loads(inp, d)
    sp = inp.spares
    cdu_used = [c for c in inp.cdus if d.cdus.get(c.id, 0) > 0] or inp.cdus
    cdu_room = installed_with_spares_out(inp.cdus, d.cdus, sp["cdu"])[1] - loads["liquid"]
    air_used = [a for a in inp.air_side if d.air_units.get(a.id, 0) > 0] or [a for a in inp.air_side if a.allowed]
    air_room = installed_with_spares_out(inp.air_side, d.air_units, sp["air_side"])[1] - loads["air"]
    hr_room = {}
    hr_used = {}
    for loop in LOOPS:
        used = [x for x in inp.heat_rejection if x.loop == loop and d.modules.get(x.key, 0) > 0]
        hr_room[loop] = sum((d.modules[x.key] - sp["heat_rejection"]) * x.design_capacity for x in used) - loads[loop]
        hr_used[loop] = used or [x for x in inp.heat_rejection if x.loop == loop and x.design_capacity > 0]
    total = sum(d.racks.values())
    out = []
    for r in inp.racks:
        heat = _rack_need(inp, r)
        area, cost, yard_need, cool_mw = r.floor_area, (r.price + r.power_design * inp.facility_capex
                                                       + r.power_peak * inp.ups_price_per_mw), 0.0, 0.0
        if heat["liquid"] > max(cdu_room, 0.0) and cdu_used:
            c = max(cdu_used, key=lambda c: c.capacity)
            n = int(math.ceil((heat["liquid"] - max(cdu_room, 0.0)) / c.capacity))
            area, cost, cool_mw = area + n * c.floor_area, cost + n * c.price, cool_mw + n * c.pump_power
        if heat["air"] > max(air_room, 0.0) and air_used:
            a = max(air_used, key=lambda a: a.capacity)
            n = int(math.ceil((heat["air"] - max(air_room, 0.0)) / a.capacity))
            area, cost, cool_mw = area + n * a.floor_area, cost + n * a.price, cool_mw + n * a.fan_power
        for loop in LOOPS:
            if heat[loop] > max(hr_room[loop], 0.0) and hr_used[loop]:
                x = max(hr_used[loop], key=lambda x: x.design_capacity)
                if x.design_capacity > 0:
                    n = int(math.ceil((heat[loop] - max(hr_room[loop], 0.0)) / x.design_capacity))
                    yard_need += n * x.floor_area
                    cost += n * x.price
        grid_need = a_ups * r.power_peak + a_tx * (per_heat * r.power_typical + cool_mw)
        short = []
        if grid_need > env_left + 1e-9:
            short.append(("site.grid_limit",
                          f"needs about {_q(grid_need, 'MW')} at peak with its cooling; {_q(env_left, 'MW')} is left "
                          f"under the GPU peak envelope at {label}"))
        if area > hall_left + 1e-9:
            short.append(("site.hall_area", f"needs {_q(area, 'm^2')} of floor (with any CDU or air-side unit it adds); "
                                            f"{_q(hall_left, 'm^2')} is left"))
        if yard_need > yard_left + 1e-9:
            short.append(("site.yard_area", f"needs {_q(yard_need, 'm^2')} of yard for more heat rejection; "
                                            f"{_q(yard_left, 'm^2')} is left"))
        if cost > budget_left + 1e-6:
            short.append(("economics.capex_budget", f"costs about {_q(cost / 1e6, 'MUSD')}; "
                                                    f"{_q(budget_left / 1e6, 'MUSD')} of the budget is left"))
        if inp.max_racks is not None and total >= inp.max_racks:
            short.append(("limits.max_racks", f"the plan already has limits.max_racks = {inp.max_racks} racks"))
        if fixed_rack(plan, r.id):
            short.append((f"--fix racks.{r.id}", "the count is fixed by the design"))
        out.append((r, short))
    return out


def fixed_rack(plan, rid: str) -> bool:
    return _is_fixed(plan.model, f"racks.{rid}")


def _limits_section(plan, binding: dict[str, dict]) -> Section:
    inp, d, eco = plan.inputs, plan.design, plan.economics
    s = Section("What limits the plan")
    if binding:
        for path, info in binding.items():
            s.lines.append(f"binding: {path}: {info['text']}")
    else:
        s.lines.append("binding: no limit binds in the fixed-integer LP")
    limited = set()
    for r, short in _next_rack(plan):
        if short:
            reasons = "; ".join(f"{p} ({why})" for p, why in short)
            s.lines.append(f"one more {r.name} would break {reasons}")
            limited.update(p for p, _ in short)
        else:
            s.lines.append(f"one more {r.name} fits every limit (grid envelope, hall, yard, budget); "
                           f"the objective ({inp.objective}) did not add it: it does not pay for itself")
    hall, yard = areas(inp, d)
    unused = []
    if "site.hall_area" not in limited:
        unused.append(f"{_q(inp.hall_area - hall, 'm^2')} of site.hall_area")
    if "site.yard_area" not in limited:
        unused.append(f"{_q(inp.yard_area - yard, 'm^2')} of site.yard_area")
    if "economics.capex_budget" not in limited:
        unused.append(f"{_q((inp.budget - eco.capex) / 1e6, 'MUSD')} of economics.capex_budget")
    if "site.grid_limit" not in limited:
        unused.append(f"{_q(inp.grid_limit - float(plan.operation.envelope.max()), 'MW')} of site.grid_limit "
                      "(GPU peak envelope, worst hour)")
    if limited:
        s.lines.append(f"the rack count is limited by {', '.join(sorted(limited))}; left unused: {', '.join(unused)}")
    elif unused:
        s.lines.append(f"left unused: {', '.join(unused)}")
    return s


def explain(plan, solver: str = "highs") -> list[Section]:
    """Shadow prices, binding limits and stranded capacity of a solved plan.

    The MILP's integers are fixed at the plan's values and the LP re-solved
    (:func:`planner.solve.solve_fixed_lp`); row duals are turned into
    d(objective)/d(limit) with :data:`DUAL_SIGN` and summed per family over hours.
    """
    if plan.design is None:
        return []
    lp, sign = _fixed_lp(plan.model, solver)
    sections = []
    if lp.status != "optimal":
        sections.append(Section("Binding limits and shadow prices (fixed-integer LP)", lines=[
            f"the fixed-integer LP re-solve ended with status '{lp.status}' ({lp.detail}); no shadow prices"]))
        binding = {}
    else:
        sections.append(_shadow_section(plan, lp, sign))
        binding = _binding_summary(plan.model)
    sections.append(_limits_section(plan, binding))
    sections.append(_stranded_section(plan))
    return _tidy(sections)


def _tidy(sections: list[Section]) -> list[Section]:
    for sec in sections:
        for f in sec.figures:
            if isinstance(f.value, (float, np.floating)):
                f.value = _clean(float(f.value))
        for t in sec.tables:
            t.rows = [[_clean(float(v)) if isinstance(v, (float, np.floating)) else v for v in row] for row in t.rows]
    return sections


# --------------------------------------------------------------------------------------
# a fixed design against the free optimum
# --------------------------------------------------------------------------------------

def compare_with_optimum(plan, solver: str = "highs", time_limit=None, mip_gap=None) -> Section:
    """A plan with fixed decisions side by side with the free optimum of the same inputs."""
    from planner.plan import run_plan

    s = Section("Comparison with the optimum")
    inp = plan.inputs
    free = run_plan(inp, solver=solver, time_limit=time_limit, mip_gap=mip_gap, fixed=None)
    if not free.solve.has_solution or plan.design is None:
        s.lines.append(f"the free optimum could not be found (solver status '{free.solve.status}')")
        return s
    fixed_vals = _design_values(plan)
    free_vals = _design_values(free)
    t = Table("equipment", [("decision", ""), ("fixed design", "units"), ("optimum", "units"), ("difference", "units")])
    tm = Table("mining", [("decision", ""), ("fixed design", "MW"), ("optimum", "MW"), ("difference", "MW")])
    for k in fixed_vals:
        a, b = fixed_vals[k], free_vals.get(k, 0)
        if a == 0 and b == 0:
            continue
        (tm if k.startswith("mining.") else t).rows.append([k, a, b, a - b])
    s.tables += [t, tm]
    ef, eo = plan.economics, free.economics
    tmoney = Table("economics", [("figure", ""), ("fixed design", "MUSD/yr"), ("optimum", "MUSD/yr"), ("difference", "MUSD/yr")])
    for name, a, b in (("NOI", ef.noi, eo.noi),
                       ("NOI less annualised capex", ef.noi_less_annualised_capex, eo.noi_less_annualised_capex),
                       ("annualised capex", ef.annualised_capex, eo.annualised_capex),
                       ("objective", (plan.solve.objective or 0) * 1e3, (free.solve.objective or 0) * 1e3)):
        tmoney.rows.append([name, a / 1e6, b / 1e6, (a - b) / 1e6])
    s.tables.append(tmoney)
    s.figures.append(Figure("GPUs, fixed design / optimum", f"{_gpus(plan)} / {_gpus(free)}", "GPU"))
    s.figures.append(Figure("capex, fixed design / optimum", f"{ef.capex / 1e6:,.1f} / {eo.capex / 1e6:,.1f}", "MUSD"))
    diffs = [k for k in fixed_vals if abs(fixed_vals[k] - free_vals.get(k, 0)) > 1e-6]
    fixed_keys = [k for k in fixed_vals if _is_fixed(plan.model, k)]
    s.lines.append(f"held by --fix / --design: {', '.join(f'{k} = {fixed_vals[k]:g}' for k in fixed_keys) or 'nothing'}")
    if not diffs:
        s.lines.append("the fixed design is the optimum: every decision matches")
    gap = (eo.noi_less_annualised_capex - ef.noi_less_annualised_capex) / 1e6
    s.lines.append(f"the optimum earns {_q(eo.noi / 1e6 - ef.noi / 1e6, 'MUSD/yr')} more NOI and "
                   f"{_q(gap, 'MUSD/yr')} more NOI less annualised capex")
    for name, p in (("fixed design", plan), ("optimum", free)):
        lp, _ = _fixed_lp(p.model, solver)
        binding = _binding_summary(p.model) if lp.status == "optimal" else {}
        text = "; ".join(f"{path} ({info['text']})" for path, info in binding.items()) or "no limit binds"
        s.lines.append(f"{name}: binding: {text}")
        for r, short in _next_rack(p):
            if short:
                s.lines.append(f"  {name}: one more {r.name} would break " + "; ".join(f"{q} ({why})" for q, why in short))
    return _tidy([s])[0]


def _is_fixed(model: Model, key: str) -> bool:
    """A decision held at a non-zero value by --fix or --design (its bounds are equal)."""
    kind, _, ident = key.partition(".")
    var = {"racks": model.racks, "cdus": model.cdus, "heat_rejection": model.modules,
           "air_side": model.air_units, "mining": model.mining}[kind].get(ident)
    return (var is not None and var.lowBound is not None and var.upBound is not None
            and var.lowBound == var.upBound and var.lowBound > 0)


def _design_values(plan) -> dict[str, float]:
    d = plan.design
    out: dict[str, float] = {}
    out.update({f"racks.{k}": v for k, v in d.racks.items()})
    out.update({f"cdus.{k}": v for k, v in d.cdus.items()})
    out.update({f"heat_rejection.{k}": v for k, v in d.modules.items()})
    out.update({f"air_side.{k}": v for k, v in d.air_units.items()})
    out.update({f"mining.{k}": round(v, 6) for k, v in d.mining.items()})
    return out


def _gpus(plan) -> int:
    return sum(plan.design.racks.get(r.id, 0) * r.gpus for r in plan.inputs.racks)
