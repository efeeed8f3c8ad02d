"""Thermophysical properties of the coolants used in the liquid loops."""

import numpy as np
import numpy.typing as npt

# Table temperatures [degC] and, per fluid, (cp [kJ/(kg K)], density [kg/m3])
# at those temperatures. Source: Airedale DeltaChill manual, glycol data p. 53,
# as tabulated in domain-facts section 2d.
_TABLE_TEMPERATURES = np.array([25.0, 35.0, 45.0])
_FLUIDS = {
    "water": (np.array([4.18, 4.18, 4.18]), np.array([997.0, 994.0, 990.2])),
    "PG25": (np.array([3.92, 3.95, 3.97]), np.array([1021.5, 1016.8, 1011.6])),
    "PG30": (np.array([3.86, 3.89, 3.92]), np.array([1026.1, 1021.1, 1015.6])),
}
_BY_LOWER_NAME = {name.lower(): name for name in _FLUIDS}


def _fluid_name(fluid: str) -> str:
    """The table's name of ``fluid`` (case ignored); ValueError naming the known fluids otherwise."""
    name = _BY_LOWER_NAME.get(str(fluid).lower())
    if name is None:
        raise ValueError(f"unknown fluid {fluid!r}; known fluids: {', '.join(_FLUIDS)}")
    return name


def fluid_properties(fluid: str, temperature: npt.ArrayLike):
    r"""
    Specific heat capacity and density of a coolant.

    Linear interpolation in a three-point table (25, 35, 45 degC); outside
    that range the value at the nearest table end is returned (clamped).

    Parameters
    ----------
    fluid : str
        ``"water"``, ``"PG25"`` or ``"PG30"`` (25 % / 30 % propylene glycol
        by mass). Matching ignores case. [-]
    temperature : numeric
        Fluid temperature [degC].

    Returns
    -------
    cp : numeric
        Specific heat capacity [kJ/(kg K)].
    density : numeric
        Density [kg/m3].

    Raises
    ------
    ValueError
        If ``fluid`` is not in the table; the message lists the known fluids.

    References
    ----------
    .. [1] Airedale, "DeltaChill chiller manual", glycol data, p. 53
       (domain-facts section 2d).
    """
    cp, density = _FLUIDS[_fluid_name(fluid)]
    return (np.interp(temperature, _TABLE_TEMPERATURES, cp),
            np.interp(temperature, _TABLE_TEMPERATURES, density))


# Glycol mass fraction of each fluid, and the duty of a coil or heat exchanger against its rating with water
# at 0, 20 and 30 % propylene glycol. Source: Airedale DeltaChill manual, glycol data p. 53 (domain-facts 2d).
_GLYCOL_FRACTION = {"water": 0.0, "PG25": 0.25, "PG30": 0.30}
_DUTY_FRACTIONS = np.array([0.0, 0.20, 0.30])
_DUTY_FACTORS = np.array([1.0, 0.95, 0.91])


def glycol_duty_factor(fluid: str, rated_with: str = "water") -> float:
    r"""
    Duty of a heat exchanger (coil, evaporator, plate exchanger) with ``fluid`` against its rating.

    Catalogue ratings are given with water; propylene glycol carries heat less well (lower
    :math:`c_p` and conductivity, higher viscosity), so the same unit rejects less:

    .. math:: Q_{fluid} = Q_{rated} \, \frac{f(x_{fluid})}{f(x_{rated})}

    with :math:`f` the catalogue correction at glycol mass fraction :math:`x`: 1 for water,
    0.95 at 20 % and 0.91 at 30 %, interpolated linearly (PG25: 0.93).

    Parameters
    ----------
    fluid : str
        Fluid in the exchanger: ``"water"``, ``"PG25"`` or ``"PG30"``. [-]
    rated_with : str
        Fluid of the rating, ``"water"`` for catalogue ratings. [-]

    Returns
    -------
    float
        Duty relative to the rating [-].

    References
    ----------
    .. [1] Airedale, "DeltaChill chiller manual", glycol data, p. 53: duty x0.95 / x0.91 at
       20 % / 30 % glycol (domain-facts section 2d).
    """
    fractions = [_GLYCOL_FRACTION[_fluid_name(name)] for name in (fluid, rated_with)]
    duty, rated = np.interp(fractions, _DUTY_FRACTIONS, _DUTY_FACTORS)
    return float(duty / rated)


_FREEZING_POINT = {"water": 0.0, "PG25": -9.6, "PG30": -12.7}


def freezing_point(fluid: str) -> float:
    r"""
    Temperature at which a coolant starts to freeze [degC].

    Parameters
    ----------
    fluid : str
        ``"water"``, ``"PG25"`` or ``"PG30"``. [-]

    Returns
    -------
    float
        Freezing point [degC]: 0, -9.6 and -12.7.

    References
    ----------
    .. [1] Airedale, "DeltaChill chiller manual", glycol data, p. 53 (domain-facts section 2d).
    """
    return _FREEZING_POINT[_fluid_name(fluid)]
