"""The array's history: one step per command, host I/O, tick or set-up action."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .states import Copy, Event, State

if TYPE_CHECKING:
    from .array import DiskArray

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
    action: str
    target: str
    args: dict[str, Any]
    changes: tuple[Change, ...] = ()
    # (pair, copy, copied blocks, rest blocks) of every session that exists after the step.
    progress: tuple[tuple[str, Copy, int, int], ...] = ()
    snapshot: Any = field(default=None, repr=False, compare=False)

    @property
    def can_rewind(self) -> bool:
        """True when the state after this step was saved."""
        return self.snapshot is not None

    def __str__(self) -> str:
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

    def _repr_html_(self) -> str:
        from .views.timeline import timeline_html  # views are optional: only notebooks need them
        if list(self) != self._array._history:
            # The array moved on (or rewound) since this tuple was taken: its timeline would
            # show other steps, so show these steps as text.
            return "<pre>" + html.escape("\n".join(str(step) for step in self)) + "</pre>"
        return timeline_html(self._array)

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
