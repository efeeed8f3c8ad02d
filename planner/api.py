"""The Python API: plan a site from a script or a notebook.

    >>> from planner import plan
    >>> result = plan("sites/tiny.toml", days=4, set={"site.grid_limit": "2 MW"})
    >>> result.summary["noi"]            # Quantity(value=..., unit='MUSD/yr')
    >>> result.hourly["grid_draw_MW"]    # pandas Series on a DatetimeIndex, 8760 hours
    >>> result.write("out/")             # the six report files of `plan --out`

See docs/api.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.results import PlanResults, Quantity, build_results, design_frame, hourly_frame


class PlanError(RuntimeError):
    """The site has no plan: infeasible, or the solver stopped without a design."""


@dataclass
class Plan:
    """A solved and audited plan.

    Attributes
    ----------
    results : PlanResults
        The typed results model (the content of ``plan.json``).
    run : planner.plan.PlanResult
        The planner's own objects (inputs, model, design, hourly operation, audit), for advanced use.
    """

    results: PlanResults
    run: Any

    @property
    def design(self):
        """Bill of materials: a DataFrame indexed by id (racks, CDUs, modules as id@loop, air side, miners)."""
        return design_frame(self.results)

    @property
    def hourly(self):
        """The year hour by hour: a DataFrame on a DatetimeIndex, units in the column names (``grid_draw_MW``)."""
        return hourly_frame(self.results)

    @property
    def summary(self) -> dict[str, Quantity]:
        """Headline figures by key, each a Quantity (``.value``, ``.unit``)."""
        r = self.results
        out = {
            "grid_limit": r.site.grid_limit, "gpus": Quantity(value=r.design.gpus, unit="GPU"),
            "it_typical": r.design.it_typical, "it_design": r.design.it_design,
            "highest_draw": r.annual.highest_draw, "grid_energy": r.annual.grid_energy, "pue": r.annual.pue,
            "water": r.annual.water, "noi": r.noi.noi, "annualised_capex": r.noi.annualised_capex,
            "noi_less_annualised_capex": r.noi.noi_less_annualised_capex, "capex": r.capex.total,
        }
        return out

    @property
    def audit_passed(self) -> bool:
        return self.results.audit.passed

    def write(self, out_dir: str | Path, units: str = "si") -> list[Path]:
        """Write plan.json, report.md, report.html, plan.xlsx, hourly.csv and hourly.parquet to ``out_dir``."""
        from planner.report.files import write_outputs

        return write_outputs(self.results, out_dir, units)


def plan(site: str | Path, *, days: int | None = None, set: dict[str, Any] | None = None,  # noqa: A002
         scenario: str | None = None, fix: dict[str, Any] | None = None, solver: str = "highs",
         time_limit: float | None = None, mip_gap: float | None = 1e-4, exact_hours: bool = False,
         bin_k: float = 2.0) -> Plan:
    """Plan a site as ``plan SITE`` does and return the result.

    Parameters
    ----------
    site : path of a site TOML file.
    days : plan on this many representative days (faster; the audit still checks all 8760 h).
    set : overrides by TOML path, values as in the file: ``{"site.grid_limit": "20 MW"}``.
    scenario : a named scenario of the site's ``[scenarios]`` table.
    fix : fixed decisions as ``--fix`` takes them: ``{"racks.gb300_nvl72": 96}``.

    Raises
    ------
    planner.load.InputError : the site or an override is invalid.
    PlanError : infeasible, or the solver stopped without a design.
    """
    from planner.inputs import resolve
    from planner.load import load_site
    from planner.plan import run_plan
    from planner.runner import parse_fixed

    loaded = load_site(site, overrides=dict(set or {}), scenario=scenario)
    kw = {"time_mode": "days", "days": days} if days else {"bin_k": None if exact_hours else bin_k}
    inp = resolve(loaded, **kw)
    fixed = parse_fixed(inp, [f"{k}={v}" for k, v in (fix or {}).items()], None) if fix else None
    run = run_plan(inp, solver=solver, time_limit=time_limit, mip_gap=mip_gap, fixed=fixed)
    if not run.solve.has_solution:
        raise PlanError(f"no plan: the solver ended with status '{run.solve.status}' ({run.solve.detail})")
    return Plan(build_results(run, loaded), run)


__all__ = ["Plan", "PlanError", "plan"]
