"""The shipped hardware catalogue and sites load, and the CLI shows them with units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.cli import main
from planner.load import load_catalog, load_hardware_file, load_site

ROOT = Path(__file__).resolve().parents[1]
HARDWARE = ROOT / "hardware"
HARDWARE_FILES = sorted(HARDWARE.rglob("*.toml"))
SITES = sorted((ROOT / "sites").glob("*.toml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(HARDWARE)


def test_catalog_loads_every_file(catalog):
    assert len(HARDWARE_FILES) >= 10
    assert sorted(catalog.files.values()) == HARDWARE_FILES


@pytest.mark.parametrize("path", HARDWARE_FILES, ids=lambda p: p.stem)
def test_hardware_file_states_its_sources_and_confidence(path):
    item = load_hardware_file(path)
    assert item.id == path.stem
    assert item.sources and all(s.strip() for s in item.sources)
    assert item.confidence.strip()


@pytest.mark.parametrize("path", SITES, ids=lambda p: p.stem)
def test_site_loads(path):
    loaded = load_site(path)
    assert loaded.racks and loaded.ups.kind == "ups" and loaded.transformer.kind == "transformer"
    if loaded.spec.climate.weather_file:
        assert loaded.weather_path.is_file()


def test_gb300_figures_are_the_published_ones(catalog):
    """GB300 NVL72 as in the research notes (domain-facts 1a): literal published numbers."""
    rack = catalog.items["gb300_nvl72"]
    assert rack.kind == "rack"
    assert rack.gpus == 72
    assert rack.power_typical.quantity.to("kW").magnitude == 135
    assert rack.power_design.quantity.to("kW").magnitude == 142
    assert rack.power_peak.quantity.to("kW").magnitude == 155
    assert rack.liquid_fraction.value == pytest.approx(0.90)
    assert rack.max_coolant_supply_temperature.value == 45  # degC


def test_plan_check_washington(capsys):
    code = main(["check", str(ROOT / "sites" / "washington.toml")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "valid." in out
    assert re.search(r"site\.grid_limit\s+18 MW\s+18\s+MW", out)
    assert re.search(r"gb300_nvl72\s+rack\s+72 GPU; 135 / 142 / 155 kW typical/design/peak", out)
    assert "8760 h" in out


def test_plan_catalog(capsys):
    code = main(["catalog", "--hardware", str(HARDWARE)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "gb300_nvl72" in out and "s21_xp_hyd" in out


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"]])
def test_help_has_an_example(argv, capsys):
    code = main(argv)
    out, _ = capsys.readouterr()
    assert code == 0
    assert "Example" in out
