"""One planning run: inputs -> model -> solve -> design -> audit -> economics."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from planner.audit import AuditResult, Design, Operation, audit, simulate
from planner.economics import Economics, evaluate
from planner.inputs import Inputs
from planner.model import Model, build_model, value_of
from planner.solve import SolveResult, solve


@dataclass
class PlanResult:
    inputs: Inputs
    model: Model
    solve: SolveResult
    build_seconds: float
    design: Design | None = None
    operation: Operation | None = None
    audit: AuditResult | None = None
    economics: Economics | None = None
    timings: dict[str, float] = field(default_factory=dict)
    binding: dict[str, dict] | None = None  # binding limits from the fixed-integer LP, once read


def _int(v) -> int:
    return int(round(value_of(v)))


def spread_over_hours(series, hours: int, t_of: np.ndarray) -> np.ndarray:
    """A solved per-model-hour series (``series[t]`` for t < ``hours``) for each hour: the value of its model
    hour ``t_of[i]``."""
    return np.array([value_of(series[t]) for t in range(hours)])[t_of]


def extract_design(model: Model) -> Design:
    """Equipment counts from a solved model, and its dispatch spread over the hours of the year.

    Every hour takes the dispatch of its model hour: the group it belongs to, or with representative
    days (``full_year`` false) the model hour that dominates it (heat per module only; mining is
    then dispatched by the audit).
    """
    from planner.inputs import dominating_model_hour, model_hour_of

    inp = model.inputs

    t_of = model_hour_of(inp) if inp.full_year else dominating_model_hour(inp)

    def spread(series):
        return spread_over_hours(series, inp.hours, t_of)

    dispatch = heat = wet = None
    if (t_of >= 0).all():
        heat = {k: spread(v) for k, v in model.heat.items()}
        wet = {k: spread(v) for k, v in model.wet.items()}
        if inp.full_year:
            dispatch = {m.id: spread(model.dispatch[m.id]) for m in inp.miners}
    return Design(
        racks={k: _int(v) for k, v in model.racks.items()},
        cdus={k: _int(v) for k, v in model.cdus.items()},
        modules={k: _int(v) for k, v in model.modules.items()},
        air_units={k: _int(v) for k, v in model.air_units.items()},
        mining={k: _int(model.lots[k]) * m.lot_mw for k, m in ((m.id, m) for m in inp.miners)},
        mining_dispatch=dispatch,
        heat_dispatch=heat,
        wet_dispatch=wet,
    )


def _approach(inp: Inputs, strategy: str) -> str:
    from planner.strategy import STAGE1_BIN_K, STAGE1_DAYS, stage1_inputs

    if strategy != "fast":
        return "full MILP"
    if inp.exact_hours:
        return "equipment from grouped hours within a technology set, then every hour's dispatch as an LP"
    if stage1_inputs(inp, STAGE1_DAYS) is None:
        return "full MILP (a model this small is solved whole)"
    if inp.full_year:
        return (f"technology set from the model's hours grouped within {STAGE1_BIN_K:g} K and their LP relaxation, "
                "then the full model")
    return "technology set from 4 representative days and their LP relaxation, then the full model"


def run_plan(inp: Inputs, *, solver: str = "highs", time_limit: float | None = None,
             mip_gap: float | None = 1e-4, fixed: dict[str, float] | None = None,
             strategy: str = "fast", include=None, progress: Callable[[str], None] | None = None) -> PlanResult:
    """Build, solve, audit and evaluate a plan.

    ``strategy`` "fast" (the default) chooses the technology set on a smaller model (the year's hours
    grouped coarser, or representative days) and solves the full model within it
    (:mod:`planner.strategy`; the result's ``scope`` says so); with every hour exact it takes the
    equipment from the grouped hours and solves each hour's dispatch as an LP (:mod:`planner.cascade`);
    "full" solves the full MILP as one problem (``plan --prove``). ``include`` (a
    :class:`planner.strategy.TechnologySet`) is added to the set the fast strategy chooses.
    ``progress`` (if given) is told of each step as it starts and ends, in words.
    """
    from planner.strategy import STRATEGIES, solve_fast

    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    say = progress or (lambda text: None)

    def live(report, stage: str = "") -> None:  # each better incumbent or bound, while the solver runs
        say(f"  {stage + ': ' if stage else ''}{report.text()}")

    staged, model, build = None, None, 0.0
    spent = 0.0  # seconds of fast paths that gave no answer: they count against the time limit

    def left() -> float | None:
        return None if time_limit is None else max(time_limit - spent, min(time_limit, 1.0))

    if strategy == "fast" and inp.exact_hours and solver == "highs":
        from planner.cascade import solve_cascade

        # the cascade builds the exact model itself once it knows the grouped equipment
        say(f"solving: {_approach(inp, strategy)}")
        t1 = time.perf_counter()
        staged = solve_cascade(inp, None, solver=solver, time_limit=time_limit, mip_gap=mip_gap, fixed=fixed,
                               include=include, on_progress=live if progress else None)
        if staged is not None:
            model, build = staged[1].model, staged[1].build_seconds
            say(f"the exact model solved: {model.prob.numVariables():,} variables, "
                f"{model.prob.numConstraints():,} constraints (built in {build:.1f} s)")
        else:
            spent += time.perf_counter() - t1
    if model is None:
        t0 = time.perf_counter()
        say(f"building the model ({inp.hours} model hours)")
        model = build_model(inp, fixed=fixed)
        build = time.perf_counter() - t0
        say(f"solving: {model.prob.numVariables():,} variables, {model.prob.numConstraints():,} constraints "
            f"(built in {build:.1f} s; {_approach(inp, strategy)})")
    if strategy == "fast" and staged is None:
        t1 = time.perf_counter()
        staged = solve_fast(inp, model, solver=solver, time_limit=left(), mip_gap=mip_gap, fixed=fixed,
                            include=include, on_progress=live if progress else None)
        if staged is None:
            spent += time.perf_counter() - t1
    if staged is not None:
        result, info = staged
    else:
        result = solve(model, solver=solver, time_limit=left(), mip_gap=mip_gap, on_progress=live if progress else None)
        result.solve_seconds += spent
    plan = PlanResult(inp, model, result, build)
    plan.timings = {"build": build, "solve": result.solve_seconds}
    if staged is not None:
        plan.timings["stage 1 (technology set)"] = info.stage1_seconds
        if getattr(info, "grouped_hours", 0):
            plan.timings[f"stages 1 and 2 on {info.grouped_hours} grouped hours"] = info.grouped_seconds
    incumbent = "" if result.objective is None else f", objective {result.objective / 1e3:.4g} MUSD/yr"
    bound = "" if result.bound is None else f", bound {result.bound / 1e3:.4g} MUSD/yr"
    say(f"solved in {result.solve_seconds:.1f} s: {result.status}{incumbent}{bound}")
    if not result.has_solution:
        return plan
    t1 = time.perf_counter()
    say("auditing every hour of the year")
    plan.design = extract_design(model)
    plan.operation = simulate(inp, plan.design)
    plan.audit = audit(inp, plan.design, plan.operation)
    plan.economics = evaluate(inp, plan.design, plan.operation)
    plan.timings["audit"] = time.perf_counter() - t1
    say(f"audited in {plan.timings['audit']:.1f} s: {len(plan.audit.violations)} violations")
    return plan


class _CallableModule(sys.modules[__name__].__class__):
    """``from planner import plan`` names this module once it is imported; calling it plans a site
    through :func:`planner.api.plan`, so the Python API reads ``plan("sites/tiny.toml", days=4)``."""

    def __call__(self, *args, **kwargs):
        from planner.api import plan

        return plan(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
