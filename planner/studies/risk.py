"""How sure is the NOI: a design operated under sampled markets, and a design robust to them (`plan risk`).

The study, in order:

1. **The deterministic plan**: the site planned as `plan SITE` plans it, at the site's values.
2. **Samples**: ``n`` draws of the inputs the site's ``[uncertainty]`` table declares
   (:mod:`planner.studies.sampling`; the same seed gives the same draws).
3. **Distribution of NOI of the deterministic design**: each sample re-optimises the
   *operation only* (mining dispatch, heat per module, fans, monthly peaks) of the fixed
   design in a linear programme built once per worker (:mod:`planner.studies.operation`),
   then runs the year hour by hour and prices it as `plan` does. Plus the tornado: the NOI
   with every input at its median, and each input alone at its P10 and P90.
4. **A robust design**: the site planned anew (design free, the full MILP) at each of the
   first ``robust_samples`` samples gives candidate designs; each candidate (and the
   deterministic design) is operated on those samples, and the one with the best mean of
   the site's objective (or the best chosen percentile) is evaluated on every sample.
   This is a sample-average choice among candidate designs, not a stochastic programme over
   every design.

Each sample is evaluated in a worker (:mod:`planner.studies.executors`: a process pool,
serial, or Dask); a worker receives the resolved inputs and the design, never a solver
object. Rows stream to Parquet parts as batches finish (:mod:`planner.studies.store`).

The figures of a sample are those of :data:`planner.studies.operation.FIGURES`; an objective
over a multi-year timeline (an NPV) plugs in there, and the robust choice ranks by any of them.
"""

from __future__ import annotations

import collections
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from planner.audit import Design
from planner.inputs import Inputs
from planner.load import InputError, load_site
from planner.spec.uncertainty import UNCERTAIN_INPUTS
from planner.studies import executors
from planner.studies.operation import (
    FIGURES, OperationLP, equipment, fixed_decisions, price_factors, sample_figures, sampled_inputs,
)
from planner.studies.sampling import draw, nominal_values, one_at_a_time
from planner.studies.store import Store, row_key

#: Canonical unit and Parquet column of each uncertain input.
INPUT_COLUMNS = {
    "btc_price": ("USD/BTC", "btc_price_USD_per_BTC"),
    "difficulty": ("", "difficulty"),
    "gpu_price": ("USD/GPU/h", "gpu_price_USD_per_GPU_h"),
    "utilisation": ("", "utilisation"),
    "energy_price": ("USD/MWh", "energy_price_USD_per_MWh"),
}
ROBUST_SAMPLES = 8  # samples the candidate designs are planned at and ranked on, by default


def figure_column(name: str) -> str:
    unit = FIGURES[name][0]
    return f"{name}_{unit.replace('/', '_per_')}"


def schema() -> pa.Schema:
    """The rows of a study: keys, the sampled inputs, the status and every figure, units in the metadata."""
    fields = [pa.field("design_id", pa.string()), pa.field("kind", pa.string()), pa.field("input", pa.string()),
              pa.field("level", pa.string()), pa.field("sample", pa.int64())]
    for name in UNCERTAIN_INPUTS:
        unit, col = INPUT_COLUMNS[name]
        fields.append(pa.field(col, pa.float64(), metadata={"unit": unit or "1"}))
    fields.append(pa.field("status", pa.string()))
    for name, (unit, _) in FIGURES.items():
        fields.append(pa.field(figure_column(name), pa.float64(), metadata={"unit": unit}))
    return pa.schema(fields)


def design_id(design: Design) -> str:
    """A short stable id of a design's equipment."""
    text = json.dumps({k: round(float(v), 9) for k, v in sorted(fixed_decisions(design).items())})
    return hashlib.sha1(text.encode()).hexdigest()[:10]


# --- what workers run --------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What every task of a study shares: the resolved inputs and the site's values of the uncertain ones."""

    key: str
    inputs: Inputs
    nominal: dict[str, float]


@dataclass(frozen=True)
class Point:
    """One set of input values to evaluate: a sample, or a tornado point (input at a level)."""

    kind: str  # "sample" or "tornado"
    input: str  # tornado: the input moved ("" at the median point); samples: ""
    level: str  # tornado: "p10", "p90" or "median"; samples: ""
    sample: int  # sample index; -1 for tornado points
    values: dict[str, float]


@dataclass(frozen=True)
class Batch:
    """Points to evaluate for one design (picklable)."""

    context: Context
    design_id: str
    design: Design
    points: tuple[Point, ...]


_LPS: collections.OrderedDict[tuple[str, str], OperationLP] = collections.OrderedDict()
LPS_KEPT = 3  # operation LPs a worker keeps (the deterministic design, the robust one, a candidate)


def operation_lp(context: Context, did: str, design: Design) -> OperationLP:
    """The worker's operation LP of a design, built at its first batch."""
    key = (context.key, did)
    lp = _LPS.get(key)
    if lp is None:
        lp = OperationLP(context.inputs, design)
        _LPS[key] = lp
        while len(_LPS) > LPS_KEPT:
            _LPS.popitem(last=False)
    _LPS.move_to_end(key)
    return lp


def evaluate_point(context: Context, lp: OperationLP, point: Point) -> tuple[str, dict[str, float]]:
    """Status and figures of one point: the operation re-optimised, the year run and priced."""
    f = price_factors(context.nominal, point.values)
    status, operated = lp.operate(f["hashprice"], f["energy_price"])
    if operated is None:
        return status, {name: math.nan for name in FIGURES}
    return status, sample_figures(sampled_inputs(context.inputs, context.nominal, point.values), operated)


def evaluate_batch(batch: Batch) -> list[dict[str, Any]]:
    """Rows of one batch (runs in a worker)."""
    lp = operation_lp(batch.context, batch.design_id, batch.design)
    rows = []
    for p in batch.points:
        status, figures = evaluate_point(batch.context, lp, p)
        row = {"design_id": batch.design_id, "kind": p.kind, "input": p.input, "level": p.level, "sample": p.sample}
        row.update({INPUT_COLUMNS[n][1]: p.values[n] for n in UNCERTAIN_INPUTS})
        row["status"] = status
        row.update({figure_column(n): v for n, v in figures.items()})
        rows.append(row)
    return rows


@dataclass(frozen=True)
class CandidateTask:
    """Plan the site, design free, at one sample's values (picklable)."""

    context: Context
    sample: int
    values: dict[str, float]
    solver: str = "highs"
    time_limit: float | None = None
    mip_gap: float | None = 1e-4


def plan_candidate(task: CandidateTask) -> Design | None:
    """The equipment of the plan at a sample's values, or None when it has no plan (runs in a worker)."""
    from planner.plan import run_plan

    inp = sampled_inputs(task.context.inputs, task.context.nominal, task.values)
    plan = run_plan(inp, solver=task.solver, time_limit=task.time_limit, mip_gap=task.mip_gap)
    return None if plan.design is None else equipment(plan.design)


# --- the study ---------------------------------------------------------------------------------

@dataclass
class DesignResult:
    """One design of the study and its rows."""

    id: str
    design: Design
    samples: list[dict[str, Any]] = field(default_factory=list)  # kind "sample", sorted by sample
    tornado: list[dict[str, Any]] = field(default_factory=list)

    def values(self, figure: str = "noi") -> np.ndarray:
        col = figure_column(figure)
        return np.array([r[col] for r in self.samples], dtype=float)


@dataclass
class Candidate:
    id: str
    design: Design
    from_sample: int | None  # None: the deterministic design
    score: float | None = None


@dataclass
class RiskStudy:
    site_name: str
    objective: str
    samples: int
    seed: int
    declared: list[str]
    nominal: dict[str, float]
    horizon: float
    time_mode: str
    model_hours: int
    plan_noi: float  # the deterministic plan's audited NOI [USD/yr]
    plan_objective: float
    deterministic: DesignResult
    robust: DesignResult | None
    candidates: list[Candidate]
    robust_rule: str  # "mean" or "P10" ...
    robust_subset: int
    solved: int  # points evaluated in this run
    resumed: int  # points a previous run of the study had solved (--resume)
    parquet: Path | None = None
    inputs: Inputs | None = None
    timeline: "TimelineRisk | None" = None


@dataclass
class TimelineRisk:
    """The NPV of the site's timeline (its build schedule fixed) under each sample."""

    horizon: str
    npv_plan: float  # MUSD, the timeline at the site's values
    npv: np.ndarray  # MUSD per sample (nan: no optimal operation)
    seconds: float


def timeline_npv(loaded, draws: list[dict[str, float]], nominal: dict[str, float], solver: str,
                 say: Callable[[str, int, int], None]) -> TimelineRisk:
    """Plan the site's timeline at its values, then re-solve its operation at each sample's levels.

    Each sample's levels of BTC price, difficulty, energy price, GPU price and utilisation are held
    over the whole horizon (the timeline's paths keep their shape); the build schedule is fixed
    (:class:`planner.timeline.sampled.TimelineNPV`).
    """
    import time

    from planner.timeline.run import plan_timeline
    from planner.timeline.sampled import TimelineNPV

    t0 = time.perf_counter()
    say("planning the timeline", 0, 1)
    run = plan_timeline(loaded, solver=solver)
    if run.results is None:
        raise RuntimeError(f"the site's timeline has no plan ({run.solve.status}: {run.solve.detail}); "
                           "run plan timeline SITE to see why")
    say("planning the timeline", 1, 1)
    lp = TimelineNPV(run)
    values = []
    label = "operating the timeline's build schedule"
    for i, v in enumerate(draws):
        f = price_factors(nominal, v)
        util = v["utilisation"] / nominal["utilisation"] if nominal["utilisation"] else 1.0
        values.append(lp.npv(f["hashprice"], f["energy_price"], f["gpu_price"] * util))
        say(label, i + 1, len(draws))
    return TimelineRisk(run.results.horizon, run.results.npv.value, np.array(values, dtype=float),
                        time.perf_counter() - t0)


def study_key(site: Path, sets: dict, scenario: str | None, kw: dict, seed: int, robust_samples: int,
              robust_percentile: float | None) -> dict[str, Any]:
    """What makes two runs the same study (``--resume`` checks it)."""
    return {"site": str(site.resolve()), "site_sha1": hashlib.sha1(site.read_bytes()).hexdigest()[:16],
            "overrides": json.loads(json.dumps(sets, sort_keys=True, default=str)), "scenario": scenario,
            "time": kw, "seed": seed, "robust_samples": robust_samples, "robust_percentile": robust_percentile}


def _batches(context: Context, did: str, design: Design, points: list[Point], workers: int) -> list[Batch]:
    size = max(1, min(25, math.ceil(len(points) / (4 * max(1, workers)))))
    return [Batch(context, did, design, tuple(points[i:i + size])) for i in range(0, len(points), size)]


def score(values: np.ndarray, percentile: float | None) -> float:
    """The robust choice's figure of a design over the subset: mean, or a percentile."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return -math.inf
    return float(np.mean(values) if percentile is None else np.percentile(values, percentile))


def _design_dict(design: Design) -> dict[str, float]:
    return fixed_decisions(design)


def _design_from(d: dict[str, float]) -> Design:
    out = Design({}, {}, {}, {}, {})
    for key, v in d.items():
        kind, name = key.split(".", 1)
        target = {"racks": out.racks, "cdus": out.cdus, "heat_rejection": out.modules,
                  "air_side": out.air_units, "mining": out.mining}[kind]
        target[name] = v if kind == "mining" else int(v)
    return out


class _Runs:
    """The evaluations of one study: batches to the executor, rows to the store and to memory."""

    def __init__(self, context: Context, store: Store | None, runner: dict[str, Any], n_workers: int,
                 say: Callable[[str, int, int], None], fn: Callable[[Batch], list[dict[str, Any]]]):
        self.context, self.store, self.runner, self.n_workers, self.say, self.fn = (
            context, store, runner, n_workers, say, fn)
        self.done = store.done() if store else set()
        self.found = set(self.done)  # rows a previous run of this study solved
        self.memory: dict[tuple, dict[str, Any]] = {}
        self.solved = self.resumed = 0

    def evaluate(self, label: str, work: list[tuple[str, Design, list[Point]]]) -> None:
        """Evaluate each (design id, design, points) for the points not yet done."""
        batches: list[Batch] = []
        for did, design, points in work:
            keys = [(did, p.kind, p.input, p.level, p.sample) for p in points]
            self.resumed += sum(k in self.found for k in keys)
            todo = [p for p, k in zip(points, keys) if k not in self.done]
            batches += _batches(self.context, did, design, todo, self.n_workers)
        total, finished = sum(len(b.points) for b in batches), 0
        self.say(label, 0, total)
        for _, rows in executors.iter_tasks(self.fn, batches, **self.runner):
            if self.store:
                self.store.write_part(rows)
            for r in rows:
                self.memory[row_key(r)] = r
                self.done.add(row_key(r))
            finished += len(rows)
            self.solved += len(rows)
            self.say(label, finished, total)

    def rows(self) -> dict[tuple, dict[str, Any]]:
        """Every row of the study: this run's and, with a store, the earlier runs'."""
        return {**self.memory, **({row_key(r): r for r in self.store.rows()} if self.store else {})}


def _deterministic(inp: Inputs, saved: dict[str, Any], store: Store | None, say,
                   **solve_kw) -> tuple[Design, float, float]:
    """The design of the plan at the site's values, its NOI and objective; from the study folder when saved."""
    from planner.plan import run_plan

    if "deterministic" in saved:
        got = saved["deterministic"]
        return _design_from(got["design"]), got["noi"], got["objective"]
    say("planning the deterministic design", 0, 1)
    plan = run_plan(inp, **solve_kw)
    if plan.design is None:
        raise RuntimeError(f"the site has no plan at its own values ({plan.solve.status}: {plan.solve.detail}); "
                           "run plan SITE to see why")
    d0 = equipment(plan.design)
    saved["deterministic"] = {"design": _design_dict(d0), "noi": plan.economics.noi,
                              "objective": plan.economics.objective(inp.objective)}
    if store:
        store.save(saved)
    say("planning the deterministic design", 1, 1)
    return d0, saved["deterministic"]["noi"], saved["deterministic"]["objective"]


def _candidates(runs: _Runs, subset: list[Point], saved: dict[str, Any], **solve_kw) -> list[tuple[int, Design | None]]:
    """(sample, design or None) of the plans at the subset's samples; from the study folder when saved."""
    if "candidates" in saved:
        return [(c["sample"], _design_from(c["design"]) if c["design"] else None) for c in saved["candidates"]]
    label = "planning candidate designs at the first samples"
    tasks = [CandidateTask(runs.context, p.sample, p.values, **solve_kw) for p in subset]
    planned: list[tuple[int, Design | None]] = []
    runs.say(label, 0, len(tasks))
    for i, d in executors.iter_tasks(plan_candidate, tasks, **runs.runner):
        planned.append((tasks[i].sample, d))
        runs.say(label, len(planned), len(tasks))
    planned.sort(key=lambda item: item[0])
    saved["candidates"] = [{"sample": s, "design": _design_dict(d) if d else None} for s, d in planned]
    if runs.store:
        runs.store.save(saved)
    return planned


def _robust(runs: _Runs, det: DesignResult, subset: list[Point], saved: dict[str, Any], objective: str,
            percentile: float | None, **solve_kw) -> tuple[DesignResult, list[Candidate]]:
    """The candidate with the best score of the objective over the subset, and every candidate scored."""
    candidates = [Candidate(det.id, det.design, None)]
    for s, d in _candidates(runs, subset, saved, **solve_kw):
        if d is not None and design_id(d) not in {c.id for c in candidates}:
            candidates.append(Candidate(design_id(d), d, s))
    runs.evaluate("operating the candidate designs at the first samples",
                  [(c.id, c.design, subset) for c in candidates[1:]])
    rows, col = runs.rows(), figure_column(objective)
    for c in candidates:
        c.score = score(np.array([rows[(c.id, "sample", "", "", p.sample)][col] for p in subset], dtype=float),
                        percentile)
    best = max(candidates, key=lambda c: c.score)  # the first (deterministic) wins a tie
    return DesignResult(best.id, best.design), candidates


def _check_options(samples: int, robust_samples: int, robust_percentile: float | None, resume: bool,
                   out_dir) -> None:
    if samples < 1:
        raise InputError("--samples", str(samples), "expected a whole number of samples >= 1")
    if robust_samples < 0:
        raise InputError("--robust-samples", str(robust_samples), "expected a whole number >= 0")
    if robust_percentile is not None and not 0 < robust_percentile < 100:
        raise InputError("--robust-percentile", str(robust_percentile), "expected a percentile between 0 and 100")
    if resume and out_dir is None:
        raise InputError("--resume", "", "needs --out DIR, the folder of the study to continue")


def run_risk(site: str | Path, *, samples: int, seed: int, sets: dict[str, Any] | None = None,
             scenario: str | None = None, days: int | None = None, bin_k: float | None = None,
             executor: str = "process", workers: int | None = None, scheduler: str | None = None,
             out_dir: str | Path | None = None, resume: bool = False, robust_samples: int = ROBUST_SAMPLES,
             robust_percentile: float | None = None, solver: str = "highs", time_limit: float | None = None,
             mip_gap: float | None = 1e-4, progress: Callable[[str, int, int], None] | None = None,
             fn: Callable[[Batch], list[dict[str, Any]]] = evaluate_batch, timeline: bool = True) -> RiskStudy:
    """Run the risk study (see the module docstring); pure apart from the study folder.

    ``fn`` evaluates a batch in a worker (:func:`evaluate_batch`; tests hand in one that fails).
    With ``timeline`` and a site with a ``[timeline]`` table, the NPV of its build schedule is
    computed for every sample as well (:func:`timeline_npv`).

    Raises
    ------
    InputError
        Bad input, a site without ``[uncertainty]``, a study folder of other inputs; before solving.
    RuntimeError
        The deterministic plan has no design (the message says why).
    """
    from planner.climate import ClimateError
    from planner.inputs import resolve
    from planner.studies.sweep import resolve_kw

    site, sets = Path(site), dict(sets or {})
    say = progress or (lambda what, done, total: None)
    _check_options(samples, robust_samples, robust_percentile, resume, out_dir)
    executors.check_executor(executor, workers, scheduler)
    kw = resolve_kw(days, bin_k)
    loaded = load_site(site, overrides=sets, scenario=scenario)
    unc = loaded.spec.uncertainty
    if unc is None or not unc.declared():
        raise InputError(loaded.path, "uncertainty", "the site declares no uncertain input: add an [uncertainty] "
                         "table (e.g. [uncertainty.btc_price] volatility = \"46 %\"; see docs/site-reference.md) "
                         "to run plan risk")
    try:
        inp = resolve(loaded, **kw)
    except ClimateError as err:
        raise InputError(loaded.path, "climate.weather_file", str(err)) from None
    nominal = nominal_values(loaded.spec)
    key = study_key(site, sets, scenario, kw, seed, robust_samples, robust_percentile)
    store = Store(out_dir, schema()) if out_dir is not None else None
    saved = store.open(key, resume) if store else {}
    context = Context(hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12], inp, nominal)
    solve_kw = {"solver": solver, "time_limit": time_limit, "mip_gap": mip_gap}

    draws = draw(unc, nominal, samples, seed)
    base, swings = one_at_a_time(unc, nominal)
    sample_points = [Point("sample", "", "", i, v) for i, v in enumerate(draws)]
    tornado_points = [Point("tornado", "", "median", -1, base)]
    tornado_points += [Point("tornado", n, level, -1, v) for n, level, v in swings]
    subset = sample_points[:min(robust_samples, samples)]
    # one Dask cluster (or pool settings) for every phase; an unreachable scheduler fails before any solve
    with executors.session(executor, workers, scheduler) as runner:
        runs = _Runs(context, store, runner, 1 if executor == "serial" else (workers or executors.default_workers()),
                     say, fn)
        d0, plan_noi, plan_obj = _deterministic(inp, saved, store, say, **solve_kw)
        det = DesignResult(design_id(d0), d0)
        runs.evaluate("operating the deterministic design", [(det.id, d0, sample_points + tornado_points)])
        robust, candidates = None, [Candidate(det.id, d0, None)]
        if subset:
            robust, candidates = _robust(runs, det, subset, saved, inp.objective, robust_percentile, **solve_kw)
            if robust.id != det.id:
                runs.evaluate("operating the robust design", [(robust.id, robust.design, sample_points)])

    tl = None
    if timeline and loaded.spec.timeline is not None:
        tl = timeline_npv(loaded, draws, nominal, solver, say)

    # the rows, sorted; the final Parquet file
    role = {det.id: 0}
    if robust is not None:
        role.setdefault(robust.id, 1)
    ordered = sorted(runs.rows().values(), key=lambda r: (role.get(r["design_id"], 2), r["design_id"], r["kind"],
                                                           r["input"], r["level"], r["sample"]))
    wanted = [r for r in ordered if r["kind"] != "sample" or r["sample"] < samples]
    for result in filter(None, (det, robust)):
        result.samples = [r for r in wanted if r["design_id"] == result.id and r["kind"] == "sample"]
        result.tornado = [r for r in wanted if r["design_id"] == result.id and r["kind"] == "tornado"]
    return RiskStudy(
        site_name=inp.site_name, objective=inp.objective, samples=samples, seed=seed, declared=unc.declared(),
        nominal=nominal, horizon=unc.horizon.value, time_mode=inp.time_mode, model_hours=inp.hours,
        plan_noi=plan_noi, plan_objective=plan_obj, deterministic=det, robust=robust, candidates=candidates,
        robust_rule="mean" if robust_percentile is None else f"P{robust_percentile:g}",
        robust_subset=len(subset), solved=runs.solved, resumed=runs.resumed,
        parquet=store.write_final(wanted) if store else None, inputs=inp, timeline=tl,
    )


__all__ = ["run_risk", "RiskStudy", "TimelineRisk", "timeline_npv", "DesignResult", "Candidate", "Batch", "Point", "Context", "evaluate_batch",
           "plan_candidate", "schema", "design_id", "figure_column", "INPUT_COLUMNS"]
