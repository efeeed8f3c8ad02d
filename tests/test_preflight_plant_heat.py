"""The pre-flight check of one rack (explain.common.cooling_options) sizes the heat-rejection modules for the
rack's heat and the plant heat the model puts on each loop: the CDU pumps' (liquid) and the air-side fans'
(air), with N+k spares."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from planner.explain.common import cooling_options
from planner.inputs import resolve
from planner.load import load_site

TINY = Path(__file__).resolve().parents[1] / "sites" / "tiny.toml"
# each loop's own pumps: 20 m of head, 65 %, PG25 at 3.962 kJ/kg/K, 10 K (liquid) and 6 K (air) ranges; the
# modules reject q = Q / (1 - p)
G_LIQ = 1 / (1 - 9.80665 * 20 / (3.962e3 * 10 * 0.65))
G_AIR = 1 / (1 - 9.80665 * 20 / (3.962e3 * 6 * 0.65))


def test_modules_sized_for_the_rack_and_its_pumps_and_fans():
    inp = resolve(load_site(TINY), bin_k=2.0)
    (rack,) = inp.racks
    liquid = rack.power_design * rack.liquid_fraction  # 142 kW x 0.9
    air = rack.power_design * (1 - rack.liquid_fraction)
    # each module carries exactly the rack's own heat on its loop: without the plant's heat one module and
    # its spare would do
    hr = [dataclasses.replace(h, design_capacity=liquid if h.loop == "liquid" else air) for h in inp.heat_rejection]
    inp = dataclasses.replace(inp, heat_rejection=hr)
    spares = inp.spares["heat_rejection"]
    (crah,) = inp.air_side
    (cdu,) = inp.cdus
    assert cdu.pump_per_heat > 0 and crah.fan_power > 0
    n_crah = math.ceil(air / crah.capacity) + inp.spares["air_side"]  # 14.2 kW on 150 kW units: 1 + 1
    fans = n_crah * crah.fan_power  # 2 x 4.5 kW, more than half the rack's air heat
    n_air = math.ceil((air + fans) * G_AIR / air) + spares
    n_liquid = math.ceil((1 + cdu.pump_per_heat) * G_LIQ) + spares  # the pumps' heat needs a second module
    assert (n_liquid, n_air) == (2 + spares, 2 + spares)
    opts = cooling_options(inp, rack)
    by_loop = {h.loop: h for h in hr}
    assert opts["hr_liquid"]["area"] == n_liquid * by_loop["liquid"].floor_area
    assert opts["hr_air"]["area"] == n_air * by_loop["air"].floor_area
    assert opts["hr_liquid"]["price"] == n_liquid * by_loop["liquid"].price


def test_a_rear_door_is_one_per_rack_without_spares():
    """The model puts one door on each rack it serves, with no spares (N+k is for room units): the check counts
    one door, its fans on the air loop, and refuses a door too small for the rack's air heat."""
    from planner.inputs import AirSideIn

    inp = resolve(load_site(TINY), bin_k=2.0)
    (rack,) = inp.racks
    air = rack.power_design * (1 - rack.liquid_fraction)  # 14.2 kW
    assert inp.spares["air_side"] >= 1
    door = AirSideIn(id="door", name="rear door", capacity=0.050, fan_power=0.0015, max_water_supply=30.0,
                     floor_area=0.0, price=25e3, allowed=True, reason="", per_rack=True)
    hr = [dataclasses.replace(h, design_capacity=(air + door.fan_power) * G_AIR * (1 + 1e-9)) if h.loop == "air"
          else h for h in inp.heat_rejection]  # one module carries the rack's air heat, one door's fans and the pumps
    opts = cooling_options(dataclasses.replace(inp, air_side=[door], heat_rejection=hr), rack)
    assert opts["air"] == {"area": 0.0, "price": 25e3, "power": 0.0015}
    air_module = next(h for h in hr if h.loop == "air")
    assert opts["hr_air"]["area"] == (1 + inp.spares["heat_rejection"]) * air_module.floor_area
    small = dataclasses.replace(door, capacity=0.9 * air)
    assert cooling_options(dataclasses.replace(inp, air_side=[small]), rack)["air"] is None


def test_several_module_types_give_the_least_any_mix_could_take():
    """Two types on a loop: a mix can take less yard than either type alone, so the check takes a bound over
    every mix (at least N+k modules; the heat plus k of the smallest module, at the least area per MW)."""
    inp = resolve(load_site(TINY), bin_k=2.0)
    (rack,) = inp.racks
    (cdu,) = inp.cdus
    need = rack.power_design * rack.liquid_fraction * (1 + cdu.pump_per_heat) * G_LIQ
    u = need / 1.5  # the rack's liquid heat is 1.5 units of module a
    (base,) = [h for h in inp.heat_rejection if h.loop == "liquid"]
    a = dataclasses.replace(base, id="a", design_capacity=u, floor_area=1.0, price=100.0)
    b = dataclasses.replace(base, id="b", design_capacity=0.5 * u, floor_area=0.7, price=80.0)
    hr = [a, b] + [h for h in inp.heat_rejection if h.loop == "air"]
    assert inp.spares["heat_rejection"] == 1
    opts = cooling_options(dataclasses.replace(inp, heat_rejection=hr), rack)["hr_liquid"]
    # 2 a + 1 b carry 2u + 0.5u - u (the largest out) = 1.5u in 2.7 m^2; a alone takes 3 m^2, b alone 4 x 0.7
    assert opts["area"] <= 2.7
    assert opts["area"] == pytest.approx(max((1.5 * u + 0.5 * u) * min(1.0 / u, 0.7 / (0.5 * u)), 2 * 0.7), rel=1e-6)
    assert opts["price"] == pytest.approx(max(2.0 * u * min(100.0 / u, 80.0 / (0.5 * u)), 2 * 80.0), rel=1e-6)
