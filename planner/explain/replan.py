"""What one more unit of a site limit is worth when the design is free to change.

The fixed-integer LP's shadow price holds every equipment count at the plan's
value: it prices a small change of a limit with the same racks, CDUs and
modules. Finance asks what one more MW of grid (or more hall, yard, budget) is
worth once the plan may use it: more racks, other cooling. That is the
difference of two optimal plans, one with the limit raised by a step, as
``plan sweep`` computes it. Here it is done for the limits that bind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.inputs import Inputs
from planner.report.figures import Figure, Section

#: Limits re-planned: (TOML path, Inputs field, step, unit of the step, words).
REPLANNED = (
    ("site.grid_limit", "grid_limit", 1.0, "MW", "1 MW"),
    ("site.hall_area", "hall_area", 100.0, "m^2", "100 m^2"),
    ("site.yard_area", "yard_area", 100.0, "m^2", "100 m^2"),
    ("economics.capex_budget", "budget", 10e6, "USD", "10 MUSD"),
)


@dataclass
class ReplanValue:
    """The objective gained by re-planning with a limit raised by ``step``."""

    path: str
    step: float
    unit: str
    words: str
    base: float  # kUSD/yr
    raised: float | None  # kUSD/yr, None when the re-plan has no proven optimum
    status: str
    racks_before: int
    racks_after: int | None

    @property
    def value(self) -> float | None:
        """Objective gained [kUSD/yr] per step."""
        return None if self.raised is None else self.raised - self.base


def raised_inputs(inp: Inputs, field: str, step: float) -> Inputs:
    """The same inputs with one limit raised by ``step``."""
    return replace(inp, **{field: getattr(inp, field) + step})


@dataclass
class ReplanTask:
    """One re-plan, as a worker process runs it (:func:`replan_task`)."""

    inputs: Inputs  # with the limit raised
    solve_kw: dict  # solver, time_limit, mip_gap, strategy for run_plan
    include: object = None  # the base plan's technology set, kept open (fast strategy)


def replan_task(task: ReplanTask) -> tuple[str, float | None, int | None]:
    """Plan ``task``: (solver status, objective [kUSD/yr] if proven optimal, racks built)."""
    from planner.plan import run_plan

    other = run_plan(task.inputs, include=task.include, **task.solve_kw)
    ok = other.solve.status == "optimal"
    racks = int(sum(other.design.racks.values())) if other.design is not None else None
    return other.solve.status, other.solve.objective if ok else None, racks


#: Re-plans run side by side only after a base solve at least this long [s]: a worker costs about a second
#: to start where Python starts workers afresh (spawn, forkserver), more than a quick plan's re-plans take.
POOL_AFTER_SECONDS = 2.0
WORKER_LOST = "worker_lost"  # the status of a re-plan whose worker process died (out of memory, killed)


def replan_values(plan, paths: set[str], *, solver: str = "highs", time_limit: float | None = None,
                  mip_gap: float | None = 1e-4, strategy: str = "fast", workers: int = 1) -> list[ReplanValue]:
    """Re-plan with each limit in ``paths`` raised by its step, design free; the difference of objectives.

    With ``workers`` above 1, more than one limit and a base solve of at least ``POOL_AFTER_SECONDS``,
    the re-plans run side by side in worker processes (:func:`planner.studies.executors.iter_tasks`);
    each re-plan is the same plan either way. A re-plan whose worker died (again on each retry) gets
    the status ``worker_lost`` and no value; the others keep theirs.
    """
    from planner.strategy import TechnologySet
    from planner.studies.executors import WorkerLost, iter_tasks

    base = plan.solve.objective
    # the fast strategy keeps the base plan's technology set open, so no re-plan falls below the base plan
    include = TechnologySet.of_design(plan.design) if strategy == "fast" and plan.solve.scope else None
    todo = [row for row in REPLANNED if row[0] in paths]
    kw = {"solver": solver, "time_limit": time_limit, "mip_gap": mip_gap, "strategy": strategy}
    tasks = [ReplanTask(raised_inputs(plan.inputs, field, step), kw, include) for _, field, step, _, _ in todo]
    pooled = workers > 1 and len(tasks) > 1 and plan.solve.solve_seconds >= POOL_AFTER_SECONDS
    outcomes: list[tuple[str, float | None, int | None]] = [(WORKER_LOST, None, None)] * len(tasks)
    try:
        for i, outcome in iter_tasks(replan_task, tasks, executor="process" if pooled else "serial", workers=workers):
            outcomes[i] = outcome
    except WorkerLost:
        pass  # the re-plans not finished keep the worker_lost status
    racks_before = int(sum(plan.design.racks.values()))
    return [ReplanValue(path, step, unit, words, base, objective, status, racks_before, racks)
            for (path, _, step, unit, words), (status, objective, racks) in zip(todo, outcomes)]


def replan_section(values: list[ReplanValue], objective_words: str) -> Section:
    """The headline value of each binding limit, re-planned with the design free."""
    s = Section("What one more unit of a limit is worth (re-planned, design free)")
    for v in values:
        if v.value is None:
            s.figures.append(Figure(f"{v.path}: {v.words} more is worth", None, "MUSD/yr",
                                    f"re-plan ended with status '{v.status}'"))
            continue
        s.figures.append(Figure(
            f"{v.path}: {v.words} more is worth", v.value / 1e3, "MUSD/yr",
            f"{objective_words} as the optimiser sees it (model hours, before the audit): {v.base / 1e3:.4g} -> "
            f"{v.raised / 1e3:.4g} MUSD/yr; racks {v.racks_before} -> {v.racks_after}"))
    s.lines.append("Each figure is the difference of two optimal plans, the second with the limit raised by the "
                   "step shown and every equipment count free (as `plan sweep` computes it). The shadow prices "
                   "below hold the equipment fixed and price only a small change.")
    return s
