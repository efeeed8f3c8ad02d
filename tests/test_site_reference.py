"""docs/site-reference.md is generated from the site schema and kept up to date."""

from pathlib import Path

from planner.spec.reference import COMMAND, site_reference
from planner.spec.site import Site

DOC = Path(__file__).parent.parent / "docs" / "site-reference.md"


def test_committed_reference_is_up_to_date():
    assert DOC.read_text() == site_reference(), f"docs/site-reference.md is stale; regenerate it with: {COMMAND}"


def _leaf_paths(model, prefix=""):
    from planner.spec.reference import _sub_model

    for name, info in model.model_fields.items():
        sub, how = _sub_model(info.annotation)
        full = f"{prefix}{name}"
        if sub is None:
            yield full
        else:
            yield from _leaf_paths(sub, full + {"table": ".", "array": "[N].", "named": ".NAME."}[how])


def test_every_key_is_documented_with_a_description():
    text = site_reference()
    rows = {line.split("|")[1].strip().strip("`"): line.split("|") for line in text.splitlines()
            if line.startswith("| `")}
    for path in _leaf_paths(Site):
        if path == "scenarios":
            assert "## [scenarios.NAME]" in text
            continue
        assert path in rows, path
        assert rows[path][6].strip(), f"{path} has no description"


def test_quantities_state_kind_unit_default_and_range():
    rows = {line.split("|")[1].strip().strip("`"): [c.strip() for c in line.split("|")[1:-1]]
            for line in site_reference().splitlines() if line.startswith("| `")}
    assert rows["site.grid_limit"] == ["`site.grid_limit`", "**required**", "electric_power [MW]", "", "> 0 MW and <= 5,000 MW",
                                       "Largest draw at the utility meter."]
    assert rows["economics.water_price"][1:5] == ["optional", "water_price [USD/m^3]", '`"0 USD/m^3"`', ">= 0 USD/m^3"]
    assert rows["market.mining_opex"][3] == '`"0 USD/MW/year"`'
    assert rows["climate.monthly_max_dry_bulb"][4] == ">= -60 degC and <= 60 degC; exactly 12 items"
    assert "gpu_price [USD/GPU/h]" in rows["gpu_market.price_by_rack"][2]
