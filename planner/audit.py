"""Independent hour-by-hour audit of a design, outside the optimiser.

Given the equipment counts of a plan (and, where the plan has one for every
hour, its mining dispatch), :func:`simulate` operates the site for all 8760
hours with NumPy: it recomputes each module's capacity at that hour's ambient
from the physics functions, loads the modules in order of hourly running cost,
dispatches mining, and meters the grid. :func:`audit` then checks every limit
and lists each breach with its hour and size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from planner.inputs import LOOPS, Inputs, auxiliary_per_heat, cdus_per_scalable_unit
from planner.physics.mining import air_miner_derate
from planner.physics.plant import module_fan_power, module_performance

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
    heat_dispatch: dict[str, np.ndarray] | None = None  # MW per module key and original hour, if the plan has one
    wet_dispatch: dict[str, np.ndarray] | None = None  # adiabatic heat beyond dry capacity, likewise


@dataclass
class Operation:
    """The site run for every hour of the year (arrays of 8760)."""

    it_typical: float  # MW, GPU racks at typical power plus support IT
    it_design: float
    it_peak: float  # electrical peak of racks plus support IT
    it_grid_peak: float  # peak the grid sees after the racks' power smoothing
    gpu_it: float  # MW, compute racks at typical power
    support_it: float  # MW, network, storage and management racks
    liquid_heat: np.ndarray  # MW the liquid loop's modules reject: racks, hydro miners, CDU pumps, facility-water pumps
    air_heat: np.ndarray  # MW the air loop's modules reject: racks' air heat, air-side fans, chilled-water pumps
    heat_by_module: dict[str, np.ndarray]
    wet_heat: dict[str, np.ndarray]
    capacity_by_loop: dict[str, np.ndarray]
    cooling_power: np.ndarray  # pumps, fans and chillers of the cooling plant
    mining_power: dict[str, np.ndarray]
    mining_available: dict[str, np.ndarray]
    grid_draw: np.ndarray
    envelope: np.ndarray
    water_m3: np.ndarray
    energy_price: np.ndarray
    unmet_heat: dict[str, np.ndarray]
    loads: dict[str, np.ndarray] = field(default_factory=dict)  # MW by kind, see LOAD_KINDS
    mining_share: np.ndarray | None = None  # MW at the meter attributable to mining
    mining_cooling_by_kind: dict[str, np.ndarray] = field(default_factory=dict)  # MW of the plant's power (pumps,
    # chillers) that hydro miners' heat takes, by load kind
    parasitic_heat: dict[str, float] = field(default_factory=dict)  # MW per loop: CDU pumps, air-side fans
    heat_brought: dict[str, np.ndarray] = field(default_factory=dict)  # MW per loop before its own pumps' heat


#: Kinds of load at the meter, in report order; they add up to the grid draw.
LOAD_KINDS = ("gpu_it", "support_it", "pumps", "fans", "chillers", "miner_ventilation", "house", "losses", "mining")


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


def rack_it(inp: Inputs, design: Design) -> dict[str, float]:
    """IT of a design [MW]: compute racks (typical, design, electrical peak, grid-visible peak) and support IT."""
    out = dict.fromkeys(("gpu_typical", "gpu_design", "gpu_peak", "gpu_grid_peak", "support"), 0.0)
    for r in inp.racks:
        n = design.racks.get(r.id, 0)
        out["gpu_typical"] += n * r.power_typical
        out["gpu_design"] += n * r.power_design
        out["gpu_peak"] += n * r.power_peak
        out["gpu_grid_peak"] += n * r.power_grid_peak
        out["support"] += n / r.su_racks * r.support_power
    return out


def parasitic_heat(inp: Inputs, design: Design, at: int) -> dict[str, float]:
    """Heat the cooling plant's own machines put on each loop [MW]: ``at`` 0 typical, 1 design rack power.

    The installed CDUs' pumps heat the coolant they circulate, :math:`P_{pump} = p\\,Q_{rack,liquid}`
    (``pump_per_heat`` of the installed type with the largest), and the air-side units' fans heat
    the air their coils cool, :math:`\\sum n_a P_{fan,a}` at full speed. The loop's heat-rejection
    modules reject both; a CDU's and an air-side unit's own capacity is net of them.
    """
    installed = [c for c in inp.cdus if design.cdus.get(c.id, 0) > 0]
    pump = max((c.pump_per_heat for c in installed), default=0.0)
    rack_liquid = sum(design.racks.get(r.id, 0) * (r.power_typical, r.power_design)[at] * r.liquid_fraction
                      for r in inp.racks)
    return {"liquid": pump * rack_liquid,
            "air": sum(design.air_units.get(a.id, 0) * a.fan_power for a in inp.air_side)}


def unit_heat(inp: Inputs, design: Design, at: int) -> dict[str, float]:
    """Heat of the racks and their support racks per loop [MW]: ``at`` 0 typical, 1 design power."""
    units = {r.id: design.racks.get(r.id, 0) / r.su_racks for r in inp.racks}
    return {"liquid": sum(units[r.id] * r.su_liquid[at] for r in inp.racks),
            "air": sum(units[r.id] * r.su_air[at] for r in inp.racks)}


def simulate(inp: Inputs, design: Design) -> Operation:
    """Operate a design for all hours of the year with a cost-merit dispatch."""
    clim = inp.climate
    db, wb = clim.dry_bulb, clim.wet_bulb
    n = len(db)
    price = inp.energy_price_8760
    a_ups, a_tx = _chain(inp)
    it = rack_it(inp, design)
    it_typ = it["gpu_typical"] + it["support"]
    it_peak = it["gpu_peak"] + it["support"]
    it_grid_peak = it["gpu_grid_peak"] + it["support"]
    it_des = it["gpu_design"] + it["support"]
    typical_heat = unit_heat(inp, design, 0)
    parasitic = parasitic_heat(inp, design, 0)
    cdu_pumps, air_fans = parasitic["liquid"], parasitic["air"]  # power drawn, and heat on their loops
    liquid_rack, air_rack = typical_heat["liquid"] + cdu_pumps, typical_heat["air"] + air_fans  # brought to each loop
    ups_no_load = inp.ups_no_load * it_peak
    tx_no_load = inp.transformer_no_load * inp.grid_limit

    # mining availability and a provisional dispatch
    mining_avail = {}
    for m in inp.miners:
        if m.cooling == "air":
            avail = np.asarray(air_miner_derate(db + inp.miner_hall_rise, m.derate_start, m.shutdown), dtype=float)
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
        p = module_performance(h.rating, h.supply, db, wb)
        pumps = auxiliary_per_heat(h.rating, h.loop, p.electricity_per_heat, inp.loop_pump_per_heat,
                                   inp.condenser_pump_per_heat) * np.ones(n)
        perf[h.key] = (h, count, p, pumps)

    def plant(heat_by, wet_by):
        """Pumps, fans and chillers running the plant at a heat per module, and the water it evaporates."""
        pumps, chillers, water, fans = np.full(n, cdu_pumps), np.zeros(n), np.zeros(n), np.full(n, air_fans)
        for key, q in heat_by.items():
            h, count, p, pump = perf[key]
            pumps += q * pump
            chillers += q * p.electricity_per_heat
            wet = wet_by.get(key, 0.0) if h.technology == "adiabatic_cooler" else 0.0
            water += (wet if h.technology == "adiabatic_cooler" else q) * h.water_per_heat
            if h.fan_power > 0:
                fans += module_fan_power(q - wet, count, p.airflow_capacity, h.fan_power)
        return {"pumps": pumps, "fans": fans, "chillers": chillers}, water

    def hydro_heat_of(mining_run):
        return sum((mining_run[m.id] for m in hydro), np.zeros(n))

    def brought(mining_run):
        """Heat the racks, hydro miners, CDU pumps and air-side fans bring to each loop every hour [MW]."""
        return {"liquid": liquid_rack + hydro_heat_of(mining_run), "air": np.full(n, air_rack)}

    def with_loop_pumps(heat_brought):
        """Heat each loop's modules reject every hour [MW]: what is brought to the loop, with the loop's own
        pumps' heat, Q / (1 - p) (:attr:`Inputs.pumped_heat`)."""
        g = inp.pumped_heat
        return {loop: heat * g[loop] for loop, heat in heat_brought.items()}

    def module_loads(mining_run):
        return with_loop_pumps(brought(mining_run))

    def dispatch_heat(mining_run, merit="cost"):
        heat_by, wet_by, unmet, cap_loop = {}, {}, {}, {}
        loads = module_loads(mining_run)
        for loop in LOOPS:
            remaining = loads[loop].astype(float).copy()
            # tranches: (cost per MWh of heat [USD], available MW, key, is_wet, e/heat, water/heat)
            tranches = []
            cap_total = np.zeros(n)
            for key, (h, count, p, pump) in perf.items():
                if h.loop != loop:
                    continue
                cap_total += count * p.capacity
                water_dry = h.water_per_heat if h.technology != "adiabatic_cooler" else 0.0
                e = p.electricity_per_heat + pump
                if h.fan_power > 0:  # fans flat out, for the merit order only
                    e = e + np.where(p.airflow_capacity > 0, h.fan_power / np.maximum(p.airflow_capacity, 1e-12), 0.0)
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
            unmet[loop] = np.maximum(remaining, 0.0)
        if merit == "power":  # wet the pads of adiabatic coolers as far as lets their fans run slowest
            for key, q in heat_by.items():
                h, count, p, pump = perf[key]
                if h.technology != "adiabatic_cooler":
                    continue
                cap, dry = count * p.capacity, count * p.dry_capacity
                q_dry = np.maximum(np.where(cap > 0, q * dry / np.maximum(cap, 1e-12), 0.0), q - (cap - dry))
                wet_by[key] = np.clip(q - q_dry, 0.0, None)
        return (heat_by, wet_by, unmet, cap_loop) + plant(heat_by, wet_by)

    def plan_heat(mining_run):
        """The plan's own heat dispatch (per model hour, spread over its hours), re-metered with the physics."""
        heat_by = {k: np.asarray(design.heat_dispatch.get(k, np.zeros(n)), dtype=float) for k in perf}
        wet_by = {k: np.asarray(design.wet_dispatch.get(k, np.zeros(n)), dtype=float)
                  for k in perf if k in (design.wet_dispatch or {})}
        loads = module_loads(mining_run)
        unmet, cap_loop = {}, {}
        for loop in LOOPS:
            done = np.zeros(n)
            cap_loop[loop] = np.zeros(n)
            for key, (h, count, p, pump) in perf.items():
                if h.loop != loop:
                    continue
                q = np.minimum(heat_by[key], count * p.capacity)  # never beyond capacity at the real ambient
                heat_by[key] = q
                cap_loop[loop] += count * p.capacity
                done += q
                if h.technology == "adiabatic_cooler":
                    wet_by[key] = np.clip(np.maximum(wet_by.get(key, 0.0), q - count * p.dry_capacity), 0.0, q)
            unmet[loop] = np.maximum(loads[loop] - done, 0.0)
        return (heat_by, wet_by, unmet, cap_loop) + plant(heat_by, wet_by)

    def meter(mining_run, parts):
        cooling = parts["pumps"] + parts["fans"] + parts["chillers"]
        mining = sum((mining_run[m.id] * (1.0 + m.ventilation) for m in inp.miners), np.zeros(n))
        stays = sum((mining_run[m.id] * (1.0 + m.ventilation) for m in inp.miners if not m.sheddable), np.zeros(n))
        base = a_tx * (cooling + ups_no_load + inp.house_load) + tx_no_load
        return a_ups * it_typ + a_tx * mining + base, a_ups * it_grid_peak + a_tx * stays + base, cooling

    limit = inp.operating_limit

    def operate(mining_run):
        """Heat, plant and meter for a mining dispatch; at the grid limit the plant runs for least electricity."""
        heat_by, wet_by, unmet, cap_loop, parts, water = dispatch_heat(mining_run)
        draw, envelope, cooling = meter(mining_run, parts)
        # at the grid limit the operator runs the plant for least electricity instead of least cost
        tight = (draw > limit + 1e-7) | (envelope > limit + 1e-7)
        if tight.any():
            lean = dispatch_heat(mining_run, merit="power") if design.heat_dispatch is None else plan_heat(mining_run)
            heat_by = {k: np.where(tight, lean[0].get(k, 0.0), v) for k, v in
                       {**{k: np.zeros(n) for k in lean[0]}, **heat_by}.items()}
            wet_by = {k: np.where(tight, lean[1].get(k, 0.0), v) for k, v in
                      {**{k: np.zeros(n) for k in lean[1]}, **wet_by}.items()}
            unmet = {k: np.where(tight, lean[2][k], v) for k, v in unmet.items()}
            parts = {k: np.where(tight, lean[4][k], v) for k, v in parts.items()}
            water = np.where(tight, lean[5], water)
            draw, envelope, cooling = meter(mining_run, parts)
        return heat_by, wet_by, unmet, cap_loop, parts, water, draw, envelope, cooling

    def fill(mining_run, headroom, env_room):
        """Run more of every miner that pays for its energy (and cooling, for hydro) in the room given, best first."""
        out = {}
        for m in sorted(inp.miners, key=lambda m: -m.revenue_per_mwh):
            per_mw = a_tx * (1.0 + m.ventilation) * (1.0 + (0.05 if m.cooling == "hydro" else 0.0))
            pays = m.revenue_per_mwh > price * per_mw
            room = headroom if m.sheddable else np.minimum(headroom, env_room)
            more = np.where(pays, np.clip(room / per_mw, 0.0, mining_avail[m.id] - mining_run[m.id]), 0.0)
            out[m.id] = mining_run[m.id] + more
            headroom = headroom - per_mw * more
            if not m.sheddable:
                env_room = env_room - per_mw * more
        return out

    zero = {m.id: np.zeros(n) for m in inp.miners}
    if design.mining_dispatch is not None:
        # the plan's own dispatch: each hour at its model hour's, set at the group's worst coefficients;
        # mining switches within seconds, so the operator also runs the miners in the grid the hour itself
        # leaves (cooler than its group's worst hour), up to the month's planned peak where a demand charge
        # is paid on it (running more would raise the charge)
        planned = {m.id: np.minimum(design.mining_dispatch.get(m.id, np.zeros(n)), mining_avail[m.id])
                   for m in inp.miners}
        state = operate(planned)
        cap = np.full(n, limit)
        if inp.demand_charge > 0:
            month = np.asarray(clim.month, dtype=int)
            peak = np.zeros(13)
            np.maximum.at(peak, month, state[6])
            cap = np.minimum(cap, peak[month])
        mining_run = fill(planned, cap - state[6], limit - state[7])
        if any(np.any(mining_run[k] > planned[k] + 1e-9) for k in planned):
            topped = operate(mining_run)
            # an hour the extra mining would put over a limit (its cooling misjudged) keeps the plan's dispatch
            over = ((topped[6] > cap + 1e-7) & (topped[6] > state[6])) | ((topped[7] > limit + 1e-7) & (topped[7] > state[7]))
            if over.any():
                mining_run = {k: np.where(over, planned[k], v) for k, v in mining_run.items()}
                topped = operate(mining_run)
            state = topped
    else:
        # no dispatch from the plan: run every miner that pays as far as the grid allows, best first
        draw0, env0, _ = meter(zero, dispatch_heat(zero)[4])
        mining_run = fill(zero, limit - draw0, limit - env0)
        state = operate(mining_run)
    heat_by, wet_by, unmet, cap_loop, parts, water, draw, envelope, cooling = state

    mining_total = sum(mining_run.values(), np.zeros(n))
    ventilation = sum((mining_run[m.id] * m.ventilation for m in inp.miners), np.zeros(n))
    loads = {
        "gpu_it": np.full(n, it["gpu_typical"]),
        "support_it": np.full(n, it["support"]),
        "pumps": parts["pumps"],
        "fans": parts["fans"],
        "chillers": parts["chillers"],
        "miner_ventilation": ventilation,
        "house": np.full(n, inp.house_load),
        "mining": mining_total,
    }
    loads["losses"] = draw - sum(loads.values())
    loads = {k: loads[k] for k in LOAD_KINDS}
    # what mining adds at the meter: miners, their ventilation, the cooling of hydro miners' heat, losses
    hydro_heat = hydro_heat_of(mining_run)
    heat_brought = brought(mining_run)  # before the loops' own pumps' heat
    liquid_brought = heat_brought["liquid"]
    heat_to_modules = with_loop_pumps(heat_brought)
    share_of_liquid = np.where(liquid_brought > 0, hydro_heat / np.maximum(liquid_brought, 1e-12), 0.0)
    liquid = [k for k in heat_by if perf[k][0].loop == "liquid"]
    hydro_cooling_by = {  # the liquid loop's pumps and chillers in the share of its heat the hydro miners bring
        "pumps": sum((heat_by[k] * perf[k][3] for k in liquid), np.zeros(n)) * share_of_liquid,
        "chillers": sum((heat_by[k] * perf[k][2].electricity_per_heat for k in liquid), np.zeros(n)) * share_of_liquid,
    }
    hydro_cooling = hydro_cooling_by["pumps"] + hydro_cooling_by["chillers"]
    mining_share = a_tx * (mining_total + ventilation + hydro_cooling)
    return Operation(
        it_typical=it_typ, it_design=it_des, it_peak=it_peak, it_grid_peak=it_grid_peak,
        gpu_it=it["gpu_typical"], support_it=it["support"],
        liquid_heat=heat_to_modules["liquid"], air_heat=heat_to_modules["air"], heat_by_module=heat_by, wet_heat=wet_by,
        capacity_by_loop=cap_loop, cooling_power=cooling, mining_power=mining_run,
        mining_available=mining_avail, grid_draw=draw, envelope=envelope,
        water_m3=water, energy_price=price, unmet_heat=unmet, loads=loads, mining_share=mining_share,
        mining_cooling_by_kind=hydro_cooling_by,
        parasitic_heat=parasitic, heat_brought=heat_brought,
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
    n = {k: design.racks.get(k, 0) for k in racks}
    inst = 1.0 + inp.installation
    out = {
        "GPU racks": inst * sum(n[k] * r.price for k, r in racks.items()),
        "scale-out network, storage, management": inst * sum(n[k] / r.su_racks * r.support_price
                                                             for k, r in racks.items()),
        "facility retrofit": sum(n[k] / r.su_racks * r.su_it_design * inp.facility_capex for k, r in racks.items()),
        "UPS": sum(n[k] / r.su_racks * r.su_it_peak * inp.ups_price_per_mw for k, r in racks.items()),
        "transformer": inp.transformer_price_per_mw * inp.grid_limit,
        "CDUs": sum(design.cdus.get(c.id, 0) * c.price for c in inp.cdus),
        "heat rejection": sum(design.modules.get(h.key, 0) * h.price for h in inp.heat_rejection),
        "air side": sum(design.air_units.get(a.id, 0) * a.price for a in inp.air_side),
        "miners": inst * sum(design.mining.get(m.id, 0.0) * m.price_per_mw for m in inp.miners),
    }
    return out


def design_loads(inp: Inputs, design: Design) -> dict[str, float]:
    """Heat at design power per loop [MW] that CDUs and air-side units carry: racks, support racks, hydro mining."""
    heat = unit_heat(inp, design, 1)
    heat["liquid"] += sum(design.mining.get(m.id, 0.0) for m in inp.miners if m.cooling == "hydro")
    return heat


def design_heat_rejected(inp: Inputs, design: Design) -> dict[str, float]:
    """Heat at design power per loop [MW] its heat-rejection modules reject: :func:`design_loads`
    with the CDU pumps' and air-side fans' heat (:func:`parasitic_heat`), and the loop's own pumps' heat
    (:attr:`planner.inputs.Inputs.pumped_heat`)."""
    heat = design_loads(inp, design)
    for loop, extra in parasitic_heat(inp, design, 1).items():
        heat[loop] = (heat[loop] + extra) * inp.pumped_heat[loop]
    return heat


def gpu_count(inp: Inputs, design: Design) -> int:
    """GPUs in the racks of a design."""
    return sum(design.racks.get(r.id, 0) * r.gpus for r in inp.racks)


def support_racks(inp: Inputs, design: Design) -> int:
    """Support (network, storage, management) racks of a design."""
    return int(round(sum(design.racks.get(r.id, 0) / r.su_racks * r.support_racks for r in inp.racks)))


def areas(inp: Inputs, design: Design) -> tuple[float, float]:
    """Hall area (racks, support racks, CDUs, air-side units, miners) and yard area (heat rejection) used [m^2]."""
    racks = {r.id: r for r in inp.racks}
    hall = (sum(design.racks.get(k, 0) * (r.floor_area + r.support_floor_area / r.su_racks) for k, r in racks.items())
            + sum(design.cdus.get(c.id, 0) * c.floor_area for c in inp.cdus)
            + sum(design.air_units.get(a.id, 0) * a.floor_area for a in inp.air_side)
            + sum(design.mining.get(m.id, 0.0) * m.floor_area_per_mw for m in inp.miners))
    yard = sum(design.modules.get(h.key, 0) * h.floor_area for h in inp.heat_rejection)
    return hall, yard


def installed_with_spares_out(items, counts: dict[str, int], spares: int) -> tuple[float, float]:
    """Installed capacity of CDUs or room air-side units, and what is left with ``spares`` of the largest out [MW]."""
    items = [i for i in items if not getattr(i, "per_rack", False)]
    installed = sum(counts.get(i.id, 0) * i.capacity for i in items)
    largest = max((i.capacity for i in items if counts.get(i.id, 0) > 0), default=0.0)
    return installed, installed - spares * largest


def cdu_flow_room(inp: Inputs, design: Design, spares: int) -> float:
    """Coolant flow the CDUs give with ``spares`` of the largest out, less the racks' flow at design [L/min].

    Infinite where no installed CDU states its flow (those count by heat only).
    """
    flow_cdus = [c for c in inp.cdus if design.cdus.get(c.id, 0) > 0 and c.flow > 0]
    if not flow_cdus:
        return math.inf
    have = sum(design.cdus[c.id] * c.flow for c in flow_cdus) - spares * max(c.flow for c in flow_cdus)
    return have - sum(design.racks.get(r.id, 0) * r.coolant_flow for r in inp.racks)


def design_capacity_with_spares_out(inp: Inputs, design: Design, loop: str) -> tuple[float, float, list[str]]:
    """Heat-rejection capacity of a loop at the design condition [MW]: installed, and with the spares out.

    With ``redundancy.heat_rejection_scope = "loop"`` the spares are the largest modules that reject
    heat at the design condition; with "technology" each technology used loses its own spares. Modules
    that reject nothing at the design condition are never spares. Also returns the keys of the modules
    that carry design heat.
    """
    clim = inp.climate
    spares = inp.spares["heat_rejection"]
    caps = []
    for h in inp.heat_rejection:
        count = design.modules.get(h.key, 0)
        if h.loop != loop or count <= 0:
            continue
        wb = inp.design_tower_wet_bulb if h.technology in ("cooling_tower", "water_cooled_chiller") else clim.design_wet_bulb
        p = module_performance(h.rating, h.supply, np.array([clim.design_dry_bulb]), np.array([wb]))
        caps.append((h.key, count, float(p.capacity[0])))
    installed = sum(n * c for _, n, c in caps)
    carrying = [k for k, _, c in caps if c > 1e-9]
    if inp.hr_scope == "technology":
        left = sum((n - spares) * c for _, n, c in caps)
    else:
        units = sorted((c for _, n, c in caps for _ in range(n) if c > 1e-9), reverse=True)
        left = installed - sum(units[:spares])
    return installed, left, carrying


#: Heat-rejection technologies that reject no heat without water: a tower evaporates it, a water-cooled
#: chiller rejects its condenser heat through a tower.
WATER_BORNE = ("cooling_tower", "water_cooled_chiller")


def uses_water(inp: Inputs, design: Design, loop: str) -> bool:
    """Whether any heat-rejection module installed on the loop uses water (adiabatic pads, towers)."""
    return any(design.modules.get(h.key, 0) > 0 and h.loop == loop
               and (h.technology in WATER_BORNE or h.technology == "adiabatic_cooler") for h in inp.heat_rejection)


def capacity_all_running(inp: Inputs, design: Design, loop: str, dry_bulb, wet_bulb, *,
                         water: bool = True) -> np.ndarray:
    """Heat-rejection capacity of a loop with every module installed running, at the ambients given [MW].

    ``water=False`` is a loss of the site's water (supply and storage): adiabatic coolers run dry
    (:attr:`planner.physics.plant.ModulePerformance.dry_capacity`), cooling towers and
    water-cooled chillers (``WATER_BORNE``) reject nothing, dry coolers and air-cooled chillers
    are unchanged. No spare is taken out: the outage is the failure.
    """
    db, wb = np.atleast_1d(np.asarray(dry_bulb, dtype=float)), np.atleast_1d(np.asarray(wet_bulb, dtype=float))
    total = np.zeros(len(db))
    for h in inp.heat_rejection:
        count = design.modules.get(h.key, 0)
        if h.loop != loop or count <= 0 or (not water and h.technology in WATER_BORNE):
            continue
        perf = module_performance(h.rating, h.supply, db, wb)
        total += count * np.asarray(perf.capacity if water else perf.dry_capacity, dtype=float)
    return total


def capacity_with_spares_out_hourly(inp: Inputs, design: Design, loop: str) -> np.ndarray:
    """Heat-rejection capacity of a loop in every hour of the year with its spares out [MW].

    As :func:`design_capacity_with_spares_out`, at each hour's own dry and wet bulb instead of the
    design condition: with ``redundancy.heat_rejection_scope = "loop"`` the spares are the modules
    largest in that hour, with "technology" each technology used loses its own spares.
    """
    clim = inp.climate
    db, wb = np.asarray(clim.dry_bulb, dtype=float), np.asarray(clim.wet_bulb, dtype=float)
    spares = inp.spares["heat_rejection"]
    caps, counts = [], []
    for h in inp.heat_rejection:
        count = design.modules.get(h.key, 0)
        if h.loop != loop or count <= 0:
            continue
        caps.append(np.asarray(module_performance(h.rating, h.supply, db, wb).capacity, dtype=float))
        counts.append(count)
    if not caps:
        return np.zeros(len(db))
    cap = np.stack(caps)  # module types x hours
    left = np.asarray(counts, dtype=float)[:, np.newaxis] * np.ones_like(cap)
    if inp.hr_scope == "technology":
        return ((left - spares).clip(0.0) * cap).sum(axis=0)
    cols = np.arange(cap.shape[1])
    for _ in range(spares):  # take out the largest module still in, hour by hour
        largest = np.argmax(np.where(left > 0, cap, -np.inf), axis=0)
        has = left[largest, cols] > 0
        left[largest[has], cols[has]] -= 1
    return (left * cap).sum(axis=0)


def audit(inp: Inputs, design: Design, op: Operation | None = None) -> AuditResult:
    """Check every limit of the site against a design run for all hours."""
    op = op or simulate(inp, design)
    labels = inp.climate.timestamps
    n = len(op.grid_draw)
    res = AuditResult(hours_checked=n)
    v = res.violations
    tol = 1e-5
    limit = inp.operating_limit
    margin = f" less site.grid_margin ({inp.grid_margin:g} MW)" if inp.grid_margin > 0 else ""
    v += _worst(op.grid_draw, limit, labels, "site.grid_limit", f"grid draw exceeds the limit{margin}", "MW", tol)
    res.checks.append(f"grid draw <= site.grid_limit{margin}, every hour")
    v += _worst(op.envelope, limit, labels, "site.grid_limit",
                f"GPU peak power (after smoothing) plus cooling and the mining that cannot shed in the racks' "
                f"transient window exceeds the limit{margin}", "MW", tol)
    res.checks.append(f"GPU peak envelope (sheddable mining curtailed) <= site.grid_limit{margin}, every hour")
    parts = sum(op.loads.values())
    v += _worst(np.abs(parts - op.grid_draw), 0.0, labels, "audit", "load breakdown does not add up to the grid draw",
                "MW", tol)
    res.checks.append("load by kind (GPU IT, support IT, pumps, fans, chillers, miner ventilation, house, losses, "
                      "mining) adds up to the grid draw, every hour")
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

    # buildable equipment: whole scalable units, rack types, whole lots, miner models
    for r in inp.racks:
        count = design.racks.get(r.id, 0)
        if count % r.su_racks:
            v.append(Violation(f"racks.{r.id}", f"{count} racks is not a whole number of scalable units of "
                               f"{r.su_racks} racks", None, count % r.su_racks, "racks"))
    n_types = sum(1 for r in inp.racks if design.racks.get(r.id, 0) > 0)
    if inp.max_rack_types is not None and n_types > inp.max_rack_types:
        v.append(Violation("limits.max_rack_types", f"{n_types} rack types installed", None,
                           n_types - inp.max_rack_types, "types"))
    res.checks.append("racks in whole scalable units"
                      + (f"; at most {inp.max_rack_types} rack type(s)" if inp.max_rack_types else ""))
    for m in inp.miners:
        mw = design.mining.get(m.id, 0.0)
        lots = mw / m.lot_mw
        if abs(lots - round(lots)) > 1e-6:
            v.append(Violation(f"mining.{m.id}", f"{mw:g} MW is not a whole number of lots of {m.lot_size} miners",
                               None, abs(lots - round(lots)) * m.lot_mw, "MW"))
    n_models = sum(1 for m in inp.miners if design.mining.get(m.id, 0.0) > tol)
    if inp.max_miner_models is not None and n_models > inp.max_miner_models:
        v.append(Violation("limits.max_miner_models", f"{n_models} miner models installed", None,
                           n_models - inp.max_miner_models, "models"))
    res.checks.append("miners in whole lots" + (f"; at most {inp.max_miner_models} model(s)" if inp.max_miner_models else ""))

    loads = design_loads(inp, design)
    s = inp.spares
    cdu_cap, cdu_left = installed_with_spares_out(inp.cdus, design.cdus, s["cdu"])
    short = loads["liquid"] - cdu_left
    if short > tol:
        v.append(Violation("redundancy.cdu", f"CDU capacity with {s['cdu']} unit(s) out is below the liquid heat at design power",
                           None, short, "MW"))
    v += _worst(op.heat_brought["liquid"] - op.parasitic_heat.get("liquid", 0.0), cdu_cap, labels,
                "choices.cdus",
                "liquid heat above installed CDU capacity", "MW", tol)
    flow_room = cdu_flow_room(inp, design, s["cdu"])
    if flow_room < -1e-6:
        v.append(Violation("redundancy.cdu", f"CDU flow with {s['cdu']} unit(s) out is below the racks' coolant "
                           "flow", None, -flow_room, "L/min"))
    if inp.cdu_scope == "scalable_unit":
        hydro = sum(design.mining.get(m.id, 0.0) for m in inp.miners if m.cooling == "hydro")
        for c in inp.cdus:
            have = design.cdus.get(c.id, 0)
            if not have:
                continue
            own = sum(cdus_per_scalable_unit(r, c, s["cdu"]) * (design.racks.get(r.id, 0) // max(r.su_racks, 1))
                      for r in inp.racks)
            need = own + int(math.ceil(hydro / c.capacity - 1e-9))
            if have < need:
                v.append(Violation("redundancy.cdu", f"{have} {c.id} for {need}: each scalable unit's own CDUs with "
                                   f"N+{s['cdu']}, and the hydro miners' apart", None, need - have, "units"))
    res.checks.append(f"CDUs: N+{s['cdu']} at design power (heat and the racks' coolant flow)"
                      + (" for each scalable unit, on its own CDUs" if inp.cdu_scope == "scalable_unit" else "")
                      + ", and every hour")

    _, air_left = installed_with_spares_out(inp.air_side, design.air_units, s["air_side"])
    short = loads["air"] - air_left
    doors = [a for a in inp.air_side if a.per_rack and design.air_units.get(a.id, 0) > 0]
    if doors:  # rear doors: one per rack served, each sized for its rack; they carry the air heat themselves
        short = 0.0
        served = sum(design.racks.values()) + support_racks(inp, design)
        n_doors = sum(design.air_units.get(a.id, 0) for a in doors)
        if n_doors != served:
            v.append(Violation("choices.air_side", f"{n_doors} rear doors for {served} racks (compute and support)",
                               None, abs(n_doors - served), "racks"))
        for a in doors:
            for r in inp.racks:
                need = max(r.power_design * (1 - r.liquid_fraction), r.support_rack_air_heat)
                if design.racks.get(r.id, 0) > 0 and need > a.capacity + tol:
                    v.append(Violation("choices.air_side", f"{a.id} ({a.capacity * 1000:g} kW) is smaller than the air "
                                       f"heat of one {r.id} rack", None, need - a.capacity, "MW"))
    if short > tol:
        v.append(Violation("redundancy.air_side", f"air-side capacity with {s['air_side']} unit(s) out is below the rack air heat",
                           None, short, "MW"))
    for a in inp.air_side:
        if design.air_units.get(a.id, 0) > 0 and not a.allowed:
            v.append(Violation("cooling.air_loop_supply_temperature", f"{a.id}: {a.reason}", None, 0.0, "K"))
    doors = any(a.per_rack and design.air_units.get(a.id, 0) > 0 for a in inp.air_side)
    rooms = any(not a.per_rack and design.air_units.get(a.id, 0) > 0 for a in inp.air_side)
    parts = ([f"room units N+{s['air_side']} at design power"] if rooms or not doors else []) + (
        ["rear doors one per rack, each sized for its rack's air heat"] if doors else [])
    res.checks.append("air side: " + "; ".join(parts))

    clim = inp.climate
    installed_cdus = {c for c, n in design.cdus.items() if n > 0}
    for h in inp.heat_rejection:
        if h.cdus and design.modules.get(h.key, 0) > 0 and not installed_cdus & set(h.cdus):
            v.append(Violation("choices.cdus", f"{h.key} is sized for a {h.supply:g} degC liquid loop, which needs "
                               f"{' or '.join(h.cdus)}, and none is installed", None, 0.0, "K"))
    rejected = design_heat_rejected(inp, design)
    for loop in LOOPS:
        _, left, _ = design_capacity_with_spares_out(inp, design, loop)
        short = rejected[loop] - left
        if short > tol:
            out = "per technology" if inp.hr_scope == "technology" else "of the largest out"
            v.append(Violation("redundancy.heat_rejection",
                               f"{loop}-loop heat rejection with {s['heat_rejection']} module(s) {out} "
                               f"is below the design heat at {clim.design_dry_bulb:g} degC", None, short, "MW"))
    if inp.max_hr_types_per_loop is not None:
        for loop in LOOPS:
            n_types = sum(1 for h in inp.heat_rejection if h.loop == loop and design.modules.get(h.key, 0) > 0)
            if n_types > inp.max_hr_types_per_loop:
                v.append(Violation("limits.max_heat_rejection_types_per_loop", f"{n_types} module types on the {loop} loop",
                                   None, n_types - inp.max_hr_types_per_loop, "types"))
    res.checks.append(f"heat rejection: each loop holds its design heat (CDU pumps', air-side fans' and loop pumps' "
                      f"heat included) "
                      f"with {s['heat_rejection']} module(s) out "
                      f"({'per technology' if inp.hr_scope == 'technology' else 'the largest'}; modules that reject "
                      "nothing at the design condition never count), at the loop temperature the modules are rated for")

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
