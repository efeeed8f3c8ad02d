"""Build the NOI-maximising MILP from canonical inputs. No I/O here.

Decisions: scalable units per rack type (integer; each unit is a fixed number
of compute racks and its support racks), CDUs (integer, one type, N+k),
heat-rejection modules per technology and loop (integer; each loop holds its
design heat with its largest module out), air-side units (one type: pooled room
units with N+k, or one rear door per rack), miner lots per model (integer) and
their hourly dispatch, heat rejected per module type and hour, fan power per
module type and hour (the fan affinity cube as chords), each month's peak.

The builder is one ``define_*`` function per constraint family, as PyPSA's
``define_*`` functions are: racks and scalable units, mining, CDUs, air side,
heat rejection and its redundancy, rows that every integer design meets anyway
but that tighten the LP relaxation (``define_valid_cuts``), hourly heat, fans,
grid and envelope, areas and budget, limits, objective. Each adds variables and rows to a shared
:class:`Builder`.

Every constraint belongs to a *family* named after the TOML path it comes from
(``site.grid_limit``, ``economics.capex_budget`` ...); hourly families hold one
row per model hour. The explanation step reads duals per family.

Objective in kUSD per year; powers in MW; energies in MWh; areas in m^2.

Elastic mode (``build_model(..., elastic=True)``, used only to diagnose an
infeasible plan) adds a non-negative slack to each limit family: the grid limit
(one slack per grid row and per envelope row, every hour, all below one
penalised peak relaxation), hall and yard areas, the capex budget, the redundancy rows,
rack and mining limits, and each loop's heat that the modules cannot reject in
an hour. Each slack costs ``ELASTIC_PENALTY`` kUSD/yr per scaled unit
(``ELASTIC_SCALE``: 1 MW ~ 1000 m^2 ~ 10 MUSD ~ one unit of equipment; area is
cheap so that a short hall or yard is named rather than the cooling it would
hold), so the solver relaxes the limits it must, as little as it can; hourly
slacks carry a small extra price per MWh so that hours which need no relaxation
get none. Count bounds derived from the areas and the grid are widened so a
relaxation can be found. Without ``elastic`` the model is exactly as before.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pulp

from planner.inputs import LOOPS, Inputs, cdus_per_scalable_unit
from planner.physics.auxiliaries import cube_chords

GPU_HOURS_PER_YEAR = 8760.0
K = 1e-3  # USD -> kUSD
CAPEX_TIE_BREAK = 1e-3  # weight of annualised capex in the "noi" objective

# Elastic mode (diagnosis of infeasible plans)
ELASTIC_PENALTY = 1e6  # kUSD/yr per scaled unit of relaxation
ELASTIC_SCALE = {"MW": 1.0, "m^2": 1e-3, "USD": 1e-7, "units": 1.0, "types": 1.0, "racks": 1.0}
ELASTIC_MIN_RACKS_SCALE = 100.0  # relax limits.min_racks only when nothing else helps
ELASTIC_COOLING_SCALE = 10.0  # per MW of heat the cooling equipment lacks: named only when no limit explains it
ELASTIC_HOURLY = 10.0  # kUSD per MWh of hourly relaxation, on top of the peak relaxation


@dataclass
class Family:
    """Constraints from one input limit, possibly one per hour."""

    path: str
    description: str
    unit: str  # unit of the right-hand side, for shadow prices "kUSD/yr per <unit>"
    rows: list[tuple[int | None, pulp.LpConstraint]] = field(default_factory=list)
    # elastic models only: penalised relaxations (for hourly families, the largest
    # hourly relaxation) and, for hourly families, the relaxation in each hour
    slacks: list["Slack"] = field(default_factory=list)
    hourly_slacks: list["Slack"] = field(default_factory=list)


@dataclass
class Slack:
    """One relaxation of a limit in an elastic model: ``var`` >= 0 in ``unit``."""

    var: pulp.LpVariable
    t: int | None  # model hour, or None
    unit: str
    path: str  # TOML path of the limit relaxed
    what: str  # what the relaxation means, in words


@dataclass
class Model:
    """The PuLP problem and handles to its variables and constraint families."""

    prob: pulp.LpProblem
    inputs: Inputs
    units: dict[str, pulp.LpVariable]  # scalable units per rack type
    racks: dict[str, pulp.LpAffineExpression]  # compute racks per type (units x racks per unit)
    cdus: dict[str, pulp.LpVariable]
    cdu_used: dict[str, pulp.LpVariable]
    modules: dict[str, pulp.LpVariable]  # key "id@loop"
    module_used: dict[str, pulp.LpVariable]
    air_units: dict[str, pulp.LpVariable]
    air_used: dict[str, pulp.LpVariable]
    lots: dict[str, pulp.LpVariable]  # miner lots per model
    mining: dict[str, pulp.LpAffineExpression]  # installed MW per miner model
    dispatch: dict[str, list[pulp.LpVariable]]  # MW running per model hour
    heat: dict[str, list]  # per module key, heat rejected per hour (var or 0)
    wet: dict[str, list]  # adiabatic heat beyond dry capacity per hour
    fans: dict[str, list]  # per module key, fan power per hour (var or 0)
    peaks: dict[int, pulp.LpVariable]
    families: dict[str, Family]
    expressions: dict[str, object]
    integer_vars: list[pulp.LpVariable]
    constant_kusd: float  # constant part of the objective (fixed charges)
    # the fixed-integer LP's result, when the last solve of the problem was that LP (the --exact-hours
    # cascade's dispatch LP): its duals and slacks are on the rows, and the explanation reads them there
    fixed_lp: object | None = None


def capex_weight(objective: str) -> float:
    """Weight of annualised capex in the MILP objective: 1, or only a tie-break with objective "noi"."""
    return 1.0 if objective == "noi_less_annualised_capex" else CAPEX_TIE_BREAK


def value_of(expr) -> float:
    """Solved value of a variable or affine expression (0 when unsolved)."""
    if isinstance(expr, pulp.LpVariable):
        return expr.varValue or 0.0
    if isinstance(expr, pulp.LpAffineExpression):
        return float(expr.value() or 0.0)
    return float(expr)


def _affine(pairs, constant: float = 0.0) -> pulp.LpAffineExpression:
    expr = pulp.LpAffineExpression(constant=constant)
    for var, coef in pairs:
        if coef:
            expr[var] = expr.get(var, 0.0) + coef
    return expr


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector off while a model is built, and back as it was after.

    A build allocates hundreds of thousands of PuLP expressions and rows that all stay alive; the
    collector, triggered every few hundred allocations, would walk the ever larger heap of them
    for next to no garbage (washington's every-hour model, 3934 model hours: 4.6 s -> 3.8 s CPU to build,
    medians of 3 on one machine). What garbage
    the build leaves is collected once the collector is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def variables_of(lp) -> list:
    """``lp.variables()`` without its scan of every row where PuLP 3 allows it.

    PuLP 3 registers a row's variables when the row is added (``addConstraint``), and
    ``variables()`` registers them all again before sorting by name; the planner never changes a
    row once added, so registering the objective's variables and sorting gives the same list
    (``tests/test_solve.py`` checks it on the plan's and the timeline's models). Used wherever the
    planner lists a problem's columns: the model's integers, the hand-over to HiGHS, the
    fixed-integer LP. Where PuLP keeps no such list, ``variables()`` is called.
    """
    register, listed = getattr(lp, "_add_variables", None), getattr(lp, "_variables", None)
    if register is None or listed is None:
        return lp.variables()
    if lp.objective:
        register(lp.objective.keys())
    listed.sort(key=lambda v: v.name)
    return listed


class _Prefixed:
    """A view of a problem that prefixes the names of the variables and rows added through it."""

    def __init__(self, prob: pulp.LpProblem, prefix: str):
        self.problem, self.prefix = prob, prefix

    def add_variable(self, name, *args, **kwargs):
        return self.problem.add_variable(self.prefix + name, *args, **kwargs)

    def addConstraint(self, con, name):
        self.problem.addConstraint(con, self.prefix + name)


class Builder:
    """Shared state of one model build: the problem, families, fixed decisions, elastic slacks.

    ``prob`` and ``prefix`` let several builds share one problem (the periods of a timeline),
    each with its own names; the objective is then the caller's to set.
    """

    def __init__(self, inp: Inputs, fixed: dict[str, float] | None, elastic: bool,
                 prob: pulp.LpProblem | None = None, prefix: str = ""):
        self.inp = inp
        self.fixed = dict(fixed or {})
        self.elastic = elastic
        self.prob = pulp.LpProblem("site_plan", pulp.LpMaximize) if prob is None else _Prefixed(prob, prefix)
        self.fams: dict[str, Family] = {}
        self.penalties: dict[pulp.LpVariable, float] = defaultdict(float)
        self.obj: dict[pulp.LpVariable, float] = defaultdict(float)
        self.constant = 0.0
        self.a_tx = 1.0 / inp.transformer_efficiency
        self.a_ups = self.a_tx / inp.ups_efficiency
        self.x: dict[str, object] = {}  # expressions shared between the define_* functions

    # -- families and rows --------------------------------------------------------------
    def family(self, key, path, desc, unit) -> Family:
        self.fams[key] = Family(path, desc, unit)
        return self.fams[key]

    def add(self, fam: Family, t, con, name):
        self.prob.addConstraint(con, name)
        fam.rows.append((t, con))

    # -- elastic slacks -------------------------------------------------------------------
    def relax(self, fam: Family, name: str, unit: str, what: str, path: str | None = None, t=None,
              scale: float | None = None) -> pulp.LpVariable:
        """A penalised slack (elastic mode only) recorded on ``fam``."""
        var = self.prob.add_variable(f"slack_{name}", lowBound=0)
        fam.slacks.append(Slack(var, t, unit, path or fam.path, what))
        self.penalties[var] -= ELASTIC_PENALTY * (ELASTIC_SCALE[unit] if scale is None else scale)
        return var

    def relax_hourly(self, fam: Family, peak: pulp.LpVariable, t: int, name: str, what: str,
                     path: str | None = None):
        var = self.prob.add_variable(f"slack_{name}", lowBound=0)
        fam.hourly_slacks.append(Slack(var, t, "MW", path or fam.path, what))
        self.prob.addConstraint(var - peak <= 0, f"slackpeak_{name}")
        self.penalties[var] -= ELASTIC_HOURLY * float(self.inp.weight[t])
        return var

    def nothing_offered(self, fam: Family, name: str, load, what: str, path: str):
        """No unit of a kind is offered: the load it would carry must be zero (or relaxed, elastic)."""
        need = load
        if self.elastic:
            need = need - self.relax(fam, name, "MW", what, path=path, scale=ELASTIC_COOLING_SCALE)
        self.add(fam, None, need <= 0, name)

    def one_type(self, key: str, word: str, units: dict, used: dict, fam: Family, fam_one: Family, spares: int,
                 pooled: set[str]):
        """One type of a kind installed: a unit count only where its type is used, at least N+k units of a
        pooled type (the others: at least none), and at most one type used."""
        for ident, n in units.items():
            u = used[ident]
            self.add(fam_one, None, n <= max(n.upBound, 0) * u, f"{key}_used_{ident}")
            if ident not in pooled:
                continue
            count = n
            if self.elastic:
                count = count + self.relax(fam, f"{key}_min_{ident}", "units",
                                           f"{ident} units below the N+{spares} minimum count")
            self.add(fam_one, None, count >= (spares + 1) * u, f"{key}_min_{ident}")
        n_types = pulp.lpSum(used.values())
        if self.elastic:
            n_types = n_types - self.relax(fam_one, f"{key}_one_type", "types", f"{word} types beyond the one allowed")
        self.add(fam_one, None, n_types <= 1, f"{key}_one_type")

    # -- variables ------------------------------------------------------------------------
    def widen(self, ub, needed):
        """Count bound: as derived from the limits, or wide enough for a relaxation (elastic)."""
        if not self.elastic:
            return ub
        return max(ub, min(int(math.ceil(needed)), 10000))

    def bounded_int(self, name, ub, key, per: float = 1.0, what: str = "units"):
        """An integer decision; ``fixed[key]`` (in multiples of ``per``) fixes it."""
        lo, hi = 0, ub
        if key in self.fixed:
            given = float(self.fixed.pop(key))
            count = given / per
            if abs(count - round(count)) > 1e-6 * max(1.0, abs(count)):
                raise ValueError(f"{key} = {given:g} is not a whole number of {what} of {per:g}")
            lo = hi = int(round(count))
        return self.prob.add_variable(name, lowBound=lo, upBound=max(hi, lo), cat=pulp.LpInteger)

    def binary(self, name):
        return self.prob.add_variable(name, cat=pulp.LpBinary)

    def at_most_types(self, counts: dict, ub: dict, limit: int | None, key: str, path: str, word: str):
        """At most ``limit`` of the types in ``counts`` installed together (a binary per type)."""
        if limit is None or len(counts) <= limit:
            return {}
        used = {k: self.binary(f"use_{key}_{i}") for i, k in enumerate(counts)}
        fam = self.family(f"{key}_types", path, f"at most {limit} {word} installed together", "types")
        for k, var in counts.items():
            self.add(fam, None, var - max(ub[k], 0) * used[k] <= 0, f"{key}_used_{k}")
        n = pulp.lpSum(used.values())
        if self.elastic:
            n = n - self.relax(fam, f"{key}_types", "types", f"{word} beyond {path}")
        self.add(fam, None, n <= limit, f"{key}_types")
        return used


# --------------------------------------------------------------------------------------
# constraint families
# --------------------------------------------------------------------------------------

def define_racks(b: Builder) -> None:
    """Scalable units per rack type, the racks and support IT they bring, and the rack-type limit."""
    inp = b.inp
    units, racks, ubs = {}, {}, {}
    for i, r in enumerate(inp.racks):
        su_area = r.su_racks * r.floor_area + r.support_floor_area
        ub = int(min(inp.hall_area / su_area, inp.operating_limit / (r.su_it_typical * b.a_ups)))
        ub = b.widen(ub, max(inp.min_racks / r.su_racks, 1))
        ubs[r.id] = ub
        units[r.id] = b.bounded_int(f"n_su_{i}", ub, f"racks.{r.id}", per=r.su_racks,
                                    what=f"racks in scalable units ({r.id})")
        racks[r.id] = _affine([(units[r.id], r.su_racks)])
    b.at_most_types(units, ubs, inp.max_rack_types, "rack", "limits.max_rack_types", "rack types")
    su = [(units[r.id], r) for r in inp.racks]
    b.x.update(
        units=units, racks=racks, unit_ub=ubs,
        it_typical=_affine((u, r.su_it_typical) for u, r in su),
        it_design=_affine((u, r.su_it_design) for u, r in su),
        it_peak=_affine((u, r.su_it_peak) for u, r in su),
        it_grid_peak=_affine((u, r.su_racks * r.power_grid_peak + r.support_power) for u, r in su),
        support_it=_affine((u, r.support_power) for u, r in su),
        liquid_typ=_affine((u, r.su_liquid[0]) for u, r in su),
        liquid_des=_affine((u, r.su_liquid[1]) for u, r in su),
        rack_liquid_typ=_affine((u, r.su_racks * r.power_typical * r.liquid_fraction) for u, r in su),
        rack_liquid_des=_affine((u, r.su_racks * r.power_design * r.liquid_fraction) for u, r in su),
        air_typ=_affine((u, r.su_air[0]) for u, r in su),
        air_des=_affine((u, r.su_air[1]) for u, r in su),
        racks_served=_affine((u, r.su_racks + r.support_racks) for u, r in su),
        gpus=_affine((u, r.su_racks * r.gpus) for u, r in su),
        total_racks=_affine((u, r.su_racks) for u, r in su),
    )


def define_mining(b: Builder) -> None:
    """Miner lots per model, hourly dispatch within the derated lots, and the model limit."""
    inp, T = b.inp, b.inp.hours
    lots, mining, dispatch, ubs = {}, {}, {}, {}
    for i, m in enumerate(inp.miners):
        ub = int(inp.operating_limit * b.a_tx / m.lot_mw) if m.allowed else 0
        ubs[m.id] = ub
        lots[m.id] = b.bounded_int(f"mine_lots_{i}", ub, f"mining.{m.id}", per=m.lot_mw,
                                   what=f"MW in lots of {m.lot_size} miners ({m.id})")
        mining[m.id] = _affine([(lots[m.id], m.lot_mw)])
        top = lots[m.id].upBound * m.lot_mw
        dispatch[m.id] = [
            b.prob.add_variable(f"mine_run_{i}_{t}", lowBound=0, upBound=top * float(m.availability[t]))
            for t in range(T)
        ]
    b.at_most_types(lots, ubs, inp.max_miner_models, "miner", "limits.max_miner_models", "miner models")
    hydro = [m for m in inp.miners if m.cooling == "hydro"]
    b.x.update(lots=lots, mining=mining, dispatch=dispatch, hydro=hydro,
               hydro_installed=_affine((lots[m.id], m.lot_mw) for m in hydro))
    f_mine = b.family("mining_avail", "choices.miners", "mining within installed and derated capacity", "MW")
    for m in inp.miners:
        if not m.allowed or lots[m.id].upBound == 0:  # none installed: its dispatch is held at 0 by its bound
            continue
        lot, avail = lots[m.id], m.availability
        for t in range(T):
            if avail[t] > 0:
                b.add(f_mine, t, _affine([(dispatch[m.id][t], 1.0), (lot, -float(avail[t]) * m.lot_mw)]) <= 0,
                      f"mine_{m.id}_{t}")


def _elastic_most(b: Builder) -> dict[str, float]:
    """Largest design heat per loop the widened bounds allow, to widen cooling counts (elastic)."""
    inp, units = b.inp, b.x["units"]
    # with the CDU pumps' and air-side fans' heat (parasitic_heat): the largest pump ratio, and the fans of the
    # air-side type that brings the most (a door per rack served, or room units with their spares)
    pump = inp.cdu_pump_per_heat
    air = sum(units[r.id].upBound * r.su_air[1] for r in inp.racks)
    served = sum(units[r.id].upBound * (r.su_racks + r.support_racks) for r in inp.racks)
    fans = max((served * a.fan_power if a.per_rack else (air / a.capacity + inp.spares["air_side"] + 1) * a.fan_power
                for a in inp.air_side if a.capacity > 0), default=0.0)
    g = inp.pumped_heat  # and the facility-water pumps' heat
    return {"liquid": g["liquid"] * ((1 + pump) * sum(units[r.id].upBound * r.su_liquid[1] for r in inp.racks)
                                     + sum(b.x["lots"][m.id].upBound * m.lot_mw for m in b.x["hydro"])),
            "air": g["air"] * (air + fans)}


def parasitic_heat(b: Builder, at: str) -> dict[str, pulp.LpAffineExpression]:
    """Heat the cooling plant's own machines put on each loop [MW], ``at`` "typ" or "des" rack power.

    The CDU pumps' power ends in the coolant they circulate (``pump_per_heat`` times the racks'
    liquid heat, the largest ratio of the CDU types offered, as the grid rows charge it), and the
    air-side units' fans heat the air their coils cool (every unit installed, at full speed). Both
    are rejected by the loop's heat-rejection modules; the CDUs' and air-side units' own
    capacities are taken net of them, as vendors rate them (heat exchanged from the IT loop, net
    sensible cooling).
    """
    inp = b.inp
    return {"liquid": inp.cdu_pump_per_heat * b.x[f"rack_liquid_{at}"],
            "air": _affine([(b.x["air_units"][a.id], a.fan_power) for a in inp.air_side if a.fan_power > 0])}


def define_cdus(b: Builder) -> None:
    """One CDU type, at least N+k units, and N+k capacity >= the liquid heat at design power."""
    inp = b.inp
    spares = inp.spares["cdu"]
    load = b.x["liquid_des"] + b.x["hydro_installed"]
    cdus, used = {}, {}
    most = _elastic_most(b) if b.elastic else None
    for i, c in enumerate(inp.cdus):
        ub = int(inp.hall_area / c.floor_area) if c.floor_area > 0 else 1000
        if b.elastic:
            ub = b.widen(ub, most["liquid"] / c.capacity + spares + 1)
        cdus[c.id] = b.bounded_int(f"n_cdu_{i}", ub, f"cdus.{c.id}")
        used[c.id] = b.binary(f"use_cdu_{i}")
    b.x.update(cdus=cdus, cdu_used=used)
    text = "liquid heat at design power"
    fam = b.family("cdu", "redundancy.cdu", f"CDU capacity with {spares} spare(s) >= {text}", "MW")
    fam_one = b.family("cdu_type", "choices.cdus", "one CDU type", "-")
    if not inp.cdus:
        b.nothing_offered(fam, "cdu_none", load, f"{text} and no CDU offered to carry it", "choices.cdus")
        return
    b.one_type("cdu", "CDU", cdus, used, fam, fam_one, spares, pooled=set(cdus))
    cap = _affine([(cdus[c.id], c.capacity) for c in inp.cdus] + [(used[c.id], -spares * c.capacity) for c in inp.cdus])
    if b.elastic:
        cap = cap + b.relax(fam, "cdu_redundancy", "MW", f"CDU capacity with {spares} spare(s) out, against the {text}",
                            scale=ELASTIC_COOLING_SCALE)
    b.add(fam, None, cap - load >= 0, "cdu_redundancy")
    if any(c.flow > 0 for c in inp.cdus):
        # and the racks' coolant flow with the spares out (a CDU of unstated flow counts by heat only)
        fam_flow = b.family("cdu_flow", "redundancy.cdu", f"CDU flow with {spares} spare(s) >= the racks' coolant flow",
                            "L/min")
        need = _affine((b.x["units"][r.id], r.su_racks * r.coolant_flow) for r in inp.racks)
        big = sum(b.x["unit_ub"][r.id] * r.su_racks * r.coolant_flow for r in inp.racks)
        flow = _affine([(cdus[c.id], c.flow) for c in inp.cdus if c.flow > 0]
                       + [(used[c.id], -spares * c.flow) for c in inp.cdus if c.flow > 0]
                       + [(used[c.id], big) for c in inp.cdus if c.flow <= 0])
        if b.elastic:
            flow = flow + 1000.0 * b.relax(fam_flow, "cdu_flow", "MW", "CDU flow with the spares out, against the "
                                           "racks' coolant flow (per 1000 L/min)", path="redundancy.cdu",
                                           scale=ELASTIC_COOLING_SCALE)
        b.add(fam_flow, None, flow - need >= 0, "cdu_flow")
    if inp.cdu_scope == "scalable_unit":
        define_cdus_per_unit(b, fam)


def define_cdus_per_unit(b: Builder, fam: Family) -> None:
    """Each scalable unit's own CDUs (``redundancy.cdu_scope = "scalable_unit"``), for the one type used.

    ``n_c >= sum_r k_rc units_r + hydro / Q_c - M_c (1 - used_c)`` with ``k_rc`` from
    :func:`planner.inputs.cdus_per_scalable_unit` (its heat and flow, with the spares) and the hydro miners'
    liquid heat on further CDUs with no spares of their own; ``M_c`` the most the right-hand side can be, so
    a type not used is left free (it has no units anyway). The hall-wide rows of :func:`define_cdus` stay;
    with any scalable unit these imply them.
    """
    inp, units, ubs = b.inp, b.x["units"], b.x["unit_ub"]
    spares = inp.spares["cdu"]
    hydro_most = sum((v.upBound or 0) * m.lot_mw for m in inp.miners if m.cooling == "hydro"
                     for v in [b.x["lots"][m.id]])
    for i, c in enumerate(inp.cdus):
        per_unit = {r.id: cdus_per_scalable_unit(r, c, spares) for r in inp.racks}
        most = sum(per_unit[r.id] * ubs[r.id] for r in inp.racks) + hydro_most / c.capacity
        if most <= 0:
            continue
        n, used = b.x["cdus"][c.id], b.x["cdu_used"][c.id]
        have = _affine([(n, 1.0), (used, -most)])
        if b.elastic:
            have = have + b.relax(fam, f"cdu_per_unit_{i}", "units", f"{c.id} units below each scalable unit's own "
                                  f"N+{spares}", scale=ELASTIC_COOLING_SCALE)
        need = _affine([(units[r.id], float(per_unit[r.id])) for r in inp.racks if per_unit[r.id]]
                       + [(b.x["lots"][m.id], m.lot_mw / c.capacity) for m in inp.miners if m.cooling == "hydro"])
        b.add(fam, None, have - need >= -most, f"cdu_per_unit_{i}")


def define_air_side(b: Builder) -> None:
    """One air-side type: pooled room units with N+k, or one rear door per rack it serves."""
    inp = b.inp
    spares = inp.spares["air_side"]
    load = b.x["air_des"]
    units, used = {}, {}
    most_air = sum(b.x["unit_ub"][r.id] * r.su_air[1] for r in inp.racks)
    most_served = sum(b.x["unit_ub"][r.id] * (r.su_racks + r.support_racks) for r in inp.racks)
    most = _elastic_most(b) if b.elastic else None
    for i, a in enumerate(inp.air_side):
        if not a.allowed:
            ub = 0
        elif a.per_rack:
            ub = int(most_served)
        else:
            ub = int(inp.hall_area / a.floor_area) if a.floor_area > 0 else 5000
            if b.elastic:
                ub = b.widen(ub, most["air"] / a.capacity + spares + 1)
        units[a.id] = b.bounded_int(f"n_air_{i}", ub, f"air_side.{a.id}")
        used[a.id] = b.binary(f"use_air_{i}")
    b.x.update(air_units=units, air_used=used)
    text = "rack air heat at design power"
    fam = b.family("air_side", "redundancy.air_side", f"air-side capacity with {spares} spare(s) >= {text}", "MW")
    fam_one = b.family("air_type", "choices.air_side", "one air-side type", "-")
    fam_door = b.family("per_rack", "choices.air_side", "one rear door per rack it serves, sized for that rack", "racks")
    if not inp.air_side:
        b.nothing_offered(fam, "air_none", load, f"{text} and no air-side unit offered to carry it", "choices.air_side")
        return
    b.one_type("air", "air-side", units, used, fam, fam_one, spares,
               pooled={a.id for a in inp.air_side if not a.per_rack})
    served = b.x["racks_served"]
    pairs = []
    for a in inp.air_side:
        n, u = units[a.id], used[a.id]
        if a.per_rack:
            # a door per rack served: exactly the racks (compute and support) when doors are the air side
            b.add(fam_door, None, n - served <= 0, f"door_le_racks_{a.id}")
            b.add(fam_door, None, n - served + most_served * (1 - u) >= 0, f"door_ge_racks_{a.id}")
            for r in inp.racks:
                if max(r.power_design * (1 - r.liquid_fraction), r.support_rack_air_heat) > a.capacity + 1e-12:
                    b.add(fam_door, None, b.x["units"][r.id] + b.x["unit_ub"][r.id] * u <= b.x["unit_ub"][r.id],
                          f"door_fits_{a.id}_{r.id}")
            pairs.append((u, most_air + 1.0))
        else:
            pairs += [(n, a.capacity), (u, -spares * a.capacity)]
    cap = _affine(pairs)
    if b.elastic:
        cap = cap + b.relax(fam, "air_redundancy", "MW", f"air-side capacity with {spares} spare(s) out, against the {text}",
                            scale=ELASTIC_COOLING_SCALE)
    b.add(fam, None, cap - load >= 0, "air_redundancy")


def define_heat_rejection(b: Builder) -> None:
    """Modules per type and loop; each loop holds its design heat with its largest module(s) out."""
    inp = b.inp
    spares = inp.spares["heat_rejection"]
    modules, used = {}, {}
    most = _elastic_most(b) if b.elastic else None
    for i, h in enumerate(inp.heat_rejection):
        ub = int(inp.yard_area / h.floor_area)
        if b.elastic:
            best = max(h.design_capacity, float(h.capacity.max()))
            if best > 0:
                ub = b.widen(ub, most[h.loop] / best + spares + 1)
        modules[h.key] = b.bounded_int(f"n_hr_{i}", ub, f"heat_rejection.{h.key}")
        used[h.key] = b.binary(f"use_hr_{i}")
    b.x.update(modules=modules, module_used=used)
    if b.fixed:
        raise KeyError(f"unknown fixed decision(s): {', '.join(sorted(b.fixed))}")
    # a liquid-loop module rated at a loop temperature only some CDU types give needs one of them
    f_loop_cdu = b.family("loop_cdu", "choices.cdus", "liquid-loop modules rated for the chosen CDU's loop temperature", "-")
    for h in inp.heat_rejection:
        if h.cdus:
            b.add(f_loop_cdu, None, used[h.key] - pulp.lpSum(b.x["cdu_used"][c] for c in h.cdus) <= 0,
                  f"loop_cdu_{h.key}")

    parasitic = parasitic_heat(b, "des")
    g = inp.pumped_heat  # the loop's modules reject its pumps' heat too: q = Q / (1 - p)
    design_heat = {"liquid": (b.x["liquid_des"] + b.x["hydro_installed"] + parasitic["liquid"]) * g["liquid"],
                   "air": (b.x["air_des"] + parasitic["air"]) * g["air"]}
    b.x["largest"] = {}
    scope = "per technology" if inp.hr_scope == "technology" else "largest module(s) out"
    for loop in LOOPS:
        fam = b.family(f"hr_design_{loop}", "redundancy.heat_rejection",
                       f"{loop}-loop heat rejection at the design condition with {spares} spare(s), {scope}", "MW")
        items = [h for h in inp.heat_rejection if h.loop == loop]
        largest = None
        if inp.hr_scope == "loop" and spares > 0 and any(h.design_capacity > 0 for h in items):
            largest = b.prob.add_variable(f"hr_largest_{loop}", lowBound=0)
            b.x["largest"][loop] = largest
        pairs = []
        for h in items:
            n, u = modules[h.key], used[h.key]
            b.add(fam, None, n <= n.upBound * u, f"hr_used_{h.key}")
            count = n
            if b.elastic:
                count = count + b.relax(fam, f"hr_min_{h.key}", "units", f"{h.key} modules below the minimum count")
            need = (spares + 1) if inp.hr_scope == "technology" else 1
            b.add(fam, None, count >= need * u, f"hr_min_{h.key}")
            pairs.append((n, h.design_capacity))
            if inp.hr_scope == "technology":
                pairs.append((u, -spares * h.design_capacity))
            elif largest is not None and h.design_capacity > 0:
                # a module that rejects nothing at the design condition is never the spare
                b.add(fam, None, largest - h.design_capacity * u >= 0, f"hr_largest_{h.key}")
        if inp.max_hr_types_per_loop is not None and len(items) > inp.max_hr_types_per_loop:
            fam_types = b.fams.get("hr_types") or b.family(
                "hr_types", "limits.max_heat_rejection_types_per_loop", "heat-rejection types per loop", "types")
            n_types = pulp.lpSum(used[h.key] for h in items)
            if b.elastic:
                n_types = n_types - b.relax(fam_types, f"hr_types_{loop}", "types", f"{loop}-loop module types beyond the limit")
            b.add(fam_types, None, n_types <= inp.max_hr_types_per_loop, f"hr_types_{loop}")
        have = _affine(pairs)
        if largest is not None:
            have = have - spares * largest
        if b.elastic:
            have = have + b.relax(fam, f"hr_design_{loop}", "MW",
                                  f"{loop}-loop heat rejection with {spares} spare(s) out, against the "
                                  f"design heat at {inp.design_dry_bulb:g} degC", scale=ELASTIC_COOLING_SCALE)
        b.add(fam, None, have - design_heat[loop] >= 0, f"hr_design_{loop}")


def define_valid_cuts(b: Builder) -> None:
    """Rows every integer design meets anyway, which tighten the LP relaxation.

    The relaxation otherwise buys a hundredth of an equipment type and drops what a type brings
    with it: its N+k spares, the loop's largest module out. On washington's 4-day model these rows
    take the relaxation's gap to the optimum from 5.3 % to 2.0 %.

    - A scalable unit whose racks put heat on a loop needs some CDU type (liquid), some air-side
      type (air) and some heat-rejection type rating heat at the design condition on that loop:
      ``units_r <= ub_r sum(used)``; so does a lot of hydro miners on the liquid loop.
    - The loop's largest module is at least the mean design capacity of the types used, at most
      ``k`` of them: ``largest >= sum_h(dc_h used_h) / k``.
    - The air side again, each rack type's scalable units split over the air-side types
      (:func:`define_air_split`).

    Not in elastic mode, where a slack may stand for the equipment.
    """
    if b.elastic:
        return
    inp, units, ubs = b.inp, b.x["units"], b.x["unit_ub"]

    def needs(used_vars, loads, name):
        used_vars = [u for u in used_vars if u.upBound is None or u.upBound > 0]
        if not used_vars:
            return
        for key, var, ub in loads:
            if ub > 0:
                b.prob.addConstraint(_affine([(var, 1.0)] + [(u, -float(ub)) for u in used_vars]) <= 0,
                                     f"cut_{name}_{key}")

    lots, hydro = b.x["lots"], b.x["hydro"]
    liquid = [(r.id, units[r.id], ubs[r.id]) for r in inp.racks if r.su_liquid[1] > 0] + \
        [(m.id, lots[m.id], lots[m.id].upBound or 0) for m in hydro]
    air = [(r.id, units[r.id], ubs[r.id]) for r in inp.racks if r.su_air[1] > 0]
    if inp.cdus:
        needs(b.x["cdu_used"].values(), liquid, "cdu")
    if inp.air_side:
        needs([b.x["air_used"][a.id] for a in inp.air_side if a.allowed], air, "air")
    define_air_split(b)
    used = b.x["module_used"]
    for loop, loads in (("liquid", liquid), ("air", air)):
        items = [h for h in inp.heat_rejection if h.loop == loop and h.design_capacity > 0]
        needs([used[h.key] for h in items], loads, f"hr_{loop}")
        largest = b.x["largest"].get(loop)
        if largest is not None and items:
            k = len(items) if inp.max_hr_types_per_loop is None else min(len(items), inp.max_hr_types_per_loop)
            b.prob.addConstraint(_affine([(largest, 1.0)] + [(used[h.key], -h.design_capacity / k) for h in items])
                                 >= 0, f"cut_largest_{loop}")


def define_air_split(b: Builder) -> None:
    """The air side's rows again, with each rack type's scalable units split over the air-side types.

    ``s[r, a]`` scalable units of rack type ``r`` have their air heat carried by type ``a``:
    ``sum_a s[r, a] = units_r`` and ``s[r, a] <= ub_r used_a``; a pooled type holds the air heat of
    its share with its spares out, a rear-door type has one door per rack of its share. An integer
    design meets them with ``s[r, a] = units_r`` for its one type; a relaxation can no longer carry
    the air heat on a hundredth of a rear-door type.
    """
    inp, units, ubs = b.inp, b.x["units"], b.x["unit_ub"]
    allowed = [a for a in inp.air_side if a.allowed]
    if not allowed or not inp.racks:
        return
    spares = inp.spares["air_side"]
    air_units, used = b.x["air_units"], b.x["air_used"]
    share = {(r.id, a.id): b.prob.add_variable(f"air_share_{i}_{j}", lowBound=0, upBound=ubs[r.id])
             for i, r in enumerate(inp.racks) for j, a in enumerate(allowed)}
    for i, r in enumerate(inp.racks):
        b.prob.addConstraint(_affine([(units[r.id], -1.0)] + [(share[r.id, a.id], 1.0) for a in allowed]) == 0,
                             f"cut_air_split_{i}")
        for j, a in enumerate(allowed):
            b.prob.addConstraint(_affine([(share[r.id, a.id], 1.0), (used[a.id], -float(ubs[r.id]))]) <= 0,
                                 f"cut_air_share_{i}_{j}")
    for j, a in enumerate(allowed):
        if a.per_rack:
            pairs = [(air_units[a.id], 1.0)] + [(share[r.id, a.id], -(r.su_racks + r.support_racks)) for r in inp.racks]
        else:
            pairs = [(air_units[a.id], a.capacity), (used[a.id], -spares * a.capacity)] + \
                [(share[r.id, a.id], -r.su_air[1]) for r in inp.racks]
        b.prob.addConstraint(_affine(pairs) >= 0, f"cut_air_carry_{j}")


def define_hourly_heat(b: Builder) -> None:
    """Heat rejected per module and hour within its capacity at that hour's ambient; loop balances.

    A module type held at none (its count's upper bound 0: ``fixed`` at 0, or no room in the yard)
    gets no hourly decisions, so neither rows here nor fan-law rows (:func:`define_fans`).
    """
    inp, T = b.inp, b.inp.hours
    modules = b.x["modules"]
    heat, wet = {}, {}
    for i, h in enumerate(inp.heat_rejection):
        held = modules[h.key].upBound == 0  # a type held at none has no hourly decisions or rows
        heat[h.key] = [b.prob.add_variable(f"q_{i}_{t}", lowBound=0) if h.capacity[t] > 0 and not held else 0.0
                       for t in range(T)]
        if h.technology == "adiabatic_cooler" and not held and (h.capacity > h.dry_capacity + 1e-12).any():
            wet[h.key] = [
                b.prob.add_variable(f"wet_{i}_{t}", lowBound=0) if h.capacity[t] > h.dry_capacity[t] + 1e-12 else 0.0
                for t in range(T)
            ]
    b.x.update(heat=heat, wet=wet)
    f_heat = {loop: b.family(f"heat_{loop}", f"choices.heat_rejection ({loop} loop)",
                             f"{loop}-loop heat rejected every hour", "MW") for loop in LOOPS}
    f_cap = b.family("hr_capacity", "choices.heat_rejection",
                     "heat rejected within the modules' capacity at that hour's ambient", "MW")
    f_wet = b.family("adiabatic", "choices.heat_rejection", "adiabatic heat beyond dry-mode capacity", "MW")
    water_coef = K * inp.water_price
    heat_peak = {}
    if b.elastic:
        heat_peak = {loop: b.relax(f_heat[loop], f"heat_{loop}", "MW",
                                   f"{loop}-loop heat the modules cannot reject (largest hour)",
                                   path="choices.heat_rejection", scale=ELASTIC_COOLING_SCALE) for loop in LOOPS}
    dispatch, hydro = b.x["dispatch"], b.x["hydro"]
    parasitic = parasitic_heat(b, "typ")  # the CDU pumps' and air-side fans' heat, on their loops
    g = inp.pumped_heat  # and the loop's own pumps' heat: the modules reject Q / (1 - p)
    fixed_load = {"liquid": (b.x["liquid_typ"] + parasitic["liquid"]) * g["liquid"],
                  "air": (b.x["air_typ"] + parasitic["air"]) * g["air"]}
    load_pairs = {loop: list(expr.items()) for loop, expr in fixed_load.items()}
    for t in range(T):
        w = float(inp.weight[t])
        for loop in LOOPS:
            pairs = []
            for h in inp.heat_rejection:
                q = heat[h.key][t]
                if h.loop != loop or not isinstance(q, pulp.LpVariable):
                    continue
                pairs.append((q, 1.0))
                n = modules[h.key]  # rows as one expression each: they are most of the model
                b.add(f_cap, t, _affine([(q, 1.0), (n, -float(h.capacity[t]))]) <= 0, f"hrcap_{h.key}_{t}")
                if h.key in wet and isinstance(wet[h.key][t], pulp.LpVariable):
                    wv = wet[h.key][t]
                    cap, dry = float(h.capacity[t]), float(h.dry_capacity[t])
                    b.add(f_wet, t, _affine([(wv, 1.0), (q, -1.0), (n, dry)]) >= 0, f"wet_{h.key}_{t}")
                    # wetted share of the modules no larger than their airflow share: the fans of a module
                    # with wet pads still move the air that carries its heat (q_dry >= q dry / cap)
                    b.add(f_wet, t, _affine([(wv, cap), (q, -(cap - dry))]) <= 0, f"wetshare_{h.key}_{t}")
                    b.obj[wv] -= water_coef * w * h.water_per_heat
                elif h.water_per_heat > 0 and h.technology != "adiabatic_cooler":
                    b.obj[q] -= water_coef * w * h.water_per_heat
            # heat rejected - the load brought (racks, plant, hydro miners, with the pumps' heat) == 0, from pairs
            pairs += [(v, -c) for v, c in load_pairs[loop]]
            if loop == "liquid" and hydro:
                pairs += [(dispatch[m.id][t], -g["liquid"]) for m in hydro]
            if b.elastic:
                pairs.append((b.relax_hourly(f_heat[loop], heat_peak[loop], t, f"heat_{loop}_{t}",
                                             f"{loop}-loop heat the modules cannot reject",
                                             path="choices.heat_rejection"), 1.0))
            b.add(f_heat[loop], t, _affine(pairs, -fixed_load[loop].constant) == 0, f"heat_{loop}_{t}")


def define_fans(b: Builder) -> None:
    """Fan power of coolers and towers by the affinity law, as chords of the cube.

    For ``n`` modules sharing a duty ``q`` with full-speed airflow capacity
    ``A`` each, fan power is ``n P (q / (n A))^3``; its perspective form is
    convex in (q, n), and each chord ``a x + b`` of the cube gives the row
    ``fan >= P (a q / A + b n)``. The chords lie above the cube, so the
    optimiser never charges less fan power than the affinity law.
    """
    inp, T = b.inp, b.inp.hours
    slopes, intercepts, _ = cube_chords(inp.fan_segments)
    modules, heat, wet = b.x["modules"], b.x["heat"], b.x["wet"]
    fans: dict[str, list] = {}
    fam = b.family("fans", "choices.heat_rejection", "fan power by the affinity law at each hour's duty", "MW")
    for i, h in enumerate(inp.heat_rejection):
        if h.fan_power <= 0 or h.airflow_capacity is None:
            continue
        key, n = h.key, modules[h.key]
        fans[key] = series = [0.0] * T
        heat_h, wet_h, airflow = heat[key], wet.get(key), h.airflow_capacity
        chords = [(k, a, -c * h.fan_power) for k, (a, c) in enumerate(zip(slopes, intercepts))]
        for t in range(T):
            q = heat_h[t]
            if not isinstance(q, pulp.LpVariable) or airflow[t] <= 0:
                continue
            f = b.prob.add_variable(f"fan_{i}_{t}", lowBound=0)
            series[t] = f
            wv = wet_h[t] if wet_h is not None else 0.0
            wet_mode = isinstance(wv, pulp.LpVariable)  # in wet mode the fans run as for the dry duty they carry
            per_heat = h.fan_power / float(airflow[t])
            for k, a, count_coef in chords:
                # f - a P/A (q - wet) - c P n >= 0, written as one expression (the rows are most of the model)
                pairs = [(f, 1.0), (q, -a * per_heat), (n, count_coef)]
                if wet_mode:
                    pairs.append((wv, a * per_heat))
                b.add(fam, t, _affine(pairs) >= 0, f"fan_{key}_{t}_{k}")
    b.x["fans"] = fans


def months_of_model_hours(inp: Inputs) -> list[list[int]]:
    """The months [1-12] each model hour has hours of the year in; ``[0]`` each (one peak) on representative days.

    A group of hours (``resolve(..., bin_k=...)``) may span months: its one dispatch is drawn in each of
    them, so it sets a floor under each of those months' peaks.
    """
    if not inp.full_year:
        return [[0] for _ in range(inp.hours)]
    month = np.asarray(inp.climate.month, dtype=int)
    return [sorted(set(month[np.asarray(g, dtype=int)].tolist())) for g in inp.groups]


def define_grid(b: Builder) -> None:
    """Grid draw and the GPU peak envelope within the grid limit less the margin, every hour; monthly peaks."""
    inp, T = b.inp, b.inp.hours
    heat, fans, dispatch = b.x["heat"], b.x["fans"], b.x["dispatch"]
    parasitic = parasitic_heat(b, "typ")  # CDU pumps and air-side fans: drawn from the grid as they heat their loops
    fixed_cooling = parasitic["air"] + parasitic["liquid"]
    ups_no_load = inp.ups_no_load * b.x["it_peak"]  # UPS rated for the racks' electrical peak
    base = b.a_tx * (fixed_cooling + ups_no_load) + b.a_tx * inp.house_load + inp.transformer_no_load * inp.grid_limit
    b.x["fixed_cooling"] = fixed_cooling
    limit = inp.operating_limit
    f_grid = b.family("grid", "site.grid_limit", "grid draw at the meter, every hour", "MW")
    f_env = b.family("envelope", "site.grid_limit",
                     "GPU peak power with sheddable mining curtailed, plus cooling, every hour", "MW")
    f_peak = b.family("peak", "tariff.demand_charge", "monthly peak draw", "MW")
    months_of = months_of_model_hours(inp)
    months = sorted(set().union(*months_of)) if months_of else [0]
    peaks = {mo: b.prob.add_variable(f"peak_{mo}", lowBound=0) for mo in months}
    grid_peak = b.relax(f_grid, "grid", "MW", "relaxation needed at the worst hour") if b.elastic else None
    # the terms every hour shares, as (variable, coefficient) pairs: IT at the UPS's and transformer's losses, base
    typical = [(v, b.a_ups * c) for v, c in b.x["it_typical"].items()] + list(base.items())
    typical_const = b.a_ups * b.x["it_typical"].constant + base.constant
    peak_it = [(v, b.a_ups * c) for v, c in b.x["it_grid_peak"].items()] + list(base.items())
    peak_it_const = b.a_ups * b.x["it_grid_peak"].constant + base.constant
    grid_rows = []
    for t in range(T):  # rows as one expression each from pairs: they are a large part of the model
        w = float(inp.weight[t])
        cooling = []
        for h in inp.heat_rejection:
            q = heat[h.key][t]
            if isinstance(q, pulp.LpVariable):
                cooling.append((q, b.a_tx * float(h.electricity_per_heat[t])))
        for h_key, series in fans.items():
            if isinstance(series[t], pulp.LpVariable):
                cooling.append((series[t], b.a_tx))
        mining_all = [(dispatch[m.id][t], b.a_tx * (1.0 + m.ventilation)) for m in inp.miners]
        mining_stays = [(dispatch[m.id][t], b.a_tx * (1.0 + m.ventilation)) for m in inp.miners if not m.sheddable]
        draw = _affine(typical + mining_all + cooling, typical_const)
        envelope = _affine(peak_it + mining_stays + cooling, peak_it_const)
        if b.elastic:  # one relaxation per row and hour, all below the one penalised peak
            over = b.relax_hourly(f_grid, grid_peak, t, f"grid_{t}", "grid draw above the limit")
            b.add(f_grid, t, _affine(list(draw.items()) + [(over, -1.0)], draw.constant) <= limit, f"grid_{t}")
            over = b.relax_hourly(f_grid, grid_peak, t, f"envelope_{t}", "GPU peak envelope above the limit")
            b.add(f_env, t, _affine(list(envelope.items()) + [(over, -1.0)], envelope.constant) <= limit,
                  f"envelope_{t}")
        else:
            b.add(f_grid, t, draw <= limit, f"grid_{t}")
            b.add(f_env, t, envelope <= limit, f"envelope_{t}")
        for mo in months_of[t]:  # every month the model hour has hours in: its one dispatch is in each
            b.add(f_peak, t, _affine([(peaks[mo], 1.0)] + [(v, -c) for v, c in draw.items()], -draw.constant) >= 0,
                  f"peak_{t}" if mo == 0 else f"peak_{t}_{mo}")
        for m in inp.miners:
            b.obj[dispatch[m.id][t]] += K * w * m.revenue_per_mwh
        coef = K * w * float(inp.energy_price[t])  # energy bought
        for var, c in draw.items():
            b.obj[var] -= coef * c
        b.constant -= coef * draw.constant
        grid_rows.append(draw)
    b.x.update(peaks=peaks, grid_rows=grid_rows)


def define_areas_and_budget(b: Builder) -> None:
    """Hall and yard areas, and the capital budget."""
    inp = b.inp
    units, cdus, air, modules, lots = b.x["units"], b.x["cdus"], b.x["air_units"], b.x["modules"], b.x["lots"]
    hall = _affine(
        [(units[r.id], r.su_racks * r.floor_area + r.support_floor_area) for r in inp.racks]
        + [(cdus[c.id], c.floor_area) for c in inp.cdus]
        + [(air[a.id], a.floor_area) for a in inp.air_side]
        + [(lots[m.id], m.lot_mw * m.floor_area_per_mw) for m in inp.miners]
    )
    yard = _affine((modules[h.key], h.floor_area) for h in inp.heat_rejection)
    f_hall = b.family("hall", "site.hall_area", "hall floor area", "m^2")
    f_yard = b.family("yard", "site.yard_area", "yard area", "m^2")
    if b.elastic:
        hall_over = b.relax(f_hall, "hall", "m^2", "hall floor area beyond the hall")
        yard_over = b.relax(f_yard, "yard", "m^2", "yard area beyond the yard")
        b.add(f_hall, None, hall - hall_over <= inp.hall_area, "hall_area")
        b.add(f_yard, None, yard - yard_over <= inp.yard_area, "yard_area")
    else:
        b.add(f_hall, None, hall <= inp.hall_area, "hall_area")
        b.add(f_yard, None, yard <= inp.yard_area, "yard_area")

    inst = 1.0 + inp.installation
    capex_gpu = _affine((units[r.id], inst * r.su_hardware_price) for r in inp.racks)
    capex_facility = (
        _affine((units[r.id], r.su_it_design * inp.facility_capex + r.su_it_peak * inp.ups_price_per_mw)
                for r in inp.racks)
        + _affine((cdus[c.id], c.price) for c in inp.cdus)
        + _affine((air[a.id], a.price) for a in inp.air_side)
        + _affine((modules[h.key], h.price) for h in inp.heat_rejection)
    )
    capex_miner = _affine((lots[m.id], inst * m.lot_mw * m.price_per_mw) for m in inp.miners)
    capex_fixed = inp.transformer_price_per_mw * inp.grid_limit
    f_budget = b.family("budget", "economics.capex_budget", "capital spent", "USD")
    spent = K * (capex_gpu + capex_facility + capex_miner)
    if b.elastic:
        spent = spent - K * b.relax(f_budget, "budget", "USD", "capital beyond the budget")
    b.add(f_budget, None, spent <= K * (inp.budget - capex_fixed), "capex_budget")
    b.x.update(hall=hall, yard=yard, capex_gpu=capex_gpu, capex_facility=capex_facility,
               capex_miner=capex_miner, capex_fixed=capex_fixed)


def define_limits(b: Builder) -> None:
    """Rack count and mining limits of the site file."""
    inp = b.inp
    total = b.x["total_racks"]
    f_lim = b.family("racks_limit", "limits.max_racks", "rack count limits", "racks")
    if inp.max_racks is not None:
        lhs = total
        if b.elastic:
            lhs = lhs - b.relax(f_lim, "max_racks", "racks", "racks beyond limits.max_racks")
        b.add(f_lim, None, lhs <= inp.max_racks, "max_racks")
    if inp.min_racks:
        f_min = b.family("racks_min", "limits.min_racks", "fewest racks", "racks")
        lhs = total
        if b.elastic:
            lhs = lhs + b.relax(f_min, "min_racks", "racks", "racks short of limits.min_racks",
                                scale=ELASTIC_MIN_RACKS_SCALE)
        b.add(f_min, None, lhs >= inp.min_racks, "min_racks")
    if inp.max_mining is not None:
        f_mlim = b.family("mining_limit", "limits.max_mining", "installed mining", "MW")
        lhs = pulp.lpSum(b.x["mining"].values())
        if b.elastic:
            lhs = lhs - b.relax(f_mlim, "max_mining", "MW", "mining beyond limits.max_mining")
        b.add(f_mlim, None, lhs <= inp.max_mining, "max_mining")


def gpu_revenue_per_unit(inp: Inputs, r, price: float | None = None, utilisation: float | None = None) -> float:
    """GPU-hour revenue of one scalable unit of rack type ``r`` [kUSD/yr] at a price [USD/GPU/h]."""
    price = r.gpu_price if price is None else price
    utilisation = inp.utilisation if utilisation is None else utilisation
    return K * price * utilisation * GPU_HOURS_PER_YEAR * r.gpus * r.su_racks


def define_noi(b: Builder, gpu_terms: bool = True) -> None:
    """The yearly NOI terms besides the hourly ones (kUSD/yr): GPU revenue and hardware support per
    scalable unit (unless ``gpu_terms`` is false: a timeline prices them per cohort), facility and
    mining opex, demand and fixed charges."""
    inp = b.inp
    units, lots = b.x["units"], b.x["lots"]
    for r in inp.racks:
        per_unit = -K * inp.facility_opex * r.su_it_design
        if gpu_terms:
            per_unit += gpu_revenue_per_unit(inp, r) - K * inp.it_support * r.su_hardware_price
        b.obj[units[r.id]] += per_unit
    for m in inp.miners:
        b.obj[lots[m.id]] -= K * inp.mining_opex * m.lot_mw
    peaks = b.x["peaks"]
    months_billed = 12.0 / len(peaks)
    for var in peaks.values():
        b.obj[var] -= K * inp.demand_charge * months_billed
    b.constant -= K * 12 * inp.fixed_monthly


def define_objective(b: Builder) -> None:
    """NOI (kUSD/yr), less annualised capex or with it as a tie-break only."""
    inp = b.inp
    define_noi(b)
    # NOI less annualised capex; with objective "noi" the annualised capex enters with a
    # small weight only, as a tie-break, so that spare budget is not spent on plant that
    # saves a few kW (the budget constraint still holds).
    weight = capex_weight(inp.objective)
    for key, crf in (("capex_gpu", inp.crf["gpu"]), ("capex_facility", inp.crf["facility"]),
                     ("capex_miner", inp.crf["miner"])):
        for var, c in b.x[key].items():
            b.obj[var] -= K * crf * c * weight
    for var, c in b.penalties.items():
        b.obj[var] += c
    b.constant += -K * inp.crf["facility"] * b.x["capex_fixed"] * weight
    b.prob.setObjective(_affine(b.obj.items()) + b.constant)


# every constraint family, in build order (the objective is set after them)
DEFINES = (define_racks, define_mining, define_cdus, define_air_side, define_heat_rejection, define_valid_cuts, define_hourly_heat,
           define_fans, define_grid, define_areas_and_budget, define_limits)


def build_model(inp: Inputs, fixed: dict[str, float] | None = None, elastic: bool = False) -> Model:
    """Build the MILP.

    Parameters
    ----------
    inp : Inputs
        Canonical inputs.
    fixed : dict, optional
        Decisions fixed by the user (an engineer's own design): keys
        ``racks.<id>`` (racks, a whole number of scalable units), ``cdus.<id>``,
        ``heat_rejection.<id>@<loop>``, ``air_side.<id>``, ``mining.<id>`` (MW,
        a whole number of lots).
    elastic : bool, default False
        Add penalised slacks to every limit (see the module docstring), so the
        problem is feasible whatever the limits; for diagnosis only.
    """
    b = Builder(inp, fixed, elastic)
    with gc_paused():
        for define in (*DEFINES, define_objective):
            define(b)
    x = b.x
    integer_vars = [v for v in variables_of(b.prob) if v.cat == pulp.LpInteger]
    return Model(
        prob=b.prob, inputs=inp, units=x["units"], racks=x["racks"], cdus=x["cdus"], cdu_used=x["cdu_used"],
        modules=x["modules"], module_used=x["module_used"], air_units=x["air_units"], air_used=x["air_used"],
        lots=x["lots"], mining=x["mining"], dispatch=x["dispatch"], heat=x["heat"], wet=x["wet"],
        fans=x["fans"], peaks=x["peaks"], families=b.fams,
        expressions={k: x[k] for k in (
            "it_typical", "it_design", "it_peak", "it_grid_peak", "support_it", "gpus", "liquid_des", "air_des",
            "hall", "yard", "capex_gpu", "capex_facility", "capex_miner", "capex_fixed", "grid_rows",
            "fixed_cooling")},
        integer_vars=integer_vars,
        constant_kusd=b.constant,
    )


__all__ = ["Model", "Family", "Slack", "Builder", "DEFINES", "build_model", "gc_paused", "capex_weight", "gpu_revenue_per_unit", "value_of",
           "variables_of"]
