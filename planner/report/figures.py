"""The figures of a capacity report, each with its unit, as plain data.

Text and JSON renderers both read this structure, so the terminal and the
exported file always show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from planner.audit import design_loads

#: Published landlord capex for converted AI halls [MUSD per MW of IT] (domain-facts-2 section 6).
PUBLISHED_FACILITY_CAPEX = (6.0, 11.0)
from planner.economics import objective_text
from planner.inputs import liquid_supply_with
from planner.plan import PlanResult


@dataclass
class Figure:
    label: str
    value: float | int | str | None
    unit: str = ""
    note: str = ""


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (heading, unit)
    rows: list[list] = field(default_factory=list)


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _hours_where(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


class EnergyYear(NamedTuple):
    """Energy and water of the audited year [MWh/yr, m^3/yr]."""

    grid: float  # site energy at the meter, mining included
    it: float  # IT energy: GPU racks at typical power and their support IT
    mining: float  # miners at the wall
    mining_share: float  # what mining adds at the meter: miners, ventilation, their cooling and losses
    cooling: float
    water: float

    @property
    def facility(self) -> float:
        """Energy of the data centre at the meter: the site's energy less what mining adds."""
        return self.grid - self.mining_share

    @property
    def pue(self) -> float | None:
        """PUE as The Green Grid defines it: total facility energy over IT energy (mining apart)."""
        return self.facility / self.it if self.it > 0 else None

    @property
    def served(self) -> float:
        """IT and mining energy: the denominator of the site's water use per energy served."""
        return self.it + self.mining


def energy_year(op) -> EnergyYear:
    share = 0.0 if op.mining_share is None else float(op.mining_share.sum())
    return EnergyYear(float(op.grid_draw.sum()), op.it_typical * len(op.grid_draw),
                      float(sum(v.sum() for v in op.mining_power.values())), share, float(op.cooling_power.sum()),
                      float(op.water_m3.sum()))


def hottest_hour(inp) -> int:
    """The hour of the weather year with the highest dry bulb."""
    return int(np.argmax(inp.climate.dry_bulb))


def mining_at(op, h: int) -> float:
    """Mining running in hour ``h`` [MW]."""
    return float(sum(v[h] for v in op.mining_power.values()))


def pue_at(op, h: int) -> float | None:
    """PUE in hour ``h``: the meter less what mining adds, over GPU and support IT."""
    if op.it_typical <= 0:
        return None
    share = 0.0 if op.mining_share is None else float(op.mining_share[h])
    return (float(op.grid_draw[h]) - share) / op.it_typical


LOAD_LABELS = {
    "gpu_it": "GPU racks (IT, typical)", "support_it": "support IT (network, storage, management)",
    "pumps": "pumps (CDU, facility water, condenser water)", "fans": "fans (heat rejection, air side)",
    "chillers": "chillers (compressors)", "miner_ventilation": "miner ventilation", "house": "house and lighting",
    "losses": "UPS and transformer losses", "mining": "mining",
}


def assist_mask(h, op) -> np.ndarray | None:
    """Hours heat-rejection type ``h`` runs beyond dry free cooling (adiabatic spray, or a chiller running).

    None for other technologies; no hour when the operation has no record of the module.
    """
    if h.technology == "adiabatic_cooler":
        series = op.wet_heat.get(h.key)
    elif h.technology.endswith("chiller"):
        series = op.heat_by_module.get(h.key)
    else:
        return None
    return np.zeros(len(op.grid_draw), dtype=bool) if series is None else np.asarray(series) > 1e-6


def build_sections(plan: PlanResult, results=None) -> list[Section]:
    """All report sections of a solved plan, the figures derived by physics read from ``results`` (the
    :class:`planner.results.PlanResults` of the plan; built here when not given)."""
    if results is None:
        from planner.results import build_results

        results = build_results(plan)
    rack_res = {r.id: r for r in results.design.racks}
    miner_res = {m.id: m for m in results.design.miners}
    loop_res = {lp.loop: lp for lp in results.design.loops}
    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    clim = inp.climate
    a_tx = 1.0 / inp.transformer_efficiency
    year = energy_year(op)
    out: list[Section] = []

    # --- site and inputs --------------------------------------------------------------
    s = Section("Site")
    s.figures += [
        Figure("site", inp.site_name),
        Figure("grid limit", inp.grid_limit, "MW", "site.grid_limit"),
        Figure("operating margin", inp.grid_margin, "MW", "site.grid_margin" + (f": {inp.grid_margin_reason}"
                                                                              if inp.grid_margin_reason else "")),
        Figure("weather", clim.source),
        Figure("design condition", f"{clim.design_dry_bulb:.1f} degC dry bulb / {clim.design_wet_bulb:.1f} degC wet bulb",
               "", clim.design_source),
        Figure("hottest hour in the weather", float(clim.dry_bulb.max()), "degC"),
        Figure("time resolution", inp.time_mode, "", f"{inp.hours} model hours"),
        Figure("liquid loop (facility water) supply", liquid_supply_with(inp, d.cdus), "degC", inp.liquid_supply_note),
        Figure("air-side loop supply", inp.air_supply, "degC", "cooling.air_loop_supply_temperature"),
        Figure("hashprice", inp.hashprice, "USD/(PH/s)/day", "from market.*: BTC price, difficulty, subsidy, fees, pool fee"),
    ]
    out.append(s)

    # --- racks ------------------------------------------------------------------------------
    s = Section("Racks and GPUs")
    t = Table("racks", [("rack", ""), ("scalable units", "units"), ("count", "racks"), ("support racks", "racks"),
                        ("GPUs", "GPU"), ("GPU IT typical", "MW"), ("support IT", "MW"), ("IT peak at grid", "MW"),
                        ("GPU price", "USD/GPU/h")])
    for r in inp.racks:
        n = d.racks.get(r.id, 0)
        if n == 0:
            continue
        units = n // r.su_racks
        t.rows.append([r.name, units, n, units * r.support_racks, n * r.gpus, n * r.power_typical,
                       units * r.support_power, n * r.power_grid_peak + units * r.support_power, r.gpu_price])
    s.tables.append(t)
    s.figures += [
        Figure("GPUs", results.design.gpus, "GPU"),
        Figure("IT power, typical (GPU racks and support IT)", op.it_typical, "MW"),
        Figure("support IT", op.support_it, "MW", "scale-out network, storage, management per scalable unit"),
        Figure("IT power, design", op.it_design, "MW"),
        Figure("IT power, electrical peak (transients)", op.it_peak, "MW", "UPS rating"),
        Figure("IT power, peak the grid sees", op.it_grid_peak, "MW",
               "rack peak less the power smoothing of its power shelves, never below design power; support IT"),
    ]
    out.append(s)

    # --- cooling -------------------------------------------------------------------------------
    s = Section("Cooling layout")
    sp = inp.spares
    t = Table("equipment", [("unit", ""), ("loop", ""), ("count", "units"), ("spares", ""),
                            ("capacity each at design", "MW"), ("role", ""), ("design heat", "MW")])
    loads = design_loads(inp, d)
    for c in inp.cdus:
        n = d.cdus.get(c.id, 0)
        if n:
            t.rows.append([c.name, "liquid", n, f"N+{sp['cdu']}", c.capacity, "carries design heat", loads["liquid"]])
    for h in inp.heat_rejection:
        n = d.modules.get(h.key, 0)
        if n:
            role = "carries design heat" if h.design_capacity > 1e-9 else "cooler hours only (0 MW at design)"
            spares = f"N+{sp['heat_rejection']} per loop" if inp.hr_scope == "loop" else f"N+{sp['heat_rejection']}"
            t.rows.append([h.name, h.loop, n, spares, h.design_capacity, role, loads[h.loop]])
    for a in inp.air_side:
        n = d.air_units.get(a.id, 0)
        if n:
            t.rows.append([a.name, "air", n, "one per rack" if a.per_rack else f"N+{sp['air_side']}", a.capacity,
                           "each sized for its rack" if a.per_rack else "carries design heat", loads["air"]])
    s.tables.append(t)
    for loop in ("liquid", "air"):
        if loads[loop] > 0:
            left, carrying = loop_res[loop].capacity_with_spares_out.value, loop_res[loop].carried_by
            scope = ("the largest module(s) out" if inp.hr_scope == "loop" else "spares out per technology")
            s.figures.append(Figure(
                f"{loop} loop heat rejection at the design condition, {scope}", left, "MW",
                f"design heat {loads[loop]:.3g} MW; redundancy.heat_rejection = N+{sp['heat_rejection']}; "
                f"carried by {', '.join(carrying) or 'nothing'}"))
    # coolant flows in the rack loops (TCS)
    flows = 0.0
    for r in inp.racks:
        n = d.racks.get(r.id, 0)
        if n and r.liquid_fraction > 0:
            per_rack = rack_res[r.id].coolant_flow_per_rack.value
            flows += n * r.coolant_flow
            note = f"{r.coolant}, {r.coolant_delta_t:g} K rise at design power"
            if r.rated_flow > 0:
                note += f"; vendor figure {r.rated_flow:g} L/min"
            s.figures.append(Figure(f"coolant flow per {r.name}", per_rack, "L/min", note))
    cdu_flow = sum(d.cdus.get(c.id, 0) * c.flow for c in inp.cdus)
    s.figures.append(Figure("rack-loop coolant flow, all racks", flows, "L/min",
                            "the larger of the vendor's figure and heat / (rho cp dT), per rack; CDUs installed give "
                            f"{cdu_flow:,.0f} L/min" if cdu_flow else "the larger of the vendor's figure and the heat's"))
    s.figures.append(Figure("yard area used", results.design.yard_area_used.value, "m^2", f"of {inp.yard_area:,.0f} m^2"))
    for h in inp.heat_rejection:
        mask = assist_mask(h, op) if d.modules.get(h.key, 0) else None
        if mask is not None:
            what = "adiabatic assist" if h.technology == "adiabatic_cooler" else f"{h.name} running"
            s.figures.append(Figure(f"hours with {what} ({h.loop} loop)", _hours_where(mask), "h"))
    out.append(s)

    # --- mining ---------------------------------------------------------------------------------
    s = Section("Residual mining")
    t = Table("miners", [("miner", ""), ("installed", "MW"), ("lots", "lots"), ("units", "units"), ("hash rate", "PH/s"),
                         ("mined", "MWh/yr"), ("revenue", "USD/MWh"), ("strike price at meter", "USD/MWh"),
                         ("curtailed: grid", "h"), ("curtailed: price", "h"), ("derated: hot air", "h")])
    price = op.energy_price
    for m in inp.miners:
        mw = d.mining.get(m.id, 0.0)
        if mw <= 1e-6:
            if not m.allowed:
                s.lines.append(f"{m.name}: not eligible, {m.reason}")
            continue
        run, avail = op.mining_power[m.id], op.mining_available[m.id]
        short = run < avail - 1e-6
        hot = avail < mw - 1e-6
        grid_bound = op.grid_draw >= inp.operating_limit - 1e-4
        uneconomic = m.revenue_per_mwh <= price * a_tx
        t.rows.append([m.name, mw, int(round(mw / m.lot_mw)), int(round(mw / m.unit_power)),
                       mw / m.unit_power * m.hash_rate / 1000,
                       float(run.sum()), m.revenue_per_mwh, miner_res[m.id].strike_price_at_meter.value,
                       _hours_where(short & grid_bound), _hours_where(short & ~grid_bound & uneconomic),
                       _hours_where(hot)])
    s.tables.append(t)
    s.figures.append(Figure("mining energy", year.mining, "MWh/yr"))
    out.append(s)

    # --- power balance at the design hour ---------------------------------------------------------------
    s = Section("Power balance at the hottest hour")
    h = hottest_hour(inp)
    draw_h = float(op.grid_draw[h])
    s.figures.append(Figure("hour", str(clim.timestamps[h]), "",
                            f"{clim.dry_bulb[h]:.1f} degC dry bulb, {clim.wet_bulb[h]:.1f} degC wet bulb"))
    for kind, series in op.loads.items():
        s.figures.append(Figure(LOAD_LABELS[kind], float(series[h]), "MW"))
    s.figures += [
        Figure("grid draw", draw_h, "MW", f"limit {inp.grid_limit:g} MW less margin {inp.grid_margin:g} MW"),
        Figure("envelope: GPU peak + cooling, sheddable mining off", float(op.envelope[h]), "MW",
               f"limit {inp.operating_limit:g} MW"),
        Figure("PUE at this hour", pue_at(op, h), "", "(meter less mining) / (GPU + support IT)"),
    ]
    out.append(s)

    # --- energy and water ---------------------------------------------------------------------------------
    s = Section("Energy and water")
    t = Table("energy by kind", [("load", ""), ("energy", "MWh/yr"), ("share of site energy", "%")])
    for kind, series in op.loads.items():
        e = float(series.sum())
        t.rows.append([LOAD_LABELS[kind], e, 100.0 * e / year.grid if year.grid else None])
    s.tables.append(t)
    s.figures += [
        Figure("site energy from the grid, mining included", year.grid, "MWh/yr"),
        Figure("data-centre energy (site less mining)", year.facility, "MWh/yr",
               "mining's share: miners, their ventilation, cooling of hydro miners, transformer losses"),
        Figure("IT energy (GPU racks and support IT)", year.it, "MWh/yr"),
        Figure("mining energy", year.mining, "MWh/yr"),
        Figure("cooling energy (pumps, fans, chillers)", year.cooling, "MWh/yr"),
        Figure("PUE, annual", year.pue, "", "The Green Grid: total facility energy / IT energy; mining apart"),
        Figure("water", year.water, "m^3/yr"),
        Figure("WUE", year.water * 1000 / (year.it * 1000) if year.it else None, "L/kWh",
               "water / IT energy"),
        Figure("highest draw", float(op.grid_draw.max()), "MW"),
    ]
    out.append(s)

    # --- economics -------------------------------------------------------------------------------------------
    s = Section("Net operating income")
    for name, val in eco.parts():
        s.figures.append(Figure(name, val / 1e6, "MUSD/yr"))
    s.figures.append(Figure("NOI", eco.noi / 1e6, "MUSD/yr"))
    s.figures.append(Figure("annualised capex", eco.annualised_capex / 1e6, "MUSD/yr",
                            "capital recovery at economics.discount_rate over each part's life"))
    s.figures.append(Figure("NOI less annualised capex", eco.noi_less_annualised_capex / 1e6, "MUSD/yr"))
    s.figures.append(Figure("objective", objective_text(inp.objective), "", "economics.objective"))
    out.append(s)
    s = Section("Capital cost")
    for name, val in eco.capex_parts.items():
        if val:
            s.figures.append(Figure(name, val / 1e6, "MUSD"))
    s.figures.append(Figure("total", eco.capex / 1e6, "MUSD", f"budget {inp.budget / 1e6:,.1f} MUSD"))
    facility = sum(v for k, v in eco.capex_parts.items()
                   if k not in ("GPU racks", "scale-out network, storage, management", "miners"))
    if op.it_design > 0:
        per_mw = facility / op.it_design / 1e6
        lo, hi = PUBLISHED_FACILITY_CAPEX
        verdict = "within" if lo <= per_mw <= hi else "OUTSIDE"
        s.figures.append(Figure("facility capex per MW of IT (design)", per_mw, "MUSD/MW",
                                f"{verdict} the published {lo:g}-{hi:g} MUSD/MW (TeraWulf 8-10, Cipher 9-11, "
                                f"IREN 6-7; domain-facts-2 section 6)"))
    out.append(s)
    return out


def solver_section(plan: PlanResult) -> Section:
    r = plan.solve
    s = Section("Solver")
    s.figures += [
        Figure("solver", r.solver),
        Figure("status", r.status, "", r.detail),
    ]
    if r.scope:  # what the status covers: the fast strategy proves optimality within a technology set
        gap = "" if r.gap is None else f"gap {r.gap * 100:.3g} %"
        if r.status == "optimal":
            s.figures.append(Figure("proven", f"optimal {r.scope}", "", gap))
        else:
            s.figures.append(Figure("solved", r.scope, "", f"status '{r.status}'" + (f", {gap}" if gap else "")))
    s.figures += [
        Figure("objective", None if r.objective is None else r.objective / 1e3, "MUSD/yr"),
        Figure("best bound" + (" (within that set)" if r.scope else ""),
               None if r.bound is None else r.bound / 1e3, "MUSD/yr"),
        Figure("relative gap", None if r.gap is None else r.gap * 100, "%"),
        Figure("variables", plan.model.prob.numVariables(), ""),
        Figure("constraints", plan.model.prob.numConstraints(), ""),
        Figure("build time", plan.timings.get("build"), "s"),
        Figure("solve time", plan.timings.get("solve"), "s"),
    ]
    if "audit" in plan.timings:
        s.figures.append(Figure("audit time", plan.timings["audit"], "s"))
    return s
