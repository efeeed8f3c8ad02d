"""Units: conversions checked against values worked by hand, and the refusals of wrong kinds."""

from __future__ import annotations

import pytest

from planner.units import Q_, UnitError, parse_quantity, to_canonical


def value(text, kind):
    return to_canonical(parse_quantity(text, kind), kind)


# ---- conversions worked by hand --------------------------------------------------------------


def test_ton_of_refrigeration():
    # 1 ton of refrigeration = 12,000 BTU/h = 12,000 x 1055.06 J / 3600 s = 3516.9 W
    assert round(Q_(1, "ton_of_refrigeration").to("kW").magnitude, 3) == 3.517
    assert round(Q_(12_000, "BTU/h").to("kW").magnitude, 3) == 3.517
    assert value("1 ton_of_refrigeration", "heat_power") == pytest.approx(3.517e-3, abs=1e-6)  # MW


def test_miner_power_from_efficiency_and_hash_rate():
    # 12 J/TH x 473 TH/s = 5676 J/s = 5.676 kW (Antminer S21 XP Hyd)
    power = parse_quantity("12 J/TH", "hash_efficiency") * parse_quantity("473 TH/s", "hash_rate")
    assert power.to("kW").magnitude == pytest.approx(5.676, abs=1e-9)
    assert value("473 TH/s", "hash_rate") == 473
    assert value("0.473 PH/s", "hash_rate") == pytest.approx(473)


def test_energy_price():
    # 42 USD/MWh = 4200 cent / 1000 kWh = 4.2 cent/kWh
    assert Q_(42, "USD/MWh").to("cent/kWh").magnitude == pytest.approx(4.2)
    assert value("4.2 cent/kWh", "energy_price") == pytest.approx(42)


def test_temperature_difference_of_two_temperatures():
    hot, cold = parse_quantity("45 degC", "temperature"), parse_quantity("40 degC", "temperature")
    assert (hot - cold).to("K").magnitude == pytest.approx(5)
    assert value("5 K", "temperature_difference") == 5
    assert value("5 delta_degC", "temperature_difference") == 5
    assert value("9 delta_degF", "temperature_difference") == pytest.approx(5)


def test_area_in_square_feet():
    # 100,000 ft^2 x 0.3048^2 m^2/ft^2 = 9290.304 m^2
    assert value("100000 ft^2", "area") == pytest.approx(9290.304, abs=1e-9)
    assert value("100,000 ft^2", "area") == pytest.approx(9290.304, abs=1e-9)


def test_hashprice_per_hash_rate_per_day():
    # 40 USD per (PH/s) per day = 40 USD per (1000 TH/s) per day = 0.04 USD/(TH/s)/day
    q = parse_quantity("40 USD/PH/s/day", "hashprice")
    assert q.to("USD/(Thash/s)/day").magnitude == pytest.approx(0.04)
    assert value("40 USD/PH/s/day", "hashprice") == pytest.approx(40)


def test_percent_is_a_fraction():
    assert value("90 %", "fraction") == pytest.approx(0.9)
    assert value("2 %", "fraction") == pytest.approx(0.02)


def test_demand_charge_per_kw_month():
    # "USD/kW-month" is per kW per month, the way tariffs write it
    assert value("6.03 USD/kW-month", "demand_charge") == pytest.approx(6.03)
    assert value("6.03 USD/kW/month", "demand_charge") == pytest.approx(6.03)
    assert value("6030 USD/MW/month", "demand_charge") == pytest.approx(6.03)


def test_thousands_separator():
    assert value("98,700 USD/BTC", "btc_price") == 98_700
    assert value("1,061.08 USD/month", "money_per_month") == pytest.approx(1061.08)


def test_unicode_minus_and_degree_sign():
    assert value("\u22126 degC", "temperature") == -6
    assert value("45 \u00b0C", "temperature") == 45


def test_absolute_temperatures():
    assert value("45 degC", "temperature") == 45
    assert value("113 degF", "temperature") == pytest.approx(45)
    assert value("318.15 K", "temperature") == pytest.approx(45)


# ---- refusals --------------------------------------------------------------------------------


def refused(text, kind) -> str:
    with pytest.raises(UnitError) as info:
        parse_quantity(text, kind)
    return str(info.value)


def test_absolute_temperature_refused_as_difference():
    msg = refused("4 degC", "temperature_difference")
    assert "got '4 degC', which is an absolute temperature" in msg
    assert "K or delta_degC" in msg


def test_difference_refused_as_temperature():
    assert "which is a temperature difference" in refused("4 delta_degC", "temperature")


def test_heat_refused_for_electricity():
    assert "which is a heat flow (Wth), not electricity" in refused("18 MWth", "electric_power")
    assert value("18 MW", "electric_power") == 18
    assert value("18 MWe", "electric_power") == 18


def test_electricity_refused_for_heat():
    assert "which is electricity (We), not heat" in refused("2 MWe", "heat_power")
    assert value("2 MWth", "heat_power") == 2
    assert value("600 kWth", "heat_power") == pytest.approx(0.6)
    assert "which is electricity (We), not heat" in refused("90 USD/kWe", "heat_price")


def test_bare_numbers_refused_except_for_fractions():
    assert "got the bare number 18: write the unit" in refused(18, "electric_power")
    assert "got the bare number 2.5" in refused(2.5, "money")
    assert "which has no unit" in refused("18", "electric_power")
    assert value(0.9, "fraction") == pytest.approx(0.9)
    assert value(1, "fraction") == 1
    assert value("0.9", "fraction") == pytest.approx(0.9)
    assert "got True" in refused(True, "fraction")


@pytest.mark.parametrize(
    "text, kind, words",
    [
        ("18 MWh", "electric_power", "which is an energy"),
        ("42 USD/MW", "energy_price", "which is a price per unit of power"),
        ("3.5 MW", "money", "which is a power"),
        ("473 TH", "hash_rate", "which is a number of hashes, not a rate"),
        ("12 J", "hash_efficiency", "which is an energy"),
        ("90 USD/kWh", "heat_price", "which is an energy price"),
        ("18 MWatt", "electric_power", "unknown unit"),
        ("MW 18", "electric_power", "does not start with a number"),
    ],
)
def test_wrong_dimension_named_in_words(text, kind, words):
    msg = refused(text, kind)
    assert msg.startswith("expected ") and f"got {text!r}" in msg and words in msg
