"""Command line: `plan SITE.toml`, `plan check`, `plan catalog`, `plan compare`, `plan sweep`, `plan timeline`,
`plan risk`.

Exit codes: 0 planned; 2 invalid input; 3 infeasible (with a diagnosis);
4 solver stopped without a proven optimum (time limit, no incumbent, solver
error); 5 the plan failed its hour-by-hour audit.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from planner.console import report_console
from planner.load import InputError, load_catalog, load_site
from planner.overrides import parse_sets

EXIT_OK, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER, EXIT_AUDIT = 0, 2, 3, 4, 5

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help=(
        "Capacity planner for GPU compute sites with liquid cooling and residual mining.\n\n"
        "Example: [bold]plan sites/washington.toml[/bold]  (the same as [bold]plan run sites/washington.toml[/bold])"
    ),
)
console = report_console()  # re-made by main(): COLUMNS and the terminal are read at each run
err_console = Console(stderr=True, soft_wrap=True)
_STATE = {"debug": False}


class Exit(Exception):
    def __init__(self, code: int):
        self.code = code


def _print_input_error(err: Exception) -> None:
    """One `error:` line per problem (a site file with several problems shows them all)."""
    for line in err.lines() if isinstance(err, InputError) else [str(err)]:
        err_console.print(f"error: {line}", highlight=False, markup=False)


def _fail_input(err: Exception) -> None:
    if _STATE["debug"]:
        raise err
    _print_input_error(err)
    raise Exit(EXIT_INPUT)


def _load(site: Path, sets: list[str] | None, scenario: str | None):
    try:
        return load_site(site, overrides=parse_sets(sets), scenario=scenario)
    except InputError as err:
        _fail_input(err)


def _resolve(loaded, **kw):
    from planner.climate import ClimateError
    from planner.inputs import resolve

    try:
        return resolve(loaded, **kw)
    except (InputError, ClimateError) as err:
        _fail_input(err if isinstance(err, InputError) else InputError(loaded.path, "climate.weather_file", str(err)))


def _check_outputs(**paths) -> None:
    """Output paths are checked before anything is loaded or solved."""
    from planner.outputs import check_outputs

    try:
        check_outputs(**paths)
    except InputError as err:
        _fail_input(err)


def _progress(quiet: bool):
    """Progress lines on standard error with the elapsed time, only when it is a terminal and not --quiet."""
    import time

    if quiet or not sys.stderr.isatty():
        return lambda text: None
    start = time.perf_counter()
    err = Console(stderr=True, highlight=False)

    def say(text: str) -> None:
        err.print(f"[dim]{time.perf_counter() - start:6.1f} s  {text}[/dim]", markup=True)

    return say


def _check_out_dir(out_dir: Path | None, units: str) -> None:
    """``--out DIR`` can be created or written, and ``--units`` names a unit system."""
    from planner.outputs import out_dir_problem

    if out_dir is not None:
        problem = out_dir_problem(out_dir)
        if problem:
            _fail_input(InputError("--out", str(out_dir), problem))
    if units not in ("si", "us"):
        _fail_input(InputError("--units", units, "unknown unit system; choose si or us"))


OUT_HELP = ("Also write report files to this folder (created if missing): plan.json, report.md, report.html, "
            "plan.xlsx, hourly.csv, hourly.parquet.")
UNITS_HELP = "Units of the report: si (default) or us (tons of refrigeration, gpm, degF, ft^2)."
SIDE_UNITS_HELP = UNITS_HELP + " Converts the table, report.md and report.html; JSON and CSV stay SI."
SET_HELP = "Override a TOML value: --set PATH=VALUE, e.g. --set site.grid_limit='20 MW'. Repeatable."
SCENARIO_HELP = "Apply a named scenario from the site's \\[scenarios] table."


@app.command("run")
def run_cmd(
    site: Path = typer.Argument(..., help="Site file, e.g. sites/washington.toml"),
    solver: str = typer.Option("highs", help="MILP solver: highs (default) or cbc."),
    time_limit: Optional[float] = typer.Option(None, min=0.0, help="Stop the solver after this many seconds."),
    mip_gap: float = typer.Option(1e-4, min=0.0, max=0.5, help="Relative MIP gap at which the solver may stop."),
    days: Optional[int] = typer.Option(None, min=2, max=365, help="Plan on this many representative days (the hottest day always kept); the audit still checks all 8760 h."),
    exact_hours: bool = typer.Option(False, "--exact-hours", help="Model every hour at its own temperature (only identical hours merged); slower."),
    bin_k: float = typer.Option(2.0, "--bin", min=0.01, max=20.0, help="Group hours of the same energy price whose coefficients agree within this much temperature [K], across months (each month's peak sees every group with hours in it); each group is modelled at its worst hour (conservative). Smaller is finer and slower."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    scenario: Optional[str] = typer.Option(None, help=SCENARIO_HELP),
    fix: Optional[list[str]] = typer.Option(None, "--fix", help="Fix a decision, e.g. --fix racks.gb300_nvl72=96 --fix heat_rejection.dry_cooler_1000@liquid=14. Repeatable."),
    design: Optional[Path] = typer.Option(None, help="TOML file of fixed decisions (an engineer's own design)."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the report as JSON to this file ('-' for standard output only)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help=OUT_HELP),
    units: str = typer.Option("si", "--units", help=UNITS_HELP),
    quiet: bool = typer.Option(False, "--quiet", help="No progress lines on standard error (they appear only when it is a terminal)."),
    show_units: bool = typer.Option(False, "--show-units", help="Print every input quantity: TOML path, as written, canonical unit."),
    explain: bool = typer.Option(True, help="Binding limits and shadow prices (fixed-integer LP re-solve)."),
    replan: bool = typer.Option(True, help="Value each binding limit by re-planning with it raised (1 MW, 100 m^2, 10 MUSD), the design free, and, where the next scalable unit needs more (or more than one limit), every limit it breaks raised together by what it needs; --no-replan skips these extra solves."),
    prove: bool = typer.Option(False, "--prove", help="Solve the full MILP and prove the plan optimal over every technology set (slower). By default the technology set is chosen on the model's hours grouped coarser (4 K; 4 representative days of a --days plan) with fewer fan chords and by their LP relaxation, and the plan is proven optimal within it."),
    workers: Optional[int] = typer.Option(None, min=1, help="Re-plans of the binding limits run at once, in worker processes (default min(2, CPUs)); 1 runs them one after another."),
):
    """Plan a site: racks, cooling, mining and NOI, audited for every hour.

    Example: plan sites/washington.toml --days 12
    """
    from planner.runner import run_and_report
    from planner.solve import SOLVERS

    _check_outputs(json=json_out)
    _check_out_dir(out_dir, units)

    if solver not in SOLVERS:
        _fail_input(InputError("--solver", solver, f"unknown solver; choose one of {', '.join(SOLVERS)}"))
    progress = _progress(quiet)
    progress(f"reading {site} and its weather")
    loaded = _load(site, set_, scenario)
    kw = {"time_mode": "days", "days": days} if days else {"bin_k": None if exact_hours else bin_k}
    inp = _resolve(loaded, **kw)
    fixed = None
    if fix or design:
        from planner.runner import parse_fixed

        try:
            fixed = parse_fixed(inp, fix or [], design)
        except InputError as err:
            _fail_input(err)
    code = run_and_report(
        inp, console, solver=solver, time_limit=time_limit, mip_gap=mip_gap, fixed=fixed,
        json_out=json_out, show_units=show_units, explain=explain, loaded=loaded, replan=replan,
        strategy="full" if prove else "fast", out_dir=out_dir, units=units, progress=progress, workers=workers,
    )
    raise Exit(code)


@app.command("check")
def check_cmd(
    site: Path = typer.Argument(..., help="Site file, e.g. sites/washington.toml"),
    set_: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    scenario: Optional[str] = typer.Option(None, help=SCENARIO_HELP),
):
    """Validate a site and every hardware file it uses; print the resolved inputs with units.

    Example: plan check sites/washington.toml
    """
    from planner.spec.fields import measured_fields

    loaded = _load(site, set_, scenario)
    inp = _resolve(loaded, bin_k=2.0)  # reads the weather: fail before saying "valid"
    spec = loaded.spec
    checked = _check_other_scenarios(loaded, set_, scenario)
    console.print(f"[bold]{site}[/bold]: valid. Site '{spec.site.name}', hardware from {loaded.catalog.root}")
    if loaded.overrides:
        for k, v in loaded.overrides.items():
            console.print(f"  override {k} = {v!r}", highlight=False)
    from planner.warnings import default_warnings

    for path, message in default_warnings(loaded):
        console.print(f"warning: {path}: {message}", highlight=False, markup=False)
    t = RichTable(title="Site inputs", box=None, header_style="bold")
    for col in ("TOML path", "as written", "value", "canonical unit"):
        t.add_column(col, no_wrap=col == "TOML path")  # a path or an id is never broken
    for path, m in measured_fields(spec):
        t.add_row(path, m.text, f"{m.value:.6g}", m.unit)
    console.print(t)
    t = RichTable(title="Hardware used", box=None, header_style="bold")
    for col in ("id", "kind", "key figures"):
        t.add_column(col, no_wrap=col == "id")
    for item in [*loaded.racks, *loaded.cdus, *loaded.heat_rejection, *loaded.air_side, *loaded.miners,
                 loaded.ups, loaded.transformer]:
        t.add_row(item.id, item.kind, _key_figures(item))
    console.print(t)
    c = inp.climate
    console.print(f"weather: {c.source}; {len(c.dry_bulb)} h, dry bulb {c.dry_bulb.min():.1f} to {c.dry_bulb.max():.1f} degC", highlight=False)
    console.print(f"design condition: {c.design_dry_bulb:.1f} degC dry bulb / {c.design_wet_bulb:.1f} degC wet bulb ({c.design_source})", highlight=False)
    console.print(f"liquid loop supply: {inp.liquid_supply:g} degC ({inp.liquid_supply_note})", highlight=False)
    console.print(f"hashprice: {inp.hashprice:.2f} USD/(PH/s)/day", highlight=False)
    if checked:
        console.print(f"scenarios also valid: {', '.join(checked)}", highlight=False)
    if spec.layouts:
        console.print(f"layouts valid: {', '.join(spec.layouts)}", highlight=False)
    raise Exit(EXIT_OK)


def _check_other_scenarios(loaded, sets: list[str] | None, selected: str | None) -> list[str]:
    """Validate every [scenarios.NAME] table, selected or not, as `--scenario NAME` would load it.

    A scenario that changes the climate has its weather read too. Returns the names checked.
    """
    from planner.climate import ClimateError
    from planner.inputs import build_climate

    names = [name for name in loaded.spec.scenarios if name != selected]
    for name in names:
        other = _load(loaded.path, sets, name)
        touched = [key for key in other.overrides if key == "climate" or key.startswith("climate.")]
        if touched:
            try:
                build_climate(other)
            except ClimateError as err:
                _fail_input(InputError(loaded.path, "climate.weather_file",
                                       f"{err} (set by [scenarios.{name}])"))
    return names


def _key_figures(item) -> str:
    k = item.kind
    if k == "rack":
        return (f"{item.gpus} GPU; {item.power_typical.quantity.to('kW').magnitude:g} / "
                f"{item.power_design.quantity.to('kW').magnitude:g} / {item.power_peak.quantity.to('kW').magnitude:g} kW "
                f"typical/design/peak; {item.liquid_fraction.value * 100:g} % to liquid; "
                f"coolant <= {item.max_coolant_supply_temperature.value:g} degC; {item.price.value / 1e6:g} MUSD")
    if k == "cdu":
        return f"{item.capacity.quantity.to('kW').magnitude:g} kW; approach {item.approach.value:g} K; pumps {item.pump_power.quantity.to('kW').magnitude:g} kW"
    if k == "heat_rejection":
        return (f"{item.technology}; {item.rated_capacity.quantity.to('kW').magnitude:g} kW at {item.rated_approach.value:g} K approach; "
                f"fans {item.fan_power.quantity.to('kW').magnitude:g} kW; water {item.water_use.value:g} L/kWh; {item.floor_area.value:g} m^2")
    if k == "air_side":
        return f"{item.technology}; {item.capacity.quantity.to('kW').magnitude:g} kW; water <= {item.max_water_supply_temperature.value:g} degC"
    if k == "miner":
        return (f"{item.cooling}; {item.hash_rate.value:g} TH/s; {item.power.quantity.to('kW').magnitude:g} kW; "
                f"{item.efficiency.value:g} J/TH; {item.price.value:,.0f} USD")
    return f"efficiency {item.efficiency.value * 100:g} %"


@app.command("catalog")
def catalog_cmd(
    hardware: Path = typer.Option(Path("hardware"), help="Hardware folder."),
):
    """List the hardware catalogue with key figures and units.

    Example: plan catalog --hardware hardware
    """
    try:
        cat = load_catalog(hardware)
    except InputError as err:
        _fail_input(err)
    t = RichTable(title=f"Hardware under {hardware}", box=None, header_style="bold")
    for col in ("id", "kind", "name", "key figures"):
        t.add_column(col, no_wrap=col in ("id", "kind"))
    for item in sorted(cat.items.values(), key=lambda i: (i.kind, i.id)):
        t.add_row(item.id, item.kind, item.name, _key_figures(item))
    console.print(t)
    raise Exit(EXIT_OK)


EXECUTOR_HELP = ("process (a local process pool, the default), serial, or dask (dask.distributed, an optional "
                 "extra: pip install \".[dask]\"; a LocalCluster of --workers processes unless --scheduler is given).")
SCHEDULER_HELP = ("With --executor dask: the address of a running Dask scheduler, e.g. tcp://HOST:8786 "
                  "(its workers must see the site files).")


@app.command("compare")
def compare_cmd(
    site: Path = typer.Argument(..., help="Site file, e.g. sites/washington.toml"),
    scenario: Optional[list[str]] = typer.Option(None, "--scenario", help="Scenario(s) to compare; repeatable."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    days: Optional[int] = typer.Option(None, min=2, max=365, help="Representative days for each plan (faster)."),
    bin_k: float = typer.Option(2.0, "--bin", min=0.01, max=20.0, help="Temperature bin for grouping hours [K]."),
    time_limit: Optional[float] = typer.Option(120.0, min=0.0, help="Solver time limit per plan, in seconds."),
    solver: str = typer.Option("highs", help="highs or cbc."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the table as JSON ('-' for standard output only)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the table as CSV."),
    prove: bool = typer.Option(False, "--prove", help="Solve each plan's full MILP (slower); by default the technology set is chosen on the model's hours grouped coarser (4 K; 4 representative days of a --days plan) with fewer fan chords and by their LP relaxation, and each plan is proven optimal within it."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Write the comparison (compare.json, compare.csv, report.md, report.html) and, per scenario and layout with a plan, the report files of `plan --out` to this folder."),
    units: str = typer.Option("si", "--units", help=SIDE_UNITS_HELP),
    workers: Optional[int] = typer.Option(None, help="Layouts planned at once (default min(2, CPUs)); the free optimum is planned after them."),
    executor: str = typer.Option("process", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
):
    """Rank cooling layouts side by side (and per scenario).

    Example: plan compare sites/washington.toml --scenario hot_summer
    """
    from planner.studies.compare import compare_and_report

    _check_outputs(json=json_out, csv=csv_out)
    _check_out_dir(out_dir, units)

    code = compare_and_report(
        site, console, scenarios=scenario or [None], sets=parse_sets(set_), days=days, bin_k=bin_k,
        time_limit=time_limit, solver=solver, json_out=json_out, csv_out=csv_out,
        strategy="full" if prove else "fast", out_dir=out_dir, units=units, executor=executor, workers=workers,
        scheduler=scheduler,
    )
    raise Exit(code)


VARY_HELP = (
    "A TOML path and the values to plan it at: --vary PATH=V1,V2,V3. Values are separated by commas outside "
    "quotes and brackets, each read like --set (a TOML value, else a string with its unit); quote a value that "
    "contains a comma. Repeatable: the points are every combination (full factorial). "
    "Examples: --vary site.grid_limit='16 MW','18 MW','20 MW'   "
    "--vary \"gpu_market.price=2.5 USD/GPU/h,3.25 USD/GPU/h\"   "
    "--vary \"site.hall_area='1,000 m^2','2,000 m^2'\""
)


@app.command("sweep")
def sweep_cmd(
    site: Path = typer.Argument(..., help="Site file, e.g. sites/washington.toml"),
    vary: list[str] = typer.Option(..., "--vary", help=VARY_HELP),
    set_: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP + " Applies to every point."),
    scenario: Optional[str] = typer.Option(None, help=SCENARIO_HELP + " Applies to every point."),
    days: Optional[int] = typer.Option(None, min=2, max=365, help="Representative days for each plan (faster); not with --bin."),
    bin_k: Optional[float] = typer.Option(None, "--bin", min=0.01, max=20.0, help="Temperature bin for grouping hours [K] (default 2); not with --days."),
    time_limit: Optional[float] = typer.Option(120.0, min=0.0, help="Solver time limit per plan, in seconds."),
    solver: str = typer.Option("highs", help="highs or cbc."),
    workers: Optional[int] = typer.Option(None, help="Plans run at once (default min(2, CPUs))."),
    executor: str = typer.Option("process", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the points as JSON ('-' for standard output only)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the points as CSV."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Write the points side by side (sweep.json, sweep.csv, report.md, report.html with NOI against each numeric path) to this folder."),
    yes: bool = typer.Option(False, "--yes", help="Run a sweep of more points than --max-points."),
    max_points: int = typer.Option(200, "--max-points", min=1, help="Most points a sweep runs without --yes."),
    prove: bool = typer.Option(False, "--prove", help="Solve each plan's full MILP (slower); by default the technology set is chosen on the model's hours grouped coarser (4 K; 4 representative days of a --days plan) with fewer fan chords and by their LP relaxation, and each plan is proven optimal within it."),
    units: str = typer.Option("si", "--units", help=SIDE_UNITS_HELP),
):
    """What one more MW (or any input) is worth: one plan per combination of --vary values.

    Every point is validated like the site file before anything is solved. The table gives, per point, racks, GPUs, IT and mining MW, capex, NOI, NOI less annualised capex, the binding limit and, along each numeric path, the marginal value between consecutive points (change of the site's objective per +1 unit of the path).

    Example: plan sweep sites/washington.toml --vary site.grid_limit='16 MW','18 MW','20 MW' --days 6
    """
    from planner.studies.sweep import sweep_and_report

    _check_outputs(json=json_out, csv=csv_out)
    _check_out_dir(out_dir, units)

    code = sweep_and_report(
        site, console, vary=vary, sets=parse_sets(set_), scenario=scenario, days=days, bin_k=bin_k,
        time_limit=time_limit, solver=solver, executor=executor, workers=workers, json_out=json_out,
        csv_out=csv_out, max_points=None if yes else max_points, strategy="full" if prove else "fast",
        out_dir=out_dir, units=units, scheduler=scheduler,
    )
    raise Exit(code)


@app.command("timeline")
def timeline_cmd(
    site: Path = typer.Argument(..., help="Site file with a [timeline] table, e.g. sites/washington.toml"),
    set_: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    scenario: Optional[str] = typer.Option(None, help=SCENARIO_HELP),
    solver: str = typer.Option("highs", help="MILP solver: highs (default) or cbc."),
    time_limit: Optional[float] = typer.Option(None, min=0.0, help="Stop the solver after this many seconds."),
    mip_gap: float = typer.Option(1e-4, min=0.0, max=0.5, help="Relative MIP gap at which the solver may stop."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the results as JSON ('-' for standard output only)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the period table as CSV."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Write timeline.json, timeline.csv and timeline.html (plots of power by use and cumulative cash) to this folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress lines on standard error."),
    alternatives: bool = typer.Option(True, "--alternatives/--no-alternatives", help="Also solve the baseline without racks and, when the optimiser may choose, the monetisation it did not choose."),
):
    """The conversion over time: racks, cooling and mining period by period, NPV, IRR and payback, and GPU hours against leasing.

    Example: plan timeline sites/washington.toml --out out/
    """
    from planner.solve import SOLVERS
    from planner.timeline.cli import timeline_and_report

    _check_outputs(json=json_out, csv=csv_out)
    _check_out_dir(out_dir, "si")
    if solver not in SOLVERS:
        _fail_input(InputError("--solver", solver, f"unknown solver; choose one of {', '.join(SOLVERS)}"))
    progress = _progress(quiet)
    progress(f"reading {site} and its weather")
    loaded = _load(site, set_, scenario)
    if loaded.spec.timeline is None:
        _fail_input(InputError(loaded.path, "timeline", "the site has no [timeline] table; add one to plan the "
                               "conversion period by period (see docs/site-reference.md, and sites/washington.toml)"))
    try:
        code = timeline_and_report(loaded, console, solver=solver, time_limit=time_limit, mip_gap=mip_gap,
                                   json_out=json_out, csv_out=csv_out, out_dir=out_dir, progress=progress,
                                   alternatives=alternatives)
    except InputError as err:
        _fail_input(err)
    raise Exit(code)


@app.command("risk")
def risk_cmd(
    site: Path = typer.Argument(..., help="Site file with an \\[uncertainty] table, e.g. sites/washington.toml"),
    samples: int = typer.Option(200, "--samples", min=1, max=1_000_000, help="Samples of the uncertain inputs."),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of the sampling: the same seed gives the same samples and results."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    scenario: Optional[str] = typer.Option(None, help=SCENARIO_HELP),
    days: Optional[int] = typer.Option(None, min=2, max=365, help="Representative days for the plans and the operation LPs (faster); not with --bin."),
    bin_k: Optional[float] = typer.Option(None, "--bin", min=0.01, max=20.0, help="Temperature bin for grouping hours [K] (default 2); not with --days."),
    robust_samples: int = typer.Option(8, "--robust-samples", min=0, help="Candidate designs are planned at, and ranked on, this many of the first samples (0: no robust design)."),
    robust_percentile: Optional[float] = typer.Option(None, "--robust-percentile", help="Rank the candidate designs by this percentile of the objective (e.g. 10) instead of its mean."),
    workers: Optional[int] = typer.Option(None, help="Worker processes (default min(2, CPUs))."),
    executor: str = typer.Option("process", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Study folder: samples stream to Parquet parts as they finish; samples.parquet, risk.json, risk.csv, report.md and report.html (NOI histogram and CDF, tornado) at the end."),
    resume: bool = typer.Option(False, "--resume", help="Continue the study in --out: solve only the samples not yet done."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the study's figures as JSON ('-' for standard output only)."),
    solver: str = typer.Option("highs", help="highs or cbc (the plans; the operation LPs use HiGHS)."),
    time_limit: Optional[float] = typer.Option(None, min=0.0, help="Solver time limit per plan, in seconds."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar on standard error."),
    timeline: bool = typer.Option(True, "--timeline/--no-timeline", help="With a site's [timeline]: also the NPV of its build schedule under every sample (the timeline planned once, its operation re-solved per sample)."),
):
    """How sure is the NOI: its distribution over sampled markets, the inputs that move it most, a robust design.

    Samples the inputs the site's \\[uncertainty] table declares (BTC price, difficulty, GPU price, utilisation, energy price), operates the deterministic plan's design under each sample (the operation re-optimised, the design fixed), and chooses a design robust to them among candidate plans.

    Example: plan risk sites/washington.toml --samples 200 --seed 1
    """
    from planner.solve import SOLVERS
    from planner.studies.risk_report import risk_and_report

    _check_outputs(json=json_out)
    _check_out_dir(out_dir, "si")
    if solver not in SOLVERS:
        _fail_input(InputError("--solver", solver, f"unknown solver; choose one of {', '.join(SOLVERS)}"))
    code = risk_and_report(
        site, console, samples=samples, seed=seed, sets=parse_sets(set_), scenario=scenario, days=days,
        bin_k=bin_k, executor=executor, workers=workers, scheduler=scheduler, out_dir=out_dir, resume=resume,
        robust_samples=robust_samples, robust_percentile=robust_percentile, json_out=json_out, solver=solver,
        time_limit=time_limit, quiet=quiet, timeline=timeline,
    )
    raise Exit(code)


_COMMANDS = {"run", "check", "catalog", "compare", "sweep", "timeline", "risk"}


def _usage_errors() -> tuple[type, ...]:
    """Click's usage-error class; typer >= 0.16 ships its own copy of click (typer._click)."""
    import importlib

    found = []
    for name in ("click.exceptions", "typer._click.exceptions"):
        try:
            found.append(importlib.import_module(name).ClickException)
        except (ImportError, AttributeError):
            pass
    return tuple(found)


def _on_broken_pipe(self) -> None:
    """rich would end the process with exit 1 when standard output is a closed pipe; main() says 141."""
    self.quiet = True
    raise BrokenPipeError()


Console.on_broken_pipe = _on_broken_pipe  # rich documents overriding this method


class Interrupted(BaseException):
    """Raised by the signal handler: Ctrl-C (SIGINT) or SIGTERM. Not a KeyboardInterrupt, so
    click and typer let it through to :func:`main`."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


EXIT_SIGNAL_BASE = 128  # shells report death by signal N as 128 + N: 130 for SIGINT, 143 for SIGTERM


def _on_signal(signum, frame) -> None:
    # ignore further signals while the stack unwinds (temporary files removed, workers stopped)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)


def _interrupted(signum: int) -> int:
    from planner.processes import stop_children

    stop_children()  # a CBC run, sweep workers: none outlives the interrupt
    name = signal.Signals(signum).name
    what = "interrupted (Ctrl-C)" if signum == signal.SIGINT else f"stopped by {name}"
    try:
        sys.stderr.write(f"plan: {what}; nothing more was written\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return EXIT_SIGNAL_BASE + signum


def install_signal_handlers() -> dict:
    """Ctrl-C and SIGTERM end the run with a one-line message and exit 130 / 143.

    Returns the handlers replaced, for :func:`restore_signal_handlers` (main() called in-process).
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    return previous


def restore_signal_handlers(previous: dict) -> None:
    for signum, handler in previous.items():
        if handler is not None:
            signal.signal(signum, handler)


def _with_signal_handling(run):
    """Wrap :func:`main`: signal handlers installed for the run and restored after it, Ctrl-C and
    SIGTERM turned into exit 130 / 143, a closed output pipe into exit 141."""

    @functools.wraps(run)
    def guarded(argv: list[str] | None = None) -> int:
        previous = install_signal_handlers()
        try:
            return run(argv)
        except Interrupted as stop:
            return _interrupted(stop.signum)
        except KeyboardInterrupt:
            return _interrupted(signal.SIGINT)
        except BrokenPipeError:  # output piped into a program that stopped reading (head, less)
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            return EXIT_SIGNAL_BASE + signal.SIGPIPE  # 141, as a shell reports a pipe closed under a command
        finally:
            restore_signal_handlers(previous)

    return guarded


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `plan` console script."""
    global console
    console = report_console()
    argv = list(sys.argv[1:] if argv is None else argv)
    _STATE["debug"] = "--debug" in argv
    if _STATE["debug"]:
        argv.remove("--debug")
    if argv in (["--version"], ["-V"]):
        from planner import __version__

        print(f"plan {__version__}")
        return EXIT_OK
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first not in _COMMANDS and argv and not argv[0].startswith("--help"):
        argv.insert(0, "run")
    try:
        app(args=argv, prog_name="plan", standalone_mode=False)
    except Exit as done:
        return done.code
    except InputError as err:
        _print_input_error(err)
        if _STATE["debug"]:
            raise
        return EXIT_INPUT
    except (typer.Exit, SystemExit) as done:
        return getattr(done, "exit_code", getattr(done, "code", 0)) or 0
    except typer.Abort as err:
        cause = err.__cause__ or err.__context__
        if isinstance(cause, Interrupted):
            raise cause from None
        if isinstance(cause, KeyboardInterrupt):
            return _interrupted(signal.SIGINT)
        return 1
    except BrokenPipeError:
        raise
    except Exception as err:  # click usage errors and anything unforeseen
        if isinstance(err, _usage_errors()):
            err.show()
            return EXIT_INPUT
        if _STATE["debug"]:
            raise
        err_console.print(f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)",
                          highlight=False, markup=False)
        return 1
    return EXIT_OK


main = _with_signal_handling(main)


def entry() -> None:  # pragma: no cover
    from planner._entry import entry as script

    script()


if __name__ == "__main__":  # pragma: no cover
    entry()
