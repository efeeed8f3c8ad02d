"""Canonical inputs of each period of a timeline: its hours, prices, hall and fleet. No I/O.

Each period keeps the site's physics and hardware; it changes what the timeline says changes:
the hours (representative days of the period's months of the weather year, the hottest kept, with
the hours of the period no other is both hotter and more humid than at weight 0), the energy and
demand charges (escalated), the mining revenue per MWh (BTC price, difficulty, the halving), the
GPU-hour price of contracts signed in the period, the hall ready for racks, and the miners on site
(the owned fleet only).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from planner import climate as climate_mod
from planner.inputs import Inputs, dominating_hours, model_hour_of
from planner.load import InputError, LoadedSite, did_you_mean
from planner.physics import mining as mining_phys
from planner.strategy import inputs_on_model_hours
from planner.timeline.calendar import DAYS_PER_YEAR, Period, declined, grown, mean_block_subsidy, periods

NO_BUDGET = 1e15  # USD: the per-period budget row is the timeline's, over all periods


@dataclass
class FleetIn:
    """Miners of one model owned at the start."""

    miner_id: str
    lots: int
    resale_per_lot: float  # USD, at the timeline's start
    price_per_lot: float = 0.0  # USD, a new lot with its installation (new_miners only)
    follows_hashprice: bool = True  # the resale value moves with the hashprice


@dataclass
class PeriodIn:
    """One period: its model inputs (representative hours) and its audit inputs (every hour)."""

    period: Period
    inp: Inputs
    audit_inp: Inputs
    converted_area: float  # m^2 ready for racks, CDUs and air-side units
    hall_usable: float  # m^2 usable by anything (converted, and old hall not yet under conversion)
    gpu_price: dict[str, float]  # USD/GPU/h of GPU-hour contracts signed in the period, per rack type
    lease_price: float  # USD/kW/month of IT in the period (0 without colocation)
    lease_escalation: float  # the rent's escalator since the start [-]
    energy_price_mean: float  # USD/MWh, the period's mean energy price (power passed through to a tenant)
    hashprice: float  # USD/(PH/s)/day
    block_subsidy: float  # BTC, mean over the period
    deliveries: int | None  # most racks commissioned in the period (None: no limit)
    resale: dict[str, float] = dataclasses.field(default_factory=dict)  # USD per fleet lot sold in the period


@dataclass
class TimelineInputs:
    periods: list[PeriodIn]
    fleet: list[FleetIn]
    discount_rate: float
    monetisation: str
    terminal_value: str
    contract: str
    first_utilisation: float | None
    tenant_pays_power: bool
    lease_offered: bool  # a [timeline.colocation] table is given
    lease_first_occupancy: float  # share of the rent billed in a leased unit's first period
    lease_facility_opex: float  # USD/MW/yr of the site's facility opex for leased design IT
    lease_term: float
    gpu_life: float
    facility_life: float
    miner_life: float
    new_miners: bool
    installation: float
    budget: float  # USD
    transformer_capex: float  # USD, spent at the start
    notes: list[str]


def _months_climate(clim, months: tuple[int, ...]):
    """The hours of the weather year in ``months`` and the climate of those hours alone."""
    idx = np.nonzero(np.isin(clim.month, months))[0]
    return idx, dataclasses.replace(clim, dry_bulb=clim.dry_bulb[idx], wet_bulb=clim.wet_bulb[idx],
                                    timestamps=clim.timestamps[idx], month=clim.month[idx])


def _period_hours(base: Inputs, months: tuple[int, ...], days: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Hours of the year standing for the period, their weights (summing to 8760) and the number of
    zero-weight extreme hours appended after the days."""
    clim = base.climate
    idx, sub = _months_climate(clim, months)
    n_days = len(idx) // 24
    forced = 1 if int(np.argmax(sub.wet_bulb)) // 24 == int(np.argmax(sub.dry_bulb)) // 24 else 2
    pick, weight = climate_mod.representative_days(sub, min(n_days, max(days, forced)))
    front = np.setdiff1d(dominating_hours(sub.dry_bulb, sub.wet_bulb), pick)
    hours = np.concatenate([idx[pick], idx[front]])
    weight = np.concatenate([np.asarray(weight, dtype=float) * len(clim.dry_bulb) / len(idx), np.zeros(front.size)])
    return hours, weight, int(front.size)


def _audit_inputs(inp: Inputs, base: Inputs, months: tuple[int, ...], price_factor: float) -> Inputs:
    idx, sub = _months_climate(base.climate, months)
    return dataclasses.replace(inp, climate=sub, energy_price_8760=base.energy_price_8760[idx] * price_factor)


def fleet_of(loaded: LoadedSite, inp: Inputs) -> list[FleetIn]:
    """The owned fleet in whole lots, checked against choices.miners."""
    spec = loaded.spec.timeline
    miners = {m.id: m for m in inp.miners}
    out = []
    for i, f in enumerate(spec.fleet):
        if f.miner not in miners:
            raise InputError(loaded.path, f"timeline.fleet[{i}].miner",
                             f"{f.miner!r} is not among choices.miners{did_you_mean(f.miner, list(miners))}")
        lot = miners[f.miner].lot_size
        if f.units % lot:
            raise InputError(loaded.path, f"timeline.fleet[{i}].units",
                             f"expected a whole number of lots of {lot} {f.miner} miners, got {f.units}")
        out.append(FleetIn(f.miner, f.units // lot, f.resale_value.value * lot, follows_hashprice=f.resale_follows_hashprice))
    return out


def timeline_inputs(loaded: LoadedSite, base: Inputs, keep: dict[str, set[str]] | None = None) -> TimelineInputs:
    """Inputs of every period of the site's timeline.

    Parameters
    ----------
    loaded : LoadedSite
        The site, with a ``[timeline]`` table.
    base : Inputs
        The site resolved on every hour of the year (``resolve(loaded)``), whose per-hour
        coefficients the periods take.
    keep : dict, optional
        Equipment each period offers, by kind (``racks``, ``cdus``, ``heat_rejection`` keys
        ``id@loop``, ``air_side``); absent: all the site offers.
    """
    spec = loaded.spec
    tl = spec.timeline
    path = loaded.path
    rack_ids = [r.id for r in base.racks]
    for rid in tl.gpu_market.price_decline_by_rack:
        if rid not in rack_ids:
            raise InputError(path, f"timeline.gpu_market.price_decline_by_rack.{rid}",
                             f"{rid!r} is not among choices.racks{did_you_mean(rid, rack_ids)}")
    phase_area = sum(p.area.value for p in tl.hall_phases)
    if phase_area > base.hall_area * (1 + 1e-9):
        raise InputError(path, "timeline.hall_phases",
                         f"the phases convert {phase_area:,.0f} m^2, more than site.hall_area ({base.hall_area:,.0f} m^2)")
    fleet = fleet_of(loaded, base)
    if tl.new_miners:  # every miner offered may be bought; those not in the fleet start with none owned
        owned = {f.miner_id for f in fleet}
        fleet += [FleetIn(m.id, 0, 0.0) for m in base.miners if m.id not in owned and m.allowed]
        for f in fleet:
            m = next(m for m in base.miners if m.id == f.miner_id)
            f.price_per_lot = m.price_per_mw * m.lot_mw * (1.0 + base.installation)
    fleet_ids = {f.miner_id for f in fleet}
    keep = keep or {}

    def kept(items, kind, key=lambda x: x.id):
        return [x for x in items if kind not in keep or key(x) in keep[kind]]

    market = spec.market
    btc0 = (tl.market.btc_price or market.btc_price).value
    difficulty0 = tl.market.difficulty if tl.market.difficulty is not None else market.difficulty
    hp_start = float(mining_phys.hashprice(btc0, difficulty0, market.block_subsidy.value, market.fees_per_block.value,
                                           market.pool_fee.value))
    tariff_offset = ((tl.start - tl.tariff_as_of).days / DAYS_PER_YEAR) if tl.tariff_as_of else 0.0
    group_of = model_hour_of(base)
    out = []
    for per in periods(tl.start, tl.end, tl.period):
        t = per.t_mid
        factor = float(grown(1.0, tl.tariff_escalation.value, t + tariff_offset))
        subsidy = mean_block_subsidy(market.block_subsidy.value, tl.market.halving_date, per.start, per.end)
        hp = float(mining_phys.hashprice(
            float(grown(btc0, tl.market.btc_price_growth.value, t)),
            float(grown(difficulty0, tl.market.difficulty_growth.value, t)),
            subsidy, market.fees_per_block.value, market.pool_fee.value))
        hours, weight, n_extreme = _period_hours(base, per.months, tl.days_per_period)
        sel = group_of[hours]
        inp = inputs_on_model_hours(base, sel, weight, [np.array([h]) for h in hours],
                                    f"{tl.days_per_period} representative day(s) of {per.label}")
        miners = [dataclasses.replace(m, revenue_per_mwh=float(mining_phys.mining_revenue_per_mwh(hp, m.efficiency)),
                                      price_per_mw=0.0)
                  for m in inp.miners if m.id in fleet_ids]
        ready = sum(p.area.value for p in tl.hall_phases if p.ready <= per.start)
        old = sum(p.area.value for p in tl.hall_phases if p.start is not None and p.start >= per.end)
        converted = base.hall_area - phase_area + ready
        racks = kept(inp.racks, "racks")
        inp = dataclasses.replace(
            inp, energy_price=np.asarray(inp.energy_price) * factor, demand_charge=inp.demand_charge * factor,
            fixed_monthly=inp.fixed_monthly * factor, miners=miners, racks=racks,
            cdus=kept(inp.cdus, "cdus"), heat_rejection=kept(inp.heat_rejection, "heat_rejection", lambda h: h.key),
            air_side=kept(inp.air_side, "air_side"), hall_area=converted + old, budget=NO_BUDGET, min_racks=0,
            max_rack_types=None if "racks" in keep else inp.max_rack_types, max_miner_models=None,
            extreme_hours=n_extreme, hashprice=hp)
        prices = {r.id: float(declined(r.gpu_price, tl.gpu_market.price_decline_by_rack.get(
            r.id, tl.gpu_market.price_decline).value, per.t_start)) for r in racks}
        escalation = float(grown(1.0, tl.colocation.escalation.value, per.t_start)) if tl.colocation else 1.0
        lease = tl.colocation.lease_price.value * escalation if tl.colocation else 0.0
        deliveries = tl.max_racks_per_period
        if tl.first_delivery is not None and per.end <= tl.first_delivery:
            deliveries = 0
        w = np.asarray(inp.weight, dtype=float)
        out.append(PeriodIn(
            per, inp, _audit_inputs(inp, base, per.months, factor), converted, converted + old, prices, lease,
            escalation,
            float(np.sum(w * inp.energy_price) / np.sum(w)), hp, subsidy, deliveries,
            resale={f.miner_id: f.resale_per_lot * (hp / hp_start if f.follows_hashprice and hp_start > 0 else 1.0)
                    for f in fleet}))
    econ = spec.economics
    col = tl.colocation
    notes = []
    if tl.first_delivery is not None:
        notes.append(f"racks are commissioned from the period that ends after {tl.first_delivery.isoformat()}")
    return TimelineInputs(
        periods=out, fleet=fleet, discount_rate=econ.discount_rate.value, monetisation=tl.monetisation,
        terminal_value=tl.terminal_value, contract=tl.gpu_market.contract,
        first_utilisation=None if tl.gpu_market.first_period_utilisation is None
        else tl.gpu_market.first_period_utilisation.value,
        tenant_pays_power=bool(col and col.tenant_pays_power), lease_offered=col is not None,
        lease_first_occupancy=col.first_period_occupancy.value if col else 1.0,
        lease_facility_opex=(col.facility_opex or econ.facility_opex).value if col else econ.facility_opex.value,
        lease_term=col.lease_term.value if col else 0.0,
        gpu_life=econ.gpu_life.value, facility_life=econ.facility_life.value, miner_life=econ.miner_life.value,
        new_miners=tl.new_miners, installation=base.installation,
        budget=base.budget, transformer_capex=base.transformer_price_per_mw * base.grid_limit, notes=notes)


__all__ = ["PeriodIn", "TimelineInputs", "FleetIn", "timeline_inputs", "fleet_of"]
