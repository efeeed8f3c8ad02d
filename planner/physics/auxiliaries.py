"""Auxiliary loads of the cooling plant: pumps from flow and head, fans by the affinity law.

Pure vectorised functions: inputs are floats or NumPy arrays in the units
given in brackets; no pint quantities.
"""

import numpy as np
import numpy.typing as npt

G = 9.80665  # standard gravity [m/s^2]


def pump_power(flow: npt.ArrayLike, head: npt.ArrayLike, density: npt.ArrayLike,
               efficiency: npt.ArrayLike):
    r"""
    Electric power of a pump delivering a flow against a head.

    .. math:: P = \frac{\rho\, g\, \dot V\, H}{\eta}

    Parameters
    ----------
    flow : numeric
        Volume flow [m^3/s].
    head : numeric
        Pump head [m of the pumped fluid].
    density : numeric
        Fluid density [kg/m^3].
    efficiency : numeric
        Wire-to-water efficiency (motor, drive and pump), 0-1 [-].

    Returns
    -------
    power : numeric
        Electric power [W].

    References
    ----------
    .. [1] domain-facts-2 section 2a: facility-water pumps 15-30 m head,
       wire-to-water 60-70 %, 6-12 W per kW of heat; condenser-water pumps
       2.4-3.0 gpm/ton at 10-21 m head.
    """
    return density * G * np.asarray(flow, dtype=float) * head / efficiency


def pump_power_per_heat(head: npt.ArrayLike, delta_t: npt.ArrayLike, cp: npt.ArrayLike,
                        efficiency: npt.ArrayLike):
    r"""
    Pump power per unit of heat carried by a loop at a given temperature range.

    The flow that carries heat :math:`Q` at range :math:`\Delta T` is
    :math:`\dot V = Q / (\rho c_p \Delta T)`; with :func:`pump_power` the
    density cancels:

    .. math:: \frac{P}{Q} = \frac{g\, H}{c_p\, \Delta T\, \eta}

    Parameters
    ----------
    head : numeric
        Pump head [m].
    delta_t : numeric
        Loop temperature range, return minus supply [K].
    cp : numeric
        Specific heat capacity of the fluid [kJ/(kg K)].
    efficiency : numeric
        Wire-to-water efficiency, 0-1 [-].

    Returns
    -------
    ratio : numeric
        Electric power per heat carried [W/W, i.e. MW/MW].

    References
    ----------
    .. [1] domain-facts-2 section 2a (P = m_dot dp / (rho eta)).
    """
    return G * np.asarray(head, dtype=float) / (np.asarray(cp, dtype=float) * 1000.0 * delta_t * efficiency)


def fan_power_affinity(load_fraction: npt.ArrayLike, rated_power: npt.ArrayLike):
    r"""
    Fan power at part airflow by the fan affinity law.

    With airflow proportional to fan speed and power to its cube:

    .. math:: P = P_r\, x^3, \qquad x = \dot V / \dot V_r \in [0, 1]

    A heat-rejection module whose duty is limited by its airflow needs the
    airflow share :math:`x = Q / Q_{full}(T_{amb})`, with :math:`Q_{full}` the
    heat it rejects with its fans flat out at that hour's ambient.

    Parameters
    ----------
    load_fraction : numeric
        Airflow as a share of full speed, clipped to 0-1 [-].
    rated_power : numeric
        Fan power at full speed [any power unit].

    Returns
    -------
    power : numeric
        Fan power [same unit as ``rated_power``].

    References
    ----------
    .. [1] domain-facts-2 section 2b: flow ~ speed, power ~ speed^3
       (70 % speed -> 34 % power; 50 % -> 12.5 %).
    """
    x = np.clip(np.asarray(load_fraction, dtype=float), 0.0, 1.0)
    return rated_power * x ** 3


def cube_chords(segments: int = 4):
    r"""
    Chords of :math:`x^3` on [0, 1], a convex piecewise-linear upper bound.

    The interpolant of a convex function through breakpoints
    :math:`x_k = k / n` is convex and equals the largest of its chords, so an
    LP carries :math:`y \ge a_k x + b_k` for every chord. It never
    under-estimates :math:`x^3`; its largest over-estimate is
    :math:`\max_k \max_{x}(a_k x + b_k - x^3)`, returned for the report.

    Parameters
    ----------
    segments : int
        Number of equal segments on [0, 1] [-].

    Returns
    -------
    slopes, intercepts : ndarray
        Chord lines :math:`a_k x + b_k` [-].
    tolerance : float
        Largest over-estimate of :math:`x^3` on [0, 1], as a share of the
        full-speed power [-].
    """
    x = np.linspace(0.0, 1.0, segments + 1)
    y = x ** 3
    slopes = np.diff(y) / np.diff(x)
    intercepts = y[:-1] - slopes * x[:-1]
    # on each chord the gap a x + b - x^3 is largest where 3 x^2 = a
    xs = np.clip(np.sqrt(slopes / 3.0), x[:-1], x[1:])
    tolerance = float(np.max(slopes * xs + intercepts - xs ** 3))
    return slopes, intercepts, tolerance


def chord_fan_power(load_fraction: npt.ArrayLike, rated_power: npt.ArrayLike, segments: int = 4):
    r"""
    Fan power as the optimiser charges it: the largest chord of :func:`cube_chords`.

    .. math:: P = P_r \max_k (a_k x + b_k) \ge P_r x^3

    Parameters
    ----------
    load_fraction : numeric
        Airflow as a share of full speed, 0-1 [-].
    rated_power : numeric
        Fan power at full speed [any power unit].
    segments : int
        Chord segments on [0, 1] [-].

    Returns
    -------
    power : numeric
        Fan power [same unit as ``rated_power``].
    """
    slopes, intercepts, _ = cube_chords(segments)
    x = np.clip(np.asarray(load_fraction, dtype=float), 0.0, 1.0)
    return rated_power * np.max(np.multiply.outer(x, slopes) + intercepts, axis=-1)


def loss_with_no_load(power: npt.ArrayLike, rating: npt.ArrayLike, efficiency: npt.ArrayLike,
                      no_load_loss: npt.ArrayLike):
    r"""
    Input power of a UPS or transformer with a no-load loss and a proportional loss.

    .. math:: P_{in} = \frac{P_{out}}{\eta} + f_0\, S

    so the efficiency at part load :math:`P_{out}/P_{in}` falls as the load
    falls: at 25 % load and :math:`f_0 = 1\%` it is about 4 points below
    :math:`\eta`.

    Parameters
    ----------
    power : numeric
        Output power [MW].
    rating : numeric
        Rating of the equipment [MW].
    efficiency : numeric
        Efficiency of the load-dependent part, 0-1 [-].
    no_load_loss : numeric
        Loss with no load, as a share of the rating [-].

    Returns
    -------
    power_in : numeric
        Input power [MW].

    References
    ----------
    .. [1] domain-facts-2 section 2d: UPS efficiency falls sharply below
       ~25 % load; transformer no-load loss 0.1-0.2 % of rating.
    """
    return np.asarray(power, dtype=float) / efficiency + no_load_loss * rating
