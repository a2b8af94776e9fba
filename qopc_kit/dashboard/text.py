"""The dashboard's small texts: messages, the query table, read results, the log, the banner of
an earlier step.

Pure functions of the model (or of one engine result) returning HTML or plain text,
so the panel's ``refresh()`` stays a list of assignments and the texts can be tested
without widgets. The larger views (diagram, block maps, timeline) live in
:mod:`qopc_kit.views`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

from ..views.timeline import describe

if TYPE_CHECKING:
    from ..engine.history import Step

#: Colours come from JupyterLab's theme variables, with fallbacks for other front ends,
#: so the panel reads in light and dark themes.
_TONE = {
    "ok": "var(--jp-success-color1, #2e7d32)",
    "refused": "var(--jp-error-color1, #c62828)",
    "warning": "var(--jp-warn-color1, #b26a00)",
    "info": "var(--jp-ui-font-color1, inherit)",
}
_LABEL = {"ok": "Done", "refused": "Refused", "warning": "Warning", "info": "Note"}


#: Blocks a read result lists before it abbreviates.
READ_SHOWN = 32
#: Steps the event log shows (the Step slider reaches the older ones).
LOG_STEPS = 10


def message_html(kind: str, text: str) -> str:
    """The message line: ``kind`` is ok, refused, warning or info; ``text`` is escaped."""
    role = "alert" if kind in ("refused", "warning") else "status"
    return (f'<div class="qopc-msg qopc-msg-{kind}" role="{role}" '
            f'style="border-left: 4px solid {_TONE[kind]}; padding: 2px 8px;">'
            f"<b>{_LABEL[kind]}:</b> {html.escape(text)}</div>")


def blocks_text(first: int, last: int) -> str:
    """``block 3`` or ``blocks 3-7``."""
    return f"block {first}" if first == last else f"blocks {first}-{last}"


def read_text(volume_name: str, first: int, last: int, rows: np.ndarray) -> str:
    """What a host read returned: letters for one-byte printable blocks, else hex per block."""
    shown = rows[:READ_SHOWN]
    if rows.shape[1] == 1 and shown.size and bool(np.all((shown >= 0x21) & (shown <= 0x7E))):
        data = " ".join(chr(b) for b in shown[:, 0].tolist())
    else:
        data = " ".join(_hex(block) for block in shown)
    if len(rows) > READ_SHOWN:
        data += f" … ({len(rows) - READ_SHOWN} more)"
    return f"read {volume_name} {blocks_text(first, last)}: {data}"


def _hex(block: np.ndarray) -> str:
    text = block[:8].tobytes().hex()
    return text + ("…" if block.size > 8 else "")


def parse_value(text: str) -> str | int:
    """What the Value box means: one character is itself; a number (``65``, ``0x41``) is a byte.

    Anything longer is passed on as text (one block's worth, or every block's), for
    the engine to accept or refuse with its own message.
    """
    if len(text) == 1:
        return text
    try:
        return int(text.strip(), 0)
    except ValueError:
        return text


def viewing_html(step: str, last: str, shown: Step, note: str = "") -> str:
    """The banner over the views while the Step slider is on an earlier step."""
    return (f"Viewing {html.escape(step)}: {html.escape(describe(shown)[0])}"
            f"{html.escape(note)} · the array is still at {html.escape(last)}, the latest")


def log_html(rows: list[dict[str, Any]], first: int, keep: int = LOG_STEPS) -> str:
    """The event log: the panel's steps (the student's first action is step 1), the last
    ``keep`` of them, after one line for the set-up (steps up to ``first``)."""
    setup = [row for row in rows if row["number"] <= first]
    steps = [row for row in rows if row["number"] > first]
    hidden = max(0, len(steps) - keep)
    body = []
    if setup:
        body.append(f'<tr class="qopc-setup"><td>set-up</td><td></td><td>{len(setup)} step(s): '
                    + html.escape("; ".join(row["words"] for row in setup[-3:])) + "</td><td>"
                    + html.escape("; ".join(c for row in setup for c in row["changes"]))
                    + "</td></tr>")
    if hidden:
        body.append(f'<tr><td colspan="4"><i>{hidden} earlier step(s): move the Step slider '
                    "to see them</i></td></tr>")
    for row in steps[hidden:]:
        body.append(f"<tr><td>{row['number'] - first}</td><td>{row['clock']}</td>"
                    f"<td>{html.escape(row['words'])}</td>"
                    f"<td>{html.escape('; '.join(row['changes']))}</td></tr>")
    if not steps:
        body.append('<tr><td colspan="4"><i>no step yet: press a button</i></td></tr>')
    return ('<div class="qopc-view"><table class="qopc-table qopc-log" aria-label="event log"><thead><tr><th>step</th>'
            "<th>tick</th><th>what</th><th>state changes</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table></div>")


def download_link_html(script: str, filename: str = "qopc-session.qopc") -> str:
    """A link that downloads ``script`` as a file, through a ``data:`` URL (no server)."""
    url = "data:text/plain;charset=utf-8," + quote(script)
    return (f'<a class="qopc-download" download="{html.escape(filename)}" '
            f'href="{html.escape(url)}">Download {html.escape(filename)}</a>')
