"""Tests of planner.climate: weather-file readers, design conditions, synthesis, selection."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import numpy as np
import psychrolib
import pvlib
import pytest

from planner.climate import (
    ASHRAE_2009_DAILY_RANGE_FRACTION,
    Climate,
    ClimateError,
    constant_climate,
    design_condition_from_hours,
    hottest_hour,
    read_climate,
    read_epw_climate,
    read_tmy3_climate,
    representative_days,
    synthesise_climate,
    with_design_condition,
)

REPO = Path(__file__).resolve().parents[2]
WEATHER = REPO / "sites" / "weather"
PASCO = WEATHER / "USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw"
DALLAS = WEATHER / "USA_TX_Dallas-Fort.Worth.Intl.AP.722590_TMY3.epw"
PVLIB_DATA = Path(os.path.dirname(pvlib.__file__)) / "data"

# Moses Lake placeholder normals (domain-facts 6b); wet-bulb normals are rough test values
MOSES_MAX = [1, 6, 12, 17, 23, 27, 32, 31, 26, 17, 7, 2]
MOSES_MIN = [-6, -3, 0, 4, 9, 13, 16, 16, 11, 4, -1, -5]
MOSES_WB_MAX = [0, 3, 7, 10, 13, 16, 18, 18, 15, 10, 4, 1]
MOSES_WB_MIN = [-7, -4, -2, 1, 5, 8, 10, 10, 7, 2, -2, -6]


@pytest.fixture(scope="module")
def pasco() -> Climate:
    return read_epw_climate(PASCO)


@pytest.fixture(scope="module")
def dallas() -> Climate:
    return read_epw_climate(DALLAS)


@pytest.fixture(scope="module")
def moses_synthetic() -> Climate:
    return synthesise_climate(MOSES_MAX, MOSES_MIN, MOSES_WB_MAX, MOSES_WB_MIN,
                              design_dry_bulb=36.0, design_wet_bulb=19.5, seed=7)


def _epw_lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    out = tmp_path / name
    out.write_text("".join(lines))
    return out


def _set_field(line: str, index: int, value: str) -> str:
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


# ------------------------------------------------------------------------------------------
# EPW
# ------------------------------------------------------------------------------------------


def test_pasco_epw_hours_and_thresholds(pasco):
    assert pasco.n_hours == 8760
    assert pasco.dry_bulb.max() == pytest.approx(39.0)
    assert int((pasco.dry_bulb > 30.0).sum()) == 414
    assert int((pasco.dry_bulb > 35.0).sum()) == 78
    assert np.all(pasco.wet_bulb <= pasco.dry_bulb)
    assert "727845" in pasco.source and "Pasco" in pasco.source


def test_pasco_epw_timestamps_nominal_year(pasco):
    ts = pasco.timestamps
    assert ts.dtype == np.dtype("datetime64[h]")
    assert ts[0] == np.datetime64("2026-01-01T00")
    assert ts[-1] == np.datetime64("2026-12-31T23")
    assert np.all(np.diff(ts).astype(int) == 1)
    assert pasco.month[0] == 1 and pasco.month[-1] == 12
    assert np.array_equal(np.bincount(pasco.month)[1:] // 24,
                          [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def test_pasco_epw_design_from_header(pasco):
    assert pasco.design_dry_bulb == pytest.approx(37.5)
    assert pasco.design_wet_bulb == pytest.approx(21.1)
    assert pasco.design_evaporation_wet_bulb == pytest.approx(22.3)
    assert "EPW header" in pasco.design_source and "2009" in pasco.design_source


def test_extremes_from_the_header_and_through_the_cache(pasco, tmp_path, monkeypatch):
    """The ASHRAE 2009 extremes in the Pasco and Dallas headers: mean annual maximum and minimum dry bulb and the
    20-year return values (Pasco 40.9 / -16.9 and 45.8 / -29.3 degC; Dallas 39.7 / -9.1 and 43.3 / -15.7 degC)."""
    from planner.climate import _parse_extremes

    assert pasco.extremes == {"mean_min": -16.9, "mean_max": 40.9, "min_20_year": -29.3, "max_20_year": 45.8}
    dallas = ("DESIGN CONDITIONS,1,Climate Design Data 2009 ASHRAE Handbook,,Heating,1,-6.5,-3.4,-13.5,1.2,-3.6,"
              "-10.8,1.5,-0.6,13,8.7,12,9.1,5.9,340,Cooling,8,11,38,23.6,36.9,23.7,35.7,23.8,25.9,33,25.4,32.6,25,32.1,"
              "4.6,180,24.1,19.4,28.7,23.5,18.8,28.2,23,18.2,27.8,81.1,33,78.7,32.6,76.7,32,708,Extremes,11.6,10.6,9.2,"
              "28.3,-9.1,39.7,3.6,1.9,-11.6,41.1,-13.7,42.3,-15.7,43.3,-18.3,44.7")
    assert _parse_extremes(dallas.split(",")) == {"mean_min": -9.1, "mean_max": 39.7, "min_20_year": -15.7,
                                                  "max_20_year": 43.3}
    assert _parse_extremes(dallas.split(",")[:60]) is None  # a record cut short gives none
    assert _parse_extremes("DESIGN CONDITIONS,0".split(",")) is None


def test_pasco_file_hours_are_close_to_the_header_design(pasco):
    # typical-year hours vs the long-term ASHRAE statistic: same climate, within ~1 K
    db, wb = design_condition_from_hours(pasco.dry_bulb, pasco.wet_bulb)
    assert abs(db - pasco.design_dry_bulb) < 1.0
    assert abs(wb - pasco.design_wet_bulb) < 1.5
    wb_04 = np.quantile(pasco.wet_bulb, 0.996)
    assert abs(wb_04 - pasco.design_evaporation_wet_bulb) < 1.0


def test_dallas_epw(dallas):
    assert dallas.n_hours == 8760
    assert int((dallas.dry_bulb > 30.0).sum()) == 1012
    assert np.all(dallas.wet_bulb <= dallas.dry_bulb)
    assert dallas.design_dry_bulb == pytest.approx(38.0)
    assert dallas.design_wet_bulb == pytest.approx(23.6)
    assert dallas.design_evaporation_wet_bulb == pytest.approx(25.9)
    # humid site: wet bulb well above Pasco's
    assert np.quantile(dallas.wet_bulb, 0.996) > 25.0


def test_read_climate_dispatches_on_extension(tmp_path):
    assert read_climate(PASCO).n_hours == 8760
    with pytest.raises(ClimateError, match="unknown format"):
        read_climate(tmp_path / "weather.txt")


# ------------------------------------------------------------------------------------------
# wet bulb
# ------------------------------------------------------------------------------------------


def _wet_bulb_ashrae_buck(t: float, rh: float, p: float) -> float:
    """Independent psychrometric wet bulb [degC]: ASHRAE HOF 2009 ch. 1 eq. (33) (humidity
    ratio balance of the adiabatic saturator) with Buck (1981) saturation pressure over water,
    solved by bisection. T [degC], RH [0-1], p [Pa]."""

    def p_ws(x: float) -> float:
        return 611.21 * math.exp((18.678 - x / 234.5) * (x / (257.14 + x)))

    w = 0.621945 * rh * p_ws(t) / (p - rh * p_ws(t))
    lo, hi = -40.0, t
    for _ in range(80):
        tw = 0.5 * (lo + hi)
        ws = 0.621945 * p_ws(tw) / (p - p_ws(tw))
        w_calc = ((2501.0 - 2.326 * tw) * ws - 1.006 * (t - tw)) / (
            2501.0 + 1.86 * t - 4.186 * tw)
        if w_calc > w:
            hi = tw
        else:
            lo = tw
    return 0.5 * (lo + hi)


def _wet_bulb_stull(t: float, rh_percent: float) -> float:
    """Stull (2011), J. Appl. Meteor. Climatol. 50, 2267, empirical fit at 101.325 kPa."""
    rh = rh_percent
    return (t * math.atan(0.151977 * math.sqrt(rh + 8.313659)) + math.atan(t + rh)
            - math.atan(rh - 1.676331)
            + 0.00391838 * rh ** 1.5 * math.atan(0.023101 * rh) - 4.686035)


def test_hand_checked_wet_bulb_point(tmp_path):
    """30 degC, 20 % RH, 101325 Pa: psychrometric wet bulb 15.7 degC (chart reading ~15.7-15.9;
    Stull's empirical fit gives 15.90). The reader's psychrolib path must agree with an
    independent solution of the ASHRAE psychrometric equation, and with Stull within 0.3 K."""
    independent = _wet_bulb_ashrae_buck(30.0, 0.20, 101325.0)
    stull = _wet_bulb_stull(30.0, 20.0)
    assert independent == pytest.approx(15.70, abs=0.05)
    assert stull == pytest.approx(15.9, abs=0.05)

    # run the point through read_epw_climate: set hour 1 of the Pasco copy to 30 degC /
    # dew point of 20 % RH / 101325 Pa
    psychrolib.SetUnitSystem(psychrolib.SI)
    dew = psychrolib.GetTDewPointFromRelHum(30.0, 0.20)
    lines = _epw_lines(PASCO)
    row = lines[8]
    for index, value in ((6, "30.0"), (7, f"{dew:.4f}"), (8, "20"), (9, "101325")):
        row = _set_field(row, index, value)
    lines[8] = row
    climate = read_epw_climate(_write(tmp_path, "point.epw", lines))
    assert climate.wet_bulb[0] == pytest.approx(independent, abs=0.05)
    assert climate.wet_bulb[0] == pytest.approx(15.9, abs=0.3)
    assert climate.wet_bulb[0] == pytest.approx(stull, abs=0.3)


def test_psychrolib_unit_system_is_restored(tmp_path):
    psychrolib.SetUnitSystem(psychrolib.IP)
    try:
        climate = read_epw_climate(PASCO)
        assert psychrolib.GetUnitSystem() is psychrolib.IP
        assert climate.wet_bulb.max() < 40.0  # degC, not degF
    finally:
        psychrolib.SetUnitSystem(psychrolib.SI)


# ------------------------------------------------------------------------------------------
# bad files
# ------------------------------------------------------------------------------------------


def test_truncated_epw_is_refused(tmp_path):
    lines = _epw_lines(PASCO)[:8 + 100]
    path = _write(tmp_path, "short.epw", lines)
    with pytest.raises(ClimateError, match="8760") as err:
        read_epw_climate(path)
    assert "short.epw" in str(err.value) and "100 hours" in str(err.value)


def test_epw_with_extra_hours_is_refused(tmp_path):
    lines = _epw_lines(PASCO)
    path = _write(tmp_path, "long.epw", lines + lines[-24:])
    with pytest.raises(ClimateError, match="8784 hours; a year needs 8760"):
        read_epw_climate(path)


def test_epw_missing_dry_bulb_is_refused(tmp_path):
    lines = _epw_lines(PASCO)
    lines[8 + 4000] = _set_field(lines[8 + 4000], 6, "99.9")   # EPW missing code
    lines[8 + 4001] = _set_field(lines[8 + 4001], 6, "")       # empty -> NaN
    with pytest.raises(ClimateError, match=r"missing_db\.epw has 2 missing dry-bulb"):
        read_epw_climate(_write(tmp_path, "missing_db.epw", lines))


def test_epw_missing_humidity_is_refused(tmp_path):
    lines = _epw_lines(PASCO)
    row = _set_field(lines[8 + 10], 7, "99.9")
    lines[8 + 10] = _set_field(row, 8, "999")
    with pytest.raises(ClimateError, match="without dew point or relative humidity"):
        read_epw_climate(_write(tmp_path, "missing_rh.epw", lines))


def test_epw_missing_dew_point_falls_back_to_relative_humidity(tmp_path, pasco):
    lines = _epw_lines(PASCO)
    lines[8 + 10] = _set_field(lines[8 + 10], 7, "99.9")
    climate = read_epw_climate(_write(tmp_path, "missing_dew.epw", lines))
    assert "relative humidity used in 1 h" in climate.source
    assert climate.wet_bulb[10] == pytest.approx(pasco.wet_bulb[10], abs=0.5)


def test_unreadable_files_are_refused(tmp_path):
    with pytest.raises(ClimateError, match="nowhere.epw"):
        read_epw_climate(tmp_path / "nowhere.epw")
    garbage = tmp_path / "garbage.epw"
    garbage.write_bytes(b"\x00\x01 not a weather file\n")
    with pytest.raises(ClimateError, match="garbage.epw"):
        read_epw_climate(garbage)
    with pytest.raises(ClimateError, match="nowhere.csv"):
        read_tmy3_climate(tmp_path / "nowhere.csv")


def test_epw_without_design_conditions_falls_back_to_hours(tmp_path, pasco):
    lines = _epw_lines(PASCO)
    assert lines[1].startswith("DESIGN CONDITIONS")
    lines[1] = "DESIGN CONDITIONS,0\n"
    climate = read_epw_climate(_write(tmp_path, "nodesign.epw", lines))
    db, wb = design_condition_from_hours(pasco.dry_bulb, pasco.wet_bulb)
    assert climate.design_dry_bulb == pytest.approx(db)
    assert climate.design_wet_bulb == pytest.approx(wb)
    assert climate.design_evaporation_wet_bulb is None
    assert "0.4 %" in climate.design_source and "nodesign.epw" in climate.design_source


# ------------------------------------------------------------------------------------------
# TMY3
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["703165TY.csv", "723170TYA.CSV"])
def test_pvlib_tmy3_files(name):
    climate = read_tmy3_climate(PVLIB_DATA / name)
    assert climate.n_hours == 8760
    assert climate.timestamps[-1] == np.datetime64("2026-12-31T23")
    assert np.all(climate.wet_bulb <= climate.dry_bulb)
    db, wb = design_condition_from_hours(climate.dry_bulb, climate.wet_bulb)
    assert climate.design_dry_bulb == pytest.approx(db)
    assert climate.design_wet_bulb == pytest.approx(wb)
    assert climate.design_evaporation_wet_bulb is None
    assert "TMY3" in climate.source


# ------------------------------------------------------------------------------------------
# design condition helper
# ------------------------------------------------------------------------------------------


def test_design_condition_from_hours_hand_example():
    # 8760 h: 8700 h at 20 degC (wb 15), then 60 h ramping 30.0..35.9 degC (wb 20 + 0.1*i)
    hot = 30.0 + 0.1 * np.arange(60)
    db = np.concatenate((np.full(8700, 20.0), hot))
    wb = np.concatenate((np.full(8700, 15.0), 20.0 + 0.1 * np.arange(60)))
    design, mcwb = design_condition_from_hours(db, wb)
    # 0.4 % of 8760 = 35.04 h above: between the 35th and 36th hottest values
    assert np.sum(db > design) in (35, 36)
    expected = np.quantile(db, 0.996)
    assert design == pytest.approx(expected)
    window = np.abs(db - design) <= 0.5
    assert mcwb == pytest.approx(wb[window].mean())
    assert mcwb == pytest.approx(design - 10.0, abs=0.06)
    with pytest.raises(ValueError):
        design_condition_from_hours(db, wb, percentile=0.0)


# ------------------------------------------------------------------------------------------
# synthesis
# ------------------------------------------------------------------------------------------


def test_synthetic_profile_shape_with_constant_normals():
    climate = synthesise_climate([30.0] * 12, [15.0] * 12, [18.0] * 12, [12.0] * 12,
                                 design_dry_bulb=30.0, design_wet_bulb=18.0, daily_sd=0.0)
    days = climate.dry_bulb.reshape(365, 24)
    hour_ending = np.arange(1, 25)
    assert np.all(hour_ending[np.argmin(days, axis=1)] == 5)
    assert np.all(hour_ending[np.argmax(days, axis=1)] == 14)      # first of 14, 15
    assert np.allclose(days[:, 13], 30.0) and np.allclose(days[:, 14], 30.0)
    assert np.allclose(days[:, 4], 15.0)
    assert np.allclose(days[0], 30.0 - ASHRAE_2009_DAILY_RANGE_FRACTION * 15.0)
    wet = climate.wet_bulb.reshape(365, 24)
    assert np.all(hour_ending[np.argmin(wet, axis=1)] == 5)
    assert np.allclose(wet[:, 13], 18.0) and np.allclose(wet[:, 4], 12.0)
    assert climate.timestamps[0] == np.datetime64("2026-01-01T00")
    assert climate.n_hours == 8760


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_synthetic_design_dry_bulb_is_calibrated(seed):
    climate = synthesise_climate(MOSES_MAX, MOSES_MIN, MOSES_WB_MAX, MOSES_WB_MIN,
                                 design_dry_bulb=36.0, design_wet_bulb=19.5, seed=seed)
    db, mcwb = design_condition_from_hours(climate.dry_bulb, climate.wet_bulb)
    assert db == pytest.approx(36.0, abs=0.3)
    assert mcwb == pytest.approx(19.5, abs=1.0)
    assert climate.design_dry_bulb == 36.0 and climate.design_wet_bulb == 19.5
    assert np.all(climate.wet_bulb <= climate.dry_bulb)
    assert f"seed {seed}" in climate.source


def test_synthetic_is_seeded_and_deterministic(moses_synthetic):
    again = synthesise_climate(MOSES_MAX, MOSES_MIN, MOSES_WB_MAX, MOSES_WB_MIN,
                               design_dry_bulb=36.0, design_wet_bulb=19.5, seed=7)
    assert np.array_equal(again.dry_bulb, moses_synthetic.dry_bulb)
    assert np.array_equal(again.wet_bulb, moses_synthetic.wet_bulb)
    other = synthesise_climate(MOSES_MAX, MOSES_MIN, MOSES_WB_MAX, MOSES_WB_MIN,
                               design_dry_bulb=36.0, design_wet_bulb=19.5, seed=8)
    assert not np.array_equal(other.dry_bulb, moses_synthetic.dry_bulb)


def test_synthetic_monthly_means_follow_normals(moses_synthetic):
    # cold anomalies are untouched, warm ones scaled: monthly means stay near the normals
    normal_mean = (np.array(MOSES_MAX) + np.array(MOSES_MIN)) / 2
    for m in range(1, 13):
        mean = moses_synthetic.dry_bulb[moses_synthetic.month == m].mean()
        assert abs(mean - normal_mean[m - 1]) < 5.0


def test_synthetic_refuses_unreachable_design():
    with pytest.raises(ClimateError, match="design dry bulb"):
        synthesise_climate([30.0] * 12, [15.0] * 12, [18.0] * 12, [12.0] * 12,
                           design_dry_bulb=35.0, design_wet_bulb=20.0, daily_sd=0.0)
    with pytest.raises(ClimateError, match="12"):
        synthesise_climate([30.0] * 11, [15.0] * 12, [18.0] * 12, [12.0] * 12, 30.0, 18.0)


# ------------------------------------------------------------------------------------------
# constant climate, overrides, immutability
# ------------------------------------------------------------------------------------------


def test_constant_climate():
    climate = constant_climate(25.0, 18.0)
    assert climate.n_hours == 8760
    assert np.all(climate.dry_bulb == 25.0) and np.all(climate.wet_bulb == 18.0)
    assert climate.design_dry_bulb == 25.0 and climate.design_wet_bulb == 18.0
    small = constant_climate(25.0, 18.0, hours=48)
    assert small.n_hours == 48 and small.timestamps[-1] == np.datetime64("2026-01-02T23")
    with pytest.raises(ClimateError):
        constant_climate(20.0, 21.0)


def test_climate_is_immutable_and_validated(pasco):
    with pytest.raises(dataclasses.FrozenInstanceError):
        pasco.design_dry_bulb = 40.0
    with pytest.raises(ValueError):
        pasco.dry_bulb[0] = 50.0
    with pytest.raises(ClimateError, match="exceeds dry bulb"):
        dataclasses.replace(pasco, wet_bulb=pasco.dry_bulb + 1.0)


def test_with_design_condition(pasco):
    site = with_design_condition(pasco, 36.0, 19.5, source="site file climate.design_dry_bulb")
    assert site.design_dry_bulb == 36.0 and site.design_wet_bulb == 19.5
    assert site.design_evaporation_wet_bulb == pytest.approx(22.3)
    assert site.design_source == "site file climate.design_dry_bulb"
    assert pasco.design_dry_bulb == 37.5


# ------------------------------------------------------------------------------------------
# hottest hour, representative days
# ------------------------------------------------------------------------------------------


def test_hottest_hour(pasco):
    i = hottest_hour(pasco)
    assert pasco.dry_bulb[i] == pasco.dry_bulb.max() == pytest.approx(39.0)


@pytest.mark.parametrize("n_days", [2, 5, 12, 365])
def test_representative_days(pasco, n_days):
    hours, weights = representative_days(pasco, n_days)
    assert hours.shape == weights.shape == (24 * n_days,)
    assert weights.sum() == pytest.approx(8760.0)
    assert hottest_hour(pasco) in hours
    assert int(np.argmax(pasco.wet_bulb)) in hours
    assert np.all(np.diff(hours) > 0)                       # chronological, no repeats
    assert np.all(hours.reshape(n_days, 24) % 24 == np.arange(24))   # whole days
    again = representative_days(pasco, n_days)
    assert np.array_equal(again[0], hours) and np.array_equal(again[1], weights)
    if n_days == 365:
        assert np.all(weights == 1.0)


def test_representative_days_weighted_mean_is_close(pasco):
    hours, weights = representative_days(pasco, 24)
    estimate = np.sum(pasco.dry_bulb[hours] * weights) / weights.sum()
    assert estimate == pytest.approx(pasco.dry_bulb.mean(), abs=1.0)


def test_representative_days_bounds():
    climate = constant_climate(20.0, 15.0)
    hours, weights = representative_days(climate, 1)
    assert weights.sum() == 8760.0 and hours[0] == 0
    with pytest.raises(ValueError):
        representative_days(climate, 0)
    with pytest.raises(ValueError):
        representative_days(climate, 366)
    with pytest.raises(ValueError, match="whole days"):
        representative_days(constant_climate(20.0, 15.0, hours=30), 1)
