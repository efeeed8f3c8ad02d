"""US customary units for reports (``--units us``), converted through the planner's pint registry.

Heat flows go to tons of refrigeration (cooling capacity) or MMBtu/h (million Btu per hour), liquid
flows to US gallons per minute, temperatures to degF, temperature differences to delta degF, areas to
ft^2 and water volumes to US gallons. Electric power, energy and money keep their SI or currency units.
"""

from __future__ import annotations

import re

from planner.units import Q_

UNIT_SYSTEMS = ("si", "us")

#: SI unit as the reports write it -> (pint unit to convert from, pint unit to convert to, label).
_US = {
    "degC": ("degC", "degF", "degF"),
    "K": ("delta_degC", "delta_degF", "delta degF"),
    "m^2": ("m^2", "ft^2", "ft^2"),
    "L/min": ("L/min", "gpm", "gpm"),
    "m^3/yr": ("m^3/year", "gallon/year", "gal/yr"),
    "m^3/h": ("m^3/h", "gpm", "gpm"),
    "L/kWh": ("L/kWh", "gallon/kWh", "gal/kWh"),
}
#: Heat flows [MW of heat].
_US_HEAT = {"MW": ("MW", "ton_of_refrigeration", "tons"), "MWh/yr": ("MWh/year", "MMBtu/year", "MMBtu/yr")}

# a million Btu: the US facility engineer's MMBtu (pint's "MBtu" would be a mega-Btu too, but reads as
# a thousand Btu in US practice, so the unambiguous MMBtu is used)
try:
    Q_(1, "MMBtu")
except Exception:  # noqa: BLE001 - define it once on the shared registry
    from planner.units import ureg

    ureg.define("MMBtu = 1e6 Btu")


def convert(value, unit: str, system: str = "si", *, heat: bool = False):
    """``(value, unit)`` in ``system``: unchanged for "si" or a unit with no US counterpart."""
    if system != "us" or value is None or isinstance(value, (str, bool)):
        return value, unit
    table = _US_HEAT if heat and unit in _US_HEAT else _US
    if unit not in table:
        return value, unit
    src, dst, label = table[unit]
    return float(Q_(float(value), src).to(dst).magnitude), label


def convert_sections(sections, system: str):
    """Text report sections with their figures and table columns in ``system`` (in place; returned)."""
    if system != "us":
        return sections
    for s in sections:
        heat_section = s.title.startswith("Cooling")
        for f in s.figures:
            heat = heat_section and ("heat" in f.label or "capacity" in f.label)
            f.value, f.unit = convert(f.value, f.unit, system, heat=heat)
        for t in s.tables:
            cols = []
            for i, (heading, unit) in enumerate(t.columns):
                heat = heat_section and unit == "MW"
                new_unit = convert(1.0, unit, system, heat=heat)[1]
                for row in t.rows:
                    if isinstance(row[i], (int, float)) and not isinstance(row[i], bool):
                        row[i] = convert(row[i], unit, system, heat=heat)[0]
                cols.append((heading, new_unit))
            t.columns = cols
    return sections


def unit_label(unit: str, system: str = "si", *, heat: bool = False) -> str:
    """The unit ``unit`` is shown in under ``system``: 'm^2' -> 'ft^2' in "us"; unchanged where it has none."""
    return convert(1.0, unit, system, heat=heat)[1]


def per_unit(value, unit: str, system: str = "si"):
    """``(value, unit)`` of a value per one ``unit`` (a marginal value per m^2 of hall, per degC of supply) as
    a value per one unit of ``system``: per ft^2, per degF (a step of temperature is a difference)."""
    step = "K" if unit == "degC" else unit
    factor, label = convert(1.0, step, system)
    if system != "us" or label == step or value is None or isinstance(value, (str, bool)):
        return value, unit
    return float(value) / factor, "degF" if unit == "degC" else label


_HEADING = re.compile(r"^(?P<name>.*) \[(?P<unit>[^\]]+)\]$")
_PER = re.compile(r"per \+1 (?P<unit>\S+) of")


def convert_rows(rows: list[dict], system: str) -> list[dict]:
    """Rows of a side-by-side table (headings "name [unit]", marginal values "... per +1 UNIT of PATH [...]") with
    their numbers and headings in ``system``; the rows themselves are left unchanged."""
    if system != "us":
        return rows
    out = []
    for row in rows:
        new = {}
        for key, value in row.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            per, head = _PER.search(key), _HEADING.match(key)
            if per:
                converted, label = per_unit(value if number else 1.0, per["unit"], system)
                key = key.replace(per.group(0), f"per +1 {label} of")
            elif head:
                converted, label = convert(value if number else 1.0, head["unit"], system)
                key = f"{head['name']} [{label}]"
            else:
                converted = value
            new[key] = converted if number else value
        out.append(new)
    return out
