"""The array's history: one step per command, host I/O, tick or set-up action."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from .commands import Command
from .states import Copy, Event, State

if TYPE_CHECKING:
    from .array import DiskArray


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
    snapshot: Any = field(default=None, repr=False, compare=False)

    @property
    def command(self) -> Command | None:
        """The session command of a start or cancel step (None for other steps)."""
        return self.args.get("command")

    def changes_of(self, pair: str) -> tuple[Change, ...]:
        """The transitions this step caused on the pair named ``pair``."""
        return tuple(change for change in self.changes if change.pair == pair)

    @property
    def can_rewind(self) -> bool:
        """True when the state after this step was saved."""
        return self.snapshot is not None

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


def _short(value: Any) -> str:
    if isinstance(value, bytes):
        return repr(value) if len(value) <= 16 else f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"[{len(value)} items]"
    return str(value)
