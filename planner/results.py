"""The results of a plan as one typed model, computed once after the audit.

Every output file (``plan.json``, ``report.md``, ``report.html``, ``plan.xlsx``, the hourly CSV and
Parquet) and the Python API read this model and do no physics of their own. Keys are stable
snake_case; racks, modules and miners carry the ids of their hardware files (modules as
``id@loop``); every quantity is ``{"value": ..., "unit": ...}``. The JSON Schema in
``docs/plan.schema.json`` is generated from :class:`PlanResults` (``python -m planner.results``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from planner.audit import (LOAD_KINDS, areas, capacity_all_running, capacity_with_spares_out_hourly,
                           design_capacity_with_spares_out, design_heat_rejected, design_loads, gpu_count, uses_water)
from planner.physics.fluids import freezing_point

#: Raised when a key is renamed or removed, or a meaning changes; adding a key keeps it.
SCHEMA_VERSION = "1.0"


class Quantity(BaseModel):
    """A number with its unit (``None``: no value, e.g. a PUE without IT)."""

    model_config = ConfigDict(extra="forbid")
    value: float | None
    unit: str


def q(value: Any, unit: str) -> Quantity:
    if value is None:
        return Quantity(value=None, unit=unit)
    v = float(value)
    return Quantity(value=v if math.isfinite(v) else None, unit=unit)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Site(_Model):
    name: str
    grid_limit: Quantity = Field(description="site.grid_limit")
    grid_margin: Quantity = Field(description="site.grid_margin")
    grid_margin_reason: str = Field(default="", description="site.grid_margin_reason")
    operating_limit: Quantity = Field(description="grid limit less the operating margin")
    hall_area: Quantity
    yard_area: Quantity
    weather_source: str
    design_dry_bulb: Quantity
    design_wet_bulb: Quantity
    design_source: str = Field(default="", description="where the design condition comes from")
    hottest_dry_bulb: Quantity
    time_mode: str
    model_hours: int
    liquid_supply_temperature: Quantity
    liquid_supply_note: str = Field(default="", description="why the liquid loop supplies at that temperature")
    air_supply_temperature: Quantity
    coldest_dry_bulb: Quantity | None = Field(default=None, description="the weather year's coldest hour")
    extreme_max_dry_bulb: Quantity | None = Field(default=None, description=(
        "mean of the annual maximum dry bulbs (ASHRAE extremes, from the weather file's header)"))
    extreme_max_dry_bulb_20_year: Quantity | None = Field(default=None, description="20-year return period maximum")
    extreme_min_dry_bulb: Quantity | None = Field(default=None, description="mean of the annual minimum dry bulbs")
    extreme_min_dry_bulb_20_year: Quantity | None = Field(default=None, description="20-year return period minimum")
    facility_fluid: str = Field(default="", description="cooling.facility_fluid, in both loops")
    fluid_freezing_point: Quantity | None = Field(default=None, description="of cooling.facility_fluid")
    fluid_duty_factors: dict[str, float] = Field(default={}, description=(
        "heat-rejection module id: its capacity with the facility fluid against its rating (glycol correction; "
        "1 where rated with the same fluid)"))
    hashprice: Quantity


class RackLine(_Model):
    id: str
    name: str
    count: int
    scalable_units: int
    support_racks: int
    gpus: int
    gpu_it_typical: Quantity
    support_it: Quantity
    it_peak_at_grid: Quantity
    gpu_price: Quantity
    coolant_flow_per_rack: Quantity | None = None
    coolant: str = ""
    coolant_temperature_rise: Quantity | None = Field(default=None, description="rise at design power")
    vendor_coolant_flow: Quantity | None = Field(default=None, description="the vendor's flow per rack, if given")


class CoolingLine(_Model):
    id: str = Field(description="hardware id; heat rejection as id@loop")
    hardware_id: str
    name: str
    kind: str = Field(description="cdu, heat_rejection or air_side")
    technology: str | None = None
    loop: str
    count: int
    spares: str
    capacity_each_at_design: Quantity
    design_heat: Quantity
    role: str


class MinerLine(_Model):
    id: str
    name: str
    cooling: str
    installed: Quantity
    lots: int
    units: int
    hash_rate: Quantity
    mined: Quantity
    revenue: Quantity
    strike_price_at_meter: Quantity = Field(description=(
        "energy price at the meter above which mining loses money: revenue per MWh mined over what a MWh mined "
        "draws at the meter (the transformer's losses and the hall ventilation of air-cooled miners)"))
    curtailed_grid_hours: int = Field(description="hours running below what is available with the grid draw at "
                                            "the operating limit or at the month's peak draw (more would raise the "
                                            "demand charge)")
    curtailed_price_hours: int = Field(description="hours running below what is available, the grid not bound, "
                                             "because the energy costs more than the mining earns")
    derated_hot_air_hours: int


class LoopCapacity(_Model):
    loop: str
    design_heat: Quantity
    plant_heat: Quantity | None = Field(default=None, description=(
        "the part of design_heat the cooling plant's own machines put on the loop: the CDU pumps and the "
        "facility-water pumps on the liquid loop, the air-side units' fans and the chilled-water pumps on the air loop"))
    capacity_with_spares_out: Quantity
    carried_by: list[str]
    spares_out: str = Field(default="", description="which units are taken out: the largest module(s), or spares per technology")
    redundancy: str = Field(default="", description="redundancy.heat_rejection as N+k")
    hours_short_with_spares_out: int = Field(default=0, description=(
        "hours of the audited year in which the loop, its spares out, cannot carry the heat running in that hour "
        "(hours hotter than the design condition)"))
    largest_short_with_spares_out: Quantity | None = Field(default=None, description=(
        "the largest such shortfall, in the hour it occurs"))
    hottest_short_hour: str | None = Field(default=None, description="the hour of the largest shortfall")
    tightest_hour: str | None = Field(default=None, description=(
        "the hour of the audited year in which the loop, its spares out, has the least capacity left over the heat "
        "running then"))
    tightest_dry_bulb: Quantity | None = Field(default=None, description="the dry bulb in that hour")
    margin_at_tightest_hour: Quantity | None = Field(default=None, description=(
        "capacity with the spares out less the heat running, in that hour (negative: short)"))
    capacity_at_tightest_hour: Quantity | None = Field(default=None, description=(
        "the loop's heat-rejection capacity with its spares out in that hour, to compare with design_heat: the heat "
        "at design power, which the loop carries with its spares out at the design condition"))
    capacity_at_extreme_dry_bulb: Quantity | None = Field(default=None, description=(
        "every module installed running at the mean of the annual maximum dry bulbs (ASHRAE extremes), with the "
        "design condition's wet bulb; None where the weather file gives no extremes"))
    capacity_without_water: Quantity | None = Field(default=None, description=(
        "on a loss of water, at the design condition: every module installed running, adiabatic coolers dry, "
        "cooling towers and water-cooled chillers rejecting nothing; None where no module on the loop uses water"))
    hours_short_without_water: int | None = Field(default=None, description=(
        "hours of the audited year in which the loop, without water, could not carry the heat running then"))
    largest_short_without_water: Quantity | None = Field(default=None, description="the largest such shortfall")
    largest_short_without_water_hour: str | None = Field(default=None, description="the hour of that shortfall")


class ExcludedMiner(_Model):
    """A miner of the site's choices that may not run, and why."""

    id: str
    name: str
    reason: str


class DesignResults(_Model):
    racks: list[RackLine]
    cooling: list[CoolingLine]
    miners: list[MinerLine]
    gpus: int
    support_racks: int
    it_typical: Quantity
    support_it: Quantity
    it_design: Quantity
    it_peak: Quantity
    it_grid_peak: Quantity
    hall_area_used: Quantity
    yard_area_used: Quantity
    rack_coolant_flow: Quantity
    cdu_flow: Quantity | None = Field(default=None, description="coolant flow of the CDUs installed")
    loops: list[LoopCapacity]
    assist_hours: dict[str, int] = Field(description="per module id@loop: hours of adiabatic spray or chiller running")
    freezing_hours: dict[str, int] = Field(default={}, description=(
        "per module id@loop that evaporates water (open towers, water-cooled chillers' towers, adiabatic spray): "
        "hours it does so below 0 degC dry bulb, which need freeze protection"))
    miners_not_eligible: list[ExcludedMiner] = []


class PowerBalance(_Model):
    hour: int = Field(description="index in the 8760 hours of the weather year")
    timestamp: str
    dry_bulb: Quantity
    wet_bulb: Quantity
    loads: dict[str, Quantity] = Field(description="MW by kind (LOAD_KINDS); they add up to the grid draw")
    grid_draw: Quantity
    envelope: Quantity
    envelope_without_smoothing: Quantity = Field(description=(
        "the envelope with every rack at its full electrical peak, none of it smoothed by the racks' power "
        "shelves (racks.*.power_smoothing, an estimate): how far the plan leans on it"))
    pue: Quantity
    heat_rejected: dict[str, Quantity] = Field(description="per module id@loop")
    step_before_shed: Quantity | None = Field(default=None, description=(
        "the grid draw with the racks stepped from typical power to their smoothed peak while sheddable mining "
        "still runs, for the miners' shed time (shed_seconds), before the envelope holds; None without sheddable "
        "mining running at this hour"))
    shed_seconds: float | None = Field(default=None, description="the longest shed time of the sheddable miners "
                                       "running at this hour [s]")
    mining_over_step: Quantity | None = Field(default=None, description=(
        "mining (at the wall) that would have to stay off for step_before_shed to keep within site.grid_limit: "
        "what an instantaneous limit would ask; 0 where it keeps within"))
    step_hours_over_limit: int | None = Field(default=None, description=(
        "hours of the audited year in which the same step, with the mining then running, would pass site.grid_limit"))
    mining_held_off: Quantity | None = Field(default=None, description=(
        "mining energy an instantaneous site.grid_limit would keep off over the year, in those hours"))


class Annual(_Model):
    grid_energy: Quantity
    facility_energy: Quantity
    it_energy: Quantity
    mining_energy: Quantity
    cooling_energy: Quantity
    energy_by_kind: dict[str, Quantity]
    pue: Quantity
    pue_by_kind: dict[str, Quantity] = Field(default_factory=dict, description=(
        "each load kind's part of the annual PUE: its energy less what mining adds to it (mining and its ventilation, "
        "hydro miners' cooling, mining's transformer losses), over IT energy; they add up to pue"))
    water: Quantity
    wue: Quantity
    highest_draw: Quantity
    peak_water: Quantity = Field(description="largest hourly water draw of the year")
    peak_water_hour: str | None = Field(default=None, description="the hour of the largest water draw")


class NoiResults(_Model):
    parts: dict[str, Quantity] = Field(description="revenue positive, costs negative")
    noi: Quantity
    annualised_capex: Quantity = Field(description="capital recovery of the capex, a positive amount (the text report "
                                       "prints it negative, signed as the costs among parts)")
    noi_less_annualised_capex: Quantity
    gpu_hours_sold: Quantity = Field(description="GPU hours billed in the year: GPUs x 8760 h x gpu_market.utilisation")
    gpu_utilisation: Quantity | None = Field(default=None, description="gpu_market.utilisation, the billable share")
    gpu_utilisation_break_even: Quantity | None = Field(default=None, description=(
        "the billable share of GPU hours (gpu_market.utilisation) at which NOI less annualised capex is zero, the "
        "design and its year held: GPU revenue is linear in it and no cost follows it"))
    gpu_price_headroom: Quantity | None = Field(default=None, description=(
        "how far every GPU price may fall, the design and its year held, before NOI less annualised capex is zero "
        "(negative: how far it must rise)"))
    objective: str
    names: dict[str, str] = Field(default={}, description="display name of each part, for people")


class CapexResults(_Model):
    parts: dict[str, Quantity]
    total: Quantity
    budget: Quantity
    facility_per_mw_it: Quantity | None = None
    names: dict[str, str] = Field(default={}, description="display name of each part, for people")


class Violation(_Model):
    limit: str = Field(description="TOML path of the limit")
    what: str
    timestamp: str | None
    excess: Quantity


class AuditResults(_Model):
    passed: bool
    hours_checked: int
    violations: list[Violation]
    checks: list[str]
    objective_recomputed: Quantity | None = None


class SolverResults(_Model):
    solver: str
    status: str
    detail: str
    scope: str = Field(default="", description="what the status covers when less than the full model")
    objective: Quantity
    bound: Quantity
    gap: Quantity
    variables: int
    constraints: int
    build_time: Quantity
    solve_time: Quantity
    audit_time: Quantity | None = None
    incumbents: list[Quantity] = Field(default=[], description="objective of each incumbent HiGHS reported while "
                                                               "solving (the last solve), in order")
    live_progress: str = Field(default="", description="why the solver could not report its progress, if it could not")


class Warning_(_Model):
    path: str
    message: str


class InputLine(_Model):
    path: str
    as_written: str
    value: float
    unit: str
    source: str = Field(default="", description="where the figure comes from: the site file's comment on it, "
                                                 "or the override (--set, a scenario) that set it")


class Series(_Model):
    unit: str
    values: list[float]


class Hourly(_Model):
    timestamp: list[str] = Field(description="start of each hour, ISO 8601")
    series: dict[str, Series] = Field(description="by stable name; column name in files: name_unit")


class Note(_Model):
    """A section of the explanation as worded in the text report (binding limits, their values,
    stranded capacity, the comparison with the optimum of a fixed design)."""

    title: str
    lines: list[str]


class BindingLimit(_Model):
    """A limit of the site by its TOML path: binding in the fixed-integer LP, and what raising it is worth."""

    path: str
    binding: bool
    detail: str = ""
    step: Quantity | None = Field(default=None, description="how far the re-plan raised the limit")
    value_of_step: Quantity | None = Field(default=None, description="objective gained by the re-plan, design free")


class LimitRaised(_Model):
    path: str
    step: Quantity


class NextUnitValue(_Model):
    """The joint re-plan: every limit the next scalable unit breaks, raised together by what it needs."""

    rack: str = Field(description="the scalable unit the step makes room for, in words")
    raised: list[LimitRaised]
    status: str = Field(description="the re-plan's solver status")
    value_of_step: Quantity = Field(description="objective gained by the re-plan, design free")
    racks_before: int
    racks_after: int | None


class PlanResults(_Model):
    schema_version: str = SCHEMA_VERSION
    site: Site
    design: DesignResults
    power_balance: PowerBalance = Field(description="at the hottest hour of the weather year")
    annual: Annual
    noi: NoiResults
    capex: CapexResults
    audit: AuditResults
    solver: SolverResults
    warnings: list[Warning_] = []
    inputs: list[InputLine] = []
    limits: list[BindingLimit] = Field(default=[], description="filled by `plan` unless --no-explain")
    next_unit: NextUnitValue | None = Field(default=None, description="filled by `plan` where the next scalable "
                                            "unit breaks more than one limit, or more of one than its re-plan step")
    explanation: list[Note] = Field(default=[], description="filled by `plan` unless --no-explain")
    hourly: Hourly


#: Month names for the monthly tables.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_UNIT_TAGS = {"MW": "MW", "degC": "degC", "m^3/h": "m3_per_h", "USD/MWh": "USD_per_MWh", "USD/h": "USD_per_h"}


def column_name(name: str, unit: str) -> str:
    """The unit-carrying column name of an hourly series: ``grid_draw_MW``, ``dry_bulb_degC``."""
    return f"{name}_{_UNIT_TAGS.get(unit, unit.replace('/', '_per_').replace('^', ''))}"


def module_slug(key: str) -> str:
    """A module key ``dry_cooler_1000@liquid`` as part of a column name: ``dry_cooler_1000_at_liquid``."""
    return key.replace("@", "_at_")


def _hourly(plan) -> Hourly:
    inp, d, op = plan.inputs, plan.design, plan.operation
    clim = inp.climate
    ts = [str(np.datetime64(t, "h")) + ":00" for t in clim.timestamps]
    s: dict[str, Series] = {}

    def add(name, unit, arr):
        s[name] = Series(unit=unit, values=[float(x) for x in np.asarray(arr, dtype=float)])

    add("dry_bulb", "degC", clim.dry_bulb)
    add("wet_bulb", "degC", clim.wet_bulb)
    add("grid_draw", "MW", op.grid_draw)
    add("operating_limit", "MW", np.full(len(op.grid_draw), inp.operating_limit))
    for kind in LOAD_KINDS:
        if kind in op.loads:
            add(f"load_{kind}", "MW", op.loads[kind])
    add("cooling_power", "MW", op.cooling_power)
    for h in inp.heat_rejection:
        if d.modules.get(h.key, 0) and h.key in op.heat_by_module:
            add(f"heat_rejected_{module_slug(h.key)}", "MW", op.heat_by_module[h.key])
    for m in inp.miners:
        if d.mining.get(m.id, 0.0) > 1e-6:
            add(f"mining_{m.id}", "MW", op.mining_power[m.id])
            add(f"mining_available_{m.id}", "MW", op.mining_available[m.id])
    add("water", "m^3/h", op.water_m3)
    add("energy_price", "USD/MWh", op.energy_price)
    return Hourly(timestamp=ts, series=s)


def _step_before_shed(inp, op, h: int) -> dict:
    """The draw in hour ``h`` with the racks at their smoothed peak before the sheddable miners running switch off."""
    running = [m for m in inp.miners if m.sheddable and float(op.mining_power.get(m.id, np.zeros(h + 1))[h]) > 1e-9]
    if not running:
        return {}
    step = (op.it_grid_peak - op.it_typical) / (inp.ups_efficiency * inp.transformer_efficiency)
    drawn = float(op.grid_draw[h]) + step
    wall = sum(float(op.mining_power[m.id][h]) for m in running)
    meter = sum(float(op.mining_power[m.id][h]) * (1.0 + m.ventilation) for m in running) / inp.transformer_efficiency
    over = max(drawn - inp.grid_limit, 0.0)
    # over the year: each hour's excess, kept off as mining at the wall (its meter factor as in this hour)
    sheddable = [m for m in inp.miners if m.sheddable]
    year_wall = sum((np.asarray(op.mining_power[m.id], dtype=float) for m in sheddable), np.zeros(len(op.grid_draw)))
    year_over = np.maximum(np.asarray(op.grid_draw, dtype=float) + step - inp.grid_limit, 0.0)
    held = np.minimum(year_over * wall / meter, year_wall)
    return {"step_before_shed": q(drawn, "MW"), "shed_seconds": max(m.shed_time for m in running),
            "mining_over_step": q(min(over * wall / meter, wall), "MW"),
            "step_hours_over_limit": int(np.count_nonzero((year_over > 1e-9) & (year_wall > 1e-9))),
            "mining_held_off": q(float(held.sum()), "MWh/yr")}


def build_results(plan, loaded=None) -> PlanResults:
    """The results model of a solved and audited plan (``loaded``: the site as loaded, for warnings and inputs)."""
    from planner.economics import objective_text
    from planner.inputs import liquid_supply_with
    from planner.physics.mining import strike_price
    from planner.report.figures import assist_mask, energy_year, facility_energy_by_kind, hottest_hour, pue_at

    inp, d, op, eco = plan.inputs, plan.design, plan.operation, plan.economics
    clim = inp.climate
    a_tx = 1.0 / inp.transformer_efficiency
    year = energy_year(op)

    site = Site(
        name=inp.site_name, grid_limit=q(inp.grid_limit, "MW"), grid_margin=q(inp.grid_margin, "MW"),
        grid_margin_reason=inp.grid_margin_reason or "", operating_limit=q(inp.operating_limit, "MW"), hall_area=q(inp.hall_area, "m^2"),
        yard_area=q(inp.yard_area, "m^2"), weather_source=str(clim.source),
        design_dry_bulb=q(clim.design_dry_bulb, "degC"), design_wet_bulb=q(clim.design_wet_bulb, "degC"),
        design_source=str(clim.design_source or ""),
        hottest_dry_bulb=q(clim.dry_bulb.max(), "degC"), time_mode=inp.time_mode, model_hours=int(inp.hours),
        liquid_supply_temperature=q(liquid_supply_with(inp, d.cdus), "degC"), liquid_supply_note=inp.liquid_supply_note,
        air_supply_temperature=q(inp.air_supply, "degC"), facility_fluid=inp.facility_fluid,
        fluid_freezing_point=q(freezing_point(inp.facility_fluid), "degC"), coldest_dry_bulb=q(clim.dry_bulb.min(), "degC"),
        **_extremes(clim.extremes),
        fluid_duty_factors={h.id: h.duty_factor for h in inp.heat_rejection},
        hashprice=q(inp.hashprice, "USD/(PH/s)/day"))

    racks = []
    for r in inp.racks:
        n = d.racks.get(r.id, 0)
        if n == 0:
            continue
        units = n // r.su_racks
        flow = rise = vendor = None
        if r.liquid_fraction > 0:
            flow, rise = q(r.heat_coolant_flow, "L/min"), q(r.coolant_delta_t, "K")
            vendor = q(r.rated_flow, "L/min") if r.rated_flow > 0 else None
        racks.append(RackLine(
            id=r.id, name=r.name, count=n, scalable_units=units, support_racks=units * r.support_racks,
            gpus=n * r.gpus, gpu_it_typical=q(n * r.power_typical, "MW"), support_it=q(units * r.support_power, "MW"),
            it_peak_at_grid=q(n * r.power_grid_peak + units * r.support_power, "MW"),
            gpu_price=q(r.gpu_price, "USD/GPU/h"), coolant_flow_per_rack=flow, coolant=r.coolant if flow else "",
            coolant_temperature_rise=rise, vendor_coolant_flow=vendor))

    sp = inp.spares
    loads = design_loads(inp, d)
    rejected = design_heat_rejected(inp, d)  # with the CDU pumps', air-side fans' and loop pumps' heat
    cooling = []
    for c in inp.cdus:
        n = d.cdus.get(c.id, 0)
        if n:
            cooling.append(CoolingLine(id=c.id, hardware_id=c.id, name=c.name, kind="cdu", loop="liquid", count=n,
                                       spares=f"N+{sp['cdu']}" + (" per scalable unit" if inp.cdu_scope == "scalable_unit"
                                                                  else ""),
                                       capacity_each_at_design=q(c.capacity, "MW"),
                                       design_heat=q(loads["liquid"], "MW"), role="carries design heat"))
    for h in inp.heat_rejection:
        n = d.modules.get(h.key, 0)
        if n:
            role = "carries design heat" if h.design_capacity > 1e-9 else "cooler hours only (0 MW at design)"
            spares = f"N+{sp['heat_rejection']} per loop" if inp.hr_scope == "loop" else f"N+{sp['heat_rejection']}"
            cooling.append(CoolingLine(id=h.key, hardware_id=h.id, name=h.name, kind="heat_rejection",
                                       technology=h.technology, loop=h.loop, count=n, spares=spares,
                                       capacity_each_at_design=q(h.design_capacity, "MW"),
                                       design_heat=q(rejected[h.loop], "MW"), role=role))
    for a in inp.air_side:
        n = d.air_units.get(a.id, 0)
        if n:
            cooling.append(CoolingLine(
                id=a.id, hardware_id=a.id, name=a.name, kind="air_side", loop="air", count=n,
                spares="one per rack" if a.per_rack else f"N+{sp['air_side']}", capacity_each_at_design=q(a.capacity, "MW"),
                design_heat=q(loads["air"], "MW"),
                role="each sized for its rack" if a.per_rack else "carries design heat"))
    loops = []
    for loop in ("liquid", "air"):
        if rejected[loop] > 0:
            _, left, carrying = design_capacity_with_spares_out(inp, d, loop)
            # the same N+k in every hour of the year, against the heat then running
            running = op.liquid_heat if loop == "liquid" else op.air_heat
            hourly = capacity_with_spares_out_hourly(inp, d, loop)
            short = np.asarray(running) - hourly
            worst = int(np.argmax(short))
            any_short = bool(short[worst] > 1e-6)
            loops.append(LoopCapacity(
                loop=loop, design_heat=q(rejected[loop], "MW"), plant_heat=q(rejected[loop] - loads[loop], "MW"),
                capacity_with_spares_out=q(left, "MW"),
                carried_by=list(carrying), redundancy=f"N+{sp['heat_rejection']}",
                spares_out="the largest module(s) out" if inp.hr_scope == "loop" else "spares out per technology",
                hours_short_with_spares_out=int(np.count_nonzero(short > 1e-6)),
                largest_short_with_spares_out=q(float(short[worst]), "MW") if any_short else None,
                hottest_short_hour=str(inp.climate.timestamps[worst]) if any_short else None,
                tightest_hour=str(inp.climate.timestamps[worst]),
                tightest_dry_bulb=q(float(inp.climate.dry_bulb[worst]), "degC"),
                margin_at_tightest_hour=q(float(-short[worst]), "MW"),
                capacity_at_tightest_hour=q(float(hourly[worst]), "MW"),
                **_without_water(inp, d, loop, running), **_at_extreme(inp, d, loop)))
    assist = {}
    for h in inp.heat_rejection:
        mask = assist_mask(h, op) if d.modules.get(h.key, 0) else None
        if mask is not None:
            assist[h.key] = int(np.count_nonzero(mask))

    freezing = {}
    below_zero = np.asarray(inp.climate.dry_bulb) < 0.0
    for h in inp.heat_rejection:
        if not d.modules.get(h.key, 0):
            continue
        if h.technology in ("cooling_tower", "water_cooled_chiller"):
            wetted = op.heat_by_module.get(h.key)
        elif h.technology == "adiabatic_cooler":
            wetted = op.wet_heat.get(h.key)
        else:
            continue
        if wetted is not None:
            freezing[h.key] = int(np.count_nonzero((np.asarray(wetted) > 1e-6) & below_zero))

    miners = []
    excluded = [ExcludedMiner(id=m.id, name=m.name, reason=m.reason) for m in inp.miners
                if d.mining.get(m.id, 0.0) <= 1e-6 and not m.allowed]
    price = op.energy_price
    # the grid binds mining at the operating limit, and at the month's peak draw (more would raise the demand charge)
    month = np.asarray(inp.climate.month, dtype=int)
    month_peak = np.zeros(13)
    np.maximum.at(month_peak, month, op.grid_draw)
    grid_bound = op.grid_draw >= inp.operating_limit - 1e-4
    if inp.demand_charge > 0:
        grid_bound |= op.grid_draw >= month_peak[month] - 1e-4
    for m in inp.miners:
        mw = d.mining.get(m.id, 0.0)
        if mw <= 1e-6:
            continue
        run, avail = op.mining_power[m.id], op.mining_available[m.id]
        short = run < avail - 1e-6
        hot = avail < mw - 1e-6
        per_mwh = a_tx * (1.0 + m.ventilation)  # at the meter, per MWh mined: its hall fans, the transformer
        uneconomic = m.revenue_per_mwh <= price * per_mwh
        miners.append(MinerLine(
            id=m.id, name=m.name, cooling=m.cooling, installed=q(mw, "MW"), lots=int(round(mw / m.lot_mw)),
            units=int(round(mw / m.unit_power)), hash_rate=q(mw / m.unit_power * m.hash_rate / 1000, "PH/s"),
            mined=q(run.sum(), "MWh/yr"), revenue=q(m.revenue_per_mwh, "USD/MWh"),
            strike_price_at_meter=q(float(strike_price(inp.hashprice, m.efficiency)) / per_mwh, "USD/MWh"),
            curtailed_grid_hours=int(np.count_nonzero(short & grid_bound)),
            curtailed_price_hours=int(np.count_nonzero(short & ~grid_bound & uneconomic)),
            derated_hot_air_hours=int(np.count_nonzero(hot))))

    from planner.audit import support_racks
    hall, yard = areas(inp, d)
    design = DesignResults(
        racks=racks, cooling=cooling, miners=miners, gpus=gpu_count(inp, d), support_racks=support_racks(inp, d),
        it_typical=q(op.it_typical, "MW"), support_it=q(op.support_it, "MW"), it_design=q(op.it_design, "MW"),
        it_peak=q(op.it_peak, "MW"), it_grid_peak=q(op.it_grid_peak, "MW"), hall_area_used=q(hall, "m^2"),
        yard_area_used=q(yard, "m^2"),
        rack_coolant_flow=q(sum(d.racks.get(r.id, 0) * r.coolant_flow for r in inp.racks if r.liquid_fraction > 0),
                            "L/min"),
        cdu_flow=q(sum(d.cdus.get(c.id, 0) * c.flow for c in inp.cdus), "L/min") if d.cdus else None,
        loops=loops, assist_hours=assist, freezing_hours=freezing, miners_not_eligible=excluded)

    h = hottest_hour(inp)
    balance = PowerBalance(
        hour=h, timestamp=str(np.datetime64(clim.timestamps[h], "h")) + ":00", dry_bulb=q(clim.dry_bulb[h], "degC"),
        wet_bulb=q(clim.wet_bulb[h], "degC"), loads={k: q(v[h], "MW") for k, v in op.loads.items()},
        grid_draw=q(op.grid_draw[h], "MW"), envelope=q(op.envelope[h], "MW"),
        envelope_without_smoothing=q(op.envelope[h] + (op.it_peak - op.it_grid_peak)
                                     / (inp.ups_efficiency * inp.transformer_efficiency), "MW"),
        pue=q(pue_at(op, h), ""),
        **_step_before_shed(inp, op, h),
        heat_rejected={k: q(v[h], "MW") for k, v in op.heat_by_module.items() if d.modules.get(k, 0)})

    annual = Annual(
        grid_energy=q(year.grid, "MWh/yr"), facility_energy=q(year.facility, "MWh/yr"), it_energy=q(year.it, "MWh/yr"),
        mining_energy=q(year.mining, "MWh/yr"), cooling_energy=q(year.cooling, "MWh/yr"),
        energy_by_kind={k: q(v.sum(), "MWh/yr") for k, v in op.loads.items()}, pue=q(year.pue, ""),
        pue_by_kind=({k: q(v / year.it, "") for k, v in facility_energy_by_kind(op).items()} if year.it > 0 else {}),
        water=q(year.water, "m^3/yr"), wue=q(year.water / year.it if year.it else None, "L/kWh"),
        highest_draw=q(op.grid_draw.max(), "MW"), peak_water=q(op.water_m3.max(), "m^3/h"),
        peak_water_hour=str(clim.timestamps[int(np.argmax(op.water_m3))]) if op.water_m3.max() > 0 else None)

    # GPU revenue is GPU hours sold x price, and no cost follows the price: the headroom is linear in it
    gpu_hours = gpu_count(inp, d) * 8760.0 * inp.utilisation
    noi = NoiResults(
        parts={_snake(name): q(val / 1e6, "MUSD/yr") for name, val in eco.parts()}, noi=q(eco.noi / 1e6, "MUSD/yr"),
        annualised_capex=q(eco.annualised_capex / 1e6, "MUSD/yr"),
        noi_less_annualised_capex=q(eco.noi_less_annualised_capex / 1e6, "MUSD/yr"),
        gpu_hours_sold=q(gpu_hours, "GPU*h/yr"),
        gpu_price_headroom=q(eco.noi_less_annualised_capex / gpu_hours, "USD/GPU/h") if gpu_hours > 0 else None,
        gpu_utilisation=q(100.0 * inp.utilisation, "%"),
        gpu_utilisation_break_even=(q(100.0 * inp.utilisation * (1.0 - eco.noi_less_annualised_capex / eco.gpu_revenue), "%")
                                    if eco.gpu_revenue > 0 else None),
        objective=objective_text(inp.objective), names={_snake(name): name for name, _ in eco.parts()})
    facility = sum(v for k, v in eco.capex_parts.items()
                   if k not in ("GPU racks", "scale-out network, storage, management", "miners"))
    capex = CapexResults(
        parts={_snake(k): q(v / 1e6, "MUSD") for k, v in eco.capex_parts.items()}, total=q(eco.capex / 1e6, "MUSD"),
        budget=q(inp.budget / 1e6, "MUSD"),
        facility_per_mw_it=q(facility / op.it_design / 1e6, "MUSD/MW") if op.it_design > 0 else None,
        names={_snake(k): k for k in eco.capex_parts})

    a = plan.audit
    audit = AuditResults(
        passed=a.passed, hours_checked=a.hours_checked,
        violations=[Violation(limit=v.limit, what=v.what, timestamp=v.hour, excess=q(v.excess, v.unit))
                    for v in a.violations],
        checks=list(a.checks), objective_recomputed=q(eco.objective(inp.objective) / 1e6, "MUSD/yr"))
    solver = solver_results(plan)

    warnings, inputs = [], []
    if loaded is not None:
        from planner.spec.fields import measured_fields
        from planner.warnings import default_warnings

        warnings = [Warning_(path=p, message=m) for p, m in default_warnings(loaded)]
        from planner.spec.comments import toml_comments

        comments = toml_comments(loaded.path)
        inputs = [InputLine(path=p, as_written=m.text, value=float(m.value), unit=m.unit,
                            source=input_source(loaded, p, comments)) for p, m in measured_fields(loaded.spec)]
    return PlanResults(site=site, design=design, power_balance=balance, annual=annual, noi=noi, capex=capex,
                       audit=audit, solver=solver, warnings=warnings, inputs=inputs, hourly=_hourly(plan))


def solver_results(plan) -> SolverResults:
    """What the solver did, for a plan with or without a solution (an infeasible plan has no other results)."""
    r = plan.solve
    return SolverResults(
        solver=r.solver, status=r.status, detail=r.detail or "", scope=r.scope,
        objective=q(None if r.objective is None else r.objective / 1e3, "MUSD/yr"),
        bound=q(None if r.bound is None else r.bound / 1e3, "MUSD/yr"),
        gap=q(None if r.gap is None else r.gap * 100, "%"), variables=int(plan.model.prob.numVariables()),
        constraints=int(plan.model.prob.numConstraints()), build_time=q(plan.timings.get("build"), "s"),
        solve_time=q(plan.timings.get("solve"), "s"),
        audit_time=q(plan.timings["audit"], "s") if "audit" in plan.timings else None,
        incumbents=[q(i.objective / 1e3, "MUSD/yr") for i in r.incumbents if i.objective is not None],
        live_progress=r.live_progress)


def input_source(loaded, path: str, comments: dict[str, str]) -> str:
    """Where the input at TOML ``path`` comes from: the override that set it (a scenario's with its comment),
    else the site file's comment on it (``comments``: :func:`planner.spec.comments.toml_comments` of the
    file); "" when the file says nothing."""
    from planner.spec.comments import comment_for

    base = path.split("[", 1)[0]
    for key, origin in loaded.origins.items():
        if base == key or base.startswith(key + "."):
            note = comment_for(comments, f"{origin.strip('[]')}.{key}") if origin.startswith("[scenarios.") else ""
            return origin + (f": {note}" if note else "")
    return comment_for(comments, path)


def binding_limits(binding: dict | None, values=()) -> list[BindingLimit]:
    """Binding limits (``PlanResult.binding``) and re-planned values (``explain.replan.ReplanValue``) by TOML path."""
    by_path: dict[str, BindingLimit] = {}
    for path, info in (binding or {}).items():
        by_path[path] = BindingLimit(path=path, binding=True, detail=str(info.get("text", "")))
    for v in values:
        if v.joint:  # next_unit_value
            continue
        item = by_path.setdefault(v.path, BindingLimit(path=v.path, binding=False))
        item.step = _step_quantity(v.step, v.unit)
        item.value_of_step = q(None if v.value is None else v.value / 1e3, "MUSD/yr")
    return list(by_path.values())


def _step_quantity(amount: float, unit: str) -> Quantity:
    """A re-plan's step of a limit, money in MUSD."""
    return q(amount / 1e6, "MUSD") if unit == "USD" else q(amount, unit)


def _extremes(extremes: dict | None) -> dict:
    if not extremes:
        return {}
    return {"extreme_max_dry_bulb": q(extremes["mean_max"], "degC"),
            "extreme_max_dry_bulb_20_year": q(extremes["max_20_year"], "degC"),
            "extreme_min_dry_bulb": q(extremes["mean_min"], "degC"),
            "extreme_min_dry_bulb_20_year": q(extremes["min_20_year"], "degC")}


def _at_extreme(inp, d, loop: str) -> dict:
    """LoopCapacity's capacity at the mean annual maximum dry bulb, where the weather file gives it."""
    extremes = inp.climate.extremes
    if not extremes:
        return {}
    wet = min(inp.climate.design_wet_bulb, extremes["mean_max"])
    return {"capacity_at_extreme_dry_bulb": q(float(capacity_all_running(inp, d, loop, extremes["mean_max"], wet)[0]),
                                              "MW")}


def _without_water(inp, d, loop: str, running) -> dict:
    """LoopCapacity's figures for a loss of water (:func:`planner.audit.capacity_all_running` without it), if the loop
    uses it."""
    if not uses_water(inp, d, loop):
        return {}
    clim = inp.climate
    at_design = float(capacity_all_running(inp, d, loop, clim.design_dry_bulb, clim.design_wet_bulb, water=False)[0])
    short = np.asarray(running, dtype=float) - capacity_all_running(inp, d, loop, clim.dry_bulb, clim.wet_bulb,
                                                                    water=False)
    worst = int(np.lexsort((np.asarray(clim.dry_bulb), np.round(short, 6)))[-1])  # of equal shortfalls, the hottest
    hours = int(np.count_nonzero(short > 1e-6))
    return {"capacity_without_water": q(at_design, "MW"), "hours_short_without_water": hours,
            "largest_short_without_water": q(float(short[worst]), "MW") if hours else None,
            "largest_short_without_water_hour": str(clim.timestamps[worst]) if hours else None}


def next_unit_value(values) -> NextUnitValue | None:
    """The joint re-plan among re-planned values (``explain.replan.ReplanValue``), if there is one."""
    for v in values:
        if v.joint:
            raised = [LimitRaised(path=p, step=_step_quantity(a, u)) for p, a, u in v.raises]
            return NextUnitValue(rack=v.rack_words, raised=raised, status=v.status,
                                 value_of_step=q(None if v.value is None else v.value / 1e3, "MUSD/yr"),
                                 racks_before=v.racks_before, racks_after=v.racks_after)
    return None


def _snake(text: str) -> str:
    """A display name as a stable snake_case key: 'scale-out network, storage, management' -> 'scale_out_network_storage_management'."""
    out = "".join(ch if ch.isalnum() else "_" for ch in text.lower())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def hourly_frame(results: PlanResults):
    """The hourly series as a pandas DataFrame: DatetimeIndex ``timestamp``, unit-carrying column names."""
    import pandas as pd

    index = pd.DatetimeIndex(pd.to_datetime(results.hourly.timestamp), name="timestamp")
    return pd.DataFrame({column_name(k, s.unit): np.asarray(s.values, dtype=float)
                         for k, s in results.hourly.series.items()}, index=index)


def design_frame(results: PlanResults):
    """The bill of materials as a pandas DataFrame: one row per rack type, cooling unit and miner."""
    import pandas as pd

    rows = []
    for r in results.design.racks:
        rows.append({"kind": "rack", "id": r.id, "name": r.name, "loop": "", "count": r.count, "spares": "",
                     "capacity_each_MW": None, "installed_MW": r.gpu_it_typical.value})
        if r.support_racks:
            rows.append({"kind": "support_rack", "id": f"{r.id}.support", "name": f"support racks of {r.name}",
                         "loop": "", "count": r.support_racks, "spares": "", "capacity_each_MW": None,
                         "installed_MW": r.support_it.value})
    for c in results.design.cooling:
        rows.append({"kind": c.kind, "id": c.id, "name": c.name, "loop": c.loop, "count": c.count, "spares": c.spares,
                     "capacity_each_MW": c.capacity_each_at_design.value,
                     "installed_MW": c.count * (c.capacity_each_at_design.value or 0.0)})
    for m in results.design.miners:
        rows.append({"kind": "miner", "id": m.id, "name": m.name, "loop": "", "count": m.units, "spares": "",
                     "capacity_each_MW": None, "installed_MW": m.installed.value})
    return pd.DataFrame(rows, columns=["kind", "id", "name", "loop", "count", "spares", "capacity_each_MW",
                                       "installed_MW"]).set_index("id")


def json_schema() -> dict:
    """The JSON Schema of ``plan.json``."""
    schema = PlanResults.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://github.com/gpu-site-planner/plan.schema.json?v={SCHEMA_VERSION}"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m planner.results > docs/plan.schema.json
    print(schema_text(), end="")
