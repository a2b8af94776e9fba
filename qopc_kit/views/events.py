"""The copy events a block map must make unmistakable, computed from a BlockRecord.

A differential start rolls back the destination's writes: physically the written value
stays on the block until the copier moves it, logically a host already reads the
source's value. Copy-before-write and a cancel's never-copied blocks are told the same
way. Everything is read from the record's masks and images, never from live bitmaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .blockmap import content_labels

if TYPE_CHECKING:
    from .blockmap import BlockRecord

#: The events, in the order they are listed, with the words a student reads.
EVENT_WORDS = {
    "rolled_back": "rolled back",
    "copied_before_write": "copied before write",
    "never_copied": "never copied",
}


@dataclass(frozen=True)
class BlockEvent:
    """One destination block: its event, what is on it and what a host reads."""

    block: int
    event: str  # a key of EVENT_WORDS
    physical: str
    logical: str

    @property
    def pending(self) -> bool:
        """True while the block's physical value differs from what a host reads."""
        return self.physical != self.logical

    def text(self) -> str:
        """``5: Y->E (rolled back)``, or ``5: E (copied before write)`` once equal."""
        value = f"{self.physical}->{self.logical}" if self.pending else self.logical
        return f"{self.block}: {value} ({EVENT_WORDS[self.event]})"


def block_events(record: BlockRecord) -> list[BlockEvent]:
    """The destination blocks carrying an event, by block; a rollback is listed only
    until the physical copy lands on its block (physical equal to logical)."""
    physical = content_labels(record.physical[1])
    logical = content_labels(record.logical[1])
    differs = (record.physical[1] != record.logical[1]).any(axis=1)
    events = []
    for key in EVENT_WORDS:
        mask = np.asarray(record.masks[key], dtype=bool)
        if key == "rolled_back":
            mask = mask & differs
        events += [BlockEvent(int(b), key, physical[b], logical[b])
                   for b in np.flatnonzero(mask)]
    return sorted(events, key=lambda e: (e.block, e.event))


def events_text(record: BlockRecord) -> str:
    """One line per event (``5: Y->E (rolled back)``), or ``""`` when there is none."""
    return "\n".join(event.text() for event in block_events(record))


def _blocks_word(blocks: list[int]) -> str:
    return ("block " if len(blocks) == 1 else "blocks ") + ", ".join(map(str, blocks))


def rollback_summary(record: BlockRecord) -> str:
    """The panel's message: ``"rolled back 2 destination writes: blocks 4, 5"``.

    Counts every block of the record's rolled-back mask (the last differential start's
    rolled-back writes), whether or not its physical copy has landed yet; ``""`` if none.
    """
    blocks = [int(b) for b in np.flatnonzero(record.masks["rolled_back"])]
    if not blocks:
        return ""
    writes = "write" if len(blocks) == 1 else "writes"
    return f"rolled back {len(blocks)} destination {writes}: {_blocks_word(blocks)}"
