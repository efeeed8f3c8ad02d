"""The vectorised wet bulb agrees with psychrolib's scalar functions it replaces."""

import numpy as np
import psychrolib
import pytest

from planner import climate


@pytest.fixture(autouse=True)
def _si():
    previous = psychrolib.GetUnitSystem()
    psychrolib.SetUnitSystem(psychrolib.SI)
    yield
    if previous is not None:
        psychrolib.SetUnitSystem(previous)


def _cases(n=3000, seed=1):
    rng = np.random.default_rng(seed)
    t = rng.uniform(-45.0, 50.0, n)
    t[:4] = [0.0, 0.01, -0.01, 25.0]  # the triple point and the ice/water switch
    td = t - rng.uniform(0.0, 45.0, n)
    td[4] = t[4]  # saturated air
    p = rng.uniform(60000.0, 106000.0, n)
    return t, td, p


def test_wet_bulb_from_dew_point_matches_psychrolib():
    t, td, p = _cases()
    got = climate.wet_bulb_from_dew_point(t, td, p)
    want = np.array([psychrolib.GetTWetBulbFromTDewPoint(a, b, c) for a, b, c in zip(t, td, p)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_wet_bulb_from_rel_hum_matches_psychrolib():
    t, _, p = _cases(seed=2)
    rh = np.random.default_rng(3).uniform(0.0, 1.0, t.size)
    rh[:2] = [0.0, 1.0]
    got = climate.wet_bulb_from_rel_hum(t, rh, p)
    want = np.array([psychrolib.GetTWetBulbFromRelHum(a, b, c) for a, b, c in zip(t, rh, p)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_weather_file_wet_bulb_matches_psychrolib():
    c = climate.read_climate("sites/weather/USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw")
    from pvlib.iotools import read_epw

    data, _ = read_epw("sites/weather/USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw")
    t = data["temp_air"].to_numpy(float)
    td = np.minimum(data["temp_dew"].to_numpy(float), t)
    p = data["atmospheric_pressure"].to_numpy(float)
    want = np.minimum([psychrolib.GetTWetBulbFromTDewPoint(a, b, q) for a, b, q in zip(t, td, p)], t)
    np.testing.assert_allclose(c.wet_bulb, want, rtol=0, atol=1e-9)


def test_errors_as_psychrolib():
    with pytest.raises(ValueError, match="Dew point temperature is above dry bulb"):
        climate.wet_bulb_from_dew_point(np.array([20.0]), np.array([21.0]), np.array([101325.0]))
    with pytest.raises(ValueError, match="Relative humidity is outside range"):
        climate.wet_bulb_from_rel_hum(np.array([20.0]), np.array([1.5]), np.array([101325.0]))
