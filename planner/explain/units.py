"""The unit audit (`--show-units`): every input with its TOML path, as written and canonical."""

from __future__ import annotations



from planner.inputs import Inputs
from planner.report.figures import Section, Table
from planner.explain.common import chain_factors


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

    a_ups, a_tx = chain_factors(inp)
    t = Table("derived per-hour coefficient families (model hours)",
              [("coefficient family", ""), ("from", ""), ("unit", ""), ("min", ""), ("max", ""), ("at design", "")])

    def g(x):
        return float(f"{float(x):.6g}")

    for h in inp.heat_rejection:
        supply = h.supply
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
