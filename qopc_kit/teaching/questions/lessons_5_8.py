"""The checked questions of lessons 5 (cancel), 6 (the acopc lab) and 8 (why QuickOPC).

Each ``lNN_*`` function builds an :class:`~qopc_kit.teaching.model.Exercise` from the
lesson's own array, pair, transcript or week *after* the lesson cell ran its commands, so
the answer is what the engine did. The lesson shows it with
``predict(exercise, result)``; the helpers here (:func:`lab`, :func:`attempt`,
:func:`cancel_report`, :func:`state_table`) make the result it folds.

Facts are tagged as SPEC.md tags them; a [D] names its document (see ``DOCUMENTS``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ...engine.array import DiskArray
from ...engine.errors import QuickOPCError
from ...engine.pair import CopyPair
from ...engine.states import TRANSITIONS, Copy, Event, State, Transition
from ...shell.magics import current, use
from ...shell.script import Transcript, run_script
from ...views.blockmap import block_map_text
from ...views.status import state_line
from ..compare import Week
from ..model import Exercise, likely_mistakes
from ..scenario import row_text, volume_text
from .lessons_1_4 import folded as folded  # re-exported: lesson 5's "In text" folds too

EXPRESS = "A.5.1"
CCM = "CCM"
MGR = "ETERNUSmgr"
#: The documents behind the [D] tags of these lessons, by the short name a tag uses.
DOCUMENTS = {
    EXPRESS: "ETERNUS SF Express V15.0 Operation Guide, A.5.1",
    CCM: "AdvancedCopy Manager Copy Control Module (CCM) guide, acopc start",
    MGR: 'ETERNUSmgr "Advanced Copy Status"',
    "Cinder": "the ETERNUS codes decoded in OpenStack Cinder's Fujitsu driver",
    "Evaluator Group": "the Evaluator Group's analysis of the ETERNUS DX400 S2 (a third "
                       "party, not Fujitsu) and IBM's FlashCopy documentation",
}
_BLOCK_RULE = "[D: Evaluator Group's DX400 S2 analysis, a third party; IBM FlashCopy]"
#: SPEC.md's tag of a refusal: the kit's rule [M], with the Fujitsu code; what the code
#: means is as OpenStack Cinder's Fujitsu driver decodes it.
REFUSAL = ("[M, with the Fujitsu code {code}; the code's meaning as OpenStack Cinder's Fujitsu "
           "driver decodes it]")


# Results the lessons fold -----------------------------------------------------------------
def cancel_report(pair: CopyPair) -> str:
    """After a cancel: the state, usability, never-copied blocks, query, block map and what
    a host read of the destination returns (with the kit's warning, if any)."""
    dst = pair.destination
    lines = [state_line(pair),
             f"usable: {dst.usable}; never copied: {dst.missing.nonzero()[0].tolist()}",
             block_map_text(pair), pair.array.acopc(f"query -g {_group_of(pair)}")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = dst.read()
    lines.append(f"a host reads {dst.name}: {row_text(data)}")
    lines += [f"warning: {w.category.__name__} - {w.message}" for w in caught]
    return "\n".join(lines)


def _group_of(pair: CopyPair) -> str:
    return next(name for name, group in pair.array.groups.items() if pair in group.pairs)


@dataclass(frozen=True)
class Attempt:
    """One command tried on a pair: its refusal (None if it ran) and what it printed."""

    refusal: QuickOPCError | None
    text: str

    def __str__(self) -> str:
        return self.text


def attempt(pair: CopyPair, *, diff: bool = False, full: bool = False) -> Attempt:
    """Try a start on ``pair`` (``-diff`` with ``diff``), then with ``full`` a full start;
    return the refusal (if any) and the lines it printed."""
    lines, refusal = [], None
    try:
        pair.start(diff=diff)
        lines.append(f"accepted: {state_line(pair)}; {pair.rest_blocks} block(s) queued")
    except QuickOPCError as problem:
        refusal = problem
        lines.append(f"refused: {problem}")
    if full:
        pair.start()
        lines.append(f"full start: {pair.rest_blocks} of {pair.source.blocks} blocks queued")
    lines.append(state_line(pair))
    return Attempt(refusal, "\n".join(lines))


def lab(script: str, array: DiskArray | None = None) -> Transcript:
    """Run a script of shell lines on the notebook's current array (as ``%%qopc
    --keep-going`` would) and return its transcript instead of printing it."""
    if array is None and not script.lstrip().startswith("acarray"):
        array = current()  # a script that starts with acarray add builds its own array
    transcript = run_script(script.strip(), array=array)
    if transcript.array is not None:
        use(transcript.array)
    return transcript


def _numbered(script: str) -> str:
    lines = [line.strip() for line in script.strip().splitlines()]
    return "; ".join(f"({n}) {line}" for n, line in enumerate(lines, start=1))


#: SPEC.md's tags for the rows whose claims it tags one by one (the others: the row's tag).
_SPLIT = {
    (Copy.QUICKOPC, State.COPYING_TRACKING, Event.COPY_COMPLETE):
        f"the session stays [D: {EXPRESS}]; at once, whatever moved the last block [M]",
    (Copy.QUICKOPC, State.COPYING_TRACKING, Event.START_DIFF):
        f"accepted [D: {CCM}, the -auto table]; what it queues [M]",
    (Copy.QUICKOPC, State.TRACKING, Event.START_REVERSE):
        f"-r runs a plain OPC destination -> source [D: {CCM}]; only from Tracking [M]; "
        "this session records the restored blocks [M]",
    (Copy.QUICKOPC, State.TRACKING, Event.CANCEL):
        f"destination usable [D: {EXPRESS}]; the next start is full [M]",
    (Copy.OPC, State.NO_SESSION, Event.START_REVERSE):
        f"the source reads the destination's image at once, its writes since the backup are "
        f"lost [D: {CCM}]; queued = the blocks that differ [D: {CCM}]",
    (Copy.OPC, State.COPYING, Event.COPY_COMPLETE): f"the OPC ends by itself [D: {CCM}]",
}


def row_tags(row: Transition) -> str:
    """The row's tags as SPEC.md gives them, each [D] with its document."""
    split = _SPLIT.get((row.copy, row.state, row.event))
    if split is not None:
        return split
    if row.source == "M":
        return "[M]"
    if row.event in (Event.START_AUTO, Event.START_REVERSE) or row.copy is Copy.OPC:
        return f"[D: {CCM}]"
    if row.event is Event.FAILURE:
        return f"[D: {MGR}]"
    if row.state is State.ERROR_SUSPEND:
        return f"[D: {CCM}]"
    return f"[D: {EXPRESS}]"


def state_table() -> str:
    """The engine's state table, one row a line, with SPEC.md's tags and their documents."""
    lines = [f"{row.copy.value:<14} {row.state.label:<17} {row.event.label:<23} -> "
             f"{row.next.label:<17} {row_tags(row)}" for row in TRANSITIONS]
    used = sorted({key for key in DOCUMENTS if any(f"D: {key}" in line for line in lines)})
    lines.append("")
    lines += [f"{key}: {DOCUMENTS[key]}" for key in used]
    return "\n".join(lines)


# Lesson 5 -------------------------------------------------------------------------------
def l05_never_copied(pair: CopyPair, host_written: int) -> Exercise:
    """L05.1: after a cancel during the physical copy, which destination blocks never
    got their copy (the host wrote ``host_written`` on the destination before the cancel)."""
    dst = pair.destination
    missing = tuple(int(b) for b in dst.missing.nonzero()[0])
    copied = tuple(b for b in range(dst.blocks) if b not in missing and b != host_written)
    return Exercise(
        "L05.1", "05", "start, two ticks, a host writes on destination block "
        f"{host_written}, acopc cancel", "Which blocks of the destination were never copied "
        "(block numbers like '1, 4-6', or 'none')?", "blocks", missing,
        "The copier moves 2 blocks a tick, lowest first; think about what the cancel does to "
        "the blocks still queued, and about a block the host wrote whole.",
        "The session ended while blocks were still queued, so the destination is unusable: "
        f"its physical copy is incomplete [D: {EXPRESS}]. The copier had moved blocks "
        f"{_runs(copied)} (copy_rate blocks a tick, lowest first [M]); block {host_written} left "
        "the queue without a copy when the host wrote it whole on the destination "
        f"{_BLOCK_RULE}; the rest never arrive. The kit flags the volume and every read of it "
        "and lists these blocks in its missing row [M].",
        mistakes=likely_mistakes(
            missing,
            (tuple(sorted((*missing, host_written))), f"block {host_written} is not missing: "
             "the host's whole-block write took it out of the queue, so it needs no copy "
             f"{_BLOCK_RULE}."),
            ((), "the cancel does not finish the copy first: the blocks still queued when the "
             f"session ends are never copied [D: {EXPRESS}]."),
            (tuple(range(dst.blocks)), "the blocks copied before the cancel stay on the "
             "destination; only the ones still queued are missing."),
            (copied, "those are the blocks that did reach the destination: the question asks "
             "for the others."),
        ))


def _runs(blocks: tuple[int, ...]) -> str:
    if not blocks:
        return "none"
    return f"{blocks[0]}-{blocks[-1]}" if blocks == tuple(range(blocks[0], blocks[-1] + 1)) \
        else ", ".join(map(str, blocks))


_ACCEPTED_DIFF = "accepted: a differential copy of the changed blocks"
_ACCEPTED_FULL = "accepted: it becomes a full copy"
_NO_SESSION = "refused: Session does not exist (32793)"
_PHASE = "refused: Phase is not correct (32794)"


def l05_diff_after_cancel(tried: Attempt) -> Exercise:
    """L05.2: is ``start -diff`` accepted after the cancel? (``tried``: what the engine did)."""
    codes = {32793: _NO_SESSION, 32794: _PHASE}
    if tried.refusal is None:
        answer = _ACCEPTED_DIFF
    else:
        answer = codes.get(tried.refusal.code or 0, f"refused: {tried.refusal}")
    return Exercise(
        "L05.2", "05", "after the cancel of L05.1: acopc start -diff",
        "What does acopc start -diff do now?", "choice", answer,
        "A differential start copies what the session's tracking recorded. Where is that "
        "record now?",
        f"The cancel ended the session [D: {EXPRESS}: \"it terminates\"], and its tracking with "
        "it. -diff needs a session, so it is refused with \"Session does not exist\" and "
        f"changes nothing {REFUSAL.format(code=32793)}: only a full start can repair the "
        "destination.",
        choices=(_ACCEPTED_DIFF, _ACCEPTED_FULL, _NO_SESSION, _PHASE),
        mistakes=(
            (_ACCEPTED_DIFF, "-diff copies what the session tracked, and the cancel ended the "
             "session: there is nothing to start from."),
            (_ACCEPTED_FULL, "that is what -auto would choose; -diff never turns into a full "
             "start."),
            (_PHASE, "32794 is the code for a -diff in Error suspend; here there is no session "
             "at all."),
        ))


def l05_cancel_in_tracking(pair: CopyPair, block: int = 0) -> Exercise:
    """L05.3: after a cancel in Tracking, is the destination usable and what is at ``block``?"""
    dst, src = pair.destination, pair.source
    held, written = volume_text(dst)[block], volume_text(src)[block]

    def say(usable: bool, value: str) -> str:
        return f"{'usable' if usable else 'unusable'}; block {block} reads {value}"

    answer = say(dst.usable, held)
    choices = tuple(dict.fromkeys(say(u, v) for u in (True, False) for v in (held, written)))
    return Exercise(
        "L05.3", "05", f"copy complete (Tracking), a host writes {written} on source block "
        f"{block}, acopc cancel", f"Is the destination usable, and what does its block {block} "
        "read?", "choice", answer,
        "Was the physical copy complete when the session ended? And which point in time does "
        "the destination hold?",
        f"In Tracking the physical copy is complete, so a cancel leaves the destination usable "
        f"[D: {EXPRESS}]: a complete image of the last logical copy, {held} at block {block}, "
        f"not the source's later {written}. The tracking ends with the session.",
        choices=choices,
        mistakes=(
            (say(True, written), f"the {written} was written after the last logical copy: it "
             "was only tracked, and a cancel copies nothing."),
            (say(False, held), "unusable is for a cancel during the physical copy; this copy was "
             "complete."),
            (say(False, written), "the copy was complete, so the destination is usable, and it "
             "holds the last logical copy, not the source's later write."),
        ))


def l05_next_start(pair: CopyPair) -> Exercise:
    """L05.4: how many blocks the full start after a cancel in Tracking queues."""
    changed = int(np.any(pair.source.data != pair.destination.data, axis=1).sum())
    return Exercise(
        "L05.4", "05", "after the cancel of L05.3: acopc start -diff, then acopc start",
        "How many blocks does the next start queue for physical copy?", "int",
        pair.rest_blocks,
        "What would tell the array which blocks changed since the last copy?",
        "-diff is refused (the session is gone: \"Session does not exist\") "
        f"{REFUSAL.format(code=32793)}, and a "
        f"full start queues every block: {pair.rest_blocks}. The manual says the session "
        f"terminates [D: {EXPRESS}]; that the tracking goes with it, so the next start is "
        "full, is the kit's modelling choice [M].",
        mistakes=(
            (changed, "that is how many blocks changed since the last copy, what a -diff would "
             "queue; but the tracking went with the session, so the start is full [M]."),
            (0, "the start queues blocks even when the destination already matches: it "
             "cannot know that without tracking."),
        ))


# Lesson 6 -------------------------------------------------------------------------------
def l06_rest_after_tick(array: DiskArray, pair_name: str) -> Exercise:
    """L06.1: Rest Block of ``pair_name`` after a group start and one tick."""
    pair = array.pair(pair_name)
    blocks, rate = pair.source.blocks, array.copy_rate
    return Exercise(
        "L06.1", "06", "acopc start -g CG1, then one tick", f"What is the Rest Block of "
        f"{pair_name} now?", "int", pair.rest_blocks,
        f"A start queues every block; the copier moves {rate} blocks a tick for each session.",
        f"The start made a logical copy at once and queued all {blocks} blocks [D: {EXPRESS}]; "
        f"one tick moved {rate} of them for each session (copy_rate per tick, per session "
        f"[M]): Rest Block {pair.rest_blocks}, Copy Phase {pair.state.copy_phase}.",
        mistakes=likely_mistakes(
            pair.rest_blocks,
            (blocks, "the tick counts: the copier moved blocks in the background."),
            (blocks - rate // 2, "each session has its own copier share: the copy rate is per "
             "session [M], not shared between the pairs."),
            (blocks - 1, f"the copier moves copy_rate ({rate}) blocks a tick [M]."),
            (0, f"the logical copy is complete at once, the physical copy is not [D: {EXPRESS}]."),
        ))


def _refused(transcript: Transcript) -> tuple[int, ...]:
    return tuple(sorted({line for line, _ in transcript.refusals}))


def _lines_question(key: str, script: str, transcript: Transcript, hint: str, why: str,
                    mistakes: tuple[tuple[object, str], ...]) -> Exercise:
    refused = _refused(transcript)
    said = "; ".join(f"line {n}: {m}" for n, m in transcript.refusals) or "none refused"
    return Exercise(key, "06", _numbered(script),
                    f"Which of these lines does the array refuse (line numbers, or 'none')? "
                    f"{_numbered(script)}", "blocks", refused, hint, f"{why} ({said})",
                    mistakes=mistakes)


def l06_start_again(script: str, transcript: Transcript) -> Exercise:
    """L06.2: a second full start and a -diff on one pair, in Copying/Tracking."""
    return _lines_question(
        "L06.2", script, transcript,
        "What state are the pairs in, and which start does that state accept?",
        "A full start needs No session: with a session it is refused and changes nothing "
        "[M: the kit's words]. -diff is accepted in Copying/Tracking [D: CCM, the -auto table]: "
        "a new point in time for that pair; the blocks not yet copied stay queued [M].",
        (((), "a full start is refused while the pair has a session: use -diff, -auto or "
              "cancel first."),
         ((1, 2), "-diff is accepted in Copying/Tracking [D: CCM]: it is a full start that is "
                  "refused."),
         ((2,), "the other way round: the full start is refused, the -diff runs.")))


def l06_group_all_or_none(script: str, transcript: Transcript) -> Exercise:
    """L06.3: a group -diff with one pair cancelled, then -auto."""
    return _lines_question(
        "L06.3", script, transcript,
        "What does each pair of CG1 have after the cancel? A group command runs on every pair.",
        "-diff needs a session on every pair, so the group command is refused as a whole (a "
        "group command is all or none [M]); -auto chooses per pair [D: CCM]: differential "
        "where there is a session, full where there is none.",
        (((), "pair 2 has no session after the cancel, so -diff cannot run on it, and the "
              "group command is refused as a whole [M]."),
         ((3, 4), "-auto picks the start each pair needs [D: CCM], so it is accepted."),
         ((2, 3), "a cancel in Tracking is accepted: it is the -diff that is refused.")))


def l06_restore(array: DiskArray, source: str) -> Exercise:
    """L06.4: what a host reads from ``source`` right after ``start -r``."""
    volume = array.volume(source)
    physical = volume_text(volume, physical=True)
    return Exercise(
        "L06.4", "06", "copy complete, a host damages blocks 0-2 of the source, acopc start -r",
        f"What does a host read from {source} right after acopc start -r?", "text",
        volume_text(volume),
        "-r is an OPC: does an OPC's target wait for its physical copy?",
        f"On a QuickOPC group -r runs a plain OPC from the destination to the source [D: {CCM}]; "
        "its logical copy is at once, so the source reads the backup's image before a block "
        f"moves, and only the blocks that differ are queued [D: {CCM}: the restore copies only "
        f"the data updated since the last replication]. The source's writes since the backup "
        f"are lost [D: {CCM}]. That -r needs the forward pair in Tracking, and that the forward "
        "session records the restored blocks as source changes, are the kit's modelling "
        "choices [M].",
        mistakes=(
            (physical, "that is what is on the blocks now; a host reads the logical image, "
             "which the OPC's logical copy set at once."),
        ))


def l06_errors(script: str, transcript: Transcript) -> Exercise:
    """L06.5: which lines of the error lab the array refuses."""
    lines = script.strip().splitlines()
    refused = _refused(transcript)
    auto = tuple(n for n in refused if "-auto" in lines[n - 1])
    mistakes: list[tuple[object, str]] = []
    if auto:
        mistakes.append((tuple(n for n in refused if n not in auto), "-auto is refused too: "
                         "while the pair's reverse OPC runs (32794), and on a size mismatch "
                         "(4097)."))
        for n in auto:
            mistakes.append((tuple(m for m in refused if m != n), f"line {n} is refused too: "
                             "-auto does not work everywhere."))
    return _lines_question(
        "L06.5", script, transcript,
        "Check each line against the state its pair is in at that moment (a reverse OPC is "
        "running at first), and the sizes of the volumes.",
        "While the reverse OPC copies, the kit refuses a second -r and the forward commands, "
        "-auto included (Phase is not correct, 32794) [M: the kit's rule, with the ETERNUS "
        f"code]; the OPC ends by itself when its copy completes [D: {CCM}], so cancel -r then "
        f"finds no session {REFUSAL.format(code=32793)}. In Error suspend -diff is refused "
        f"{REFUSAL.format(code=32794)} and -auto cancels and starts in full [D: {CCM}]; "
        "volumes of different sizes refuse any start, -auto too (Size Not Supported) "
        f"{REFUSAL.format(code=4097)}",
        likely_mistakes(refused, *mistakes))


# Lesson 8 -------------------------------------------------------------------------------
def l08_day_copies(week: Week, day: int = 2) -> Exercise:
    """L08.1: how many blocks QuickOPC's backup of ``day`` copies."""
    today = week.days[day - 1]
    return Exercise(
        "L08.1", "08", f"{week.blocks} blocks; day {day}: {today.writes} host block writes "
        f"to {today.changed} distinct blocks", f"Day {day}: the host made {today.writes} block "
        f"writes, to {today.changed} distinct blocks. How many blocks does QuickOPC's backup "
        f"(start -diff) copy that day?", "int", today.quickopc_copied,
        "What does the tracking record: each write, or each block written?",
        f"start -diff copies only the blocks recorded by tracking since the previous backup "
        f"[D: {EXPRESS}]: the {today.changed} distinct blocks, in {today.quickopc_ticks} ticks "
        f"of {week.copy_rate} blocks [M]; OPC copies all {today.opc_copied} every day, in "
        f"{today.opc_ticks} ticks. Both backups read as the source's image at once, after the "
        f"logical copy [D: {EXPRESS}].",
        mistakes=(
            (today.writes, "a block written twice is tracked once and copied once."),
            (week.blocks, "that is OPC's full copy; QuickOPC copies only the tracked blocks."),
            (0, "the blocks written since the previous backup are tracked, and -diff copies "
                "them."),
        ))


def l08_share(week: Week) -> Exercise:
    """L08.2: QuickOPC's share of OPC's work over the week."""
    days = len(week.days)
    answer = f"{week.quickopc_total / week.opc_total:.0%}"
    others = [f"{week.change_rate:.0%}", f"{1 / days:.0%}", "50%", "100%"]
    choices = tuple(sorted(dict.fromkeys([answer, *others]), key=lambda c: int(c[:-1])))
    changed = week.quickopc_total - week.days[0].quickopc_copied
    return Exercise(
        "L08.2", "08", f"{week.blocks} blocks, about {week.change_rate:.0%} written a day, "
        f"{days} days", f"Over the {days} days, QuickOPC copies what share of the blocks OPC "
        "copies?", "choice", answer,
        "Day 1 is a full copy for both; after that, compare a day's changes with the volume.",
        f"QuickOPC copies one full volume ({week.blocks}) plus each later day's changed blocks "
        f"({changed} in all; start -diff copies only what tracking recorded [D: {EXPRESS}]): "
        f"{week.quickopc_total} against OPC's {days} full copies "
        f"({week.opc_total}), {answer}. The share tends to (1 full copy + {days - 1} days of "
        f"changes) / {days} full copies.",
        choices=choices,
        mistakes=(
            (f"{week.change_rate:.0%}", "that forgets day 1: QuickOPC's first backup is a full "
             "copy too."),
            (f"{1 / days:.0%}", "that counts only the first full copy; each later day copies its "
             "changed blocks too."),
            ("100%", "OPC copies the whole volume every day; QuickOPC only on day 1."),
        ))

