"""`plan risk`: sampled markets, the operation of a fixed design per sample, a robust design, executors."""

from __future__ import annotations

import importlib.util
import os
import signal
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import site_files
from planner.cli import main
from planner.inputs import resolve
from planner.load import InputError, load_site
from planner.plan import run_plan
from planner.studies.risk import evaluate_batch, figure_column, run_risk
from planner.studies.sampling import draw, nominal_values

UNCERTAINTY = {
    "horizon": "1 year",
    "btc_price": {"growth": "0 %/year", "volatility": "50 %"},
    "difficulty": {"growth": "30 %/year", "volatility": "20 %"},
    "gpu_price": {"growth": "-15 %/year", "volatility": "20 %"},
    "utilisation": {"distribution": "triangular", "low": "60 %", "mode": "85 %", "high": "95 %"},
    "energy_price": {"growth": "5 %/year", "volatility": "10 %"},
    "correlations": [{"inputs": ["btc_price", "difficulty"], "coefficient": "0.5"}],
}
STILL = {name: {"growth": "0 %/year", "volatility": "0 %"}
         for name in ("btc_price", "difficulty", "gpu_price", "energy_price")}


def _site(folder: Path, uncertainty: dict | None, name: str = "risky.toml") -> Path:
    """The tiny site with room for mining (2.5 MW, one miner model) and the given [uncertainty]."""
    part = {"site": {"grid_limit": "2.5 MW"}, "choices": {"miners": ["s21_pro"]}}
    if uncertainty is not None:
        part["uncertainty"] = uncertainty
    return site_files.write(site_files.merge(site_files.read(), part), folder / name)


@pytest.fixture(scope="module")
def risky(tmp_path_factory) -> Path:
    return _site(tmp_path_factory.mktemp("risk"), UNCERTAINTY)


def _noi(rows) -> np.ndarray:
    return np.array([r[figure_column("noi")] for r in rows])


def test_zero_variance_every_sample_equals_the_deterministic_plan(tmp_path):
    site = _site(tmp_path, STILL)
    plan = run_plan(resolve(load_site(site), bin_k=2.0))
    study = run_risk(site, samples=6, seed=3, executor="serial", robust_samples=0)
    noi = _noi(study.deterministic.samples)
    assert len(noi) == 6 and plan.economics.noi > 0
    assert np.allclose(noi, plan.economics.noi, rtol=1e-9, atol=0)
    assert study.deterministic.design.racks == plan.design.racks
    assert study.deterministic.design.mining == plan.design.mining


def test_gpu_revenue_is_price_times_utilisation_of_the_fixed_racks(risky):
    study = run_risk(risky, samples=5, seed=2, executor="serial", robust_samples=0)
    inp = study.inputs
    gpus = sum(study.deterministic.design.racks[r.id] * r.gpus for r in inp.racks)
    assert gpus > 0
    for r in study.deterministic.samples:
        expected = gpus * r["gpu_price_USD_per_GPU_h"] * r["utilisation"] * 8760.0
        assert r[figure_column("gpu_revenue")] == pytest.approx(expected, rel=1e-12)


def test_tornado_swing_of_the_gpu_price_is_its_revenue_alone(risky):
    study = run_risk(risky, samples=2, seed=2, executor="serial", robust_samples=0)
    by = {(r["input"], r["level"]): r for r in study.deterministic.tornado}
    low, high = by[("gpu_price", "p10")], by[("gpu_price", "p90")]
    gpus = sum(study.deterministic.design.racks[r.id] * r.gpus for r in study.inputs.racks)
    swing = gpus * (high["gpu_price_USD_per_GPU_h"] - low["gpu_price_USD_per_GPU_h"]) * low["utilisation"] * 8760.0
    assert high[figure_column("noi")] - low[figure_column("noi")] == pytest.approx(swing, rel=1e-9)
    # the GPU price leaves the operation alone: mining energy is the same at both ends
    assert high[figure_column("mining_energy")] == pytest.approx(low[figure_column("mining_energy")], rel=1e-9)


def test_samples_follow_the_declared_distributions():
    from planner.spec.uncertainty import Uncertainty

    unc = Uncertainty.model_validate(UNCERTAINTY)
    nominal = {"btc_price": 100_000.0, "difficulty": 1e14, "gpu_price": 3.0, "utilisation": 0.85, "energy_price": 40.0}
    values = draw(unc, nominal, 4000, seed=5)
    btc = np.log([v["btc_price"] / 1e5 for v in values])
    diff = np.log([v["difficulty"] / 1e14 for v in values])
    util = np.array([v["utilisation"] for v in values])
    assert abs(np.median(btc)) < 0.05 and abs(btc.std() - 0.5) < 0.03
    assert abs(np.median(diff) - np.log(1.3)) < 0.03 and abs(diff.std() - 0.2) < 0.015
    assert abs(np.corrcoef(btc, diff)[0, 1] - 0.5) < 0.05
    assert util.min() >= 0.6 and util.max() <= 0.95
    assert abs(util.mean() - (0.6 + 0.85 + 0.95) / 3) < 0.01  # the mean of a triangular distribution
    assert draw(unc, nominal, 10, seed=5) == values[:10]  # a larger study with the same seed extends a smaller one


def test_same_seed_gives_identical_parquet_files(risky, tmp_path):
    a = run_risk(risky, samples=8, seed=7, executor="serial", robust_samples=2, out_dir=tmp_path / "a")
    b = run_risk(risky, samples=8, seed=7, executor="process", workers=2, robust_samples=2, out_dir=tmp_path / "b")
    c = run_risk(risky, samples=8, seed=8, executor="serial", robust_samples=0, out_dir=tmp_path / "c")
    assert a.parquet.read_bytes() == b.parquet.read_bytes()
    table = pq.read_table(a.parquet)
    assert table.num_rows >= 8 and table.schema.field("noi_USD_per_yr").metadata[b"unit"] == b"USD/yr"
    assert not np.array_equal(_noi(a.deterministic.samples), _noi(c.deterministic.samples))


def dying_batch(batch):
    """evaluate_batch, but the worker process kills itself the first time it meets sample 3."""
    marker = Path(os.environ["RISK_TEST_MARKER"])
    if any(p.sample == 3 for p in batch.points) and not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return evaluate_batch(batch)


def test_a_killed_worker_loses_no_sample(risky, tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_TEST_MARKER", str(tmp_path / "killed"))
    study = run_risk(risky, samples=12, seed=4, executor="process", workers=2, robust_samples=0,
                     out_dir=tmp_path / "out", fn=dying_batch)
    assert (tmp_path / "killed").exists()  # a worker did die
    assert [r["sample"] for r in study.deterministic.samples] == list(range(12))
    reference = run_risk(risky, samples=12, seed=4, executor="serial", robust_samples=0)
    assert np.array_equal(_noi(study.deterministic.samples), _noi(reference.deterministic.samples))


def test_resume_solves_only_what_is_missing(risky, tmp_path):
    out = tmp_path / "out"
    first = run_risk(risky, samples=6, seed=9, executor="serial", robust_samples=0, out_dir=out)
    tornado = len(first.deterministic.tornado)
    assert first.solved == 6 + tornado
    more = run_risk(risky, samples=10, seed=9, executor="serial", robust_samples=0, out_dir=out, resume=True)
    assert (more.solved, more.resumed) == (4, 6 + tornado)
    again = run_risk(risky, samples=10, seed=9, executor="serial", robust_samples=0, out_dir=out, resume=True)
    assert again.solved == 0
    fresh = run_risk(risky, samples=10, seed=9, executor="serial", robust_samples=0, out_dir=tmp_path / "fresh")
    assert more.parquet.read_bytes() == fresh.parquet.read_bytes()


def test_resume_refuses_a_study_of_other_inputs(risky, tmp_path):
    run_risk(risky, samples=2, seed=1, executor="serial", robust_samples=0, out_dir=tmp_path)
    with pytest.raises(InputError, match="seed"):
        run_risk(risky, samples=2, seed=2, executor="serial", robust_samples=0, out_dir=tmp_path, resume=True)
    with pytest.raises(InputError, match="--resume"):
        run_risk(risky, samples=2, seed=1, executor="serial", robust_samples=0, out_dir=tmp_path)


def test_robust_design_has_the_best_mean_objective_over_the_subset(risky):
    study = run_risk(risky, samples=6, seed=1, executor="serial", robust_samples=3)
    assert study.robust is not None and len(study.robust.samples) == 6
    assert study.candidates[0].id == study.deterministic.id and len(study.candidates) >= 1
    best = max(study.candidates, key=lambda c: c.score)
    assert study.robust.id == best.id
    # the deterministic design's score is the mean objective of its first three samples
    col = figure_column(study.objective)
    mean = np.mean([r[col] for r in study.deterministic.samples[:3]])
    assert study.candidates[0].score == pytest.approx(mean, rel=1e-12)


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed is not installed")
def test_dask_local_cluster_of_two_workers_gives_the_process_pool_results(risky, tmp_path):
    pool = run_risk(risky, samples=8, seed=6, executor="process", workers=2, robust_samples=2, out_dir=tmp_path / "p")
    dask = run_risk(risky, samples=8, seed=6, executor="dask", workers=2, robust_samples=2, out_dir=tmp_path / "d")
    assert pool.parquet.read_bytes() == dask.parquet.read_bytes()


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed is not installed")
def test_a_killed_dask_worker_loses_no_sample(risky, tmp_path, monkeypatch):
    import sys

    import cloudpickle

    monkeypatch.setenv("RISK_TEST_MARKER", str(tmp_path / "killed"))
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)  # the Dask workers do not import the tests
    try:
        study = run_risk(risky, samples=12, seed=4, executor="dask", workers=2, robust_samples=0, fn=dying_batch)
    finally:
        cloudpickle.unregister_pickle_by_value(module)
    assert (tmp_path / "killed").exists()
    assert [r["sample"] for r in study.deterministic.samples] == list(range(12))
    reference = run_risk(risky, samples=12, seed=4, executor="serial", robust_samples=0)
    assert np.array_equal(_noi(study.deterministic.samples), _noi(reference.deterministic.samples))


def test_cli_prints_quantiles_loss_designs_and_inputs(risky, tmp_path, capsys):
    code = main(["risk", str(risky), "--samples", "5", "--robust-samples", "2", "--robust-percentile", "10",
                 "--set", "economics.objective='noi_less_annualised_capex'", "--out", str(tmp_path / "o"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    for text in ("P10", "P50", "P90", "probability of a loss", "robust design: the best P10 of NOI less annualised",
                 "inputs that matter most", "gpu_price"):
        assert text in out
    html = (tmp_path / "o" / "report.html").read_text()
    assert html.count("data:image/png;base64") == 3  # NOI and the objective over the samples, the tornado


def test_site_without_uncertainty_gets_a_clear_message(tmp_path, capsys):
    site = _site(tmp_path, None)
    assert main(["risk", str(site), "--samples", "3"]) == 2
    err = capsys.readouterr().err
    assert "uncertainty" in err and "Traceback" not in err


def test_bad_uncertainty_value_names_path_and_expected_kind(tmp_path, capsys):
    bad = {"btc_price": {"volatility": "46 USD"}}
    site = _site(tmp_path, bad)
    assert main(["risk", str(site), "--samples", "3"]) == 2
    err = capsys.readouterr().err
    assert "uncertainty.btc_price.volatility" in err and "fraction" in err and "Traceback" not in err


def test_correlation_of_an_undeclared_input_is_refused(tmp_path, capsys):
    site = _site(tmp_path, {"btc_price": {"volatility": "40 %"},
                            "correlations": [{"inputs": ["btc_price", "difficulty"], "coefficient": "0.5"}]})
    assert main(["check", str(site)]) == 2
    assert "uncertainty.correlations[0].inputs" in capsys.readouterr().err


def test_site_without_uncertainty_plans_as_before(tmp_path):
    """The [uncertainty] table changes nothing in a plan."""
    with_table = run_plan(resolve(load_site(_site(tmp_path, UNCERTAINTY, "a.toml")), bin_k=2.0))
    without = run_plan(resolve(load_site(_site(tmp_path, None, "b.toml")), bin_k=2.0))
    assert with_table.economics.noi == without.economics.noi
    assert with_table.design.racks == without.design.racks


def test_missing_dask_gives_a_clear_message(monkeypatch, capsys, risky):
    import sys

    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert main(["risk", str(risky), "--samples", "2", "--executor", "dask"]) == 2
    err = capsys.readouterr().err
    assert "dask.distributed is not installed" in err and "--executor process" in err


def test_scheduler_needs_the_dask_executor(risky, capsys):
    assert main(["risk", str(risky), "--samples", "2", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--executor dask" in capsys.readouterr().err
