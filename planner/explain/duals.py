"""After a plan: fixed-integer LP shadow prices, binding limits, what limits the plan, stranded capacity."""

from __future__ import annotations

import math

import numpy as np
import pulp

from planner.audit import (areas, cdu_flow_room, design_capacity_with_spares_out, design_heat_rejected, design_loads,
                           installed_with_spares_out)
from planner.inputs import LOOPS, cdus_per_scalable_unit
from planner.model import K, Model, capex_weight
from planner.report.figures import Figure, Section
from planner.solve import solve_fixed_lp
from planner.explain.common import BIND_TOL, DUAL_SIGN, FIXED_LP_NOTE, chain_factors, clean_zero, audited_hours_at, hours_text, is_fixed, quantity_text


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


def _binding_summary(model: Model, operation=None) -> dict[str, dict]:
    """Binding limits after a (fixed-integer LP) solve, per TOML path: hours/rows binding and slack.

    With the audited year's ``operation`` the grid limit's text also counts the hours of the year
    at the limit: with hours grouped, a model hour binds at the worst coefficients of its group.
    """
    inp = model.inputs
    fams = model.families
    out: dict[str, dict] = {}
    g = [t for t, c in fams["grid"].rows if _binds(c)]
    e = [t for t, c in fams["envelope"].rows if _binds(c)]
    if g or e:
        text = f"grid draw binds in {hours_text(inp, g)}, the GPU peak envelope in {hours_text(inp, e)}"
        if operation is not None:
            limit = inp.operating_limit
            text += (f"; in the audited year the grid draw is at the limit in "
                     f"{quantity_text(audited_hours_at(operation.grid_draw, limit), 'h')}, the envelope in "
                     f"{quantity_text(audited_hours_at(operation.envelope, limit), 'h')}")
        out["site.grid_limit"] = {"grid": g, "envelope": e, "text": text}
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
        parts = [f"{key} in {hours_text(inp, sorted(ts))}" for key, ts in sorted(at_capacity.items())]
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
    transformer = K * inp.transformer_price_per_mw * (d_budget + inp.crf["facility"] * capex_weight(inp.objective))
    value_grid = d_grid + d_env - transformer
    g_bind = [t for t, c in grid_rows if _binds(c)]
    e_bind = [t for t, c in env_rows if _binds(c)]
    reach = ""
    if plan.operation is not None and plan.design is not None and sum(plan.design.mining.values()) > 0:
        # with the equipment fixed, the grid beyond the limit is taken by miners idle at the limit
        op = plan.operation
        at_limit = op.grid_draw >= inp.operating_limit - 1e-4
        idle = sum((np.clip(op.mining_available[m.id] - op.mining_power[m.id], 0.0, None) * (1.0 + m.ventilation)
                    / inp.transformer_efficiency for m in inp.miners), np.zeros(len(op.grid_draw)))
        most = float(idle[at_limit].max()) if at_limit.any() else 0.0
        reach = (f"; with the equipment fixed, the miners idle at the limit could draw at most "
                 f"{quantity_text(most, 'MW')} more in any hour at the limit")
        if most < 1.0:
            reach += (", so a whole MW more is worth less than this rate; the re-planned value prices a whole step "
                      "with the design free")
    s.figures.append(Figure(
        "site.grid_limit: marginal value per MW, equipment held fixed", value_grid / 1e3, "MUSD/yr",
        f"the rate for a small change, per MW: sum of the duals of the grid rows ({d_grid / 1e3:.4g} MUSD/yr per MW) "
        f"and envelope rows ({d_env / 1e3:.4g} MUSD/yr per MW) less the transformer sized to the limit "
        f"({transformer / 1e3:.3g} MUSD/yr per MW){reach}"))
    # hours of the audited year at the limit; the model's binding hours stand for groups of hours at their worst
    op, limit = plan.operation, inp.operating_limit
    model_hours = f"in the model: {hours_text(inp, g_bind)}"
    if op is not None:
        s.figures.append(Figure("site.grid_limit: hours the grid draw is at the limit (audited year)",
                                float(audited_hours_at(op.grid_draw, limit)), "h", model_hours))
        s.figures.append(Figure("site.grid_limit: hours the GPU peak envelope is at the limit (audited year)",
                                float(audited_hours_at(op.envelope, limit)), "h",
                                f"mining curtailed, GPU at peak power; in the model: {hours_text(inp, e_bind)}"))
    else:
        s.figures.append(Figure("site.grid_limit: hours the grid draw binds (model)",
                                float(sum(inp.weight[t] for t in g_bind)), "h", f"{len(g_bind)} of {inp.hours} model hours"))
        s.figures.append(Figure("site.grid_limit: hours the GPU peak envelope binds (model)",
                                float(sum(inp.weight[t] for t in e_bind)), "h",
                                f"{len(e_bind)} of {inp.hours} model hours; mining curtailed, GPU at peak power"))
    for key, label in (("hall", "site.hall_area"), ("yard", "site.yard_area")):
        for _, c in fams[key].rows:
            s.figures.append(Figure(f"{label}: 1 m^2 more is worth", _dual(c, sign), "kUSD/yr",
                                    f"{quantity_text(c.slack, 'm^2')} unused"))
    for _, c in fams["budget"].rows:
        s.figures.append(Figure("economics.capex_budget: 1 MUSD more is worth", _dual(c, sign), "MUSD/yr",
                                f"{quantity_text(c.slack / 1e3, 'MUSD')} unused"))
    if "mining_limit" in fams:
        for _, c in fams["mining_limit"].rows:
            s.figures.append(Figure("limits.max_mining: 1 MW more is worth", _dual(c, sign) / 1e3, "MUSD/yr",
                                    f"{quantity_text(c.slack, 'MW')} unused"))
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
                                f"at capacity in {hours_text(inp, bind)}"))
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
                if c.name == "cdu_redundancy" and inp.cdu_scope == "scalable_unit":
                    continue  # the hall-wide row; each unit's own CDUs are what binds (Stranded capacity)
                path, words, what = red[c.name]
                state = words.format(spares[path]) if _binds(c) else f"{what} spare beyond N+{spares[path]}"
                s.figures.append(Figure(f"{path}: {state}", c.slack, "MW",
                                        "capacity with the spares out less the design heat"))
    s.lines.append(f"fixed-integer LP objective {quantity_text(lp.objective / 1e3, 'MUSD/yr')} "
                   f"(MILP {quantity_text((plan.solve.objective or 0) / 1e3, 'MUSD/yr')})")
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
    limit = inp.operating_limit
    less = f" less site.grid_margin {quantity_text(inp.grid_margin, 'MW')}" if inp.grid_margin > 0 else ""
    s.figures.append(Figure("grid power unused at the hottest hour", limit - float(op.grid_draw[h]), "MW",
                            f"site.grid_limit {quantity_text(inp.grid_limit, 'MW')}{less}, less the draw at {label}"))
    s.figures.append(Figure("grid headroom for GPU peaks at the hottest hour", limit - float(op.envelope[h]), "MW",
                            f"site.grid_limit{less}, less GPU peak power plus cooling, sheddable mining curtailed"))
    s.figures.append(Figure("grid energy unused over the year", float(np.sum(limit - op.grid_draw)), "MWh/yr",
                            f"(site.grid_limit{less}) x 8760 h less the energy drawn"))

    loads = design_loads(inp, d)
    rejected = design_heat_rejected(inp, d)
    sp = inp.spares
    for loop in LOOPS:
        cap = design_capacity_with_spares_out(inp, d, loop)[1]
        if cap > 0 or rejected[loop] > 0:
            s.figures.append(Figure(f"{loop}-loop heat rejection unused at the design condition", cap - rejected[loop], "MW",
                                    f"choices.heat_rejection with N+{sp['heat_rejection']} (redundancy.heat_rejection) "
                                    f"at {inp.design_dry_bulb:.1f} degC, less the design heat "
                                    f"{quantity_text(rejected[loop], 'MW')} ("
                                    + ("the CDU pumps' and facility-water pumps' heat included" if loop == "liquid"
                                       else "the air-side units' fans' and chilled-water pumps' heat included")
                                    + ")"))
            heat_h = float(op.liquid_heat[h] if loop == "liquid" else op.air_heat[h])
            cap_h = float(op.capacity_by_loop.get(loop, np.zeros(len(op.grid_draw)))[h])
            s.figures.append(Figure(f"{loop}-loop heat rejection unused at the hottest hour", cap_h - heat_h, "MW",
                                    f"choices.heat_rejection, every module installed running at {label}, less the heat then"))
    cdu_cap, cdu_left = installed_with_spares_out(inp.cdus, d.cdus, sp["cdu"])
    flow = cdu_flow_room(inp, d, sp["cdu"])
    flow_text = (f"; coolant flow with the spares out less the racks' flow at design: {flow:,.0f} L/min"
                 if math.isfinite(flow) else "")
    if cdu_cap > 0 and inp.cdu_scope == "scalable_unit":
        # every scalable unit with liquid heat has its own spares out; the rest of the CDUs carry the heat
        liquid_units = sum(d.racks.get(r.id, 0) // r.su_racks for r in inp.racks if r.su_liquid[1] > 0)
        unused = sum((n - sp["cdu"] * liquid_units) * c.capacity for c in inp.cdus
                     if (n := d.cdus.get(c.id, 0)) > 0) - loads["liquid"]
        s.figures.append(Figure("CDU capacity unused", unused, "MW",
                                f"each scalable unit's own CDUs with its N+{sp['cdu']} out (redundancy.cdu_scope), less "
                                f"its liquid heat at design power, summed over the units, with the hydro miners' CDUs "
                                f"less their heat; no unit can give a CDU to another"))
    elif cdu_cap > 0:
        s.figures.append(Figure("CDU capacity unused", cdu_left - loads["liquid"], "MW",
                                f"choices.cdus with N+{sp['cdu']} (redundancy.cdu), less the liquid heat at design power"
                                + flow_text))
    air_cap, air_left = installed_with_spares_out(inp.air_side, d.air_units, sp["air_side"])
    if air_cap > 0:
        s.figures.append(Figure("air-side capacity unused", air_left - loads["air"], "MW",
                                f"choices.air_side with N+{sp['air_side']} (redundancy.air_side), less the rack air heat"))
    hall, yard = areas(inp, d)
    s.figures.append(Figure("hall area unused", inp.hall_area - hall, "m^2", f"site.hall_area {quantity_text(inp.hall_area, 'm^2')}"))
    s.figures.append(Figure("yard area unused", inp.yard_area - yard, "m^2", f"site.yard_area {quantity_text(inp.yard_area, 'm^2')}"))
    s.figures.append(Figure("water used", float(op.water_m3.sum()), "m^3/yr", "no limit; priced at economics.water_price"))
    s.figures.append(Figure("budget unused", inp.budget - eco.capex, "USD",
                            f"economics.capex_budget {quantity_text(inp.budget / 1e6, 'MUSD')} less capex {quantity_text(eco.capex / 1e6, 'MUSD')}"))
    return s



def _next_rack(plan) -> list[tuple[object, list[tuple[str, str]], dict[str, float]]]:
    """For each rack type: which limits one more scalable unit (with the cooling it adds) would break.

    Each item is (rack type, [(TOML path, why)], {TOML path: what the unit needs of that limit}), the
    need in the limit's canonical unit (MW at peak with its cooling, m^2 of hall or yard, USD), for
    the limits it breaks: the whole need of the unit, not only the part beyond what is left.
    """
    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    a_ups, a_tx = chain_factors(inp)
    h = int(np.argmax(op.envelope))
    label = str(inp.climate.timestamps[h])
    env_left = inp.operating_limit - float(op.envelope[h])
    heat_h = float(op.liquid_heat[h] + op.air_heat[h])
    fixed_cool = sum(d.air_units.get(a.id, 0) * a.fan_power for a in inp.air_side)
    per_heat = (float(op.cooling_power[h]) - fixed_cool) / heat_h if heat_h > 1e-9 else 0.02
    hall, yard = areas(inp, d)
    hall_left, yard_left = inp.hall_area - hall, inp.yard_area - yard
    budget_left = inp.budget - eco.capex
    loads = design_loads(inp, d)
    rejected = design_heat_rejected(inp, d)
    sp = inp.spares
    cdu_used = [c for c in inp.cdus if d.cdus.get(c.id, 0) > 0] or inp.cdus
    pump = max((c.pump_per_heat for c in cdu_used), default=0.0)
    cdu_room = installed_with_spares_out(inp.cdus, d.cdus, sp["cdu"])[1] - loads["liquid"]
    flow_room = cdu_flow_room(inp, d, sp["cdu"])
    air_used = [a for a in inp.air_side if d.air_units.get(a.id, 0) > 0] or [a for a in inp.air_side if a.allowed]
    air_room = installed_with_spares_out(inp.air_side, d.air_units, sp["air_side"])[1] - loads["air"]
    hr_room = {}
    hr_used = {}
    for loop in LOOPS:
        used = [x for x in inp.heat_rejection if x.loop == loop and d.modules.get(x.key, 0) > 0]
        hr_room[loop] = design_capacity_with_spares_out(inp, d, loop)[1] - rejected[loop]
        hr_used[loop] = used or [x for x in inp.heat_rejection if x.loop == loop and x.design_capacity > 0]
    total = sum(d.racks.values())
    out = []
    for r in inp.racks:
        # one more scalable unit: its racks and their support IT
        heat = {"liquid": r.su_liquid[1], "air": r.su_air[1]}
        area = r.su_racks * r.floor_area + r.support_floor_area
        cost = ((1 + inp.installation) * r.su_hardware_price + r.su_it_design * inp.facility_capex
                + r.su_it_peak * inp.ups_price_per_mw)
        yard_need, cool_mw = 0.0, 0.0
        if cdu_used and heat["liquid"] > 0:
            c = max(cdu_used, key=lambda c: c.capacity)
            n = next_unit_cdus(r, c, cdu_room, flow_room, inp.cdu_scope, sp["cdu"])
            area, cost = area + n * c.floor_area, cost + n * c.price
        doors = [a for a in air_used if a.per_rack]
        if doors:
            n = r.su_racks + r.support_racks
            area, cost, cool_mw = area + n * doors[0].floor_area, cost + n * doors[0].price, cool_mw + n * doors[0].fan_power
        elif heat["air"] > max(air_room, 0.0) and air_used:
            a = max(air_used, key=lambda a: a.capacity)
            n = int(math.ceil((heat["air"] - max(air_room, 0.0)) / a.capacity))
            area, cost, cool_mw = area + n * a.floor_area, cost + n * a.price, cool_mw + n * a.fan_power
        # with the CDU pumps' heat (on the compute racks' liquid heat, as planner.audit.parasitic_heat), the fans', and
        # each loop's own pumps' heat (Inputs.pumped_heat)
        g = inp.pumped_heat
        rejects = {"liquid": (heat["liquid"] + pump * r.su_racks * r.power_design * r.liquid_fraction) * g["liquid"],
                   "air": (heat["air"] + cool_mw) * g["air"]}
        for loop in LOOPS:
            if rejects[loop] > max(hr_room[loop], 0.0) and hr_used[loop]:
                x = max(hr_used[loop], key=lambda x: x.design_capacity)
                if x.design_capacity > 0:
                    n = int(math.ceil((rejects[loop] - max(hr_room[loop], 0.0)) / x.design_capacity))
                    yard_need += n * x.floor_area
                    cost += n * x.price
        # cooling power per MW the modules reject at that hour, on the unit's heat as the modules see it: typical
        # rack heat with its CDU pumps' and door or room-unit fans' heat, over (1 - p) of its loop's pumps
        modules_heat = ((r.su_liquid[0] + pump * r.su_racks * r.power_typical * r.liquid_fraction) * g["liquid"]
                        + (r.su_air[0] + cool_mw) * g["air"])
        grid_need = (a_ups * (r.su_racks * r.power_grid_peak + r.support_power)
                     + a_tx * (per_heat * modules_heat + cool_mw))
        short, need = [], {}
        if grid_need > env_left + 1e-9:
            need["site.grid_limit"] = grid_need
            short.append(("site.grid_limit",
                          f"needs about {quantity_text(grid_need, 'MW')} at peak with its cooling; {quantity_text(env_left, 'MW')} is left "
                          f"under the GPU peak envelope at {label}"))
        if area > hall_left + 1e-9:
            need["site.hall_area"] = area
            short.append(("site.hall_area", f"needs {quantity_text(area, 'm^2')} of floor (with any CDU or air-side unit it adds); "
                                            f"{quantity_text(hall_left, 'm^2')} is left"))
        if yard_need > yard_left + 1e-9:
            need["site.yard_area"] = yard_need
            short.append(("site.yard_area", f"needs {quantity_text(yard_need, 'm^2')} of yard for more heat rejection; "
                                            f"{quantity_text(yard_left, 'm^2')} is left"))
        if cost > budget_left + 1e-6:
            need["economics.capex_budget"] = cost
            short.append(("economics.capex_budget", f"costs about {quantity_text(cost / 1e6, 'MUSD')}; "
                                                    f"{quantity_text(budget_left / 1e6, 'MUSD')} of the budget is left"))
        if inp.max_racks is not None and total + r.su_racks > inp.max_racks:
            short.append(("limits.max_racks", f"the plan already has limits.max_racks = {inp.max_racks} racks"))
        if fixed_rack(plan, r.id):
            short.append((f"--fix racks.{r.id}", "the count is fixed by the design"))
        out.append((r, short, need))
    return out


def next_unit_cdus(rack, cdu, heat_room: float, flow_room: float, scope: str, spares: int) -> int:
    """CDUs of type ``cdu`` one more scalable unit of ``rack`` adds.

    With each unit's own CDUs (``scope`` "scalable_unit") its own count with its spares
    (:func:`planner.inputs.cdus_per_scalable_unit`); in the hall, as many as carry the unit's liquid heat
    beyond ``heat_room`` [MW] and its racks' coolant flow beyond ``flow_room`` [L/min], the CDUs' capacity and
    flow with the spares out less what the racks take now.
    """
    if scope == "scalable_unit":
        return cdus_per_scalable_unit(rack, cdu, spares)
    n = max(0, math.ceil((rack.su_liquid[1] - max(heat_room, 0.0)) / cdu.capacity - 1e-9))
    if cdu.flow > 0 and math.isfinite(flow_room):
        n = max(n, math.ceil((rack.su_racks * rack.coolant_flow - max(flow_room, 0.0)) / cdu.flow - 1e-9))
    return int(n)


def _unit_words(r) -> str:
    if r.su_racks == 1 and r.support_power == 0:
        return r.name
    return f"scalable unit of {r.su_racks} {r.name} racks and its support IT"


def limiting_paths(plan) -> set[str]:
    """TOML paths of the limits one more scalable unit of any rack type would break."""
    return {p for _, short, _ in _next_rack(plan) for p, _ in short}


def fixed_rack(plan, rid: str) -> bool:
    return is_fixed(plan.model, f"racks.{rid}")


def _limits_section(plan, binding: dict[str, dict]) -> Section:
    inp, d, eco = plan.inputs, plan.design, plan.economics
    s = Section("What limits the plan")
    if binding:
        for path, info in binding.items():
            s.lines.append(f"binding: {path}: {info['text']}")
    else:
        s.lines.append("binding: no limit binds in the fixed-integer LP")
    limited = set()
    for r, short, _ in _next_rack(plan):
        if short:
            reasons = "; ".join(f"{p} ({why})" for p, why in short)
            s.lines.append(f"one more {_unit_words(r)} would break {reasons}")
            limited.update(p for p, _ in short)
        else:
            s.lines.append(f"one more {_unit_words(r)} fits every limit (grid envelope, hall, yard, budget); "
                           f"the objective ({inp.objective}) did not add it: it does not pay for itself")
    hall, yard = areas(inp, d)
    unused = []
    if "site.hall_area" not in limited:
        unused.append(f"{quantity_text(inp.hall_area - hall, 'm^2')} of site.hall_area")
    if "site.yard_area" not in limited:
        unused.append(f"{quantity_text(inp.yard_area - yard, 'm^2')} of site.yard_area")
    if "economics.capex_budget" not in limited:
        unused.append(f"{quantity_text((inp.budget - eco.capex) / 1e6, 'MUSD')} of economics.capex_budget")
    if "site.grid_limit" not in limited:
        unused.append(f"{quantity_text(inp.operating_limit - float(plan.operation.envelope.max()), 'MW')} of "
                      "site.grid_limit less its margin (GPU peak envelope, worst hour)")
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
        binding = _binding_summary(plan.model, plan.operation)
    plan.binding = binding
    sections.append(_limits_section(plan, binding))
    sections.append(_stranded_section(plan))
    return _tidy(sections)


def binding_of(plan, solver: str) -> dict[str, dict]:
    """The plan's binding limits: as :func:`explain` read them, or from a fixed-integer LP solved now."""
    if plan.binding is None:
        lp, _ = _fixed_lp(plan.model, solver)
        plan.binding = _binding_summary(plan.model, plan.operation) if lp.status == "optimal" else {}
    return plan.binding


def _tidy(sections: list[Section]) -> list[Section]:
    for sec in sections:
        for f in sec.figures:
            if isinstance(f.value, (float, np.floating)):
                f.value = clean_zero(float(f.value))
        for t in sec.tables:
            t.rows = [[clean_zero(float(v)) if isinstance(v, (float, np.floating)) else v for v in row] for row in t.rows]
    return sections
