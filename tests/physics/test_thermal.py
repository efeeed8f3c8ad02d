import numpy as np
import pytest

from planner.physics.fluids import fluid_properties
from planner.physics.thermal import (
    adiabatic_effective_temperature, approach_capacity_factor,
    carnot_fraction_cop, coolant_flow, evaporated_water,
    facility_water_supply, rack_heat_split)


def test_rack_heat_split_gb300():
    liquid, air = rack_heat_split(142.0, 0.9)
    assert liquid == pytest.approx(127.8)
    assert air == pytest.approx(14.2)


def test_rack_heat_split_vectorised():
    liquid, air = rack_heat_split(np.array([100.0, 142.0]), np.array([0.9, 0.0]))
    np.testing.assert_allclose(liquid, [90.0, 0.0])
    np.testing.assert_allclose(air, [10.0, 142.0])


def test_coolant_flow_arithmetic():
    # 1 kW into 1000 kg/m3, 4 kJ/(kg K), 15 K: 1/(1000*4*15) m3/s = 1 L/min
    assert coolant_flow(1.0, 15.0, 4.0, 1000.0) == pytest.approx(1.0)


@pytest.mark.parametrize("fluid, published", [("PG25", 212.0), ("water", 205.0)])
def test_coolant_flow_gb300_rack_at_10k(fluid, published):
    cp, density = fluid_properties(fluid, 35.0)
    flow = coolant_flow(142.0, 10.0, cp, density)
    # domain-facts 2d: 142 kW rack at 10 K
    assert flow == pytest.approx(published, rel=0.01)


def test_coolant_flow_pg25_written_out():
    flow = coolant_flow(142.0, 10.0, 3.95, 1016.8)
    assert flow == pytest.approx(142.0 / (1016.8 * 3.95 * 10.0) * 1000 * 60)


def test_facility_water_supply():
    assert facility_water_supply(45.0, 4.0) == pytest.approx(41.0)
    np.testing.assert_allclose(
        facility_water_supply(45.0, np.array([3.0, 5.0])), [42.0, 40.0])


def test_approach_capacity_factor_linear_and_clipped():
    air = np.array([15.0, 25.0, 31.0, 36.0, 41.0, 50.0])
    factor = approach_capacity_factor(41.0, air, 10.0, 1.5)
    # (41-15)/10 = 2.6 -> cap 1.5; 16/10 = 1.5; 10/10; 5/10; 0; negative -> 0
    np.testing.assert_allclose(factor, [1.5, 1.5, 1.0, 0.5, 0.0, 0.0])


def test_approach_capacity_factor_tower_on_wet_bulb():
    # open tower rated at 5 K approach: 2 K available -> 40 %
    assert approach_capacity_factor(23.0, 21.0, 5.0, 2.0) == pytest.approx(0.4)


def test_adiabatic_effective_temperature():
    # 36 degC DB / 19.5 degC WB (Moses Lake 0.4 % estimate), 80 % pad
    assert adiabatic_effective_temperature(36.0, 19.5, 0.8) == pytest.approx(
        36.0 - 0.8 * 16.5)
    np.testing.assert_allclose(
        adiabatic_effective_temperature(np.array([30.0, 20.0]),
                                        np.array([18.0, 20.0]), 1.0),
        [18.0, 20.0])
    assert adiabatic_effective_temperature(30.0, 18.0, 0.0) == 30.0


def test_carnot_fraction_cop_point():
    assert carnot_fraction_cop(15.0, 45.0, 0.5, 20.0) == pytest.approx(
        0.5 * 288.15 / 30.0)


def test_carnot_fraction_cop_caps_and_vectorises():
    cop = carnot_fraction_cop(np.array([15.0, 20.0, 20.0, 19.0]),
                              np.array([45.0, 20.0, 10.0, 20.0]), 0.6, 12.0)
    # normal; zero lift; negative lift; 0.6*292.15/1 = 175 > cap
    np.testing.assert_allclose(cop, [0.6 * 288.15 / 30.0, 12.0, 12.0, 12.0])


def test_carnot_fraction_cop_propagates_nan():
    assert np.isnan(carnot_fraction_cop(np.nan, 45.0, 0.5, 20.0))


def test_evaporated_water_tower_figures():
    # domain-facts 3a: ~1.5 L per kWh evaporated, 1.8-2.2 L/kWh with
    # 20-50 % blowdown; 3600 kJ / 2400 kJ/kg = 1.5 kg
    assert evaporated_water(1.0) == pytest.approx(1.5)
    assert evaporated_water(1.0, blowdown_fraction=0.2) == pytest.approx(1.8)
    np.testing.assert_allclose(
        evaporated_water(np.array([0.0, 1000.0]), latent_heat=2257.0),
        [0.0, 1000.0 * 3600.0 / 2257.0])
