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
