"""Going back: the history of an array, its checkpoints, ``at()``, ``rewind()`` and ``undo()``.

:class:`Rewinding` is the part of :class:`~qopc_kit.engine.array.DiskArray` that records
every step and restores the state after any kept one exactly (the nearest checkpoint,
then the recorded steps after it done again).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from . import errors
from .blocks import Selection
from .commands import Command
from .history import (
    ENTRY_OVERHEAD,
    SNAPSHOT_LIMIT,
    Action,
    Change,
    Checkpoints,
    History,
    Step,
)
from .pair import CopyGroup, CopyPair
from .session import Session
from .volume import Volume

if TYPE_CHECKING:
    from .array import DiskArray


class Rewinding:
    """The history part of a disk array (a mixin of :class:`DiskArray`)."""

    name: str
    snapshots: bool | None
    max_sessions: int
    _copy_rate: int
    _next_sid: int
    _volumes: dict[str, Volume]
    _groups: dict[str, CopyGroup]
    _pairs: dict[str, CopyPair]
    _history: list[Step]
    _checkpoints: Checkpoints
    _replaying: bool
    _registered: tuple[int, int, int]

    if TYPE_CHECKING:  # the rest of the array, which a replay calls
        def apply_command(self, command: Command, pairs: list[CopyPair], target: str) -> Step: ...
        def host_write(self, volume: Volume, chosen: Selection, rows: np.ndarray) -> Step: ...
        def host_read(self, volume: Volume,
                       chosen: Selection) -> tuple[np.ndarray, Step]: ...
        def tick(self, n: int = 1) -> Step: ...
        def fail(self, volume: Volume | str | int) -> Step: ...
        def set_copy_rate(self, rate: int) -> Step: ...

    # History -----------------------------------------------------------------------
    @property
    def history(self) -> History:
        """Every step so far, oldest first; step 0 created the array (a notebook shows a
        timeline)."""
        return History(self._history, cast("DiskArray", self))

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
        twin = type(cast("DiskArray", self))(self.name, self._copy_rate, max_sessions=self.max_sessions,
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
        if step.action in (Action.ADD_VOLUME, Action.ADD_COPY_GROUP, Action.ADD_PAIR):
            # The same objects as the first time, as they were new.
            for made in self._checkpoints.created_at(step.number):
                if isinstance(made, Volume):
                    made.restore(None, None)
                    self._volumes[made.name] = made
                elif isinstance(made, CopyGroup):
                    self._groups[made.name] = made
                else:
                    made.session.reset()
                    made.reverse_session.reset()
                    self._pairs[made.name] = made
            if step.action == Action.ADD_COPY_GROUP:
                self._groups[target].pairs = tuple(self._pairs[p] for p in args["pairs"])
            elif step.action == Action.ADD_PAIR:
                group = self._groups[target]
                group.pairs = (*group.pairs, self._pairs[args["pair"]])
            self._history.append(step)
            return
        if step.action in (Action.START, Action.CANCEL):
            pairs = (list(self._groups[target].pairs) if target in self._groups
                     else [self._pairs[target]])
            self.apply_command(args["command"], pairs, target)
        elif step.action in (Action.WRITE, Action.READ):
            volume = self._volumes[target]
            index = np.array(args["blocks"], dtype=np.intp)  # checked when first done
            chosen = Selection(index, index.size < 2)
            if step.action == Action.WRITE:
                rows = np.frombuffer(args["data"], dtype=np.uint8).reshape(-1, volume.block_size)
                self.host_write(volume, chosen, rows)
            else:
                self.host_read(volume, chosen)
        elif step.action == Action.TICK:
            self.tick(args["n"])
        elif step.action == Action.COPY_RATE:
            self.copy_rate = args["rate"]
        elif step.action == Action.FAIL:
            self.fail(target)
        else:
            raise errors.HistoryError(f"cannot replay step {step.number}: {step.action!r}")
        if self._history[-1] != step:  # the engine is deterministic: this is a bug
            raise errors.HistoryError(f"replaying step {step.number} ({step}) gave "
                                      f"{self._history[-1]}: the history cannot be restored")
        self._history[-1] = step

    # Snapshots ---------------------------------------------------------------------------
    def _keeping(self) -> bool:
        if self._replaying:  # a replayed step is recorded as it was the first time
            return True
        if self.snapshots is not None:
            return self.snapshots
        return sum(v.nbytes for v in self._volumes.values()) <= SNAPSHOT_LIMIT

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
            "volumes": [(v, *v.saved())
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
            volume.restore(data, missing)
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


