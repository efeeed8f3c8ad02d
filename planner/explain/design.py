"""An engineer's own design side by side with the free optimum."""

from __future__ import annotations

from planner.audit import gpu_count
from planner.explain.common import is_fixed, quantity_text
from planner.explain.duals import _next_rack, _tidy, binding_of
from planner.report.figures import Figure, Section, Table


# --------------------------------------------------------------------------------------
# a fixed design against the free optimum
# --------------------------------------------------------------------------------------

def compare_with_optimum(plan, solver: str = "highs", time_limit=None, mip_gap=None, strategy: str = "fast") -> Section:
    """A plan with fixed decisions side by side with the free optimum of the same inputs."""
    from planner.plan import run_plan

    s = Section("Comparison with the optimum")
    inp = plan.inputs
    free = run_plan(inp, solver=solver, time_limit=time_limit, mip_gap=mip_gap, fixed=None, strategy=strategy)
    if not free.solve.has_solution or plan.design is None:
        s.lines.append(f"the free optimum could not be found (solver status '{free.solve.status}')")
        return s
    fixed_vals = _design_values(plan)
    free_vals = _design_values(free)
    t = Table("equipment", [("decision", ""), ("fixed design", "units"), ("optimum", "units"), ("difference", "units")])
    tm = Table("mining", [("decision", ""), ("fixed design", "MW"), ("optimum", "MW"), ("difference", "MW")])
    for k in fixed_vals:
        a, b = fixed_vals[k], free_vals.get(k, 0)
        if a == 0 and b == 0:
            continue
        (tm if k.startswith("mining.") else t).rows.append([k, a, b, a - b])
    s.tables += [t, tm]
    ef, eo = plan.economics, free.economics
    tmoney = Table("economics", [("figure", ""), ("fixed design", "MUSD/yr"), ("optimum", "MUSD/yr"), ("difference", "MUSD/yr")])
    for name, a, b in (("NOI", ef.noi, eo.noi),
                       ("NOI less annualised capex", ef.noi_less_annualised_capex, eo.noi_less_annualised_capex),
                       ("annualised capex", ef.annualised_capex, eo.annualised_capex),
                       ("objective", (plan.solve.objective or 0) * 1e3, (free.solve.objective or 0) * 1e3)):
        tmoney.rows.append([name, a / 1e6, b / 1e6, (a - b) / 1e6])
    s.tables.append(tmoney)
    s.figures.append(Figure("GPUs, fixed design / optimum", f"{gpu_count(inp, plan.design)} / {gpu_count(inp, free.design)}", "GPU"))
    s.figures.append(Figure("capex, fixed design / optimum", f"{ef.capex / 1e6:,.1f} / {eo.capex / 1e6:,.1f}", "MUSD"))
    diffs = [k for k in fixed_vals if abs(fixed_vals[k] - free_vals.get(k, 0)) > 1e-6]
    fixed_keys = [k for k in fixed_vals if is_fixed(plan.model, k)]
    s.lines.append(f"held by --fix / --design: {', '.join(f'{k} = {fixed_vals[k]:g}' for k in fixed_keys) or 'nothing'}")
    if not diffs:
        s.lines.append("the fixed design is the optimum: every decision matches")
    gap = (eo.noi_less_annualised_capex - ef.noi_less_annualised_capex) / 1e6
    s.lines.append(f"the optimum earns {quantity_text(eo.noi / 1e6 - ef.noi / 1e6, 'MUSD/yr')} more NOI and "
                   f"{quantity_text(gap, 'MUSD/yr')} more NOI less annualised capex")
    for name, p in (("fixed design", plan), ("optimum", free)):
        binding = binding_of(p, solver)
        text = "; ".join(f"{path} ({info['text']})" for path, info in binding.items()) or "no limit binds"
        s.lines.append(f"{name}: binding: {text}")
        for r, short, _ in _next_rack(p):
            if short:
                s.lines.append(f"  {name}: one more {r.name} would break " + "; ".join(f"{q} ({why})" for q, why in short))
    return _tidy([s])[0]


def _design_values(plan) -> dict[str, float]:
    d = plan.design
    out: dict[str, float] = {}
    out.update({f"racks.{k}": v for k, v in d.racks.items()})
    out.update({f"cdus.{k}": v for k, v in d.cdus.items()})
    out.update({f"heat_rejection.{k}": v for k, v in d.modules.items()})
    out.update({f"air_side.{k}": v for k, v in d.air_units.items()})
    out.update({f"mining.{k}": round(v, 6) for k, v in d.mining.items()})
    return out
