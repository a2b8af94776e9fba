"""Pieces of the dashboard: the views it draws for a pair, and small widget helpers."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..engine.history import Action, Step
from ..engine.pair import CopyPair
from ..views.blockmap import block_map_html, capture
from ..views.diagram import state_diagram_svg
from ..views.events import rollback_summary
from ..views.marks import map_blocks
from ..views.snapshot import PairSnapshot, snapshot
from ..views.status import state_line
from ..views.strip import summary_strip_html
from ..views.timeline import describe

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


def pair_map_html(pair: CopyPair) -> str:
    """The pair's block map, or its summary strip above MAP_CELLS blocks."""
    if map_blocks(pair) > MAP_CELLS:
        return summary_strip_html(pair)
    return block_map_html(pair, compact=True)


def step_outcome(step: Step, pair: CopyPair | None) -> str:
    """What ``step`` (the latest) did, in words: the command, the state changes, and for a
    differential start the destination writes it rolled back, block by block."""
    text = describe(step)[0]
    changes = "; ".join(str(change) for change in step.changes)
    if changes:
        text += f" · {changes}"
    if step.action is Action.START and pair is not None and step.changes_of(pair.name) \
            and map_blocks(pair) <= MAP_CELLS:
        rolled = rollback_summary(capture(pair))
        if rolled:
            text += f" · {rolled}"
    return text


def slug(name: str) -> str:
    """A button's name as a CSS class: ``Run to end`` is ``run-to-end``."""
    return name.lower().replace(" ", "-")


def set_available(button: widgets.Button, tooltip: str, reason: str | None) -> None:
    """Grey ``button`` (never ``disabled``: it keeps its hover, focus and click) with its
    ``reason`` as the tooltip, or make it look available with its own ``tooltip``."""
    if reason is None:
        button.remove_class("qopc-unavailable")
        button.tooltip = tooltip
    else:
        button.add_class("qopc-unavailable")
        button.tooltip = f"Unavailable: {reason}"


def why_html(unavailable: dict[str, str]) -> str:
    """One hidden line per greyed button, which the panel's style sheet shows while that
    button is hovered or focused."""
    return "".join(f'<div class="qopc-why qopc-why-{slug(name)}" role="note"><b>'
                   f"{html.escape(name)}</b> is unavailable: {html.escape(reason)}</div>"
                   for name, reason in unavailable.items())


def html_box(css_class: str) -> widgets.HTML:
    widget = widgets.HTML()
    widget.add_class(css_class)
    return widget


def row(children: list[widgets.Widget], css_class: str) -> widgets.HBox:
    """One wrapping row of controls (its first child, a Label, names it)."""
    box = widgets.HBox(children)
    box.add_class("qopc-row")
    if css_class:
        box.add_class(css_class)
    return box


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
