"""Outputs and interrupts (issue 11): output paths checked before solving, files written
atomically, Ctrl-C and SIGTERM end a run promptly with one line and exit 130 / 143."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.cli import main
from planner.load import InputError
from planner.outputs import atomic_path, check_outputs, write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "sites" / "tiny.toml"
WASHINGTON = ROOT / "sites" / "washington.toml"
PLAN = [sys.executable, "-c", "from planner._entry import entry; entry()"]


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err
    return code, out, err


# ---------------------------------------------------------------- output paths

@pytest.mark.parametrize("make, words", [
    (lambda d: d, "is a folder; name a file in it"),
    (lambda d: d / "missing" / "out.json", "the folder"),
    (lambda d: (d / "file").write_text("x") and d / "file" / "out.json", "is a file, not a folder"),
])
@pytest.mark.parametrize("command, option", [
    (["run", TINY, "--days", "2"], "--json"),
    (["compare", TINY, "--days", "2"], "--json"),
    (["compare", TINY, "--days", "2"], "--csv"),
    (["sweep", TINY, "--days", "2", "--vary", "site.grid_limit=1 MW"], "--csv"),
])
def test_bad_output_paths_are_refused_before_solving(tmp_path, capsys, monkeypatch, make, words, command, option):
    import planner.cli
    import planner.studies.compare
    import planner.studies.sweep

    def no_load(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("loaded the site before the output path was checked")

    for module in (planner.cli, planner.studies.compare, planner.studies.sweep):
        monkeypatch.setattr(module, "load_site", no_load)
    target = make(tmp_path)
    code, _, err = _run(capsys, *command, option, target)
    assert code == 2
    assert f"error: {option}: {target}: " in err and words in err


def test_same_file_for_json_and_csv(tmp_path):
    with pytest.raises(InputError, match="the same file as --json"):
        check_outputs(json=tmp_path / "a", csv=tmp_path / "a")
    check_outputs(json="-", csv=tmp_path / "b.csv")


def test_device_is_refused():
    with pytest.raises(InputError, match="not a regular file"):
        check_outputs(json="/dev/null")


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.json"]
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["out.json"]


def test_file_size_limit_leaves_the_previous_report(tmp_path):
    old = tmp_path / "out.json"
    old.write_text("{" + " " * 5000 + "}")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    r = subprocess.run([*PLAN, str(TINY), "--days", "2", "--json", str(old)], preexec_fn=limit,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "--json: " in r.stderr and "cannot write the file (File too large); the previous file is unchanged" in r.stderr
    assert old.read_text() == "{" + " " * 5000 + "}"
    assert os.listdir(tmp_path) == ["out.json"]


# ---------------------------------------------------------------- sweep size

def _grid(n: int) -> str:
    return "site.grid_limit=" + ",".join(f"'{1 + i / 10:g} MW'" for i in range(n))


def test_large_sweep_needs_yes(capsys, monkeypatch):
    import planner.studies.sweep

    monkeypatch.setattr(planner.studies.sweep, "build_points", lambda *a, **k: pytest.fail("validated a refused sweep"))
    code, _, err = _run(capsys, "sweep", TINY, "--days", "2", "--vary", _grid(15), "--vary",
                        "gpu_market.price=" + ",".join(f"'{1 + i} USD/GPU/h'" for i in range(15)))
    assert code == 2
    assert "225 points (15 x 15 values) exceed the limit of 200 points per sweep; pass --yes" in err
    code, _, err = _run(capsys, "sweep", TINY, "--days", "2", "--vary", _grid(5), "--max-points", "4")
    assert code == 2 and "5 points (5 values) exceed the limit of 4" in err


def test_sweep_states_its_size(capsys):
    code, _, err = _run(capsys, "sweep", TINY, "--days", "2", "--executor", "serial", "--vary", _grid(3))
    assert code == 0
    assert "sweep: 3 points (3), 1 worker (serial)" in err


# ---------------------------------------------------------------- signals

SLOW = ["--bin", "1", "--prove"]  # the full MILP on 178 model hours: still solving seconds after start-up


def _start(args, cwd) -> subprocess.Popen:
    return subprocess.Popen([*PLAN, *map(str, args)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _stop(proc: subprocess.Popen, signum: int, after: float) -> tuple[int, float, str, str]:
    time.sleep(after)
    assert proc.poll() is None, "finished before the signal"
    sent = time.monotonic()
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    return proc.returncode, time.monotonic() - sent, out, err


@pytest.mark.parametrize("signum, code, words", [
    (signal.SIGINT, 130, "plan: interrupted (Ctrl-C); nothing more was written"),
    (signal.SIGTERM, 143, "plan: stopped by SIGTERM; nothing more was written"),
])
def test_signal_stops_a_solving_plan(tmp_path, signum, code, words):
    proc = _start([WASHINGTON, *SLOW, "--json", "out.json"], tmp_path)
    rc, seconds, out, err = _stop(proc, signum, after=6.0)
    assert rc == code, err
    assert seconds < 2.0
    assert err.strip().splitlines() == [words]
    assert "Traceback" not in out + err
    assert os.listdir(tmp_path) == []  # no out.json, no temporary file


def test_signal_keeps_the_previous_report(tmp_path):
    (tmp_path / "out.json").write_text('{"old": true}\n')
    proc = _start([WASHINGTON, *SLOW, "--json", "out.json"], tmp_path)
    rc, seconds, _, _ = _stop(proc, signal.SIGTERM, after=4.0)
    assert rc == 143 and seconds < 2.0
    assert (tmp_path / "out.json").read_text() == '{"old": true}\n'
    assert os.listdir(tmp_path) == ["out.json"]


def test_signal_during_start_up(tmp_path):
    proc = _start([TINY], tmp_path)
    rc, seconds, out, err = _stop(proc, signal.SIGINT, after=0.3)
    assert rc == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def _children(pid: int) -> list[int]:
    r = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(x) for x in r.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_every_sweep_worker(tmp_path, signum, code):
    proc = _start(["sweep", WASHINGTON, "--days", "6", "--workers", "2",
                   "--vary", "site.grid_limit='16 MW','17 MW','18 MW','20 MW'"], tmp_path)
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert workers, "no worker started"
    time.sleep(2.0)  # the workers are solving
    rc, seconds, _, err = _stop(proc, signum, after=0)
    assert rc == code, err
    assert seconds < 4.0
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)]


def _wait_for_children(proc: subprocess.Popen, n: int = 1, seconds: float = 40.0) -> list[int]:
    found: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(found) < n:
        time.sleep(0.2)
        found = _children(proc.pid)
    return found


def test_sigterm_stops_a_cbc_solve(tmp_path):
    proc = _start([WASHINGTON, "--solver", "cbc", "--days", "6"], tmp_path)
    solvers = _wait_for_children(proc)
    assert solvers, "CBC did not start"
    rc, seconds, _, err = _stop(proc, signal.SIGTERM, after=0.5)
    assert rc == 143 and seconds < 2.0, err
    time.sleep(0.5)
    assert not [p for p in solvers if _alive(p)]


def test_ctrl_c_stops_compare(tmp_path):
    proc = _start(["compare", WASHINGTON, "--days", "6", "--json", "c.json"], tmp_path)
    rc, seconds, out, err = _stop(proc, signal.SIGINT, after=6.0)
    assert rc == 130 and seconds < 2.0
    assert err.strip().splitlines() == ["plan: interrupted (Ctrl-C); nothing more was written"]
    assert os.listdir(tmp_path) == []


def test_closed_pipe_is_exit_141_without_a_message(tmp_path):
    proc = subprocess.Popen([*PLAN, "check", str(WASHINGTON)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `plan check ... | head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "internal error" not in err and "Traceback" not in err
