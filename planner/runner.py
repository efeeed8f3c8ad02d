"""Run a plan end to end for the command line and report it; returns the exit code."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console

from planner import explain as explain_mod
from planner.inputs import Inputs
from planner.load import InputError, read_toml
from planner.outputs import write_text_atomic
from planner.plan import run_plan
from planner.solve import SolverUnavailable
from planner.warnings import default_warnings
from planner.report.figures import Section, audit_section, build_sections, solver_section
from planner.report.render import render_json, render_text, sections_to_dict

EXIT_OK, EXIT_INFEASIBLE, EXIT_SOLVER, EXIT_AUDIT = 0, 3, 4, 5
MAX_FIXED_COUNT = 100_000  # racks, CDUs or modules one decision may fix
MAX_FIXED_MINING_MW = 5000.0


def fixable_keys(inp: Inputs) -> list[str]:
    keys = [f"racks.{r.id}" for r in inp.racks]
    keys += [f"cdus.{c.id}" for c in inp.cdus]
    keys += [f"heat_rejection.{h.key}" for h in inp.heat_rejection]
    keys += [f"air_side.{a.id}" for a in inp.air_side]
    keys += [f"mining.{m.id}" for m in inp.miners]
    return keys


def _check_fixed_value(key: str, value: Any, origin: str) -> None:
    """A count is a whole number from 0 to MAX_FIXED_COUNT, never a boolean, NaN or infinity; mining
    is a finite power from 0 to MAX_FIXED_MINING_MW."""
    from planner.units import UnitError, parse_quantity, to_canonical

    mining = key.startswith("mining.")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(origin, key, f"expected {'a power such as 2 MW' if mining else 'a whole number of units'}, "
                                      f"got {value!r}")
    if mining:
        text = value if isinstance(value, str) and not value.replace(".", "").isdigit() else f"{value} MW"
        try:
            mw = to_canonical(parse_quantity(text, "electric_power"), "electric_power")
        except UnitError as err:
            raise InputError(origin, key, str(err)) from None
        if not (math.isfinite(mw) and 0 <= mw <= MAX_FIXED_MINING_MW):
            raise InputError(origin, key, f"expected a power from 0 to {MAX_FIXED_MINING_MW:g} MW, got {value!r}")
        return
    try:
        count = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(origin, key, f"expected a whole number of units, got {value!r}") from None
    if not (math.isfinite(count) and 0 <= count <= MAX_FIXED_COUNT and count == int(count)):
        raise InputError(origin, key, f"expected a whole number of units from 0 to {MAX_FIXED_COUNT:,}, got {value!r}")


def parse_fixed(inp: Inputs, items: list[str], design_file: Path | None) -> dict[str, float]:
    """Fixed decisions from `--fix KEY=VALUE` and a design TOML file (flat or nested tables).

    Mining is given in MW (``"2 MW"`` or a number of MW); other decisions are counts.
    """
    from planner.load import did_you_mean
    from planner.units import UnitError, parse_quantity, to_canonical

    raw: list[tuple[str, Any, str]] = []
    if design_file is not None:
        data = read_toml(design_file)

        def walk(node, prefix):
            for k, v in node.items():
                if isinstance(v, dict):
                    walk(v, f"{prefix}{k}.")
                else:
                    raw.append((f"{prefix}{k}", v, str(design_file)))

        walk(data, "")
    for item in items:
        if "=" not in item:
            raise InputError("--fix", item, "expected KEY=VALUE, e.g. --fix racks.gb300_nvl72=96")
        k, v = item.split("=", 1)
        raw.append((k.strip(), v.strip(), "--fix"))
    keys = fixable_keys(inp)
    out: dict[str, float] = {}
    for key, value, origin in raw:
        if key in keys:
            _check_fixed_value(key, value, origin)
    for key, value, origin in raw:
        if key not in keys:
            raise InputError(origin, key, f"not a decision of this site{did_you_mean(key, keys)}")
        if key.startswith("mining."):
            try:
                q = parse_quantity(value if isinstance(value, str) and not value.replace(".", "").isdigit() else f"{value} MW",
                                   "electric_power")
            except UnitError as err:
                raise InputError(origin, key, str(err)) from None
            mw = to_canonical(q, "electric_power")
            miner = next(m for m in inp.miners if f"mining.{m.id}" == key)
            lots = mw / miner.lot_mw
            if abs(lots - round(lots)) > 1e-6 * max(1.0, lots):
                raise InputError(origin, key, f"{value!r} is not a whole number of lots of {miner.lot_size} miners "
                                              f"({miner.lot_mw:g} MW a lot); e.g. {max(1, round(lots)) * miner.lot_mw:g} MW")
            out[key] = mw
        else:
            try:
                count = float(value)
            except (TypeError, ValueError):
                raise InputError(origin, key, f"expected a whole number of units, got {value!r}") from None
            if count < 0 or count != int(count):
                raise InputError(origin, key, f"expected a whole number of units >= 0, got {value!r}")
            rack = next((r for r in inp.racks if f"racks.{r.id}" == key), None)
            if rack is not None and int(count) % rack.su_racks:
                raise InputError(origin, key, f"{int(count)} racks is not a whole number of scalable units of "
                                              f"{rack.su_racks} racks (hardware scalable_unit_racks)")
            out[key] = count
    return out


def run_and_report(inp: Inputs, console: Console, *, solver: str, time_limit, mip_gap, fixed,
                   json_out: Path | None, show_units: bool, explain: bool, loaded=None,
                   replan: bool = True, strategy: str = "fast", out_dir: Path | None = None, units: str = "si",
                   progress=None, workers: int | None = None) -> int:
    """Plan, audit, explain and print; return the exit code. ``progress``: told of each step in words
    (the command line prints it on standard error when that is a terminal). ``workers``: re-plans of
    the binding limits run at once (default :func:`planner.studies.executors.default_workers`)."""
    quiet = json_out is not None and str(json_out) == "-"
    out = Console(stderr=True) if quiet else console
    say = progress or (lambda text: None)
    if show_units:
        render_text([explain_mod.unit_audit_section(inp)], out)

    problems = explain_mod.presolve_checks(inp)
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        render_text([explain_mod.problems_section(problems)], out)
    if errors:
        if quiet:
            print(render_json([explain_mod.problems_section(problems)],
                              {"status": "infeasible", "diagnosis": [str(p) for p in errors]}))
        return EXIT_INFEASIBLE

    try:
        plan = run_plan(inp, solver=solver, time_limit=time_limit, mip_gap=mip_gap, fixed=fixed, strategy=strategy,
                        progress=say)
    except SolverUnavailable as err:
        out.print(f"no plan: {err}", highlight=False)
        return EXIT_SOLVER
    from planner.results import build_results, solver_results

    status = plan.solve.status
    if status == "infeasible":
        diagnosis = explain_mod.diagnose_infeasible(inp, solver=solver, fixed=fixed)
        unsolved = solver_section(solver_results(plan))
        render_text([diagnosis, unsolved], out)
        if quiet:
            print(render_json([diagnosis, unsolved], {"status": "infeasible"}))
        return EXIT_INFEASIBLE
    if not plan.solve.has_solution:
        render_text([solver_section(solver_results(plan))], out)
        out.print(f"no plan: the solver stopped with status '{status}' and no feasible design "
                  "(try a longer --time-limit or --days for a smaller model)", highlight=False)
        return EXIT_SOLVER

    results = build_results(plan, loaded)
    sections = build_sections(results)
    warnings = default_warnings(loaded) if loaded is not None else []
    if warnings:  # first, where they are read: defaults that may have changed this plan
        sections.insert(0, Section("Warnings: defaults that change the answer",
                                   lines=[f"warning: {path}: {message}" for path, message in warnings]))
    first_explained = len(sections)
    values = []
    if explain:
        say("explaining: binding limits and shadow prices (fixed-integer LP)")
        explained = explain_mod.explain(plan, solver=solver)
        if replan and status == "optimal" and not fixed:
            from planner.economics import objective_text
            from planner.explain.replan import REPLANNED

            paths = (set(plan.binding or {}) | explain_mod.limiting_paths(plan)) & {p[0] for p in REPLANNED}
            paths.add("site.grid_limit")
            say(f"re-planning with {len(paths)} limit(s) raised: {', '.join(sorted(paths))}")
            from planner.studies.executors import default_workers

            joint = explain_mod.next_unit_step(plan)
            if joint is not None:
                say(f"and with {joint.words} more together, room for one more {joint.rack_words}")
            values = explain_mod.replan_values(plan, paths, solver=solver, time_limit=time_limit, mip_gap=mip_gap,
                                               strategy=strategy, workers=workers or default_workers(), joint=joint)
            sections.append(explain_mod.replan_section(values, objective_text(inp.objective)))
        sections += explained
    if fixed:
        sections.append(explain_mod.compare_with_optimum(plan, solver=solver, time_limit=time_limit, mip_gap=mip_gap,
                                                         strategy=strategy))
    from planner.report.render import section_lines
    from planner.results import Note, binding_limits, next_unit_value

    if explain:
        results.limits = binding_limits(plan.binding, values)
        results.next_unit = next_unit_value(values)
    results.explanation = [Note(title=s.title, lines=section_lines(s)) for s in sections[first_explained:]]
    sections.append(audit_section(results))
    sections.append(solver_section(results.solver))
    if units != "si":
        import copy

        from planner.report.usunits import convert_sections

        render_text(convert_sections(copy.deepcopy(sections), units), out)
    else:
        render_text(sections, out)
    extra = {"status": status, "audit_passed": plan.audit.passed,
             "warnings": [{"path": path, "message": message} for path, message in warnings]}
    if json_out is not None:
        text = render_json(sections, extra)
        if quiet:
            print(text)
        else:
            write_text_atomic(json_out, text + "\n")
            out.print(f"JSON report written to {json_out}", highlight=False)
    if out_dir is not None:
        from planner.report.files import write_outputs

        say(f"writing report files to {out_dir}")
        written = write_outputs(results, out_dir, units)
        out.print(f"report files written to {out_dir}: {', '.join(p.name for p in written)}", highlight=False)
    if status != "optimal":
        out.print(f"[bold yellow]not proven optimal[/bold yellow]: solver status '{status}', gap "
                  f"{(plan.solve.gap or 0) * 100:.3g} %")
        return EXIT_SOLVER
    if not plan.audit.passed:
        out.print("[bold red]the plan failed its audit[/bold red]: see the violations above")
        return EXIT_AUDIT
    return EXIT_OK


__all__ = ["run_and_report", "parse_fixed", "sections_to_dict"]
