"""Residual mining in the audited year: every hour a miner idles has its reason.

The plan dispatches mining per model hour, each group of hours at its worst coefficients, so a
cooler hour of the group leaves grid unused. Miners switch within seconds: the operator runs them
in that room too. Every hour in which a miner runs below what is available must then be an hour
at the operating limit, at the month's peak draw (when a demand charge is paid on it), or one
whose energy costs more than the mining earns. Site: tests/data/cascade.toml (4 MW, S21 XP
miners) on the Pasco TMY3 year, hours grouped by 2 K.
"""


import numpy as np
import pytest
import site_files

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

TOL = 1e-4  # MW


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return site_files.cascade_site(tmp_path_factory.mktemp("fill"))


@pytest.mark.parametrize("demand_charge", ["0 USD/kW/month", "6 USD/kW/month"])
def test_every_idle_miner_hour_has_its_reason(site, demand_charge):
    inp = resolve(load_site(site, overrides={"tariff.demand_charge": demand_charge}), bin_k=2.0)
    plan = run_plan(inp)
    assert plan.solve.status == "optimal" and plan.audit.passed
    op, design = plan.operation, plan.design
    assert sum(design.mining.values()) > 0  # the case needs miners
    draw, limit = op.grid_draw, inp.operating_limit
    assert draw.max() <= limit + 1e-6
    month = np.asarray(inp.climate.month, dtype=int)
    month_peak = np.array([draw[month == mo].max() for mo in month])
    a_tx = 1.0 / inp.transformer_efficiency
    grid_bound = draw >= limit - TOL
    if inp.demand_charge > 0:
        grid_bound |= draw >= month_peak - TOL
    for m in inp.miners:
        run, avail = op.mining_power[m.id], op.mining_available[m.id]
        if design.mining.get(m.id, 0.0) <= 0:
            continue
        # the plan's own dispatch is a floor: mining only fills room the plan left
        planned = np.minimum(design.mining_dispatch[m.id], avail)
        assert np.all(run >= planned - 1e-9)
        idle = run < avail - 1e-6
        uneconomic = m.revenue_per_mwh <= op.energy_price * a_tx * (1.0 + m.ventilation)
        unexplained = idle & ~grid_bound & ~uneconomic
        assert not unexplained.any(), f"{int(unexplained.sum())} h idle with grid to spare, e.g. hour {np.argmax(unexplained)}"
        assert run.sum() > planned.sum()  # the grouped dispatch left room somewhere in a real year
