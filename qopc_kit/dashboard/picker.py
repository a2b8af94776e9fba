"""The dashboard's block selector: the Blocks range slider, also set by clicks on the block map.

A click on a block's cell in the map (:mod:`qopc_kit.panel_map`) selects that block
alone, as the slider does when both its ends are on it; a Shift-click selects the blocks
from the anchor to it. The slider alone reaches every block of a volume drawn as a summary
strip (above the dashboard's ``MAP_CELLS`` blocks), which has no cells to click.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..engine.errors import ArgumentError


class BlockSelector:
    """The blocks Write and Read act on: ``first`` to ``last``, both included."""

    def __init__(self) -> None:
        self.range = widgets.IntRangeSlider(
            value=(0, 0), min=0, max=0, description="Blocks", continuous_update=False,
            tooltip="First and last block to write or read (or click a block in the map; "
                    "Shift-click for a range)",
            layout=widgets.Layout(width="190px"))
        self._anchor = 0  # the block last selected alone: where a Shift-click extends from

    @property
    def blocks(self) -> tuple[int, int]:
        """The selected (first, last) blocks."""
        first, last = self.range.value
        return int(first), int(last)

    def resize(self, count: int) -> None:
        """Fit the slider to a volume of ``count`` blocks, keeping the selection if it fits."""
        first, last = self.range.value
        last_block = max(count - 1, 0)
        if self.range.max != last_block:
            # Order matters: the slider refuses max < min while it moves.
            self.range.max = last_block
            self.range.value = (min(first, last_block), min(last, last_block))

    def select(self, block: int, *, extend: bool = False) -> None:
        """Select ``block`` alone, or with ``extend`` every block from the anchor to it.

        The anchor is the block last selected alone while it still ends the range, else
        the range's first block. Raises ArgumentError for a block outside the volume.
        """
        if not 0 <= block <= self.range.max:
            raise ArgumentError(f"no block {block} to select: the volume has blocks 0 to "
                                f"{self.range.max}")
        if extend:
            first, last = self.blocks
            anchor = self._anchor if self._anchor in (first, last) else first
            self.range.value = (min(anchor, block), max(anchor, block))
        else:
            self._anchor = block
            self.range.value = (block, block)
