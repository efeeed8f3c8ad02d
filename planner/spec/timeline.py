"""Pydantic model of a site's ``[timeline]`` table: the conversion over time (``plan timeline``).

Dates are TOML dates (``2026-10-01``, unquoted) or ISO strings. Rates of change are shares per
year (``"9.5 %/year"``); a decline is written as a positive share.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from planner.spec.fields import FieldError, StrictModel, quantity

Growth = quantity("annual_rate", "Change per year", ge=-0.9, le=5)


class TimelineMarket(StrictModel):
    btc_price: Optional[quantity("btc_price", "BTC price at the timeline's start; absent: market.btc_price",
                                 ge=100, le=1e7)] = None
    difficulty: Optional[float] = Field(
        None, ge=1e12, le=1e17, allow_inf_nan=False,
        description="Network difficulty at the timeline's start [dimensionless]; absent: market.difficulty.")
    btc_price_growth: quantity("annual_rate", "Change of the BTC price per year (from market.btc_price)",
                               ge=-0.9, le=5) = "0 %/year"
    difficulty_growth: quantity("annual_rate", "Change of the network difficulty per year (from market.difficulty)",
                                ge=-0.9, le=5) = "0 %/year"
    halving_date: Optional[dt.date] = Field(
        None, description="Date the block subsidy halves (block 1,050,000: ~April 2028); absent: no halving.")


class TimelineGpuMarket(StrictModel):
    price_decline: quantity("annual_rate", "Fall of the GPU-hour price of new contracts per year", ge=0,
                            le=0.9) = "0 %/year"
    price_decline_by_rack: dict[str, quantity("annual_rate", "Fall per year for this rack type", ge=0, le=0.9)] = Field(
        default_factory=dict, description="Rack id -> price decline per year, where it differs from `price_decline`.")
    contract: Literal["locked", "market"] = Field(
        "locked", description="'locked': a rack earns the price of the period it is commissioned in for the whole "
        "horizon (multi-year reserved contracts); 'market': every rack earns each period's price.")
    first_period_utilisation: Optional[quantity("fraction", "Billed share in a rack's first period (ramp after "
                                                "commissioning); absent: gpu_market.utilisation", ge=0, le=1)] = None


class Colocation(StrictModel):
    lease_price: quantity("lease_price", "Rent per kW of contracted critical IT (design IT) per month", ge=0, le=2000)
    escalation: quantity("annual_rate", "Rent escalator per year", ge=0, le=0.2) = "0 %/year"
    tenant_pays_power: bool = Field(
        True, description="true: the tenant pays the energy its IT draws (metered IT energy through the UPS at the "
        "tariff's energy price; cooling and house loads stay with the site); false: rent includes power.")
    lease_term: quantity("duration", "Lease term (for the report; leases signed in the horizon run past it)",
                         ge=0.5, le=30) = "10 year"
    first_period_occupancy: quantity(
        "fraction", "Share of the rent billed in a leased unit's first period (fit-out and ramp)", ge=0, le=1) = "100 %"
    facility_opex: Optional[quantity(
        "power_opex", "The site's facility opex per MW of leased design IT (what the lease does not pass through); "
        "absent: economics.facility_opex", ge=0, le=1e7)] = None


class FleetMiner(StrictModel):
    miner: str = Field(description="Miner id (from choices.miners).")
    units: int = Field(ge=0, le=10_000_000, description="Miners owned at the start (a whole number of lots).")
    resale_value: quantity("money", "Price one miner sells for at the timeline's start", ge=0, le=1e6) = "0 USD"
    resale_follows_hashprice: bool = Field(
        True, description="true: the resale value moves with the hashprice of the period it is sold in (used "
        "miners are priced by what they earn); false: it stays.")


class HallPhase(StrictModel):
    area: quantity("area", "Hall floor area converted in this phase", gt=0)
    ready: dt.date = Field(description="Date the converted area is ready for racks.")
    start: Optional[dt.date] = Field(
        None, description="Date conversion starts; before it the area is old hall that miners may use. Absent: "
        "conversion started before the timeline.")

    @model_validator(mode="after")
    def _order(self):
        if self.start is not None and self.start > self.ready:
            raise FieldError("start", f"start {self.start} is after ready {self.ready}")
        return self


class Timeline(StrictModel):
    start: dt.date = Field(description="First day of the first period.")
    end: dt.date = Field(description="Last day of the horizon (the last period ends after it).")
    period: Literal["quarter", "half", "year"] = Field("quarter", description="Length of one period.")
    days_per_period: int = Field(
        2, ge=1, le=30, description="Representative days per period (the hottest day of the period is kept; "
        "the hours no other hour of the period is both hotter and more humid than are added at weight 0).")
    monetisation: Literal["gpu_as_a_service", "colocation", "choose"] = Field(
        "choose", description="Sell GPU hours, lease the capacity, or let the optimiser choose per scalable unit.")
    terminal_value: Literal["annuity", "book_value", "none"] = Field(
        "annuity", description="Value at the end of the horizon of the equipment still in its economic life "
        "(economics.gpu_life, economics.facility_life), with the resale value of the miners still owned: "
        "'annuity', the capex not yet recovered when it repays as an annuity at the discount rate (the "
        "annualised capex of the steady-state plan); 'book_value', straight-line depreciation; or 'none'.")
    first_delivery: Optional[dt.date] = Field(None, description="First date racks can be delivered (lead time).")
    max_racks_per_period: Optional[int] = Field(
        None, ge=0, le=100_000, description="Most racks commissioned in one period, whatever its length "
        "(deliveries); whole scalable units.")
    tariff_escalation: quantity("annual_rate", "Change of the energy and demand charges per year", ge=-0.5,
                                le=1) = "0 %/year"
    tariff_as_of: Optional[dt.date] = Field(
        None, description="Date the [tariff] figures hold at; the escalation runs from it. Absent: the start.")
    market: TimelineMarket = TimelineMarket()
    gpu_market: TimelineGpuMarket = TimelineGpuMarket()
    colocation: Optional[Colocation] = None
    hall_phases: list[HallPhase] = Field(
        default_factory=list, description="Conversion phases of the hall; area in no phase is ready from the start.")
    fleet: list[FleetMiner] = Field(
        default_factory=list, description="Miners owned at the start: no capex; run, or sold at their resale value.")
    new_miners: bool = Field(
        False, description="true: miners of choices.miners may also be bought (at their price, kept to the end); "
        "false: only the owned fleet mines.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _date(cls, v):
        return v.date() if isinstance(v, dt.datetime) else v

    @model_validator(mode="after")
    def _checks(self):
        if self.end <= self.start:
            raise FieldError("end", f"end {self.end} must be after start {self.start}")
        if (self.end - self.start).days > 366 * 15:
            raise FieldError("end", "a timeline spans at most 15 years")
        if self.monetisation != "gpu_as_a_service" and self.colocation is None:
            raise FieldError("colocation", f"monetisation = {self.monetisation!r} needs a [timeline.colocation] "
                             "table with lease_price")
        seen = set()
        for i, f in enumerate(self.fleet):
            if f.miner in seen:
                raise FieldError(f"fleet[{i}].miner", f"{f.miner!r} is listed twice")
            seen.add(f.miner)
        return self


__all__ = ["Timeline", "TimelineMarket", "TimelineGpuMarket", "Colocation", "FleetMiner", "HallPhase"]
