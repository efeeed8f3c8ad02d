"""Plan the tiny site from Python, read the results as DataFrames, and write the report files.

Run from the repository root:  python examples/api_example.py [OUT_DIR]
"""

import sys
import tempfile
from pathlib import Path

from planner import plan

ROOT = Path(__file__).resolve().parent.parent

result = plan(ROOT / "sites" / "tiny.toml", days=4, set={"site.grid_limit": "3 MW"})

# headline figures, each with its unit
for key, q in result.summary.items():
    print(f"{key:28s} {q.value:12.4g} {q.unit}")

# what to build: one row per rack type, cooling unit and miner
print(result.design[["kind", "name", "count", "spares"]].to_string())

# the year hour by hour: a DatetimeIndex and units in the column names
hourly = result.hourly
limit = result.results.site.operating_limit.value
print(f"hours: {len(hourly)}, highest grid draw {hourly['grid_draw_MW'].max():.3f} MW (limit {limit:g} MW)")
monthly = hourly["grid_draw_MW"].resample("MS").sum()
print("energy by month [MWh]:", ", ".join(f"{v:,.0f}" for v in monthly))
assert len(hourly) == 8760 and hourly["grid_draw_MW"].max() <= limit + 1e-6

# the six report files of `plan --out`
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="plan-"))
for path in result.write(out_dir):
    print("wrote", path)
