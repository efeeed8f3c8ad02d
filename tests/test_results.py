"""The results model: computed once after the audit, stable keys, quantities with units, a JSON Schema."""

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from planner.audit import LOAD_KINDS
from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan
from planner.results import SCHEMA_VERSION, PlanResults, build_results, hourly_frame, schema_text

ROOT = Path(__file__).parent.parent
SCHEMA = ROOT / "docs" / "plan.schema.json"
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.toml"


@pytest.fixture(scope="module")
def tiny():
    loaded = load_site(TINY, overrides={}, scenario=None)
    plan = run_plan(resolve(loaded, time_mode="days", days=4))
    return plan, build_results(plan, loaded)


def test_committed_schema_is_up_to_date():
    assert SCHEMA.read_text() == schema_text(), \
        "docs/plan.schema.json is stale; regenerate it with: python -m planner.results > docs/plan.schema.json"


def test_results_validate_against_the_schema_and_round_trip(tiny):
    _, res = tiny
    data = json.loads(res.model_dump_json())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert data["schema_version"] == SCHEMA_VERSION
    assert PlanResults.model_validate(data) == res


def test_keys_are_snake_case_and_quantities_carry_units(tiny):
    _, res = tiny
    data = json.loads(res.model_dump_json(exclude={"hourly", "inputs"}))

    def walk(node, path):
        if isinstance(node, dict):
            if set(node) == {"value", "unit"}:
                assert isinstance(node["unit"], str), path
                return
            for k, v in node.items():
                if path.endswith(("assist_hours", "heat_rejected")):
                    continue  # keyed by module id@loop
                assert k == k.lower() and " " not in k and "-" not in k, f"{path}.{k}"
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    walk(data, "")
    assert [r["id"] for r in data["design"]["racks"]] == ["gb300_nvl72"]
    assert {c["id"] for c in data["design"]["cooling"]} >= {"dry_cooler_1000@liquid", "cdu_row_600"}


def test_figures_agree_with_the_audit(tiny):
    plan, res = tiny
    op = plan.operation
    h = res.power_balance.hour
    assert res.power_balance.grid_draw.value == pytest.approx(op.grid_draw[h])
    assert sum(v.value for v in res.power_balance.loads.values()) == pytest.approx(op.grid_draw[h], rel=1e-9)
    assert set(res.power_balance.loads) <= set(LOAD_KINDS)
    assert res.noi.noi.value == pytest.approx(plan.economics.noi / 1e6)
    assert res.noi.noi.unit == "MUSD/yr"
    assert res.audit.passed is plan.audit.passed
    assert res.solver.status == "optimal"
    frame = hourly_frame(res)
    assert len(frame) == 8760 and frame.index.name == "timestamp"
    assert np.allclose(frame["grid_draw_MW"], op.grid_draw)
    parts = [c for c in frame.columns if c.startswith("load_")]
    assert np.allclose(frame[parts].sum(axis=1), frame["grid_draw_MW"])
    assert "dry_bulb_degC" in frame and "heat_rejected_dry_cooler_1000_at_liquid_MW" in frame
