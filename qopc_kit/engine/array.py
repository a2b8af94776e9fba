"""The disk array: its volumes, copy groups and sessions, and the rules that move blocks."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import MappingProxyType
from typing import Any

import numpy as np

from . import errors
from .blocks import Selection, format_blocks
from .commands import Command
from .history import (
    ENTRY_OVERHEAD,
    HISTORY_BUDGET,
    SNAPSHOT_LIMIT,
    Action,
    Change,
    Checkpoints,
    History,
    Step,
)
from .pair import CopyGroup, CopyPair
from .session import Index, Session
from .states import Copy, Event, State, Transition, transition
from .volume import Volume

#: Volume numbers up to this are accepted (the shell reads whole numbers up to 2**40, so
#: every volume can be written in a script).
MAX_VOLUME_NUMBER = 2**40


class DiskArray:
    """One ETERNUS disk array (``ET001``): volumes, QuickOPC copy groups and a clock.

    ``copy_rate`` is how many queued blocks the background copier moves per tick
    for each session. ``max_sessions`` caps the sessions one source may feed.
    ``snapshots`` keeps what restores every step, so that :meth:`rewind`, :meth:`at` and
    :meth:`undo` work; None keeps it while the volumes hold at most 16 MiB, False never.
    ``history_budget`` caps the bytes of the checkpoints (copies of the whole state)
    kept for that, 64 MiB by default: every kept step stays restorable exactly, the ones
    between checkpoints by doing the recorded steps again (see :class:`Checkpoints`).
    """

    def __init__(self, name: str = "ET001", copy_rate: int = 1, *, max_sessions: int = 8,
                 snapshots: bool | None = None, history_budget: int = HISTORY_BUDGET) -> None:
        if not isinstance(name, str) or not name or any(c in name for c in " /:\t\n"):
            raise errors.ArgumentError(f"array name must be a word like 'ET001', got {name!r}")
        self.name = name
        self._copy_rate = _positive(copy_rate, "copy_rate")
        self.max_sessions = _positive(max_sessions, "max_sessions")
        self.snapshots = snapshots
        self._checkpoints = Checkpoints(history_budget)
        self._replaying = False
        self._registered = (0, 0, 0)  # volumes, groups, pairs when the last step was recorded
        self._volumes: dict[str, Volume] = {}
        self._groups: dict[str, CopyGroup] = {}
        self._pairs: dict[str, CopyPair] = {}
        self._next_sid = 1
        self._history: list[Step] = []
        self._record(Action.CREATE, name, {"copy_rate": copy_rate, "max_sessions": max_sessions})

    # Set-up ----------------------------------------------------------------------
    def add_volume(self, number: int, blocks: int, block_size: int = 1) -> Volume:
        """Create volume ``<array>/0x<number>`` of ``blocks`` zeroed blocks."""
        if (isinstance(number, bool) or not isinstance(number, numbers.Integral)
                or not 0 <= number <= MAX_VOLUME_NUMBER):
            raise errors.ArgumentError(
                f"volume number must be an int from 0 to 0x{MAX_VOLUME_NUMBER:x}, got {number!r}")
        blocks = _positive(blocks, "blocks")
        block_size = _positive(block_size, "block_size")
        volume = Volume(self, int(number), blocks, block_size)
        if volume.name in self._volumes:
            raise errors.ArgumentError(f"volume {volume.name} already exists")
        self._volumes[volume.name] = volume
        self._record(Action.ADD_VOLUME, volume.name,
                     {"number": int(number), "blocks": blocks, "block_size": block_size})
        return volume

    def add_copy_group(self, name: str, pairs: Iterable[Any] = ()) -> CopyGroup:
        """Create QuickOPC copy group ``name`` of ``(source, destination)`` pairs.

        A pair may be given as two volumes (or their names) or as one string
        ``"ET001/0x1:ET001/0x6"``. A group may start empty and get its pairs with
        :meth:`CopyGroup.add_pair` (the shell's ``acpair add``). Conflicts between
        sessions are checked at start.
        """
        if not isinstance(name, str) or not name.strip() or any(c.isspace() for c in name):
            raise errors.ArgumentError(f"copy group name must be one word, got {name!r}")
        if name in self._groups:
            raise errors.ArgumentError(f"copy group {name} already exists")
        if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
            raise errors.ArgumentError(f"pairs of {name} must be a list of (source, destination)")
        resolved = [self._resolve_pair(name, item) for item in pairs]
        names = [f"{s.name}:{d.name}" for s, d in resolved]
        if len(set(names)) != len(names):
            raise errors.ArgumentError(f"copy group {name} lists a pair twice")
        group = CopyGroup(self, name, [self._pair_of(s, d) for s, d in resolved])
        self._groups[name] = group
        self._record(Action.ADD_COPY_GROUP, name, {"pairs": names})
        return group

    def _add_pair(self, group: CopyGroup, source: Any, destination: Any) -> CopyPair:
        """:meth:`CopyGroup.add_pair`: checked first, so a refusal changes nothing."""
        group._check_in_array("add a pair to")
        item = source if destination is None else (source, destination)
        found, target = self._resolve_pair(group.name, item)
        name = f"{found.name}:{target.name}"
        if any(pair.name == name for pair in group.pairs):
            raise errors.ArgumentError(f"copy group {group.name} already has {name}")
        pair = self._pair_of(found, target)
        group.pairs = (*group.pairs, pair)
        self._record(Action.ADD_PAIR, group.name, {"pair": name})
        return pair

    def _pair_of(self, source: Volume, destination: Volume) -> CopyPair:
        """The array's pair of these volumes: the one another group made, or a new one."""
        name = f"{source.name}:{destination.name}"
        if name not in self._pairs:
            self._pairs[name] = CopyPair(self, source, destination)
        return self._pairs[name]

    def _resolve_pair(self, group: str, item: Any) -> tuple[Volume, Volume]:
        """The two volumes of a pair given as ``(source, destination)`` or ``"src:dst"``."""
        if isinstance(item, str):
            if item.count(":") != 1:
                raise errors.ArgumentError(f"pair {item!r} is not written 'source:destination'")
            item = tuple(item.split(":"))
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise errors.ArgumentError(f"a pair of {group} must be (source, destination), "
                                       f"got {item!r}")
        return self.volume(item[0]), self.volume(item[1])

    def acopc(self, arguments: str) -> str:
        """Run one ``acopc`` command line (``"start -g CG1 -diff"``); return its output."""
        from ..shell.run import acopc  # the command language lives in the shell
        return acopc(self, arguments)

    # Look-up ---------------------------------------------------------------------
    def volume(self, key: Volume | str | int) -> Volume:
        """The volume given as a Volume, a name (``ET001/0x1`` or ``0x1``) or a number."""
        if isinstance(key, Volume):
            self._check_registered(key, "use")
            return key
        if isinstance(key, str):
            text = key.strip()
            if "/" not in text:
                text = f"{self.name}/{text}"
            box, _, number = text.partition("/")
            if box != self.name:
                raise errors.ArgumentError(
                    f"volume {key} belongs to array {box}, not {self.name} "
                    "(QuickOPC copies only inside one disk array)")
            try:
                key = int(number, 0)
            except ValueError:
                raise errors.NotFoundError(f"no volume {key!r} in {self.name}") from None
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if key < 0:
                raise errors.NotFoundError(f"no volume {int(key)} in {self.name}: volume "
                                           "numbers are 0 or more")
            found = self._volumes.get(f"{self.name}/0x{int(key):x}")
            if found is None:
                raise errors.NotFoundError(f"no volume 0x{int(key):x} in {self.name} "
                                           f"(volumes: {', '.join(self._volumes) or 'none'})")
            return found
        raise errors.ArgumentError(f"a volume is a Volume, a name or a number, not {key!r}")

    def pair(self, name: str) -> CopyPair:
        """The pair named ``source:destination`` (as in any copy group)."""
        if not isinstance(name, str) or name not in self._pairs:
            raise errors.NotFoundError(f"no copy pair {name!r} in {self.name} "
                                       f"(pairs: {', '.join(self._pairs) or 'none'})")
        return self._pairs[name]

    def group(self, name: str) -> CopyGroup:
        """The copy group called ``name``."""
        if not isinstance(name, str) or name not in self._groups:
            raise errors.NotFoundError(f"no copy group {name!r} in {self.name} "
                                       f"(groups: {', '.join(self._groups) or 'none'})")
        return self._groups[name]

    @property
    def volumes(self) -> MappingProxyType[str, Volume]:
        """Volumes by name, in creation order."""
        return MappingProxyType(self._volumes)

    @property
    def groups(self) -> MappingProxyType[str, CopyGroup]:
        """Copy groups by name."""
        return MappingProxyType(self._groups)

    @property
    def pairs(self) -> MappingProxyType[str, CopyPair]:
        """Every pair of every copy group, by name."""
        return MappingProxyType(self._pairs)

    @property
    def sessions(self) -> list[Session]:
        """Every session that exists now, in SID order."""
        return sorted(self._live(lambda s: s.state.has_session), key=lambda s: s.sid or 0)

    # The clock and the knobs -------------------------------------------------------
    @property
    def copy_rate(self) -> int:
        """Blocks each session's background copier moves per tick."""
        return self._copy_rate

    @copy_rate.setter
    def copy_rate(self, rate: int) -> None:
        self.set_copy_rate(rate)

    def set_copy_rate(self, rate: int) -> Step:
        """Set :attr:`copy_rate`; return the step it made."""
        self._copy_rate = _positive(rate, "copy_rate")
        return self._record(Action.COPY_RATE, self.name, {"rate": self._copy_rate})

    def tick(self, n: int = 1) -> Step:
        """Advance the background copier ``n`` ticks; return the step it made.

        Each tick moves up to ``copy_rate`` queued blocks of every copying session,
        lowest block first, then ends the copies that have nothing left.
        """
        n = _positive(n, "n")
        changes: list[Change] = []
        for _ in range(n):
            busy = [s for s in self._live(_moving) if s.rest_blocks]
            if not busy:
                break
            for session in sorted(busy, key=lambda s: s.sid or 0):
                blocks = session.next_blocks(self._copy_rate)
                self._physical_write(session.destination, blocks, session.source._get(blocks))
            changes += self._settle()
        return self._record(Action.TICK, self.name, {"n": n}, changes)

    def ticks_to_finish(self) -> int:
        """Ticks the copier needs to end every running physical copy, with no host I/O."""
        rests = [s.rest_blocks for s in self._live(_moving)]
        return max((-(-rest // self._copy_rate) for rest in rests), default=0)

    def run(self) -> int:
        """Tick until every running physical copy has ended; return the ticks taken."""
        needed = self.ticks_to_finish()
        if needed:
            self.tick(needed)
        return needed

    def fail(self, volume: Volume | str | int) -> Step:
        """Inject a failure on ``volume``: every session on it goes to Error suspend.
        Returns the step it made."""
        volume = self.volume(volume)
        changes = []
        for pair in self._pairs.values():
            for session in (pair.session, pair.reverse_session):
                if volume in (session.source, session.destination):
                    row = transition(session.copy, session.state, Event.FAILURE)
                    if row is not None:
                        session.move(row)
                        changes.append(_change(pair, row))
        return self._record(Action.FAIL, volume.name, {}, changes)

    # History -----------------------------------------------------------------------
    @property
    def history(self) -> History:
        """Every step so far, oldest first; step 0 created the array (a notebook shows a
        timeline)."""
        return History(self._history, self)

    def history_steps(self) -> list[Step]:
        """The steps as they are now (a copy of the list, for comparisons)."""
        return list(self._history)

    @property
    def history_budget(self) -> int:
        """Bytes the history's checkpoints may hold (every kept step stays restorable; a
        smaller budget makes going far back slower, not inexact). Setting it checks the
        value (a whole number >= 0, else ArgumentError) and drops checkpoints to fit."""
        return self._checkpoints.budget

    @history_budget.setter
    def history_budget(self, budget: int) -> None:
        self._checkpoints.budget = budget

    def rewind(self, step: int) -> None:
        """Restore everything exactly as it was after ``step``; later steps are dropped.

        Raises HistoryError when there is no such step or its state was not kept.
        """
        self._kept(step, "rewind to")
        self._restore(step)
        self._checkpoints.forget_after(step)

    def at(self, step: int) -> DiskArray:
        """A new array, exactly as this one was after ``step``; this one is left untouched.

        The new array has its own volumes, pairs and groups; its history ends at ``step``
        and rewinds like this one's. Raises HistoryError when there is no such step or its
        state was not kept.
        """
        self._kept(step, "show")
        twin = DiskArray(self.name, self._copy_rate, max_sessions=self.max_sessions,
                         snapshots=self.snapshots, history_budget=self.history_budget)
        # Objects only ever join an array (a rewind drops the steps that made them), so the
        # objects the steps up to ``step`` created are every object of every checkpoint.
        twins: dict[Any, Any] = {}
        for made in self._checkpoints.created(step):
            if isinstance(made, Volume):
                twins[made] = Volume(twin, made.number, made.blocks, made.block_size)
            elif isinstance(made, CopyGroup):
                twins[made] = CopyGroup(twin, made.name, [])
            else:
                twins[made] = CopyPair(twin, twins[made.source], twins[made.destination])
        twin._history = self._history[:step + 1]  # steps are frozen: shared, not copied
        twin._checkpoints = self._checkpoints.copy(step, lambda saved: _retarget(saved, twins),
                                                   twins)
        twin._restore(step)
        return twin

    def undo(self) -> None:
        """Go back one step."""
        if len(self._history) < 2:
            raise errors.HistoryError("nothing to undo: the array has just been created")
        self.rewind(len(self._history) - 2)

    def _kept(self, step: int, doing: str) -> None:
        """Check that the state after ``step`` can be restored; HistoryError if not."""
        last = len(self._history) - 1
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise errors.HistoryError(f"cannot {doing} step {step!r}: a step is a whole "
                                      f"number from 0 to {last}")
        if not 0 <= step <= last:
            raise errors.HistoryError(f"cannot {doing} step {step}: steps are 0 to {last}")
        if not self._history[step].kept:
            raise errors.HistoryError(
                f"cannot {doing} step {step}: its state was not kept (snapshots stop above "
                f"{SNAPSHOT_LIMIT // 2**20} MiB of volumes; DiskArray(snapshots=True) keeps them)")

    def _restore(self, step: int) -> None:
        """Make the state the one after kept ``step``: load the nearest checkpoint, then do
        the recorded steps after it again. The history then ends at ``step``."""
        start, saved = self._checkpoints.nearest(step)
        later = self._history[start + 1:step + 1]
        self._load(saved)
        del self._history[start + 1:]
        self._replaying = True
        try:
            with warnings.catch_warnings():  # the reads warned when they were done
                warnings.simplefilter("ignore", errors.UnusableVolumeWarning)
                for original in later:
                    self._redo(original)
        finally:
            self._replaying = False
        self._registered = self._counts()

    def _redo(self, step: Step) -> None:
        """Do ``step`` again, from the state after the step before it, and record it."""
        args, target = step.args, step.target
        if step.action in ("add_volume", "add_copy_group", "add_pair"):
            # The same objects as the first time, as they were new.
            for made in self._checkpoints.created_at(step.number):
                if isinstance(made, Volume):
                    made._data[:] = 0
                    made._missing = None
                    self._volumes[made.name] = made
                elif isinstance(made, CopyGroup):
                    self._groups[made.name] = made
                else:
                    made.session.reset()
                    made.reverse_session.reset()
                    self._pairs[made.name] = made
            if step.action == "add_copy_group":
                self._groups[target].pairs = tuple(self._pairs[p] for p in args["pairs"])
            elif step.action == "add_pair":
                group = self._groups[target]
                group.pairs = (*group.pairs, self._pairs[args["pair"]])
            self._history.append(step)
            return
        if step.action in ("start", "cancel"):
            pairs = (list(self._groups[target].pairs) if target in self._groups
                     else [self._pairs[target]])
            self._command(args["command"], pairs, target)
        elif step.action in ("write", "read"):
            volume = self._volumes[target]
            index = np.array(args["blocks"], dtype=np.intp)  # checked when first done
            chosen = Selection(index, index.size < 2)
            if step.action == "write":
                rows = np.frombuffer(args["data"], dtype=np.uint8).reshape(-1, volume.block_size)
                self._host_write(volume, chosen, rows)
            else:
                self._host_read(volume, chosen)
        elif step.action == "tick":
            self.tick(args["n"])
        elif step.action == "copy_rate":
            self.copy_rate = args["rate"]
        elif step.action == "fail":
            self.fail(target)
        else:
            raise errors.HistoryError(f"cannot replay step {step.number}: {step.action!r}")
        if self._history[-1] != step:  # the engine is deterministic: this is a bug
            raise errors.HistoryError(f"replaying step {step.number} ({step}) gave "
                                      f"{self._history[-1]}: the history cannot be restored")
        self._history[-1] = step

    # Commands (called by CopyPair and CopyGroup) ----------------------------------------
    def _command(self, command: Command, pairs: list[CopyPair], target: str) -> Step:
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
        if volume._missing is not None:
            never = "copied"
            for step in reversed(self._history):
                cancels = [c for c in step.changes if c.event is Event.CANCEL
                           and _cancelled_into(c) == volume.name]
                if cancels:
                    never = "restored" if cancels[-1].copy is Copy.OPC else "copied"
                    break
            blocks = format_blocks(np.flatnonzero(volume._missing), 16)
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
        pair.destination._missing = None
        session.move(row)
        return [_change(pair, row)]

    def _start_diff(self, pair: CopyPair, row: Transition) -> list[Change]:
        session = pair.session
        session.differential_copy(session.sid or self._new_sid())
        session.move(row)
        return [_change(pair, row)]

    def _start_reverse(self, pair: CopyPair, forward_row: Transition,
                       row: Transition) -> list[Change]:
        forward, reverse = pair.session, pair.reverse_session
        changed = forward._source_tracking | forward._destination_tracking
        reverse.logical_copy(changed, self._new_sid())
        # The restore changes the source: the next -diff must copy those blocks again.
        forward.mark_source(np.flatnonzero(changed))
        pair.source._missing = None
        forward.move(forward_row)
        reverse.move(row)
        return [_change(pair, forward_row), _change(pair, row)]

    def _cancel(self, pair: CopyPair, session: Session, row: Transition) -> list[Change]:
        incomplete = session.state is not State.TRACKING and session.rest_blocks > 0
        session.destination._missing = session._queued.copy() if incomplete else None
        session.end()
        session.move(row)
        return [_change(pair, row)]

    def _settle(self) -> list[Change]:
        """End every physical copy that has nothing left, whatever moved its last block."""
        changes = []
        for pair in self._pairs.values():
            for session in (pair.session, pair.reverse_session):
                if _moving(session) and session.rest_blocks == 0:
                    row = transition(session.copy, session.state, Event.COPY_COMPLETE)
                    if row is not None:
                        session.move(row)
                        if row.next is State.NO_SESSION:
                            session.end()
                        changes.append(_change(pair, row))
        return changes

    def _new_sid(self) -> int:
        sid, self._next_sid = self._next_sid, self._next_sid + 1
        return sid

    # Host I/O (called by Volume) --------------------------------------------------------
    def _host_write(self, volume: Volume, chosen: Selection, rows: np.ndarray) -> Step:
        index = chosen.index
        if index.size:
            for session in self._live(_copying):
                if session.destination is volume:
                    session.take(index, chosen.unique)  # a whole-block write needs no copy
                    if session.copy is Copy.QUICKOPC:
                        session.mark_destination(index)
            self._physical_write(volume, index, rows, chosen.unique)
            for session in self._live(_copying):
                if session.source is volume and session.copy is Copy.QUICKOPC:
                    session.mark_source(index)
        changes = self._settle()
        args = {"blocks": index.tolist(), "data": rows.tobytes()} if self._keeping() else {
            "blocks": int(index.size)}
        return self._record(Action.WRITE, volume.name, args, changes)

    def _host_read(self, volume: Volume, chosen: Selection) -> tuple[np.ndarray, Step]:
        index = chosen.index
        for session in self._live(_copying):
            if session.destination is volume:
                hits = session.take(index, chosen.unique)
                if hits.size:  # copy-on-read: fetch the point-in-time image first
                    self._physical_write(volume, hits, session.source._get(hits))
        changes = self._settle()
        step = self._record(Action.READ, volume.name, {"blocks": index.tolist()}
                            if self._keeping() else {"blocks": int(index.size)}, changes)
        if volume._missing is not None:
            warnings.warn(f"{volume.name} is unusable: its copy was cancelled before it "
                          f"completed ({int(volume._missing.sum())} block(s) never copied)",
                          errors.UnusableVolumeWarning, stacklevel=3)
        for session in self.suspended_copies(volume):
            # A suspended copy fetches nothing: these blocks still hold the old data.
            distinct = index if chosen.unique else np.unique(index)
            stale = int(np.count_nonzero(session.queued[distinct]))
            if stale:
                warnings.warn(f"{volume.name}: {stale} block(s) read never reached it: the copy "
                              f"from {session.source.name} is in Error suspend (cancel, then "
                              "start, or start -auto)", errors.UnusableVolumeWarning,
                              stacklevel=3)
        return volume._get(index), step

    def suspended_copies(self, volume: Volume) -> list[Session]:
        """The sessions copying into ``volume`` that a failure suspended with blocks still
        queued: those blocks never reached it, and nothing fetches them (not even a read)."""
        return [session for session in self._live(lambda s: s.state is State.ERROR_SUSPEND)
                if session.destination is volume and session.rest_blocks]

    def _physical_write(self, volume: Volume, index: Index, rows: np.ndarray,
                        unique: bool = True) -> None:
        """Put ``rows`` on ``volume``'s blocks, copying the old blocks ahead where a session
        still has them queued (copy-before-write)."""
        for session in self._live(_copying):
            if session.source is volume and session.rest_blocks:
                hits = session.take(index, unique)
                if hits.size:
                    session.mark_copied_before_write(hits)
                    self._physical_write(session.destination, hits, volume._get(hits))
        volume._put(index, rows)

    def _logical_image(self, volume: Volume, index: np.ndarray) -> np.ndarray:
        image = volume._get(index)
        for session in self._live(_copying):
            if session.destination is volume and session.rest_blocks:
                waiting = session._queued[index]
                image[waiting] = session.source._get(index[waiting])
        return image

    def _check_registered(self, volume: Volume, what: str) -> None:
        if volume.array is not self:
            raise errors.ArgumentError(f"{what}: volume {volume.name} belongs to array "
                                       f"{volume.array.name}, not {self.name}")
        if self._volumes.get(volume.name) is not volume:
            raise errors.NotFoundError(f"{what}: volume {volume.name} is not in {self.name} "
                                       "(it was removed by a rewind)")

    def _live(self, keep: Callable[[Session], bool]) -> Iterator[Session]:
        for pair in self._pairs.values():
            if keep(pair.session):
                yield pair.session
            if keep(pair.reverse_session):
                yield pair.reverse_session

    # Snapshots ---------------------------------------------------------------------------
    def _keeping(self) -> bool:
        if self._replaying:  # a replayed step is recorded as it was the first time
            return True
        if self.snapshots is not None:
            return self.snapshots
        return sum(v._data.nbytes for v in self._volumes.values()) <= SNAPSHOT_LIMIT

    def _record(self, action: Action, target: str, args: dict[str, Any],
                changes: Iterable[Change] = ()) -> Step:
        kept = self._keeping()
        progress = tuple((pair.name, s.copy, s.copied_blocks, s.rest_blocks)
                         for pair in self._pairs.values()
                         for s in (pair.session, pair.reverse_session) if s.state.has_session)
        number = len(self._history)
        step = Step(number, action, target, args, tuple(changes), progress, kept=kept)
        self._history.append(step)
        if self._replaying:  # its checkpoint, if due, and its objects were kept the first time
            return step
        counts = self._counts()
        registries: tuple[dict[str, Any], ...] = (self._volumes, self._groups, self._pairs)
        created = tuple(made for objects, before in zip(registries, self._registered, strict=True)
                        for made in islice(objects.values(), before, None))
        self._registered = counts
        # A replay cannot cross a step that was not kept: the next kept one is a checkpoint.
        pinned = number == 0 or not self._history[number - 1].kept
        self._checkpoints.record(number, created, kept, pinned, self._save)
        return step

    def _counts(self) -> tuple[int, int, int]:
        return len(self._volumes), len(self._groups), len(self._pairs)

    def _save(self) -> tuple[dict[str, Any], int]:
        """The whole state, copied, and the bytes of its numpy buffers and entries."""
        saved: dict[str, Any] = {
            "copy_rate": self._copy_rate,
            "next_sid": self._next_sid,
            "volumes": [(v, v._data.copy(), None if v._missing is None else v._missing.copy())
                        for v in self._volumes.values()],
            # A group's pairs grow with add_pair, so they are kept with it.
            "groups": [(group, group.pairs) for group in self._groups.values()],
            "pairs": [(p, p.session.save(), p.reverse_session.save())
                      for p in self._pairs.values()],
        }
        nbytes = sum(data.nbytes + (0 if missing is None else missing.nbytes)
                     for _, data, missing in saved["volumes"])
        nbytes += sum(Session.saved_bytes(s)
                      for _, forward, reverse in saved["pairs"] for s in (forward, reverse))
        entries = len(saved["volumes"]) + len(saved["groups"]) + len(saved["pairs"])
        return saved, nbytes + ENTRY_OVERHEAD * entries

    def _load(self, saved: dict[str, Any]) -> None:
        self._copy_rate = saved["copy_rate"]
        self._next_sid = saved["next_sid"]
        self._volumes = {}
        for volume, data, missing in saved["volumes"]:
            volume._data[:] = data
            volume._missing = None if missing is None else missing.copy()
            self._volumes[volume.name] = volume
        self._groups = {}
        for group, pairs in saved["groups"]:
            group.pairs = pairs
            self._groups[group.name] = group
        self._pairs = {}
        for pair, forward, reverse in saved["pairs"]:
            pair.session.load(forward)
            pair.reverse_session.load(reverse)
            self._pairs[pair.name] = pair

    def _repr_html_(self) -> str:
        from ..views.display import repr_html  # views are optional: only a notebook needs them
        return repr_html(self)

    def __repr__(self) -> str:
        return (f"<DiskArray {self.name}: {len(self._volumes)} volume(s), "
                f"{len(self._groups)} copy group(s), copy rate {self._copy_rate}, "
                f"step {len(self._history) - 1}>")


def _retarget(saved: dict[str, Any], twins: dict[Any, Any]) -> dict[str, Any]:
    """``saved`` with each volume, group and pair swapped for its twin in ``twins``.

    The numpy arrays inside are shared, not copied: loading a snapshot only copies out of them.
    """
    return {
        "copy_rate": saved["copy_rate"],
        "next_sid": saved["next_sid"],
        "volumes": [(twins[v], data, missing) for v, data, missing in saved["volumes"]],
        "groups": [(twins[g], tuple(twins[p] for p in pairs)) for g, pairs in saved["groups"]],
        "pairs": [(twins[p], forward, reverse) for p, forward, reverse in saved["pairs"]],
    }


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


def _copying(session: Session) -> bool:
    return session.state.copying


def _moving(session: Session) -> bool:
    return session.state in (State.COPYING_TRACKING, State.COPYING)


def _change(pair: CopyPair, row: Transition) -> Change:
    return Change(pair.name, row.copy, row.state, row.event, row.next)


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise errors.ArgumentError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)
