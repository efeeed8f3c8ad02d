"""Progress lines: each step in words on standard error, only when it is a terminal and not --quiet."""

from pathlib import Path

from planner.cli import _progress, main
from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan

TINY = Path(__file__).parent.parent / "sites" / "tiny.toml"


def test_run_plan_reports_each_step():
    told = []
    plan = run_plan(resolve(load_site(TINY), time_mode="days", days=4), progress=told.append)
    assert plan.solve.status == "optimal"
    assert told[0].startswith("building the model") and told[1].startswith("solving:")
    assert any(t.startswith("solved in") and "objective" in t and "bound" in t for t in told)
    assert told[-1].startswith("audited in")


def test_no_progress_when_not_a_terminal_or_quiet(capsys):
    assert main([str(TINY), "--days", "4", "--no-replan", "--no-explain"]) == 0
    assert "building the model" not in capsys.readouterr().err
    assert main([str(TINY), "--days", "4", "--no-replan", "--no-explain", "--quiet"]) == 0


def test_progress_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    say = _progress(False)
    say("solving")
    assert "solving" in capsys.readouterr().err
    assert _progress(True)("x") is None


def test_solver_reports_incumbents_as_it_improves():
    """HiGHS's improving-solution callback reaches the caller; the last incumbent is the plan's objective."""
    import pulp

    from planner.model import build_model
    from planner.solve import solve

    model = build_model(resolve(load_site(TINY), time_mode="days", days=4))
    reports = []
    result = solve(model, on_progress=reports.append)
    incumbents = [r for r in reports if r.kind == "incumbent"]
    assert incumbents and result.incumbents == incumbents
    final = pulp.value(model.prob.objective)  # from the solved variables, the constant HiGHS never sees included
    gap = model.prob.solverModel.getInfo().mip_gap
    assert abs(incumbents[-1].objective - final) <= max(gap, 1e-9) * abs(final) + 1e-6
    assert f"{final / 1e3:.4f} MUSD/yr" in incumbents[-1].text()


def test_bound_reports_are_throttled_and_in_plan_terms():
    """A tighter bound is reported at most every BOUND_REPORT_SECONDS of solver time, in the plan's sense."""
    from types import SimpleNamespace

    from planner.solver_progress import BOUND_REPORT_SECONDS, ProgressWatcher

    told = []
    w = ProgressWatcher(None, sign=-1.0, constant=100.0, on_progress=told.append)

    def tick(dual, t):
        w._interrupt(SimpleNamespace(data_out=SimpleNamespace(
            mip_dual_bound=dual, mip_primal_bound=-50.0, mip_gap=0.5, running_time=t)))

    tick(-90.0, 0.0)
    tick(-80.0, BOUND_REPORT_SECONDS / 2)  # tighter, too soon
    tick(-80.0, BOUND_REPORT_SECONDS * 2)  # tighter than the last reported, in time
    tick(-80.0, BOUND_REPORT_SECONDS * 4)  # no tighter
    tick(-70.0, BOUND_REPORT_SECONDS * 6)
    w.drain()
    # the plan's objective is -1 * HiGHS's + 100
    assert [(r.bound, r.objective) for r in told] == [(190.0, 150.0), (180.0, 150.0), (170.0, 150.0)]
    assert w.incumbents == []


def test_no_callbacks_degrades_with_a_note():
    from planner.solver_progress import ProgressWatcher

    w = ProgressWatcher(object(), sign=-1.0, constant=0.0)
    assert w.attach() is False and "no MIP callbacks" in w.note
    w.detach()  # nothing to unsubscribe


def test_live_progress_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert main([str(TINY), "--days", "4", "--no-replan", "--no-explain"]) == 0
    err = capsys.readouterr().err
    assert "new incumbent at" in err and "MUSD/yr" in err
    assert main([str(TINY), "--days", "4", "--no-replan", "--no-explain", "--quiet"]) == 0
    assert "new incumbent" not in capsys.readouterr().err
