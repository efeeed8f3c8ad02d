"""Build the NOI-maximising MILP from canonical inputs. No I/O here.

Decisions: racks per type (integer), CDUs (integer, one type, N+k), heat-rejection
modules per technology and loop (integer, N+k at the design condition), air-side
units (integer, one type, N+k), installed mining per model (MW, continuous) and
its hourly dispatch, heat rejected per module type and hour, each month's peak.

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
get none. Count bounds derived from the
areas and the grid are widened so a relaxation can be found. Without
``elastic`` the model is exactly as before.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import pulp

from planner.inputs import LOOPS, Inputs

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
    racks: dict[str, pulp.LpVariable]
    cdus: dict[str, pulp.LpVariable]
    cdu_used: dict[str, pulp.LpVariable]
    modules: dict[str, pulp.LpVariable]  # key "id@loop"
    module_used: dict[str, pulp.LpVariable]
    air_units: dict[str, pulp.LpVariable]
    air_used: dict[str, pulp.LpVariable]
    mining: dict[str, pulp.LpVariable]  # installed MW per miner model
    dispatch: dict[str, list[pulp.LpVariable]]  # MW running per model hour
    heat: dict[str, list]  # per module key, heat rejected per hour (var or 0)
    wet: dict[str, list]  # adiabatic heat beyond dry capacity per hour
    peaks: dict[int, pulp.LpVariable]
    families: dict[str, Family]
    expressions: dict[str, object]
    integer_vars: list[pulp.LpVariable]
    constant_kusd: float  # constant part of the objective (fixed charges)


def capex_weight(objective: str) -> float:
    """Weight of annualised capex in the MILP objective: 1, or only a tie-break with objective "noi"."""
    return 1.0 if objective == "noi_less_annualised_capex" else CAPEX_TIE_BREAK


def _affine(pairs) -> pulp.LpAffineExpression:
    expr = pulp.LpAffineExpression()
    for var, coef in pairs:
        if coef:
            expr[var] = expr.get(var, 0.0) + coef
    return expr


def build_model(inp: Inputs, fixed: dict[str, float] | None = None, elastic: bool = False) -> Model:
    """Build the MILP.

    Parameters
    ----------
    inp : Inputs
        Canonical inputs.
    fixed : dict, optional
        Decisions fixed by the user (an engineer's own design): keys
        ``racks.<id>``, ``cdus.<id>``, ``heat_rejection.<id>@<loop>``,
        ``air_side.<id>``, ``mining.<id>`` (MW).
    elastic : bool, default False
        Add penalised slacks to every limit (see the module docstring), so the
        problem is feasible whatever the limits; for diagnosis only.
    """
    fixed = dict(fixed or {})
    prob = pulp.LpProblem("site_plan", pulp.LpMaximize)
    T = inp.hours
    a_ups = 1.0 / (inp.ups_efficiency * inp.transformer_efficiency)
    a_tx = 1.0 / inp.transformer_efficiency
    fams: dict[str, Family] = {}

    def family(key, path, desc, unit):
        fams[key] = Family(path, desc, unit)
        return fams[key]

    def add(fam: Family, t, con, name):
        prob.addConstraint(con, name)
        fam.rows.append((t, con))

    penalties: dict[pulp.LpVariable, float] = defaultdict(float)

    def relax(fam: Family, name: str, unit: str, what: str, path: str | None = None, t=None,
              scale: float | None = None) -> pulp.LpVariable:
        """A penalised slack (elastic mode only) recorded on ``fam``."""
        var = prob.add_variable(f"slack_{name}", lowBound=0)
        fam.slacks.append(Slack(var, t, unit, path or fam.path, what))
        penalties[var] -= ELASTIC_PENALTY * (ELASTIC_SCALE[unit] if scale is None else scale)
        return var

    def relax_hourly(fam: Family, peak: pulp.LpVariable, t: int, name: str, what: str, path: str | None = None):
        var = prob.add_variable(f"slack_{name}", lowBound=0)
        fam.hourly_slacks.append(Slack(var, t, "MW", path or fam.path, what))
        prob.addConstraint(var - peak <= 0, f"slackpeak_{name}")
        penalties[var] -= ELASTIC_HOURLY * float(inp.weight[t])
        return var

    def widen(ub, needed):
        """Count bound: as derived from the limits, or wide enough for a relaxation (elastic)."""
        if not elastic:
            return ub
        return max(ub, min(int(math.ceil(needed)), 10000))

    def bounded_int(name, ub, key):
        lo, hi = 0, ub
        if key in fixed:
            lo = hi = int(round(fixed.pop(key)))
        return prob.add_variable(name, lowBound=lo, upBound=max(hi, lo), cat=pulp.LpInteger)

    # --- racks ---------------------------------------------------------------
    racks = {}
    for i, r in enumerate(inp.racks):
        ub = int(min(inp.hall_area / r.floor_area, inp.grid_limit / (r.power_typical * a_ups)))
        ub = widen(ub, max(inp.min_racks, 1))
        racks[r.id] = bounded_int(f"n_rack_{i}", ub, f"racks.{r.id}")
    it_typical = _affine((racks[r.id], r.power_typical) for r in inp.racks)
    it_design = _affine((racks[r.id], r.power_design) for r in inp.racks)
    it_peak = _affine((racks[r.id], r.power_peak) for r in inp.racks)
    liquid_typ = _affine((racks[r.id], r.power_typical * r.liquid_fraction) for r in inp.racks)
    liquid_des = _affine((racks[r.id], r.power_design * r.liquid_fraction) for r in inp.racks)
    air_typ = _affine((racks[r.id], r.power_typical * (1 - r.liquid_fraction)) for r in inp.racks)
    air_des = _affine((racks[r.id], r.power_design * (1 - r.liquid_fraction)) for r in inp.racks)
    gpus = _affine((racks[r.id], r.gpus) for r in inp.racks)

    # --- mining --------------------------------------------------------------
    mining, dispatch = {}, {}
    for i, m in enumerate(inp.miners):
        ub = inp.grid_limit * a_tx if m.allowed else 0.0
        lo = 0.0
        if f"mining.{m.id}" in fixed:
            lo = ub = float(fixed.pop(f"mining.{m.id}"))
        mining[m.id] = prob.add_variable(f"mine_mw_{i}", lowBound=lo, upBound=ub)
        dispatch[m.id] = [
            prob.add_variable(f"mine_run_{i}_{t}", lowBound=0, upBound=ub * float(m.availability[t]))
            for t in range(T)
        ]
    hydro = [m for m in inp.miners if m.cooling == "hydro"]
    hydro_installed = _affine((mining[m.id], 1.0) for m in hydro)
    if elastic:  # largest design heat per loop the widened bounds allow, to widen cooling counts
        most = {"liquid": sum(racks[r.id].upBound * r.power_design * r.liquid_fraction for r in inp.racks)
                + sum(mining[m.id].upBound for m in hydro),
                "air": sum(racks[r.id].upBound * r.power_design * (1 - r.liquid_fraction) for r in inp.racks)}

    # --- CDUs ------------------------------------------------------------------
    cdus, cdu_used = {}, {}
    for i, c in enumerate(inp.cdus):
        ub = int(inp.hall_area / c.floor_area) if c.floor_area > 0 else 1000
        if elastic:
            ub = widen(ub, most["liquid"] / c.capacity + inp.spares["cdu"] + 1)
        cdus[c.id] = bounded_int(f"n_cdu_{i}", ub, f"cdus.{c.id}")
        cdu_used[c.id] = prob.add_variable(f"use_cdu_{i}", cat=pulp.LpBinary)
    # --- air side --------------------------------------------------------------
    air_units, air_used = {}, {}
    for i, a in enumerate(inp.air_side):
        ub = (int(inp.hall_area / a.floor_area) if a.floor_area > 0 else 5000) if a.allowed else 0
        if elastic and a.allowed:
            ub = widen(ub, most["air"] / a.capacity + inp.spares["air_side"] + 1)
        air_units[a.id] = bounded_int(f"n_air_{i}", ub, f"air_side.{a.id}")
        air_used[a.id] = prob.add_variable(f"use_air_{i}", cat=pulp.LpBinary)
    # --- heat rejection --------------------------------------------------------
    modules, module_used = {}, {}
    for i, h in enumerate(inp.heat_rejection):
        ub = int(inp.yard_area / h.floor_area)
        if elastic:
            best = max(h.design_capacity, float(h.capacity.max()))
            if best > 0:
                ub = widen(ub, most[h.loop] / best + inp.spares["heat_rejection"] + 1)
        modules[h.key] = bounded_int(f"n_hr_{i}", ub, f"heat_rejection.{h.key}")
        module_used[h.key] = prob.add_variable(f"use_hr_{i}", cat=pulp.LpBinary)
    if fixed:
        raise KeyError(f"unknown fixed decision(s): {', '.join(sorted(fixed))}")
    # a liquid-loop module rated at a loop temperature only some CDU types give needs one of them
    f_loop_cdu = family("loop_cdu", "choices.cdus", "liquid-loop modules rated for the chosen CDU's loop temperature", "-")
    for h in inp.heat_rejection:
        if h.cdus:
            add(f_loop_cdu, None, module_used[h.key] - pulp.lpSum(cdu_used[c] for c in h.cdus) <= 0,
                f"loop_cdu_{h.key}")

    heat: dict[str, list] = {}
    wet: dict[str, list] = {}
    for i, h in enumerate(inp.heat_rejection):
        heat[h.key] = [
            prob.add_variable(f"q_{i}_{t}", lowBound=0) if h.capacity[t] > 0 else 0.0 for t in range(T)
        ]
        if h.technology == "adiabatic_cooler" and (h.capacity > h.dry_capacity + 1e-12).any():
            wet[h.key] = [
                prob.add_variable(f"wet_{i}_{t}", lowBound=0) if h.capacity[t] > h.dry_capacity[t] + 1e-12 else 0.0
                for t in range(T)
            ]

    fixed_cooling = _affine(
        [(cdus[c.id], c.pump_power) for c in inp.cdus] + [(air_units[a.id], a.fan_power) for a in inp.air_side]
    )

    # --- design-condition sizing (N+k) -----------------------------------------
    s_cdu, s_hr, s_air = inp.spares["cdu"], inp.spares["heat_rejection"], inp.spares["air_side"]

    def one_type_with_spares(fam_key, key, path, choices_path, word, items, units, used, spares, load, load_text):
        """One unit type, at least N+k units of it, and N+k capacity >= ``load`` (CDUs, air side)."""
        fam = family(fam_key, path, f"{word} capacity with {spares} spare(s) >= {load_text}", "MW")
        fam_one = family(f"{key}_type", choices_path, f"one {word} type", "-")
        if not items:
            need = load
            if elastic:
                need = need - relax(fam, f"{key}_none", "MW", f"{load_text} and no {word} offered to carry it",
                                    path=choices_path, scale=ELASTIC_COOLING_SCALE)
            add(fam, None, need <= 0, f"{key}_none")
            return
        for item in items:
            add(fam_one, None, units[item.id] <= max(units[item.id].upBound, 0) * used[item.id], f"{key}_used_{item.id}")
            count = units[item.id]
            if elastic:
                count = count + relax(fam, f"{key}_min_{item.id}", "units", f"{item.id} units below the N+{spares} minimum count")
            add(fam_one, None, count >= (spares + 1) * used[item.id], f"{key}_min_{item.id}")
        n_types = pulp.lpSum(used.values())
        if elastic:
            n_types = n_types - relax(fam_one, f"{key}_one_type", "types", f"{word} types beyond the one allowed")
        add(fam_one, None, n_types <= 1, f"{key}_one_type")
        cap = _affine([(units[i.id], i.capacity) for i in items] + [(used[i.id], -spares * i.capacity) for i in items])
        if elastic:
            cap = cap + relax(fam, f"{key}_redundancy", "MW", f"{word} capacity with {spares} spare(s) out, against the {load_text}",
                              scale=ELASTIC_COOLING_SCALE)
        add(fam, None, cap - load >= 0, f"{key}_redundancy")

    one_type_with_spares("cdu", "cdu", "redundancy.cdu", "choices.cdus", "CDU", inp.cdus, cdus, cdu_used, s_cdu,
                         liquid_des + hydro_installed, "liquid heat at design power")
    one_type_with_spares("air_side", "air", "redundancy.air_side", "choices.air_side", "air-side", inp.air_side, air_units,
                         air_used, s_air, air_des, "rack air heat at design power")

    design_heat = {"liquid": liquid_des + hydro_installed, "air": air_des}
    for loop in LOOPS:
        fam = family(f"hr_design_{loop}", "redundancy.heat_rejection",
                     f"{loop}-loop heat rejection at the design condition with {s_hr} spare(s) per technology", "MW")
        pairs = []
        for h in inp.heat_rejection:
            if h.loop != loop:
                continue
            ub = modules[h.key].upBound
            add(fam, None, modules[h.key] <= ub * module_used[h.key], f"hr_used_{h.key}")
            count = modules[h.key]
            if elastic:
                count = count + relax(fam, f"hr_min_{h.key}", "units", f"{h.key} modules below the N+{s_hr} minimum count")
            add(fam, None, count >= (s_hr + 1) * module_used[h.key], f"hr_min_{h.key}")
            pairs += [(modules[h.key], h.design_capacity), (module_used[h.key], -s_hr * h.design_capacity)]
        have = _affine(pairs)
        if elastic:
            have = have + relax(fam, f"hr_design_{loop}", "MW",
                                f"{loop}-loop heat rejection with {s_hr} spare(s) out per technology, against the "
                                f"design heat at {inp.design_dry_bulb:g} degC", scale=ELASTIC_COOLING_SCALE)
        add(fam, None, have - design_heat[loop] >= 0, f"hr_design_{loop}")

    # --- hourly constraints ---------------------------------------------------------
    f_grid = family("grid", "site.grid_limit", "grid draw at the meter, every hour", "MW")
    f_env = family("envelope", "site.grid_limit",
                   "GPU peak power with mining curtailed, plus cooling, every hour", "MW")
    f_heat = {loop: family(f"heat_{loop}", f"choices.heat_rejection ({loop} loop)",
                           f"{loop}-loop heat rejected every hour", "MW") for loop in LOOPS}
    f_cap = family("hr_capacity", "choices.heat_rejection",
                   "heat rejected within the modules' capacity at that hour's ambient", "MW")
    f_wet = family("adiabatic", "choices.heat_rejection", "adiabatic heat beyond dry-mode capacity", "MW")
    f_mine = family("mining_avail", "choices.miners", "mining within installed and derated capacity", "MW")
    f_peak = family("peak", "tariff.demand_charge", "monthly peak draw", "MW")
    months = sorted(set(int(m) for m in inp.month)) if inp.full_year else [0]
    peaks = {mo: prob.add_variable(f"peak_{mo}", lowBound=0) for mo in months}

    obj: dict[pulp.LpVariable, float] = defaultdict(float)
    water_coef = K * inp.water_price
    grid_rows = []
    if elastic:
        grid_peak = relax(f_grid, "grid", "MW", "relaxation needed at the worst hour")
        heat_peak = {loop: relax(f_heat[loop], f"heat_{loop}", "MW",
                                 f"{loop}-loop heat the modules cannot reject (largest hour)",
                                 path="choices.heat_rejection", scale=ELASTIC_COOLING_SCALE) for loop in LOOPS}
    for t in range(T):
        w = float(inp.weight[t])
        cool_pairs = []
        for loop in LOOPS:
            pairs = []
            for h in inp.heat_rejection:
                if h.loop != loop:
                    continue
                q = heat[h.key][t]
                if isinstance(q, pulp.LpVariable):
                    pairs.append((q, 1.0))
                    cool_pairs.append((q, float(h.electricity_per_heat[t])))
                    add(f_cap, t, q - float(h.capacity[t]) * modules[h.key] <= 0, f"hrcap_{h.key}_{t}")
                    if h.key in wet and isinstance(wet[h.key][t], pulp.LpVariable):
                        wv = wet[h.key][t]
                        add(f_wet, t, wv - q + float(h.dry_capacity[t]) * modules[h.key] >= 0, f"wet_{h.key}_{t}")
                        obj[wv] -= water_coef * w * h.water_per_heat
                    elif h.water_per_heat > 0 and h.technology != "adiabatic_cooler":
                        obj[q] -= water_coef * w * h.water_per_heat
            load = liquid_typ + _affine((dispatch[m.id][t], 1.0) for m in hydro) if loop == "liquid" else air_typ
            rejected = _affine(pairs)
            if elastic:
                rejected = rejected + relax_hourly(f_heat[loop], heat_peak[loop], t, f"heat_{loop}_{t}",
                                                   f"{loop}-loop heat the modules cannot reject",
                                                   path="choices.heat_rejection")
            add(f_heat[loop], t, rejected - load == 0, f"heat_{loop}_{t}")
        cooling = _affine(cool_pairs) + fixed_cooling
        draw = a_ups * it_typical + a_tx * (_affine((dispatch[m.id][t], 1.0) for m in inp.miners) + cooling)
        envelope = a_ups * it_peak + a_tx * cooling
        if elastic:  # one relaxation per row and hour, all below the one penalised peak
            over = relax_hourly(f_grid, grid_peak, t, f"grid_{t}", "grid draw above the limit")
            add(f_grid, t, draw - over <= inp.grid_limit, f"grid_{t}")
            over = relax_hourly(f_grid, grid_peak, t, f"envelope_{t}", "GPU peak envelope above the limit")
            add(f_env, t, envelope - over <= inp.grid_limit, f"envelope_{t}")
        else:
            add(f_grid, t, draw <= inp.grid_limit, f"grid_{t}")
            add(f_env, t, envelope <= inp.grid_limit, f"envelope_{t}")
        peak = peaks[0] if 0 in peaks else peaks[int(inp.month[t])]
        add(f_peak, t, peak - draw >= 0, f"peak_{t}")
        for m in inp.miners:
            if m.availability[t] > 0 and m.allowed:
                add(f_mine, t, dispatch[m.id][t] - float(m.availability[t]) * mining[m.id] <= 0, f"mine_{m.id}_{t}")
            obj[dispatch[m.id][t]] += K * w * m.revenue_per_mwh
        # energy bought
        coef = K * w * float(inp.energy_price[t])
        for var, c in draw.items():
            obj[var] -= coef * c
        grid_rows.append(draw)

    # --- area, budget, limits ----------------------------------------------------------
    hall = _affine(
        [(racks[r.id], r.floor_area) for r in inp.racks]
        + [(cdus[c.id], c.floor_area) for c in inp.cdus]
        + [(air_units[a.id], a.floor_area) for a in inp.air_side]
        + [(mining[m.id], m.floor_area_per_mw) for m in inp.miners]
    )
    yard = _affine((modules[h.key], h.floor_area) for h in inp.heat_rejection)
    f_hall = family("hall", "site.hall_area", "hall floor area", "m^2")
    f_yard = family("yard", "site.yard_area", "yard area", "m^2")
    if elastic:
        add(f_hall, None, hall - relax(f_hall, "hall", "m^2", "hall floor area beyond the hall") <= inp.hall_area, "hall_area")
        add(f_yard, None, yard - relax(f_yard, "yard", "m^2", "yard area beyond the yard") <= inp.yard_area, "yard_area")
    else:
        add(f_hall, None, hall <= inp.hall_area, "hall_area")
        add(f_yard, None, yard <= inp.yard_area, "yard_area")

    capex_gpu = _affine((racks[r.id], r.price) for r in inp.racks)
    capex_facility = (
        _affine((racks[r.id], r.power_design * inp.facility_capex + r.power_peak * inp.ups_price_per_mw) for r in inp.racks)
        + _affine((cdus[c.id], c.price) for c in inp.cdus)
        + _affine((air_units[a.id], a.price) for a in inp.air_side)
        + _affine((modules[h.key], h.price) for h in inp.heat_rejection)
    )
    capex_miner = _affine((mining[m.id], m.price_per_mw) for m in inp.miners)
    capex_fixed = inp.transformer_price_per_mw * inp.grid_limit
    capex = capex_gpu + capex_facility + capex_miner
    f_budget = family("budget", "economics.capex_budget", "capital spent", "USD")
    spent = K * capex
    if elastic:
        spent = spent - K * relax(f_budget, "budget", "USD", "capital beyond the budget")
    add(f_budget, None, spent <= K * (inp.budget - capex_fixed), "capex_budget")

    f_lim = family("racks_limit", "limits.max_racks", "rack count limits", "racks")
    if inp.max_racks is not None:
        total = pulp.lpSum(racks.values())
        if elastic:
            total = total - relax(f_lim, "max_racks", "racks", "racks beyond limits.max_racks")
        add(f_lim, None, total <= inp.max_racks, "max_racks")
    if inp.min_racks:
        f_min = family("racks_min", "limits.min_racks", "fewest racks", "racks")
        total = pulp.lpSum(racks.values())
        if elastic:
            total = total + relax(f_min, "min_racks", "racks", "racks short of limits.min_racks",
                                  scale=ELASTIC_MIN_RACKS_SCALE)
        add(f_min, None, total >= inp.min_racks, "min_racks")
    if inp.max_mining is not None:
        f_mlim = family("mining_limit", "limits.max_mining", "installed mining", "MW")
        total = pulp.lpSum(mining.values())
        if elastic:
            total = total - relax(f_mlim, "max_mining", "MW", "mining beyond limits.max_mining")
        add(f_mlim, None, total <= inp.max_mining, "max_mining")

    # --- objective (kUSD/yr) -------------------------------------------------------------
    for r in inp.racks:
        gpu_rev = K * r.gpu_price * inp.utilisation * GPU_HOURS_PER_YEAR
        obj[racks[r.id]] += gpu_rev * r.gpus - K * inp.facility_opex * r.power_design
    for m in inp.miners:
        obj[mining[m.id]] -= K * inp.mining_opex
    months_billed = 12.0 / len(peaks)
    for var in peaks.values():
        obj[var] -= K * inp.demand_charge * months_billed
    # NOI less annualised capex; with objective "noi" the annualised capex enters with a
    # small weight only, as a tie-break, so that spare budget is not spent on plant that
    # saves a few kW (the budget constraint still holds).
    weight = capex_weight(inp.objective)
    for expr, crf in ((capex_gpu, inp.crf["gpu"]), (capex_facility, inp.crf["facility"]),
                      (capex_miner, inp.crf["miner"])):
        for var, c in expr.items():
            obj[var] -= K * crf * c * weight
    for var, c in penalties.items():
        obj[var] += c
    constant = -K * 12 * inp.fixed_monthly - K * inp.crf["facility"] * capex_fixed * weight
    prob.setObjective(_affine(obj.items()) + constant)

    integer_vars = [v for v in prob.variables() if v.cat == pulp.LpInteger]
    return Model(
        prob=prob, inputs=inp, racks=racks, cdus=cdus, cdu_used=cdu_used, modules=modules,
        module_used=module_used, air_units=air_units, air_used=air_used, mining=mining,
        dispatch=dispatch, heat=heat, wet=wet, peaks=peaks, families=fams,
        expressions={
            "it_typical": it_typical, "it_design": it_design, "it_peak": it_peak, "gpus": gpus,
            "liquid_design": liquid_des, "air_design": air_des, "hall": hall, "yard": yard,
            "capex_gpu": capex_gpu, "capex_facility": capex_facility, "capex_miner": capex_miner,
            "capex_fixed": capex_fixed, "grid_rows": grid_rows, "fixed_cooling": fixed_cooling,
        },
        integer_vars=integer_vars,
        constant_kusd=constant,
    )

