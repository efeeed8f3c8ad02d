"""Warnings for defaults that silently change the answer (planner.warnings), in `plan check` and the report."""

import json
from pathlib import Path

import site_files
from planner.cli import main
from planner.load import load_site
from planner.warnings import default_warnings

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "sites" / "tiny.toml"


def _newcomer_data() -> dict:
    """The tiny site as a newcomer would extend it: water-using cooling, miners, three rack types."""
    data = site_files.read()
    choices = data["choices"]
    choices["racks"] = ["gb300_nvl72", "gb200_nvl72", "hgx_b300_air"]
    choices["heat_rejection"] = [*choices["heat_rejection"], "cooling_tower_2000"]
    choices["miners"] = ["s21_pro"]
    for table, key in (("economics", "water_price"), ("market", "mining_opex"), ("market", "fees_per_block"),
                       ("market", "pool_fee"), ("tariff", "demand_charge")):
        data[table].pop(key, None)
    data["gpu_market"].pop("price_by_rack", None)
    return data


def _newcomer(tmp_path: Path) -> Path:
    return site_files.write(_newcomer_data(), tmp_path / "newcomer.toml")


def test_shipped_sites_with_their_figures_have_no_warnings():
    for name in ("washington.toml", "texas.toml"):
        assert default_warnings(load_site(ROOT / "sites" / name)) == [], name


def test_tiny_site_warns_only_of_the_demand_charge():
    # no water-using module, no miners and one rack type: only the demand charge can change its answer
    assert [p for p, _ in default_warnings(load_site(TINY))] == ["tariff.demand_charge"]


def test_each_silent_default_is_named(tmp_path):
    warnings = dict(default_warnings(load_site(_newcomer(tmp_path))))
    assert set(warnings) == {
        "economics.water_price", "market.mining_opex", "market.fees_per_block", "market.pool_fee",
        "gpu_market.price_by_rack.gb300_nvl72", "gpu_market.price_by_rack.gb200_nvl72",
        "gpu_market.price_by_rack.hgx_b300_air", "tariff.demand_charge",
    }
    assert "cooling_tower_2000" in warnings["economics.water_price"] and "free" in warnings["economics.water_price"]
    price = site_files.read()["gpu_market"]["price"]
    assert f"gpu_market.price ({price})" in warnings["gpu_market.price_by_rack.gb200_nvl72"]


def test_a_value_written_is_not_warned_about_even_zero(tmp_path):
    data = _newcomer_data()
    data["economics"]["water_price"] = "0 USD/m^3"
    data["market"].update(mining_opex="0 USD/MW/year", fees_per_block="0 BTC", pool_fee=0)
    data["tariff"]["demand_charge"] = "0 USD/kW/month"
    data["gpu_market"]["price_by_rack"] = {"gb200_nvl72": "2.6 USD/GPU/h", "hgx_b300_air": "3 USD/GPU/h"}
    site = site_files.write(data, tmp_path / "meant.toml")
    assert default_warnings(load_site(site)) == []  # gb300_nvl72 alone is sold at gpu_market.price


def test_a_set_override_counts_as_given(tmp_path):
    loaded = load_site(_newcomer(tmp_path), overrides={"economics.water_price": "2 USD/m^3"})
    assert "economics.water_price" not in dict(default_warnings(loaded))


def test_plan_check_prints_the_warnings(tmp_path, capsys):
    assert main(["check", str(_newcomer(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "valid." in out
    assert "warning: economics.water_price: not given, so water is free" in out
    assert "warning: market.mining_opex: " in out


def test_the_report_and_its_json_carry_the_warnings(capsys):
    assert main([str(TINY), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [w["path"] for w in data["warnings"]] == ["tariff.demand_charge"]
    section = data["Warnings: defaults that change the answer"]
    assert section["notes"][0].startswith("warning: tariff.demand_charge: not given")


def test_the_text_report_starts_with_the_warnings(capsys):
    assert main([str(TINY)]) == 0
    out = capsys.readouterr().out
    assert out.index("warning: tariff.demand_charge") < out.index("Racks and GPUs")
