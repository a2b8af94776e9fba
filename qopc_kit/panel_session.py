"""The dashboard's session buttons: what each asks the engine, and when the table allows it.

Enabling comes from the same transition table the engine consults
(:func:`qopc_kit.states.allowed_events`), so a button is never enabled for an event the
engine would refuse by its state. The engine still checks everything (conflicts with
other sessions, for one) and a click on a disabled button still reaches it.
"""

from __future__ import annotations

from collections.abc import Callable

from .pair import CopyPair
from .states import Copy, Event, allowed_events

#: Each session button: what it asks the engine, and its tooltip (the acopc command).
SESSION_COMMANDS: dict[str, tuple[Callable[[CopyPair], None], str]] = {
    "Start": (lambda pair: pair.start(), "acopc start: a full logical copy"),
    "Differential start": (lambda pair: pair.start(diff=True),
                           "acopc start -diff: copy only the tracked blocks"),
    "Auto": (lambda pair: pair.start(auto=True),
             "acopc start -auto: full or differential, as the state needs"),
    "Reverse": (lambda pair: pair.start(reverse=True),
                "acopc start -r: restore the source from the destination (OPC)"),
    "Cancel": (lambda pair: pair.cancel(), "acopc cancel: end the QuickOPC session"),
    "Cancel reverse": (lambda pair: pair.cancel(reverse=True),
                       "acopc cancel -r: end the reverse OPC"),
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
    return {
        "Start": free and Event.START in forward,
        "Differential start": free and Event.START_DIFF in forward,
        "Auto": free and Event.START_AUTO in forward,
        "Reverse": Event.START_REVERSE in forward and Event.START_REVERSE in reverse,
        "Cancel": free and Event.CANCEL in forward,
        "Cancel reverse": Event.CANCEL in reverse,
    }
