"""The fast solve strategy: technology set from representative days, the full model within it.

The fast path must reach the proven optimum (the full MILP, ``strategy="full"``, ``plan --prove``)
within 0.01 % on every site here, and say what it proved.
"""

from pathlib import Path

import numpy as np
import pytest

from planner.cli import main
from planner.inputs import coarsen, resolve
from planner.load import load_site
from planner.model import build_model
from planner.plan import run_plan
from planner.strategy import TechnologySet, representative_inputs, restricted

ROOT = Path(__file__).resolve().parents[1]
TINY_TEST = ROOT / "tests" / "data" / "tiny" / "tiny.toml"
SITES = ROOT / "sites"


@pytest.mark.parametrize("site, kw", [
    (TINY_TEST, {"bin_k": 2.0}),
    (SITES / "tiny.toml", {"bin_k": 2.0}),
    (SITES / "washington.toml", {"time_mode": "days", "days": 6}),
    (SITES / "texas.toml", {"time_mode": "days", "days": 6}),
    (SITES / "washington.toml", {"bin_k": 2.0}),
])
def test_fast_path_reaches_the_proven_optimum(site, kw):
    inp = resolve(load_site(site), **kw)
    fast = run_plan(inp)
    full = run_plan(inp, strategy="full")
    assert fast.solve.status == full.solve.status == "optimal"
    assert full.solve.scope == ""
    assert abs(fast.solve.objective - full.solve.objective) <= 1e-4 * abs(full.solve.objective)
    assert fast.audit.passed and full.audit.passed
    if not inp.full_year and inp.hours > 24 * 5:  # days enough for two stages: the status says what was proven
        assert fast.solve.scope.startswith("within the technology set chosen on 4 representative days with the fan "
                                           "cube as 2 chords and by their LP relaxation")
        assert "stage 1 (technology set)" in fast.timings
    if inp.full_year and inp.hours >= 24:  # the year's hours grouped coarser for stage 1
        coarse = coarsen(inp, 4.0).hours
        assert coarse < inp.hours and fast.solve.scope.startswith(
            f"within the technology set chosen on the model's hours grouped within 4 K ({coarse} model hours) with "
            "the fan cube as 2 chords and by their LP relaxation")
        assert "stage 1 (technology set)" in fast.timings
    elif inp.hours <= 24 * 5:  # too small for two stages: solved whole, and the status claims no set
        assert fast.solve.scope == ""


def test_the_lp_relaxation_names_its_contenders_and_leaves_the_problem_as_it_was():
    """relaxation() solves the LP with every integer continuous in a HiGHS model of its own, writing nothing
    back to the problem; contenders() takes the module types used >= LP_CONTENDER."""
    from planner.model import build_model
    from planner.solve import relaxation
    from planner.strategy import LP_CONTENDER, contenders

    inp = resolve(load_site(SITES / "washington.toml"), time_mode="days", days=4)
    model = build_model(inp)
    relaxed = relaxation(model)
    assert getattr(model.prob, "solverModel", None) is None
    assert all(v.varValue is None for v in model.prob.variables())
    assert set(relaxed) == {v.name for v in model.integer_vars}
    assert any(0.01 < relaxed[v.name] < 0.99 for v in model.module_used.values())  # fractional: a relaxation
    # the relaxation holds the integer rows: N+1 CDUs carry the racks' liquid heat at design power
    cdus = sum(relaxed[model.cdus[c.id].name] * c.capacity for c in inp.cdus)
    units = {r.id: relaxed[model.units[r.id].name] for r in inp.racks}
    assert cdus >= sum(units[r.id] * r.su_liquid[1] for r in inp.racks) - 1e-6

    assert relaxation(model, time_limit=0.0) is None  # no optimum within the time given: no contenders

    keys = list(model.module_used)
    fake = {model.module_used[keys[0]].name: LP_CONTENDER, model.module_used[keys[1]].name: LP_CONTENDER - 0.01,
            model.module_used[keys[2]].name: 0.9}
    assert contenders(model, fake).modules == [keys[0], keys[2]]
    assert contenders(model, fake).racks == []
    assert contenders(model, None).modules == []


def test_representative_inputs_of_a_full_year():
    inp = resolve(load_site(SITES / "washington.toml"), bin_k=2.0)
    small = representative_inputs(inp, 4)
    assert small.hours == 96 and not small.full_year
    assert small.weight.sum() == pytest.approx(8760)
    group_of = {int(h): g for g, hours in enumerate(inp.groups) for h in hours}
    for t, hours in enumerate(small.groups):
        g = group_of[int(hours[0])]  # each hour at the coefficients of its group in the full model
        for h_small, h_full in zip(small.heat_rejection, inp.heat_rejection):
            assert h_small.capacity[t] == h_full.capacity[g]
            assert h_small.electricity_per_heat[t] == h_full.electricity_per_heat[g]
        for m_small, m_full in zip(small.miners, inp.miners):
            assert m_small.availability[t] == m_full.availability[g]
        assert small.energy_price[t] == inp.energy_price[g]
    assert small.grid_limit == inp.grid_limit


def test_representative_inputs_of_representative_days():
    inp = resolve(load_site(SITES / "washington.toml"), time_mode="days", days=6)
    small = representative_inputs(inp, 4)
    assert small.hours == 96
    assert small.weight.sum() == pytest.approx(inp.weight.sum())
    hot = int(np.argmax(inp.dry_bulb))
    assert inp.labels[hot] in small.labels  # the hottest day is kept
    assert representative_inputs(resolve(load_site(SITES / "washington.toml"), time_mode="days", days=4), 4) is None


def test_restriction_is_undone_after_the_solve():
    inp = resolve(load_site(SITES / "washington.toml"), time_mode="days", days=4)
    model = build_model(inp)
    bounds = {v.name: (v.lowBound, v.upBound) for v in model.prob.variables()}
    tech = TechnologySet(modules=[next(iter(model.modules))], racks=[next(iter(model.units))])
    with restricted(model, tech):
        held = [k for k, v in model.module_used.items() if v.upBound == 0]
        assert len(held) == len(model.module_used) - 1
    assert {v.name: (v.lowBound, v.upBound) for v in model.prob.variables()} == bounds


def test_cbc_and_small_models_are_solved_whole():
    inp = resolve(load_site(TINY_TEST), bin_k=2.0)
    assert run_plan(inp).solve.scope == ""
    assert run_plan(inp, solver="cbc").solve.scope == ""
    with pytest.raises(ValueError, match="unknown strategy"):
        run_plan(inp, strategy="quick")


def test_prove_option_solves_the_full_milp(capsys, monkeypatch):
    import planner.runner

    seen = []

    def spy(*args, **kw):
        seen.append(kw.get("strategy"))
        return run_plan(*args, **kw)

    monkeypatch.setattr(planner.runner, "run_plan", spy)
    assert main([str(TINY_TEST), "--no-replan", "--no-explain", "--prove"]) == 0
    assert main([str(TINY_TEST), "--no-replan", "--no-explain"]) == 0
    assert seen == ["full", "fast"]
    capsys.readouterr()
    code = main([str(SITES / "washington.toml"), "--days", "6", "--no-replan", "--no-explain"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "proven: optimal within the technology set chosen on 4 representative days" in out
    assert "best bound (within that set)" in out


def test_an_unfinished_stage_one_chooses_nothing(monkeypatch):
    """Stage 1 stopped at the time limit: its technology set proves nothing, the full MILP is solved."""
    import dataclasses

    import planner.solve

    real = planner.solve.solve
    calls = []

    def first_stops(model, *args, **kw):
        result = real(model, *args, **kw)
        calls.append(model.inputs.hours)
        if len(calls) == 1:
            return dataclasses.replace(result, status="time_limit")
        return result

    monkeypatch.setattr(planner.solve, "solve", first_stops)
    inp = resolve(load_site(SITES / "texas.toml"), time_mode="days", days=6)
    plan = run_plan(inp)
    assert calls == [96]  # stage 1 only: no restricted solve; run_plan then solved the full MILP
    assert plan.solve.scope == "" and plan.solve.status == "optimal"


@pytest.fixture(scope="module")
def texas_days_plan():
    return run_plan(resolve(load_site(SITES / "texas.toml"), time_mode="days", days=6))


def test_replans_keep_the_base_plans_technology_set_open(texas_days_plan):
    """A limit raised never makes the fast re-plan worse than the base plan (beyond the solver's gap)."""
    from planner.explain import replan_values

    values = replan_values(texas_days_plan, {"site.grid_limit", "economics.capex_budget"})
    assert [v.path for v in values] == ["site.grid_limit", "economics.capex_budget"]
    for v in values:
        assert v.status == "optimal"
        assert v.value >= -1e-4 * abs(v.base)


def test_replans_side_by_side_are_the_replans_one_after_another(texas_days_plan, monkeypatch):
    """Re-plans in two worker processes give each limit the same re-plan as one after another, in order."""
    import planner.explain.replan as replan
    from planner.explain import replan_values

    import planner.studies.executors as executors

    monkeypatch.setattr(replan, "POOL_AFTER_SECONDS", 0.0)
    used = []
    real = executors.iter_tasks
    monkeypatch.setattr(executors, "iter_tasks", lambda fn, tasks, **kw: used.append(kw["executor"]) or real(fn, tasks, **kw))
    paths = {"site.grid_limit", "economics.capex_budget", "site.hall_area"}
    serial = replan_values(texas_days_plan, paths, workers=1)
    pooled = replan_values(texas_days_plan, paths, workers=2)
    assert [v.path for v in pooled] == ["site.grid_limit", "site.hall_area", "economics.capex_budget"]
    assert [(v.path, v.status, v.racks_before, v.racks_after) for v in pooled] == \
        [(v.path, v.status, v.racks_before, v.racks_after) for v in serial]
    for a, b in zip(serial, pooled):
        assert b.raised == pytest.approx(a.raised, rel=1e-9)
        assert b.base == a.base
    assert used == ["serial", "process"]


def test_a_quick_base_plan_is_re_planned_in_process(texas_days_plan, monkeypatch):
    """Below POOL_AFTER_SECONDS of base solve, starting workers would cost more than the re-plans."""
    import planner.explain.replan as replan
    import planner.studies.executors as executors

    monkeypatch.setattr(replan, "POOL_AFTER_SECONDS", texas_days_plan.solve.solve_seconds + 1.0)
    used = []
    real = executors.iter_tasks
    monkeypatch.setattr(executors, "iter_tasks", lambda fn, tasks, **kw: used.append(kw["executor"]) or real(fn, tasks, **kw))
    values = replan.replan_values(texas_days_plan, {"site.grid_limit", "site.hall_area"}, workers=2)
    assert used == ["serial"] and all(v.status == "optimal" for v in values)


def test_a_re_plan_whose_worker_died_is_reported_without_a_value(texas_days_plan, monkeypatch):
    """A worker lost on every retry costs its re-plans their values, not the plan's report."""
    import planner.explain.replan as replan
    import planner.studies.executors as executors

    def first_then_lost(fn, tasks, **kw):
        yield 0, fn(tasks[0])
        raise executors.WorkerLost("a worker process died 3 times")

    monkeypatch.setattr(executors, "iter_tasks", first_then_lost)
    values = replan.replan_values(texas_days_plan, {"site.grid_limit", "economics.capex_budget"}, workers=2)
    assert [v.path for v in values] == ["site.grid_limit", "economics.capex_budget"]
    assert values[0].status == "optimal" and values[0].value is not None
    assert values[1].status == "worker_lost" and values[1].value is None and values[1].racks_after is None
    section = replan.replan_section(values, "NOI less annualised capex")
    assert "re-plan ended with status 'worker_lost'" in section.figures[1].note


def test_plan_refuses_no_workers(capsys):
    assert main([str(TINY_TEST), "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_compare_and_sweep_pass_the_strategy_on(monkeypatch):
    import planner.plan
    from planner.studies import compare, sweep

    seen = []
    real = planner.plan.run_plan

    def spy(*args, **kw):
        seen.append(kw.get("strategy"))
        return real(*args, **kw)

    monkeypatch.setattr(planner.plan, "run_plan", spy)
    inp = resolve(load_site(SITES / "tiny.toml"), bin_k=2.0)
    compare.compare_layouts(inp, [compare.free_layout()], strategy="full")
    assert seen == ["full"]
    sweep.sweep(SITES / "tiny.toml", ["site.grid_limit='2 MW','3 MW'"], executor="serial", strategy="full")
    assert seen == ["full", "full", "full"]
    sweep.sweep(SITES / "tiny.toml", ["site.grid_limit='2 MW'"], executor="serial")
    assert seen[-1] == "fast"


BIG = {"site.grid_limit": "180 MW", "site.hall_area": "600000 ft^2", "site.yard_area": "80000 m^2",
       "economics.capex_budget": "6000 MUSD"}  # washington ten times over


@pytest.mark.parametrize("site, overrides, layout", [
    (SITES / "washington.toml", BIG, None),
    (SITES / "washington.toml", None, "adiabatic dry coolers"),  # a near tie the 4-day set alone settled wrongly
    (SITES / "washington.toml", None, "dry coolers only"),  # air-loop economisers near-tied: towers or adiabatic
    *[(SITES / "texas.toml", None, name) for name, _ in __import__("planner.studies.compare").studies.compare.BUILTIN_LAYOUTS],
])
def test_fast_path_on_a_large_site_and_every_built_in_layout(site, overrides, layout):
    """The 0.01 % of the fast path holds on a 180 MW site and within each built-in compare layout."""
    from planner.studies.compare import builtin_layouts, restrict

    inp = resolve(load_site(site, overrides=overrides), time_mode="days", days=6)
    if layout is not None:
        (spec,) = [s for s in builtin_layouts(inp) if s.name == layout]
        inp = restrict(inp, spec)
    fast = run_plan(inp)
    full = run_plan(inp, strategy="full")
    assert fast.solve.status == full.solve.status == "optimal"
    assert fast.solve.scope.startswith("within the technology set")
    assert abs(fast.solve.objective - full.solve.objective) <= 1e-4 * abs(full.solve.objective)
    assert fast.audit.passed and full.audit.passed


def test_an_interrupt_while_highs_runs_cancels_the_solve():
    """The relaxation and every solve run HiGHS in its solver thread (solve._run_interruptibly): an exception
    raised while the calling thread waits (a signal handler's, here raised at the first wait) stops HiGHS and
    propagates."""
    import highspy

    from planner.model import build_model
    from planner.solve import _load_batched, _run_interruptibly, _variables_listed_once

    model = build_model(resolve(load_site(SITES / "washington.toml"), bin_k=2.0))
    h = model.prob.solverModel = highspy.Highs()
    h.setOptionValue("output_flag", False)
    with _variables_listed_once(model.prob):
        _load_batched(model.prob, mip=True)

    def interrupt():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run_interruptibly(h, interrupt)
    h.wait(30.0)  # on a loaded machine HiGHS may reach its next interrupt check after the half second allowed
    assert h.getModelStatus() == highspy.HighsModelStatus.kInterrupt


@pytest.mark.parametrize("strategy", ["full", "fast"])
def test_the_build_is_neither_solve_time_nor_taken_off_the_time_limit(strategy, monkeypatch):
    """The model's build is reported as the build: the solver is given the whole time limit (less only a fast
    path that gave no answer, here none to speak of) and its solve time leaves the build out."""
    import time

    import planner.plan as plan_mod

    real_build, real_solve = plan_mod.build_model, plan_mod.solve
    limits = []

    def slow_build(*args, **kw):
        time.sleep(0.5)
        return real_build(*args, **kw)

    def spy(model, **kw):
        limits.append(kw.get("time_limit"))
        return real_solve(model, **kw)

    monkeypatch.setattr(plan_mod, "build_model", slow_build)
    monkeypatch.setattr(plan_mod, "solve", spy)
    inp = resolve(load_site(SITES / "tiny.toml"), time_mode="days", days=4)  # too small for the fast path's stages
    plan = run_plan(inp, strategy=strategy, time_limit=30.0)
    assert plan.solve.status == "optimal"
    assert len(limits) == 1 and limits[0] == pytest.approx(30.0, abs=0.2)
    assert plan.timings["build"] >= 0.5
    assert plan.timings["solve"] < 0.5


def test_report_says_what_its_mining_curtailment_and_re_plan_figures_count(texas_days_plan):
    """The miners' 'grid or peak' curtailment counts the hours held at the month's peak as well as at the limit,
    and a re-planned value is the optimiser's objective on model hours, not the audited year's."""
    from planner.explain.replan import ReplanValue, replan_section
    from planner.report.figures import build_sections
    from planner.results import build_results

    results = build_results(texas_days_plan)
    assert results.design.miners  # texas keeps some mining
    mining = next(s for s in build_sections(results) if s.title == "Residual mining")
    assert [c[0] for c in mining.tables[0].columns][8] == "curtailed: grid or peak"
    assert any("at the month's peak draw" in line for line in mining.lines)
    value = ReplanValue("site.grid_limit", 1.0, "MW", "1 MW", 6768.0, 6949.0, "optimal", 104, 104)
    note = replan_section([value], "NOI less annualised capex").figures[0].note
    assert note.startswith("NOI less annualised capex as the optimiser sees it (model hours, before the audit): "
                           "6.768 -> 6.949 MUSD/yr")
    # a re-plan that gains nothing but the solvers' rounding reads 0, not 1.8e-15 MUSD/yr
    assert ReplanValue("economics.capex_budget", 10.0, "MUSD", "10 MUSD", 6129.573, 6129.573 + 1.8e-12, "optimal",
                       104, 104).value == 0.0
    assert ReplanValue("economics.capex_budget", 10.0, "MUSD", "10 MUSD", 6129.573, 6129.583, "optimal",
                       104, 104).value == pytest.approx(0.01)


def test_next_unit_step_raises_each_limit_the_unit_breaks_by_its_whole_need(texas_days_plan, monkeypatch):
    """The joint step names every limit the next scalable unit of the plan's rack type breaks, each raised by the
    unit's need rounded up (0.1 MW, 1 MUSD); none where one limit's own step covers it or a limit no re-plan raises."""
    import planner.explain.duals as duals
    from planner.explain.replan import next_unit_step

    plan = texas_days_plan
    rack = next(r for r in plan.inputs.racks if plan.design.racks[r.id] > 0)
    step = next_unit_step(plan)
    assert step is not None and step.racks == rack.su_racks
    (_, short, need), = [item for item in duals._next_rack(plan) if item[0].id == rack.id]
    assert [p for p, _, _, _ in step.raises] == [p for p, _ in short]
    for path, _, amount, unit in step.raises:
        grain = {"MW": 0.1, "USD": 1e6}[unit]
        assert need[path] <= amount < need[path] + grain + 1e-9
        assert amount / grain == pytest.approx(round(amount / grain), abs=1e-9)
    # the grid need is more than is left under the envelope at its peak hour, so the unit does not fit as planned
    left = plan.inputs.operating_limit - float(plan.operation.envelope.max())
    assert need["site.grid_limit"] > left

    def only(short, need):
        monkeypatch.setattr(duals, "_next_rack", lambda p: [(rack, short, need)])
        return next_unit_step(plan)

    assert only([("site.grid_limit", "")], {"site.grid_limit": 0.8}) is None  # the 1 MW re-plan covers it
    alone = only([("site.grid_limit", "")], {"site.grid_limit": 1.34})
    assert [(p, a) for p, _, a, _ in alone.raises] == [("site.grid_limit", 1.4)] and alone.words == "1.4 MW"
    assert only([("site.grid_limit", ""), ("limits.max_racks", "")], {"site.grid_limit": 1.34}) is None
    assert only([], {}) is None


def test_the_joint_re_plan_runs_only_where_no_limit_alone_made_room(texas_days_plan):
    """With a hall step that buys nothing, the joint re-plan runs last and makes room for exactly one more unit;
    where a limit raised alone bought the unit, it is not run."""
    from planner.explain.replan import NextUnitStep, replan_values

    plan = texas_days_plan
    before = int(sum(plan.design.racks.values()))
    step = NextUnitStep("scalable unit", 8, (("site.grid_limit", "grid_limit", 1.4, "MW"),
                                             ("economics.capex_budget", "budget", 43e6, "USD")))
    values = replan_values(plan, {"site.hall_area"}, joint=step)
    assert [v.path for v in values] == ["site.hall_area", "site.grid_limit + economics.capex_budget"]
    hall, joint = values
    assert hall.racks_after == before and not hall.joint
    assert joint.joint and joint.status == "optimal" and joint.racks_after == before + 8
    assert joint.value == pytest.approx(joint.raised - plan.solve.objective) and joint.value > 0
    assert joint.raises == (("site.grid_limit", 1.4, "MW"), ("economics.capex_budget", 43e6, "USD"))
    generous = NextUnitStep("scalable unit", 8, (("site.grid_limit", "grid_limit", 5.0, "MW"),))
    values = replan_values(plan, {"site.grid_limit"}, joint=generous)
    if values[0].racks_after >= before + 8:  # the 1 MW step alone made room
        assert [v.path for v in values] == ["site.grid_limit"]


def test_a_joint_value_is_reported_per_mw_and_kept_apart_from_single_limits():
    from planner.explain.replan import ReplanValue, replan_section
    from planner.results import binding_limits, next_unit_value

    single = ReplanValue("site.grid_limit", 1.0, "MW", "1 MW", 6768.0, 6949.0, "optimal", 104, 104)
    joint = ReplanValue("site.grid_limit + economics.capex_budget", 1.4, "MW", "1.4 MW and 45 MUSD", 6768.0, 7332.0,
                        "optimal", 104, 112, (("site.grid_limit", 1.4, "MW"), ("economics.capex_budget", 45e6, "USD")),
                        "scalable unit of 8 racks")
    section = replan_section([single, joint], "NOI less annualised capex")
    figure = section.figures[1]
    assert figure.value == pytest.approx((7332.0 - 6768.0) / 1e3)
    assert f"{(7332.0 - 6768.0) / 1e3 / 1.4:.3g} MUSD/yr per MW of grid" in figure.note  # 0.403
    assert "room for one more scalable unit of 8 racks" in figure.label
    assert [lim.path for lim in binding_limits({}, [single, joint])] == ["site.grid_limit"]
    result = next_unit_value([single, joint])
    assert [(r.path, r.step.value, r.step.unit) for r in result.raised] == [
        ("site.grid_limit", 1.4, "MW"), ("economics.capex_budget", 45.0, "MUSD")]
    assert result.value_of_step.value == pytest.approx(0.564) and result.racks_after == 112
    assert next_unit_value([single]) is None


def test_the_noi_section_signs_annualised_capex_as_a_cost(texas_days_plan):
    """Read top to bottom, the NOI section adds up: NOI plus the (negative) annualised capex is the line under it."""
    from planner.report.figures import build_sections
    from planner.results import build_results

    results = build_results(texas_days_plan)
    figures = {f.label: f.value for f in next(s for s in build_sections(results) if s.title == "Net operating income").figures}
    assert figures["annualised capex"] == pytest.approx(-texas_days_plan.economics.annualised_capex / 1e6)
    assert figures["annualised capex"] < 0
    assert figures["NOI"] + figures["annualised capex"] == pytest.approx(figures["NOI less annualised capex"])
    assert results.noi.annualised_capex.value > 0  # plan.json keeps the amount, as its schema says


def test_every_economiser_of_a_loop_joins_the_set_where_it_has_one():
    """Washington's air loop supplies 20 degC water, below its 37.5 degC design dry bulb and 22.3 degC design
    evaporation wet bulb: its dry and adiabatic coolers and its towers carry nothing at the design condition, only
    in cooler hours. Its chillers and every liquid-loop module (41 degC, above the design dry bulb) carry heat then."""
    from planner.strategy import TechnologySet, economiser_alternatives

    inp = resolve(load_site(SITES / "washington.toml"), time_mode="days", days=2)
    with_one = economiser_alternatives(inp, TechnologySet(["adiabatic_cooler_1000@air", "dry_cooler_1000@liquid"], []))
    assert sorted(with_one.modules) == ["adiabatic_cooler_1000@air", "cooling_tower_2000@air", "dry_cooler_1000@air"]
    assert economiser_alternatives(inp, TechnologySet(["water_cooled_chiller_2000@air",
                                                       "dry_cooler_1000@liquid"], [])).modules == []
