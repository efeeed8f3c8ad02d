"""The rows that tighten the relaxation (``model.define_valid_cuts``) cut off fractional designs only.

The tiny test site is solved with and without them: the integer optimum must be the same, and the
LP relaxation's bound must come down (the relaxation no longer buys a hundredth of a CDU, air-side
or module type and drops the spares that type brings).
"""

from pathlib import Path

import pulp
import pytest

import planner.model as model_mod
from planner.inputs import resolve
from planner.load import load_site
from planner.model import build_model
from planner.solve import solve

TINY = Path(__file__).resolve().parent / "data" / "tiny" / "tiny.toml"


def _relaxation(model) -> float:
    model.prob.solve(pulp.HiGHS(msg=False, mip=False))
    assert pulp.LpStatus[model.prob.status] == "Optimal"
    return pulp.value(model.prob.objective)


@pytest.fixture(scope="module")
def solved():
    """(optimum, relaxation, rows named cut_) with the rows and without them."""
    inp = resolve(load_site(TINY), bin_k=2.0)
    out = {}
    for name, defines in (("with", model_mod.DEFINES),
                          ("without", tuple(d for d in model_mod.DEFINES if d is not model_mod.define_valid_cuts))):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(model_mod, "DEFINES", defines)
            result = solve(build_model(inp), mip_gap=1e-6)
            assert result.status == "optimal"
            model = build_model(inp)
        rows = sum(1 for row in model.prob.constraints if row.startswith("cut_"))
        out[name] = (result.objective, _relaxation(model), rows)
    out["elastic rows"] = sum(1 for row in build_model(inp, elastic=True).prob.constraints if row.startswith("cut_"))
    return out


def test_the_rows_leave_the_integer_optimum_alone(solved):
    assert solved["with"][2] > 0 and solved["without"][2] == 0
    assert solved["with"][0] == pytest.approx(solved["without"][0], rel=2e-6)


def test_the_rows_bring_the_relaxation_down(solved):
    optimum, tight, _ = solved["with"]
    loose = solved["without"][1]
    assert optimum <= tight + 1e-6 * abs(optimum)  # a bound still
    assert tight - optimum < 0.8 * (loose - optimum)  # and its gap to the optimum at least a fifth smaller


def test_no_rows_in_elastic_mode(solved):
    assert solved["elastic rows"] == 0
