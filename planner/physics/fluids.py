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
    name = _BY_LOWER_NAME.get(str(fluid).lower())
    if name is None:
        raise ValueError(
            f"unknown fluid {fluid!r}; known fluids: {', '.join(_FLUIDS)}")
    cp, density = _FLUIDS[name]
    return (np.interp(temperature, _TABLE_TEMPERATURES, cp),
            np.interp(temperature, _TABLE_TEMPERATURES, density))
