"""The checked questions of lessons 1 to 4, built from each lesson's own pair.

Every function reads the pair (or a capture of it) as the lesson cell left it and returns an
:class:`~qopc_kit.teaching.model.Exercise` whose answer is what the engine did. A lesson cell
runs its commands, builds the question here and shows ``predict(question, result)``.
Facts in ``why`` are tagged as SPEC.md tags them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..model import Exercise, likely_mistakes
from ..scenario import EMPTY, blocks_of, row_text

if TYPE_CHECKING:
    from ...engine.array import DiskArray
    from ...engine.pair import CopyPair
    from ...views.blockmap import BlockRecord

EXPRESS = "ETERNUS SF Express V15.0 Operation Guide, A.5.1"
PEERS = ("the Evaluator Group's analysis of the ETERNUS DX400 S2 and IBM's FlashCopy "
         "documentation (not Fujitsu)")


@dataclass(frozen=True)
class Folded:
    """Text shown behind a closed ``<details>`` (HTML) and as its summary only (plain text).

    For a lesson's "In text" part: the array as the lesson leaves it holds the answers of
    the questions above, so it is never shown in the open.
    """

    summary: str
    text: str
    #: A view's own HTML (a diagram) shown under the text, folded with it.
    view_html: str = ""

    def _repr_html_(self) -> str:
        return (f"<details class='qopc-folded'><summary>{html.escape(self.summary)}</summary>"
                f"<pre>{html.escape(self.text)}</pre>{self.view_html}</details>")

    def __repr__(self) -> str:
        return f"{self.summary} [folded: open it in the notebook or its HTML page]"


def folded(text: str, summary: str = "The array as the lesson leaves it (it holds the "
           "answers to the questions above: open it once you have answered them)", *,
           view_html: str = "") -> Folded:
    """``text`` (and a view's HTML, such as a state diagram) folded behind ``summary``."""
    return Folded(summary, text, view_html)


# Lesson 1 --------------------------------------------------------------------------
def left_queue(pair: CopyPair) -> Exercise:
    """L01.1: after Start and one Tick, which blocks have left the queue?"""
    answer = blocks_of(~pair.queued)
    rate, blocks = pair.array.copy_rate, pair.source.blocks
    return Exercise(
        "L01.1", "01", f"acopc start on {pair.name}, then one tick of the copier "
        f"(copy rate {rate})",
        f"After Start and one Tick (copy rate {rate}), which blocks have left the queue? "
        "Answer block numbers like '0, 1' or 'none'.", "blocks", answer,
        "A start queues every block; each tick the copier moves copy_rate queued blocks.",
        f"The copier moved {len(answer)} queued block(s) in its tick, lowest first "
        f"({', '.join(map(str, answer)) or 'none'}): how many per tick and in which order is "
        "the kit's modelling choice [M]. A host already reads every letter from the "
        f"destination: the start was a logical copy [D, {EXPRESS}].",
        mistakes=likely_mistakes(
            answer,
            ((), "the tick did move blocks: each tick the copier takes copy_rate of them"),
            (tuple(range(blocks)), "every block reads right at once (the logical copy), but "
             "only the blocks the copier moved have left the queue"),
            (tuple(range(blocks - rate, blocks)), "the kit's copier takes the lowest "
             "queued blocks first [M]"),
            (tuple(range(min(1, blocks))), f"the copy rate is {rate}: that many blocks a tick")))


# Lesson 2 --------------------------------------------------------------------------
START_READ_CHOICES = (
    "the source's letters, as they were at the start",
    "zero bytes: nothing has been copied yet",
    "nothing: the destination is not accessible until the physical copy ends",
    "the letters of the blocks copied so far, zero bytes elsewhere",
)


def start_read(pair: CopyPair) -> Exercise:
    """L02.1: right after acopc start, what does a host read from the destination?"""
    image, physical = pair.destination.image(), pair.destination.data
    source = pair.source.image()
    if np.array_equal(image, source):
        answer = START_READ_CHOICES[0]
    elif not image.any():
        answer = START_READ_CHOICES[1]
    else:
        answer = START_READ_CHOICES[3]
    return Exercise(
        "L02.1", "02", f"acopc start on {pair.name}; no tick yet",
        "Right after acopc start, before any tick, what does a host read from the "
        "destination?", "choice", answer,
        "The manual says the start answers 'copied' before any physical copying.",
        f"The host reads {row_text(image)}, the source as it was at the start: the logical "
        f"copy completes at once and the destination is accessible at once [D, {EXPRESS}], "
        f"though every block is still queued and its blocks hold {row_text(physical)} (the "
        "physical data).",
        choices=START_READ_CHOICES,
        mistakes=likely_mistakes(
            answer,
            (START_READ_CHOICES[1], "that is what is on the destination's blocks (the "
             "physical data); a host reads the logical image"),
            (START_READ_CHOICES[2], "the destination is accessible as soon as the logical "
             "copy completes, at the start"),
            (START_READ_CHOICES[3], "no tick has run yet, and a host reads every block as "
             "of the start anyway")))


def cbw_block(pair: CopyPair, block: int) -> Exercise:
    """L02.2: after a source write to a queued block, what is physically on that block of
    the destination?"""
    answer = row_text(pair.destination.data[block:block + 1])
    new = row_text(pair.source.data[block:block + 1])
    return Exercise(
        "L02.2", "02", f"one tick, then a source write of {new!r} on block {block}",
        f"What is physically on destination block {block} now (one letter, '.' for a zero "
        "byte)?", "text", answer,
        "Before the array writes a source block that is still queued, it protects the "
        "destination's point-in-time image.",
        f"Copy-before-write: the old {answer!r} was copied to the destination before {new!r} "
        f"was written on the source [D, {PEERS}]. Block {block} left the queue (Copied Block "
        "counts it [M]), is source-tracked (src-trk) and marked in the cbw row.",
        mistakes=likely_mistakes(
            answer,
            (new, "the destination keeps the image of the start: the source's new data goes "
             "to the destination only at the next logical copy"),
            (EMPTY, "the block was queued, but the source write copied it first")))


def read_rest(pair: CopyPair, before: BlockRecord) -> Exercise:
    """L02.3: Rest Block after a host reads a queued destination block."""
    answer = pair.rest_blocks
    return Exercise(
        "L02.3", "02", "a host reads a queued block of the destination",
        "What is Rest Block (the blocks still queued) right after the read?", "int", answer,
        "Where does the array find the data of a block it has not copied yet?",
        f"Copy-on-read: the array copied the block from the source's point-in-time image, "
        f"then served the read [D, {PEERS}], so the block left the queue: Rest Block "
        f"{answer} (the count is the kit's [M]).",
        mistakes=likely_mistakes(
            answer,
            (before.rest_blocks, "a read of a queued block copies it first (copy-on-read): "
             "it leaves the queue"),
            (max(before.rest_blocks - pair.array.copy_rate, 0), "a read is not a tick: it "
             "moves only the block it reads")))


def tracked_after_copy(pair: CopyPair) -> Exercise:
    """L02.4: which source blocks are source-tracked once the physical copy is complete?"""
    answer = blocks_of(pair.source_tracking)
    cbw = blocks_of(pair.copied_before_write)
    late = tuple(b for b in answer if b not in cbw)
    return Exercise(
        "L02.4", "02", "a source write on a block already copied, then the copier runs to "
        "the end", "Which source blocks are source-tracked (src-trk) when the physical copy "
        "is complete? Block numbers, or 'none'.", "blocks", answer,
        "Count every source write since the logical copy, however the block left the queue.",
        f"Source-tracked: {', '.join(map(str, answer)) or 'none'}. A write after a block was "
        "copied moves nothing and only marks tracking; a copied-before-write block is "
        "tracked too. The session stays, in Tracking, once the last block left the queue "
        f"[D, {EXPRESS}] (at that instant [M]).",
        mistakes=likely_mistakes(
            answer,
            (cbw, "a write to a block already copied moves nothing, but it is tracked"),
            (late, "the block copied before its write is source-tracked too"),
            ((), "the session keeps tracking after the physical copy: the writes are "
             "recorded for the next -diff")))


# Lesson 3 --------------------------------------------------------------------------
def destination_tracked(pair: CopyPair) -> Exercise:
    """L03.1: which blocks are destination-tracked after writes on both volumes?"""
    answer = blocks_of(pair.destination_tracking)
    source = blocks_of(pair.source_tracking)
    return Exercise(
        "L03.1", "03", "host writes on both volumes of a pair in Tracking",
        "Which blocks are destination-tracked (the dst-trk row)? Block numbers, or 'none'.",
        "blocks", answer,
        "QuickOPC records updates on the copy source and on the copy destination.",
        f"Destination-tracked: {', '.join(map(str, answer)) or 'none'}; source-tracked: "
        f"{', '.join(map(str, source)) or 'none'}. In Tracking, every write on either "
        f"volume sets its side's bit and nothing is copied [D, {EXPRESS}].",
        mistakes=likely_mistakes(
            answer,
            ((), "the hardware records updates on the destination too"),
            (source, "those are the source's writes (src-trk)"),
            (tuple(sorted(set(answer) | set(source))), "that is both sides together; the "
             "question asks for the destination's row")))


def diff_queue(pair: CopyPair, before: BlockRecord) -> Exercise:
    """L03.2: which blocks does acopc start -diff queue, from Tracking?"""
    answer = blocks_of(pair.queued)
    src = blocks_of(before.masks["source_tracked"])
    dst = blocks_of(before.masks["destination_tracked"])
    return Exercise(
        "L03.2", "03", "acopc start -diff on a pair in Tracking, after writes on both sides",
        "Which blocks does acopc start -diff queue for copying? Block numbers, or 'none'.",
        "blocks", answer,
        "The tracking process recorded the areas that changed on either volume.",
        f"Queued = source-tracked ∪ destination-tracked = {', '.join(map(str, answer))}: a "
        "block written on both sides is queued once, and the destination's writes are "
        f"overwritten (rolled back) [D, {EXPRESS}]. Tracking restarts empty [D, {EXPRESS}]. The "
        "'changed' row marks the destination blocks whose image the -diff changed.",
        mistakes=likely_mistakes(
            answer,
            (src, "you counted only the source-tracked blocks; the destination's writes are "
             "queued too (they are rolled back)"),
            (dst, "you counted only the destination-tracked blocks; the source's changes are "
             "the ones a backup needs"),
            (tuple(sorted(set(src) & set(dst))), "a block written on one side only is "
             "queued too: it is the union, not the blocks written on both"),
            (tuple(range(pair.source.blocks)), "that is a full start; -diff copies only "
             "what was recorded")))


def diff_ticks(array: DiskArray, full_ticks: int) -> Exercise:
    """L03.3: how many ticks the differential copy takes (built before the run)."""
    answer = array.ticks_to_finish()
    rest = sum(session.rest_blocks for session in array.sessions)
    return Exercise(
        "L03.3", "03", f"the -diff's copy with copy rate {array.copy_rate}",
        f"How many ticks does this differential copy take (the full copy took {full_ticks})?",
        "int", answer,
        f"The copier moves {array.copy_rate} queued blocks per tick.",
        f"{rest} queued block(s) at {array.copy_rate} per tick: {answer} tick(s) [M: the "
        "copier's rate and order are the kit's modelling choice].",
        mistakes=likely_mistakes(
            answer,
            (full_ticks, "that is the full copy; -diff queued only the tracked blocks"),
            (rest, "you counted blocks; the copier moves several blocks per tick")))


EMPTY_DIFF_CHOICES = ("Copying/Tracking", "Tracking", "No session",
                      "refused: nothing to copy")


def empty_diff_state(pair: CopyPair) -> Exercise:
    """L03.4: the state right after a -diff with nothing to copy."""
    answer = pair.state.label
    return Exercise(
        "L03.4", "03", "acopc start -diff again, with no write since the last one",
        "What state is the pair in right after this acopc start -diff?", "choice", answer,
        "A -diff from Tracking is accepted; then think about what is left to copy.",
        f"The start was a new logical copy (Tracking -> Copying/Tracking [D, {EXPRESS}]); with nothing "
        "queued, the physical copy was complete at the same instant, so the pair is back in "
        "Tracking within the same command: that instant is the kit's modelling choice [M].",
        choices=EMPTY_DIFF_CHOICES,
        mistakes=likely_mistakes(
            answer,
            ("Copying/Tracking", "it did enter Copying/Tracking, but nothing was queued, so "
             "the copy ended at once [M]"),
            ("refused: nothing to copy", "a -diff from Tracking is always accepted "
             f"[D, {EXPRESS}]"),
            ("No session", "nothing ended the session: only a cancel does")))


def diff_during_copy(pair: CopyPair, before: BlockRecord, written: Sequence[int]) -> Exercise:
    """L03.5: the blocks queued by a -diff while blocks were still queued; ``written``: the
    source blocks written since the -diff before it, in the lesson's order."""
    answer = blocks_of(pair.queued)
    waiting = blocks_of(before.masks["queued"])
    tracked = blocks_of(before.masks["source_tracked"] | before.masks["destination_tracked"])
    return Exercise(
        "L03.5", "03", "a -diff while the previous -diff's copy still runs",
        "Which blocks are queued right after the second acopc start -diff? Block numbers, or "
        "'none'.", "blocks", answer,
        "Which blocks were still waiting, and which were written since the last -diff?",
        "The -diff is accepted in Copying/Tracking [D: the ACM CCM guide's acopc start page, "
        "its -auto table]. Which blocks it queues is not documented: the kit queues the "
        f"blocks not yet copied ({', '.join(map(str, waiting)) or 'none'}) plus the tracked "
        f"ones ({', '.join(map(str, tracked)) or 'none'}), as a new point in time [M].",
        mistakes=likely_mistakes(
            answer,
            (tracked, "you counted only the tracked blocks; the blocks not yet copied stay "
             "queued too [M]"),
            (waiting, "you counted only the blocks not yet copied; the block written since "
             "the -diff is tracked and queued too [M]"),
            (tuple(sorted(set(written))), "the tick copied some of the first -diff's blocks: "
             "they left the queue and nobody wrote them since")))


# Lesson 4 --------------------------------------------------------------------------
def rollback_read(pair: CopyPair, before: BlockRecord) -> Exercise:
    """L04.1: what a host reads from the destination after -diff rolled back its writes."""
    answer = row_text(pair.destination.image())
    kept = row_text(before.logical[1])
    return Exercise(
        "L04.1", "04", "destination writes, then acopc start -diff",
        "What does a host read from the destination after the -diff? Its letters in block "
        "order.", "text", answer,
        "The manual says what happens to changes made at the destination.",
        f"The destination reads {answer}: changes made at the destination after the previous "
        f"logical copy are rolled back (overwritten from the source) [D, {EXPRESS}]. They "
        "were destination-tracked, so -diff queued them; the rolled row keeps which blocks "
        "it overwrote.",
        mistakes=likely_mistakes(
            answer,
            (kept, "the source did not change, but -diff makes the destination the "
             "source's image: the destination's writes are rolled back")))


def physical_after_diff(pair: CopyPair, blocks: Sequence[int]) -> Exercise:
    """L04.2: what is physically on rolled-back blocks before the copier reaches them."""
    index = list(blocks)
    answer = row_text(pair.destination.data[index])
    logical = row_text(pair.destination.image()[index])
    return Exercise(
        "L04.2", "04", "right after the -diff, before any tick",
        f"What is physically on destination blocks {', '.join(map(str, index))} right now? "
        "Their letters in that order.", "text", answer,
        "The -diff is a logical copy; the copier has not ticked.",
        f"The blocks still hold {answer}: the rollback is logical at once and physical when "
        f"the copier moves the blocks [M: the copier]. No host can read {answer} meanwhile: "
        "a read of a queued block fetches the source's image first (copy-on-read "
        f"[D, {PEERS}]).",
        mistakes=likely_mistakes(
            answer,
            (logical, "that is what a host reads (the logical image); the blocks themselves "
             "change only when the copier moves them")))


def both_sides(pair: CopyPair, before: BlockRecord) -> Exercise:
    """L04.3: the destination after -diff when a block was written on both sides."""
    answer = row_text(pair.destination.image())
    old = row_text(before.logical[1])
    both = before.masks["source_tracked"] & before.masks["destination_tracked"]
    keep_both = "".join(o if b else a for a, o, b in zip(answer, old, both.tolist(),
                                                        strict=True))
    only_src = before.masks["destination_tracked"] & ~before.masks["source_tracked"]
    keep_dst_only = "".join(o if b else a for a, o, b in zip(answer, old, only_src.tolist(),
                                                            strict=True))
    return Exercise(
        "L04.3", "04", "writes on the source and the destination, one block on both",
        "What does a host read from the destination after the -diff? Its letters in block "
        "order.", "text", answer,
        "The -diff makes the destination the source's image of this moment.",
        f"The destination reads {answer}: the block written on both sides is queued once (the "
        "union of both tracking maps) and gets the source's data; every destination write "
        f"since the last logical copy is rolled back [D, {EXPRESS}].",
        mistakes=likely_mistakes(
            answer,
            (old, "the -diff rolls back the destination's writes"),
            (keep_both, "on the block written on both sides, the source wins"),
            (keep_dst_only, "a block written only on the destination is rolled back too")))


NEXT_DIFF_CHOICES = (
    "it is queued again and rolled back to the source's data",
    "it is left alone: it already left the queue",
    "its data is copied back to the source",
    "the -diff is refused while blocks are queued",
)


def next_diff(pair: CopyPair, block: int) -> Exercise:
    """L04.4: what the next -diff does with a destination block written while queued."""
    rolled = bool(pair.queued[block] and pair.rolled_back[block])
    kept = bool((pair.destination.image()[block] != pair.source.image()[block]).any())
    answer = NEXT_DIFF_CHOICES[0] if rolled else NEXT_DIFF_CHOICES[1] if kept else (
        NEXT_DIFF_CHOICES[2])
    return Exercise(
        "L04.4", "04", f"a destination write on queued block {block}, then acopc start -diff",
        f"What does the next acopc start -diff do with destination block {block}?", "choice",
        answer,
        "The write took the block off the queue, and marked it destination-tracked.",
        "A destination write to a queued block leaves the queue without a copy and is "
        f"destination-tracked [D, {PEERS}]; the next -diff queues it again and rolls it back "
        f"[D, {EXPRESS}], with the blocks still waiting (what a -diff in Copying/Tracking "
        "queues is the kit's modelling choice [M], lesson 3).",
        choices=NEXT_DIFF_CHOICES,
        mistakes=likely_mistakes(
            answer,
            (NEXT_DIFF_CHOICES[1], "it left the queue, but it is destination-tracked: the "
             "next -diff rolls it back"),
            (NEXT_DIFF_CHOICES[3], "a -diff in Copying/Tracking is accepted [D: the ACM "
             "CCM guide's acopc start page, its -auto table]"),
            (NEXT_DIFF_CHOICES[2], "QuickOPC copies from source to destination; only a "
             "reverse start (-r) copies back")))
