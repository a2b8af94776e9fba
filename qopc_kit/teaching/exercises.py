"""Predict-then-check exercises: a seeded scenario per student, feedback, hints, a teacher view.

Every scenario is built from a generator seeded by the student's name or number,
and every expected answer is computed by running the engine on that scenario.
A wrong answer gets a hint; the solution is kept for a collapsible block.
Answers can be saved as JSON and a teacher can tabulate a whole class.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..engine.errors import ArgumentError
from .generators import GENERATORS
from .model import KINDS, Exercise, Feedback, format_answer, parse_answer

__all__ = ["GENERATORS", "KINDS", "Exercise", "ExerciseSet", "Feedback", "attempts_used",
           "format_answer", "parse_answer", "seed_for", "teacher_view"]


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
        """An ipywidgets form: pick an exercise, type an answer, press Check, read the verdict
        (see :func:`qopc_kit.teaching.widgets.exercise_form`)."""
        from .widgets import exercise_form  # only the form needs ipywidgets

        return exercise_form(self)


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
