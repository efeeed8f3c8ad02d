"""The report fits the terminal width (COLUMNS honoured) and is plain text when redirected."""

import re
from pathlib import Path

import pytest

from planner.cli import main

TINY = Path(__file__).parent.parent / "sites" / "tiny.toml"
SENTENCE = ("Shadow prices are marginal values of the LP re-solved with every equipment count held at the "
            "plan's value (racks, CDUs, heat-rejection modules, air-side units)")


def _report(monkeypatch, capsys, columns: str | None) -> list[str]:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert main([str(TINY)]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("columns", [80, 200])
def test_report_fits_columns(monkeypatch, capsys, columns):
    lines = _report(monkeypatch, capsys, str(columns))
    assert max(len(line) for line in lines) == columns  # the section rules span the width
    rules = [line for line in lines if line.startswith("─")]
    assert rules and all(len(line) == columns for line in rules)
    text = "\n".join(lines)
    assert "\x1b" not in text  # captured output is not a terminal: no colour or style codes
    assert "[bold]" not in text and "[/" not in text  # markup rendered, not printed
    assert SENTENCE in " ".join(text.split())  # wrapped between words, nothing cut off
    assert "…" not in text  # no cell cut off with an ellipsis
    prose = [line for line in lines if line.startswith("  ") and not line.startswith("   ")]
    assert any(line.startswith("  Shadow prices are marginal") for line in prose)


def test_wrapped_prose_hangs_under_its_first_line(monkeypatch, capsys):
    lines = _report(monkeypatch, capsys, "80")
    i = next(i for i, line in enumerate(lines) if line.startswith("  Shadow prices are marginal"))
    assert lines[i + 1].startswith("    ") and not lines[i + 1].startswith("     ")
    assert all(line == line.rstrip() for line in lines[i:i + 3])


def test_redirected_without_columns_is_plain_and_120_wide(monkeypatch, capsys):
    lines = _report(monkeypatch, capsys, None)
    assert max(len(line) for line in lines) == 120
    assert not any(re.search(r"\x1b\[", line) for line in lines)
