"""The dashboard's session buttons: what each asks the engine, and when the table allows it.

Enabling comes from the same transition table the engine consults
(:func:`qopc_kit.states.allowed_events`), so a button is never enabled for an event the
engine would refuse by its state. The engine still checks everything (conflicts with
other sessions, for one) and a click on a disabled button still reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..engine.commands import Command
from ..engine.history import Step
from ..engine.pair import CopyPair
from ..engine.states import Copy, allowed_events


def _run(command: Command, pair: CopyPair) -> Step:
    return pair.run(command)


#: Each session button by its label: what it asks the engine (``pair.run``), and its
#: tooltip (the acopc command and what it does).
SESSION_COMMANDS: dict[str, tuple[Callable[[CopyPair], Step], str]] = {
    command.label: (partial(_run, command), command.tooltip) for command in Command
}


def session_enabled(pair: CopyPair | None) -> dict[str, bool]:
    """Which session buttons the state table allows for ``pair`` (none without a pair).

    The forward commands need the reverse OPC to be gone: the engine refuses them
    while a restore runs or is suspended.
    """
    if pair is None:
        return dict.fromkeys(SESSION_COMMANDS, False)
    forward = allowed_events(Copy.QUICKOPC, pair.state)
    reverse = allowed_events(Copy.OPC, pair.reverse_state)
    free = not pair.reverse_state.has_session
    enabled = {}
    for command in Command:
        if command is Command.START_REVERSE:  # both sessions move: the table must allow both
            allowed = command.event in forward and command.event in reverse
        elif command.reverse:
            allowed = command.event in reverse
        else:
            allowed = free and command.event in forward
        enabled[command.label] = allowed
    return enabled
