"""Electrical chain from the utility meter to the loads.

GPU racks sit behind the UPS, so their power passes through both the UPS
and the transformer. Miners and the cooling plant (dry-cooler fans, chillers,
pumps) are fed from the transformer directly, without UPS losses. A
mechanical load that needs ride-through (e.g. CDU pumps on UPS) belongs in
``it_on_ups``.
"""

import numpy.typing as npt


def chain_factor(ups_efficiency: npt.ArrayLike,
                 transformer_efficiency: npt.ArrayLike):
    r"""
    Meter power per unit of power delivered behind the UPS.

    .. math:: k_{UPS} = \frac{1}{\eta_{UPS}\, \eta_{tx}}

    Parameters
    ----------
    ups_efficiency : numeric
        UPS efficiency, 0-1 [-]: double conversion 0.94-0.96, eco mode
        0.98-0.99.
    transformer_efficiency : numeric
        Transformer efficiency, 0-1 [-].

    Returns
    -------
    factor : numeric
        Meter power over delivered power [-].

    References
    ----------
    .. [1] domain-facts section 5e, "UPS efficiency" (aidatacenterguide
       ch. 15.2).
    """
    return off_ups_factor(transformer_efficiency) / ups_efficiency


def off_ups_factor(transformer_efficiency: npt.ArrayLike):
    r"""
    Meter power per unit of power delivered to a load not on the UPS.

    .. math:: k_{tx} = \frac{1}{\eta_{tx}}

    Parameters
    ----------
    transformer_efficiency : numeric
        Transformer efficiency, 0-1 [-].

    Returns
    -------
    factor : numeric
        Meter power over delivered power [-].
    """
    return 1.0 / transformer_efficiency


def grid_draw(it_on_ups: npt.ArrayLike, it_off_ups: npt.ArrayLike,
              mechanical: npt.ArrayLike, ups_efficiency: npt.ArrayLike,
              transformer_efficiency: npt.ArrayLike):
    r"""
    Power drawn at the utility meter.

    .. math::

        P_{grid} = \frac{P_{IT,UPS} / \eta_{UPS} + P_{IT,direct}
                         + P_{mech}}{\eta_{tx}}

    Parameters
    ----------
    it_on_ups : numeric
        Load behind the UPS, e.g. GPU racks [any one power unit].
    it_off_ups : numeric
        IT load fed without UPS, e.g. Bitcoin miners [same unit].
    mechanical : numeric
        Cooling and other mechanical load not on UPS [same unit].
    ups_efficiency : numeric
        UPS efficiency, 0-1 [-].
    transformer_efficiency : numeric
        Transformer efficiency, 0-1 [-].

    Returns
    -------
    power : numeric
        Power at the meter [same unit as the loads].

    References
    ----------
    .. [1] domain-facts section 5e, "UPS efficiency".
    """
    return (it_on_ups * chain_factor(ups_efficiency, transformer_efficiency)
            + (it_off_ups + mechanical) * off_ups_factor(transformer_efficiency))
