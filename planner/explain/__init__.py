"""Explain every plan and diagnose every failure.

Four jobs, each returning report sections (:class:`planner.report.figures.Section`):

- :func:`unit_audit_section` (``--show-units``): every input quantity with the TOML
  path it came from, as written and in canonical units, grouped by canonical
  unit, and the derived per-hour coefficient families with their ranges.
- :func:`presolve_checks` / :func:`problems_section`: plain-word checks before any
  solve (one rack alone above the grid limit, no heat rejection able to reach the
  loop temperature, no CDU, hall, yard or budget too small for one rack,
  ``limits.min_racks`` beyond the grid ...). Each :class:`Problem` names a TOML path.
- :func:`diagnose_infeasible`: an elastic re-solve (:func:`planner.model.build_model`
  with ``elastic=True``) that finds the smallest relaxations of the limits, with
  their units, TOML paths and hours.
- :func:`replan_values`: what one more unit of each binding limit is worth with the
  design free (the difference of two optimal plans), the headline for finance.
- :func:`explain` / :func:`compare_with_optimum`: after a plan, the fixed-integer LP
  (every equipment count held) gives shadow prices per limit family; binding
  limits and stranded capacity are read from the plan's hour-by-hour operation.

Dual sign convention
--------------------
The MILP maximises the objective (kUSD/yr). PuLP hands HiGHS the *negated*
objective (a minimisation) and copies HiGHS's row duals into ``constraint.pi``
unchanged, so with HiGHS ``pi = -d(objective)/d(rhs)``. PuLP's CBC interface
reports duals of the maximisation itself: ``pi = +d(objective)/d(rhs)``.
:data:`DUAL_SIGN` turns either into d(objective)/d(rhs), "kUSD/yr per unit of
the limit". Both were checked by finite differences (tests/test_explain.py:
re-solving with the grid limit raised by a small step).

Hydro miners whose coolant limit is below the liquid loop supply are not a
failure: nothing forces mining, so the planner only warns (a ``warning``
:class:`Problem`) when every miner offered is ineligible, and plans without mining.
"""

from planner.explain.common import BIND_TOL, DUAL_SIGN, FIXED_LP_NOTE, SLACK_TOL
from planner.explain.design import compare_with_optimum
from planner.explain.diagnose import diagnose_infeasible
from planner.explain.duals import explain, fixed_rack, limiting_paths
from planner.explain.replan import next_unit_step, replan_section, replan_values
from planner.explain.presolve import Problem, presolve_checks, problems_section
from planner.explain.units import unit_audit_section

__all__ = [
    "BIND_TOL", "DUAL_SIGN", "FIXED_LP_NOTE", "SLACK_TOL", "Problem", "compare_with_optimum",
    "diagnose_infeasible", "explain", "fixed_rack", "limiting_paths", "next_unit_step", "presolve_checks", "problems_section",
    "replan_section", "replan_values",
    "unit_audit_section",
]
