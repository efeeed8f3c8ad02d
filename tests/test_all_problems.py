"""Every problem in a site file is reported at once, each with the file, the TOML path and the message."""

import tomllib
from pathlib import Path

import pytest

import site_files
from planner.cli import main
from planner.load import InputError, load_site

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "sites" / "tiny.toml"


def _errors(capsys, *argv) -> tuple[int, list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "valid." not in out and "Traceback" not in err
    return code, [line for line in err.splitlines() if line.strip()]


def test_check_lists_every_schema_problem(tmp_path, capsys):
    data = site_files.read()
    data["site"]["grid_limt"] = data["site"].pop("grid_limit")
    data["tariff"]["energy_price"] = "40 USD/MW"
    data["gpu_market"]["utilisation"] = "120 %"
    del data["economics"]["capex_budget"]
    site = site_files.write(data, tmp_path / "quebec.toml")
    code, lines = _errors(capsys, "check", str(site))
    assert code == 2
    assert len(lines) == 4, lines
    assert all(line.startswith(f"error: {site}: ") for line in lines)
    paths = [line[len(f"error: {site}: "):].split(": ", 1)[0] for line in lines]
    assert paths[0] == "site.grid_limt"  # a typo first; the "missing grid_limit" it causes is not repeated
    assert set(paths) == {"site.grid_limt", "tariff.energy_price", "gpu_market.utilisation", "economics.capex_budget"}
    assert "did you mean 'grid_limit'" in lines[0]
    assert not any("more problem" in line for line in lines)


def test_every_unknown_hardware_id_at_once(tmp_path, capsys):
    data = site_files.read()
    choices = data["choices"]
    choices["racks"] = ["gb301_nvl72"]
    choices["cdus"] = [*choices["cdus"], "dry_cooler_1000"]
    choices["ups"] = "ups_ecco"
    site = site_files.write(data, tmp_path / "quebec.toml")
    code, lines = _errors(capsys, "check", str(site))
    assert code == 2
    cdu = f"choices.cdus[{len(choices['cdus']) - 1}]"
    assert [line.split(": ")[2] for line in lines] == ["choices.racks[0]", cdu, "choices.ups"]
    assert "did you mean 'gb300_nvl72'" in lines[0]
    assert "'dry_cooler_1000' is a heat_rejection, expected a cdu" in lines[1]


def test_every_layout_problem_at_once(tmp_path):
    data = site_files.read()
    offered = data["choices"]["heat_rejection"][0]
    data["layouts"] = {"a": {"liquid": ["dry_cooler_100"]}, "b": {"liquid": [offered], "air": ["tower"]}}
    with pytest.raises(InputError) as caught:
        load_site(site_files.write(data, tmp_path / "quebec.toml"))
    assert [p for p, _ in caught.value.problems] == ["layouts.a.liquid[0]", "layouts.b.air[0]"]
    assert len(str(caught.value).splitlines()) == 2


def test_overrides_are_named_for_each_problem(tmp_path):
    with pytest.raises(InputError) as caught:
        load_site(TINY, overrides={"site.grid_limit": "1 MWh", "gpu_market.utilisation": "2"})
    problems = dict(caught.value.problems)
    assert problems["site.grid_limit"].endswith("(set by --set)")
    assert problems["gpu_market.utilisation"].endswith("(set by --set)")


def test_sweep_names_vary_for_each_problem(capsys):
    code, lines = _errors(capsys, "sweep", str(TINY), "--vary", "site.grid_limit=1 MWh,2 MWh",
                          "--set", "gpu_market.utilisation=2")
    assert code == 2
    assert any("site.grid_limit" in line and line.endswith("(set by --vary)") for line in lines), lines
    assert any("gpu_market.utilisation" in line and line.endswith("(set by --set)") for line in lines), lines


def test_a_valid_file_still_loads():
    assert tomllib.loads(TINY.read_text())["site"]["name"] == load_site(TINY).spec.site.name
