"""Every hour exactly (``--exact-hours``) by a cascade of three smaller solves.

The exact-hours model holds every distinct hour of the year (about 4000 at a real site), so its
MILP is slow. Its equipment is nearly that of the grouped model (hours binned by 2 K, each group
at its worst hour), and its dispatch, once the equipment is fixed, is a linear programme. The
cascade:

1. **Technology set** on the grouped hours grouped again, coarser, and
2. **equipment counts** from the grouped model within that set (both as the fast strategy,
   :func:`planner.strategy.solve_fast`, does for the default plan); then
3. **every distinct hour as an LP** with those counts fixed: the exact model with its integer
   columns held at the grouped model's values.

Each group stands in for its hours at their worst coefficients (least capacity and availability,
most electricity per heat), so the grouped design is feasible in every exact hour and the LP's
optimum is at least the grouped optimum. Where it is not (the LP infeasible, or its objective
below the grouped one by more than ``SHORTFALL``), something the grouping does not capture
decides, and the cascade falls back to the exact model restricted to the technology set, from
the grouped counts as a start, solved to the requested gap; the status says which was done.

What the cascade proves is the optimal dispatch of every hour for the equipment it chose, not
that the equipment is optimal for the exact hours: the scope says so, and ``plan --prove``
solves the full exact MILP.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time

import numpy as np
import pulp

from planner.inputs import Inputs, coarsen
from planner.model import Model, build_model, value_of
from planner.strategy import StageInfo, TechnologySet, restricted, solve_fast, start_from, technology_set

CASCADE_BIN_K = 2.0  # K, the default plan's grouping
SHORTFALL = 1e-6  # relative: an exact LP below the grouped optimum by more than this is not trusted
GROUPED_GAP_SHARE = 0.1  # the grouped equipment is solved to this share of the requested gap


def equipment_values(model: Model) -> dict[str, float]:
    """The solved integer (equipment) decisions of a model by variable name, rounded."""
    return {v.name: float(round(v.varValue)) for v in model.integer_vars if v.varValue is not None}


@contextlib.contextmanager
def counts_fixed(model: Model, values: dict[str, float]):
    """Every integer column of ``model`` continuous and held at ``values`` (by name); restored on exit.

    Raises
    ------
    KeyError
        When an integer column of ``model`` has no value in ``values``.
    """
    saved = []
    try:
        for var in model.integer_vars:  # binaries too: PuLP keeps a binary as an integer in [0, 1]
            value = values[var.name]
            saved.append((var, var.lowBound, var.upBound, var.cat))
            var.lowBound = var.upBound = value
            var.cat = pulp.LpContinuous
        yield
    finally:
        for var, lo, hi, cat in saved:
            var.lowBound, var.upBound, var.cat = lo, hi, cat


@dataclasses.dataclass
class CascadeInfo(StageInfo):
    """What the cascade did, for the report: the fast strategy's stages on the grouped hours, then the LP."""

    grouped_hours: int = 0
    grouped_seconds: float = 0.0  # stages 1 and 2, on the grouped hours
    grouped_objective: float | None = None
    model: Model | None = None  # the exact model solved, where the cascade built it (``model=None``)
    build_seconds: float = 0.0  # the cascade's builds of the exact model: the LP's, and the fallback's if it fell back


def held_outside(inp: Inputs, tech: TechnologySet, fixed: dict[str, float] | None) -> dict[str, float]:
    """``fixed=`` decisions holding every heat-rejection module type outside ``tech`` at none.

    :func:`planner.model.build_model` gives a type held at none no hourly decisions or rows (its heat,
    wet-mode heat, fan power and their capacity and fan-law rows), which are most of an exact model:
    washington's 3934 distinct hours, 157,889 rows with every type offered, 118,686 within its set of
    six. ``fixed`` (the caller's own) is kept as given.
    """
    held = {f"heat_rejection.{h.key}": 0.0 for h in inp.heat_rejection if h.key not in tech.modules}
    held.update(fixed or {})
    return held


def held_at_none(inp: Inputs, equipment: Model, fixed: dict[str, float] | None) -> dict[str, float]:
    """``fixed=`` decisions holding at none every heat-rejection module type and miner model of which the
    solved ``equipment`` model installs none: the dispatch LP's model, whose equipment is that one's.

    Washington: the two module types of the set the grouped optimum does not install and the two miner
    models it does not buy lose their hourly rows too (118,686 rows within the set, 87,389 here).
    """
    held = held_outside(inp, technology_set(equipment), None)  # the module types it installs
    held.update({f"mining.{m.id}": 0.0 for m in inp.miners if round(value_of(equipment.lots[m.id])) == 0})
    held.update(fixed or {})
    return held


def solve_cascade(inp: Inputs, model: Model, *, solver: str, time_limit: float | None, mip_gap: float | None,
                  fixed: dict[str, float] | None, include: TechnologySet | None = None, on_progress=None):
    """The cascade of the module docstring; returns (SolveResult, CascadeInfo), or None where it does not apply.

    It applies to exact-hours inputs solved with HiGHS whose grouped model is smaller. ``None`` is
    also returned when the grouped model has no proven optimum (the caller then solves as before).
    With ``model`` None the exact model is built here once the grouped equipment is known: for the
    dispatch LP with the types and miner models that equipment has none of held at none
    (:func:`held_at_none`), and, where the LP is not trusted, again for the fallback with the module
    types outside the technology set held at none (:func:`held_outside`). ``CascadeInfo.model`` is the
    model the answer was solved on. Every answer the cascade gives lies within what it holds, so it is
    the answer on the whole exact model, without the rows of what it holds at none.
    """
    from planner.solve import solve

    if solver != "highs" or not inp.exact_hours or (model is not None and model.prob.numVariables() == 0):
        return None
    grouped = coarsen(inp, CASCADE_BIN_K)
    if grouped.hours >= inp.hours:
        return None
    t0 = time.perf_counter()
    small = build_model(grouped, fixed=fixed)
    grouped_gap = None if mip_gap is None else mip_gap * GROUPED_GAP_SHARE
    half = None if time_limit is None else time_limit / 2
    staged = solve_fast(grouped, small, solver=solver, time_limit=half, mip_gap=grouped_gap, fixed=fixed,
                        include=include, on_progress=on_progress)
    if staged is not None:
        first, info = staged
        tech, stage1, sample = info.tech, info.stage1_seconds, info.sample
    else:  # a grouped model too small for two stages: solved whole
        first = solve(small, solver=solver, time_limit=half, mip_gap=grouped_gap)
        tech, stage1, sample = technology_set(small).union(include), 0.0, ""
    grouped_seconds = time.perf_counter() - t0
    if first.status != "optimal":
        return None
    values = equipment_values(small)
    info = CascadeInfo(tech, stage1, first.status, sample=sample, grouped_hours=grouped.hours,
                       grouped_seconds=grouped_seconds, grouped_objective=first.objective)
    built = model is None

    def build(held: dict[str, float]) -> Model:
        tb = time.perf_counter()
        info.model = build_model(inp, fixed=held)
        info.build_seconds += time.perf_counter() - tb
        return info.model

    if built:
        model = build(held_at_none(inp, small, fixed))
    # the fast strategy's own words for its set ("the technology set chosen on ... (modules ...)")
    set_text = (first.scope.removeprefix("within ").split("; plan --prove")[0] if sample
                else f"the technology set of the grouped optimum ({tech.text()})")
    chosen = (f"the equipment chosen on {grouped.hours} groups of hours ({CASCADE_BIN_K:g} K) within {set_text}"
              if sample else f"the optimal equipment of {grouped.hours} groups of hours ({CASCADE_BIN_K:g} K)")
    with counts_fixed(model, values):
        lp = solve(model, solver=solver, mip_gap=None)
    short = lp.objective is None or lp.objective < first.objective - SHORTFALL * max(abs(first.objective), 1.0)
    if lp.status == "optimal" and not short:
        model.fixed_lp = dataclasses.replace(lp)  # the fixed-integer LP the explanation re-solves otherwise
        lp.scope = (f"dispatch of every hour ({inp.hours} distinct hours) for {chosen}; the equipment is "
                    f"not proven optimal for the exact hours; plan --prove solves the full MILP")
        lp.solve_seconds += grouped_seconds
        return lp, info
    why = "infeasible" if lp.status != "optimal" else "below the grouped optimum"
    if built:  # the exact model within the whole set, the miner models free
        model = build(held_outside(inp, tech, fixed))
    solving = time.perf_counter() - t0 - info.build_seconds  # builds are reported apart, as the plan's build
    remaining = None if time_limit is None else max(time_limit - solving, 1.0)
    with restricted(model, tech):
        second = solve(model, solver=solver, time_limit=remaining, mip_gap=mip_gap, start=start_from(small, model))
    if not second.has_solution:
        return None
    info.fell_back = f"the dispatch LP of every hour for {chosen} was {why}; the exact model was solved within the set"
    second.scope = (f"within {set_text}, on every hour ({inp.hours} distinct hours; the dispatch LP for the "
                    f"grouped equipment was {why}); plan --prove solves the full MILP")
    second.solve_seconds = time.perf_counter() - t0 - info.build_seconds
    return second, info


__all__ = ["CASCADE_BIN_K", "CascadeInfo", "counts_fixed", "equipment_values", "held_at_none",
           "held_outside", "solve_cascade"]
