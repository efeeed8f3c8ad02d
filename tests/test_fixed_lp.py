"""The fixed-integer LP for the duals re-solves the solver's own HiGHS model instead of rebuilding it."""

from pathlib import Path

import highspy
import numpy as np
import pulp
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


def _dense(lp):
    """The constraint matrix of a HiGHS LP as a dense array, whichever way HiGHS stores it."""
    a = lp.a_matrix_
    out = np.zeros((lp.num_row_, lp.num_col_))
    start, index, value = list(a.start_), list(a.index_), list(a.value_)
    rowwise = a.format_ == highspy.MatrixFormat.kRowwise
    for outer in range(lp.num_row_ if rowwise else lp.num_col_):
        for k in range(start[outer], start[outer + 1]):
            if rowwise:
                out[outer, index[k]] += value[k]
            else:
                out[index[k], outer] += value[k]
    return out


def _loaded(prob, build):
    solver = pulp.HiGHS(msg=False)
    solver.createAndConfigureSolver(prob)
    build(solver, prob)
    return prob.solverModel.getLp()


def test_the_batched_hand_over_is_the_model_pulp_would_build():
    """planner.solve loads PuLP's problem into HiGHS in batches: the same LP as PuLP's own interface builds."""
    model = run_plan(resolve(load_site(ROOT / "tests" / "data" / "tiny" / "tiny.toml"))).model
    x = model.prob.add_variable("cancelled_x", lowBound=0)  # a row with a term that cancels: no zero entry
    y = model.prob.add_variable("cancelled_y", lowBound=0, upBound=2)
    model.prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression([(x, 1.0), (y, 1.0)]) - x, pulp.LpConstraintLE,
                                               rhs=3.0), "cancelled")
    model.prob.addConstraint(x + y == 1.5, "equal")
    theirs = _loaded(model.prob, lambda solver, prob: pulp.HiGHS.buildSolverModel(solver, prob))
    ours = _loaded(model.prob, lambda solver, prob: solve_mod._load_batched(prob, mip=True))
    for field in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_", "integrality_"):
        assert list(getattr(ours, field)) == list(getattr(theirs, field)), field
    assert np.array_equal(_dense(ours), _dense(theirs))
    assert 0.0 not in list(ours.a_matrix_.value_)
