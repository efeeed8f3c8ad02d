"""--exact-hours by the cascade: equipment from grouped hours, every distinct hour as an LP.

The reference is the exact-hours MILP solved whole in the test (``strategy="full"``), on a small
site whose year has few distinct hours (one day of the Pasco TMY3 per month, repeated).
"""

from pathlib import Path

import numpy as np
import pytest

from planner.cascade import CASCADE_BIN_K, solve_cascade
from planner.inputs import coarsen, resolve
from planner.load import load_site
from planner.plan import run_plan

ROOT = Path(__file__).resolve().parents[1]
EPW = ROOT / "sites" / "weather" / "USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw"
SITE = ROOT / "tests" / "data" / "cascade.toml"


def write_site(folder: Path, day: int = 15) -> Path:
    """The cascade test site next to a weather file whose every month repeats the TMY3's ``day``-th day."""
    lines = EPW.read_text().splitlines()
    header, data = lines[:8], lines[8:]
    fields = [line.split(",") for line in data]
    model_day = {}
    for f in fields:  # month, day, hour -> the weather of that month's chosen day at that hour
        if int(f[2]) == day:
            model_day[(int(f[1]), int(f[3]))] = f[6:]
    out = [",".join(f[:6] + model_day[(int(f[1]), int(f[3]))]) for f in fields]
    (folder / "cascade_weather.epw").write_text("\n".join(header + out) + "\n")
    text = SITE.read_text().replace('hardware_dir = "../../hardware"', f'hardware_dir = "{(ROOT / "hardware").as_posix()}"')
    site = folder / "cascade.toml"
    site.write_text(text)
    return site


@pytest.fixture(scope="module")
def exact(tmp_path_factory):
    site = write_site(tmp_path_factory.mktemp("cascade"))
    return resolve(load_site(site), bin_k=None)


@pytest.fixture(scope="module")
def full(exact):
    """The exact-hours MILP solved whole: the reference."""
    return run_plan(exact, strategy="full")


def test_the_site_has_few_distinct_hours_and_fewer_groups(exact):
    assert exact.exact_hours
    assert 100 < exact.hours <= 12 * 24
    assert coarsen(exact, CASCADE_BIN_K).hours < exact.hours


def test_coarsened_hours_stand_at_their_worst(exact):
    grouped = coarsen(exact, CASCADE_BIN_K)
    assert grouped.weight.sum() == pytest.approx(exact.weight.sum())
    assert sorted(np.concatenate(grouped.groups).tolist()) == sorted(np.concatenate(exact.groups).tolist())
    for g, hours in enumerate(grouped.groups):
        members = [t for t, grp in enumerate(exact.groups) if np.isin(grp, hours).any()]
        assert len({float(exact.energy_price[t]) for t in members}) == 1
        for hg, hx in zip(grouped.heat_rejection, exact.heat_rejection):
            assert hg.capacity[g] == min(hx.capacity[t] for t in members)
            assert hg.electricity_per_heat[g] == max(hx.electricity_per_heat[t] for t in members)
        for mg, mx in zip(grouped.miners, exact.miners):
            assert mg.availability[g] == min(mx.availability[t] for t in members)


def test_cascade_reaches_the_exact_milp(exact, full):
    fast = run_plan(exact)
    assert fast.solve.status == full.solve.status == "optimal"
    assert full.solve.scope == ""
    assert fast.solve.scope.startswith("dispatch of every hour")
    assert "not proven optimal for the exact hours" in fast.solve.scope
    assert abs(fast.solve.objective - full.solve.objective) <= 1e-4 * abs(full.solve.objective)
    assert fast.audit.passed and full.audit.passed
    grouped = run_plan(coarsen(exact, CASCADE_BIN_K), strategy="full")  # the exact LP is never below the grouped optimum
    assert fast.solve.objective >= grouped.solve.objective * (1 - 1e-4)


def test_a_short_dispatch_lp_falls_back_to_the_exact_model(exact, full, monkeypatch):
    """An LP below the grouped optimum is not trusted: the exact model is solved within the set."""
    import planner.cascade

    monkeypatch.setattr(planner.cascade, "SHORTFALL", -1.0)  # every LP counts as short
    from planner.model import build_model

    model = build_model(exact)
    result, info = solve_cascade(exact, model, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None)
    assert info.fell_back and "below the grouped optimum" in result.scope
    assert result.scope.startswith("within the technology set")
    assert result.status == "optimal"
    assert abs(result.objective - full.solve.objective) <= 1e-4 * abs(full.solve.objective)


def test_grouped_and_cbc_inputs_are_not_cascaded(exact):
    from planner.model import build_model

    assert solve_cascade(exact, build_model(exact), solver="cbc", time_limit=None, mip_gap=1e-4, fixed=None) is None
    grouped = coarsen(exact, CASCADE_BIN_K)
    assert not grouped.exact_hours
    assert solve_cascade(grouped, build_model(grouped), solver="highs", time_limit=None, mip_gap=1e-4,
                         fixed=None) is None


def test_cascade_with_two_stages_on_the_grouped_hours(exact, full):
    """The grouped hours are grouped again within 4 K for stage 1: the status names the technology set
    chosen on them."""
    hours = coarsen(exact, CASCADE_BIN_K).hours
    coarse = coarsen(coarsen(exact, CASCADE_BIN_K), 4.0).hours
    assert coarse < hours and hours >= 24
    fast = run_plan(exact)
    assert fast.solve.status == "optimal"
    assert f"for the equipment chosen on {hours} groups of hours" in fast.solve.scope
    assert (f"within the technology set chosen on the model's hours grouped within 4 K ({coarse} model hours) with "
            "the fan cube as 2 chords") in " ".join(fast.solve.scope.split())
    assert abs(fast.solve.objective - full.solve.objective) <= 1e-4 * abs(full.solve.objective)
    assert fast.audit.passed


def test_the_dispatch_lp_serves_as_the_fixed_integer_lp(exact):
    """The cascade's LP is the fixed-integer LP: the explanation reads its duals instead of solving it again,
    and they are those of a re-solve."""
    from planner.model import build_model
    from planner.solve import solve_fixed_lp

    model = build_model(exact)
    result, _ = solve_cascade(exact, model, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None)
    assert result.scope.startswith("dispatch of every hour")
    kept = solve_fixed_lp(model)
    assert kept is model.fixed_lp and kept.status == "optimal"
    rows = list(model.prob.constraints.values())
    duals = np.array([row.pi or 0.0 for row in rows])
    model.fixed_lp = None
    again = solve_fixed_lp(model)  # the LP re-solved on the solver's model
    assert again is not kept and again.objective == pytest.approx(kept.objective, rel=1e-9)
    resolved = np.array([row.pi or 0.0 for row in rows])
    assert np.abs(duals).max() > 0
    # duals of a degenerate LP need not be unique; what the explanation sums (the objective's change per
    # unit of each row's bound, weighted by the bound) must agree: strong duality on both solutions
    rhs = np.array([-row.constant for row in rows])
    assert float(duals @ rhs) == pytest.approx(float(resolved @ rhs), rel=1e-6, abs=1e-6)


def test_the_exact_model_built_for_the_dispatch_lp_has_no_rows_for_what_it_holds_at_none(exact):
    """With no model handed to it, the cascade builds the exact model once it knows the grouped equipment:
    module types and miner models it has none of are held at none and get no hourly decisions or rows, and
    the answer is that of the cascade on the whole exact model."""
    import pulp

    from planner.model import build_model

    whole = build_model(exact)
    on_whole, _ = solve_cascade(exact, whole, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None)
    result, info = solve_cascade(exact, None, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None)
    model = info.model
    assert model is not None and model.inputs is exact and info.build_seconds > 0
    counts = {v.name: round(v.varValue) for v in whole.integer_vars}
    none = [h.key for i, h in enumerate(exact.heat_rejection) if counts[f"n_hr_{i}"] == 0]
    some = [h.key for i, h in enumerate(exact.heat_rejection) if counts[f"n_hr_{i}"] > 0]
    assert none and some
    for key in none:
        assert model.modules[key].upBound == 0
        assert not any(isinstance(q, pulp.LpVariable) for q in model.heat[key])
        assert not any(name.startswith((f"hrcap_{key}_", f"fan_{key}_")) for name in model.prob.constraints)
    for key in some:  # the installed types keep every hour of theirs
        assert any(isinstance(q, pulp.LpVariable) for q in model.heat[key])
    assert model.prob.numConstraints() < whole.prob.numConstraints()
    assert result.status == on_whole.status == "optimal"
    assert result.scope == on_whole.scope
    assert result.objective == pytest.approx(on_whole.objective, rel=1e-9)
    assert {v.name: round(v.varValue) for v in model.integer_vars} == counts


def test_the_fallback_is_solved_on_the_exact_model_within_the_whole_set(exact, full, monkeypatch):
    """Where the dispatch LP is not trusted, the cascade builds the exact model again with only the types
    outside the technology set held at none (miner models free), and solves it within the set."""
    import planner.cascade

    import time

    monkeypatch.setattr(planner.cascade, "SHORTFALL", -1.0)  # every LP counts as short
    real_build = planner.cascade.build_model

    def slow_build(inp, **kw):  # the exact model's builds are the plan's build, not its solve
        if inp is exact:
            time.sleep(0.3)
        return real_build(inp, **kw)

    monkeypatch.setattr(planner.cascade, "build_model", slow_build)
    t0 = time.perf_counter()
    result, info = solve_cascade(exact, None, solver="highs", time_limit=None, mip_gap=1e-4, fixed=None)
    elapsed = time.perf_counter() - t0
    assert info.fell_back and result.status == "optimal"
    assert info.build_seconds >= 0.6  # the LP's model and the fallback's
    assert result.solve_seconds <= elapsed - info.build_seconds + 1e-3
    model = info.model
    for h in exact.heat_rejection:
        assert (model.modules[h.key].upBound == 0) == (h.key not in info.tech.modules)
    assert all(model.lots[m.id].upBound > 0 for m in exact.miners if m.allowed)
    assert abs(result.objective - full.solve.objective) <= 1e-4 * abs(full.solve.objective)


def test_an_exact_plan_is_planned_on_the_model_the_cascade_built(exact):
    plan = run_plan(exact)
    assert plan.solve.scope.startswith("dispatch of every hour")
    assert plan.model.prob.numConstraints() < build_model_rows(exact)
    assert plan.timings["build"] > 0


def build_model_rows(inp) -> int:
    from planner.model import build_model

    return build_model(inp).prob.numConstraints()
