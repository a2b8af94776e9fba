"""Benchmarks of qopc_kit at realistic volume sizes (``python -m benchmarks``).

Each figure is a ratio of the engine's time (or memory) to a plain numpy baseline
measured in the same run, so that a noisy shared machine shifts both sides alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .browser import browser_clicks
from .dashboard import dashboard_click, summary_view
from .engine import BenchmarkError, copier_tick, differential, full_copy, host_writes
from .history import history_budget
from .memory import engine_memory
from .sizes import ISSUE, TINY, Sizes
from .timing import Row, table

Figure = Callable[[Sizes, np.random.Generator], list[Row]]

#: The issue's figures by number, each one or more functions giving rows.
FIGURES: dict[str, tuple[Figure, ...]] = {
    "1": (full_copy,),
    "2": (differential,),
    "3": (host_writes,),
    "4": (copier_tick,),
    "5": (dashboard_click, summary_view),
    "6": (engine_memory,),
    "7": (history_budget,),
    "8": (browser_clicks,),
}


def run(sizes: Sizes = ISSUE, figures: Iterable[str] | None = None,
        progress: Callable[[str], object] | None = None) -> list[Row]:
    """Measure ``figures`` (default all) at ``sizes``; return the table's rows in order.

    Each figure gets its own seeded generator, so one figure's numbers do not
    depend on which others ran. Raises BenchmarkError if the engine misbehaves.
    """
    chosen = list(FIGURES) if figures is None else [f for f in FIGURES if f in set(figures)]
    rows: list[Row] = []
    for number in chosen:
        for figure in FIGURES[number]:
            if progress is not None:
                progress(f"figure {number}: {figure.__name__} ...")
            rows += figure(sizes, np.random.default_rng([sizes.seed, int(number)]))
    return rows


__all__ = ["FIGURES", "ISSUE", "TINY", "BenchmarkError", "Row", "Sizes", "run", "table"]
