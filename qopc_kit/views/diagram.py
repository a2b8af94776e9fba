"""The state diagram of a copy session, drawn from the engine's transition table.

:func:`diagram_dot` writes DOT source from :data:`qopc_kit.states.TRANSITIONS`. Graphviz
lays it out once, at development time (``python -m qopc_kit.views.diagram --regenerate``),
and the SVG ships with the package: :func:`state_diagram_svg` only edits that text to
mark the current state, the previous one and the last transition. So the diagram shows
where ``dot`` is missing and is the same, byte for byte, on every machine.
"""

from __future__ import annotations

import html
import re
import sys
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from ..states import TRANSITIONS, Copy, State, Transition, states_of
from . import theme

if TYPE_CHECKING:
    from ..pair import CopyPair

#: The shipped layouts, one per kind of session, in this package.
LAYOUTS = {Copy.QUICKOPC: "state_diagram.svg", Copy.OPC: "state_diagram_reverse.svg"}

_TITLES = {Copy.QUICKOPC: "QuickOPC session (acopc start / cancel)",
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
        f"  graph [label={_quote(_TITLES[copy] + chr(10) + _KEY)}, labelloc=t, fontname=Helvetica, "
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
_NODE = re.compile(r'<g id="n:(\w+)" class="node">\n<title>[^<]*</title>')
_EDGE = re.compile(r'<g id="e:(\w+):(\w+)" class="edge">\n<title>[^<]*</title>')


def layout_svg(copy: Copy, raw: str, version: str) -> str:
    """Turn Graphviz's SVG of :func:`diagram_dot` into the shipped layout.

    Drops the XML prolog, Graphviz's comments and generated ids (two diagrams on one
    page must not clash), names each node ``data-state`` and each edge ``data-from``,
    ``data-event`` and ``data-to``, and puts the wordings and effects in ``<title>``
    tooltips.
    """
    rows = {(row.state.name, row.event.name): row for row in _rows(copy)}
    text = raw[raw.index("<svg"):]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    text = re.sub(r'<g id="graph0" class="graph"', '<g class="graph"', text)

    def node(match: re.Match[str]) -> str:
        state = State[match.group(1)]
        return (f'<g class="node qopc-state" data-state="{state.name}">\n'
                f"<title>{html.escape(state_tooltip(state))}</title>")

    def edge(match: re.Match[str]) -> str:
        row = rows[(match.group(1), match.group(2))]
        tip = f"{row.state.label} → {row.next.label} on {row.event.label}: {row.effect} [{row.source}]"
        return (f'<g class="edge qopc-transition" data-from="{row.state.name}" '
                f'data-event="{row.event.name}" data-to="{row.next.name}">\n'
                f"<title>{html.escape(tip)}</title>")

    text = _NODE.sub(node, text)
    text = _EDGE.sub(edge, text)
    if re.search(r'id="[ne]:', text):
        raise ValueError("Graphviz output has a node or edge this module cannot name")
    label = html.escape(f"State diagram: {_TITLES[copy]}", quote=True)
    text = text.replace(
        "<svg ",
        f'<svg class="qopc-diagram" data-copy="{copy.name}" role="img" aria-label="{label}" ',
        1)
    return f"<!-- qopc_kit.views.diagram: states.TRANSITIONS laid out by Graphviz {version} -->\n" + text


def _graphviz_version() -> str:
    import graphviz  # only regeneration needs Graphviz; the views read the shipped files

    return ".".join(map(str, graphviz.version()))


def render_layout(copy: Copy) -> str:
    """Lay out :func:`diagram_dot` with Graphviz now (needs the ``graphviz`` package and ``dot``)."""
    import graphviz  # lazily: see _graphviz_version

    raw = graphviz.Source(diagram_dot(copy)).pipe(format="svg", encoding="utf-8")
    return layout_svg(copy, raw, _graphviz_version())


def shipped_version(copy: Copy = Copy.QUICKOPC) -> str:
    """The Graphviz version the shipped layout was made with."""
    match = re.search(r"laid out by Graphviz ([\d.]+)", _shipped(copy))
    return match.group(1) if match else ""


@cache
def _shipped(copy: Copy) -> str:
    return resources.files(__package__).joinpath(LAYOUTS[copy]).read_text(encoding="utf-8")


# Highlighting ------------------------------------------------------------------------
def _add_class(svg: str, opening: str, css: str, old_fill: str, fill: str | None) -> str:
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
    group = group.replace('class="node qopc-state"', f'class="node qopc-state {css}"', 1)
    group = group.replace('class="edge qopc-transition"', f'class="edge qopc-transition {css}"', 1)
    if fill is not None:
        group = group.replace(old_fill, fill)
    return svg[:start] + group + svg[end:]


def _session(pair: CopyPair, reverse: bool):
    return pair.reverse_session if reverse else pair.session


def state_diagram_svg(pair: CopyPair | None = None, *, reverse: bool = False) -> str:
    """SVG of the state diagram, with ``pair``'s session marked on it.

    The current state's node gets class ``qopc-current``, the previous state's
    ``qopc-previous`` and the edge of the last transition ``qopc-last``; ``reverse``
    draws the reverse OPC session instead of the QuickOPC one. No XML prolog, a
    ``<style>`` inside: ready to embed in HTML. Never needs Graphviz.
    """
    copy = Copy.OPC if reverse else Copy.QUICKOPC
    try:
        svg = _shipped(copy)
    except OSError:  # a broken install: say so in the picture rather than raise
        return _missing_layout(copy, pair, reverse)
    svg = svg[svg.index("<svg"):]
    if pair is not None:
        session = _session(pair, reverse)
        last = session.last_transition
        if last is not None:
            svg = _add_class(svg, f'data-from="{last.state.name}" data-event="{last.event.name}"',
                             "qopc-last", 'stroke="black"',
                             f'stroke="{theme.LAST_EDGE}" stroke-width="2.5"')
        previous = session.previous_state
        if previous is not None and previous is not session.state:
            svg = _add_class(svg, f'data-state="{previous.name}"', "qopc-previous",
                             'fill="none"', f'fill="{theme.PREVIOUS_FILL}"')
        svg = _add_class(svg, f'data-state="{session.state.name}"', "qopc-current",
                         'fill="none"', f'fill="{theme.CURRENT_FILL}"')
    # The style goes just inside <svg>, so it travels with the picture.
    close = svg.index(">") + 1
    return svg[:close] + "\n" + theme.style() + svg[close:]


def _missing_layout(copy: Copy, pair: CopyPair | None, reverse: bool) -> str:
    text = f"(diagram layout {LAYOUTS[copy]} is missing from this install)"
    if pair is not None:
        text = state_line(pair, reverse=reverse) + " " + text
    return (f'<svg class="qopc-diagram" xmlns="http://www.w3.org/2000/svg" width="640" '
            f'height="24"><text x="4" y="16" font-size="12">{html.escape(text)}</text></svg>')


def state_line(pair: CopyPair, *, reverse: bool = False) -> str:
    """One line: the pair, its state and how it got there.

    E.g. ``ET001/0x1:ET001/0x6: Tracking (was Copying/Tracking; physical copy complete)``.
    ``reverse`` describes the reverse OPC session.
    """
    session = _session(pair, reverse)
    kind = " (reverse OPC)" if reverse else ""
    text = f"{pair.name}{kind}: {session.state.label}"
    last = session.last_transition
    if last is not None:
        text += f" (was {last.state.label}; {last.event.label})"
    return text


# Regeneration ----------------------------------------------------------------------
def regenerate(check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) the shipped layouts; return the files that differ."""
    folder = resources.files(__package__)
    differing = []
    for copy, name in LAYOUTS.items():
        new = render_layout(copy)
        path = folder.joinpath(name)
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if new != old:
            differing.append(name)
            if not check:
                with open(str(path), "w", encoding="utf-8", newline="\n") as out:
                    out.write(new)
    _shipped.cache_clear()
    return differing


def main(argv: list[str] | None = None) -> int:
    """``python -m qopc_kit.views.diagram --regenerate | --check | --dot [reverse]``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--dot"]:
        print(diagram_dot(Copy.OPC if args[1:] == ["reverse"] else Copy.QUICKOPC), end="")
        return 0
    if args in (["--regenerate"], ["--check"]):
        differing = regenerate(check=args[0] == "--check")
        verb = "differ" if args[0] == "--check" else "rewritten"
        print(f"{verb}: {', '.join(differing)}" if differing else "layouts up to date")
        return 1 if differing and args[0] == "--check" else 0
    print("usage: python -m qopc_kit.views.diagram --regenerate | --check | --dot [reverse]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
