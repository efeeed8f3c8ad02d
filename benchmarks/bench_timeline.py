"""CPU time, wall time, peak memory and model size of a site's phased plan (`plan timeline`).

Prints figures; asserts nothing. The target for washington is 60 s of CPU on 2 cores.

    python benchmarks/bench_timeline.py                          # sites/washington.toml
    python benchmarks/bench_timeline.py --site sites/washington.toml --days 3
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (HiGHS runs in-process) [s]."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", default=str(ROOT / "sites" / "washington.toml"))
    ap.add_argument("--days", type=int, default=None, help="timeline.days_per_period (default: the site's)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from planner.load import load_site
    from planner.timeline.run import plan_timeline

    overrides = {"timeline.days_per_period": args.days} if args.days else {}
    marks = []
    cpu0, wall0 = cpu_seconds(), time.perf_counter()

    def say(text: str) -> None:
        marks.append((text, cpu_seconds() - cpu0, time.perf_counter() - wall0))

    run = plan_timeline(load_site(args.site, overrides=overrides), say=say)
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    res = run.results
    print(f"site: {args.site}")
    for text, c, w in marks:
        print(f"  {w:7.1f} s wall {c:7.1f} s CPU  {text}")
    print(f"periods: {len(run.tin.periods)}; model hours per period: "
          f"{', '.join(str(pi.inp.hours) for pi in run.tin.periods)}")
    print(f"variables: {run.model.prob.numVariables():,}; rows: {run.model.prob.numConstraints():,}; integers: "
          f"{sum(1 for v in run.model.prob.variables() if v.cat == 'Integer'):,}")
    print(f"solver: {run.solve.solver} {run.solve.status}, gap {run.solve.gap}, solve {run.solve.solve_seconds:.1f} s")
    if res is not None:
        print(f"NPV: {res.npv.value:.3f} MUSD; audits passed: {res.audit_passed}")
    print(f"total: {cpu:.1f} s CPU, {wall:.1f} s wall (target: 60 s CPU); peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
