"""Report files of a plan (``plan --out DIR``), all rendered from the results model.

``plan.json`` (the model itself), ``report.md``, ``report.html`` (self-contained, plots embedded as
PNG), ``plan.xlsx``, ``hourly.csv`` and ``hourly.parquet``. Nothing here does physics or solves: the
tables below only select and convert figures of :class:`planner.results.PlanResults`.
"""

from __future__ import annotations

import base64
import html
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from planner.outputs import atomic_path
from planner.report.figures import read_first
from planner.report.render import fmt
from planner.report.usunits import convert
from planner.results import MONTHS, PlanResults, Quantity, column_name, hourly_frame

FILES = ("plan.json", "report.md", "report.html", "plan.xlsx", "hourly.csv", "hourly.parquet")

LOAD_TITLES = {
    "gpu_it": "GPU racks (IT, typical)", "support_it": "support IT", "pumps": "pumps", "fans": "fans",
    "chillers": "chillers", "miner_ventilation": "miner ventilation", "house": "house and lighting",
    "losses": "UPS and transformer losses", "mining": "mining",
}


@dataclass
class Block:
    """A titled table of a report: columns as (heading, unit), rows of plain values."""

    title: str
    columns: list[tuple[str, str]]
    rows: list[list] = field(default_factory=list)


def _qv(qty: Quantity | None, system: str, heat: bool = False):
    if qty is None:
        return None, ""
    return convert(qty.value, qty.unit, system, heat=heat)


def summary_rows(res: PlanResults, system: str = "si") -> list[tuple[str, str, object, str]]:
    """(key, label, value, unit) of the headline figures."""
    d, a, n = res.design, res.annual, res.noi
    items = [
        ("site", "site", res.site.name, ""),
        ("grid_limit", "grid limit", *_qv(res.site.grid_limit, system)),
        ("gpus", "GPUs", d.gpus, "GPU"),
        ("it_typical", "IT power, typical", *_qv(d.it_typical, system)),
        ("it_design", "IT power, design", *_qv(d.it_design, system)),
        ("mining_installed", "mining installed", sum(m.installed.value or 0.0 for m in d.miners), "MW"),
        ("highest_draw", "highest grid draw", *_qv(a.highest_draw, system)),
        ("grid_energy", "site energy from the grid", *_qv(a.grid_energy, system)),
        ("pue", "PUE, annual", a.pue.value, ""),
        ("water", "water", *_qv(a.water, system)),
        ("yard_area_used", "yard area used", *_qv(d.yard_area_used, system)),
        ("hall_area_used", "hall area used", *_qv(d.hall_area_used, system)),
        ("noi", "NOI", *_qv(n.noi, system)),
        ("annualised_capex", "annualised capex", *_qv(n.annualised_capex, system)),
        ("noi_less_annualised_capex", "NOI less annualised capex", *_qv(n.noi_less_annualised_capex, system)),
        ("capex", "capital cost", *_qv(res.capex.total, system)),
        ("audit", "audit", "passed" if res.audit.passed else f"{len(res.audit.violations)} violations", ""),
        ("solver_status", "solver status", res.solver.status, ""),
    ]
    return items


def blocks(res: PlanResults, system: str = "si") -> list[Block]:
    """The report's tables in order."""
    out = []
    heat_unit = convert(1.0, "MW", system, heat=True)[1]
    b = Block("Summary", [("figure", ""), ("value", "*"), ("unit", "")])
    for _, label, value, unit in summary_rows(res, system):
        b.rows.append([label, value, unit])
    out.append(b)

    items = read_first(res, system)
    if items:
        b = Block("Read first: what the plan leaves to you", [("TOML path", ""), ("what", "")])
        b.rows += [[path, words] for path, words in items]
        out.append(b)

    flow_unit = convert(1.0, "L/min", system)[1]
    b = Block("Bill of materials", [("kind", ""), ("id", ""), ("model", ""), ("loop", ""), ("count", "units"),
                                    ("spares", ""), ("capacity each at design", heat_unit)])
    for r in res.design.racks:
        b.rows.append(["GPU rack", r.id, r.name, "", r.count, "", None])
        if r.support_racks:
            b.rows.append(["support rack", f"{r.id}.support", f"support racks of {r.name}", "", r.support_racks, "",
                           None])
    for c in res.design.cooling:
        b.rows.append([c.kind.replace("_", " "), c.id, c.name, c.loop, c.count, c.spares,
                       _qv(c.capacity_each_at_design, system, heat=True)[0]])
    for m in res.design.miners:
        b.rows.append(["miner", m.id, m.name, "", m.units, "", None])
    out.append(b)

    b = Block("Racks", [("id", ""), ("count", "racks"), ("scalable units", "units"), ("GPUs", "GPU"),
                        ("GPU IT typical", "MW"), ("support IT", "MW"), ("IT peak at grid", "MW"),
                        ("coolant flow per rack", flow_unit), ("GPU price", "USD/GPU/h")])
    for r in res.design.racks:
        b.rows.append([r.id, r.count, r.scalable_units, r.gpus, r.gpu_it_typical.value, r.support_it.value,
                       r.it_peak_at_grid.value, _qv(r.coolant_flow_per_rack, system)[0], r.gpu_price.value])
    out.append(b)

    if res.design.miners:
        b = Block("Miners", [("id", ""), ("installed", "MW"), ("units", "units"), ("hash rate", "PH/s"),
                             ("mined", "MWh/yr"), ("revenue", "USD/MWh"), ("strike price at meter", "USD/MWh"),
                             ("curtailed: grid or peak", "h"), ("curtailed: price", "h"), ("derated: hot air", "h")])
        for m in res.design.miners:
            b.rows.append([m.id, m.installed.value, m.units, m.hash_rate.value, m.mined.value, m.revenue.value,
                           m.strike_price_at_meter.value, m.curtailed_grid_hours, m.curtailed_price_hours,
                           m.derated_hot_air_hours])
        out.append(b)

    pb = res.power_balance
    db, db_unit = _qv(pb.dry_bulb, system)
    b = Block(f"Power and heat balance at the hottest hour ({pb.timestamp}, {fmt(db, db_unit)} dry bulb)",
              [("item", ""), ("value", "*"), ("unit", "")])
    for k, v in pb.loads.items():
        b.rows.append([f"load: {LOAD_TITLES.get(k, k)}", v.value, v.unit])
    b.rows.append(["grid draw", pb.grid_draw.value, pb.grid_draw.unit])
    b.rows.append(["operating limit", res.site.operating_limit.value, res.site.operating_limit.unit])
    b.rows.append(["envelope: GPU peak + cooling, sheddable mining off", pb.envelope.value, pb.envelope.unit])
    if pb.step_before_shed is not None:
        b.rows.append([f"GPU step before mining sheds ({pb.shed_seconds:g} s)", pb.step_before_shed.value,
                       pb.step_before_shed.unit])
        b.rows.append(["site.grid_limit", res.site.grid_limit.value, res.site.grid_limit.unit])
    for k, v in pb.heat_rejected.items():
        b.rows.append([f"heat rejected: {k}", *_qv(v, system, heat=True)])
    b.rows.append(["PUE at this hour", pb.pue.value, ""])
    out.append(b)

    a = res.annual
    b = Block("Energy by kind", [("load", ""), ("energy", "MWh/yr"), ("share of site energy", "%"),
                                 ("part of PUE", "-")])
    for k, v in a.energy_by_kind.items():
        part = a.pue_by_kind.get(k)
        b.rows.append([LOAD_TITLES.get(k, k), v.value,
                       100 * v.value / a.grid_energy.value if a.grid_energy.value else None,
                       None if part is None else part.value])
    out.append(b)

    b = Block("Net operating income", [("part", ""), ("value", "MUSD/yr")])
    for k, v in res.noi.parts.items():
        b.rows.append([k, v.value])
    b.rows += [["NOI", res.noi.noi.value], ["annualised capex", -res.noi.annualised_capex.value],
               ["NOI less annualised capex", res.noi.noi_less_annualised_capex.value]]
    out.append(b)

    b = Block("Capital cost", [("part", ""), ("value", "MUSD")])
    for k, v in res.capex.parts.items():
        if v.value:
            b.rows.append([k, v.value])
    b.rows.append(["total", res.capex.total.value])
    b.rows.append(["budget", res.capex.budget.value])
    out.append(b)

    if res.limits:
        b = Block("Limits: binding, and what one more unit is worth (re-planned, design free)",
                  [("TOML path", ""), ("binding", ""), ("raised by", "*"), ("unit", ""), ("worth", "MUSD/yr"),
                   ("detail", "")])
        for lim in res.limits:
            b.rows.append([lim.path, "yes" if lim.binding else "no", _qv(lim.step, system)[0],
                           _qv(lim.step, system)[1], None if lim.value_of_step is None else lim.value_of_step.value,
                           lim.detail])
        if res.next_unit is not None:
            n = res.next_unit
            b.rows.append([" + ".join(r.path for r in n.raised), "together",
                           " and ".join("{:.4g} {}".format(*_qv(r.step, system)) for r in n.raised), "",
                           n.value_of_step.value, f"room for one more {n.rack}; racks {n.racks_before} -> {n.racks_after}"])
        out.append(b)

    b = Block("Audit", [("result", ""), ("detail", "")])
    b.rows.append(["hours checked", res.audit.hours_checked])
    b.rows.append(["passed", "yes" if res.audit.passed else "no"])
    for v in res.audit.violations:
        b.rows.append([f"violation of {v.limit}", f"{v.what} at {v.timestamp}, by {fmt(v.excess.value, v.excess.unit)}"])
    for c in res.audit.checks:
        b.rows.append(["checked", c])
    out.append(b)

    if res.warnings:
        b = Block("Warnings: defaults that change the answer", [("path", ""), ("message", "")])
        b.rows += [[w.path, w.message] for w in res.warnings]
        out.append(b)
    return out


INPUTS_TITLE = "Inputs and their sources"


def input_rows(res: PlanResults, system: str = "si") -> list[tuple[str, str, float, str, str]]:
    """(TOML path, as written, value, unit, source) of each input, the value in ``system``'s units; the source
    is the site file's comment on the figure or the override that set it ("site file" when it names none)."""
    rows = []
    for i in res.inputs:
        value, unit = convert(i.value, i.unit, system)
        rows.append((i.path, i.as_written, value, unit, i.source or "site file (no source given)"))
    return rows


def _cell(value, unit: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str) or unit == "":
        return value if isinstance(value, str) else fmt(value)
    return fmt(value)


def _heading(heading: str, unit: str) -> str:
    return f"{heading} [{unit}]" if unit and unit != "*" else heading


def render_markdown(res: PlanResults, system: str = "si") -> str:
    lines = [f"# Capacity plan: {res.site.name}", "",
             f"schema_version {res.schema_version}; units: {'US customary' if system == 'us' else 'SI'}", ""]
    for b in blocks(res, system):
        lines += [f"## {b.title}", ""]
        lines.append("| " + " | ".join(_heading(h, u) for h, u in b.columns) + " |")
        lines.append("|" + "|".join("---:" if u else "---" for _, u in b.columns) + "|")
        for row in b.rows:
            cells = [_cell(v, u).replace("|", "\\|") for v, (_, u) in zip(row, b.columns)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    for note in res.explanation:
        lines += [f"## {note.title}", ""] + [f"- {line}" for line in note.lines] + [""]
    if res.inputs:
        lines += [f"## {INPUTS_TITLE}", "", "| TOML path | as written | value | unit | source |", "|---|---|---:|---|---|"]
        for path, written, value, unit, source in input_rows(res, system):
            cells = [f"`{path}`", written, f"{value:.6g}", unit, source]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


# --- plots --------------------------------------------------------------------------------------------


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plots(res: PlanResults, system: str = "si") -> list[tuple[str, str]]:
    """(title, base64 PNG) of the report's plots, drawn with matplotlib's Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    frame = hourly_frame(res)
    limit = res.site.operating_limit.value
    out = []

    kinds = [k for k in LOAD_TITLES if column_name(f"load_{k}", "MW") in frame]
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.stackplot(frame.index, *[frame[column_name(f"load_{k}", "MW")].to_numpy() for k in kinds],
                 labels=[LOAD_TITLES[k] for k in kinds], linewidth=0)
    ax.axhline(res.site.grid_limit.value, color="r", linestyle="-", linewidth=1, label="grid limit")
    ax.axhline(limit, color="k", linestyle="--", linewidth=1, label="operating limit (grid limit less margin)")
    ax.set_xlabel("time of year")
    ax.set_ylabel("grid draw [MW]")
    ax.legend(fontsize=7, loc="lower left", ncol=3)
    out.append(("Hourly grid draw by use against the limit", _png(fig)))

    fig, ax = plt.subplots(figsize=(7, 4))
    draw = np.sort(frame["grid_draw_MW"].to_numpy())[::-1]
    ax.plot(np.arange(1, len(draw) + 1), draw)
    ax.axhline(limit, color="k", linestyle="--", linewidth=1, label="operating limit")
    ax.set_xlabel("hours of the year at or above [h]")
    ax.set_ylabel("grid draw [MW]")
    ax.legend(fontsize=8)
    out.append(("Load-duration curve", _png(fig)))

    heat_cols = [c for c in frame.columns if c.startswith("heat_rejected_")]
    if heat_cols:
        fig, ax = plt.subplots(figsize=(7, 4))
        db, db_unit = frame["dry_bulb_degC"].to_numpy(), "degC"
        if system == "us":
            from planner.units import Q_

            db, db_unit = Q_(db, "degC").to("degF").magnitude, "degF"
        scale, heat_unit = convert(1.0, "MW", system, heat=True)
        for c in heat_cols:
            ax.scatter(db, frame[c].to_numpy() * scale, s=2, label=c.removeprefix("heat_rejected_").removesuffix("_MW"))
        ax.set_xlabel(f"dry bulb [{db_unit}]")
        ax.set_ylabel(f"heat rejected [{heat_unit}]")
        ax.legend(fontsize=7, markerscale=4)
        out.append(("Heat rejected per module type against dry bulb", _png(fig)))

    month = frame.index.month
    energy = [frame["grid_draw_MW"].to_numpy()[month == m].sum() for m in range(1, 13)]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(MONTHS, energy)
    ax.set_xlabel("month")
    ax.set_ylabel("site energy [MWh]")
    out.append(("Monthly energy from the grid", _png(fig)))

    monthly = monthly_noi(res)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(MONTHS, monthly)
    ax.axhline(0, color="k", linewidth=0.8)
    ax.set_xlabel("month")
    ax.set_ylabel("NOI [MUSD]")
    out.append(("Monthly NOI (energy and mining hourly; other parts spread over the hours)", _png(fig)))

    steps = [(k.replace("_", " "), v.value or 0.0) for k, v in res.noi.parts.items() if v.value]
    steps.append(("annualised capex", -(res.noi.annualised_capex.value or 0.0)))
    fig, ax = plt.subplots(figsize=(9, 4))
    level = 0.0
    for i, (name, value) in enumerate(steps):
        ax.bar(i, value, bottom=level, color="tab:green" if value >= 0 else "tab:red")
        level += value
    ax.bar(len(steps), level, color="tab:blue")
    ax.set_xticks(range(len(steps) + 1), [n for n, _ in steps] + ["NOI less annualised capex"], rotation=35,
                  ha="right", fontsize=8)
    ax.axhline(0, color="k", linewidth=0.8)
    ax.set_ylabel("NOI parts [MUSD/yr]")
    out.append(("NOI waterfall: revenue, costs and annualised capex", _png(fig)))

    mining_cols = [c for c in frame.columns if c.startswith("mining_") and not c.startswith("mining_available_")]
    if mining_cols:
        run = sum(frame[c].to_numpy() for c in mining_cols)
        out.append((MINING_DISPATCH_TITLE, _day_by_hour(day_by_hour(run), "mining running [MW]", "viridis")))
        curtailed = curtailment(res)
        out.append((CURTAILMENT_TITLE, _day_by_hour(day_by_hour(curtailed), "mining curtailed [MW]", "magma_r")))
    return out


MINING_DISPATCH_TITLE = "Mining dispatch, hour of day by day of year"
CURTAILMENT_TITLE = "Mining curtailed (available but not running), hour of day by day of year"


def curtailment(res: PlanResults) -> np.ndarray:
    """Mining curtailed each hour of the year [MW]: what the miners installed could run (the hot-air derating
    applied) less what runs, summed over the miners; zeros where no miner is installed."""
    series = res.hourly.series
    out = np.zeros(len(res.hourly.timestamp))
    for m in res.design.miners:
        available, running = series.get(f"mining_available_{m.id}"), series.get(f"mining_{m.id}")
        if available is not None and running is not None:
            out += np.clip(np.asarray(available.values) - np.asarray(running.values), 0.0, None)
    return out


def day_by_hour(hourly: np.ndarray) -> np.ndarray:
    """An hourly series of the year as a (day of year, hour of day) array: 365 x 24 for 8760 hours."""
    days = len(hourly) // 24
    return np.asarray(hourly[: days * 24], dtype=float).reshape(days, 24)


def _day_by_hour(grid: np.ndarray, label: str, cmap: str) -> str:
    """A heat map of a (day, hour) array, days across and hours up, as a base64 PNG."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3))
    im = ax.imshow(grid.T, aspect="auto", origin="lower", cmap=cmap, interpolation="nearest")
    ax.set_xlabel("day of year [d]")
    ax.set_ylabel("hour of day [h]")
    fig.colorbar(im, ax=ax, label=label)
    return _png(fig)


def monthly_noi(res: PlanResults) -> list[float]:
    """NOI by month [MUSD]: energy cost and mining revenue from the hourly series, every other part of the
    year's NOI spread in proportion to hours. The twelve months add up to the year's NOI."""
    frame = hourly_frame(res)
    month = frame.index.month.to_numpy()
    hours = len(frame)
    energy = frame["grid_draw_MW"].to_numpy() * frame["energy_price_USD_per_MWh"].to_numpy() / 1e6
    parts = res.noi.parts
    mining_total = parts["mining_revenue"].value or 0.0
    mined = sum(frame[c].to_numpy() for c in frame.columns
                if c.startswith("mining_") and not c.startswith("mining_available_"))
    mined = mined if isinstance(mined, np.ndarray) else np.zeros(hours)
    mining = mined / mined.sum() * mining_total if mined.sum() > 0 else np.zeros(hours)
    energy_total = -(parts["energy"].value or 0.0)
    rest = res.noi.noi.value - mining_total + energy_total
    out = []
    for m in range(1, 13):
        sel = month == m
        out.append(float(mining[sel].sum() - energy[sel].sum() + rest * sel.sum() / hours))
    return out


def render_html(res: PlanResults, system: str = "si") -> str:
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
             f"<title>Capacity plan: {esc(res.site.name)}</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px}"
             "td.n{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%}</style>",
             "</head><body>", f"<h1>Capacity plan: {esc(res.site.name)}</h1>",
             f"<p>schema_version {esc(res.schema_version)}; units: {'US customary' if system == 'us' else 'SI'}</p>"]
    for b in blocks(res, system):
        parts.append(f"<h2>{esc(b.title)}</h2><table><thead><tr>")
        parts += [f"<th>{esc(_heading(h, u))}</th>" for h, u in b.columns]
        parts.append("</tr></thead><tbody>")
        for row in b.rows:
            cells = []
            for v, (_, u) in zip(row, b.columns):
                numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
                cells.append(f"<td{' class=n' if numeric else ''}>{esc(_cell(v, u))}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    for note in res.explanation:
        parts.append(f"<h2>{esc(note.title)}</h2><ul>" + "".join(f"<li>{esc(line)}</li>" for line in note.lines)
                     + "</ul>")
    parts.append("<h2>Plots</h2>")
    for title, png in plots(res, system):
        parts.append(f"<figure><img alt='{esc(title)}' src='data:image/png;base64,{png}'>"
                     f"<figcaption>{esc(title)}</figcaption></figure>")
    if res.inputs:
        parts.append(f"<h2>{esc(INPUTS_TITLE)}</h2><table><thead><tr><th>TOML path</th><th>as written</th>"
                     "<th>value</th><th>unit</th><th>source</th></tr></thead><tbody>")
        parts += [f"<tr><td><code>{esc(path)}</code></td><td>{esc(written)}</td><td class=n>{value:.6g}</td>"
                  f"<td>{esc(unit)}</td><td>{esc(source)}</td></tr>"
                  for path, written, value, unit, source in input_rows(res, system)]
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_xlsx(res: PlanResults, path: Path, system: str = "si") -> None:
    """Summary, bill of materials, hourly operation and inputs; numbers as numbers, units in the headers."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)  # streamed: a year of hours is written several times faster
    ws = wb.create_sheet("summary")
    ws.append(["key", "figure", "value", "unit"])
    for row in summary_rows(res, system):
        ws.append(list(row))
    bs = {b.title: b for b in blocks(res, system)}
    for name, title in (("bill of materials", "Bill of materials"), ("racks", "Racks"), ("energy", "Energy by kind"),
                        ("noi", "Net operating income"), ("capex", "Capital cost")):
        b = bs[title]
        sheet = wb.create_sheet(name)
        sheet.append([_heading(h, u) for h, u in b.columns])
        for r in b.rows:
            sheet.append(r)
    sheet = wb.create_sheet("hourly")
    frame = hourly_frame(res)
    sheet.append(["timestamp", *frame.columns])
    for ts, values in zip(frame.index.to_pydatetime(), frame.to_numpy().tolist()):
        sheet.append([ts, *values])
    sheet = wb.create_sheet("inputs")
    sheet.append(["TOML path", "as written", "value", "unit", "source"])
    for row in input_rows(res, system):
        sheet.append(list(row))
    wb.save(path)


def _atomic(path: Path, write) -> None:
    with atomic_path(path, "--out") as tmp:
        write(tmp)


def write_outputs(res: PlanResults, out_dir: str | Path, system: str = "si") -> list[Path]:
    """Write the six report files to ``out_dir`` (created if missing), each atomically; return their paths."""
    folder = Path(out_dir)
    os.makedirs(folder, exist_ok=True)
    frame = hourly_frame(res)
    written = []

    def put(name, write):
        target = folder / name
        _atomic(target, write)
        written.append(target)

    put("plan.json", lambda p: p.write_text(res.model_dump_json(indent=1) + "\n"))
    put("report.md", lambda p: p.write_text(render_markdown(res, system)))
    put("hourly.csv", lambda p: frame.to_csv(p, index_label="timestamp", float_format="%.6g"))
    put("hourly.parquet", lambda p: frame.to_parquet(p, engine="pyarrow"))
    put("plan.xlsx", lambda p: write_xlsx(res, p, system))
    put("report.html", lambda p: p.write_text(render_html(res, system)))
    return written


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text.lower())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "option"


def _rows_markdown(rows: list[dict]) -> list[str]:
    if not rows:
        return ["(no rows)"]
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(("" if r[h] is None else fmt(r[h]) if isinstance(r[h], float) else str(r[h]))
                                        .replace("|", "\\|") for h in heads) + " |")
    return lines


def write_comparison(out_dir: str | Path, data: dict, rows: list[dict], runs, system: str = "si") -> list[Path]:
    """`plan compare --out DIR`: the options side by side (compare.json, compare.csv, report.md, report.html)
    and, in DIR/<scenario>/<layout>/, the report files of each option with a plan.

    ``runs``: (scenario label, loaded site, list of compare.LayoutResult).
    """
    folder = Path(out_dir)
    os.makedirs(folder, exist_ok=True)
    written: list[Path] = []
    links: list[tuple[str, str, str]] = []
    for label, loaded, results in runs:
        for r in results:
            if r.has_plan:
                sub = Path(_slug(label)) / _slug(r.name)
                written += write_outputs(r.plan_results(loaded), folder / sub, system)
                links.append((label, r.name, sub.as_posix()))

    written += write_side_by_side(folder, "compare", f"Cooling layouts compared: {data.get('site', '')}", data, rows,
                                  links, system=system)
    return written


def write_side_by_side(folder: Path, stem: str, title: str, data: dict, rows: list[dict],
                       links: list[tuple[str, str, str]] = (), figures: list[tuple[str, str]] = (),
                       system: str = "si") -> list[Path]:
    """Options side by side: ``<stem>.json`` (``data``), ``<stem>.csv`` (``rows``, headings with units),
    ``report.md`` and ``report.html`` (the rows as a table in ``system``'s units, ``links`` to each option's
    report, ``figures`` as (title, base64 PNG)). JSON and CSV, for programs, stay in SI units."""
    import csv
    import json

    from planner.report.render import jsonable
    from planner.report.usunits import convert_rows

    written: list[Path] = []

    def put(name, write):
        _atomic(folder / name, write)
        written.append(folder / name)

    def cell(v) -> str:
        return "" if v is None else fmt(v) if isinstance(v, float) else str(v)

    put(f"{stem}.json", lambda p: p.write_text(json.dumps(data, indent=1, default=jsonable) + "\n"))

    def write_csv(p):
        with open(p, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["option"])
            w.writeheader()
            w.writerows(rows)

    put(f"{stem}.csv", write_csv)
    shown = convert_rows(rows, system)  # for people: the Markdown and HTML tables
    heads = list(shown[0]) if shown else []
    md = [f"# {title}", "", f"units: {'US customary' if system == 'us' else 'SI'}", ""]
    if heads:
        md += ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
        md += ["| " + " | ".join(cell(r[h]).replace("|", "\\|") for h in heads) + " |" for r in shown]
    if links:
        md += ["", "## Reports of each option", ""]
        md += [f"- {label} / {name}: [{sub}/report.md]({sub}/report.md)" for label, name, sub in links]
    put("report.md", lambda p: p.write_text("\n".join(md) + "\n"))
    esc = html.escape
    page = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>", f"<title>{esc(title)}</title>",
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px}img{max-width:100%}</style></head><body>",
            f"<h1>{esc(title)}</h1>",
            "<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr></thead><tbody>"]
    page += ["<tr>" + "".join(f"<td>{esc(cell(r[h]))}</td>" for h in heads) + "</tr>" for r in shown]
    page.append("</tbody></table>")
    for fig_title, png in figures:
        page.append(f"<figure><img alt='{esc(fig_title)}' src='data:image/png;base64,{png}'>"
                    f"<figcaption>{esc(fig_title)}</figcaption></figure>")
    if links:
        page.append("<h2>Reports of each option</h2><ul>")
        page += [f"<li><a href='{esc(sub)}/report.html'>{esc(label)} / {esc(name)}</a></li>"
                 for label, name, sub in links]
        page.append("</ul>")
    page.append("</body></html>")
    put("report.html", lambda p: p.write_text("\n".join(page) + "\n"))
    return written


def sweep_figures(axes, points) -> list[tuple[str, str]]:
    """NOI and NOI less annualised capex against each numeric path of a sweep (other paths mixed in)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out = []
    for k, axis in enumerate(axes):
        pts = [p for p in points if p.planned and p.values[k].number is not None]
        if len(pts) < 2:
            continue
        unit = pts[0].values[k].unit or "-"
        fig, ax = plt.subplots(figsize=(7, 4))
        for key, label in (("noi", "NOI"), ("noi_less_annualised_capex", "NOI less annualised capex")):
            xs = [p.values[k].number for p in pts]
            ys = [p.result.figures.get(key) for p in pts]
            ax.plot(xs, ys, "o", label=label)
        ax.set_xlabel(f"{axis.path} [{unit}]")
        ax.set_ylabel("NOI [MUSD/yr]")
        ax.legend(fontsize=8)
        out.append((f"NOI against {axis.path}", _png(fig)))
    return out
