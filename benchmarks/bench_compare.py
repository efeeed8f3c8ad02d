"""CPU and wall time of `plan compare` with its layouts planned one after another and side by side.

Prints figures; asserts nothing. Each run is a fresh `plan compare SITE --json FILE` process; its CPU
is its own and its worker processes' (user + system), its wall time the machine's clock. The two
executors must give the same table: the script prints each layout's objective from both.

    python benchmarks/bench_compare.py                         # washington, 3 runs each
    python benchmarks/bench_compare.py --runs 1 --site sites/texas.toml --days 6
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXECUTORS = ("serial", "process")


def run(site: str, executor: str, days: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "compare.json"
        cmd = [sys.executable, "-c", "from planner._entry import entry; entry()", "compare", site,
               "--executor", executor, "--json", str(out)] + (["--days", str(days)] if days else [])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        data = json.loads(out.read_text())
    layouts = {lay["layout"]: lay["objective"]["value"] for lay in data["scenarios"][0]["layouts"]}
    return {"cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), "wall": wall,
            "layouts": layouts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(ROOT / "sites" / "washington.toml"))
    ap.add_argument("--days", type=int, default=None, help="plan on representative days instead of grouped hours")
    ap.add_argument("--runs", type=int, default=3, help="runs per executor; medians are printed")
    args = ap.parse_args()
    run(args.site, "serial", 2)  # warm the user's cache (pint, weather file)
    rows: dict[str, list[dict]] = {k: [] for k in EXECUTORS}
    for i in range(args.runs):
        for executor in EXECUTORS:  # interleaved, so a change of the machine's load hits each
            row = run(args.site, executor, args.days)
            rows[executor].append(row)
            print(f"run {i + 1} {executor}: {row['cpu']:.2f} s CPU, {row['wall']:.2f} s wall", flush=True)
    print()
    print(f"plan compare {Path(args.site).name}" + (f" --days {args.days}" if args.days else "")
          + f": medians of {args.runs} runs, CPU of the process and its workers")
    print()
    print("| | " + " | ".join(f"--executor {k}" for k in EXECUTORS) + " |")
    print("|---|" + "---|" * len(EXECUTORS))
    for what in ("cpu", "wall"):
        print(f"| {what} [s] | " + " | ".join(f"{statistics.median(r[what] for r in rows[k]):.2f}" for k in EXECUTORS)
              + " |")
    for name in rows["serial"][0]["layouts"]:
        values = [rows[k][0]["layouts"].get(name) for k in EXECUTORS]
        print(f"| {name} [MUSD/yr] | " + " | ".join("-" if v is None else f"{v:.4f}" for v in values) + " |")


if __name__ == "__main__":
    main()
