"""N+k in every hour of the year, not only at the design condition.

The tiny site (tests/data/tiny/tiny.toml: GB300 NVL72 racks with 10 % of their heat to air, dry
coolers rated 1 MW at a 10 K approach with water, 0.93 MW with the loops' PG25: 0.95 at 20 % and 0.91
at 30 % glycol, domain-facts 2d) is designed at 8 degC, but its year is a constant 19.5 degC.
The air loop's dry coolers supply 20 degC water: each carries (20 - 19.5) / 10 x 0.93 MW = 0.0465 MW at
that ambient. Two of them carry the air heat of 5 racks, 5 x 0.135 MW x 10 % = 0.0675 MW, with the
heat of the CRAH fans that blow it (two 150 kW units, N+1 against 5 x 0.142 x 10 % = 0.071 MW at design
power, 4.5 kW of fans each) and of the chilled-water pumps that move it (20 m, 6 K, 65 %, PG25 at
3.962 kJ/kg/K: the modules reject 0.0765 MW / (1 - 1.27 %) = 0.0775 MW), only both running. With one
out the loop is 0.0775 - 0.05 = 0.0275 MW short in every hour of the year, while the design condition
(8 degC: 1.2 MW a module) shows ample N+1.
"""

from pathlib import Path

import pytest

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan
from planner.results import build_results

TINY = Path(__file__).parent / "data" / "tiny" / "tiny.toml"
G_AIR = 1 / (1 - 9.80665 * 20 / (3.962e3 * 6 * 0.65))  # the chilled-water pumps' heat, q = Q / (1 - p)
AIR_HEAT = (5 * 0.135 * 0.10 + 2 * 0.0045) * G_AIR  # MW: typical rack power x air share, two CRAH units' fans
DUTY = 0.93  # PG25 against a rating with water
ONE_MODULE = (20.0 - 19.5) / 10.0 * 1.0 * DUTY  # MW at 19.5 degC


def test_hours_without_n_plus_1_are_counted_and_sized():
    inp = resolve(load_site(TINY, overrides={"climate.constant_dry_bulb": "19.5 degC",
                                             "climate.constant_wet_bulb": "15 degC"}), bin_k=2.0)
    plan = run_plan(inp, fixed={"racks.gb300_nvl72": 5, "heat_rejection.dry_cooler_1000@air": 2})
    assert plan.solve.status == "optimal" and plan.audit.passed  # both modules running carry the heat
    loops = {lp.loop: lp for lp in build_results(plan).design.loops}
    air = loops["air"]
    assert air.capacity_with_spares_out.value == pytest.approx(1.2 * DUTY, rel=1e-6)  # at 8 degC: (20 - 8) / 10 x 0.93 MW
    assert air.hours_short_with_spares_out == 8760
    assert air.largest_short_with_spares_out.value == pytest.approx(AIR_HEAT - ONE_MODULE, rel=1e-6)
    # the liquid loop (41 degC supply): (41 - 19.5) / 10 = 2.15, capped at 1.5 x rating a module; one out leaves
    # at least 1.5 MW against 5 x 0.135 x 0.9 = 0.6075 MW, the CDU pumps' 1 % and the facility-water pumps' 0.8 %:
    # N+1 holds in every hour
    assert loops["liquid"].hours_short_with_spares_out == 0
    assert loops["liquid"].largest_short_with_spares_out is None


def test_the_tightest_hour_is_reported_with_its_margin_and_against_the_design_heat():
    """Each loop names the hour with the least capacity left over the heat then running, its spares out: the air
    loop 0.0275 MW short (one module of 0.05 MW against 0.0775 MW), the liquid loop's modules capped at 1.5 MW
    each, one out; and says whether the design heat, at design power, would fit in that hour."""
    from planner.report.figures import build_sections

    inp = resolve(load_site(TINY, overrides={"climate.constant_dry_bulb": "19.5 degC",
                                             "climate.constant_wet_bulb": "15 degC"}), bin_k=2.0)
    plan = run_plan(inp, fixed={"racks.gb300_nvl72": 5, "heat_rejection.dry_cooler_1000@air": 2})
    results = build_results(plan)
    loops = {lp.loop: lp for lp in results.design.loops}
    air, liquid = loops["air"], loops["liquid"]
    assert air.tightest_dry_bulb.value == pytest.approx(19.5)
    assert air.capacity_at_tightest_hour.value == pytest.approx(ONE_MODULE, rel=1e-6)
    assert air.margin_at_tightest_hour.value == pytest.approx(ONE_MODULE - AIR_HEAT, rel=1e-6)
    n = plan.design.modules["dry_cooler_1000@liquid"]
    assert n >= 2
    assert liquid.capacity_at_tightest_hour.value == pytest.approx((n - 1) * 1.5 * DUTY, rel=1e-6)
    running = float(plan.operation.liquid_heat[0])  # the same in every hour of a constant climate
    assert 5 * 0.135 * 0.9 < running < 5 * 0.135 * 0.9 * 1.03  # the racks' liquid heat, its pumps' few per cent
    assert liquid.margin_at_tightest_hour.value == pytest.approx((n - 1) * 1.5 * DUTY - running, rel=1e-6)
    lines = [f"{f.label}: {f.value} {f.note}" for s in build_sections(results) for f in s.figures]
    held = [x for x in lines if x.startswith("liquid loop: N+1 holds in every hour of the audited year")]
    assert len(held) == 1 and "(19.5 degC dry bulb)" in held[0] and "would fit too" in held[0]
    assert not any(x.startswith("air loop: N+1 holds") for x in lines)  # it does not: the shortfall's line instead
    assert any(x.startswith("air loop: hours of the year N+1 does not hold") for x in lines)


def test_a_tightest_hour_below_the_design_heat_is_said_to_be_short_of_it():
    """A liquid loop at 39 degC: 5 dry coolers of (41 - 39) / 10 x 1 MW and 11 adiabatic coolers of 1.2 MW, the
    largest out, 13.0 MW, against 13.55 MW of design heat: 0.55 MW short at design power."""
    from types import SimpleNamespace

    from planner.report.figures import _against_design

    capacity = 5 * (41 - 39) / 10 * 1.0 + (11 - 1) * 1.2
    lp = SimpleNamespace(capacity_at_tightest_hour=SimpleNamespace(value=capacity),
                         design_heat=SimpleNamespace(value=13.55))
    assert _against_design(lp).startswith("0.55 MW short of the design heat (13.55 MW, the racks at design power)")


def test_a_loss_of_water_leaves_the_adiabatic_coolers_dry_and_is_counted_in_hours():
    """At a constant 38 degC dry bulb / 20 degC wet bulb (also the design condition), two adiabatic coolers on the
    41 degC liquid loop reject, wetted, min((41 - (38 - 0.8 x 18)) / 10, 1.5) x 0.93 = 1.395 MW each (the tiny
    site's cap of 1.5 x rating; PG25), so N+1 holds; dry they reject (41 - 38) / 10 x 0.93 MW = 0.279 MW each,
    0.558 MW together, below the racks' liquid heat alone (5 x 0.135 MW x 90 % = 0.6075 MW) in every hour. Air-cooled chillers use no water: nothing to report there."""
    from planner.report.figures import build_sections
    from planner.report.render import section_lines

    weather = {"climate.constant_dry_bulb": "38 degC", "climate.constant_wet_bulb": "20 degC",
               "climate.design_dry_bulb": "38 degC", "climate.design_wet_bulb": "20 degC",
               "choices.heat_rejection": ["adiabatic_cooler_1000", "air_cooled_chiller_1000"]}
    inp = resolve(load_site(TINY, overrides=weather), bin_k=2.0)
    plan = run_plan(inp, fixed={"racks.gb300_nvl72": 5, "heat_rejection.adiabatic_cooler_1000@liquid": 2,
                                "heat_rejection.air_cooled_chiller_1000@air": 2})
    assert plan.solve.status == "optimal" and plan.audit.passed
    results = build_results(plan)
    loops = {lp.loop: lp for lp in results.design.loops}
    liquid = loops["liquid"]
    assert liquid.capacity_with_spares_out.value == pytest.approx(1.5 * DUTY, rel=1e-6)  # wetted, one of two out
    assert liquid.capacity_without_water.value == pytest.approx(2 * (41.0 - 38.0) / 10.0 * DUTY, rel=1e-6)
    assert liquid.hours_short_without_water == 8760
    assert liquid.largest_short_without_water.value > 5 * 0.135 * 0.9 - 2 * 0.3 * DUTY
    assert loops["air"].capacity_without_water is None and loops["air"].hours_short_without_water is None
    lines = [line for s in build_sections(results) if s.title == "Cooling layout" for line in section_lines(s)]
    (line,) = [line for line in lines if line.startswith("liquid loop without water")]
    assert "short of the heat running in 8,760 h" in line
    assert not any(line.startswith("air loop without water") for line in lines)
    # a constant 38 degC: no frost, and no ASHRAE extremes to check the loops at
    assert not any(line.startswith("freeze risk") or "mean annual maximum" in line for line in lines)
    assert results.site.extreme_max_dry_bulb is None and results.site.fluid_freezing_point.value == pytest.approx(-9.6)
