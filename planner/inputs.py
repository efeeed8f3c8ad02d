"""Resolve a loaded site into canonical floats and per-hour coefficients.

This is the boundary where units end: everything after it is a plain float in
the canonical unit set of docs/architecture.md (MW, MWh, USD, degC, K, m^2, h).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from planner import climate as climate_mod
from planner.load import LoadedSite
from planner.physics import mining as mining_phys
from planner.physics.plant import ModuleRating, module_performance
from planner.physics.auxiliaries import cube_chords, pump_power_per_heat
from planner.physics.fluids import fluid_properties, glycol_duty_factor
from planner.physics.thermal import coolant_flow, facility_water_supply

HOURS_PER_YEAR = 8760
LOOPS = ("liquid", "air")
FAN_SEGMENTS = 4  # chords of the fan affinity cube in the MILP


MAX_LOOP_PUMP_PER_HEAT = 0.1  # a loop's pumps drawing this share of the heat they move is refused as input


def pumped_heat_factor(loop_pump: float) -> float:
    """Heat a loop's modules reject per MW brought to the loop [-], with the loop's own pumps' heat.

    The facility-water (or chilled-water) pumps move the heat through the modules, and their power
    ends in the water they pump: q = Q + p q, so

    .. math:: q = Q / (1 - p)

    with p the pump power per MW of heat rejected (:func:`planner.physics.auxiliaries.pump_power_per_heat`).
    """
    return 1.0 / (1.0 - loop_pump)


def auxiliary_per_heat(rating: ModuleRating, loop: str, compressor_per_heat, loop_pump: dict[str, float],
                       condenser_pump: float):
    """Pump power per MW of heat a module rejects [MW/MW]: the loop's pumps, and condenser-water pumps.

    Facility (or chilled-water) pumps move the loop's heat through every module; towers and water-cooled
    chillers add condenser-water pumps, for a chiller on its condenser heat Q (1 + 1/COP).
    """
    extra = loop_pump[loop]
    if rating.technology == "cooling_tower":
        extra = extra + condenser_pump
    elif rating.technology == "water_cooled_chiller":
        fan = rating.fan_power / rating.rated_capacity
        extra = extra + condenser_pump * (1.0 + (np.asarray(compressor_per_heat) - fan))
    return extra


@dataclass(frozen=True)
class RackIn:
    id: str
    name: str
    gpus: int
    power_typical: float  # MW
    power_design: float  # MW
    power_peak: float  # MW
    liquid_fraction: float
    max_coolant_supply: float  # degC
    coolant_delta_t: float  # K
    coolant: str
    rated_flow: float  # L/min
    floor_area: float  # m2
    price: float  # USD
    gpu_price: float  # USD/GPU/h sold
    su_racks: int = 1  # compute racks per scalable unit
    support_power: float = 0.0  # MW of support IT per scalable unit
    support_racks: int = 0  # support racks per scalable unit
    support_liquid_fraction: float = 0.0
    support_floor_area: float = 0.0  # m2 per scalable unit
    support_price: float = 0.0  # USD per scalable unit
    power_grid_peak: float = 0.0  # MW per rack seen by the grid after power smoothing
    transient_window: float = 1.0  # s
    heat_coolant_flow: float = 0.0  # L/min per rack carrying its liquid heat at design power: heat / (rho cp dT)

    @property
    def coolant_flow(self) -> float:
        """Coolant flow one rack needs at design power [L/min]: the vendor's figure, or the heat's if larger."""
        return max(self.heat_coolant_flow, self.rated_flow)

    @property
    def su_it_typical(self) -> float:
        """IT power of one scalable unit at typical rack power, support included [MW]."""
        return self.su_racks * self.power_typical + self.support_power

    @property
    def su_it_design(self) -> float:
        """IT power of one scalable unit at design rack power, support included [MW]."""
        return self.su_racks * self.power_design + self.support_power

    @property
    def su_it_peak(self) -> float:
        """Electrical peak of one scalable unit, support included: what its UPS is rated for [MW]."""
        return self.su_racks * self.power_peak + self.support_power

    @property
    def su_hardware_price(self) -> float:
        """Racks and support hardware (network, storage, management) of one scalable unit [USD]."""
        return self.su_racks * self.price + self.support_price

    @property
    def su_liquid(self) -> tuple[float, float]:
        """Liquid heat of one scalable unit at typical and design rack power [MW]."""
        sup = self.support_power * self.support_liquid_fraction
        return (self.su_racks * self.power_typical * self.liquid_fraction + sup,
                self.su_racks * self.power_design * self.liquid_fraction + sup)

    @property
    def su_air(self) -> tuple[float, float]:
        """Air heat of one scalable unit at typical and design rack power [MW]."""
        sup = self.support_power * (1.0 - self.support_liquid_fraction)
        return (self.su_racks * self.power_typical * (1.0 - self.liquid_fraction) + sup,
                self.su_racks * self.power_design * (1.0 - self.liquid_fraction) + sup)

    @property
    def support_rack_air_heat(self) -> float:
        """Air heat of one support rack [MW]."""
        if self.support_racks == 0:
            return 0.0
        return self.support_power * (1.0 - self.support_liquid_fraction) / self.support_racks


@dataclass(frozen=True)
class CduIn:
    id: str
    name: str
    capacity: float  # MW
    approach: float  # K
    pump_power: float  # MW, motor rating
    floor_area: float
    price: float
    pump_per_heat: float = 0.0  # MW of pump power per MW of rack liquid heat
    flow: float = 0.0  # L/min of secondary flow (0: not stated)


def cdus_per_scalable_unit(rack: RackIn, cdu: CduIn, spares: int) -> int:
    """CDUs one scalable unit of ``rack`` needs of type ``cdu`` with CDUs of its own (``redundancy.cdu_scope``).

    ``n = ceil(max(Q_su / Q_cdu, F_su / F_cdu)) + k`` where ``Q_su`` is the unit's liquid heat at design power
    [MW], ``F_su`` its racks' coolant flow [L/min] (left out where the CDU states no flow), and ``k`` the
    spares; none for a unit without liquid heat.
    """
    heat = rack.su_liquid[1]
    if heat <= 0:
        return 0
    need = heat / cdu.capacity
    if cdu.flow > 0:
        need = max(need, rack.su_racks * rack.coolant_flow / cdu.flow)
    return int(math.ceil(need - 1e-9)) + spares


@dataclass(frozen=True)
class HeatRejectionIn:
    """One heat-rejection module type serving one loop."""

    id: str
    name: str
    technology: str
    loop: str
    rating: ModuleRating
    capacity: np.ndarray  # MW per module per model hour
    dry_capacity: np.ndarray  # MW per module per model hour
    electricity_per_heat: np.ndarray  # MW/MW per model hour: compressor, pumps (fans apart)
    design_capacity: float  # MW per module at the design condition
    water_per_heat: float  # m3/MWh
    floor_area: float
    price: float
    supply: float  # degC, the loop supply temperature this module is rated against
    cdus: tuple[str, ...] = ()  # CDU types that give this liquid-loop supply; empty: any
    variant: str = ""  # "" or e.g. "42degC" when the liquid loop temperature depends on the CDU type
    airflow_capacity: np.ndarray | None = None  # MW per module per hour with fans flat out (fans by affinity)
    fan_power: float = 0.0  # MW per module at full fan speed (fans by affinity; 0: in electricity_per_heat)
    duty_factor: float = 1.0  # its rating's correction for the loop fluid (physics.fluids.glycol_duty_factor)

    @functools.cached_property
    def key(self) -> str:  # cached: the model builder reads it for every module type and hour
        loop = f"{self.loop}_{self.variant}" if self.variant else self.loop
        return f"{self.id}@{loop}"


@dataclass(frozen=True)
class AirSideIn:
    id: str
    name: str
    capacity: float  # MW
    fan_power: float  # MW
    max_water_supply: float  # degC
    floor_area: float
    price: float
    allowed: bool
    reason: str
    per_rack: bool = False  # one unit per rack it serves (rear doors); else a pooled room unit


@dataclass(frozen=True)
class MinerIn:
    id: str
    name: str
    cooling: str
    unit_power: float  # MW
    hash_rate: float  # TH/s per unit
    efficiency: float  # J/TH
    revenue_per_mwh: float  # USD/MWh
    availability: np.ndarray  # share of nameplate per model hour
    price_per_mw: float  # USD/MW
    floor_area_per_mw: float  # m2/MW
    allowed: bool
    reason: str
    derate_start: float  # degC, air miners
    shutdown: float  # degC, air miners
    max_coolant_inlet: float  # degC, hydro miners
    lot_size: int = 1  # units per lot
    shed_time: float = 2.0  # s
    sheddable: bool = True  # sheds within the racks' transient window
    ventilation: float = 0.0  # MW of hall exhaust fans per MW of miner power (air-cooled)

    @property
    def lot_mw(self) -> float:
        return self.lot_size * self.unit_power


@dataclass(frozen=True)
class Inputs:
    """Everything the model builder needs, in canonical floats."""

    site_name: str
    grid_limit: float
    hall_area: float
    yard_area: float
    # model hours (after merging identical hours or picking representative days)
    weight: np.ndarray
    month: np.ndarray  # the month of the hour that names each model hour (its label); a group may span months,
    # and the monthly peaks take every month a model hour has hours in (planner.model.months_of_model_hours)
    dry_bulb: np.ndarray
    wet_bulb: np.ndarray
    energy_price: np.ndarray
    labels: list[str]  # timestamp naming each model hour: a group's hottest hour
    groups: list[np.ndarray]  # original hour indices each model hour stands for
    time_mode: str
    full_year: bool  # every hour of the year is in some model hour (False: representative days)
    climate: climate_mod.Climate
    energy_price_8760: np.ndarray
    liquid_supply: float
    liquid_supply_note: str
    air_supply: float
    racks: list[RackIn]
    cdus: list[CduIn]
    heat_rejection: list[HeatRejectionIn]
    air_side: list[AirSideIn]
    miners: list[MinerIn]
    ups_efficiency: float
    transformer_efficiency: float
    ups_price_per_mw: float
    transformer_price_per_mw: float
    spares: dict[str, int]
    gpu_price: float  # USD/GPU/h
    utilisation: float
    hashprice: float  # USD/(PH/s)/day
    fixed_monthly: float  # USD/month
    demand_charge: float  # USD/MW/month
    water_price: float  # USD/m3
    facility_opex: float  # USD/MW/yr
    facility_capex: float  # USD/MW
    mining_opex: float  # USD/MW/yr
    budget: float  # USD
    objective: str
    crf: dict[str, float]
    max_racks: int | None
    min_racks: int
    max_mining: float | None
    facility_fluid: str
    grid_margin: float = 0.0  # MW
    grid_margin_reason: str = ""
    house_load: float = 0.0  # MW, house loads and lighting, every hour
    ups_no_load: float = 0.0  # share of the UPS rating
    transformer_no_load: float = 0.0  # share of the transformer rating (the grid limit)
    installation: float = 0.0  # share of rack, support and miner prices
    it_support: float = 0.0  # share of rack and support hardware prices per year
    max_rack_types: int | None = None
    max_miner_models: int | None = None
    max_hr_types_per_loop: int | None = None
    hr_scope: str = "loop"
    cdu_scope: str = "hall"  # or "scalable_unit": each scalable unit has its own CDUs and spares
    fan_segments: int = 4
    extreme_hours: int = 0  # representative days: model hours appended after the days, at weight 0
    hour_bin: float | None = None  # K: hours grouped within this bin; None: every distinct hour, or days
    fan_tolerance: float = 0.0  # largest over-estimate of the chords, share of rated fan power
    loop_pump_per_heat: dict[str, float] = field(default_factory=lambda: {"liquid": 0.0, "air": 0.0})  # MW/MW
    condenser_pump_per_heat: float = 0.0  # MW/MW of condenser heat
    miner_hall_rise: float = 0.0  # K, air-cooled miners' inlet above the outdoor dry bulb
    provenance: list[tuple[str, str, str, float, str]] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return len(self.weight)

    @property
    def exact_hours(self) -> bool:
        """Every hour of the year at its own coefficients (only identical hours merged)."""
        return self.full_year and self.hour_bin is None

    @property
    def cdu_pump_per_heat(self) -> float:
        """CDU pump power per MW of rack liquid heat the model charges [MW/MW]: the largest of the CDU types
        offered (the audit charges the installed type's)."""
        return max((c.pump_per_heat for c in self.cdus), default=0.0)

    @property
    def pumped_heat(self) -> dict[str, float]:
        """Heat each loop's modules reject per MW brought to the loop [-], with its pumps' heat
        (:func:`pumped_heat_factor` of ``loop_pump_per_heat``)."""
        return {loop: pumped_heat_factor(p) for loop, p in self.loop_pump_per_heat.items()}

    @property
    def operating_limit(self) -> float:
        """The grid limit less the operating margin [MW]."""
        return self.grid_limit - self.grid_margin

    @property
    def design_dry_bulb(self) -> float:
        return self.climate.design_dry_bulb

    @property
    def design_wet_bulb(self) -> float:
        return self.climate.design_wet_bulb

    @property
    def design_tower_wet_bulb(self) -> float:
        evap = self.climate.design_evaporation_wet_bulb
        return self.climate.design_wet_bulb if evap is None else max(evap, self.climate.design_wet_bulb)


def liquid_supply_with(inp: Inputs, cdu_counts: dict[str, int]) -> float:
    """Facility-water supply [degC] the plan's liquid-loop modules are rated at.

    One temperature for the whole loop unless ``cooling.loop_temperature_by_cdu``; then the one the
    installed CDUs give (the rack coolant limit less their largest approach).
    """
    variants = {h.supply for h in inp.heat_rejection if h.loop == "liquid" and h.cdus}
    chosen = [c for c in inp.cdus if cdu_counts.get(c.id, 0) > 0]
    liquid = [r for r in inp.racks if r.liquid_fraction > 0]
    if not variants or not chosen or not liquid:
        return inp.liquid_supply
    return float(facility_water_supply(min(r.max_coolant_supply for r in liquid), max(c.approach for c in chosen)))


def rack_heat_flow(r) -> float:
    """Coolant flow that carries one rack's liquid heat at design power [L/min]: heat / (rho cp dT)."""
    if r.liquid_fraction.value <= 0:
        return 0.0
    cp, rho = fluid_properties(r.coolant, r.max_coolant_supply_temperature.value)
    return float(coolant_flow(r.power_design.value * r.liquid_fraction.value * 1000.0, r.coolant_delta_t.value, cp, rho))


def capital_recovery_factor(rate: float, years: float) -> float:
    r"""Annuity factor :math:`r(1+r)^n/((1+r)^n-1)` [1/yr]; :math:`1/n` when r = 0."""
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


def build_climate(loaded: LoadedSite) -> climate_mod.Climate:
    """Hourly weather of the site: weather file, constant, or synthesised normals."""
    c = loaded.spec.climate
    if c.constant_dry_bulb is not None:
        clim = climate_mod.constant_climate(c.constant_dry_bulb.value, c.constant_wet_bulb.value)
    elif loaded.weather_path is not None:
        path = loaded.weather_path
        clim = climate_mod.read_weather_file(str(path), "epw" if path.suffix.lower() == ".epw" else "tmy3")
    else:
        clim = climate_mod.synthesise_climate(
            [m.value for m in c.monthly_max_dry_bulb],
            [m.value for m in c.monthly_min_dry_bulb],
            [m.value for m in c.monthly_max_wet_bulb],
            [m.value for m in c.monthly_min_wet_bulb],
            c.design_dry_bulb.value,
            c.design_wet_bulb.value,
            seed=c.seed,
        )
    if c.design_from == "site" or clim.design_dry_bulb is None:
        if c.design_dry_bulb is not None and c.design_wet_bulb is not None:
            clim = climate_mod.with_design_condition(
                clim, c.design_dry_bulb.value, c.design_wet_bulb.value,
                source=f"site file climate.design_dry_bulb {c.design_dry_bulb.text} / "
                f"climate.design_wet_bulb {c.design_wet_bulb.text}",
            )
    return clim


def hourly_energy_price(loaded: LoadedSite, month: np.ndarray, hour_of_day: np.ndarray) -> np.ndarray:
    """Energy price per hour [USD/MWh]: the base price, then time-of-use periods in order."""
    tariff = loaded.spec.tariff
    price = np.full(month.shape, tariff.energy_price.value)
    for period in tariff.time_of_use:
        mask = np.isin(month, period.months) & np.isin(hour_of_day, period.hours)
        price[mask] = period.energy_price.value
    return price


def dominating_hours(dry_bulb: np.ndarray, wet_bulb: np.ndarray) -> np.ndarray:
    """Indices of the hours that no other hour exceeds in both dry and wet bulb (the Pareto front).

    Every hour of the year has a dry and a wet bulb at or below those of some hour of the front.
    """
    order = np.lexsort((-wet_bulb, -dry_bulb))  # hottest first, the most humid first among equals
    best_wb = np.maximum.accumulate(wet_bulb[order])
    prior = np.concatenate([[-np.inf], best_wb[:-1]])
    return np.sort(order[wet_bulb[order] > prior])


def model_hour_of(inp: "Inputs") -> np.ndarray:
    """For each hour of the year, the model hour (group of hours) it belongs to, or -1 (representative days)."""
    out = np.full(len(inp.climate.dry_bulb), -1, dtype=int)
    for t, hours in enumerate(inp.groups):
        out[np.asarray(hours)] = t
    return out


def dominating_model_hour(inp: "Inputs") -> np.ndarray:
    """For each hour of the year, a model hour at least as hot and as humid (the closest), or -1."""
    db, wb = inp.climate.dry_bulb, inp.climate.wet_bulb
    ok = (inp.dry_bulb[None, :] >= db[:, None] - 1e-9) & (inp.wet_bulb[None, :] >= wb[:, None] - 1e-9)
    distance = np.where(ok, (inp.dry_bulb[None, :] - db[:, None]) + (inp.wet_bulb[None, :] - wb[:, None]), np.inf)
    best = np.argmin(distance, axis=1)
    return np.where(np.isfinite(distance[np.arange(len(db)), best]), best, -1)


def group_hours(price: np.ndarray, coefficients: list[tuple[np.ndarray, float, bool]],
                month: np.ndarray | None = None):
    """Group the hours of a year whose coefficients agree to within a step.

    Parameters
    ----------
    price : ndarray
        Energy price [USD/MWh] per hour; hours are grouped only within the
        same price. A group may hold hours of several months: the model
        charges each month's peak demand against every group with hours in
        that month (:func:`planner.model.define_grid`), which is exact for
        the group's one dispatch, shared by its months.
    month : ndarray, optional
        Month [1-12] per hour; given, hours are grouped only within the same
        month too (identical hours of two months may dispatch differently
        against their two monthly peaks: ``--exact-hours`` with a demand charge).
    coefficients : list of (values, step, higher_is_worse)
        Each hourly coefficient with its quantisation step (0: exact). A group
        stands in for its hours with the *worst* value of each coefficient
        (least capacity, most electricity per heat, least availability), so a
        dispatch feasible for the group is feasible in each of its hours.

    Returns
    -------
    groups : list of ndarray
        Hour indices of each group, in order of first hour.
    worst : list of ndarray
        Per coefficient, the group's worst value.
    """
    keys = [price.astype(float)] if month is None else [np.asarray(month, dtype=float), price.astype(float)]
    for values, step, _ in coefficients:
        keys.append(np.floor(values / step + 1e-9) if step > 0 else values)
    keys_arr = np.stack(keys, axis=1)
    _, first_idx, inverse = np.unique(keys_arr, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    # renumber groups in order of their first hour, for readable output
    rank = np.empty(len(first_idx), dtype=int)
    rank[np.argsort(first_idx, kind="stable")] = np.arange(len(first_idx))
    inverse = rank[inverse]
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(first_idx) + 1))
    groups = [order[bounds[g]:bounds[g + 1]] for g in range(len(first_idx))]
    worst = []
    for values, _, higher_is_worse in coefficients:
        pick = np.maximum if higher_is_worse else np.minimum
        worst.append(pick.reduceat(values[order], bounds[:-1]))
    return groups, worst


def coarsen(inp: Inputs, bin_k: float) -> Inputs:
    """Full-year inputs with their model hours grouped again, within ``bin_k`` of temperature.

    Model hours of the same energy price whose coefficients agree within ``bin_k`` of
    temperature (the steps of :func:`resolve`) become one model hour at the worst of their
    coefficients, weighted by the hours of the year it stands for. The coefficients are those the
    model carries, so the electricity per heat is binned with the loop's pumps already in it
    (``resolve`` bins it before them): the groups are close to, not the same as,
    ``resolve(..., bin_k=bin_k)``'s. The ``--exact-hours`` cascade
    groups every distinct hour by 2 K (:mod:`planner.cascade`); the fast strategy's stage 1
    groups the model's hours coarser (:func:`planner.strategy.stage1_inputs`).

    Parameters
    ----------
    inp : Inputs
        Full-year inputs: every distinct hour (``inp.exact_hours``) or hours grouped already.
    bin_k : float
        Temperature bin [K].

    Returns
    -------
    Inputs
        The grouped inputs (``hour_bin`` = ``bin_k``).
    """
    coefs = []
    for h in inp.heat_rejection:
        step = h.rating.rated_capacity * bin_k / h.rating.rated_approach
        coefs += [(np.asarray(h.capacity, dtype=float), step, False),
                  (np.asarray(h.dry_capacity, dtype=float), step, False),
                  (np.asarray(h.electricity_per_heat, dtype=float), 0.002 * bin_k, True)]
        if h.airflow_capacity is not None:
            coefs.append((np.asarray(h.airflow_capacity, dtype=float), step, False))
    for m in inp.miners:
        coefs.append((np.asarray(m.availability, dtype=float), 0.05 * bin_k, False))
    sets, worst = group_hours(np.asarray(inp.energy_price), coefs)
    worst_iter = iter(worst)
    hr = []
    for h in inp.heat_rejection:
        cap, dry, elec = next(worst_iter), next(worst_iter), next(worst_iter)
        airflow = next(worst_iter) if h.airflow_capacity is not None else None
        hr.append(dataclasses.replace(h, capacity=cap, dry_capacity=dry, electricity_per_heat=elec,
                                      airflow_capacity=airflow))
    miners = [dataclasses.replace(m, availability=next(worst_iter)) for m in inp.miners]
    dry_bulb = np.asarray(inp.dry_bulb)
    named = np.array([s[np.argmax(dry_bulb[s])] for s in sets])  # each group's hottest model hour names it
    weight = np.asarray(inp.weight, dtype=float)
    return dataclasses.replace(
        inp, weight=np.array([weight[s].sum() for s in sets]), month=np.asarray(inp.month)[named],
        dry_bulb=np.array([dry_bulb[s].max() for s in sets]),
        wet_bulb=np.array([np.max(np.asarray(inp.wet_bulb)[s]) for s in sets]),
        energy_price=np.asarray(inp.energy_price)[named], labels=[inp.labels[t] for t in named],
        groups=[np.concatenate([np.asarray(inp.groups[t]) for t in s]) for s in sets],
        time_mode=f"{len(sets)} groups of the model hours whose coefficients agree within {bin_k:g} K",
        heat_rejection=hr, miners=miners, hour_bin=bin_k)


def resolve(loaded: LoadedSite, *, time_mode: str = "hours", days: int | None = None,
            bin_k: float | None = None) -> Inputs:
    """Canonical inputs for the model.

    Parameters
    ----------
    time_mode : {"hours", "days"}
        Every hour of the year (identical hours merged exactly, or binned when
        ``bin_k`` is given), or ``days`` representative days with weights (the
        design day always kept).
    """
    spec = loaded.spec
    for rid in spec.gpu_market.price_by_rack:
        if rid not in {r.id for r in loaded.racks}:
            from planner.load import InputError, did_you_mean

            raise InputError(loaded.path, f"gpu_market.price_by_rack.{rid}",
                             f"{rid!r} is not among choices.racks{did_you_mean(rid, [r.id for r in loaded.racks])}")
    clim = build_climate(loaded)
    hour_of_day = np.arange(len(clim.dry_bulb)) % 24
    price_8760 = hourly_energy_price(loaded, clim.month, hour_of_day)
    db, wb = clim.dry_bulb, clim.wet_bulb  # full year; reduced to model hours below

    racks = [
        RackIn(r.id, r.name, r.gpus, r.power_typical.value, r.power_design.value, r.power_peak.value,
               r.liquid_fraction.value, r.max_coolant_supply_temperature.value, r.coolant_delta_t.value,
               r.coolant, r.rated_coolant_flow.value, r.floor_area.value, r.price.value,
               spec.gpu_market.price_by_rack.get(r.id, spec.gpu_market.price).value,
               su_racks=r.scalable_unit_racks, support_power=r.support_power_per_unit.value,
               support_racks=r.support_racks_per_unit, support_liquid_fraction=r.support_liquid_fraction.value,
               support_floor_area=r.support_floor_area_per_unit.value, support_price=r.support_price_per_unit.value,
               power_grid_peak=max(r.power_design.value, r.power_peak.value * (1.0 - r.power_smoothing.value)),
               transient_window=r.transient_window.value,
               heat_coolant_flow=rack_heat_flow(r))
        for r in loaded.racks
    ]
    liquid_racks = [r for r in racks if r.liquid_fraction > 0]
    rack_limit = min((r.max_coolant_supply for r in liquid_racks), default=45.0)
    approach = max((c.approach.value for c in loaded.cdus), default=0.0)
    liquid_supply = float(facility_water_supply(rack_limit, approach))
    # CDU secondary pumps carry the rack liquid heat at the racks' coolant range (the narrowest offered)
    rack_dt = min((r.coolant_delta_t for r in liquid_racks), default=10.0)
    rack_cp = min((float(fluid_properties(r.coolant, rack_limit)[0]) for r in liquid_racks), default=4.18)
    cdus = [
        CduIn(c.id, c.name, c.capacity.value, c.approach.value, c.pump_power.value,
              c.floor_area.value, c.price.value,
              float(pump_power_per_heat(c.pump_head.value, rack_dt, rack_cp, c.pump_efficiency.value)),
              c.rated_flow.value)
        for c in loaded.cdus
    ]
    cool = spec.cooling
    fac_cp = float(fluid_properties(cool.facility_fluid, liquid_supply)[0])
    loop_range = {"liquid": ("cooling.facility_delta_t", cool.facility_delta_t.value),
                  "air": ("cooling.air_loop_delta_t", cool.air_loop_delta_t.value)}
    loop_pump = {loop: float(pump_power_per_heat(cool.facility_pump_head.value, dt, fac_cp, cool.pump_efficiency.value))
                 for loop, (_, dt) in loop_range.items()}
    for loop, (path, dt) in loop_range.items():
        # the modules reject Q / (1 - p): pumps drawing a tenth of the heat they move is no real loop
        if loop_pump[loop] >= MAX_LOOP_PUMP_PER_HEAT:
            from planner.load import InputError

            raise InputError(
                loaded.path, path,
                f"the {loop} loop's pumps would draw {loop_pump[loop] * 100:.3g} % of the heat they move (g H / (c_p dT "
                f"eta) with cooling.facility_pump_head {cool.facility_pump_head.value:g} m, a range of {dt:g} K and "
                f"cooling.pump_efficiency {cool.pump_efficiency.value * 100:g} %); expected under "
                f"{MAX_LOOP_PUMP_PER_HEAT * 100:g} % (about 1 % in practice): a wider range, less head or a better pump")
    condenser_pump = float(pump_power_per_heat(cool.condenser_pump_head.value, cool.condenser_delta_t.value,
                                               float(fluid_properties("water", 30.0)[0]), cool.pump_efficiency.value))
    # the facility water may run warmer with a CDU of smaller approach: one supply per approach offered
    by_supply: dict[float, list[str]] = {}
    for c in cdus:
        by_supply.setdefault(float(facility_water_supply(rack_limit, c.approach)), []).append(c.id)
    liquid_variants = [(sup, tuple(ids)) for sup, ids in sorted(by_supply.items())] or [(liquid_supply, ())]
    if len(liquid_variants) == 1 or not spec.cooling.loop_temperature_by_cdu:
        liquid_variants = [(liquid_supply, ())]
        liquid_note = f"{rack_limit:g} degC rack coolant limit - {approach:g} K CDU approach"
        if len(by_supply) > 1:
            liquid_note += (" (the largest approach offered; cooling.loop_temperature_by_cdu = true lets the "
                            "loop run warmer with a CDU of smaller approach)")
    else:
        liquid_note = (f"{rack_limit:g} degC rack coolant limit less the CDU approach: "
                       + ", ".join(f"{sup:g} degC with {' or '.join(ids)}" for sup, ids in liquid_variants)
                       + "; the plan picks the CDU, and with it the loop temperature")
    air_supply = spec.cooling.air_loop_supply_temperature.value

    full_hr: list[tuple] = []
    design_db, design_wb = clim.design_dry_bulb, clim.design_wet_bulb
    evap = clim.design_evaporation_wet_bulb
    tower_wb = design_wb if evap is None else max(evap, design_wb)
    duty_of = {}  # the facility fluid's correction of each module's rating (catalogue ratings are with water)
    for h in loaded.heat_rejection:
        duty_of[h.id] = glycol_duty_factor(cool.facility_fluid, h.rated_fluid)
        rating = ModuleRating(
            h.technology, h.rated_capacity.value * duty_of[h.id], h.rated_approach.value, h.max_capacity_factor.value,
            h.fan_power.value, h.adiabatic_effectiveness.value, h.carnot_fraction.value,
            h.max_cop.value, h.evaporator_approach.value,
        )
        loops = [("liquid", sup, ids) for sup, ids in liquid_variants] + [("air", air_supply, ())]
        for loop, supply, cdu_ids in loops:
            perf = module_performance(rating, supply, db, wb)  # every hour of the year
            wb_design = tower_wb if h.technology in ("cooling_tower", "water_cooled_chiller") else design_wb
            design = module_performance(rating, supply, np.array([design_db]), np.array([wb_design]))
            full_hr.append((h, loop, rating, perf, float(design.capacity[0]), supply, cdu_ids))

    air_side = []
    for a in loaded.air_side:
        ok = air_supply <= a.max_water_supply_temperature.value
        air_side.append(AirSideIn(
            a.id, a.name, a.capacity.value, a.fan_power.value, a.max_water_supply_temperature.value,
            a.floor_area.value, a.price.value, ok,
            "" if ok else (f"needs water at or below {a.max_water_supply_temperature.text}; "
                           f"cooling.air_loop_supply_temperature is {spec.cooling.air_loop_supply_temperature.text}"),
            per_rack=a.technology == "rear_door",
        ))

    market = spec.market
    hp = float(mining_phys.hashprice(
        market.btc_price.value, market.difficulty, market.block_subsidy.value,
        market.fees_per_block.value, market.pool_fee.value,
    ))
    full_miners = []
    hall_rise = cool.miner_hall_temperature_rise.value
    for m in loaded.miners:
        if m.cooling == "air":
            avail = np.asarray(mining_phys.air_miner_derate(
                db + hall_rise, m.derate_start_temperature.value, m.shutdown_temperature.value), dtype=float)
            ok, reason = True, ""
        else:
            ok = bool(mining_phys.hydro_miner_allowed(liquid_supply, m.max_coolant_inlet_temperature.value))
            avail = np.full(len(db), 1.0 if ok else 0.0)
            reason = "" if ok else (
                f"coolant limit {m.max_coolant_inlet_temperature.text} is below the liquid loop "
                f"supply {liquid_supply:g} degC")
        full_miners.append((m, avail, ok, reason))

    # --- model hours: representative days, or the whole year with hours grouped ----------
    if time_mode == "days":
        idx, weight = climate_mod.representative_days(clim, days)
        idx = np.asarray(idx)
        weight = np.asarray(weight, dtype=float)
        # the hours no other hour is both hotter and more humid than, at weight 0: every module's capacity
        # falls and its electricity per heat rises with dry and wet bulb, so a dispatch that works in
        # them works, at less power, in every hour they dominate (the audit uses it so)
        front = np.setdiff1d(dominating_hours(clim.dry_bulb, clim.wet_bulb), idx)
        extreme_hours = int(front.size)  # after the days, so the days stay whole
        idx = np.concatenate([idx, front])
        weight = np.concatenate([weight, np.zeros(front.size)])
        groups = [np.array([i]) for i in idx]
        db, wb = clim.dry_bulb[idx], clim.wet_bulb[idx]

        def reduce(values):
            return np.asarray(values)[idx]

        mode_text = (f"{days} representative days (hottest and most humid days kept), weighted to 8760 h"
                     + (f", and the {extreme_hours} hour(s) no other hour is hotter and more humid than, at weight 0"
                        if extreme_hours else ""))
    else:
        extreme_hours = 0
        coefs = []
        for h, loop, rating, perf, *_ in full_hr:
            step = rating.rated_capacity * bin_k / rating.rated_approach if bin_k else 0.0
            coefs += [(perf.capacity, step, False), (perf.dry_capacity, step, False),
                      (perf.electricity_per_heat, 0.002 * bin_k if bin_k else 0.0, True)]
        for m, avail, ok, reason in full_miners:
            coefs.append((avail, 0.05 * bin_k if bin_k else 0.0, False))
        # every hour exactly keeps months apart where a demand charge prices each month's peak
        by_month = not bin_k and spec.tariff.demand_charge.value > 0
        groups, worst = group_hours(price_8760, coefs, month=clim.month if by_month else None)
        idx = np.array([g[np.argmax(clim.dry_bulb[g])] for g in groups])  # each group's hottest hour names it
        weight = np.array([len(g) for g in groups], dtype=float)
        worst_iter = iter(worst)
        grouped, starts = np.concatenate(groups), np.cumsum([0] + [len(g) for g in groups[:-1]])
        db = np.maximum.reduceat(clim.dry_bulb[grouped], starts)
        wb = np.maximum.reduceat(clim.wet_bulb[grouped], starts)

        def reduce(values):
            """The group worsts of the next coefficient, in the order they were listed in ``coefs``."""
            return next(worst_iter)

        mode_text = (f"8760 h in {len(groups)} groups of hours with the same energy price whose "
                     f"coefficients agree within {bin_k:g} K of temperature, each at its worst hour"
                     if bin_k else f"8760 h ({len(groups)} distinct hours; identical hours merged"
                     + (" within a month)" if by_month else ")"))
    month = clim.month[idx]
    price = price_8760[idx]
    labels = [str(clim.timestamps[i]) for i in idx]

    heat_rejection: list[HeatRejectionIn] = []
    for h, loop, rating, perf, design_cap, supply, cdu_ids in full_hr:
        cap = reduce(perf.capacity)
        dry = reduce(perf.dry_capacity)
        elec = np.asarray(reduce(perf.electricity_per_heat), dtype=float)
        # the MILP charges fans against the dry capacity (the airflow capacity capped at the coil limit),
        # which over-states fan power only in cold hours, where it is small
        airflow = np.asarray(dry, dtype=float)
        heat_rejection.append(HeatRejectionIn(
            h.id, h.name, h.technology, loop, rating, np.asarray(cap, dtype=float), np.asarray(dry, dtype=float),
            elec + auxiliary_per_heat(rating, loop, elec, loop_pump, condenser_pump),
            design_cap, h.water_use.value, h.floor_area.value, h.price.value,
            supply, cdu_ids, f"{supply:g}degC" if cdu_ids else "",
            airflow_capacity=airflow if rating.fans_by_affinity else None,
            fan_power=rating.fan_power if rating.fans_by_affinity else 0.0,
            duty_factor=duty_of[h.id],
        ))
    window = min((r.transient_window for r in racks), default=1.0)
    miners = []
    for m, avail, ok, reason in full_miners:
        unit_mw = m.power.value
        eff = unit_mw * 1e6 / m.hash_rate.value
        miners.append(MinerIn(
            m.id, m.name, m.cooling, unit_mw, m.hash_rate.value, eff,
            float(mining_phys.mining_revenue_per_mwh(hp, eff)), np.asarray(reduce(avail), dtype=float),
            m.price.value / unit_mw, m.floor_area.value / unit_mw, ok, reason,
            m.derate_start_temperature.value, m.shutdown_temperature.value,
            m.max_coolant_inlet_temperature.value,
            lot_size=m.lot_size, shed_time=m.shed_time.value, sheddable=m.shed_time.value <= window,
            ventilation=cool.miner_ventilation.value if m.cooling == "air" else 0.0,
        ))

    econ = spec.economics
    red = spec.redundancy
    from planner.spec.fields import measured_fields

    provenance = [
        (path, m.text, str(m.quantity.units), m.value, m.unit) for path, m in measured_fields(spec)
    ]
    for item in [*loaded.racks, *loaded.cdus, *loaded.heat_rejection, *loaded.air_side,
                 *loaded.miners, loaded.ups, loaded.transformer]:
        for path, m in measured_fields(item):
            provenance.append((f"{item.id}.{path}", m.text, str(m.quantity.units), m.value, m.unit))

    return Inputs(
        site_name=spec.site.name,
        grid_limit=spec.site.grid_limit.value,
        hall_area=spec.site.hall_area.value,
        yard_area=spec.site.yard_area.value,
        weight=weight,
        month=month,
        dry_bulb=np.asarray(db, dtype=float),
        wet_bulb=np.asarray(wb, dtype=float),
        energy_price=price,
        labels=labels,
        groups=groups,
        time_mode=mode_text,
        extreme_hours=extreme_hours,
        full_year=time_mode != "days",
        hour_bin=bin_k if time_mode != "days" else None,
        climate=clim,
        energy_price_8760=price_8760,
        liquid_supply=liquid_supply,
        liquid_supply_note=liquid_note,
        air_supply=air_supply,
        racks=racks,
        cdus=cdus,
        heat_rejection=heat_rejection,
        air_side=air_side,
        miners=miners,
        ups_efficiency=loaded.ups.efficiency.value,
        transformer_efficiency=loaded.transformer.efficiency.value,
        ups_price_per_mw=loaded.ups.price_per_power.value,
        transformer_price_per_mw=loaded.transformer.price_per_power.value,
        spares={"cdu": red.spares("cdu"), "heat_rejection": red.spares("heat_rejection"),
                "air_side": red.spares("air_side")},
        gpu_price=spec.gpu_market.price.value,
        utilisation=spec.gpu_market.utilisation.value,
        hashprice=hp,
        fixed_monthly=spec.tariff.fixed_monthly_charge.value,
        demand_charge=spec.tariff.demand_charge.value * 1000.0,
        water_price=econ.water_price.value,
        facility_opex=econ.facility_opex.value,
        facility_capex=econ.facility_capex.value,
        mining_opex=market.mining_opex.value,
        budget=econ.capex_budget.value,
        objective=econ.objective,
        crf={
            "gpu": capital_recovery_factor(econ.discount_rate.value, econ.gpu_life.value),
            "facility": capital_recovery_factor(econ.discount_rate.value, econ.facility_life.value),
            "miner": capital_recovery_factor(econ.discount_rate.value, econ.miner_life.value),
        },
        max_racks=spec.limits.max_racks,
        min_racks=spec.limits.min_racks,
        max_mining=None if spec.limits.max_mining is None else spec.limits.max_mining.value,
        facility_fluid=spec.cooling.facility_fluid,
        grid_margin=spec.site.grid_margin.value,
        grid_margin_reason=spec.site.grid_margin_reason,
        house_load=spec.site.house_load.value + spec.site.lighting_power_density.value * 1e-3 * spec.site.hall_area.value,
        ups_no_load=loaded.ups.no_load_loss.value,
        transformer_no_load=loaded.transformer.no_load_loss.value,
        installation=econ.installation.value,
        it_support=econ.it_support.value,
        max_rack_types=spec.limits.max_rack_types,
        max_miner_models=spec.limits.max_miner_models,
        max_hr_types_per_loop=spec.limits.max_heat_rejection_types_per_loop,
        hr_scope=spec.redundancy.heat_rejection_scope,
        cdu_scope=spec.redundancy.cdu_scope,
        fan_tolerance=cube_chords(FAN_SEGMENTS)[2],
        fan_segments=FAN_SEGMENTS,
        loop_pump_per_heat=loop_pump,
        condenser_pump_per_heat=condenser_pump,
        miner_hall_rise=hall_rise,
        provenance=provenance,
    )
