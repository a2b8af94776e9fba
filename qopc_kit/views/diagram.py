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
from dataclasses import dataclass
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
KEY = "dashed edge: this kit's modelling choice [M]; solid: documented by Fujitsu [D]"


# DOT source --------------------------------------------------------------------------
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def state_tooltip(state: State) -> str:
    """The query and Express wordings of ``state``, in one line (the node's tooltip)."""
    text = f"{state.label}: acopc query shows {state.opc_status} / {state.copy_phase} [D]"
    if state.express:
        text += f"; Express shows {state.express} [D]"
    return text


def _node_label(state: State) -> str:
    lines = [state.label, f"{state.opc_status} / {state.copy_phase}"]
    if state.express:
        lines.append(f"Express: {state.express}")
    return "\n".join(lines)


def effect_text(row: Transition) -> str:
    """A row's effect with its tags: the row's own, unless the text tags each claim."""
    if "[D]" in row.effect or "[M]" in row.effect:
        return row.effect
    return f"{row.effect} [{row.source}]"


def edge_tooltip(rows: list[Transition]) -> str:
    """What one drawn edge says when pointed at: each of its rows' event and tagged effect."""
    return f"{rows[0].state.label} → {rows[0].next.label}: " + "; ".join(
        f"on {row.event.label}: {effect_text(row)}" for row in rows)


def edges_of(copy: Copy) -> dict[tuple[State, State], list[Transition]]:
    """The table's rows of ``copy``, one group per (from, to) pair: one drawn edge each."""
    groups: dict[tuple[State, State], list[Transition]] = {}
    for row in TRANSITIONS:
        if row.copy is copy:
            groups.setdefault((row.state, row.next), []).append(row)
    return groups


def edge_labels(rows: list[Transition]) -> list[str]:
    """The stacked labels of one merged edge: each tagged [D]/[M] when its rows mix both."""
    mixed = len({row.source for row in rows}) > 1
    return [f"{row.event.label} [{row.source}]" if mixed else row.event.label for row in rows]


def edge_dashed(rows: list[Transition]) -> bool:
    """A merged edge is dashed when every row on it is the kit's modelling choice."""
    return all(row.source == "M" for row in rows)


def needs_key(copy: Copy) -> bool:
    """True when the diagram draws a dashed edge or a tagged label, so the key explains it."""
    return any(row.source == "M" for row in TRANSITIONS if row.copy is copy)


def diagram_dot(copy: Copy = Copy.QUICKOPC) -> str:
    """DOT source of one kind of session's state diagram, from ``states.TRANSITIONS``.

    One node per state (its name, the ``acopc query`` wording and the Express wording)
    and one edge per pair of states, its labels stacked, one per row of the table.
    Edges whose rows are all this kit's modelling choice ("M") are dashed, and only then
    does the title carry the key. Raises TypeError if ``copy`` is not a Copy.
    """
    if not isinstance(copy, Copy):
        raise TypeError(f"copy must be a Copy (Copy.QUICKOPC or Copy.OPC), not {copy!r}")
    title = TITLES[copy] + ("\n" + KEY if needs_key(copy) else "")
    lines = [
        f"digraph {copy.name} {{",
        f"  graph [label={_quote(title)}, labelloc=t, fontname=Helvetica, "
        "fontsize=13, rankdir=TB, nodesep=0.25, ranksep=0.45, bgcolor=transparent, "
        "pad=0.05];",
        '  node [shape=box, style=rounded, fontname=Helvetica, fontsize=12, margin="0.08,0.04"];',
        "  edge [fontname=Helvetica, fontsize=12, arrowsize=0.8];",
    ]
    for state in states_of(copy):
        lines.append(f"  {state.name} [id={_quote('n:' + state.name)}, "
                     f"label={_quote(_node_label(state))}];")
    for (here, there), rows in edges_of(copy).items():
        style = ", style=dashed" if edge_dashed(rows) else ""
        lines.append(f"  {here.name} -> {there.name} "
                     f"[id={_quote(f'e:{here.name}:{there.name}')}, "
                     f"label={_quote(chr(10).join(edge_labels(rows)))}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# The same diagram as text -------------------------------------------------------------
def diagram_text(copy: Copy = Copy.QUICKOPC) -> str:
    """The state diagram in words: its boxes (states) and its arrows (transitions).

    One line per box with the ``acopc query`` wording, then one line per drawn arrow
    with what each of its rows does, tagged [D]/[M] as the tooltips are.
    Raises TypeError if ``copy`` is not a Copy.
    """
    if not isinstance(copy, Copy):
        raise TypeError(f"copy must be a Copy (Copy.QUICKOPC or Copy.OPC), not {copy!r}")
    states, edges = states_of(copy), edges_of(copy)
    lines = [f"{TITLES[copy]}: {len(states)} boxes (states), {len(edges)} arrows",
             "Boxes:"]
    lines += [f"  [{state.label}]  {state_tooltip(state).split(': ', 1)[1]}" for state in states]
    lines.append("Arrows (each one drawn once, with all the events on it):")
    lines += [f"  {edge_tooltip(rows)}" for rows in edges.values()]
    return "\n".join(lines)


@dataclass(frozen=True)
class StateDiagram:
    """A state diagram to display: the SVG in a notebook, its text twin everywhere else."""

    pair: CopyPair | PairSnapshot | None = None
    reverse: bool = False

    def text(self) -> str:
        """The boxes and arrows in words, and the pair's current state when there is one."""
        copy = Copy.OPC if self.reverse else Copy.QUICKOPC
        lines = [diagram_text(copy)]
        if self.pair is not None:
            lines.append("Now: " + state_line(self.pair, reverse=self.reverse))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return state_diagram_svg(self.pair, reverse=self.reverse)

    def __repr__(self) -> str:
        return self.text()


def state_diagram(pair: CopyPair | PairSnapshot | None = None, *,
                  reverse: bool = False) -> StateDiagram:
    """The diagram of ``pair``'s session (or of no pair) as a displayable object: SVG as
    HTML, the boxes and arrows as text/plain."""
    return StateDiagram(pair, reverse)


# The shipped SVG ----------------------------------------------------------------------
@cache
def shipped_layout(copy: Copy) -> str:
    return resources.files(__package__).joinpath(LAYOUTS[copy]).read_text(encoding="utf-8")


# Highlighting ------------------------------------------------------------------------
def _add_class(svg: str, opening: str, css: str, colours: dict[str, str],
               label: str | None = None) -> str:
    """Add ``css`` to the group that starts with ``opening``; recolour its shape too.

    The colour attribute is for renders that strip ``<style>`` (GitHub): the class
    carries the themed look where CSS applies. The ``<text>`` reading ``label`` gets
    class ``qopc-emph`` and a bold weight (the cue that is not colour).
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
    if label is not None:
        # Graphviz writes "-" as "&#45;".
        said = re.escape(html.escape(label, quote=False)).replace("\\-", "(?:-|&#45;)")
        group = re.sub(r'<text ([^>]*)>(' + said + ')</text>',
                       lambda m: f'<text class="qopc-emph" font-weight="bold" {m.group(1)}>'
                                 f'{m.group(2)}</text>', group, count=1)
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
            label = edge_labels(edges_of(copy)[(last.state, last.next)])[
                [row.event for row in edges_of(copy)[(last.state, last.next)]].index(last.event)]
            svg = _add_class(svg, f'data-from="{last.state.name}" data-to="{last.next.name}"',
                             "qopc-last", {'stroke="black"': f'stroke="{theme.LAST_EDGE}" '
                                           'stroke-width="3"',
                                           'fill="black"': f'fill="{theme.LAST_EDGE}"'},
                             label=label)
        previous = session.previous_state
        if previous is not None and previous is not session.state:
            svg = _add_class(svg, f'data-state="{previous.name}"', "qopc-previous",
                             {'fill="none"': f'fill="{theme.PREVIOUS_FILL}" '
                              'stroke-dasharray="5,3"'})
        svg = _add_class(svg, f'data-state="{session.state.name}"', "qopc-current",
                         {'fill="none"': f'fill="{theme.CURRENT_FILL}" stroke-width="3.5"'},
                         label=session.state.label)
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
