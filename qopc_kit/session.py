"""One hardware copy session: its queue of blocks to copy and its tracking bitmaps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .states import Copy, State, Transition

if TYPE_CHECKING:
    from .volume import Volume

Index = np.ndarray | slice


_EMPTY = np.zeros(0, dtype=bool)


def _mask_property(name: str, doc: str) -> property:
    def read(self: Session) -> np.ndarray:
        mask = getattr(self, name)
        view = (np.zeros(self._blocks, dtype=bool) if mask is _EMPTY else mask).view()
        view.flags.writeable = False
        return view
    return property(read, doc=doc)


def _sorted_unique(numbers: np.ndarray) -> np.ndarray:
    """``np.unique`` for block numbers: one sort and one comparison (numpy 2's hashing
    np.unique costs four times as much on 100,000 random blocks)."""
    ordered = np.sort(numbers)
    keep = np.empty(ordered.size, dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


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
        self._blocks = source.blocks
        # The bitmaps are allocated at the first start: most pairs never run a reverse OPC,
        # and a million-block pair should not pay for bitmaps it never uses.
        self._queued = self._source_tracking = self._destination_tracking = _EMPTY
        self._rolled_back = self._copied_before_write = _EMPTY
        self._total = 0   # blocks queued at the last logical copy
        self._rest = 0    # blocks still queued: kept as a count so no step rescans the mask
        self._cursor = 0  # no queued block lies below it (the copier goes in ascending order)

    def _allocate(self) -> None:
        if self._queued is _EMPTY:
            (self._queued, self._source_tracking, self._destination_tracking, self._rolled_back,
             self._copied_before_write) = np.zeros((5, self._blocks), dtype=bool)

    def _masks(self) -> tuple[np.ndarray, ...]:
        return (self._queued, self._source_tracking, self._destination_tracking,
                self._rolled_back, self._copied_before_write)

    # What the user reads --------------------------------------------------------------
    queued = _mask_property("_queued", "Bool mask of the blocks waiting for physical copy.")
    source_tracking = _mask_property(
        "_source_tracking", "Bool mask of source blocks written since the logical copy.")
    destination_tracking = _mask_property(
        "_destination_tracking", "Bool mask of destination blocks written since the logical copy.")
    rolled_back = _mask_property(
        "_rolled_back", "Bool mask of destination writes the last differential start overwrote.")
    copied_before_write = _mask_property(
        "_copied_before_write",
        "Bool mask of blocks copied ahead of a source write since the logical copy.")

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
        self._allocate()
        self._queued[:] = queued
        self._total = self._rest = int(np.count_nonzero(self._queued))
        self._cursor = 0
        self._source_tracking[:] = False
        self._destination_tracking[:] = False
        self._copied_before_write[:] = False
        self.sid = sid

    def differential_copy(self, sid: int) -> None:
        """Start a new point in time that queues only what changed since the last one.

        Queued: what was still queued plus both tracking bitmaps; the destination's
        tracked writes become :attr:`rolled_back`. In place: no temporary bitmaps.
        """
        np.logical_or(self._queued, self._source_tracking, out=self._queued)
        np.logical_or(self._queued, self._destination_tracking, out=self._queued)
        self._rolled_back[:] = self._destination_tracking
        self._source_tracking[:] = False
        self._destination_tracking[:] = False
        self._copied_before_write[:] = False
        self._total = self._rest = int(np.count_nonzero(self._queued))
        self._cursor = 0
        self.sid = sid

    def end(self) -> None:
        """Drop everything the hardware held: the session is gone."""
        for mask in self._masks():
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
                hits = _sorted_unique(hits)
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
        if wanted and self._queued[start:start + wanted].all():
            # A run from the cursor (every tick of a full copy): a slice, no index arrays.
            self._queued[start:start + wanted] = False
            self._rest -= wanted
            self._cursor = start + wanted
            return slice(start, start + wanted)
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
        masks = None if self._queued is _EMPTY else np.stack(self._masks())
        return (self.state, self.sid, self.previous_state, self.last_transition, masks,
                self._total, self._rest, self._cursor)

    def load(self, saved: tuple) -> None:
        """Restore what :meth:`save` returned, exactly."""
        (self.state, self.sid, self.previous_state, self.last_transition, masks,
         self._total, self._rest, self._cursor) = saved
        if masks is None:
            for mask in self._masks():
                mask[:] = False
        else:
            self._allocate()
            for mask, kept in zip(self._masks(), masks, strict=True):
                mask[:] = kept
