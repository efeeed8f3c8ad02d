"""The `plan timeline` command's work: plan, report, write files; returns the exit code.

(Imported by planner.cli; imports nothing of it.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from rich.console import Console

from planner.load import LoadedSite
from planner.outputs import write_text_atomic
from planner.timeline.report import csv_text, json_text, render_text, write_files
from planner.timeline.run import plan_timeline

EXIT_OK, EXIT_INFEASIBLE, EXIT_SOLVER, EXIT_AUDIT = 0, 3, 4, 5


def timeline_and_report(loaded: LoadedSite, out: Console, *, solver: str, time_limit: float | None,
                        mip_gap: float | None, json_out: Path | None, csv_out: Path | None, out_dir: Path | None,
                        progress: Callable[[str], None], alternatives: bool = True) -> int:
    from planner.climate import ClimateError
    from planner.load import InputError

    try:
        run = plan_timeline(loaded, solver=solver, time_limit=time_limit, mip_gap=mip_gap, say=progress,
                            alternatives=alternatives)
    except ClimateError as err:
        raise InputError(loaded.path, "climate.weather_file", str(err)) from None
    res = run.results
    if res is None:
        s = run.solve
        if s.status == "infeasible":
            tin = run.tin
            out.print(f"infeasible: no timeline meets every limit. The fixed costs alone (the transformer, "
                      f"{tin.transformer_capex / 1e6:,.2f} MUSD at the start) must fit within economics.capex_budget "
                      f"({tin.budget / 1e6:,.2f} MUSD); check the budget and limits.min_racks.", highlight=False)
            return EXIT_INFEASIBLE
        out.print(f"the solver stopped without a timeline: {s.status} after {s.solve_seconds:.1f} s ({s.detail}); "
                  "raise --time-limit or --mip-gap", highlight=False)
        return EXIT_SOLVER
    if json_out is not None and str(json_out) == "-":
        out.print_json(json.dumps(res.model_dump(mode="json")))
        return _code(res)
    render_text(res, out)
    if json_out is not None:
        write_text_atomic(json_out, json_text(res))
        out.print(f"JSON written to {json_out}", highlight=False)
    if csv_out is not None:
        write_text_atomic(csv_out, csv_text(res), "--csv")
        out.print(f"CSV written to {csv_out}", highlight=False)
    if out_dir is not None:
        files = write_files(res, out_dir)
        out.print("written: " + ", ".join(str(f) for f in files), highlight=False)
    return _code(res)


def _code(res) -> int:
    if not res.audit_passed:
        return EXIT_AUDIT
    return EXIT_OK if res.solver.status == "optimal" else EXIT_SOLVER


__all__ = ["timeline_and_report"]
