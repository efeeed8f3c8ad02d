"""Plan a site's conversion over time (``plan timeline``): inputs -> technology -> MILP -> audits -> results.

1. The site is resolved on every hour of its weather year.
2. The equipment types are chosen by the site's steady-state plan on 4 representative days (the
   first stage of the fast strategy, :mod:`planner.strategy`); the periods may install any number
   of those types (the counts per period are the timeline's decisions).
3. The multi-period MILP (:mod:`planner.timeline.model`) is solved.
4. Each period's equipment is run for every hour of the period's months of the weather year by the
   audit of :mod:`planner.audit` (its own dispatch, outside the optimiser).
5. The results model (:class:`planner.timeline.results.TimelineResults`) is computed once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from planner.audit import Design, audit
from planner.inputs import Inputs, resolve
from planner.load import LoadedSite
from planner.model import build_model, value_of
from planner.results import SolverResults, q
from planner.solve import SolveResult, solve
from planner.strategy import representative_inputs
from planner.timeline.calendar import discount_factor, irr, payback
from planner.timeline.model import TimelineModel, _delta, build_timeline_model, cash_time
from planner.timeline.periods import TimelineInputs, timeline_inputs
from planner.timeline.results import Baseline, Monetisation, PeriodAudit, PeriodResults, TimelineResults

TECHNOLOGY_DAYS = 4


@dataclass
class TimelineRun:
    loaded: LoadedSite
    tin: TimelineInputs
    model: TimelineModel
    solve: SolveResult
    results: TimelineResults | None
    variants: list = field(default_factory=list)  # the alternatives solved (Variant)


def choose_technology(base: Inputs, solver: str) -> tuple[dict[str, set[str]], str]:
    """Equipment types of the site's steady-state plan on representative days (every type offered if
    that plan installs none of a kind)."""
    small = representative_inputs(base, TECHNOLOGY_DAYS) or base
    model = build_model(small)
    res = solve(model, solver=solver, mip_gap=1e-3)
    if not res.has_solution:
        return {}, f"every type offered (the steady-state plan found none: {res.status})"

    def used(counts: dict) -> set[str]:
        return {k for k, v in counts.items() if round(value_of(v)) > 0}

    keep = {"racks": used(model.units), "cdus": used(model.cdus), "heat_rejection": used(model.modules),
            "air_side": used(model.air_units)}
    keep = {k: v for k, v in keep.items() if v}
    text = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in keep.items())
    return keep, (f"{text} (the types of the site's steady-state plan on {TECHNOLOGY_DAYS} representative days; "
                  "the timeline chooses how many of each, period by period)")


def plan_timeline(loaded: LoadedSite, *, solver: str = "highs", time_limit: float | None = None,
                  mip_gap: float | None = 1e-4, say: Callable[[str], None] = lambda text: None,
                  alternatives: bool = True) -> TimelineRun:
    """Plan the site's ``[timeline]``: see the module docstring.

    With ``alternatives``, the timeline is also solved without racks (the site kept mining and its fleet
    sold when that pays: the baseline the conversion is measured against) and, when the optimiser may
    choose between selling GPU hours and leasing, with the monetisation it did not choose.
    """
    t0 = time.perf_counter()
    base = resolve(loaded)
    say("choosing the equipment types")
    keep, tech_text = choose_technology(base, solver)
    tin = timeline_inputs(loaded, base, keep)
    say(f"building the {len(tin.periods)}-period model")
    tm = build_timeline_model(tin)
    build_s = time.perf_counter() - t0
    say(f"solving ({tm.prob.numVariables():,} variables, {tm.prob.numConstraints():,} rows)")
    res = solve(tm, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    run = TimelineRun(loaded, tin, tm, res, None)
    if res.has_solution:
        say("auditing every hour of every period")
        t1 = time.perf_counter()
        run.results = build_timeline_results(run, tech_text, build_s)
        run.results.solver.audit_time = q(time.perf_counter() - t1, "s")
        if alternatives:
            t2 = time.perf_counter()
            add_alternatives(run, solver=solver, time_limit=time_limit, mip_gap=mip_gap, say=say)
            run.results.alternatives_time = q(time.perf_counter() - t2, "s")
    return run


@dataclass
class Variant:
    """The timeline solved with a restriction: its status, NPV, cash flows and rent slope."""

    name: str
    solve: SolveResult
    npv: float | None = None  # kUSD
    times: list[float] | None = None
    flows: list[float] | None = None  # kUSD at ``times``
    rent: float = 0.0  # discounted rent of its leased units per USD/kW/month [kUSD]


def cash_flows(tm: TimelineModel) -> tuple[list[float], list[float], float]:
    """(times [year], cash [kUSD], NPV [kUSD]) of a solved timeline: every part of every period at its
    time, and the terminal value at the end."""
    tin = tm.tin
    times, flows = [], []
    for p, pi in enumerate(tin.periods):
        for key, expr in tm.parts[p].items():
            times.append(cash_time(pi.period, key))
            flows.append(value_of(expr))
    times.append(tin.periods[-1].period.t_end)
    flows.append(sum(value_of(v) for v in tm.terminal.values()))
    npv = float(np.dot(flows, discount_factor(tin.discount_rate, times)))
    return times, flows, npv


def rent_slope(tm: TimelineModel) -> float:
    """Discounted rent of a solved timeline's leased units per USD/kW/month of lease price [kUSD]."""
    values = cohort_values(tm)
    out = 0.0
    for r in tm.tin.periods[0].inp.racks:
        for p in range(len(tm.tin.periods)):
            dc = value_of(_delta([per[r.id] for per in tm.colo], p))
            out += dc * values[(r.id, p)][2]
    return out


RESTRICTIONS = {"baseline": ("units",), "gpu_as_a_service": ("colo",), "colocation": ("gpu",)}


def solve_variant(tin: TimelineInputs, name: str, *, solver: str, time_limit: float | None,
                  mip_gap: float | None) -> Variant:
    """The timeline without racks (``baseline``), or with one monetisation only."""
    tm = build_timeline_model(tin)
    for key in RESTRICTIONS[name]:
        series = [b.x["units"] for b in tm.builders] if key == "units" else getattr(tm, key)
        for per in series:
            for var in per.values():
                var.upBound = 0
    res = solve(tm, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    v = Variant(name, res)
    if res.has_solution:
        v.times, v.flows, v.npv = cash_flows(tm)
        v.rent = rent_slope(tm)
    return v


def add_alternatives(run: TimelineRun, *, solver: str, time_limit: float | None, mip_gap: float | None,
                     say: Callable[[str], None]) -> None:
    """The baseline without conversion, the monetisation not chosen, and what they tell (on ``run.results``)."""
    res, tin, tm = run.results, run.tin, run.model
    times, flows, npv = cash_flows(tm)
    if sum(sum(p.racks.values()) for p in res.periods) > 0:
        say("solving the baseline: no racks, the fleet mined and sold when that pays")
        base = solve_variant(tin, "baseline", solver=solver, time_limit=time_limit, mip_gap=mip_gap)
        run.variants.append(base)
        if base.npv is not None:
            res.baseline = Baseline(
                description="no racks: the owned miners run where hall, grid and cooling allow and are sold when "
                            "that pays",
                status=base.solve.status, npv=q(base.npv / 1e3, "MUSD"),
                incremental_npv=q((npv - base.npv) / 1e3, "MUSD"))
            if times == base.times:
                r_inc = irr(times, np.subtract(flows, base.flows))
                res.baseline.incremental_irr = None if r_inc is None else q(r_inc * 100, "%/year")
    mon = res.monetisation
    if tin.monetisation != "choose" or not tin.lease_offered or mon.chosen == "none":
        return
    npvs = {mon.chosen: (npv, rent_slope(tm))} if mon.chosen != "mixed" else {}
    for name in ("gpu_as_a_service", "colocation"):
        if name in npvs:
            continue
        say(f"solving with {name.replace('_', ' ')} only")
        v = solve_variant(tin, name, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
        run.variants.append(v)
        if v.npv is None:
            return
        npvs[name] = (v.npv, v.rent)
    (g, _), (c, slope) = npvs["gpu_as_a_service"], npvs["colocation"]
    mon.basis = "each optimised on its own"
    mon.npv_gpu_as_a_service = q(g / 1e3, "MUSD")
    mon.npv_colocation = q(c / 1e3, "MUSD")
    if slope > 0:
        mon.flip_lease_price = q(tin.periods[0].lease_price - (c - g) / slope, "USD/kW/month")


def period_design(tm: TimelineModel, p: int) -> Design:
    """The equipment installed in period ``p``, as the audit reads a design, with the period's heat dispatch.

    Each hour of the period's months takes the heat dispatch of the model hour that dominates it (at
    least as hot and as humid), as a plan on representative days does (:func:`planner.plan.extract_design`):
    where the grid binds the audit runs the plant as the optimiser did, not by its own merit order,
    which can draw a few kW more at the hottest hour.
    """
    from planner.inputs import dominating_model_hour
    from planner.plan import spread_over_hours

    x, inp = tm.builders[p].x, tm.tin.periods[p].inp

    def n(var) -> int:
        return int(round(value_of(var)))

    t_of = dominating_model_hour(tm.tin.periods[p].audit_inp)
    heat = wet = None
    if (t_of >= 0).all():
        heat = {k: spread_over_hours(v, inp.hours, t_of) for k, v in x["heat"].items()}
        wet = {k: spread_over_hours(v, inp.hours, t_of) for k, v in x["wet"].items()}
    return Design(racks={r.id: n(x["units"][r.id]) * r.su_racks for r in inp.racks},
                  cdus={k: n(v) for k, v in x["cdus"].items()}, modules={k: n(v) for k, v in x["modules"].items()},
                  air_units={k: n(v) for k, v in x["air_units"].items()},
                  mining={m.id: n(x["lots"][m.id]) * m.lot_mw for m in inp.miners}, heat_dispatch=heat,
                  wet_dispatch=wet)


def _audit_period(tm: TimelineModel, p: int, design: Design) -> PeriodAudit:
    pi = tm.tin.periods[p]
    res = audit(pi.audit_inp, design)
    problems = [str(v) for v in res.violations]
    rack_area = sum(design.racks.get(r.id, 0) // r.su_racks * (r.su_racks * r.floor_area + r.support_floor_area)
                    for r in pi.inp.racks) + sum(design.cdus.get(c.id, 0) * c.floor_area for c in pi.inp.cdus) \
        + sum(design.air_units.get(a.id, 0) * a.floor_area for a in pi.inp.air_side)
    if rack_area > pi.converted_area * (1 + 1e-7) + 1e-6:
        problems.append(f"timeline.hall_phases: racks, CDUs and air-side units take {rack_area:,.0f} m^2, more than "
                        f"the {pi.converted_area:,.0f} m^2 of converted hall")
    return PeriodAudit(passed=not problems, hours_checked=res.hours_checked, violations=problems)


def cohort_values(tm: TimelineModel) -> dict[tuple[str, int], tuple[float, float, float]]:
    """Per scalable unit signed in a period: discounted value selling GPU hours, what a lease brings
    besides its rent (power paid back, facility opex passed through), and the rent per USD/kW/month
    of lease price [kUSD at the start]."""
    tin = tm.tin
    rate = tin.discount_rate
    mid = [float(discount_factor(rate, pi.period.t_mid)) for pi in tin.periods]
    start = [float(discount_factor(rate, pi.period.t_start)) for pi in tin.periods]
    end = float(discount_factor(rate, tin.periods[-1].period.t_end))
    out = {}
    for (rid, qq), cc in tm.cohorts.items():
        gpu = float(np.dot(mid, np.add(cc.gpu, cc.gpu_support))) - start[qq] * cc.gpu_capex + end * cc.gpu_book
        out[(rid, qq)] = (gpu, float(np.dot(mid, np.add(cc.colo_power, cc.colo_opex_saved))),
                          float(np.dot(mid, cc.colo_per_lease)))
    return out


def _monetisation(tm: TimelineModel, npv: float) -> Monetisation:
    tin = tm.tin
    racks = tin.periods[0].inp.racks
    n = len(tin.periods)
    values = cohort_values(tm)
    lease0 = tin.periods[0].lease_price

    def delta(series, r, p):
        return value_of(_delta([per[r.id] for per in series], p))

    g_total = sum(value_of(tm.gpu[-1][r.id]) for r in racks)
    c_total = sum(value_of(tm.colo[-1][r.id]) for r in racks)
    chosen = "none" if g_total + c_total < 0.5 else (
        "mixed" if g_total > 0.5 and c_total > 0.5 else ("gpu_as_a_service" if g_total > 0.5 else "colocation"))
    if not tin.lease_offered:
        return Monetisation(chosen=chosen, basis="the plan", npv_gpu_as_a_service=q(npv / 1e3, "MUSD"),
                            npv_colocation=None, lease_term=None,
                            lease_price=None, break_even_lease_price=None, break_even_by_cohort={})
    to_gpu = to_colo = 0.0
    num = den = 0.0
    by_cohort = {}
    for r in racks:
        for p in range(n):
            gpu, power, rent = values[(r.id, p)]
            colo = power + rent * lease0
            dg, dc = delta(tm.gpu, r, p), delta(tm.colo, r, p)
            to_gpu += dc * (gpu - colo)
            to_colo += dg * (colo - gpu)
            added = dg + dc
            if added > 0.5 and rent > 0:
                by_cohort[f"{tin.periods[p].period.label} {r.id}"] = q((gpu - power) / rent, "USD/kW/month")
                num += added * (gpu - power)
                den += added * rent
    return Monetisation(
        chosen=chosen, basis="on the plan's build schedule, each unit switched to the other use",
        npv_gpu_as_a_service=q((npv + to_gpu) / 1e3, "MUSD"),
        npv_colocation=q((npv + to_colo) / 1e3, "MUSD"), lease_price=q(lease0, "USD/kW/month"),
        lease_term=q(tin.lease_term, "year"),
        break_even_lease_price=q(num / den, "USD/kW/month") if den > 0 else None, break_even_by_cohort=by_cohort)


def build_timeline_results(run: TimelineRun, tech_text: str, build_s: float) -> TimelineResults:
    """The results model of a solved timeline (audits every period)."""
    tm, tin, res = run.model, run.tin, run.solve
    rate = tin.discount_rate
    rows, cum_cash, cum_npv = [], 0.0, 0.0
    ends, starts, cum_series, dcum_series = [], [], [], []
    all_passed = True
    for p, pi in enumerate(tin.periods):
        per, inp, x = pi.period, pi.inp, tm.builders[p].x
        parts = {k: value_of(v) for k, v in tm.parts[p].items()}
        df_mid = float(discount_factor(rate, per.t_mid))
        cash = sum(parts.values())
        dcf = sum(v * float(discount_factor(rate, cash_time(per, k))) for k, v in parts.items())
        cum_cash += cash
        cum_npv += dcf
        starts.append(per.t_start)
        ends.append(per.t_end)
        cum_series.append(cum_cash)
        dcum_series.append(cum_npv)
        design = period_design(tm, p)
        pa = _audit_period(tm, p, design)
        all_passed &= pa.passed
        w = np.asarray(inp.weight, dtype=float)
        energy = sum(w[t] * value_of(row) for t, row in enumerate(x["grid_rows"])) * per.years
        mining_avg = sum(float(np.dot(w, [value_of(v) for v in x["dispatch"][m.id]])) for m in inp.miners) / w.sum()
        units = {r.id: int(round(value_of(x["units"][r.id]))) for r in inp.racks}
        rows.append(PeriodResults(
            period=per.label, start=per.start.isoformat(), end=per.end.isoformat(),
            racks={r.id: units[r.id] * r.su_racks for r in inp.racks},
            racks_gpu_as_a_service={r.id: int(round(value_of(tm.gpu[p][r.id]))) * r.su_racks for r in inp.racks},
            racks_colocation={r.id: int(round(value_of(tm.colo[p][r.id]))) * r.su_racks for r in inp.racks},
            gpus=sum(units[r.id] * r.su_racks * r.gpus for r in inp.racks),
            it_design=q(sum(units[r.id] * r.su_it_design for r in inp.racks), "MW"),
            it_gpu_as_a_service=q(sum(value_of(tm.gpu[p][r.id]) * r.su_it_typical for r in inp.racks), "MW"),
            it_colocation=q(sum(value_of(tm.colo[p][r.id]) * r.su_it_typical for r in inp.racks), "MW"),
            cdus=design.cdus, heat_rejection=design.modules, air_side=design.air_units,
            mining_installed={k: q(v, "MW") for k, v in design.mining.items()},
            miners_owned={m.id: int(round(value_of(tm.owned[p][m.id]) + value_of(tm.bought[p][m.id]))) * m.lot_size
                          for m in inp.miners},
            mining_average=q(mining_avg, "MW"), converted_hall=q(pi.converted_area, "m^2"),
            hashprice=q(pi.hashprice, "USD/PH/s/day"), block_subsidy=q(pi.block_subsidy, "BTC"),
            gpu_price={k: q(v, "USD/GPU/h") for k, v in pi.gpu_price.items()},
            energy=q(energy, "MWh"), grid_average=q(energy / (per.years * 8760.0), "MW"), cash={k: q(v / 1e3, "MUSD") for k, v in parts.items()},
            cash_flow=q(cash / 1e3, "MUSD"), discount_factor=df_mid, discounted_cash_flow=q(dcf / 1e3, "MUSD"),
            cumulative_cash=q(cum_cash / 1e3, "MUSD"), cumulative_npv=q(cum_npv / 1e3, "MUSD"), audit=pa))
    end = tin.periods[-1].period.t_end
    terminal = {k: value_of(v) for k, v in tm.terminal.items()}
    times, flows, npv = cash_flows(tm)
    r_irr = irr(times, flows)
    pb = payback(ends, cum_series, starts)
    dpb = payback(ends, dcum_series, starts)
    capex = -sum(value_of(tm.parts[p][k]) for p in range(len(tin.periods))
                 for k in ("capex_facility", "capex_gpu", "capex_miners"))
    rule = {"annuity": "capex not yet recovered at the annualised rate over its economic life (economics.gpu_life, "
                       "economics.facility_life, discount rate), and the resale value of miners still owned",
            "book_value": "capex less straight-line depreciation over its economic life (economics.gpu_life, "
                          "economics.facility_life), and the resale value of miners still owned",
            "none": "none"}[tin.terminal_value]
    return TimelineResults(
        site=run.loaded.spec.site.name,
        horizon=f"{tin.periods[0].period.start.isoformat()} to {tin.periods[-1].period.end.isoformat()} in "
                f"{len(tin.periods)} periods",
        periods=rows, npv=q(npv / 1e3, "MUSD"), terminal_value={k: q(v / 1e3, "MUSD") for k, v in terminal.items()},
        terminal_value_rule=rule,
        npv_without_terminal_value=q(cum_npv / 1e3, "MUSD"),
        terminal_value_discounted=q(float(discount_factor(rate, end)) * sum(terminal.values()) / 1e3, "MUSD"), irr=None if r_irr is None else q(r_irr * 100, "%/year"),
        payback=None if pb is None else q(pb, "year"), discounted_payback=None if dpb is None else q(dpb, "year"),
        capex_total=q(capex / 1e3, "MUSD"), discount_rate=q(rate * 100, "%/year"),
        monetisation=_monetisation(tm, npv), technology=tech_text,
        solver=SolverResults(
            solver=res.solver, status=res.status, detail=res.detail or "",
            objective=q(None if res.objective is None else res.objective / 1e3, "MUSD"),
            bound=q(None if res.bound is None else res.bound / 1e3, "MUSD"),
            gap=q(None if res.gap is None else res.gap * 100, "%"), variables=int(tm.prob.numVariables()),
            constraints=int(tm.prob.numConstraints()), build_time=q(build_s, "s"),
            solve_time=q(res.solve_seconds, "s")),
        audit_passed=all_passed, notes=list(tin.notes))


__all__ = ["TimelineRun", "plan_timeline", "choose_technology", "build_timeline_results", "period_design",
           "cohort_values", "cash_flows", "solve_variant", "add_alternatives", "Variant"]
