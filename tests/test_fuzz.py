"""Seeded fuzzing (issue 11): a few hundred mutations of the tiny site, the hardware files, an
hourly weather file and the command line, through `plan check` mostly and a few `plan` runs on
two representative days. Every run ends with an exit code the README documents, within a time
bound, without "internal error" and without a traceback. benchmarks/fuzz.py runs more."""

from __future__ import annotations

import pytest

import fuzzlib

CASES, SEED, BOUND = 300, 11, 30.0  # cases, seed, seconds per case


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    return fuzzlib.fuzz(CASES, SEED, tmp_path_factory.mktemp("fuzz") / "work", plan_share=0.1, timeout=BOUND)


def test_every_run_ends_with_a_documented_exit_code(summary):
    bad = [(c.kind, c.code, c.argv[:4], c.output) for c in summary.bad()]
    assert not bad, bad
    assert set(summary.by_code) <= fuzzlib.DOCUMENTED


def test_no_hang_and_within_the_bound(summary):
    assert not [c for c in summary.cases if c.hang]
    assert max(c.seconds for c in summary.cases) < BOUND


def test_the_mix_covers_every_kind_of_mutation(summary):
    kinds = {k.split(":")[0] for k in summary.by_kind}
    assert {"site", "hardware", "file_kind", "weather", "cli"} <= kinds
    assert summary.by_code[2] > 0 and summary.by_code[0] > 0  # refusals and plans both occur
    assert any(c.argv[0] == "run" for c in summary.cases)


def test_same_seed_same_cases(tmp_path):
    a = fuzzlib.fuzz(15, 5, tmp_path / "a")
    b = fuzzlib.fuzz(15, 5, tmp_path / "b")
    assert [(c.kind, c.code) for c in a.cases] == [(c.kind, c.code) for c in b.cases]
