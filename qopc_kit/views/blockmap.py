"""Block maps: a pair's source and destination, one cell per block, with the copy marks.

A view is a pure function of a :class:`BlockRecord`, an immutable capture of one pair
(images and masks), so that two captures (before and after ``acopc start -diff``) can
be drawn side by side. Volumes above :data:`MAX_CELLS` blocks are drawn as a summary
strip of bins, counted with numpy, never one cell per block.

Each volume is drawn with its own size. A group may hold a pair whose volumes differ in
size (only its start is refused, 4097); the longer volume's extra blocks then carry a
``source_only`` or ``destination_only`` mark.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from ..engine.errors import ArgumentError
from ..engine.states import State
from . import theme
from .marks import (
    MARKS,
    Mark,
    compact_legend_html,
    esc,
    legend_html,
    map_blocks,
    masks_of,
    sizes_note,
    symbol_html,
)
from .strip import summary_strip_html, summary_strip_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..engine.pair import CopyPair

#: Above this many blocks a block map becomes a summary strip (a cell is ~300 bytes of
#: HTML with its aria-label: 1,024 blocks on two sides already make 600 KB).
MAX_CELLS = 1024
#: Blocks per line in the text twin.
TEXT_WRAP = 32


@dataclass(frozen=True, eq=False)
class BlockRecord:
    """An immutable capture of one pair: both volumes' physical and logical images, and masks.

    Arrays are read-only copies, so later engine steps do not change a record.
    """

    pair: str
    source: str
    destination: str
    state: State
    reverse_state: State
    copied_blocks: int
    rest_blocks: int
    source_usable: bool
    destination_usable: bool
    physical: tuple[np.ndarray, np.ndarray]  # (source, destination), uint8 (blocks, size)
    logical: tuple[np.ndarray, np.ndarray]
    masks: Mapping[str, np.ndarray]
    step: int | None = None  # the array's step when captured (None: not known)
    # Why each side carries an unusable image (copied from an unusable volume), or None.
    carried: tuple[str | None, str | None] = (None, None)

    @property
    def moment(self) -> str:
        """``"step N"``, or ``""`` when the step is not known."""
        return "" if self.step is None else f"step {self.step}"

    @property
    def sizes(self) -> tuple[int, int]:
        """Blocks of the source and of the destination."""
        return int(self.physical[0].shape[0]), int(self.physical[1].shape[0])

    @property
    def blocks(self) -> int:
        """Blocks the map spans: the larger volume's."""
        return max(self.sizes)


def _frozen(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.flags.writeable = False
    return copy


def capture(pair: CopyPair) -> BlockRecord:
    """Record ``pair`` as it is now, without side effects (logical images via ``image()``)."""
    source, destination = pair.source, pair.destination
    return BlockRecord(
        pair=pair.name, source=source.name, destination=destination.name,
        state=pair.state, reverse_state=pair.reverse_state,
        copied_blocks=pair.copied_blocks, rest_blocks=pair.rest_blocks,
        source_usable=source.usable, destination_usable=destination.usable,
        physical=(_frozen(source.data), _frozen(destination.data)),
        logical=(_frozen(source.image()), _frozen(destination.image())),
        masks=MappingProxyType({k: _frozen(v) for k, v in masks_of(pair).items()}),
        step=len(pair.array.history) - 1,
        carried=(pair.array.carried_unusable(source), pair.array.carried_unusable(destination)),
    )


# Cell contents ------------------------------------------------------------------------
def _printable(codes: np.ndarray) -> np.ndarray:
    return (codes > 0x20) & (codes < 0x7F)


def content_labels(image: np.ndarray) -> list[str]:
    """One short label per block: ``.`` all zero, a letter, its text, or hex.

    A block of one repeated byte shows that byte (a letter when printable, else two
    hex digits); a short printable block shows its text; anything else its first
    byte in hex followed by ``…``.
    """
    first = image[:, 0]
    uniform = (image == first[:, None]).all(axis=1)
    printable_all = np.all(_printable(image), axis=1, keepdims=False).reshape(-1)
    short = image.shape[1] <= 4
    labels = []
    for row, byte, same, text_ok in zip(image, first.tolist(), uniform.tolist(),
                                        printable_all.tolist(), strict=True):
        if same:
            labels.append("." if byte == 0 else chr(byte) if 0x20 < byte < 0x7F else f"{byte:02x}")
        elif text_ok and short:
            labels.append(row.tobytes().decode("ascii"))
        else:
            labels.append(f"{byte:02x}…")
    return labels


def _describe(label: str) -> str:
    return "empty (zeros)" if label == "." else label


def _shown_marks(record: BlockRecord) -> list[Mark]:
    return [m for m in MARKS if m.always or record.masks[m.key].any()]


def _header(record: BlockRecord, logical: bool) -> str:
    view = "logical image (what a host reads)" if logical else "physical data (on the blocks)"
    text = f"{record.pair}  {record.state.label}"
    if record.state.has_session:
        text += f", copied {record.copied_blocks}, rest {record.rest_blocks}"
    if record.reverse_state.has_session:
        text += f"; reverse OPC {record.reverse_state.label}"
    text += f"  [{view}]"
    text += sizes_note(record.source, record.destination, *record.sizes)
    if not record.destination_usable:
        text += f"  {record.destination} UNUSABLE"
    if not record.source_usable:
        text += f"  {record.source} UNUSABLE"
    for volume, carried in zip((record.source, record.destination), record.carried,
                               strict=True):
        if carried:
            text += f"  {volume} CARRIES AN UNUSABLE IMAGE [M]"
    return text


# Text twin --------------------------------------------------------------------------
def record_text(record: BlockRecord, *, logical: bool = False,
                changed: np.ndarray | None = None) -> str:
    """The text twin of a block map: content rows then one 0/1 row per mark.

    A volume shorter than the other leaves its rows blank past its last block.
    """
    images = record.logical if logical else record.physical
    source, destination = (content_labels(image) for image in images)
    count = record.blocks
    width = max(len(str(count - 1)), *(len(label) for label in source + destination))
    rows: list[tuple[str, list[str]]] = [("block", [str(i) for i in range(count)]),
                                         ("src", source), ("dst", destination)]
    for mark in _shown_marks(record):
        rows.append((mark.row, ["1" if v else "0" for v in record.masks[mark.key].tolist()]))
    if changed is not None:
        rows.append(("changed", ["1" if v else "0" for v in changed.tolist()]))
    rows = [(name, cells + [""] * (count - len(cells))) for name, cells in rows]
    lines = [_header(record, logical)]
    for start in range(0, count, TEXT_WRAP):
        for name, cells in rows:
            part = " ".join(cell.rjust(width) for cell in cells[start:start + TEXT_WRAP])
            lines.append(f"{name:<8} {part}")
    return "\n".join(lines)


def block_map_text(pair: CopyPair, *, logical: bool = False) -> str:
    """Text twin of :func:`block_map_html` (``src A B C D`` / ``queued 0 1 0 0``)."""
    if map_blocks(pair) > MAX_CELLS:
        return summary_strip_text(pair)
    return record_text(capture(pair), logical=logical)


# HTML ---------------------------------------------------------------------------------
def cell_html(volume: str, block: int, label: str, marks: list[Mark],
              changed: bool = False, reads: str | None = None) -> str:
    """One block's cell: number, content and mark symbols, with an aria-label saying them.

    The number and symbols are ``<sub>``/``<sup>``, so the cell still reads where
    styles are stripped (``₂x^s``).
    """
    css = "".join(" " + m.css for m in marks)
    said = [m.meaning.split(":")[0] for m in marks]
    if changed:
        css += " qopc-changed"
        said.append("changed")
    aria = f"{volume} block {block}: {_describe(label)}"
    content = html.escape(label)
    if reads is not None and reads != label:  # physical differs from what a host reads
        aria += f", a host reads {_describe(reads)}"
        content = (f'<s class="qopc-discarded">{html.escape(label)}</s>'
                   f'<span class="qopc-reads">\u2192{html.escape(reads)}</span>')
    if said:
        aria += "; " + "; ".join(said)
    aria = html.escape(aria, quote=True)
    symbols = "".join(symbol_html(m) for m in marks)
    return (f'<span class="qopc-cell{css}" role="listitem" data-volume="{esc(volume)}" '
            f'data-block="{block}" aria-label="{aria}" title="{aria}">'
            f'<sub class="qopc-no">{block}</sub>'
            f'<span class="qopc-content">{content}</span>'
            f'<sup class="qopc-syms">{symbols}</sup></span>')


def cells_html(volume: str, labels: list[str], marks: list[Mark],
               masks: Mapping[str, np.ndarray], changed: np.ndarray | None = None,
               title: str = "", reads: list[str] | None = None) -> str:
    """A volume's row of cells under ``title``; ``marks`` are looked up in ``masks``."""
    flags = [(m, masks[m.key].tolist()) for m in marks]
    changed_list = changed.tolist() if changed is not None else [False] * len(labels)
    cells = " ".join(
        cell_html(volume, block, label, [m for m, values in flags if values[block]],
                  changed_list[block], None if reads is None else reads[block])
        for block, label in enumerate(labels))
    return (f'<div class="qopc-title">{title}</div>'
            f'<div class="qopc-cells" role="list" aria-label="{esc(volume)}, {len(labels)} blocks">'
            f"{cells}</div>")


def _sides_html(record: BlockRecord, logical: bool, changed: np.ndarray | None) -> str:
    images = record.logical if logical else record.physical
    marks = _shown_marks(record)
    parts = []
    for side, image in zip(("source", "destination"), images, strict=True):
        volume = record.source if side == "source" else record.destination
        usable = record.source_usable if side == "source" else record.destination_usable
        state = "" if usable else ' <span class="qopc-warn">UNUSABLE</span>'
        carried = record.carried[0 if side == "source" else 1]
        if carried:
            state += (f' <span class="qopc-warn" title="{esc(carried)}">CARRIES AN UNUSABLE '
                      "IMAGE [M]</span>")
        title = f"{side} <code>{esc(volume)}</code>{state}"
        mine = [m for m in marks if m.side == side]
        reads = None  # a physical destination map also says what a host reads, where it differs
        if side == "destination" and not logical:
            reads = content_labels(record.logical[1])
        parts.append(f'<div class="qopc-side" data-side="{side}">'
                     + cells_html(volume, content_labels(image), mine, record.masks,
                                  changed if side == "destination" else None, title, reads)
                     + "</div>")
    return f'<div class="qopc-sides">{"".join(parts)}</div>'


def record_html(record: BlockRecord, *, logical: bool = False, compact: bool = False) -> str:
    """A block map of one record: source and destination side by side, and a legend.

    ``compact`` (the dashboard's): no header line (the panel shows the state and the
    volumes' warnings itself) and a one-row legend of the marks present.
    """
    label = html.escape(f"Block map of {record.pair}", quote=True)
    if compact:
        split = not logical and bool(np.any(record.physical[1] != record.logical[1]))
        header = ""
        legend = compact_legend_html(_shown_marks(record), record, split)
    else:
        header = f'<div class="qopc-note">{html.escape(_header(record, logical))}</div>'
        legend = legend_html(_shown_marks(record), record)
    return (f'<div class="qopc-view qopc-blockmap" role="figure" aria-label="{label}" '
            f'data-pair="{esc(record.pair)}" data-view="{"logical" if logical else "physical"}">'
            + theme.style() + header + _sides_html(record, logical, None) + legend + "</div>")


def block_map_html(pair: CopyPair, *, logical: bool = False, compact: bool = False) -> str:
    """A pair's source and destination side by side, one cell per block, with a legend.

    ``logical`` shows what a host reads (``image()``, no side effect) instead of the
    physical blocks. Volumes above :data:`MAX_CELLS` blocks get a summary strip.
    """
    if map_blocks(pair) > MAX_CELLS:
        return summary_strip_html(pair)
    return record_html(capture(pair), logical=logical, compact=compact)


# Before and after ---------------------------------------------------------------------
def _changed(before: BlockRecord, after: BlockRecord, logical: bool) -> np.ndarray:

    old = (before.logical if logical else before.physical)[1]  # the destination
    new = (after.logical if logical else after.physical)[1]
    if before.pair != after.pair or old.shape != new.shape:
        raise ArgumentError(f"before and after must capture the same pair, got {before.pair} "
                            f"({before.blocks} blocks) and {after.pair} ({after.blocks} blocks)")
    return (old != new).any(axis=1)


def before_after_text(before: BlockRecord, after: BlockRecord, *, logical: bool = True) -> str:
    """Text twin of :func:`before_after_html`: both maps, and a ``changed`` row after."""
    changed = _changed(before, after, logical)
    return (_when("before", before) + "\n" + record_text(before, logical=logical) + "\n\n"
            + _when("after", after) + "\n" + record_text(after, logical=logical, changed=changed))


def _when(name: str, record: BlockRecord) -> str:
    """``before (step 9)``: which moment a capture shows, as two captures may be far apart."""
    return f"{name} ({record.moment})" if record.moment else name


def before_after_html(before: BlockRecord, after: BlockRecord, *, logical: bool = True) -> str:
    """Two captures of one pair (e.g. around ``acopc start -diff``), one above the other.

    Block columns line up, so a destination block's before and after sit one above the
    other; the ones whose content changed are underlined and said to be changed.
    Shows logical images by default: a differential start changes what a host reads
    on the destination at once, while the physical blocks follow as they are copied.
    Raises ArgumentError when the two records are not of the same pair.
    """
    changed = _changed(before, after, logical)
    count = int(np.count_nonzero(changed))
    marks = [m for m in MARKS if m.always or before.masks[m.key].any()
             or after.masks[m.key].any()]
    parts = []
    for name, record, diff in (("before", before, None), ("after", after, changed)):
        parts.append(f'<div class="qopc-record" data-when="{name}">'
                     f'<div class="qopc-title">{_when(name, record)}: '
                     f"{html.escape(_header(record, logical))}</div>"
                     + _sides_html(record, logical, diff) + "</div>")
    label = html.escape(f"Block map of {after.pair} before and after", quote=True)
    return (f'<div class="qopc-view qopc-blockmap qopc-before-after" role="figure" '
            f'aria-label="{label}" data-pair="{esc(after.pair)}">' + theme.style() + "".join(parts)
            + f'<div class="qopc-note">{count} destination block{"s" if count != 1 else ""} '
            "changed (underlined)</div>" + legend_html(marks) + "</div>")
