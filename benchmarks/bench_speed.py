"""End-to-end CPU and wall time of the default plan: the fast strategy against the full MILP, and every hour exactly.

Prints figures; asserts nothing. Each run is a fresh process, so the import is counted, and its
peak resident memory is its own. A run does what ``plan SITE --no-replan`` does for the plan
itself, phase by phase: import the planner, read and resolve the inputs (weather file and pint
registry from the user's cache after the first run; ``PLANNER_NO_CACHE=1`` to time them cold),
build the model, solve it, re-solve the fixed-integer LP for the shadow prices with the
explanation around it, and simulate and audit every hour. CPU seconds are the process's own
(user + system); wall seconds depend on the machine's load.

Three runs per column: the fast strategy (``plan SITE``), the full MILP (``plan SITE --prove``),
every hour exactly by the cascade (``plan SITE --exact-hours``: equipment from the grouped
hours, every distinct hour's dispatch as an LP), and, where linopy is installed (``pip install
linopy``), the full MILP built with linopy and solved through it (``benchmarks/linopy_build.py``:
the same matrix through linopy's API; the PuLP model it is read from is not counted), and the
full MILP on the hours grouped within months as well, as the planner grouped them until
2026-12-06 (309 model hours at washington instead of 54): the baseline issue 12 measured against.

    python benchmarks/bench_speed.py                      # washington, default resolution, 3 runs each
    python benchmarks/bench_speed.py --runs 1 --site sites/texas.toml
    python benchmarks/bench_speed.py --days 6             # on representative days
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("import", "inputs", "build", "solve", "duals", "audit")
STRATEGIES = ("fast", "full", "exact", "linopy", "by_month")
TITLES = {"fast": "fast strategy", "full": "full MILP (`--prove`)", "exact": "`--exact-hours` cascade",
          "linopy": "full MILP built with linopy",
          "by_month": "full MILP, hours grouped within months (the default until 2026-12-06)"}


def group_within_months(loaded) -> None:
    """Group hours as the planner did until 2026-12-06: within the same month as well as price and bins.

    ``group_hours`` is given the climate's months (as ``--exact-hours`` with a demand charge gives
    them), so each group lies in one month and has one peak row, as the model had then.
    """
    import planner.inputs as inputs_mod

    months = inputs_mod.build_climate(loaded).month
    plain = inputs_mod.group_hours

    def keyed(price, coefficients, month=None):
        return plain(price, coefficients, month=months)

    inputs_mod.group_hours = keyed


class Clock:
    def __init__(self):
        self.cpu = time.process_time()
        self.wall = time.perf_counter()
        self.phases: dict[str, tuple[float, float]] = {}

    def lap(self, name: str) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        self.phases[name] = (cpu - self.cpu, wall - self.wall)
        self.cpu, self.wall = cpu, wall


def one(site: str, strategy: str, days: int | None, bin_k: float) -> dict:
    """One plan in this process, phase by phase (the child's side)."""
    clock = Clock()
    clock.cpu = 0.0  # the process's CPU from its start: the interpreter's start-up is part of the import
    import planner.cli  # noqa: F401 - what `plan` imports before it reads anything
    from planner.explain import explain
    from planner.inputs import resolve
    from planner.load import load_site
    from planner.model import build_model
    from planner.plan import PlanResult, extract_design
    from planner.solve import solve
    from planner.strategy import solve_fast
    from planner.cascade import solve_cascade
    from planner.audit import audit, simulate
    from planner.economics import evaluate

    clock.lap("import")
    loaded = load_site(site)
    if strategy == "by_month":
        group_within_months(loaded)
    exact = strategy == "exact"
    inp = resolve(loaded, time_mode="days", days=days) if days else resolve(loaded, bin_k=None if exact else bin_k)
    clock.lap("inputs")
    model = None if exact else build_model(inp)  # the cascade builds the exact model within its set, as plan does
    clock.lap("build")
    fast = solve_cascade if exact else solve_fast
    staged = fast(inp, model, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None) \
        if strategy not in ("full", "by_month") else None
    if exact:
        model = staged[1].model
    result = staged[0] if staged else solve(model, solver="highs", mip_gap=1e-4)
    clock.lap("solve")
    plan = PlanResult(inp, model, result, 0.0)
    plan.design = extract_design(model)
    plan.operation = simulate(inp, plan.design)
    plan.audit = audit(inp, plan.design, plan.operation)
    plan.economics = evaluate(inp, plan.design, plan.operation)
    clock.lap("audit")
    explain(plan)
    clock.lap("duals")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "strategy": strategy,
        "time": inp.time_mode,
        "model hours": inp.hours,
        "status": result.status,
        "scope": result.scope,
        "gap": result.gap,
        "objective": result.objective,
        "audit passed": plan.audit.passed,
        "cpu": {k: v[0] for k, v in clock.phases.items()},
        "wall": {k: v[1] for k, v in clock.phases.items()},
        "process cpu": usage.ru_utime + usage.ru_stime,
        "peak MB": usage.ru_maxrss / 1024,
    }


def one_linopy(site: str, days: int | None, bin_k: float) -> dict:
    """The full MILP built with linopy and solved by linopy with HiGHS (the child's side).

    The matrix comes from the planner's PuLP model (``benchmarks/linopy_build.py``); building
    that model and reading its arrays are left out of the CPU counted, so linopy is charged
    with its import, the inputs, its own build and its solve only. No audit or duals follow.
    """
    clock = Clock()
    clock.cpu = 0.0
    import linopy  # noqa: F401 - what a linopy planner imports

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import linopy_build
    from planner.inputs import resolve
    from planner.load import load_site
    from planner.model import build_model

    clock.lap("import")
    loaded = load_site(site)
    inp = resolve(loaded, time_mode="days", days=days) if days else resolve(loaded, bin_k=bin_k)
    clock.lap("inputs")
    arrays = linopy_build.matrix(build_model(inp).prob)
    clock.lap("left out")
    built, _ = linopy_build.build(*arrays)
    clock.lap("build")
    status, objective, _ = linopy_build.solve(built, mip_gap=1e-4)
    clock.lap("solve")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    left_out = clock.phases.pop("left out")
    return {
        "strategy": "linopy", "time": inp.time_mode, "model hours": inp.hours,
        "status": "optimal" if status.startswith("ok") else status, "scope": "", "gap": None,
        "objective": objective, "audit passed": None,
        "cpu": {k: clock.phases.get(k, (0.0, 0.0))[0] for k in PHASES},
        "wall": {k: clock.phases.get(k, (0.0, 0.0))[1] for k in PHASES},
        "left out": {"cpu": left_out[0], "wall": left_out[1]},
        "process cpu": usage.ru_utime + usage.ru_stime - left_out[0],
        "peak MB": usage.ru_maxrss / 1024,
    }


def run_child(site: str, strategy: str, days: int | None, bin_k: float) -> dict:
    cmd = [sys.executable, __file__, "--site", site, "--bin", str(bin_k), "--one", strategy]
    if days:
        cmd += ["--days", str(days)]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    left_out = row.get("left out", {"cpu": 0.0, "wall": 0.0})  # the linopy run's PuLP model, read for its matrix
    row["end-to-end wall"] = time.perf_counter() - start - left_out["wall"]
    row["end-to-end cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) - left_out["cpu"]
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(ROOT / "sites" / "washington.toml"))
    ap.add_argument("--days", type=int, default=None, help="plan on representative days instead of grouped hours")
    ap.add_argument("--bin", type=float, default=2.0, help="temperature bin [K] of the default resolution")
    ap.add_argument("--runs", type=int, default=3, help="runs per strategy; medians are printed")
    ap.add_argument("--no-exact", action="store_true", help="leave out the --exact-hours cascade")
    ap.add_argument("--no-linopy", action="store_true", help="leave out the full MILP built with linopy")
    ap.add_argument("--no-by-month", action="store_true",
                    help="leave out the full MILP on hours grouped within months (the earlier default)")
    ap.add_argument("--one", choices=STRATEGIES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        row = one_linopy(args.site, args.days, args.bin) if args.one == "linopy" else \
            one(args.site, args.one, args.days, args.bin)
        print(json.dumps(row))
        return

    run_child(args.site, "fast", args.days, args.bin)  # warm the user's cache (pint, weather file)
    import importlib.util

    has_linopy = importlib.util.find_spec("linopy") is not None
    strategies = [k for k in STRATEGIES if not (k == "exact" and (args.no_exact or args.days))
                  and not (k == "linopy" and (args.no_linopy or not has_linopy))
                  and not (k == "by_month" and (args.no_by_month or args.days))]
    rows: dict[str, list[dict]] = {k: [] for k in strategies}
    for i in range(args.runs):
        for strategy in strategies:  # interleaved, so a change of the machine's load hits each
            row = run_child(args.site, strategy, args.days, args.bin)
            rows[strategy].append(row)
            print(f"run {i + 1} {strategy}: {row['end-to-end cpu']:.2f} s CPU, {row['end-to-end wall']:.2f} s wall, "
                  f"objective {row['objective'] / 1e3:.4f} MUSD/yr, {row['status']}", flush=True)

    def med(strategy, get):
        return statistics.median(get(r) for r in rows[strategy])

    first = rows["fast"][0]
    print()
    print(f"site {Path(args.site).name}, {first['time']} ({first['model hours']} model hours"
          + (f"; exact: {rows['exact'][0]['model hours']}" if "exact" in rows else "")
          + (f"; within months: {rows['by_month'][0]['model hours']}" if "by_month" in rows else "")
          + f"); medians of {args.runs} runs, CPU of each fresh process")
    print()
    others = strategies[1:]
    print("| | " + " | ".join(TITLES[k] for k in strategies) + " | " + " | ".join(f"{k} / fast" for k in others) + " |")
    print("|---|" + "---|" * (len(strategies) + len(others)))
    lines = [("end-to-end CPU [s]", lambda r: r["end-to-end cpu"]),
             ("end-to-end wall [s]", lambda r: r["end-to-end wall"])]
    lines += [(f"{p} CPU [s]", lambda r, p=p: r["cpu"][p]) for p in PHASES]
    lines += [("peak memory [MB]", lambda r: r["peak MB"])]
    for name, get in lines:
        values = [med(k, get) for k in strategies]
        ratios = [f"{v / values[0]:.1f}x" if values[0] > 0.05 else "" for v in values[1:]]
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values) + " | " + " | ".join(ratios) + " |")
    objective = {k: med(k, lambda r: r["objective"]) for k in strategies}
    full = objective["full"]
    print("| objective [MUSD/yr] | " + " | ".join(f"{objective[k] / 1e3:.4f}" for k in strategies) + " | "
          + " | ".join("(other hours)" if k in ("exact", "by_month")
                       else f"{(objective[k] - objective['fast']) / abs(full) * 100:+.4f} %" for k in others) + " |")
    print("| gap | " + " | ".join(f"{med(k, lambda r: r['gap'] or 0) * 100:.3g} %" if rows[k][0]["gap"] is not None
                                 else "(linopy reports none)" for k in strategies) + " |" + " |" * len(others))
    print()
    if "exact" in rows:
        print("exact: the cascade builds the exact model once it knows the grouped equipment, so its build is in "
              "its solve row (as `plan --exact-hours` does)")
    for k in strategies:
        if rows[k][0]["scope"]:
            print(f"{k}: {rows[k][0]['status']} {rows[k][0]['scope']}")
    if "by_month" in rows:
        print("by_month: the full MILP on the hours grouped within months as well as by price and 2 K bins, as the "
              "planner grouped them until 2026-12-06 (one peak row per group); the same model otherwise")
    if "linopy" in rows:
        print("linopy: the same matrix (columns, bounds, integrality, rows, objective) built through linopy's API "
              "from arrays, then solved by linopy with HiGHS; building the PuLP model it is read from is left out")
    elif not args.no_linopy:
        print("linopy: not installed; skipped (pip install linopy)")


if __name__ == "__main__":
    main()
