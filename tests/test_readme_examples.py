"""Every ```toml block of README.md is valid TOML and valid input, also with its commented-out lines.

A block with [site] is a whole site file. A block with `kind` is an abridged hardware file, laid over
the hardware file with its id. Any other block is a fragment, merged into a copy of
sites/washington.toml (the site the README abridges, which offers every module the fragments name).
Relative paths are resolved against sites/ as in the shipped files.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import site_files
from planner.load import HARDWARE_KINDS, load_site, validate

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "sites"
HARDWARE = ROOT / "hardware"
README = ROOT / "README.md"
BLOCK = re.compile(r"^```toml\n(.*?)^```", re.S | re.M)
COMMENTED = re.compile(r"^# (?=\[|[A-Za-z_\"]+[A-Za-z0-9_.\"]* *=)", re.M)


def _blocks() -> list[str]:
    return BLOCK.findall(README.read_text())


def _uncommented(block: str) -> str:
    """The block with commented-out TOML lines ("# key = ...", "# [table]") turned back on."""
    return COMMENTED.sub("", block)


def _check_block(text: str, tmp_path: Path) -> None:
    data = tomllib.loads(text)
    if "kind" in data:  # abridged: laid over the hardware file with that id
        (real,) = [f for f in HARDWARE.rglob("*.toml") if tomllib.loads(f.read_text()).get("id") == data["id"]]
        validate(HARDWARE_KINDS[data["kind"]], site_files.merge(tomllib.loads(real.read_text()), data), "README.md")
        return
    if "site" not in data:
        data = site_files.merge(site_files.read("washington.toml"), data)
    load_site(site_files.write(data, tmp_path / "readme_site.toml"))


def test_the_readme_has_toml_examples():
    blocks = _blocks()
    assert len(blocks) >= 3
    assert any("time_of_use" in b for b in blocks), "the time-of-use example is kept"


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_toml_block_is_valid(index, tmp_path):
    _check_block(_blocks()[index], tmp_path)


@pytest.mark.parametrize("index", [i for i, b in enumerate(_blocks()) if COMMENTED.search(b)])
def test_readme_toml_block_is_valid_with_its_commented_lines(index, tmp_path):
    block = _blocks()[index]
    _check_block(_uncommented(block), tmp_path)


def test_uncommenting_finds_the_time_of_use_example():
    site_block = next(b for b in _blocks() if "[site]" in b)
    tariff = tomllib.loads(_uncommented(site_block))["tariff"]
    assert tariff["time_of_use"][0]["energy_price"] == "140 USD/MWh"
