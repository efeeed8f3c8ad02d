"""`--units us`: US customary units through the planner's pint registry."""

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.report.usunits import convert

TINY = Path(__file__).parent.parent / "sites" / "tiny.toml"


def test_one_ton_of_refrigeration_is_3_517_kW():
    # 1 ton of refrigeration = 12,000 Btu/h; 1 Btu (International Table) = 1055.05585262 J
    kw_per_ton = 12_000 * 1055.05585262 / 3600 / 1000
    assert kw_per_ton == pytest.approx(3.517, abs=5e-4)
    tons, unit = convert(kw_per_ton / 1000, "MW", "us", heat=True)
    assert unit == "tons" and tons == pytest.approx(1.0, rel=1e-6)
    assert convert(3.517e-3, "MW", "us", heat=True)[0] == pytest.approx(1.0, abs=1e-3)


def test_other_conversions_by_arithmetic():
    assert convert(100.0, "degC", "us") == (pytest.approx(212.0), "degF")
    assert convert(10.0, "K", "us")[0] == pytest.approx(18.0)
    assert convert(1.0, "m^2", "us")[0] == pytest.approx(1 / 0.3048 ** 2)
    assert convert(3.785411784, "L/min", "us")[0] == pytest.approx(1.0)  # one US gallon a minute
    assert convert(1.0, "MW", "us") == (1.0, "MW")  # electric power stays in MW
    assert convert(1.0, "MW", "si", heat=True) == (1.0, "MW")


def test_us_report_prints_tons_gpm_degf_and_square_feet(capsys, tmp_path):
    assert main([str(TINY), "--days", "4", "--no-replan", "--no-explain", "--units", "us"]) == 0
    text = capsys.readouterr().out
    for unit in ("[tons]", "gpm", "degF", "ft^2"):
        assert unit in text, unit


def test_si_json_is_unchanged_by_us_text(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert main([str(TINY), "--days", "4", "--no-replan", "--no-explain", "--units", "us", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["Site"]["hottest hour in the weather"]["unit"] == "degC"


def test_unknown_unit_system_is_refused(capsys):
    assert main([str(TINY), "--units", "imperial"]) == 2
    assert "--units" in capsys.readouterr().err


def test_us_report_files(tmp_path):
    from planner import plan

    result = plan(TINY, days=4)
    result.write(tmp_path, units="us")
    md = (tmp_path / "report.md").read_text()
    assert "capacity each at design [tons]" in md and "degF dry bulb" in md and "| ft^2 |" in md
    tons = next(c for c in result.results.design.cooling if c.kind == "cdu").capacity_each_at_design.value * 1000 / 3.5168525
    assert f"| {tons:.1f} |" in md  # a 0.6 MW CDU is 170.6 tons
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["site"]["grid_limit"]["unit"] == "MW" and data["power_balance"]["dry_bulb"]["unit"] == "degC"


def test_a_marginal_value_per_square_metre_becomes_per_square_foot():
    from planner.report.usunits import convert_rows, per_unit

    ft2 = 0.3048 ** 2  # m^2 in a square foot
    assert per_unit(10.0, "m^2", "us") == (pytest.approx(10.0 * ft2), "ft^2")
    assert per_unit(9.0, "degC", "us") == (pytest.approx(5.0), "degF")  # a step of 1 degF is 5/9 K
    assert per_unit(2.0, "MW", "us") == (2.0, "MW") and per_unit(10.0, "m^2", "si") == (10.0, "m^2")
    row = {"point": "a", "site.hall_area [m^2]": 1000.0, "water [m^3/yr]": 2.0, "racks [racks]": 8,
           "marginal NOI per +1 m^2 of site.hall_area [MUSD/yr]": 0.5, "status": "optimal"}
    (shown,) = convert_rows([row], "us")
    assert shown["site.hall_area [ft^2]"] == pytest.approx(1000.0 / ft2)
    assert shown["water [gal/yr]"] == pytest.approx(2.0 * 1000 / 3.785411784)  # a US gallon is 3.785411784 L
    assert shown["racks [racks]"] == 8 and shown["status"] == "optimal"
    assert shown["marginal NOI per +1 ft^2 of site.hall_area [MUSD/yr]"] == pytest.approx(0.5 * ft2)
    assert convert_rows([row], "si") == [row]


def test_compare_in_us_units(capsys):
    from planner.inputs import resolve
    from planner.load import load_site

    assert main(["compare", str(TINY), "--days", "4", "--units", "us"]) == 0
    out = capsys.readouterr().out
    air_c = resolve(load_site(TINY), time_mode="days", days=4).air_supply
    assert f"the air-side loop ({air_c * 9 / 5 + 32:.3g} degF)" in out
    assert "[gal/yr]" in out and "[gal/kWh]" in out and "[m^3/yr]" not in out and "[L/kWh]" not in out


def test_sweep_in_us_units(capsys):
    args = ["sweep", str(TINY), "--vary", "site.hall_area='200 m^2','300 m^2'", "--days", "4", "--executor", "serial"]
    assert main(args + ["--units", "us"]) == 0
    out = capsys.readouterr().out
    assert "[ft^2]" in out and "+1 ft^2 of" in out and "[m^2]" not in out
    for m2 in (200, 300):
        assert f" {m2 / 0.3048 ** 2:g} " in out  # 200 m^2 = 2152.78 ft^2
    assert main(args) == 0
    si = capsys.readouterr().out
    assert "[m^2]" in si and " 200 " in si and "[ft^2]" not in si


def test_the_joint_step_row_of_the_report_files_converts_with_us_units():
    """The limits block's joint row gives each limit's step in the chosen units, as the single-limit rows do:
    10 m^2 of hall is 107.6 ft^2 (10 / 0.3048^2)."""
    from planner import plan
    from planner.explain.replan import ReplanValue
    from planner.report.files import blocks
    from planner.results import binding_limits, next_unit_value

    result = plan(TINY, days=4)
    joint = ReplanValue("site.hall_area + economics.capex_budget", 10.0, "m^2", "10 m^2 and 2 MUSD", 100.0, 150.0,
                        "optimal", 8, 16, (("site.hall_area", 10.0, "m^2"), ("economics.capex_budget", 2e6, "USD")),
                        "scalable unit of 8 racks")
    single = ReplanValue("site.hall_area", 10.0, "m^2", "10 m^2", 100.0, 100.0, "optimal", 8, 8)
    res = result.results.model_copy(update={"limits": binding_limits({}, [single, joint]),
                                            "next_unit": next_unit_value([single, joint])})
    row = next(r for b in blocks(res, "us") if b.title.startswith("Limits") for r in b.rows if r[1] == "together")
    assert row[2] == f"{10 / 0.3048 ** 2:.1f} ft^2 and 2 MUSD"
    si = next(r for b in blocks(res, "si") if b.title.startswith("Limits") for r in b.rows if r[1] == "together")
    assert si[2] == "10 m^2 and 2 MUSD"


def test_read_first_gives_heat_in_tons_with_us_units():
    """A loop half short without water: its heat in tons of refrigeration (3.5168525 kW each) with US units."""
    from planner import plan
    from planner.report.figures import read_first
    from planner.results import q

    res = plan(TINY, days=4).results.model_copy(deep=True)
    lp = res.design.loops[0]
    heat = lp.design_heat.value
    lp.capacity_without_water, lp.hours_short_without_water = q(heat / 2, "MW"), 5
    words = dict(read_first(res, "us"))["choices.heat_rejection"]
    tons = heat * 1000 / 3.5168525
    assert f"without water it carries {tons / 2:.3g} tons of the {tons:.4g} tons design heat, short in 5 h" in words
    si = dict(read_first(res))["choices.heat_rejection"]
    assert f"without water it carries {heat / 2:.3g} MW of the {heat:.4g} MW design heat" in si
