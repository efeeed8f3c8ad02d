"""The plan's MILP built again through linopy, for the speed benchmark only (``pip install linopy``).

linopy is array-based: a model is variables and constraints over labelled dimensions, built with
xarray. This module builds the very matrix the planner's PuLP model holds (same columns, bounds,
integrality, rows and objective) through linopy's public API, one variable array per kind of column
(continuous, integer, binary) and one constraint array per sense (<=, >=, =), each row's terms padded
to the longest row as linopy stores them. It is not a port of the ``define_*`` functions: a port
would build each family from its own arrays, which costs at least what is done here, so the build
time printed is a lower bound for linopy. The model is then solved by linopy with HiGHS, as the
planner's full MILP is, one thread, to the same gap.
"""

from __future__ import annotations

import time

import numpy as np
import pulp


def matrix(prob: pulp.LpProblem):
    """Columns, rows and objective of a PuLP problem as arrays (the planner's model is a maximisation)."""
    variables = prob.variables()
    col = {v.name: j for j, v in enumerate(variables)}
    lower = np.array([-np.inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
    upper = np.array([np.inf if v.upBound is None else v.upBound for v in variables], dtype=float)
    kind = np.array([2 if v.cat == pulp.LpBinary or (v.cat == pulp.LpInteger and lower[j] == 0 and upper[j] == 1)
                     else 1 if v.cat == pulp.LpInteger else 0 for j, v in enumerate(variables)])
    cost = np.zeros(len(variables))
    for v, c in prob.objective.items():
        cost[col[v.name]] = c
    rows = []
    for con in prob.constraints.values():
        rows.append(([col[v.name] for v, c in con.items() if c], [c for v, c in con.items() if c],
                     con.sense, -con.constant))
    return lower, upper, kind, cost, rows, float(prob.objective.constant)


def build(lower, upper, kind, cost, rows, constant):
    """The linopy model of the arrays of :func:`matrix`; returns ((model, objective constant), seconds to build)."""
    import linopy
    import pandas as pd
    import xarray as xr

    start = time.perf_counter()
    m = linopy.Model()
    labels = np.full(kind.size, -1, dtype=np.int64)
    objective = []
    for k, name, opts in ((0, "x", {}), (1, "n", {"integer": True}), (2, "b", {"binary": True})):
        idx = np.flatnonzero(kind == k)
        if not idx.size:
            continue
        coords = [pd.RangeIndex(idx.size, name=f"{name}_i")]
        bounds = {} if k == 2 else {"lower": xr.DataArray(lower[idx], coords=coords),
                                    "upper": xr.DataArray(upper[idx], coords=coords)}
        var = m.add_variables(coords=coords, name=name, **bounds, **opts)
        labels[idx] = var.labels.values
        objective.append((xr.DataArray(cost[idx], coords=coords) * var).sum())
    for sense, sign in ((pulp.LpConstraintLE, "<="), (pulp.LpConstraintGE, ">="), (pulp.LpConstraintEQ, "=")):
        chosen = [r for r in rows if r[2] == sense]
        if not chosen:
            continue
        width = max(len(r[0]) for r in chosen)
        var_ids = np.full((len(chosen), width), -1, dtype=np.int64)
        coeffs = np.full((len(chosen), width), np.nan)
        for i, (cols, vals, _, _) in enumerate(chosen):
            var_ids[i, :len(cols)] = labels[cols]
            coeffs[i, :len(vals)] = vals
        dims = (f"row_{sign}", "_term")
        lhs = linopy.LinearExpression(xr.Dataset({"coeffs": (dims, coeffs), "vars": (dims, var_ids)}), m)
        m.add_constraints(lhs, sign, xr.DataArray(np.array([r[3] for r in chosen]), dims=dims[:1]),
                          name=f"rows_{sense}")
    m.add_objective(sum(objective[1:], objective[0]), sense="max")  # linopy keeps no constant: added back by solve
    return (m, constant), time.perf_counter() - start


def solve(built, mip_gap: float = 1e-4):
    """Solve the (model, constant) of :func:`build` with HiGHS through linopy; returns (status, objective, seconds)."""
    m, constant = built
    start = time.perf_counter()
    status, condition = m.solve(solver_name="highs", mip_rel_gap=mip_gap, threads=1, output_flag=False)
    return f"{status} ({condition})", float(m.objective.value) + constant, time.perf_counter() - start
