"""Optimal plans of small sites whose optimum is worked out by hand in the test.

The tiny site (sites/tiny.toml): 1 MW grid, a constant 8 degC / 5 degC climate,
GB300 NVL72 racks only, 600 kW row CDUs, 1 MW dry coolers, 150 kW CRAH units,
N+1 everywhere, UPS 97 %, transformer 99 % (tests/data/tiny/tiny.toml: its catalogue
gives the GB300 a one-rack scalable unit without support IT, so that each rack counts).
The hardware figures below are the published ones from the catalogue (domain-facts
sections 1a, 2a, 3a; pumps and fans domain-facts-2 section 2).
"""

import math
from pathlib import Path

import pytest

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

TINY = Path(__file__).parent / "data" / "tiny" / "tiny.toml"

# GB300 NVL72 [MW], liquid share; CDU, dry cooler, CRAH ratings [MW]; areas [m2]; prices [USD]
TYP, DES, PEAK, LIQ = 0.135, 0.142, 0.155, 0.90
CDU_CAP, CDU_AREA, CDU_PRICE = 0.600, 2.5, 150e3
CRAH_CAP, CRAH_FAN, CRAH_AREA, CRAH_PRICE = 0.150, 0.0045, 3.0, 60e3
DRY_PRICE = 100e3
RACK_AREA, RACK_PRICE = 2.5, 3.5e6
UPS, TX = 0.97, 0.99
# pumps, P/Q = g H / (cp dT eta): CDU secondary 30 m at the rack's 12 K; facility water 20 m at 10 K
# (liquid loop) and 6 K (air loop); 65 % wire to water; PG25 cp 3.97 kJ/kg/K at 45 degC and
# 3.962 at the 41 degC loop (Airedale table, interpolated)
G = 9.80665
CDU_PUMP_PER_HEAT = G * 30 / (3.97e3 * 12 * 0.65)
LIQ_PUMP_PER_HEAT = G * 20 / (3.962e3 * 10 * 0.65)
AIR_PUMP_PER_HEAT = G * 20 / (3.962e3 * 6 * 0.65)
DRY_FAN = 0.020  # MW per dry cooler at full speed
DUTY = 0.93  # a coil's duty with PG25 against its rating with water: 0.95 at 20 %, 0.91 at 30 % (domain-facts 2d)


def dry_fans(heat, modules, per_module):
    """Fans of dry coolers sharing ``heat``: chords of x^3 through x = 0, 1/4, 1/2, 3/4, 1."""
    if modules == 0:
        return 0.0
    x = heat / (modules * per_module)
    k = min(int(x * 4), 3)
    lo, hi = k / 4, (k + 1) / 4
    return modules * DRY_FAN * (lo ** 3 + (x - lo) * (hi ** 3 - lo ** 3) / (hi - lo))


def plan(**overrides):
    inp = resolve(load_site(TINY, overrides=overrides), bin_k=2.0)
    result = run_plan(inp)
    assert result.solve.status == "optimal"
    assert result.audit.passed, [str(v) for v in result.audit.violations]
    return result


def units_n_plus_1(load, capacity):
    """Units needed to carry ``load`` with one unit out."""
    return (math.ceil(load / capacity - 1e-9) + 1) if load > 0 else 0


def cooling(n, exact=False, dry_liquid=None):
    """Cooling power of n racks at 8 degC [MW]: CDU and facility pumps, CRAH fans, dry-cooler fans.

    The optimiser charges fans by chords of the cube against the coil-limited capacity (1.5 x rating);
    the audit by the cube itself against the airflow capacity, (41 - 8) / 10 = 3.3 x rating; the rating
    is 1 MW with water, 0.93 MW with the loop's PG25.
    The dry coolers reject the CDU pumps' heat with the racks' liquid heat, and the CRAH fans' heat
    with their air heat (the CRAHs' 150 kW is net of their fans), and each loop's own pumps' heat:
    q = Q / (1 - p), the pumps drawing p q. ``dry_liquid``: the liquid loop's dry coolers, if more
    than N+1 needs (a further module runs every module's fans slower, by the cube).
    """
    crah = units_n_plus_1(n * DES * (1 - LIQ), CRAH_CAP)
    liquid = n * TYP * LIQ * (1 + CDU_PUMP_PER_HEAT) / (1 - LIQ_PUMP_PER_HEAT)
    air = (n * TYP * (1 - LIQ) + crah * CRAH_FAN) / (1 - AIR_PUMP_PER_HEAT)
    dry_liquid = max(dry_liquid or 0, units_n_plus_1(n * DES * LIQ * (1 + CDU_PUMP_PER_HEAT) / (1 - LIQ_PUMP_PER_HEAT),
                                                     1.5 * DUTY))
    dry_air = units_n_plus_1((n * DES * (1 - LIQ) + crah * CRAH_FAN) / (1 - AIR_PUMP_PER_HEAT), 1.2 * DUTY)  # (20 - 8) / 10
    return (CDU_PUMP_PER_HEAT * n * TYP * LIQ + LIQ_PUMP_PER_HEAT * liquid + AIR_PUMP_PER_HEAT * air + crah * CRAH_FAN
            + (cube_fans(liquid, dry_liquid, 3.3 * DUTY) if exact else dry_fans(liquid, dry_liquid, 1.5 * DUTY))
            + (cube_fans(air, dry_air, 1.2 * DUTY) if exact else dry_fans(air, dry_air, 1.2 * DUTY)))


def cube_fans(heat, modules, per_module):
    """Fans by the affinity law itself: n P (Q / (n Q_air))^3."""
    return modules * DRY_FAN * (heat / (modules * per_module)) ** 3 if modules else 0.0


def envelope(n, exact=False, dry_liquid=None):
    """Peak draw with mining off: GPU peak through UPS and transformer, cooling through the transformer."""
    return n * PEAK / (UPS * TX) + cooling(n, exact, dry_liquid) / TX


def test_rack_count_that_fits_the_grid():
    n_by_hand = max(n for n in range(0, 20) if envelope(n) <= 1.0)
    assert n_by_hand == 6  # 7 racks would need 1.15 MW
    result = plan()
    assert result.design.racks["gb300_nvl72"] == n_by_hand
    assert result.design.cdus["cdu_row_600"] == units_n_plus_1(n_by_hand * DES * LIQ, CDU_CAP)
    # N+1 needs 2 dry coolers on the liquid loop (0.78 MW against 1.395 MW each); the site's objective is NOI with
    # capex as a tie-break (economics.objective), so a third, which runs the fans slower, may pay for itself
    dry = result.design.modules["dry_cooler_1000@liquid"]
    assert dry in (2, 3)
    assert result.operation.envelope.max() == pytest.approx(envelope(n_by_hand, exact=True, dry_liquid=dry), rel=1e-6)


def test_mining_stops_above_the_strike_price():
    # S21 Pro: 15 J/TH; hashprice from the tiny site's market (no fees, no pool fee)
    hashprice = 3.125 * 98700 * 86400 * 1e15 / (148.26e12 * 2**32)  # USD/(PH/s)/day
    revenue = hashprice / 24 * 1000 / 15.0  # USD/MWh
    strike_at_meter = revenue * TX
    assert 110 < revenue < 120
    dear = plan(**{"choices.miners": ["s21_pro"], "tariff.energy_price": f"{strike_at_meter * 1.05:.2f} USD/MWh"})
    assert sum(dear.design.mining.values()) == pytest.approx(0.0, abs=1e-6)
    cheap = plan(**{"choices.miners": ["s21_pro"], "tariff.energy_price": f"{strike_at_meter * 0.5:.2f} USD/MWh"})
    n = cheap.design.racks["gb300_nvl72"]
    assert n == 6
    # one lot of 60 S21 Pro (3.51 kW each) is installed and runs in the grid left at typical
    # power: 1 MW - racks through UPS - cooling, with 1 % of hall ventilation on the miners. The
    # audited year runs them in all of it: the fans by the cube itself (the optimiser's chords lie
    # above it, so its own dispatch leaves a little grid unused, which the operator mines)
    assert cheap.design.mining["s21_pro"] == pytest.approx(60 * 3.51e-3, rel=1e-9)
    headroom = (1.0 - n * TYP / (UPS * TX)) * TX - cooling(n, exact=True)
    assert cheap.operation.mining_power["s21_pro"].max() == pytest.approx(headroom / 1.01, rel=1e-3)
    assert headroom / 1.01 < cheap.design.mining["s21_pro"]  # the grid, not the miners installed, is the bound
    # the strike price at the meter: a MWh mined draws 1 / 0.99 MWh through the transformer and 1 % more for the
    # hall's exhaust fans
    from planner.results import build_results

    (line,) = build_results(cheap).design.miners
    assert line.strike_price_at_meter.value == pytest.approx(revenue * TX / 1.01, rel=1e-6)


def test_hot_ambient_brings_adiabatic_and_chiller_hours():
    # 45 degC dry bulb: a dry cooler cannot supply the 41 degC loop at all;
    # wetted pads bring the air to 45 - 0.8 (45 - 20) = 25 degC, enough for the liquid loop,
    # but not for the 20 degC air-side loop, which needs the chiller.
    result = plan(**{
        "climate.constant_dry_bulb": "45 degC", "climate.constant_wet_bulb": "20 degC",
        "climate.design_dry_bulb": "45 degC", "climate.design_wet_bulb": "20 degC",
        "choices.heat_rejection": ["dry_cooler_1000", "adiabatic_cooler_1000", "air_cooled_chiller_1000"],
    })
    d, op = result.design, result.operation
    assert d.modules["dry_cooler_1000@liquid"] == 0
    assert d.modules["adiabatic_cooler_1000@liquid"] >= 2
    assert d.modules["air_cooled_chiller_1000@air"] >= 2
    wet_hours = (op.wet_heat["adiabatic_cooler_1000@liquid"] > 0).sum()
    assert wet_hours == 8760
    assert (op.heat_by_module["air_cooled_chiller_1000@air"] > 0).sum() == 8760
    assert op.water_m3.sum() > 0


def hall_area(n):
    cdus = units_n_plus_1(n * DES * LIQ, CDU_CAP)
    crah = units_n_plus_1(n * DES * (1 - LIQ), CRAH_CAP)
    return n * RACK_AREA + cdus * CDU_AREA + crah * CRAH_AREA


def test_small_hall_binds():
    hall = 20.0
    n_by_hand = max(n for n in range(0, 10) if hall_area(n) <= hall)
    assert n_by_hand == 3
    result = plan(**{"site.hall_area": f"{hall} m^2"})
    assert result.design.racks["gb300_nvl72"] == n_by_hand
    assert hall_area(n_by_hand + 1) > hall  # the hall, not the grid, stops the fourth rack
    assert envelope(n_by_hand + 1) < 1.0


def capex(n):
    cdus = units_n_plus_1(n * DES * LIQ, CDU_CAP)
    crah = units_n_plus_1(n * DES * (1 - LIQ), CRAH_CAP)
    dry_liquid = units_n_plus_1(n * DES * LIQ, 1.0 * 1.5)  # 1.5 x rating at 8 degC (max factor)
    dry_air = units_n_plus_1(n * DES * (1 - LIQ), 1.0 * 1.2)  # (20 - 8) / 10 = 1.2 x rating
    return (n * (RACK_PRICE + DES * 7.5e6 + PEAK * 0.3e6) + 0.1e6 * 1.0
            + cdus * CDU_PRICE + crah * CRAH_PRICE + (dry_liquid + dry_air) * DRY_PRICE)


def test_tight_budget_binds():
    budget = 11e6
    n_by_hand = max(n for n in range(0, 10) if capex(n) <= budget)
    assert n_by_hand == 2
    result = plan(**{"economics.capex_budget": "11 MUSD"})
    assert result.design.racks["gb300_nvl72"] == n_by_hand
    assert result.economics.capex == pytest.approx(capex(n_by_hand), rel=1e-9)
    assert capex(n_by_hand + 1) > budget


def test_gpu_revenue_is_racks_times_gpus_times_price_times_utilisation():
    result = plan()
    assert result.economics.gpu_revenue == pytest.approx(6 * 72 * 3.25 * 0.85 * 8760, rel=1e-12)


def _hot_yard_limited(by_cdu: bool):
    """Tiny site at a constant 38 degC: dry coolers for the liquid loop, chillers for the air loop."""
    from dataclasses import replace

    overrides = {
        "climate.constant_dry_bulb": "38 degC", "climate.constant_wet_bulb": "20 degC",
        "climate.design_dry_bulb": "38 degC", "climate.design_wet_bulb": "20 degC",
        "choices.cdus": ["cdu_row_600", "cdu_facility_2000"],
        "choices.heat_rejection": ["dry_cooler_1000", "air_cooled_chiller_1000"],
        "site.yard_area": "180 m^2",
        "cooling.loop_temperature_by_cdu": by_cdu,
    }
    inp = resolve(load_site(TINY, overrides=overrides), bin_k=2.0)
    keep = [h for h in inp.heat_rejection if not (h.loop == "liquid" and h.technology != "dry_cooler")]
    result = run_plan(replace(inp, heat_rejection=keep))
    assert result.solve.status == "optimal" and result.audit.passed
    return result


def test_a_cdu_with_a_smaller_approach_lets_the_dry_coolers_run_warmer():
    # 45 degC rack limit: the row CDU (4 K) gives 41 degC facility water, the facility CDU (3 K) 42 degC.
    # At 38 degC a 10 K-approach dry cooler then carries 0.3 or 0.4 of its 1 MW rating.
    yard = 180.0
    chillers = 2 * 40.0  # air loop: N+1 air-cooled chillers, 40 m^2 each
    dry_room = int((yard - chillers) // 33.0)  # 3 dry coolers of 33 m^2 fit
    assert dry_room == 3

    def racks_fitting(per_module):
        return max(n for n in range(0, 8) if units_n_plus_1(n * DES * LIQ, per_module) <= dry_room)

    conservative = _hot_yard_limited(False)
    assert conservative.design.racks["gb300_nvl72"] == racks_fitting(0.3) == 4
    by_cdu = _hot_yard_limited(True)
    # the warmer loop would let the yard hold 6; at 38 degC the air loop's chillers take the
    # grid the sixth rack would need (6 x 155 kW / 0.9603 = 0.969 MW before any cooling)
    assert racks_fitting(0.4) == 6
    assert by_cdu.design.racks["gb300_nvl72"] == 5
    assert by_cdu.design.cdus["cdu_facility_2000"] >= 2 and by_cdu.design.cdus["cdu_row_600"] == 0
