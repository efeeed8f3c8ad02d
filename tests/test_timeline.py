"""The conversion over time (`plan timeline`): values worked out by hand in each test.

The toy is tests/data/tiny/timeline.toml: the tiny site over two 365-day years, constant climate,
one-rack scalable units, no energy price, so a period's cash is GPU revenue less facility opex.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from planner.cli import main
from planner.inputs import resolve
from planner.load import InputError, load_site
from planner.model import build_model
from planner.solve import solve
from planner.timeline.calendar import irr, mean_block_subsidy, payback, periods, value_left
from planner.timeline.periods import timeline_inputs
from planner.timeline.results import TimelineResults
from planner.timeline.run import plan_timeline

DATA = Path(__file__).parent / "data" / "tiny"
TOY = DATA / "timeline.toml"
HOURS = 8760.0
FLEET = [{"miner": "s21_xp", "units": 180}]  # 3 lots of 60


def _plan(**overrides):
    loaded = load_site(TOY, overrides=overrides)
    run = plan_timeline(loaded)
    assert run.solve.status == "optimal"
    return loaded, run.results


def _df(t: float) -> float:
    return 1.08 ** -t


# --- calendar and money ------------------------------------------------------------------------------

def test_quarters_to_2030():
    ps = periods(dt.date(2026, 10, 1), dt.date(2030, 12, 31), "quarter")
    assert len(ps) == 17  # 2026-Q4 and four years of quarters
    assert (ps[0].label, ps[-1].label) == ("2026-Q4", "2030-Q4")
    assert ps[1].months == (1, 2, 3)
    assert ps[1].years == pytest.approx(90 / 365)


def test_irr_and_payback_by_hand():
    assert irr([0, 1], [-100, 110]) == pytest.approx(0.10, abs=1e-8)
    assert irr([0, 1, 2], [-100, 0, 121]) == pytest.approx(0.10, abs=1e-8)
    assert irr([0, 1], [100, 110]) is None  # no sign change
    # cumulative -10 at the end of the first year, +10 at the end of the second: half-way through it
    assert payback([1, 2], [-10, 10], [0, 1]) == pytest.approx(1.5)
    assert payback([1, 2], [-10, -5], [0, 1]) is None


def test_value_left_annuity_and_straight_line():
    r, life, age = 0.08, 5.0, 2.0
    annuity = (1 - 1.08 ** -3) / (1 - 1.08 ** -5)  # capital recovery factor x annuity factor of the 3 years left
    assert value_left(r, life, age, "annuity") == pytest.approx(annuity)
    assert value_left(r, life, age, "book_value") == pytest.approx(3 / 5)
    assert value_left(r, life, 7.0, "annuity") == 0.0
    assert value_left(r, life, age, "none") == 0.0


# --- the market paths ----------------------------------------------------------------------------------

def test_the_halving_halves_mining_revenue_per_mwh():
    """BTC price and difficulty constant, no fees: the revenue per MWh after the halving is half of before."""
    loaded = load_site(TOY, overrides={"timeline.fleet": FLEET, "timeline.market.halving_date": "2030-01-01"})
    tin = timeline_inputs(loaded, resolve(loaded))
    before, after = (pi.inp.miners[0].revenue_per_mwh for pi in tin.periods)
    assert after == pytest.approx(before / 2, rel=1e-12)
    assert [pi.block_subsidy for pi in tin.periods] == [3.125, 1.5625]
    # a halving within a period: the subsidy averaged over its days
    half = mean_block_subsidy(3.125, dt.date(2029, 7, 1), dt.date(2029, 1, 1), dt.date(2030, 1, 1))
    assert half == pytest.approx(3.125 * (181 + 184 / 2) / 365)


# --- the plan --------------------------------------------------------------------------------------------

def test_two_period_npv_by_hand():
    loaded, res = _plan()
    first, second = res.periods
    racks = first.racks["gb300_nvl72"]
    assert racks > 0 and second.racks == first.racks  # built at the start, kept
    r = loaded.racks[0]
    design, peak = r.power_design.value, r.power_peak.value  # MW; one rack per scalable unit, no support IT
    revenue = 10.0 * 0.85 * HOURS * r.gpus  # USD/yr per rack
    opex = 0.6e6 * design
    cooling = (sum(n * 150e3 for n in first.cdus.values()) + sum(n * 60e3 for n in first.air_side.values())
               + sum(n * loaded.heat_rejection[0].price.value for n in first.heat_rejection.values()))
    capex = racks * (r.price.value + design * 7.5e6 + peak * 0.3e6) + cooling + 0.1e6 * 1.0  # transformer 1 MW
    npv = -capex + racks * (revenue - opex) * (_df(0.5) + _df(1.5))
    assert res.npv.value * 1e6 == pytest.approx(npv, rel=1e-9)
    assert first.cash["gpu_revenue"].value * 1e6 == pytest.approx(racks * revenue, rel=1e-12)
    # the baseline without racks spends only the transformer; the conversion adds the rest
    assert res.baseline.npv.value == pytest.approx(-0.1, abs=1e-9)
    assert res.baseline.incremental_npv.value * 1e6 == pytest.approx(npv + 0.1e6, rel=1e-9)
    assert all(p.audit.passed for p in res.periods)


def test_racks_never_exceed_the_hall_ready_in_their_period():
    """180 of the 200 m^2 are converted for 2030: in 2029 racks, CDUs and air units fit in 20 m^2."""
    phases = [{"area": "180 m^2", "ready": "2030-01-01"}]
    _, res = _plan(**{"timeline.hall_phases": phases})
    first, second = res.periods
    area = [p.racks["gb300_nvl72"] * 2.5 + sum(p.cdus.values()) * 2.5 + sum(p.air_side.values()) * 3.0
            for p in res.periods]
    assert first.converted_hall.value == pytest.approx(20.0)
    assert area[0] <= 20.0 + 1e-9
    assert area[1] <= 200.0 + 1e-9
    assert second.racks["gb300_nvl72"] > first.racks["gb300_nvl72"]


def test_an_owned_fleet_runs_until_racks_need_its_room_when_that_pays():
    """Racks arrive in 2030 in a hall of 60 m^2: the fleet (45 m^2) mines in 2029 and gives way to racks,
    CDUs and air units (28.5 m^2 for six racks) in 2030; with GPU hours not worth a rack, it mines both
    years. Owned miners carry no capex."""
    sets = {"timeline.fleet": FLEET, "timeline.first_delivery": "2030-01-01", "site.hall_area": "60 m^2"}
    _, res = _plan(**sets)
    first, second = res.periods
    assert first.racks["gb300_nvl72"] == 0 and second.racks["gb300_nvl72"] > 0
    assert first.mining_installed["s21_xp"].value == pytest.approx(3 * 60 * 3645e-6)  # the whole fleet, MW
    assert first.mining_average.value > 0
    assert second.mining_installed["s21_xp"].value < first.mining_installed["s21_xp"].value
    assert first.cash["capex_gpu"].value == 0.0
    assert first.cash["capex_facility"].value == pytest.approx(-0.1)  # the transformer only: no miner capex
    _, res = _plan(**sets, **{"gpu_market.price": "0.5 USD/GPU/h"})
    assert all(p.racks["gb300_nvl72"] == 0 for p in res.periods)
    assert [p.mining_installed["s21_xp"].value for p in res.periods] == pytest.approx([3 * 60 * 3645e-6] * 2)


def test_colocation_above_the_break_even_lease_price_and_gpu_hours_below():
    lease = {"timeline.monetisation": "choose", "gpu_market.price": "4 USD/GPU/h", "timeline.terminal_value": "annuity",
             "timeline.colocation": {"lease_price": "100 USD/kW/month", "tenant_pays_power": False}}
    loaded, res = _plan(**lease)
    r = loaded.racks[0]
    # per rack signed in 2029: GPU hours earn revenue less the GPU price, which is recovered over its 5-year
    # life as an annuity (3 years of it left at the end); a lease earns rent per kW of design IT
    left = (1 - 1.08 ** -3) / (1 - 1.08 ** -5)
    gpu_value = 4.0 * 0.85 * HOURS * r.gpus * (_df(0.5) + _df(1.5)) - r.price.value * (1 - _df(2.0) * left)
    rent_per_price = 12 * r.power_design.value * 1000 * (_df(0.5) + _df(1.5))
    break_even = gpu_value / rent_per_price
    assert res.monetisation.break_even_by_cohort["2029 gb300_nvl72"].value == pytest.approx(break_even, rel=1e-9)
    for factor, chosen in ((1.05, "colocation"), (0.95, "gpu_as_a_service")):
        price = f"{break_even * factor} USD/kW/month"
        _, res = _plan(**lease, **{"timeline.colocation.lease_price": price})
        assert res.monetisation.chosen == chosen, factor


# --- the site without a timeline, the command, bad input -------------------------------------------------

def test_a_site_without_a_timeline_plans_as_before():
    """The [timeline] table changes nothing of the steady-state plan."""
    objective = []
    for overrides in ({}, {"timeline.start": "2029-01-01", "timeline.end": "2029-12-31",
                                "timeline.monetisation": "gpu_as_a_service"}):
        loaded = load_site(DATA / "tiny.toml", overrides=overrides)
        model = build_model(resolve(loaded))
        objective.append(solve(model).objective)
    assert objective[1] == objective[0]


def test_the_timeline_schema_is_current():
    from planner.timeline.results import schema_text

    assert (DATA.parents[2] / "docs" / "timeline.schema.json").read_text() == schema_text(), (
        "docs/timeline.schema.json is stale; regenerate it: python -m planner.timeline.results > docs/timeline.schema.json")


def test_plan_timeline_writes_its_files(tmp_path, capsys):
    import jsonschema

    assert main(["timeline", str(TOY), "--out", str(tmp_path), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "NPV" in text and "2029" in text and "2030" in text
    data = json.loads((tmp_path / "timeline.json").read_text())
    jsonschema.validate(data, json.loads((DATA.parents[2] / "docs" / "timeline.schema.json").read_text()))
    res = TimelineResults.model_validate(data)
    rows = list(csv.DictReader((tmp_path / "timeline.csv").open()))
    assert [row["period"] for row in rows] == [p.period for p in res.periods] == ["2029", "2030"]
    assert float(rows[0]["cash_flow_MUSD"]) == pytest.approx(res.periods[0].cash_flow.value)
    page = (tmp_path / "timeline.html").read_text()
    assert "<img" in page
    # every cell of the period table sits under its own heading
    import re

    table = page[page.index("<h2>Period by period</h2>"):]
    heads = re.findall(r"<th>(.*?)</th>", table)
    cells = [re.findall(r"<td>(.*?)</td>", tr) for tr in re.findall(r"<tr>(<td>.*?)</tr>", table)]
    col = heads.index("gpu_revenue_MUSD")
    assert [float(c[col].replace(",", "")) for c in cells] == pytest.approx(
        [p.cash["gpu_revenue"].value for p in res.periods], rel=1e-3)


def test_plan_timeline_without_a_timeline_says_so(capsys):
    assert main(["timeline", str(DATA / "tiny.toml")]) == 2
    assert "[timeline]" in capsys.readouterr().err


@pytest.mark.parametrize("overrides, path", [
    ({"timeline.fleet": [{"miner": "s19j_pro", "units": 60}]}, "timeline.fleet[0].miner"),
    ({"timeline.fleet": [{"miner": "s21_xp", "units": 50}]}, "timeline.fleet[0].units"),
    ({"timeline.end": "2028-12-31"}, "timeline.end"),
    ({"timeline.monetisation": "colocation"}, "timeline.colocation"),
    ({"timeline.hall_phases": [{"area": "300 m^2", "ready": "2030-01-01"}]}, "timeline.hall_phases"),
])
def test_bad_timelines_name_the_toml_path(overrides, path):
    with pytest.raises(InputError) as err:
        loaded = load_site(TOY, overrides=overrides)
        timeline_inputs(loaded, resolve(loaded))
    assert any(p == path for p, _ in err.value.problems), err.value.problems


def test_new_miners_are_bought_only_where_allowed():
    """No fleet, GPU hours not worth a rack, free energy: with new_miners the plan buys miners at their
    price at the start and mines both years; without it nothing mines."""
    sets = {"gpu_market.price": "0.5 USD/GPU/h"}
    loaded, res = _plan(**sets, **{"timeline.new_miners": True})
    first, second = res.periods
    m = loaded.miners[0]
    units = first.miners_owned["s21_xp"]
    assert units > 0 and units % m.lot_size == 0 and second.miners_owned == first.miners_owned
    assert first.cash["capex_miners"].value * 1e6 == pytest.approx(-units * m.price.value, rel=1e-12)
    assert second.cash["capex_miners"].value == 0.0
    assert first.mining_average.value > 0
    _, res = _plan(**sets)
    assert all(p.mining_average.value == 0.0 and not p.miners_owned for p in res.periods)


def test_risk_gives_the_npv_of_the_timeline_per_sample(tmp_path):
    """Only the GPU price varies: each sample's NPV moves from the timeline's by (factor - 1) times the
    discounted GPU-hour revenue, read from the timeline's own periods; zero variance gives the NPV itself."""
    from planner.studies.risk import run_risk
    from planner.studies.sampling import draw, nominal_values

    still = {name: {"growth": "0 %/year", "volatility": "0 %"} for name in ("btc_price", "difficulty", "energy_price")}
    unc = {"horizon": "1 year", **still, "gpu_price": {"growth": "0 %/year", "volatility": "20 %"}}
    loaded = load_site(TOY, overrides={"uncertainty": unc})
    study = run_risk(TOY, samples=6, seed=3, sets={"uncertainty": unc}, executor="serial", robust_samples=0)
    tl = study.timeline
    _, res = _plan()
    assert tl.npv_plan == pytest.approx(res.npv.value, rel=1e-9)
    revenue = sum(p.cash["gpu_revenue"].value * p.discount_factor for p in res.periods)  # MUSD, mid-period
    nominal = nominal_values(loaded.spec)
    factors = [v["gpu_price"] / nominal["gpu_price"] for v in draw(loaded.spec.uncertainty, nominal, 6, 3)]
    assert np.allclose(tl.npv, [res.npv.value + (f - 1) * revenue for f in factors], rtol=1e-9)
    assert len(set(np.round(tl.npv, 6))) > 1
    zero = {"horizon": "1 year", **still, "gpu_price": {"growth": "0 %/year", "volatility": "0 %"}}
    study = run_risk(TOY, samples=3, seed=3, sets={"uncertainty": zero}, executor="serial", robust_samples=0)
    assert np.allclose(study.timeline.npv, res.npv.value, rtol=1e-9)
    from rich.console import Console

    from planner.studies.risk_report import render_timeline_risk

    console = Console(record=True, width=200)
    render_timeline_risk(study.timeline, console)
    assert "the paths of [timeline] keep their shape" in console.export_text()


def test_each_period_is_audited_with_the_heat_dispatch_the_optimiser_chose():
    """Where the grid binds the audit runs the plant as the period's model did: each hour of the period's months
    takes the heat of the model hour that dominates it (the toy's climate is constant, so every hour takes the
    same), never the audit's own merit order, which could draw a few kW more than the model allowed."""
    from planner.model import value_of
    from planner.timeline.run import period_design

    run = plan_timeline(load_site(TOY))
    assert run.solve.status == "optimal"
    for p, period in enumerate(run.tin.periods):
        design = period_design(run.model, p)
        hours = len(period.audit_inp.climate.dry_bulb)
        x = run.model.builders[p].x
        for key, series in x["heat"].items():
            dispatched = design.heat_dispatch[key]
            assert dispatched.shape == (hours,)
            assert dispatched[0] == pytest.approx(value_of(series[0]))  # constant climate: model hour 0 dominates
        assert run.results.periods[p].audit.passed
