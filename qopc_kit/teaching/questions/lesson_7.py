"""Lesson 7's checked questions: one per scenario of the library, answered by the engine.

Each question replays its scenario's script (or the part of it up to the moment asked
about) and reads the answer off the array, so nothing is typed in by hand. :func:`ask`
returns the lesson's predict-then-reveal cell: the question with the scenario's whole
transcript folded behind it. :func:`load_into` puts a scenario into a dashboard panel.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ...engine.array import DiskArray
from ...engine.errors import ArgumentError, QuickOPCError
from ...shell.cli import scenario_name
from ...shell.scenarios import load
from ...shell.script import Transcript, run_script
from ..model import Exercise
from ..predict import Prediction, predict
from ..scenario import blocks_of
from .lessons_1_4 import folded as folded  # re-exported: lesson 7's "In text" folds too

LESSON = "07"
EXPRESS = "ETERNUS SF Express V15.0 Operation Guide, A.5.1"
CCM = "the ACM Copy Control Module guide, acopc start"
BLOCK_RULES = ("the Evaluator Group's analysis of the ETERNUS DX400 S2 (a third party, not "
               "Fujitsu) and IBM's FlashCopy documentation")
STATUS = 'ETERNUSmgr "Advanced Copy Status"'
CODES = "the ETERNUS codes decoded in OpenStack Cinder's Fujitsu driver"
#: The most lines of transcript the revealed result shows before it scrolls.
SCREEN_LINES = 40


class TranscriptView:
    """A scenario's transcript as a result to fold: plain text, or HTML that scrolls after
    :data:`SCREEN_LINES` lines so no cell grows taller than a screen."""

    def __init__(self, name: str, transcript: Transcript, golden: str) -> None:
        self.name = name
        self.text = transcript.text
        self.matches_golden = transcript.text == golden

    def __str__(self) -> str:
        return f"{self.text}(same as the library's golden transcript: {self.matches_golden})"

    def _repr_html_(self) -> str:
        height = f"{SCREEN_LINES * 1.25:.0f}em"
        style = f"max-height:{height};overflow:auto;font-family:monospace"
        return (f"<pre style='{style}'>{html.escape(self.text)}</pre>"
                f"<p><i>{html.escape(self.name)}: same as the library's golden transcript: "
                f"{self.matches_golden}</i></p>")


def run_until(name: str, line: str, occurrence: int = 1) -> Transcript:
    """Replay scenario ``name`` up to and including the ``occurrence``-th script line that
    reads ``line`` (surrounding spaces ignored).

    Raises ArgumentError naming the scenario when it has no such line.
    """
    lines = load(name).text.splitlines()
    seen = 0
    for number, text in enumerate(lines, start=1):
        if text.strip() == line:
            seen += 1
            if seen == occurrence:
                return run_script("\n".join(lines[:number]) + "\n")
    raise ArgumentError(f"scenario {name} has no line {line!r} (occurrence {occurrence})")


def _array(transcript: Transcript) -> DiskArray:
    if transcript.array is None:  # run_script always builds one; a guard for the types
        raise ArgumentError("the scenario built no disk array")
    return transcript.array


def _image(array: DiskArray, volume: str) -> str:
    """What a host reads on ``volume``, as text (computed without side effects)."""
    return bytes(array.volume(volume).image().reshape(-1)).decode("ascii")



def _exercise(number: int, name: str, question: str, kind: str, answer: object, hint: str,
              why: str, mistakes: tuple[tuple[object, str], ...] = (),
              choices: tuple[str, ...] = ()) -> Exercise:
    return Exercise(f"L07.{number}", LESSON, f"scenario {name}: {load(name).title}", question,
                    kind, answer, hint, why, choices, mistakes)


PAIR = "ET001/0x1:ET001/0x6"
PHASES = ("Not set", "Copying/Tracking", "Tracking", "N/A")


def q01_full_start() -> Exercise:
    """L07.1: the destination blocks physically copied after one tick at copy rate 2."""
    name = "01_full_start"
    pair = _array(run_until(name, "tick")).pair(PAIR)
    return _exercise(
        1, name, "An 8-block pair at copy rate 2: after acopc start and one tick, which "
        "destination blocks hold their data physically?", "blocks", blocks_of(~pair.queued),
        "The logical copy is instant; the physical copy moves copy-rate blocks per tick.",
        f"The logical copy is complete at once [D: {EXPRESS}, \"Start\"]; the copier then moves "
        "copy-rate blocks per tick, lowest first [M: the kit's choice].",
        ((tuple(range(8)), "that is the logical image: the physical copy follows tick by "
                           "tick"),
         ((), "the copier ran one tick, so copy-rate blocks have moved"),
         ((0,), "the copy rate is 2: two blocks per tick")))


def q02_last_block_any_mover() -> Exercise:
    """L07.2: the phase of a pair whose destination blocks were all read, with no tick."""
    name = "02_last_block_any_mover"
    pair = _array(run_until(name, "read ET001/0x8 0-1")).pair("ET001/0x3:ET001/0x8")
    return _exercise(
        2, name, "Pair 3 (ET001/0x3:ET001/0x8, 2 blocks) was started and both its destination "
        "blocks were read; the copier never ticked. What is its Copy Phase?", "choice",
        pair.state.copy_phase, "Which blocks are still queued after the reads?",
        f"A read of a queued destination block copies it first [D: {BLOCK_RULES}]; once "
        f"the queue is empty the pair is in Tracking [D: {EXPRESS}, \"Start\"], at once, "
        "whatever moved the last block [M: the kit's choice].",
        (("Copying/Tracking", "the reads copied both queued blocks: nothing is left for the "
                              "copier"),), PHASES)


def q03_diff_from_tracking() -> Exercise:
    """L07.3: the blocks a differential start from Tracking queues."""
    name = "03_diff_from_tracking"
    pair = _array(run_until(name, "acopc start -g CG1 -diff")).pair(PAIR)
    return _exercise(
        3, name, "In Tracking, the host writes source block 1 and destination block 5, then "
        "acopc start -diff. Which blocks are queued?", "blocks", blocks_of(pair.queued),
        "Both tracking bitmaps count.",
        f"Queued = source-tracked and destination-tracked blocks; destination block 5's Z is "
        f"rolled back, logically lost at the -diff [D: {EXPRESS}, \"Differential copy "
        "start\"].",
        (((1,), "you counted only the source-tracked block: the destination's write is "
                "queued too, to be overwritten"),
         ((5,), "the source's write is queued too"),
         (tuple(range(8)), "a -diff copies only what changed")))


def q04_restart_during_copy() -> Exercise:
    """L07.4: Rest Block after a -diff while the physical copy still runs."""
    name = "04_restart_during_copy"
    pair = _array(run_until(name, "acopc start -g CG1 -diff")).pair(PAIR)
    return _exercise(
        4, name, "8 blocks, copy rate 2: start, one tick, a source write to block 0, then "
        "acopc start -diff in Copying/Tracking. What is Rest Block?", "int",
        pair.rest_blocks, "Count the blocks not yet copied, and the blocks tracked.",
        f"A -diff in Copying/Tracking is accepted [D: {CCM}, the -auto table]; it queues the "
        "blocks not yet copied and the tracked ones [M: the kit's choice].",
        ((6, "block 0 was copied, then written: it is source-tracked and queued again"),
         (1, "the blocks never copied are still queued too"),
         (8, "block 1 was copied and did not change")))


def q05_same_block_both_sides() -> Exercise:
    """L07.5: what the destination reads on a block written on both sides."""
    name = "05_same_block_both_sides"
    array = _array(run_until(name, "read ET001/0x6 2"))
    return _exercise(
        5, name, "After the backup (ABCD), source block 2 is written 's', destination "
        "block 2 'd', then acopc start -diff. What does a host read on destination block 2?", "text",
        _image(array, "ET001/0x6")[2], "Which side does a differential start copy from?",
        f"The block is queued once and the source's block overwrites the destination's: the "
        f"destination write is rolled back [D: {EXPRESS}, \"Differential copy start\"].",
        (("d", "destination changes since the last logical copy are rolled back"),
         ("C", "the -diff takes a new point in time: the source as it is now")))


def q06_read_uncopied_block() -> Exercise:
    """L07.6: Copied Block after one read of an uncopied destination block."""
    name = "06_read_uncopied_block"
    pair = _array(run_until(name, "read ET001/0x6 6")).pair(PAIR)
    return _exercise(
        6, name, "Right after acopc start (8 blocks, no tick), a host reads destination "
        "block 6. What is Copied Block?", "int", pair.copied_blocks,
        "What must the array do to serve the read from the point-in-time image?",
        f"The block is copied first (copy-on-read) [D: {BLOCK_RULES}]; it leaves the queue "
        "and counts in Copied Block [M: the kit's choice].",
        ((0, "the read copies the queued block first, so it has left the queue"),
         (8, "only the block read is copied; the others wait for the copier")))


def q07_copy_before_write() -> Exercise:
    """L07.7: the source-tracked blocks after writes before and after a copy."""
    name = "07_copy_before_write"
    pair = _array(run_until(name, "write ET001/0x1 0 y")).pair(PAIR)
    return _exercise(
        7, name, "Copy rate 1: start; source block 4 is written (still queued); one tick; "
        "source block 0 is written (already copied). Which blocks are source-tracked?",
        "blocks", blocks_of(pair.source_tracking), "Every source write since the logical copy.",
        f"Block 4 is copied before the write [D: {BLOCK_RULES}]; both writes are recorded "
        f"for the next differential copy [D: {EXPRESS}, \"Start\" (tracking)].",
        (((0,), "block 4 was copied before its write, and the write is tracked too"),
         ((4,), "a write after the block was copied still marks tracking")))


def q08_cancel_in_each_state() -> Exercise:
    """L07.8: which destination the four cancels leave unusable."""
    name = "08_cancel_in_each_state"
    array = _array(run_until(name, "acopc query -g CG1", 2))
    choices = ("ET001/0x6", "ET001/0x7", "ET001/0x8", "ET001/0x9")
    unusable = [volume for volume in choices if not array.volume(volume).usable]
    if len(unusable) != 1:
        raise ArgumentError(f"{name}: expected one unusable destination, found {unusable}")
    return _exercise(
        8, name, "Cancelled: 0x1:0x6 in Copying/Tracking, 0x2:0x7 in Tracking, 0x3:0x8 in "
        "Error suspend, 0x4:0x9 with no session. Which destination is unusable?", "choice",
        unusable[0], "Which destination's physical copy was incomplete?",
        f"A cancel in Copying/Tracking leaves the destination unusable; in Tracking it is "
        f"usable [D: {EXPRESS}, \"Stop\"].",
        (("ET001/0x7", "in Tracking the physical copy was complete: the image is usable"),
         ("ET001/0x9", "with no session the cancel is refused and changes nothing")), choices)


def q09_error_suspend_auto() -> Exercise:
    """L07.9: which start the array accepts in Error suspend."""
    name = "09_error_suspend_auto"
    prefix = load(name).text.split("acopc start -g CG1 -diff")[0]
    tries = ("acopc start -g CG1 -diff", "acopc start -g CG1", "acopc start -g CG1 -auto")
    accepted = [command for command in tries if not run_script(f"{prefix}{command}\n").refusals]
    choices = (*tries, "none of them")
    return _exercise(
        9, name, "A failure suspended the pair in Copying/Tracking. Which of these starts is "
        "accepted?", "choice", accepted[0] if len(accepted) == 1 else choices[-1],
        "The manual's way out is a cancel then a full start.",
        f"A failure suspends the session [D: {STATUS}]; -auto "
        f"from Error suspend cancels then starts a full copy [D: {CCM} -auto]; -diff is "
        f"refused (Phase is not correct, 32794) and a full start too [M, code from {CODES}].",
        (("acopc start -g CG1 -diff", "a -diff needs Tracking or Copying/Tracking: Phase is "
                                       "not correct"),
         ("acopc start -g CG1", "a full start is refused while a session exists")), choices)


def q10_auto_in_each_state() -> Exercise:
    """L07.10: Rest Block after -auto in Copying/Tracking."""
    name = "10_auto_in_each_state"
    pair = _array(run_until(name, "acopc start -g CG1 -auto", 3)).pair(PAIR)
    return _exercise(
        10, name, "In Tracking block 3 is written, -auto; before any tick block 7 is written, "
        "-auto again. What is Rest Block now?", "int", pair.rest_blocks,
        "Which start does -auto pick in Copying/Tracking, and what does it queue?",
        f"-auto is differential from Tracking and from Copying/Tracking [D: {CCM} -auto]; "
        "from Copying/Tracking the kit queues the blocks not yet copied and the tracked ones "
        "[M: the kit's choice].",
        ((8, "-auto picks a differential start when a session exists"),
         (1, "block 3 was never copied: it is still queued")))


def q11_two_destinations() -> Exercise:
    """L07.11: what the second destination of a multi-copy reads."""
    name = "11_two_destinations"
    array = _array(run_until(name, "write ET001/0x1 1 b"))
    return _exercise(
        11, name, "ABCD on 0x1; start 0x1:0x6; write block 0 'a'; start 0x1:0x7; write "
        "block 1 'b'. What does a host read on ET001/0x7?", "text", _image(array, "ET001/0x7"),
        "Each destination holds the source as it was at its own start.",
        "One source may feed several destinations, each session with its own queue and "
        "tracking [D: ETERNUS Design Guide (Basic), \"Backup (Advanced Copy)\", multi-copy].",
        (("ABCD", "that is 0x6's point in time: 0x7 started after the write of 'a'"),
         ("abCD", "the write of 'b' came after 0x7's logical copy")))


def q12_refused_cascade() -> Exercise:
    """L07.12: which command of a would-be cascade the kit refuses first."""
    name = "12_refused_cascade"
    scenario = load(name)
    lines = scenario.text.splitlines()
    refused = [lines[number - 1].strip() for number, _ in scenario.run().refusals]
    choices = ("acpair add -g SECOND -p ET001/0x6:ET001/0x7", "acopc start -g FIRST",
               "acopc start -g SECOND", "none: the kit accepts the cascade")
    answer = refused[0] if refused and refused[0] in choices else choices[-1]
    return _exercise(
        12, name, "Group FIRST holds 0x1:0x6, group SECOND 0x6:0x7 (a cascade through 0x6). "
        "acopc start -g FIRST, then acopc start -g SECOND. Which command is the first "
        "the kit refuses?", "choice", answer, "When does the kit look at the other sessions "
        "of a volume?",
        "The kit refuses a volume that is the destination of one session and the source of "
        "another (32821, from the ETERNUS codes), and checks it when a session starts, not "
        "when a pair is defined [M: the kit's simplification; Fujitsu's design guides (ETERNUS "
        "Design Guide (Basic)) allow some QuickOPC cascades under conditions, e.g. volumes under 2 TB].",
        ((choices[0], "defining a pair starts no session: conflicts are checked at start"),
         (choices[-1], "the kit refuses cascades: its own rule, simpler than the product")),
        choices)


def q13_reverse_after_backup() -> Exercise:
    """L07.13: the blocks a reverse OPC after a backup queues."""
    name = "13_reverse_after_backup"
    pair = _array(run_until(name, "acopc start -g CG1 -r")).pair(PAIR)
    return _exercise(
        13, name, "8 blocks backed up (Tracking); source blocks 2-3 are damaged; acopc start "
        "-r. What is the reverse OPC's Rest Block?", "int", pair.reverse_session.rest_blocks,
        "Only what differs needs copying back.",
        f"-r runs an OPC from destination to source [D: {CCM} -r]; only the data updated "
        "since the last replication is copied [D: ACM restore].",
        ((8, "a restore copies only the blocks that differ"),
         (0, "the logical image is restored at once; the physical copy still follows")))


def q14_copy_rate_mid_copy() -> Exercise:
    """L07.14: Copied Block after a copy-rate change in mid-copy."""
    name = "14_copy_rate_mid_copy"
    pair = _array(run_until(name, "tick")).pair(PAIR)
    return _exercise(
        14, name, "12 blocks at copy rate 1: start, tick 2, copy-rate 4, tick. What is "
        "Copied Block?", "int", pair.copied_blocks, "The new rate applies at once.",
        "A copy-rate change applies to running sessions at once [D: ETERNUSmgr \"EC/OPC "
        "Priority\"]; copy-rate blocks per tick [M: the kit's choice].",
        ((3, "the new rate applies at once, to the very next tick"),
         (4, "the two earlier ticks copied too")))


def q15_refused_starts() -> Exercise:
    """L07.15: which of the BAD group's starts the array accepts."""
    name = "15_refused_starts"
    array = _array(load(name).run())
    pairs = [pair.name for pair in array.group("BAD").pairs]
    started = [pair.name for pair in array.group("BAD").pairs if pair.state.has_session]
    if len(started) != 1:
        raise ArgumentError(f"{name}: expected one started pair in BAD, found {started}")
    return _exercise(
        15, name, "0x1 (4 blocks) already feeds 0x6; the array allows 2 sessions per source. "
        "Each BAD pair is started in turn; which one is accepted?", "choice", started[0],
        "Check size, sameness, the destination's other sessions and the limit.",
        "Size mismatch (4097), the same volume, an existing destination and the session limit "
        f"(32791) are refused [M: the kit's rules, codes from {CODES}].",
        (("ET001/0x1:ET001/0x8", "0x1 already feeds 2 sessions by then: the array's limit"),
         ("ET001/0x1:ET001/0x9", "0x9 has 8 blocks, 0x1 has 4: Size Not Supported")),
        tuple(pairs))


def q16_group_all_or_none() -> Exercise:
    """L07.16: a refused group -diff on a pair that could have restarted."""
    name = "16_group_all_or_none"
    pair = _array(run_until(name, "acopc start -g CG1 -diff")).pair(PAIR)
    return _exercise(
        16, name, "Pair 1 is in Tracking with block 0 written; pair 2 has no session. acopc "
        "start -g CG1 -diff: what is pair 1's Rest Block after it?", "int", pair.rest_blocks,
        "A group command acts on every pair, or on none.",
        "One refused pair refuses the whole group command, changing nothing [M: the kit's "
        "choice; the real acopc counts Succeeded and Failed].",
        ((1, "pair 2 refuses the -diff, so the group command changes no pair"),))


def q17_reverse_rules() -> Exercise:
    """L07.17: a start from a half-restored (unusable) source."""
    name = "17_reverse_rules"
    transcript = run_until(name, "acopc start -g CG1 -auto")
    pair = _array(transcript).pair(PAIR)
    warned = any(line.lstrip().startswith("WARNING") for line in transcript.lines[-3:])
    choices = ("refused: the source is unusable", "runs, and warns",
               "runs, silently", "refused: Phase is not correct (32794)")
    answer = choices[1 + (not warned)] if pair.state.has_session else choices[0]
    return _exercise(
        17, name, "A cancelled restore left ET001/0x1 half restored (unusable). acopc start "
        "-auto copies 0x1 to 0x6. What does the kit do?", "choice", answer,
        "The array copies what it is given.",
        "A copy from an unusable source runs, warns, names the blocks never restored, and the "
        "destination carries an unusable image [M: the kit's choice].",
        ((choices[0], "the array does not check what the source holds: it copies it"),
         (choices[2], "the kit warns and names the blocks never restored")), choices)


def q18_cancel_tracking_then_full() -> Exercise:
    """L07.18: Rest Block of the start after a cancel in Tracking."""
    name = "18_cancel_tracking_then_full"
    pair = _array(load(name).run()).pair(PAIR)
    return _exercise(
        18, name, "8 blocks in Tracking; source block 0 is written; acopc cancel; -diff is "
        "refused; acopc start -auto. What is Rest Block?", "int", pair.rest_blocks,
        "What does the array still know about the changes?",
        f"A cancel in Tracking leaves the destination usable [D: {EXPRESS}, \"Stop\"]; the "
        "tracking data went with the session, so the next start is full [M: the kit's "
        "choice].",
        ((1, "the tracking bitmaps went with the session: -auto starts a full copy"),
         (0, "a new session queues every block")))


def q19_failure_in_tracking() -> Exercise:
    """L07.19: the OPC Status after a failure in Tracking."""
    name = "19_failure_in_tracking"
    pair = _array(run_until(name, "fail ET001/0x1")).pair(PAIR)
    choices = ("OPC Executing", "OPC Error Suspend", "OPC action not startup", "Tracking")
    return _exercise(
        19, name, "The pair is in Tracking; a failure hits an unrelated volume 0x5, then the "
        "source 0x1. What OPC Status does acopc query show?", "choice",
        pair.state.opc_status, "A failure on either volume of a session...",
        "A failure on either volume suspends the session; only cancel and a full start "
        "recover [D: ETERNUSmgr \"Advanced Copy Status\"; CCM -auto].",
        (("OPC Executing", "a failure suspends the session in Tracking too"),), choices)


QUESTIONS: dict[str, Callable[[], Exercise]] = {
    "01_full_start": q01_full_start, "02_last_block_any_mover": q02_last_block_any_mover,
    "03_diff_from_tracking": q03_diff_from_tracking,
    "04_restart_during_copy": q04_restart_during_copy,
    "05_same_block_both_sides": q05_same_block_both_sides,
    "06_read_uncopied_block": q06_read_uncopied_block,
    "07_copy_before_write": q07_copy_before_write,
    "08_cancel_in_each_state": q08_cancel_in_each_state,
    "09_error_suspend_auto": q09_error_suspend_auto,
    "10_auto_in_each_state": q10_auto_in_each_state,
    "11_two_destinations": q11_two_destinations, "12_refused_cascade": q12_refused_cascade,
    "13_reverse_after_backup": q13_reverse_after_backup,
    "14_copy_rate_mid_copy": q14_copy_rate_mid_copy, "15_refused_starts": q15_refused_starts,
    "16_group_all_or_none": q16_group_all_or_none, "17_reverse_rules": q17_reverse_rules,
    "18_cancel_tracking_then_full": q18_cancel_tracking_then_full,
    "19_failure_in_tracking": q19_failure_in_tracking,
}


def question(name: str) -> Exercise:
    """Scenario ``name``'s checked question. Raises NotFoundError for an unknown scenario,
    ArgumentError for a scenario with no question."""
    scenario = load(name)
    if scenario.name not in QUESTIONS:
        raise ArgumentError(f"scenario {scenario.name} has no lesson 7 question "
                            f"(questions: {', '.join(QUESTIONS)})")
    return QUESTIONS[scenario.name]()


def ask(name: str) -> Prediction:
    """The lesson's cell for scenario ``name``: its question, its transcript folded."""
    scenario = load(name)
    exercise = question(scenario.name)
    return predict(exercise, TranscriptView(scenario.name, scenario.run(), scenario.golden))


class LoadError(ArgumentError):
    """A scenario :func:`load_into` cannot load: IPython shows its message as one line, with
    no traceback (it stays an ArgumentError for code that catches it)."""

    def _render_traceback_(self) -> list[str]:
        return [f"load_into: {self}"]


def load_into(panel: Any, name: str | int) -> Any:
    """Load scenario ``name`` (a full name, or its number as `qopc run` takes it: ``"04"``,
    ``4``) into a dashboard ``panel`` (its script box, then Load), as a student would; return
    the panel. Reset then goes back to the script's set-up.

    Raises :class:`LoadError` (an ArgumentError shown as one line) for an unknown scenario,
    a ``panel`` that is no dashboard, or a load the panel refused.
    """
    try:
        scenario = load(scenario_name(str(name)))
    except QuickOPCError as problem:
        raise LoadError(str(problem)) from None
    box, button = getattr(panel, "script_text", None), getattr(panel, "buttons", {}).get("Load")
    if box is None or button is None:
        raise LoadError(f"load_into() needs a qopc_kit.dashboard() panel, not "
                        f"{type(panel).__name__}")
    before = getattr(panel, "array", None)
    box.value = scenario.text
    button.click()
    if panel.array is before:  # Load builds a new array; a refused Load keeps the old one
        raise LoadError(f"the panel did not load {scenario.name}: {panel.message.value}")
    return panel
