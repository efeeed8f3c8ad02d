"""`plan risk`: the study's figures in words, JSON, CSV and an HTML report; the progress bar; the exit code."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from planner.economics import objective_text
from planner.studies.operation import fixed_decisions
from planner.studies.risk import INPUT_COLUMNS, DesignResult, RiskStudy, figure_column

MUSD = 1e-6
QUANTILES = (("p10", 10), ("p50", 50), ("p90", 90))


def statistics(result: DesignResult, objective: str) -> dict[str, float]:
    """P10, P50, P90 and mean of NOI [USD/yr], the probabilities of a loss, the mean of the objective."""
    noi = result.values("noi")
    obj = result.values(objective)
    after = result.values("noi_less_annualised_capex")
    ok = np.isfinite(noi)
    out = {k: float(np.percentile(noi[ok], q)) if ok.any() else math.nan for k, q in QUANTILES}
    out["mean"] = float(noi[ok].mean()) if ok.any() else math.nan
    out["loss_probability"] = float(np.mean(noi[ok] < 0)) if ok.any() else math.nan
    out["loss_after_capex_probability"] = float(np.mean(after[ok] < 0)) if ok.any() else math.nan
    out["objective_mean"] = float(obj[ok].mean()) if ok.any() else math.nan
    out["failed"] = int((~ok).sum())
    return out


def tornado(result: DesignResult) -> tuple[float | None, list[tuple[str, float, float]]]:
    """NOI at every input's median and, per input, NOI at its P10 and P90 [USD/yr]; largest swing first."""
    col = figure_column("noi")
    by = {(r["input"], r["level"]): r[col] for r in result.tornado}
    median = by.get(("", "median"))
    bars = [(name, by[(name, "p10")], by[(name, "p90")]) for name in INPUT_COLUMNS if (name, "p10") in by]
    return median, sorted(bars, key=lambda b: -abs(b[2] - b[1]))


def _m(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x * MUSD:,.1f}"


def _design_lines(study: RiskStudy) -> list[tuple[str, str, str]]:
    det = fixed_decisions(study.deterministic.design)
    rob = fixed_decisions(study.robust.design) if study.robust else {}
    keys = [k for k in det if det.get(k) or rob.get(k)]

    def text(v) -> str:
        return "-" if v is None else (f"{v:g} MW" if isinstance(v, float) and not float(v).is_integer() else f"{v:g}")

    return [(k, text(det.get(k)), text(rob.get(k)) if study.robust else "") for k in keys]


def render_risk(study: RiskStudy, console: Console) -> None:
    """The text report of a risk study."""
    console.rule(f"[bold]{escape('Risk of ' + study.site_name)}")
    console.print(f"  {study.samples:,} samples (seed {study.seed}) of {', '.join(study.declared)}, "
                  f"{study.horizon:g} year ahead; objective: {objective_text(study.objective)}", highlight=False)
    console.print("  each sample re-optimises the operation only (mining dispatch, heat per module, fans, monthly "
                  f"peaks) of a fixed design in a linear programme on {study.time_mode}, then runs the year hour by "
                  "hour and prices it as `plan` does", highlight=False)
    console.print(f"  deterministic plan at the site's values: NOI {_m(study.plan_noi)} MUSD/yr, "
                  f"{objective_text(study.objective)} {_m(study.plan_objective)} MUSD/yr", highlight=False)
    results = [("deterministic design", study.deterministic)]
    if study.robust is not None:
        results.append(("robust design", study.robust))
    stats = [statistics(r, study.objective) for _, r in results]
    t = RichTable(box=None, header_style="bold")
    t.add_column("NOI over the samples")
    for label, _ in results:
        t.add_column(label, justify="right")
    t.add_column("unit")
    for key, label in (("p10", "P10"), ("p50", "P50"), ("p90", "P90"), ("mean", "mean")):
        t.add_row(label, *[_m(s[key]) for s in stats], "MUSD/yr")
    t.add_row("probability of a loss (NOI < 0)", *[f"{100 * s['loss_probability']:.1f}" for s in stats], "%")
    t.add_row("probability that NOI does not cover annualised capex",
              *[f"{100 * s['loss_after_capex_probability']:.1f}" for s in stats], "%")
    t.add_row(f"mean {objective_text(study.objective)}", *[_m(s["objective_mean"]) for s in stats], "MUSD/yr")
    console.print(t)
    for (label, _), s in zip(results, stats):
        if s["failed"]:
            console.print(f"  {label}: {s['failed']} sample(s) without an optimal operation (left out)",
                          highlight=False)

    if study.robust is not None:
        same = study.robust.id == study.deterministic.id
        console.print(f"  robust design: the best {study.robust_rule} of {objective_text(study.objective)} over the "
                      f"first {study.robust_subset} samples among {len(study.candidates)} candidate design(s) (the "
                      "deterministic one and the plans at those samples)"
                      + ("; it is the deterministic design" if same else ""), highlight=False)
        for c in study.candidates:
            origin = "deterministic" if c.from_sample is None else f"planned at sample {c.from_sample}"
            console.print(f"    {c.id} ({origin}): {study.robust_rule} {_m(c.score)} MUSD/yr"
                          + ("  <- robust" if c.id == study.robust.id else ""), highlight=False)
    d = RichTable(box=None, header_style="bold")
    d.add_column("design")
    d.add_column("deterministic", justify="right")
    if study.robust is not None:
        d.add_column("robust", justify="right")
    for key, a, b in _design_lines(study):
        d.add_row(key, a, *([b] if study.robust is not None else []))
    console.print(d)

    if study.timeline is not None:
        render_timeline_risk(study.timeline, console)
    median, bars = tornado(study.deterministic)
    if bars:
        console.print("  inputs that matter most (NOI of the deterministic design, one input at its P10 and P90, the "
                      f"others at their medians, where NOI is {_m(median)} MUSD/yr):", highlight=False)
        for name, low, high in bars:
            console.print(f"    {name:<13} {_m(low):>8} .. {_m(high):>8} MUSD/yr   swing {_m(abs(high - low))}",
                          highlight=False)
    console.print(f"  solved {study.solved:,} operation(s) in this run" +
                  (f"; {study.resumed:,} found done (--resume)" if study.resumed else ""),
                  highlight=False, style="dim")


def _q(value: float | None, unit: str) -> dict[str, Any]:
    return {"value": None if value is None or not math.isfinite(value) else value, "unit": unit}


def npv_statistics(tl) -> dict[str, Any]:
    """P10, P50, P90 and mean of a timeline's NPV over the samples [MUSD], the probability it is negative,
    and the samples left out (no optimal operation); None where no sample has an NPV."""
    ok = tl.npv[np.isfinite(tl.npv)]
    out: dict[str, Any] = {"failed": int(tl.npv.size - ok.size)}
    for key, p in (("p10", 10), ("p50", 50), ("p90", 90)):
        out[key] = float(np.percentile(ok, p)) if ok.size else None
    out["mean"] = float(ok.mean()) if ok.size else None
    out["negative_probability"] = float((ok < 0).mean()) if ok.size else None
    return out


def render_timeline_risk(tl, console: Console) -> None:
    """The NPV of the timeline's build schedule over the samples."""
    st = npv_statistics(tl)
    if st["mean"] is None:
        console.print("  timeline: no sample has an optimal operation", highlight=False)
        return
    console.print(f"  NPV of the timeline's build schedule ({tl.horizon}), {tl.npv_plan:.1f} MUSD at the site's "
                  f"values: P10 {st['p10']:.1f}, P50 {st['p50']:.1f}, P90 {st['p90']:.1f} MUSD; probability of a "
                  f"negative NPV {100 * st['negative_probability']:.1f} %", highlight=False, markup=False)
    console.print("    each sample's levels held over the horizon (the paths of [timeline] keep their shape), the "
                  "build schedule fixed and each period's operation re-optimised"
                  + (f"; {st['failed']} sample(s) without an optimal operation left out" if st["failed"] else ""),
                  highlight=False, markup=False)


def risk_to_dict(study: RiskStudy) -> dict[str, Any]:
    """The study as JSON: snake_case keys, quantities as {value, unit}."""

    def design(result: DesignResult | None) -> dict[str, Any] | None:
        if result is None:
            return None
        s = statistics(result, study.objective)
        return {"id": result.id, "decisions": fixed_decisions(result.design),
                "noi": {k: _q(s[k], "USD/yr") for k in ("p10", "p50", "p90", "mean")},
                "loss_probability": _q(s["loss_probability"], "1"),
                "loss_after_capex_probability": _q(s["loss_after_capex_probability"], "1"),
                "objective_mean": _q(s["objective_mean"], "USD/yr"), "failed_samples": s["failed"]}

    median, bars = tornado(study.deterministic)
    tl = study.timeline
    timeline = None
    if tl is not None:
        st = npv_statistics(tl)

        def usd(v):
            return _q(None if v is None else v * 1e6, "USD")

        timeline = {"horizon": tl.horizon, "npv_at_site_values": usd(tl.npv_plan),
                    "npv": {k: usd(st[k]) for k in ("p10", "p50", "p90")}, "npv_mean": usd(st["mean"]),
                    "negative_npv_probability": _q(st["negative_probability"], "1"), "failed_samples": st["failed"]}
    return {
        "site_name": study.site_name, "samples": study.samples, "seed": study.seed, "objective": study.objective,
        "uncertain_inputs": study.declared, "horizon": _q(study.horizon, "year"),
        "site_values": {n: _q(v, INPUT_COLUMNS[n][0] or "1") for n, v in study.nominal.items()},
        "time_resolution": study.time_mode, "model_hours": study.model_hours,
        "deterministic_plan": {"noi": _q(study.plan_noi, "USD/yr"), "objective": _q(study.plan_objective, "USD/yr")},
        "deterministic_design": design(study.deterministic), "robust_design": design(study.robust),
        "robust_rule": study.robust_rule, "robust_subset": study.robust_subset,
        "candidates": [{"id": c.id, "from_sample": c.from_sample, "score": _q(c.score, "USD/yr")}
                       for c in study.candidates],
        "tornado": {"median_noi": _q(median, "USD/yr"),
                    "inputs": [{"input": n, "noi_at_p10": _q(lo, "USD/yr"), "noi_at_p90": _q(hi, "USD/yr")}
                               for n, lo, hi in bars]},
        "samples_file": None if study.parquet is None else study.parquet.name,
        "timeline": timeline,
    }


def risk_rows(study: RiskStudy) -> list[dict[str, Any]]:
    """One row per design for the CSV and the report table; headings carry their units."""
    rows = []
    for label, result in (("deterministic", study.deterministic), ("robust", study.robust)):
        if result is None:
            continue
        s = statistics(result, study.objective)
        rows.append({"design": label, "id": result.id,
                     **{f"NOI {k.upper()} [MUSD/yr]": round(s[k] * MUSD, 3) for k in ("p10", "p50", "p90", "mean")},
                     "P(NOI < 0) [%]": round(100 * s["loss_probability"], 2),
                     "P(NOI < annualised capex) [%]": round(100 * s["loss_after_capex_probability"], 2),
                     f"mean {objective_text(study.objective)} [MUSD/yr]": round(s["objective_mean"] * MUSD, 3)})
    return rows


class Progress:
    """A progress bar on standard error with the rate and the time left (lines every 10 % off a terminal)."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.terminal = sys.stderr.isatty()
        self.err = Console(stderr=True, highlight=False)
        self.phase = None
        self.start = time.perf_counter()
        self.shown = -1

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if phase != self.phase:
            self.phase, self.start, self.shown = phase, time.perf_counter(), -1
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed > 0 and done else 0.0
        left = (total - done) / rate if rate > 0 else None
        tenth = int(10 * done / total) if total else 10
        text = (f"{phase}: {done:,}/{total:,}" + (f"  {rate * 60:,.0f}/min" if rate else "")
                + (f"  {left:,.0f} s left" if left is not None and done < total else ""))
        if self.terminal:
            width = 20
            filled = int(width * done / total) if total else width
            self.err.file.write("\r\x1b[2K[" + "#" * filled + "." * (width - filled) + "] " + text)
            if done >= total:
                self.err.file.write("\n")
            self.err.file.flush()
        elif tenth != self.shown and (done == 0 or done == total or tenth > self.shown):
            self.shown = tenth
            self.err.print(text, markup=False)


def risk_and_report(site: Path, console: Console, *, samples: int, seed: int, sets: dict[str, Any],
                    scenario: str | None, days: int | None, bin_k: float | None, executor: str,
                    workers: int | None, scheduler: str | None, out_dir: Path | None, resume: bool,
                    robust_samples: int, robust_percentile: float | None, json_out: Path | None,
                    solver: str = "highs", time_limit: float | None = None, quiet: bool = False,
                    timeline: bool = True) -> int:
    """`plan risk`: run the study, print it, write JSON and the report files; return the exit code.

    Raises :class:`InputError` on bad input before anything is solved (the CLI prints it, exit 2);
    returns 3 when the site has no plan at its own values.
    """
    from planner.outputs import write_exports_atomic
    from planner.report.export import report_console
    from planner.report.files import write_side_by_side
    from planner.studies.risk import run_risk

    out = report_console(console, json_out)
    try:
        study = run_risk(site, samples=samples, seed=seed, sets=sets, scenario=scenario, days=days, bin_k=bin_k,
                         executor=executor, workers=workers, scheduler=scheduler, out_dir=out_dir, resume=resume,
                         robust_samples=robust_samples, robust_percentile=robust_percentile, solver=solver,
                         time_limit=time_limit, progress=Progress(quiet), timeline=timeline)
    except RuntimeError as err:
        out.print(f"[bold red]no risk study[/bold red]: {escape(str(err))}", highlight=False)
        return 3
    render_risk(study, out)
    data = risk_to_dict(study)
    rows = risk_rows(study)
    write_exports_atomic(data, [], json_out, None, out, first_field="design")
    if out_dir is not None:
        written = write_side_by_side(Path(out_dir), "risk", f"Risk of {study.site_name}", data, rows,
                                     figures=figures(study))
        out.print(f"risk study written to {out_dir}: samples.parquet, "
                  f"{', '.join(p.name for p in written)}", highlight=False)
    return 0


def figures(study: RiskStudy) -> list[tuple[str, str]]:
    """The report's figures: NOI (and the objective, when it is another figure) per design; the tornado."""
    from planner.report.risk_figures import distribution_figure, tornado_figure

    designs = [("deterministic design", study.deterministic)]
    if study.robust is not None and study.robust.id != study.deterministic.id:
        designs.append(("robust design", study.robust))
    names = ["noi"] + ([study.objective] if study.objective != "noi" else [])
    out = [distribution_figure([(label, r.values(name) * MUSD) for label, r in designs],
                               "NOI" if name == "noi" else objective_text(name)) for name in names]
    median, bars = tornado(study.deterministic)
    if bars and median is not None:
        out.append(tornado_figure([(n, lo * MUSD, hi * MUSD) for n, lo, hi in bars], median * MUSD))
    return out


__all__ = ["render_risk", "risk_to_dict", "risk_rows", "statistics", "tornado", "risk_and_report", "Progress"]
