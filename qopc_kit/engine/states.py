"""The state table: every state, event and transition of a copy session, as data.

The engine consults :data:`TRANSITIONS` for every event, and the diagram and the
dashboard's buttons are drawn from the same rows. :func:`check_table` runs at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class State(Enum):
    """The state of a copy session, with the words ``acopc query`` and Express use."""

    NO_SESSION = ("No session", "OPC action not startup", "Not set", "")
    COPYING_TRACKING = ("Copying/Tracking", "OPC Executing", "Copying/Tracking",
                        "Physical copy and Tracking")
    TRACKING = ("Tracking", "OPC Executing", "Tracking", "Tracking state")
    ERROR_SUSPEND = ("Error suspend", "OPC Error Suspend", "N/A", "")
    COPYING = ("Copying", "OPC Executing", "Copying", "")

    def __init__(self, label: str, opc_status: str, copy_phase: str, express: str) -> None:
        self.label = label
        self.opc_status = opc_status
        self.copy_phase = copy_phase
        self.express = express

    def __str__(self) -> str:
        return self.label

    @property
    def has_session(self) -> bool:
        """True in every state but NO_SESSION."""
        return self is not State.NO_SESSION

    @property
    def copying(self) -> bool:
        """True while the session copies and redirects host I/O (not in Error suspend)."""
        return self in (State.COPYING_TRACKING, State.TRACKING, State.COPYING)


class Event(Enum):
    """What moves a session: a command, the end of the physical copy, or a failure."""

    START = ("acopc start", True)
    START_DIFF = ("acopc start -diff", True)
    START_AUTO = ("acopc start -auto", True)
    START_REVERSE = ("acopc start -r", True)
    CANCEL = ("acopc cancel", True)
    COPY_COMPLETE = ("physical copy complete", False)
    FAILURE = ("failure", False)

    def __init__(self, label: str, command: bool) -> None:
        self.label = label
        self.command = command

    def __str__(self) -> str:
        return self.label


class Copy(Enum):
    """The kind of session: the QuickOPC forward session, or the reverse OPC of ``-r``."""

    QUICKOPC = "QuickOPC"
    OPC = "OPC (reverse)"


@dataclass(frozen=True)
class Transition:
    """One row of the table: in ``state``, ``event`` moves a ``copy`` session to ``next``."""

    copy: Copy
    state: State
    event: Event
    next: State
    effect: str
    source: str  # "D": documented by Fujitsu; "M": this kit's modelling choice


_Q, _R = Copy.QUICKOPC, Copy.OPC
_N, _CT, _T, _E, _C = (State.NO_SESSION, State.COPYING_TRACKING, State.TRACKING,
                       State.ERROR_SUSPEND, State.COPYING)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(_Q, _N, Event.START, _CT,
               "logical copy at once; every block queued; tracking starts empty", "D"),
    Transition(_Q, _N, Event.START_AUTO, _CT, "a full start", "D"),
    Transition(_Q, _CT, Event.COPY_COMPLETE, _T,
               # The session stays [D]; the instant, whatever moved the last block, is the
               # kit's model (SPEC.md): the effect tags each claim.
               "the last queued block left the queue; the session stays, tracking goes on "
               "[D]; at that instant, whatever moved the block [M]", "D"),
    Transition(_Q, _CT, Event.START_DIFF, _CT,
               # Accepted [D] (the -auto table maps this state to -diff); what is queued
               # is the kit's model: the effect tags each claim (SPEC.md).
               "accepted [D]; new logical copy; queued = not yet copied + tracked on both "
               "sides [M]", "D"),
    Transition(_Q, _CT, Event.START_AUTO, _CT, "a differential start", "D"),
    Transition(_Q, _CT, Event.CANCEL, _N,
               "session ends; destination unusable (physical copy incomplete)", "D"),
    Transition(_Q, _CT, Event.FAILURE, _E, "copying stops", "D"),
    Transition(_Q, _T, Event.START_DIFF, _CT,
               "new logical copy; queued = tracked on both sides; destination writes rolled "
               "back; tracking restarts empty", "D"),
    Transition(_Q, _T, Event.START_AUTO, _CT, "a differential start", "D"),
    Transition(_Q, _T, Event.START_REVERSE, _T,
               "a reverse OPC restores the source from the destination [D]; allowed only "
               "in Tracking, and this session records the restored blocks [M]", "D"),
    Transition(_Q, _T, Event.CANCEL, _N,
               "session ends; destination usable [D]; tracking data gone, so the next start "
               "is full [M]", "D"),
    Transition(_Q, _T, Event.FAILURE, _E, "copying stops", "D"),
    Transition(_Q, _E, Event.CANCEL, _N, "session ends", "D"),
    Transition(_Q, _E, Event.START_AUTO, _CT, "cancel, then a full start", "D"),
    Transition(_R, _N, Event.START_REVERSE, _C,
               "source's logical image = destination's at once; changed blocks queued", "D"),
    Transition(_R, _C, Event.COPY_COMPLETE, _N, "the OPC ends by itself", "D"),
    Transition(_R, _C, Event.CANCEL, _N, "OPC ends; source unusable (restore incomplete)", "M"),
    Transition(_R, _C, Event.FAILURE, _E, "copying stops", "M"),
    Transition(_R, _E, Event.CANCEL, _N, "OPC ends", "M"),
)

INITIAL = State.NO_SESSION


def states_of(copy: Copy) -> tuple[State, ...]:
    """The states a session of this kind can be in, in table order."""
    seen: dict[State, None] = {INITIAL: None}
    for row in TRANSITIONS:
        if row.copy is copy:
            seen.setdefault(row.state)
            seen.setdefault(row.next)
    return tuple(seen)


def transition(copy: Copy, state: State, event: Event) -> Transition | None:
    """The row for ``event`` in ``state``, or None when the table has none."""
    return _INDEX.get((copy, state, event))


def allowed_events(copy: Copy, state: State) -> tuple[Event, ...]:
    """The events the table accepts in ``state`` (what the dashboard enables)."""
    return tuple(row.event for row in TRANSITIONS if row.copy is copy and row.state is state)


def check_table(rows: tuple[Transition, ...]) -> None:
    """Refuse a table with duplicate rows, unreachable states or a trap state.

    Raises ValueError naming the offending row or state.
    """
    index: dict[tuple[Copy, State, Event], Transition] = {}
    for row in rows:
        key = (row.copy, row.state, row.event)
        if key in index:
            raise ValueError(f"duplicate transition for {row.copy.value} {row.state} on {row.event}")
        index[key] = row
        if row.source not in ("D", "M"):
            raise ValueError(f"row {key} has source {row.source!r}, not 'D' or 'M'")
    for copy in Copy:
        edges = [(r.state, r.next) for r in rows if r.copy is copy]
        states = {s for edge in edges for s in edge}
        reachable = _closure(INITIAL, edges)
        if states - reachable:
            raise ValueError(f"{copy.value}: unreachable states {sorted(map(str, states - reachable))}")
        back = [(b, a) for a, b in edges]
        returns = _closure(INITIAL, back)
        if states - returns:
            raise ValueError(f"{copy.value}: trap states {sorted(map(str, states - returns))}")


def _closure(start: State, edges: list[tuple[State, State]]) -> set[State]:
    found, frontier = {start}, [start]
    while frontier:
        here = frontier.pop()
        for a, b in edges:
            if a is here and b not in found:
                found.add(b)
                frontier.append(b)
    return found


check_table(TRANSITIONS)
_INDEX = {(row.copy, row.state, row.event): row for row in TRANSITIONS}
