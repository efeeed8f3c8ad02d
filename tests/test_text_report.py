"""The terminal report renders the results model, as the report files do: same numbers, and only those."""

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from planner.inputs import resolve
from planner.load import load_site
from planner.plan import run_plan
from planner.report.figures import audit_section, build_sections, solver_section
from planner.report.render import fmt, render_text
from planner.results import build_results, q

TINY = Path(__file__).parent / "data" / "tiny" / "tiny.toml"


@pytest.fixture(scope="module")
def tiny():
    loaded = load_site(TINY)
    plan = run_plan(resolve(loaded, time_mode="days", days=4))
    return plan, build_results(plan, loaded)


def _text(results) -> str:
    buf = io.StringIO()
    sections = build_sections(results) + [audit_section(results), solver_section(results.solver)]
    render_text(sections, Console(file=buf, width=200, color_system=None, soft_wrap=True))
    return buf.getvalue()


def _figure(text: str, label: str) -> str:
    match = re.search(rf"^  {re.escape(label)}: (.+?)(?:  \(|$)", text, re.M)
    assert match, label
    return match.group(1).strip()


def test_key_figures_are_the_results_models(tiny):
    plan, res = tiny
    text = _text(res)
    rack = plan.inputs.racks[0]
    count = plan.design.racks[rack.id]
    assert res.design.racks[0].count == count and count > 0
    assert re.search(rf"^{re.escape(rack.name)}\s+{count // rack.su_racks}\s+{count}\s", text, re.M)
    # derived here from the design and the operation, not read from the report
    assert _figure(text, "GPUs") == fmt(count * rack.gpus, "GPU") == fmt(res.design.gpus, "GPU")
    op = plan.operation
    pue = (op.grid_draw.sum() - (op.mining_share.sum() if op.mining_share is not None else 0.0)) / (
        op.it_typical * len(op.grid_draw))
    assert _figure(text, "PUE, annual") == fmt(res.annual.pue.value) == fmt(pue)
    assert _figure(text, "NOI") == fmt(res.noi.noi.value, "MUSD/yr") == fmt(plan.economics.noi / 1e6, "MUSD/yr")


def test_changing_the_model_changes_the_text(tiny):
    _, res = tiny
    changed = res.model_copy(deep=True)
    changed.design.gpus = 12345
    changed.design.racks[0].count = 987
    changed.annual.pue = q(1.2345, "")
    changed.noi.noi = q(-7.77, "MUSD/yr")
    text = _text(changed)
    assert _figure(text, "GPUs") == "12,345 GPU"
    assert _figure(text, "PUE, annual") == "1.23"
    assert _figure(text, "NOI") == "-7.77 MUSD/yr"
    assert re.search(r"^\S.*\s987\s", text, re.M)
    assert _text(res) != text


def test_solver_section_lists_incumbents_or_says_live_progress_was_unavailable(tiny):
    plan, res = tiny
    text = _text(res)
    assert res.solver.incumbents, "HiGHS reports at least the final incumbent"
    assert res.solver.incumbents[-1].value == pytest.approx(plan.solve.objective / 1e3)
    assert _figure(text, "incumbents found while solving") == f"{len(res.solver.incumbents):,d}"
    assert "live progress" not in text
    changed = res.model_copy(deep=True)
    changed.solver.live_progress = "highspy 1.0 has no MIP callbacks: no live progress (the result is unaffected)"
    assert _figure(_text(changed), "live progress") == "not available"


def test_hydro_miners_cooling_leaves_the_kinds_it_is_drawn_by():
    """Two hours: pumps 2 and 1, fans 1 and 1, chillers 1 and 0 MW; the hydro miners' heat takes 0.5 and 0.25 MW
    of the liquid loop's pumps and 0.3 and 0 MW of its chillers (what the simulation records by kind), which
    leave those kinds only, the air-side fans untouched; mining's transformer loss is its meter share less the
    miners, their ventilation and their cooling."""
    from types import SimpleNamespace

    import numpy as np

    from planner.report.figures import facility_energy_by_kind

    loads = {"gpu_it": np.array([10.0, 10.0]), "support_it": np.array([1.0, 1.0]), "pumps": np.array([2.0, 1.0]),
             "fans": np.array([1.0, 1.0]), "chillers": np.array([1.0, 0.0]), "miner_ventilation": np.array([0.1, 0.1]),
             "house": np.array([0.2, 0.2]), "losses": np.array([0.5, 0.5]), "mining": np.array([3.0, 3.0])}
    by_kind = {"pumps": np.array([0.5, 0.25]), "chillers": np.array([0.3, 0.0])}
    hydro = by_kind["pumps"] + by_kind["chillers"]
    share = 1.01 * (loads["mining"] + loads["miner_ventilation"] + hydro)  # 1 % transformer loss on mining's draw
    grid = sum(loads.values())
    op = SimpleNamespace(loads=loads, grid_draw=grid, mining_share=share, mining_cooling=hydro,
                         mining_cooling_by_kind=by_kind)
    parts = facility_energy_by_kind(op)
    assert parts["pumps"] == pytest.approx(3.0 - 0.75)
    assert parts["fans"] == pytest.approx(2.0)
    assert parts["chillers"] == pytest.approx(1.0 - 0.3)
    assert parts["losses"] == pytest.approx(1.0 - 0.01 * (3.1 + 0.8) - 0.01 * (3.1 + 0.25))
    assert parts["mining"] == 0 and parts["miner_ventilation"] == 0
    assert sum(parts.values()) == pytest.approx(float((grid - share).sum()))


def test_the_capital_cost_says_what_electrical_redundancy_it_leaves_out(tiny):
    _, res = tiny
    text = " ".join(_text(res).split())
    assert ("electrical redundancy: the plan prices one transformer at the grid limit and the UPS at the IT electrical "
            "peak (IT only: the CDU pumps and the rest of the plant are not on it), no standby generators, battery "
            "runtime or second transformer") in text
    again = res.capex.parts["ups"].value + res.capex.parts["transformer"].value  # the same again, 2N
    unused = res.capex.budget.value - res.capex.total.value
    assert f"2N, at the plan's prices: {again:.3g} MUSD more, against {unused:.3g} MUSD of the budget unused" in text
