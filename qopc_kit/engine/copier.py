"""The background copier's bookkeeping: which queued block goes next, and which blocks
changed since the last logical copy.

Neither is domain state: a session's queue and tracking bitmaps say everything; these
only make the next tick and the next differential start cost what they move, not the
size of the volume. The copy order is a policy object: :class:`AscendingOrder` (lowest
queued block first, the kit's modelling choice [M]) is the default, and another order
is one new class with the same two methods.
"""

from __future__ import annotations

import numpy as np

Index = np.ndarray | slice

#: A differential start after few changes reads a journal of the blocks whose tracking bits
#: were set, instead of whole bitmaps, so its cost follows the changes, not the volume.
#: The journal is dropped (whole-bitmap passes again) past this share of the volume: up to
#: 1/32 of it, sorting the journal still costs less than one np.flatnonzero of a bitmap.
JOURNAL_SHARE = 32
JOURNAL_MIN = 64
#: The kinds of bitmap a journal follows: source and destination tracking, and the blocks
#: copied ahead of a source write.
KINDS = ("source", "destination", "copied")


def _none() -> np.ndarray:
    return np.empty(0, dtype=np.intp)


class AscendingOrder:
    """Lowest queued block first: a cursor below which nothing is queued, or, after a
    sparse differential start, the sorted list of the blocks it queued."""

    def __init__(self) -> None:
        self.cursor = 0
        self._listed: np.ndarray | None = None
        self._at = 0

    def restart(self, listed: np.ndarray | None = None) -> None:
        """The queue was rebuilt: scan the bitmap from the cursor, or, with ``listed``
        (sorted: every queued block), walk that list."""
        self._listed, self._at = listed, 0

    def added(self, first: int) -> None:
        """Blocks from ``first`` up joined the queue: the cursor may not stay above them."""
        self.cursor = min(self.cursor, first)

    def take(self, queued: np.ndarray, wanted: int) -> Index:
        """Take the next ``wanted`` queued blocks off ``queued`` (they must be there); return
        them, as a slice when they are contiguous."""
        if self._listed is not None:
            return self._take_listed(queued, wanted)
        count = queued.size
        found: list[np.ndarray] = []
        start, chunk = self.cursor, max(4096, 4 * wanted)
        if wanted and queued[start:start + wanted].all():
            # A run from the cursor (every tick of a full copy): a slice, no index arrays.
            queued[start:start + wanted] = False
            self.cursor = start + wanted
            return slice(start, start + wanted)
        while wanted and start < count:
            part = np.flatnonzero(queued[start:start + chunk])[:wanted] + start
            if part.size:
                found.append(part)
                wanted -= part.size
                if not wanted:
                    start = int(part[-1]) + 1
                    break
            start += chunk
            chunk *= 2
        self.cursor = min(start, count)
        if not found:
            return _none()
        blocks = found[0] if len(found) == 1 else np.concatenate(found)
        first, last = int(blocks[0]), int(blocks[-1])
        if last - first + 1 == blocks.size:  # contiguous: slices copy at memory speed
            queued[first:last + 1] = False
            return slice(first, last + 1)
        queued[blocks] = False
        return blocks

    def _take_listed(self, queued: np.ndarray, wanted: int) -> np.ndarray:
        """:meth:`take` from the sorted list: host I/O only ever removes blocks from the
        queue, so every queued block is still in it."""
        listed = self._listed
        assert listed is not None  # only called with a list
        found: list[np.ndarray] = []
        at, step = self._at, max(wanted, 64)
        while wanted and at < listed.size:
            part = listed[at:at + step]
            part = part[queued[part]]
            if part.size > wanted:
                part = part[:wanted]
                at = int(np.searchsorted(listed, part[-1], side="right"))
            else:
                at += step
            found.append(part)
            wanted -= part.size
        self._at = at
        blocks = np.concatenate(found) if found else _none()
        queued[blocks] = False
        if blocks.size:
            self.cursor = int(blocks[-1]) + 1
        return blocks


class Journal:
    """Which tracking bitmaps may have a bit set, and, while they are few, which blocks.

    ``marked[kind]`` False means that bitmap is all clear (a differential start skips
    it). The block lists are dropped (``listing`` False) once they pass
    1/:data:`JOURNAL_SHARE` of the volume: then whole bitmaps are read.
    """

    def __init__(self, blocks: int) -> None:
        self._blocks = blocks
        self.marked = dict.fromkeys(KINDS, False)
        self._lists: dict[str, list[np.ndarray]] | None = None
        self._count = 0
        self.clear()

    @property
    def listing(self) -> bool:
        """True while every set bit of every bitmap is listed."""
        return self._lists is not None

    def clear(self) -> None:
        """Every bitmap is clear: an empty journal that lists again."""
        self._lists = {kind: [] for kind in KINDS}
        self._count = 0
        self.marked = dict.fromkeys(KINDS, False)

    def unknown(self, marked: bool) -> None:
        """The bitmaps were set from elsewhere (a restored checkpoint): read them whole."""
        self._lists = None
        self.marked = dict.fromkeys(KINDS, marked)

    def note(self, kind: str, index: Index) -> None:
        """Bits of ``kind`` were set at ``index``."""
        self.marked[kind] = True
        if self._lists is None:
            return
        if isinstance(index, slice):
            index = np.arange(index.start, index.stop, index.step or 1)
        self._count += index.size
        if self._count > max(self._blocks // JOURNAL_SHARE, JOURNAL_MIN):
            self._lists = None
        else:
            self._lists[kind].append(index.copy())  # a caller's array may change later

    def blocks(self, kind: str) -> np.ndarray:
        """The listed blocks of ``kind`` (with repeats); only while :attr:`listing`."""
        assert self._lists is not None  # only called while listing
        parts = self._lists[kind]
        return np.concatenate(parts) if parts else _none()
