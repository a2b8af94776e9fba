"""One hardware copy session: its queue of blocks to copy and its tracking bitmaps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .states import Copy, State, Transition

if TYPE_CHECKING:
    from .volume import Volume

Index = np.ndarray | slice


_EMPTY = np.zeros(0, dtype=bool)
_NONE = np.zeros(0, dtype=np.intp)
_KINDS = ("source", "destination", "copied")


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


#: A differential start after few changes reads a journal of the blocks whose tracking bits
#: were set, instead of whole bitmaps, so its cost follows the changes, not the volume.
#: The journal is dropped (whole-bitmap passes again) past this share of the volume: up to
#: 1/32 of it, sorting the journal still costs less than one np.flatnonzero of a bitmap.
JOURNAL_SHARE = 32
JOURNAL_MIN = 64
#: A differential start without a journal, from an idle queue, lists the blocks it queues
#: (so the copier need not scan) when they are at most this share of the volume.
SPARSE_SHARE = 16
SPARSE_MIN = 64


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
        # Block numbers whose tracking or copied-before-write bits may be set (None: too many
        # to list, read the bitmaps), the blocks set in rolled_back, and, after a sparse
        # differential start, the sorted blocks queued (None: scan the bitmap).
        self._journal: dict[str, list[np.ndarray]] | None = None
        self._journaled = 0
        # The kinds of tracking bitmap that may have a bit set (False: all clear, so a
        # differential start skips reading or clearing it).
        self._marked = dict.fromkeys(_KINDS, False)
        self._rolled = np.empty(0, dtype=np.intp)
        self._sparse: np.ndarray | None = None
        self._sparse_at = 0
        self._forget(sparse=None)

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
        self._clear_tracking()
        self._forget(sparse=None)
        self.sid = sid

    def differential_copy(self, sid: int) -> None:
        """Start a new point in time that queues only what changed since the last one.

        Queued: what was still queued plus both tracking bitmaps; the destination's
        tracked writes become :attr:`rolled_back`. With a journal, only the journaled
        blocks are read and cleared; without one, whole bitmaps, in place.
        """
        if self._journal is None:
            self._differential_from_bitmaps()
        else:
            # Every journaled block still has its bit set (bits are cleared only here and
            # at a new logical copy, which empty the journal): no bitmap needs reading.
            source, destination, copied = (self._journaled_blocks(kind)
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
            self._marked = dict.fromkeys(_KINDS, False)
            self._total = self._rest = self._rest + added.size
            if added.size:
                self._cursor = min(self._cursor, int(added[0]))
            # With nothing left of the old queue, the new one is exactly ``added``, sorted.
            self._forget(sparse=added if was_idle else None)
        self.sid = sid

    def _differential_from_bitmaps(self) -> None:
        """:meth:`differential_copy` without a journal: whole-bitmap passes, skipping the
        bitmaps known to be clear. From an idle queue with few blocks tracked, the blocks
        are listed once, so the copier walks that list instead of scanning the volume."""
        masks = self._tracking_masks()
        tracked = [masks[kind] for kind in ("source", "destination") if self._marked[kind]]
        rolled = (np.flatnonzero(self._destination_tracking)
                  if self._marked["destination"] else _NONE)
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
        self._cursor = int(sparse[0]) if sparse is not None and sparse.size else 0
        self._clear_tracking()
        self._forget(sparse=sparse)

    def _tracking_masks(self) -> dict[str, np.ndarray]:
        """The bitmaps ``_marked`` speaks of, by its kinds."""
        return {"source": self._source_tracking, "destination": self._destination_tracking,
                "copied": self._copied_before_write}

    def _clear_tracking(self) -> None:
        """Clear both tracking bitmaps and copied-before-write, skipping clear ones."""
        for kind, mask in self._tracking_masks().items():
            if self._marked[kind]:
                mask[:] = False
        self._marked = dict.fromkeys(_KINDS, False)

    def end(self) -> None:
        """Drop everything the hardware held: the session is gone."""
        for mask in self._masks():
            mask[:] = False
        self._total = self._rest = self._cursor = 0
        self._rolled = self._rolled[:0]
        self._marked = dict.fromkeys(_KINDS, False)
        self._forget(sparse=None)
        self.sid = None

    def _forget(self, sparse: np.ndarray | None) -> None:
        """Start an empty journal (every tracking bit is clear)."""
        self._journal = {"source": [], "destination": [], "copied": []}
        self._journaled = 0
        self._sparse, self._sparse_at = sparse, 0

    def _journaled_blocks(self, kind: str) -> np.ndarray:
        assert self._journal is not None  # called only while a journal is kept
        parts = self._journal[kind]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)

    def _note(self, kind: str, index: Index) -> None:
        self._marked[kind] = True
        if self._journal is None:
            return
        if isinstance(index, slice):
            index = np.arange(index.start, index.stop, index.step or 1)
        self._journaled += index.size
        if self._journaled > max(self._blocks // JOURNAL_SHARE, JOURNAL_MIN):
            self._journal = None
        else:
            self._journal[kind].append(index.copy())  # a caller's array may change later

    def mark_source(self, index: Index) -> None:
        """Record a source write since the logical copy."""
        self._source_tracking[index] = True
        self._note("source", index)

    def mark_destination(self, index: Index) -> None:
        """Record a destination write since the logical copy."""
        self._destination_tracking[index] = True
        self._note("destination", index)

    def mark_copied_before_write(self, index: np.ndarray) -> None:
        """Record blocks copied ahead of a source write."""
        self._copied_before_write[index] = True
        self._note("copied", index)

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
        if self._sparse is not None:
            return self._next_sparse(wanted)
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

    def _next_sparse(self, wanted: int) -> np.ndarray:
        """:meth:`next_blocks` from the sorted list of a sparse differential start: every
        queued block is in it, and host I/O only ever removes blocks from the queue."""
        found: list[np.ndarray] = []
        sparse, at, step = self._sparse, self._sparse_at, max(wanted, 64)
        assert sparse is not None  # called only after a sparse differential start
        while wanted and at < sparse.size:
            part = sparse[at:at + step]
            part = part[self._queued[part]]
            if part.size > wanted:
                part = part[:wanted]
                at = int(np.searchsorted(sparse, part[-1], side="right"))
            else:
                at += step
            found.append(part)
            wanted -= part.size
        self._sparse_at = at
        blocks = np.concatenate(found) if found else np.empty(0, dtype=np.intp)
        self._queued[blocks] = False
        self._rest -= blocks.size
        if blocks.size:
            self._cursor = int(blocks[-1]) + 1
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
        # The journal is not saved: the next differential start reads whole bitmaps.
        self._forget(sparse=None)
        self._journal = None
        self._marked = dict.fromkeys(_KINDS, masks is not None)
        self._rolled = np.flatnonzero(self._rolled_back)
