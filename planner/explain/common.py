"""Shared constants and small helpers of the explanation modules."""

from __future__ import annotations

import math

import numpy as np

from planner.inputs import LOOPS, Inputs
from planner.model import Model
from planner.report.render import fmt


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

def chain_factors(inp: Inputs) -> tuple[float, float]:
    """(a_ups, a_tx): MW at the meter per MW of IT behind the UPS, and behind the transformer only."""
    a_tx = 1.0 / inp.transformer_efficiency
    return a_tx / inp.ups_efficiency, a_tx


def quantity_text(value: float, unit: str) -> str:
    if isinstance(value, float) and abs(value) < 1e-9:
        value = 0.0
    return fmt(value, unit)


def clean_zero(value: float) -> float:
    """Round solver noise (|x| < 1e-9) to zero for the report."""
    return 0.0 if abs(value) < 1e-9 else float(value)


def hours_text(inp: Inputs, ts) -> str:
    ts = list(ts)
    if not ts:
        return "no hour"
    year = float(sum(inp.weight[t] for t in ts))
    total = float(np.sum(inp.weight))
    year = int(round(year)) if abs(year - round(year)) < 1e-6 else year
    total = int(round(total)) if abs(total - round(total)) < 1e-6 else total
    if len(ts) == inp.hours:
        if inp.hours < int(round(total)):  # grouped hours (or days): a model hour is not an hour of the year
            if inp.hours == 1:
                return (f"the one model hour (standing for {quantity_text(year, 'h')}, at the worst coefficients "
                        f"of the hours it stands for)")
            return (f"every model hour ({inp.hours} model hours standing for {quantity_text(year, 'h')}, each at "
                    f"the worst coefficients of the hours it stands for)")
        return f"every model hour ({quantity_text(year, 'h')} of the year)"
    if inp.full_year and inp.hours < int(round(total)):  # groups: each binds at its worst hour, not in each of its hours
        return (f"{len(ts)} of {inp.hours} model hours (groups of hours, each at its worst), standing for "
                f"{quantity_text(year, 'h')} of {quantity_text(total, 'h')}")
    return f"{len(ts)} of {inp.hours} model hours, standing for {quantity_text(year, 'h')} of {quantity_text(total, 'h')}"


def audited_hours_at(series, limit: float) -> int:
    """Hours of the audited year whose ``series`` [MW] is within 0.1 kW of ``limit`` [MW] (or above it)."""
    return int(np.count_nonzero(np.asarray(series) >= limit - 1e-4))


def rack_need(inp: Inputs, r) -> dict[str, float]:
    """Heat of one rack at design power per loop [MW]."""
    return {"liquid": r.power_design * r.liquid_fraction, "air": r.power_design * (1.0 - r.liquid_fraction)}


def min_units(capacity: float, heat: float, spares: int) -> int:
    """Units needed to carry ``heat`` with ``spares`` out (N+k)."""
    if heat <= 0:
        return 0
    return int(math.ceil(heat / capacity - 1e-9)) + spares


def cooling_options(inp: Inputs, r) -> dict[str, dict[str, float] | None]:
    """Cheapest (area, price) to cool one rack of type ``r``, per kind of equipment; None if impossible.

    The heat-rejection modules of each loop are sized for the rack's heat at design power and the heat of
    the cooling plant the model puts on that loop (CDU pumps, air-side fans, the loop's pumps), with their spares; where a loop
    offers several module types, the figures are the least any mix of them could take. Each figure is a lower
    bound, so a check against it refuses only what the model could not plan either.
    """
    heat = rack_need(inp, r)
    out: dict[str, dict[str, float] | None] = {}
    if heat["liquid"] > 0:
        opts = [(min_units(c.capacity, heat["liquid"], inp.spares["cdu"]), c) for c in inp.cdus]
        out["cdu"] = ({"area": min(n * c.floor_area for n, c in opts), "price": min(n * c.price for n, c in opts),
                       "power": min(n * c.pump_power for n, c in opts)} if opts else None)
    if heat["air"] > 0:
        # room units with their N+k spares; a rear door on the rack (one per rack, no spares), where it carries it
        opts = [(1, a) if a.per_rack else (min_units(a.capacity, heat["air"], inp.spares["air_side"]), a)
                for a in inp.air_side if a.allowed and (not a.per_rack or heat["air"] <= a.capacity + 1e-12)]
        out["air"] = ({"area": min(n * a.floor_area for n, a in opts), "price": min(n * a.price for n, a in opts),
                       "power": min(n * a.fan_power for n, a in opts)} if opts else None)
    # the heat-rejection modules carry the plant's own heat as well, as the model charges it: the CDU pumps'
    # (the model's pump ratio, on the rack's liquid heat), the fans of the air-side units it needs (the fewest
    # fan power of the types allowed), and each loop's own pumps' heat (Inputs.pumped_heat)
    brought = {"liquid": heat["liquid"] * (1 + inp.cdu_pump_per_heat),
               "air": heat["air"] + (out.get("air") or {}).get("power", 0.0)}
    k = inp.spares["heat_rejection"]
    for loop in LOOPS:
        if heat[loop] <= 0:
            continue
        need = brought[loop] * inp.pumped_heat[loop]
        mods = [h for h in inp.heat_rejection if h.loop == loop and h.design_capacity > 0]
        if len(mods) == 1:  # one type: whole modules of it, with its spares
            n = min_units(mods[0].design_capacity, need, k)
            out[f"hr_{loop}"] = {"area": n * mods[0].floor_area, "price": n * mods[0].price}
        elif mods:
            # a mix of types can take less than any one type, so the least over every mix: at least N+k modules,
            # and a design capacity of the heat plus k of the largest module used (at least the smallest offered),
            # each MW of it at the least area (price) per MW of any type
            capacity = need + k * min(h.design_capacity for h in mods)
            out[f"hr_{loop}"] = {key: max(capacity * min(getattr(h, attr) / h.design_capacity for h in mods),
                                          (1 + k) * min(getattr(h, attr) for h in mods))
                                 for key, attr in (("area", "floor_area"), ("price", "price"))}
        else:
            out[f"hr_{loop}"] = None
    return out


def technology_reason(inp: Inputs, h, supply: float, t: int | None) -> str:
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


def is_fixed(model: Model, key: str) -> bool:
    """A decision held at a non-zero value by --fix or --design (its bounds are equal)."""
    kind, _, ident = key.partition(".")
    var = {"racks": model.units, "cdus": model.cdus, "heat_rejection": model.modules,
           "air_side": model.air_units, "mining": model.lots}[kind].get(ident)
    return (var is not None and var.lowBound is not None and var.upBound is not None
            and var.lowBound == var.upBound and var.lowBound > 0)
