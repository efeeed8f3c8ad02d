import numpy as np
import pytest

from planner.physics.mining import (
    air_miner_derate, efficiency, hashprice, hydro_miner_allowed,
    mining_revenue_per_mwh, strike_price)

JAN_2026 = dict(btc_price=91_132.0, difficulty=148.26e12,
                block_subsidy=3.125, fees_per_block=0.017)


def test_hashprice_jan_2026():
    hp = hashprice(**JAN_2026)
    expected = 3.142 * 91_132.0 * 86_400 * 1e15 / (148.26e12 * 2**32)
    assert hp == pytest.approx(expected)
    assert 38.0 < hp < 40.0
    # Luxor Hashrate Index, 12 Jan 2026: 39.53 USD/PH/day
    assert hp == pytest.approx(39.53, rel=0.03)


def test_hashprice_pool_fee_and_difficulty_scaling():
    base = hashprice(**JAN_2026)
    assert hashprice(**JAN_2026, pool_fee=0.02) == pytest.approx(0.98 * base)
    doubled = hashprice(**{**JAN_2026, "difficulty": 2 * 148.26e12})
    assert doubled == pytest.approx(base / 2)


@pytest.mark.parametrize("eff, published", [(12.0, 137.0), (16.0, 103.0),
                                            (29.5, 56.0)])
def test_revenue_per_mwh(eff, published):
    # domain-facts 4c, derived at 39.5 USD/PH/day
    revenue = mining_revenue_per_mwh(39.5, eff)
    assert revenue == pytest.approx(39.5 / 24 * 1000 / eff)
    assert revenue == pytest.approx(published, abs=0.5)


def test_strike_price():
    assert strike_price(39.5, 12.0) == pytest.approx(39.5 / 24 * 1000 / 12)
    assert strike_price(39.5, 12.0, variable_opex=7.0) == pytest.approx(
        39.5 / 24 * 1000 / 12 - 7.0)


def test_efficiency_published_models():
    # domain-facts 4a: S21 XP Hyd 5,676 W / 473 TH/s = 12 J/TH;
    # S21 Pro 3,510 W / 234 TH/s = 15 J/TH
    assert efficiency(5676.0, 473.0) == pytest.approx(12.0)
    assert efficiency(3510.0, 234.0) == pytest.approx(15.0)


def test_air_miner_derate_curve():
    t = np.array([-10.0, 39.0, 40.0, 43.5, 45.25, 47.0, 50.0])
    np.testing.assert_allclose(air_miner_derate(t, 40.0, 47.0),
                               [1.0, 1.0, 1.0, 0.5, 0.25, 0.0, 0.0])


def test_air_miner_derate_rejects_inverted_limits():
    with pytest.raises(ValueError):
        air_miner_derate(30.0, 47.0, 40.0)


def test_hydro_miner_allowed():
    np.testing.assert_array_equal(
        hydro_miner_allowed(np.array([30.0, 40.0, 40.5]), 40.0),
        [True, True, False])
    assert not hydro_miner_allowed(41.0, 35.0)
