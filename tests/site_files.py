"""Write a site file from a dict in a test's folder, its relative paths made absolute against sites/.

Tests change a parsed copy of a shipped site (``tiny()``), not its text, so they keep working when the
shipped figures change.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "sites"


def read(name: str = "tiny.toml") -> dict:
    return tomllib.loads((SITES / name).read_text())


def merge(base: dict, part: dict) -> dict:
    """``base`` with the tables of ``part`` merged in, key by key."""
    out = copy.deepcopy(base)
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _value(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _value(name)


def write(data: dict, path: Path) -> Path:
    """Write ``data`` as TOML (one inline table per top-level table) to ``path``."""
    data = copy.deepcopy(data)
    site = data.get("site")
    if isinstance(site, dict):
        site["hardware_dir"] = (SITES / site.get("hardware_dir", "../hardware")).resolve().as_posix()
    climate = data.get("climate")
    if isinstance(climate, dict) and climate.get("weather_file"):
        climate["weather_file"] = (SITES / climate["weather_file"]).resolve().as_posix()
    path.write_text("".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items()))
    return path


def cascade_site(folder: Path) -> Path:
    """tests/data/cascade.toml (4 MW) in ``folder`` with the Pasco TMY3 year beside it, its hardware path absolute."""
    import shutil

    shutil.copy(SITES / "weather" / "USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw", folder / "cascade_weather.epw")
    text = (ROOT / "tests" / "data" / "cascade.toml").read_text().replace(
        'hardware_dir = "../../hardware"', f'hardware_dir = "{(ROOT / "hardware").as_posix()}"')
    (folder / "site.toml").write_text(text)
    return folder / "site.toml"
