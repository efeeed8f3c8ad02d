"""The fast strategy against the full MILP on every benchmarked case: CPU of each solve and how far apart.

Prints figures; asserts nothing. Cases: washington and texas, each built-in cooling layout of both
(``plan compare``), and washington ten times over (180 MW), at the default resolution (hours
grouped by 2 K) and on 6 representative days (``--days 6``). For each, the full MILP (``plan
--prove``, to a gap of 1e-5) and the fast strategy (to the default 1e-4) are solved on the same
model; the line gives both CPU times, the fast answer's shortfall against the full optimum in
percent (the aim: 0.01 % at most) and the size of the technology set stage 2 solved within.

    python benchmarks/bench_strategy.py                 # every case, both resolutions (about 6 min)
    python benchmarks/bench_strategy.py --only wa tx --resolution grouped
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIG = {"site.grid_limit": "180 MW", "site.hall_area": "600000 ft^2", "site.yard_area": "80000 m^2",
       "economics.capex_budget": "6000 MUSD"}  # washington ten times over, as tests/test_strategy.py
LAYOUTS = ("dry coolers only", "adiabatic dry coolers", "cooling tower", "dry coolers + trim chiller")
RESOLUTIONS = {"grouped": {"bin_k": 2.0}, "days6": {"time_mode": "days", "days": 6}}


def cases() -> list[tuple[str, str, dict | None, str | None]]:
    out = [("wa", "washington", None, None), ("tx", "texas", None, None), ("wa_big", "washington", BIG, None)]
    for site, short in (("washington", "wa"), ("texas", "tx")):
        out += [(f"{short}_{i}", site, None, name) for i, name in enumerate(LAYOUTS)]
    return out


def inputs(site: str, overrides, layout, kw):
    from planner.inputs import resolve
    from planner.load import load_site
    from planner.studies.compare import builtin_layouts, restrict

    inp = resolve(load_site(ROOT / "sites" / f"{site}.toml", overrides=overrides), **kw)
    if layout is not None:
        (spec,) = [s for s in builtin_layouts(inp) if s.name == layout]
        inp = restrict(inp, spec)
    return inp


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="case names (wa, tx, wa_big, wa_0 .. wa_3, tx_0 .. tx_3)")
    ap.add_argument("--resolution", choices=sorted(RESOLUTIONS), nargs="*", default=sorted(RESOLUTIONS))
    args = ap.parse_args()
    from planner.model import build_model
    from planner.solve import solve
    from planner.strategy import solve_fast

    worst, fast_total, full_total = 0.0, 0.0, 0.0
    print(f"{'case':18s} {'layout':28s} {'full CPU [s]':>12s} {'fast CPU [s]':>12s} {'below full':>11s}  set")
    for name, site, overrides, layout in cases():
        if args.only and name not in args.only:
            continue
        for resolution in args.resolution:
            inp = inputs(site, overrides, layout, RESOLUTIONS[resolution])
            model = build_model(inp)
            t = time.process_time()
            full = solve(model, solver="highs", mip_gap=1e-5)
            full_cpu = time.process_time() - t
            model = build_model(inp)
            t = time.process_time()
            staged = solve_fast(inp, model, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None)
            fast_cpu = time.process_time() - t
            fast, info = staged if staged is not None else (solve(model, solver="highs", mip_gap=1e-4), None)
            below = (full.objective - fast.objective) / abs(full.objective) * 100
            worst, fast_total, full_total = max(worst, below), fast_total + fast_cpu, full_total + full_cpu
            size = len(info.tech.modules) if info is not None and info.tech is not None else "whole"
            print(f"{name + '/' + resolution:18s} {layout or '(free)':28s} {full_cpu:12.2f} {fast_cpu:12.2f} "
                  f"{below:+10.4f} %  {size}", flush=True)
    print(f"total CPU: full {full_total:.1f} s, fast {fast_total:.1f} s; largest shortfall {worst:+.4f} %")


if __name__ == "__main__":
    main()
