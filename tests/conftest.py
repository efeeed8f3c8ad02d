import pytest


@pytest.fixture(autouse=True)
def _report_width_from_no_terminal(monkeypatch):
    """Reports in tests are as wide as when redirected to a file, whatever COLUMNS the shell exports."""
    monkeypatch.delenv("COLUMNS", raising=False)


def pytest_configure(config):
    """Tests keep the planner's caches (pint, parsed weather) in a folder of their own, and reports are as
    wide as when redirected in module-scoped fixtures too (pytest-xdist's workers may inherit a COLUMNS)."""
    import os
    import tempfile

    os.environ.pop("COLUMNS", None)

    if "PLANNER_CACHE_DIR" not in os.environ:
        os.environ["PLANNER_CACHE_DIR"] = tempfile.mkdtemp(prefix="planner-test-cache-")
