"""The one pint registry of the planner, the quantity kinds its files use, and parsing.

Every physical or money quantity in a TOML file is a string such as ``"18 MW"``,
``"45 degC"`` or ``"3.25 USD/GPU/h"``. :func:`parse_quantity` turns it into a pint
quantity, checks it against the *kind* the schema expects (power, temperature,
temperature difference, energy price ...) and explains a mismatch in words.

Domain units added to pint's defaults:

- currency ``USD`` (with ``kUSD``, ``MUSD``, ``cent``), ``BTC``;
- hash rate: ``H/s`` ... ``EH/s`` (written with ``H`` as the miners write it; pint's
  henry is not used here), stored as ``hash/s``;
- ``GPU`` as a countable unit, so ``"3.25 USD/GPU/h"`` is a price per GPU-hour;
- ``Wth`` / ``We`` (with prefixes: ``MWth``, ``kWe``) to mark heat and electricity
  explicitly; a heat figure written where electricity is expected is refused;
- ``gpm`` (US gallon per minute); pint already knows ``ton_of_refrigeration``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pint


def registry_cache_folder(source=None):
    """The cache folder of pint's parsed definitions file ``source`` (pint's default if None), or None.

    A sub-folder of the planner's cache named by a hash of the file's resolved path.
    """
    import hashlib
    from pathlib import Path

    from planner.cache import cache_dir

    folder = cache_dir("pint")
    if folder is None:
        return None
    source = Path(source) if source is not None else Path(pint.__file__).parent / "default_en.txt"
    return folder / hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:16]


def _registry(filename: str | None = None) -> pint.UnitRegistry:
    """pint's default registry, its parsed definitions cached in the user's cache folder.

    Parsing pint's definition file is most of the planner's start-up; pint keeps the parsed
    file in ``cache_folder`` keyed by the file's content. The parsed file also records where its
    ``@import`` files were, so an entry written by a pint installed elsewhere (another
    environment with the same pint) cannot be read here: each definitions file gets a sub-folder
    of its own, named by a hash of its path, and an entry that still cannot be read is removed
    and written again. Without a usable folder (or with ``PLANNER_NO_CACHE=1``) the registry is
    built from the file as before. ``filename`` is pint's definitions file (its default if None).
    """
    import shutil
    from pathlib import Path

    options = dict(autoconvert_offset_to_baseunit=False)
    if filename is not None:
        options["filename"] = filename
    folder = registry_cache_folder(Path(filename) if filename is not None else None)
    if folder is None:
        return pint.UnitRegistry(**options)
    for attempt in range(2):
        try:
            return pint.UnitRegistry(cache_folder=folder, **options)
        except Exception:  # noqa: BLE001 - an unreadable or unwritable cache only costs time
            if attempt == 0:
                shutil.rmtree(folder, ignore_errors=True)  # written by another pint, or damaged
    return pint.UnitRegistry(**options)


ureg = _registry()
ureg.define("USD = [currency] = US_dollar")
ureg.define("kUSD = 1e3 USD")
ureg.define("MUSD = 1e6 USD")
ureg.define("cent = 0.01 USD = US_cent")
ureg.define("BTC = [bitcoin] = bitcoin")
ureg.define("hash = [hash]")
ureg.define("GPU = [gpu]")
ureg.define("watt_thermal = watt = Wth")
ureg.define("watt_electric = watt = We")
ureg.define("gpm = gallon / minute")
Q_ = ureg.Quantity


class UnitError(ValueError):
    """A quantity string that is malformed or of the wrong kind."""


@dataclass(frozen=True)
class Kind:
    """A kind of quantity a schema field expects.

    Attributes
    ----------
    name : str
        Words used in messages ("an energy price").
    example : str
        An example value as a user writes it.
    canonical : str
        The unit magnitudes are converted to between load and report.
    """

    name: str
    example: str
    canonical: str
    absolute_temperature: bool = False
    difference_temperature: bool = False
    electric: bool = False
    thermal: bool = False
    per_period: bool | None = None  # True: written per month/year (a charge); False: must not be

    @property
    def dimensionality(self):
        return Q_(1.0, self.canonical).dimensionality


KINDS: dict[str, Kind] = {
    "electric_power": Kind("an electric power", "18 MW", "MW", electric=True),
    "heat_power": Kind("a heat flow", "2 MWth", "MW", thermal=True),
    "power": Kind("a power", "5.676 kW", "MW"),
    "energy": Kind("an energy", "120 MWh", "MWh"),
    "temperature": Kind("a temperature", "45 degC", "degC", absolute_temperature=True),
    "temperature_difference": Kind(
        "a temperature difference", "4 K", "K", difference_temperature=True
    ),
    "area": Kind("an area", "9290 m^2", "m^2"),
    "length": Kind("a length", "1.2 m", "m"),
    "mass": Kind("a mass", "1360 kg", "kg"),
    "money": Kind("an amount of money", "3.5 MUSD", "USD"),
    "energy_price": Kind("an energy price", "42 USD/MWh", "USD/MWh", per_period=False),
    "power_price": Kind("a price per unit of power", "9 MUSD/MW", "USD/MW"),
    "demand_charge": Kind(
        "a demand charge (price per unit of power per month)", "6.03 USD/kW/month", "USD/kW/month",
        per_period=True,
    ),
    "lease_price": Kind(
        "a lease price (per unit of contracted IT power per month)", "150 USD/kW/month", "USD/kW/month",
        per_period=True,
    ),
    "power_opex": Kind(
        "a yearly cost per unit of power", "0.6 MUSD/MW/year", "USD/MW/year", per_period=True
    ),
    "money_per_month": Kind("a monthly charge", "1061.08 USD/month", "USD/month"),
    "money_per_year": Kind("a yearly cost", "250 kUSD/year", "USD/year"),
    "gpu_price": Kind("a price per GPU-hour", "3.25 USD/GPU/h", "USD/GPU/h"),
    "hash_rate": Kind("a hash rate", "473 TH/s", "Thash/s"),
    "hash_efficiency": Kind("an energy per hash", "12 J/TH", "J/Thash"),
    "hashprice": Kind("a hashprice", "40 USD/PH/s/day", "USD/(Phash/s)/day"),
    "btc_price": Kind("a bitcoin price", "98700 USD/BTC", "USD/BTC"),
    "btc": Kind("an amount of bitcoin", "3.125 BTC", "BTC"),
    "volume_flow": Kind("a volume flow", "177 L/min", "L/min"),
    "volume": Kind("a volume", "1000 m^3", "m^3"),
    "water_price": Kind("a water price", "2.5 USD/m^3", "USD/m^3"),
    "water_intensity": Kind("water per unit of heat", "1.8 L/kWh", "L/kWh"),
    "heat_price": Kind("a price per unit of heat capacity", "90 USD/kWth", "USD/kW", thermal=True),
    "duration": Kind("a duration", "5 year", "year"),
    "response_time": Kind("a response time", "2 s", "s"),
    "annual_rate": Kind("a share per year", "5 %/year", "1/year"),
    "fraction": Kind("a fraction", "90 %", "dimensionless"),
    "specific_heat": Kind("a specific heat", "3.95 kJ/kg/K", "kJ/kg/K"),
    "density": Kind("a density", "1016.8 kg/m^3", "kg/m^3"),
    "pressure": Kind("a pressure", "101.325 kPa", "kPa"),
    "power_per_area": Kind("a power per unit of area", "30 kW/m^2", "kW/m^2"),
}

_OFFSET_UNITS = {"degree_Celsius", "degree_Fahrenheit", "degree_Reaumur", "degree_Rankine"}
_NUMBER = re.compile(
    r"^\s*(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?)"
    r"\s*(?P<unit>.*?)\s*$"
)
_HASH = re.compile(r"(?<![A-Za-z_])([kMGTPEZ]?)H(?![A-Za-z_])")
_PER_HASH_RATE = re.compile(r"/\s*([kMGTPEZ]?)H\s*/\s*s(?![A-Za-z_])")
_HYPHEN = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)-([A-Za-z_][A-Za-z_0-9]*)")


def _normalise_unit(text: str) -> str:
    text = text.replace("\u2212", "-").replace("\u00b0C", "degC").replace("\u00b0F", "degF")
    text = text.replace("%", "percent").replace("\u00b2", "^2").replace("\u00b3", "^3")
    text = _PER_HASH_RATE.sub(r"/(\1H/s)", text)  # "USD/PH/s/day" is per (PH/s) per day
    text = _HASH.sub(r"\1hash", text)
    text = _HYPHEN.sub(r"(\1*\2)", text)
    return text


def describe_dimension(quantity: pint.Quantity) -> str:
    """Name the kind of a quantity in words, for error messages ("an energy")."""
    if _is_absolute_temperature(quantity):
        return "an absolute temperature"
    if _is_temperature_difference(quantity):
        return "a temperature difference"
    if quantity.dimensionality == Q_(1.0, "hash").dimensionality:
        return "a number of hashes, not a rate (write TH/s)"
    for kind in KINDS.values():
        if kind.thermal or kind.electric:
            continue
        if quantity.dimensionality == kind.dimensionality:
            return kind.name
    dims = str(quantity.dimensionality) or "dimensionless"
    return f"a quantity of dimension {dims}"


def _unit_names(quantity: pint.Quantity) -> list[str]:
    return [name for name, _ in quantity.unit_items()]


def _is_absolute_temperature(quantity: pint.Quantity) -> bool:
    names = _unit_names(quantity)
    return len(names) == 1 and names[0] in _OFFSET_UNITS


def _is_temperature_difference(quantity: pint.Quantity) -> bool:
    names = _unit_names(quantity)
    return len(names) == 1 and names[0].startswith("delta_degree")


def parse_quantity(text: object, kind: str) -> pint.Quantity:
    """Parse a quantity string and check that it is of the expected kind.

    Parameters
    ----------
    text : str or number
        The value as written in the TOML file, for example ``"18 MW"``. A bare
        number is accepted only for kind ``fraction``.
    kind : str
        A key of :data:`KINDS`.

    Returns
    -------
    pint.Quantity
        The quantity in the unit written.

    Raises
    ------
    UnitError
        With a sentence that says what was expected and what was given.
    """
    spec = KINDS[kind]
    expected = f"expected {spec.name} such as '{spec.example}'"
    if isinstance(text, bool):
        raise UnitError(f"{expected}, got {text!r}")
    if isinstance(text, (int, float)):
        if spec.canonical == "dimensionless":
            return Q_(float(text), "dimensionless")
        raise UnitError(f"{expected}, got the bare number {text!r}: write the unit")
    if not isinstance(text, str):
        raise UnitError(f"{expected}, got {text!r}")
    match = _NUMBER.match(text.replace("\u2212", "-"))
    if match is None:
        raise UnitError(f"{expected}, got {text!r}, which does not start with a number")
    number = float(match.group("num").replace(",", ""))
    unit_text = _normalise_unit(match.group("unit"))
    if not unit_text:
        if spec.canonical == "dimensionless":
            return Q_(number, "dimensionless")
        raise UnitError(f"{expected}, got {text!r}, which has no unit")
    try:
        quantity = Q_(number, ureg.parse_units(unit_text))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as err:
        raise UnitError(f"{expected}, got {text!r}: unknown unit ({err})") from None
    except Exception as err:  # pint raises assorted parse errors
        raise UnitError(f"{expected}, got {text!r}: cannot read the unit ({err})") from None
    _check_kind(quantity, spec, text, expected)
    return quantity


def _check_kind(quantity: pint.Quantity, spec: Kind, text: str, expected: str) -> None:
    if spec.absolute_temperature:
        if _is_temperature_difference(quantity):
            raise UnitError(
                f"{expected}, got {text!r}, which is a temperature difference; "
                "write an absolute temperature in degC, degF or K"
            )
    elif spec.difference_temperature:
        if _is_absolute_temperature(quantity):
            raise UnitError(
                f"{expected}, got {text!r}, which is an absolute temperature; "
                "a difference is written in K or delta_degC"
            )
    if quantity.dimensionality != spec.dimensionality:
        raise UnitError(f"{expected}, got {text!r}, which is {describe_dimension(quantity)}")
    if spec.per_period is not None:
        _check_period(quantity, spec, text, expected)
    names = " ".join(_unit_names(quantity))
    if spec.electric and "thermal" in names:
        raise UnitError(f"{expected}, got {text!r}, which is a heat flow (Wth), not electricity")
    if spec.thermal and "electric" in names:
        raise UnitError(f"{expected}, got {text!r}, which is electricity (We), not heat")


def _has_period(quantity: pint.Quantity) -> bool:
    """True when the unit is written per a calendar period of a day or more (``/month``, ``/year``)."""
    time = Q_(1.0, "s").dimensionality
    for name, exponent in quantity.unit_items():
        unit = Q_(1.0, name)
        if exponent < 0 and unit.dimensionality == time and unit.to("day").magnitude >= 1.0:
            return True
    return False


def _check_period(quantity: pint.Quantity, spec: Kind, text: str, expected: str) -> None:
    """Currency per energy and currency per power per period share a dimension; tell them apart.

    pint sees ``USD/MWh`` and ``USD/kW/month`` as the same dimension (currency / power / time); an
    energy price is written per energy, a demand charge or yearly cost per power per month or year.
    """
    period = _has_period(quantity)
    if spec.per_period and not period:
        raise UnitError(
            f"{expected}, got {text!r}, which is an energy price (written per unit of energy); "
            f"write it per unit of power per {'month' if 'month' in spec.canonical else 'year'}, e.g. '{spec.example}'"
        )
    if spec.per_period is False and period:
        raise UnitError(
            f"{expected}, got {text!r}, which is written per unit of power per month or year "
            "(a demand charge or a yearly cost); an energy price is per unit of energy, e.g. USD/MWh"
        )


def to_canonical(quantity: pint.Quantity, kind: str) -> float:
    """Convert a checked quantity to the canonical magnitude of its kind.

    Temperatures go to degC, temperature differences to K (so ``5 delta_degC``
    and ``5 K`` both give 5.0), everything else to ``KINDS[kind].canonical``.
    """
    spec = KINDS[kind]
    if spec.absolute_temperature:
        return float(quantity.to("degC").magnitude)
    if spec.difference_temperature:
        if _is_absolute_temperature(quantity):  # pragma: no cover - refused by parse
            raise UnitError("absolute temperature used as a difference")
        return float(quantity.to("K").magnitude) if "kelvin" in _unit_names(quantity) else float(
            quantity.to("delta_degC").magnitude
        )
    return float(quantity.to(spec.canonical).magnitude)


def format_quantity(value: float, unit: str, digits: int = 3) -> str:
    """Format a canonical magnitude with its unit for a report, e.g. ``"18 MW"``."""
    if value == 0:
        text = "0"
    elif abs(value) >= 10 ** digits:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.{digits}g}"
        if "e" in text:
            text = f"{value:,.{max(0, digits - 1)}f}"
    return f"{text} {unit}".strip()
