"""``--set PATH=VALUE`` overrides read from the command line, shared by every command and study."""

from __future__ import annotations

import tomllib
from typing import Any

from planner.load import InputError


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """`--set PATH=VALUE` pairs; VALUE is read as a TOML value, else as a string.

    Parameters
    ----------
    items : list of str or None
        ``PATH=VALUE`` strings as given on the command line.

    Returns
    -------
    dict
        TOML path -> value, in the order given.

    Raises
    ------
    InputError
        A pair without ``=``, or a value that nests arrays too deep.
    """
    from planner.load import DEPTH_MAX, toml_depth_problem

    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError("--set", item, "expected PATH=VALUE, e.g. --set site.grid_limit='20 MW'")
        path, raw = item.split("=", 1)
        path, raw = path.strip(), raw.strip()
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        except RecursionError:
            raise InputError("--set", path, f"arrays nest too deep; at most {DEPTH_MAX} levels are allowed") from None
        problem = toml_depth_problem(value, DEPTH_MAX)
        if problem:
            raise InputError("--set", path, problem)
        out[path] = value
    return out


__all__ = ["parse_sets"]
