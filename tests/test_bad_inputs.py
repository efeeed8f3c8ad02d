"""Every broken input is refused with exit code 2 and a message naming the file, the TOML path
and what is wrong, never a traceback (issue "Foundation").

The fixtures live in tests/data/bad/ (see its README.md): ``site_*.toml`` break a site file,
``hw_<case>.toml`` are valid sites whose ``hardware_<case>/`` folder holds one broken
``bad_*.toml`` next to verbatim copies of the real hardware files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.load import InputError, load_catalog, load_site

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
HARDWARE = ROOT / "hardware"

# file -> (TOML path the message names, words the message must contain).
# An empty TOML path means a whole-file or cross-field failure: the message then follows the
# file name directly and must start with the words given.
EXPECTED: dict[str, tuple[str, str]] = {
    # whole file
    "site_malformed_toml.toml": ("", "malformed TOML: Illegal character"),
    "site_empty.toml": ("", "the file is empty; a site file needs the tables [site], [climate]"),
    "site_not_utf8.toml": ("", "not UTF-8 text"),
    # keys and tables
    "site_unknown_key.toml": ("site.grid_limt", "unknown key 'grid_limt' (did you mean 'grid_limit'?)"),
    "site_unknown_table.toml": ("tarif", "unknown key 'tarif' (did you mean 'tariff'?)"),
    "site_missing_grid_limit.toml": ("site.grid_limit", "missing required field: Largest draw at the utility meter"),
    "site_missing_table.toml": ("economics", "missing required table [economics]"),
    "site_wrong_type.toml": ("market.difficulty", "Input should be a valid number, unable to parse string as a number; got 'high'"),
    "site_bad_objective.toml": ("economics.objective", "Input should be 'noi' or 'noi_less_annualised_capex'; got 'profit'"),
    # quantities: dimension, kind, unit, number, range
    "site_energy_price_per_mw.toml": ("tariff.energy_price", "got '42 USD/MW', which is a price per unit of power"),
    "site_bare_number.toml": ("site.grid_limit", "got the bare number 18: write the unit"),
    "site_number_without_unit.toml": ("site.grid_limit", "got '18', which has no unit"),
    "site_grid_in_mwh.toml": ("site.grid_limit", "got '18 MWh', which is an energy"),
    "site_heat_for_electricity.toml": ("site.grid_limit", "got '18 MWth', which is a heat flow (Wth), not electricity"),
    "site_unknown_unit.toml": ("site.grid_limit", "got '18 MWatt': unknown unit"),
    "site_no_number.toml": ("site.grid_limit", "got 'eighteen MW', which does not start with a number"),
    "site_temperature_as_difference.toml": ("climate.design_dry_bulb", "got '8 delta_degC', which is a temperature difference"),
    "site_negative_area.toml": ("site.hall_area", "out of range: '-200 m^2' is -200 m^2; expected >= 0 m^2"),
    "site_percent_out_of_range.toml": ("gpu_market.utilisation", "out of range: '120 %' is 1.2; expected >= 0 and <= 1"),
    # other values and cross-field rules
    "site_bad_redundancy.toml": ("redundancy.cdu", "expected 'N', 'N+1' or 'N+2', got 'N+one'"),
    "site_bad_tou_month.toml": ("tariff.time_of_use[0].months", "months must be between 1 and 12, got [12, 13]"),
    "site_monthly_normals_short.toml": ("climate.monthly_max_dry_bulb", "at least 12 items"),
    "site_constant_dry_bulb_alone.toml": ("climate.constant_wet_bulb", "constant_dry_bulb needs constant_wet_bulb"),
    "site_wet_bulb_above_dry_bulb.toml": ("climate.constant_wet_bulb", "constant_wet_bulb cannot exceed constant_dry_bulb"),
    # references to hardware, folders and files
    "site_missing_hardware.toml": ("choices.racks[0]", "no rack with id 'gb301_nvl72' under"),
    "site_wrong_kind_reference.toml": ("choices.racks[0]", "'cdu_row_600' is a cdu, expected a rack"),
    "site_duplicate_choice.toml": ("choices.racks", "an id is listed twice"),
    "site_unknown_price_by_rack.toml": ("gpu_market.price_by_rack.gb300_nvl27", "is not among choices.racks (did you mean 'gb300_nvl72'?)"),
    "site_hardware_dir_missing.toml": ("site.hardware_dir", "hardwear not found"),
    "site_missing_weather_file.toml": ("climate.weather_file", "no_such_station_TMY3.epw not found"),
    "site_weather_file_short.toml": ("climate.weather_file", "weather file truncated_100h.epw has 100 hours; a year needs 8760"),
    # hardware files (the message names hardware_<case>/bad_*.toml)
    "hw_malformed_toml.toml": ("", "malformed TOML: Expected newline or end of document"),
    "hw_unknown_kind.toml": ("kind", "unknown hardware kind 'heat_rejecton' (did you mean 'heat_rejection'?)"),
    "hw_kind_not_a_string.toml": ("kind", "expected a string, one of rack, cdu, heat_rejection"),
    "hw_unknown_key.toml": ("pump_powr", "unknown key 'pump_powr' (did you mean 'pump_power'?)"),
    "hw_duplicate_id.toml": ("id", "id 'ups_eco' is also used by"),
    "hw_sources_missing.toml": ("sources", "missing required field: Where the figures come from."),
    "hw_sources_empty.toml": ("sources", "at least 1 item"),
    "hw_dry_cooler_missing_capacity.toml": ("rated_capacity", "missing required field: Heat rejected at the rating condition"),
    "hw_adiabatic_without_effectiveness.toml": ("adiabatic_effectiveness", "an adiabatic_cooler needs adiabatic_effectiveness greater than zero"),
    "hw_chiller_without_carnot_fraction.toml": ("carnot_fraction", "an air_cooled_chiller needs carnot_fraction greater than zero"),
    "hw_miner_efficiency_mismatch.toml": ("efficiency", "efficiency 10 J/TH disagrees with power 5676 W / hash_rate 473 TH/s = 12.00 J/TH"),
    "hw_miner_shutdown_below_derate.toml": ("shutdown_temperature", "shutdown_temperature 35 degC must be above derate_start_temperature 40 degC"),
    "hw_miner_hash_rate_not_a_rate.toml": ("hash_rate", "got '473 TH', which is a number of hashes, not a rate (write TH/s)"),
    "hw_rack_typical_above_peak.toml": ("power_typical", "rack powers must satisfy typical <= design <= peak; got typical 160 kW, design 142 kW, peak 155 kW"),
    "hw_rack_liquid_fraction.toml": ("liquid_fraction", "out of range: '1.5' is 1.5; expected >= 0 and <= 1"),
    "hw_rack_price_in_mw.toml": ("price", "expected an amount of money such as '3.5 MUSD', got '3.5 MW', which is a power"),
    "hw_cdu_approach_absolute.toml": ("approach", "got '4 degC', which is an absolute temperature"),
    "hw_cdu_pump_power_implausible.toml": ("pump_power", "pump_power 6 MW is more than 10 % of capacity 600 kWth; check the units"),
}

FIXTURES = sorted(p.name for p in BAD.glob("*.toml"))


def _bad_hardware_file(site_name: str) -> Path:
    """The one broken file in hardware_<case>/ for hw_<case>.toml."""
    folder = BAD / ("hardware_" + site_name[len("hw_"):-len(".toml")])
    (bad,) = folder.glob("bad_*.toml")
    return bad


def _check(path: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["check", str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_fixture_has_an_expectation():
    assert len(FIXTURES) >= 32
    assert set(FIXTURES) == set(EXPECTED), (
        f"without an entry in EXPECTED: {sorted(set(FIXTURES) - set(EXPECTED))}; "
        f"entry without a file: {sorted(set(EXPECTED) - set(FIXTURES))}"
    )


@pytest.mark.parametrize("name", FIXTURES)
def test_check_refuses_bad_input(name, capsys):
    toml_path, words = EXPECTED[name]
    code, out, err = _check(BAD / name, capsys)
    assert code == 2, err
    assert "Traceback" not in err + out and "internal error" not in err
    assert "valid." not in out  # nothing claims the site is valid before the error
    assert err.startswith("error: ")
    assert err.count("error: ") == 1, "a fixture must break one thing only"
    if name.startswith("hw_"):
        bad = _bad_hardware_file(name)
        assert bad.parent.name + os.sep in err and bad.name in err, err
        reported = ".toml"  # the hardware file (for a duplicate id, the other file with that id)
    else:
        assert name in err, err
        reported = name
    if toml_path:
        assert f"{reported}: {toml_path}: " in err, err
        assert words in err, err
    else:
        assert f"{reported}: {words}" in err, err


@pytest.mark.parametrize("name", ["site_unknown_key.toml", "hw_cdu_approach_absolute.toml", "site_weather_file_short.toml"])
def test_console_script_refuses_bad_input(name):
    plan = Path(sys.executable).with_name("plan")
    plan = str(plan) if plan.exists() else shutil.which("plan")
    if plan is None:
        pytest.skip("the plan console script is not installed")
    done = subprocess.run([plan, "check", str(BAD / name)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    toml_path, words = EXPECTED[name]
    assert f": {toml_path}: " in done.stderr and words in done.stderr
    assert "Traceback" not in done.stderr


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(InputError) as info:
        main(["--debug", "check", str(BAD / "site_grid_in_mwh.toml")])
    assert info.value.path == "site.grid_limit"
    capsys.readouterr()
    # --debug applies to its own call only
    code, _, err = _check(BAD / "site_grid_in_mwh.toml", capsys)
    assert code == 2 and "which is an energy" in err


def test_check_missing_file(tmp_path, capsys):
    code, _, err = _check(tmp_path / "no_such_site.toml", capsys)
    assert code == 2
    assert "no_such_site.toml: file not found" in err and "Traceback" not in err


def test_check_folder(capsys):
    code, _, err = _check(BAD, capsys)
    assert code == 2
    assert "is a folder, expected a TOML file" in err and "Traceback" not in err


def test_check_unknown_scenario(capsys):
    code, _, err = _check(ROOT / "sites" / "washington.toml", capsys, "--scenario", "hot_sumer")
    assert code == 2
    assert "washington.toml: scenarios.hot_sumer: no such scenario (did you mean 'hot_summer'?)" in err


def test_check_scenario_not_a_table(tmp_path, capsys):
    site = tmp_path / "site.toml"
    text = (ROOT / "sites" / "tiny.toml").read_text().replace('"../hardware"', repr(str(HARDWARE)))
    site.write_text(text + "\n[scenarios]\nhot = 3\n")
    code, _, err = _check(site, capsys, "--scenario", "hot")
    assert code == 2
    assert "scenarios.hot: expected a table" in err and "internal error" not in err


def test_check_set_unknown_path(capsys):
    code, _, err = _check(ROOT / "sites" / "tiny.toml", capsys, "--set", "site.grid_limt='2 MW'")
    assert code == 2
    assert "site.grid_limt: unknown key 'grid_limt' in [site] (did you mean 'grid_limit'?)" in err


# ---- the fixtures themselves break one thing each -------------------------------------------

HW_SITES = sorted(p for p in BAD.glob("hw_*.toml"))


def test_hardware_folders_pair_with_sites():
    folders = {p.name[len("hardware_"):] for p in BAD.glob("hardware_*") if p.is_dir()}
    sites = {p.stem[len("hw_"):] for p in HW_SITES}
    assert folders == sites


@pytest.mark.parametrize("site", HW_SITES, ids=lambda p: p.stem)
def test_hardware_fixture_has_one_broken_file(site):
    """One bad_*.toml; every other file is a verbatim copy of a real hardware file."""
    bad = _bad_hardware_file(site.name)
    real = {p.read_bytes() for p in HARDWARE.rglob("*.toml")}
    for path in bad.parent.iterdir():
        if path != bad:
            assert path.read_bytes() in real, f"{path} differs from every file under hardware/"


@pytest.mark.parametrize("site", HW_SITES, ids=lambda p: p.stem)
def test_hardware_fixture_site_is_valid_with_the_real_catalogue(site):
    loaded = load_site(site, overrides={"site.hardware_dir": str(HARDWARE)})
    assert [r.id for r in loaded.racks] == ["gb300_nvl72"]


def test_hardware_fixture_without_the_broken_file_loads(tmp_path):
    """Where the broken file is not one the site needs, the folder without it is a valid catalogue."""
    for site in HW_SITES:
        bad = _bad_hardware_file(site.name)
        if bad.name == "bad_gb300_nvl72.toml":  # replaces the rack the site needs
            continue
        target = tmp_path / bad.parent.name
        shutil.copytree(bad.parent, target, ignore=shutil.ignore_patterns(bad.name))
        assert {"gb300_nvl72", "ups_eco", "transformer_mv"} <= set(load_catalog(target).items)


def test_a_hardware_file_given_as_a_site_is_named_as_such(capsys):
    path = Path(__file__).parent.parent / "hardware" / "racks" / "gb300_nvl72.toml"
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "gb300_nvl72.toml: kind: this is a hardware file" in err and "Traceback" not in err
