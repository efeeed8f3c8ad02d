"""Plain-word checks before any solve; each problem names a TOML path."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.inputs import LOOPS, Inputs
from planner.report.figures import Section
from planner.explain.common import chain_factors, cooling_options, hours_text, quantity_text, rack_need, technology_reason


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
            reasons = "; ".join(technology_reason(inp, h, supply, None) for h in opts)
            parts.append(f"at the design condition ({inp.design_dry_bulb:.1f} degC dry bulb / "
                         f"{inp.design_wet_bulb:.1f} degC wet bulb): {reasons}")
        if dead.any():
            ts = np.flatnonzero(dead)
            worst = int(ts[np.argmax(inp.dry_bulb[ts])])
            text = (f"in {hours_text(inp, ts)}, the hottest at {inp.labels[worst]} "
                    f"({inp.dry_bulb[worst]:.1f} degC dry bulb)")
            if not no_design:
                text += ": " + "; ".join(technology_reason(inp, h, supply, worst) for h in opts)
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
    a_ups, a_tx = chain_factors(inp)
    problems: list[Problem] = []
    capex_fixed = inp.transformer_price_per_mw * inp.grid_limit
    if capex_fixed > inp.budget:
        problems.append(Problem(
            "economics.capex_budget",
            f"the budget of {quantity_text(inp.budget / 1e6, 'MUSD')} does not even cover the transformer sized to "
            f"site.grid_limit ({quantity_text(inp.grid_limit, 'MW')} x {quantity_text(inp.transformer_price_per_mw / 1e6, 'MUSD/MW')} = "
            f"{quantity_text(capex_fixed / 1e6, 'MUSD')})"))

    loop_probs = _loop_problems(inp)
    per_rack: dict[str, list[Problem]] = {}
    fitting = []
    for r in inp.racks:
        probs: list[Problem] = []
        heat = rack_need(inp, r)
        peak = r.power_peak * a_ups
        if peak > inp.grid_limit:
            probs.append(Problem(
                "site.grid_limit",
                f"one {r.name} alone draws {quantity_text(peak, 'MW')} at the meter at peak power "
                f"({quantity_text(r.power_peak * 1000, 'kW')} through UPS {inp.ups_efficiency * 100:g} % and transformer "
                f"{inp.transformer_efficiency * 100:g} %), above the grid limit of {quantity_text(inp.grid_limit, 'MW')}, "
                "before any cooling"))
        for loop in LOOPS:
            if heat[loop] > 0:
                probs += loop_probs[loop]
        if heat["liquid"] > 0 and not inp.cdus:
            probs.append(Problem(
                "choices.cdus",
                f"{r.name} gives {quantity_text(heat['liquid'] * 1000, 'kW')} at design power to liquid, but no CDU is offered"))
        if heat["air"] > 0:
            if not inp.air_side:
                probs.append(Problem(
                    "choices.air_side",
                    f"{r.name} gives {quantity_text(heat['air'] * 1000, 'kW')} at design power to room air, but no air-side unit is offered"))
            elif not any(a.allowed for a in inp.air_side):
                reasons = "; ".join(f"{a.id} {a.reason}" for a in inp.air_side)
                probs.append(Problem(
                    "cooling.air_loop_supply_temperature",
                    f"{r.name} gives {quantity_text(heat['air'] * 1000, 'kW')} to room air, but every air-side unit offered is "
                    f"excluded by the air-loop temperature: {reasons}"))
        opts = cooling_options(inp, r)
        if all(v is not None for v in opts.values()) and not probs:
            hall_need = r.floor_area + sum(opts[k]["area"] for k in ("cdu", "air") if k in opts)
            if hall_need > inp.hall_area:
                probs.append(Problem(
                    "site.hall_area",
                    f"one {r.name} ({quantity_text(r.floor_area, 'm^2')}) with the fewest CDUs and air-side units it needs "
                    f"with the spares of redundancy.* take {quantity_text(hall_need, 'm^2')}, more than the hall's {quantity_text(inp.hall_area, 'm^2')}"))
            yard_need = sum(opts[k]["area"] for k in ("hr_liquid", "hr_air") if k in opts)
            if yard_need > inp.yard_area:
                probs.append(Problem(
                    "site.yard_area",
                    f"the heat-rejection modules for one {r.name} and its CDU pumps', air-side fans' and loop pumps' heat at the "
                    f"design condition with N+{inp.spares['heat_rejection']} take at least {quantity_text(yard_need, 'm^2')}, "
                    f"more than the yard's "
                    f"{quantity_text(inp.yard_area, 'm^2')}"))
            cost = (capex_fixed + r.price + r.power_design * inp.facility_capex + r.power_peak * inp.ups_price_per_mw
                    + sum(v["price"] for v in opts.values()))
            if cost > inp.budget and capex_fixed <= inp.budget:
                probs.append(Problem(
                    "economics.capex_budget",
                    f"one {r.name} ({quantity_text(r.price / 1e6, 'MUSD')}) with its share of facility capex "
                    f"({quantity_text(r.power_design * inp.facility_capex / 1e6, 'MUSD')}), UPS, the cheapest cooling it needs and "
                    f"the transformer costs {quantity_text(cost / 1e6, 'MUSD')}, above the budget of {quantity_text(inp.budget / 1e6, 'MUSD')}"))
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
                    f"{n} racks draw at least {quantity_text(n * peak, 'MW')} at the meter at peak power (through UPS and "
                    f"transformer losses, before cooling), above site.grid_limit = {quantity_text(inp.grid_limit, 'MW')}; "
                    f"at most {int(inp.grid_limit / peak)} fit"))
            area = min(r.floor_area for r in fitting)
            if n * area > inp.hall_area:
                problems.append(Problem(
                    "limits.min_racks",
                    f"{n} racks take at least {quantity_text(n * area, 'm^2')} of floor, more than site.hall_area = "
                    f"{quantity_text(inp.hall_area, 'm^2')}"))
            price = min(r.price + r.power_design * inp.facility_capex + r.power_peak * inp.ups_price_per_mw
                        for r in fitting)
            if capex_fixed + n * price > inp.budget:
                problems.append(Problem(
                    "limits.min_racks",
                    f"{n} racks cost at least {quantity_text((capex_fixed + n * price) / 1e6, 'MUSD')} with facility, UPS and "
                    f"transformer, above economics.capex_budget = {quantity_text(inp.budget / 1e6, 'MUSD')}"))

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
