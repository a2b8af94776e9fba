"""The session commands: one identity for each, from the state table to the buttons.

A :class:`Command` knows the :class:`Event` it sends to a session, its ``acopc`` words
and option, and its button label, so the engine, the shell, scripts, the timeline and
the dashboard never convert a mode string. Adding a command means a row in the state
table (:mod:`.states`), a member here, its planning in :meth:`Commanding._plan` and a
verb in the shell's table; nothing else.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from . import errors
from .blocks import format_blocks
from .errors import ArgumentError
from .history import Action, Change, Step
from .states import Copy, Event, State, Transition, transition

if TYPE_CHECKING:
    from .pair import CopyPair
    from .session import Session
    from .volume import Volume


class Command(Enum):
    """``acopc start`` and ``acopc cancel``, with their options."""

    START = ("start", "", Event.START, "Start", "a full logical copy")
    START_DIFF = ("start", "-diff", Event.START_DIFF, "Differential start",
                  "copy only the tracked blocks")
    START_AUTO = ("start", "-auto", Event.START_AUTO, "Auto",
                  "full or differential, as the state needs")
    START_REVERSE = ("start", "-r", Event.START_REVERSE, "Reverse",
                     "restore the source from the destination (OPC)")
    CANCEL = ("cancel", "", Event.CANCEL, "Cancel", "end the QuickOPC session")
    CANCEL_REVERSE = ("cancel", "-r", Event.CANCEL, "Cancel reverse", "end the reverse OPC")

    def __init__(self, verb: str, option: str, event: Event, label: str, purpose: str) -> None:
        self.verb = verb
        self.option = option
        self.event = event
        self.label = label
        self.purpose = purpose

    @property
    def reverse(self) -> bool:
        """True for the commands of the reverse OPC (``-r``)."""
        return self.option == "-r"

    @property
    def copy(self) -> Copy:
        """The kind of session the command starts or ends."""
        return Copy.OPC if self.reverse else Copy.QUICKOPC

    @property
    def words(self) -> str:
        """The command as acopc writes it, without ``acopc``: ``start -diff``."""
        return f"{self.verb} {self.option}".rstrip()

    @property
    def tooltip(self) -> str:
        """``acopc start -diff: copy only the tracked blocks``."""
        return f"acopc {self.words}: {self.purpose}"

    def __str__(self) -> str:
        return f"acopc {self.words}"

    @classmethod
    def of(cls, verb: str, option: str = "") -> Command:
        """The command of ``verb`` (start, cancel) with ``option`` ("", -diff, -auto, -r).

        Raises ValueError naming the pair of words when no command has them.
        """
        for command in cls:
            if command.verb == verb and command.option == option:
                return command
        raise ValueError(f"no acopc command {verb} {option}".rstrip())

    @classmethod
    def start(cls, *, diff: bool = False, auto: bool = False, reverse: bool = False) -> Command:
        """The start command of the keyword flags (at most one may be set)."""
        chosen = [flag for flag, on in (("-diff", diff), ("-auto", auto), ("-r", reverse)) if on]
        if len(chosen) > 1:
            raise ArgumentError("start takes one of -diff, -auto, -r, not "
                                + " and ".join(name.lstrip("-") for name in chosen))
        return cls.of("start", chosen[0] if chosen else "")


class Commanding:
    """The session commands of a disk array: planning (check every pair, change nothing),
    then applying, all or none (a mixin of :class:`~qopc_kit.engine.array.DiskArray`)."""

    name: str
    max_sessions: int
    _next_sid: int
    _history: list[Step]
    _pairs: dict[str, CopyPair]

    if TYPE_CHECKING:  # the rest of the array
        def _live(self, keep: Callable[[Session], bool]) -> Iterator[Session]: ...
        def _record(self, action: Action, target: str, args: dict[str, Any],
                    changes: Iterable[Change] = ()) -> Step: ...

    # Commands (called by CopyPair and CopyGroup) ---------------------------------------
    def apply_command(self, command: Command, pairs: list[CopyPair], target: str) -> Step:
        """Check ``command`` on every pair first, then apply it to all: all or none.
        Returns the step it recorded."""
        for pair in pairs:
            if self._pairs.get(pair.name) is not pair:  # a handle kept across a rewind
                raise errors.NotFoundError(f"cannot {command.words} on {pair.name}: the pair "
                                           f"is not in {self.name} (it was removed by a rewind)")
        pending: list[tuple[Volume, Volume, str]] = []
        actions = [self._plan(command, pair, pending) for pair in pairs]
        # A start copies whatever image its source holds: one that is unusable (or carries
        # an unusable image) is copied as it is, with a warning, and the copy carries it.
        unusable = {} if command.verb != "start" else {
            destination.name: (source, why) for pair in pairs
            for source, destination in [(pair.destination, pair.source) if command.reverse
                                        else (pair.source, pair.destination)]
            for why in [self._why_unusable(source)] if why is not None}
        changes: list[Change] = []
        for action in actions:
            changes += action()
        changes += self._settle()
        args: dict[str, Any] = {"command": command}
        if unusable:
            args["unusable"] = {name: f"{name} carries an unusable image: a copy of "
                                f"{source.name} taken while {why}"
                                for name, (source, why) in unusable.items()}
        step = self._record(Action.of(command), target, args, changes)
        for name, (source, why) in unusable.items():
            warnings.warn(f"{command.words} copied {source.name} to {name} while {why}: {name} "
                          "now carries that unusable image (restore from a good copy instead) "
                          "[M]", errors.UnusableVolumeWarning, stacklevel=4)
        return step

    def carried_unusable(self, volume: Volume) -> str | None:
        """Why ``volume`` carries an unusable image (its last logical copy came from an
        unusable volume, or from one that carried such an image), or None. [M]"""
        for step in reversed(self._history):
            for change in step.changes:
                if _copied_into(change) == volume.name:
                    return step.args.get("unusable", {}).get(volume.name)
        return None

    def _why_unusable(self, volume: Volume) -> str | None:
        """Why the image on ``volume`` is unusable, or None when it is a good image."""
        if not volume.usable:
            never = "copied"
            for step in reversed(self._history):
                cancels = [c for c in step.changes if c.event is Event.CANCEL
                           and _cancelled_into(c) == volume.name]
                if cancels:
                    never = "restored" if cancels[-1].copy is Copy.OPC else "copied"
                    break
            blocks = format_blocks(np.flatnonzero(volume.missing), 16)
            return f"{volume.name} was unusable (block(s) {blocks} never {never})"
        carried = self.carried_unusable(volume)
        return None if carried is None else carried.replace(" carries ", " carried ", 1)

    def _plan(self, command: Command, pair: CopyPair,
              pending: list[tuple[Volume, Volume, str]]) -> Callable[[], list[Change]]:
        """Check one pair; return what applies the command to it. Changes nothing."""
        forward, reverse = pair.session, pair.reverse_session

        def refuse(error: type[errors.QuickOPCError], reason: str) -> errors.QuickOPCError:
            # Name the pair's (QuickOPC) state, unless the reason already does.
            state = str(forward.state)
            where = pair.name if state.lower() in reason.lower() else f"{pair.name} ({state})"
            return error(f"cannot {command.words} on {where}: {reason}")

        if command.reverse:
            return self._plan_reverse(command, pair, refuse)

        if reverse.state.has_session:
            raise refuse(errors.PhaseError,
                         f"its reverse OPC is in {reverse.state}; wait for it to end or "
                         "cancel -r first: Phase is not correct")
        if command is Command.CANCEL:
            end = transition(Copy.QUICKOPC, forward.state, Event.CANCEL)
            if end is None:
                raise refuse(errors.SessionNotFoundError, "no session: Session does not exist")
            return lambda: self._cancel(pair, forward, end)

        row = transition(Copy.QUICKOPC, forward.state, command.event)
        if row is None:
            if command is Command.START:
                hint = ("use -auto, or cancel first" if forward.state is State.ERROR_SUSPEND
                        else "use -diff or -auto, or cancel first")
                raise refuse(errors.SessionExistsError,
                             f"a session exists ({forward.state}); {hint}")
            if forward.state is State.NO_SESSION:
                raise refuse(errors.SessionNotFoundError, "no session: Session does not exist")
            raise refuse(errors.PhaseError, f"in {forward.state}: Phase is not correct")
        if row.state in (State.NO_SESSION, State.ERROR_SUSPEND):  # a full start
            self._check_conflicts(pair, pending, refuse)
            pending.append((pair.source, pair.destination, pair.name))
            return lambda: self._start_full(pair, row)
        return lambda: self._start_diff(pair, row)

    def _plan_reverse(self, command: Command, pair: CopyPair,
                      refuse: Callable[..., errors.QuickOPCError]) -> Callable[[], list[Change]]:
        """:meth:`_plan` for ``start -r`` and ``cancel -r``: the reverse OPC's rows, and the
        forward session's for a start."""
        forward, reverse = pair.session, pair.reverse_session
        row = transition(Copy.OPC, reverse.state, command.event)
        if command is Command.CANCEL_REVERSE:
            if row is None:
                raise refuse(errors.SessionNotFoundError,
                             "no reverse OPC session: Session does not exist")
            cancel_row = row
            return lambda: self._cancel(pair, reverse, cancel_row)
        forward_row = transition(Copy.QUICKOPC, forward.state, Event.START_REVERSE)
        if forward_row is None:
            raise refuse(errors.PhaseError,
                         f"the QuickOPC session is in {forward.state}; a reverse copy needs "
                         "Tracking (physical copy complete): Phase is not correct")
        if row is None:
            raise refuse(errors.SessionExistsError,
                         f"a reverse OPC session exists ({reverse.state}); cancel -r first")
        others = [s for s in self._live(lambda s: s.state.has_session)
                  if s.source is pair.source and s is not forward]
        if others:
            raise refuse(errors.CascadeError,
                         f"{pair.source.name} is also the source of "
                         f"{others[0].source.name}:{others[0].destination.name}; restoring "
                         "it would cascade: Cascade local copy session exist")
        reverse_row, restore_row = forward_row, row
        return lambda: self._start_reverse(pair, reverse_row, restore_row)

    def _check_conflicts(self, pair: CopyPair, pending: list[tuple[Volume, Volume, str]],
                         refuse: Callable[..., errors.QuickOPCError]) -> None:
        source, destination = pair.source, pair.destination
        if source is destination:
            raise refuse(errors.DestinationBusyError,
                         f"source and destination are the same volume ({source.name})")
        if source.blocks != destination.blocks or source.block_size != destination.block_size:
            raise refuse(errors.SizeMismatchError,
                         f"{source.name} has {source.blocks} blocks of {source.block_size} byte(s) "
                         f"and {destination.name} {destination.blocks} of "
                         f"{destination.block_size}: Size Not Supported")
        live = [(s.source, s.destination, f"{s.source.name}:{s.destination.name}")
                for s in self._live(lambda s: s.state.has_session) if s is not pair.session]
        live += pending
        for src, dst, name in live:
            if dst is destination:
                raise refuse(errors.DestinationBusyError,
                             f"{destination.name} is already the destination of {name}")
            if src is destination:
                raise refuse(errors.CascadeError,
                             f"{destination.name} is the source of {name}: "
                             "Cascade local copy session exist")
            if dst is source:
                raise refuse(errors.CascadeError,
                             f"{source.name} is the destination of {name}: "
                             "Cascade local copy session exist")
        feeding = sum(src is source for src, _, _ in live)
        if feeding >= self.max_sessions:
            raise refuse(errors.SessionLimitError,
                         f"{source.name} already feeds {feeding} sessions, the array's limit")

    def _start_full(self, pair: CopyPair, row: Transition) -> list[Change]:
        session = pair.session
        session.end()  # from Error suspend, -auto cancels first
        session.logical_copy(np.ones(pair.source.blocks, dtype=bool), self._new_sid())
        pair.destination.mark_never_copied(None)
        session.move(row)
        return [change_of(pair, row)]

    def _start_diff(self, pair: CopyPair, row: Transition) -> list[Change]:
        session = pair.session
        session.differential_copy(session.sid or self._new_sid())
        session.move(row)
        return [change_of(pair, row)]

    def _start_reverse(self, pair: CopyPair, forward_row: Transition,
                       row: Transition) -> list[Change]:
        forward, reverse = pair.session, pair.reverse_session
        changed = forward.source_tracking | forward.destination_tracking
        reverse.logical_copy(changed, self._new_sid())
        # The restore changes the source: the next -diff must copy those blocks again.
        forward.mark_source(np.flatnonzero(changed))
        pair.source.mark_never_copied(None)
        forward.move(forward_row)
        reverse.move(row)
        return [change_of(pair, forward_row), change_of(pair, row)]

    def _cancel(self, pair: CopyPair, session: Session, row: Transition) -> list[Change]:
        incomplete = session.state is not State.TRACKING and session.rest_blocks > 0
        session.destination.mark_never_copied(session.queued if incomplete else None)
        session.end()
        session.move(row)
        return [change_of(pair, row)]

    def _settle(self) -> list[Change]:
        """End every physical copy that has nothing left, whatever moved its last block."""
        changes = []
        for pair in self._pairs.values():
            for session in (pair.session, pair.reverse_session):
                if session.moving and session.rest_blocks == 0:
                    row = transition(session.copy, session.state, Event.COPY_COMPLETE)
                    if row is not None:
                        session.move(row)
                        if row.next is State.NO_SESSION:
                            session.end()
                        changes.append(change_of(pair, row))
        return changes

    def _new_sid(self) -> int:
        sid, self._next_sid = self._next_sid, self._next_sid + 1
        return sid


def _copied_into(change: Change) -> str | None:
    """The volume a logical copy (a start) put a new image on, or None for other changes."""
    source, _, destination = change.pair.partition(":")
    if change.copy is Copy.OPC:
        return source if change.event is Event.START_REVERSE else None
    return destination if change.event in (Event.START, Event.START_DIFF,
                                           Event.START_AUTO) else None


def _cancelled_into(change: Change) -> str:
    """The destination of the session a cancel ended."""
    source, _, destination = change.pair.partition(":")
    return source if change.copy is Copy.OPC else destination


def change_of(pair: CopyPair, row: Transition) -> Change:
    return Change(pair.name, row.copy, row.state, row.event, row.next)


