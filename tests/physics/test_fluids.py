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


def test_glycol_duty_factor_from_the_catalogue_corrections():
    """Airedale's corrections against water (domain-facts 2d): x0.95 at 20 %, x0.91 at 30 % glycol; PG25 halfway."""
    from planner.physics.fluids import glycol_duty_factor

    assert glycol_duty_factor("water") == 1.0
    assert glycol_duty_factor("PG30") == pytest.approx(0.91)
    assert glycol_duty_factor("PG25") == pytest.approx((0.95 + 0.91) / 2)
    assert glycol_duty_factor("pg25", rated_with="PG25") == pytest.approx(1.0)  # rated with the loop's own fluid
    assert glycol_duty_factor("PG30", rated_with="PG25") == pytest.approx(0.91 / 0.93)
    with pytest.raises(ValueError, match="known fluids"):
        glycol_duty_factor("brine")


def test_a_module_rated_with_water_carries_less_on_a_glycol_loop(tmp_path):
    """Washington's 1 MW dry cooler (10 K approach, rated with water) on its 41 degC PG25 loop at the 37.5 degC
    design condition: (41 - 37.5) / 10 x 1 MW x 0.93; a facility loop of water gets the rating itself."""
    from pathlib import Path

    from planner.inputs import resolve
    from planner.load import load_site

    site = Path(__file__).parent.parent.parent / "sites" / "washington.toml"
    for fluid, duty in (("PG25", 0.93), ("water", 1.0)):
        inp = resolve(load_site(site, overrides={"cooling.facility_fluid": fluid}), time_mode="days", days=2)
        dry = next(h for h in inp.heat_rejection if h.key == "dry_cooler_1000@liquid")
        assert dry.duty_factor == pytest.approx(duty)
        assert dry.design_capacity == pytest.approx((41.0 - 37.5) / 10.0 * 1.0 * duty, rel=1e-9)
