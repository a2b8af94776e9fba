"""Pieces of the dashboard: the views it draws for a pair, and small widget helpers."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..engine.pair import CopyPair
from ..views.blockmap import block_map_html
from ..views.diagram import state_diagram_svg
from ..views.marks import map_blocks
from ..views.snapshot import PairSnapshot, snapshot
from ..views.status import state_line
from ..views.strip import summary_strip_html

#: Larger volumes show as the views' summary strip: a map of one cell per block would
#: send megabytes to the browser on every click (4,096 blocks: 2.6 MB of HTML; 256: 160 kB).
MAP_CELLS = 256


def diagrams_svg(pair: CopyPair | PairSnapshot) -> str:
    """The pair's state diagram; the reverse OPC's too while a restore exists."""
    shot = snapshot(pair)
    return "".join(state_diagram_svg(shot, reverse=r) for r in directions(shot))


def state_lines_html(pair: CopyPair | PairSnapshot, role: str) -> str:
    """One line per diagram: the pair's state and how it got there; then a warning for each
    volume that carries an unusable image."""
    shot = snapshot(pair)
    return "".join(f'<div role="{role}" style="font-size: 1.15em;">'
                   f"{html.escape(state_line(shot, reverse=r))}</div>"
                   for r in directions(shot)) + "".join(
        f'<div role="{role}" class="qopc-warn">{html.escape(note)} [M]</div>'
        for note in shot.carried if note)


def directions(pair: PairSnapshot) -> tuple[bool, ...]:
    return (False, True) if pair.restoring else (False,)


def pair_map_html(pair: CopyPair, logical: bool) -> str:
    """The pair's block map, or its summary strip above MAP_CELLS blocks."""
    if map_blocks(pair) > MAP_CELLS:
        return summary_strip_html(pair)
    return block_map_html(pair, logical=logical)


def html_box(css_class: str) -> widgets.HTML:
    widget = widgets.HTML()
    widget.add_class(css_class)
    return widget


def section(title: str, children: list[widgets.Widget]) -> widgets.VBox:
    return widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *children],
                        layout=widgets.Layout(border="1px solid var(--jp-border-color2, #ccc)",
                                              padding="4px"))


def set_options(select: widgets.Dropdown, options: list[str]) -> None:
    """Give ``select`` these options, keeping its value when it is still one of them."""
    if tuple(select.options) != tuple(options):
        keep = select.value
        select.options = options
        select.value = keep if keep in options else (options[0] if options else None)


def set_range(slider: widgets.IntSlider, low: int, high: int) -> None:
    """Set ``slider``'s bounds in an order its validation accepts."""
    if low > slider.max:
        slider.max = high
        slider.min = low
    else:
        slider.min = low
        slider.max = high
