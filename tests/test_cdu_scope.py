"""redundancy.cdu_scope: CDUs pooled for the hall, or each scalable unit with CDUs and spares of its own.

A GB300 NVL72 scalable unit (hardware/racks/gb300_nvl72.toml) is 8 racks at 142 kW design power, 90 % to
liquid (support racks air-cooled), each rack 177 L/min of coolant; a row CDU (hardware/cooling/cdu_row_600.toml)
carries 600 kW and 800 L/min. Per unit: heat 8 x 0.142 x 0.9 / 0.6 = 1.70 CDUs, flow 8 x 177 / 800 = 1.77
CDUs, so 2 CDUs and 1 spare of its own: 3 per unit, where the hall's pooled N+1 needs ceil(1.77 n) + 1.
"""

import math
from pathlib import Path

import pytest

from planner.audit import Design, audit
from planner.inputs import cdus_per_scalable_unit, resolve
from planner.load import load_site
from planner.plan import run_plan

ROOT = Path(__file__).parent.parent
TINY = ROOT / "sites" / "tiny.toml"
PER_UNIT = math.ceil(max(8 * 0.142 * 0.9 / 0.6, 8 * 177 / 800)) + 1  # 3
# room for three scalable units (the tiny site holds one), so the pooled and per-unit counts differ
ROOMY = {"site.grid_limit": "5 MW", "site.hall_area": "600 m^2", "site.yard_area": "1500 m^2",
         "economics.capex_budget": "300 MUSD"}


def test_a_scalable_unit_needs_two_cdus_and_its_own_spare():
    inp = resolve(load_site(TINY), time_mode="days", days=1)
    (rack,), (cdu,) = inp.racks, inp.cdus
    assert cdus_per_scalable_unit(rack, cdu, 1) == PER_UNIT == 3
    assert cdus_per_scalable_unit(rack, cdu, 0) == 2
    assert cdus_per_scalable_unit(rack, cdu, 2) == 4


@pytest.fixture(scope="module")
def plans():
    def run(scope):
        inp = resolve(load_site(TINY, overrides={**ROOMY, "redundancy.cdu_scope": scope}), time_mode="days", days=2)
        result = run_plan(inp)
        assert result.solve.status == "optimal"
        assert result.audit.passed, [str(v) for v in result.audit.violations]
        return result
    return run("hall"), run("scalable_unit")


def test_each_scalable_unit_gets_its_own_cdus_and_the_hall_pools_them(plans):
    hall, own = plans
    for result in plans:
        units = result.design.racks["gb300_nvl72"] // 8
        assert units >= 2  # enough units for the two scopes to differ
    units = own.design.racks["gb300_nvl72"] // 8
    assert own.design.cdus["cdu_row_600"] == PER_UNIT * units
    units = hall.design.racks["gb300_nvl72"] // 8
    assert hall.design.cdus["cdu_row_600"] == math.ceil(units * 8 * 177 / 800) + 1


def test_the_audit_refuses_a_pooled_count_under_the_per_unit_scope(plans):
    hall, own = plans
    units = own.design.racks["gb300_nvl72"] // 8
    d = own.design
    short = Design(racks=d.racks, cdus={"cdu_row_600": PER_UNIT * units - 1}, modules=d.modules,
                   air_units=d.air_units, mining=d.mining)
    result = audit(own.inputs, short)
    assert any(v.limit == "redundancy.cdu" and v.unit == "units" and v.excess == 1 for v in result.violations)
