"""The benchmarks run end to end on tiny volumes (so `make bench` cannot rot); no timing asserted."""

from __future__ import annotations

import math

import pytest

from benchmarks import FIGURES, TINY, Row, run, table
from benchmarks.__main__ import main
from benchmarks.dashboard import NOT_YET


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    """Every figure measured once at the tiny sizes."""
    return run(TINY)


def test_every_figure_gives_rows(rows):
    """Each figure yields at least one row, in figure order."""
    numbers = [row.figure for row in rows]
    assert sorted(set(numbers)) == sorted(FIGURES)
    assert numbers == sorted(numbers)


def test_every_row_has_a_ratio_or_says_why_not(rows):
    """A row is a positive finite ratio to its baseline, or an n/a naming the reason."""
    for row in rows:
        if row.ratio is None:
            # The browser figure is not run at --tiny (it starts Voilà and Chromium).
            assert row.note in (NOT_YET, "n/a (not run with --tiny)"), row
            assert row.verdict == "n/a"
        else:
            assert math.isfinite(row.ratio) and row.ratio > 0, row
            assert row.verdict in ("met", "MISSED", "")
            assert (row.verdict == "") == (row.limit is None), row


def test_table_has_one_line_per_row(rows):
    """The printed table is a Markdown header, a rule and one line per row."""
    lines = table(rows).splitlines()
    assert len(lines) == len(rows) + 2
    assert lines[0].startswith("| # ")
    for line, row in zip(lines[2:], rows, strict=True):
        assert line.startswith(f"| {row.figure} ") and row.what in line


def test_main_prints_the_machine_and_the_table(capsys):
    """`python -m benchmarks --tiny --only 4` prints the machine line and figure 4's rows."""
    assert main(["--tiny", "--only", "4"]) == 0
    out = capsys.readouterr().out
    assert "numpy" in out and "Python" in out
    assert "| 4 " in out and "| 1 " not in out


def test_main_refuses_an_unknown_figure():
    """--only with a figure the issue does not have is a usage error."""
    with pytest.raises(SystemExit):
        main(["--tiny", "--only", "9"])
