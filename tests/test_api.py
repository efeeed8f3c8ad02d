"""The Python API and its example script."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from planner import plan
from planner.api import Plan
from planner.load import InputError

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def result() -> Plan:
    return plan(ROOT / "sites" / "tiny.toml", days=4, set={"site.grid_limit": "3 MW"})


def test_plan_returns_results_and_frames(result):
    assert result.results.site.grid_limit.value == 3.0
    assert result.audit_passed
    hourly = result.hourly
    assert isinstance(hourly.index, pd.DatetimeIndex) and len(hourly) == 8760
    assert hourly["grid_draw_MW"].max() <= 3.0 + 1e-6
    design = result.design
    assert design.loc["gb300_nvl72", "count"] == result.results.design.racks[0].count
    assert result.summary["noi"].unit == "MUSD/yr"
    assert result.summary["noi"].value == pytest.approx(result.run.economics.noi / 1e6)


def test_plan_module_still_exports_run_plan():
    from planner.plan import PlanResult, run_plan  # noqa: F401


def test_bad_override_raises_input_error():
    with pytest.raises(InputError):
        plan(ROOT / "sites" / "tiny.toml", days=4, set={"site.grid_limit": "3 kg"})


def test_example_script_runs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "api_example.py"), str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "hours: 8760" in done.stdout
    assert {p.name for p in tmp_path.iterdir()} >= {"plan.json", "report.md", "report.html", "plan.xlsx",
                                                      "hourly.csv", "hourly.parquet"}
