"""The fast solve strategy: the technology set from a small model, then the full model within it.

Nearly all of the MILP's LP gap is the choice of technologies (which heat-rejection module types
and which rack type): with those fixed, the full model's LP relaxation is within a few hundredths
of a percent of its optimum and HiGHS closes it at once. So the fast strategy solves in two stages:

1. **Choose the technology set** on a small model (:func:`stage1_inputs`), solved to a relative
   gap of ``STAGE1_GAP``: a full-year model's hours grouped again, within ``STAGE1_BIN_K``
   (washington's 54 groups of 2 K become 18 of 4 K, each at the worst of its hours), or ``days``
   representative days of a model on representative days (:func:`representative_inputs`). The set
   is the heat-rejection module types it installs and the rack types it builds. A coarser model
   settles near ties between module types one way, so two rules widen the set. The module types
   the small model's LP relaxation uses at least ``LP_CONTENDER`` of (:func:`contenders`) join it:
   on washington's air loop the relaxation spreads the heat over an air-cooled and a water-cooled
   chiller, a near tie 4 representative days settled for the water-cooled one, 0.13 % below the
   full MILP within the adiabatic layout. Where the set has an economiser on a loop (a type that
   rejects nothing at the design condition, only in cooler hours), every economiser of that loop
   joins it (:func:`economiser_alternatives`): they compete on running cost alone, which a coarse
   model weighs coarsely. Adding types never makes stage 2's answer worse, only its model larger,
   and stage 2's time grows with the set. The small model carries the fan cube as
   ``STAGE1_FAN_SEGMENTS`` chords (at most 14 % of rated fan power above the cube, against 4 %
   with the full model's 4): it chooses the set only, and the rows of the chords, which hold a
   module count each, are most of what the solver's root node works through. Until 2026-12-06
   stage 1 ran on 4 representative days of every model (96 hours against 18 at washington);
   ``benchmarks/bench_strategy.py`` gives the same answers within 0.0054 % of the full MILP both ways.
2. **Solve the full model within that set**: every other module type's ``module_used`` binary
   and every other rack type's scalable units are held at 0, the stage-1 design is handed to
   HiGHS as a start, and the model is solved to the requested gap. Bounds are restored after
   the solve, so the model reads as the full model afterwards.

The answer is proven optimal *within the technology set*, not over all sets: the status says
so (:attr:`SolveResult.scope`). ``strategy="full"`` (``plan --prove``) solves the full MILP as
one problem. Where the fast path cannot give an answer (the small model infeasible, the
small model stopped at the time limit, which gets a quarter of it, or the restricted model without
a solution) the full MILP is solved instead, in the time left, and
its status is the one reported. A time limit counts for both stages together; a restricted solve
that stops at it reports ``time_limit`` with its gap within the set, as any solve does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time

import numpy as np

from planner import climate as climate_mod
from planner.inputs import Inputs, coarsen, model_hour_of
from planner.model import Model, build_model, value_of

STRATEGIES = ("fast", "full")
STAGE1_DAYS = 4
STAGE1_GAP = 1e-3
STAGE1_FAN_SEGMENTS = 2  # chords of the fan cube in the stage-1 model (the full model's count, if fewer)
LP_CONTENDER = 0.25  # a module type the small model's LP relaxation uses at least this much joins the set
STAGE1_BIN_K = 4.0  # K: stage 1 of a full-year model groups its hours within this (the default plan's: 2 K)
MIN_HOURS_FOR_STAGES = 24 * (STAGE1_DAYS + 1)  # a model on fewer representative days is solved whole
MIN_FULL_YEAR_HOURS = 24  # a full-year model of fewer model hours is solved whole


# --------------------------------------------------------------------------------------
# stage 1: the same inputs on representative days
# --------------------------------------------------------------------------------------

def _stage_days(inp: Inputs, days: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None:
    """Model hours of the small model: (index into the model's hours, weight, original hours).

    A full-year model (hours grouped) gives the ``days`` representative days of the climate
    (:func:`planner.climate.representative_days`), each hour at the coefficients of the group of
    hours it belongs to (the group's worst hour, as the full model sees it). A model already on
    representative days keeps ``days`` of its own days: its hottest and most humid days, and
    the middle day of each of the other groups by daily maximum dry bulb, weighted for the days
    they stand for.
    """
    if inp.full_year:
        group_of = model_hour_of(inp)
        if (group_of < 0).any():
            return None
        idx, weight = climate_mod.representative_days(inp.climate, days)
        idx = np.asarray(idx)
        return group_of[idx], np.asarray(weight, dtype=float), [np.array([i]) for i in idx]
    T = inp.hours - inp.extreme_hours  # whole days first; the extreme hours after them stay out of stage 1
    if T % 24 or T // 24 <= days:
        return None
    n_days = T // 24
    db = np.asarray(inp.dry_bulb, dtype=float)[:T].reshape(n_days, 24)
    wb = np.asarray(inp.wet_bulb, dtype=float)[:T].reshape(n_days, 24)
    w = np.asarray(inp.weight, dtype=float)[:T].reshape(n_days, 24)[:, 0]
    hot, wet = int(np.argmax(db.max(axis=1))), int(np.argmax(wb.max(axis=1)))
    forced = [hot] if hot == wet else [hot, wet]
    if days < len(forced):
        return None
    weight_of = {d: float(w[d]) for d in forced}
    others = np.array([d for d in range(n_days) if d not in weight_of], dtype=int)
    n_groups = days - len(forced)
    if n_groups == 0:
        weight_of[hot] += float(w[others].sum())
    else:
        order = others[np.argsort(db.max(axis=1)[others], kind="stable")]
        for group in np.array_split(order, n_groups):
            weight_of[int(group[(group.size - 1) // 2])] = float(w[group].sum())
    chosen = np.array(sorted(weight_of), dtype=int)
    sel = (chosen[:, np.newaxis] * 24 + np.arange(24)).ravel()
    weight = np.repeat([weight_of[d] for d in chosen], 24)
    return sel, weight, [np.asarray(inp.groups[t]) for t in sel]


def representative_inputs(inp: Inputs, days: int = STAGE1_DAYS) -> Inputs | None:
    """The same inputs on ``days`` representative days, or None when the model is small already.

    Every per-hour coefficient is taken from the model hour the day's hour belongs to, so limits
    changed on ``inp`` (a raised grid limit, a subset of modules) hold in the small model too.
    """
    picked = _stage_days(inp, days)
    if picked is None:
        return None
    sel, weight, groups = picked
    return inputs_on_model_hours(inp, sel, weight, groups, f"{days} representative days of the model")


def stage1_inputs(inp: Inputs, days: int) -> tuple[Inputs, str] | None:
    """A stage-1 model's inputs and what its hours are, or None to solve the model whole.

    The fan cube is ``STAGE1_FAN_SEGMENTS`` chords. A full-year model's hours are grouped again
    within ``STAGE1_BIN_K`` (:func:`planner.inputs.coarsen`: washington's 54 model hours grouped
    within 2 K become 18), so stage 1 sees every hour of the year, each group at its worst; a model
    on representative days keeps ``days`` of its days (:func:`representative_inputs`). A full-year
    model of fewer than ``MIN_FULL_YEAR_HOURS`` model hours, and one of fewer than
    ``MIN_HOURS_FOR_STAGES`` model hours on representative days, are solved whole.
    """
    if inp.full_year:
        if inp.hours < MIN_FULL_YEAR_HOURS:
            return None
        small = coarsen(inp, STAGE1_BIN_K)
        if small.hours >= inp.hours and inp.fan_segments <= STAGE1_FAN_SEGMENTS:
            return None  # stage 1 would be the same model
        sample = f"the model's hours grouped within {STAGE1_BIN_K:g} K ({small.hours} model hours)"
    else:
        small = representative_inputs(inp, days) if inp.hours >= MIN_HOURS_FOR_STAGES else None
        if small is None:
            return None
        sample = f"{days} representative days"
    return dataclasses.replace(small, fan_segments=min(STAGE1_FAN_SEGMENTS, small.fan_segments)), sample


def inputs_on_model_hours(inp: Inputs, sel: np.ndarray, weight: np.ndarray, groups: list[np.ndarray],
                          text: str) -> Inputs:
    """The same inputs on the model hours ``sel`` (repeats allowed), with new weights.

    ``groups`` gives, per new model hour, the hours of the year it stands for; every per-hour
    coefficient is that of model hour ``sel[t]`` of ``inp``.
    """

    def take(arr):
        return None if arr is None else np.asarray(arr)[sel]

    hr = [dataclasses.replace(h, capacity=take(h.capacity), dry_capacity=take(h.dry_capacity),
                              electricity_per_heat=take(h.electricity_per_heat),
                              airflow_capacity=take(h.airflow_capacity))
          for h in inp.heat_rejection]
    miners = [dataclasses.replace(m, availability=take(m.availability)) for m in inp.miners]
    hours = np.concatenate(groups)
    return dataclasses.replace(
        inp, weight=np.asarray(weight, dtype=float), month=inp.climate.month[hours], dry_bulb=take(inp.dry_bulb),
        wet_bulb=take(inp.wet_bulb), energy_price=take(inp.energy_price),
        labels=[inp.labels[t] if not inp.full_year else str(inp.climate.timestamps[g[0]])
                for t, g in zip(sel, groups)],
        groups=groups, time_mode=text, full_year=False, extreme_hours=0,
        heat_rejection=hr, miners=miners)


# --------------------------------------------------------------------------------------
# the technology set and the restricted full model
# --------------------------------------------------------------------------------------

@dataclasses.dataclass
class TechnologySet:
    """Heat-rejection module types (keys ``id@loop``) and rack types a plan uses."""

    modules: list[str]
    racks: list[str]

    def text(self) -> str:
        return (f"modules {', '.join(self.modules) or 'none'}; racks {', '.join(self.racks) or 'none'}")

    def union(self, other: "TechnologySet | None") -> "TechnologySet":
        if other is None:
            return self
        return TechnologySet(self.modules + [k for k in other.modules if k not in self.modules],
                             self.racks + [k for k in other.racks if k not in self.racks])

    @classmethod
    def of_design(cls, design) -> "TechnologySet":
        """The technology set of an audited design (:class:`planner.audit.Design`)."""
        return cls([k for k, n in design.modules.items() if n > 0], [k for k, n in design.racks.items() if n > 0])


def contenders(model: Model, relaxed: dict[str, float] | None) -> TechnologySet:
    """Module types the LP relaxation ``relaxed`` (values by name) uses at least ``LP_CONTENDER`` of.

    Where the relaxation spreads a loop over two types (washington's air loop: an air-cooled
    and a water-cooled chiller, about 0.6 and 0.3), the two are near-tied, and which one the
    integer optimum takes can turn on a few kW of heat a coarser model does not settle.
    """
    if not relaxed:
        return TechnologySet([], [])
    return TechnologySet([k for k, v in model.module_used.items() if relaxed.get(v.name, 0.0) >= LP_CONTENDER], [])


def economiser_alternatives(inp: Inputs, tech: TechnologySet) -> TechnologySet:
    """The other economisers of each loop on which ``tech`` has one.

    An economiser here is a module type that rejects nothing at the design condition but some heat in
    cooler hours (washington's air loop at 20 degC: dry and adiabatic coolers, towers). It is chosen
    for its running cost over many cooler hours alone, which a coarser model weighs coarsely, so
    two economisers are near ties the small models settle either way (washington, 6 days, dry
    coolers only: an adiabatic cooler chosen where towers were 0.037 % better). Where the set has one
    on a loop, all of that loop's join it.
    """
    def economiser(h) -> bool:
        return h.design_capacity <= 1e-9 and float(np.max(h.capacity, initial=0.0)) > 1e-9

    loops = {h.loop for h in inp.heat_rejection if h.key in tech.modules and economiser(h)}
    return TechnologySet([h.key for h in inp.heat_rejection if h.loop in loops and economiser(h)], [])


def technology_set(model: Model) -> TechnologySet:
    """The technology set of a solved model."""
    modules = [k for k, v in model.modules.items() if round(value_of(v)) > 0]
    racks = [k for k, v in model.units.items() if round(value_of(v)) > 0]
    return TechnologySet(modules, racks)


@contextlib.contextmanager
def restricted(model: Model, tech: TechnologySet):
    """Hold every module type and rack type outside ``tech`` at 0; bounds restored on exit."""
    saved = []

    def hold(var):
        if var.upBound is not None and var.upBound == 0:
            return
        saved.append((var, var.lowBound, var.upBound))
        var.lowBound = 0 if var.lowBound is None or var.lowBound <= 0 else var.lowBound
        var.upBound = 0

    for key, used in model.module_used.items():
        if key not in tech.modules:
            hold(used)
            hold(model.modules[key])
    for rid, units in model.units.items():
        if rid not in tech.racks:
            hold(units)
    try:
        yield
    finally:
        for var, lo, hi in saved:
            var.lowBound, var.upBound = lo, hi


def start_from(small: Model, full: Model) -> dict[str, float]:
    """A MIP start for the full model: the small model's equipment (integer) decisions by name."""
    names = {v.name for v in full.integer_vars}
    return {v.name: float(round(v.varValue)) for v in small.integer_vars if v.varValue is not None and v.name in names}


@dataclasses.dataclass
class StageInfo:
    """What the fast strategy did, for the report."""

    tech: TechnologySet | None
    stage1_seconds: float
    stage1_status: str
    fell_back: str = ""  # why the full MILP was solved instead, if it was
    sample: str = ""  # stage 1's hours in words ("4 representative days", "the model's hours grouped within 4 K ...")


def solve_fast(inp: Inputs, model: Model, *, solver: str, time_limit: float | None, mip_gap: float | None,
               fixed: dict[str, float] | None, days: int = STAGE1_DAYS, include: TechnologySet | None = None,
               on_progress=None):
    """Two stages as in the module docstring; returns (SolveResult, StageInfo), or None to solve whole.

    ``include`` adds a technology set to the one stage 1 chooses: a re-plan of a limit raised
    keeps the base plan's set open, so its optimum within the union is never below the base plan's.
    ``on_progress(report, stage)`` is told of each :class:`planner.solver_progress.SolverProgress` of
    either stage, ``stage`` naming it in words.
    """
    from planner.solve import solve

    if solver != "highs" or model.prob.numVariables() == 0:
        return None
    picked = stage1_inputs(inp, days)
    if picked is None:
        return None
    small_inp, sample = picked
    from planner.solve import relaxation

    t0 = time.perf_counter()
    share = None if time_limit is None else time_limit / 4
    small = build_model(small_inp, fixed=fixed)
    relaxed = relaxation(small, share)  # before the MILP solve, which leaves its bounds as they were

    def told(stage: str):
        return None if on_progress is None else (lambda report: on_progress(report, stage))

    first = solve(small, solver=solver, time_limit=share, mip_gap=max(mip_gap or 0.0, STAGE1_GAP),
                  on_progress=told(f"stage 1, {sample}"), lean=True)
    if first.solver != "highs" or first.status != "optimal":  # a set from an unfinished stage 1 proves nothing
        return None
    tech = technology_set(small).union(contenders(small, relaxed)).union(include)
    economisers = economiser_alternatives(inp, tech)
    tech = tech.union(economisers)
    stage1 = time.perf_counter() - t0
    info = StageInfo(tech, stage1, first.status, sample=sample)
    remaining = None if time_limit is None else max(time_limit - stage1, 1.0)
    with restricted(model, tech):
        second = solve(model, solver=solver, time_limit=remaining, mip_gap=mip_gap, start=start_from(small, model),
                       on_progress=told("stage 2, within the technology set"))
    if not second.has_solution:  # no design within the set (or none in time): the full MILP decides
        return None
    chosen = (f"chosen on {sample} with the fan cube as {small_inp.fan_segments} chords"
              + (" and by their LP relaxation" if relaxed else "")
              + (", with every economiser of a loop that has one" if economisers.modules else "")
              + (" with the base plan's" if include is not None else ""))
    second.scope = f"within the technology set {chosen} ({tech.text()}); plan --prove solves the full MILP"
    second.solve_seconds += stage1
    return second, info


__all__ = ["STRATEGIES", "TechnologySet", "contenders", "representative_inputs", "inputs_on_model_hours", "technology_set",
           "restricted", "solve_fast"]
