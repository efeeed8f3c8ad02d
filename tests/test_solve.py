"""Solver choice: HiGHS by default, CBC on request or as the fallback, honest statuses."""

from pathlib import Path

import pulp
import pytest

from planner.cli import main
from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

TINY = Path(__file__).parent / "data" / "tiny" / "tiny.toml"


def _inputs():
    return resolve(load_site(TINY), bin_k=2.0)


def test_cbc_finds_the_same_plan_as_highs():
    highs = run_plan(_inputs(), solver="highs")
    cbc = run_plan(_inputs(), solver="cbc")
    assert highs.solve.solver == "highs" and cbc.solve.solver == "cbc"
    assert highs.solve.status == cbc.solve.status == "optimal"
    assert highs.design.racks == cbc.design.racks
    assert abs(highs.solve.objective - cbc.solve.objective) <= 1e-3 * abs(highs.solve.objective)


def test_cbc_is_the_fallback_when_highs_is_missing(monkeypatch):
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    plan = run_plan(_inputs(), solver="highs")
    assert plan.solve.solver == "cbc"
    assert "CBC used instead" in plan.solve.detail
    assert plan.design.racks["gb300_nvl72"] == 6


def test_unknown_solver_is_an_input_error(capsys):
    code = main([str(TINY), "--solver", "gurobi"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown solver" in err and "Traceback" not in err



def test_cbc_solver_raises_no_deprecation_warning():
    import warnings

    from planner.solve import cbc_solver

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        solver = cbc_solver(msg=False)
    assert solver is not None and solver.available()


def test_cbc_runs_through_coin_cmd_without_pulp_cbc_cmd(monkeypatch):
    """As with PuLP 4: no PULP_CBC_CMD, CBC through COIN_CMD (here pointed at the CBC binary found now)."""
    from planner.solve import cbc_solver

    binary = cbc_solver(msg=False).path

    class Coin(pulp.COIN_CMD):
        def __init__(self, **options):
            super().__init__(path=binary, **options)

    monkeypatch.setattr(pulp, "COIN_CMD", Coin)
    monkeypatch.delattr(pulp, "PULP_CBC_CMD", raising=False)
    assert isinstance(cbc_solver(msg=False), Coin)
    plan = run_plan(_inputs(), solver="cbc")
    assert plan.solve.solver == "cbc" and plan.solve.status == "optimal"
    assert plan.design.racks == run_plan(_inputs(), solver="highs").design.racks


def test_the_columns_handed_to_highs_are_the_problems_variables():
    """The solve lists the columns without PuLP's scan of every row: the same variables in the same order,
    on the plan's model (with the valid-inequality rows) and on a timeline's linked periods."""
    from planner.model import build_model
    from planner.model import variables_of
    from planner.timeline.model import build_timeline_model
    from planner.timeline.periods import timeline_inputs

    toy = Path(__file__).parent / "data" / "tiny" / "timeline.toml"
    loaded = load_site(toy, overrides={"timeline.fleet": [{"miner": "s21_xp", "units": 180}]})
    days = resolve(load_site(TINY), time_mode="days", days=3)  # hours enough for the listing to mean something
    for prob in (build_model(days).prob, build_timeline_model(timeline_inputs(loaded, resolve(loaded))).prob):
        listed = [v.name for v in variables_of(prob)]
        assert listed == [v.name for v in prob.variables()]
        assert len(listed) > 50


@pytest.mark.parametrize("collector_on", [True, False])
def test_a_build_leaves_the_garbage_collector_as_it_found_it(collector_on):
    """build_model pauses Python's garbage collector while it builds, and restores its state, also on an error."""
    import gc

    from planner.model import build_model, gc_paused

    was = gc.isenabled()
    try:
        (gc.enable if collector_on else gc.disable)()
        build_model(resolve(load_site(TINY), bin_k=2.0))
        assert gc.isenabled() is collector_on
        with pytest.raises(ZeroDivisionError):
            with gc_paused():
                assert not gc.isenabled()
                1 / 0
        assert gc.isenabled() is collector_on
    finally:
        (gc.enable if was else gc.disable)()
