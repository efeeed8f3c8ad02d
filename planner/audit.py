"""Independent hour-by-hour audit of a design, outside the optimiser.

Given the equipment counts of a plan (and, where the plan has one for every
hour, its mining dispatch), :func:`simulate` operates the site for all 8760
hours with NumPy: it recomputes each module's capacity at that hour's ambient
from the physics functions, loads the modules in order of hourly running cost,
dispatches mining, and meters the grid. :func:`audit` then checks every limit
and lists each breach with its hour and size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.inputs import LOOPS, Inputs
from planner.physics.mining import air_miner_derate
from planner.physics.plant import module_performance

TOL = 1e-6  # MW, m2, USD relative slack for rounding in the solver


@dataclass
class Design:
    """Equipment counts and installed mining of a plan."""

    racks: dict[str, int]
    cdus: dict[str, int]
    modules: dict[str, int]  # key "id@loop"
    air_units: dict[str, int]
    mining: dict[str, float]  # MW installed
    mining_dispatch: dict[str, np.ndarray] | None = None  # MW per original hour, if the plan has one


@dataclass
class Operation:
    """The site run for every hour of the year (arrays of 8760)."""

    it_typical: float  # MW
    it_design: float
    it_peak: float
    liquid_heat: np.ndarray
    air_heat: np.ndarray
    heat_by_module: dict[str, np.ndarray]
    wet_heat: dict[str, np.ndarray]
    capacity_by_loop: dict[str, np.ndarray]
    cooling_power: np.ndarray
    mining_power: dict[str, np.ndarray]
    mining_available: dict[str, np.ndarray]
    grid_draw: np.ndarray
    envelope: np.ndarray
    water_m3: np.ndarray
    energy_price: np.ndarray
    unmet_heat: dict[str, np.ndarray]


@dataclass
class Violation:
    limit: str  # TOML path
    what: str
    hour: str | None
    excess: float
    unit: str

    def __str__(self) -> str:
        when = f" at {self.hour}" if self.hour else ""
        return f"{self.limit}: {self.what}{when}, by {self.excess:.4g} {self.unit}"


@dataclass
class AuditResult:
    hours_checked: int
    violations: list[Violation] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations


def _chain(inp: Inputs) -> tuple[float, float]:
    return 1.0 / (inp.ups_efficiency * inp.transformer_efficiency), 1.0 / inp.transformer_efficiency


def simulate(inp: Inputs, design: Design) -> Operation:
    """Operate a design for all hours of the year with a cost-merit dispatch."""
    clim = inp.climate
    db, wb = clim.dry_bulb, clim.wet_bulb
    n = len(db)
    price = inp.energy_price_8760
    a_ups, a_tx = _chain(inp)
    racks = {r.id: r for r in inp.racks}
    it_typ = sum(design.racks.get(k, 0) * r.power_typical for k, r in racks.items())
    it_des = sum(design.racks.get(k, 0) * r.power_design for k, r in racks.items())
    it_peak = sum(design.racks.get(k, 0) * r.power_peak for k, r in racks.items())
    liquid_rack = sum(design.racks.get(k, 0) * r.power_typical * r.liquid_fraction for k, r in racks.items())
    air_rack = it_typ - liquid_rack

    fixed_cooling = sum(design.cdus.get(c.id, 0) * c.pump_power for c in inp.cdus) + sum(
        design.air_units.get(a.id, 0) * a.fan_power for a in inp.air_side)

    # mining availability and a provisional dispatch
    mining_avail = {}
    for m in inp.miners:
        if m.cooling == "air":
            avail = np.asarray(air_miner_derate(db, m.derate_start, m.shutdown), dtype=float)
        else:
            avail = np.full(n, 1.0 if m.allowed else 0.0)
        mining_avail[m.id] = design.mining.get(m.id, 0.0) * avail
    hydro = [m for m in inp.miners if m.cooling == "hydro"]

    # per-module hourly performance, recomputed from the physics
    perf = {}
    for h in inp.heat_rejection:
        count = design.modules.get(h.key, 0)
        if count <= 0:
            continue
        supply = h.supply
        p = module_performance(h.rating, supply, db, wb)
        perf[h.key] = (h, count, p)

    def dispatch_heat(mining_run, merit="cost"):
        heat_by, wet_by, unmet, cap_loop = {}, {}, {}, {}
        cooling = np.full(n, fixed_cooling)
        water = np.zeros(n)
        hydro_heat = sum((mining_run[m.id] for m in hydro), np.zeros(n))
        loads = {"liquid": liquid_rack + hydro_heat, "air": np.full(n, air_rack)}
        for loop in LOOPS:
            remaining = loads[loop].astype(float).copy()
            # tranches: (cost per MWh of heat [USD], available MW, key, is_wet, e/heat, water/heat)
            tranches = []
            cap_total = np.zeros(n)
            for key, (h, count, p) in perf.items():
                if h.loop != loop:
                    continue
                cap_total += count * p.capacity
                water_dry = h.water_per_heat if h.technology != "adiabatic_cooler" else 0.0
                e = p.electricity_per_heat
                cost_dry = price * a_tx * e + inp.water_price * water_dry
                tranches.append((cost_dry, count * p.dry_capacity, key, False, e, water_dry))
                if h.technology == "adiabatic_cooler":
                    cost_wet = cost_dry + inp.water_price * h.water_per_heat
                    tranches.append((cost_wet, count * (p.capacity - p.dry_capacity), key, True, e, h.water_per_heat))
            cap_loop[loop] = cap_total
            if tranches:
                if merit == "cost":
                    costs = np.stack([t[0] for t in tranches])
                else:  # least electricity first, water as the tie-break
                    costs = np.stack([t[4] + 1e-6 * t[5] for t in tranches])
                order = np.argsort(costs, axis=0, kind="stable")
                for rank in range(len(tranches)):
                    for i, tr in enumerate(tranches):
                        sel = order[rank] == i
                        if not sel.any():
                            continue
                        take = np.where(sel, np.minimum(remaining, tr[1]), 0.0)
                        remaining -= take
                        key = tr[2]
                        heat_by[key] = heat_by.get(key, np.zeros(n)) + take
                        if tr[3]:
                            wet_by[key] = wet_by.get(key, np.zeros(n)) + take
                        cooling += take * tr[4]
                        water += take * tr[5]
            unmet[loop] = np.maximum(remaining, 0.0)
        return heat_by, wet_by, unmet, cap_loop, cooling, water

    # mining: the plan's own dispatch where it has one, else run every miner that pays
    # for its energy (and cooling, for hydro) as far as the grid allows, best first.
    if design.mining_dispatch is not None:
        mining_run = {m.id: np.minimum(design.mining_dispatch.get(m.id, np.zeros(n)), mining_avail[m.id])
                      for m in inp.miners}
        heat_by, wet_by, unmet, cap_loop, cooling, water = dispatch_heat(mining_run)
    else:
        zero = {m.id: np.zeros(n) for m in inp.miners}
        heat_by, wet_by, unmet, cap_loop, cooling, water = dispatch_heat(zero)
        headroom = inp.grid_limit - (a_ups * it_typ + a_tx * cooling)
        mining_run = {}
        for m in sorted(inp.miners, key=lambda m: -m.revenue_per_mwh):
            pays = m.revenue_per_mwh > price * a_tx * (1.0 + (0.05 if m.cooling == "hydro" else 0.0))
            # hydro heat needs cooling too: keep 5 % of headroom per MW for it
            share = 1.0 / (1.0 + (0.05 if m.cooling == "hydro" else 0.0))
            run = np.where(pays, np.clip(headroom * share / a_tx, 0.0, mining_avail[m.id]), 0.0)
            mining_run[m.id] = run
            headroom = headroom - a_tx * run / share
        heat_by, wet_by, unmet, cap_loop, cooling, water = dispatch_heat(mining_run)

    total_mining = sum(mining_run.values(), np.zeros(n))
    draw = a_ups * it_typ + a_tx * (total_mining + cooling)
    envelope = a_ups * it_peak + a_tx * cooling
    # at the grid limit the operator runs the plant for least electricity instead of least cost
    tight = (draw > inp.grid_limit + 1e-7) | (envelope > inp.grid_limit + 1e-7)
    if tight.any():
        lean = dispatch_heat(mining_run, merit="power")
        heat_by = {k: np.where(tight, lean[0].get(k, 0.0), v) for k, v in
                   {**{k: np.zeros(n) for k in lean[0]}, **heat_by}.items()}
        wet_by = {k: np.where(tight, lean[1].get(k, 0.0), v) for k, v in
                  {**{k: np.zeros(n) for k in lean[1]}, **wet_by}.items()}
        unmet = {k: np.where(tight, lean[2][k], v) for k, v in unmet.items()}
        cooling = np.where(tight, lean[4], cooling)
        water = np.where(tight, lean[5], water)
        draw = a_ups * it_typ + a_tx * (total_mining + cooling)
        envelope = a_ups * it_peak + a_tx * cooling
    return Operation(
        it_typical=it_typ, it_design=it_des, it_peak=it_peak,
        liquid_heat=liquid_rack + sum((mining_run[m.id] for m in hydro), np.zeros(n)),
        air_heat=np.full(n, air_rack), heat_by_module=heat_by, wet_heat=wet_by,
        capacity_by_loop=cap_loop, cooling_power=cooling, mining_power=mining_run,
        mining_available=mining_avail, grid_draw=draw, envelope=envelope,
        water_m3=water, energy_price=price, unmet_heat=unmet,
    )


def _worst(series: np.ndarray, limit: float, labels, path: str, what: str, unit: str,
           tol: float) -> list[Violation]:
    excess = series - limit
    bad = np.flatnonzero(excess > tol)
    if bad.size == 0:
        return []
    worst = bad[np.argmax(excess[bad])]
    extra = f" ({bad.size} h in all)" if bad.size > 1 else ""
    return [Violation(path, what + extra, str(labels[worst]), float(excess[worst]), unit)]


def capex(inp: Inputs, design: Design) -> dict[str, float]:
    """Capital cost of a design by part [USD]."""
    racks = {r.id: r for r in inp.racks}
    out = {
        "GPU racks": sum(design.racks.get(k, 0) * r.price for k, r in racks.items()),
        "facility retrofit": sum(design.racks.get(k, 0) * r.power_design * inp.facility_capex for k, r in racks.items()),
        "UPS": sum(design.racks.get(k, 0) * r.power_peak * inp.ups_price_per_mw for k, r in racks.items()),
        "transformer": inp.transformer_price_per_mw * inp.grid_limit,
        "CDUs": sum(design.cdus.get(c.id, 0) * c.price for c in inp.cdus),
        "heat rejection": sum(design.modules.get(h.key, 0) * h.price for h in inp.heat_rejection),
        "air side": sum(design.air_units.get(a.id, 0) * a.price for a in inp.air_side),
        "miners": sum(design.mining.get(m.id, 0.0) * m.price_per_mw for m in inp.miners),
    }
    return out


def design_loads(inp: Inputs, design: Design) -> dict[str, float]:
    """Heat at design power per loop [MW], including installed hydro mining."""
    racks = {r.id: r for r in inp.racks}
    liquid = sum(design.racks.get(k, 0) * r.power_design * r.liquid_fraction for k, r in racks.items())
    air = sum(design.racks.get(k, 0) * r.power_design * (1 - r.liquid_fraction) for k, r in racks.items())
    liquid += sum(design.mining.get(m.id, 0.0) for m in inp.miners if m.cooling == "hydro")
    return {"liquid": liquid, "air": air}


def gpu_count(inp: Inputs, design: Design) -> int:
    """GPUs in the racks of a design."""
    return sum(design.racks.get(r.id, 0) * r.gpus for r in inp.racks)


def areas(inp: Inputs, design: Design) -> tuple[float, float]:
    """Hall area (racks, CDUs, air-side units, miners) and yard area (heat rejection) used [m^2]."""
    racks = {r.id: r for r in inp.racks}
    hall = (sum(design.racks.get(k, 0) * r.floor_area for k, r in racks.items())
            + sum(design.cdus.get(c.id, 0) * c.floor_area for c in inp.cdus)
            + sum(design.air_units.get(a.id, 0) * a.floor_area for a in inp.air_side)
            + sum(design.mining.get(m.id, 0.0) * m.floor_area_per_mw for m in inp.miners))
    yard = sum(design.modules.get(h.key, 0) * h.floor_area for h in inp.heat_rejection)
    return hall, yard


def installed_with_spares_out(items, counts: dict[str, int], spares: int) -> tuple[float, float]:
    """Installed capacity of CDUs or air-side units, and what is left with ``spares`` of the largest out [MW]."""
    installed = sum(counts.get(i.id, 0) * i.capacity for i in items)
    largest = max((i.capacity for i in items if counts.get(i.id, 0) > 0), default=0.0)
    return installed, installed - spares * largest


def audit(inp: Inputs, design: Design, op: Operation | None = None) -> AuditResult:
    """Check every limit of the site against a design run for all hours."""
    op = op or simulate(inp, design)
    labels = inp.climate.timestamps
    n = len(op.grid_draw)
    res = AuditResult(hours_checked=n)
    v = res.violations
    tol = 1e-5
    v += _worst(op.grid_draw, inp.grid_limit, labels, "site.grid_limit", "grid draw exceeds the limit", "MW", tol)
    res.checks.append("grid draw <= site.grid_limit, every hour")
    v += _worst(op.envelope, inp.grid_limit, labels, "site.grid_limit",
                "GPU peak power plus cooling, mining curtailed, exceeds the limit", "MW", tol)
    res.checks.append("GPU peak envelope with mining curtailed <= site.grid_limit, every hour")
    for loop in LOOPS:
        v += _worst(op.unmet_heat[loop], 0.0, labels, "choices.heat_rejection",
                    f"{loop}-loop heat beyond what the modules can reject at that hour's ambient", "MW", tol)
    res.checks.append("heat rejected within module capacity at each hour's ambient, both loops")
    for m in inp.miners:
        run = op.mining_power[m.id]
        v += _worst(run - op.mining_available[m.id], 0.0, labels, f"choices.miners ({m.id})",
                    "mining above installed capacity derated for inlet air", "MW", tol)
        if not m.allowed and design.mining.get(m.id, 0.0) > tol:
            v.append(Violation(f"choices.miners ({m.id})", m.reason, None, design.mining[m.id], "MW"))
    res.checks.append("mining within installed, derated capacity; hydro miners only where the loop allows")

    loads = design_loads(inp, design)
    s = inp.spares
    cdu_cap, cdu_left = installed_with_spares_out(inp.cdus, design.cdus, s["cdu"])
    short = loads["liquid"] - cdu_left
    if short > tol:
        v.append(Violation("redundancy.cdu", f"CDU capacity with {s['cdu']} unit(s) out is below the liquid heat at design power",
                           None, short, "MW"))
    v += _worst(op.liquid_heat, cdu_cap, labels, "choices.cdus", "liquid heat above installed CDU capacity", "MW", tol)
    res.checks.append(f"CDUs: N+{s['cdu']} at design power, and every hour")

    _, air_left = installed_with_spares_out(inp.air_side, design.air_units, s["air_side"])
    short = loads["air"] - air_left
    if short > tol:
        v.append(Violation("redundancy.air_side", f"air-side capacity with {s['air_side']} unit(s) out is below the rack air heat",
                           None, short, "MW"))
    for a in inp.air_side:
        if design.air_units.get(a.id, 0) > 0 and not a.allowed:
            v.append(Violation("cooling.air_loop_supply_temperature", f"{a.id}: {a.reason}", None, 0.0, "K"))
    res.checks.append(f"air side: N+{s['air_side']} at design power")

    clim = inp.climate
    installed_cdus = {c for c, n in design.cdus.items() if n > 0}
    for h in inp.heat_rejection:
        if h.cdus and design.modules.get(h.key, 0) > 0 and not installed_cdus & set(h.cdus):
            v.append(Violation("choices.cdus", f"{h.key} is sized for a {h.supply:g} degC liquid loop, which needs "
                               f"{' or '.join(h.cdus)}, and none is installed", None, 0.0, "K"))
    for loop in LOOPS:
        cap = 0.0
        for h in inp.heat_rejection:
            count = design.modules.get(h.key, 0)
            if h.loop != loop or count <= 0:
                continue
            wb = inp.design_tower_wet_bulb if h.technology in ("cooling_tower", "water_cooled_chiller") else clim.design_wet_bulb
            p = module_performance(h.rating, h.supply, np.array([clim.design_dry_bulb]), np.array([wb]))
            cap += (count - s["heat_rejection"]) * float(p.capacity[0])
        short = loads[loop] - cap
        if short > tol:
            v.append(Violation("redundancy.heat_rejection",
                               f"{loop}-loop heat rejection with {s['heat_rejection']} module(s) out per technology "
                               f"is below the design heat at {clim.design_dry_bulb:g} degC", None, short, "MW"))
    res.checks.append(f"heat rejection: N+{s['heat_rejection']} at the design condition, at the loop temperature "
                      "the installed CDUs give")

    hall, yard = areas(inp, design)
    if hall > inp.hall_area * (1 + 1e-7) + tol:
        v.append(Violation("site.hall_area", "floor area used exceeds the hall", None, hall - inp.hall_area, "m^2"))
    if yard > inp.yard_area * (1 + 1e-7) + tol:
        v.append(Violation("site.yard_area", "yard area used exceeds the yard", None, yard - inp.yard_area, "m^2"))
    res.checks.append("hall and yard areas")
    spent = sum(capex(inp, design).values())
    if spent > inp.budget * (1 + 1e-7) + 1.0:
        v.append(Violation("economics.capex_budget", "capital cost exceeds the budget", None, spent - inp.budget, "USD"))
    res.checks.append("capex within economics.capex_budget")
    return res
