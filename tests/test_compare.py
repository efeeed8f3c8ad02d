"""Tests of planner.studies.compare: cooling layouts side by side (`plan compare`).

Plans run on 3 representative days (the hottest and most humid days always kept;
the audit and every figure still cover all 8760 h), or on the constant-climate
test site of tests/data/compare/hot.toml, so the whole file takes seconds.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from planner.studies import compare
from planner.cli import main
from planner.studies.compare import (
    BUILTIN_LAYOUTS,
    FREE,
    INFEASIBLE,
    NOT_OFFERED,
    LayoutSpec,
    compare_layouts,
    free_layout,
    layout_specs,
    restrict,
)
from planner.inputs import resolve
from planner.load import InputError, load_site

REPO = Path(__file__).resolve().parents[1]
WASHINGTON = REPO / "sites" / "washington.toml"
TEXAS = REPO / "sites" / "texas.toml"
HOT = REPO / "tests" / "data" / "compare" / "hot.toml"
DAYS = 3


def _days(path: Path, **overrides):
    return resolve(load_site(path, overrides=overrides or None), time_mode="days", days=DAYS)


def _named(results) -> dict:
    return {r.name: r for r in results}


def _liquid_count(result, technology: str, inp) -> int:
    tech = {h.key: (h.technology, h.loop) for h in inp.heat_rejection}
    return sum(n for key, n in result.modules.items() if tech[key] == (technology, "liquid"))


@pytest.fixture(scope="module")
def washington():
    inp = _days(WASHINGTON)
    return inp, compare_layouts(inp)


@pytest.fixture(scope="module")
def texas():
    inp = _days(TEXAS)
    return inp, compare_layouts(inp)


@pytest.fixture(scope="module")
def hot():
    inp = resolve(load_site(HOT))
    return inp, compare_layouts(inp, layout_specs(inp, load_site(HOT).spec.layouts))


# --- the free optimum and the ranking ---------------------------------------------------------

@pytest.mark.parametrize("site", ["washington", "texas"])
def test_free_optimum_is_at_least_as_good_as_every_layout(site, request):
    """A layout only removes options, so no layout can beat the free optimum.

    Compared on the MILP objective (the model's own figure): each layout's best
    design is feasible in the free problem, so it is at most the free problem's
    proven bound, and within the relative MIP gap (1e-4) of its incumbent.
    """
    inp, results = request.getfixturevalue(site)
    free = _named(results)[FREE]
    assert free.status == "optimal"
    tol = 1e-4 * abs(free.model_bound) + 1e-6  # kUSD-level solver tolerance, in MUSD/yr
    for r in results:
        if r is free or not r.has_plan:
            continue
        assert r.status == "optimal", r.name
        assert r.model_objective <= free.model_bound + 1e-6, r.name
        assert r.model_objective <= free.model_objective + tol, r.name


def test_every_layout_is_listed_and_ranked(washington):
    inp, results = washington
    names = [r.name for r in results]
    assert set(names) == {name for name, _ in BUILTIN_LAYOUTS} | {FREE}
    planned = [r for r in results if r.has_plan]
    assert len(planned) == len(results)  # Moses Lake offers every technology, and each one works
    assert [r.rank for r in planned] == list(range(1, len(planned) + 1))
    objectives = [r.objective for r in planned]
    # best first; ties within 100 USD/yr may come in either order
    assert all(a >= b - 1e-4 for a, b in zip(objectives, objectives[1:]))
    # the ranking figure is the site's objective (noi_less_annualised_capex) from the audit
    assert inp.objective == "noi_less_annualised_capex"
    for r in planned:
        assert r.objective == pytest.approx(r.figures["noi_less_annualised_capex"])
        assert r.figures["gap_to_best"] == pytest.approx(planned[0].objective - r.objective)
        assert r.figures["gap_to_best"] >= 0
        for key, _, _ in compare.COLUMNS:
            assert key in r.figures
        assert r.binding


def test_layout_restricts_only_the_liquid_loop(washington):
    inp, results = washington
    offered = {h.id: h.technology for h in inp.heat_rejection}
    by = _named(results)
    for name, techs in BUILTIN_LAYOUTS:
        r = by[name]
        loops = {h.key: h.loop for h in inp.heat_rejection}
        for key in r.modules:
            hid = key.split("@")[0]
            if loops[key] == "liquid":
                assert offered[hid] in techs, (name, key)
    # the air-side loop keeps its free choice: restricting removes no air-loop module
    sub = restrict(inp, LayoutSpec("x", ("dry_cooler_1000",)))
    assert {h.key for h in sub.heat_rejection if h.loop == "air"} == {h.key for h in inp.heat_rejection if h.loop == "air"}
    assert {h.id for h in sub.heat_rejection if h.loop == "liquid"} == {"dry_cooler_1000"}


# --- a layout that cannot work ----------------------------------------------------------------

def test_infeasible_layout_is_listed_with_its_reason(hot):
    """At 45 degC a dry cooler cannot supply a 41 degC loop; two racks are contracted."""
    inp, results = hot
    by = _named(results)
    dry = by["dry coolers only"]
    assert dry.status == INFEASIBLE and not dry.has_plan and dry.rank is None
    assert "45" in dry.reason and "41" in dry.reason
    # the others work: pads pre-cool the air to 28 degC, a tower works against the 24 degC wet bulb
    for name in ("adiabatic dry coolers", "cooling tower", "tower + chiller", FREE):
        assert by[name].has_plan, name
        assert by[name].figures["racks"] >= 2
    # a layout whose technology the site does not offer
    trim = by["dry coolers + trim chiller"]
    assert trim.status == NOT_OFFERED and "air_cooled_chiller" in trim.reason
    # listed after the ranked layouts, not dropped
    assert [r.name for r in results][-2:] == ["dry coolers only", "dry coolers + trim chiller"] or \
        {r.name for r in results[-2:]} == {"dry coolers only", "dry coolers + trim chiller"}


def test_infeasible_reason_from_the_solver_when_no_presolve_check(monkeypatch):
    """Without planner.explain's checks the MILP says infeasible, and the reason names the modules."""
    import planner.explain

    monkeypatch.setattr(planner.explain, "presolve_checks", lambda inp: [])
    inp = resolve(load_site(HOT))
    (dry,) = compare_layouts(inp, [s for s in layout_specs(inp) if s.name == "dry coolers only"])
    assert dry.status == INFEASIBLE
    assert dry.reason.startswith("infeasible:") and "dry_cooler_1000" in dry.reason and "45.0 degC" in dry.reason


def test_site_layout_from_the_file_and_from_a_mapping(hot):
    inp, results = hot
    own = _named(results)["tower + chiller"]
    assert own.layout.source == 'layouts."tower + chiller"'
    assert own.layout.liquid == ("cooling_tower_2000", "water_cooled_chiller_2000")
    mapped = compare_layouts(inp, {"towers": {"liquid": ["cooling_tower_2000"]}})
    assert "towers" in _named(mapped) and FREE in _named(mapped)
    with pytest.raises(InputError) as err:
        compare_layouts(inp, {"bad": {"liquid": ["cooling_towr_2000"]}})
    assert err.value.path == "layouts.bad.liquid[0]" and "did you mean 'cooling_tower_2000'" in err.value.message


def test_site_layout_ids_are_validated_against_choices():
    with pytest.raises(InputError) as err:
        load_site(HOT, overrides={"layouts.mine.liquid": ["dry_coolr_1000"]})
    assert err.value.path == "layouts.mine.liquid[0]"
    assert "did you mean 'dry_cooler_1000'" in err.value.message
    # in the catalogue but not offered at this site
    with pytest.raises(InputError) as err:
        load_site(HOT, overrides={"layouts.mine.liquid": ["cooling_tower_2000"], "layouts.mine.air": ["air_cooled_chiller_1000"]})
    assert err.value.path == "layouts.mine.air[0]" and "not among choices.heat_rejection" in err.value.message
    with pytest.raises(InputError) as err:
        load_site(HOT, overrides={"layouts.mine.liqid": ["dry_cooler_1000"]})
    assert "did you mean 'liquid'" in err.value.message
    loaded = load_site(HOT, overrides={"layouts.mine.liquid": ["cooling_tower_2000"]})
    assert set(loaded.spec.layouts) == {"tower + chiller", "mine"}


# --- two climates -------------------------------------------------------------------------------

def test_texas_needs_twice_the_dry_coolers_of_washington(washington, texas):
    """Dry coolers only: Texas needs at least 1.5 times the dry coolers of Moses Lake.

    Physical reason: a dry cooler is sensible only, its duty proportional to the
    approach between the 41 degC loop supply and the dry bulb. The plan must
    reject the rack heat in the hottest hour (kept in the representative days):
    40.0 degC at Dallas-Fort Worth leaves 1 K of approach, 39.0 degC at Pasco 2 K,
    so each module carries half the heat in Texas, with the same 18 MW of racks
    to cool. (The racks differ by at most one scalable unit of 8: fans at part speed cost little.)
    """
    (wa_inp, wa), (tx_inp, tx) = washington, texas
    assert wa_inp.dry_bulb.max() == pytest.approx(39.0) and tx_inp.dry_bulb.max() == pytest.approx(40.0)
    wa_dry, tx_dry = _named(wa)["dry coolers only"], _named(tx)["dry coolers only"]
    n_wa = _liquid_count(wa_dry, "dry_cooler", wa_inp)
    n_tx = _liquid_count(tx_dry, "dry_cooler", tx_inp)
    assert n_wa > 0 and n_tx >= 1.5 * n_wa
    assert abs(tx_dry.figures["racks"] - wa_dry.figures["racks"]) <= 8


def test_texas_needs_more_adiabatic_assist_than_washington(washington, texas):
    """Adiabatic dry coolers: the pads run at least 1.5 times the hours in Texas.

    Physical reason: the pads are wetted only in hours when the coolers' dry
    capacity, proportional to (41 degC - dry bulb), falls short of the liquid
    heat; with about the same number of modules (sized at similar design dry
    bulbs, 37.5 and 38.0 degC) that is the hours above roughly 29-30 degC, of
    which Dallas-Fort Worth has about 1,000-1,500 a year and Pasco about 400-600.
    The hours come from the audit of all 8760 h of real TMY3 weather.
    """
    (wa_inp, wa), (tx_inp, tx) = washington, texas
    wa_ad, tx_ad = _named(wa)["adiabatic dry coolers"], _named(tx)["adiabatic dry coolers"]
    assert wa_ad.figures["assist_hours_liquid"] > 0
    assert tx_ad.figures["assist_hours_liquid"] >= 1.5 * wa_ad.figures["assist_hours_liquid"]
    # no layout without pads or chillers on the liquid loop reports assist hours there
    for r in wa + tx:
        if r.has_plan and r.name in ("dry coolers only", "cooling tower"):
            assert r.figures["assist_hours_liquid"] == 0


# --- command line ---------------------------------------------------------------------------------

def test_plan_compare_writes_json_and_csv(tmp_path, capsys):
    j, c = tmp_path / "out.json", tmp_path / "out.csv"
    code = main(["compare", str(HOT), "--scenario", "mild", "--scenario", "big", "--json", str(j), "--csv", str(c)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "scenario 'mild'" in out.out and "scenario 'big'" in out.out
    assert "Best layout per scenario" in out.out
    assert "[MUSD/yr]" in out.out and "[m^3/yr]" in out.out  # headings carry their units
    data = json.loads(j.read_text())
    assert [s["scenario"] for s in data["scenarios"]] == ["mild", "big"]
    for s in data["scenarios"]:
        assert s["best_layout"] is not None
        assert len(s["layouts"]) == 6
        for lay in s["layouts"]:
            assert lay["figures"]["racks"]["unit"] == "racks"
    with open(c, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12
    assert {"scenario", "layout", "status", "racks [racks]", "water [m^3/yr]", "gap to best [MUSD/yr]"} <= set(rows[0])
    big = [r for r in rows if r["scenario"] == "big" and r["layout"] == "dry coolers only"][0]
    assert big["status"] == INFEASIBLE and big["reason"]


def test_layouts_planned_in_worker_processes_come_back_as_in_this_process(hot):
    """executor="process": each layout but the free optimum is planned in a worker, which sends back its
    figures, its design (DetachedPlan) and, where asked, its results model; the comparison is the same."""
    from planner.results import build_results
    from planner.studies.compare import DetachedPlan

    inp, serial = hot
    loaded = load_site(HOT)
    side = compare_layouts(inp, layout_specs(inp, loaded.spec.layouts), executor="process", workers=2,
                           site=(HOT, {}, None))

    def table(results):
        return [(r.name, r.status, r.rank, r.modules, r.binding, None if r.objective is None else round(r.objective, 9),
                 {k: v for k, v in r.figures.items() if k != "gap_to_best"}) for r in results]

    assert table(side) == table(serial)
    planned = [r for r in side if r.has_plan]
    assert len(planned) >= 3
    for r, s in zip(side, serial):
        if not r.has_plan:
            continue
        if r.name == FREE:  # planned in this process, after the layouts, with the best one's set open
            assert r.plan is not None and r.results is None
            continue
        assert isinstance(r.plan, DetachedPlan) and r.plan.design.racks == s.plan.design.racks
        assert r.results.design == build_results(s.plan, loaded).design


def test_plan_compare_out_takes_each_layouts_results_from_its_worker(tmp_path, monkeypatch, capsys):
    """`plan compare --out` (process pool by default): the report files of a layout planned in a worker are
    written from the results model the worker built, for the site with its overrides."""
    import planner.report.files
    from planner.studies.compare import DetachedPlan

    seen = []

    def spy(out_dir, data, rows, runs, system="si"):
        seen.extend(r for _, _, results in runs for r in results)
        return []

    monkeypatch.setattr(planner.report.files, "write_comparison", spy)
    assert main(["compare", str(HOT), "--set", "site.grid_limit=1.5 MW", "--out", str(tmp_path)]) == 0, \
        capsys.readouterr().err
    workers = [r for r in seen if isinstance(r.plan, DetachedPlan)]
    assert len(workers) >= 2
    for r in workers:
        assert r.results.noi.noi.value == pytest.approx(r.figures["noi"], rel=1e-9)
        assert r.results.site.grid_limit.value == pytest.approx(1.5)


def test_an_input_error_in_a_worker_is_raised_here_as_itself(hot, tmp_path):
    """A site file gone when a worker reads it again (for the results model) stops the comparison with the
    file's error, as in one process: InputError survives pickling."""
    import pickle

    err = InputError("x.toml", "site.grid_limit", "bad", [("site.yard_area", "worse")])
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InputError and back.lines() == err.lines()
    inp, _ = hot
    with pytest.raises(InputError) as raised:
        compare_layouts(inp, layout_specs(inp, load_site(HOT).spec.layouts), executor="process", workers=2,
                        site=(tmp_path / "gone.toml", {}, None))
    assert "gone.toml" in str(raised.value)


def test_plan_compare_refuses_an_unknown_executor(capsys):
    code = main(["compare", str(HOT), "--executor", "threads"])
    err = capsys.readouterr().err
    assert code == 2 and "--executor" in err and "threads" in err


def test_plan_compare_exit_code_when_no_layout_works(capsys):
    """Every layout infeasible (200 contracted racks on a 1 MW grid): exit 3, still a table."""
    code = main(["compare", str(HOT), "--set", "limits.min_racks=200"])
    out = capsys.readouterr()
    assert code == 3
    assert "no layout works" in out.out and "Traceback" not in out.out + out.err


def test_free_layout_alone_and_restrict_identity():
    inp = resolve(load_site(HOT))
    assert restrict(inp, free_layout()).heat_rejection == inp.heat_rejection
