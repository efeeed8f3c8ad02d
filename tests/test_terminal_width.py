"""The report fits the terminal width (COLUMNS honoured) and is plain text when redirected."""

from pathlib import Path

import pytest

from planner.cli import main

TINY = Path(__file__).parent.parent / "sites" / "tiny.toml"


def _report(monkeypatch, capsys, columns: str | None) -> list[str]:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert main([str(TINY)]) == 0
    return capsys.readouterr().out.splitlines()


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def wide_prose() -> list[str]:
    """The report's long prose lines as printed 1000 columns wide, i.e. unwrapped (timings left out)."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("COLUMNS", "1000")
        import io
        import sys

        buf, saved = io.StringIO(), sys.stdout
        sys.stdout = buf
        try:
            assert main([str(TINY)]) == 0
        finally:
            sys.stdout = saved
    finally:
        mp.undo()
    lines = [line for line in buf.getvalue().splitlines()
             if line.startswith("  ") and len(line) > 90 and " s " not in line and not line.endswith(" s")]
    assert lines, "the report has long prose lines to wrap"
    return lines


@pytest.mark.parametrize("columns", [80, 200])
def test_report_fits_columns(monkeypatch, capsys, wide_prose, columns):
    lines = _report(monkeypatch, capsys, str(columns))
    assert max(len(line) for line in lines) == columns  # the section rules span the width
    rules = [line for line in lines if line.startswith("─")]
    assert rules and all(len(line) == columns for line in rules)
    text = "\n".join(lines)
    assert "\x1b" not in text  # captured output is not a terminal: no colour or style codes
    assert "[bold]" not in text and "[/" not in text  # markup rendered, not printed
    assert "…" not in text  # no cell cut off with an ellipsis
    flat = _words(text)
    for line in wide_prose:  # wrapped between words: every sentence is all there, in order
        assert _words(line) in flat, line


def test_wrapped_prose_hangs_under_its_first_line(monkeypatch, capsys, wide_prose):
    lines = _report(monkeypatch, capsys, "80")
    first = _words(wide_prose[0])[:40]
    i = next(i for i, line in enumerate(lines) if _words(line).startswith(first))
    indent = len(lines[i]) - len(lines[i].lstrip(" "))
    assert len(lines[i + 1]) - len(lines[i + 1].lstrip(" ")) == indent + 2  # continuation: two more columns
    assert all(line == line.rstrip() for line in lines[i:i + 2])


def test_redirected_without_columns_is_plain_and_120_wide(monkeypatch, capsys):
    lines = _report(monkeypatch, capsys, None)
    assert max(len(line) for line in lines) == 120
    assert not any("\x1b[" in line for line in lines)
