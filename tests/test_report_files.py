"""`plan --out DIR`: the six report files, written from the results model, agree with one another."""

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from openpyxl import load_workbook

from planner.cli import main
from planner.report.render import fmt

ROOT = Path(__file__).parent.parent
TINY = ROOT / "sites" / "tiny.toml"
FILES = ("plan.json", "report.md", "report.html", "plan.xlsx", "hourly.csv", "hourly.parquet")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan") / "out"  # created by --out
    assert main([str(TINY), "--days", "4", "--no-replan", "--out", str(folder)]) == 0
    return folder


def test_six_files_are_written(out_dir):
    for name in FILES:
        assert (out_dir / name).is_file() and (out_dir / name).stat().st_size > 0, name
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_plan_json_validates_against_the_schema(out_dir):
    data = json.loads((out_dir / "plan.json").read_text())
    jsonschema.validate(data, json.loads((ROOT / "docs" / "plan.schema.json").read_text()))
    assert data["schema_version"]


def test_hourly_files_have_8760_rows_within_the_limit(out_dir):
    data = json.loads((out_dir / "plan.json").read_text())
    limit = data["site"]["grid_limit"]["value"]
    frame = pd.read_parquet(out_dir / "hourly.parquet")
    assert len(frame) == 8760
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "timestamp"
    assert {"grid_draw_MW", "dry_bulb_degC", "load_gpu_it_MW", "load_pumps_MW"} <= set(frame.columns)
    assert any(c.startswith("heat_rejected_") and c.endswith("_MW") for c in frame.columns)
    assert frame["grid_draw_MW"].max() <= limit + 1e-6
    csv = pd.read_csv(out_dir / "hourly.csv", index_col="timestamp", parse_dates=True)
    assert len(csv) == 8760 and list(csv.columns) == list(frame.columns)
    assert (csv["grid_draw_MW"] - frame["grid_draw_MW"]).abs().max() < 1e-4


def test_a_figure_agrees_across_json_markdown_excel_and_html(out_dir):
    data = json.loads((out_dir / "plan.json").read_text())
    noi = data["noi"]["noi"]
    assert noi["unit"] == "MUSD/yr"
    text = fmt(noi["value"])
    assert f"| NOI | {text} | MUSD/yr |" in (out_dir / "report.md").read_text()
    html = (out_dir / "report.html").read_text()
    assert f"<td>NOI</td><td class=n>{text}</td><td>MUSD/yr</td>" in html
    sheet = load_workbook(out_dir / "plan.xlsx", read_only=True)["summary"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["noi"][2] == pytest.approx(noi["value"], rel=1e-12) and rows["noi"][3] == "MUSD/yr"
    gpus = data["design"]["gpus"]
    assert rows["gpus"][2] == gpus and f"| GPUs | {gpus:,d} | GPU |" in (out_dir / "report.md").read_text()


def test_html_is_self_contained_with_plots(out_dir):
    html = (out_dir / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 4
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_excel_stores_numbers_with_units_in_headers(out_dir):
    wb = load_workbook(out_dir / "plan.xlsx", read_only=True)
    assert {"summary", "bill of materials", "hourly", "inputs"} <= set(wb.sheetnames)
    hourly = wb["hourly"]
    header = next(hourly.iter_rows(max_row=1, values_only=True))
    assert header[0] == "timestamp" and "grid_draw_MW" in header
    second = next(hourly.iter_rows(min_row=2, max_row=2, values_only=True))
    assert all(isinstance(v, (int, float)) for v in second[1:])
    inputs = list(wb["inputs"].iter_rows(values_only=True))
    assert inputs[0] == ("TOML path", "as written", "value", "unit", "source")
    assert any(r[0] == "site.grid_limit" and r[3] == "MW" for r in inputs[1:])


def test_out_refuses_a_file(tmp_path, capsys):
    file = tmp_path / "a_file"
    file.write_text("x")
    assert main([str(TINY), "--out", str(file)]) == 2
    assert "--out" in capsys.readouterr().err


def test_explanation_is_carried_into_json_markdown_and_html(out_dir):
    data = json.loads((out_dir / "plan.json").read_text())
    titles = [n["title"] for n in data["explanation"]]
    assert "Stranded capacity" in titles
    stranded = next(n for n in data["explanation"] if n["title"] == "Stranded capacity")
    md = (out_dir / "report.md").read_text()
    assert "## Stranded capacity" in md and f"- {stranded['lines'][0]}" in md
    assert "<h2>Stranded capacity</h2>" in (out_dir / "report.html").read_text()


def test_limits_carry_toml_paths_and_replanned_values(tmp_path):
    assert main([str(TINY), "--days", "4", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "plan.json").read_text())
    grid = next(lim for lim in data["limits"] if lim["path"] == "site.grid_limit")
    assert grid["step"] == {"value": 1.0, "unit": "MW"}
    assert grid["value_of_step"]["unit"] == "MUSD/yr" and grid["value_of_step"]["value"] is not None
    assert "| site.grid_limit |" in (tmp_path / "report.md").read_text()


def test_compare_out_writes_the_options_side_by_side_and_each_report(tmp_path):
    assert main(["compare", str(TINY), "--days", "4", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "compare.json").read_text())
    layouts = data["scenarios"][0]["layouts"]
    planned = [lay for lay in layouts if lay["status"] == "optimal"]
    assert planned
    md = (tmp_path / "report.md").read_text()
    for lay in layouts:
        assert f"| {lay['layout']} |" in md
    html = (tmp_path / "report.html").read_text()
    for lay in planned:
        sub = tmp_path / "base" / lay["layout"].replace(" ", "_")
        for name in FILES:
            assert (sub / name).is_file(), (sub, name)
        plan_json = json.loads((sub / "plan.json").read_text())
        assert plan_json["noi"]["noi"]["value"] == pytest.approx(lay["figures"]["noi"]["value"], rel=1e-9)
        assert f"href='base/{sub.name}/report.html'" in html
    assert len(pd.read_csv(tmp_path / "compare.csv")) == len(layouts)


def test_sweep_out_writes_the_points_side_by_side(tmp_path):
    assert main(["sweep", str(TINY), "--days", "4", "--vary", "site.grid_limit='2 MW','3 MW'", "--executor", "serial",
                 "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "sweep.json").read_text())
    assert len(data["points"]) == 2
    md = (tmp_path / "report.md").read_text()
    for p in data["points"]:
        assert f"| {p['id']} |" in md
        noi = p["figures"]["noi"]["value"]
        assert fmt(noi) in md
    html = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in html and "site.grid_limit [MW]" in html
    assert len(pd.read_csv(tmp_path / "sweep.csv")) == 2


def test_html_lists_inputs_with_value_unit_and_the_site_files_source(out_dir):
    html = (out_dir / "report.html").read_text()
    assert "<h2>Inputs and their sources</h2>" in html
    line = next(x for x in TINY.read_text().splitlines() if x.startswith("grid_limit"))
    written, comment = (part.strip() for part in line.split("=", 1)[1].split("#", 1))
    written = written.strip('"')
    value, unit = written.split()
    assert (f"<tr><td><code>site.grid_limit</code></td><td>{written}</td><td class=n>{float(value):.6g}</td>"
            f"<td>{unit}</td><td>{comment}</td></tr>") in html
    assert "<td><code>site.hall_area</code></td>" in html and "site file (no source given)" in html


def test_html_has_a_curtailment_heat_map_by_day_and_hour(tmp_path):
    """With miners installed the report carries the heat map; its grid is the audited year's curtailment."""
    import base64
    import re

    import numpy as np

    from planner.api import plan
    from planner.report.files import CURTAILMENT_TITLE, curtailment, day_by_hour, render_html

    result = plan(TINY, days=4, set={"choices.miners": ["s21_pro"], "site.grid_margin": "0.05 MW"})
    op = result.run.operation
    assert result.results.design.miners, "the test needs miners installed"
    expected = sum(np.clip(op.mining_available[k] - op.mining_power[k], 0, None) for k in op.mining_power)
    grid = day_by_hour(curtailment(result.results))
    assert grid.shape == (365, 24)
    np.testing.assert_allclose(grid, np.asarray(expected).reshape(365, 24), atol=1e-9)
    assert grid.max() > 0  # mining is curtailed somewhere, or the map would show nothing
    html = render_html(result.results)
    found = re.search(rf"<img alt='{re.escape(CURTAILMENT_TITLE)}' src='data:image/png;base64,([A-Za-z0-9+/=]+)'>",
                      html)
    assert found and base64.b64decode(found.group(1)).startswith(b"\x89PNG")
