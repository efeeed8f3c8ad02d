"""Hourly climate for the planner: 8760 h of dry bulb and wet bulb plus a design condition.

The climate layer turns a weather file (EnergyPlus EPW or NREL TMY3 CSV), a set of monthly
normals, or a constant into a :class:`Climate`: one nominal non-leap year (2026) of hourly
dry-bulb and wet-bulb temperatures [degC] in local standard time, and the cooling design
condition (0.4 % dry bulb with its mean coincident wet bulb) that sizes the heat-rejection plant.

All functions are pure: they read their inputs, never global state (psychrolib's unit system is
set to SI for the duration of a call and restored afterwards) and return new objects.

Time convention
---------------
``timestamps[i]`` labels the *start* of hour ``i`` (numpy ``datetime64[h]``), the convention
pvlib uses for EPW files: EPW/TMY3 hour field ``h`` (hour ending, 1..24) is labelled
``h - 1`` on the same day, so the last hour of the year is ``2026-12-31T23``. The same holds
for the synthetic profile, whose ASHRAE fractions are tabulated by hour ending.

References
----------
.. [1] ASHRAE, 2009. Handbook - Fundamentals, chapter 14 "Climatic Design Information",
   Table 6 "Fraction of Daily Temperature Range" and the design-condition definitions.
.. [2] Wilcox, S. and W. Marion, 2008. Users Manual for TMY3 Data Sets. NREL/TP-581-43156.
   :doi:`10.2172/928611`
.. [3] U.S. DOE, EnergyPlus Auxiliary Programs, "Energyplus Weather File (EPW) Data
   Dictionary" (header records LOCATION, DESIGN CONDITIONS, ...).
.. [4] Meyer, D. and D. Thevenard, 2019. PsychroLib: a library of psychrometric functions to
   calculate thermodynamic properties of air. Journal of Open Source Software 4(33), 1137.
   :doi:`10.21105/joss.01137`
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import os
import re
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import psychrolib

__all__ = [
    "ClimateError",
    "Climate",
    "NOMINAL_YEAR",
    "HOURS_PER_YEAR",
    "ASHRAE_2009_DAILY_RANGE_FRACTION",
    "read_climate",
    "read_weather_file",
    "read_epw_climate",
    "read_tmy3_climate",
    "design_condition_from_hours",
    "synthesise_climate",
    "constant_climate",
    "with_design_condition",
    "hottest_hour",
    "representative_days",
]

#: Nominal non-leap year onto which typical-year files and synthetic years are mapped.
NOMINAL_YEAR = 2026
#: Hours in the nominal year [h].
HOURS_PER_YEAR = 8760
_DAYS_PER_YEAR = 365
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MONTH_START_DAY = np.concatenate(([0], np.cumsum(_MONTH_DAYS)[:-1]))

#: Fraction of the daily temperature range below the daily maximum, by hour ending 1..24
#: (solar time), ASHRAE Handbook - Fundamentals 2009, ch. 14, Table 6 (same values in the
#: 2013-2021 editions and in the EnergyPlus Engineering Reference, "Climate Calculations").
ASHRAE_2009_DAILY_RANGE_FRACTION = np.array(
    [0.88, 0.92, 0.95, 0.98, 1.00, 0.98, 0.91, 0.74, 0.55, 0.38, 0.23, 0.13,
     0.05, 0.00, 0.00, 0.06, 0.14, 0.24, 0.39, 0.50, 0.59, 0.68, 0.75, 0.82]
)
ASHRAE_2009_DAILY_RANGE_FRACTION.setflags(write=False)

# window around the design dry bulb for the mean coincident wet bulb [K]
_COINCIDENT_WINDOW = 0.5


class ClimateError(ValueError):
    """A weather file or climate description cannot give a valid hourly year."""


# --------------------------------------------------------------------------------------------
# data class
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Climate:
    """One nominal year of hourly outdoor air conditions and the cooling design condition.

    Arrays are stored as read-only copies; build a changed climate with
    :func:`dataclasses.replace` or :func:`with_design_condition`.

    Attributes
    ----------
    dry_bulb : numpy.ndarray
        Dry-bulb air temperature per hour [degC], shape (n,), n = 8760 for a full year.
    wet_bulb : numpy.ndarray
        Thermodynamic wet-bulb temperature per hour [degC], shape (n,), never above
        ``dry_bulb``.
    timestamps : numpy.ndarray
        Start of each hour, ``datetime64[h]``, local standard time, mapped onto the nominal
        non-leap year 2026 (typical-year files mix calendar years).
    month : numpy.ndarray
        Calendar month of each hour, int 1..12.
    design_dry_bulb : float
        Cooling design dry bulb [degC] (normally the 0.4 % annual value).
    design_wet_bulb : float
        Mean wet bulb coincident with ``design_dry_bulb`` [degC] (MCWB).
    design_evaporation_wet_bulb : float or None
        Evaporation design wet bulb, 0.4 % annual [degC]; None if unknown.
    design_source : str
        Where the design condition came from.
    source : str
        Where the hourly data came from (file and station, or synthesis and seed).
    extremes : dict or None
        ASHRAE extreme annual dry bulbs [degC] from the weather file's header, where it has them:
        ``mean_max`` and ``mean_min`` (means of the annual extremes), ``max_20_year`` and
        ``min_20_year`` (20-year return period); None otherwise.
    """

    dry_bulb: np.ndarray
    wet_bulb: np.ndarray
    timestamps: np.ndarray
    month: np.ndarray
    design_dry_bulb: float
    design_wet_bulb: float
    design_evaporation_wet_bulb: float | None
    design_source: str
    source: str
    extremes: dict | None = None

    def __post_init__(self) -> None:
        db = np.array(self.dry_bulb, dtype=float)
        wb = np.array(self.wet_bulb, dtype=float)
        ts = np.array(self.timestamps, dtype="datetime64[h]")
        mo = np.array(self.month, dtype=int)
        n = db.shape[0] if db.ndim == 1 else -1
        if n < 1 or any(a.ndim != 1 or a.shape[0] != n for a in (wb, ts, mo)):
            raise ClimateError(
                "Climate arrays must be one-dimensional and of equal length; got shapes "
                f"dry_bulb {db.shape}, wet_bulb {wb.shape}, timestamps {ts.shape}, "
                f"month {mo.shape}"
            )
        if not (np.all(np.isfinite(db)) and np.all(np.isfinite(wb))):
            raise ClimateError("Climate dry_bulb and wet_bulb must be finite in every hour")
        if np.any(wb > db + 1e-9):
            i = int(np.argmax(wb - db))
            raise ClimateError(
                f"wet bulb {wb[i]:.2f} degC exceeds dry bulb {db[i]:.2f} degC at hour {i}"
            )
        if np.any((mo < 1) | (mo > 12)):
            raise ClimateError("Climate month must lie in 1..12")
        for name in ("design_dry_bulb", "design_wet_bulb"):
            value = getattr(self, name)
            if value is None or not math.isfinite(float(value)):
                raise ClimateError(f"Climate {name} must be a finite temperature [degC]")
            object.__setattr__(self, name, float(value))
        if self.design_wet_bulb > self.design_dry_bulb + 1e-9:
            raise ClimateError(
                f"design wet bulb {self.design_wet_bulb} degC exceeds design dry bulb "
                f"{self.design_dry_bulb} degC"
            )
        if self.design_evaporation_wet_bulb is not None:
            object.__setattr__(
                self, "design_evaporation_wet_bulb", float(self.design_evaporation_wet_bulb)
            )
        for name, arr in (("dry_bulb", db), ("wet_bulb", wb), ("timestamps", ts), ("month", mo)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_hours(self) -> int:
        """Number of hours [h]."""
        return int(self.dry_bulb.shape[0])

    @property
    def hour_of_day(self) -> np.ndarray:
        """Local standard hour at the start of each hour, int 0..23."""
        return (self.timestamps.astype("int64") % 24).astype(int)


# --------------------------------------------------------------------------------------------
# vectorised psychrometrics (psychrolib's SI algorithms, element by element, on arrays)
# --------------------------------------------------------------------------------------------

_PSY_TOL = 0.001  # K, psychrolib's SI tolerance
_PSY_MAX_ITER = 100
_MIN_HUM_RATIO = 1e-7
_TRIPLE_POINT = 0.01  # degC
_DEW_BOUNDS = (-100.0, 200.0)


def sat_vap_pres(t: np.ndarray) -> np.ndarray:
    """Saturation vapour pressure [Pa] at ``t`` [degC] (ASHRAE 2017 ch. 1 eqn 5-6, as psychrolib)."""
    t = np.asarray(t, dtype=float)
    if np.any((t < -100) | (t > 200)):
        raise ValueError("Dry bulb temperature must be in range [-100, 200]°C")
    k = t + 273.15
    ice = (-5.6745359E+03 / k + 6.3925247 - 9.677843E-03 * k + 6.2215701E-07 * k ** 2
           + 2.0747825E-09 * k ** 3 - 9.484024E-13 * k ** 4 + 4.1635019 * np.log(k))
    water = (-5.8002206E+03 / k + 1.3914993 - 4.8640239E-02 * k + 4.1764768E-05 * k ** 2
             - 1.4452093E-08 * k ** 3 + 6.5459673 * np.log(k))
    return np.exp(np.where(t <= _TRIPLE_POINT, ice, water))


def _d_ln_pws(t: np.ndarray) -> np.ndarray:
    k = t + 273.15
    ice = (5.6745359E+03 / k ** 2 - 9.677843E-03 + 2 * 6.2215701E-07 * k
           + 3 * 2.0747825E-09 * k ** 2 - 4 * 9.484024E-13 * k ** 3 + 4.1635019 / k)
    water = (5.8002206E+03 / k ** 2 - 4.8640239E-02 + 2 * 4.1764768E-05 * k
             - 3 * 1.4452093E-08 * k ** 2 + 6.5459673 / k)
    return np.where(t <= _TRIPLE_POINT, ice, water)


def _hum_ratio_from_vap_pres(vap: np.ndarray, pressure: np.ndarray) -> np.ndarray:
    return np.maximum(0.621945 * vap / (pressure - vap), _MIN_HUM_RATIO)


def _dew_point_from_vap_pres(dry_bulb: np.ndarray, vap: np.ndarray) -> np.ndarray:
    """Dew point [degC] by psychrolib's Newton iteration on ln(p_ws), every element at once."""
    lo, hi = _DEW_BOUNDS
    if np.any((vap < sat_vap_pres(np.array(lo))) | (vap > sat_vap_pres(np.array(hi)))):
        raise ValueError("Partial pressure of water vapor is outside range of validity of equations")
    dew = dry_bulb.astype(float).copy()
    ln_vp = np.log(vap)
    active = np.ones(dew.shape, dtype=bool)
    for _ in range(_PSY_MAX_ITER + 1):
        if not active.any():
            break
        old = dew[active]
        new = old - (np.log(sat_vap_pres(old)) - ln_vp[active]) / _d_ln_pws(old)
        new = np.minimum(np.maximum(new, lo), hi)
        dew[active] = new
        done = np.abs(new - old) <= _PSY_TOL
        idx = np.flatnonzero(active)
        active[idx[done]] = False
    else:
        raise ValueError("Convergence not reached in GetTDewPointFromVapPres. Stopping.")
    return np.minimum(dew, dry_bulb)


def _hum_ratio_from_wet_bulb(dry_bulb, wet_bulb, pressure):
    ws = _hum_ratio_from_vap_pres(sat_vap_pres(wet_bulb), pressure)
    water = ((2501. - 2.326 * wet_bulb) * ws - 1.006 * (dry_bulb - wet_bulb)) / (2501. + 1.86 * dry_bulb - 4.186 * wet_bulb)
    ice = ((2830. - 0.24 * wet_bulb) * ws - 1.006 * (dry_bulb - wet_bulb)) / (2830. + 1.86 * dry_bulb - 2.1 * wet_bulb)
    return np.maximum(np.where(wet_bulb >= 0.0, water, ice), _MIN_HUM_RATIO)


def wet_bulb_from_hum_ratio(dry_bulb, hum_ratio, pressure) -> np.ndarray:
    """Thermodynamic wet bulb [degC] from dry bulb [degC], humidity ratio [kg/kg] and pressure [Pa].

    psychrolib's ``GetTWetBulbFromHumRatio`` (bisection between the dew point and the dry bulb
    to 0.001 K, ASHRAE 2017 ch. 1 eqn 33 and 35) on whole arrays: each element follows the
    same iteration as psychrolib's scalar function.
    """
    dry_bulb, hum_ratio, pressure = np.broadcast_arrays(
        np.asarray(dry_bulb, dtype=float), np.asarray(hum_ratio, dtype=float), np.asarray(pressure, dtype=float))
    if np.any(hum_ratio < 0):
        raise ValueError("Humidity ratio cannot be negative")
    w = np.maximum(hum_ratio, _MIN_HUM_RATIO)
    vap = pressure * w / (0.621945 + w)
    sup = dry_bulb.copy()
    inf = _dew_point_from_vap_pres(dry_bulb, vap)
    wet = (inf + sup) / 2
    active = (sup - inf) > _PSY_TOL
    for _ in range(_PSY_MAX_ITER):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        t = wet[idx]
        above = _hum_ratio_from_wet_bulb(dry_bulb[idx], t, pressure[idx]) > w[idx]
        s, i = sup[idx], inf[idx]
        s = np.where(above, t, s)
        i = np.where(above, i, t)
        sup[idx], inf[idx] = s, i
        wet[idx] = (s + i) / 2
        active[idx] = (s - i) > _PSY_TOL
    else:
        if active.any():
            raise ValueError("Convergence not reached in GetTWetBulbFromHumRatio. Stopping.")
    return wet


def wet_bulb_from_dew_point(dry_bulb, dew_point, pressure) -> np.ndarray:
    """Wet bulb [degC] from dry bulb, dew point [degC] and pressure [Pa] (psychrolib, vectorised)."""
    dry_bulb, dew_point, pressure = (np.asarray(a, dtype=float) for a in (dry_bulb, dew_point, pressure))
    if np.any(dew_point > dry_bulb):
        raise ValueError("Dew point temperature is above dry bulb temperature")
    w = _hum_ratio_from_vap_pres(sat_vap_pres(dew_point), pressure)
    return wet_bulb_from_hum_ratio(dry_bulb, w, pressure)


def wet_bulb_from_rel_hum(dry_bulb, rel_hum, pressure) -> np.ndarray:
    """Wet bulb [degC] from dry bulb [degC], relative humidity [0-1] and pressure [Pa] (vectorised)."""
    dry_bulb, rel_hum, pressure = (np.asarray(a, dtype=float) for a in (dry_bulb, rel_hum, pressure))
    if np.any((rel_hum < 0) | (rel_hum > 1)):
        raise ValueError("Relative humidity is outside range [0, 1]")
    w = _hum_ratio_from_vap_pres(rel_hum * sat_vap_pres(dry_bulb), pressure)
    return wet_bulb_from_hum_ratio(dry_bulb, w, pressure)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _psychrolib_si() -> Iterator[None]:
    """Run psychrolib in SI units and restore the caller's unit system afterwards."""
    previous = psychrolib.GetUnitSystem()
    if previous is not psychrolib.SI:
        psychrolib.SetUnitSystem(psychrolib.SI)
    try:
        yield
    finally:
        if previous is not None and previous is not psychrolib.SI:
            psychrolib.SetUnitSystem(previous)


def _nominal_year_timestamps(hours: int = HOURS_PER_YEAR) -> np.ndarray:
    start = np.datetime64(f"{NOMINAL_YEAR}-01-01T00", "h")
    return start + np.arange(hours).astype("timedelta64[h]")


def _month_of(timestamps: np.ndarray) -> np.ndarray:
    return timestamps.astype("datetime64[M]").astype(int) % 12 + 1


def _timestamps_from_fields(
    name: str, month: np.ndarray, day: np.ndarray, hour_ending: np.ndarray
) -> np.ndarray:
    """Map file month/day/hour-ending fields onto the nominal year; require a full year in order."""
    month = np.asarray(month)
    day = np.asarray(day)
    hour_ending = np.asarray(hour_ending)
    bad = (
        (month < 1) | (month > 12) | (day < 1) | (hour_ending < 1) | (hour_ending > 24)
    )
    bad |= day > _MONTH_DAYS[np.clip(month, 1, 12) - 1]
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ClimateError(
            f"weather file {name}: row {i + 1} has month/day/hour {month[i]}/{day[i]}/"
            f"{hour_ending[i]}, not an hour of a non-leap year"
        )
    hour_of_year = (_MONTH_START_DAY[month - 1] + day - 1) * 24 + (hour_ending - 1)
    expected = np.arange(HOURS_PER_YEAR)
    if not np.array_equal(hour_of_year, expected):
        i = int(np.argmax(hour_of_year != expected))
        raise ClimateError(
            f"weather file {name} does not run hour by hour from 1 Jan hour 1 to 31 Dec hour "
            f"24: row {i + 1} is month/day/hour {month[i]}/{day[i]}/{hour_ending[i]}"
        )
    return _nominal_year_timestamps()


def _wet_bulb_from_humidity(
    name: str,
    dry_bulb: np.ndarray,
    dew_point: np.ndarray,
    rel_hum: np.ndarray,
    pressure: np.ndarray,
) -> tuple[np.ndarray, str]:
    """Wet bulb [degC] from dry bulb [degC], dew point [degC] or RH [%] and pressure [Pa].

    Dew point is used where present (as EnergyPlus does); relative humidity only fills hours
    whose dew point is missing. psychrolib's algorithms, vectorised (:func:`wet_bulb_from_hum_ratio`).
    """
    have_dew = np.isfinite(dew_point)
    have_rh = np.isfinite(rel_hum)
    missing = ~(have_dew | have_rh)
    if np.any(missing):
        i = int(np.argmax(missing))
        raise ClimateError(
            f"weather file {name} has {int(missing.sum())} hours without dew point or "
            f"relative humidity (first at row {i + 1})"
        )
    # dew point is never above dry bulb physically; files round both to 0.1 K
    dew = np.where(have_dew, np.minimum(dew_point, dry_bulb), np.nan)
    wet = np.empty_like(dry_bulb)
    if np.any(have_dew):
        wet[have_dew] = wet_bulb_from_dew_point(dry_bulb[have_dew], dew[have_dew], pressure[have_dew])
    use_rh = ~have_dew
    if np.any(use_rh):
        rh = np.clip(rel_hum[use_rh] / 100.0, 0.0, 1.0)
        wet[use_rh] = wet_bulb_from_rel_hum(dry_bulb[use_rh], rh, pressure[use_rh])
    method = "wet bulb from dry bulb, dew point and station pressure (psychrolib, SI)"
    if np.any(~have_dew):
        method += f"; relative humidity used in {int((~have_dew).sum())} h without dew point"
    return np.minimum(wet, dry_bulb), method


def _finite_or_raise(name: str, what: str, values: np.ndarray) -> None:
    bad = ~np.isfinite(values)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ClimateError(
            f"weather file {name} has {int(bad.sum())} missing {what} values "
            f"(first at data row {i + 1})"
        )


def _numeric(series, missing_at_or_above: float | None = None,
             missing_at_or_below: float | None = None) -> np.ndarray:
    import pandas as pd

    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if missing_at_or_above is not None:
        values = np.where(values >= missing_at_or_above, np.nan, values)
    if missing_at_or_below is not None:
        values = np.where(values <= missing_at_or_below, np.nan, values)
    return values


# Physical bounds of hourly weather values (beyond them a value is a typo or a unit mix-up).
DRY_BULB_RANGE = (-70.0, 60.0)  # degC; records: -89 (Vostok), +57 (Death Valley); -70 covers inhabited sites
DEW_POINT_RANGE = (-90.0, 35.0)  # degC; the highest dew point recorded is about 35 degC
DEW_ABOVE_DRY_TOLERANCE = 1.0  # K; files round both to 0.1 K
RELATIVE_HUMIDITY_RANGE = (0.0, 110.0)  # %
PRESSURE_RANGE = (30_000.0, 120_000.0)  # Pa; Everest summit about 33 kPa, sea-level records below 109 kPa


def _refuse_first(name: str, bad: np.ndarray, lines: np.ndarray | None, what) -> None:
    """Refuse the first hour flagged in ``bad``: the file, its line (or data row) and ``what(i, count)``."""
    if np.any(bad):
        i = int(np.argmax(bad))
        where = f"line {int(lines[i])}" if lines is not None else f"data row {i + 1}"
        raise ClimateError(f"weather file {name}: {where}: {what(i, int(bad.sum()))}")


def _within(name: str, field: str, values: np.ndarray, bounds: tuple[float, float], unit: str,
            lines: np.ndarray | None = None, scale: float = 1.0) -> None:
    """Refuse the first hour whose value lies outside ``bounds`` (missing hours, NaN, are skipped)."""
    lo, hi = bounds
    with np.errstate(invalid="ignore"):
        bad = np.isfinite(values) & ((values < lo) | (values > hi))
    _refuse_first(name, bad, lines, lambda i, count: f"{field} {values[i] / scale:g} {unit} is outside the physical "
                                                     f"range {lo / scale:g} to {hi / scale:g} {unit} ({count} such hours)")


def _check_hourly_bounds(name: str, dry_bulb: np.ndarray, dew: np.ndarray, rh: np.ndarray,
                         pressure: np.ndarray, lines: np.ndarray | None, pressure_unit: str) -> None:
    """Each hourly value within physical bounds and the dew point not above the dry bulb."""
    _within(name, "dry bulb", dry_bulb, DRY_BULB_RANGE, "degC", lines)
    _within(name, "dew point", dew, DEW_POINT_RANGE, "degC", lines)
    _within(name, "relative humidity", rh, RELATIVE_HUMIDITY_RANGE, "%", lines)
    scale = 100.0 if pressure_unit == "mbar" else 1.0
    _within(name, "station pressure", pressure, PRESSURE_RANGE, pressure_unit, lines, scale)
    with np.errstate(invalid="ignore"):
        above = np.isfinite(dew) & (dew > dry_bulb + DEW_ABOVE_DRY_TOLERANCE)
    _refuse_first(name, above, lines,
                  lambda i, count: f"dew point {dew[i]:g} degC is above the dry bulb {dry_bulb[i]:g} degC (at most "
                                   f"{DEW_ABOVE_DRY_TOLERANCE:g} K above is taken as rounding; {count} such hours)")


_EPW_HEADER_LINES = 8
_EPW_DATE_FIELDS = (("year", 1, 9999), ("month", 1, 12), ("day", 1, 31), ("hour", 1, 24))


def _epw_rows(path: str, name: str) -> tuple[str, list[str], np.ndarray, int]:
    """Read an EPW file (bounded), check each data row's date fields and drop 29 February.

    Returns the text to parse (header and kept rows), the header lines, the file line number of each
    kept row and the number of 29 February rows dropped (a leap-year file becomes a nominal year).
    """
    from planner.load import WEATHER_MAX_BYTES, InputError, read_bytes_bounded

    try:
        raw = read_bytes_bounded(path, WEATHER_MAX_BYTES)
    except InputError as err:
        raise ClimateError(f"weather file {name}: {err.message}") from None
    text = raw.decode("utf-8", errors="replace")
    all_lines = text.splitlines(keepends=True)
    header = all_lines[:_EPW_HEADER_LINES]
    if len(header) < _EPW_HEADER_LINES or not header[0].upper().startswith("LOCATION"):
        raise ClimateError(f"weather file {name} is not an EPW file: it must start with 8 header lines, "
                           "the first being LOCATION,...")
    kept: list[str] = []
    numbers: list[int] = []
    dropped = 0
    for j, line in enumerate(all_lines[_EPW_HEADER_LINES:], start=_EPW_HEADER_LINES + 1):
        if not line.strip():
            continue
        fields = line.split(",", 6)
        if len(fields) < 7:
            raise ClimateError(f"weather file {name}: line {j}: expected the EPW fields year, month, day, hour, "
                               f"minute, data flags, dry bulb ...; got {len(fields)} comma-separated fields")
        values = []
        for k, (field, lo, hi) in enumerate(_EPW_DATE_FIELDS):
            given = fields[k].strip()
            try:
                value = int(given)
            except ValueError:
                value = None
            if value is None or not lo <= value <= hi:
                raise ClimateError(f"weather file {name}: line {j}: the {field} field is {given[:20]!r}, "
                                   f"expected a whole number from {lo} to {hi}")
            values.append(value)
        if values[1] == 2 and values[2] == 29:
            dropped += 1
            continue
        kept.append(line)
        numbers.append(j)
    return "".join(header + kept), header, np.array(numbers, dtype=int), dropped


_TMY3_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TMY3_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _tmy3_rows(path: str, name: str) -> tuple[str, np.ndarray, int]:
    """Read a TMY3 CSV file (bounded), check each row's date and time fields and drop 29 February.

    Returns the text to parse, the file line number of each kept row and the rows dropped.
    """
    from planner.load import WEATHER_MAX_BYTES, InputError, read_bytes_bounded

    try:
        raw = read_bytes_bounded(path, WEATHER_MAX_BYTES)
    except InputError as err:
        raise ClimateError(f"weather file {name}: {err.message}") from None
    all_lines = raw.decode("utf-8", errors="replace").splitlines(keepends=True)
    if len(all_lines) < 2:
        raise ClimateError(f"weather file {name} is not a TMY3 file: it must start with a station line and a "
                           "line of column names")
    columns = [c.strip() for c in all_lines[1].split(",")]
    absent = [c for c in ("Date (MM/DD/YYYY)", "Time (HH:MM)") if c not in columns]
    if absent:
        raise ClimateError(f"weather file {name} lacks TMY3 columns {absent} (line 2)")
    i_date, i_time = columns.index("Date (MM/DD/YYYY)"), columns.index("Time (HH:MM)")
    kept: list[str] = []
    numbers: list[int] = []
    dropped = 0
    for j, line in enumerate(all_lines[2:], start=3):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != len(columns):
            raise ClimateError(f"weather file {name}: line {j}: expected {len(columns)} comma-separated fields "
                               f"as in line 2, got {len(fields)}")
        date, clock = fields[i_date].strip(), fields[i_time].strip()
        m = _TMY3_DATE.match(date)
        if m is None or not (1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31):
            raise ClimateError(f"weather file {name}: line {j}: the date field is {date[:20]!r}, expected "
                               "MM/DD/YYYY with a month from 1 to 12 and a day from 1 to 31")
        t = _TMY3_TIME.match(clock)
        if t is None or not 1 <= int(t.group(1)) <= 24:
            raise ClimateError(f"weather file {name}: line {j}: the time field is {clock[:20]!r}, expected "
                               "HH:MM with an hour ending from 01 to 24")
        if int(m.group(1)) == 2 and int(m.group(2)) == 29:
            dropped += 1
            continue
        kept.append(line)
        numbers.append(j)
    return "".join(all_lines[:2] + kept), np.array(numbers, dtype=int), dropped


def _fill_pressure(pressure: np.ndarray, altitude: float) -> tuple[np.ndarray, int]:
    missing = ~np.isfinite(pressure)
    if np.any(missing):
        with _psychrolib_si():
            standard = psychrolib.GetStandardAtmPressure(float(altitude))
        pressure = np.where(missing, standard, pressure)
    return pressure, int(missing.sum())


def _parse_epw_design_conditions(line: str) -> dict | None:
    """Cooling design fields of an EPW ``DESIGN CONDITIONS`` header record, or None.

    Layout of the ASHRAE design-condition record written by EnergyPlus' weather converter
    (2005/2009 Handbook tables), counted from the ``Cooling`` keyword ``k``:
    ``k+1`` hottest month, ``k+2`` hottest-month daily DB range [K], ``k+3`` 0.4 % DB [degC],
    ``k+4`` its MCWB [degC], ``k+5/6`` 1 % DB/MCWB, ``k+7/8`` 2 % DB/MCWB,
    ``k+9`` 0.4 % evaporation WB [degC], ``k+10`` its MCDB [degC], ...
    """
    fields = [f.strip() for f in line.rstrip("\r\n").split(",")]
    if not fields or fields[0].upper() != "DESIGN CONDITIONS":
        return None
    try:
        k = [f.lower() for f in fields].index("cooling")
        hottest_month = int(float(fields[k + 1]))
        db = float(fields[k + 3])
        mcwb = float(fields[k + 4])
    except (ValueError, IndexError):
        return None
    try:
        evap = float(fields[k + 9])
        evap_mcdb = float(fields[k + 10])
    except (ValueError, IndexError):
        evap, evap_mcdb = None, None
    plausible = (
        1 <= hottest_month <= 12
        and -60.0 <= db <= 65.0
        and -60.0 <= mcwb <= db + 0.05
    )
    if not plausible:
        return None
    if evap is not None and not (-60.0 <= evap <= (evap_mcdb if evap_mcdb is not None else 65.0)):
        evap = None
    title = fields[2] if len(fields) > 2 and fields[2] else "ASHRAE design conditions"
    return {"dry_bulb": db, "wet_bulb": min(mcwb, db), "evaporation_wet_bulb": evap,
            "title": title, "extremes": _parse_extremes(fields)}


def _parse_extremes(fields: list[str]) -> dict | None:
    """Extreme annual dry bulbs of a ``DESIGN CONDITIONS`` record, or None.

    Counted from the ``Extremes`` keyword ``e``: ``e+1..3`` extreme wind speeds, ``e+4`` extreme
    maximum wet bulb, ``e+5/6`` mean of the annual minimum/maximum dry bulb, ``e+7/8`` their
    standard deviations, then minimum/maximum for 5, 10, 20 and 50 years' return
    (``e+13/14`` for 20 years) [degC].
    """
    try:
        e = [f.lower() for f in fields].index("extremes")
        out = {"mean_min": float(fields[e + 5]), "mean_max": float(fields[e + 6]),
               "min_20_year": float(fields[e + 13]), "max_20_year": float(fields[e + 14])}
    except (ValueError, IndexError):
        return None
    ok = (-70.0 <= out["min_20_year"] <= out["mean_min"] <= out["mean_max"] <= out["max_20_year"] <= 65.0)
    return out if ok else None


def _format_coord(lat: float, lon: float) -> str:
    return (f"{abs(lat):.2f} {'N' if lat >= 0 else 'S'} "
            f"{abs(lon):.2f} {'E' if lon >= 0 else 'W'}")


# --------------------------------------------------------------------------------------------
# design condition
# --------------------------------------------------------------------------------------------


def design_condition_from_hours(dry_bulb, wet_bulb, percentile=0.4):
    r"""Cooling design dry bulb and mean coincident wet bulb from hourly data.

    The design dry bulb is the dry bulb exceeded in ``percentile`` percent of the hours
    (0.4 % of 8760 h = 35 h), taken as the empirical quantile at :math:`1 - p/100` with
    linear interpolation between order statistics. The mean coincident wet bulb (MCWB) is
    the mean wet bulb of the hours whose dry bulb lies within :math:`\pm 0.5` K of the design
    dry bulb, which follows the ASHRAE definition of "mean coincident" values [1]_ (ASHRAE
    bins the frequency distribution of long-term hourly records; a single typical year only
    approximates it). If no hour falls in the window, the hours nearest in dry bulb are used.

    .. math::

        T_{db,design} = Q_{1 - p/100}(T_{db}), \qquad
        T_{wb,MC} = \overline{T_{wb,h}}\ \text{for}\ |T_{db,h} - T_{db,design}| \le 0.5\,K

    Parameters
    ----------
    dry_bulb : array-like
        Hourly dry bulb [degC].
    wet_bulb : array-like
        Hourly wet bulb [degC], same length.
    percentile : float, default 0.4
        Annual fraction of hours above the design dry bulb [%], 0 < percentile < 100.

    Returns
    -------
    design_dry_bulb : float
        Dry bulb exceeded in ``percentile`` % of hours [degC].
    coincident_wet_bulb : float
        Mean wet bulb of the hours within 0.5 K of it [degC].

    Raises
    ------
    ValueError
        If the arrays are empty, differ in length, hold non-finite values or
        ``percentile`` is outside (0, 100).

    References
    ----------
    .. [1] ASHRAE, 2009. Handbook - Fundamentals, ch. 14 "Climatic Design Information".
    """
    db = np.asarray(dry_bulb, dtype=float).ravel()
    wb = np.asarray(wet_bulb, dtype=float).ravel()
    if db.size == 0 or db.shape != wb.shape:
        raise ValueError("dry_bulb and wet_bulb must be non-empty and of equal length")
    if not (np.all(np.isfinite(db)) and np.all(np.isfinite(wb))):
        raise ValueError("dry_bulb and wet_bulb must be finite")
    if not 0.0 < float(percentile) < 100.0:
        raise ValueError(f"percentile must lie in (0, 100) [%], got {percentile}")
    design = float(np.quantile(db, 1.0 - float(percentile) / 100.0))
    distance = np.abs(db - design)
    window = distance <= _COINCIDENT_WINDOW + 1e-9
    if not np.any(window):
        window = distance <= distance.min() + 1e-9
    return design, float(np.mean(wb[window]))


def with_design_condition(climate, dry_bulb, wet_bulb, evaporation_wet_bulb=None,
                          source="given design condition"):
    """Return a copy of ``climate`` with another design condition (e.g. from the site file).

    Parameters
    ----------
    climate : Climate
    dry_bulb : float
        Design dry bulb [degC].
    wet_bulb : float
        Mean coincident wet bulb [degC], not above ``dry_bulb``.
    evaporation_wet_bulb : float or None, default None
        Evaporation design wet bulb [degC]; None keeps the climate's value.
    source : str
        Description for :attr:`Climate.design_source`, e.g.
        ``"site file climate.design_dry_bulb"``.

    Returns
    -------
    Climate
    """
    evap = (climate.design_evaporation_wet_bulb if evaporation_wet_bulb is None
            else evaporation_wet_bulb)
    return dataclasses.replace(
        climate, design_dry_bulb=dry_bulb, design_wet_bulb=wet_bulb,
        design_evaporation_wet_bulb=evap, design_source=source,
    )


# --------------------------------------------------------------------------------------------
# readers
# --------------------------------------------------------------------------------------------


def read_epw_climate(path):
    r"""Read an EnergyPlus weather (EPW) file into a :class:`Climate`.

    Data are read with :func:`pvlib.iotools.read_epw`. The wet bulb is the thermodynamic
    wet bulb from dry bulb, dew point and station pressure (psychrolib [2]_, ASHRAE psychro-
    metric equations); relative humidity replaces the dew point only in hours where the dew
    point is missing (EnergyPlus likewise derives outdoor humidity from the dew point).
    Missing station pressure (999999) is replaced by the standard atmosphere at the station
    elevation, :math:`p = 101325 (1 - 2.25577\times10^{-5} z)^{5.2559}` [Pa].

    The file's month/day/hour fields (hour ending, 1..24) are mapped onto the nominal year
    2026, because a typical meteorological year mixes calendar years; hour ``h`` of a day is
    labelled ``h - 1`` (start of the hour), as pvlib does.

    The design condition comes from the ``DESIGN CONDITIONS`` header record (ASHRAE cooling
    0.4 % dry bulb and its mean coincident wet bulb; evaporation 0.4 % wet bulb) [1]_. If the
    header holds none, the 0.4 % condition of the file's own hours
    (:func:`design_condition_from_hours`) is used, the evaporation wet bulb is None, and
    :attr:`Climate.design_source` says so; callers may override it with
    :func:`with_design_condition`.

    Parameters
    ----------
    path : str or os.PathLike
        EPW file.

    Returns
    -------
    Climate

    Raises
    ------
    ClimateError
        If the file cannot be read, does not hold exactly 8760 hours of one non-leap year
        in order, or lacks dry bulb or humidity (EPW missing codes 99.9 / 999 or non-numeric)
        in any hour.

    References
    ----------
    .. [1] U.S. DOE, EnergyPlus Auxiliary Programs, EPW data dictionary; ASHRAE 2009
       Handbook - Fundamentals ch. 14.
    .. [2] Meyer, D. and D. Thevenard, 2019. PsychroLib. JOSS 4(33), 1137.
       :doi:`10.21105/joss.01137`
    """
    import pandas as pd
    from pvlib.iotools import read_epw

    path = os.fspath(path)
    name = os.path.basename(path)
    text, header, lines, leap_rows = _epw_rows(path, name)
    try:
        result = read_epw(io.StringIO(text))
    except Exception as exc:  # noqa: BLE001 - any parser failure means "unreadable"
        raise ClimateError(
            f"cannot read weather file {name} as EPW: {type(exc).__name__}: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}"
        ) from exc
    data, meta = result if isinstance(result, tuple) else (result, {})
    if len(data) != HOURS_PER_YEAR:
        leap = f" after dropping {leap_rows} hours of 29 February" if leap_rows else ""
        raise ClimateError(f"weather file {name} has {len(data)} hours{leap}; a year needs {HOURS_PER_YEAR} "
                           "(a leap year's 8784 are accepted: 29 February is dropped)")
    needed = ("month", "day", "hour", "temp_air", "temp_dew", "relative_humidity",
              "atmospheric_pressure")
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise ClimateError(f"weather file {name} lacks EPW columns {absent}")

    try:
        month = pd.to_numeric(data["month"], errors="raise").to_numpy(dtype=int)
        day = pd.to_numeric(data["day"], errors="raise").to_numpy(dtype=int)
        hour = pd.to_numeric(data["hour"], errors="raise").to_numpy(dtype=int)
    except (ValueError, TypeError) as exc:
        raise ClimateError(f"weather file {name} has non-numeric date fields: {exc}") from exc
    timestamps = _timestamps_from_fields(name, month, day, hour)

    # EPW missing-value codes: temperatures 99.9, RH 999, pressure 999999
    dry_bulb = _numeric(data["temp_air"], missing_at_or_above=99.9)
    dew = _numeric(data["temp_dew"], missing_at_or_above=99.9)
    rh = _numeric(data["relative_humidity"], missing_at_or_above=999.0)
    pressure = _numeric(data["atmospheric_pressure"], missing_at_or_above=999999.0,
                        missing_at_or_below=0.0)
    _finite_or_raise(name, "dry-bulb", dry_bulb)
    _check_hourly_bounds(name, dry_bulb, dew, rh, pressure, lines, "Pa")
    altitude = float(meta.get("altitude", 0.0) or 0.0)
    pressure, n_filled = _fill_pressure(pressure, altitude)
    wet_bulb, method = _wet_bulb_from_humidity(name, dry_bulb, dew, rh, pressure)
    if n_filled:
        method += f"; standard-atmosphere pressure in {n_filled} h"
    if leap_rows:
        method += f"; {leap_rows} h of 29 February dropped (leap year)"

    station = ", ".join(
        str(meta.get(k, "")).strip() for k in ("city", "state-prov", "country")
        if str(meta.get(k, "")).strip()
    )
    try:
        where = _format_coord(float(meta["latitude"]), float(meta["longitude"]))
        where += f", {altitude:.0f} m"
    except (KeyError, TypeError, ValueError):
        where = "location unknown"
    source = (f"{name}: {station}, WMO {meta.get('WMO_code', '?')}, {where}, "
              f"{meta.get('data_type', 'EPW')} (EPW); {method}")

    design_line = next((ln for ln in header if ln.upper().startswith("DESIGN CONDITIONS")), "")
    design = _parse_epw_design_conditions(design_line) if design_line else None
    if design is not None:
        evap = design["evaporation_wet_bulb"]
        design_source = (
            f"EPW header: {design['title']}, cooling 0.4 % DB {design['dry_bulb']:g} degC / "
            f"MCWB {design['wet_bulb']:g} degC"
            + (f"; evaporation 0.4 % WB {evap:g} degC" if evap is not None else "")
        )
        return Climate(dry_bulb, wet_bulb, timestamps, _month_of(timestamps),
                       design["dry_bulb"], design["wet_bulb"], evap, design_source, source, design["extremes"])
    db_d, wb_d = design_condition_from_hours(dry_bulb, wet_bulb)
    design_source = (
        f"0.4 % hottest hours of {name} (no usable ASHRAE design conditions in its header): "
        f"DB {db_d:.1f} degC / MCWB {wb_d:.1f} degC"
    )
    return Climate(dry_bulb, wet_bulb, timestamps, _month_of(timestamps), db_d, wb_d, None,
                   design_source, source)


def read_tmy3_climate(path):
    """Read an NREL TMY3 CSV file into a :class:`Climate`.

    Data are read with :func:`pvlib.iotools.read_tmy3`; month/day come from the file's
    ``Date (MM/DD/YYYY)`` column and the hour from ``Time (HH:MM)`` (hour ending, 01:00 ..
    24:00), mapped onto the nominal year 2026 with hour ``h`` labelled ``h - 1`` [1]_. Wet bulb
    as in :func:`read_epw_climate` (dew point, RH fallback, pressure converted from mbar to Pa;
    TMY3 missing code -9900).

    TMY3 files carry no design conditions: the design condition is the 0.4 % condition of the
    file's hours (:func:`design_condition_from_hours`) and the evaporation wet bulb is None.

    Parameters
    ----------
    path : str or os.PathLike
        TMY3 CSV file.

    Returns
    -------
    Climate

    Raises
    ------
    ClimateError
        As for :func:`read_epw_climate`.

    References
    ----------
    .. [1] Wilcox, S. and W. Marion, 2008. Users Manual for TMY3 Data Sets.
       NREL/TP-581-43156. :doi:`10.2172/928611`
    """
    from pvlib.iotools import read_tmy3

    path = os.fspath(path)
    name = os.path.basename(path)
    text, lines, leap_rows = _tmy3_rows(path, name)
    try:
        data, meta = read_tmy3(io.StringIO(text), map_variables=True)
    except Exception as exc:  # noqa: BLE001
        raise ClimateError(
            f"cannot read weather file {name} as TMY3: {type(exc).__name__}: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}"
        ) from exc
    if len(data) != HOURS_PER_YEAR:
        leap = f" after dropping {leap_rows} hours of 29 February" if leap_rows else ""
        raise ClimateError(f"weather file {name} has {len(data)} hours{leap}; a year needs {HOURS_PER_YEAR} "
                           "(a leap year's 8784 are accepted: 29 February is dropped)")
    needed = ("Date (MM/DD/YYYY)", "Time (HH:MM)", "temp_air", "temp_dew",
              "relative_humidity", "pressure")
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise ClimateError(f"weather file {name} lacks TMY3 columns {absent}")
    try:
        date = data["Date (MM/DD/YYYY)"].astype(str).str.split("/", expand=True)
        month = date[0].astype(int).to_numpy()
        day = date[1].astype(int).to_numpy()
        hour = data["Time (HH:MM)"].astype(str).str.split(":").str[0].astype(int).to_numpy()
    except (ValueError, TypeError, KeyError) as exc:
        raise ClimateError(f"weather file {name} has unreadable date/time fields: {exc}") from exc
    timestamps = _timestamps_from_fields(name, month, day, hour)

    dry_bulb = _numeric(data["temp_air"], missing_at_or_below=-9900.0)
    dew = _numeric(data["temp_dew"], missing_at_or_below=-9900.0)
    rh = _numeric(data["relative_humidity"], missing_at_or_below=-9900.0)
    pressure = _numeric(data["pressure"], missing_at_or_below=0.0) * 100.0  # mbar -> Pa
    _finite_or_raise(name, "dry-bulb", dry_bulb)
    _check_hourly_bounds(name, dry_bulb, dew, rh, pressure, lines, "mbar")
    altitude = float(meta.get("altitude", 0.0) or 0.0)
    pressure, n_filled = _fill_pressure(pressure, altitude)
    wet_bulb, method = _wet_bulb_from_humidity(name, dry_bulb, dew, rh, pressure)
    if n_filled:
        method += f"; standard-atmosphere pressure in {n_filled} h"
    if leap_rows:
        method += f"; {leap_rows} h of 29 February dropped (leap year)"
    try:
        where = _format_coord(float(meta["latitude"]), float(meta["longitude"]))
        where += f", {altitude:.0f} m"
    except (KeyError, TypeError, ValueError):
        where = "location unknown"
    station = str(meta.get("Name", "")).strip().strip('"')
    source = (f"{name}: {station}, {meta.get('State', '')}, USAF {meta.get('USAF', '?')}, "
              f"{where} (TMY3); {method}")
    db_d, wb_d = design_condition_from_hours(dry_bulb, wet_bulb)
    design_source = (f"0.4 % hottest hours of {name} (TMY3 has no design conditions): "
                     f"DB {db_d:.1f} degC / MCWB {wb_d:.1f} degC")
    return Climate(dry_bulb, wet_bulb, timestamps, _month_of(timestamps), db_d, wb_d, None,
                   design_source, source)


def read_climate(path):
    """Read a weather file by its extension: ``.epw`` (EPW) or ``.csv`` (TMY3).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Climate

    Raises
    ------
    ClimateError
        For an unknown extension or any error of the chosen reader.
    """
    from planner.load import WEATHER_MAX_BYTES, file_problem

    ext = os.path.splitext(os.fspath(path))[1].lower()
    problem = file_problem(path, WEATHER_MAX_BYTES) if ext in (".epw", ".csv") else None
    if problem:
        raise ClimateError(f"weather file {os.path.basename(os.fspath(path))}: {problem}")
    if ext == ".epw":
        return read_epw_climate(path)
    if ext == ".csv":
        return read_tmy3_climate(path)
    raise ClimateError(
        f"weather file {os.path.basename(os.fspath(path))}: unknown format '{ext}' "
        "(expected .epw or TMY3 .csv)"
    )


CLIMATE_CACHE_VERSION = 2  # raise when the readers or the psychrometrics change what they return


def _cache_key(path: str, fmt: str) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(f"|{os.path.basename(path)}|{fmt}|{CLIMATE_CACHE_VERSION}".encode())
    return h.hexdigest()


def _load_cached(file: str) -> Climate | None:
    import json

    try:
        with np.load(file, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return Climate(z["dry_bulb"], z["wet_bulb"], z["timestamps"].astype("datetime64[h]"), z["month"],
                           meta["design_dry_bulb"], meta["design_wet_bulb"],
                           meta["design_evaporation_wet_bulb"], meta["design_source"], meta["source"],
                           meta.get("extremes"))
    except Exception:  # noqa: BLE001 - a missing, stale or damaged entry is read again from the file
        return None


def _save_cached(file: str, clim: Climate) -> None:
    import json
    import tempfile

    meta = {k: getattr(clim, k) for k in ("design_dry_bulb", "design_wet_bulb", "design_evaporation_wet_bulb",
                                          "design_source", "source", "extremes")}
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(file), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, dry_bulb=clim.dry_bulb, wet_bulb=clim.wet_bulb,
                         timestamps=clim.timestamps.astype("int64"), month=clim.month,
                         meta=np.array(json.dumps(meta)))
            os.replace(tmp, file)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # an unwritable cache only costs time


def read_weather_file(path, fmt: str | None = None) -> Climate:
    """:func:`read_epw_climate` or :func:`read_tmy3_climate`, through the user's cache.

    The parsed climate is kept in the planner's cache folder (:mod:`planner.cache`) under the
    SHA-256 of the file's content, its name, the format and the reader's version, so an edited
    file is read again; a cache that is off (``PLANNER_NO_CACHE=1``), unwritable or damaged
    only means the file is parsed. Errors are those of the readers.
    """
    path = os.fspath(path)
    if fmt is None:
        fmt = "epw" if os.path.splitext(path)[1].lower() == ".epw" else "tmy3"
    reader = read_epw_climate if fmt == "epw" else read_tmy3_climate
    from planner.cache import cache_dir

    folder = cache_dir("climate")
    if folder is None:
        return reader(path)
    try:
        file = os.path.join(folder, _cache_key(path, fmt) + ".npz")
    except OSError:
        return reader(path)  # unreadable: the reader says so in its own words
    clim = _load_cached(file)
    if clim is None:
        clim = reader(path)
        _save_cached(file, clim)
    return clim


# --------------------------------------------------------------------------------------------
# synthetic and constant climates
# --------------------------------------------------------------------------------------------


def _twelve(name: str, values) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.shape != (12,) or not np.all(np.isfinite(arr)):
        raise ClimateError(f"{name} needs 12 finite monthly values [degC], got {values!r}")
    return arr


def synthesise_climate(monthly_max, monthly_min, monthly_wet_bulb_max, monthly_wet_bulb_min,
                       design_dry_bulb, design_wet_bulb, seed=0, daily_sd=2.5,
                       lag1_autocorrelation=0.7, wet_bulb_anomaly_scale=None,
                       design_source="given design_dry_bulb / design_wet_bulb"):
    r"""Synthesise a year of hourly dry and wet bulb from monthly normals.

    1. **Daily anomaly.** A seeded AR(1) series of day-to-day anomalies [K]
       (``numpy.random.default_rng(seed)``), stationary standard deviation ``daily_sd``:

       .. math::

           a_1 = \sigma \varepsilon_1, \qquad
           a_d = \phi a_{d-1} + \sigma \sqrt{1 - \phi^2}\, \varepsilon_d,
           \qquad \varepsilon_d \sim N(0, 1)

    2. **Daily extremes.** :math:`T_{max,d} = \bar T_{max,m(d)} + s(a_d)`,
       :math:`T_{min,d} = \bar T_{min,m(d)} + s(a_d)` with the month's normal (constant over
       the month) and the same anomaly for max and min, where
       :math:`s(a) = \lambda a` for :math:`a > 0` and :math:`a` otherwise.
    3. **Hourly profile** (ASHRAE 2009 HOF ch. 14, Table 6 [1]_):
       :math:`T(h) = T_{max} - f(h) (T_{max} - T_{min})`, ``f`` =
       :data:`ASHRAE_2009_DAILY_RANGE_FRACTION` by hour ending (minimum at hour 5, maximum
       at hours 14-15). The tabulated solar time is taken as local standard time.
    4. **Wet bulb** follows the same profile between its own monthly max/min plus
       :math:`k\, s(a_d)`, capped at the dry bulb:
       :math:`T_{wb}(h) = \min(T_{wb,max} + k s(a_d) - f(h)(T_{wb,max} - T_{wb,min}), T(h))`.
    5. **Calibration.** The warm-anomaly factor :math:`\lambda \ge 0` is found by bisection so
       that the 0.4 % dry bulb of the 8760 h (:func:`design_condition_from_hours`) equals
       ``design_dry_bulb`` (stopping within 0.05 K; 0.3 K is guaranteed or an error raised).
       Scaling only the warm anomalies sets the hot tail without moving the cold part of the
       year. Then, unless ``wet_bulb_anomaly_scale`` is given, :math:`k \in [0, 1]` is chosen
       on a 0.01 grid so that the mean coincident wet bulb is closest to ``design_wet_bulb``.

    Same arguments and seed give identical output.

    Parameters
    ----------
    monthly_max, monthly_min : array-like of 12 floats
        Normal daily maximum / minimum dry bulb, January..December [degC].
    monthly_wet_bulb_max, monthly_wet_bulb_min : array-like of 12 floats
        Normal daily maximum / minimum wet bulb [degC].
    design_dry_bulb : float
        Cooling 0.4 % design dry bulb the synthetic year must reproduce [degC].
    design_wet_bulb : float
        Mean coincident wet bulb at the design dry bulb [degC].
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    daily_sd : float, default 2.5
        Standard deviation of the daily anomaly before calibration [K]; 0 gives the normals
        unchanged (calibration then only checks the design).
    lag1_autocorrelation : float, default 0.7
        AR(1) coefficient :math:`\phi` of the daily anomaly [-], in [0, 1).
    wet_bulb_anomaly_scale : float or None, default None
        Factor :math:`k` on the anomaly for the wet bulb [-]; None calibrates it.
    design_source : str
        Text for :attr:`Climate.design_source` (e.g. ``"site file climate.design_dry_bulb"``).

    Returns
    -------
    Climate
        With ``design_dry_bulb``/``design_wet_bulb`` as given and no evaporation wet bulb.

    Raises
    ------
    ClimateError
        For malformed normals, or when the normals and anomalies cannot reach the design dry
        bulb within 0.3 K (e.g. normals hotter than the design, or ``daily_sd`` = 0 with a
        design away from the normals).

    References
    ----------
    .. [1] ASHRAE, 2009. Handbook - Fundamentals, ch. 14, Table 6; also EnergyPlus
       Engineering Reference, "Climate Calculations".
    .. [2] Wilks, D. S., 2011. Statistical Methods in the Atmospheric Sciences, 3rd ed.,
       section 9.3 (first-order autoregression).
    """
    tmax = _twelve("monthly_max", monthly_max)
    tmin = _twelve("monthly_min", monthly_min)
    wbmax = _twelve("monthly_wet_bulb_max", monthly_wet_bulb_max)
    wbmin = _twelve("monthly_wet_bulb_min", monthly_wet_bulb_min)
    if np.any(tmin > tmax) or np.any(wbmin > wbmax):
        raise ClimateError("monthly minima must not exceed monthly maxima")
    design_dry_bulb = float(design_dry_bulb)
    design_wet_bulb = float(design_wet_bulb)
    if not (math.isfinite(design_dry_bulb) and math.isfinite(design_wet_bulb)):
        raise ClimateError("design dry and wet bulb must be finite [degC]")
    if not daily_sd >= 0 or not 0 <= lag1_autocorrelation < 1:
        raise ClimateError("daily_sd must be >= 0 and lag1_autocorrelation in [0, 1)")

    timestamps = _nominal_year_timestamps()
    month = _month_of(timestamps)
    day_month = month[::24] - 1                       # (365,) month index per day
    f = ASHRAE_2009_DAILY_RANGE_FRACTION[np.newaxis, :]   # (1, 24)

    rng = np.random.default_rng(seed)
    eps = rng.standard_normal(_DAYS_PER_YEAR)
    phi = float(lag1_autocorrelation)
    anomaly = np.empty(_DAYS_PER_YEAR)
    anomaly[0] = daily_sd * eps[0]
    innovation = daily_sd * math.sqrt(1.0 - phi * phi)
    for d in range(1, _DAYS_PER_YEAR):
        anomaly[d] = phi * anomaly[d - 1] + innovation * eps[d]
    warm = np.maximum(anomaly, 0.0)
    cold = np.minimum(anomaly, 0.0)

    day_max = tmax[day_month][:, np.newaxis]
    day_range = (tmax - tmin)[day_month][:, np.newaxis]

    def dry(scale: float) -> np.ndarray:
        a = (scale * warm + cold)[:, np.newaxis]
        return ((day_max + a) - f * day_range).ravel()

    def q04(scale: float) -> float:
        return float(np.quantile(dry(scale), 1.0 - 0.004))

    tol_stop, tol_max = 0.05, 0.3
    lo, hi = 0.0, 1.0
    q_lo, q_hi = q04(lo), q04(hi)
    while q_hi < design_dry_bulb - tol_stop and hi < 64.0 and np.any(warm > 0):
        lo, q_lo = hi, q_hi
        hi *= 2.0
        q_hi = q04(hi)
    if abs(q_hi - design_dry_bulb) <= tol_stop:
        scale, q = hi, q_hi
    elif abs(q_lo - design_dry_bulb) <= tol_stop:
        scale, q = lo, q_lo
    elif q_lo < design_dry_bulb < q_hi:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            q_mid = q04(mid)
            if abs(q_mid - design_dry_bulb) <= tol_stop:
                break
            if q_mid < design_dry_bulb:
                lo = mid
            else:
                hi = mid
        scale, q = mid, q_mid
    else:
        scale, q = (lo, q_lo) if abs(q_lo - design_dry_bulb) < abs(q_hi - design_dry_bulb) \
            else (hi, q_hi)
    if abs(q - design_dry_bulb) > tol_max:
        raise ClimateError(
            f"synthetic climate cannot reach the design dry bulb {design_dry_bulb:g} degC: "
            f"its 0.4 % dry bulb spans {q04(0.0):.2f}..{q_hi:.2f} degC for warm-anomaly "
            f"scales 0..{hi:g} (daily_sd {daily_sd:g} K); check the monthly normals "
            "against the design condition"
        )
    dry_bulb = dry(scale)
    day_anomaly = scale * warm + cold

    wb_max = wbmax[day_month][:, np.newaxis]
    wb_range = (wbmax - wbmin)[day_month][:, np.newaxis]
    wb_base = (wb_max - f * wb_range).ravel()
    hour_anomaly = np.repeat(day_anomaly, 24)
    window = np.abs(dry_bulb - q) <= _COINCIDENT_WINDOW + 1e-9

    def wet(k: float) -> np.ndarray:
        return np.minimum(wb_base + k * hour_anomaly, dry_bulb)

    if wet_bulb_anomaly_scale is None:
        grid = np.round(np.linspace(0.0, 1.0, 101), 2)
        if np.any(window):
            miss = [abs(float(wet(k)[window].mean()) - design_wet_bulb) for k in grid]
            k = float(grid[int(np.argmin(miss))])
        else:
            k = 0.5
    else:
        k = float(wet_bulb_anomaly_scale)
    wet_bulb = wet(k)
    _, mcwb = design_condition_from_hours(dry_bulb, wet_bulb)

    source = (
        f"synthesised from monthly normals, seed {seed} (AR(1) daily anomaly sd {daily_sd:g} K, "
        f"phi {phi:g}; warm-anomaly scale {scale:.3f}; wet-bulb anomaly scale {k:.2f}; "
        f"ASHRAE 2009 HOF Table 6 hourly profile)"
    )
    full_design_source = (
        f"{design_source}: DB {design_dry_bulb:g} degC / MCWB {design_wet_bulb:g} degC "
        f"(synthetic hours: 0.4 % DB {q:.2f} degC, MCWB {mcwb:.2f} degC)"
    )
    return Climate(dry_bulb, wet_bulb, timestamps, month, design_dry_bulb,
                   min(design_wet_bulb, design_dry_bulb), None, full_design_source, source)


def constant_climate(dry_bulb, wet_bulb, hours=HOURS_PER_YEAR):
    """A climate with the same dry and wet bulb in every hour (tests, tiny sites).

    Parameters
    ----------
    dry_bulb : float
        Dry bulb [degC].
    wet_bulb : float
        Wet bulb [degC], not above ``dry_bulb``.
    hours : int, default 8760
        Number of hours from 1 January 00:00 of the nominal year, 1..8760 [h].

    Returns
    -------
    Climate
        Design condition = the constant condition; evaporation wet bulb = ``wet_bulb``.
    """
    hours = int(hours)
    if not 1 <= hours <= HOURS_PER_YEAR:
        raise ClimateError(f"constant_climate needs 1..{HOURS_PER_YEAR} hours, got {hours}")
    db, wb = float(dry_bulb), float(wet_bulb)
    if not (math.isfinite(db) and math.isfinite(wb)) or wb > db:
        raise ClimateError(
            f"constant climate needs finite wet bulb {wb} <= dry bulb {db} [degC]"
        )
    ts = _nominal_year_timestamps(hours)
    return Climate(np.full(hours, db), np.full(hours, wb), ts, _month_of(ts), db, wb, wb,
                   "constant climate", f"constant {db:g} degC dry bulb / {wb:g} degC wet bulb, "
                   f"{hours} h")


# --------------------------------------------------------------------------------------------
# selection helpers
# --------------------------------------------------------------------------------------------


def hottest_hour(climate):
    """Index of the hour with the highest dry bulb (first one on ties).

    Parameters
    ----------
    climate : Climate

    Returns
    -------
    int
        Hour index into ``climate.dry_bulb`` [h].
    """
    return int(np.argmax(climate.dry_bulb))


def representative_days(climate, n_days):
    """Pick ``n_days`` whole days that stand for the year, with weights.

    Deterministic, without clustering:

    1. The day holding the hottest dry-bulb hour and the day holding the highest wet-bulb hour
       are always selected, each standing for itself (weight 1).
    2. The other days are sorted by daily maximum dry bulb (stable sort, ties by date) and
       split into ``n_days - n_forced`` contiguous groups of near-equal size
       (:func:`numpy.array_split`); the middle day of each group (its median quantile) is
       selected and stands for all days of its group.
    3. If ``n_days`` equals the number of forced days, the hottest day also stands for all
       remaining days (conservative).

    Parameters
    ----------
    climate : Climate
        Hours must be a whole number of days starting at 00:00.
    n_days : int
        Number of days to pick, 1..(number of days).

    Returns
    -------
    hour_indices : numpy.ndarray of int
        Indices of the selected hours, 24 per day, in chronological order.
    weights : numpy.ndarray of float
        Days each selected hour represents [-]; ``weights.sum() == climate.n_hours`` and the
        weighted sum of an hourly quantity estimates its annual total.

    Raises
    ------
    ValueError
        If ``n_days`` is out of range (or below the number of forced days) or the hours are
        not whole days.
    """
    n_hours = climate.n_hours
    if n_hours % 24:
        raise ValueError(f"representative_days needs whole days; climate has {n_hours} h")
    n_total = n_hours // 24
    n_days = int(n_days)
    db = climate.dry_bulb.reshape(n_total, 24)
    hot_day = hottest_hour(climate) // 24
    wet_day = int(np.argmax(climate.wet_bulb)) // 24
    forced = [hot_day] if wet_day == hot_day else [hot_day, wet_day]
    if not len(forced) <= n_days <= n_total:
        raise ValueError(
            f"n_days must lie in {len(forced)}..{n_total} (the hottest and the most humid "
            f"day are always included), got {n_days}"
        )
    weight_of = {d: 1.0 for d in forced}
    others = np.array([d for d in range(n_total) if d not in weight_of], dtype=int)
    n_groups = n_days - len(forced)
    if n_groups == 0:
        weight_of[hot_day] += float(others.size)
    else:
        order = others[np.argsort(db.max(axis=1)[others], kind="stable")]
        for group in np.array_split(order, n_groups):
            weight_of[int(group[(group.size - 1) // 2])] = float(group.size)
    days = np.array(sorted(weight_of), dtype=int)
    hour_indices = (days[:, np.newaxis] * 24 + np.arange(24)).ravel()
    weights = np.repeat([weight_of[d] for d in days], 24)
    return hour_indices, weights
