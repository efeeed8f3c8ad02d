"""The pre-flight check of one rack (explain.common.cooling_options) sizes the heat-rejection modules for the
rack's heat and the plant heat the model puts on each loop: the CDU pumps' (liquid) and the air-side fans'
(air), with N+k spares."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from planner.explain.common import cooling_options
from planner.inputs import resolve
from planner.load import load_site

TINY = Path(__file__).resolve().parents[1] / "sites" / "tiny.toml"


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
    n_air = math.ceil((air + fans) / air) + spares
    n_liquid = math.ceil(1 + cdu.pump_per_heat) + spares  # the pumps' heat needs a second module
    assert (n_liquid, n_air) == (2 + spares, 2 + spares)
    opts = cooling_options(inp, rack)
    by_loop = {h.loop: h for h in hr}
    assert opts["hr_liquid"]["area"] == n_liquid * by_loop["liquid"].floor_area
    assert opts["hr_air"]["area"] == n_air * by_loop["air"].floor_area
    assert opts["hr_liquid"]["price"] == n_liquid * by_loop["liquid"].price
