"""Operation samples per minute of `plan risk`: local process pool and Dask LocalCluster, 1 and 2 workers.

Prints figures; asserts nothing. The deterministic design is planned once; then, for each executor
and worker count, ``--samples`` samples of the site's [uncertainty] are operated (each worker builds
the operation LP once, then re-solves it per sample, runs the year hour by hour and prices it),
timed from the first task submitted to the last result, so the figure includes starting the
workers (and the LocalCluster) and building the LP in each. The target is 1,000 samples of
washington within 10 minutes on 2 cores.

    python benchmarks/bench_risk.py                       # washington, 200 samples
    python benchmarks/bench_risk.py --samples 1000 --executors process
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan
from planner.studies import executors
from planner.studies.operation import equipment
from planner.studies.risk import Context, Point, _batches, design_id, evaluate_batch
from planner.studies.sampling import draw, nominal_values

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", default=str(ROOT / "sites" / "washington.toml"))
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--executors", default="process,dask")
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()

    loaded = load_site(args.site)
    inp = resolve(loaded, bin_k=2.0)
    t0 = time.perf_counter()
    design = equipment(run_plan(inp).design)
    print(f"deterministic plan of {inp.site_name}: {time.perf_counter() - t0:.1f} s wall ({inp.hours} model hours)")
    nominal = nominal_values(loaded.spec)
    points = [Point("sample", "", "", i, v) for i, v in enumerate(draw(loaded.spec.uncertainty, nominal, args.samples,
                                                                       args.seed))]
    context = Context("bench", inp, nominal)
    for executor in args.executors.split(","):
        if executor == "dask" and importlib.util.find_spec("distributed") is None:
            print("dask: not installed (pip install '.[dask]'), skipped")
            continue
        for workers in (int(w) for w in args.workers.split(",")):
            batches = _batches(context, design_id(design), design, points, workers)
            t = time.perf_counter()
            n = sum(len(rows) for _, rows in executors.iter_tasks(evaluate_batch, batches, executor=executor,
                                                                  workers=workers))
            wall = time.perf_counter() - t
            print(f"{executor:<8} {workers} worker(s): {n} samples in {wall:6.1f} s = {60 * n / wall:7.0f} samples/min"
                  f"  (1,000 samples: {1000 * wall / n / 60:.1f} min)")


if __name__ == "__main__":
    main()
