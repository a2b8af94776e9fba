"""The dashboard's small texts: messages, the query table, read results, the step preview.

Pure functions of the model (or of one engine result) returning HTML or plain text,
so the panel's ``refresh()`` stays a list of assignments and the texts can be tested
without widgets. The larger views (diagram, block maps, timeline) live in
:mod:`qopc_kit.views`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
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


def step_html(step: Step, last: int) -> str:
    """The history slider's preview of one step: what was done and which states it moved."""
    lines = [html.escape(f"{step.number}: {describe(step)[0]}")]
    lines += [f"&nbsp;&nbsp;{html.escape(str(change))}" for change in step.changes]
    if step.number < last:
        later = f"step {last}" if step.number + 1 == last else f"steps {step.number + 1}-{last}"
        lines.append(f"<i>Go back to step {step.number} drops {later}.</i>")
    else:
        lines.append("<i>This is the latest step.</i>")
    return ('<div class="qopc-step" style="line-height: 1.3; '
            'font-family: var(--jp-code-font-family, monospace);">'
            + "<br>".join(lines) + "</div>")


def preview_html(step: int, last: int, body: str) -> str:
    """The Step slider's picture of an earlier step: a heading saying the array has not
    moved, then ``body`` (HTML: the views as they were, or a note why there are none)."""
    heading = (f"<b>Preview of step {step}</b> (the array is still at step {last}; "
               "<i>Go back to step</i> to return there)")
    return (f'<div role="region" aria-label="Preview of step {step}" style="border: 2px dashed '
            f'var(--jp-border-color1, #999); padding: 4px 8px;">'
            f'<div class="qopc-preview-heading">{heading}</div>{body}</div>')


def preview_note_html(text: str) -> str:
    """A line in the preview saying why a picture is missing; ``text`` is escaped."""
    return f'<div class="qopc-preview-note"><i>{html.escape(text)}</i></div>'


def log_html(timeline: str, keep: int = LOG_STEPS) -> str:
    """The event log: the timeline view's header, its last ``keep`` steps and its "now" line."""
    lines = timeline.splitlines()
    if len(lines) > keep + 2:
        steps = [line for line in lines[1:-1] if not line.startswith("(")]
        hidden = int(steps[-keep].split()[0])  # steps count from 0: the first shown's number
        lines = [lines[0], f"({hidden} earlier step{'s' if hidden != 1 else ''} not shown)",
                 *steps[-keep:], lines[-1]]
    style = ("margin: 0; overflow-x: auto; white-space: pre; line-height: 1.3; "
             "font-family: var(--jp-code-font-family, monospace);")
    text = html.escape("\n".join(lines))
    return f'<pre class="qopc-log" aria-label="event log" style="{style}">{text}</pre>'


def download_link_html(script: str, filename: str = "qopc-session.qopc") -> str:
    """A link that downloads ``script`` as a file, through a ``data:`` URL (no server)."""
    url = "data:text/plain;charset=utf-8," + quote(script)
    return (f'<a class="qopc-download" download="{html.escape(filename)}" '
            f'href="{html.escape(url)}">Download {html.escape(filename)}</a>')
