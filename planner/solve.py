"""Solve a model with HiGHS (through highspy) or CBC, and report what happened as it is."""

from __future__ import annotations

import contextlib
import math
import operator
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pulp

from planner.model import Model, variables_of
from planner.solver_progress import ProgressWatcher, SolverProgress

SOLVERS = ("highs", "cbc")
# HiGHS options for the fast strategy's solves (``lean=True``, and any solve handed a MIP start): the
# sub-MIP heuristics (RINS, RENS) and the restart after root fixing cost more than they find on these
# models; on washington's stage 2 (from the stage-1 start) they were three quarters of its time
# (benchmarks/bench_speed.py). The answer is proven to the same gap either way.
LEAN_OPTIONS = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False, "mip_allow_restart": False}


class SolverUnavailable(RuntimeError):
    pass


@dataclass
class SolveResult:
    """Outcome of one solve.

    ``status`` is one of: optimal, time_limit (incumbent, gap open), infeasible,
    unbounded, no_solution (stopped with no incumbent), error.
    """

    solver: str
    status: str
    objective: float | None  # kUSD/yr, incumbent
    bound: float | None  # kUSD/yr, best bound
    gap: float | None  # relative
    solve_seconds: float
    detail: str
    scope: str = ""  # what "optimal" covers when less than the full model (the fast strategy's stage 2)
    incumbents: list[SolverProgress] = field(default_factory=list)  # as HiGHS found them, in order
    live_progress: str = ""  # why no live progress was reported, when it could not be


    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "time_limit")


def cbc_solver(**options):
    """A PuLP CBC solver that can run here, or None.

    PuLP 4 runs CBC through ``COIN_CMD`` (binary from the ``cbcbox`` wheel of ``pulp[cbc]``, or ``cbc`` on
    PATH) and has no ``PULP_CBC_CMD``; PuLP 3 bundles CBC as ``PULP_CBC_CMD`` (deprecated there) while its
    ``COIN_CMD`` needs ``cbc`` on PATH. The first of the two that is available is used.
    """
    solver = pulp.COIN_CMD(**options)
    if solver.available():
        return solver
    legacy = getattr(pulp, "PULP_CBC_CMD", None)
    if legacy is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = legacy(**options)
        if solver.available():
            return solver
    return None


def _solver(name: str, time_limit: float | None, mip_gap: float | None, mip: bool = True,
            start: dict[str, float] | None = None, on_progress: Callable[[SolverProgress], None] | None = None,
            lean: bool = False):
    if name == "highs":
        kw = dict(msg=False, timeLimit=time_limit, gapRel=mip_gap, mip=mip, threads=1)
        if lean or start:
            kw.update(LEAN_OPTIONS)
        solver = _HiGHSFromStart(start, **kw) if start else _InterruptibleHiGHS(**kw)
        solver.on_progress = on_progress
        if not solver.available():
            raise SolverUnavailable("HiGHS (highspy) is not installed")
        return solver
    if name == "cbc":
        solver = cbc_solver(msg=False, timeLimit=time_limit, gapRel=mip_gap, mip=mip)
        if solver is None:
            raise SolverUnavailable(
                "CBC is not available in this PuLP installation (with PuLP 4: pip install 'pulp[cbc]')"
            )
        return solver
    raise SolverUnavailable(f"unknown solver {name!r}; choose one of {', '.join(SOLVERS)}")


def _highs_outcome(prob) -> tuple[str, float | None, float | None, float | None, str]:
    import highspy

    h = prob.solverModel
    status = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    sign = -1.0  # PuLP hands HiGHS the negated objective of a maximisation
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    obj = sign * info.objective_function_value if has_primal else None
    bound = None
    gap = None
    if info.mip_node_count >= 0 and math.isfinite(info.mip_dual_bound):
        bound = sign * info.mip_dual_bound  # known even when no incumbent was found
        gap = info.mip_gap if has_primal else None
    detail = h.modelStatusToString(status)
    if status == S.kOptimal:
        return "optimal", obj, bound if bound is not None else obj, gap if gap is not None else 0.0, detail
    if status == S.kInfeasible:
        return "infeasible", None, None, None, detail
    if status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return ("unbounded" if status == S.kUnbounded else "infeasible"), None, None, None, detail
    if status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        return ("time_limit" if has_primal else "no_solution"), obj, bound, gap, detail
    return "error", None, None, None, detail


@contextlib.contextmanager
def _quiet_stdout():
    """Silence the solver's C-level banner on standard output (file descriptor 1)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def solve(model: Model, solver: str = "highs", time_limit: float | None = None,
          mip_gap: float | None = 1e-4, start: dict[str, float] | None = None,
          on_progress: Callable[[SolverProgress], None] | None = None, lean: bool = False) -> SolveResult:
    """Solve the MILP; the status says plainly whether the answer is proven optimal.

    HiGHS is the default; where highspy is missing, CBC is used and the result says so.
    ``start`` (values by variable name, HiGHS only) is handed to the solver as a MIP start; with it,
    or ``lean``, HiGHS runs without its sub-MIP heuristics and restart (``LEAN_OPTIONS``).
    ``on_progress`` is told of each better incumbent and tighter bound while HiGHS runs
    (:mod:`planner.solver_progress`), from the calling thread; the result keeps the incumbents.
    """
    fallback = ""
    model.fixed_lp = None  # whatever LP a caller kept, the rows now hold this solve's values
    try:
        s = _solver(solver, time_limit, mip_gap, start=start, on_progress=on_progress, lean=lean)
    except SolverUnavailable as err:
        if solver != "highs":
            raise
        fallback = f" ({err}; CBC used instead)"
        solver = "cbc"
        s = _solver(solver, time_limit, mip_gap)
    start = time.perf_counter()
    with _quiet_stdout():
        pulp_status = model.prob.solve(s)
    seconds = time.perf_counter() - start
    if solver == "highs":
        status, obj, bound, gap, detail = _highs_outcome(model.prob)
        if obj is not None:
            obj = pulp.value(model.prob.objective)  # includes the constant HiGHS never sees
        if bound is not None:
            bound += model.constant_kusd
        watcher = s.watcher
        return SolveResult("highs", status, obj, bound, gap, seconds, detail,
                           incumbents=list(watcher.incumbents) if watcher else [],
                           live_progress=watcher.note if watcher else "")
    result = _cbc_outcome(model, pulp_status, seconds)
    result.detail += fallback
    result.live_progress = "CBC reports no incumbents while it runs"
    return result


def _cbc_outcome(model: Model, pulp_status: int, seconds: float) -> SolveResult:
    text = pulp.LpStatus[pulp_status]
    sol = model.prob.sol_status
    if pulp_status == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
        obj = pulp.value(model.prob.objective)
        return SolveResult("cbc", "optimal", obj, obj, 0.0, seconds, text)
    if sol == pulp.LpSolutionIntegerFeasible:
        return SolveResult("cbc", "time_limit", pulp.value(model.prob.objective), None, None, seconds, text)
    if pulp_status == pulp.LpStatusInfeasible:
        return SolveResult("cbc", "infeasible", None, None, None, seconds, text)
    if pulp_status == pulp.LpStatusUnbounded:
        return SolveResult("cbc", "unbounded", None, None, None, seconds, text)
    return SolveResult("cbc", "no_solution", None, None, None, seconds, text)


def _fixed_lp_in_place(model: Model) -> SolveResult | None:
    """The fixed-integer LP on the HiGHS model the MILP was solved on, or None where there is none.

    The integer columns of ``prob.solverModel`` (kept by PuLP's HiGHS interface, with each
    variable's column in ``var.index``) are made continuous with both bounds at their rounded
    values, the LP is re-solved, PuLP's variables and constraints read the solution and duals as
    after any HiGHS solve, and the columns get their bounds and integrality back. Nothing is
    rebuilt; the LP is the one :func:`solve` with ``mip=False`` would build.
    """
    import highspy

    h = getattr(model.prob, "solverModel", None)
    if not isinstance(h, highspy.Highs):
        return None
    variables = variables_of(model.prob)
    if h.getNumCol() != len(variables) or h.getNumRow() != model.prob.numConstraints():
        return None
    if any(getattr(v, "index", None) is None for v in variables):
        return None
    solver = pulp.HiGHS(msg=False)
    if not solver.available():
        return None
    ints = [v for v in variables if v.cat == pulp.LpInteger and v.varValue is not None]
    idx = np.array([v.index for v in ints], dtype=np.int32)
    if idx.size and (idx.max() >= len(variables) or len(set(idx.tolist())) != idx.size):
        return None
    lp = h.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[idx]
    upper = np.asarray(lp.col_upper_, dtype=float)[idx]
    integrality = [lp.integrality_[i] for i in idx] if len(lp.integrality_) else [highspy.HighsVarType.kContinuous] * idx.size
    values = np.array([round(v.varValue) for v in ints], dtype=float)
    time_limit = h.getOptionValue("time_limit")
    if isinstance(time_limit, tuple):  # (status, value) in some highspy versions
        time_limit = time_limit[-1]
    n = int(idx.size)
    h.changeColsBounds(n, idx, values, values)
    h.changeColsIntegrality(n, idx, np.full(n, highspy.HighsVarType.kContinuous))
    h.setOptionValue("time_limit", highspy.kHighsInf)
    h.clearSolver()  # no basis or solution carried over from the MILP: the LP as a fresh model solves it
    start = time.perf_counter()
    try:
        with _quiet_stdout():
            h.run()
        status, sol_status = solver.findSolutionValues(model.prob)
        model.prob.assignStatus(status, sol_status)
        seconds = time.perf_counter() - start
        status, obj, bound, gap, detail = _highs_outcome(model.prob)
        if obj is not None:
            obj = pulp.value(model.prob.objective)
        if bound is not None:
            bound += model.constant_kusd
        return SolveResult("highs", status, obj, bound, gap, seconds, detail)
    finally:
        h.changeColsBounds(n, idx, lower, upper)
        h.changeColsIntegrality(n, idx, np.array(integrality))
        h.setOptionValue("time_limit", time_limit)


def as_lp(h, n: int):
    """Make HiGHS's own model of ``n`` columns (its integers fixed by their bounds) a continuous LP,
    solve it without a time limit and return its optimal basis, from which re-solves with other costs
    start (the same start for every re-solve)."""
    import highspy

    columns = np.arange(n, dtype=np.int32)
    h.changeColsIntegrality(n, columns, np.full(n, highspy.HighsVarType.kContinuous))
    h.setOptionValue("time_limit", highspy.kHighsInf)
    h.clearSolver()
    h.run()
    return h.getBasis()


def solve_fixed_lp(model: Model, solver: str = "highs") -> SolveResult:
    """Fix every integer at its value and re-solve the LP, so constraint duals exist.

    Where the model's last solve was that LP (``model.fixed_lp``, set by the ``--exact-hours``
    cascade), its result is returned and nothing is solved. With HiGHS, the LP is a change of the
    integer columns' bounds on the solver's own model and a re-solve (:func:`_fixed_lp_in_place`);
    otherwise (CBC, or a model HiGHS did not solve) it is built again through PuLP with the integers
    fixed.
    """
    if model.fixed_lp is not None:  # the last solve was this LP already: its duals are on the rows
        return model.fixed_lp
    if solver == "highs":
        result = _fixed_lp_in_place(model)
        if result is not None:
            return result
    saved = []
    for var in model.integer_vars:  # binaries too: PuLP keeps a binary as an integer in [0, 1]
        if var.varValue is None:
            continue
        saved.append((var, var.lowBound, var.upBound, var.cat))
        value = round(var.varValue)
        var.lowBound = var.upBound = value
        var.cat = pulp.LpContinuous
    try:
        return solve(model, solver=solver, mip_gap=None)
    finally:
        for var, lo, hi, cat in saved:
            var.lowBound, var.upBound, var.cat = lo, hi, cat


@contextlib.contextmanager
def _variables_listed_once(lp):
    """``lp.variables()`` answered from one listing (:func:`planner.model.variables_of`) while the problem is
    handed to and read back from a solver: PuLP lists them by scanning every row, several times a solve,
    and the problem does not change meanwhile."""
    variables = variables_of(lp)
    lp.variables = lambda: variables
    try:
        yield
    finally:
        del lp.variables


def relaxation(model: Model, time_limit: float | None = None) -> dict[str, float] | None:
    """The LP relaxation of the model (every integer column continuous), solved by HiGHS.

    Returns the values of the model's integer columns by name, or None where the LP has no optimum
    within ``time_limit`` [s] (or highspy is missing). The problem itself is left as it was: the LP is
    loaded into a HiGHS instance of its own. The solve runs in highspy's solver thread, so Ctrl-C and
    SIGTERM stop it at once, as every solve.
    """
    try:
        import highspy
    except ImportError:  # pragma: no cover - CBC-only installations
        return None
    lp = model.prob
    saved = getattr(lp, "solverModel", None)
    try:
        with _quiet_stdout():  # HiGHS's banner, printed by the first instance a process makes
            lp.solverModel = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        with _variables_listed_once(lp):
            _load_batched(lp, mip=False)
        _run_interruptibly(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = h.getSolution().col_value
        return {v.name: float(x[v.index]) for v in model.integer_vars}
    finally:
        lp.solverModel = saved


def _run_interruptibly(h, on_wait: Callable[[], None] | None = None) -> None:
    """``h.run()`` in highspy's solver thread; the calling thread waits in short steps, so a signal handler
    (Ctrl-C, SIGTERM) runs at once, and its exception cancels the solve and propagates. ``on_wait`` is
    called at each step (progress reports)."""
    if not hasattr(h, "startSolve"):  # pragma: no cover - older highspy: plain blocking run
        h.run()
        return
    h.HandleUserInterrupt = True
    h.startSolve()
    try:
        while not h.wait(0.05)[0]:
            if on_wait is not None:
                on_wait()
    except BaseException:
        h.cancelSolve()
        h.wait(0.5)
        raise


def _load_batched(lp, mip: bool) -> None:
    """Columns, integrality and rows of the PuLP problem ``lp`` into ``lp.solverModel`` in batches.

    The same model as ``pulp.HiGHS.buildSolverModel`` builds (a maximisation negated, zero
    coefficients left out), with each variable's column in ``var.index`` and each row in
    ``constraint.index`` as PuLP sets them.
    """
    import highspy

    h = lp.solverModel
    inf = highspy.kHighsInf
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    variables = lp.variables()
    objective = lp.objective
    n = len(variables)
    cost = np.empty(n)
    lower = np.empty(n)
    upper = np.empty(n)
    integer = []
    for i, var in enumerate(variables):
        var.index = i
        cost[i] = sign * objective.get(var, 0.0)
        lower[i] = -inf if var.lowBound is None else var.lowBound
        upper[i] = inf if var.upBound is None else var.upBound
        if mip and var.cat == pulp.LpInteger:
            integer.append(i)
    h.addCols(n, cost, lower, upper, 0, np.zeros(n, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
    if integer:
        h.changeColsIntegrality(len(integer), np.array(integer, dtype=np.int32),
                                np.full(len(integer), highspy.HighsVarType.kInteger))
    constraints = list(lp._constraints.values())
    m = len(constraints)
    starts = np.empty(m, dtype=np.int32)
    index: list[int] = []
    value: list[float] = []
    column_of = operator.attrgetter("index")
    for i, con in enumerate(constraints):
        con.index = i
        starts[i] = len(index)
        coefs = con.values()
        if 0 in coefs:  # rare: a term that cancelled; HiGHS is given no zero entries
            pairs = [(var.index, coef) for var, coef in con.items() if coef != 0]
            index.extend(k for k, _ in pairs)
            value.extend(c for _, c in pairs)
        else:  # the rows in C-level loops, not one Python step per entry
            index.extend(map(column_of, con.keys()))
            value.extend(coefs)
    # each row's bounds as PuLP's getLb and getUb give them: -constant below (>= and =), above (<= and =)
    sense = np.fromiter((con.sense for con in constraints), dtype=float, count=m)
    rhs = -np.fromiter((con.constant for con in constraints), dtype=float, count=m)
    row_lower = np.where(sense >= 0, rhs, -inf)  # pulp.LpConstraintGE = 1, LpConstraintEQ = 0
    row_upper = np.where(sense <= 0, rhs, inf)  # pulp.LpConstraintLE = -1
    if m:
        h.addRows(m, row_lower, row_upper, len(index), starts, np.array(index, dtype=np.int32),
                  np.array(value, dtype=float))


class _InterruptibleHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface, with the solve run in highspy's solver thread.

    The main thread waits in short steps, so a signal handler (Ctrl-C, SIGTERM) runs at once; its
    exception cancels the solve through HiGHS's user-interrupt callback, waits briefly for the
    solver thread to stop, and propagates.
    """

    on_progress: Callable[[SolverProgress], None] | None = None
    watcher: ProgressWatcher | None = None

    def actualSolve(self, lp):
        """PuLP's HiGHS solve (build, run, read the solution back), with the problem's variables listed
        once (:func:`planner.model.variables_of`; PuLP lists them by scanning every row, three times a solve,
        and the problem does not change while it is solved), and without PuLP's resolve bookkeeping
        (a ``modified`` flag on every column and row, for a resolve its HiGHS interface does not offer)."""
        with _variables_listed_once(lp):
            self.createAndConfigureSolver(lp)
            self.buildSolverModel(lp)
            self.callSolver(lp)
            status, sol_status = self.findSolutionValues(lp)
            lp.assignStatus(status, sol_status)
            return status

    def buildSolverModel(self, lp):
        """PuLP's model into HiGHS as PuLP's own interface puts it, in one call for the columns and
        one for the rows (PuLP adds them one at a time, which took most of a large LP's solve)."""
        _load_batched(lp, mip=self.mip)

    def callSolver(self, lp):
        h = lp.solverModel
        sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0  # PuLP hands HiGHS the negated maximisation
        self.watcher = ProgressWatcher(h, sign, float(lp.objective.constant), self.on_progress)
        self.watcher.attach()
        try:
            if not hasattr(h, "startSolve"):  # pragma: no cover - older highspy: plain blocking run
                return super().callSolver(lp)
            _run_interruptibly(h, self.watcher.drain)
        finally:
            self.watcher.detach()


class _HiGHSFromStart(_InterruptibleHiGHS):
    """PuLP's HiGHS, handing the solver a (partial) MIP start by variable name before it runs.

    HiGHS completes a partial start itself (the columns not given are solved for with the given
    ones fixed) and keeps it as the first incumbent when it is feasible.
    """

    def __init__(self, start: dict[str, float], **kw):
        super().__init__(**kw)
        self.start = start

    def callSolver(self, lp):
        idx, val = [], []
        for var in lp.variables():
            value = self.start.get(var.name)
            if value is not None:
                idx.append(var.index)
                val.append(value)
        if idx:
            lp.solverModel.setSolution(len(idx), np.array(idx, dtype=np.int32), np.array(val, dtype=float))
        super().callSolver(lp)  # interruptible by Ctrl-C and SIGTERM, as every solve
