"""The parsed-climate cache: same climate as the file, keyed by content, safe when off or unwritable."""

import os
import shutil

import numpy as np
import pytest

from planner import climate

PASCO = "sites/weather/USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw"


def _same(a, b):
    for name in ("dry_bulb", "wet_bulb", "timestamps", "month"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("design_dry_bulb", "design_wet_bulb", "design_evaporation_wet_bulb", "design_source", "source"):
        assert getattr(a, name) == getattr(b, name)


def test_cached_climate_is_the_parsed_climate(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_NO_CACHE", raising=False)
    direct = climate.read_epw_climate(PASCO)
    first = climate.read_weather_file(PASCO)
    assert len(list((tmp_path / "cache" / "climate").glob("*.npz"))) == 1
    second = climate.read_weather_file(PASCO)  # from the cache
    _same(direct, first)
    _same(direct, second)


def test_an_edited_file_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_NO_CACHE", raising=False)
    copy = tmp_path / "w.epw"
    shutil.copy(PASCO, copy)
    before = climate.read_weather_file(copy)
    lines = copy.read_text().splitlines(keepends=True)
    fields = lines[8].split(",")
    fields[6] = "41.5"  # dry bulb of the first hour
    lines[8] = ",".join(fields)
    copy.write_text("".join(lines))
    after = climate.read_weather_file(copy)
    assert before.dry_bulb[0] != 41.5 and after.dry_bulb[0] == 41.5
    assert len(list((tmp_path / "cache" / "climate").glob("*.npz"))) == 2


def test_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_NO_CACHE", raising=False)
    climate.read_weather_file(PASCO)
    (entry,) = (tmp_path / "cache" / "climate").glob("*.npz")
    entry.write_bytes(b"not a cache entry")
    _same(climate.read_weather_file(PASCO), climate.read_epw_climate(PASCO))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a folder the user cannot write")
def test_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        monkeypatch.setenv("PLANNER_CACHE_DIR", str(folder))
        monkeypatch.delenv("PLANNER_NO_CACHE", raising=False)
        _same(climate.read_weather_file(PASCO), climate.read_epw_climate(PASCO))
    finally:
        folder.chmod(0o700)


def test_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")
    climate.read_weather_file(PASCO)
    assert not (tmp_path / "cache").exists()


def test_errors_are_the_readers(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / "bad.epw"
    bad.write_text("LOCATION,x\n")
    with pytest.raises(climate.ClimateError, match="bad.epw"):
        climate.read_weather_file(bad)
    missing = tmp_path / "missing.epw"
    with pytest.raises(climate.ClimateError) as direct:
        climate.read_epw_climate(missing)
    with pytest.raises(climate.ClimateError) as cached:
        climate.read_weather_file(missing)
    assert str(direct.value) == str(cached.value)
