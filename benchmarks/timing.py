"""Timing and reporting helpers: interleaved repeats, medians, and the table's rows."""

from __future__ import annotations

import gc
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter

Action = Callable[[], object]


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table.

    ``measured`` and ``baseline`` are medians in ``unit`` (seconds or bytes per block).
    ``paired`` is the median of the per-round ratios when the two were timed in
    alternate rounds; otherwise the ratio is measured / baseline. ``limit`` is the
    largest ratio the issue accepts (None: no target, report only). An unmeasured
    row has ``measured`` None and a ``note`` saying why.
    """

    figure: str
    what: str
    measured: float | None
    baseline_what: str
    baseline: float | None
    limit: float | None = None
    unit: str = "s"
    note: str = ""
    paired: float | None = None

    @property
    def ratio(self) -> float | None:
        """The paired ratio, else measured / baseline; None when unmeasured."""
        if self.measured is None or not self.baseline:
            return None
        return self.measured / self.baseline if self.paired is None else self.paired

    @property
    def verdict(self) -> str:
        """'met' or 'MISSED' against the limit; '' with no target; 'n/a' when unmeasured."""
        if self.ratio is None:
            return "n/a"
        if self.limit is None:
            return ""
        return "met" if self.ratio <= self.limit else "MISSED"


def _timed(action: Action) -> float:
    start = perf_counter()
    action()
    return perf_counter() - start


def compare(engine: Action, baseline: Action, *, repeats: int,
            prepare: Action | None = None,
            prepare_baseline: Action | None = None) -> tuple[float, float, float]:
    """Median seconds of ``engine`` and of ``baseline``, run alternately ``repeats`` times,
    and the median of the rounds' engine / baseline ratios.

    Alternating the two keeps a burst of load from another process on the shared
    machine from landing on one side only, and a round's ratio compares runs made
    moments apart. A first round runs untimed (warm-up).
    ``prepare`` (untimed) runs before each engine run, ``prepare_baseline`` before
    each baseline run; the garbage collector is off while timing, as in :mod:`timeit`.
    """
    engine_times, baseline_times = [], []
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for round_number in range(repeats + 1):
            if prepare_baseline is not None:
                prepare_baseline()
            baseline_seconds = _timed(baseline)
            if prepare is not None:
                prepare()
            engine_seconds = _timed(engine)
            if round_number:  # round 0 warms up: lazy imports, first-touch pages, caches
                baseline_times.append(baseline_seconds)
                engine_times.append(engine_seconds)
    finally:
        if enabled:
            gc.enable()
    ratios = [e / b if b > 0 else math.inf
              for e, b in zip(engine_times, baseline_times, strict=True)]
    return (statistics.median(engine_times), statistics.median(baseline_times),
            statistics.median(ratios))


def median_time(action: Action, *, repeats: int, prepare: Action | None = None) -> float:
    """Median seconds of ``action`` over ``repeats`` runs (``prepare`` untimed before each)."""
    return compare(action, lambda: None, repeats=repeats, prepare=prepare)[0]


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        if value >= 1:
            return f"{value:.2f} s"
        if value >= 1e-3:
            return f"{value * 1e3:.3g} ms"
        return f"{value * 1e6:.3g} µs"
    if unit == "B/block":
        return f"{value:,.0f} B/block" if value >= 100 else f"{value:.3g} B/block"
    return f"{value:.3g} {unit}"


def _ratio(row: Row) -> str:
    ratio = row.ratio
    if ratio is None:
        return row.note or "n/a"
    if not math.isfinite(ratio):
        return "inf"
    if ratio < 0.001:
        return "< 0.001x"
    return f"{ratio:.3f}x" if ratio < 0.1 else f"{ratio:.2f}x"


def table(rows: list[Row]) -> str:
    """The rows as one Markdown table (it reads as plain text too)."""
    header = ("#", "measured", "engine", "baseline", "ratio", "target", "result")
    lines = [header]
    for row in rows:
        target = "" if row.limit is None else f"<= {row.limit:g}x"
        lines.append((row.figure, row.what, _amount(row.measured, row.unit),
                      f"{row.baseline_what}: {_amount(row.baseline, row.unit)}",
                      _ratio(row), target, row.verdict if row.ratio is not None else ""))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths,
                                                                        strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
