"""Quantity fields for the pydantic models of the TOML files.

A field declared with :func:`quantity` accepts a string with a unit, checks its
kind (dimension, absolute or difference temperature, heat or electricity) and its
range, and stores a :class:`Measured`: the text as written, the pint quantity and
the canonical magnitude used by the model.
"""

from __future__ import annotations

import math
import os
from typing import Annotated, Any

import pint
from pydantic import ConfigDict, Field, PlainSerializer, PlainValidator
from pydantic import BaseModel as _PydanticBase

from planner.units import KINDS, UnitError, format_quantity, parse_quantity, to_canonical


class Measured:
    """A checked quantity: the text as written, its kind and its canonical value."""

    __slots__ = ("text", "kind", "quantity", "value")

    def __init__(self, text: str, kind: str, quantity: pint.Quantity, value: float):
        self.text = text
        self.kind = kind
        self.quantity = quantity
        self.value = value

    @property
    def unit(self) -> str:
        """The canonical unit of :attr:`value`."""
        return KINDS[self.kind].canonical

    def __repr__(self) -> str:
        return f"Measured({self.text!r} = {self.value:g} {self.unit})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Measured) and (self.kind, self.value) == (other.kind, other.value)

    def __hash__(self) -> int:
        return hash((self.kind, self.value))


def _bounds_text(kind: str, ge, gt, le, lt) -> str:
    unit = KINDS[kind].canonical
    unit = "" if unit == "dimensionless" else unit
    parts = []
    if ge is not None:
        parts.append(f">= {format_quantity(ge, unit)}")
    if gt is not None:
        parts.append(f"> {format_quantity(gt, unit)}")
    if le is not None:
        parts.append(f"<= {format_quantity(le, unit)}")
    if lt is not None:
        parts.append(f"< {format_quantity(lt, unit)}")
    return " and ".join(parts)


# Beyond this canonical magnitude (1e12 USD, 1e12 m^2, 1e12 MW ...) no site value is plausible;
# fields state tighter ranges where the plan depends on them.
MAGNITUDE_MAX = 1e12


def _short(raw: Any, n: int = 60) -> str:
    text = repr(raw)
    return text if len(text) <= n else text[:n] + f"... ({len(text):,} characters)"


def _make_validator(kind: str, ge, gt, le, lt):
    def validate(raw: Any) -> Measured:
        if isinstance(raw, Measured):
            return raw
        try:
            q = parse_quantity(raw, kind)
        except UnitError as err:
            raise ValueError(str(err)) from None
        value = to_canonical(q, kind)
        if not (math.isfinite(value) and math.isfinite(float(q.magnitude))):
            raise ValueError(f"expected a finite number, got {_short(raw)} (read as {value:g})")
        if abs(value) > MAGNITUDE_MAX:
            unit = KINDS[kind].canonical
            unit = "" if unit == "dimensionless" else unit
            raise ValueError(
                f"out of range: {_short(raw)} is {value:.3g} {unit}".rstrip()
                + f"; no plausible value exceeds {MAGNITUDE_MAX:.0e} {unit}".rstrip()
                + (f" (expected {_bounds_text(kind, ge, gt, le, lt)})" if any(b is not None for b in (ge, gt, le, lt)) else "")
            )
        ok = (
            (ge is None or value >= ge)
            and (gt is None or value > gt)
            and (le is None or value <= le)
            and (lt is None or value < lt)
        )
        if not ok:
            unit = KINDS[kind].canonical
            unit = "" if unit == "dimensionless" else unit
            raise ValueError(
                f"out of range: {_short(raw)} is {format_quantity(value, unit)}; "
                f"expected {_bounds_text(kind, ge, gt, le, lt)}"
            )
        text = raw if isinstance(raw, str) else repr(raw)
        return Measured(text, kind, q, value)

    return validate


def quantity(kind: str, description: str, *, ge=None, gt=None, le=None, lt=None) -> Any:
    """Annotated type for a quantity field of ``kind`` with an optional range.

    Bounds are canonical magnitudes (see :data:`planner.units.KINDS`). The
    description gets the example unit appended, so every field states its unit.
    """
    spec = KINDS[kind]
    bounds = _bounds_text(kind, ge, gt, le, lt)
    full = f"{description} [{spec.name}, e.g. '{spec.example}'{'; ' + bounds if bounds else ''}]"
    return Annotated[
        Measured,
        PlainValidator(_make_validator(kind, ge, gt, le, lt)),
        PlainSerializer(lambda m: m.text, return_type=str),
        Field(description=full, json_schema_extra={"kind": kind, "unit": spec.canonical}),
    ]


NAME_MAX = 255  # bytes per path component (Linux NAME_MAX)
PATH_MAX = 4096  # bytes in a whole path (Linux PATH_MAX)


def path_problem(text: str) -> str | None:
    """Why ``text`` cannot name a file (NUL byte, over-long name), or None."""
    if "\x00" in text:
        return "a path cannot contain a NUL byte"
    raw = os.fsencode(text) if text else b""
    if len(raw) > PATH_MAX:
        return f"the path is {len(raw):,} bytes long; at most {PATH_MAX} are allowed"
    longest = max((len(part) for part in raw.split(b"/")), default=0)
    if longest > NAME_MAX:
        return f"a name in the path is {longest:,} bytes long; at most {NAME_MAX} are allowed per folder or file name"
    return None


class FieldError(ValueError):
    """A cross-field check that fails: ``field`` is the key (relative to the table) to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class StrictModel(_PydanticBase):
    """Base model: unknown keys refused, defaults validated like user input."""

    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)


def measured_fields(model: _PydanticBase, prefix: str = "") -> list[tuple[str, Measured]]:
    """All :class:`Measured` values in a model, with their TOML paths, in file order."""
    out: list[tuple[str, Measured]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Measured):
            out.append((path, value))
        elif isinstance(value, _PydanticBase):
            out.extend(measured_fields(value, path + "."))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, Measured):
                    out.append((f"{path}[{i}]", item))
                elif isinstance(item, _PydanticBase):
                    out.extend(measured_fields(item, f"{path}[{i}]."))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, _PydanticBase):
                    out.extend(measured_fields(item, f"{path}.{key}."))
    return out
