"""The dashboard's block selector: a range slider, and one button per block for small volumes.

The block maps are HTML, which ipywidgets cannot make clickable. Under the map, a
row of toggle buttons (one per block, numbered like the map's cells) selects one
block with a click or the keyboard; it works headless (``picker.value = 3``) and in
every front end, without custom JavaScript. Volumes above :data:`PICKER_LIMIT` blocks
get the range slider only: thousands of buttons would be unreadable and slow.
"""

from __future__ import annotations

import ipywidgets as widgets

#: The largest volume that gets one button per block.
PICKER_LIMIT = 64


class BlockSelector:
    """The blocks Write and Read act on: ``first`` to ``last``, both included.

    Clicking block ``b`` selects ``b`` alone; the slider selects a range, and the
    button of its block stays pressed while the range is a single block.
    """

    def __init__(self) -> None:
        self.range = widgets.IntRangeSlider(
            value=(0, 0), min=0, max=0, description="Blocks", continuous_update=False,
            tooltip="First and last block to write or read",
            layout=widgets.Layout(width="min(100%, 420px)"))
        self.picker = widgets.ToggleButtons(
            options=[], value=None, description="Block",
            tooltips=[], style={"button_width": "3.2em"},
            layout=widgets.Layout(flex_flow="row wrap"))
        self.picker.observe(self._picked, names="value")
        self.range.observe(self._ranged, names="value")
        self.box = widgets.VBox([self.picker, self.range])

    @property
    def blocks(self) -> tuple[int, int]:
        """The selected (first, last) blocks."""
        first, last = self.range.value
        return int(first), int(last)

    def resize(self, count: int) -> None:
        """Fit the controls to a volume of ``count`` blocks, keeping the selection if it fits."""
        first, last = self.range.value
        last_block = max(count - 1, 0)
        if self.range.max != last_block:
            # Order matters: the slider refuses max < min while it moves.
            self.range.max = last_block
            self.range.value = (min(first, last_block), min(last, last_block))
        small = 0 < count <= PICKER_LIMIT
        if len(self.picker.options) != (count if small else 0):
            self.picker.unobserve(self._picked, names="value")
            self.picker.options = [(str(b), b) for b in range(count)] if small else []
            self.picker.tooltips = [f"Select block {b}" for b in range(count)] if small else []
            self.picker.observe(self._picked, names="value")
            self._ranged({"new": self.range.value})
        self.picker.layout.display = None if small else "none"

    def _picked(self, change: dict) -> None:
        block = change["new"]
        if block is not None:
            self.range.value = (block, block)

    def _ranged(self, change: dict) -> None:
        first, last = change["new"]
        single = first == last and first < len(self.picker.options)
        self.picker.value = first if single else None
