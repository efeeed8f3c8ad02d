"""Placeholder during development; replaced by the explanation module."""
from planner.report.figures import Section


def unit_audit_section(inp):
    s = Section("Unit audit")
    for path, text, unit, value, canon in inp.provenance:
        s.lines.append(f"{path}: {text} -> {value:.6g} {canon}")
    return s


def presolve_checks(inp):
    return []


def problems_section(problems):
    return Section("Diagnosis", lines=[str(p) for p in problems])


def diagnose_infeasible(inp, solver="highs", fixed=None):
    return Section("Diagnosis", lines=["infeasible"])


def explain(plan, solver="highs"):
    return []


def compare_with_optimum(plan, solver="highs", time_limit=None, mip_gap=None):
    return Section("Comparison with the optimum")
