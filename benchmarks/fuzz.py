"""Seeded fuzzing of `plan`: mutated site, hardware and weather files, file kinds and command lines.

Prints the counts: runs per exit code and per kind of mutation, internal errors, tracebacks, hangs
(runs over the time bound) and the slowest runs. The same seed gives the same cases.

    python benchmarks/fuzz.py --cases 1000 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import fuzzlib  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run before it counts as a hang")
    ap.add_argument("--plan-share", type=float, default=0.2, help="share of site/hardware cases run with `plan`")
    ap.add_argument("--weather-share", type=float, default=0.1, help="weight of weather-file cases")
    args = ap.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        s = fuzzlib.fuzz(args.cases, args.seed, Path(tmp) / "work", plan_share=args.plan_share,
                         weather_share=args.weather_share, timeout=args.timeout)
    wall = time.perf_counter() - start
    print(f"fuzz: {len(s.cases)} cases, seed {args.seed}, {wall:.0f} s")
    print("exit codes: " + ", ".join(f"{code}: {n}" for code, n in sorted(s.by_code.items())))
    commands = Counter(c.argv[0] for c in s.cases)
    print("commands: " + ", ".join(f"{k}: {n}" for k, n in sorted(commands.items())))
    groups = Counter(c.kind.split(":")[0] for c in s.cases)
    print("mutations: " + ", ".join(f"{k}: {n}" for k, n in sorted(groups.items())))
    print(f"internal errors: {sum(c.internal for c in s.cases)}; tracebacks: {sum(c.traceback for c in s.cases)}; "
          f"hangs (> {args.timeout:g} s): {sum(c.hang for c in s.cases)}; "
          f"undocumented exit codes: {sum(c.code not in fuzzlib.DOCUMENTED for c in s.cases)}")
    slow = sorted(s.cases, key=lambda c: -c.seconds)[:3]
    print("slowest: " + "; ".join(f"{c.seconds:.1f} s {c.argv[0]} ({c.kind})" for c in slow))
    for c in s.bad():
        print(f"  FINDING {c.kind} exit {c.code}{' hang' if c.hang else ''}: {' '.join(c.argv)[:200]}\n    {c.output}")
    return 1 if s.bad() else 0


if __name__ == "__main__":
    sys.exit(main())
