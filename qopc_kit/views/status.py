"""The words every view uses for a pair: its state line, its progress and its query table.

One function each, used by the rich display, the diagram's text alternative and the
dashboard alike; each reads a :class:`~qopc_kit.views.snapshot.PairSnapshot` (a live
pair is captured first).
"""

from __future__ import annotations

import html

from ..engine.pair import QUERY_COLUMNS, CopyPair, QueryRow
from .snapshot import PairSnapshot, snapshot


def state_line(pair: CopyPair | PairSnapshot, *, reverse: bool = False) -> str:
    """One line: the pair, its state and, when the latest step moved it, how it got there.

    E.g. ``ET001/0x1:ET001/0x6: Tracking (was Copying/Tracking; physical copy complete)``
    right after the copy completed; ``ET001/0x1:ET001/0x6: Tracking`` a step later.
    ``reverse`` describes the reverse OPC session.
    """
    shot = snapshot(pair)
    session = shot.session(reverse)
    kind = " (reverse OPC)" if reverse else ""
    text = f"{shot.name}{kind}: {session.state.label}"
    last = session.last_transition
    if last is not None and session.just_changed:
        text += f" (was {last.state.label}; {last.event.label})"
    return text


def progress_text(pair: CopyPair | PairSnapshot) -> str:
    """``Copied 6 / Rest 10`` for the QuickOPC session (and the reverse OPC while one runs)."""
    shot = snapshot(pair)
    text = f"Copied {shot.forward.copied_blocks} / Rest {shot.forward.rest_blocks}"
    if shot.restoring:
        text += (f" · reverse OPC: Copied {shot.reverse.copied_blocks} / "
                 f"Rest {shot.reverse.rest_blocks}")
    return text


def query_table_html(rows: list[QueryRow]) -> str:
    """``acopc query`` rows as an HTML table, in the Copy Control Module's columns.

    Styled inline as well as by class, so it reads the same inside a view (with the
    theme's style sheet) and alone in a widget.
    """
    cell = 'style="padding: 1px 6px; border-bottom: 1px solid var(--jp-border-color2, #ccc);"'
    head = "".join(f"<th {cell}>{html.escape(name)}</th>" for name in QUERY_COLUMNS)
    body = ""
    for row in rows:
        values = (row.source, row.direction, row.target, row.sid_text, row.opc_status,
                  row.copy_phase, str(row.copied_block), str(row.rest_block))
        body += "<tr>" + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in values) + "</tr>"
    return ('<table class="qopc-table qopc-query" aria-label="acopc query" '
            'style="border-collapse: collapse; font-family: var(--jp-code-font-family, '
            f'monospace); font-size: 90%;"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table>")
