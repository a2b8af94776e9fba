"""Lay the state diagrams out with Graphviz, once, and write the shipped SVG files.

Run ``python -m qopc_kit.views.layout --regenerate`` after changing the transition
table (``--check`` compares instead, ``--dot`` prints the DOT source). This is the only
module that imports ``graphviz``, and only when called: the views read the files.
"""

from __future__ import annotations

import html
import re
import sys
from importlib import resources

from ..engine.states import Copy, State
from .diagram import (
    LAYOUTS,
    TITLES,
    diagram_dot,
    edge_tooltip,
    edges_of,
    shipped_layout,
    state_tooltip,
)

_NODE = re.compile(r'<g id="n:(\w+)" class="node">\n<title>[^<]*</title>')
_EDGE = re.compile(r'<g id="e:(\w+):(\w+)" class="edge">\n<title>[^<]*</title>')


def layout_svg(copy: Copy, raw: str, version: str) -> str:
    """Turn Graphviz's SVG of :func:`diagram_dot` into the shipped layout.

    Drops the XML prolog, Graphviz's comments and generated ids (two diagrams on one
    page must not clash), names each node ``data-state`` and each edge ``data-from``,
    ``data-event`` and ``data-to``, and puts the wordings and effects in ``<title>``
    tooltips.
    """
    groups = {(a.name, b.name): rows for (a, b), rows in edges_of(copy).items()}
    text = raw[raw.index("<svg"):]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    text = re.sub(r'<g id="graph0" class="graph"', '<g class="graph"', text)

    def node(match: re.Match[str]) -> str:
        state = State[match.group(1)]
        return (f'<g class="node qopc-node" data-state="{state.name}">\n'
                f"<title>{html.escape(state_tooltip(state))}</title>")

    def edge(match: re.Match[str]) -> str:
        rows = groups[(match.group(1), match.group(2))]
        tip = edge_tooltip(rows)
        events = " ".join(row.event.name for row in rows)
        return (f'<g class="edge qopc-edge" data-from="{rows[0].state.name}" '
                f'data-to="{rows[0].next.name}" data-events="{events}">\n'
                f"<title>{html.escape(tip)}</title>")

    # Graphviz sizes the picture in points; in pixels one unit is one CSS px, so a
    # 12-unit font is 12 px at the natural size.
    text = re.sub(r'<svg width="(\d+)pt" height="(\d+)pt"', r'<svg width="\1px" height="\2px"',
                  text, count=1)
    text = _NODE.sub(node, text)
    text = _EDGE.sub(edge, text)
    if re.search(r'id="[ne]:', text):
        raise ValueError("Graphviz output has a node or edge this module cannot name")
    label = html.escape(f"State diagram: {TITLES[copy]}", quote=True)
    text = text.replace(
        "<svg ",
        f'<svg class="qopc-diagram" data-copy="{copy.name}" role="img" aria-label="{label}" ',
        1)
    return (f"<!-- qopc_kit.views.layout: states.TRANSITIONS laid out by Graphviz {version} -->\n"
            + text)


def _graphviz_version() -> str:
    import graphviz  # only regeneration needs Graphviz; the views read the shipped files

    return ".".join(map(str, graphviz.version()))


def render_layout(copy: Copy) -> str:
    """Lay out :func:`diagram_dot` with Graphviz now (needs the ``graphviz`` package and ``dot``)."""
    import graphviz  # lazily: see _graphviz_version

    raw = graphviz.Source(diagram_dot(copy)).pipe(format="svg", encoding="utf-8")
    return layout_svg(copy, raw, _graphviz_version())




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
    shipped_layout.cache_clear()  # the next view reads the new files
    return differing


def main(argv: list[str] | None = None) -> int:
    """``python -m qopc_kit.views.layout --regenerate | --check | --dot [reverse]``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--dot"]:
        print(diagram_dot(Copy.OPC if args[1:] == ["reverse"] else Copy.QUICKOPC), end="")
        return 0
    if args in (["--regenerate"], ["--check"]):
        differing = regenerate(check=args[0] == "--check")
        verb = "differ" if args[0] == "--check" else "rewritten"
        print(f"{verb}: {', '.join(differing)}" if differing else "layouts up to date")
        return 1 if differing and args[0] == "--check" else 0
    print("usage: python -m qopc_kit.views.layout --regenerate | --check | --dot [reverse]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
