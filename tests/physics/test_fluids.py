import numpy as np
import pytest

from planner.physics.fluids import fluid_properties


@pytest.mark.parametrize("fluid, temperature, cp, density", [
    # table points, domain-facts 2d (Airedale DeltaChill glycol data)
    ("water", 25.0, 4.18, 997.0),
    ("water", 45.0, 4.18, 990.2),
    ("PG25", 35.0, 3.95, 1016.8),
    ("PG30", 45.0, 3.92, 1015.6),
])
def test_table_points(fluid, temperature, cp, density):
    assert fluid_properties(fluid, temperature) == pytest.approx((cp, density))


def test_linear_interpolation_midpoints():
    cp, density = fluid_properties("PG25", 30.0)
    assert cp == pytest.approx((3.92 + 3.95) / 2)
    assert density == pytest.approx((1021.5 + 1016.8) / 2)
    cp, density = fluid_properties("water", 42.5)
    assert density == pytest.approx(994.0 + 0.75 * (990.2 - 994.0))


def test_clamped_outside_table():
    assert fluid_properties("PG25", 5.0) == pytest.approx((3.92, 1021.5))
    assert fluid_properties("PG25", 60.0) == pytest.approx((3.97, 1011.6))


def test_vectorised_over_temperature():
    cp, density = fluid_properties("PG30", np.array([20.0, 40.0, 50.0]))
    np.testing.assert_allclose(cp, [3.86, (3.89 + 3.92) / 2, 3.92])
    np.testing.assert_allclose(density, [1026.1, (1021.1 + 1015.6) / 2, 1015.6])


def test_name_is_case_insensitive():
    assert fluid_properties("pg25", 35.0) == fluid_properties("PG25", 35.0)


def test_unknown_fluid_names_fluid_and_known_ones():
    with pytest.raises(ValueError, match=r"'R134a'.*water.*PG25.*PG30"):
        fluid_properties("R134a", 35.0)
