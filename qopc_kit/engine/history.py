"""The array's history: one step per command, host I/O, tick or set-up action."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from .errors import ArgumentError
from .states import Copy, Event, State

if TYPE_CHECKING:
    from .array import DiskArray
    from .commands import Command


class Action(str, Enum):
    """What a step did. A ``str`` too, so ``step.action == "tick"`` reads naturally."""

    CREATE = "create"
    ADD_VOLUME = "add_volume"
    ADD_COPY_GROUP = "add_copy_group"
    ADD_PAIR = "add_pair"
    START = "start"
    CANCEL = "cancel"
    WRITE = "write"
    READ = "read"
    TICK = "tick"
    COPY_RATE = "copy_rate"
    FAIL = "fail"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def of(cls, command: Command) -> Action:
        """The action of a session command's step."""
        return cls.START if command.verb == "start" else cls.CANCEL

#: Snapshots are kept while the array's volumes hold at most this many bytes;
#: above it a step records what was done but rewind to it is refused.
SNAPSHOT_LIMIT = 16 * 2**20

#: Bytes of checkpoints (copies of the whole state) one array keeps by default;
#: ``DiskArray(history_budget=...)`` sets another.
HISTORY_BUDGET = 64 * 2**20

#: What the Python objects of one checkpoint cost beyond its numpy buffers, counted against
#: the budget: a few hundred bytes of tuples and dicts, plus ENTRY_OVERHEAD per volume, group
#: or pair in it.
CHECKPOINT_OVERHEAD = 512
ENTRY_OVERHEAD = 256


@dataclass(frozen=True)
class Change:
    """A transition a step caused on one pair's session."""

    pair: str
    copy: Copy
    state: State
    event: Event
    next: State

    def __str__(self) -> str:
        kind = "" if self.copy is Copy.QUICKOPC else " (reverse OPC)"
        return f"{self.pair}{kind}: {self.state} -> {self.next} ({self.event})"


@dataclass(frozen=True)
class Step:
    """What happened at one step: ``action`` on ``target`` with ``args``.

    ``args`` holds what replays the step exactly (block numbers, bytes written).
    ``changes`` lists the state transitions it caused, ``progress`` the copy counts after it.
    """

    number: int
    action: Action
    target: str
    args: dict[str, Any]
    changes: tuple[Change, ...] = ()
    # (pair, copy, copied blocks, rest blocks) of every session that exists after the step.
    progress: tuple[tuple[str, Copy, int, int], ...] = ()
    # Whether the array kept what restores the state after this step (see Checkpoints).
    kept: bool = field(default=False, repr=False, compare=False)

    @property
    def command(self) -> Command | None:
        """The session command of a start or cancel step (None for other steps)."""
        return self.args.get("command")

    def changes_of(self, pair: str) -> tuple[Change, ...]:
        """The transitions this step caused on the pair named ``pair``."""
        return tuple(change for change in self.changes if change.pair == pair)

    @property
    def can_rewind(self) -> bool:
        """True when the state after this step can be restored (rewind, at, undo)."""
        return self.kept

    def __str__(self) -> str:
        if self.command is not None:
            return f"{self.number}: {self.command} {self.target}"
        args = " ".join(f"{key}={_short(value)}" for key, value in self.args.items())
        return f"{self.number}: {self.action} {self.target} {args}".rstrip()


class History(tuple):
    """``array.history``: the steps, oldest first, as a tuple that a notebook displays as
    a timeline (states, commands, host I/O and copy progress over ticks)."""

    _array: DiskArray

    def __new__(cls, steps: list[Step], array: DiskArray) -> History:
        history = super().__new__(cls, steps)
        history._array = array
        return history

    @property
    def array(self) -> DiskArray:
        """The array these steps are the history of."""
        return self._array

    def is_current(self) -> bool:
        """True while the array's history is still exactly these steps."""
        return list(self) == self._array.history_steps()

    def _repr_html_(self) -> str:
        from ..views.display import repr_html  # views are optional: only a notebook needs them
        return repr_html(self)

    def __repr__(self) -> str:
        return f"History({super().__repr__()})"

    def __reduce__(self) -> tuple:
        # A copy or a pickle is the plain tuple of steps, not a link to the live array.
        return tuple, (tuple(self),)


class Checkpoints:
    """What restores an array to any kept step, within a byte budget.

    A checkpoint is a copy of the whole state after one step. The state after any
    other step is rebuilt by loading the nearest checkpoint before it and doing the
    recorded steps after it again: the engine has no randomness, and each step's
    arguments hold what it did (the blocks and bytes of host I/O), so the replay is
    exact. A checkpoint is taken at every step ``every`` divides; when the checkpoints
    pass ``budget`` bytes, ``every`` doubles and the checkpoints it no longer divides
    are dropped, so they stay evenly spread and a replay is at most ``every - 1`` steps.
    Kept whatever the budget ("pinned"): the array's creation and the first kept step
    after steps that were not kept (no replay can cross those).

    Also remembers the volumes, groups and pairs each step created, so that a replay
    brings back the same objects (a user's handle on a volume survives a rewind).
    """

    def __init__(self, budget: int = HISTORY_BUDGET) -> None:
        self._budget = check_budget(budget)
        self.every = 1
        # step -> (state, bytes, None or what turns another array's state into this one's),
        # oldest first: at() shares the states and converts only the one it loads.
        self._saved: dict[int, tuple[Any, int, Callable[[Any], Any] | None]] = {}
        self._pinned: set[int] = set()
        self._created: dict[int, tuple[Any, ...]] = {}
        self._last_size = 0
        self.nbytes = 0

    @property
    def budget(self) -> int:
        """Bytes the checkpoints may hold (the pinned ones aside)."""
        return self._budget

    @budget.setter
    def budget(self, budget: int) -> None:
        self._budget = check_budget(budget)
        self._thin()

    @property
    def steps(self) -> tuple[int, ...]:
        """The steps that have a checkpoint, oldest first."""
        return tuple(self._saved)

    def record(self, step: int, created: tuple[Any, ...], kept: bool, pinned: bool,
               save: Callable[[], tuple[Any, int]]) -> None:
        """Note what ``step`` created; if ``kept``, take a checkpoint when due: ``save()``
        returns the state and the bytes of its numpy buffers."""
        if created:
            self._created[step] = created
        if kept and (pinned or self._due(step)):
            state, nbytes = save()
            size = self._last_size = CHECKPOINT_OVERHEAD + nbytes
            self._saved[step] = (state, size, None)
            self.nbytes += size
            if pinned:
                self._pinned.add(step)
            self._thin()

    def _due(self, step: int) -> bool:
        """Whether a checkpoint is due at ``step``, thinning the others first so that one of
        the last one's size fits (the budget is never passed, not even for a moment)."""
        while step % self.every == 0:
            if self.nbytes + self._last_size <= self._budget:
                return True
            if len(self._pinned) == len(self._saved):
                return False  # it would not fit even alone
            self._double()
        return False

    def nearest(self, step: int) -> tuple[int, Any]:
        """The checkpoint at ``step`` or the last one before it: (its step, its state)."""
        for found in reversed(self._saved):
            if found <= step:
                state, _, convert = self._saved[found]
                return found, state if convert is None else convert(state)
        raise LookupError(f"no checkpoint at or before step {step}")  # kept steps have one

    def created(self, until: int) -> Iterable[Any]:
        """The objects the steps up to ``until`` created, in the order they were created."""
        for step, objects in self._created.items():
            if step <= until:
                yield from objects

    def created_at(self, step: int) -> tuple[Any, ...]:
        """The objects ``step`` created (a replay adds these same objects again)."""
        return self._created.get(step, ())

    def forget_after(self, step: int) -> None:
        """Drop the checkpoints and objects of the steps after ``step`` (a rewind)."""
        for later in [s for s in self._saved if s > step]:
            self.nbytes -= self._saved.pop(later)[1]
            self._pinned.discard(later)
        self._created = {s: objects for s, objects in self._created.items() if s <= step}

    def copy(self, until: int, convert: Callable[[Any], Any],
             objects: dict[Any, Any]) -> Checkpoints:
        """The checkpoints up to ``until`` for another array: each state passed through
        ``convert`` (when loaded) and each created object swapped for ``objects[it]``."""
        twin = Checkpoints(self._budget)
        twin.every, twin._last_size = self.every, self._last_size
        twin._saved = {s: (state, size, convert if then is None else _chain(then, convert))
                       for s, (state, size, then) in self._saved.items() if s <= until}
        twin._pinned = {s for s in self._pinned if s <= until}
        twin._created = {s: tuple(objects[o] for o in made)
                         for s, made in self._created.items() if s <= until}
        twin.nbytes = sum(size for _, size, _ in twin._saved.values())
        return twin

    def _thin(self) -> None:
        """Double ``every`` until the checkpoints it divides fit the budget."""
        while self.nbytes > self._budget and len(self._pinned) < len(self._saved):
            self._double()

    def _double(self) -> None:
        """Double ``every``; drop the checkpoints it no longer divides (not the pinned)."""
        self.every *= 2
        for step in [s for s in self._saved if s % self.every and s not in self._pinned]:
            self.nbytes -= self._saved.pop(step)[1]


def _chain(first: Callable[[Any], Any], then: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda state: then(first(state))


def check_budget(budget: object) -> int:
    """``budget`` as a whole number of bytes >= 0; ArgumentError naming it otherwise."""
    if isinstance(budget, bool) or not isinstance(budget, numbers.Integral) or budget < 0:
        raise ArgumentError("history_budget must be a whole number of bytes >= 0 (default "
                            f"{HISTORY_BUDGET // 2**20} MiB: {HISTORY_BUDGET}), got {budget!r}")
    return int(budget)


def _short(value: Any) -> str:
    if isinstance(value, bytes):
        return repr(value) if len(value) <= 16 else f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"[{len(value)} items]"
    return str(value)
