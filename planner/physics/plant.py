"""Hourly performance of one heat-rejection module against ambient.

Combines the functions of :mod:`planner.physics.thermal` into what the model
and the audit need per module and hour: heat it can reject, heat it can reject
without wetting (adiabatic coolers), and electricity per unit of heat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.physics.auxiliaries import fan_power_affinity
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

    @property
    def fans_by_affinity(self) -> bool:
        """Coolers and towers: fan power follows the airflow a duty needs (affinity law)."""
        return self.technology in ("dry_cooler", "adiabatic_cooler", "cooling_tower")


@dataclass(frozen=True)
class ModulePerformance:
    """Per-hour performance of one module.

    Attributes: capacity [MW] (wetted, for adiabatic coolers); dry_capacity
    [MW] (without water; equals capacity for other technologies);
    electricity_per_heat [MW/MW] (chillers: compressor and condenser fans;
    coolers and towers: 0, their fans are given by ``airflow_capacity``);
    cop [-] (NaN for non-chillers); airflow_capacity [MW]: heat rejected
    with the fans flat out, not capped by the coil limit (dry mode for
    adiabatic coolers; equals capacity for chillers).
    """

    capacity: np.ndarray
    dry_capacity: np.ndarray
    electricity_per_heat: np.ndarray
    cop: np.ndarray
    airflow_capacity: np.ndarray


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
    (adiabatic cooler when wetted) or the wet bulb (tower). Fan power
    follows the fan affinity law (:func:`~planner.physics.auxiliaries.fan_power_affinity`)
    with the airflow share :math:`Q / Q_{air}`, where
    :math:`Q_{air} = Q_r (T_{loop} - T_{air})/\Delta T_r` is the heat the
    module rejects with its fans flat out (dry mode for adiabatic coolers).

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

    def airflow(air):
        return rating.rated_capacity * approach_capacity_factor(loop_supply, air, rating.rated_approach, np.inf)

    zero = np.zeros_like(db)
    if tech == "dry_cooler":
        cap = cooler(db)
        return ModulePerformance(cap, cap, zero, nan, airflow(db))
    if tech == "adiabatic_cooler":
        dry = cooler(db)
        wet = cooler(adiabatic_effective_temperature(db, wb, rating.adiabatic_effectiveness))
        return ModulePerformance(np.maximum(wet, dry), dry, zero, nan, airflow(db))
    if tech == "cooling_tower":
        cap = cooler(wb)
        return ModulePerformance(cap, cap, zero, nan, airflow(wb))
    if tech in ("air_cooled_chiller", "water_cooled_chiller"):
        sink = db if tech == "air_cooled_chiller" else wb
        cop = carnot_fraction_cop(
            loop_supply - rating.evaporator_approach,
            sink + rating.rated_approach,
            rating.carnot_fraction,
            rating.max_cop,
        )
        cap = np.full_like(db, rating.rated_capacity)
        return ModulePerformance(cap, cap, 1.0 / cop + fan_per_heat, cop, cap)
    raise ValueError(f"unknown heat-rejection technology {tech!r}")


def module_fan_power(heat: npt.ArrayLike, count: npt.ArrayLike, airflow_capacity: npt.ArrayLike,
                     fan_power: float) -> np.ndarray:
    r"""
    Fan power of ``count`` modules sharing a duty, by the fan affinity law.

    All installed modules run at the same speed, each with the airflow share
    :math:`x = Q / (n\, Q_{air})`:

    .. math:: P = n\, P_{fan}\, x^3

    Parameters
    ----------
    heat : array_like
        Heat rejected by the modules together (dry duty for adiabatic coolers) [MW].
    count : array_like
        Modules installed [-].
    airflow_capacity : array_like
        Heat one module rejects with its fans flat out at that hour's ambient [MW].
    fan_power : float
        Fan power of one module at full speed [MW].

    Returns
    -------
    power : ndarray
        Fan power [MW]; full speed where the duty needs more than the airflow gives.

    References
    ----------
    .. [1] domain-facts-2 section 2b (affinity law; BAC dry cooler 37 W/kW at rating).
    """
    heat = np.asarray(heat, dtype=float)
    count = np.asarray(count, dtype=float)
    full = count * np.asarray(airflow_capacity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(full > 0, heat / np.where(full > 0, full, 1.0), np.where(heat > 0, 1.0, 0.0))
    return fan_power_affinity(share, count * fan_power)
