"""Predict-then-check exercises: a seeded scenario per student, feedback, hints, a teacher view.

Every scenario is built from a generator seeded by the student's name or number,
and every expected answer is computed by running the engine on that scenario.
A wrong answer gets a hint; the solution is kept for a collapsible block.
Answers can be saved as JSON and a teacher can tabulate a whole class.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from ..engine.array import DiskArray
from ..engine.commands import Command
from ..engine.errors import ArgumentError, QuickOPCError
from ..engine.pair import CopyPair
from ..engine.states import Copy, states_of
from ..engine.volume import Volume
from .compare import week_of_backups

KINDS = ("int", "text", "blocks", "choice")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct``, and the message to show."""

    correct: bool
    message: str
    counted: bool = True  # False when the answer could not be read (no attempt used)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Exercise:
    """One predict-then-check task: a scenario, a question and the engine's answer."""

    key: str
    lesson: str
    setup: str
    question: str
    kind: str
    answer: object
    hint: str
    why: str
    choices: tuple[str, ...] = ()

    def text(self) -> str:
        """The task as plain text: lesson, scenario steps and question."""
        lines = [f"Exercise {self.key} (lesson {self.lesson})", self.setup, f"Q: {self.question}"]
        if self.choices:
            lines.append("   choose one of: " + " | ".join(self.choices))
        return "\n".join(lines)

    def solution(self) -> str:
        """The answer with its explanation."""
        return f"Answer: {format_answer(self.kind, self.answer)}. {self.why}"

    def solution_html(self) -> str:
        """The solution in a collapsed HTML ``<details>`` block."""
        return (f"<details><summary>Solution to {html.escape(self.key)}</summary>"
                f"<p>{html.escape(self.solution())}</p></details>")

    def judge(self, given: object) -> Feedback:
        """Compare ``given`` with the answer; a wrong answer's message carries the hint."""
        try:
            value = parse_answer(self.kind, given, self.choices)
        except ArgumentError as exc:
            return Feedback(False, f"{self.key}: {exc}", counted=False)
        if value == self.answer:
            return Feedback(True, f"{self.key}: correct. {self.why}")
        return Feedback(False, f"{self.key}: not quite ({format_answer(self.kind, value)}). "
                               f"Hint: {self.hint}")


def parse_answer(kind: str, given: object, choices: tuple[str, ...] = ()) -> object:
    """Read an answer of ``kind`` the way students type it; raise ArgumentError if unreadable.

    An empty answer is unreadable (an empty block list is written ``none``).
    """
    if isinstance(given, str) and not given.strip():
        raise ArgumentError("type an answer first")
    if kind == "int":
        if isinstance(given, bool):
            raise ArgumentError("answer a whole number")
        if isinstance(given, (int, np.integer)):
            return int(given)
        if isinstance(given, str) and re.fullmatch(r"\s*\d+\s*", given):
            return int(given)
        raise ArgumentError(f"answer a whole number, not {given!r}")
    if kind == "text":
        if not isinstance(given, str):
            raise ArgumentError(f"answer the text a host reads, in quotes, not {given!r}")
        return given.strip().strip("'\"")
    if kind == "blocks":
        if isinstance(given, str):
            words = [w for w in re.split(r"[\s,;\[\]()]+", given) if w]
            if words in (["none"], ["-"]):
                words = []
            if not all(w.isdigit() for w in words):
                raise ArgumentError(f"answer block numbers like '1, 4, 5' (or 'none'), "
                                    f"not {given!r}")
            return tuple(sorted({int(w) for w in words}))
        if isinstance(given, Iterable) and all(
                isinstance(b, (int, np.integer)) and not isinstance(b, bool) for b in given):
            return tuple(sorted({int(b) for b in given}))
        raise ArgumentError(f"answer a list of block numbers, not {given!r}")
    if kind == "choice":
        wanted = " ".join(str(given).split()).casefold()
        for choice in choices:
            if choice.casefold() == wanted:
                return choice
        raise ArgumentError(f"choose one of {', '.join(choices)}; got {given!r}")
    raise ArgumentError(f"unknown answer kind {kind!r} (kinds: {', '.join(KINDS)})")


def format_answer(kind: str, value: object) -> str:
    """An answer as the feedback and the solution print it."""
    if kind == "blocks":
        return "none" if not value else ", ".join(str(block) for block in cast("list[int]", value))
    if kind == "text":
        return f'"{value}"'
    return str(value)


def seed_for(student: str | int) -> int:
    """The seed of a student's scenarios: their number, or a stable hash of their name.

    The same name (any case, surrounding spaces ignored) always gives the same seed,
    on every machine. Raises ArgumentError for an empty name or a negative number.
    """
    if isinstance(student, bool):
        raise ArgumentError(f"a student is a name or a number, not {student!r}")
    if isinstance(student, str) and student.strip().isdecimal():
        student = int(student)  # "42" typed in a form is student number 42
    if isinstance(student, int):
        if student < 0:
            raise ArgumentError(f"a student number must be >= 0, got {student}")
        return student
    if not isinstance(student, str) or not student.strip():
        raise ArgumentError(f"a student is a name or a number, not {student!r}")
    digest = hashlib.sha256(student.strip().casefold().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


# Scenario helpers -------------------------------------------------------------------
_EMPTY = "."  # how a zero byte (never written) prints


def _text(volume: Volume, physical: bool = False) -> str:
    rows = volume.data if physical else volume.image()
    return "".join(chr(b) if b else _EMPTY for b in rows[:, 0])


def _lesson(rng: np.random.Generator, low: int = 8, high: int = 12,
            rate: tuple[int, int] = (1, 3)) -> tuple[DiskArray, Volume, Volume, CopyPair, list[str]]:
    """ET001 with 0x1 (letters) and 0x6 (zeros) of a random size, group CG1, a random rate."""
    blocks = int(rng.integers(low, high + 1))
    copy_rate = int(rng.integers(rate[0], rate[1] + 1))
    array = DiskArray("ET001", copy_rate=copy_rate)
    src, dst = array.add_volume(0x1, blocks=blocks), array.add_volume(0x6, blocks=blocks)
    src.write(slice(None), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:blocks])
    pair = array.add_copy_group("CG1", [(src, dst)]).pairs[0]
    steps = [f"ET001/0x1 holds \"{_text(src)}\" ({blocks} one-byte blocks, 0 to {blocks - 1}); "
             f"ET001/0x6 is zeroed (shown \"{_EMPTY}\"); copy rate {copy_rate} block(s) per tick",
             "acopc start -g CG1"]
    pair.start()
    return array, src, dst, pair, steps


def _pick(rng: np.random.Generator, blocks: int, low: int, high: int) -> list[int]:
    count = int(rng.integers(low, high + 1))
    return sorted(int(b) for b in rng.choice(blocks, size=count, replace=False))


def _write(volume: Volume, blocks: list[int], letter: str, steps: list[str]) -> None:
    data = letter * len(blocks)
    volume.write(blocks, data)
    steps.append(f"write \"{data}\" to {volume.name} blocks {blocks}")


def _tick(array: DiskArray, n: int, steps: list[str]) -> None:
    array.tick(n)
    steps.append(f"tick {n}")


def _run(array: DiskArray, steps: list[str]) -> None:
    steps.append(f"tick {array.run()}   (the copier runs to the end of the copy)")


def _setup(steps: list[str]) -> str:
    return "\n".join(f"  {i}. {step}" for i, step in enumerate(steps, 1))


# The exercises, one generator each --------------------------------------------------
def _tour(rng: np.random.Generator) -> Exercise:
    count = len(states_of(Copy.QUICKOPC))
    return Exercise(
        "1a", "01 tour", "  The state diagram of a QuickOPC session (lesson 1).",
        "How many states can a QuickOPC session be in (counting No session)?", "int", count,
        "Count the boxes of the QuickOPC session's diagram in lesson 1 (state_diagram_svg()), "
        "No session included. Only that diagram counts: the reverse OPC of start -r has "
        "its own.",
        "No session, Copying/Tracking, Tracking and Error suspend; the fifth state, "
        "Copying, belongs only to the reverse OPC of start -r.")


def _logical_image(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng)
    _tick(array, int(rng.integers(1, 3)), steps)
    _write(src, _pick(rng, src.blocks, 2, 3), "x", steps)
    return Exercise(
        "2a", "02 logical vs physical", _setup(steps),
        "What does a host read from ET001/0x6 now, all blocks, as text?", "text",
        _text(dst), "The destination is the source as it was at the logical copy (step 2), "
        "whatever the copier has or has not moved yet.",
        "A host reading the destination sees the point-in-time image: queued blocks are "
        "read from the source's old data, and blocks written on the source were copied "
        "before the write (copy-before-write).")


def _copied_block(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng)
    _tick(array, 1, steps)
    _write(src, _pick(rng, src.blocks, 2, 3), "x", steps)
    return Exercise(
        "2b", "02 logical vs physical", _setup(steps),
        "What does acopc query show as Copied Block now?", "int", pair.copied_blocks,
        "Blocks leave the queue two ways here: the copier (copy rate per tick, lowest "
        "first) and copy-before-write of a queued source block that is written.",
        f"The tick copied {array.copy_rate} block(s); each written source block that was still "
        "queued was copied before the write. A block the copier had already moved counts once.")


def _diff_queue(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng)
    _run(array, steps)
    _write(src, _pick(rng, src.blocks, 1, 3), "s", steps)
    _write(dst, _pick(rng, dst.blocks, 1, 3), "d", steps)
    pair.start(diff=True)
    steps.append("acopc start -g CG1 -diff")
    return Exercise(
        "3a", "03 tracking and -diff", _setup(steps),
        "What does acopc query show as Rest Block right after the -diff start?", "int",
        pair.rest_blocks,
        "-diff queues the blocks tracked on BOTH volumes since the last logical copy; a "
        "block written on both sides is queued once.",
        "Queued = source-tracked ∪ destination-tracked blocks; every other block is "
        "already equal on both volumes.")


def _diff_ticks(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng, 10, 14, (2, 3))
    _run(array, steps)
    _write(src, _pick(rng, src.blocks, 3, 6), "s", steps)
    steps.append("acopc start -g CG1 -diff")
    pair.start(diff=True)
    ticks = array.run()
    return Exercise(
        "3b", "03 tracking and -diff", _setup(steps),
        "How many ticks does the copier need to finish this differential copy?", "int", ticks,
        f"Only the changed blocks are queued, and the copier moves {array.copy_rate} per "
        "tick: round up.",
        f"The -diff queued only the source's changed blocks; at {array.copy_rate} blocks per "
        "tick that takes ceil(changed / rate) ticks, against "
        f"{math.ceil(src.blocks / array.copy_rate)} for a full copy.")


def _rollback(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng)
    _run(array, steps)
    _write(dst, _pick(rng, dst.blocks, 2, 3), "d", steps)
    _write(src, _pick(rng, src.blocks, 1, 2), "s", steps)
    steps.append("acopc start -g CG1 -diff")
    pair.start(diff=True)
    return Exercise(
        "4a", "04 rollback", _setup(steps),
        "What does a host read from ET001/0x6 right after the -diff start, as text?", "text",
        _text(dst),
        "The manual: changes made at the destination after the previous logical copy are "
        "rolled back (overwritten from the source data).",
        "The destination becomes the source's image at the -diff: the source's new "
        "blocks arrive and the destination's own writes are lost.")


def _rolled_blocks(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng)
    _run(array, steps)
    both = _pick(rng, src.blocks, 1, 1)
    _write(src, both, "s", steps)
    _write(dst, sorted(set(both) | set(_pick(rng, dst.blocks, 1, 2))), "d", steps)
    steps.append("acopc start -g CG1 -diff")
    pair.start(diff=True)
    return Exercise(
        "4b", "04 rollback", _setup(steps),
        "Which destination blocks did the -diff start roll back?", "blocks",
        tuple(int(b) for b in np.flatnonzero(pair.rolled_back)),
        "Rolled back = the destination's own writes since the last logical copy, "
        "whether or not the source changed the same block.",
        "Every destination-tracked block is rolled back; a block written on both sides "
        "gets the source's new data.")


def _never_copied(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng, 8, 12, (1, 2))
    _tick(array, int(rng.integers(1, 3)), steps)
    _write(dst, _pick(rng, dst.blocks, 1, 2), "d", steps)
    pair.cancel()
    steps.append("acopc cancel -g CG1")
    return Exercise(
        "5a", "05 cancel", _setup(steps),
        "Which blocks of ET001/0x6 were never copied (the cancel left them missing)?",
        "blocks", tuple(int(b) for b in np.flatnonzero(dst.missing)),
        "Missing = blocks still queued at the cancel. The copier took the lowest blocks, "
        "and a whole-block destination write takes a block off the queue too.",
        "The cancel came during the physical copy, so the destination is unusable; the "
        "blocks still queued were never delivered.")


def _usable_after_cancel(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng, 8, 10, (2, 3))
    needed = math.ceil(src.blocks / array.copy_rate)
    _tick(array, int(rng.integers(needed - 2, needed + 2)), steps)
    pair.cancel()
    steps.append("acopc cancel -g CG1")
    return Exercise(
        "5b", "05 cancel", _setup(steps), "Is ET001/0x6 usable after the cancel?", "choice",
        "yes" if dst.usable else "no",
        "Work out whether the physical copy had finished before the cancel: compare the "
        "ticks with blocks / copy rate.",
        "Cancel in Tracking leaves a complete, usable image; cancel in Copying/Tracking "
        "leaves an unusable destination. Either way the next start is full.",
        ("yes", "no"))


_COMMANDS: dict[str, Command] = {command.words: command for command in
                                 (Command.START, Command.START_DIFF, Command.START_AUTO,
                                  Command.CANCEL)}
_PHASES = ("Not set", "Copying/Tracking", "Tracking", "N/A", "refused")


def _command_lab(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng, 8, 8, (2, 2))
    how = int(rng.integers(0, 4))
    if how == 0:
        pair.cancel()
        steps.append("acopc cancel -g CG1")
    elif how == 1:
        _tick(array, 2, steps)
    elif how == 2:
        _run(array, steps)
        if rng.integers(0, 2):
            _write(src, _pick(rng, 8, 1, 2), "s", steps)
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
        "6a", "06 acopc lab", _setup(steps),
        "What Copy Phase does acopc query show after the last command ('refused' if the "
        "array refuses it)?", "choice", answer,
        "Find the state before the last command, then its row in the transition table "
        "(lesson 6); a full start needs No session, -diff needs a session that is not in "
        "Error suspend, and a -diff with nothing to copy completes at once.",
        "Each command is checked against the state table first; a refused command "
        "changes nothing and says why.", _PHASES)


def _restore(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng)
    _run(array, steps)
    _write(src, _pick(rng, src.blocks, 2, 3), "s", steps)
    _write(dst, _pick(rng, dst.blocks, 1, 1), "d", steps)
    steps.append("acopc start -g CG1 -r")
    pair.start(reverse=True)
    return Exercise(
        "6b", "06 acopc lab", _setup(steps),
        "What does a host read from ET001/0x1 right after start -r, as text?", "text",
        _text(src),
        "start -r is an OPC from the destination back to the source: the source's image "
        "becomes the destination's current image at once.",
        "The restore copies only the blocks tracked on either side; the source's writes "
        "since the backup are lost, and a destination write is restored too.")


def _instant_end(rng: np.random.Generator) -> Exercise:
    array, src, dst, pair, steps = _lesson(rng, 8, 10, (2, 2))
    needed = math.ceil(src.blocks / 2)
    _tick(array, needed - 1, steps)
    queued = [int(b) for b in np.flatnonzero(pair.queued)]
    written = queued if rng.integers(0, 2) else [*queued[:-1], int(rng.integers(0, queued[0]))]
    _write(src, sorted(set(written)), "w", steps)
    return Exercise(
        "7a", "07 edge cases", _setup(steps),
        "What Copy Phase does acopc query show now?", "choice", pair.state.copy_phase,
        "Which blocks are still queued after the ticks? Does the write take all of them "
        "off the queue (copy-before-write)?",
        "The physical copy ends the moment its last queued block leaves the queue, "
        "whatever moved it (the kit's modelling choice [M]).",
        ("Copying/Tracking", "Tracking"))


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
        "How many blocks does QuickOPC copy over the 5 days in total?", "int",
        week.quickopc_total,
        "Day 1 is a full copy; every later day copies only the blocks changed since the "
        "previous backup.",
        f"A plain OPC would copy {week.opc_total} blocks (a full copy each day).")


GENERATORS: tuple[Callable[[np.random.Generator], Exercise], ...] = (
    _tour, _logical_image, _copied_block, _diff_queue, _diff_ticks, _rollback, _rolled_blocks,
    _never_copied, _usable_after_cancel, _command_lab, _restore, _instant_end, _week)


# A student's set, and the teacher's view -------------------------------------------------
@dataclass
class ExerciseSet:
    """Every exercise for one student, seeded by their name or number, with their attempts."""

    student: str | int
    seed: int = field(init=False)
    exercises: dict[str, Exercise] = field(init=False)
    attempts: dict[str, list[tuple[str, bool]]] = field(init=False)

    def __post_init__(self) -> None:
        self.seed = seed_for(self.student)
        root = np.random.SeedSequence(self.seed)
        # One child generator per exercise (by position): appending an exercise to
        # GENERATORS leaves every student's earlier scenarios as they were.
        children = root.spawn(len(GENERATORS))
        made = [make(np.random.default_rng(child)) for make, child in zip(GENERATORS, children,
                                                                         strict=True)]
        self.exercises = {ex.key: ex for ex in made}
        self.attempts = {key: [] for key in self.exercises}

    def __getitem__(self, key: str) -> Exercise:
        if key not in self.exercises:
            raise ArgumentError(f"no exercise {key!r} (exercises: {', '.join(self.exercises)})")
        return self.exercises[key]

    def check(self, key: str, answer: object) -> Feedback:
        """Judge ``answer`` to exercise ``key`` and record the attempt."""
        exercise = self[key]
        feedback = exercise.judge(answer)
        if feedback.counted:
            self.attempts[key].append((format_answer(exercise.kind, parse_answer(
                exercise.kind, answer, exercise.choices)), feedback.correct))
            if not feedback.correct and len(self.attempts[key]) >= 2:
                feedback = Feedback(False, feedback.message + " (The solution is in the "
                                    "collapsed block under the exercise.)")
        return feedback

    def text(self) -> str:
        """Every exercise's scenario and question, as plain text."""
        return "\n\n".join(ex.text() for ex in self.exercises.values())

    def score(self) -> str:
        """A one-line score: exercises solved, and attempts used."""
        solved = sum(any(ok for _, ok in tries) for tries in self.attempts.values())
        used = sum(attempts_used(tries) for tries in self.attempts.values())
        return f"{self.student}: {solved}/{len(self.exercises)} solved in {used} attempt(s)"

    def record(self) -> dict[str, object]:
        """The attempts as plain data (what :meth:`save` writes)."""
        return {"student": self.student, "seed": self.seed,
                "attempts": {key: [list(t) for t in tries] for key, tries in self.attempts.items()}}

    def save(self, directory: str | Path) -> Path:
        """Write the attempts to ``directory/<student>.json`` (a shared class folder)."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        student = str(self.student).strip()
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", student) or "student"
        if name != student:  # "a/b" and "a_b" must not share a file
            name += "-" + hashlib.sha256(student.encode("utf-8")).hexdigest()[:8]
        path = folder / f"{name}.json"
        path.write_text(json.dumps(self.record(), indent=1), encoding="utf-8")
        return path

    def form(self) -> object:
        """An ipywidgets form: pick an exercise, type an answer, press Check, read the verdict.

        Every attempt is recorded in this set, as with :meth:`check`.
        """
        import ipywidgets as widgets  # only the form needs ipywidgets

        pick = widgets.Dropdown(options=list(self.exercises), description="Exercise")
        question = widgets.HTML()
        answer = widgets.Text(placeholder="your answer")
        button = widgets.Button(description="Check", button_style="primary")
        verdict = widgets.HTML()

        def show(_: object = None) -> None:
            question.value = f"<pre>{html.escape(self[pick.value].text())}</pre>"
            answer.value = verdict.value = ""

        def check(_: object) -> None:
            feedback = self.check(pick.value, answer.value)
            colour = "green" if feedback.correct else "#b00"
            verdict.value = f'<b style="color:{colour}">{html.escape(feedback.message)}</b>'

        pick.observe(show, names="value")
        button.on_click(check)
        show()
        return widgets.VBox([pick, question, widgets.HBox([answer, button]), verdict])


def attempts_used(tries: list) -> int:
    """Attempts up to the first right answer (checks after it do not count), else all."""
    return next((number for number, (_, ok) in enumerate(tries, 1) if ok), len(tries))


def teacher_view(source: str | Path | Iterable[ExerciseSet]) -> str:
    """A class table: per student and exercise, ok/wrong and the attempts used.

    ``source`` is a folder of saved sets (:meth:`ExerciseSet.save`) or the sets
    themselves. A cell reads ``ok(1)`` for solved at the first attempt, ``x(2)``
    for two wrong attempts, ``.`` for not tried. Then the answers given per exercise.
    """
    if isinstance(source, (str, Path)):
        if not Path(source).is_dir():
            raise ArgumentError(f"no folder {str(source)!r}: give the folder the students "
                                "saved their answers to")
        files = sorted(Path(source).glob("*.json"))
        records = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    else:
        records = [s.record() for s in source]
    if not records:
        return "no answers yet"
    keys = list(records[0]["attempts"])
    width = max(7, *(len(str(r["student"])) for r in records))
    lines = [f"{'student':<{width}}  " + " ".join(f"{k:>5}" for k in keys) + "  solved"]
    for r in records:
        cells, solved = [], 0
        for key in keys:
            tries = r["attempts"].get(key, [])
            ok = any(t[1] for t in tries)
            solved += ok
            cells.append("." if not tries else f"{'ok' if ok else 'x'}({attempts_used(tries)})")
        lines.append(f"{r['student']!s:<{width}}  " + " ".join(f"{c:>5}" for c in cells)
                     + f"  {solved}/{len(keys)}")
    lines.append("answers given:")
    for r in records:
        given = "; ".join(f"{k}: {' / '.join(t[0] for t in tries)}"
                          for k, tries in r["attempts"].items() if tries)
        lines.append(f"  {r['student']}: {given or '-'}")
    return "\n".join(lines)
