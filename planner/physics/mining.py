"""Bitcoin mining economics and the thermal limits of ASIC miners."""

import numpy as np
import numpy.typing as npt

_SECONDS_PER_DAY = 86_400.0
_HASHES_PER_DIFFICULTY = 2.0**32  # expected hashes per block at difficulty 1
_HASHES_PER_PH = 1e15


def hashprice(btc_price: npt.ArrayLike, difficulty: npt.ArrayLike,
              block_subsidy: npt.ArrayLike, fees_per_block: npt.ArrayLike,
              pool_fee: npt.ArrayLike = 0.0):
    r"""
    Expected mining revenue per unit of hash rate per day.

    A block takes :math:`D \cdot 2^{32}` hashes on average, so 1 PH/s earns

    .. math::

        HP = (B_{sub} + B_{fee})(1 - f_{pool})\, P_{BTC}
             \frac{86\,400 \cdot 10^{15}}{D \cdot 2^{32}}

    Parameters
    ----------
    btc_price : numeric
        Bitcoin price [USD/BTC].
    difficulty : numeric
        Network difficulty [-], e.g. 148.26e12.
    block_subsidy : numeric
        Block subsidy [BTC/block]; 3.125 until the ~2028 halving.
    fees_per_block : numeric
        Average transaction fees per block [BTC/block].
    pool_fee : numeric, default 0
        Pool fee as a fraction of revenue, 0-1 [-].

    Returns
    -------
    hashprice : numeric
        Revenue [USD/(PH/s)/day].

    Notes
    -----
    12 Jan 2026: D = 148.26e12, BTC 91,132 USD, 3.142 BTC/block gives
    ~38.9 USD/PH/day against Luxor's published 39.53.

    References
    ----------
    .. [1] domain-facts section 4b (hashprice formula; Hashrate Index
       roundup 12 Jan 2026).
    """
    reward_usd = (block_subsidy + fees_per_block) * (1.0 - pool_fee) * btc_price
    blocks_per_ph_day = (_SECONDS_PER_DAY * _HASHES_PER_PH
                         / (difficulty * _HASHES_PER_DIFFICULTY))
    return reward_usd * blocks_per_ph_day


def mining_revenue_per_mwh(hashprice_usd_per_ph_day: npt.ArrayLike,
                           efficiency_j_per_th: npt.ArrayLike):
    r"""
    Mining revenue per unit of electricity consumed by the miners.

    1 MW at :math:`e` J/TH hashes at :math:`10^6/e` TH/s = :math:`10^3/e`
    PH/s, so one hour (1 MWh) earns

    .. math:: R = \frac{HP}{24} \cdot \frac{10^3}{e}

    Parameters
    ----------
    hashprice_usd_per_ph_day : numeric
        Hashprice [USD/(PH/s)/day].
    efficiency_j_per_th : numeric
        Miner energy efficiency [J/TH].

    Returns
    -------
    revenue : numeric
        Revenue [USD/MWh].

    Notes
    -----
    39.5 USD/PH/day at 12 J/TH gives ~137 USD/MWh.

    References
    ----------
    .. [1] domain-facts section 4c, "Derived at $39.5/PH/day".
    """
    return hashprice_usd_per_ph_day / 24.0 * 1e3 / efficiency_j_per_th


def strike_price(hashprice_usd_per_ph_day: npt.ArrayLike,
                 efficiency_j_per_th: npt.ArrayLike,
                 variable_opex: npt.ArrayLike = 0.0):
    r"""
    Power price above which running a miner loses money.

    .. math:: p^* = R - c_{var}

    with :math:`R` from :func:`mining_revenue_per_mwh`.

    Parameters
    ----------
    hashprice_usd_per_ph_day : numeric
        Hashprice [USD/(PH/s)/day].
    efficiency_j_per_th : numeric
        Miner energy efficiency [J/TH].
    variable_opex : numeric, default 0
        Variable cost other than electricity, per MWh consumed [USD/MWh].

    Returns
    -------
    price : numeric
        Break-even power price [USD/MWh].

    References
    ----------
    .. [1] domain-facts section 4c (breakevens, Hashrate Index roundup
       1 Apr 2024).
    """
    return (mining_revenue_per_mwh(hashprice_usd_per_ph_day,
                                   efficiency_j_per_th) - variable_opex)


def efficiency(power: npt.ArrayLike, hashrate: npt.ArrayLike):
    r"""
    Miner energy efficiency.

    .. math:: e = P / H \qquad (\mathrm{W} / (\mathrm{TH/s}) = \mathrm{J/TH})

    Parameters
    ----------
    power : numeric
        Electrical power [W].
    hashrate : numeric
        Hash rate [TH/s].

    Returns
    -------
    efficiency : numeric
        Energy per unit of work [J/TH].

    References
    ----------
    .. [1] domain-facts section 4a (S21 XP Hyd: 5,676 W, 473 TH/s, 12 J/TH).
    """
    return power / hashrate


def air_miner_derate(inlet_temperature: npt.ArrayLike,
                     derate_start: float, shutdown: float):
    r"""
    Fraction of nameplate hash rate an air-cooled miner delivers.

    .. math::

        f = \mathrm{clip}\left(\frac{T_{sd} - T_{in}}{T_{sd} - T_{start}},
                               0, 1\right)

    1 up to ``derate_start``, falling linearly to 0 at ``shutdown``, 0 beyond.

    Parameters
    ----------
    inlet_temperature : numeric
        Air inlet temperature, e.g. hourly dry bulb [degC].
    derate_start : float
        Temperature above which the miner throttles [degC]; S21: 40.
    shutdown : float
        Temperature at which the miner stops [degC]; S21: ~47.

    Returns
    -------
    fraction : numeric
        Available fraction of nameplate hash rate and power [-].

    Raises
    ------
    ValueError
        If ``shutdown`` is not above ``derate_start``.

    References
    ----------
    .. [1] domain-facts section 4a, Antminer S21 (hackernoon, BTCWire test).
    """
    if not shutdown > derate_start:
        raise ValueError(f"shutdown ({shutdown}) must exceed derate_start "
                         f"({derate_start})")
    return np.clip((shutdown - inlet_temperature) / (shutdown - derate_start),
                   0.0, 1.0)


def hydro_miner_allowed(loop_supply: npt.ArrayLike,
                        max_coolant_inlet: npt.ArrayLike):
    r"""
    Whether a hydro-cooled miner may run on the loop, per hour.

    .. math:: T_{loop} \le T_{in,max}

    Parameters
    ----------
    loop_supply : numeric
        Coolant supply temperature offered to the miner [degC].
    max_coolant_inlet : numeric
        Highest coolant inlet the miner accepts [degC]; ~35-40 for S21 Hyd.

    Returns
    -------
    allowed : bool or numpy.ndarray of bool
        True where the miner can run.

    References
    ----------
    .. [1] domain-facts section 4a, "Hydro miner coolant inlet" (20-40 degC).
    """
    return np.less_equal(loop_supply, max_coolant_inlet)
