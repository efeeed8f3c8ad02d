"""Render a timeline's results model: the terminal report, CSV rows, JSON, and an HTML page with plots.

Every renderer reads :class:`planner.timeline.results.TimelineResults` only.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable

from planner.outputs import atomic_path
from planner.report.render import fmt
from planner.results import Quantity, column_name
from planner.timeline.results import TimelineResults

REVENUE = (("gpu_revenue", "GPU hours"), ("lease_revenue", "lease"), ("power_passed_through", "power repaid"),
           ("mining_revenue", "mining"))
COSTS = (("energy_cost", "energy"), ("facility_opex", "facility opex"), ("gpu_support", "GPU hardware support"),
         ("other_operating", "other operating"))
CAPEX = (("capex_facility", "facility capex"), ("capex_gpu", "GPU capex"), ("capex_miners", "miners bought"),
         ("miner_sales", "miner sales"))


CASH_ORDER = [k for k, _ in REVENUE + COSTS + CAPEX]


def _v(qty: Quantity | None) -> float | None:
    return None if qty is None else qty.value


def _q(qty: Quantity | None) -> str:
    return "n/a" if qty is None or qty.value is None else fmt(qty.value, qty.unit)


def headline(res: TimelineResults) -> list[tuple[str, str]]:
    """(label, value with unit) of the timeline's answer, most important first."""
    mon = res.monetisation
    terminal = sum(v.value or 0 for v in res.terminal_value.values())
    rows = [
        ("NPV", f"{_q(res.npv)} at {_q(res.discount_rate)}: {_q(res.npv_without_terminal_value)} over the horizon "
                f"and {_q(res.terminal_value_discounted)} of terminal value"),
    ]
    base = res.baseline
    if base is not None:
        rows.append(("what the conversion adds", f"{_q(base.incremental_npv)} of NPV over the baseline ("
                     f"{_q(base.npv)}: {base.description})"
                     + (f"; incremental IRR {_q(base.incremental_irr)}" if base.incremental_irr else "")))
    rows += [
        ("IRR", _q(res.irr) + " (the whole site's cash, with the terminal value)" if res.irr
         else "n/a (the cash flows do not change sign)"),
        ("payback", _q(res.payback) if res.payback else "not within the horizon (terminal value not counted)"),
        ("discounted payback", _q(res.discounted_payback) if res.discounted_payback else "not within the horizon"),
        ("capex over the horizon", _q(res.capex_total)),
        ("terminal value", f"{fmt(terminal, 'MUSD')} at the end, undiscounted ({res.terminal_value_rule})"),
        ("monetisation chosen", mon.chosen.replace("_", " ")),
    ]
    if mon.npv_colocation is not None and mon.chosen != "none":
        rows += [
            ("NPV selling GPU hours", f"{_q(mon.npv_gpu_as_a_service)} ({mon.basis})"),
            ("NPV leasing", f"{_q(mon.npv_colocation)} at {_q(mon.lease_price)} for {_q(mon.lease_term)}"),
        ]
        if mon.flip_lease_price is not None:
            rows.append(("leasing pays better above", f"{_q(mon.flip_lease_price)} at most (the leasing plan's NPV "
                         "taken linear in the lease price on its own schedule)"))
        if mon.break_even_by_cohort:
            rows.append(("break-even lease price", ", ".join(f"{k}: {_q(v)}" for k, v in mon.break_even_by_cohort.items())
                         + " (per unit signed in that period: the lease earns what selling its GPU hours does)"))
    return rows


def period_rows(res: TimelineResults) -> list[dict]:
    """One flat row per period with unit-carrying snake_case keys (CSV)."""
    out = []
    for p in res.periods:
        row = {"period": p.period, "start": p.start, "end": p.end}
        for rid, n in p.racks.items():
            row[f"racks_{rid}"] = n
            row[f"racks_gpu_as_a_service_{rid}"] = p.racks_gpu_as_a_service.get(rid, 0)
            row[f"racks_colocation_{rid}"] = p.racks_colocation.get(rid, 0)
        row["gpus"] = p.gpus
        for key in ("it_design", "it_gpu_as_a_service", "it_colocation", "mining_average", "grid_average",
                    "energy", "converted_hall", "hashprice", "block_subsidy"):
            qty = getattr(p, key)
            row[column_name(key, qty.unit)] = qty.value
        for mid, qty in p.mining_installed.items():
            row[column_name(f"mining_installed_{mid}", qty.unit)] = qty.value
        for mid, n in p.miners_owned.items():
            row[f"miners_owned_{mid}"] = n
        for kind in ("cdus", "heat_rejection", "air_side"):
            for k, n in getattr(p, kind).items():
                row[f"{kind}_{k.replace('@', '_at_')}"] = n
        for rid, qty in p.gpu_price.items():
            row[column_name(f"gpu_price_{rid}", qty.unit)] = qty.value
        for k in CASH_ORDER + sorted(set(p.cash) - set(CASH_ORDER)):
            if k in p.cash:
                row[column_name(k, p.cash[k].unit)] = p.cash[k].value
        for key in ("cash_flow", "discounted_cash_flow", "cumulative_cash", "cumulative_npv"):
            qty = getattr(p, key)
            row[column_name(key, qty.unit)] = qty.value
        row["discount_factor"] = p.discount_factor
        row["audit_passed"] = p.audit.passed
        out.append(row)
    return out


def _sum(p, keys) -> float:
    return sum(p.cash[k].value or 0.0 for k, _ in keys if k in p.cash)


def render_text(res: TimelineResults, out: Console) -> None:
    """The terminal report of a timeline."""
    out.print(f"[bold]{res.site}[/bold]: the conversion over time, {res.horizon}", highlight=False)
    for label, value in headline(res):
        out.print(f"  {label:<24} {value}", highlight=False, markup=False)
    rack_ids = list(res.periods[0].racks) if res.periods else []
    t = RichTable(title="Period by period: racks selling GPU hours / leased; mean MW mined and drawn; money in MUSD, "
                        "undiscounted but the cumulative NPV (without the terminal value)", box=None, header_style="bold", title_justify="left",
                  pad_edge=False)
    for col in ("period", "racks", "GPUs", "mining", "grid", "revenue", "op. cost", "capex", "cash", "cum. NPV",
                "audit"):
        t.add_column(col, justify="left" if col in ("period", "audit") else "right", no_wrap=True,
                     min_width=7 if col == "period" else None)
    for p in res.periods:
        t.add_row(
            p.period, f"{sum(p.racks_gpu_as_a_service.get(r, 0) for r in rack_ids)}/"
                      f"{sum(p.racks_colocation.get(r, 0) for r in rack_ids)}", f"{p.gpus:,}",
            f"{abs(p.mining_average.value) if abs(p.mining_average.value) < 0.05 else p.mining_average.value:.1f}",
            f"{p.grid_average.value:.1f}", f"{_sum(p, REVENUE):.2f}",
            f"{_sum(p, COSTS):.2f}", f"{_sum(p, CAPEX):.2f}", f"{p.cash_flow.value:.2f}",
            f"{p.cumulative_npv.value:.2f}", "ok" if p.audit.passed else "FAILED")
    out.print(t)
    out.print("  revenue: GPU hours, lease, power repaid by the tenant, mining; op. cost: energy, facility opex, "
              "demand and fixed charges, water, mining opex; capex: facility (the racks' share of the retrofit, UPS, "
              "cooling plant) and GPUs, less miners sold; mining MW: mean power mined", highlight=False, markup=False)
    failed = [p for p in res.periods if not p.audit.passed]
    hours = sum(p.audit.hours_checked for p in res.periods)
    out.print(f"  audit: {len(res.periods) - len(failed)} of {len(res.periods)} periods passed, {hours:,} hours "
              "run outside the optimiser (each period's equipment for every hour of its months of the weather "
              "year)", highlight=False, markup=False)
    for p in failed:
        for v in p.audit.violations:
            out.print(f"    {p.period}: {v}", highlight=False, markup=False)
    out.print(f"  equipment types: {res.technology}", highlight=False, markup=False)
    if res.alternatives_time is not None:
        out.print(f"  alternatives (the baseline, the other monetisation) solved in {_q(res.alternatives_time)}",
                  highlight=False, markup=False)
    s = res.solver
    out.print(f"  solver: {s.solver} {s.status}, NPV bound {_q(s.bound)}, gap {_q(s.gap)}, {s.variables:,} variables, "
              f"{s.constraints:,} rows; build {_q(s.build_time)}, solve {_q(s.solve_time)}, audit {_q(s.audit_time)}",
              highlight=False, markup=False)
    for note in res.notes:
        out.print(f"  note: {note}", highlight=False, markup=False)


def figures(res: TimelineResults) -> list[tuple[str, str]]:
    """(title, base64 PNG): power by use per period, and cumulative cash."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from planner.report.files import _png

    labels = [p.period for p in res.periods]
    x = range(len(labels))
    gpu = [p.it_gpu_as_a_service.value for p in res.periods]
    colo = [p.it_colocation.value for p in res.periods]
    mining = [p.mining_average.value for p in res.periods]
    other = [max(0.0, p.grid_average.value - g - c - m) for p, g, c, m in zip(res.periods, gpu, colo, mining)]
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = [0.0] * len(labels)
    for series, name in ((gpu, "GPU IT (GPU hours)"), (colo, "GPU IT (leased)"), (mining, "mining (mean)"),
                         (other, "cooling, losses, house (mean)")):
        ax.bar(x, series, bottom=bottom, label=name)
        bottom = [b + s for b, s in zip(bottom, series)]
    ax.set_xticks(list(x), labels, rotation=60, fontsize=7)
    ax.set_ylabel("power [MW]")
    ax.legend(fontsize=8)
    out = [("Mean power by use per period", _png(fig))]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(x, [p.cumulative_cash.value for p in res.periods], "o-", label="cumulative cash")
    ax.plot(x, [p.cumulative_npv.value for p in res.periods], "s-", label="cumulative discounted cash")
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_xticks(list(x), labels, rotation=60, fontsize=7)
    ax.set_ylabel("cash [MUSD]")
    ax.legend(fontsize=8)
    out.append(("Cumulative cash (terminal value not included)", _png(fig)))
    return out


def render_html(res: TimelineResults) -> str:
    esc = html.escape
    page = ["<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>{esc(res.site)}: timeline</title>",
            "<style>body{font-family:sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#eee}</style></head><body>",
            f"<h1>{esc(res.site)}: the conversion over time</h1><p>{esc(res.horizon)}</p><table>"]
    page += [f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>{esc(v)}</td></tr>"
             for k, v in headline(res)]
    page.append("</table>")
    for title, png in figures(res):
        page.append(f"<h2>{esc(title)}</h2><img alt='{esc(title)}' src='data:image/png;base64,{png}'>")
    rows = period_rows(res)
    keys = list(rows[0])
    page.append("<h2>Period by period</h2><table><tr>" + "".join(f"<th>{esc(k)}</th>" for k in keys) + "</tr>")
    for row in rows:  # cells by the header's keys
        page.append("<tr>" + "".join(f"<td>{esc(fmt(row.get(k)) if isinstance(row.get(k), float) else str(row.get(k, '')))}</td>"
                                     for k in keys) + "</tr>")
    page.append("</table></body></html>")
    return "\n".join(page) + "\n"


def json_text(res: TimelineResults) -> str:
    """``timeline.json``."""
    return json.dumps(res.model_dump(mode="json"), indent=2) + "\n"


def csv_text(res: TimelineResults) -> str:
    """``timeline.csv``: :func:`period_rows` with a header."""
    import csv
    import io

    rows = period_rows(res)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_files(res: TimelineResults, folder: Path) -> list[Path]:
    """timeline.json, timeline.csv and timeline.html in ``folder`` (created), each written atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def put(name: str, write) -> None:
        target = folder / name
        with atomic_path(target, "--out") as tmp:
            write(tmp)
        written.append(target)

    put("timeline.json", lambda p: p.write_text(json_text(res)))
    put("timeline.csv", lambda p: p.write_text(csv_text(res)))
    put("timeline.html", lambda p: p.write_text(render_html(res)))
    return written


__all__ = ["render_text", "period_rows", "json_text", "csv_text", "headline", "write_files", "render_html", "figures"]
