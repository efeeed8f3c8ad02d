"""report.html opens in a real browser: headless Chromium (Debian's `chromium`) renders it, with its
plots, and logs no console error. Skipped where Chromium is not installed (.ci/run installs it)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.cli import main

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")


def _chromium(*args, cwd):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--enable-logging=stderr", "--v=0", f"--user-data-dir={cwd / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


def test_report_html_renders_in_headless_chromium_with_its_plots(tmp_path):
    out = tmp_path / "out"
    assert main([str(ROOT / "sites" / "tiny.toml"), "--days", "4", "--no-replan", "--out", str(out)]) == 0
    page = (out / "report.html").resolve().as_uri()
    shot = tmp_path / "report.png"  # kept under the test's temporary folder
    run = _chromium(f"--screenshot={shot}", "--window-size=1280,4000", page, cwd=tmp_path)
    assert shot.is_file() and shot.stat().st_size > 20_000, run.stderr[-2000:]
    # console messages are logged as "CONSOLE(...)" or "Uncaught ..." lines; none may be an error
    errors = [line for line in run.stderr.splitlines()
              if re.search(r"CONSOLE\(\d+\)|Uncaught|Failed to load resource", line)]
    assert not errors, errors
    # the DOM as the browser built it holds the plots, each an embedded PNG, and no remote resource
    dom = _chromium("--dump-dom", page, cwd=tmp_path).stdout
    plots = re.findall(r'<img[^>]+src="data:image/png;base64,', dom)
    assert len(plots) >= 4
    assert not re.search(r'(src|href)="https?://', dom)  # nothing fetched from a network
