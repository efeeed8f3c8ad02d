"""Pumps from flow and head, fans by the affinity law, losses at part load: arithmetic in the tests."""

import numpy as np
import pytest

from planner.physics.auxiliaries import (
    chord_fan_power, cube_chords, fan_power_affinity, loss_with_no_load, pump_power, pump_power_per_heat)
from planner.physics.plant import ModuleRating, module_fan_power, module_performance


def test_pump_power_from_flow_and_head():
    # 100 L/s of water (998 kg/m^3) against 20 m at 65 % wire to water: rho g Q H / eta
    by_hand = 998.0 * 9.80665 * 0.1 * 20.0 / 0.65  # W
    assert by_hand == pytest.approx(30_114, rel=1e-4)
    assert pump_power(0.1, 20.0, 998.0, 0.65) == pytest.approx(by_hand, rel=1e-12)


def test_pump_power_per_heat_is_the_same_pump():
    # 1 MW carried at 10 K by PG25 (cp 3.96 kJ/kg/K, 1014 kg/m^3): flow 1e6 / (1014 * 3960 * 10) m^3/s
    flow = 1e6 / (1014.0 * 3960.0 * 10.0)
    power = pump_power(flow, 20.0, 1014.0, 0.65)  # W
    assert pump_power_per_heat(20.0, 10.0, 3.96, 0.65) == pytest.approx(power / 1e6, rel=1e-12)
    # domain-facts-2 2a: facility-water pumps 6-12 W per kW of heat at 15-30 m, 8-12 K
    assert 6e-3 < pump_power_per_heat(20.0, 10.0, 3.96, 0.65) < 12e-3


def test_fan_affinity_half_airflow_needs_an_eighth():
    assert fan_power_affinity(0.5, 20.0) == pytest.approx(20.0 / 8)
    assert fan_power_affinity(0.7, 1.0) == pytest.approx(0.343)  # 70 % speed -> 34 % power
    assert fan_power_affinity(1.0, 20.0) == pytest.approx(20.0)


def test_chords_lie_above_the_cube_within_the_stated_tolerance():
    slopes, intercepts, tolerance = cube_chords(4)
    x = np.linspace(0.0, 1.0, 100_001)
    chord = chord_fan_power(x, 1.0)
    gap = chord - x ** 3
    assert gap.min() >= -1e-12  # never below the affinity law
    assert gap.max() == pytest.approx(tolerance, abs=1e-6)
    # the largest gap, on the last chord (slope (1 - 27/64) * 4 = 2.3125) at x = sqrt(2.3125 / 3)
    xs = (2.3125 / 3) ** 0.5
    assert tolerance == pytest.approx(2.3125 * xs - 1.3125 - xs ** 3, rel=1e-9)
    # at the breakpoints the chords are exact: half the airflow is an eighth of the power
    assert chord_fan_power(0.5, 20.0) == pytest.approx(20.0 / 8)


def test_dry_cooler_at_full_capacity_at_the_design_ambient_draws_its_rated_fan_power():
    # 1 MW at 10 K approach, 20 kW of fans; 41 degC loop, 37.5 degC design dry bulb: 3.5 / 10 of rating
    rating = ModuleRating("dry_cooler", 1.0, 10.0, 1.5, 0.020)
    perf = module_performance(rating, 41.0, np.array([37.5]), np.array([21.1]))
    assert perf.capacity[0] == pytest.approx(0.35)
    fans = module_fan_power(perf.capacity * 3, 3, perf.airflow_capacity, rating.fan_power)
    assert fans[0] == pytest.approx(3 * 0.020)  # three modules flat out: three times the rated fans
    # at half the duty the fans need an eighth
    half = module_fan_power(perf.capacity * 3 / 2, 3, perf.airflow_capacity, rating.fan_power)
    assert half[0] == pytest.approx(3 * 0.020 / 8)


def test_ups_efficiency_falls_at_part_load():
    # 99 % proportional, 0.3 % of a 1 MW rating at no load: at 25 % load 0.25 / (0.25 / 0.99 + 0.003)
    eff = 0.25 / loss_with_no_load(0.25, 1.0, 0.99, 0.003)
    assert eff == pytest.approx(0.25 / (0.25 / 0.99 + 0.003), rel=1e-12)
    assert eff < 0.99 and 0.25 * 0.99 / 0.25 > eff
