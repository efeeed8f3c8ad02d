"""Optimal plans of small sites whose optimum is worked out by hand in the test.

The tiny site (sites/tiny.toml): 1 MW grid, a constant 8 degC / 5 degC climate,
GB300 NVL72 racks only, 600 kW row CDUs, 1 MW dry coolers, 150 kW CRAH units,
N+1 everywhere, UPS 97 %, transformer 99 %. The hardware figures below are the
published ones from the catalogue (domain-facts sections 1a, 2a, 3a).
"""

import math
from pathlib import Path

import pytest

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

TINY = Path(__file__).parent.parent / "sites" / "tiny.toml"

# GB300 NVL72 [MW], liquid share; CDU, dry cooler, CRAH ratings [MW]; areas [m2]; prices [USD]
TYP, DES, PEAK, LIQ = 0.135, 0.142, 0.155, 0.90
CDU_CAP, CDU_PUMP, CDU_AREA, CDU_PRICE = 0.600, 0.006, 2.5, 150e3
CRAH_CAP, CRAH_FAN, CRAH_AREA, CRAH_PRICE = 0.150, 0.0045, 3.0, 60e3
DRY_FAN_PER_HEAT, DRY_PRICE = 0.020, 100e3
RACK_AREA, RACK_PRICE = 2.5, 3.5e6
UPS, TX = 0.97, 0.99


def plan(**overrides):
    inp = resolve(load_site(TINY, overrides=overrides), bin_k=2.0)
    result = run_plan(inp)
    assert result.solve.status == "optimal"
    assert result.audit.passed, [str(v) for v in result.audit.violations]
    return result


def units_n_plus_1(load, capacity):
    """Units needed to carry ``load`` with one unit out."""
    return (math.ceil(load / capacity - 1e-9) + 1) if load > 0 else 0


def envelope(n):
    """Peak draw with mining off: GPU peak through UPS and transformer, cooling through the transformer."""
    cdus = units_n_plus_1(n * DES * LIQ, CDU_CAP)
    crah = units_n_plus_1(n * DES * (1 - LIQ), CRAH_CAP)
    fans = DRY_FAN_PER_HEAT * n * TYP  # all rack heat leaves through dry coolers at 8 degC
    cooling = cdus * CDU_PUMP + crah * CRAH_FAN + fans
    return n * PEAK / (UPS * TX) + cooling / TX


def test_rack_count_that_fits_the_grid():
    n_by_hand = max(n for n in range(0, 20) if envelope(n) <= 1.0)
    assert n_by_hand == 5  # 6 racks would need 1.012 MW
    result = plan()
    assert result.design.racks["gb300_nvl72"] == n_by_hand
    assert result.design.cdus["cdu_row_600"] == units_n_plus_1(n_by_hand * DES * LIQ, CDU_CAP)
    assert result.operation.envelope.max() == pytest.approx(envelope(n_by_hand), rel=1e-6)


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
    assert n == 5
    # mining fills the grid left at typical power: 1 MW - racks through UPS - cooling
    cdus = units_n_plus_1(n * DES * LIQ, CDU_CAP)
    crah = units_n_plus_1(n * DES * (1 - LIQ), CRAH_CAP)
    cooling = cdus * CDU_PUMP + crah * CRAH_FAN + DRY_FAN_PER_HEAT * n * TYP
    headroom = (1.0 - n * TYP / (UPS * TX)) * TX - cooling
    assert cheap.design.mining["s21_pro"] == pytest.approx(headroom, rel=1e-3)


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
    assert result.economics.gpu_revenue == pytest.approx(5 * 72 * 3.25 * 0.85 * 8760, rel=1e-12)


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
        return max(n for n in range(0, 7) if units_n_plus_1(n * DES * LIQ, per_module) <= dry_room
                   and envelope(n) <= 1.0)

    conservative = _hot_yard_limited(False)
    assert conservative.design.racks["gb300_nvl72"] == racks_fitting(0.3) == 4
    by_cdu = _hot_yard_limited(True)
    assert by_cdu.design.racks["gb300_nvl72"] == racks_fitting(0.4) == 5
    assert by_cdu.design.cdus["cdu_facility_2000"] >= 2 and by_cdu.design.cdus["cdu_row_600"] == 0
