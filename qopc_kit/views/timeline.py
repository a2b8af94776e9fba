"""The array's history as a timeline: commands, host I/O, ticks and the states they caused.

Built from ``array.history`` only (each Step and its Changes): the state of every pair
after each step is the fold of the changes so far, and the clock is the sum of the
ticks. Copy progress is shown for the present (the live sessions) and for a past step
when the step records it (an optional ``progress`` attribute of the Step).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..engine.history import Action
from ..engine.states import Copy, State
from . import theme
from .snapshot import snapshot

if TYPE_CHECKING:
    from ..engine.array import DiskArray
    from ..engine.history import Step

#: At most this many steps are drawn (the latest); earlier ones are counted.
MAX_STEPS = 200

_SHORT = {State.NO_SESSION: "-", State.COPYING_TRACKING: "C/T", State.TRACKING: "T",
          State.ERROR_SUSPEND: "ERR", State.COPYING: "C"}


def _blocks(value: Any) -> str:
    if isinstance(value, int):
        return f"{value} block{'s' if value != 1 else ''}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(map(str, value[:8])) + (", …" if len(value) > 8 else "")
        return f"block{'s' if len(value) != 1 else ''} {shown}"
    return str(value)


def _data(value: Any) -> str:
    if not isinstance(value, bytes):
        return ""
    text = value[:16].decode("ascii", "replace") if all(32 < b < 127 for b in value[:16]) else \
        value[:8].hex(" ")
    return f" ← {text}{'…' if len(value) > 16 else ''}"


def describe(step: Step) -> tuple[str, str]:
    """What a step did, in words, and its kind (setup, command, host, tick, fault)."""
    return _DESCRIBE[step.action](step)


def _command_words(step: Step) -> tuple[str, str]:
    # The shell's syntax: -g for a copy group, -p for one pair (names hold a colon).
    option = "-p" if ":" in step.target else "-g"
    command = step.command
    flag = f" {command.option}" if command is not None and command.option else ""
    return f"acopc {step.action} {option} {step.target}{flag}", "command"


def _ticks(step: Step) -> tuple[str, str]:
    n = step.args.get("n", 1)
    return f"copier runs {n} tick{'s' if n != 1 else ''}", "tick"


#: Each action's words and kind (a test checks that every Action has its entry).
_DESCRIBE: dict[Action, Callable[[Step], tuple[str, str]]] = {
    Action.CREATE: lambda s: (f"create disk array {s.target} (copy rate "
                              f"{s.args.get('copy_rate')})", "setup"),
    Action.ADD_VOLUME: lambda s: (f"add volume {s.target} ({s.args.get('blocks')} blocks of "
                                  f"{s.args.get('block_size')} byte(s))", "setup"),
    Action.ADD_COPY_GROUP: lambda s: (f"add copy group {s.target}: "
                                      f"{', '.join(s.args.get('pairs', [])) or 'no pairs yet'}",
                                      "setup"),
    Action.ADD_PAIR: lambda s: (f"add pair {s.args.get('pair')} to copy group {s.target}",
                                "setup"),
    Action.START: _command_words,
    Action.CANCEL: _command_words,
    Action.WRITE: lambda s: (f"host write {s.target} {_blocks(s.args.get('blocks'))}"
                             f"{_data(s.args.get('data'))}", "host"),
    Action.READ: lambda s: (f"host read {s.target} {_blocks(s.args.get('blocks'))}", "host"),
    Action.TICK: _ticks,
    Action.COPY_RATE: lambda s: (f"copy rate set to {s.args.get('rate')}", "command"),
    Action.FAIL: lambda s: (f"failure injected on {s.target}", "fault"),
}


def timeline_rows(array: DiskArray) -> list[dict[str, Any]]:
    """One dict per step: ``number``, ``clock`` (ticks so far), ``words``, ``kind`` (setup,
    command, host, tick, fault) and ``changes`` (the state changes, as text)."""
    return _rows(array)[0]


def _rows(array: DiskArray) -> tuple[list[dict[str, Any]], list[str]]:
    """One dict per step: number, clock, words, kind, changes, states after it."""
    states: dict[str, dict[Copy, State]] = {}
    clock = 0
    rows = []
    for step in array.history:
        if step.action in ("add_copy_group", "add_pair"):
            for name in step.args.get("pairs", [step.args.get("pair")]):
                states.setdefault(name, {Copy.QUICKOPC: State.NO_SESSION,
                                         Copy.OPC: State.NO_SESSION})
        for change in step.changes:
            states.setdefault(change.pair, {Copy.QUICKOPC: State.NO_SESSION,
                                            Copy.OPC: State.NO_SESSION})[change.copy] = change.next
        if step.action == "tick":
            clock += int(step.args.get("n", 1))
        words, kind = describe(step)
        rows.append({"number": step.number, "clock": clock, "words": words, "kind": kind,
                     "changes": [str(c) for c in step.changes],
                     "states": {p: dict(s) for p, s in states.items()},
                     "progress": getattr(step, "progress", None)})
    return rows, list(states)


def timeline_text(array: DiskArray) -> str:
    """The history, one line per step: number, clock (ticks so far), what, state changes."""
    rows, _ = _rows(array)
    hidden = max(0, len(rows) - MAX_STEPS)
    lines = ["step  tick  what" + " " * 48 + "state changes"]
    if hidden:
        lines.append(f"({hidden} earlier step{'s' if hidden != 1 else ''} not shown)")
    for row in rows[hidden:]:
        changes = "; ".join(row["changes"])
        lines.append(f"{row['number']:>4}  {row['clock']:>4}  {row['words']:<52}  {changes}".rstrip())
    lines.append(_now_text(array))
    return "\n".join(lines)


def _now_text(array: DiskArray) -> str:
    parts = []
    for shot in map(snapshot, array.pairs.values()):
        text = f"{shot.name} {shot.state.label}"
        if shot.state.has_session:
            text += f" (copied {shot.forward.copied_blocks}, rest {shot.forward.rest_blocks})"
        if shot.restoring:
            text += (f", reverse OPC {shot.reverse.state.label} "
                     f"(rest {shot.reverse.rest_blocks})")
        parts.append(text)
    return "now: " + ("; ".join(parts) if parts else "no copy pairs")


def _chip(forward: State, reverse: State) -> str:
    text = f'<span class="qopc-chip qopc-chip-{forward.name}" title="{forward.label}">' \
           f"{_SHORT[forward]}</span>"
    if reverse.has_session:
        text += (f' <span class="qopc-chip qopc-chip-{reverse.name}" '
                 f'title="reverse OPC {reverse.label}">←{_SHORT[reverse]}</span>')
    return text


def _bar(copied: int, rest: int) -> str:
    total = copied + rest
    share = copied / total if total else 1.0
    return (f'<span class="qopc-bar" role="progressbar" aria-valuemin="0" '
            f'aria-valuemax="{total}" aria-valuenow="{copied}" '
            f'aria-label="copied {copied} of {total}"><span style="width:{share * 100:.0f}%">'
            f"</span></span>{copied}/{total}")


def _progress_cell(progress: Any, pair: str) -> str:
    for item in progress or ():
        name, copy, copied, rest = item
        if name == pair and copy is Copy.QUICKOPC and copied + rest:
            return " " + _bar(copied, rest)
    return ""


def timeline_html(array: DiskArray) -> str:
    """The history as a table: step, clock, what happened, and each pair's state after it.

    Command rows, host I/O, copier ticks and injected faults are told apart by class
    and by their words; set-up rows are dimmed. The present copy progress ends it.
    """
    rows, pairs = _rows(array)
    hidden = max(0, len(rows) - MAX_STEPS)
    head = "".join(f"<th><code>{html.escape(p)}</code></th>" for p in pairs)
    body = []
    for row in rows[hidden:]:
        cells = []
        for pair in pairs:
            state = row["states"].get(pair)
            cells.append("<td></td>" if state is None else
                         f"<td>{_chip(state[Copy.QUICKOPC], state[Copy.OPC])}"
                         f"{_progress_cell(row['progress'], pair)}</td>")
        changes = "<br>".join(html.escape(c) for c in row["changes"])
        body.append(f'<tr class="qopc-{row["kind"]}" data-step="{row["number"]}">'
                    f'<td class="qopc-num qopc-step">{row["number"]}</td>'
                    f'<td class="qopc-num">{row["clock"]}</td>'
                    f"<td>{html.escape(row['words'])}</td><td>{changes}</td>{''.join(cells)}</tr>")
    note = (f'<div class="qopc-note">{hidden} earlier step{"s" if hidden != 1 else ""} '
            "not shown</div>" if hidden else "")
    now = []
    for shot in map(snapshot, array.pairs.values()):
        text = f"<code>{html.escape(shot.name)}</code> {html.escape(shot.state.label)}"
        if shot.state.has_session:
            text += " " + _bar(shot.forward.copied_blocks, shot.forward.rest_blocks)
        if shot.restoring:
            text += f"; reverse OPC {html.escape(shot.reverse.state.label)}, rest " \
                    f"{shot.reverse.rest_blocks}"
        now.append(f"<div>{text}</div>")
    legend = ('<div class="qopc-note">states: - no session, C/T Copying/Tracking, T Tracking, '
              "ERR Error suspend, ←C reverse OPC copying; tick: the copier's clock</div>")
    return (f'<div class="qopc-view qopc-timeline" role="figure" '
            f'aria-label="History of {html.escape(array.name)}">' + theme.style() + note
            + '<table class="qopc-table"><thead><tr><th>step</th><th>tick</th><th>what</th>'
            f"<th>state changes</th>{head}</tr></thead><tbody>" + "".join(body)
            + "</tbody></table>" + legend
            + f'<div class="qopc-now"><span class="qopc-title">now</span>{"".join(now)}</div>'
            + "</div>")
