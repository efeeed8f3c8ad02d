"""Read site and hardware TOML files into validated models.

Every failure becomes an :class:`InputError` naming the file, the TOML path,
what was expected and what was given.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import stat
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from planner.spec.fields import NAME_MAX, PATH_MAX, FieldError, path_problem  # noqa: F401
from planner.spec.hardware import HARDWARE_KINDS, AirSide, Cdu, HeatRejection, Miner, PowerEquipment, Rack
from planner.spec.site import Site


class InputError(Exception):
    """Bad input: the file, the TOML path and what is wrong.

    ``path`` and ``message`` are the first problem; ``more`` holds the file's further
    ``(TOML path, message)`` problems, so that all of them are reported at once.
    """

    def __init__(self, file: str | Path, path: str, message: str, more: typing.Iterable[tuple[str, str]] = ()):
        self.file = str(file)
        self.path = path
        self.message = message
        self.more = list(more)
        super().__init__(str(self))

    def __reduce__(self):
        """Pickled with its four arguments, so that one raised in a worker process is raised again as itself."""
        return (type(self), (self.file, self.path, self.message, self.more))

    @property
    def problems(self) -> list[tuple[str, str]]:
        """Every ``(TOML path, message)``, the first one first."""
        return [(self.path, self.message), *self.more]

    def lines(self) -> list[str]:
        """One line per problem: file, TOML path, message."""
        return [(f"{self.file}: {path}: " if path else f"{self.file}: ") + message for path, message in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def input_errors(file: str | Path, problems: list[tuple[str, str]]) -> InputError:
    """One InputError carrying every ``(TOML path, message)`` problem of ``file``."""
    (path, message), *more = problems
    return InputError(file, path, message, more)


def did_you_mean(word: str, candidates: typing.Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or a list of valid names when nothing is close."""
    candidates = sorted(set(candidates))
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if candidates and len(candidates) <= 12:
        return f" (valid: {', '.join(candidates)})"
    return ""


# Size bounds per kind of file read (bytes): a site or hardware file is a few kB, a weather year a few MB.
TOML_MAX_BYTES = 2 * 1024 * 1024
WEATHER_MAX_BYTES = 20 * 1024 * 1024
DEPTH_MAX = 20  # nesting of tables and arrays in a TOML file
# Scanning a hardware folder: how deep, how many folders and files at most.
SCAN_DEPTH, SCAN_DIRS_MAX, SCAN_FILES_MAX = 3, 200, 2000


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.3g} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def file_problem(path: str | Path, limit: int) -> str | None:
    """Why ``path`` is not a regular file of at most ``limit`` bytes (without opening it), or None."""
    problem = path_problem(os.fspath(path))
    if problem:
        return problem
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "file not found"
    except OSError as err:
        return f"cannot read the file ({err.strerror})"
    return _mode_problem(st, limit)


def _mode_problem(st: os.stat_result, limit: int) -> str | None:
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "is a folder, expected a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), expected a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, expected a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, expected a regular file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    if st.st_size > limit:
        return f"the file is {_size_text(st.st_size)}; at most {_size_text(limit)} is read for this kind of file"
    return None


def read_bytes_bounded(path: str | Path, limit: int = TOML_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is an InputError.

    The file is opened without blocking (a FIFO never hangs the planner) and checked after opening
    (no swap between check and read).
    """
    problem = path_problem(os.fspath(path))
    if problem:
        raise InputError(path, "", problem)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a folder, expected a TOML file") from None
    except OSError as err:
        raise InputError(path, "", f"cannot read the file ({err.strerror})") from None
    try:
        problem = _mode_problem(os.fstat(fd), limit)
    except OSError as err:
        problem = f"cannot read the file ({err.strerror})"
    if problem:
        os.close(fd)
        if problem.startswith("is a folder"):
            problem = "is a folder, expected a TOML file"
        raise InputError(path, "", problem)
    with os.fdopen(fd, "rb") as fh:
        try:
            raw = fh.read(limit + 1)
        except OSError as err:
            raise InputError(path, "", f"cannot read the file ({err.strerror})") from None
    if len(raw) > limit:
        raise InputError(path, "", f"the file is larger than {_size_text(limit)}, the most read for this kind of file")
    return raw


def toml_depth_problem(node: Any, limit: int = DEPTH_MAX) -> str | None:
    """A message when tables and arrays nest deeper than ``limit``, else None (iterative: no recursion)."""
    stack = [(node, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > limit:
            return f"tables and arrays nest {depth} deep here; at most {limit} levels are allowed"
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{where}.{k}" if where else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(value))
    return None


def _deepest_path(node: Any, limit: int) -> str:
    stack = [(node, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > limit:
            return where
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{where}.{k}" if where else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(value))
    return ""


def check_depth(data: Any, file: str | Path, limit: int = DEPTH_MAX) -> None:
    """Refuse data nested deeper than ``limit`` before any validation walks it."""
    problem = toml_depth_problem(data, limit)
    if problem:
        where = _deepest_path(data, limit)
        cut = where.split("[", 1)[0] if "[" in where else where
        raise InputError(file, cut, problem)


def _deep_line(text: str) -> tuple[str, str]:
    """The key and line of the first line nesting more than DEPTH_MAX arrays (for a parser that gave up)."""
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count("[") > DEPTH_MAX:
            key = line.split("=", 1)[0].strip() if "=" in line else ""
            key = f"{table}.{key}" if table and key else key or table
            return key, f"arrays nest too deep on line {number}; at most {DEPTH_MAX} levels are allowed"
        header = re.match(r"^\s*\[\[?\s*([^\[\]=]+?)\s*\]\]?\s*(#.*)?$", line)
        if header:
            table = header.group(1)
    return "", f"tables or arrays nest too deep; at most {DEPTH_MAX} levels are allowed"


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; unreadable files, syntax errors and absurd nesting become InputError."""
    path = Path(path)
    raw = read_bytes_bounded(path, TOML_MAX_BYTES)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(path, "", "the file starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF), "
                         "which TOML does not allow; save the file as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, "", f"not UTF-8 text (byte {err.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(path, "", f"malformed TOML: {err}") from None
    except RecursionError:
        raise InputError(path, *_deep_line(text)) from None
    check_depth(data, path)
    return data


def _loc_text(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _model_at(cls: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: type[BaseModel] | None = cls
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap_model(info.annotation)
    return current


def _format_error(cls: type[BaseModel], err: dict, data: dict) -> tuple[str, str]:
    loc = tuple(err["loc"])
    blame = (err.get("ctx") or {}).get("error")
    if isinstance(blame, FieldError):  # a cross-field check names the key to blame
        loc = loc + (blame.field,)
    path = _loc_text(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(cls, loc[:-1])
        names = parent.model_fields.keys() if parent else []
        return path, f"unknown key '{loc[-1]}'{did_you_mean(str(loc[-1]), names)}"
    if kind == "missing":
        parent = _model_at(cls, loc[:-1])
        desc = ""
        if parent is not None and loc and loc[-1] in parent.model_fields:
            desc = parent.model_fields[loc[-1]].description or ""
        if parent is not None and loc and loc[-1] in parent.model_fields and _unwrap_model(
            parent.model_fields[loc[-1]].annotation
        ) is not None:
            return path, f"missing required table [{path}]" + (f": {desc}" if desc else "")
        return path, "missing required field" + (f": {desc}" if desc else "")
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    given = err.get("input")
    if kind in ("literal_error", "int_parsing", "int_type", "float_parsing", "float_type",
                "string_type", "list_type", "too_short", "too_long", "bool_type",
                "greater_than", "greater_than_equal", "less_than", "less_than_equal",
                "dict_type", "model_type", "int_from_float", "finite_number"):
        msg = f"{msg}; got {given!r}"
    return path, msg


def _typos_first(cls: type[BaseModel], errors: list[dict]) -> list[dict]:
    """Unknown keys first; a misspelt key also makes its field "missing": drop that echo."""
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    explained = set()
    for e in extra:
        loc = tuple(e["loc"])
        parent = _model_at(cls, loc[:-1])
        if parent is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(parent.model_fields), n=1, cutoff=0.6)
            if close:
                explained.add(loc[:-1] + (close[0],))
    rest = [e for e in errors if e["type"] != "extra_forbidden"
            and not (e["type"] == "missing" and tuple(e["loc"]) in explained)]
    return extra + rest


def validate(cls: type[BaseModel], data: dict, file: str | Path) -> BaseModel:
    """Validate ``data`` against ``cls``; every error goes into one InputError (typos first)."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        errors = _typos_first(cls, exc.errors(include_url=False))
        problems = list(dict.fromkeys(_format_error(cls, e, data) for e in errors))
        raise input_errors(file, problems) from None


HardwareModel = Rack | Cdu | HeatRejection | AirSide | Miner | PowerEquipment


def load_hardware_file(path: str | Path) -> HardwareModel:
    """Read one hardware file; its ``kind`` picks the schema."""
    data = read_toml(path)
    kind = data.get("kind")
    if kind is None:
        raise InputError(path, "kind", f"missing required field: one of {', '.join(HARDWARE_KINDS)}")
    if not isinstance(kind, str):
        raise InputError(path, "kind", f"expected a string, one of {', '.join(HARDWARE_KINDS)}; got {kind!r}")
    if kind not in HARDWARE_KINDS:
        raise InputError(path, "kind", f"unknown hardware kind {kind!r}{did_you_mean(str(kind), HARDWARE_KINDS)}")
    return validate(HARDWARE_KINDS[kind], data, path)


@dataclass
class Catalog:
    """All hardware files under a folder, by id."""

    root: Path
    items: dict[str, HardwareModel] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def of_kind(self, kinds: tuple[str, ...]) -> dict[str, HardwareModel]:
        return {k: v for k, v in self.items.items() if v.kind in kinds}


_SYSTEM_DIRS = ("/", "/proc", "/sys", "/dev", "/run")


def hardware_files(root: Path, file: str | Path | None = None, toml_path: str = "") -> list[Path]:
    """The ``*.toml`` files of a hardware folder: its own and those of sub-folders, bounded.

    At most :data:`SCAN_DEPTH` folders deep, :data:`SCAN_DIRS_MAX` folders and :data:`SCAN_FILES_MAX`
    files; hidden entries are skipped and symbolic links to folders are not followed (no loops).
    A system folder (/, /proc, /sys, /dev) is refused. Errors name ``file`` and ``toml_path`` when
    given (the site file and ``site.hardware_dir``), else the folder.
    """
    where, path = (file, toml_path) if file is not None else (root, "")
    resolved = os.path.realpath(root)
    if resolved in _SYSTEM_DIRS or any(resolved.startswith(d + "/") for d in _SYSTEM_DIRS[1:]):
        raise InputError(where, path, f"{root} is a system folder, not a hardware catalogue "
                         "(expected a folder such as ../hardware with racks/, cooling/, miners/, power/)")
    found: list[Path] = []
    folders = 0
    pending = [(root, 0)]
    while pending:
        folder, depth = pending.pop()
        folders += 1
        if folders > SCAN_DIRS_MAX:
            raise InputError(where, path, f"{root} holds more than {SCAN_DIRS_MAX} folders; expected a hardware "
                             "catalogue such as ../hardware (racks/, cooling/, miners/, power/)")
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as err:
            raise InputError(where, path, f"cannot list the folder {folder} ({err.strerror})") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth + 1 < SCAN_DEPTH:
                        pending.append((Path(entry.path), depth + 1))
                elif entry.name.endswith(".toml"):
                    found.append(Path(entry.path))
            except OSError:
                continue
            if len(found) > SCAN_FILES_MAX:
                raise InputError(where, path, f"{root} holds more than {SCAN_FILES_MAX} TOML files; expected a "
                                 "hardware catalogue such as ../hardware")
    return sorted(found)


def load_catalog(root: str | Path, file: str | Path | None = None, toml_path: str = "") -> Catalog:
    """Load every ``*.toml`` below ``root`` (see :func:`hardware_files`); ids must be unique."""
    problem = path_problem(os.fspath(root))
    if problem:
        raise InputError(file if file is not None else root, toml_path if file is not None else "", problem)
    root = Path(root)
    if not root.is_dir():
        if file is not None:
            raise InputError(file, toml_path, f"hardware folder {root} not found")
        raise InputError(root, "", "hardware folder not found")
    catalog = Catalog(root)
    for path in hardware_files(root, file, toml_path):
        item = load_hardware_file(path)
        if item.id in catalog.items:
            raise InputError(path, "id", f"id {item.id!r} is also used by {catalog.files[item.id]}")
        catalog.items[item.id] = item
        catalog.files[item.id] = path
    return catalog


@dataclass
class LoadedSite:
    """A validated site with the hardware it may use, resolved from the catalogue."""

    path: Path
    spec: Site
    catalog: Catalog
    racks: list[Rack]
    cdus: list[Cdu]
    heat_rejection: list[HeatRejection]
    air_side: list[AirSide]
    miners: list[Miner]
    ups: PowerEquipment
    transformer: PowerEquipment
    weather_path: Path | None
    overrides: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # of each override: "--set" or "[scenarios.NAME]"


_CHOICE_KINDS = {
    "racks": ("rack",),
    "cdus": ("cdu",),
    "heat_rejection": ("heat_rejection",),
    "air_side": ("air_side",),
    "miners": ("miner",),
    "ups": ("ups",),
    "transformer": ("transformer",),
}


def _resolve(catalog: Catalog, file: Path, key: str, ids: list[str] | str) -> list:
    kinds = _CHOICE_KINDS[key]
    pool = catalog.of_kind(kinds)
    single = isinstance(ids, str)
    out = []
    problems = []
    for i, hid in enumerate([ids] if single else ids):
        path = f"choices.{key}" + ("" if single else f"[{i}]")
        if hid not in pool:
            other = catalog.items.get(hid)
            if other is not None:
                problems.append((path, f"{hid!r} is a {other.kind}, expected a {kinds[0]} ({catalog.files[hid]})"))
            else:
                problems.append((path, f"no {kinds[0]} with id {hid!r} under {catalog.root}{did_you_mean(hid, pool)}"))
            continue
        out.append(pool[hid])
    if not single and len(set(ids)) != len(ids):
        problems.append((f"choices.{key}", f"an id is listed twice: {ids}"))
    if problems:
        raise input_errors(file, problems)
    return out


def set_path(data: dict, dotted: str, value: Any, file: str | Path) -> None:
    """Set ``a.b.c`` in nested dicts, refusing paths the schema does not know.

    A table of named entries (``layouts.NAME.liquid``) takes any name as its key,
    then the schema of its entries again.
    """
    parts = dotted.split(".")
    cls: type[BaseModel] | None = Site
    free_key: type[BaseModel] | None | bool = False  # the next part names an entry of a dict table
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if free_key is not False:
            cls, free_key = free_key, False
        elif cls is not None:
            if part not in cls.model_fields:
                prefix = ".".join(parts[:depth])
                raise InputError(
                    file, dotted, f"unknown key '{part}'" + (f" in [{prefix}]" if prefix else "")
                    + did_you_mean(part, cls.model_fields)
                )
            info = cls.model_fields[part]
            is_dict = typing.get_origin(info.annotation) is dict
            nxt = _unwrap_model(info.annotation)
            if not last and nxt is None and not is_dict:
                raise InputError(file, dotted, f"'{part}' is a value, not a table")
            if is_dict:
                free_key, nxt = _unwrap_model(typing.get_args(info.annotation)[1]), None
            cls = nxt
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InputError(file, dotted, f"'{part}' is not a table")


def apply_overrides(data: dict, overrides: dict[str, Any], file: str | Path) -> dict:
    """A copy of ``data`` with each ``path = value`` override applied."""
    data = copy.deepcopy(data)
    for dotted, value in overrides.items():
        set_path(data, dotted, value, file)
    return data


def load_site(path: str | Path, overrides: dict[str, Any] | None = None, scenario: str | None = None) -> LoadedSite:
    """Read a site file, apply a scenario and overrides, and resolve its hardware."""
    path = Path(path)
    data = read_toml(path)
    if not data:
        raise InputError(path, "", "the file is empty; a site file needs the tables [site], [climate], "
                         "[tariff], [market], [gpu_market], [economics] and [choices]")
    if "kind" in data and "site" not in data:
        raise InputError(path, "kind", f"this is a hardware file (kind = {data['kind']!r}), not a site file; "
                         "name a site file such as sites/washington.toml (hardware is listed by `plan catalog`)")
    applied: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if scenario is not None:
        scenarios = data.get("scenarios", {})
        if not isinstance(scenarios, dict) or scenario not in scenarios:
            hint = did_you_mean(scenario, scenarios) if scenarios else " (the file has no [scenarios] table)"
            raise InputError(path, f"scenarios.{scenario}", f"no such scenario{hint}")
        table = scenarios[scenario]
        if not isinstance(table, dict):
            raise InputError(path, f"scenarios.{scenario}", "expected a table of TOML path = value")
        for key, value in _flatten(table).items():
            applied[key] = value
            origin[key] = f"[scenarios.{scenario}]"
    for key, value in (overrides or {}).items():
        applied[key] = value
        origin[key] = "--set"
    if applied:
        data = copy.deepcopy(data)
        for dotted, value in applied.items():
            try:
                set_path(data, dotted, value, path)
            except InputError as err:
                raise _from_override(err, origin.get(dotted)) from None
    try:
        spec = validate(Site, data, path)
    except InputError as err:
        raise _from_overrides(err, origin) from None
    layout_problems = [(where, f"{hid!r} is not among choices.heat_rejection{did_you_mean(hid, offered)}")
                       for where, hid, offered in spec.layout_problems()]
    if layout_problems:
        raise _from_overrides(input_errors(path, layout_problems), origin)
    hw_root = (path.parent / spec.site.hardware_dir).resolve()
    for problem in (path_problem(str(hw_root)),):
        if problem:
            raise _from_override(InputError(path, "site.hardware_dir", problem),
                                 _override_origin("site.hardware_dir", origin))
    if not hw_root.is_dir():
        raise InputError(path, "site.hardware_dir", f"hardware folder {hw_root} not found")
    catalog = load_catalog(hw_root, path, "site.hardware_dir")
    ch = spec.choices
    weather_path = None
    if spec.climate.weather_file is not None:
        weather_path = (path.parent / spec.climate.weather_file).resolve()
        problem = file_problem(weather_path, WEATHER_MAX_BYTES)
        if weather_path.suffix.lower() not in (".epw", ".csv"):
            problem = (f"weather file {weather_path} is neither an EPW (.epw) nor a TMY3 (.csv) file"
                       if problem is None or problem == "file not found" else f"weather file {weather_path}: {problem}")
        elif problem == "file not found":
            problem = f"weather file {weather_path} not found"
        elif problem:
            problem = f"weather file {weather_path}: {problem}"
        if problem:
            raise _from_override(InputError(path, "climate.weather_file", problem),
                                 _override_origin("climate.weather_file", origin))
        if not weather_path.is_file():
            raise InputError(path, "climate.weather_file", f"weather file {weather_path} not found")
    chosen: dict[str, list] = {}
    choice_problems: list[tuple[str, str]] = []
    for key in _CHOICE_KINDS:  # every unknown or misplaced id at once
        ids = getattr(ch, key)
        if ids is None:  # absent: every item of that kind in the catalogue
            ids = sorted(catalog.of_kind(_CHOICE_KINDS[key]))
            ch = ch.model_copy(update={key: ids})
            spec = spec.model_copy(update={"choices": ch})
        try:
            chosen[key] = _resolve(catalog, path, key, ids)
        except InputError as err:
            choice_problems += err.problems
    if choice_problems:
        raise _from_overrides(input_errors(path, choice_problems), origin)
    loaded = LoadedSite(
        path=path,
        spec=spec,
        catalog=catalog,
        racks=chosen["racks"],
        cdus=chosen["cdus"],
        heat_rejection=chosen["heat_rejection"],
        air_side=chosen["air_side"],
        miners=chosen["miners"],
        ups=chosen["ups"][0],
        transformer=chosen["transformer"][0],
        weather_path=weather_path,
        overrides=applied,
        origins=origin,
    )
    return loaded


def _override_origin(path: str, origin: dict[str, str]) -> str | None:
    """Where the value at TOML ``path`` came from, when an override set it (or a table above it)."""
    for key, where in origin.items():
        if path == key or path.startswith(key + ".") or path.startswith(key + "["):
            return where
    return None


def _from_override(err: InputError, where: str | None) -> InputError:
    if where is None:
        return err
    return InputError(err.file, err.path, f"{err.message} (set by {where})", err.more)


def _from_overrides(err: InputError, origin: dict[str, str]) -> InputError:
    """Each problem whose value an override set says so."""
    problems = []
    for where, message in err.problems:
        set_by = _override_origin(where, origin)
        problems.append((where, message + (f" (set by {set_by})" if set_by else "")))
    return input_errors(err.file, problems)


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = value
    return out
