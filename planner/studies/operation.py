"""Operate one fixed design under sampled prices: the operation LP built once, re-solved per sample.

With every design decision fixed (racks, CDUs, heat-rejection modules, air-side units,
installed mining), the plan's model is a linear programme over the operation only: each
model hour's mining dispatch, heat per module, fans and the monthly peaks. The sampled
inputs enter that LP through its objective alone, and linearly:

- mining revenue per MWh is proportional to the hashprice, which is proportional to
  BTC price / difficulty (block reward and pool fee fixed): the dispatch columns' revenue
  is scaled by that factor;
- the energy price multiplies the grid draw of every hour: the columns of each hour's draw
  are scaled by the energy-price factor;
- GPU price and utilisation change the revenue of the fixed racks only, a constant of the LP.

So :class:`OperationLP` builds the model once per design (in each worker), keeps the cost
vector split into those parts, and per sample changes the costs through highspy
(``changeColsCost``) and re-solves from the nominal optimal basis, so every sample is
solved from the same start (results do not depend on which worker solved what before).
The dispatch found is then run for all 8760 hours by :func:`planner.audit.simulate` and
priced by :func:`planner.economics.evaluate` with the sampled inputs: the NOI of a sample
is computed exactly as `plan` computes a plan's NOI.

:func:`sample_figures` names the figures of one sample; another objective (an NPV over a
timeline) plugs in as one more entry of :data:`FIGURES`.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from planner.audit import Design, Operation, simulate
from planner.economics import Economics, evaluate
from planner.inputs import Inputs
from planner.model import K, build_model

#: Figure name -> (unit, function of the sampled inputs, design, operation and economics).
FIGURES: dict[str, tuple[str, Callable[[Inputs, Design, Operation, Economics], float]]] = {
    "noi": ("USD/yr", lambda inp, d, op, e: e.noi),
    "noi_less_annualised_capex": ("USD/yr", lambda inp, d, op, e: e.noi_less_annualised_capex),
    "gpu_revenue": ("USD/yr", lambda inp, d, op, e: e.gpu_revenue),
    "mining_revenue": ("USD/yr", lambda inp, d, op, e: e.mining_revenue),
    "energy_cost": ("USD/yr", lambda inp, d, op, e: e.energy_cost + e.demand_cost),
    "mining_energy": ("MWh/yr", lambda inp, d, op, e: float(sum(np.sum(v) for v in op.mining_power.values()))),
}


def fixed_decisions(design: Design) -> dict[str, float]:
    """A design as the ``fixed=`` decisions of :func:`planner.model.build_model`."""
    out: dict[str, float] = {}
    out.update({f"racks.{k}": v for k, v in design.racks.items()})
    out.update({f"cdus.{k}": v for k, v in design.cdus.items()})
    out.update({f"heat_rejection.{k}": v for k, v in design.modules.items()})
    out.update({f"air_side.{k}": v for k, v in design.air_units.items()})
    out.update({f"mining.{k}": v for k, v in design.mining.items()})
    return out


def equipment(design: Design) -> Design:
    """The design without its dispatch: what a worker needs to operate it."""
    return dataclasses.replace(design, mining_dispatch=None, heat_dispatch=None, wet_dispatch=None)


def price_factors(nominal: dict[str, float], values: dict[str, float]) -> dict[str, float]:
    """Factors on the site's inputs: hashprice (BTC price / difficulty), GPU price, energy price."""

    def ratio(name: str) -> float:
        return values[name] / nominal[name] if nominal[name] != 0 else 1.0

    return {"hashprice": ratio("btc_price") / ratio("difficulty"), "gpu_price": ratio("gpu_price"),
            "energy_price": ratio("energy_price")}


def sampled_inputs(inp: Inputs, nominal: dict[str, float], values: dict[str, float]) -> Inputs:
    """The resolved inputs with the sampled prices, utilisation and hashprice."""
    f = price_factors(nominal, values)
    return dataclasses.replace(
        inp,
        racks=[dataclasses.replace(r, gpu_price=r.gpu_price * f["gpu_price"]) for r in inp.racks],
        miners=[dataclasses.replace(m, revenue_per_mwh=m.revenue_per_mwh * f["hashprice"]) for m in inp.miners],
        gpu_price=inp.gpu_price * f["gpu_price"],
        utilisation=values["utilisation"],
        hashprice=inp.hashprice * f["hashprice"],
        energy_price=inp.energy_price * f["energy_price"],
        energy_price_8760=inp.energy_price_8760 * f["energy_price"],
    )


def sample_figures(inp: Inputs, design: Design) -> dict[str, float]:
    """Every figure of :data:`FIGURES` for a design operated (hour by hour) under ``inp``."""
    op = simulate(inp, design)
    econ = evaluate(inp, design, op)
    return {name: float(fn(inp, design, op, econ)) for name, (_, fn) in FIGURES.items()}


class OperationLP:
    """The operation LP of one design, built once; :meth:`operate` re-solves it for sampled prices."""

    def __init__(self, inp: Inputs, design: Design):
        import highspy

        from planner.solve import as_lp, solve

        self.inputs = inp
        self.design = equipment(design)
        self.model = build_model(inp, fixed=fixed_decisions(self.design))
        first = solve(self.model, mip_gap=None)  # every integer is fixed: HiGHS's own model, built once
        h = self.model.prob.solverModel
        if first.status != "optimal" or not isinstance(h, highspy.Highs):
            raise RuntimeError(f"the operation of the design has no optimum: {first.status} ({first.detail})")
        self.variables = self.model.prob.variables()
        n = len(self.variables)
        cost = np.zeros(n)
        for var, c in self.model.prob.objective.items():
            cost[var.index] += c
        revenue = np.zeros(n)
        for m in inp.miners:
            for t, var in enumerate(self.model.dispatch[m.id]):
                revenue[var.index] += K * float(inp.weight[t]) * m.revenue_per_mwh
        energy = np.zeros(n)
        for t, draw in enumerate(self.model.expressions["grid_rows"]):
            coef = K * float(inp.weight[t]) * float(inp.energy_price[t])
            for var, c in draw.items():
                energy[var.index] -= coef * c
        self.cost, self.revenue, self.energy = cost, revenue, energy
        self.columns = np.arange(n, dtype=np.int32)
        self.basis = as_lp(h, n)
        self.highs = h

    def _run(self) -> str:
        import highspy

        h = self.model.prob.solverModel
        h.run()
        status = h.getModelStatus()
        return "optimal" if status == highspy.HighsModelStatus.kOptimal else h.modelStatusToString(status)

    def operate(self, hashprice: float, energy_price: float) -> tuple[str, Design | None]:
        """Re-solve with the mining revenue and the energy price scaled; the design with its dispatch.

        Parameters
        ----------
        hashprice, energy_price : float
            Factors on the site's hashprice and energy price.

        Returns
        -------
        status : str
            "optimal", or HiGHS's words for what happened.
        design : Design or None
            The fixed equipment and the dispatch found, spread over the hours of the year.
        """
        from planner.plan import extract_design

        cost = self.cost + (hashprice - 1.0) * self.revenue + (energy_price - 1.0) * self.energy
        h = self.highs
        h.changeColsCost(len(cost), self.columns, -cost)  # PuLP hands HiGHS the negated maximisation
        h.setBasis(self.basis)
        status = self._run()
        if status != "optimal":
            return status, None
        values = h.getSolution().col_value
        for var in self.variables:
            var.varValue = values[var.index]
        return status, extract_design(self.model)


__all__ = ["FIGURES", "OperationLP", "fixed_decisions", "equipment", "price_factors", "sampled_inputs",
           "sample_figures"]
