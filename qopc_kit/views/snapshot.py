"""A pair captured at one moment, as plain data: what every view of a pair reads.

The diagram, the status line, the query table and the summary strip's header are drawn
from a :class:`PairSnapshot`, never from live engine objects, so a view of an earlier
step (``array.at(step)``) or of a stored record is drawn by the same code. The block
maps' per-block data is captured by :func:`qopc_kit.views.blockmap.capture`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.history import Step
from ..engine.pair import CopyPair, QueryRow
from ..engine.session import Session
from ..engine.states import Copy, State, Transition


@dataclass(frozen=True)
class SessionSnapshot:
    """One session (QuickOPC forward or reverse OPC) at one moment."""

    copy: Copy
    state: State
    sid: int | None
    last_transition: Transition | None
    copied_blocks: int
    rest_blocks: int
    #: True when the array's latest step made the last transition (it is still news).
    just_changed: bool = False

    @property
    def previous_state(self) -> State | None:
        """The state before the last transition (None before the first)."""
        return None if self.last_transition is None else self.last_transition.state


@dataclass(frozen=True)
class PairSnapshot:
    """A pair at one moment: both sessions, the volumes' names, sizes and usability."""

    name: str
    source: str
    destination: str
    source_blocks: int
    destination_blocks: int
    source_usable: bool
    destination_usable: bool
    forward: SessionSnapshot
    reverse: SessionSnapshot
    step: int
    # Why each side carries an unusable image (its last copy came from one), or None.
    carried: tuple[str | None, str | None] = (None, None)

    def session(self, reverse: bool = False) -> SessionSnapshot:
        """The reverse OPC's snapshot with ``reverse``, else the QuickOPC session's."""
        return self.reverse if reverse else self.forward

    @property
    def state(self) -> State:
        """The QuickOPC session's state."""
        return self.forward.state

    @property
    def restoring(self) -> bool:
        """True while a reverse OPC exists (it has a row in the query and a diagram)."""
        return self.reverse.state.has_session

    def query_row(self, reverse: bool = False) -> QueryRow:
        """The ``acopc query`` row of one session, in the Copy Control Module's columns."""
        session = self.session(reverse)
        direction = ("<==" if reverse else "==>") if session.state.has_session else "N/A"
        return QueryRow(self.source, direction, self.destination, session.sid,
                        session.state.opc_status, session.state.copy_phase,
                        session.copied_blocks, session.rest_blocks)

    def query_rows(self) -> list[QueryRow]:
        """The QuickOPC row, and the reverse OPC's while one exists."""
        return [self.query_row(), *([self.query_row(True)] if self.restoring else [])]


def _session(session: Session, latest: Step, pair: str) -> SessionSnapshot:
    moved = any(change.copy is session.copy for change in latest.changes_of(pair))
    return SessionSnapshot(session.copy, session.state, session.sid, session.last_transition,
                           session.copied_blocks, session.rest_blocks, moved)


def snapshot(pair: CopyPair | PairSnapshot) -> PairSnapshot:
    """``pair`` as it is now (a snapshot is returned as it is)."""
    if isinstance(pair, PairSnapshot):
        return pair
    latest = pair.array.history[-1]
    return PairSnapshot(pair.name, pair.source.name, pair.destination.name, pair.source.blocks,
                        pair.destination.blocks, pair.source.usable, pair.destination.usable,
                        _session(pair.session, latest, pair.name),
                        _session(pair.reverse_session, latest, pair.name),
                        len(pair.array.history) - 1,
                        (pair.array.carried_unusable(pair.source),
                         pair.array.carried_unusable(pair.destination)))
