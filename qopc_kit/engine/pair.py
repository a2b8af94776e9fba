"""Copy pairs and copy groups: what ``acopc`` commands act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .commands import Command
from .errors import NotFoundError
from .session import Session
from .states import Copy, State, Transition

if TYPE_CHECKING:
    from .array import DiskArray
    from .history import Step
    from .volume import Volume


#: The columns of ``acopc query``, as the Copy Control Module prints them (a QueryRow's order).
QUERY_COLUMNS = ("Source", "<=>", "Target", "SID", "OPC Status", "Copy Phase", "Copied Block",
                 "Rest Block")


@dataclass(frozen=True)
class QueryRow:
    """One row of ``acopc query``, in the Copy Control Module's columns."""

    source: str
    direction: str  # "==>" forward, "<==" reverse, "N/A" with no session
    target: str
    sid: int | None
    opc_status: str
    copy_phase: str
    copied_block: int
    rest_block: int

    @property
    def sid_text(self) -> str:
        """The SID as acopc prints it (hex), or 0x0 with no session."""
        return f"0x{self.sid or 0:X}"


class CopyPair:
    """A ``source:destination`` pair, with its QuickOPC session and its reverse OPC."""

    def __init__(self, array: DiskArray, source: Volume, destination: Volume) -> None:
        self.array = array
        self.source = source
        self.destination = destination
        self.name = f"{source.name}:{destination.name}"
        self.session = Session(Copy.QUICKOPC, source, destination)
        self.reverse_session = Session(Copy.OPC, destination, source)

    # Commands --------------------------------------------------------------------
    def start(self, *, diff: bool = False, auto: bool = False, reverse: bool = False) -> Step:
        """``acopc start`` on this pair: full, ``diff``, ``auto`` or ``reverse`` (-r).

        Returns the step it made (its ``changes`` are the transitions). Raises a
        QuickOPCError subclass, changing nothing, when the pair's state or another
        session forbids it.
        """
        return self.run(Command.start(diff=diff, auto=auto, reverse=reverse))

    def cancel(self, *, reverse: bool = False) -> Step:
        """``acopc cancel`` (``reverse``: cancel -r, the reverse OPC); returns its step."""
        return self.run(Command.CANCEL_REVERSE if reverse else Command.CANCEL)

    def run(self, command: Command) -> Step:
        """Apply one session command to this pair; return the step it made."""
        return self.array.apply_command(command, [self], self.name)

    def query(self, *, reverse: bool = False) -> QueryRow:
        """This pair's ``acopc query`` row (``reverse``: the reverse OPC's)."""
        session = self.reverse_session if reverse else self.session
        forward = "<==" if reverse else "==>"
        direction = forward if session.state.has_session else "N/A"
        return QueryRow(self.source.name, direction, self.destination.name, session.sid,
                        session.state.opc_status, session.state.copy_phase,
                        session.copied_blocks, session.rest_blocks)

    # The forward session, read ---------------------------------------------------------
    @property
    def state(self) -> State:
        """The QuickOPC session's state."""
        return self.session.state

    @property
    def reverse_state(self) -> State:
        """The reverse OPC's state: NO_SESSION, COPYING or ERROR_SUSPEND."""
        return self.reverse_session.state

    @property
    def previous_state(self) -> State | None:
        """The state before the last transition (None before the first)."""
        return self.session.previous_state

    @property
    def last_transition(self) -> Transition | None:
        """The last row of the table this pair's QuickOPC session took."""
        return self.session.last_transition

    @property
    def sid(self) -> int | None:
        """The session ID, None with no session."""
        return self.session.sid

    queued = property(lambda self: self.session.queued, doc=Session.queued.__doc__)
    source_tracking = property(lambda self: self.session.source_tracking,
                               doc=Session.source_tracking.__doc__)
    destination_tracking = property(lambda self: self.session.destination_tracking,
                                    doc=Session.destination_tracking.__doc__)
    rolled_back = property(lambda self: self.session.rolled_back,
                           doc=Session.rolled_back.__doc__)
    copied_before_write = property(lambda self: self.session.copied_before_write,
                                   doc=Session.copied_before_write.__doc__)

    @property
    def copied_blocks(self) -> int:
        """Copied Block of the QuickOPC session."""
        return self.session.copied_blocks

    @property
    def rest_blocks(self) -> int:
        """Rest Block of the QuickOPC session."""
        return self.session.rest_blocks

    @property
    def never_copied(self) -> np.ndarray:
        """Blocks of the destination a cancelled copy never delivered."""
        return self.destination.missing

    def _repr_html_(self) -> str:
        from ..views.display import repr_html  # views are optional: only a notebook needs them
        return repr_html(self)

    def __repr__(self) -> str:
        text = f"<CopyPair {self.name}: {self.state}"
        if self.state.has_session:
            text += f", copied {self.copied_blocks}, rest {self.rest_blocks}"
        if self.reverse_state.has_session:
            text += f"; reverse OPC {self.reverse_state}, rest {self.reverse_session.rest_blocks}"
        return text + ">"


class CopyGroup:
    """A named set of QuickOPC pairs: the unit ``acopc -g`` works on."""

    def __init__(self, array: DiskArray, name: str, pairs: list[CopyPair]) -> None:
        self.array = array
        self.name = name
        self.pairs: tuple[CopyPair, ...] = tuple(pairs)

    def pair(self, name: str) -> CopyPair:
        """The group's pair named ``source:destination``."""
        for pair in self.pairs:
            if pair.name == name:
                return pair

        raise NotFoundError(f"copy group {self.name} has no pair {name!r} "
                            f"(pairs: {', '.join(p.name for p in self.pairs)})")

    def add_pair(self, source: Any, destination: Any = None) -> CopyPair:
        """``acpair add``: add the pair ``(source, destination)`` (or ``"src:dst"``)."""
        return self.array.add_pair_to(self, source, destination)

    def start(self, *, diff: bool = False, auto: bool = False, reverse: bool = False) -> Step:
        """``acopc start -g`` on every pair, all or none: one refusal refuses the command."""
        return self.run(Command.start(diff=diff, auto=auto, reverse=reverse))

    def cancel(self, *, reverse: bool = False) -> Step:
        """``acopc cancel -g`` on every pair, all or none."""
        return self.run(Command.CANCEL_REVERSE if reverse else Command.CANCEL)

    def run(self, command: Command) -> Step:
        """Apply one session command to every pair, all or none; return the step it made."""
        self._check_pairs(command.verb)
        return self.array.apply_command(command, list(self.pairs), self.name)

    def check_in_array(self, command: str) -> None:
        """Refuse ``command`` on a group handle that a rewind removed from its array."""
        if self.array.groups.get(self.name) is not self:  # a handle kept across a rewind
            raise NotFoundError(f"cannot {command} copy group {self.name}: it is not in "
                                f"{self.array.name} (it was removed by a rewind)")

    def _check_pairs(self, command: str) -> None:
        self.check_in_array(command)
        if not self.pairs:
            raise NotFoundError(f"cannot {command} copy group {self.name}: it has no pairs "
                                "(add one with acpair add)")

    def query(self, *, reverse: bool = False) -> list[QueryRow]:
        """``acopc query -g``: one row per pair."""
        return [pair.query(reverse=reverse) for pair in self.pairs]

    def _repr_html_(self) -> str:
        from ..views.display import repr_html  # views are optional: only a notebook needs them
        return repr_html(self)

    def __repr__(self) -> str:
        return f"<CopyGroup {self.name}: {len(self.pairs)} QuickOPC pair(s)>"

