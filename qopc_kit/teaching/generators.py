"""The exercises' scenarios: one generator each, seeded, every answer computed by the engine.

Each generator takes a ``numpy.random.Generator`` and returns an :class:`Exercise` whose
expected answer comes from running the engine on the scenario it describes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..engine.array import DiskArray
from ..engine.commands import Command
from ..engine.errors import QuickOPCError
from ..engine.pair import CopyPair
from ..engine.states import Copy, states_of
from .compare import week_of_backups
from .generators_lab import block_map_commands, refusal_codes
from .generators_more import (
    copy_on_read,
    diff_while_copying,
    multi_copy,
    physical_logical,
    rate_change,
    reverse_end,
)
from .model import Exercise
from .scenario import (
    lesson_pair,
    numbered,
    pick_blocks,
    run_step,
    tick_step,
    volume_text,
    write_step,
)

# The exercises, one generator each --------------------------------------------------
_TOUR_STEPS = ("run", "write", "diff", "cancel", "fail", "start")


def _tour_step(array: DiskArray, pair: CopyPair, step: str, steps: list[str]) -> None:
    """One step of the tour's walk; a refused command is shown as refused (it changes nothing)."""
    try:
        if step == "run":
            run_step(array, steps)
        elif step == "write":
            write_step(pair.source, [3, 4], "w", steps)
        elif step == "fail":
            array.fail(pair.source)
            steps.append("a failure on ET001/0x1 (fault injection)")
        else:
            steps.append({"start": "acopc start -g CG1", "diff": "acopc start -g CG1 -diff",
                          "cancel": "acopc cancel -g CG1"}[step])
            if step == "cancel":
                pair.cancel()
            else:
                pair.start(diff=step == "diff")
    except QuickOPCError:
        steps[-1] += "   (refused)"


def _tour(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng, 8, 8, (4, 4))
    changes, visited = 1, {"No session", pair.state.label}  # step 2: No session -> the start
    for _ in range(int(rng.integers(3, 8))):
        before = pair.state
        _tour_step(array, pair, _TOUR_STEPS[int(rng.integers(0, len(_TOUR_STEPS)))], steps)
        changes += pair.state is not before
        visited.add(pair.state.label)
    return Exercise(
        "1a", "01 tour", numbered(steps),
        "How many times did the session move to another box of the QuickOPC session's "
        "diagram, from No session before step 2 to the end?", "int", changes,
        "Follow each step along the arrows of the QuickOPC session's diagram in lesson 1 "
        "(state_diagram_svg()); a refused command stays in its box, and so does a step "
        "that ends where it began.",
        f"The session moved {changes} time(s) and visited {len(visited)} of the "
        f"{len(states_of(Copy.QUICKOPC))} boxes; the copier ends Copying/Tracking when the "
        "queue is empty.",
        mistakes=((changes - 1, "you did not count the move of the first start (step 2), "
                   "out of No session"),
                  (len(steps) - 1, "you counted every step; a refused command or a step "
                   "that ends in the same box is no move")),
        rules=("T-start", "T-complete", "T-suspend", "U-refused"))


def _logical_image(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng)
    tick_step(array, int(rng.integers(1, 3)), steps)
    write_step(src, pick_blocks(rng, src.blocks, 2, 3), "x", steps)
    before = volume_text(dst)  # the point-in-time image, before the destination's own write
    write_step(dst, pick_blocks(rng, dst.blocks, 1, 2), "d", steps)
    return Exercise(
        "2a", "02 logical vs physical", numbered(steps),
        "What does a host read from ET001/0x6 now, all blocks, as text?", "text",
        volume_text(dst), "The destination is the source as it was at the logical copy (step 2), "
        "whatever the copier has or has not moved yet.",
        "A host reading the destination sees the point-in-time image: queued blocks are "
        "read from the source's old data, and blocks written on the source were copied "
        "before the write (copy-before-write); a write on the destination is read back "
        "at once.",
        mistakes=((volume_text(src), "you read the source as it is now: its writes after the "
                   "logical copy never reach the destination"),
                  (before, "you forgot the destination's own write: a host reads it back at "
                   "once"),
                  (volume_text(dst, physical=True), "you read only what the copier has moved "
                   "(the physical map); a queued block reads the source's old data")),
        rules=("T-start", "B1", "B3"))


def _copied_block(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng)
    tick_step(array, 1, steps)
    write_step(src, pick_blocks(rng, src.blocks, 2, 3), "x", steps)
    return Exercise(
        "2b", "02 logical vs physical", numbered(steps),
        "What does acopc query show as Copied Block now?", "int", pair.copied_blocks,
        "Blocks leave the queue two ways here: the copier (copy rate per tick, lowest "
        "first) and copy-before-write of a queued source block that is written.",
        f"The tick copied {array.copy_rate} block(s); each written source block that was still "
        "queued was copied before the write. A block the copier had already moved counts once.",
        rules=("B1", "B4", "U-query"))


def _diff_queue(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng)
    run_step(array, steps)
    write_step(src, pick_blocks(rng, src.blocks, 1, 3), "s", steps)
    write_step(dst, pick_blocks(rng, dst.blocks, 1, 3), "d", steps)
    src_only = int(pair.session.source_tracking.sum())
    both_sides = src_only + int(pair.session.destination_tracking.sum())
    pair.start(diff=True)
    steps.append("acopc start -g CG1 -diff")
    return Exercise(
        "3a", "03 tracking and -diff", numbered(steps),
        "What does acopc query show as Rest Block right after the -diff start?", "int",
        pair.rest_blocks,
        "-diff queues the blocks tracked on BOTH volumes since the last logical copy; a "
        "block written on both sides is queued once.",
        "Queued = source-tracked ∪ destination-tracked blocks; every other block is "
        "already equal on both volumes.",
        mistakes=((src_only, "you counted only the source-tracked blocks; the destination's "
                   "writes are queued too (they are rolled back)"),
                  (both_sides, "you counted a block written on both volumes twice; it is "
                   "queued once"),
                  (src.blocks, "that is a full copy; -diff queues only the tracked blocks")),
        rules=("T-diff", "U-query"))


def _diff_ticks(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng, 10, 14, (1, 3))
    run_step(array, steps)
    write_step(src, pick_blocks(rng, src.blocks, 2, 9), "s", steps)
    steps.append("acopc start -g CG1 -diff")
    pair.start(diff=True)
    changed = pair.rest_blocks
    ticks = array.run()
    return Exercise(
        "3b", "03 tracking and -diff", numbered(steps),
        "How many ticks does the copier need to finish this differential copy?", "int", ticks,
        f"Only the changed blocks are queued, and the copier moves {array.copy_rate} per "
        "tick: round up.",
        f"The -diff queued only the source's changed blocks; at {array.copy_rate} blocks per "
        "tick that takes ceil(changed / rate) ticks, against "
        f"{math.ceil(src.blocks / array.copy_rate)} for a full copy.",
        mistakes=((changed // array.copy_rate, "you rounded down: a last tick that copies "
                   "fewer blocks than the copy rate is still a tick"),
                  (math.ceil(src.blocks / array.copy_rate), "that is a full copy's ticks; "
                   "-diff queues only the changed blocks"),
                  (changed, "you counted the changed blocks, not the ticks: the copier "
                   f"moves {array.copy_rate} per tick")),
        rules=("T-diff", "B4"))


def _rollback(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng)
    run_step(array, steps)
    write_step(dst, pick_blocks(rng, dst.blocks, 2, 3), "d", steps)
    write_step(src, pick_blocks(rng, src.blocks, 1, 2), "s", steps)
    steps.append("acopc start -g CG1 -diff")
    pair.start(diff=True)
    return Exercise(
        "4a", "04 rollback", numbered(steps),
        "What does a host read from ET001/0x6 right after the -diff start, as text?", "text",
        volume_text(dst),
        "The manual: changes made at the destination after the previous logical copy are "
        "rolled back (overwritten from the source data).",
        "The destination becomes the source's image at the -diff: the source's new "
        "blocks arrive and the destination's own writes are lost.",
        rules=("T-diff", "B5"))


def _rolled_blocks(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng)
    run_step(array, steps)
    both = pick_blocks(rng, src.blocks, 1, 1)
    write_step(src, both, "s", steps)
    write_step(dst, sorted(set(both) | set(pick_blocks(rng, dst.blocks, 1, 2))), "d", steps)
    steps.append("acopc start -g CG1 -diff")
    pair.start(diff=True)
    return Exercise(
        "4b", "04 rollback", numbered(steps),
        "Which destination blocks did the -diff start roll back?", "blocks",
        tuple(int(b) for b in np.flatnonzero(pair.rolled_back)),
        "Rolled back = the destination's own writes since the last logical copy, "
        "whether or not the source changed the same block.",
        "Every destination-tracked block is rolled back; a block written on both sides "
        "gets the source's new data.",
        rules=("T-diff", "B5"))


def _never_copied(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng, 8, 12, (1, 2))
    tick_step(array, int(rng.integers(1, 3)), steps)
    write_step(dst, pick_blocks(rng, dst.blocks, 1, 2), "d", steps)
    pair.cancel()
    steps.append("acopc cancel -g CG1")
    return Exercise(
        "5a", "05 cancel", numbered(steps),
        "Which blocks of ET001/0x6 were never copied (the cancel left them missing)?",
        "blocks", tuple(int(b) for b in np.flatnonzero(dst.missing)),
        "Missing = blocks still queued at the cancel. The copier took the lowest blocks, "
        "and a whole-block destination write takes a block off the queue too.",
        "The cancel came during the physical copy, so the destination is unusable; the "
        "blocks still queued were never delivered.",
        rules=("T-cancel-copy", "U-unusable", "B3", "B4"))


_AFTER_CANCEL = ("a usable copy", "an unusable copy (blocks missing)",
                 "nothing: the cancel is refused", "a usable copy once the copier finishes")


def _usable_after_cancel(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng, 8, 10, (2, 3))
    needed = math.ceil(src.blocks / array.copy_rate)
    tick_step(array, int(rng.integers(needed - 2, needed + 2)), steps)
    if rng.integers(0, 3) == 0:  # cancelled already: the last cancel finds no session
        pair.cancel()
        steps.append("acopc cancel -g CG1")
    steps.append("acopc cancel -g CG1")
    try:
        pair.cancel()
        answer = _AFTER_CANCEL[0] if dst.usable else _AFTER_CANCEL[1]
    except QuickOPCError:
        answer = _AFTER_CANCEL[2]
    return Exercise(
        "5b", "05 cancel", numbered(steps), "What does the last cancel leave on ET001/0x6?",
        "choice", answer,
        "Work out whether the physical copy had finished before the cancel: compare the "
        "ticks with blocks / copy rate. And is there still a session to cancel?",
        "Cancel in Tracking leaves a complete, usable image; cancel in Copying/Tracking "
        "leaves an unusable destination; a cancel with no session is refused (32793) and "
        "changes nothing. Either way the next start is full.", _AFTER_CANCEL,
        mistakes=((_AFTER_CANCEL[3], "after a cancel there is no session, so no copier: "
                   "what is not copied by then never arrives"),),
        rules=("T-cancel-copy", "T-cancel-track", "R-cancel"))


_COMMANDS: dict[str, Command] = {command.words: command for command in
                                 (Command.START, Command.START_DIFF, Command.START_AUTO,
                                  Command.CANCEL)}
_PHASES = ("Not set", "Copying/Tracking", "Tracking", "N/A", "refused")


def _command_lab(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng, 8, 8, (2, 2))
    how = int(rng.integers(0, 4))
    if how == 0:
        pair.cancel()
        steps.append("acopc cancel -g CG1")
    elif how == 1:
        tick_step(array, 2, steps)
    elif how == 2:
        run_step(array, steps)
        if rng.integers(0, 2):
            write_step(src, pick_blocks(rng, 8, 1, 2), "s", steps)
    else:
        array.fail(src)
        steps.append("a failure on ET001/0x1 (fault injection)")
    command = list(_COMMANDS)[int(rng.integers(0, len(_COMMANDS)))]
    verb, _, flag = command.partition(" ")
    steps.append(f"acopc {verb} -g CG1 {flag}".rstrip())
    try:
        pair.run(_COMMANDS[command])
        answer = pair.state.copy_phase
    except QuickOPCError:
        answer = "refused"
    return Exercise(
        "6a", "06 acopc lab", numbered(steps),
        "What Copy Phase does acopc query show after the last command ('refused' if the "
        "array refuses it)?", "choice", answer,
        "Find the state before the last command, then its row in the transition table "
        "(lesson 6); a full start needs No session, -diff needs a session that is not in "
        "Error suspend, and a -diff with nothing to copy completes at once.",
        "Each command is checked against the state table first; a refused command "
        "changes nothing and says why.", _PHASES,
        rules=("T-auto", "R-start", "R-diff", "U-refused"))


def _restore(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng)
    run_step(array, steps)
    write_step(src, pick_blocks(rng, src.blocks, 2, 3), "s", steps)
    write_step(dst, pick_blocks(rng, dst.blocks, 1, 1), "d", steps)
    steps.append("acopc start -g CG1 -r")
    pair.start(reverse=True)
    return Exercise(
        "6b", "06 acopc lab", numbered(steps),
        "What does a host read from ET001/0x1 right after start -r, as text?", "text",
        volume_text(src),
        "start -r is an OPC from the destination back to the source: the source's image "
        "becomes the destination's current image at once.",
        "The restore copies only the blocks tracked on either side; the source's writes "
        "since the backup are lost, and a destination write is restored too.",
        rules=("V-reverse",))


_END_PHASES = ("Not set", "Copying/Tracking", "Tracking", "N/A")


def _instant_end(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = lesson_pair(rng, 8, 10, (2, 2))
    needed = math.ceil(src.blocks / 2)
    tick_step(array, needed - 1, steps)
    queued = [int(b) for b in np.flatnonzero(pair.queued)]
    how = int(rng.integers(0, 3))
    written = queued if how != 1 else [*queued[:-1], int(rng.integers(0, queued[0]))]
    write_step(src, sorted(set(written)), "w", steps)
    if how == 2:
        array.fail(dst)
        steps.append("a failure on ET001/0x6 (fault injection)")
    return Exercise(
        "7a", "07 edge cases", numbered(steps),
        "What Copy Phase does acopc query show now?", "choice", pair.state.copy_phase,
        "Which blocks are still queued after the ticks? Does the write take all of them "
        "off the queue (copy-before-write)? And did a failure come after?",
        "The physical copy ends the moment its last queued block leaves the queue, "
        "whatever moved it (the kit's modelling choice [M]); a failure suspends the "
        "session in any state (Error suspend: Copy Phase N/A).", _END_PHASES,
        rules=("T-complete", "T-suspend", "B1"))


def _week(rng: np.random.Generator) -> Exercise:
    blocks = int(rng.choice([64, 128]))
    week = week_of_backups(blocks=blocks, days=5, change_rate=float(rng.choice([0.1, 0.2])),
                           copy_rate=8, seed=int(rng.integers(0, 1000)))
    changed = ", ".join(f"day {d.day}: {d.changed}" for d in week.days)
    setup = (f"  A {blocks}-block volume is backed up every day for {len(week.days)} days "
             f"with QuickOPC (start, then start -diff).\n  Distinct blocks changed before each "
             f"backup: {changed}.")
    return Exercise(
        "8a", "08 why QuickOPC", setup,
        "How many fewer blocks does QuickOPC copy over the 5 days than a plain OPC that "
        "makes a full copy every day?", "int", week.opc_total - week.quickopc_total,
        "Day 1 is a full copy; every later day copies only the blocks changed since the "
        "previous backup.",
        f"A plain OPC copies {week.opc_total} blocks (a full copy each day), QuickOPC "
        f"{week.quickopc_total} (day 1 in full, then the changed blocks).",
        mistakes=((week.quickopc_total, "that is what QuickOPC copies; the question asks "
                   "how many fewer than OPC"),
                  (week.opc_total, "that is what the plain OPC copies; subtract QuickOPC's "
                   "total")),
        rules=("T-diff",))


GENERATORS: tuple[Callable[[np.random.Generator], Exercise], ...] = (
    _tour, _logical_image, _copied_block, _diff_queue, _diff_ticks, _rollback, _rolled_blocks,
    _never_copied, _usable_after_cancel, _command_lab, _restore, _instant_end, _week,
    # appended (by position: the earlier exercises keep every student's scenarios)
    copy_on_read, physical_logical, rate_change, diff_while_copying, block_map_commands,
    refusal_codes, reverse_end, multi_copy)


