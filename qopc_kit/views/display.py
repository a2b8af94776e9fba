"""Rich display of the engine's objects in a notebook (their ``_repr_html_``).

Deterministic HTML (no ids, no times) with the same text as the plain ``repr`` at the
top, so a render that drops styles still reads.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, TypeVar

from ..engine.array import DiskArray
from ..engine.history import History
from ..engine.pair import CopyGroup, CopyPair
from ..engine.volume import Volume
from . import theme
from .blockmap import MAX_CELLS, block_map_html, cells_html, content_labels
from .diagram import state_diagram_svg
from .marks import MARKS_BY_KEY, legend_html
from .snapshot import snapshot
from .status import query_table_html, state_line
from .timeline import timeline_html

#: What draws each engine type: ``repr_html`` looks an object's class (and its bases) up here.
RENDERERS: dict[type, Callable[[Any], str]] = {}
_Renderer = TypeVar("_Renderer", bound=Callable[[Any], str])


def renders(kind: type) -> Callable[[_Renderer], _Renderer]:
    """Register the decorated function as the rich display of ``kind``."""
    def register(function: _Renderer) -> _Renderer:
        RENDERERS[kind] = function
        return function
    return register


def _query_table(pairs: list[CopyPair]) -> str:
    return query_table_html([row for pair in pairs for row in snapshot(pair).query_rows()])


def _wrap(kind: str, title: str, body: str) -> str:
    return (f'<div class="qopc-view qopc-repr qopc-repr-{kind}">' + theme.style()
            + f'<div class="qopc-title">{html.escape(title)}</div>{body}</div>')


@renders(Volume)
def _volume(volume) -> str:
    state = "usable" if volume.usable else '<span class="qopc-warn">UNUSABLE</span>'
    carried = volume.array.carried_unusable(volume)
    if carried:
        state += f', <span class="qopc-warn">{html.escape(carried)} [M]</span>'
    body = (f'<div class="qopc-note">{volume.blocks} blocks of {volume.block_size} byte(s), '
            f"{state}</div>")
    if volume.blocks <= MAX_CELLS:
        labels = content_labels(volume.image())  # the logical image: no side effect
        missing = [MARKS_BY_KEY["never_copied"]] if not volume.usable else []
        body += ('<div class="qopc-blockmap">'
                 + cells_html(volume.name, labels, missing, {"never_copied": volume.missing},
                              title="logical image (what a host reads)")
                 + (legend_html(missing) if missing else "") + "</div>")
    return _wrap("volume", repr(volume), body)


@renders(CopyPair)
def _pair(pair) -> str:
    body = (f'<div class="qopc-note">{html.escape(state_line(pair))}</div>'
            + (f'<div class="qopc-note">{html.escape(state_line(pair, reverse=True))}</div>'
               if pair.reverse_state.has_session or pair.reverse_session.last_transition
               else "")
            + _query_table([pair])
            + f'<div class="qopc-diagram-box">{state_diagram_svg(pair)}</div>'
            + block_map_html(pair))
    return _wrap("pair", repr(pair), body)


@renders(CopyGroup)
def _group(group) -> str:
    lines = "".join(f'<div class="qopc-note">{html.escape(state_line(p))}</div>'
                    for p in group.pairs)
    return _wrap("group", repr(group), lines + _query_table(list(group.pairs)))


@renders(DiskArray)
def _array(array) -> str:
    volumes = "".join(
        f"<tr><td><code>{html.escape(v.name)}</code></td><td class=\"qopc-num\">{v.blocks}</td>"
        f'<td class="qopc-num">{v.block_size}</td>'
        f"<td>{'usable' if v.usable else '<span class=qopc-warn>UNUSABLE</span>'}"
        + (", <span class=qopc-warn>carries an unusable image [M]</span>"
           if array.carried_unusable(v) else "") + "</td></tr>"
        for v in array.volumes.values())
    groups = "".join(
        f"<tr><td>{html.escape(g.name)}</td><td>"
        + ", ".join(f"<code>{html.escape(p.name)}</code>" for p in g.pairs) + "</td></tr>"
        for g in array.groups.values())
    body = (f'<div class="qopc-note">copy rate {array.copy_rate} block(s) per tick per session'
            "</div>"
            '<table class="qopc-table" aria-label="volumes"><tr><th>Volume</th><th>Blocks</th>'
            f"<th>Block size</th><th></th></tr>{volumes}</table>"
            + ('<table class="qopc-table" aria-label="copy groups"><tr><th>Copy group</th>'
               f"<th>Pairs</th></tr>{groups}</table>" if groups else "")
            + (_query_table(list(array.pairs.values())) if array.pairs else "")
            + f"<details><summary>history ({len(array.history)} steps)</summary>"
            + timeline_html(array) + "</details>")
    return _wrap("array", repr(array), body)


@renders(History)
def _history(history: History) -> str:
    if not history.is_current():
        # The array moved on (or rewound) since this tuple was taken: its timeline would
        # show other steps, so show these steps as text.
        return "<pre>" + html.escape("\n".join(str(step) for step in history)) + "</pre>"
    return timeline_html(history.array)


def repr_html(obj: object) -> str:
    """Rich HTML for an engine object (Volume, CopyPair, CopyGroup, DiskArray, History);
    the escaped repr for anything the registry does not know."""
    for kind in type(obj).__mro__:
        if kind in RENDERERS:
            return RENDERERS[kind](obj)
    return f"<pre>{html.escape(repr(obj))}</pre>"
