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


def test_the_cdus_left_unused_are_each_units_own(plans):
    """With each unit's own CDUs, what is unused is 2 x 0.6 MW less the unit's 8 x 0.142 x 0.9 MW, per unit; in the
    hall the pooled capacity with one CDU out, and the coolant flow left with it: 800 (n - 1) - 177 x racks."""
    from planner.explain.duals import _stranded_section

    hall, own = plans
    units = own.design.racks["gb300_nvl72"] // 8
    figure = next(f for f in _stranded_section(own).figures if f.label == "CDU capacity unused")
    assert figure.value == pytest.approx(units * (2 * 0.6 - 8 * 0.142 * 0.9), rel=1e-9)
    n, racks = hall.design.cdus["cdu_row_600"], hall.design.racks["gb300_nvl72"]
    figure = next(f for f in _stranded_section(hall).figures if f.label == "CDU capacity unused")
    assert figure.value == pytest.approx((n - 1) * 0.6 - racks * 0.142 * 0.9, rel=1e-9)
    assert f"{800 * (n - 1) - 177 * racks:,.0f} L/min" in figure.note


def test_the_next_unit_adds_the_cdus_its_heat_or_its_flow_needs():
    """Washington's hall: 25 row CDUs, 1.11 MW and 792 L/min left with one out (24 x 800 - 104 x 177). The next
    unit's 1.02 MW fits the heat, its 8 x 177 = 1,416 L/min does not: ceil((1416 - 792) / 800) = 1 more CDU.
    With each unit's own CDUs it brings its 3."""
    from planner.explain.duals import next_unit_cdus

    inp = resolve(load_site(TINY), time_mode="days", days=1)
    (rack,), (cdu,) = inp.racks, inp.cdus
    room = 24 * 800 - 104 * 177
    assert room == 792
    assert next_unit_cdus(rack, cdu, 1.11, room, "hall", 1) == 1
    assert next_unit_cdus(rack, cdu, 1.11, 2000.0, "hall", 1) == 0  # both fit
    assert next_unit_cdus(rack, cdu, 0.0, 2000.0, "hall", 1) == math.ceil(8 * 0.142 * 0.9 / 0.6)  # heat alone: 2
    assert next_unit_cdus(rack, cdu, 1.11, math.inf, "hall", 1) == 0  # a CDU of unstated flow counts by heat only
    assert next_unit_cdus(rack, cdu, 1.11, room, "scalable_unit", 1) == PER_UNIT
