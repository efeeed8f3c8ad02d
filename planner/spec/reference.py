"""docs/site-reference.md, generated from the pydantic schema of a site file.

Regenerate after changing planner/spec/site.py::

    python -m planner.spec.reference > docs/site-reference.md

Each key of each table gets its TOML path, whether it is required, its kind and canonical unit
(for a quantity written as a string with a unit), its default, its allowed range and its
description. A test compares this text with the committed file.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from planner.spec.fields import Measured
from planner.spec.site import Site
from planner.units import KINDS

COMMAND = "python -m planner.spec.reference > docs/site-reference.md"

#: Descriptions for keys the schema leaves without one (move them into site.py when it is next edited).
EXTRA_DESCRIPTIONS = {
    "tariff.name": "Tariff name, for the report.",
    "climate.monthly_max_dry_bulb": "Normal daily maximum dry bulb of each month, January to December.",
    "climate.monthly_min_dry_bulb": "Normal daily minimum dry bulb of each month, January to December.",
    "climate.monthly_max_wet_bulb": "Normal daily maximum wet bulb of each month, January to December.",
    "climate.monthly_min_wet_bulb": "Normal daily minimum wet bulb of each month, January to December.",
    "climate.constant_wet_bulb": "Same wet bulb every hour (with constant_dry_bulb).",
    "cooling.facility_fluid": "Fluid of the facility (liquid) loop: water or propylene glycol 25 % / 30 %.",
    "scenarios": "Named overrides for `--scenario NAME`: each `[scenarios.NAME]` holds `\"TOML.path\" = value` "
                 "pairs, applied to the file before it is validated.",
}

#: Rules between keys of a table (checked by the schema's validators), stated once per table.
TABLE_NOTES = {
    "climate": "One source of hourly weather: a `weather_file`, or all four `monthly_*` normals (synthesised "
               "weather, which also needs `design_dry_bulb` and `design_wet_bulb`), or `constant_dry_bulb` "
               "with `constant_wet_bulb` (not above the dry bulb). `design_from = \"site\"` needs "
               "`design_dry_bulb` and `design_wet_bulb`.",
    "tariff.time_of_use": "Repeat the table for each period; hours are hour-starting, 0-23.",
    "layouts": "Each id must be listed in `choices.heat_rejection`.",
    "choices": "Ids of hardware files under `site.hardware_dir` (listed by `plan catalog`).",
}


def _base_description(info: FieldInfo, kind: str | None) -> tuple[str, str]:
    """The field's own words and, for a quantity, its range, split out of the description ``quantity`` wrote."""
    text = info.description or ""
    if kind is None:
        return text, ""
    spec = KINDS[kind]
    marker = f" [{spec.name}, e.g. '{spec.example}'"
    at = text.rfind(marker)
    if at < 0:
        return text, ""
    rest = text[at + len(marker):]
    bounds = rest[2:-1] if rest.startswith("; ") else ""
    return text[:at], bounds


def _quantity_meta(annotation: Any) -> dict | None:
    """``{"kind", "unit", "description"}`` of an Annotated quantity type, else None."""
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in typing.get_args(annotation)[1:]:
            if isinstance(meta, FieldInfo) and isinstance(meta.json_schema_extra, dict) \
                    and "kind" in meta.json_schema_extra:
                return {**meta.json_schema_extra, "info": meta}
    return None


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _unit_text(kind: str) -> str:
    unit = KINDS[kind].canonical
    return "" if unit == "dimensionless" else f" [{unit}]"


def _kind_text(annotation: Any) -> str:
    """What a key holds, in words: "electric_power [MW]", "list of 12 temperature [degC]", "string" ..."""
    annotation = _strip_optional(annotation)
    q = _quantity_meta(annotation)
    if q is not None:
        return f"{q['kind']}{_unit_text(q['kind'])}"
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{v!r}`".replace("'", '"') for v in typing.get_args(annotation))
    if origin is list:
        return f"list of {_kind_text(typing.get_args(annotation)[0])}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"table of {_kind_text(key)} = {_kind_text(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "table", Measured: "quantity"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _range_text(info: FieldInfo, bounds: str) -> str:
    parts = [bounds] if bounds else []
    for meta in info.metadata:
        for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if isinstance(meta, getattr(annotated_types, attr.capitalize())):
                parts.append(f"{op} {getattr(meta, attr):g}")
    lengths = [m for m in info.metadata if isinstance(m, (annotated_types.MinLen, annotated_types.MaxLen))]
    lo = next((m.min_length for m in lengths if isinstance(m, annotated_types.MinLen)), None)
    hi = next((m.max_length for m in lengths if isinstance(m, annotated_types.MaxLen)), None)
    if lo is not None and lo == hi:
        parts.append(f"exactly {lo} items")
    else:
        if lo:
            parts.append(f"at least {lo} item{'s' if lo > 1 else ''}")
        if hi is not None:
            parts.append(f"at most {hi} items")
    return "; ".join(parts)


def _item_bounds(annotation: Any) -> tuple[str, str]:
    """Description and range of the quantity inside a list or dict (e.g. a list of temperatures)."""
    annotation = _strip_optional(annotation)
    args = typing.get_args(annotation) if typing.get_origin(annotation) in (list, dict) else ()
    for arg in args[-1:]:
        q = _quantity_meta(arg)
        if q is not None:
            return _base_description(q["info"], q["kind"])
    return "", ""


def _default_text(info: FieldInfo) -> str:
    if info.is_required():
        return ""
    if info.default_factory is not None:
        value = info.default_factory()
    else:
        value = info.default
    if value is None or value is PydanticUndefined:
        return "none"
    if isinstance(value, BaseModel):
        return "(table defaults)"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, dict)) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    return f"`{value!r}`"


def _field_parts(info: FieldInfo, full: str) -> tuple[str, str, str]:
    """(kind [unit], description, range) of one key."""
    direct = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "kind" in direct:  # a quantity field: pydantic merged quantity()'s FieldInfo into this one
        kind = direct["kind"]
        words, bounds = _base_description(info, kind)
        kind_text = f"{kind}{_unit_text(kind)}"
    else:
        inner = _quantity_meta(_strip_optional(info.annotation))
        if inner is not None:  # Optional[quantity]: the bounds live on the inner type
            inner_words, bounds = _base_description(inner["info"], inner["kind"])
        else:
            inner_words, bounds = _item_bounds(info.annotation)
        words = info.description or EXTRA_DESCRIPTIONS.get(full, "") or inner_words
        kind_text = _kind_text(info.annotation)
    words = words or EXTRA_DESCRIPTIONS.get(full, "")
    if words and not words.endswith("."):
        words += "."
    return kind_text, words, _range_text(info, bounds)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sub_model(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """A table inside this key: (model, how it is written: "table", "array", "named")."""
    annotation = _strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, "table"
    origin = typing.get_origin(annotation)
    if origin is list:
        inner = typing.get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, "array"
    if origin is dict:
        inner = typing.get_args(annotation)[1]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, "named"
    return None, ""


def _table(model: type[BaseModel], path: str, header: str, required: bool, description: str,
           out: list[str]) -> None:
    rows: list[str] = []
    nested: list[tuple[type[BaseModel], str, str, bool, str]] = []
    for name, info in model.model_fields.items():
        full = f"{path}.{name}"
        sub, how = _sub_model(info.annotation)
        if sub is not None:
            heading = {"table": f"[{full}]", "array": f"[[{full}]]", "named": f"[{full}.NAME]"}[how]
            key_path = {"table": full, "array": f"{full}[N]", "named": f"{full}.NAME"}[how]
            nested.append((sub, key_path, heading, info.is_required(),
                           info.description or EXTRA_DESCRIPTIONS.get(full, "")))
            continue
        kind_text, words, range_text = _field_parts(info, full)
        rows.append("| " + " | ".join(_cell(c) for c in (
            f"`{full}`", "**required**" if info.is_required() else "optional", kind_text,
            _default_text(info), range_text, words,
        )) + " |")
    out.append(f"## {header}")
    out.append("")
    out.append(("Required table." if required else "Optional table.") + (f" {description}" if description else ""))
    note = TABLE_NOTES.get(path.removesuffix(".NAME").removesuffix("[N]"))
    if note:
        out.append("")
        out.append(note)
    out.append("")
    if rows:
        out.append("| key | required | kind [unit] | default | range | description |")
        out.append("|---|---|---|---|---|---|")
        out.extend(rows)
        out.append("")
    for sub, sub_path, heading, sub_required, sub_description in nested:
        _table(sub, sub_path, heading, sub_required, sub_description, out)


def _kinds_used(model: type[BaseModel], seen: set[str]) -> set[str]:
    for info in model.model_fields.values():
        if isinstance(info.json_schema_extra, dict) and "kind" in info.json_schema_extra:
            seen.add(info.json_schema_extra["kind"])
        stack = [info.annotation]
        while stack:
            ann = stack.pop()
            q = _quantity_meta(ann)
            if q is not None:
                seen.add(q["kind"])
                continue
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                _kinds_used(ann, seen)
                continue
            stack.extend(a for a in typing.get_args(ann) if not isinstance(a, (str, int, float)))
    return seen


def site_reference() -> str:
    """The text of docs/site-reference.md."""
    out = [
        "# Site file reference",
        "",
        f"<!-- Generated from planner/spec/site.py; do not edit. Regenerate with: {COMMAND} -->",
        "",
        "A site file (`sites/*.toml`) has the tables below. A key marked **required** must be given when its "
        "table is present; a required table must be present. Any other key is refused, with the nearest "
        "valid name. `--set PATH=VALUE` and `[scenarios.NAME]` use the TOML paths shown here.",
        "",
        "A quantity is a string with a unit (`grid_limit = \"18 MW\"`), read by the planner's pint "
        "registry and checked against its kind; it is converted to the canonical unit shown in brackets, "
        "in which the ranges are also given. Any unit of the same kind may be written. Kinds used here:",
        "",
        "| kind | canonical unit | example |",
        "|---|---|---|",
    ]
    for kind in sorted(_kinds_used(Site, set())):
        spec = KINDS[kind]
        out.append(f"| {kind} | {spec.canonical} | `\"{spec.example}\"` |")
    out.append("")
    for name, info in Site.model_fields.items():
        sub, how = _sub_model(info.annotation)
        if sub is None:
            kind = _kind_text(info.annotation)
            out.append(f"## [{name}.NAME]" if kind.startswith("table") else f"## {name}")
            out.append("")
            out.append("Optional table. " + (EXTRA_DESCRIPTIONS.get(name) or info.description or ""))
            out.append("")
            continue
        heading = {"table": f"[{name}]", "array": f"[[{name}]]", "named": f"[{name}.NAME]"}[how]
        _table(sub, name if how != "named" else f"{name}.NAME", heading, info.is_required(),
               info.description or EXTRA_DESCRIPTIONS.get(name, ""), out)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def main() -> int:
    sys.stdout.write(site_reference())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
