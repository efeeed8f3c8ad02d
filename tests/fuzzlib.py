"""Seeded mutations of the shipped site, hardware and weather files and of the command line,
run through `plan` in-process; shared by tests/test_fuzz.py and benchmarks/fuzz.py.

Each case copies a small site and the hardware catalogue into a work folder, applies one or two
mutations (a value, a key, the raw bytes, the kind of file, a weather row, a command-line option),
runs `plan check` (mostly), `plan` on a few representative days, `plan compare` or `plan sweep`, and
records the exit code, the time taken and whether the output holds "internal error" or a traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARDWARE = ROOT / "hardware"
TINY = ROOT / "sites" / "tiny.toml"
PASCO = ROOT / "sites" / "weather" / "USA_WA_Pasco-Tri.Cities.AP.727845_TMY3.epw"
DOCUMENTED = {0, 2, 3, 4, 5}  # README: exit codes

# values to put where a value was: numbers, units of every kind, absurd sizes, wrong types, paths
VALUES = [
    '"1e308 MW"', '"1e400 USD"', '"-5 MW"', '"0 MW"', '"1e-300 year"', '"5 s"', '"55 MW/m^2"', '"8 delta_degC"',
    '"18 MWth"', '"18 MWh"', '"6 USD/kW/month"', '"33 USD/MWh"', '"2.5 m/s"', '"1e300 m^2"', '"1 mm^2"',
    '"0.001 K"', '"1e308 kUSD"', '"-273.15 degC"', '"-300 degC"', '"1e9 degC"', '"120 %"', '"-5 %"', '"NaN MW"',
    '"inf MW"', '"1,000,000 m^2"', '"1e18 TH/s"', '"3.25 USD/GPU/h"', '"50000000 BTC"', '"1e-9 USD/BTC"',
    "1e308", "inf", "-inf", "nan", "0", "-1", "1000000000", "1e-300", "true", "false", '""', '" "', '"x"',
    "[]", "[1, 2]", '["a"]', "{}", '{ a = 1 }', "1979-05-27", "[" * 30 + "]" * 30, '"' + "x" * 5000 + '"',
    '"a\\u0000b"', '"/"', '"/proc"', '"/dev/zero"', '"../../../../.."', '"/etc/passwd"', '"N+7"', '"noi"',
]
PATHS = ["/", "/proc", "/dev/zero", "/dev/null", "../../../../..", "/etc/passwd", "x" * 300, "a\x00b",
         "missing.epw", "w.csv", "weather.epw"]
KEY_TYPOS = ["grid_limt", "pricee", "kind_", "ID", "hall area", "sources2"]
SET_PATHS = ["site.grid_limit", "site.hall_area", "site.yard_area", "site.hardware_dir", "climate.weather_file",
             "climate.constant_dry_bulb", "climate.design_dry_bulb", "tariff.energy_price", "tariff.demand_charge",
             "tariff.fixed_monthly_charge", "market.difficulty", "market.btc_price", "market.block_subsidy",
             "gpu_market.price", "gpu_market.utilisation", "economics.gpu_life", "economics.capex_budget",
             "economics.discount_rate", "limits.max_racks", "limits.min_racks", "cooling.air_loop_supply_temperature",
             "redundancy.cdu", "choices.racks", "scenarios.x", "layouts.x.liquid", "site", "nope.nope", "site.x.y"]
FIX_KEYS = ["racks.gb300_nvl72", "cdus.cdu_row_600", "heat_rejection.dry_cooler_1000@liquid",
            "air_side.crah_fanwall_150", "mining.s21_xp", "racks.nope"]
FIX_VALUES = ["1", "0", "-1", "2.5", "nan", "inf", "1e400", "true", "x", "", "100000000", "2 MW", "1e9"]


@dataclass
class Case:
    kind: str
    argv: list[str]
    code: int = -1
    seconds: float = 0.0
    internal: bool = False
    traceback: bool = False
    hang: bool = False
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.code in DOCUMENTED and not (self.internal or self.traceback or self.hang)


@dataclass
class Summary:
    cases: list[Case] = field(default_factory=list)

    @property
    def by_code(self) -> Counter:
        return Counter(c.code for c in self.cases)

    @property
    def by_kind(self) -> Counter:
        return Counter(c.kind for c in self.cases)

    def bad(self) -> list[Case]:
        return [c for c in self.cases if not c.ok]


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang()


def run_plan(argv: list[str], timeout: float) -> Case:
    """Run `plan ARGV` in this process with a time bound; capture what it prints."""
    from planner.cli import main

    case = Case("", argv)
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            case.code = main(list(argv))
    except _Hang:
        case.hang = True
    except BaseException as exc:  # noqa: BLE001 - anything escaping main is a finding
        case.code = 1
        err.write(f"Traceback (escaped main): {type(exc).__name__}: {exc}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    case.seconds = time.perf_counter() - start
    text = out.getvalue() + err.getvalue()
    case.internal = "internal error" in text
    case.traceback = "Traceback" in text
    case.output = err.getvalue()[-400:]
    return case


# --------------------------------------------------------------------------------- work folder

def make_site(work: Path, weather: bool = False) -> Path:
    """tiny.toml (or tiny with an hourly weather file) and a copy of the hardware in ``work``."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(HARDWARE, work / "hw")
    text = TINY.read_text().replace('hardware_dir = "../hardware"', 'hardware_dir = "hw"')
    text += '\n[scenarios.big]\n"site.grid_limit" = "2 MW"\n\n[layouts.dry]\nliquid = ["dry_cooler_1000"]\n'
    if weather:
        shutil.copy(PASCO, work / "weather.epw")
        text = text.replace('constant_dry_bulb = "8 degC"\nconstant_wet_bulb = "5 degC"\n', 'weather_file = "weather.epw"\n')
    site = work / "site.toml"
    site.write_text(text)
    return site


_ASSIGN = re.compile(r'^(\s*)("?[A-Za-z0-9_. -]+"?)(\s*=\s*)(.*)$')


def _assignments(lines: list[str]) -> list[int]:
    return [i for i, ln in enumerate(lines) if _ASSIGN.match(ln) and not ln.lstrip().startswith("#")]


def mutate_text(rng: random.Random, path: Path) -> str:
    """One mutation of a TOML file's text (value, key or raw bytes); returns its name."""
    text = path.read_text()
    lines = text.splitlines()
    assigns = _assignments(lines)
    op = rng.choice(["value", "value", "value", "value", "delete", "typo", "unknown", "table", "bytes", "truncate",
                     "duplicate", "bom", "deep"])
    if op in ("value", "delete", "typo", "duplicate") and assigns:
        i = rng.choice(assigns)
        m = _ASSIGN.match(lines[i])
        if op == "value":
            lines[i] = m.group(1) + m.group(2) + m.group(3) + rng.choice(VALUES)
        elif op == "delete":
            del lines[i]
        elif op == "typo":
            key = m.group(2).strip('"')
            lines[i] = m.group(1) + '"' + key[:-1] + rng.choice("xyz_") + '"' + m.group(3) + m.group(4)
        else:
            lines.insert(i, lines[i])
        path.write_text("\n".join(lines) + "\n")
        return op
    if op == "unknown":
        lines.insert(rng.randrange(len(lines) + 1), f"{rng.choice(KEY_TYPOS).replace(' ', '_')} = {rng.choice(VALUES)}")
        path.write_text("\n".join(lines) + "\n")
        return op
    if op == "table":
        heads = [i for i, ln in enumerate(lines) if ln.startswith("[")]
        if heads:
            i = rng.choice(heads)
            j = next((k for k in heads if k > i), len(lines))
            del lines[i:j]
            path.write_text("\n".join(lines) + "\n")
        return op
    raw = bytearray(path.read_bytes())
    if op == "bytes":
        for _ in range(rng.randint(1, 4)):
            raw.insert(rng.randrange(len(raw) + 1), rng.choice([0, 0xFF, 0xC3, ord("["), ord('"'), ord("="), 10]))
    elif op == "truncate":
        raw = raw[: rng.randrange(len(raw) + 1)]
    elif op == "bom":
        raw = bytearray(b"\xef\xbb\xbf") + raw
    elif op == "deep":
        n = rng.choice([25, 500, 3000])
        assigns = assigns or [0]
        i = rng.choice(assigns)
        m = _ASSIGN.match(lines[i]) if lines else None
        if m:
            lines[i] = m.group(1) + m.group(2) + m.group(3) + "[" * n + m.group(4) + "]" * n
        path.write_text("\n".join(lines) + "\n")
        return op
    path.write_bytes(bytes(raw))
    return op


def mutate_file_kind(rng: random.Random, path: Path) -> str:
    """Replace a file by something that is not a small regular file."""
    op = rng.choice(["fifo", "devzero", "folder", "big", "loop", "empty"])
    path.unlink()
    if op == "fifo":
        os.mkfifo(path)
    elif op == "devzero":
        os.symlink("/dev/zero", path)
    elif op == "folder":
        path.mkdir()
    elif op == "big":
        with open(path, "wb") as fh:
            fh.truncate(3 * 1024 * 1024)
    elif op == "loop":
        path.write_text("")
        os.symlink("..", path.parent / "loop")
    else:
        path.write_text("")
    return op


def mutate_weather(rng: random.Random, path: Path) -> str:
    """One mutation of an EPW file's rows: a date field, a value, a missing code, rows dropped or added."""
    lines = path.read_text().splitlines(keepends=True)
    op = rng.choice(["date", "value", "missing", "drop", "extra", "leap", "garbage", "header"])
    i = rng.randrange(8, len(lines))
    fields = lines[i].split(",")
    if op == "date":
        fields[rng.randrange(4)] = rng.choice(["x", "", "0", "13", "32", "25", "-1", "1.5", "2e3"])
    elif op == "value":
        fields[rng.choice([6, 7, 8, 9])] = rng.choice(["-75", "61", "99", "1e9", "-1e9", "abc", "", "150", "5000"])
    elif op == "missing":
        k = rng.choice([6, 7, 8, 9])
        fields[k] = {6: "99.9", 7: "99.9", 8: "999", 9: "999999"}[k]
    if op in ("date", "value", "missing"):
        lines[i] = ",".join(fields)
    elif op == "drop":
        del lines[i: i + rng.choice([1, 24, 1000])]
    elif op == "extra":
        lines.insert(i, lines[i])
    elif op == "leap":
        feb28 = [k for k, ln in enumerate(lines) if k >= 8 and ln.split(",")[1:3] == ["2", "28"]]
        extra = [",".join([*ln.split(",")[:2], "29", *ln.split(",")[3:]]) for ln in (lines[k] for k in feb28)]
        lines = lines[: feb28[-1] + 1] + extra + lines[feb28[-1] + 1:]
    elif op == "garbage":
        lines[i] = "\x00\xff garbage\n"
    else:
        lines = lines[rng.randrange(8):]
    path.write_text("".join(lines))
    return op


def cli_options(rng: random.Random, site: Path) -> tuple[str, list[str]]:
    """A `plan check` or `plan` command line with random options."""
    op = rng.choice(["set", "set", "set", "scenario", "fix", "days", "json", "design"])
    if op == "set":
        value = rng.choice([*VALUES, *PATHS, "18 MW", "x=y", ""])
        return op, ["check", str(site), "--set", f"{rng.choice(SET_PATHS)}={value}"]
    if op == "scenario":
        return op, ["check", str(site), "--scenario", rng.choice(["big", "bigg", "", "x" * 300])]
    if op == "fix":
        return op, ["run", str(site), "--days", "2", "--no-explain", "--time-limit", "20",
                    "--fix", f"{rng.choice(FIX_KEYS)}={rng.choice(FIX_VALUES)}"]
    if op == "days":
        return op, ["run", str(site), "--days", rng.choice(["0", "1", "-3", "x", "366", "2.5", "1e9"])]
    if op == "json":
        target = rng.choice([str(site.parent), str(site.parent / "no" / "x.json"), str(site / "x.json"), "/dev/null",
                             "/proc/x.json", "a\x00b", "x" * 5000])
        return op, ["run", str(site), "--days", "2", "--json", target]
    design = site.parent / "design.toml"
    design.write_text(f"[racks]\ngb300_nvl72 = {rng.choice(['true', 'nan', 'inf', '-1', '2.5', '1e400', '[1]', '3'])}\n")
    return op, ["run", str(site), "--days", "2", "--no-explain", "--design", str(design)]


def one_case(rng: random.Random, work: Path, *, plan_share: float = 0.1, weather_share: float = 0.05,
             timeout: float = 60.0) -> Case:
    """Build one mutated case in ``work`` and run it."""
    kind = rng.choices(["site", "hardware", "file_kind", "weather", "cli", "compare", "sweep"],
                       weights=[30, 25, 8, 100 * weather_share, 20, 2, 2])[0]
    site = make_site(work, weather=(kind == "weather"))
    hw_files = sorted((work / "hw").rglob("*.toml"))
    used = [p for p in hw_files if p.stem in ("gb300_nvl72", "cdu_row_600", "dry_cooler_1000", "crah_fanwall_150",
                                              "ups_eco", "transformer_mv")]
    argv = ["check", str(site)]
    if kind == "site":
        name = mutate_text(rng, site)
    elif kind == "hardware":
        name = mutate_text(rng, rng.choice(used if rng.random() < 0.8 else hw_files))
    elif kind == "file_kind":
        target = rng.choice([site, *used, *used])
        name = mutate_file_kind(rng, target)
    elif kind == "weather":
        name = mutate_weather(rng, work / "weather.epw")
    elif kind == "cli":
        name, argv = cli_options(rng, site)
    elif kind == "compare":
        name = mutate_text(rng, site)
        argv = ["compare", str(site), "--days", "2", "--time-limit", "20"]
    else:
        name = "vary"
        values = rng.choice(["'1 MW','2 MW'", "'1 MW',,'2 MW'", "'1e400 MW'", "x", "'1 MW','1 MW'", "'1 MWh'"])
        argv = ["sweep", str(site), "--days", "2", "--executor", "serial", "--vary",
                f"{rng.choice(SET_PATHS[:6])}={values}"]
    if kind in ("site", "hardware") and rng.random() < plan_share:
        argv = ["run", str(site), "--days", "2", "--time-limit", "20"]
    case = run_plan(argv, timeout)
    case.kind = f"{kind}:{name}"
    return case


def fuzz(n: int, seed: int, work: Path, **kw) -> Summary:
    """Run ``n`` seeded cases in ``work``; the same seed gives the same cases."""
    rng = random.Random(seed)
    summary = Summary()
    for _ in range(n):
        summary.cases.append(one_case(rng, work, **kw))
    return summary
