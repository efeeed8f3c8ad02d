"""Hourly performance of one heat-rejection module against ambient.

Combines the functions of :mod:`planner.physics.thermal` into what the model
and the audit need per module and hour: heat it can reject, heat it can reject
without wetting (adiabatic coolers), and electricity per unit of heat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.physics.thermal import (
    adiabatic_effective_temperature,
    approach_capacity_factor,
    carnot_fraction_cop,
)


@dataclass(frozen=True)
class ModuleRating:
    """Rating of a heat-rejection module in canonical units.

    Attributes: technology; rated_capacity [MW]; rated_approach [K];
    max_capacity_factor [-]; fan_power [MW]; adiabatic_effectiveness [-];
    carnot_fraction [-]; max_cop [-]; evaporator_approach [K].
    """

    technology: str
    rated_capacity: float
    rated_approach: float
    max_capacity_factor: float
    fan_power: float
    adiabatic_effectiveness: float = 0.0
    carnot_fraction: float = 0.0
    max_cop: float = 0.0
    evaporator_approach: float = 0.0


@dataclass(frozen=True)
class ModulePerformance:
    """Per-hour performance of one module.

    Attributes: capacity [MW] (wetted, for adiabatic coolers); dry_capacity
    [MW] (without water; equals capacity for other technologies);
    electricity_per_heat [MW/MW]; cop [-] (NaN for non-chillers).
    """

    capacity: np.ndarray
    dry_capacity: np.ndarray
    electricity_per_heat: np.ndarray
    cop: np.ndarray


def module_performance(
    rating: ModuleRating,
    loop_supply: float,
    dry_bulb: npt.ArrayLike,
    wet_bulb: npt.ArrayLike,
) -> ModulePerformance:
    r"""
    Heat one module can reject at each hour, and the electricity it needs.

    Coolers and towers (duty proportional to the available approach, see
    :func:`~planner.physics.thermal.approach_capacity_factor`):

    .. math:: Q = Q_r \, \mathrm{clip}\left(\frac{T_{loop} - T_{air}}{\Delta T_r}, 0, f_{max}\right)

    with :math:`T_{air}` the dry bulb (dry cooler; adiabatic cooler when dry),
    the pad outlet temperature :math:`T_{db} - \varepsilon (T_{db} - T_{wb})`
    (adiabatic cooler when wetted) or the wet bulb (tower). Fan power is
    proportional to heat rejected: :math:`P = Q\, P_{fan,r}/Q_r`.

    Chillers keep their rated capacity; electricity per unit of heat is
    :math:`1/COP + P_{fan,r}/Q_r` with :math:`COP = \eta\, T_{ev}/(T_{cd} - T_{ev})`,
    :math:`T_{ev} = T_{loop} - \Delta T_{ev}` and
    :math:`T_{cd} = T_{db} + \Delta T_r` (air-cooled) or
    :math:`T_{wb} + \Delta T_r` (water-cooled).

    Parameters
    ----------
    rating : ModuleRating
        Module rating [canonical units, see the class].
    loop_supply : float
        Temperature the loop must be supplied at [degC].
    dry_bulb, wet_bulb : array_like
        Ambient temperatures per hour [degC].

    Returns
    -------
    ModulePerformance
        Capacities [MW per module], electricity per heat [MW/MW], COP [-].

    References
    ----------
    .. [1] MDPI Energies 2023, 16(9):3661 (approaches of 6,730 dry coolers and towers).
    .. [2] domain-facts section 3a (chiller COP from lift with a Carnot fraction).
    """
    db = np.asarray(dry_bulb, dtype=float)
    wb = np.asarray(wet_bulb, dtype=float)
    tech = rating.technology
    fan_per_heat = rating.fan_power / rating.rated_capacity
    nan = np.full_like(db, np.nan)

    def cooler(air):
        return rating.rated_capacity * approach_capacity_factor(
            loop_supply, air, rating.rated_approach, rating.max_capacity_factor
        )

    if tech == "dry_cooler":
        cap = cooler(db)
        return ModulePerformance(cap, cap, np.full_like(db, fan_per_heat), nan)
    if tech == "adiabatic_cooler":
        dry = cooler(db)
        wet = cooler(adiabatic_effective_temperature(db, wb, rating.adiabatic_effectiveness))
        return ModulePerformance(np.maximum(wet, dry), dry, np.full_like(db, fan_per_heat), nan)
    if tech == "cooling_tower":
        cap = cooler(wb)
        return ModulePerformance(cap, cap, np.full_like(db, fan_per_heat), nan)
    if tech in ("air_cooled_chiller", "water_cooled_chiller"):
        sink = db if tech == "air_cooled_chiller" else wb
        cop = carnot_fraction_cop(
            loop_supply - rating.evaporator_approach,
            sink + rating.rated_approach,
            rating.carnot_fraction,
            rating.max_cop,
        )
        cap = np.full_like(db, rating.rated_capacity)
        return ModulePerformance(cap, cap, 1.0 / cop + fan_per_heat, cop)
    raise ValueError(f"unknown heat-rejection technology {tech!r}")
