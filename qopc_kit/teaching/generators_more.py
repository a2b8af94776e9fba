"""More exercises: copy-on-read, physical against logical, a copy-rate change, a -diff during
the physical copy, multi-copy and the end of a reverse OPC.

Like :mod:`.generators`, each generator takes a ``numpy.random.Generator`` and returns an
:class:`Exercise` whose answer comes from running the engine on the scenario it prints.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.array import DiskArray
from ..engine.errors import QuickOPCError
from ..engine.states import Copy
from .model import Exercise
from .scenario import (
    blocks_of,
    lesson_pair,
    numbered,
    pick_blocks,
    run_step,
    tick_step,
    volume_text,
    write_step,
)

_LOGICAL = "02 logical vs physical"



def copy_on_read(rng: np.random.Generator) -> Exercise:
    """2c: which blocks are still queued after reads of both volumes (rule B2)."""
    array, src, dst, pair, steps = lesson_pair(rng, 8, 12, (1, 2))
    tick_step(array, int(rng.integers(1, 3)), steps)
    before = blocks_of(pair.queued)
    read_dst = pick_blocks(rng, dst.blocks, 2, 4)
    others = [b for b in range(src.blocks) if b not in read_dst]
    read_src = sorted(int(b) for b in rng.choice(others, size=int(rng.integers(1, 3)),
                                                 replace=False))
    for volume, chosen in ((dst, read_dst), (src, read_src)):
        volume.read(chosen)
        steps.append(f"a host reads {volume.name} blocks {chosen}")
    answer = blocks_of(pair.queued)
    both = tuple(b for b in answer if b not in read_src)
    return Exercise(
        "2c", _LOGICAL, numbered(steps),
        "Which blocks are still queued for the physical copy (the 'queued' row of the block "
        "map) after the reads?", "blocks", answer,
        "The copier moved the lowest blocks in the ticks. Then: does a read of a queued block "
        "on the destination change the queue? And a read on the source?",
        "A destination read of a queued block copies it first (copy-on-read [D: the "
        "Evaluator Group's analysis of the ETERNUS DX400 S2; IBM FlashCopy docs]), so it "
        "leaves the queue; a source read only reads the source. The copier takes "
        "copy-rate blocks per tick, lowest first [M].",
        mistakes=((before, "a destination read of a queued block copies it first "
                   "(copy-on-read): it leaves the queue"),
                  (both, "a read of the source copies nothing: only a destination read of a "
                   "queued block fetches it")),
        rules=("B2", "B4"))


def physical_logical(rng: np.random.Generator) -> Exercise:
    """2d: the destination blocks whose physical data differs from the logical image (B6)."""
    array, src, dst, pair, steps = lesson_pair(rng, 8, 12, (1, 2))
    tick_step(array, int(rng.integers(1, 3)), steps)
    queued_at_tick = blocks_of(pair.queued)
    write_step(src, pick_blocks(rng, src.blocks, 1, 3), "s", steps)
    write_step(dst, pick_blocks(rng, dst.blocks, 1, 2), "d", steps)
    physical, logical = dst.data[:, 0], dst.image()[:, 0]
    answer = blocks_of(physical != logical)
    volumes = blocks_of(src.image()[:, 0] != logical)
    return Exercise(
        "2d", _LOGICAL, numbered(steps),
        "Which blocks of ET001/0x6 hold physical data (what is on its blocks) that differs "
        "from its logical image (what a host reads)?", "blocks", answer,
        "Physical and logical differ exactly where a block is still queued: the host reads "
        "the source's old data there, but nothing is on the destination's block yet. Which "
        "blocks did each write take off the queue?",
        "The logical copy is complete at once and the physical copy follows in the "
        "background [D: Express guide A.5.1]; until a block is copied (by the copier [M], by "
        "copy-before-write, or filled by a destination write [D: the Evaluator Group; IBM]) "
        "its physical data is empty while a host reads the point-in-time image.",
        mistakes=((queued_at_tick, "the writes took blocks off the queue too: a source write "
                   "copies the old block first, a destination write fills its block"),
                  (volumes, "you compared the destination with the source; the question "
                   "compares ET001/0x6 with itself (physical against logical)")),
        rules=("B6", "B1", "B3"))


def rate_change(rng: np.random.Generator) -> Exercise:
    """2e: ticks left after a copy-rate change in the middle of the copy (B4)."""
    array, src, dst, pair, steps = lesson_pair(rng, 10, 16, (1, 3))
    old = array.copy_rate
    tick_step(array, int(rng.integers(1, 3)), steps)
    new = int(rng.choice([r for r in (1, 2, 3, 4) if r != old]))
    array.set_copy_rate(new)
    steps.append(f"copy-rate {new}   (the copy rate changes while the copy runs)")
    rest = pair.rest_blocks
    answer = array.run()
    return Exercise(
        "2e", _LOGICAL, numbered(steps),
        "How many more ticks until acopc query shows Copy Phase Tracking?", "int", answer,
        "Find Rest Block after the first ticks (blocks minus what was copied), then divide by "
        "the rate that applies now, rounding up.",
        f"After the first ticks {rest} blocks were left; the new rate ({new} per tick) "
        "applies to a running copy at once [D: ETERNUSmgr \"EC/OPC Priority\"], and the "
        "copier moves that many blocks per tick [M], so it needs ceil(rest / rate) ticks.",
        mistakes=((math.ceil(rest / old), "you kept the old copy rate: a rate change applies "
                   "to the running copy at once"),
                  (math.ceil(src.blocks / new), "you counted from the start: the first ticks "
                   "already copied some blocks"),
                  (rest // new, "you rounded down: a last tick that copies fewer blocks than "
                   "the rate is still a tick")),
        rules=("B4", "U-query"))


def diff_while_copying(rng: np.random.Generator) -> Exercise:
    """3c: Rest Block after a -diff start in Copying/Tracking (T-diff-copy)."""
    array, src, dst, pair, steps = lesson_pair(rng, 10, 14, (1, 2))
    tick_step(array, int(rng.integers(1, 4)), steps)
    not_copied = pair.rest_blocks
    write_step(src, pick_blocks(rng, src.blocks, 1, 3), "s", steps)
    write_step(dst, pick_blocks(rng, dst.blocks, 1, 2), "d", steps)
    tracked = set(blocks_of(pair.source_tracking | pair.destination_tracking))
    still = set(blocks_of(pair.queued))
    steps.append("acopc start -g CG1 -diff   (the physical copy has not finished)")
    pair.start(diff=True)
    return Exercise(
        "3c", "03 tracking and -diff", numbered(steps),
        "What does acopc query show as Rest Block right after the -diff start?", "int",
        pair.rest_blocks,
        "The -diff is accepted in Copying/Tracking. It queues the tracked blocks of both "
        "volumes, and what of the earlier copy was not yet delivered?",
        "A -diff during the physical copy is accepted [D: the CCM guide, `acopc start -auto` "
        "maps Copying/Tracking to a differential start]; the kit queues the blocks not yet "
        "copied together with the source- and destination-tracked blocks, counted once [M].",
        mistakes=((len(tracked), "you counted only the tracked blocks: the blocks the first "
                   "copy had not delivered stay queued [M]"),
                  (len(still), "you forgot the tracked blocks: the -diff queues the writes of "
                   "both volumes since the last logical copy"),
                  (not_copied, "you counted the blocks not yet copied before the writes; a "
                   "block the copier had copied and that was then written is queued again"),
                  (src.blocks, "a -diff is not a full copy")),
        rules=("T-diff-copy",))


def multi_copy(rng: np.random.Generator) -> Exercise:
    """7b: one source, two destinations started at different times (S-multi)."""
    array, src, dst, pair, steps = lesson_pair(rng, 8, 12, (1, 2))
    second = array.add_volume(0x7, blocks=src.blocks)
    other = array.add_copy_group("CG2", [(src, second)]).pairs[0]
    steps[0] += "; ET001/0x7, zeroed, the same size"
    steps.insert(1, "CG2 = ET001/0x1:ET001/0x7 (the same source: multi-copy)")
    tick_step(array, int(rng.integers(1, 3)), steps)
    write_step(src, pick_blocks(rng, src.blocks, 1, 3), "s", steps)
    steps.append("acopc start -g CG2")
    other.start()
    write_step(src, pick_blocks(rng, src.blocks, 1, 2), "t", steps)
    if rng.integers(0, 2):
        write_step(second, pick_blocks(rng, src.blocks, 1, 1), "d", steps)
    answer = volume_text(second)
    return Exercise(
        "7b", "07 edge cases", numbered(steps),
        "What does a host read from ET001/0x7 now, all blocks, as text?", "text", answer,
        "Each destination has its own session, so its own point in time: when was CG2's "
        "logical copy made, and what did the source hold then?",
        "One source may feed several destinations at once (multi-copy) [D: Fujitsu's Advanced "
        "Copy documentation], each session with its own queue and tracking: ET001/0x7 is "
        "the source as it was at CG2's start, with its own writes since.",
        mistakes=((volume_text(dst), "you read ET001/0x6, CG1's "
                   "copy: CG2 started later and saw the source's writes before it"),
                  (volume_text(src), "you read the source as it is now: its writes after "
                   "CG2's start do not reach ET001/0x7")),
        rules=("S-multi",))


def reverse_end(rng: np.random.Generator) -> Exercise:
    """6e: ticks until the reverse OPC ends by itself (V-end)."""
    array, src, dst, pair, steps = lesson_pair(rng, 8, 12, (1, 3))
    run_step(array, steps)
    source_writes = pick_blocks(rng, src.blocks, 1, 4)
    write_step(src, source_writes, "s", steps)
    if rng.integers(0, 3):
        write_step(dst, pick_blocks(rng, dst.blocks, 1, 3), "d", steps)
    steps.append("acopc start -g CG1 -r   (restore the source from the backup)")
    pair.start(reverse=True)
    restored = pair.reverse_session.rest_blocks
    answer = _ticks_to_end(array)
    return Exercise(
        "6e", "06 acopc lab", numbered(steps),
        "How many ticks after start -r until acopc query -r shows no reverse session "
        "(Copy Phase Not set)?", "int", answer,
        "The reverse OPC copies only the blocks that differ between the volumes (tracked on "
        "either side), at the copy rate, and then ends on its own.",
        f"start -r restored {restored} block(s), those tracked on the source or the "
        "destination; the reverse OPC ends by itself when its copy completes [D: the CCM "
        "guide, `acopc start`], and the forward QuickOPC records the restored blocks as "
        "source changes [M]. The source's writes since the backup are lost [D].",
        mistakes=((math.ceil(src.blocks / array.copy_rate), "that is a full copy: the restore "
                   "copies only the blocks that differ"),
                  (math.ceil(len(source_writes) / array.copy_rate), "you counted only the "
                   "source's writes: the destination's own writes are restored too"),
                  (0, "the reverse OPC is a copy that runs in the background; it ends when its "
                   "last block is copied")),
        rules=("V-end",))


def _ticks_to_end(array: DiskArray) -> int:
    """Ticks until the reverse OPC has ended, counted one tick at a time on the engine."""
    for ticks in range(array.ticks_to_finish() + 2):
        if not any(s.copy is Copy.OPC and s.state.has_session for s in array.sessions):
            return ticks
        array.tick(1)
    raise QuickOPCError("the reverse OPC did not end: the scenario of exercise 6e is wrong")
