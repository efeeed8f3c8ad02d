"""End to end: `plan sites/washington.toml` as a newcomer runs it (default time resolution)."""

import json
import re
from pathlib import Path

import pytest

from planner.cli import main

SITE = Path(__file__).parent.parent / "sites" / "washington.toml"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("wa") / "report.json"
    code = main([str(SITE), "--json", str(out), "--no-replan"])  # re-planned values: tests/test_buildable.py
    return code, json.loads(out.read_text())


def test_plan_is_optimal_and_passes_its_audit(report):
    code, data = report
    assert code == 0
    assert data["status"] == "optimal"
    assert data["audit_passed"] is True
    audit_lines = data["Audit (independent re-simulation of every hour)"]["notes"]
    assert "audit: 8760 h checked, 0 violations" in audit_lines


def test_report_figures_obey_the_site_limits_and_arithmetic(report):
    _, data = report
    racks = data["Racks and GPUs"]["racks"]
    # GPUs: 72 per NVL72 rack, 16 per HGX rack (hardware files), summed by hand
    per_rack = {"NVIDIA GB300 NVL72": 72, "NVIDIA GB200 NVL72": 72}
    gpus = sum(r["count"]["value"] * per_rack.get(r["rack"], 16) for r in racks)
    assert data["Racks and GPUs"]["GPUs"]["value"] == gpus
    assert gpus > 7000  # ~14.5 MW of GB300 at ~507 GPUs/MW (domain-facts 5a) within 18 MW
    balance = data["Power balance at the hottest hour"]
    assert balance["grid draw"]["unit"] == "MW"
    # the site keeps 0.3 MW of operating margin below its 18 MW limit (sites/washington.toml)
    assert balance["grid draw"]["value"] <= 18.0 - 0.3 + 1e-6
    assert balance["envelope: GPU peak + cooling, sheddable mining off"]["value"] <= 18.0 - 0.3 + 1e-6
    kinds = ["GPU racks (IT, typical)", "support IT (network, storage, management)",
             "pumps (CDU, facility water, condenser water)", "fans (heat rejection, air side)", "chillers (compressors, condenser fans)",
             "miner ventilation", "house and lighting", "UPS and transformer losses", "mining"]
    parts = sum(balance[k]["value"] for k in kinds)
    assert parts == pytest.approx(balance["grid draw"]["value"], rel=1e-9)
    # PUE from its parts: everything but mining and its ventilation (air-cooled miners: no cooling
    # plant of theirs) and their transformer loss (0.6 %), over GPU and support IT
    mining = balance["mining"]["value"] + balance["miner ventilation"]["value"]
    it = balance["GPU racks (IT, typical)"]["value"] + balance["support IT (network, storage, management)"]["value"]
    pue = (balance["grid draw"]["value"] - mining / 0.994) / it
    assert balance["PUE at this hour"]["value"] == pytest.approx(pue, rel=1e-9)
    assert 1.05 < pue < 1.3
    # buildable: whole scalable units of 8 NVL72 racks, one rack type, 4 support racks per unit
    installed = [r for r in racks if r["count"]["value"] > 0]
    assert len(installed) == 1
    for r in installed:
        assert r["count"]["value"] % 8 == 0
        assert r["support racks"]["value"] == r["count"]["value"] // 8 * 4
    # one miner model, in whole lots of 60
    miners = data["Residual mining"].get("miners", [])
    assert len(miners) <= 1
    for m in miners:
        assert m["units"]["value"] == 60 * m["lots"]["value"]
    noi = data["Net operating income"]
    revenue_by_hand = sum(
        r["count"]["value"] * per_rack.get(r["rack"], 16) * r["GPU price"]["value"] for r in racks
    ) * 0.85 * 8760 / 1e6
    assert noi["GPU revenue"]["value"] == pytest.approx(revenue_by_hand, rel=1e-9)
    # how far the GPU price may fall before NOI less annualised capex is zero: the surplus over GPU hours sold
    headroom = noi["NOI less annualised capex"]["value"] * 1e6 / (gpus * 8760 * 0.85)
    fall = noi["GPU price fall that leaves NOI less annualised capex at zero"]
    assert fall["unit"] == "USD/GPU/h" and fall["value"] == pytest.approx(headroom, rel=1e-9)
    assert 0 < fall["value"] < 1.0  # a thin margin on a 3 USD/GPU/h price: what an investor must see
    assert noi["GPU revenue"]["unit"] == "MUSD/yr"
    # demand charge: 6.03 USD/kW-month in 2025, +9.5 % from April 2026 (domain-facts-2 section 7), on a monthly peak
    # that cannot exceed 18 MW
    assert -noi["demand charges"]["value"] <= 6.03 * 1.095 * 18_000 * 12 / 1e6 + 1e-6
    capex = data["Capital cost"]["total"]["value"]
    assert capex <= 600.0


def test_hydro_miner_is_excluded_with_its_reason(report):
    _, data = report
    notes = " ".join(data["Residual mining"].get("notes", []))
    assert "S21 XP Hyd" in notes and "40 degC" in notes and "41 degC" in notes


def test_each_loop_is_checked_at_the_extreme_annual_dry_bulb_and_the_fluid_against_frost(report):
    """At 40.9 degC (ASHRAE mean of the annual maxima, the Pasco file's header) with the design condition's 21.1 degC
    wet bulb, a dry cooler on the 41 degC liquid loop rejects (41 - 40.9) / 10 x 0.93 MW, an adiabatic cooler
    min((41 - (40.9 - 0.8 x 19.8)) / 10, 1.2) x 0.93 MW (PG25 against a rating with water); PG25 freezes at -9.6 degC
    (domain-facts 2d), above the year's coldest hour (-10.0 degC) and the mean annual minimum (-16.9 degC)."""
    _, data = report
    cooling = data["Cooling layout"]
    count = {(r["unit"].split(" (")[0], r["loop"]): r["count"]["value"] for r in cooling["equipment"]}
    n_dry, n_wet = count[("Dry cooler 1 MW", "liquid")], count[("Adiabatic dry cooler 1 MW", "liquid")]
    figure = cooling["liquid loop at the mean annual maximum dry bulb (40.9 degC, the design condition's wet bulb), "
                     "every module running"]
    duty = 0.93
    dry = (41.0 - 40.9) / 10 * duty
    wet = min((41.0 - (40.9 - 0.8 * (40.9 - 21.1))) / 10, 1.2) * duty
    assert figure["value"] == pytest.approx(n_dry * dry + n_wet * wet, rel=1e-9)
    assert "short at design power" in figure["note"] or "to spare" in figure["note"]
    frost = next(v for k, v in cooling.items() if k.startswith("freeze risk: PG25"))
    assert frost["value"] == pytest.approx(-9.6)
    assert "-16.9 degC" in frost["note"]


def test_the_gpu_utilisation_that_zeroes_the_margin(report):
    """GPU revenue is GPUs x 8760 h x utilisation x price and no cost follows the billable share, so NOI less
    annualised capex is zero at 85 % x (1 - margin / GPU revenue)."""
    _, data = report
    noi = data["Net operating income"]
    margin, revenue = noi["NOI less annualised capex"]["value"], noi["GPU revenue"]["value"]
    figure = noi["GPU utilisation that leaves NOI less annualised capex at zero"]
    assert figure["unit"] == "%"
    assert figure["value"] == pytest.approx(85.0 * (1 - margin / revenue), rel=1e-9)
    assert 0 < figure["value"] < 85.0


def test_the_pue_adds_up_from_its_parts(report):
    """Each load's part of the annual PUE is its energy less what mining adds to it, over IT energy: washington's
    miners are air-cooled (no cooling plant of theirs), so mining takes its own energy, its ventilation and their
    transformer loss (1/0.994 - 1 of them, hardware/power/transformer_mv.toml); the IT rows add up to 1, all rows to the PUE."""
    _, data = report
    section = data["Energy and water"]
    rows = {r["load"]: r for r in section["energy by kind"]}
    energy = {k: r["energy"]["value"] for k, r in rows.items()}
    part = {k: r["part of PUE"]["value"] for k, r in rows.items()}
    gpu, support = "GPU racks (IT, typical)", "support IT (network, storage, management)"
    it = energy[gpu] + energy[support]
    assert part[gpu] + part[support] == pytest.approx(1.0, rel=1e-12)
    for kind in ("pumps (CDU, facility water, condenser water)", "fans (heat rejection, air side)",
                 "chillers (compressors, condenser fans)", "house and lighting"):
        assert part[kind] == pytest.approx(energy[kind] / it, rel=1e-9)
    assert part["mining"] == 0 and part["miner ventilation"] == 0
    mining_losses = (energy["mining"] + energy["miner ventilation"]) * (1 / 0.994 - 1)
    assert part["UPS and transformer losses"] == pytest.approx(
        (energy["UPS and transformer losses"] - mining_losses) / it, rel=1e-9)
    assert sum(part.values()) == pytest.approx(section["PUE, annual"]["value"], rel=1e-9)
    assert sum(part.values()) == pytest.approx(section["data-centre energy (site less mining)"]["value"] / it, rel=1e-9)


def test_the_gpu_step_before_mining_sheds_is_the_envelope_with_the_miners_still_on(report):
    """Washington's miners all shed within the racks' 2 s transient window, so the envelope holds them off; for
    those 2 s the racks' step meets them still running: the envelope plus the miners and their ventilation
    through the transformer (99.4 %). An instantaneous 18 MW limit would keep the excess off as mining at the
    wall, each MW of it drawing 1.01 MW with its hall ventilation (cooling.miner_ventilation, sites/washington.toml)
    over 0.994."""
    _, data = report
    balance = data["Power balance at the hottest hour"]
    mining = balance["mining"]["value"] + balance["miner ventilation"]["value"]
    step = balance["envelope: GPU peak + cooling, sheddable mining off"]["value"] + mining / 0.994
    figure = balance["GPU step before mining sheds"]
    assert figure["value"] == pytest.approx(step, rel=1e-9)
    assert step > 18.0  # washington: above the limit for the shed time
    hold = (step - 18.0) * 0.994 / 1.01
    assert f"keep {hold:.3g} MW of mining off" in figure["note"]
    assert "shed time (2 s" in figure["note"]


def test_read_first_repeats_what_a_headline_reader_would_miss(report):
    """The section after the site repeats, from the figures below it, the step before mining sheds, the envelope
    without smoothing, the liquid loop at the extreme dry bulb and without water, and the electrical redundancy."""
    _, data = report
    notes = data["Read first: what the plan leaves to you"]["notes"]
    balance = data["Power balance at the hottest hour"]
    step = balance["GPU step before mining sheds"]["value"]
    assert any(n.startswith(f"site.grid_limit: for the 2 s before mining sheds the GPU step draws {step:.4g} MW, above "
                            f"the 18 MW limit") for n in notes)
    unsmoothed = balance["envelope without power smoothing"]["value"]
    assert any(f"the GPU peak envelope is {unsmoothed:.4g} MW, above the operating limit 17.7 MW" in n for n in notes)
    cooling = data["Cooling layout"]
    dry = next(v["value"] for k, v in cooling.items() if k.startswith("liquid loop without water"))
    assert any(n.startswith(f"choices.heat_rejection: liquid loop: without water it carries {dry:.3g} MW") for n in notes)
    extreme = next(v["value"] for k, v in cooling.items() if k.startswith("liquid loop at the mean annual maximum"))
    assert any(f"every module running carries {extreme:.4g} MW of the" in n for n in notes)
    assert any(n.startswith("economics.facility_capex: electrical redundancy is not sized") for n in notes)
    # the liquid loop's largest module out at the tightest hour, against the design heat, as the cooling section has it
    held = next(v for k, v in cooling.items() if k.startswith("liquid loop: N+1 holds in every hour"))
    m = re.search(r"where the capacity with the spares out is ([0-9.]+) MW: ([0-9.]+) MW short of the design heat",
                  held["note"])
    assert m, held["note"]
    assert any(f"it carries {float(m.group(1)):.4g} MW, {float(m.group(2)):.3g} MW short of the design heat" in n
               for n in notes)
