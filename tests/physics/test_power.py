import numpy as np
import pytest

from planner.physics.power import chain_factor, grid_draw, off_ups_factor


def test_factors():
    assert chain_factor(0.96, 0.99) == pytest.approx(1.0 / (0.96 * 0.99))
    assert off_ups_factor(0.98) == pytest.approx(1.0 / 0.98)


def test_grid_draw_written_out():
    draw = grid_draw(10.0, 5.0, 2.0, 0.95, 0.99)
    assert draw == pytest.approx((10.0 / 0.95 + 5.0 + 2.0) / 0.99)


def test_ups_loss_only_on_ups_load():
    # a 50 % UPS must not touch miners or cooling
    assert grid_draw(0.0, 3.0, 1.0, 0.5, 1.0) == pytest.approx(4.0)
    assert grid_draw(3.0, 0.0, 0.0, 0.5, 1.0) == pytest.approx(6.0)


def test_lossless_chain_is_sum():
    assert grid_draw(12.0, 4.0, 1.5, 1.0, 1.0) == pytest.approx(17.5)


def test_grid_draw_vectorised():
    it = np.array([0.0, 9.6, 14.4])
    np.testing.assert_allclose(
        grid_draw(it, 1.0, np.array([0.5, 0.6, 0.7]), 0.96, 0.98),
        [1.5 / 0.98, (10.0 + 1.6) / 0.98, (15.0 + 1.7) / 0.98])
