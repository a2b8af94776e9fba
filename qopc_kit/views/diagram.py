"""The state diagram of a copy session, drawn from the engine's transition table.

:func:`diagram_dot` writes DOT source from :data:`qopc_kit.states.TRANSITIONS`. Graphviz
lays it out once, at development time (``python -m qopc_kit.views.layout --regenerate``),
and the SVG ships with the package: :func:`state_diagram_svg` only edits that text to
mark the current state, the previous one and the last transition. So the diagram shows
where ``dot`` is missing and is the same, byte for byte, on every machine.
"""

from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from ..engine.states import TRANSITIONS, Copy, State, Transition, states_of
from . import theme
from .snapshot import PairSnapshot, snapshot
from .status import state_line

if TYPE_CHECKING:
    from ..engine.pair import CopyPair

#: The shipped layouts, one per kind of session, in this package.
LAYOUTS = {Copy.QUICKOPC: "state_diagram.svg", Copy.OPC: "state_diagram_reverse.svg"}

TITLES = {Copy.QUICKOPC: "QuickOPC session (acopc start / cancel)",
           Copy.OPC: "Reverse OPC session (acopc start -r / cancel -r)"}
_KEY = "dashed edge: this kit's modelling choice; solid: documented by Fujitsu"


# DOT source --------------------------------------------------------------------------
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def state_tooltip(state: State) -> str:
    """The query and Express wordings of ``state``, in one line (the node's tooltip)."""
    text = f"{state.label}: acopc query shows {state.opc_status} / {state.copy_phase}"
    if state.express:
        text += f"; Express shows {state.express}"
    return text


def _node_label(state: State) -> str:
    lines = [state.label, f"{state.opc_status} / {state.copy_phase}"]
    if state.express:
        lines.append(f"Express: {state.express}")
    return "\n".join(lines)


def _rows(copy: Copy) -> list[Transition]:
    return [row for row in TRANSITIONS if row.copy is copy]


def diagram_dot(copy: Copy = Copy.QUICKOPC) -> str:
    """DOT source of one kind of session's state diagram, from ``states.TRANSITIONS``.

    One node per state (its name, the ``acopc query`` wording and the Express wording)
    and one edge per row of the table, labelled with the event. Rows that are this
    kit's modelling choice ("M") are dashed. Raises TypeError if ``copy`` is not a Copy.
    """
    if not isinstance(copy, Copy):
        raise TypeError(f"copy must be a Copy (Copy.QUICKOPC or Copy.OPC), not {copy!r}")
    lines = [
        f"digraph {copy.name} {{",
        f"  graph [label={_quote(TITLES[copy] + chr(10) + _KEY)}, labelloc=t, fontname=Helvetica, "
        "fontsize=12, rankdir=LR, nodesep=0.5, ranksep=0.8, bgcolor=transparent];",
        '  node [shape=box, style=rounded, fontname=Helvetica, fontsize=11, margin="0.15,0.08"];',
        "  edge [fontname=Helvetica, fontsize=10];",
    ]
    for state in states_of(copy):
        lines.append(f"  {state.name} [id={_quote('n:' + state.name)}, "
                     f"label={_quote(_node_label(state))}];")
    for row in _rows(copy):
        style = ", style=dashed" if row.source == "M" else ""
        lines.append(f"  {row.state.name} -> {row.next.name} "
                     f"[id={_quote(f'e:{row.state.name}:{row.event.name}')}, "
                     f"label={_quote(row.event.label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# The shipped SVG ----------------------------------------------------------------------
@cache
def shipped_layout(copy: Copy) -> str:
    return resources.files(__package__).joinpath(LAYOUTS[copy]).read_text(encoding="utf-8")


# Highlighting ------------------------------------------------------------------------
def _add_class(svg: str, opening: str, css: str, colours: dict[str, str]) -> str:
    """Add ``css`` to the group that starts with ``opening``; recolour its shape too.

    The colour attribute is for renders that strip ``<style>`` (GitHub): the class
    carries the themed look where CSS applies.
    """
    found = svg.find(opening)
    if found < 0:
        return svg
    start = svg.rfind("<g ", 0, found)
    end = svg.index("</g>", start)
    group = svg[start:end]
    group = group.replace('class="node qopc-node"', f'class="node qopc-node {css}"', 1)
    group = group.replace('class="edge qopc-edge"', f'class="edge qopc-edge {css}"', 1)
    for old, new in colours.items():
        group = group.replace(old, new)
    return svg[:start] + group + svg[end:]


def state_diagram_svg(pair: CopyPair | PairSnapshot | None = None, *,
                      reverse: bool = False) -> str:
    """SVG of the state diagram, with ``pair``'s session marked on it.

    The current state's node gets class ``qopc-current``, the previous state's
    ``qopc-previous`` and the edge of the last transition ``qopc-last``; ``reverse``
    draws the reverse OPC session instead of the QuickOPC one. No XML prolog, a
    ``<style>`` inside: ready to embed in HTML. Never needs Graphviz.
    """
    copy = Copy.OPC if reverse else Copy.QUICKOPC
    try:
        svg = shipped_layout(copy)
    except OSError:  # a broken install: say so in the picture rather than raise
        return _missing_layout(copy, pair, reverse)
    svg = svg[svg.index("<svg"):]
    if pair is not None:
        shot = snapshot(pair)
        session = shot.session(reverse)
        last = session.last_transition
        if last is not None:
            svg = _add_class(svg, f'data-from="{last.state.name}" data-event="{last.event.name}"',
                             "qopc-last", {'stroke="black"': f'stroke="{theme.LAST_EDGE}" '
                                           'stroke-width="2.5"',
                                           'fill="black"': f'fill="{theme.LAST_EDGE}"'})
        previous = session.previous_state
        if previous is not None and previous is not session.state:
            svg = _add_class(svg, f'data-state="{previous.name}"', "qopc-previous",
                             {'fill="none"': f'fill="{theme.PREVIOUS_FILL}"'})
        svg = _add_class(svg, f'data-state="{session.state.name}"', "qopc-current",
                         {'fill="none"': f'fill="{theme.CURRENT_FILL}"'})
        # Screen readers get the highlight in words.
        said = html.escape(f"{TITLES[copy]}: {state_line(shot, reverse=reverse)}", quote=True)
        svg = re.sub(r'aria-label="[^"]*"', f'aria-label="State diagram: {said}"', svg, count=1)
    # The style goes just inside <svg>, so it travels with the picture.
    close = svg.index(">") + 1
    return svg[:close] + "\n" + theme.style() + svg[close:]


def _missing_layout(copy: Copy, pair: CopyPair | PairSnapshot | None, reverse: bool) -> str:
    text = f"(diagram layout {LAYOUTS[copy]} is missing from this install)"
    if pair is not None:
        text = state_line(pair, reverse=reverse) + " " + text
    return (f'<svg class="qopc-diagram" xmlns="http://www.w3.org/2000/svg" width="640" '
            f'height="24"><text x="4" y="16" font-size="12">{html.escape(text)}</text></svg>')
