"""Hardening (issue 11): every bad input is an input error naming the file and the TOML path,
never an internal error, a traceback or a hang."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from planner.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "sites" / "tiny.toml"
HARDWARE = ROOT / "hardware"


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err
    return code, out, err


@pytest.fixture()
def site_dir(tmp_path):
    """A copy of the tiny site with its own hardware folder, to break."""
    shutil.copytree(HARDWARE, tmp_path / "hw")
    text = TINY.read_text().replace('hardware_dir = "../hardware"', 'hardware_dir = "hw"')
    (tmp_path / "site.toml").write_text(text)
    return tmp_path


# ---------------------------------------------------------------- reading files

@pytest.mark.parametrize("value, words", [
    ("/", "is a system folder"),
    ("../../../../../../../..", "is a system folder"),
    ("/proc", "is a system folder"),
    ("a\x00b", "a path cannot contain a NUL byte"),
    ("x" * 5000, "the path is 5,000 bytes long; at most 4096"),
    ("x" * 300, "a name in the path is 300 bytes long; at most 255"),
])
def test_hardware_dir_paths_are_input_errors(capsys, value, words):
    code, _, err = _run(capsys, "check", str(TINY), "--set", f"site.hardware_dir={value!r}".replace("'", '"')
                        if "\x00" not in value else f"site.hardware_dir=a\x00b")
    assert code == 2
    assert "tiny.toml: site.hardware_dir: " in err and words in err


@pytest.mark.parametrize("value, words", [
    ("a\x00b.epw", "a path cannot contain a NUL byte"),
    ("x" * 5000 + ".epw", "the path is 5,004 bytes long"),
    ("/dev/zero", "is a device, expected a regular file"),
    ("/etc", "is a folder, expected a file"),
])
def test_weather_file_paths_are_input_errors(capsys, value, words):
    code, _, err = _run(capsys, "check", str(TINY), "--set", f"climate.weather_file={value}")
    assert code == 2
    assert "tiny.toml: climate.weather_file: " in err and words in err


def test_weather_file_fifo_does_not_hang(site_dir, capsys):
    os.mkfifo(site_dir / "w.epw")
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"), "--set", "climate.weather_file=w.epw")
    assert code == 2 and "climate.weather_file: " in err and "named pipe (FIFO)" in err


def test_weather_file_too_large(site_dir, capsys):
    with open(site_dir / "big.epw", "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"), "--set", "climate.weather_file=big.epw")
    assert code == 2 and "climate.weather_file: " in err and "at most 20 MiB" in err


def test_hardware_fifo_does_not_hang(site_dir, capsys):
    os.mkfifo(site_dir / "hw" / "racks" / "pipe.toml")
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 2 and "pipe.toml: is a named pipe (FIFO), expected a regular file" in err


def test_hardware_file_that_is_dev_zero(site_dir, capsys):
    os.symlink("/dev/zero", site_dir / "hw" / "racks" / "zero.toml")
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 2 and "zero.toml: is a device, expected a regular file" in err


def test_hardware_file_too_large(site_dir, capsys):
    (site_dir / "hw" / "racks" / "big.toml").write_text("# " + "x" * (3 * 1024 * 1024) + "\n")
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 2 and "big.toml: the file is 3 MiB; at most 2 MiB" in err


def test_symlink_loop_in_hardware_dir_is_not_followed(site_dir, capsys):
    os.symlink("..", site_dir / "hw" / "racks" / "loop")
    code, _, _ = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 0


def test_hardware_dir_with_too_many_folders(site_dir, capsys):
    for i in range(210):
        (site_dir / "hw" / f"d{i:03d}").mkdir()
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 2 and "site.hardware_dir: " in err and "more than 200 folders" in err


def test_site_file_is_a_fifo(site_dir, capsys):
    os.mkfifo(site_dir / "pipe.toml")
    code, _, err = _run(capsys, "check", str(site_dir / "pipe.toml"))
    assert code == 2 and "pipe.toml: is a named pipe (FIFO)" in err


def test_byte_order_mark_is_named(site_dir, capsys):
    (site_dir / "bom.toml").write_bytes(b"\xef\xbb\xbf" + (site_dir / "site.toml").read_bytes())
    code, _, err = _run(capsys, "check", str(site_dir / "bom.toml"))
    assert code == 2 and "bom.toml: the file starts with a UTF-8 byte-order mark (BOM" in err


def test_catalog_command_refuses_a_system_folder(capsys):
    code, _, err = _run(capsys, "catalog", "--hardware", "/proc")
    assert code == 2 and "is a system folder" in err


# ---------------------------------------------------------------- weather files

PASCO = ROOT / "sites" / "weather" / "USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw"
WASHINGTON = ROOT / "sites" / "washington.toml"


def _epw(tmp_path, name, edit) -> Path:
    lines = PASCO.read_text().splitlines(keepends=True)
    lines = edit(lines) or lines
    path = tmp_path / name
    path.write_text("".join(lines))
    return path


def _set(line: str, index: int, value: str) -> str:
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


def _check_weather(capsys, path: Path) -> tuple[int, str]:
    code, _, err = _run(capsys, "check", str(WASHINGTON), "--set", f"climate.weather_file={path}")
    return code, err


@pytest.mark.parametrize("index, value, words", [
    (6, "-75", "line 209: dry bulb -75 degC is outside the physical range -70 to 60 degC"),
    (6, "61", "line 209: dry bulb 61 degC is outside the physical range"),
    (7, "40.5", "line 209: dew point 40.5 degC is outside the physical range -90 to 35 degC"),
    (9, "5000", "line 209: station pressure 5000 Pa is outside the physical range 30000 to 120000 Pa"),
    (8, "150", "line 209: relative humidity 150 % is outside the physical range 0 to 110 %"),
    (2, "x5", "line 209: the day field is 'x5', expected a whole number from 1 to 31"),
    (1, "", "line 209: the month field is '', expected a whole number from 1 to 12"),
    (3, "25", "line 209: the hour field is '25', expected a whole number from 1 to 24"),
])
def test_weather_values_out_of_bounds(tmp_path, capsys, index, value, words):
    def edit(lines):
        lines[208] = _set(lines[208], index, value)
    code, err = _check_weather(capsys, _epw(tmp_path, "bad.epw", edit))
    assert code == 2
    assert "washington.toml: climate.weather_file: weather file bad.epw: " + words in err
    assert "format=" not in err and "dayfirst" not in err


def test_dew_point_above_dry_bulb(tmp_path, capsys):
    def edit(lines):
        dry = float(lines[208].split(",")[6])
        lines[208] = _set(lines[208], 7, f"{dry + 5:.1f}")
    code, err = _check_weather(capsys, _epw(tmp_path, "dew.epw", edit))
    assert code == 2 and "line 209: dew point" in err and "is above the dry bulb" in err


def test_epw_missing_codes_are_recognised(tmp_path, capsys):
    def edit(lines):
        lines[208] = _set(lines[208], 9, "999999")  # pressure missing: standard atmosphere
        lines[209] = _set(lines[209], 7, "99.9")  # dew point missing: relative humidity used
    code, err = _check_weather(capsys, _epw(tmp_path, "codes.epw", edit))
    assert code == 0, err
    code, err = _check_weather(capsys, _epw(tmp_path, "nodry.epw", lambda ls: ls.__setitem__(208, _set(ls[208], 6, "99.9"))))
    assert code == 2 and "1 missing dry-bulb values" in err


def test_leap_year_epw_drops_29_february(tmp_path, capsys):
    def edit(lines):
        feb28 = [i for i, ln in enumerate(lines) if i >= 8 and ln.split(",")[1:3] == ["2", "28"]]
        extra = [_set(lines[i], 2, "29") for i in feb28]
        return lines[:feb28[-1] + 1] + extra + lines[feb28[-1] + 1:]
    path = _epw(tmp_path, "leap.epw", edit)
    assert len(path.read_text().splitlines()) == 8 + 8784
    code, _, _ = _run(capsys, "check", str(WASHINGTON), "--set", f"climate.weather_file={path}")
    assert code == 0
    from planner.climate import read_climate
    climate = read_climate(path)
    assert climate.n_hours == 8760 and "24 h of 29 February dropped" in climate.source


def test_epw_with_missing_rows_names_the_count(tmp_path, capsys):
    code, err = _check_weather(capsys, _epw(tmp_path, "short.epw", lambda ls: ls[:8 + 8000]))
    assert code == 2 and "short.epw has 8000 hours; a year needs 8760" in err


# ---------------------------------------------------------------- scenarios and layouts

def _tiny_with(tmp_path, extra: str) -> Path:
    text = TINY.read_text().replace('hardware_dir = "../hardware"', f'hardware_dir = "{HARDWARE}"')
    path = tmp_path / "site.toml"
    path.write_text(text + "\n" + extra + "\n")
    return path


@pytest.mark.parametrize("line, where, words", [
    ('"tariff.energy_price" = "55 MW/m^2"', "tariff.energy_price", "which is a power per unit of area"),
    ('"gpu_market.price" = "2.5 m/s"', "gpu_market.price", "expected a price per GPU-hour"),
    ('"climate.design_dry_bulb" = "39 delta_degC"', "climate.design_dry_bulb", "which is a temperature difference"),
    ('"climate.weather_file" = "/etc/passwd"', "climate.weather_file", "neither an EPW (.epw) nor a TMY3 (.csv) file"),
    ('"site.grid_limt" = "2 MW"', "site.grid_limt", "unknown key 'grid_limt'"),
])
def test_check_validates_every_scenario(tmp_path, capsys, line, where, words):
    site = _tiny_with(tmp_path, f"[scenarios.fine]\n\"site.grid_limit\" = \"2 MW\"\n\n[scenarios.unused]\n{line}")
    code, _, err = _run(capsys, "check", str(site))
    assert code == 2
    assert f"site.toml: {where}: " in err and words in err and "(set by [scenarios.unused])" in err
    code, _, err = _run(capsys, "check", str(site), "--scenario", "fine")
    assert code == 2 and "(set by [scenarios.unused])" in err


def test_check_reads_the_weather_of_every_scenario(tmp_path, capsys):
    bad = tmp_path / "bad.epw"
    lines = PASCO.read_text().splitlines(keepends=True)
    lines[208] = _set(lines[208], 6, "-75")
    bad.write_text("".join(lines))
    site = _tiny_with(tmp_path, f'[scenarios.cold]\n"climate.weather_file" = "{bad}"\n'
                      '"climate.constant_dry_bulb" = "8 degC"')
    # constant climate wins over the weather file: still valid
    code, out, err = _run(capsys, "check", str(site))
    assert code == 0, err
    text = TINY.read_text().replace('hardware_dir = "../hardware"', f'hardware_dir = "{HARDWARE}"')
    text = text.replace('constant_dry_bulb = "8 degC"\nconstant_wet_bulb = "5 degC"\n', "")
    text = text.replace('design_from = "site"', 'design_from = "site"\nweather_file = "' + str(PASCO) + '"')
    site.write_text(text + f'\n[scenarios.cold]\n"climate.weather_file" = "{bad}"\n')
    code, out, err = _run(capsys, "check", str(site))
    assert code == 2 and "line 209: dry bulb -75 degC" in err and "(set by [scenarios.cold])" in err


def test_check_reports_scenarios_and_layouts(tmp_path, capsys):
    site = _tiny_with(tmp_path, '[scenarios.big]\n"site.grid_limit" = "2 MW"\n\n'
                      '[layouts.dry]\nliquid = ["dry_cooler_1000"]')
    code, out, err = _run(capsys, "check", str(site))
    assert code == 0, err
    assert "scenarios also valid: big" in out and "layouts valid: dry" in out


def test_check_validates_every_layout(tmp_path, capsys):
    site = _tiny_with(tmp_path, '[layouts.bad]\nliquid = ["cooling_tower_2000"]')
    code, _, err = _run(capsys, "check", str(site))
    assert code == 2 and "layouts.bad.liquid[0]: 'cooling_tower_2000' is not among choices.heat_rejection" in err


# ---------------------------------------------------------------- values

@pytest.mark.parametrize("setting, where, words", [
    ("market.difficulty=1e308", "market.difficulty", "less than or equal to 100000000000000000; got 1e+308"),
    ("market.difficulty=inf", "market.difficulty", "finite number; got inf"),
    ("market.difficulty=nan", "market.difficulty", "finite number"),
    ("market.difficulty=1e9", "market.difficulty", "greater than or equal to 1000000000000; got 1000000000.0"),
    ("gpu_market.price=1e400 USD/GPU/h", "gpu_market.price", "expected a finite number, got '1e400 USD/GPU/h'"),
    ("gpu_market.price=500 USD/GPU/h", "gpu_market.price", "expected >= 0 USD/GPU/h and <= 100 USD/GPU/h"),
    ("market.btc_price=1e-9 USD/BTC", "market.btc_price", "expected >= 100 USD/BTC"),
    ("market.block_subsidy=50000000 BTC", "market.block_subsidy", "expected >= 0 BTC and <= 50 BTC"),
    ("economics.gpu_life=5 s", "economics.gpu_life", "expected >= 0.5 year and <= 30 year"),
    ("economics.gpu_life=1e-300 year", "economics.gpu_life", "expected >= 0.5 year"),
    ("site.hall_area=1e300 m^2", "site.hall_area", "out of range: '1e300 m^2'"),
    ("site.hall_area=2e6 m^2", "site.hall_area", "expected >= 0 m^2 and <= 1,000,000 m^2"),
    ("tariff.fixed_monthly_charge=1e400 USD/month", "tariff.fixed_monthly_charge", "expected a finite number"),
    ("tariff.energy_price=6 USD/kW/month", "tariff.energy_price",
     "written per unit of power per month or year (a demand charge or a yearly cost)"),
    ("tariff.demand_charge=33 USD/MWh", "tariff.demand_charge", "which is an energy price (written per unit of energy)"),
    ("economics.facility_opex=42 USD/MWh", "economics.facility_opex", "which is an energy price"),
])
def test_absurd_values_are_refused_with_the_range(capsys, setting, where, words):
    code, _, err = _run(capsys, "check", str(TINY), "--set", setting)
    assert code == 2
    assert f"tiny.toml: {where}: " in err and words in err


@pytest.mark.parametrize("setting", ["tariff.energy_price=4.2 cent/kWh", "tariff.energy_price=0.042 USD/kWh",
                                     "tariff.demand_charge=6030 USD/MW/month", "tariff.demand_charge=72 USD/kW/year"])
def test_right_forms_are_accepted(capsys, setting):
    code, _, err = _run(capsys, "check", str(TINY), "--set", setting)
    assert code == 0, err


@pytest.mark.parametrize("file, field, value, words", [
    ("racks/gb300_nvl72.toml", "gpus", "1000000000", "less than or equal to 1000"),
    ("racks/gb300_nvl72.toml", "floor_area", '"1 mm^2"', "expected >= 0.1 m^2"),
    ("cooling/cdu_row_600.toml", "approach", '"0.001 K"', "expected >= 0.5 K"),
    ("cooling/air_cooled_chiller_1000.toml", "price", '"1e308 kUSD"', "expected a finite number"),
    ("cooling/dry_cooler_1000.toml", "price", '"1e300 kUSD"', "out of range"),
])
def test_absurd_hardware_values(site_dir, capsys, file, field, value, words):
    path = site_dir / "hw" / file
    lines = [f"{field} = {value}" if ln.split("=")[0].strip() == field else ln
             for ln in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 2 and f"{Path(file).name}: {field}: " in err and words in err


@pytest.mark.parametrize("depth", [25, 500, 3000])
def test_deep_nesting_in_a_quantity(tmp_path, capsys, depth):
    text = re.sub(r'grid_limit = "[^"]*"', lambda _: "grid_limit = " + "[" * depth + '"1 MW"' + "]" * depth,
                  TINY.read_text(), count=1)
    (tmp_path / "deep.toml").write_text(text)
    code, _, err = _run(capsys, "check", str(tmp_path / "deep.toml"))
    assert code == 2 and "deep.toml: site.grid_limit: " in err and "at most 20 levels" in err


@pytest.mark.parametrize("depth", [500, 3000])
def test_deep_nesting_in_sources(site_dir, capsys, depth):
    path = site_dir / "hw" / "racks" / "gb300_nvl72.toml"
    text = path.read_text()
    path.write_text(text.replace("sources = [", "sources = " + "[" * depth + '"x"' + "]" * (depth - 1) + ", ", 1))
    code, _, err = _run(capsys, "check", str(site_dir / "site.toml"))
    assert code == 2 and "gb300_nvl72.toml: sources: " in err and "at most 20 levels" in err


def test_deep_nesting_in_set(capsys):
    code, _, err = _run(capsys, "check", str(TINY), "--set", "site.grid_limit=" + "[" * 600 + "]" * 600)
    assert code == 2 and "--set: site.grid_limit: " in err and "at most 20 levels" in err


@pytest.mark.parametrize("fix, words", [
    ("racks.gb300_nvl72=nan", "whole number of units from 0 to 100,000, got 'nan'"),
    ("racks.gb300_nvl72=inf", "got 'inf'"),
    ("racks.gb300_nvl72=1e400", "got '1e400'"),
    ("racks.gb300_nvl72=2.5", "got '2.5'"),
    ("racks.gb300_nvl72=-1", "got '-1'"),
])
def test_fixed_counts_are_whole_numbers(capsys, fix, words):
    code, _, err = _run(capsys, "run", str(TINY), "--days", "2", "--fix", fix)
    assert code == 2 and "--fix: racks.gb300_nvl72: " in err and words in err


@pytest.mark.parametrize("value, words", [("true", "got True"), ("nan", "got nan"), ("inf", "got inf"),
                                          ('"many"', "got 'many'"), ("[1]", "got [1]")])
def test_design_counts_are_whole_numbers(tmp_path, capsys, value, words):
    design = tmp_path / "design.toml"
    design.write_text(f"[racks]\ngb300_nvl72 = {value}\n")
    code, _, err = _run(capsys, "run", str(TINY), "--days", "2", "--design", str(design))
    assert code == 2 and "design.toml: racks.gb300_nvl72: expected a whole number of units" in err and words in err


def _tmy3(tmp_path, name, edit=None) -> Path:
    """A TMY3 CSV made from the Pasco EPW (station line, column names, 8760 rows)."""
    rows = []
    for line in PASCO.read_text().splitlines()[8:]:
        f = line.split(",")
        rows.append(f"{int(f[1]):02d}/{int(f[2]):02d}/1999,{int(f[3]):02d}:00,{f[6]},{f[7]},{f[8]},{float(f[9]) / 100:g}")
    lines = ['727845,"PASCO",WA,-8.0,46.267,-119.117,136',
             "Date (MM/DD/YYYY),Time (HH:MM),Dry-bulb (C),Dew-point (C),RHum (%),Pressure (mbar)", *rows]
    if edit:
        lines = edit(lines) or lines
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("edit, words", [
    (lambda ls: ls.__setitem__(100, ls[100].replace("/1999", "/19x9", 1)),
     "line 101: the date field is '01/05/19x9', expected MM/DD/YYYY"),
    (lambda ls: ls.__setitem__(100, "13/45/1999" + ls[100][10:]), "line 101: the date field is '13/45/1999'"),
    (lambda ls: ls.__setitem__(100, ",".join([ls[100].split(",")[0], "5h", *ls[100].split(",")[2:]])),
     "line 101: the time field is '5h'"),
    (lambda ls: ls.__setitem__(100, ls[100].replace(ls[100].split(",")[2], "-80", 1)),
     "line 101: dry bulb -80 degC is outside the physical range -70 to 60 degC"),
    (lambda ls: ls[:5000], "has 4998 hours; a year needs 8760"),
])
def test_tmy3_rows_are_checked(tmp_path, capsys, edit, words):
    code, err = _check_weather(capsys, _tmy3(tmp_path, "bad.csv", edit))
    assert code == 2 and "climate.weather_file: " in err and words in err
    assert "You might want to try" not in err


def test_tmy3_leap_year_and_plain_file(tmp_path, capsys):
    code, err = _check_weather(capsys, _tmy3(tmp_path, "good.csv"))
    assert code == 0, err

    def leap(lines):
        feb28 = [i for i, ln in enumerate(lines) if ln.startswith("02/28/")]
        return lines[:feb28[-1] + 1] + [lines[i].replace("02/28/", "02/29/") for i in feb28] + lines[feb28[-1] + 1:]
    code, err = _check_weather(capsys, _tmy3(tmp_path, "leap.csv", leap))
    assert code == 0, err
