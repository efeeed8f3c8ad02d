"""Elastic re-solve of an infeasible site: the smallest relaxations, with units, paths and hours."""

from __future__ import annotations

from dataclasses import replace


from planner.inputs import Inputs
from planner.model import Model, build_model, value_of
from planner.report.figures import Figure, Section, Table
from planner.solve import solve
from planner.explain.common import SLACK_TOL, hours_text, quantity_text


# --------------------------------------------------------------------------------------
# elastic diagnosis of an infeasible plan
# --------------------------------------------------------------------------------------

def _decision_values(model: Model) -> dict[str, float]:
    out = {}
    for k, v in model.racks.items():
        out[f"racks.{k}"] = round(value_of(v))
    for k, v in model.cdus.items():
        out[f"cdus.{k}"] = round(v.varValue or 0.0)
    for k, v in model.modules.items():
        out[f"heat_rejection.{k}"] = round(v.varValue or 0.0)
    for k, v in model.air_units.items():
        out[f"air_side.{k}"] = round(v.varValue or 0.0)
    for k, v in model.mining.items():
        out[f"mining.{k}"] = max(0.0, value_of(v))
    return out


def _design_text(values: dict[str, float], only_nonzero: bool = True) -> str:
    parts = []
    for k, v in values.items():
        if only_nonzero and abs(v) < 1e-9:
            continue
        parts.append(f"{k} = {quantity_text(v, 'MW')}" if k.startswith("mining.") else f"{k} = {int(v)}")
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
                            f"GPU peak power plus cooling with mining curtailed needs {quantity_text(inp.grid_limit + val, 'MW')}"
                            if what.startswith("GPU peak") else
                            f"the grid draw at typical power needs {quantity_text(inp.grid_limit + val, 'MW')}")
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
        amount = quantity_text(v / 1e6, "MUSD")
    else:
        amount = quantity_text(v, unit)
    if item["key"] == "grid":
        t = item["hour"]
        line = f"{path} is {amount} short at {inp.labels[t]} {forced}"
        if item["detail"]:
            line += f" ({item['detail']} against {quantity_text(inp.grid_limit, 'MW')})"
        line += f"; short in {hours_text(inp, item['hours'])}, {quantity_text(item['energy'], 'MWh/yr')} in all"
        return line
    if item["key"].startswith("heat_"):
        t = item["hour"]
        return (f"{path}: {amount} of {item['what'].replace(' (largest hour)', '')} at {inp.labels[t]} "
                f"({inp.dry_bulb[t]:.1f} degC dry bulb) {forced}; short in {hours_text(inp, item['hours'])}")
    if item["key"] in ("hall", "yard", "budget"):
        limit = {"hall": inp.hall_area, "yard": inp.yard_area, "budget": inp.budget}[item["key"]]
        lim = quantity_text(limit / 1e6, "MUSD") if unit == "USD" else quantity_text(limit, unit)
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
        amount = quantity_text(it["amount"] / 1e6, "MUSD") if it["unit"] == "USD" else quantity_text(it["amount"], it["unit"])
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
            most = int(round(sum(value_of(v) for v in strict.racks.values())))
            s.lines.append(f"limits.min_racks: under the limits as written at most {most} rack"
                           f"{'s' if most != 1 else ''} can be installed with their cooling "
                           f"(limits.min_racks asks for {inp.min_racks})")
    s.lines.append("Each relaxation is the least the elastic re-solve needed (penalty 1e6 kUSD/yr per MW, "
                   "per 1000 m^2, per 10 MUSD or per unit of equipment, ten times that per MW of missing cooling); "
                   "relax the limit named (or use --set) and run again.")
    return s
