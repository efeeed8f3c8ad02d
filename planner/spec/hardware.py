"""Pydantic models of the hardware catalogue: one TOML file per model under hardware/."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from planner.spec.fields import FieldError, StrictModel, quantity
from planner.units import format_quantity

Fraction = quantity("fraction", "Share between 0 and 1 (or a percentage)", ge=0.0, le=1.0)


class HardwareBase(StrictModel):
    """Fields every hardware file carries: identity and where the figures come from."""

    id: str = Field(description="Identifier used by sites in [choices], e.g. 'gb300_nvl72'.")
    name: str = Field(description="Commercial name.")
    sources: list[str] = Field(min_length=1, description="Where the figures come from.")
    confidence: str = Field(description="How sure the figures are, and which are estimates.")
    notes: str = Field("", description="Free text.")


class Rack(HardwareBase):
    """A GPU rack: power envelope, heat split, coolant limits, footprint and price."""

    kind: Literal["rack"]
    gpus: int = Field(ge=1, le=1000, description="GPUs per rack [count].")
    power_typical: quantity("electric_power", "Sustained IT power under training load", gt=0)
    power_design: quantity("electric_power", "Design (nameplate) IT power", gt=0)
    power_peak: quantity("electric_power", "Peak electrical envelope (transients)", gt=0)
    liquid_fraction: Fraction
    max_coolant_supply_temperature: quantity(
        "temperature", "Highest coolant supply temperature at full performance", ge=5, le=70
    ) = "45 degC"
    coolant: Literal["water", "PG25", "PG30"] = "PG25"
    coolant_delta_t: quantity(
        "temperature_difference", "Coolant temperature rise across the rack at design power",
        gt=0, le=40,
    ) = "10 K"
    rated_coolant_flow: quantity("volume_flow", "Coolant flow stated by the vendor", ge=0) = "0 L/min"
    max_air_inlet_temperature: quantity(
        "temperature", "Highest air inlet temperature (ASHRAE class limit)", ge=10, le=50
    ) = "35 degC"
    floor_area: quantity("area", "Floor area per rack including its share of aisles", ge=0.1, le=100)
    weight: quantity("mass", "Rack weight, filled", gt=0)
    price: quantity("money", "Purchase price per rack", ge=0)
    scalable_unit_racks: int = Field(
        1, ge=1, le=256,
        description="Compute racks per scalable unit: racks are installed in whole units that share a "
        "scale-out fabric [count].")
    support_power_per_unit: quantity(
        "electric_power", "Support IT per scalable unit: scale-out switches and optics, storage, management",
        ge=0) = "0 kW"
    support_racks_per_unit: int = Field(
        0, ge=0, le=64, description="Support (network, storage, management) racks per scalable unit [count].")
    support_liquid_fraction: quantity(
        "fraction", "Share of the support racks' heat taken by liquid (0: air-cooled support racks)",
        ge=0, le=1) = 0
    support_floor_area_per_unit: quantity(
        "area", "Floor area of the support racks of one scalable unit, with aisles", ge=0) = "0 m^2"
    support_price_per_unit: quantity(
        "money", "Scale-out network, storage and management hardware per scalable unit", ge=0) = "0 USD"
    power_smoothing: quantity(
        "fraction", "Share of the electrical peak that the power shelves' energy storage keeps off the grid "
        "(grid-visible peak = peak x (1 - share), never below design power)", ge=0, le=0.5) = 0
    transient_window: quantity(
        "response_time", "How long a rack's power step lasts before the grid must see it (after smoothing)",
        gt=0, le=3600) = "1 s"

    @model_validator(mode="after")
    def _powers_ordered(self):
        t, d, p = self.power_typical, self.power_design, self.power_peak
        if self.support_power_per_unit.value > 0 and self.support_racks_per_unit == 0:
            raise FieldError("support_racks_per_unit", "support_power_per_unit needs support_racks_per_unit of at least 1")
        if not (t.value <= d.value <= p.value):
            raise FieldError(
                "power_typical", "rack powers must satisfy typical <= design <= peak; got typical "
                f"{format_quantity(t.value * 1000, 'kW')}, design "
                f"{format_quantity(d.value * 1000, 'kW')}, peak {format_quantity(p.value * 1000, 'kW')}"
            )
        return self


class Cdu(HardwareBase):
    """A coolant distribution unit: liquid-to-liquid heat exchanger with pumps."""

    kind: Literal["cdu"]
    capacity: quantity("heat_power", "Heat transferred at the rated approach", gt=0)
    approach: quantity(
        "temperature_difference", "Rack coolant supply minus facility water supply", ge=0.5, le=15
    )
    pump_power: quantity("electric_power", "Pump motor rating (nameplate); the running power follows from flow and head", ge=0)
    rated_flow: quantity("volume_flow", "Secondary (rack-side) flow the CDU delivers (0: not stated, heat only)",
                         ge=0) = "0 L/min"
    pump_head: quantity("length", "Secondary (rack-side) pump head at design flow", gt=0, le=150) = "30 m"
    pump_efficiency: quantity("fraction", "Wire-to-water efficiency of the secondary pumps", gt=0.1, le=1) = "65 %"
    floor_area: quantity("area", "Floor area including service clearance", ge=0)
    price: quantity("money", "Installed price per unit", ge=0, le=1e8)
    placement: Literal["in_rack", "row", "facility"] = "row"

    @model_validator(mode="after")
    def _pump_plausible(self):
        if self.pump_power.value > 0.1 * self.capacity.value:
            raise FieldError(
                "pump_power", f"pump_power {self.pump_power.text} is more than 10 % of capacity "
                f"{self.capacity.text}; check the units (kW vs MW)"
            )
        return self


HeatRejectionTechnology = Literal[
    "dry_cooler", "adiabatic_cooler", "cooling_tower", "air_cooled_chiller", "water_cooled_chiller"
]


class HeatRejection(HardwareBase):
    """A heat-rejection module: dry cooler, adiabatic cooler, tower or chiller.

    Capacity varies with ambient: for coolers and towers it scales with the
    available approach (loop supply minus the air temperature the technology
    sees) relative to ``rated_approach``; chillers keep their rated capacity and
    draw ``heat / COP`` with the COP from the lift.
    """

    kind: Literal["heat_rejection"]
    technology: HeatRejectionTechnology
    rated_capacity: quantity("heat_power", "Heat rejected at the rating condition", gt=0)
    rated_fluid: Literal["water", "PG25", "PG30"] = Field(
        "water", description="Fluid of the rating (catalogue ratings are with water); a loop of another fluid "
                             "(cooling.facility_fluid) corrects the capacity by the glycol duty factor")
    rated_approach: quantity(
        "temperature_difference",
        "Leaving fluid minus air temperature at rated capacity (dry bulb for dry and adiabatic "
        "coolers, wet bulb for towers; condensing minus air for chillers)",
        gt=0, le=30,
    )
    max_capacity_factor: quantity(
        "fraction", "Largest capacity relative to rating in cold weather (fan and coil limit)",
        ge=1.0, le=3.0,
    ) = 1.5
    fan_power: quantity("electric_power", "Fan (and spray pump) power at rated capacity", ge=0)
    water_use: quantity(
        "water_intensity",
        "Water per unit of heat rejected: towers always, adiabatic coolers while wetted",
        ge=0, le=10,
    ) = "0 L/kWh"
    adiabatic_effectiveness: quantity(
        "fraction", "Evaporative pre-cooling effectiveness (adiabatic coolers)", ge=0, le=1
    ) = 0
    carnot_fraction: quantity(
        "fraction", "Chiller efficiency as a share of the Carnot COP", ge=0, le=1
    ) = 0
    max_cop: quantity("fraction", "Highest chiller COP (low-lift cap)", ge=0, le=50) = 0
    evaporator_approach: quantity(
        "temperature_difference", "Loop supply minus evaporating temperature (chillers)", ge=0, le=15
    ) = "0 K"
    floor_area: quantity("area", "Yard area per module including clearance", gt=0)
    price: quantity("money", "Installed price per module", ge=0, le=1e8)

    @model_validator(mode="after")
    def _technology_fields(self):
        tech = self.technology
        if tech.endswith("chiller"):
            missing = [
                n for n in ("carnot_fraction", "max_cop", "evaporator_approach")
                if getattr(self, n).value <= 0
            ]
            if missing:
                article = "an" if tech[0] in "aeiou" else "a"
                raise FieldError(missing[0], f"{article} {tech} needs {', '.join(missing)} greater than zero")
        if tech == "adiabatic_cooler" and self.adiabatic_effectiveness.value <= 0:
            raise FieldError("adiabatic_effectiveness", "an adiabatic_cooler needs adiabatic_effectiveness greater than zero")
        if tech in ("cooling_tower", "adiabatic_cooler") and self.water_use.value <= 0:
            article = "an" if tech[0] in "aeiou" else "a"
            raise FieldError("water_use", f"{article} {tech} evaporates water: water_use must be greater than zero")
        if self.fan_power.value > 0.2 * self.rated_capacity.value:
            raise FieldError(
                "fan_power", f"fan_power {self.fan_power.text} is more than 20 % of rated_capacity "
                f"{self.rated_capacity.text}; check the units"
            )
        return self


class AirSide(HardwareBase):
    """An air-side unit for the rack heat that goes to air: CRAH / fan wall or rear door."""

    kind: Literal["air_side"]
    technology: Literal["crah", "rear_door"]
    capacity: quantity("heat_power", "Sensible heat removed per unit", gt=0)
    fan_power: quantity("electric_power", "Fan power at rated capacity", ge=0)
    max_water_supply_temperature: quantity(
        "temperature", "Warmest water supply at which the unit delivers its capacity", ge=5, le=40
    )
    floor_area: quantity("area", "Hall floor area per unit (0 for a door)", ge=0)
    price: quantity("money", "Installed price per unit", ge=0, le=1e8)


class Miner(HardwareBase):
    """A Bitcoin-mining ASIC."""

    kind: Literal["miner"]
    cooling: Literal["air", "hydro"]
    hash_rate: quantity("hash_rate", "Nominal hash rate", gt=0)
    power: quantity("electric_power", "Power at the wall at nominal hash rate", gt=0)
    efficiency: quantity("hash_efficiency", "Stated energy per hash", gt=0)
    price: quantity("money", "Price per unit", ge=0, le=1e8)
    floor_area: quantity("area", "Floor area per unit including its share of aisles", gt=0)
    derate_start_temperature: quantity(
        "temperature", "Air inlet above which an air-cooled miner derates", ge=0, le=60
    ) = "40 degC"
    shutdown_temperature: quantity(
        "temperature", "Air inlet at which an air-cooled miner stops", ge=0, le=70
    ) = "47 degC"
    max_coolant_inlet_temperature: quantity(
        "temperature", "Warmest coolant inlet for a hydro miner", ge=0, le=70
    ) = "40 degC"
    lot_size: int = Field(
        1, ge=1, le=10000,
        description="Miners installed together (a row, rack or container on one PDU group) [count].")
    shed_time: quantity(
        "response_time", "Time to curtail the miner's power (pool or firmware command to the wall)",
        gt=0, le=3600) = "2 s"

    @model_validator(mode="after")
    def _efficiency_consistent(self):
        implied = self.power.value * 1e6 / self.hash_rate.value  # W / (TH/s) = J/TH
        stated = self.efficiency.value
        if abs(implied - stated) > 0.03 * stated:
            raise FieldError(
                "efficiency", f"efficiency {self.efficiency.text} disagrees with power {self.power.text} / "
                f"hash_rate {self.hash_rate.text} = {implied:.2f} J/TH (more than 3 % apart)"
            )
        if self.shutdown_temperature.value <= self.derate_start_temperature.value:
            raise FieldError(
                "shutdown_temperature", f"shutdown_temperature {self.shutdown_temperature.text} must be above "
                f"derate_start_temperature {self.derate_start_temperature.text}"
            )
        return self


class PowerEquipment(HardwareBase):
    """A power-chain element: UPS or transformer."""

    kind: Literal["ups", "transformer"]
    efficiency: quantity("fraction", "Efficiency of the load-dependent part (losses proportional to load)", gt=0.5, le=1.0)
    no_load_loss: quantity(
        "fraction", "Loss with no load, as a share of the rating (core loss, control and fans)", ge=0, le=0.05) = 0
    price_per_power: quantity("power_price", "Installed price per MW of rating", ge=0) = "0 USD/MW"


Hardware = Annotated[
    Union[Rack, Cdu, HeatRejection, AirSide, Miner, PowerEquipment], Field(discriminator="kind")
]

HARDWARE_KINDS = {
    "rack": Rack,
    "cdu": Cdu,
    "heat_rejection": HeatRejection,
    "air_side": AirSide,
    "miner": Miner,
    "ups": PowerEquipment,
    "transformer": PowerEquipment,
}
