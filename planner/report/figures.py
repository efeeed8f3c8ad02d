"""The figures of a capacity report, each with its unit, as plain data.

The sections are built from the results model (:class:`planner.results.PlanResults`) alone; the text
and ``--json`` renderers read them, as the report files read the same model, so the terminal and
every exported file show the same numbers. The helpers on the audited operation at the top
(:func:`energy_year`, :func:`pue_at`, ...) are what the results model is computed with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np


#: Published landlord capex for converted AI halls [MUSD per MW of IT] (domain-facts-2 section 6).
PUBLISHED_FACILITY_CAPEX = (6.0, 11.0)


@dataclass
class Figure:
    label: str
    value: float | int | str | None
    unit: str = ""
    note: str = ""


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (heading, unit)
    rows: list[list] = field(default_factory=list)


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


class EnergyYear(NamedTuple):
    """Energy and water of the audited year [MWh/yr, m^3/yr]."""

    grid: float  # site energy at the meter, mining included
    it: float  # IT energy: GPU racks at typical power and their support IT
    mining: float  # miners at the wall
    mining_share: float  # what mining adds at the meter: miners, ventilation, their cooling and losses
    cooling: float
    water: float

    @property
    def facility(self) -> float:
        """Energy of the data centre at the meter: the site's energy less what mining adds."""
        return self.grid - self.mining_share

    @property
    def pue(self) -> float | None:
        """PUE as The Green Grid defines it: total facility energy over IT energy (mining apart)."""
        return self.facility / self.it if self.it > 0 else None

    @property
    def served(self) -> float:
        """IT and mining energy: the denominator of the site's water use per energy served."""
        return self.it + self.mining


def _extreme_figures(site) -> list[Figure]:
    if site.extreme_max_dry_bulb is None:
        return []
    return [Figure("extreme annual dry bulb (ASHRAE, mean of the annual maxima)", site.extreme_max_dry_bulb.value, "degC",
                   f"{site.extreme_max_dry_bulb_20_year.value:.1f} degC once in 20 years; minima: mean "
                   f"{site.extreme_min_dry_bulb.value:.1f} degC, {site.extreme_min_dry_bulb_20_year.value:.1f} degC once "
                   f"in 20 years (weather file's header); the typical year the plan runs on leaves them out")]


def _freeze_figures(site, des) -> list[Figure]:
    """A warning where the loops' fluid freezes above the site's cold extremes and coils stand outdoors."""
    coils = [c for c in des.cooling if c.kind == "heat_rejection" and c.technology in ("dry_cooler", "adiabatic_cooler")]
    if not coils or site.fluid_freezing_point is None:
        return []
    cold = [site.coldest_dry_bulb.value] + ([site.extreme_min_dry_bulb.value] if site.extreme_min_dry_bulb else [])
    point = site.fluid_freezing_point.value
    if point < min(cold):
        return []
    extremes = (f", the mean annual minimum {site.extreme_min_dry_bulb.value:.1f} degC (once in 20 years "
                f"{site.extreme_min_dry_bulb_20_year.value:.1f} degC)" if site.extreme_min_dry_bulb else "")
    return [Figure(f"freeze risk: {site.facility_fluid} in the outdoor coils freezes at", point, "degC",
                   f"the weather year's coldest hour is {site.coldest_dry_bulb.value:.1f} degC{extremes}: the coils "
                   f"({', '.join(sorted({c.hardware_id for c in coils}))}) need a stronger glycol (PG30 freezes at "
                   f"-12.7 degC; cooling.facility_fluid), drain-down or heat when idle (domain-facts 2d)")]


def _fluid_figures(site) -> list[Figure]:
    """The glycol correction of the heat-rejection ratings, where one applies."""
    factors = sorted({round(f, 4) for f in site.fluid_duty_factors.values() if abs(f - 1.0) > 1e-9})
    if not factors:
        return []
    text = " to ".join(f"x{f:.3g}" for f in (factors[0], factors[-1])) if len(factors) > 1 else f"x{factors[0]:.3g}"
    return [Figure(f"heat-rejection capacity with {site.facility_fluid} in the loops", text, "",
                   "against ratings with water (hardware rated_fluid): a coil or exchanger carries less with glycol; "
                   "x0.95 at 20 %, x0.91 at 30 % (Airedale DeltaChill glycol data, domain-facts 2d)")]


def _without_water_text(lp) -> str:
    share = lp.capacity_without_water.value / lp.design_heat.value if lp.design_heat.value else 0.0
    text = f"{share:.0%} of the design heat {lp.design_heat.value:.4g} MW; "
    if lp.hours_short_without_water:
        return text + (f"short of the heat running in {lp.hours_short_without_water:,} h of the audited year, by up to "
                       f"{lp.largest_short_without_water.value:.3g} MW at {lp.largest_short_without_water_hour}: the "
                       f"water supply (or its storage) is a single point of failure that the modules' {lp.redundancy} "
                       f"does not cover")
    return text + "carries the heat running in every hour of the audited year"


def _against_design(lp) -> str:
    """The tightest hour's capacity, spares out, against the design heat (design power), in words."""
    gap = lp.capacity_at_tightest_hour.value - lp.design_heat.value
    if gap >= 0:
        return f"the design heat ({lp.design_heat.value:.4g} MW) would fit too, {gap:.3g} MW to spare"
    return (f"{-gap:.3g} MW short of the design heat ({lp.design_heat.value:.4g} MW, the racks at design power), "
            f"which the loop carries at the design condition only")


def _plant_text(lp) -> str:
    """The share of a loop's design heat from the cooling plant's own pumps or fans, in words."""
    if lp.plant_heat is None or lp.plant_heat.value <= 0:
        return ""
    source = ("the CDU pumps and the facility-water pumps" if lp.loop == "liquid"
              else "the air-side units' fans and the chilled-water pumps")
    return f", of it {lp.plant_heat.value:.3g} MW from {source}"


def energy_year(op) -> EnergyYear:
    share = 0.0 if op.mining_share is None else float(op.mining_share.sum())
    return EnergyYear(float(op.grid_draw.sum()), op.it_typical * len(op.grid_draw),
                      float(sum(v.sum() for v in op.mining_power.values())), share, float(op.cooling_power.sum()),
                      float(op.water_m3.sum()))


def facility_energy_by_kind(op) -> dict[str, float]:
    """The data centre's energy by load kind [MWh/yr]: each kind less what mining adds to it.

    They add up to the facility energy of :class:`EnergyYear` (site less mining), so each over the IT
    energy is that kind's part of the PUE, and the parts add up to it. Mining and its ventilation are
    mining's alone; the cooling of hydro miners' heat (the liquid loop's pumps and chillers in the share
    of its heat they bring, :attr:`planner.audit.Operation.mining_cooling_by_kind`) leaves those kinds;
    the losses keep the UPS and transformer losses of the rest, mining's transformer losses taken out
    (the meter's mining share less the miners, their ventilation and their cooling).
    """
    loads = op.loads
    n = len(op.grid_draw)
    by_kind = op.mining_cooling_by_kind or {}
    hydro = sum((np.asarray(v, dtype=float) for v in by_kind.values()), np.zeros(n))
    share = np.zeros(n) if op.mining_share is None else np.asarray(op.mining_share, dtype=float)
    mining_losses = share - loads["mining"] - loads["miner_ventilation"] - hydro
    out = {}
    for kind, series in loads.items():
        if kind in ("mining", "miner_ventilation"):
            out[kind] = 0.0
        elif kind in ("pumps", "fans", "chillers"):
            out[kind] = float((series - by_kind.get(kind, 0.0)).sum())
        elif kind == "losses":
            out[kind] = float((series - mining_losses).sum())
        else:
            out[kind] = float(series.sum())
    return out


def hottest_hour(inp) -> int:
    """The hour of the weather year with the highest dry bulb."""
    return int(np.argmax(inp.climate.dry_bulb))


def mining_at(op, h: int) -> float:
    """Mining running in hour ``h`` [MW]."""
    return float(sum(v[h] for v in op.mining_power.values()))


def pue_at(op, h: int) -> float | None:
    """PUE in hour ``h``: the meter less what mining adds, over GPU and support IT."""
    if op.it_typical <= 0:
        return None
    share = 0.0 if op.mining_share is None else float(op.mining_share[h])
    return (float(op.grid_draw[h]) - share) / op.it_typical


LOAD_LABELS = {
    "gpu_it": "GPU racks (IT, typical)", "support_it": "support IT (network, storage, management)",
    "pumps": "pumps (CDU, facility water, condenser water)", "fans": "fans (heat rejection, air side)",
    "chillers": "chillers (compressors, condenser fans)", "miner_ventilation": "miner ventilation", "house": "house and lighting",
    "losses": "UPS and transformer losses", "mining": "mining",
}


def assist_mask(h, op) -> np.ndarray | None:
    """Hours heat-rejection type ``h`` runs beyond dry free cooling (adiabatic spray, or a chiller running).

    None for other technologies; no hour when the operation has no record of the module.
    """
    if h.technology == "adiabatic_cooler":
        series = op.wet_heat.get(h.key)
    elif h.technology.endswith("chiller"):
        series = op.heat_by_module.get(h.key)
    else:
        return None
    return np.zeros(len(op.grid_draw), dtype=bool) if series is None else np.asarray(series) > 1e-6


def second_power_chain(capex) -> float:
    """A second UPS and transformer at the plan's prices, for 2N [MUSD]: the same again."""
    return sum(p.value for p in (capex.parts.get("ups"), capex.parts.get("transformer")) if p is not None and p.value)


def read_first(results, system: str = "si") -> list[tuple[str, str]]:
    """What the plan leaves to the reader to decide or accept, as (TOML path, words): the report's own figures.

    Each item repeats a figure of a later section that a reader of the headline alone would miss: the grid
    step before mining sheds and the envelope without power smoothing, a loop short of its design heat at the
    extreme dry bulb, without water or with its spares out in some hours, fluid that freezes, electrical
    redundancy not sized, and audit violations. Quantities in ``system`` ("si" or "us").
    """
    from planner.report.usunits import convert

    def fq(value, unit, heat=False, fmt=".4g"):
        v, label = convert(value, unit, system, heat=heat)
        return f"{v:{fmt}} {label}"

    site, des, pb, capex = results.site, results.design, results.power_balance, results.capex
    out = []
    if pb.step_before_shed is not None and pb.step_before_shed.value > site.grid_limit.value + 1e-9:
        out.append(("site.grid_limit", f"for the {pb.shed_seconds:g} s before mining sheds the GPU step draws "
                    f"{fq(pb.step_before_shed.value, 'MW')}, above the {fq(site.grid_limit.value, 'MW', fmt='g')} limit: agree with the "
                    f"utility that the limit is a demand over minutes, or keep {fq(pb.mining_over_step.value, 'MW', fmt='.3g')} of "
                    f"mining off ({pb.mining_held_off.value:,.0f} MWh/yr)"))
    smoothed = pb.envelope_without_smoothing.value - pb.envelope.value
    if smoothed > 1e-9 and pb.envelope_without_smoothing.value > site.operating_limit.value + 1e-9:
        out.append(("racks.*.power_smoothing", f"without the racks' power smoothing (an estimate) the GPU peak "
                    f"envelope is {fq(pb.envelope_without_smoothing.value, 'MW')}, above the operating limit "
                    f"{fq(site.operating_limit.value, 'MW', fmt='g')}"))
    for lp in des.loops:
        heat = lp.design_heat.value
        if lp.capacity_at_extreme_dry_bulb is not None and lp.capacity_at_extreme_dry_bulb.value < heat - 1e-9:
            out.append(("climate.design_dry_bulb", f"{lp.loop} loop: at the mean annual maximum dry bulb "
                        f"({fq(site.extreme_max_dry_bulb.value, 'degC', fmt='.1f')}) every module running carries "
                        f"{fq(lp.capacity_at_extreme_dry_bulb.value, 'MW', True)} of the {fq(heat, 'MW', True)} design heat"))
        if lp.hours_short_with_spares_out:
            out.append(("redundancy.heat_rejection", f"{lp.loop} loop: {lp.redundancy} does not hold in "
                        f"{lp.hours_short_with_spares_out:,} h of the audited year ({lp.spares_out})"))
        elif lp.capacity_at_tightest_hour is not None and lp.capacity_at_tightest_hour.value < heat - 1e-9:
            out.append(("redundancy.heat_rejection", f"{lp.loop} loop: {lp.redundancy} holds the heat running in "
                        f"every hour, but at {lp.tightest_hour} "
                        f"({fq(lp.tightest_dry_bulb.value, 'degC', fmt='.1f')}) with {lp.spares_out} it carries "
                        f"{fq(lp.capacity_at_tightest_hour.value, 'MW', True)}, "
                        f"{fq(heat - lp.capacity_at_tightest_hour.value, 'MW', True, '.3g')} short of the design heat "
                        f"at design power"))
        if lp.capacity_without_water is not None and lp.capacity_without_water.value < heat - 1e-9:
            short = (f", short in {lp.hours_short_without_water:,} h of the audited year"
                     if lp.hours_short_without_water else "")
            out.append(("choices.heat_rejection", f"{lp.loop} loop: without water it carries "
                        f"{fq(lp.capacity_without_water.value, 'MW', True, '.3g')} of the {fq(heat, 'MW', True)} design heat{short}; the water "
                        f"supply is a single point of failure"))
    if _freeze_figures(site, des):
        out.append(("cooling.facility_fluid", f"{site.facility_fluid} freezes at "
                    f"{fq(site.fluid_freezing_point.value, 'degC', fmt='.1f')}, above the site's cold extremes, in outdoor coils"))
    again = second_power_chain(capex)
    out.append(("economics.facility_capex", "electrical redundancy is not sized: one transformer and a UPS for IT "
                "only, no generators" + (f" (2N UPS and transformer: {again:.3g} MUSD more)" if again > 0 else "")))
    if results.audit.violations:
        out.append(("audit", f"{len(results.audit.violations)} violation(s) of the site's limits in the audited year"))
    return out


def build_sections(results) -> list[Section]:
    """All report sections of a solved plan, read from its results model alone.

    ``results`` is the :class:`planner.results.PlanResults` of the plan: the terminal report and the
    ``--json`` report render it as the report files do, so every output shows the same numbers.
    """
    site, des, year, pb = results.site, results.design, results.annual, results.power_balance
    out: list[Section] = []

    # --- site and inputs --------------------------------------------------------------
    s = Section("Site")
    s.figures += [
        Figure("site", site.name),
        Figure("grid limit", site.grid_limit.value, "MW", "site.grid_limit"),
        Figure("operating margin", site.grid_margin.value, "MW",
               "site.grid_margin" + (f": {site.grid_margin_reason}" if site.grid_margin_reason else "")),
        Figure("weather", site.weather_source),
        Figure("design condition", f"{site.design_dry_bulb.value:.1f} degC dry bulb / "
                                   f"{site.design_wet_bulb.value:.1f} degC wet bulb", "", site.design_source),
        Figure("hottest hour in the weather", site.hottest_dry_bulb.value, "degC"),
        *_extreme_figures(site),
        Figure("time resolution", site.time_mode, "", f"{site.model_hours} model hours"),
        Figure("liquid loop (facility water) supply", site.liquid_supply_temperature.value, "degC",
               site.liquid_supply_note),
        Figure("air-side loop supply", site.air_supply_temperature.value, "degC", "cooling.air_loop_supply_temperature"),
        *_fluid_figures(site),
        Figure("hashprice", site.hashprice.value, "USD/(PH/s)/day",
               "from market.*: BTC price, difficulty, subsidy, fees, pool fee"),
    ]
    out.append(s)

    # --- what a reader of the headline alone would miss ----------------------------------
    items = read_first(results)
    if items:
        s = Section("Read first: what the plan leaves to you")
        s.lines += [f"{path}: {words}" for path, words in items]
        s.lines.append("(each from a figure below; the sections that follow give it in full)")
        out.append(s)

    # --- racks ------------------------------------------------------------------------------
    s = Section("Racks and GPUs")
    t = Table("racks", [("rack", ""), ("scalable units", "units"), ("count", "racks"), ("support racks", "racks"),
                        ("GPUs", "GPU"), ("GPU IT typical", "MW"), ("support IT", "MW"), ("IT peak at grid", "MW"),
                        ("GPU price", "USD/GPU/h")])
    for r in des.racks:
        t.rows.append([r.name, r.scalable_units, r.count, r.support_racks, r.gpus, r.gpu_it_typical.value,
                       r.support_it.value, r.it_peak_at_grid.value, r.gpu_price.value])
    s.tables.append(t)
    s.figures += [
        Figure("GPUs", des.gpus, "GPU"),
        Figure("IT power, typical (GPU racks and support IT)", des.it_typical.value, "MW"),
        Figure("support IT", des.support_it.value, "MW", "scale-out network, storage, management per scalable unit"),
        Figure("IT power, design", des.it_design.value, "MW"),
        Figure("IT power, electrical peak (transients)", des.it_peak.value, "MW", "UPS rating"),
        Figure("IT power, peak the grid sees", des.it_grid_peak.value, "MW",
               "rack peak less the power smoothing of its power shelves, never below design power; support IT"),
    ]
    out.append(s)

    # --- cooling -------------------------------------------------------------------------------
    s = Section("Cooling layout")
    t = Table("equipment", [("unit", ""), ("loop", ""), ("count", "units"), ("spares", ""),
                            ("capacity each at design", "MW"), ("role", ""), ("design heat", "MW")])
    for c in des.cooling:
        t.rows.append([c.name, c.loop, c.count, c.spares, c.capacity_each_at_design.value, c.role, c.design_heat.value])
    s.tables.append(t)
    s.lines.append("design heat: CDUs and air-side units carry the racks' heat at design power (their ratings net of "
                   "their own pumps and fans); a loop's heat-rejection modules also the CDU pumps' and facility-water "
                   "pumps' heat (liquid loop) or the air-side units' fans' and chilled-water pumps' (air loop)")
    for lp in des.loops:
        s.figures.append(Figure(
            f"{lp.loop} loop heat rejection at the design condition, {lp.spares_out}", lp.capacity_with_spares_out.value,
            "MW", f"design heat {lp.design_heat.value:.4g} MW{_plant_text(lp)}; redundancy.heat_rejection = {lp.redundancy}; "
                  f"carried by {', '.join(lp.carried_by) or 'nothing'}"))
        if lp.hours_short_with_spares_out:
            s.figures.append(Figure(
                f"{lp.loop} loop: hours of the year {lp.redundancy} does not hold, {lp.spares_out}",
                lp.hours_short_with_spares_out, "h",
                f"hours hotter than the design condition, against the heat running then; largest shortfall "
                f"{lp.largest_short_with_spares_out.value:.3g} MW at {lp.hottest_short_hour}; the audit checks the "
                f"heat with every module running"))
        elif lp.margin_at_tightest_hour is not None:
            s.figures.append(Figure(
                f"{lp.loop} loop: {lp.redundancy} holds in every hour of the audited year, {lp.spares_out}; least "
                f"spare", lp.margin_at_tightest_hour.value, "MW",
                f"against the heat running then, at {lp.tightest_hour} ({lp.tightest_dry_bulb.value:.1f} degC dry "
                f"bulb), where the capacity with the spares out is {lp.capacity_at_tightest_hour.value:.2f} MW: "
                f"{_against_design(lp)}"))
        if lp.capacity_at_extreme_dry_bulb is not None:
            cap, heat = lp.capacity_at_extreme_dry_bulb.value, lp.design_heat.value
            s.figures.append(Figure(
                f"{lp.loop} loop at the mean annual maximum dry bulb ({site.extreme_max_dry_bulb.value:.1f} degC, the "
                f"design condition's wet bulb), every module running", cap, "MW",
                f"against the design heat {heat:.4g} MW: " + (
                    f"{heat - cap:.3g} MW short at design power (to design for it: climate.design_from = \"site\" "
                    f"with climate.design_dry_bulb)" if cap < heat - 1e-9 else f"{cap - heat:.3g} MW to spare")
                + f"; the weather year's hottest hour is {site.hottest_dry_bulb.value:.1f} degC"))
        if lp.capacity_without_water is not None:
            s.figures.append(Figure(
                f"{lp.loop} loop without water (adiabatic coolers dry, towers and water-cooled chillers off), every "
                f"module running, at the design condition", lp.capacity_without_water.value, "MW",
                _without_water_text(lp)))
    s.figures += _freeze_figures(site, des)
    for r in des.racks:  # coolant flows in the rack loops (TCS)
        if r.coolant_flow_per_rack is not None:
            note = f"{r.coolant}, {r.coolant_temperature_rise.value:g} K rise at design power"
            if r.vendor_coolant_flow is not None:
                note += f"; vendor figure {r.vendor_coolant_flow.value:g} L/min"
            s.figures.append(Figure(f"coolant flow per {r.name}", r.coolant_flow_per_rack.value, "L/min", note))
    cdu_flow = des.cdu_flow.value if des.cdu_flow is not None else 0.0
    s.figures.append(Figure("rack-loop coolant flow, all racks", des.rack_coolant_flow.value, "L/min",
                            "the larger of the vendor's figure and heat / (rho cp dT), per rack; CDUs installed give "
                            f"{cdu_flow:,.0f} L/min" if cdu_flow else "the larger of the vendor's figure and the heat's"))
    s.figures.append(Figure("yard area used", des.yard_area_used.value, "m^2", f"of {site.yard_area.value:,.0f} m^2"))
    units = {c.id: c for c in des.cooling}
    for key, hours in des.assist_hours.items():
        c = units[key]
        what = "adiabatic assist" if c.technology == "adiabatic_cooler" else f"{c.name} running"
        s.figures.append(Figure(f"hours with {what} ({c.loop} loop)", hours, "h"))
    for key, hours in des.freezing_hours.items():
        if hours:
            c = units[key]
            s.figures.append(Figure(
                f"hours {c.name} evaporates water below 0 degC ({c.loop} loop)", hours, "h",
                "freeze protection needed: basin heaters, drain-down or bypass of idle cells, or dry heat rejection in "
                "winter"))
    out.append(s)

    # --- mining ---------------------------------------------------------------------------------
    s = Section("Residual mining")
    t = Table("miners", [("miner", ""), ("installed", "MW"), ("lots", "lots"), ("units", "units"), ("hash rate", "PH/s"),
                         ("mined", "MWh/yr"), ("revenue", "USD/MWh"), ("strike price at meter", "USD/MWh"),
                         ("curtailed: grid or peak", "h"), ("curtailed: price", "h"), ("derated: hot air", "h")])
    for m in des.miners:
        t.rows.append([m.name, m.installed.value, m.lots, m.units, m.hash_rate.value, m.mined.value, m.revenue.value,
                       m.strike_price_at_meter.value, m.curtailed_grid_hours, m.curtailed_price_hours,
                       m.derated_hot_air_hours])
    s.lines += [f"{m.name}: not eligible, {m.reason}" for m in des.miners_not_eligible]
    if des.miners:
        s.lines.append("curtailed: hours running below what is available: grid or peak, with the grid draw at the "
                       "operating limit or at the month's peak draw (more would raise the demand charge); price, the "
                       "energy costing more than the mining earns")
    s.tables.append(t)
    s.figures.append(Figure("mining energy", year.mining_energy.value, "MWh/yr"))
    out.append(s)

    # --- power balance at the design hour ---------------------------------------------------------------
    s = Section("Power balance at the hottest hour")
    s.figures.append(Figure("hour", pb.timestamp, "",
                            f"{pb.dry_bulb.value:.1f} degC dry bulb, {pb.wet_bulb.value:.1f} degC wet bulb"))
    for kind, value in pb.loads.items():
        s.figures.append(Figure(LOAD_LABELS[kind], value.value, "MW"))
    s.figures += [
        Figure("grid draw", pb.grid_draw.value, "MW",
               f"limit {site.grid_limit.value:g} MW less margin {site.grid_margin.value:g} MW"),
        Figure("envelope: GPU peak + cooling, sheddable mining off", pb.envelope.value, "MW",
               f"limit {site.operating_limit.value:g} MW"),
    ]
    smoothed = pb.envelope_without_smoothing.value - pb.envelope.value
    if smoothed > 1e-9:
        over = pb.envelope_without_smoothing.value - site.operating_limit.value
        over_grid = pb.envelope_without_smoothing.value - site.grid_limit.value
        s.figures.append(Figure(
            "envelope without power smoothing", pb.envelope_without_smoothing.value, "MW",
            f"every rack at its full electrical peak ({smoothed:.3g} MW more through UPS and transformer): "
            + (f"{over:.3g} MW above the operating limit ({site.operating_limit.value:g} MW)"
               + (f", {over_grid:.3g} MW above site.grid_limit ({site.grid_limit.value:g} MW)" if over_grid > 1e-9 else
                  f", within site.grid_limit ({site.grid_limit.value:g} MW) by {-over_grid:.3g} MW")
               + "; the plan relies on the racks' power smoothing (racks.*.power_smoothing, an estimate)"
               if over > 1e-9 else "still within the operating limit")))
    if pb.step_before_shed is not None:
        over = pb.step_before_shed.value - site.grid_limit.value
        s.figures.append(Figure(
            "GPU step before mining sheds", pb.step_before_shed.value, "MW",
            f"the racks from typical power to their smoothed peak while the miners running still draw, for their shed "
            f"time ({pb.shed_seconds:g} s, within the racks' transient window): "
            + (f"{over:.3g} MW above site.grid_limit ({site.grid_limit.value:g} MW) for those seconds, beyond what "
               f"site.grid_margin ({site.grid_margin.value:g} MW) holds back; within it if the utility reads the limit "
               f"as a demand over minutes; an instantaneous limit would keep {pb.mining_over_step.value:.3g} MW of "
               f"mining off at this hour, {pb.step_hours_over_limit:,} h of the audited year would see the step pass "
               f"the limit, and {pb.mining_held_off.value:,.0f} MWh/yr of mining would stay off"
               if over > 1e-9 else f"within site.grid_limit ({site.grid_limit.value:g} MW) by {-over:.3g} MW")))
    s.figures += [
        Figure("PUE at this hour", pb.pue.value, "", "(meter less what mining adds) / (GPU + support IT)"),
    ]
    out.append(s)

    # --- energy and water ---------------------------------------------------------------------------------
    s = Section("Energy and water")
    t = Table("energy by kind", [("load", ""), ("energy", "MWh/yr"), ("share of site energy", "%"),
                                 ("part of PUE", "-")])
    grid = year.grid_energy.value
    for kind, e in year.energy_by_kind.items():
        part = year.pue_by_kind.get(kind)
        t.rows.append([LOAD_LABELS[kind], e.value, 100.0 * e.value / grid if grid else None,
                       None if part is None else part.value])
    s.tables.append(t)

    s.figures += [
        Figure("site energy from the grid, mining included", grid, "MWh/yr"),
        Figure("data-centre energy (site less mining)", year.facility_energy.value, "MWh/yr",
               "mining's share: miners, their ventilation, cooling of hydro miners, transformer losses"),
        Figure("IT energy (GPU racks and support IT)", year.it_energy.value, "MWh/yr"),
        Figure("mining energy", year.mining_energy.value, "MWh/yr"),
        Figure("cooling energy (pumps, fans, chillers)", year.cooling_energy.value, "MWh/yr"),
        Figure("PUE, annual", year.pue.value, "", "The Green Grid: total facility energy / IT energy; mining apart"
               + ("; the table's parts add up to it, each load's energy less what mining adds to it (hydro miners' "
                  "cooling, mining's transformer losses) over IT energy" if year.pue_by_kind else "")),
        Figure("water", year.water.value, "m^3/yr"),
        Figure("peak water draw", year.peak_water.value, "m^3/h",
               f"at {year.peak_water_hour}: the supply (or storage) the plan needs" if year.peak_water_hour else ""),
        Figure("WUE", year.wue.value, "L/kWh", "water / IT energy"),
        Figure("highest draw", year.highest_draw.value, "MW"),
    ]
    out.append(s)

    # --- economics -------------------------------------------------------------------------------------------
    noi, capex = results.noi, results.capex
    s = Section("Net operating income")
    for key, val in noi.parts.items():
        s.figures.append(Figure(noi.names.get(key, key), val.value, "MUSD/yr"))
    s.figures.append(Figure("NOI", noi.noi.value, "MUSD/yr"))
    capital = noi.annualised_capex.value
    s.figures.append(Figure("annualised capex", None if capital is None else -capital, "MUSD/yr",
                            "capital recovery at economics.discount_rate over each part's life; a cost, signed as the "
                            "costs above"))
    s.figures.append(Figure("NOI less annualised capex", noi.noi_less_annualised_capex.value, "MUSD/yr"))
    if noi.gpu_price_headroom is not None:
        fall = noi.gpu_price_headroom.value
        s.figures.append(Figure(
            "GPU price fall that leaves NOI less annualised capex at zero", fall, "USD/GPU/h",
            f"every GPU price, the design and its year held: NOI less annualised capex / GPU hours sold "
            f"({noi.gpu_hours_sold.value / 1e6:.4g} million GPU-h/yr)" + ("; negative: the rise it needs" if fall < 0 else "")))
    if noi.gpu_utilisation_break_even is not None and noi.gpu_utilisation is not None:
        s.figures.append(Figure(
            "GPU utilisation that leaves NOI less annualised capex at zero", noi.gpu_utilisation_break_even.value, "%",
            f"the billable share of GPU hours, against gpu_market.utilisation {noi.gpu_utilisation.value:.3g} %; the "
            "design and its year held: GPU revenue is linear in it and no cost follows it"))
    s.figures.append(Figure("objective", noi.objective, "", "economics.objective"))
    out.append(s)
    s = Section("Capital cost")
    for key, val in capex.parts.items():
        if val.value:
            s.figures.append(Figure(capex.names.get(key, key), val.value, "MUSD"))
    s.figures.append(Figure("total", capex.total.value, "MUSD", f"budget {capex.budget.value:,.1f} MUSD"))
    if capex.facility_per_mw_it is not None:
        per_mw = capex.facility_per_mw_it.value
        lo, hi = PUBLISHED_FACILITY_CAPEX
        verdict = "within" if lo <= per_mw <= hi else "OUTSIDE"
        s.figures.append(Figure("facility capex per MW of IT (design)", per_mw, "MUSD/MW",
                                f"{verdict} the published {lo:g}-{hi:g} MUSD/MW (TeraWulf 8-10, Cipher 9-11, "
                                f"IREN 6-7; domain-facts-2 section 6)"))
    again = second_power_chain(capex)
    s.lines.append("electrical redundancy: the plan prices one transformer at the grid limit and the UPS at the IT "
                   "electrical peak (IT only: the CDU pumps and the rest of the plant are not on it), no standby "
                   "generators, battery runtime or second transformer; what the site needs of them is inside "
                   "economics.facility_capex, or missing from this capex"
                   + (f" (a second UPS and transformer, 2N, at the plan's prices: {again:.3g} MUSD more, against "
                      f"{capex.budget.value - capex.total.value:.3g} MUSD of the budget unused)" if again > 0 else ""))
    out.append(s)
    return out


def audit_section(results) -> Section:
    """The audit of a plan, from its results model."""
    a, obj = results.audit, results.solver.objective.value
    s = Section("Audit (independent re-simulation of every hour)")
    s.lines.append(f"audit: {a.hours_checked} h checked, {len(a.violations)} violations")
    if a.objective_recomputed is not None and obj is not None:
        audited = a.objective_recomputed.value
        s.lines.append(
            f"objective re-computed from the simulated year: {audited:.3f} MUSD/yr; optimiser: "
            f"{obj:.3f} MUSD/yr ({(audited - obj) / max(abs(obj), 1e-12) * 100:+.2f} %; the optimiser "
            "sees each group of hours at its worst hour)")
    for v in a.violations:
        when = f" at {v.timestamp}" if v.timestamp else ""
        s.lines.append(f"  VIOLATION {v.limit}: {v.what}{when}, by {v.excess.value:.4g} {v.excess.unit}")
    for c in a.checks:
        s.lines.append(f"  checked: {c}")
    return s


def _bound_scope(scope: str) -> str:
    """What the best bound bounds when the status covers less than the full model."""
    return " (for that equipment)" if scope.startswith("dispatch of every hour") else " (within that set)"


def solver_section(r) -> Section:
    """What the solver did, from :class:`planner.results.SolverResults` (:func:`planner.results.solver_results`)."""
    s = Section("Solver")
    s.figures += [
        Figure("solver", r.solver),
        Figure("status", r.status, "", r.detail),
    ]
    gap_pct = r.gap.value
    if r.scope:  # what the status covers: the fast strategy proves optimality within a technology set
        gap = "" if gap_pct is None else f"gap {gap_pct:.3g} %"
        if r.status == "optimal":
            s.figures.append(Figure("proven", f"optimal {r.scope}", "", gap))
        else:
            s.figures.append(Figure("solved", r.scope, "", f"status '{r.status}'" + (f", {gap}" if gap else "")))
    s.figures += [
        Figure("objective", r.objective.value, "MUSD/yr"),
        Figure("best bound" + (_bound_scope(r.scope) if r.scope else ""), r.bound.value, "MUSD/yr"),
        Figure("relative gap", gap_pct, "%"),
    ]
    if r.incumbents:
        first, last = r.incumbents[0].value, r.incumbents[-1].value
        s.figures.append(Figure("incumbents found while solving", len(r.incumbents), "",
                                f"first {first:.4f}, last {last:.4f} MUSD/yr" if len(r.incumbents) > 1
                                else f"{last:.4f} MUSD/yr"))
    if r.live_progress:
        s.figures.append(Figure("live progress", "not available", "", r.live_progress))
    s.figures += [
        Figure("variables", r.variables, ""),
        Figure("constraints", r.constraints, ""),
        Figure("build time", r.build_time.value, "s"),
        Figure("solve time", r.solve_time.value, "s"),
    ]
    if r.audit_time is not None:
        s.figures.append(Figure("audit time", r.audit_time.value, "s"))
    return s
