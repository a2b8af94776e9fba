"""One hardware copy session: its queue of blocks to copy and its tracking bitmaps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .copier import AscendingOrder, Index, Journal
from .states import Copy, State, Transition

if TYPE_CHECKING:
    from .volume import Volume



_EMPTY = np.zeros(0, dtype=bool)
_NONE = np.zeros(0, dtype=np.intp)
# What Session.save returns for a session that never started.
_FRESH = (State.NO_SESSION, None, None, None, 0, 0, 0)


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


#: A differential start without a journal, from an idle queue, lists the blocks it queues
#: (so the copier need not scan) when they are at most this share of the volume.
SPARSE_SHARE = 16
SPARSE_MIN = 64


class Session:
    """The copy session of one pair in one direction (QuickOPC forward, OPC reverse).

    Holds what the hardware holds: the state, the SID, the blocks still queued
    for physical copy and, for QuickOPC, the blocks changed on either volume
    since the last logical copy. The disk array applies the rules; the session
    keeps the counts consistent. What only makes the copier fast (its order and cursor,
    the journal of changed blocks) is kept apart, in ``order`` and ``journal``.
    """

    def __init__(self, copy: Copy, source: Volume, destination: Volume) -> None:
        self.copy = copy
        self.source = source
        self.destination = destination
        self.state = State.NO_SESSION
        self.sid: int | None = None
        self.last_transition: Transition | None = None
        self._blocks = source.blocks
        # The bitmaps are allocated at the first start: most pairs never run a reverse OPC,
        # and a million-block pair should not pay for bitmaps it never uses.
        self._queued = self._source_tracking = self._destination_tracking = _EMPTY
        self._rolled_back = self._copied_before_write = _EMPTY
        self._total = 0   # blocks queued at the last logical copy
        self._rest = 0    # blocks still queued: kept as a count so no step rescans the mask
        self._rolled = np.empty(0, dtype=np.intp)  # the blocks set in rolled_back
        self.order = AscendingOrder()
        self.journal = Journal(self._blocks)

    @property
    def previous_state(self) -> State | None:
        """The state before the last transition (None before the first)."""
        return None if self.last_transition is None else self.last_transition.state

    def _allocate(self) -> None:
        if self._queued is _EMPTY:
            # One (5, blocks) array, its rows the bitmaps: a checkpoint packs it in one call.
            self._bitmaps = np.zeros((5, self._blocks), dtype=bool)
            (self._queued, self._source_tracking, self._destination_tracking, self._rolled_back,
             self._copied_before_write) = self._bitmaps

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
    def moving(self) -> bool:
        """True while a physical copy runs (Copying/Tracking, or a reverse OPC's Copying)."""
        return self.state in (State.COPYING_TRACKING, State.COPYING)

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
        self.order.cursor = 0
        self._clear_tracking()
        self.order.restart()
        self.sid = sid

    def differential_copy(self, sid: int) -> None:
        """Start a new point in time that queues only what changed since the last one.

        Queued: what was still queued plus both tracking bitmaps; the destination's
        tracked writes become :attr:`rolled_back`. With a journal, only the journaled
        blocks are read and cleared; without one, whole bitmaps, in place.
        """
        if not self.journal.listing:
            self._differential_from_bitmaps()
        else:
            # Every journaled block still has its bit set (bits are cleared only here and
            # at a new logical copy, which empty the journal): no bitmap needs reading.
            source, destination, copied = (self.journal.blocks(kind)
                                           for kind in ("source", "destination", "copied"))
            changed = _sorted_unique(np.concatenate((source, destination)))
            self._rolled_back[self._rolled] = False
            self._rolled = _sorted_unique(destination)
            self._rolled_back[self._rolled] = True
            was_idle = self._rest == 0
            added = changed if was_idle else changed[~self._queued[changed]]
            self._queued[added] = True
            self._source_tracking[source] = False
            self._destination_tracking[destination] = False
            self._copied_before_write[copied] = False
            self.journal.clear()
            self._total = self._rest = self._rest + added.size
            if added.size:
                self.order.added(int(added[0]))
            # With nothing left of the old queue, the new one is exactly ``added``, sorted.
            self.order.restart(added if was_idle else None)
        self.sid = sid

    def _differential_from_bitmaps(self) -> None:
        """:meth:`differential_copy` without a journal: whole-bitmap passes, skipping the
        bitmaps known to be clear. From an idle queue with few blocks tracked, the blocks
        are listed once, so the copier walks that list instead of scanning the volume."""
        masks = self._tracking_masks()
        marked = self.journal.marked
        tracked = [masks[kind] for kind in ("source", "destination") if marked[kind]]
        rolled = np.flatnonzero(self._destination_tracking) if marked["destination"] else _NONE
        self._rolled_back[self._rolled] = False
        self._rolled_back[rolled] = True
        self._rolled = rolled
        sparse = None
        if self._rest == 0:
            count = sum(int(np.count_nonzero(mask)) for mask in tracked)
            if count <= max(self._blocks // SPARSE_SHARE, SPARSE_MIN):
                found = [np.flatnonzero(mask) for mask in tracked]
                sparse = (found[0] if len(found) == 1 else
                          _sorted_unique(np.concatenate(found)) if found else _NONE)
                self._queued[sparse] = True
        if sparse is None:
            for mask in tracked:
                np.logical_or(self._queued, mask, out=self._queued)
        self._total = self._rest = (int(np.count_nonzero(self._queued)) if sparse is None
                                    else sparse.size)
        self.order.cursor = int(sparse[0]) if sparse is not None and sparse.size else 0
        self._clear_tracking()
        self.order.restart(sparse)

    def _tracking_masks(self) -> dict[str, np.ndarray]:
        """The bitmaps the journal speaks of, by its kinds."""
        return {"source": self._source_tracking, "destination": self._destination_tracking,
                "copied": self._copied_before_write}

    def _clear_tracking(self) -> None:
        """Clear both tracking bitmaps and copied-before-write, skipping clear ones."""
        for kind, mask in self._tracking_masks().items():
            if self.journal.marked[kind]:
                mask[:] = False
        self.journal.clear()

    def end(self) -> None:
        """Drop everything the hardware held: the session is gone."""
        for mask in self._masks():
            mask[:] = False
        self._total = self._rest = self.order.cursor = 0
        self._rolled = self._rolled[:0]
        self.journal.clear()
        self.order.restart()
        self.sid = None

    def mark_source(self, index: Index) -> None:
        """Record a source write since the logical copy."""
        self._source_tracking[index] = True
        self.journal.note("source", index)

    def mark_destination(self, index: Index) -> None:
        """Record a destination write since the logical copy."""
        self._destination_tracking[index] = True
        self.journal.note("destination", index)

    def mark_copied_before_write(self, index: np.ndarray) -> None:
        """Record blocks copied ahead of a source write."""
        self._copied_before_write[index] = True
        self.journal.note("copied", index)

    def move(self, transition: Transition) -> None:
        """Take one row of the state table."""
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
        """Take the next ``limit`` queued blocks off the queue, in the copier's order
        (:attr:`order`); a tick costs what it copies, not the size of the volume. Returns
        a slice when they are contiguous."""
        blocks = self.order.take(self._queued, min(limit, self._rest))
        self._rest -= (blocks.stop - blocks.start) if isinstance(blocks, slice) else blocks.size
        return blocks

    # Rewind -------------------------------------------------------------------------
    def save(self) -> tuple:
        """Everything mutable, copied, for a history checkpoint (the bitmaps packed, one bit
        a block)."""
        masks = None if self._queued is _EMPTY else np.packbits(self._bitmaps, axis=1)
        return (self.state, self.sid, self.last_transition, masks, self._total, self._rest,
                self.order.cursor)

    @staticmethod
    def saved_bytes(saved: tuple) -> int:
        """The bytes of the numpy buffers in what :meth:`save` returned."""
        masks = saved[3]
        return 0 if masks is None else int(masks.nbytes)

    def reset(self) -> None:
        """Be a new session again, as the pair's creation left it."""
        self.load(_FRESH)

    def load(self, saved: tuple) -> None:
        """Restore what :meth:`save` returned, exactly."""
        (self.state, self.sid, self.last_transition, masks, self._total, self._rest,
         self.order.cursor) = saved
        if masks is None:
            for mask in self._masks():
                mask[:] = False
        else:
            self._allocate()
            self._bitmaps[:] = np.unpackbits(masks, axis=1, count=self._blocks).view(bool)
        # The journal is not saved: the next differential start reads whole bitmaps.
        self.order.restart()
        self.journal.unknown(marked=masks is not None)
        self._rolled = np.flatnonzero(self._rolled_back)
