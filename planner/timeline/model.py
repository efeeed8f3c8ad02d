"""The multi-period MILP of a timeline. No I/O.

Every period is the site's one-year model (:data:`planner.model.DEFINES`) on the period's
representative hours, sharing one problem under a name prefix ``p<k>_``; this module links them:

- racks (scalable units), CDUs, air-side units and heat-rejection modules are kept once
  installed: each count is at least the previous period's;
- each scalable unit sells GPU hours (``gpu``) or is leased (``colo``), both kept once signed;
- racks are commissioned no faster than the deliveries allow, and occupy only converted hall;
- the owned fleet only shrinks (miners are sold, never bought back) and sells at its resale value;
  owned miners are installed (taking hall, grid and cooling) or kept in store; with
  ``timeline.new_miners`` miners may also be bought, and are kept;
- capex lands in the period it is spent (the increase of the installed equipment's price);
- the budget holds for all that is spent.

Objective: NPV [kUSD] at the site's discount rate: each period's operating cash at its middle,
capex and sales at its start, the terminal value at the end of the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from planner.model import DEFINES, GPU_HOURS_PER_YEAR, K, Builder, _affine, define_noi, gc_paused, gpu_revenue_per_unit
from planner.timeline.calendar import discount_factor, value_left
from planner.timeline.periods import TimelineInputs

MONTHS_PER_YEAR = 12.0


@dataclass
class CohortCash:
    """Cash of one scalable unit signed in period q, per period p >= q [kUSD], undiscounted."""

    gpu: list[float]  # GPU-hour revenue
    gpu_support: list[float]  # GPU and network hardware support (negative)
    colo_per_lease: list[float]  # rent per USD/kW/month of the lease price at the start (escalated, ramped)
    colo_power: list[float]  # power the tenant pays back
    colo_opex_saved: list[float]  # facility opex the lease passes through (economics less colocation opex)
    gpu_capex: float  # GPU hardware and installation [kUSD], at q's start
    gpu_book: float  # its value left at the end of the horizon (timeline.terminal_value) [kUSD]


def cohort_cash(tin: TimelineInputs, r, q: int) -> CohortCash:
    """Per-unit cash of rack type ``r`` for a unit signed in period ``q`` (GPUs sold by the hour or leased)."""
    pers = tin.periods
    hw = K * r.su_hardware_price
    util = pers[q].inp.utilisation
    gpu, support, per_lease, power, saved = [], [], [], [], []
    for p, pi in enumerate(pers):
        if p < q:
            for series in (gpu, support, per_lease, power, saved):
                series.append(0.0)
            continue
        years = pi.period.years
        price = pers[q].gpu_price[r.id] if tin.contract == "locked" else pi.gpu_price[r.id]
        u = tin.first_utilisation if (p == q and tin.first_utilisation is not None) else util
        gpu.append(years * gpu_revenue_per_unit(pi.inp, r, price=price, utilisation=u))
        support.append(-years * K * pi.inp.it_support * r.su_hardware_price)
        rent = K * MONTHS_PER_YEAR * years * r.su_it_design * 1000.0  # per USD/kW/month, design IT in kW
        occupancy = tin.lease_first_occupancy if p == q else 1.0
        per_lease.append(occupancy * rent * pi.lease_escalation)
        saved.append(K * years * (pi.inp.facility_opex - tin.lease_facility_opex) * r.su_it_design)
        a_ups = 1.0 / (pi.inp.transformer_efficiency * pi.inp.ups_efficiency)
        power.append(K * years * GPU_HOURS_PER_YEAR * pi.energy_price_mean * a_ups * r.su_it_typical
                      if tin.tenant_pays_power else 0.0)
    end = pers[-1].period.t_end
    left = value_left(tin.discount_rate, tin.gpu_life, end - pers[q].period.t_start, tin.terminal_value)
    capex = hw * (1.0 + tin.installation)
    return CohortCash(gpu, support, per_lease, power, saved, capex, capex * left)


@dataclass
class TimelineModel:
    prob: pulp.LpProblem
    tin: TimelineInputs
    builders: list[Builder]
    gpu: list[dict[str, pulp.LpVariable]]  # scalable units selling GPU hours, per period and rack type
    colo: list[dict[str, pulp.LpVariable]]  # scalable units leased
    parts: list[dict[str, pulp.LpAffineExpression]]  # cash flow parts per period [kUSD], undiscounted
    terminal: dict[str, pulp.LpAffineExpression]  # [kUSD] at the end of the horizon
    cohorts: dict[tuple[str, int], CohortCash] = field(default_factory=dict)
    owned: list[dict[str, pulp.LpVariable]] = field(default_factory=list)  # fleet lots owned per period
    bought: list[dict[str, pulp.LpVariable]] = field(default_factory=list)  # new lots bought by each period

    @property
    def constant_kusd(self) -> float:
        """The objective's constant, which the solver never sees."""
        return float(self.prob.objective.constant)


def _delta(series: list, p: int):
    return series[p] - series[p - 1] if p > 0 else series[p]


def build_timeline_model(tin: TimelineInputs) -> TimelineModel:
    """Build the multi-period MILP (see the module docstring), the garbage collector paused meanwhile."""
    with gc_paused():
        return _build_timeline_model(tin)


def _build_timeline_model(tin: TimelineInputs) -> TimelineModel:
    prob = pulp.LpProblem("site_timeline", pulp.LpMaximize)
    builders, gpu, colo, parts, owned, bought = [], [], [], [], [], []
    fleet = {f.miner_id: f for f in tin.fleet}
    rate = tin.discount_rate
    end = tin.periods[-1].period.t_end
    for p, pi in enumerate(tin.periods):
        b = Builder(pi.inp, None, False, prob=prob, prefix=f"p{p}_")
        for define in DEFINES:
            define(b)
        define_noi(b, gpu_terms=False)
        builders.append(b)
        inp, x = pi.inp, b.x
        g = {r.id: prob.add_variable(f"p{p}_gpu_su_{i}", lowBound=0, upBound=x["units"][r.id].upBound,
                                     cat=pulp.LpInteger) for i, r in enumerate(inp.racks)}
        c = {r.id: prob.add_variable(f"p{p}_colo_su_{i}", lowBound=0, upBound=x["units"][r.id].upBound,
                                     cat=pulp.LpInteger) for i, r in enumerate(inp.racks)}
        if tin.monetisation == "gpu_as_a_service":
            for var in c.values():
                var.upBound = 0
        elif tin.monetisation == "colocation":
            for var in g.values():
                var.upBound = 0
        gpu.append(g)
        colo.append(c)
        for r in inp.racks:
            prob.addConstraint(x["units"][r.id] - g[r.id] - c[r.id] == 0, f"p{p}_sold_{r.id}")
        # racks, CDUs and air-side units only in converted hall
        miner_area = _affine((x["lots"][m.id], m.lot_mw * m.floor_area_per_mw) for m in inp.miners)
        prob.addConstraint(x["hall"] - miner_area <= pi.converted_area, f"p{p}_converted_hall")
        # the fleet owned: kept in store or sold; installed only where it is owned
        own = {m.id: prob.add_variable(f"p{p}_owned_{i}", lowBound=0, upBound=fleet[m.id].lots, cat=pulp.LpInteger)
               for i, m in enumerate(inp.miners)}
        owned.append(own)
        buy = {m.id: prob.add_variable(f"p{p}_bought_{i}", lowBound=0,
                                       upBound=x["lots"][m.id].upBound if tin.new_miners else 0, cat=pulp.LpInteger)
               for i, m in enumerate(inp.miners)}
        bought.append(buy)
        for m in inp.miners:
            prob.addConstraint(x["lots"][m.id] - own[m.id] - buy[m.id] <= 0, f"p{p}_installed_{m.id}")
            if p > 0:
                prob.addConstraint(own[m.id] - owned[p - 1][m.id] <= 0, f"p{p}_fleet_{m.id}")
                prob.addConstraint(buy[m.id] - bought[p - 1][m.id] >= 0, f"p{p}_bought_kept_{m.id}")
        if p > 0:
            prev = builders[p - 1].x
            for key in ("units", "cdus", "air_units", "modules"):
                for k, var in x[key].items():
                    prob.addConstraint(var - prev[key][k] >= 0, f"p{p}_kept_{key}_{k}")
            for r in inp.racks:
                prob.addConstraint(g[r.id] - gpu[p - 1][r.id] >= 0, f"p{p}_kept_gpu_{r.id}")
                prob.addConstraint(c[r.id] - colo[p - 1][r.id] >= 0, f"p{p}_kept_colo_{r.id}")
        if pi.deliveries is not None:
            new = pulp.lpSum(r.su_racks * _delta([bb.x["units"][r.id] for bb in builders], p) for r in inp.racks)
            prob.addConstraint(new <= pi.deliveries, f"p{p}_deliveries")
        years = pi.period.years
        op = (_affine(b.obj.items()) + b.constant) * years
        mining = _affine((x["dispatch"][m.id][t], K * years * float(inp.weight[t]) * m.revenue_per_mwh)
                         for m in inp.miners for t in range(inp.hours))
        energy = _affine((var, K * years * float(inp.weight[t]) * float(inp.energy_price[t]) * coef)
                         for t, row in enumerate(x["grid_rows"]) for var, coef in row.items())
        energy += K * years * sum(float(inp.weight[t]) * float(inp.energy_price[t]) * row.constant
                                  for t, row in enumerate(x["grid_rows"]))
        facility_opex = _affine((x["units"][r.id], K * years * inp.facility_opex * r.su_it_design) for r in inp.racks)
        resale = {m.id: K * pi.resale.get(m.id, 0.0) for m in inp.miners}  # kUSD per lot sold in the period
        sold = _affine((own[m.id], -resale[m.id]) for m in inp.miners)
        if p == 0:
            sold += sum(resale[m.id] * fleet[m.id].lots for m in inp.miners)
        else:
            sold += _affine((owned[p - 1][m.id], resale[m.id]) for m in inp.miners)
        parts.append({
            "mining_revenue": mining,
            "energy_cost": -energy,
            "facility_opex": -facility_opex,
            "other_operating": op - mining + energy + facility_opex,  # demand and fixed charges, water, mining opex
            "capex_facility": -K * _delta([bb.x["capex_facility"] for bb in builders], p),
            "miner_sales": sold,
            "capex_miners": -pulp.lpSum(K * fleet[m.id].price_per_lot * _delta([bb[m.id] for bb in bought], p)
                                        for m in inp.miners),
        })
    # GPU and lease cash per cohort, GPU capex and book values
    tm = TimelineModel(prob, tin, builders, gpu, colo, parts, {}, owned=owned, bought=bought)
    n = len(tin.periods)
    terminal_gpu = pulp.LpAffineExpression()
    for r in tin.periods[0].inp.racks:
        for q in range(n):
            cc = cohort_cash(tin, r, q)
            tm.cohorts[(r.id, q)] = cc
            dg = _delta([gg[r.id] for gg in gpu], q)
            dc = _delta([cc_[r.id] for cc_ in colo], q)
            parts[q].setdefault("capex_gpu", pulp.LpAffineExpression())
            parts[q]["capex_gpu"] -= cc.gpu_capex * dg
            terminal_gpu += cc.gpu_book * dg
            lease0 = tin.periods[0].lease_price
            for p in range(q, n):
                for key in ("gpu_revenue", "gpu_support", "lease_revenue", "power_passed_through"):
                    parts[p].setdefault(key, pulp.LpAffineExpression())
                parts[p]["gpu_revenue"] += cc.gpu[p] * dg
                parts[p]["gpu_support"] += cc.gpu_support[p] * dg
                parts[p]["lease_revenue"] += cc.colo_per_lease[p] * lease0 * dc
                parts[p]["power_passed_through"] += cc.colo_power[p] * dc
                parts[p]["facility_opex"] += cc.colo_opex_saved[p] * dc
    for p in range(n):
        for key in ("capex_gpu", "gpu_revenue", "gpu_support", "lease_revenue", "power_passed_through"):
            parts[p].setdefault(key, pulp.LpAffineExpression())
    parts[0]["capex_facility"] -= K * tin.transformer_capex
    # the budget: everything spent over the horizon
    last = builders[-1].x
    spent = K * last["capex_facility"] + pulp.lpSum(K * f.price_per_lot * bought[-1][f.miner_id] for f in tin.fleet
                                                    if f.miner_id in bought[-1]) + sum(
        (tm.cohorts[(r.id, q)].gpu_capex * _delta([gg[r.id] for gg in gpu], q)
         for r in tin.periods[0].inp.racks for q in range(n)), pulp.LpAffineExpression())
    prob.addConstraint(spent <= K * (tin.budget - tin.transformer_capex), "timeline_budget")
    # terminal value: book value of the plant and GPUs, resale of the miners still owned
    terminal_facility = pulp.LpAffineExpression()
    for q in range(n):
        left = value_left(rate, tin.facility_life, end - tin.periods[q].period.t_start, tin.terminal_value)
        terminal_facility += -left * parts[q]["capex_facility"]
    tm.terminal = {
        "gpus": terminal_gpu,
        "facility": terminal_facility,
        "miners_bought": pulp.lpSum(
            -value_left(rate, tin.miner_life, end - tin.periods[q].period.t_start, tin.terminal_value)
            * parts[q]["capex_miners"] for q in range(n)),
        "miners_resale": _affine((owned[-1][f.miner_id], K * tin.periods[-1].resale.get(f.miner_id, 0.0))
                                 for f in tin.fleet if tin.terminal_value != "none" and f.miner_id in owned[-1]),
    }
    objective = pulp.LpAffineExpression()
    for p, pi in enumerate(tin.periods):
        for key, expr in parts[p].items():
            objective += float(discount_factor(rate, cash_time(pi.period, key))) * expr
    df_end = float(discount_factor(rate, end))
    for expr in tm.terminal.values():
        objective += df_end * expr
    prob.setObjective(objective)
    return tm


START_PARTS = ("capex_facility", "capex_gpu", "capex_miners", "miner_sales")  # at the start of the period; the others at its middle


def cash_time(period, key: str) -> float:
    """When a cash part of a period falls [year from the start]: capex and sales at the period's start,
    operating cash at its middle."""
    return period.t_start if key in START_PARTS else period.t_mid


__all__ = ["TimelineModel", "CohortCash", "build_timeline_model", "cohort_cash", "cash_time", "START_PARTS"]
