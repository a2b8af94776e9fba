"""Figure 5: one dashboard click (engine call and every view redrawn), against a 100 ms budget."""

from __future__ import annotations

import warnings

import numpy as np

from qopc_kit import State

from .engine import BenchmarkError, build_pair
from .sizes import Sizes
from .timing import Row, median_time

#: The issue's target: a click redraws within 100 ms.
BUDGET = 0.1

NOT_YET = "n/a (not yet available)"


def _missing(labels: list[str]) -> list[Row]:
    return [Row("5", what, None, "budget", BUDGET, limit=1.0, note=NOT_YET) for what in labels]


def dashboard_click(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """A Tick click on the dashboard of the lesson array, for each of ``sizes.panel_blocks``.

    The click goes through the button's own handler (``Button.click``): one engine
    call, then :meth:`Dashboard.refresh` redraws the diagram, block map or summary
    strip, query table and log. Rows say n/a while the dashboard is not importable.
    """
    labels = [f"dashboard Tick click, {b:,}-block lesson pair in Copying/Tracking"
              for b in sizes.panel_blocks]
    try:
        from qopc_kit.dashboard.panel import Dashboard, lesson_array
    except ImportError:
        return _missing(labels)
    rows = []
    for blocks, what in zip(sizes.panel_blocks, labels, strict=True):
        array = lesson_array(blocks=blocks, copy_rate=1)
        panel = Dashboard(array)
        pair = panel.pair
        if pair is None:
            raise BenchmarkError("figure 5: the lesson array has no pair")

        def copying(pair=pair) -> None:
            # Keep a copy running so every click has queued blocks to move.
            if pair.state is not State.COPYING_TRACKING or pair.rest_blocks < 2:
                if pair.state.has_session:
                    pair.cancel()
                pair.start()

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ipywidgets without a front end may warn
            seconds = median_time(panel.buttons["Tick"].click, repeats=sizes.repeats,
                                  prepare=copying)
        if pair.copied_blocks < 1 or array.history[-1].action != "tick":
            raise BenchmarkError("figure 5: the Tick click did not tick the copier")
        rows.append(Row("5", what, seconds, "budget", BUDGET, limit=1.0))
    return rows


def summary_view(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """The summary strip of a million-block pair mid-copy, against the 100 ms budget."""
    blocks = sizes.summary_blocks
    what = f"summary view of a {blocks:,}-block pair, 1% queued at random"
    try:
        from qopc_kit.views.strip import summary_strip_html
    except ImportError:
        return _missing([what])
    # One-byte blocks: the strip draws the bitmaps, not the data.
    array, source, _, pair = build_pair(blocks, 1, blocks, rng)
    pair.start()
    array.run()
    source.write(rng.choice(blocks, max(1, blocks // 100), replace=False), 1)
    pair.start(diff=True)
    html = summary_strip_html(pair)
    if "qopc-strip" not in html:
        raise BenchmarkError("figure 5: the summary view drew no strip")
    seconds = median_time(lambda: summary_strip_html(pair), repeats=sizes.repeats)
    return [Row("5", what, seconds, "budget", BUDGET, limit=1.0)]
