"""The pint registry's cache: an entry written by a pint installed elsewhere is not read, and heals."""

import shutil

import pint
import pytest

from planner import units


@pytest.fixture
def two_installs(tmp_path, monkeypatch):
    """pint's definitions at one path, then moved to another (a second environment with the same pint)."""
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_NO_CACHE", raising=False)
    src = units.pint.__file__.rsplit("/", 1)[0]
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    for name in ("default_en.txt", "constants_en.txt"):
        shutil.copy(f"{src}/{name}", first / name)
    return first, second


def _reads_its_cache(definitions):
    """pint itself loads the registry from the planner's cache entry for ``definitions`` without error."""
    pint.UnitRegistry(filename=str(definitions), cache_folder=units.registry_cache_folder(definitions))


def test_an_install_moved_elsewhere_gets_its_own_cache(two_installs):
    first, second = two_installs
    units._registry(str(first / "default_en.txt"))
    shutil.move(first, second)
    reg = units._registry(str(second / "default_en.txt"))
    assert reg.Quantity("18 MW").to("kW").magnitude == pytest.approx(18_000.0)
    assert units.registry_cache_folder(second / "default_en.txt") != units.registry_cache_folder(first / "default_en.txt")
    _reads_its_cache(second / "default_en.txt")


def test_an_entry_written_by_another_install_is_rewritten(two_installs):
    first, second = two_installs
    units._registry(str(first / "default_en.txt"))
    written_elsewhere = units.registry_cache_folder(first / "default_en.txt")
    shutil.move(first, second)
    own = units.registry_cache_folder(second / "default_en.txt")
    shutil.copytree(written_elsewhere, own)  # the same content hash, the other install's paths inside
    with pytest.raises(FileNotFoundError):  # pint cannot read it: the case the planner heals
        _reads_its_cache(second / "default_en.txt")
    reg = units._registry(str(second / "default_en.txt"))
    assert reg.Quantity(45, "degC").to("K").magnitude == pytest.approx(318.15)
    _reads_its_cache(second / "default_en.txt")
