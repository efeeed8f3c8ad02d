"""Explanations of plans and diagnoses of failures (planner.explain).

- every site under tests/data/infeasible/ exits 3 and names the TOML path to change;
- the elastic re-solve names the same limit, with its size, hour and hours;
- shadow prices of the fixed-integer LP match finite differences (and a value
  worked out by hand on a constant-climate site);
- a fixed design that breaks a limit is reported with the hour and the size of the breach;
- a solver stopped at its time limit is never reported as optimal (exit 4).

Dual sign convention checked here: PuLP's ``constraint.pi`` is -d(objective)/d(rhs)
with HiGHS (PuLP hands HiGHS the negated objective of our maximisation) and
+d(objective)/d(rhs) with CBC; planner.explain.DUAL_SIGN undoes both.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pulp
import pytest

from planner import explain as ex
from planner.cli import main
from planner.inputs import capital_recovery_factor, resolve
from planner.load import load_site
from planner.model import build_model
from planner.plan import run_plan
from planner.solve import cbc_solver, solve, solve_fixed_lp
from test_model import envelope, hall_area  # the hand model of the tiny site

ROOT = Path(__file__).parent.parent
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.toml"
WASHINGTON = ROOT / "sites" / "washington.toml"
INFEASIBLE = Path(__file__).parent / "data" / "infeasible"
SHORT_WEATHER = Path(__file__).parent / "data" / "short_weather" / "site.toml"

# Tiny-site figures (hardware catalogue): GB300 NVL72 [MW], UPS and transformer efficiency,
# S21 Pro miner (15 J/TH, 3.5 kUSD per 3510 W, 0.25 m^2), tariff 40 USD/MWh, economics defaults.
TYP, DES, PEAK, LIQ = 0.135, 0.142, 0.155, 0.90
UPS, TX = 0.97, 0.99
A_UPS = 1.0 / (UPS * TX)
PRICE = 40.0  # USD/MWh
HOURS = 8760.0
MINER_PRICE_PER_MW = 3500.0 / 0.00351  # USD/MW
MINER_AREA_PER_MW = 0.25 / 0.00351  # m^2/MW
TRANSFORMER_PER_MW = 0.1e6  # USD/MW
CAPEX_TIE_BREAK = 1e-3  # objective "noi": annualised capex enters with this weight
CRF_MINER = capital_recovery_factor(0.08, 3.0)
CRF_FACILITY = capital_recovery_factor(0.08, 15.0)
HASHPRICE = 3.125 * 98700 * 86400 * 1e15 / (148.26e12 * 2**32)  # USD/(PH/s)/day, no fees
REVENUE = HASHPRICE / 24 * 1000 / 15.0  # USD per MWh the S21 Pro uses

# cause -> TOML path the report must name (pre-solve checks, or the elastic re-solve)
CASES = {
    "grid_too_small.toml": "site.grid_limit",
    "dry_coolers_too_hot.toml": "choices.heat_rejection",
    "no_cdu.toml": "choices.cdus",
    "budget_below_one_rack.toml": "economics.capex_budget",
    "hall_too_small.toml": "site.hall_area",
    "yard_too_small.toml": "site.yard_area",
    "air_loop_too_warm.toml": "cooling.air_loop_supply_temperature",
    "min_racks_beyond_grid.toml": "limits.min_racks",
    "max_below_min_racks.toml": "limits.min_racks",
    "min_racks_with_cooling.toml": "site.grid_limit",  # passes the pre-checks: elastic re-solve
}

# the same sites through the elastic re-solve alone (one rack forced when min_racks is 0)
ELASTIC_CASES = {
    "grid_too_small.toml": "site.grid_limit",
    "dry_coolers_too_hot.toml": "choices.heat_rejection",
    "no_cdu.toml": "choices.cdus",
    "budget_below_one_rack.toml": "economics.capex_budget",
    "hall_too_small.toml": "site.hall_area",
    "yard_too_small.toml": "site.yard_area",
    "air_loop_too_warm.toml": "cooling.air_loop_supply_temperature",
    "min_racks_beyond_grid.toml": "site.grid_limit",
    "max_below_min_racks.toml": "limits.max_racks",
    "min_racks_with_cooling.toml": "site.grid_limit",
}


def _inputs(path=TINY, **overrides):
    return resolve(load_site(path, overrides=overrides), bin_k=2.0)


def _figure(sections, label):
    for s in sections:
        for f in s.figures:
            if f.label == label:
                return f.value
    raise KeyError(label)


def _section(sections, title):
    return next(s for s in sections if s.title == title)


def _fixed(design) -> dict[str, float]:
    """Every equipment count of a design, as --fix keys (mining left free)."""
    out = {f"racks.{k}": v for k, v in design.racks.items()}
    out.update({f"cdus.{k}": v for k, v in design.cdus.items()})
    out.update({f"heat_rejection.{k}": v for k, v in design.modules.items()})
    out.update({f"air_side.{k}": v for k, v in design.air_units.items()})
    return out


def _fixed_lp_objective(inp, design) -> float:
    """The fixed-integer LP at the given inputs: every count held at ``design``'s value."""
    model = build_model(inp, fixed=_fixed(design))
    res = solve(model)
    assert res.status == "optimal"
    return res.objective


# --------------------------------------------------------------------------------------
# infeasible sites
# --------------------------------------------------------------------------------------

def test_every_infeasible_fixture_is_listed():
    assert sorted(p.name for p in INFEASIBLE.glob("*.toml")) == sorted(CASES)
    assert len(CASES) >= 8


@pytest.mark.parametrize("name,path", sorted(CASES.items()))
def test_infeasible_site_exits_3_and_names_the_path(name, path, capsys):
    code = main([str(INFEASIBLE / name)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 3, text
    assert f"{path}:" in text or f"{path} is" in text, text
    assert "Traceback" not in text


@pytest.mark.parametrize("name,path", sorted(ELASTIC_CASES.items()))
def test_elastic_re_solve_names_the_same_limit(name, path):
    inp = resolve(load_site(INFEASIBLE / name), bin_k=2.0)
    section = ex.diagnose_infeasible(inp)
    text = "\n".join(section.lines)
    assert re.search(rf"^{re.escape(path)}[: ]", text, re.M), text
    assert "least-relaxed design found" in text


def test_pre_checks_find_each_cause_alone():
    for name, path in CASES.items():
        if name == "min_racks_with_cooling.toml":
            continue
        problems = ex.presolve_checks(resolve(load_site(INFEASIBLE / name), bin_k=2.0))
        errors = [p for p in problems if p.severity == "error"]
        assert errors and {p.path for p in errors} == {path}, (name, [str(p) for p in errors])
        assert all(str(p).startswith(f"{p.path}: ") for p in errors)


def test_real_sites_pass_the_pre_checks():
    for site in ("tiny.toml", "washington.toml", "texas.toml"):
        inp = resolve(load_site(ROOT / "sites" / site), time_mode="days", days=2)
        assert [p for p in ex.presolve_checks(inp) if p.severity == "error"] == []


def test_min_racks_beyond_the_grid_with_cooling_gives_size_and_hour(capsys):
    code = main([str(INFEASIBLE / "min_racks_with_cooling.toml")])
    text = capsys.readouterr().out
    assert code == 3
    m = re.search(r"site\.grid_limit is ([0-9.]+) MW short at (\d{4}-\d\d-\d\dT\d\d) with limits\.min_racks = 6 racks",
                  text.replace("\n", " "))
    assert m, text
    # 6 racks at peak through the losses, plus pumps, 2 CRAH fans and dry-cooler fans by the chords
    expected = envelope(6) - 0.98
    assert float(m.group(1)) == pytest.approx(expected, abs=5e-4)
    assert "at most 5 racks" in text


def test_fixed_design_that_breaks_the_grid_reports_hour_and_size(capsys):
    code = main([str(TINY), "--fix", "racks.gb300_nvl72=8"])
    text = capsys.readouterr().out.replace("\n", " ")
    assert code == 3
    m = re.search(r"site\.grid_limit is ([0-9.]+) MW short at (\d{4}-\d\d-\d\dT\d\d) with the fixed design "
                  r"\(racks\.gb300_nvl72 = 8\)", text)
    assert m, text
    breach = envelope(8) - 1.0
    assert float(m.group(1)) == pytest.approx(breach, abs=5e-3)
    # the tiny site's constant year: every hour has the same coefficients and price, so one model hour
    assert re.search(r"the one model hour \(standing\s+for\s+8,760\s+h", text), text
    # the same breach as a number, through the library
    # (the least relaxation may install a third dry cooler so that the fans run slower than with the
    # N+1 minimum of the hand model: never more than the hand figure, and within its fan power)
    section = ex.diagnose_infeasible(_inputs(), fixed={"racks.gb300_nvl72": 8})
    relaxed = _figure([section], "site.grid_limit: relaxation needed at the worst hour")
    assert breach - 2e-3 <= relaxed <= breach + 1e-9


def test_infeasible_json_on_stdout_says_infeasible(capsys):
    code = main([str(INFEASIBLE / "no_cdu.toml"), "--json", "-"])
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    assert data["status"] == "infeasible"
    assert any(d.startswith("choices.cdus: ") for d in data["diagnosis"])


def test_weather_file_shorter_than_a_year_is_an_input_error(capsys):
    code = main([str(SHORT_WEATHER)])
    err = capsys.readouterr().err
    assert code == 2
    assert "climate.weather_file" in err and "three_days.epw" in err and "72 hours" in err and "8760" in err


def test_hydro_miners_that_cannot_run_are_a_warning_not_a_failure(capsys):
    code = main([str(TINY), "--set", 'choices.miners=["s21_xp_hyd"]', "--no-explain"])
    text = capsys.readouterr().out
    assert code == 0
    assert "warning: choices.miners:" in text and "coolant limit" in text


# --------------------------------------------------------------------------------------
# elastic model
# --------------------------------------------------------------------------------------

def test_default_model_is_unchanged_by_the_elastic_option(tmp_path):
    inp = _inputs(**{"choices.miners": ["s21_pro"], "limits.min_racks": 2})
    a, b = build_model(inp), build_model(inp, elastic=False)
    a.prob.writeLP(tmp_path / "a.lp")
    b.prob.writeLP(tmp_path / "b.lp")
    assert (tmp_path / "a.lp").read_text() == (tmp_path / "b.lp").read_text()
    assert all(not f.slacks for f in a.families.values())
    e = build_model(inp, elastic=True)
    paths = {s.path for f in e.families.values() for s in f.slacks}
    assert {"site.grid_limit", "site.hall_area", "site.yard_area", "economics.capex_budget", "redundancy.cdu",
            "redundancy.heat_rejection", "redundancy.air_side", "limits.min_racks", "choices.heat_rejection"} <= paths


def test_elastic_model_of_a_feasible_site_relaxes_nothing():
    model = build_model(_inputs(), elastic=True)
    assert solve(model).status == "optimal"
    assert all((s.var.varValue or 0.0) <= 1e-7 for f in model.families.values() for s in f.slacks)


# --------------------------------------------------------------------------------------
# shadow prices against finite differences
# --------------------------------------------------------------------------------------

def test_grid_shadow_price_matches_finite_difference_and_hand_value():
    """1 MW more grid on the tiny site with a miner: the miner absorbs it every hour.

    With the climate constant (8 degC, no derating) and one energy price, each MW at
    the meter runs TX MW more of S21 Pro for 8760 h:
        value = 8760 h x (TX x revenue - price)                [USD/yr per MW]
              - tie-break capex: 1e-3 x CRF(8 %, 3 y) x miner price per MW x TX
              - tie-break capex of the transformer sized to the grid limit.
    Tolerance 2 %: the finite difference is exact here (no integer changes), the
    hand value differs only by solver tolerances.
    """
    over = {"choices.miners": ["s21_pro"]}
    plan = run_plan(_inputs(**over))
    assert plan.solve.status == "optimal" and plan.design.mining["s21_pro"] > 0
    sections = ex.explain(plan)
    dual = _figure(sections, "site.grid_limit: marginal value per MW, equipment held fixed") * 1e3  # kUSD/yr per MW
    step = 0.01  # MW: no rack more (6 racks need 1.012 MW)
    bigger = run_plan(_inputs(**over, **{"site.grid_limit": f"{1 + step} MW"}))
    assert bigger.design.racks == plan.design.racks
    fd = (bigger.solve.objective - plan.solve.objective) / step
    hand = (HOURS * (TX * REVENUE - PRICE)
            - CAPEX_TIE_BREAK * CRF_MINER * MINER_PRICE_PER_MW * TX
            - CAPEX_TIE_BREAK * CRF_FACILITY * TRANSFORMER_PER_MW) / 1e3
    assert dual == pytest.approx(fd, rel=0.02)
    assert dual == pytest.approx(hand, rel=0.02)
    assert dual > 600  # ~657 kUSD/yr per MW
    # the fixed-integer LP at the perturbed limit gives the same (no integer changed)
    fixed_fd = (_fixed_lp_objective(bigger.inputs, plan.design) - _fixed_lp_objective(plan.inputs, plan.design)) / step
    assert dual == pytest.approx(fixed_fd, rel=0.02)
    assert _figure(sections, "site.grid_limit: hours the grid draw is at the limit (audited year)") == pytest.approx(HOURS)


def test_dual_sign_is_the_same_with_cbc():
    if cbc_solver() is None:
        pytest.skip("CBC not available")
    plan = run_plan(_inputs(**{"choices.miners": ["s21_pro"]}))
    highs = _figure(ex.explain(plan, solver="highs"), "site.grid_limit: marginal value per MW, equipment held fixed")
    cbc = _figure(ex.explain(plan, solver="cbc"), "site.grid_limit: marginal value per MW, equipment held fixed")
    assert highs > 0 and cbc == pytest.approx(highs, rel=1e-6)


def test_raw_highs_dual_is_minus_the_derivative():
    """The convention itself: pi from PuLP+HiGHS is -d(objective)/d(rhs) for our maximisation."""
    inp = _inputs(**{"choices.miners": ["s21_pro"]})
    plan = run_plan(inp)
    solve_fixed_lp(plan.model, solver="highs")
    raw = sum(c.pi for _, c in plan.model.families["grid"].rows)
    assert raw < 0
    assert ex.DUAL_SIGN["highs"] == -1.0 and ex.DUAL_SIGN["cbc"] == 1.0


def test_hall_filled_by_whole_lots_of_miners():
    """Miners come in lots of 60 S21 Pro (60 x 3510 W, 60 x 0.25 m^2 = 15 m^2 a lot).

    Five racks (limits.max_racks), three CDUs and two CRAH units take 26 m^2 of a 100 m^2
    hall; the 74 m^2 left hold four whole lots (60 m^2). With the counts held, 1 m^2 more is
    worth nothing (no fifth lot fits); the re-plan with one lot's area more installs a fifth.
    """
    lot_mw, lot_area = 60 * 3510e-6, 60 * 0.25
    over = {"choices.miners": ["s21_pro"], "site.grid_limit": "3 MW", "site.hall_area": "100 m^2", "limits.max_racks": 5}
    plan = run_plan(_inputs(**over))
    assert plan.design.racks["gb300_nvl72"] == 5
    lots = int((100 - 26) // lot_area)
    assert lots == 4
    assert plan.design.mining["s21_pro"] == pytest.approx(lots * lot_mw, rel=1e-9)
    dual = _figure(ex.explain(plan), "site.hall_area: 1 m^2 more is worth")  # kUSD/yr per m^2
    assert dual == pytest.approx(0.0, abs=1e-6)
    replan = run_plan(_inputs(**{**over, "site.hall_area": f"{100 + lot_area} m^2"}))
    assert replan.design.mining["s21_pro"] == pytest.approx((lots + 1) * lot_mw, rel=1e-9)
    assert replan.solve.objective > plan.solve.objective


def test_hall_that_fits_n_racks_exactly_prices_at_zero_with_counts_held():
    """No miner: the hall row holds only integers once they are fixed, so its dual is 0.

    26 m^2 = 5 racks (12.5) + 3 CDUs (7.5) + 2 CRAH units (6). The fixed-integer LP at
    27 m^2 gains nothing (the dual is right for counts held); the MILP re-plan at 28.5 m^2
    fits a sixth rack and gains ~1.6 MUSD/yr: a discrete step no dual reports.
    """
    over = {"site.grid_limit": "3 MW", "site.hall_area": "26 m^2"}
    plan = run_plan(_inputs(**over))
    assert plan.design.racks["gb300_nvl72"] == 5
    sections = ex.explain(plan)
    assert _figure(sections, "site.hall_area: 1 m^2 more is worth") == pytest.approx(0.0, abs=1e-9)
    fixed_fd = _fixed_lp_objective(_inputs(**{**over, "site.hall_area": "27 m^2"}), plan.design) - plan.solve.objective
    assert fixed_fd == pytest.approx(0.0, abs=1e-6)
    replan = run_plan(_inputs(**{**over, "site.hall_area": "28.5 m^2"}))
    assert replan.design.racks["gb300_nvl72"] == 6
    assert replan.solve.objective - plan.solve.objective > 1000  # kUSD/yr
    limits = "\n".join(_section(sections, "What limits the plan").lines)
    assert "site.hall_area" in limits and "binding: site.hall_area" in limits
    note = "\n".join(_section(sections, "Binding limits and shadow prices (fixed-integer LP)").lines)
    assert "equipment count held" in note


# --------------------------------------------------------------------------------------
# reports of solved plans
# --------------------------------------------------------------------------------------

def test_explain_names_binding_limit_and_stranded_capacity(capsys):
    code = main([str(TINY)])
    text = capsys.readouterr().out
    assert code == 0
    for words in ("Binding limits and shadow prices", "What limits the plan", "Stranded capacity",
                  "one more NVIDIA GB300 NVL72 would break site.grid_limit", "hall area unused",
                  "yard area unused", "budget unused", "water used", "grid energy unused over the year"):
        assert words in text, words


def test_stranded_capacity_figures_carry_units_and_paths():
    plan = run_plan(_inputs())
    stranded = _section(ex.explain(plan), "Stranded capacity")
    for f in stranded.figures:
        assert f.unit, f.label
        assert re.search(r"(site|choices|economics|redundancy)\.", f.note), f.label
    assert _figure([stranded], "hall area unused") == pytest.approx(200 - hall_area(6), abs=1e-6)
    assert _figure([stranded], "budget unused") == pytest.approx(plan.inputs.budget - plan.economics.capex, rel=1e-9)


def test_fixed_design_is_compared_with_the_optimum(tmp_path, capsys):
    design = tmp_path / "design.toml"
    design.write_text('[racks]\ngb300_nvl72 = 4\n[heat_rejection]\n"dry_cooler_1000@liquid" = 2\n')
    code = main([str(TINY), "--design", str(design), "--json", str(tmp_path / "out.json")])
    text = capsys.readouterr().out
    assert code == 0
    assert "Comparison with the optimum" in text
    data = json.loads((tmp_path / "out.json").read_text())
    rows = {r["decision"]: r for r in data["Comparison with the optimum"]["equipment"]}
    assert rows["racks.gb300_nvl72"]["fixed design"]["value"] == 4
    assert rows["racks.gb300_nvl72"]["optimum"]["value"] == 6
    money = {r["figure"]: r for r in data["Comparison with the optimum"]["economics"]}
    assert money["NOI"]["difference"]["value"] < 0
    notes = "\n".join(data["Comparison with the optimum"]["notes"])
    assert "optimum: binding" in notes and "site.grid_limit" in notes


def test_show_units_lists_paths_and_derived_coefficients(capsys):
    code = main([str(TINY), "--show-units", "--no-explain"])
    text = capsys.readouterr().out
    assert code == 0
    for words in ("site.grid_limit", "gb300_nvl72.power_typical", "135 kW", "heat-rejection capacity per module",
                  "electricity per heat", "energy price", "USD/MWh", "MW/MW"):
        assert words in text, words


# --------------------------------------------------------------------------------------
# solver stopped early
# --------------------------------------------------------------------------------------

def test_time_limit_is_never_reported_as_optimal(capsys):
    code = main([str(WASHINGTON), "--days", "12", "--time-limit", "0.01"])
    text = capsys.readouterr().out
    assert code == 4
    assert "time_limit" in text or "no_solution" in text
    assert "status: optimal" not in text


def test_highs_time_limit_with_an_incumbent_maps_to_time_limit():
    """HiGHS kTimeLimit becomes LpStatusOptimal inside PuLP; solve.py reads the model status instead."""
    import highspy

    from planner.solve import _highs_outcome

    class Info:
        primal_solution_status = 2
        objective_function_value = -100.0
        mip_node_count = 5
        mip_dual_bound = -120.0
        mip_gap = 0.2

    class Fake:
        def getModelStatus(self):
            return highspy.HighsModelStatus.kTimeLimit

        def getInfo(self):
            return Info()

        def modelStatusToString(self, status):
            return "Time limit reached"

    class Prob:
        solverModel = Fake()

    status, obj, bound, gap, detail = _highs_outcome(Prob())
    assert status == "time_limit" and obj == 100.0 and bound == 120.0 and gap == 0.2
    Info.primal_solution_status = 0
    assert _highs_outcome(Prob())[0] == "no_solution"


def test_dual_sign_follows_the_solver_that_ran(monkeypatch):
    """HiGHS requested but missing: CBC runs the fixed-integer LP, and its sign convention applies."""
    if cbc_solver() is None:
        pytest.skip("CBC not available")
    plan = run_plan(_inputs(**{"choices.miners": ["s21_pro"]}))
    highs = _figure(ex.explain(plan), "site.grid_limit: marginal value per MW, equipment held fixed")
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    fallback = _figure(ex.explain(plan, solver="highs"), "site.grid_limit: marginal value per MW, equipment held fixed")
    assert fallback == pytest.approx(highs, rel=1e-6)
