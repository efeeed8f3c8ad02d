"""The fixed-integer LP for the duals re-solves the solver's own HiGHS model instead of rebuilding it."""

from pathlib import Path

import highspy
import numpy as np
import pytest

from planner import solve as solve_mod
from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

ROOT = Path(__file__).resolve().parents[1]


def _state(model):
    cons = model.prob._constraints  # name -> constraint, without PuLP's deprecation warning
    return ({n: (c.pi, c.slack) for n, c in cons.items()}, {v.name: v.varValue for v in model.prob.variables()})


@pytest.mark.parametrize("site, kw", [
    (ROOT / "tests" / "data" / "tiny" / "tiny.toml", {}),
    (ROOT / "sites" / "washington.toml", {"time_mode": "days", "days": 6}),  # solved in two stages
])
def test_in_place_lp_equals_the_rebuilt_lp(site, kw, monkeypatch):
    plan = run_plan(resolve(load_site(site), **kw))
    model = plan.model
    h = model.prob.solverModel
    lp = h.getLp()
    lower, upper, integrality = np.array(lp.col_lower_), np.array(lp.col_upper_), list(lp.integrality_)

    in_place = solve_mod.solve_fixed_lp(model)
    assert model.prob.solverModel is h  # nothing rebuilt
    duals, values = _state(model)
    after = h.getLp()  # bounds and integrality restored for the MILP
    assert np.array_equal(np.array(after.col_lower_), lower) and np.array_equal(np.array(after.col_upper_), upper)
    assert list(after.integrality_) == integrality

    monkeypatch.setattr(solve_mod, "_fixed_lp_in_place", lambda m: None)
    rebuilt = solve_mod.solve_fixed_lp(model)
    assert model.prob.solverModel is not h
    duals2, values2 = _state(model)
    assert in_place.status == rebuilt.status == "optimal"
    assert in_place.objective == pytest.approx(rebuilt.objective, rel=1e-12)
    assert in_place.objective == pytest.approx(plan.solve.objective, rel=1e-9)
    for name, (pi, slack) in duals.items():
        assert pi == pytest.approx(duals2[name][0], abs=1e-9), name
        assert slack == pytest.approx(duals2[name][1], abs=1e-7), name
    for name, v in values.items():
        assert v == pytest.approx(values2[name], abs=1e-7), name


def test_a_model_cbc_solved_is_rebuilt():
    plan = run_plan(resolve(load_site(ROOT / "tests" / "data" / "tiny" / "tiny.toml")), solver="cbc")
    assert not isinstance(getattr(plan.model.prob, "solverModel", None), highspy.Highs)
    assert solve_mod._fixed_lp_in_place(plan.model) is None
    assert solve_mod.solve_fixed_lp(plan.model).status == "optimal"
