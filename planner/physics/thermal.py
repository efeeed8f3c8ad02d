"""Heat flows, coolant flow, heat-rejection capacity, chiller COP and water use.

Pure vectorised functions: inputs are floats or NumPy arrays (e.g. 8760
hourly values) in the units given in brackets; no pint quantities.
"""

import numpy as np
import numpy.typing as npt

KELVIN_OFFSET = 273.15  # [K] at 0 degC
_KJ_PER_KWH = 3600.0


def rack_heat_split(power: npt.ArrayLike, liquid_fraction: npt.ArrayLike):
    r"""
    Split rack heat between the liquid loop and the room air.

    All electrical power drawn by IT ends up as heat:

    .. math:: Q_{liq} = f_{liq} P, \qquad Q_{air} = (1 - f_{liq}) P

    Parameters
    ----------
    power : numeric
        Rack IT power [any power unit, e.g. kW].
    liquid_fraction : numeric
        Fraction of the heat captured by cold plates, 0-1 [-]. GB300 NVL72:
        ~0.90 per rack (0.85-0.95).

    Returns
    -------
    liquid : numeric
        Heat to the liquid loop [same unit as ``power``].
    air : numeric
        Heat to the room air [same unit as ``power``].

    References
    ----------
    .. [1] domain-facts section 1a, "Liquid vs air split" (OEM 90/10).
    """
    liquid = power * liquid_fraction
    return liquid, power - liquid


def coolant_flow(heat: npt.ArrayLike, delta_t: npt.ArrayLike,
                 cp: npt.ArrayLike, density: npt.ArrayLike):
    r"""
    Volumetric coolant flow needed to carry a heat load at a given range.

    .. math:: \dot V = \frac{Q}{\rho\, c_p\, \Delta T} \cdot 60\,000

    (kJ/s over kg/m3 * kJ/(kg K) * K gives m3/s; times 1000 L/m3 and
    60 s/min gives L/min.)

    Parameters
    ----------
    heat : numeric
        Heat load [kW].
    delta_t : numeric
        Coolant temperature rise, return minus supply [K].
    cp : numeric
        Specific heat capacity of the coolant [kJ/(kg K)].
    density : numeric
        Coolant density [kg/m3].

    Returns
    -------
    flow : numeric
        Volumetric flow [L/min].

    Notes
    -----
    142 kW at 10 K needs ~205 L/min of water and ~212 L/min of PG25 at
    35 degC (domain-facts section 2d).

    See Also
    --------
    planner.physics.fluids.fluid_properties
    """
    return heat / (density * cp * delta_t) * 60_000.0


def facility_water_supply(max_coolant_supply: npt.ArrayLike,
                          cdu_approach: npt.ArrayLike):
    r"""
    Highest facility-water supply temperature that still meets the rack limit.

    The CDU's liquid-to-liquid exchanger delivers technology-coolant (TCS)
    supply no colder than facility water (FWS) plus its approach:

    .. math:: T_{FWS} = T_{TCS,max} - \Delta T_{CDU}

    Parameters
    ----------
    max_coolant_supply : numeric
        Maximum TCS supply temperature accepted by the racks [degC]
        (GB300: 45, ASHRAE W45).
    cdu_approach : numeric
        CDU approach temperature difference, TCS supply - FWS supply [K]
        (3-5 K).

    Returns
    -------
    supply : numeric
        Maximum facility-water supply temperature [degC].

    References
    ----------
    .. [1] domain-facts section 2a (OCP Deschutes 3 K, Vertiv CoolChip 4 K,
       CoolIT CHx2000 5 K).
    """
    return max_coolant_supply - cdu_approach


def approach_capacity_factor(loop_supply: npt.ArrayLike,
                             air_temperature: npt.ArrayLike,
                             rated_approach: npt.ArrayLike,
                             max_factor: npt.ArrayLike):
    r"""
    Capacity of a heat-rejection module relative to its rating, per hour.

    .. math::

        f = \mathrm{clip}\left(\frac{T_{loop} - T_{air}}{\Delta T_{rated}},
                               0, f_{max}\right)

    Assumptions: the fluid range (inlet minus outlet) and the airflow are
    fixed at their rated values, so the duty a module can reject at the
    required outlet temperature is proportional to the available approach
    (fluid outlet minus air inlet). At zero or negative approach it rejects
    nothing. Scaling with the approach rather than with the full inlet
    temperature difference (approach + range) under-states capacity below
    the rated approach and over-states it above, hence the cap ``max_factor``.

    Parameters
    ----------
    loop_supply : numeric
        Required fluid outlet (loop supply) temperature [degC].
    air_temperature : numeric
        Temperature of the air entering the coil [degC]: dry bulb for a dry
        cooler, :func:`adiabatic_effective_temperature` with pre-cooling,
        wet bulb for a cooling tower.
    rated_approach : numeric
        Approach at which the rated capacity is quoted [K]; median 10 K for
        dry coolers, 5 K for open towers.
    max_factor : numeric
        Upper bound of the factor [-], e.g. 1.5.

    Returns
    -------
    factor : numeric
        Available capacity as a fraction of rated capacity [-].

    References
    ----------
    .. [1] MDPI Energies 2023, 16(9):3661, https://doi.org/10.3390/en16093661
       (approach medians over 6,730 catalogue models; domain-facts 3a).
    """
    return np.clip((loop_supply - air_temperature) / rated_approach,
                   0.0, max_factor)


def adiabatic_effective_temperature(dry_bulb: npt.ArrayLike,
                                    wet_bulb: npt.ArrayLike,
                                    effectiveness: npt.ArrayLike):
    r"""
    Air temperature leaving an evaporative pre-cooling pad.

    .. math:: T_{eff} = T_{db} - \varepsilon\,(T_{db} - T_{wb})

    Parameters
    ----------
    dry_bulb : numeric
        Ambient dry-bulb temperature [degC].
    wet_bulb : numeric
        Ambient wet-bulb temperature [degC].
    effectiveness : numeric
        Saturation effectiveness of the pad, typically 0.7-0.9 [-].

    Returns
    -------
    temperature : numeric
        Air temperature entering the coil [degC].

    References
    ----------
    .. [1] domain-facts section 3a, "Adiabatic / hybrid dry cooler" (wet mode
       cools to within ~6 K of ambient wet bulb).
    """
    return dry_bulb - effectiveness * (dry_bulb - wet_bulb)


def carnot_fraction_cop(evaporating: npt.ArrayLike, condensing: npt.ArrayLike,
                        carnot_fraction: npt.ArrayLike,
                        max_cop: npt.ArrayLike):
    r"""
    Chiller coefficient of performance as a fraction of the Carnot COP.

    .. math::

        COP = \min\left(\eta \frac{T_{evap}}{T_{cond} - T_{evap}},
                        COP_{max}\right)

    with temperatures in kelvin (degC + 273.15). Where the lift
    :math:`T_{cond} - T_{evap}` is zero or negative the result is
    ``max_cop``. NaN inputs give NaN.

    Parameters
    ----------
    evaporating : numeric
        Evaporating (or leaving chilled-water) temperature [degC].
    condensing : numeric
        Condensing (or leaving condenser-water) temperature [degC].
    carnot_fraction : numeric
        Second-law efficiency eta [-]: 0.60-0.68 water-cooled centrifugal,
        0.45-0.55 air-cooled.
    max_cop : numeric
        Cap on the COP at small or negative lift [-].

    Returns
    -------
    cop : numeric
        Cooling COP, heat removed per unit electricity [-].

    References
    ----------
    .. [1] domain-facts section 3a, "Chiller COP vs lift" (eta back-solved
       from the York YT and Carrier 19XR datasets of the Modelica Buildings
       library).
    """
    t_evap = np.asarray(evaporating, dtype=float) + KELVIN_OFFSET
    lift = np.asarray(condensing, dtype=float) + KELVIN_OFFSET - t_evap
    with np.errstate(divide="ignore", invalid="ignore"):
        cop = np.minimum(carnot_fraction * t_evap / lift, max_cop)
    return np.where(lift <= 0.0, max_cop, cop)[()]


def evaporated_water(heat: npt.ArrayLike, latent_heat: npt.ArrayLike = 2400.0,
                     blowdown_fraction: npt.ArrayLike = 0.0):
    r"""
    Water consumed by evaporative heat rejection.

    .. math:: W = \frac{3600\, Q}{h_{fg}} (1 + b)

    (1 kWh = 3600 kJ; 1 kg of water = 1 L.)

    Parameters
    ----------
    heat : numeric
        Heat rejected by evaporation [kWh].
    latent_heat : numeric, default 2400
        Latent heat of vaporisation of water [kJ/kg].
    blowdown_fraction : numeric, default 0
        Blowdown (and drift) as a fraction of the evaporated water [-];
        0.2-0.5 for open towers.

    Returns
    -------
    water : numeric
        Water consumed [L].

    References
    ----------
    .. [1] domain-facts section 3a, "Open wet cooling tower": ~1.5 L/kWh
       evaporated, 1.8-2.2 L/kWh with blowdown.
    """
    return heat * _KJ_PER_KWH / latent_heat * (1.0 + blowdown_fraction)
