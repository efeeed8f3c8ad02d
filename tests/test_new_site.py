"""A newcomer's site: only the keys docs/site-reference.md marks as required (and one weather source,
which its [climate] section asks for), and it plans."""

import re
import shutil
from pathlib import Path

from planner.cli import main

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "site-reference.md"

# a 30 MW site in Quebec with no weather file: constant climate, as [climate] allows
NEW_SITE = '''
[site]
name = "Quebec 30 MW"
grid_limit = "30 MW"
hall_area = "8000 m^2"
yard_area = "10000 m^2"

[climate]
constant_dry_bulb = "15 degC"
constant_wet_bulb = "10 degC"

[tariff]
energy_price = "45 USD/MWh"

[market]
btc_price = "90000 USD/BTC"
difficulty = 150e12
block_subsidy = "3.125 BTC"

[gpu_market]
price = "3.0 USD/GPU/h"
utilisation = "85 %"

[economics]
facility_opex = "0.6 MUSD/MW/year"
facility_capex = "8.5 MUSD/MW"
capex_budget = "1500 MUSD"

[choices]
racks = ["gb300_nvl72"]
ups = "ups_eco"
transformer = "transformer_mv"
'''


def required_paths() -> set[str]:
    """Keys marked required in the reference, leaving out the tables a site may omit (arrays, named tables,
    and the keys a table needs only when the table is given, such as [uncertainty.btc_price])."""
    optional, rows = False, []
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            optional = False
        elif line.startswith("Optional table."):
            optional = True
        elif line.startswith("| `") and not optional:
            rows.append(line.split("|"))
    return {r[1].strip().strip("`") for r in rows if "**required**" in r[2] and "[N]" not in r[1] and ".NAME." not in r[1]}


def written_paths(text: str) -> set[str]:
    out, table = set(), ""
    for line in text.splitlines():
        m = re.match(r"^\[(.+)\]$", line.strip())
        if m:
            table = m.group(1)
        elif "=" in line:
            out.add(f"{table}.{line.split('=')[0].strip()}")
    return out


def test_a_site_of_only_the_required_keys_plans(tmp_path, capsys):
    written = written_paths(NEW_SITE)
    required = required_paths()
    # every required key, and besides them only the one weather source [climate] asks for
    assert written - required == {"climate.constant_dry_bulb", "climate.constant_wet_bulb"}
    assert required <= written
    site = tmp_path / "sites" / "quebec.toml"
    site.parent.mkdir()
    site.write_text(NEW_SITE)
    shutil.copytree(ROOT / "hardware", tmp_path / "hardware")  # hardware_dir defaults to ../hardware
    code = main([str(site), "--no-replan"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "audit: 8760 h checked, 0 violations" in out
    # choices.cdus, heat_rejection and air_side left out offer the whole catalogue: GB300 racks get cooled
    assert "NVIDIA GB300 NVL72" in out and "scalable unit" in out
