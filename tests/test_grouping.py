"""Hours grouped across months: each month's peak demand still sees every hour of that month.

``resolve(..., bin_k=2)`` groups hours of the same energy price whose coefficients agree within
2 K, whatever their month, and each group has one dispatch. The monthly demand charge is then
exact only if every group with hours in a month sets a floor under that month's peak. Site:
tests/data/cascade.toml (4 MW) on the Pasco TMY3 year, with a demand charge.
"""

import numpy as np
import pulp
import pytest
import site_files

from planner.inputs import resolve
from planner.load import load_site
from planner.model import build_model
from planner.solve import solve


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    site = site_files.cascade_site(tmp_path_factory.mktemp("grouping"))
    return resolve(load_site(site, overrides={"tariff.demand_charge": "6 USD/kW/month"}), bin_k=2.0)


def test_groups_span_months_and_keep_one_price(grouped):
    month = np.asarray(grouped.climate.month, dtype=int)
    price = np.asarray(grouped.energy_price_8760, dtype=float)
    spans = [len(set(month[g].tolist())) for g in grouped.groups]
    assert max(spans) > 1  # the case needs a group of several months
    assert all(len(set(price[g].tolist())) == 1 for g in grouped.groups)
    assert sorted(np.concatenate(grouped.groups).tolist()) == list(range(8760))


def test_each_months_peak_is_the_largest_draw_of_the_groups_in_it(grouped):
    model = build_model(grouped)
    result = solve(model)
    assert result.status == "optimal"
    month = np.asarray(grouped.climate.month, dtype=int)
    draw = np.array([pulp.value(row) for row in model.expressions["grid_rows"]])
    assert set(model.peaks) == set(range(1, 13))
    for mo, var in model.peaks.items():
        in_month = [t for t, g in enumerate(grouped.groups) if (month[g] == mo).any()]
        # a floor under the peak from every group with an hour in the month, and no more: the charge is paid on it
        assert var.varValue == pytest.approx(max(draw[t] for t in in_month), abs=1e-6)


@pytest.mark.parametrize("charge, within_months", [("6 USD/kW/month", True), ("0 USD/kW/month", False)])
def test_every_hour_exactly_keeps_months_apart_where_a_demand_charge_prices_them(tmp_path, charge, within_months):
    """Identical hours of two months may dispatch differently against their two monthly peaks, so every hour
    exactly merges identical hours only within a month where a demand charge is paid; without one, across."""
    site = site_files.cascade_site(tmp_path)
    exact = resolve(load_site(site, overrides={"tariff.demand_charge": charge}), bin_k=None)
    month = np.asarray(exact.climate.month, dtype=int)
    spans = [len(set(month[g].tolist())) for g in exact.groups]
    assert (max(spans) == 1) == within_months
    assert sorted(np.concatenate(exact.groups).tolist()) == list(range(8760))
