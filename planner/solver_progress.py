"""Live progress of a HiGHS MIP solve: each better incumbent and tighter bound, from highspy's callbacks.

HiGHS calls back from its solver thread (:meth:`highspy.Highs.startSolve`); the callbacks only put
reports on a queue, and the thread that waits for the solve hands them on (:meth:`ProgressWatcher.drain`),
so whoever prints them does so from the main thread. Objective values are turned from HiGHS's sense
(PuLP hands it the negated objective of a maximisation, without the constant) into the plan's kUSD/yr.
"""

from __future__ import annotations

import math
import queue
from dataclasses import dataclass
from typing import Callable

#: Seconds of solver time between two reports of a tighter bound alone (incumbents are reported as they come).
BOUND_REPORT_SECONDS = 2.0


@dataclass(frozen=True)
class SolverProgress:
    """One report of the solver while it runs: a better incumbent, or a tighter best bound.

    ``objective`` and ``bound`` are in kUSD/yr as :class:`planner.solve.SolveResult`'s (the model's
    constant included); each is None while HiGHS has none, and ``gap`` (relative) None while infinite.
    """

    kind: str  # "incumbent" or "bound"
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float  # solver time since the solve started

    def text(self) -> str:
        """The report in words with units, e.g. 'new incumbent at 3.9 s: 6.8330 MUSD/yr, bound 6.8597 MUSD/yr, gap 0.39 %'."""
        what = "new incumbent" if self.kind == "incumbent" else "bound improved"
        objective = "no incumbent yet" if self.objective is None else f"{self.objective / 1e3:.4f} MUSD/yr"
        bound = "n/a" if self.bound is None else f"{self.bound / 1e3:.4f} MUSD/yr"
        gap = "n/a" if self.gap is None else f"{self.gap * 100:.3g} %"
        return f"{what} at {self.seconds:.1f} s: {objective}, bound {bound}, gap {gap}"


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


class ProgressWatcher:
    """Subscribes to a :class:`highspy.Highs` object's MIP callbacks for one solve.

    Parameters
    ----------
    highs : highspy.Highs
        The solver object (PuLP's ``prob.solverModel``).
    sign, constant : float
        The plan's objective is ``sign * value + constant`` of HiGHS's objective ``value``.
    on_progress : callable, optional
        Told of each :class:`SolverProgress` by :meth:`drain`.

    Attributes
    ----------
    incumbents : list of SolverProgress
        The incumbents HiGHS reported, in order.
    note : str
        Why no progress can be reported ("" when it can).
    """

    def __init__(self, highs, sign: float, constant: float,
                 on_progress: Callable[[SolverProgress], None] | None = None):
        self.highs, self.sign, self.constant = highs, sign, constant
        self.on_progress = on_progress
        self.incumbents: list[SolverProgress] = []
        self.note = ""
        self._queue: queue.SimpleQueue[SolverProgress] = queue.SimpleQueue()
        self._best_bound = -math.inf  # HiGHS's own (minimisation) sense
        self._bound_time = -math.inf
        self._attached = False

    def _plan(self, value: float) -> float | None:
        v = _finite(value)
        return None if v is None else self.sign * v + self.constant

    def _report(self, kind: str, data) -> SolverProgress:
        gap = _finite(data.mip_gap)
        return SolverProgress(kind, self._plan(data.mip_primal_bound if kind == "bound" else data.objective_function_value),
                              self._plan(data.mip_dual_bound), gap, float(data.running_time))

    def _improving(self, event) -> None:  # solver thread
        self._queue.put(self._report("incumbent", event.data_out))

    def _interrupt(self, event) -> None:  # solver thread, called often: a tighter bound every few seconds at most
        data = event.data_out
        bound = data.mip_dual_bound
        if (math.isfinite(bound) and bound > self._best_bound + 1e-9 * max(1.0, abs(bound))
                and data.running_time - self._bound_time >= BOUND_REPORT_SECONDS):
            self._best_bound, self._bound_time = bound, data.running_time
            self._queue.put(self._report("bound", data))

    def attach(self) -> bool:
        """Subscribe; False (and :attr:`note` says why) where this highspy has no MIP callbacks."""
        h = self.highs
        if not (hasattr(h, "cbMipImprovingSolution") and hasattr(h, "cbMipInterrupt")):
            import highspy

            version = getattr(highspy, "__version__", "installed")
            self.note = f"highspy {version} has no MIP callbacks: no live progress (the result is unaffected)"
            return False
        h.cbMipImprovingSolution.subscribe(self._improving)
        h.cbMipInterrupt.subscribe(self._interrupt)
        self._attached = True
        return True

    def drain(self) -> None:
        """Hand on the reports queued so far (call from the thread that waits for the solve)."""
        while True:
            try:
                report = self._queue.get_nowait()
            except queue.Empty:
                return
            if report.kind == "incumbent":
                self.incumbents.append(report)
            if self.on_progress is not None:
                self.on_progress(report)

    def detach(self) -> None:
        """Unsubscribe (later solves of the same object, such as the fixed-integer LP, report nothing) and drain."""
        if self._attached:
            self.highs.cbMipImprovingSolution.unsubscribe(self._improving)
            self.highs.cbMipInterrupt.unsubscribe(self._interrupt)
            self._attached = False
        self.drain()


__all__ = ["BOUND_REPORT_SECONDS", "ProgressWatcher", "SolverProgress"]
