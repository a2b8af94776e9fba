"""The dashboard's session buttons: what each asks the engine, and when the table allows it.

Enabling comes from the same transition table the engine consults
(:func:`qopc_kit.states.allowed_events`), so a button is never enabled for an event the
engine would refuse by its state. The engine still checks everything (conflicts with
other sessions, for one), and a click on a greyed button still reaches it and shows its
refusal.
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


#: What each command is, for "State has no ..." (the state table's words).
_WHAT = {Command.START: "has no full start", Command.START_DIFF: "has no differential start",
         Command.START_AUTO: "has no automatic start",
         Command.START_REVERSE: "has no reverse copy (-r needs Tracking [M])",
         Command.CANCEL: "has nothing to cancel"}
_NONE_TO_CANCEL = "no reverse copy (-r) exists: Cancel reverse has nothing to end"


def _choices(names: list[str]) -> str:
    if not names:
        return "nothing"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def session_reasons(pair: CopyPair | None) -> dict[str, str | None]:
    """Why each session button is unavailable for ``pair`` (None: available), from the state
    table the engine consults, e.g. "Tracking has no full start: use Differential start,
    Auto or Cancel first".

    The forward commands need the reverse OPC to be gone: the engine refuses them while a
    restore runs or is suspended. Without a pair, every button says so.
    """
    if pair is None:
        return dict.fromkeys(SESSION_COMMANDS, "this array has no copy pair: add one first")
    forward = allowed_events(Copy.QUICKOPC, pair.state)
    reverse = allowed_events(Copy.OPC, pair.reverse_state)
    free = not pair.reverse_state.has_session
    allowed: dict[Command, bool] = {}
    for command in Command:
        if command is Command.START_REVERSE:  # both sessions move: the table must allow both
            allowed[command] = command.event in forward and command.event in reverse
        elif command.reverse:
            allowed[command] = command.event in reverse
        else:
            allowed[command] = free and command.event in forward
    others = [command.label for command in Command if allowed[command]]
    reasons: dict[str, str | None] = {}
    for command in Command:
        if allowed[command]:
            reasons[command.label] = None
        elif not free and not command.reverse:
            reasons[command.label] = (f"the reverse copy is {pair.reverse_state.label}: the "
                                      "QuickOPC session waits until Cancel reverse ends it")
        elif command is Command.CANCEL_REVERSE:
            reasons[command.label] = _NONE_TO_CANCEL
        else:
            state = pair.state
            reasons[command.label] = (f"{state.label} {_WHAT[command]}: use "
                                      f"{_choices(others)}" + (" first" if others else ""))
    return reasons


def session_enabled(pair: CopyPair | None) -> dict[str, bool]:
    """Which session buttons the state table allows for ``pair`` (none without a pair)."""
    return {name: reason is None for name, reason in session_reasons(pair).items()}
