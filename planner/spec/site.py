"""Pydantic model of a site file (sites/*.toml)."""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from planner.spec.fields import FieldError, Measured, StrictModel, path_problem, quantity
from planner.spec.timeline import Timeline
from planner.spec.uncertainty import Uncertainty

Temperature = quantity("temperature", "Air temperature", ge=-60, le=60)


def _clip(text: str, n: int = 60) -> str:
    """A long value shortened for a message."""
    return repr(text) if len(text) <= n else repr(text[:n]) + f"... ({len(text):,} characters)"


_REDUNDANCY = re.compile(r"^\s*N\s*(?:\+\s*(\d+))?\s*$")


class SiteInfo(StrictModel):
    name: str = Field(description="Site name.")
    location: str = Field("", description="Place, for the report.")
    grid_limit: quantity("electric_power", "Largest draw at the utility meter", gt=0, le=5000)
    hall_area: quantity("area", "Usable floor area of the building for racks, CDUs and miners", ge=0, le=1e6)
    yard_area: quantity("area", "Usable yard area for heat-rejection plant", ge=0, le=1e7)
    hardware_dir: str = Field("../hardware", description="Hardware catalogue folder, relative to the site file.")
    grid_margin: quantity(
        "electric_power", "Operating margin kept below the grid limit in every hour (meter accuracy, control lag)",
        ge=0) = "0 MW"
    grid_margin_reason: str = Field("", description="Why the margin is what it is, for the report.")
    house_load: quantity(
        "electric_power", "Offices, security, controls and other house loads, fed every hour", ge=0) = "0 kW"
    lighting_power_density: quantity(
        "power_per_area", "Lighting per m^2 of hall floor, every hour", ge=0, le=0.05) = "0 W/m^2"

    @model_validator(mode="after")
    def _margin_below_limit(self):
        if self.grid_margin.value >= self.grid_limit.value:
            raise FieldError("grid_margin", f"grid_margin {self.grid_margin.text} must be below grid_limit {self.grid_limit.text}")
        return self

    @field_validator("hardware_dir")
    @classmethod
    def _path(cls, v):
        problem = path_problem(v)
        if problem:
            raise ValueError(f"{problem}; got {_clip(v)}")
        return v


class Climate(StrictModel):
    weather_file: Optional[str] = Field(
        None, description="EPW or TMY3 file, relative to the site file. When absent, the monthly normals are used."
    )
    monthly_max_dry_bulb: Optional[list[Temperature]] = Field(None, min_length=12, max_length=12)
    monthly_min_dry_bulb: Optional[list[Temperature]] = Field(None, min_length=12, max_length=12)
    monthly_max_wet_bulb: Optional[list[Temperature]] = Field(None, min_length=12, max_length=12)
    monthly_min_wet_bulb: Optional[list[Temperature]] = Field(None, min_length=12, max_length=12)
    design_dry_bulb: Optional[Temperature] = Field(None, description="Cooling design dry bulb (0.4 %).")
    design_wet_bulb: Optional[Temperature] = Field(None, description="Wet bulb coincident with the design dry bulb.")
    design_from: Literal["weather_file", "site"] = Field(
        "weather_file",
        description="Take the design condition from the weather file's ASHRAE header (or its 0.4 % hour) or from this table.",
    )
    constant_dry_bulb: Optional[Temperature] = Field(None, description="Same air temperature every hour (test sites).")
    constant_wet_bulb: Optional[Temperature] = None
    seed: int = Field(0, description="Seed of the day-to-day variation of synthesised weather.")

    @field_validator("weather_file")
    @classmethod
    def _empty_is_none(cls, v):
        problem = path_problem(v) if v else None
        if problem:
            raise ValueError(f"{problem}; got {_clip(v)}")
        return v or None

    @model_validator(mode="after")
    def _one_source(self):
        normals = [self.monthly_max_dry_bulb, self.monthly_min_dry_bulb, self.monthly_max_wet_bulb, self.monthly_min_wet_bulb]
        if self.weather_file is None and self.constant_dry_bulb is None and any(n is None for n in normals):
            raise ValueError(
                "give a weather_file, or all four monthly_* normals, or constant_dry_bulb and constant_wet_bulb"
            )
        if self.constant_dry_bulb is not None and self.constant_wet_bulb is None:
            raise FieldError("constant_wet_bulb", "constant_dry_bulb needs constant_wet_bulb")
        if self.constant_dry_bulb is not None and self.constant_wet_bulb.value > self.constant_dry_bulb.value:
            raise FieldError("constant_wet_bulb", "constant_wet_bulb cannot exceed constant_dry_bulb")
        if self.design_from == "site" and (self.design_dry_bulb is None or self.design_wet_bulb is None):
            raise FieldError("design_dry_bulb", "design_from = 'site' needs design_dry_bulb and design_wet_bulb")
        if self.weather_file is None and self.constant_dry_bulb is None and self.design_dry_bulb is None:
            raise FieldError("design_dry_bulb", "synthesised weather needs design_dry_bulb and design_wet_bulb to calibrate the hottest hours")
        return self


class TimeOfUse(StrictModel):
    months: list[int] = Field(description="Months 1-12 in which the price applies.")
    hours: list[int] = Field(description="Hours of the day 0-23 (hour starting) in which the price applies.")
    energy_price: quantity("energy_price", "Energy price in these hours", ge=-1000, le=10000)

    @field_validator("months")
    @classmethod
    def _months(cls, v):
        if not v or any(m < 1 or m > 12 for m in v):
            raise ValueError(f"months must be between 1 and 12, got {v}")
        return v

    @field_validator("hours")
    @classmethod
    def _hours(cls, v):
        if not v or any(h < 0 or h > 23 for h in v):
            raise ValueError(f"hours must be between 0 and 23, got {v}")
        return v


class Tariff(StrictModel):
    name: str = ""
    fixed_monthly_charge: quantity("money_per_month", "Customer charge", ge=0, le=1e7) = "0 USD/month"
    energy_price: quantity("energy_price", "Energy price at the meter", ge=-1000, le=10000)
    demand_charge: quantity("demand_charge", "Charge on each month's highest draw", ge=0, le=1000) = "0 USD/kW/month"
    time_of_use: list[TimeOfUse] = Field(default_factory=list, description="Periods with another energy price; later entries win.")


class Market(StrictModel):
    btc_price: quantity("btc_price", "Bitcoin price", ge=100, le=1e7)
    difficulty: float = Field(
        ge=1e12, le=1e17, allow_inf_nan=False,
        description="Network difficulty [dimensionless, e.g. 148.26e12; >= 1e12 and <= 1e17].",
    )
    block_subsidy: quantity("btc", "Block subsidy per block", ge=0, le=50)
    fees_per_block: quantity("btc", "Average transaction fees per block", ge=0, le=50) = "0 BTC"
    pool_fee: quantity("fraction", "Mining pool fee", ge=0, le=0.2) = 0
    mining_opex: quantity("power_opex", "Fixed opex per MW of installed miners", ge=0, le=1e7) = "0 USD/MW/year"


class GpuMarket(StrictModel):
    price: quantity("gpu_price", "Price sold per GPU-hour", ge=0, le=100)
    utilisation: quantity("fraction", "Share of hours billed", ge=0, le=1)
    price_by_rack: dict[str, quantity("gpu_price", "Price per GPU-hour for this rack type", ge=0, le=100)] = Field(
        default_factory=dict, description="Rack id -> price per GPU-hour, where it differs from `price`."
    )


class Economics(StrictModel):
    facility_opex: quantity("power_opex", "Non-energy facility opex per MW of IT (design)", ge=0, le=1e7)
    facility_capex: quantity("power_price", "Facility retrofit capex per MW of IT (design)", ge=0, le=1e8)
    water_price: quantity("water_price", "Water price", ge=0) = "0 USD/m^3"
    it_support: quantity(
        "annual_rate", "GPU and network hardware support and spares, as a share of their price per year "
        "(0 when bundled with the purchase)", ge=0, le=0.3) = "0 %/year"
    installation: quantity(
        "fraction", "Installation, integration and cabling of racks, support racks and miners, as a share of "
        "their price (cooling plant prices are installed prices)", ge=0, le=0.5) = 0
    capex_budget: quantity("money", "Most that may be spent on the plan's hardware and retrofit", gt=0)
    discount_rate: quantity("fraction", "Discount rate for annualised capex", ge=0, le=0.5) = "8 %"
    gpu_life: quantity("duration", "Economic life of GPU racks", ge=0.5, le=30) = "5 year"
    facility_life: quantity("duration", "Economic life of facility and cooling plant", ge=1, le=50) = "15 year"
    miner_life: quantity("duration", "Economic life of miners", ge=0.5, le=30) = "3 year"
    objective: Literal["noi", "noi_less_annualised_capex"] = Field(
        "noi", description="Maximise NOI within the budget, or NOI less annualised capex."
    )


class Cooling(StrictModel):
    air_loop_supply_temperature: quantity(
        "temperature", "Chilled-water supply for air-side units (CRAH, rear doors)", ge=5, le=35
    ) = "20 degC"
    facility_fluid: Literal["water", "PG25", "PG30"] = "PG25"
    facility_pump_head: quantity("length", "Facility-water pump head (CDU, heat rejection and pipe)", gt=0, le=100) = "20 m"
    facility_delta_t: quantity("temperature_difference", "Facility-water range, return minus supply", gt=0, le=30) = "10 K"
    air_loop_delta_t: quantity("temperature_difference", "Chilled-water range of the air-side loop", gt=0, le=20) = "6 K"
    condenser_pump_head: quantity("length", "Condenser-water pump head (towers, water-cooled chillers)", gt=0, le=100) = "15 m"
    condenser_delta_t: quantity("temperature_difference", "Condenser-water range", gt=0, le=20) = "5.5 K"
    pump_efficiency: quantity("fraction", "Wire-to-water efficiency of the facility and condenser pumps", gt=0.1, le=1) = "65 %"
    miner_ventilation: quantity(
        "fraction", "Hall exhaust-fan power per unit of air-cooled miner heat", ge=0, le=0.2) = "1 %"
    miner_hall_temperature_rise: quantity(
        "temperature_difference", "Miner inlet air above the outdoor dry bulb (recirculation, fan heat)",
        ge=0, le=20) = "3 K"
    loop_temperature_by_cdu: bool = Field(
        False,
        description=(
            "false: the liquid loop runs at the warmest supply every offered CDU can give (rack limit less the "
            "largest approach), fast and conservative; true: one loop temperature per CDU approach, chosen with "
            "the CDU (a CDU with a smaller approach lets heat rejection run warmer; slower to solve)."
        ),
    )


def _spares(text: str, path: str) -> int:
    m = _REDUNDANCY.match(text)
    if m is None:
        raise ValueError(f"expected 'N', 'N+1' or 'N+2', got {text!r}")
    return int(m.group(1) or 0)


class Redundancy(StrictModel):
    cdu: str = Field("N+1", description="Spare CDUs: 'N', 'N+1', 'N+2'.")
    heat_rejection: str = Field(
        "N+1", description="Spare heat-rejection modules: each loop holds its design heat with its largest k modules out.")
    air_side: str = Field("N+1", description="Spare room air-side units (CRAH, fan walls); rear doors are one per rack.")
    heat_rejection_scope: Literal["loop", "technology"] = Field(
        "loop", description="'loop': the spares cover the largest modules of the loop; 'technology': every "
        "technology used carries its own spares.")
    cdu_scope: Literal["hall", "scalable_unit"] = Field(
        "hall", description="'hall': the CDUs share one secondary header and the spares cover any of them; "
        "'scalable_unit': each scalable unit has CDUs of its own, enough for its liquid heat and its racks' "
        "coolant flow at design power, with the spares on top; hydro miners' heat then takes further CDUs "
        "of the same type with no spares of their own (their mining sheds when one fails).")

    @field_validator("cdu", "heat_rejection", "air_side")
    @classmethod
    def _policy(cls, v, info):
        _spares(v, info.field_name)
        return v

    def spares(self, name: str) -> int:
        return _spares(getattr(self, name), name)


class Choices(StrictModel):
    racks: list[str] = Field(min_length=1, description="Rack ids the planner may install.")
    cdus: Optional[list[str]] = Field(
        None, description="CDU ids; absent: every CDU in the hardware catalogue ([] offers none).")
    heat_rejection: Optional[list[str]] = Field(
        None, description="Heat-rejection module ids; absent: every module in the hardware catalogue.")
    air_side: Optional[list[str]] = Field(
        None, description="Air-side unit ids; absent: every air-side unit in the hardware catalogue.")
    miners: list[str] = Field(default_factory=list, description="Miner ids (empty: no mining).")
    ups: str = Field(description="UPS id.")
    transformer: str = Field(description="Transformer id.")


class Limits(StrictModel):
    max_racks: Optional[int] = Field(None, ge=0, le=100_000, description="Most racks of all types (e.g. deliveries).")
    min_racks: int = Field(0, ge=0, le=100_000, description="Fewest racks (e.g. contracted capacity).")
    max_mining: Optional[quantity("electric_power", "Most installed mining power", ge=0)] = None
    max_rack_types: Optional[int] = Field(None, ge=1, description="Most rack types installed together.")
    max_miner_models: Optional[int] = Field(None, ge=1, description="Most miner models installed together.")
    max_heat_rejection_types_per_loop: Optional[int] = Field(
        None, ge=1, description="Most heat-rejection module types on one loop (one plant to operate and spare).")


def toml_key(name: str) -> str:
    """A table key as written in TOML: bare when it can be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else '"' + name.replace('"', '\\"') + '"'


class Layout(StrictModel):
    """A cooling layout for `plan compare`: the heat-rejection modules each loop may use."""

    liquid: list[str] = Field(
        min_length=1, description="Heat-rejection ids (from choices.heat_rejection) the liquid loop may use."
    )
    air: Optional[list[str]] = Field(
        None, description="Heat-rejection ids the air-side loop may use; absent: any in choices.heat_rejection."
    )
    note: str = Field("", description="Free text shown in the comparison.")


class Site(StrictModel):
    site: SiteInfo
    climate: Climate
    tariff: Tariff
    market: Market
    gpu_market: GpuMarket
    economics: Economics
    cooling: Cooling = Cooling()
    redundancy: Redundancy = Redundancy()
    choices: Choices
    limits: Limits = Limits()
    scenarios: dict[str, dict] = Field(default_factory=dict, description="Named overrides: TOML path -> value.")
    layouts: dict[str, Layout] = Field(
        default_factory=dict, description="Named cooling layouts for `plan compare`, besides the built-in ones."
    )
    timeline: Optional[Timeline] = Field(
        None, description="The conversion over time, period by period, for `plan timeline`; absent: one steady year.")
    uncertainty: Optional[Uncertainty] = Field(
        None, description="Distributions of uncertain inputs for `plan risk`; absent: no risk study.")

    def layout_problems(self) -> list[tuple[str, str, list[str]]]:
        """Layout ids not in choices.heat_rejection: (TOML path, id, the ids offered)."""
        if self.choices.heat_rejection is None:  # every module of the catalogue: checked when it is read
            return []
        offered = list(self.choices.heat_rejection)
        out = []
        for name, layout in self.layouts.items():
            for loop in ("liquid", "air"):
                for i, hid in enumerate(getattr(layout, loop) or []):
                    if hid not in offered:
                        out.append((f"layouts.{toml_key(name)}.{loop}[{i}]", hid, offered))
        return out


__all__ = ["Site", "Layout", "Measured"]
