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


#: A joint step raises each limit by what the next scalable unit needs of it, rounded up to this [canonical unit].
JOINT_ROUNDING = {"site.grid_limit": 0.1, "site.hall_area": 10.0, "site.yard_area": 10.0,
                  "economics.capex_budget": 1e6}


@dataclass
class ReplanValue:
    """The objective gained by re-planning with a limit raised by ``step``.

    A joint step (``raises`` not empty: (TOML path, amount, unit) of each limit) raises every limit
    the next scalable unit breaks at once; ``path`` then joins their paths with " + ", ``step`` and
    ``unit`` are those of the first, and ``rack_words`` names the unit.
    """

    path: str
    step: float
    unit: str
    words: str
    base: float  # kUSD/yr
    raised: float | None  # kUSD/yr, None when the re-plan has no proven optimum
    status: str
    racks_before: int
    racks_after: int | None
    raises: tuple[tuple[str, float, str], ...] = ()
    rack_words: str = ""

    @property
    def joint(self) -> bool:
        return bool(self.raises)

    @property
    def value(self) -> float | None:
        """Objective gained [kUSD/yr] per step; a difference within the solvers' rounding (1e-9 of the
        objective) is none, not a figure such as 1.8e-15."""
        if self.raised is None:
            return None
        gain = self.raised - self.base
        return 0.0 if abs(gain) <= 1e-9 * max(1.0, abs(self.base)) else gain


def raised_inputs(inp: Inputs, field: str, step: float) -> Inputs:
    """The same inputs with one limit raised by ``step``."""
    return replace(inp, **{field: getattr(inp, field) + step})


@dataclass
class NextUnitStep:
    """Every limit the next scalable unit of the plan's rack type breaks, raised by what the unit needs."""

    rack_words: str  # "scalable unit of 8 NVIDIA GB300 NVL72 racks and its support IT"
    racks: int  # racks in the unit
    raises: tuple[tuple[str, str, float, str], ...]  # (TOML path, Inputs field, amount, unit of the amount)

    @property
    def words(self) -> str:
        return " and ".join(_amount_words(amount, unit) for _, _, amount, unit in self.raises)


def _amount_words(amount: float, unit: str) -> str:
    if unit == "USD":
        return f"{amount / 1e6:g} MUSD"
    return f"{amount:g} {unit}"


def next_unit_step(plan) -> NextUnitStep | None:
    """The joint step that makes room for one more scalable unit of the rack type the plan builds most of.

    Each limit the unit breaks (:func:`planner.explain.duals._next_rack`: grid at peak with its
    cooling, hall, yard, budget) is raised by the unit's whole need of it, rounded up
    (``JOINT_ROUNDING``). None where no such step is needed (the unit breaks nothing, or one
    limit whose own re-plan step already covers the need), or where it breaks a limit no re-plan
    raises (``limits.max_racks``, a fixed count).
    """
    import math

    from planner.explain.duals import _next_rack, _unit_words

    built = {rid: n for rid, n in plan.design.racks.items() if n > 0}
    if not built:
        return None
    main = max(built, key=built.get)
    fields = {path: (field, step, unit) for path, field, step, unit, _ in REPLANNED}
    for rack, short, need in _next_rack(plan):
        if rack.id != main or not short:
            continue
        if any(path not in fields or path not in need for path, _ in short):
            return None
        if len(short) == 1 and need[short[0][0]] <= fields[short[0][0]][1]:
            return None
        raises = []
        for path, _ in short:
            field, _, unit = fields[path]
            r = JOINT_ROUNDING[path]
            raises.append((path, field, round(math.ceil(need[path] / r - 1e-9) * r, 6), unit))
        return NextUnitStep(_unit_words(rack), rack.su_racks, tuple(raises))
    return None


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
                  mip_gap: float | None = 1e-4, strategy: str = "fast", workers: int = 1,
                  joint: NextUnitStep | None = None) -> list[ReplanValue]:
    """Re-plan with each limit in ``paths`` raised by its step, design free; the difference of objectives.

    ``joint`` (:func:`next_unit_step`) adds one re-plan with every limit it names raised together,
    last in the list, where no limit raised alone made room for the unit (a step alone can: the
    unit's needs are estimates from the plan's hottest hour and its prices, and a re-plan may
    give up mining or cooling for it); it runs after the others, in this process.

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
    if joint is not None and any(racks is not None and racks >= racks_before + joint.racks for _, _, racks in outcomes):
        joint = None  # a limit raised alone made room for the unit
    if joint is not None:
        raised = plan.inputs
        for _, field, amount, _ in joint.raises:
            raised = raised_inputs(raised, field, amount)
        outcomes.append(replan_task(ReplanTask(raised, kw, include)))
    values = [ReplanValue(path, step, unit, words, base, objective, status, racks_before, racks)
              for (path, _, step, unit, words), (status, objective, racks) in zip(todo, outcomes)]
    if joint is not None:
        status, objective, racks = outcomes[-1]
        _, _, amount, unit = joint.raises[0]
        values.append(ReplanValue(" + ".join(p for p, _, _, _ in joint.raises), amount, unit, joint.words, base,
                                  objective, status, racks_before, racks,
                                  tuple((p, a, u) for p, _, a, u in joint.raises), joint.rack_words))
    return values


def replan_section(values: list[ReplanValue], objective_words: str) -> Section:
    """The headline value of each binding limit, re-planned with the design free."""
    s = Section("What one more unit of a limit is worth (re-planned, design free)")
    for v in values:
        label = (f"{v.path}: {v.words} more together (room for one more {v.rack_words}) is worth" if v.joint
                 else f"{v.path}: {v.words} more is worth")
        if v.value is None:
            s.figures.append(Figure(label, None, "MUSD/yr", f"re-plan ended with status '{v.status}'"))
            continue
        per_mw = ""
        grid = [a for p, a, _ in v.raises if p == "site.grid_limit"]
        if grid and len(v.raises) > 1:
            others = " and ".join(p for p, _, _ in v.raises if p != "site.grid_limit")
            per_mw = f"; {v.value / 1e3 / grid[0]:.3g} MUSD/yr per MW of grid with {others} raised with it"
        s.figures.append(Figure(
            label, v.value / 1e3, "MUSD/yr",
            f"{objective_words} as the optimiser sees it (model hours, before the audit): {v.base / 1e3:.4g} -> "
            f"{v.raised / 1e3:.4g} MUSD/yr; racks {v.racks_before} -> {v.racks_after}{per_mw}"))
    if any(v.joint for v in values):
        s.lines.append("The joint step raises together every limit the next scalable unit breaks, each by what the "
                       "unit needs of it (rounded up; 'What limits the plan' below gives the needs): what one limit "
                       "raised alone cannot buy where another binds too.")
    s.lines.append("Each figure is the difference of two optimal plans, the second with the limit raised by the "
                   "step shown and every equipment count free (as `plan sweep` computes it). The shadow prices "
                   "below hold the equipment fixed and price only a small change.")
    return s
