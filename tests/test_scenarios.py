"""What-if scenarios on any input: `[scenarios.NAME]` tables and `--set PATH=VALUE`.

Every override goes through the same schema and unit checks as the file itself;
`plan`, `plan check` and `plan compare` all take `--set` and `--scenario`, and a
bad path, value or scenario name exits with code 2 and a plain message.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.cli import main
from planner.studies.compare import FREE, compare_layouts, free_layout
from planner.inputs import resolve
from planner.load import InputError, load_site

REPO = Path(__file__).resolve().parents[1]
WASHINGTON = REPO / "sites" / "washington.toml"
TINY = REPO / "tests" / "data" / "tiny" / "tiny.toml"
HOT = REPO / "tests" / "data" / "compare" / "hot.toml"

# `plan` (run), `plan check` and `plan compare` on the tiny site; loading fails before any solve
COMMANDS = {"run": ["run"], "check": ["check"], "compare": ["compare"]}


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "internal error" not in out.err
    return code, out.out, out.err


# --- scenarios ----------------------------------------------------------------------------------

def test_scenarios_patch_any_path():
    base = load_site(WASHINGTON)
    cheap = load_site(WASHINGTON, scenario="cheap_gpu")
    assert base.spec.gpu_market.price.value == 3.0
    assert cheap.spec.gpu_market.price.value == 2.5
    assert cheap.overrides == {"gpu_market.price": "2.5 USD/GPU/h"}
    hot = load_site(WASHINGTON, scenario="hot_summer")
    assert hot.spec.climate.weather_file is None and hot.weather_path is None
    assert hot.spec.climate.design_dry_bulb.value == 39.0
    # --set applies on top of the scenario
    both = load_site(WASHINGTON, scenario="dear_power", overrides={"tariff.energy_price": "60 USD/MWh"})
    assert both.spec.tariff.energy_price.value == 60.0


def test_scenario_values_are_checked_like_the_file():
    with pytest.raises(InputError) as err:
        load_site(HOT, scenario="wrong_unit")
    assert err.value.path == "site.grid_limit"
    assert "expected an electric power" in err.value.message and "energy" in err.value.message
    assert "[scenarios.wrong_unit]" in err.value.message
    with pytest.raises(InputError) as err:
        load_site(HOT, scenario="typo")
    assert "did you mean 'grid_limit'" in err.value.message and "[scenarios.typo]" in err.value.message


@pytest.mark.parametrize("cmd", list(COMMANDS))
def test_bad_scenario_name(cmd, capsys):
    code, out, err = _run(capsys, *COMMANDS[cmd], WASHINGTON, "--scenario", "hot_sumer")
    assert code == 2
    assert "scenarios.hot_sumer" in err and "did you mean 'hot_summer'" in err


def test_scenario_on_a_site_without_scenarios(capsys):
    code, out, err = _run(capsys, "check", TINY, "--scenario", "hot")
    assert code == 2 and "no [scenarios] table" in err


def test_compare_stops_on_a_bad_scenario_before_solving(capsys):
    """All scenarios are loaded first: a bad second name costs no solve and prints no table."""
    code, out, err = _run(capsys, "compare", HOT, "--scenario", "mild", "--scenario", "typo")
    assert code == 2 and "did you mean 'grid_limit'" in err
    assert "Cooling layouts" not in out


def test_compare_per_scenario_and_summary(capsys):
    code, out, err = _run(capsys, "compare", HOT, "--scenario", "mild", "--scenario", "big")
    assert code == 0
    assert "scenario 'mild'" in out and "scenario 'big'" in out
    assert "Best layout per scenario" in out


# --- --set ------------------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", list(COMMANDS))
def test_set_bad_path_did_you_mean(cmd, capsys):
    code, out, err = _run(capsys, *COMMANDS[cmd], TINY, "--set", "site.grid_limt=2 MW")
    assert code == 2
    assert "site.grid_limt" in err and "did you mean 'grid_limit'" in err and "--set" in err
    code, out, err = _run(capsys, *COMMANDS[cmd], TINY, "--set", "sit.grid_limit=2 MW")
    assert code == 2 and "did you mean 'site'" in err


@pytest.mark.parametrize("cmd", list(COMMANDS))
def test_set_bad_unit(cmd, capsys):
    code, out, err = _run(capsys, *COMMANDS[cmd], TINY, "--set", "site.grid_limit=2 MWh")
    assert code == 2
    assert "site.grid_limit" in err and "expected an electric power" in err and "an energy" in err
    code, out, err = _run(capsys, *COMMANDS[cmd], TINY, "--set", "site.grid_limit=2")
    assert code == 2 and "expected an electric power" in err and "bare number" in err


@pytest.mark.parametrize("argv", [
    ["--set", "site.grid_limit.x=3"],  # a value, not a table
    ["--set", "site.grid_limit"],  # no '='
    ["--set", "economics.objective='profit'"],  # not one of the choices
])
def test_set_other_mistakes(argv, capsys):
    code, out, err = _run(capsys, "check", TINY, *argv)
    assert code == 2 and err.startswith("error:")


def test_set_accepted_by_check_and_run(capsys, tmp_path):
    code, out, err = _run(capsys, "check", TINY, "--set", "site.grid_limit=2 MW")
    assert code == 0 and "override site.grid_limit = '2 MW'" in out
    # `plan check` validates every scenario, selected or not: hot.toml's broken ones are named
    code, out, err = _run(capsys, "check", HOT, "--scenario", "big")
    assert code == 2 and "(set by [scenarios." in err
    good = tmp_path / "hot.toml"
    text = HOT.read_text()
    hardware = REPO / "tests" / "data" / "tiny" / "hardware"
    good.write_text(text[:text.index("[scenarios.typo]")].replace('"../tiny/hardware"', f'"{hardware}"'))
    code, out, err = _run(capsys, "check", good, "--scenario", "big")
    assert code == 0 and "override site.grid_limit = '2 MW'" in out, err
    code, out, err = _run(capsys, "run", TINY, "--set", "site.grid_limit=2 MW", "--scenario", "x")
    assert code == 2  # tiny has no scenarios: the run command reads --scenario too
    code, out, err = _run(capsys, "run", TINY, "--set", "site.grid_limit=2 MW", "--json", tmp_path / "run.json")
    assert code == 0, err
    assert json.loads((tmp_path / "run.json").read_text())


def test_set_grid_limit_doubles_the_racks(capsys, tmp_path):
    """Twice the grid at the tiny site gives at least twice the racks, and no more than the grid allows.

    Arithmetic: a GB300 NVL72 peaks at 155 kW, 0.1614 MW at the meter through
    UPS (97 %) and transformer (99 %). The envelope (GPU peak + cooling, mining
    off) must fit the grid, so 1 MW holds at most floor(1 / 0.1614) = 6 racks and
    2 MW at most 12. Two copies of the 1 MW design fit in 2 MW (hall 200 m^2,
    budget 100 MUSD are far away) and every rack adds NOI, so the 2 MW plan has
    at least twice the racks; the N+1 spare units are shared, so it may hold one more.
    """
    a_ups = 1 / (0.97 * 0.99)
    one = compare_layouts(resolve(load_site(TINY)), [free_layout()])[0]
    two = compare_layouts(resolve(load_site(TINY, overrides={"site.grid_limit": "2 MW"})), [free_layout()])[0]
    n1, n2 = one.figures["racks"], two.figures["racks"]
    assert 0 < n1 <= math.floor(1.0 / (0.155 * a_ups)) == 6
    assert 2 * n1 <= n2 <= math.floor(2.0 / (0.155 * a_ups)) == 12
    assert two.figures["gpus"] == 72 * n2
    # the same through the command line, read back from the JSON
    code, out, err = _run(capsys, "compare", TINY, "--set", "site.grid_limit=2 MW", "--json", tmp_path / "c.json")
    assert code == 0
    data = json.loads((tmp_path / "c.json").read_text())
    free = [x for x in data["scenarios"][0]["layouts"] if x["layout"] == FREE][0]
    assert free["figures"]["racks"]["value"] == n2
    assert data["overrides"] == {"site.grid_limit": "2 MW"}


def test_set_a_table_of_named_entries():
    """`--set layouts.NAME.liquid=[...]` and `--set gpu_market.price_by_rack.ID=...` take any entry name."""
    loaded = load_site(HOT, overrides={"layouts.towers.liquid": ["cooling_tower_2000"]})
    assert loaded.spec.layouts["towers"].liquid == ["cooling_tower_2000"]
    loaded = load_site(TINY, overrides={"gpu_market.price_by_rack.gb300_nvl72": "3 USD/GPU/h"})
    assert loaded.spec.gpu_market.price_by_rack["gb300_nvl72"].value == 3.0
    with pytest.raises(InputError) as err:
        load_site(TINY, overrides={"gpu_market.price_by_rack.gb300_nvl72": "3 USD/h"})
    assert "--set" in err.value.message
