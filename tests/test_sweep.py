"""Tests of planner.studies.sweep (`plan sweep`): one plan per combination of varied values.

Every plan is of sites/tiny.toml (1 MW, constant climate, ~0.1 s a plan), so the
whole file takes a few seconds, process pool included.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest

from planner.studies import sweep as sweep_mod
from planner.cli import main
from planner.load import InputError
from planner.studies.sweep import build_points, parse_vary, point_id, split_values, sweep

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "data" / "tiny" / "tiny.toml"
GRID_1_2 = ["--vary", "site.grid_limit=1 MW,2 MW"]


def _run(capsys, *args):
    code = main(["sweep", str(TINY), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _table(text: str) -> str:
    """The printed sweep without the timing line (wall-clock times differ) and the file written."""
    return "\n".join(line for line in text.splitlines()
                     if not line.lstrip().startswith(("timing:", "JSON written")))


@pytest.fixture(scope="module")
def grid_1_2(tmp_path_factory):
    """`plan sweep tiny --vary site.grid_limit=1 MW,2 MW --executor serial`, its JSON and CSV."""
    tmp = tmp_path_factory.mktemp("sweep")
    j, c = tmp / "sweep.json", tmp / "sweep.csv"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["sweep", str(TINY), *GRID_1_2, "--executor", "serial", "--json", str(j), "--csv", str(c)])
    return code, buf.getvalue(), json.loads(j.read_text()), list(csv.DictReader(c.open()))


# --- syntax -----------------------------------------------------------------------------------

def test_split_values_keeps_quoted_and_bracketed_commas():
    assert split_values("16 MW,18 MW, 20 MW") == ["16 MW", "18 MW", "20 MW"]
    assert split_values("'1,000 m^2','2,000 m^2'") == ["'1,000 m^2'", "'2,000 m^2'"]
    assert split_values('["a", "b"],["c"]') == ['["a", "b"]', '["c"]']
    for bad in ("1 MW,,2 MW", "1 MW,", "'1 MW,2 MW", "[1, 2"):
        with pytest.raises(ValueError):
            split_values(bad)


def test_parse_vary_reads_values_like_set():
    (a,) = parse_vary(["site.hall_area='1,000 m^2','2,000 m^2'"])
    assert a.path == "site.hall_area" and a.values == ("1,000 m^2", "2,000 m^2")
    (b,) = parse_vary(["limits.max_racks=4,5"])
    assert b.values == (4, 5)
    with pytest.raises(InputError, match="listed twice"):
        parse_vary(["site.grid_limit=1 MW,1 MW"])
    with pytest.raises(InputError, match="PATH=V1,V2"):
        parse_vary(["site.grid_limit"])


def test_points_sorted_by_value_with_stable_ids():
    """Sorted by magnitude whatever the order and unit written; the id depends only on the overrides."""
    points = build_points(TINY, parse_vary(["site.grid_limit=2 MW,500 kW,1 MW"]))
    assert [p.values[0].text for p in points] == ["500 kW", "1 MW", "2 MW"]
    assert [p.values[0].number for p in points] == [0.5, 1.0, 2.0]  # in the unit of the first value given
    assert all(p.values[0].unit == "MW" for p in points)
    assert points[2].id == point_id(None, {"site.grid_limit": "2 MW"})
    two = build_points(TINY, parse_vary(["gpu_market.price=3 USD/GPU/h,2 USD/GPU/h", "site.grid_limit=1 MW,2 MW"]))
    swapped = build_points(TINY, parse_vary(["site.grid_limit=2 MW,1 MW", "gpu_market.price=2 USD/GPU/h,3 USD/GPU/h"]))
    assert sorted(p.id for p in two) == sorted(p.id for p in swapped)
    assert len({p.id for p in two}) == 4
    assert [(p.values[0].number, p.values[1].number) for p in two] == [(2, 1), (2, 2), (3, 1), (3, 2)]


# --- the finance view -------------------------------------------------------------------------

def test_more_grid_gives_more_racks_and_the_marginal_value_is_the_noi_difference(grid_1_2):
    code, text, data, rows = grid_1_2
    assert code == 0
    one, two = data["points"]
    assert [one["values"]["site.grid_limit"]["value"], two["values"]["site.grid_limit"]["value"]] == [1.0, 2.0]
    assert one["status"] == two["status"] == "optimal"
    assert two["figures"]["racks"]["value"] > one["figures"]["racks"]["value"]
    noi1, noi2 = one["figures"]["noi"]["value"], two["figures"]["noi"]["value"]
    m = two["marginal"]["site.grid_limit"]
    assert m["from_point"] == one["id"] and m["step"] == 1.0 and m["step_unit"] == "MW"
    assert m["noi"]["value"] == pytest.approx(noi2 - noi1, rel=1e-12)
    assert m["noi"]["unit"] == "MUSD/yr per MW"
    less1 = one["figures"]["noi_less_annualised_capex"]["value"]
    less2 = two["figures"]["noi_less_annualised_capex"]["value"]
    assert m["noi_less_annualised_capex"]["value"] == pytest.approx(less2 - less1, rel=1e-12)
    assert one["marginal"] == {}
    # the printed table: the marginal value, as the difference of the two rows' NOI
    assert f"+1 MW of site.grid_limit: {noi2 - noi1:+.2f} MUSD/yr of NOI" in text
    assert "[MW]" in text and "binding" in text and "grid" in text
    # the CSV row carries the same marginal value
    assert float(rows[1]["marginal NOI per +1 MW of site.grid_limit [MUSD/yr]"]) == pytest.approx(noi2 - noi1, rel=1e-5)
    assert rows[0]["marginal NOI per +1 MW of site.grid_limit [MUSD/yr]"] == ""


def test_json_and_csv_exports_parse(grid_1_2):
    code, _, data, rows = grid_1_2
    assert data["site_name"] == "Tiny test site"
    assert data["vary"] == [{"path": "site.grid_limit", "values": ["1 MW", "2 MW"], "unit": "MW"}]
    assert data["executor"] == "serial" and data["objective"] == "noi"
    for p in data["points"]:
        assert len(p["id"]) == 8
        assert p["objective"]["unit"] == "MUSD/yr"
        assert all("unit" in v for v in p["figures"].values())
        assert p["binding_limit"].startswith("grid")
    assert [r["point"] for r in rows] == [p["id"] for p in data["points"]]
    assert rows[0]["site.grid_limit [MW]"] == "1.0" and rows[1]["site.grid_limit [MW]"] == "2.0"
    assert int(rows[1]["racks [racks]"]) == data["points"][1]["figures"]["racks"]["value"]
    assert {"status", "capex [MUSD]", "NOI [MUSD/yr]", "NOI less annualised capex [MUSD/yr]", "binding limit",
            "reason"} <= set(rows[0])


def test_serial_and_process_executors_give_identical_tables(tmp_path, capsys):
    args = ["--vary", "site.grid_limit=2 MW,1 MW,3 MW", "--vary", "gpu_market.price=2.5 USD/GPU/h,3.25 USD/GPU/h"]
    code_s, serial, _ = _run(capsys, *args, "--executor", "serial", "--json", str(tmp_path / "s.json"))
    code_p, process, _ = _run(capsys, *args, "--executor", "process", "--workers", "2",
                              "--json", str(tmp_path / "p.json"))
    assert code_s == code_p == 0
    assert "executor process, 2 workers" in process and "executor serial" in serial
    assert _table(serial) == _table(process)
    assert _table(serial).count("optimal") == 6

    def points(name):
        pts = json.loads((tmp_path / name).read_text())["points"]
        for p in pts:
            p.pop("seconds")
        return pts

    assert points("s.json") == points("p.json")


def test_infeasible_point_is_listed_with_its_reason(capsys):
    code, text, _ = _run(capsys, "--vary", "site.grid_limit=0.1 MW,1 MW", "--executor", "serial")
    assert code == 0  # one point planned
    lines = [line for line in text.splitlines() if "infeasible" in line]
    assert lines, text
    ids = [p.id for p in build_points(TINY, parse_vary(["site.grid_limit=0.1 MW,1 MW"]))]
    assert f"{ids[0]} (site.grid_limit = 0.1 MW): site.grid_limit: one NVIDIA GB300 NVL72 alone draws" in " ".join(
        text.split())
    # no marginal value across an infeasible point
    assert "+1 MW of site.grid_limit:" not in text


def test_no_point_planned_exits_3(capsys):
    code, text, _ = _run(capsys, "--vary", "site.grid_limit=0.1 MW,0.12 MW", "--executor", "serial")
    assert code == 3
    assert "no point has a plan" in text


# --- bad input, before any solving ------------------------------------------------------------

@pytest.fixture
def no_solving(monkeypatch):
    """Fail the test if anything is planned."""
    calls = []

    def forbidden(*a, **k):
        calls.append(a)
        raise AssertionError("planned before the input was validated")

    monkeypatch.setattr(sweep_mod, "run_points", forbidden)
    monkeypatch.setattr("planner.plan.run_plan", forbidden)
    return calls


def test_bad_path_exits_2_with_did_you_mean_before_solving(capsys, no_solving):
    code, _, err = _run(capsys, "--vary", "site.grid_limt=1 MW,2 MW")
    assert code == 2
    assert "site.grid_limt: unknown key 'grid_limt' in [site] (did you mean 'grid_limit'?) (set by --vary)" in err
    assert not no_solving


def test_bad_unit_exits_2_with_the_expected_kind_before_solving(capsys, no_solving):
    # the bad value is the last one: every point is validated before the first is planned
    code, _, err = _run(capsys, "--vary", "site.grid_limit=1 MW,2 MW,3 MWh", "--vary", "gpu_market.price=3 USD/GPU/h")
    assert code == 2
    assert "site.grid_limit: expected an electric power such as '18 MW', got '3 MWh', which is an energy" in err
    code, _, err = _run(capsys, "--vary", "gpu_market.price=3 USD/GPU/h,3 USD/GPU")
    assert code == 2 and "gpu_market.price: expected" in err
    assert not no_solving


def test_other_bad_options_exit_2(capsys, no_solving):
    for args, words in (
        (["--vary", "site.grid_limit"], "PATH=V1,V2"),
        (["--vary", "site.grid_limit=1 MW", "--set", "site.grid_limit=2 MW"], "vary it or set it"),
        (["--vary", "site.grid_limit=1 MW", "--executor", "thread"], "unknown executor"),
        (["--vary", "site.grid_limit=1 MW", "--workers", "0"], "workers >= 1"),
        (["--vary", "site.grid_limit=1 MW", "--days", "2", "--bin", "1"], "not both"),
    ):
        code, _, err = _run(capsys, *args)
        assert code == 2, args
        assert words in err, (args, err)
    assert not no_solving


@pytest.mark.skipif(importlib.util.find_spec("dask") is not None, reason="dask is installed")
def test_dask_missing_gives_a_clear_message(capsys, no_solving):
    code, _, err = _run(capsys, *GRID_1_2, "--executor", "dask")
    assert code == 2
    assert "dask.distributed is not installed" in err and "--executor process" in err
    assert not no_solving


def test_sweep_function_is_pure_and_ordered():
    axes, points = sweep(TINY, ["site.grid_limit=2 MW,1 MW"], executor="serial")
    assert [p.values[0].text for p in points] == ["1 MW", "2 MW"]
    assert all(p.planned for p in points)
    assert points[1].marginal["site.grid_limit"]["noi"] == pytest.approx(
        points[1].result.figures["noi"] - points[0].result.figures["noi"])
