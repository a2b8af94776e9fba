"""The marks a block map draws on a block, and the masks of a pair they are read from.

Shared by the per-block maps (:mod:`.blockmap`) and the summary strips (:mod:`.strip`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..engine.pair import CopyPair
    from .blockmap import BlockRecord


@dataclass(frozen=True)
class Mark:
    """A per-block mark: which side it is drawn on, its text row, symbol and meaning."""

    key: str
    side: str  # "source" or "destination"
    row: str
    symbol: str
    meaning: str
    always: bool = True  # False: shown only when some block has it

    @property
    def css(self) -> str:
        """The cell's class for this mark."""
        return "qopc-" + self.key.replace("_", "-")


MARKS: tuple[Mark, ...] = (
    Mark("queued", "destination", "queued", "q",
         "queued for physical copy: not on the destination yet"),
    Mark("source_tracked", "source", "src-trk", "s",
         "source-tracked: written on the source since the last logical copy"),
    Mark("destination_tracked", "destination", "dst-trk", "d",
         "destination-tracked: written on the destination since the last logical copy"),
    Mark("rolled_back", "destination", "rolled", "↺",
         "rolled back: a destination write the last differential start overwrote"),
    Mark("copied_before_write", "destination", "cbw", "c",
         "copied by copy-before-write, ahead of a source write"),
    Mark("never_copied", "destination", "missing", "✗",
         "never copied: the copy was cancelled first (destination unusable)"),
    Mark("restore_queued", "source", "restore", "r",
         "queued for restore by the reverse OPC: not on the source yet", always=False),
    Mark("never_restored", "source", "src-miss", "✗",
         "never restored: the reverse OPC was cancelled first (source unusable)", always=False),
    Mark("source_only", "source", "src-only", "+",
         "only on the source: the destination has no such block (sizes differ, so a start "
         "is refused, 4097)", always=False),
    Mark("destination_only", "destination", "dst-only", "+",
         "only on the destination: the source has no such block (sizes differ, so a start "
         "is refused, 4097)", always=False),
)
MARKS_BY_KEY = {mark.key: mark for mark in MARKS}


def map_blocks(pair: CopyPair) -> int:
    """Blocks a map of ``pair`` spans: the larger volume's."""
    return max(pair.source.blocks, pair.destination.blocks)


def fit(mask: np.ndarray, blocks: int) -> np.ndarray:
    """``mask`` cut or padded with False to ``blocks`` (itself when it already fits)."""
    if mask.size == blocks:
        return mask
    fitted = np.zeros(blocks, dtype=bool)
    kept = min(blocks, mask.size)
    fitted[:kept] = mask[:kept]
    return fitted


def _beyond(blocks: int, other: int) -> np.ndarray:
    """The blocks of a ``blocks``-long volume past the end of an ``other``-long one."""
    if other >= blocks:  # the usual case, every redraw: no block beyond, no allocation
        return np.broadcast_to(np.False_, (blocks,))
    mask = np.zeros(blocks, dtype=bool)
    mask[other:] = True
    return mask


def masks_of(pair: CopyPair) -> dict[str, np.ndarray]:
    """The marks' masks, each as long as the volume its mark is drawn on.

    Read-only views straight from the engine (no copy) when both volumes have the
    same size. Otherwise the forward session's bitmaps follow the source and the
    reverse OPC's the destination, so each is fitted to the side it is drawn on
    (such a pair never starts: the fitted bits are all clear).
    """
    reverse = pair.reverse_session
    sizes = {"source": pair.source.blocks, "destination": pair.destination.blocks}
    masks = {
        "queued": pair.queued,
        "source_tracked": pair.source_tracking,
        "destination_tracked": pair.destination_tracking,
        "rolled_back": pair.rolled_back,
        "copied_before_write": pair.copied_before_write,
        "never_copied": pair.destination.missing,
        "restore_queued": reverse.queued,
        "never_restored": pair.source.missing,
        "source_only": _beyond(sizes["source"], sizes["destination"]),
        "destination_only": _beyond(sizes["destination"], sizes["source"]),
    }
    return {key: fit(mask, sizes[MARKS_BY_KEY[key].side]) for key, mask in masks.items()}


def sizes_note(source: str, destination: str, source_blocks: int,
                destination_blocks: int) -> str:
    if source_blocks == destination_blocks:
        return ""
    return (f"  sizes differ: {source} {source_blocks} blocks, {destination} "
            f"{destination_blocks}")


def esc(text: str) -> str:
    """Escape a name for HTML text or an attribute (array names may hold any symbol)."""
    return html.escape(text, quote=True)


def symbol_html(mark: Mark) -> str:
    return f'<span class="qopc-sym qopc-sym-{mark.key.replace("_", "-")}">{mark.symbol}</span>'


def compact_legend_html(marks: list[Mark], record: BlockRecord, split: bool) -> str:
    """One row for the panel: only the marks some block has, each as its symbol, short name
    and count (the full meaning in its tooltip); ``split`` adds the "on the block → what a
    host reads" key when a cell shows both."""
    items = []
    for mark in marks:
        number = int(np.count_nonzero(record.masks[mark.key]))
        if number:
            short = mark.meaning.split(":")[0].split(",")[0]
            items.append(f'<span class="qopc-legend-item" role="listitem" data-mark="{mark.key}" '
                         f'title="{html.escape(mark.meaning, quote=True)} ({mark.side})">'
                         f"{symbol_html(mark)} {html.escape(short)} ({number})</span>")
    if split:
        items.append('<span class="qopc-legend-item" role="listitem"><s>Y</s>→B: on the '
                     "block → what a host reads</span>")
    if not items:
        items.append('<span class="qopc-legend-item" role="listitem">no marks: no block is '
                     "queued, tracked or rolled back</span>")
    return ('<div class="qopc-legend qopc-legend-compact" role="list" aria-label="legend">'
            + " ".join(items) + "</div>")


def legend_html(marks: list[Mark], record: BlockRecord | None = None) -> str:
    """The legend: each mark's symbol, meaning and side (and its count in ``record``)."""
    items = []
    for mark in marks:
        count = ""
        if record is not None:
            number = int(np.count_nonzero(record.masks[mark.key]))
            count = f"; {number} block{'s' if number != 1 else ''}"
        items.append(f'<span class="qopc-legend-item" role="listitem" data-mark="{mark.key}">'
                     f"{symbol_html(mark)} {html.escape(mark.meaning)} ({mark.side}{count})</span>")
    items.append('<span class="qopc-legend-item" role="listitem">'
                 '<span class="qopc-sym">.</span> an all-zero block; '
                 "<sub>n</sub> the block number</span>")
    return ('<div class="qopc-legend" role="list" aria-label="legend">' + " ".join(items)
            + "</div>")
