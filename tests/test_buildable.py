"""Buildable equipment and what a limit is worth, on sites whose answer is worked out in the test.

sites/tiny.toml uses the shipped catalogue: GB300 NVL72 racks in scalable units of 8 with
96 kW of support IT in 4 support racks per unit (domain-facts-2 1a), 10 % power smoothing
(grid-visible peak max(142, 155 x 0.9) = 142 kW), UPS 99 % + 0.3 % of its rating at no load,
transformer 99.4 % + 0.15 % of the grid limit at no load, miners in lots of 60.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from planner.audit import Design, design_capacity_with_spares_out
from planner.cli import main
from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "sites" / "tiny.toml"
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.toml"
WIDE = {"site.hall_area": "2000 m^2", "site.yard_area": "5000 m^2", "economics.capex_budget": "2000 MUSD"}


def plan(site, **overrides):
    result = run_plan(resolve(load_site(site, overrides=overrides), bin_k=2.0))
    assert result.solve.status == "optimal"
    assert result.audit.passed, [str(v) for v in result.audit.violations]
    return result


def su_grid_peak():
    """Meter power of one scalable unit at its grid-visible peak, before cooling [MW]."""
    it_peak = 8 * 0.142 + 0.096  # smoothed rack peak, support IT
    ups_rating = 8 * 0.155 + 0.096  # the UPS is rated for the electrical peak
    return it_peak / (0.99 * 0.994) + 0.003 * ups_rating / 0.994


def test_a_grid_that_fits_8_9_scalable_units_plans_8():
    grid = 8.9 * su_grid_peak()
    # nine units need more than the grid before any cooling or the transformer's own loss
    assert 9 * su_grid_peak() > grid
    result = plan(SMALL, **WIDE, **{"site.grid_limit": f"{grid:.4f} MW"})
    racks = result.design.racks["gb300_nvl72"]
    assert racks == 8 * 8
    assert result.operation.support_it == pytest.approx(8 * 0.096)


def test_rear_doors_equal_the_racks_they_serve():
    result = plan(SMALL, **WIDE, **{"site.grid_limit": "5 MW", "choices.air_side": ["rear_door_50"]})
    d = result.design
    units = d.racks["gb300_nvl72"] // 8
    assert units >= 2
    # one door per compute rack and per support rack: 8 + 4 a unit
    assert d.air_units["rear_door_50"] == units * (8 + 4)
    # each door carries its rack: 142 kW x 10 % to air, or a 24 kW support rack, below 50 kW
    assert max(0.142 * 0.10, 0.096 / 4) <= 0.050


def test_one_rack_type_and_one_miner_model_in_whole_lots():
    result = plan(SMALL, **WIDE, **{
        "site.grid_limit": "5 MW", "choices.racks": ["gb300_nvl72", "gb200_nvl72"],
        "choices.miners": ["s21_pro", "s19j_pro"], "limits.max_rack_types": 1, "limits.max_miner_models": 1,
        "tariff.energy_price": "20 USD/MWh"})
    d = result.design
    assert sum(1 for n in d.racks.values() if n) == 1
    assert all(n % 8 == 0 for n in d.racks.values())
    models = [m for m, mw in d.mining.items() if mw > 0]
    assert len(models) == 1
    lot = {"s21_pro": 60 * 3510e-6, "s19j_pro": 60 * 3068e-6}[models[0]]
    lots = d.mining[models[0]] / lot
    assert lots == pytest.approx(round(lots)) and round(lots) >= 1


def test_a_loop_of_three_module_sizes_keeps_its_design_heat_with_the_largest_out():
    # at a constant 8 degC: a 1 MW dry cooler gives 1.5 MW (coil limit 1.5 x), a 2 MW water-cooled
    # chiller its 2 MW rating, a 2 MW tower 3 MW (1.5 x): three modules of three sizes, each rated with
    # water and so x 0.93 with the loop's PG25 (0.95 at 20 %, 0.91 at 30 % glycol: domain-facts 2d)
    duty = 0.93
    offered = ["dry_cooler_1000", "water_cooled_chiller_2000", "cooling_tower_2000"]
    inp = resolve(load_site(TINY, overrides={"choices.heat_rejection": offered}), bin_k=2.0)
    design = Design(racks={"gb300_nvl72": 6}, cdus={}, air_units={}, mining={},
                    modules={"dry_cooler_1000@liquid": 1, "water_cooled_chiller_2000@liquid": 1,
                             "cooling_tower_2000@liquid": 1})
    installed, left, carrying = design_capacity_with_spares_out(inp, design, "liquid")
    assert installed == pytest.approx(duty * (1.5 + 2.0 + 3.0))
    assert left == pytest.approx(duty * (1.5 + 2.0))  # the tower, the largest, is the one out
    assert len(carrying) == 3
    # 6 racks give 6 x 142 kW x 90 % = 0.767 MW to the liquid loop: held with the tower out
    heat = 6 * 0.142 * 0.9
    assert left >= heat
    # and a design heat above 3.26 MW would not be: the audit names the loop redundancy
    from planner.audit import audit
    big = Design(racks={"gb300_nvl72": 28}, cdus={"cdu_row_600": 8}, air_units={"crah_fanwall_150": 4}, mining={},
                 modules=design.modules | {"dry_cooler_1000@air": 2})
    paths = {v.limit for v in audit(inp, big).violations}
    assert 28 * 0.142 * 0.9 > duty * (1.5 + 2.0) and "redundancy.heat_rejection" in paths
    # the optimiser's own plan of such a loop holds its design heat with its largest module out
    result = plan(TINY, **{"choices.heat_rejection": offered})
    assert design_capacity_with_spares_out(result.inputs, result.design, "liquid")[1] >= heat - 1e-9


def test_grid_draw_stays_below_the_limit_less_the_margin_every_hour():
    result = plan(TINY, **{"site.grid_margin": "0.05 MW", "choices.miners": ["s21_pro"],
                           "tariff.energy_price": "20 USD/MWh"})
    op = result.operation
    assert op.grid_draw.max() <= 1.0 - 0.05 + 1e-6
    assert op.envelope.max() <= 1.0 - 0.05 + 1e-6
    # the load by kind adds up to the draw in every hour
    np.testing.assert_allclose(sum(op.loads.values()), op.grid_draw, rtol=1e-12)


def test_replanned_value_of_one_more_mw_is_the_difference_of_two_plans(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main([str(TINY), "--json", str(out)]) == 0
    capsys.readouterr()
    data = json.loads(out.read_text())
    section = data["What one more unit of a limit is worth (re-planned, design free)"]
    reported = section["site.grid_limit: 1 MW more is worth"]["value"]  # MUSD/yr
    one = plan(TINY).solve.objective
    two = plan(TINY, **{"site.grid_limit": "2 MW"}).solve.objective
    assert reported == pytest.approx((two - one) / 1e3, rel=0.01)
    # and it is not the fixed-equipment dual, which the report keeps beside it under its own label
    fixed = data["Binding limits and shadow prices (fixed-integer LP)"][
        "site.grid_limit: marginal value per MW, equipment held fixed"]["value"]
    assert abs(fixed - reported) > 0.1 * abs(reported)


def test_envelope_without_power_smoothing_is_reported():
    """The GPU peak envelope with every rack at its full 155 kW peak instead of the smoothed 142 kW."""
    from planner.results import build_results

    result = plan(SMALL, **WIDE, **{"site.grid_limit": "5 MW"})
    racks = result.design.racks["gb300_nvl72"]
    assert racks > 0
    balance = build_results(result).power_balance
    extra = racks * (0.155 - 0.142) / (0.99 * 0.994)  # through UPS and transformer
    assert balance.envelope_without_smoothing.value - balance.envelope.value == pytest.approx(extra, rel=1e-9)
    assert balance.envelope_without_smoothing.unit == "MW"
