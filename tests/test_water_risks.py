"""Water the plan depends on: its peak hourly draw, and evaporation below freezing.

The tiny site (tests/data/tiny/tiny.toml) with open cooling towers only (hardware/cooling/
cooling_tower_2000.toml: 1.8 L of water per kWh of heat, evaporation and blowdown) in a constant
-5 degC year: every hour the towers reject all the racks' heat, 0.135 MW typical a rack, with the
CDU pumps' heat (30 m of head at the rack's 12 K, PG25, 65 %: g H / (c_p dT eta) of the liquid heat)
and the CRAH fans' (4.5 kW each, N+1 against the air heat at design power), and each loop's own pumps'
(20 m, 65 %, PG25 at 3.962 kJ/kg/K, 10 K on the liquid loop and 6 K on the air loop: the towers reject
Q / (1 - p)), so the water draw is that heat x 1.8 m^3/MWh in every hour, and every hour of the year
needs freeze protection.
"""

import math
from pathlib import Path

import pytest

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan
from planner.results import build_results

TINY = Path(__file__).parent / "data" / "tiny" / "tiny.toml"


def test_peak_water_and_hours_evaporating_below_freezing():
    inp = resolve(load_site(TINY, overrides={"climate.constant_dry_bulb": "-5 degC", "climate.constant_wet_bulb": "-6 degC",
                                             "choices.heat_rejection": ["cooling_tower_2000"]}), bin_k=2.0)
    plan = run_plan(inp)
    assert plan.solve.status == "optimal" and plan.audit.passed
    racks = plan.design.racks["gb300_nvl72"]
    assert racks > 0
    results = build_results(plan)
    assert results.annual.peak_water.unit == "m^3/h"
    cdu_pumps = racks * 0.135 * 0.90 * 9.80665 * 30 / (3.97e3 * 12 * 0.65)
    crah_fans = (math.ceil(racks * 0.142 * 0.10 / 0.150 - 1e-9) + 1) * 0.0045
    liquid = (racks * 0.135 * 0.90 + cdu_pumps) / (1 - 9.80665 * 20 / (3.962e3 * 10 * 0.65))
    air = (racks * 0.135 * 0.10 + crah_fans) / (1 - 9.80665 * 20 / (3.962e3 * 6 * 0.65))
    assert results.annual.peak_water.value == pytest.approx((liquid + air) * 1.8, rel=1e-6)
    assert results.design.freezing_hours == {"cooling_tower_2000@liquid": 8760, "cooling_tower_2000@air": 8760}


def test_no_freezing_hours_without_frost():
    """The tiny site's own 8 degC year: the towers evaporate, but never below 0 degC."""
    inp = resolve(load_site(TINY, overrides={"choices.heat_rejection": ["cooling_tower_2000"]}), bin_k=2.0)
    results = build_results(run_plan(inp))
    assert set(results.design.freezing_hours.values()) == {0}
