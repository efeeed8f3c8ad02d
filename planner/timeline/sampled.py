"""The NPV of a solved timeline's build schedule under other markets: its operation re-solved.

With every integer decision of the timeline fixed (racks, GPU-hour and lease units, CDUs, modules,
air-side units, miners owned, bought and installed, per period), the timeline is a linear programme
over the operation of each period's model hours. Sampled market levels enter its objective linearly:

- the hashprice (BTC price / difficulty) scales the mining revenue of every period;
- the energy price scales the energy bought in every period, and the power a tenant pays back;
- the GPU-hour price and the utilisation scale the GPU-hour revenue of every cohort (a constant of
  the LP, since the units are fixed);
- leases (contracted), capex, sales of miners and the terminal value do not change.

A sample's factors apply to the whole horizon: the paths of the timeline (growth, decline, the
halving) keep their shape and move by that level. :class:`TimelineNPV` keeps the cost vector split
into those parts on HiGHS's own model and re-solves it from the nominal basis for each sample.
"""

from __future__ import annotations

import numpy as np
import pulp

from planner.model import value_of
from planner.solve import as_lp, solve
from planner.timeline.calendar import discount_factor
from planner.timeline.model import cash_time
from planner.timeline.run import TimelineRun


def _discounted(run: TimelineRun, key: str) -> pulp.LpAffineExpression:
    """One cash part of every period, discounted to the start [kUSD]."""
    tin, tm = run.tin, run.model
    out = pulp.LpAffineExpression()
    for p, pi in enumerate(tin.periods):
        out += float(discount_factor(tin.discount_rate, cash_time(pi.period, key))) * tm.parts[p][key]
    return out


class TimelineNPV:
    """The operation LP of a solved timeline (integers fixed), built once; :meth:`npv` per sample."""

    def __init__(self, run: TimelineRun):
        import highspy

        tm = run.model
        self.run = run
        self.integers = [v for v in tm.prob.variables() if v.cat == pulp.LpInteger]
        saved = [(v, v.lowBound, v.upBound, v.cat) for v in self.integers]
        try:
            for v in self.integers:
                v.lowBound = v.upBound = round(v.varValue or 0.0)
            first = solve(tm, mip_gap=None)
            h = tm.prob.solverModel
            if first.status != "optimal" or not isinstance(h, highspy.Highs):
                raise RuntimeError(f"the timeline's operation has no optimum: {first.status} ({first.detail})")
            self.variables = tm.prob.variables()
            n = len(self.variables)
            self.columns = np.arange(n, dtype=np.int32)

            def vector(expr: pulp.LpAffineExpression) -> np.ndarray:
                out = np.zeros(n)
                for var, c in expr.items():
                    out[var.index] += c
                return out

            self.cost = vector(tm.prob.objective)
            self.mining = vector(_discounted(run, "mining_revenue"))
            self.energy = vector(_discounted(run, "energy_cost"))  # negative: a cost
            # constants of the LP (their units are fixed): GPU-hour revenue and power paid back
            self.gpu = value_of(_discounted(run, "gpu_revenue"))
            self.power = value_of(_discounted(run, "power_passed_through"))
            self.constant = float(tm.prob.objective.constant)
            self.basis = as_lp(h, n)
            self.highs = h
            self.nominal = self._objective()
        finally:
            for v, lo, hi, cat in saved:
                v.lowBound, v.upBound, v.cat = lo, hi, cat

    def _objective(self) -> float:
        return float(np.dot(self.cost, self.highs.getSolution().col_value)) + self.constant

    def npv(self, hashprice: float = 1.0, energy_price: float = 1.0, gpu_revenue: float = 1.0) -> float:
        """NPV [MUSD] of the build schedule with the market levels scaled, its operation re-optimised.

        Parameters
        ----------
        hashprice, energy_price : float
            Factors on every period's hashprice and energy price [-].
        gpu_revenue : float
            Factor on the GPU-hour revenue (price factor times the ratio of utilisations) [-].
        """
        import highspy

        cost = self.cost + (hashprice - 1.0) * self.mining + (energy_price - 1.0) * self.energy
        h = self.highs
        h.changeColsCost(len(cost), self.columns, -cost)  # PuLP hands HiGHS the negated maximisation
        h.setBasis(self.basis)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return float("nan")
        lp = float(np.dot(cost, h.getSolution().col_value)) + self.constant
        return (lp + (gpu_revenue - 1.0) * self.gpu + (energy_price - 1.0) * self.power) / 1e3


__all__ = ["TimelineNPV"]
