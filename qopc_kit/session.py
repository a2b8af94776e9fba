"""One hardware copy session: its queue of blocks to copy and its tracking bitmaps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .states import Copy, State, Transition

if TYPE_CHECKING:
    from .volume import Volume

Index = np.ndarray | slice


def _readonly(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class Session:
    """The copy session of one pair in one direction (QuickOPC forward, OPC reverse).

    Holds what the hardware holds: the state, the SID, the blocks still queued
    for physical copy and, for QuickOPC, the blocks changed on either volume
    since the last logical copy. The disk array applies the rules; the session
    keeps the counts consistent.
    """

    def __init__(self, copy: Copy, source: Volume, destination: Volume) -> None:
        self.copy = copy
        self.source = source
        self.destination = destination
        self.state = State.NO_SESSION
        self.sid: int | None = None
        self.previous_state: State | None = None
        self.last_transition: Transition | None = None
        count = source.blocks
        self._queued = np.zeros(count, dtype=bool)
        self._source_tracking = np.zeros(count, dtype=bool)
        self._destination_tracking = np.zeros(count, dtype=bool)
        self._rolled_back = np.zeros(count, dtype=bool)
        self._copied_before_write = np.zeros(count, dtype=bool)
        self._total = 0   # blocks queued at the last logical copy
        self._rest = 0    # blocks still queued: kept as a count so no step rescans the mask
        self._cursor = 0  # no queued block lies below it (the copier goes in ascending order)

    # What the user reads --------------------------------------------------------------
    queued = property(lambda self: _readonly(self._queued),
                      doc="Bool mask of the blocks waiting for physical copy.")
    source_tracking = property(lambda self: _readonly(self._source_tracking),
                               doc="Bool mask of source blocks written since the logical copy.")
    destination_tracking = property(
        lambda self: _readonly(self._destination_tracking),
        doc="Bool mask of destination blocks written since the logical copy.")
    rolled_back = property(
        lambda self: _readonly(self._rolled_back),
        doc="Bool mask of destination writes the last differential start overwrote.")
    copied_before_write = property(
        lambda self: _readonly(self._copied_before_write),
        doc="Bool mask of blocks copied ahead of a source write since the logical copy.")

    @property
    def rest_blocks(self) -> int:
        """Blocks still queued for physical copy (acopc query's Rest Block)."""
        return self._rest

    @property
    def copied_blocks(self) -> int:
        """Blocks that left the queue since the last logical copy (Copied Block)."""
        return self._total - self._rest

    # What the disk array does to it ---------------------------------------------------
    def logical_copy(self, queued: np.ndarray, sid: int) -> None:
        """Start a new point in time: ``queued`` is to be copied, tracking restarts."""
        self._queued[:] = queued
        self._total = self._rest = int(np.count_nonzero(self._queued))
        self._cursor = 0
        self._source_tracking[:] = False
        self._destination_tracking[:] = False
        self._copied_before_write[:] = False
        self.sid = sid

    def end(self) -> None:
        """Drop everything the hardware held: the session is gone."""
        for mask in (self._queued, self._source_tracking, self._destination_tracking,
                     self._rolled_back, self._copied_before_write):
            mask[:] = False
        self._total = self._rest = self._cursor = 0
        self.sid = None

    def move(self, transition: Transition) -> None:
        """Take one row of the state table."""
        self.previous_state = self.state
        self.state = transition.next
        self.last_transition = transition

    def take(self, index: Index, unique: bool) -> np.ndarray:
        """Remove the queued blocks among ``index`` from the queue; return them, sorted."""
        if self._rest == 0:
            return np.empty(0, dtype=np.intp)
        if isinstance(index, slice):
            hits = np.flatnonzero(self._queued[index]) + index.start
        else:
            hits = index[self._queued[index]]
            if not unique and hits.size > 1:
                hits = np.unique(hits)
        if hits.size:
            self._queued[hits] = False
            self._rest -= hits.size
        return hits

    def next_blocks(self, limit: int) -> Index:
        """Take the lowest ``limit`` queued blocks off the queue, for the copier.

        Scans forward from a cursor in growing chunks, so a tick costs what it
        copies, not the size of the volume. Returns a slice when they are contiguous.
        """
        count = self._queued.size
        wanted = min(limit, self._rest)
        found: list[np.ndarray] = []
        start, chunk = self._cursor, max(4096, 4 * wanted)
        while wanted and start < count:
            part = np.flatnonzero(self._queued[start:start + chunk])[:wanted] + start
            if part.size:
                found.append(part)
                wanted -= part.size
                if not wanted:
                    start = int(part[-1]) + 1
                    break
            start += chunk
            chunk *= 2
        self._cursor = min(start, count)
        if not found:
            return np.empty(0, dtype=np.intp)
        blocks = found[0] if len(found) == 1 else np.concatenate(found)
        first, last = int(blocks[0]), int(blocks[-1])
        self._rest -= blocks.size
        if last - first + 1 == blocks.size:  # contiguous: slices copy at memory speed
            self._queued[first:last + 1] = False
            return slice(first, last + 1)
        self._queued[blocks] = False
        return blocks

    # Rewind -------------------------------------------------------------------------
    def save(self) -> tuple:
        """Everything mutable, copied, for a history snapshot."""
        return (self.state, self.sid, self.previous_state, self.last_transition,
                self._queued.copy(), self._source_tracking.copy(),
                self._destination_tracking.copy(), self._rolled_back.copy(),
                self._copied_before_write.copy(), self._total, self._rest, self._cursor)

    def load(self, saved: tuple) -> None:
        """Restore what :meth:`save` returned, exactly."""
        (self.state, self.sid, self.previous_state, self.last_transition, queued, source,
         destination, rolled, cbw, self._total, self._rest, self._cursor) = saved
        self._queued[:] = queued
        self._source_tracking[:] = source
        self._destination_tracking[:] = destination
        self._rolled_back[:] = rolled
        self._copied_before_write[:] = cbw
