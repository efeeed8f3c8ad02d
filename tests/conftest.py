import pytest


@pytest.fixture(autouse=True)
def _report_width_from_no_terminal(monkeypatch):
    """Reports in tests are as wide as when redirected to a file, whatever COLUMNS the shell exports."""
    monkeypatch.delenv("COLUMNS", raising=False)
