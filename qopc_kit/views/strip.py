"""Summary strips: a large volume's marks as shares of bins, for maps too big to draw by block.

Each mark becomes one row of ``width`` bins; a bin's shade is the share of its blocks that
carry the mark (vectorised with ``np.add.reduceat``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from ..engine.errors import ArgumentError
from . import theme
from .marks import MARKS, Mark, esc, fit, map_blocks, masks_of, sizes_note
from .snapshot import PairSnapshot, snapshot

if TYPE_CHECKING:
    from ..engine.pair import CopyPair


# Summary strips for large volumes -----------------------------------------------------
def _bins(count: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    bins = max(1, min(width, count))
    starts = (np.arange(bins, dtype=np.int64) * count) // bins
    sizes = np.diff(np.append(starts, count))
    return starts, sizes


def strip_fractions(masks: Mapping[str, np.ndarray], width: int) -> dict[str, np.ndarray]:
    """For each mask, the fraction of set blocks in each of ``width`` bins (vectorised).

    Raises ArgumentError when the masks differ in length.
    """
    lengths = {int(mask.size) for mask in masks.values()}
    if len(lengths) != 1:
        raise ArgumentError(f"strip masks must have one length, got {sorted(lengths)}")
    count = lengths.pop()
    starts, sizes = _bins(count, width)
    return {key: np.add.reduceat(mask, starts, dtype=np.int64) / sizes
            for key, mask in masks.items()}


def _check_width(width: object) -> int:
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ArgumentError(f"strip width must be a whole number >= 1, got {width!r}")
    return width


def _strip_marks(pair: CopyPair) -> tuple[dict[str, np.ndarray], list[Mark]]:
    """The shown marks' masks, all as long as the map (one bin axis for both sides)."""
    masks = masks_of(pair)
    marks = [m for m in MARKS if m.always or masks[m.key].any()]
    blocks = map_blocks(pair)
    return {m.key: fit(masks[m.key], blocks) for m in marks}, marks


def _strip_header(shot: PairSnapshot, count: int, bins: int) -> str:
    text = f"{shot.name}  {shot.state.label}"
    if shot.state.has_session:
        text += f", copied {shot.forward.copied_blocks}, rest {shot.forward.rest_blocks}"
    if shot.restoring:
        text += f"; reverse OPC {shot.reverse.state.label}"
    per = -(-count // bins)
    text += f"  [{count} blocks in {bins} bins of up to {per}]"
    text += sizes_note(shot.source, shot.destination, shot.source_blocks,
                       shot.destination_blocks)
    if not shot.destination_usable:
        text += f"  {shot.destination} UNUSABLE"
    if not shot.source_usable:
        text += f"  {shot.source} UNUSABLE"
    for volume, carried in zip((shot.source, shot.destination), shot.carried, strict=True):
        if carried:
            text += f"  {volume} CARRIES AN UNUSABLE IMAGE [M]"
    return text


@dataclass(frozen=True, eq=False)
class StripRecord:
    """What a summary strip shows of a pair at one moment, binned: plain data, no live mask.

    ``fractions[key]`` is each bin's share of blocks with the mark, ``totals[key]`` its block
    count; the capture reads the bitmaps once (``np.add.reduceat``) and copies none.
    """

    shot: PairSnapshot
    blocks: int
    marks: tuple[Mark, ...]
    fractions: Mapping[str, np.ndarray]
    totals: Mapping[str, int]

    @property
    def bins(self) -> int:
        """The number of bins."""
        return len(next(iter(self.fractions.values())))


def capture_strip(pair: CopyPair, width: int) -> StripRecord:
    """The strip of ``pair`` at ``width`` bins, as it is now. Raises ArgumentError for a
    width that is not a whole number >= 1."""
    width = _check_width(width)
    masks, marks = _strip_marks(pair)
    fractions = {key: _frozen(share) for key, share in strip_fractions(masks, width).items()}
    totals = {key: int(np.count_nonzero(mask)) for key, mask in masks.items()}
    return StripRecord(snapshot(pair), map_blocks(pair), tuple(marks),
                       MappingProxyType(fractions), MappingProxyType(totals))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def summary_strip_text(pair: CopyPair | StripRecord, width: int = 64) -> str:
    """Text strip: per mark, one character per bin (``.`` none, ``1``-``9`` tenths, ``#`` all)."""
    record = pair if isinstance(pair, StripRecord) else capture_strip(pair, width)
    lines = [_strip_header(record.shot, record.blocks, record.bins)]
    for mark in record.marks:
        share = record.fractions[mark.key]
        digits = np.clip((share * 10).astype(np.int64), 1, 9)
        chars = np.where(share == 0, ".", np.where(share >= 1, "#", digits.astype(str)))
        lines.append(f"{mark.row:<8} {''.join(chars.tolist())} {record.totals[mark.key]}")
    return "\n".join(lines)


_LEVELS = 20  # opacity steps in the HTML strip: equal neighbours merge into one rectangle


def _strip_svg(share: np.ndarray, colour: str, label: str, cell: int = 2,
               height: int = 12) -> str:
    level = np.ceil(share * _LEVELS).astype(np.int64)  # any block at all shows
    edges = np.flatnonzero(np.diff(level)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [level.size]))
    keep = level[starts] > 0
    rects = "".join(
        f'<rect x="{s * cell}" y="0" width="{(e - s) * cell}" height="{height}" '
        f'fill="{colour}" fill-opacity="{lv / _LEVELS:.2f}"/>'
        for s, e, lv in zip(starts[keep].tolist(), ends[keep].tolist(),
                            level[starts[keep]].tolist(), strict=True))
    width = level.size * cell
    return (f'<svg class="qopc-strip-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{html.escape(label, quote=True)}">'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="none" '
            f'stroke="#9e9e9e" stroke-width="1"/>{rects}</svg>')


def summary_strip_html(pair: CopyPair | StripRecord, width: int = 256) -> str:
    """A large pair as strips of ``width`` bins, one strip per mark, shaded by the
    fraction of the bin's blocks that have the mark."""
    record = pair if isinstance(pair, StripRecord) else capture_strip(pair, width)
    shot = record.shot
    rows = []
    for mark in record.marks:
        total = record.totals[mark.key]
        blocks = shot.source_blocks if mark.side == "source" else shot.destination_blocks
        label = f"{mark.meaning} ({mark.side}): {total} of {blocks} blocks"
        colour = theme.MARK_COLOURS[mark.key][1]
        rows.append(f'<div class="qopc-strip" data-mark="{mark.key}">'
                    f'<span class="qopc-strip-label"><span class="qopc-sym qopc-sym-'
                    f'{mark.key.replace("_", "-")}">{mark.symbol}</span> {mark.row} '
                    f"({total})</span>"
                    + _strip_svg(record.fractions[mark.key], colour, label) + "</div>")
    label = html.escape(f"Summary strip of {shot.name}", quote=True)
    header = html.escape(_strip_header(shot, record.blocks, record.bins))
    legend = " ".join(f'<span class="qopc-legend-item" role="listitem">'
                      f'<span class="qopc-sym">{m.symbol}</span> {m.row}: '
                      f"{html.escape(m.meaning)}</span>" for m in record.marks)
    return (f'<div class="qopc-view qopc-blockmap qopc-summary" role="figure" '
            f'aria-label="{label}" data-pair="{esc(shot.name)}">' + theme.style()
            + f'<div class="qopc-note">{header}</div>' + "".join(rows)
            + '<div class="qopc-note">shade: the share of the bin\'s blocks with the mark</div>'
            + f'<div class="qopc-legend" role="list" aria-label="legend">{legend}</div></div>')
