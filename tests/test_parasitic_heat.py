"""The cooling plant's own heat on its loops: CDU pumps and facility-water pumps on the liquid loop, air-side
fans and chilled-water pumps on the air loop.

The tiny site (tests/data/tiny/tiny.toml): GB300 NVL72 racks (0.135 MW typical, 0.142 MW design, 90 %
of it to liquid), 600 kW row CDUs pumping 30 m of head at the rack's 12 K rise with PG25 at 65 %
wire to water (P/Q = g H / (c_p dT eta), c_p 3.97 kJ/kg/K), and 150 kW CRAH units with 4.5 kW of fans,
N+1. The pump's power ends in the coolant and the fans' in the air the coils cool, so the loops'
heat-rejection modules reject them with the racks' heat; the CDUs and CRAH units carry the racks'
heat only (their ratings are net of their own pump and fans). Each loop's own pumps (20 m of head, 65 %,
PG25 at c_p 3.962 kJ/kg/K at the 41 degC loop, a 10 K range on the liquid loop and 6 K on the air loop)
move the heat through the modules and heat the water too: the modules reject q = Q / (1 - p).
"""

import math
from pathlib import Path

import pytest

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan
from planner.results import build_results

TINY = Path(__file__).parent / "data" / "tiny" / "tiny.toml"
TYP, DES, LIQ = 0.135, 0.142, 0.90
CDU_PUMP_PER_HEAT = 9.80665 * 30 / (3.97e3 * 12 * 0.65)
CRAH_CAP, CRAH_FAN = 0.150, 0.0045
G_LIQ = 1 / (1 - 9.80665 * 20 / (3.962e3 * 10 * 0.65))  # about 1.0077
G_AIR = 1 / (1 - 9.80665 * 20 / (3.962e3 * 6 * 0.65))  # about 1.0129


def test_pump_and_fan_heat_are_rejected_by_their_loops():
    plan = run_plan(resolve(load_site(TINY), bin_k=2.0), fixed={"racks.gb300_nvl72": 5})
    assert plan.solve.status == "optimal" and plan.audit.passed
    n = plan.design.racks["gb300_nvl72"]
    crah = math.ceil(n * DES * (1 - LIQ) / CRAH_CAP - 1e-9) + 1
    assert plan.design.air_units["crah_fanwall_150"] == crah
    op = plan.operation
    # every hour: racks at typical power, the pumps on the racks' liquid heat, every CRAH fan at full speed
    assert op.liquid_heat == pytest.approx(n * TYP * LIQ * (1 + CDU_PUMP_PER_HEAT) * G_LIQ, rel=1e-6)
    assert op.air_heat == pytest.approx((n * TYP * (1 - LIQ) + crah * CRAH_FAN) * G_AIR, rel=1e-6)
    # what the modules reject adds up to that heat, hour by hour
    rejected = sum(op.heat_by_module.values())
    assert rejected == pytest.approx(op.liquid_heat + op.air_heat, rel=1e-9)

    results = build_results(plan)
    loops = {lp.loop: lp.design_heat.value for lp in results.design.loops}
    assert loops["liquid"] == pytest.approx(n * DES * LIQ * (1 + CDU_PUMP_PER_HEAT) * G_LIQ, rel=1e-6)
    assert loops["air"] == pytest.approx((n * DES * (1 - LIQ) + crah * CRAH_FAN) * G_AIR, rel=1e-6)
    plant = {lp.loop: lp.plant_heat.value for lp in results.design.loops}
    assert plant["liquid"] == pytest.approx(loops["liquid"] - n * DES * LIQ, rel=1e-9)
    assert plant["air"] == pytest.approx(loops["air"] - n * DES * (1 - LIQ), rel=1e-9)
    lines = {c.kind + ":" + c.loop: c.design_heat.value for c in results.design.cooling}
    assert lines["cdu:liquid"] == pytest.approx(n * DES * LIQ, rel=1e-9)  # the CDUs carry the racks' heat
    assert lines["air_side:air"] == pytest.approx(n * DES * (1 - LIQ), rel=1e-9)
    assert lines["heat_rejection:liquid"] == pytest.approx(loops["liquid"], rel=1e-9)


def test_the_report_says_how_much_of_the_loop_heat_is_the_plants_own(capsys):
    from planner.cli import main

    main([str(TINY), "--fix", "racks.gb300_nvl72=5", "--no-replan"])
    out = " ".join(capsys.readouterr().out.split())
    liquid = 5 * DES * LIQ
    liquid_pumps = liquid * (1 + CDU_PUMP_PER_HEAT) * G_LIQ - liquid
    assert f"of it {liquid_pumps:.3g} MW from the CDU pumps and the facility-water pumps" in out
    crah = math.ceil(5 * DES * (1 - LIQ) / CRAH_CAP - 1e-9) + 1
    air = 5 * DES * (1 - LIQ)
    air_plant = (air + crah * CRAH_FAN) * G_AIR - air
    assert f"of it {air_plant:.3g} MW from the air-side units' fans and the chilled-water pumps" in out


def test_pumps_drawing_a_tenth_of_the_heat_they_move_are_refused():
    """q = Q / (1 - p) needs p well below 1: 100 m of head at 15 % across a 10 K range is
    g H / (c_p dT eta) = 9.81 x 100 / (3.962e3 x 10 x 0.15) = 16.5 % of the heat, refused with its TOML path."""
    from planner.load import InputError

    with pytest.raises(InputError) as err:
        resolve(load_site(TINY, overrides={"cooling.facility_pump_head": "100 m", "cooling.pump_efficiency": "15 %"}),
                bin_k=2.0)
    assert err.value.path == "cooling.facility_delta_t"
    assert f"{9.80665 * 100 / (3.962e3 * 10 * 0.15) * 100:.3g} %" in err.value.message
