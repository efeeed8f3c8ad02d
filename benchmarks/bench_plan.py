"""Build time, solve time, peak memory and model size of a site plan at several time resolutions.

Prints figures; asserts nothing. Each configuration runs in its own process so that
its peak resident memory is its own.

    python benchmarks/bench_plan.py                       # washington: days 12, bin 2 K, bin 1 K
    python benchmarks/bench_plan.py --exact               # also every distinct hour (slow: minutes)
    python benchmarks/bench_plan.py --site sites/texas.toml --solver cbc
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one(site: str, mode: str, value: float | None, solver: str, time_limit: float | None) -> dict:
    from planner.inputs import resolve
    from planner.load import load_site
    from planner.plan import run_plan

    t0 = time.perf_counter()
    loaded = load_site(site)
    if mode == "days":
        inp = resolve(loaded, time_mode="days", days=int(value))
    else:
        inp = resolve(loaded, bin_k=value)
    t_inputs = time.perf_counter() - t0
    plan = run_plan(inp, solver=solver, time_limit=time_limit)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "site": site,
        "time": inp.time_mode,
        "model hours": inp.hours,
        "variables": plan.model.prob.numVariables(),
        "constraints": plan.model.prob.numConstraints(),
        "inputs s": round(t_inputs, 2),
        "build s": round(plan.timings["build"], 2),
        "solve s": round(plan.timings["solve"], 2),
        "audit s": round(plan.timings.get("audit", float("nan")), 3),
        "status": plan.solve.status,
        "gap %": None if plan.solve.gap is None else round(plan.solve.gap * 100, 4),
        "objective MUSD/yr": None if plan.solve.objective is None else round(plan.solve.objective / 1e3, 3),
        "audit passed": None if plan.audit is None else plan.audit.passed,
        "racks": None if plan.design is None else sum(plan.design.racks.values()),
        "peak memory MB": round(peak_mb, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(ROOT / "sites" / "washington.toml"))
    ap.add_argument("--solver", default="highs")
    ap.add_argument("--exact", action="store_true", help="also model every distinct hour")
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        mode, value = args.one.split(":")
        print(json.dumps(one(args.site, mode, None if value == "none" else float(value), args.solver, args.time_limit)))
        return
    configs = ["days:12", "bin:2", "bin:1"] + (["bin:none"] if args.exact else [])
    rows = []
    for cfg in configs:
        cmd = [sys.executable, __file__, "--site", args.site, "--solver", args.solver, "--one", cfg]
        if args.time_limit:
            cmd += ["--time-limit", str(args.time_limit)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    keys = ["model hours", "variables", "constraints", "build s", "solve s", "audit s", "gap %",
            "objective MUSD/yr", "racks", "audit passed", "peak memory MB"]
    print()
    print("| time resolution | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for r in rows:
        print(f"| {r['time'][:60]} | " + " | ".join(str(r[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
