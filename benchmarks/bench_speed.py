"""End-to-end CPU and wall time of the default plan: the fast strategy against the full MILP.

Prints figures; asserts nothing. Each run is a fresh process, so the import is counted, and its
peak resident memory is its own. A run does what ``plan SITE --no-replan`` does for the plan
itself, phase by phase: import the planner, read and resolve the inputs (weather file and pint
registry from the user's cache after the first run; ``PLANNER_NO_CACHE=1`` to time them cold),
build the model, solve it, re-solve the fixed-integer LP for the shadow prices with the
explanation around it, and simulate and audit every hour. CPU seconds are the process's own
(user + system); wall seconds depend on the machine's load.

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
    from planner.audit import audit, simulate
    from planner.economics import evaluate

    clock.lap("import")
    loaded = load_site(site)
    inp = resolve(loaded, time_mode="days", days=days) if days else resolve(loaded, bin_k=bin_k)
    clock.lap("inputs")
    model = build_model(inp)
    clock.lap("build")
    staged = solve_fast(inp, model, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None) \
        if strategy == "fast" else None
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


def run_child(site: str, strategy: str, days: int | None, bin_k: float) -> dict:
    cmd = [sys.executable, __file__, "--site", site, "--bin", str(bin_k), "--one", strategy]
    if days:
        cmd += ["--days", str(days)]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row["end-to-end wall"] = time.perf_counter() - start
    row["end-to-end cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(ROOT / "sites" / "washington.toml"))
    ap.add_argument("--days", type=int, default=None, help="plan on representative days instead of grouped hours")
    ap.add_argument("--bin", type=float, default=2.0, help="temperature bin [K] of the default resolution")
    ap.add_argument("--runs", type=int, default=3, help="runs per strategy; medians are printed")
    ap.add_argument("--one", choices=("fast", "full"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.site, args.one, args.days, args.bin)))
        return

    run_child(args.site, "fast", args.days, args.bin)  # warm the user's cache (pint, weather file)
    rows: dict[str, list[dict]] = {"fast": [], "full": []}
    for i in range(args.runs):
        for strategy in ("fast", "full"):  # interleaved, so a change of the machine's load hits both
            row = run_child(args.site, strategy, args.days, args.bin)
            rows[strategy].append(row)
            print(f"run {i + 1} {strategy}: {row['end-to-end cpu']:.2f} s CPU, {row['end-to-end wall']:.2f} s wall, "
                  f"objective {row['objective'] / 1e3:.4f} MUSD/yr, {row['status']}", flush=True)

    def med(strategy, get):
        return statistics.median(get(r) for r in rows[strategy])

    first = rows["fast"][0]
    print()
    print(f"site {Path(args.site).name}, {first['time']} ({first['model hours']} model hours); "
          f"medians of {args.runs} runs")
    print()
    print("| | fast strategy | full MILP (`--prove`) | full / fast |")
    print("|---|---|---|---|")
    lines = [("end-to-end CPU [s]", lambda r: r["end-to-end cpu"]),
             ("end-to-end wall [s]", lambda r: r["end-to-end wall"])]
    lines += [(f"{p} CPU [s]", lambda r, p=p: r["cpu"][p]) for p in PHASES]
    lines += [("peak memory [MB]", lambda r: r["peak MB"])]
    for name, get in lines:
        a, b = med("fast", get), med("full", get)
        ratio = f"{b / a:.1f}x" if a > 0.05 else ""
        print(f"| {name} | {a:.2f} | {b:.2f} | {ratio} |")
    fo, uo = med("fast", lambda r: r["objective"]), med("full", lambda r: r["objective"])
    print(f"| objective [MUSD/yr] | {fo / 1e3:.4f} | {uo / 1e3:.4f} | {(uo - fo) / abs(uo) * 100:+.4f} % |")
    print(f"| gap | {med('fast', lambda r: r['gap'] or 0) * 100:.3g} % (within the set) | "
          f"{med('full', lambda r: r['gap'] or 0) * 100:.3g} % | |")
    print()
    print(f"fast: {first['status']} {first['scope']}")


if __name__ == "__main__":
    main()
