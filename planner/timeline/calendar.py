"""Periods of a timeline and the market paths over them: pure functions, no I/O.

Times are in years from the timeline's start (a year is 365 days, as the 8760-hour year of the
operating model). Cash flows of operation fall at the middle of their period, capex and sales at
its start, the terminal value at the end of the horizon.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DAYS_PER_YEAR = 365.0
MONTHS = {"quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Period:
    """One period of a timeline: ``start`` inclusive, ``end`` exclusive."""

    index: int
    label: str
    start: dt.date
    end: dt.date
    t_start: float  # [year] from the timeline's start
    years: float  # [year] length

    @property
    def t_mid(self) -> float:
        return self.t_start + self.years / 2.0

    @property
    def t_end(self) -> float:
        return self.t_start + self.years

    @property
    def months(self) -> tuple[int, ...]:
        """Calendar months with at least one day in the period."""
        out, day = [], self.start
        while day < self.end:
            if day.month not in out:
                out.append(day.month)
            day = add_months(dt.date(day.year, day.month, 1), 1)
        return tuple(sorted(out))


def add_months(day: dt.date, n: int) -> dt.date:
    """``day`` moved by ``n`` calendar months (the day of month clipped to the month's length)."""
    month0 = day.month - 1 + n
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = (add_months_first(year, month) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def add_months_first(year: int, month: int) -> dt.date:
    """The first day of the month after ``year``-``month``."""
    return dt.date(year + month // 12, month % 12 + 1, 1)


def _label(start: dt.date, kind: str) -> str:
    if start.day == 1 and kind == "quarter" and start.month % 3 == 1:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if start.day == 1 and kind == "half" and start.month in (1, 7):
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    if start.day == 1 and kind == "year" and start.month == 1:
        return str(start.year)
    return start.isoformat()


def periods(start: dt.date, end: dt.date, kind: str = "quarter") -> list[Period]:
    """Consecutive periods of ``kind`` from ``start`` until one covers ``end``.

    Parameters
    ----------
    start, end : datetime.date
        First and last day of the horizon.
    kind : {"quarter", "half", "year"}
        Length of a period: 3, 6 or 12 calendar months.
    """
    out: list[Period] = []
    day = start
    while day <= end:
        nxt = add_months(start, MONTHS[kind] * (len(out) + 1))
        out.append(Period(len(out), _label(day, kind), day, nxt, (day - start).days / DAYS_PER_YEAR,
                          (nxt - day).days / DAYS_PER_YEAR))
        day = nxt
    return out


def discount_factor(rate: float, years: npt.ArrayLike) -> np.ndarray:
    r"""Present value of 1 paid after ``years``.

    .. math:: DF = (1 + r)^{-t}

    Parameters
    ----------
    rate : float
        Discount rate [1/year].
    years : array_like
        Time from the start [year].
    """
    return np.power(1.0 + rate, -np.asarray(years, dtype=float))


def grown(value: float, rate: float, years: npt.ArrayLike) -> np.ndarray:
    r"""A value changing at a constant share per year: :math:`v (1 + g)^t`.

    Parameters
    ----------
    value : float
        Value at the start.
    rate : float
        Change per year [1/year]; negative for a fall.
    years : array_like
        Time from the start [year].
    """
    return value * np.power(1.0 + rate, np.asarray(years, dtype=float))


def declined(value: float, rate: float, years: npt.ArrayLike) -> np.ndarray:
    r"""A price falling by a constant share per year: :math:`v (1 - d)^t`.

    Parameters
    ----------
    value : float
        Price at the start.
    rate : float
        Fall per year [1/year], >= 0.
    years : array_like
        Time from the start [year].
    """
    return value * np.power(1.0 - rate, np.asarray(years, dtype=float))


def mean_block_subsidy(subsidy: float, halving: dt.date | None, start: dt.date, end: dt.date) -> float:
    r"""Block subsidy averaged over the days from ``start`` to ``end`` (exclusive), halved from ``halving`` on.

    .. math:: \bar B = B \left(1 - \tfrac{f}{2}\right)

    with :math:`f` the share of the days on or after the halving. Bitcoin halves the subsidy every
    210,000 blocks; the next (block 1,050,000) takes it from 3.125 to 1.5625 BTC.

    Parameters
    ----------
    subsidy : float
        Subsidy before the halving [BTC per block].
    halving : datetime.date or None
        Date of the halving; None: none in the horizon.
    start, end : datetime.date
        The period.
    """
    days = (end - start).days
    if halving is None or days <= 0:
        return subsidy
    after = min(max((end - max(halving, start)).days, 0), days)
    return subsidy * (1.0 - 0.5 * after / days)


def value_left(rate: float, life: float, age: float, rule: str) -> float:
    r"""Share of an asset's price still to be recovered after ``age`` of its economic ``life``.

    ``"annuity"``: the capital recovery not yet earned when the asset repays its price as an
    annuity over its life (the annualised capex of the steady-state plan),

    .. math:: f = \frac{1 - (1 + r)^{-(L - a)}}{1 - (1 + r)^{-L}}

    (:math:`1 - a/L` at :math:`r = 0`); ``"book_value"``: straight-line depreciation,
    :math:`f = 1 - a/L`; ``"none"``: 0. Never below 0.

    Parameters
    ----------
    rate : float
        Discount rate [1/year].
    life, age : float
        Economic life and age at the end of the horizon [year].
    rule : {"annuity", "book_value", "none"}
    """
    left = max(0.0, life - age)
    if rule == "none" or life <= 0:
        return 0.0
    if rule == "book_value" or rate <= 0:
        return left / life
    return (1.0 - (1.0 + rate) ** -left) / (1.0 - (1.0 + rate) ** -life)


def irr(times: npt.ArrayLike, cash: npt.ArrayLike) -> float | None:
    r"""Internal rate of return: the annual rate :math:`r` at which :math:`\sum_i CF_i (1 + r)^{-t_i} = 0`.

    Found by bisection on [-99 %, 1000 %]; None when the cash flows do not change sign there.

    Parameters
    ----------
    times : array_like
        Time of each cash flow [year].
    cash : array_like
        Cash flows (any currency unit), negative for outflows.
    """
    t = np.asarray(times, dtype=float)
    c = np.asarray(cash, dtype=float)

    def npv(rate: float) -> float:
        return float(np.sum(c * np.power(1.0 + rate, -t)))

    lo, hi = -0.99, 10.0
    f_lo, f_hi = npv(lo), npv(hi)
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo * f_hi > 0:
        return None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = npv(mid)
        if f_lo * f_mid <= 0:
            hi = mid
        else:
            lo, f_lo = mid, f_mid
        if hi - lo < 1e-10:
            break
    return 0.5 * (lo + hi)


def payback(t_end: npt.ArrayLike, cumulative: npt.ArrayLike, t_start: npt.ArrayLike) -> float | None:
    """Years from the start until the cumulative cash turns non-negative for good, interpolated
    linearly within the period it happens in; None if it never does.

    Parameters
    ----------
    t_end, t_start : array_like
        End and start of each period [year].
    cumulative : array_like
        Cumulative cash at the end of each period.
    """
    cum = np.asarray(cumulative, dtype=float)
    ends, starts = np.asarray(t_end, dtype=float), np.asarray(t_start, dtype=float)
    negative = np.nonzero(cum < 0)[0]
    if negative.size == 0:
        return 0.0
    last = int(negative[-1])
    if last == cum.size - 1:
        return None
    before, after = cum[last], cum[last + 1]
    share = -before / (after - before)
    return float(starts[last + 1] + share * (ends[last + 1] - starts[last + 1]))


__all__ = ["Period", "periods", "discount_factor", "grown", "declined", "mean_block_subsidy", "value_left", "irr", "payback"]
