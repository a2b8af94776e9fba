"""Predict-then-check exercises: a seeded scenario per student, feedback, hints, a teacher view.

Every scenario is built from a generator seeded by the student's name or number,
and every expected answer is computed by running the engine on that scenario.
A wrong answer gets a hint. A student's set holds only the tasks (:class:`.model.Task`: no
answer, no solution); the exercise with its answer is rebuilt from the seed when an answer is
judged, when the solution opens (:meth:`ExerciseSet.solution`, after a right answer or
:data:`SOLUTION_AFTER` wrong ones) and for the teacher's key (:func:`answer_key`).
Answers are saved as JSON (the normalised name, the raw answers and the attempt counts, no
verdict) and the teacher regrades them from the name's seed (:mod:`.grading`).
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..engine.errors import ArgumentError
from .form import ExerciseForm
from .generators import GENERATORS
from .model import KINDS, Exercise, Feedback, Task, format_answer, parse_answer

__all__ = ["GENERATORS", "KINDS", "SOLUTION_AFTER", "Exercise", "ExerciseSet", "Feedback",
           "Task", "answer_key", "attempts_used", "default_folder", "default_student",
           "file_name", "format_answer", "normalise_name", "outcome", "parse_answer",
           "read_attempts", "seed_for"]

#: Wrong attempts after which an exercise's solution opens (a right answer opens it at once).
SOLUTION_AFTER = 3

#: The environment variables a class sets: the hub's login, and the shared answers folder.
HUB_USER, ANSWERS_FOLDER = "JUPYTERHUB_USER", "QOPC_ANSWERS"


def normalise_name(student: str | int) -> str:
    """A student's name as the kit compares it: NFKC, case-folded, outer spaces stripped,
    inner runs of spaces made one ("ＡＤＡ " and "ada" are one student)."""
    if isinstance(student, bool) or not isinstance(student, (str, int)):
        raise ArgumentError(f"a student is a name or a number, not {student!r}")
    text = " ".join(unicodedata.normalize("NFKC", str(student)).casefold().split())
    if not text:
        raise ArgumentError(f"a student is a name or a number, not {student!r}")
    return text


def default_student(fallback: str = "guest") -> str:
    """The student's name: the JupyterHub login when the notebook runs on a hub, else
    ``fallback`` (on a laptop the student types their own name instead)."""
    return os.environ.get(HUB_USER, "").strip() or fallback


def default_folder() -> Path:
    """Where answers are saved: ``$QOPC_ANSWERS`` (a class's shared folder) when set, else
    ``~/qopc-answers``."""
    return Path(os.environ.get(ANSWERS_FOLDER, "").strip() or Path.home() / "qopc-answers")


def file_name(student: str | int) -> str:
    """The file a student's answers are saved to: their normalised name, readable in any
    script ("マリー.json"); unsafe characters become "_" and then a short hash of the name
    is added, so that "a/b" and "a_b" never share a file."""
    name = normalise_name(student)
    safe = "".join(ch if unicodedata.category(ch)[0] in "LNM" or ch in "-_" else "_"
                   for ch in name)[:48]
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return safe + ".json"


def read_attempts(entries: object) -> list[tuple[str, bool | None]]:
    """A saved exercise's attempts as (raw answer, recorded verdict or None).

    Files of this version hold raw answers only; older files (and forged ones) hold
    ``[answer, verdict]`` pairs: the verdict is returned so that the teacher's view can
    compare it with the regrade, never to be trusted.
    """
    if not isinstance(entries, list):
        raise ArgumentError(f"attempts must be a list, not {entries!r}")
    read: list[tuple[str, bool | None]] = []
    for entry in entries:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], bool):
            read.append((str(entry[0]), bool(entry[1])))
        else:
            read.append((str(entry), None))
    return read


def seed_for(student: str | int) -> int:
    """The seed of a student's scenarios: their number, or a stable hash of their name.

    The same name (after :func:`normalise_name`: any case, width or surrounding spaces)
    always gives the same seed, on every machine. Raises ArgumentError for an empty name
    or a negative number.
    """
    if isinstance(student, int) and not isinstance(student, bool) and student < 0:
        raise ArgumentError(f"a student number must be >= 0, got {student}")
    name = normalise_name(student)
    if name.isdecimal():
        return int(name)  # "42" typed in a form is student number 42
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def answer_key(student: str | int) -> dict[str, Exercise]:
    """The teacher's key: every exercise of ``student`` with its answer, rebuilt from the
    seed of their name (one child generator per exercise, by position: appending an exercise
    to GENERATORS leaves every student's earlier scenarios as they were), in key order."""
    children = np.random.SeedSequence(seed_for(student)).spawn(len(GENERATORS))
    made = [make(np.random.default_rng(child)) for make, child in zip(GENERATORS, children,
                                                                     strict=True)]
    return {ex.key: ex for ex in sorted(made, key=lambda ex: ex.key)}


# A student's set --------------------------------------------------------------------------
@dataclass
class ExerciseSet:
    """Every exercise for one student, seeded by their name or number, with their attempts.

    ``ExerciseSet(name, folder=...)`` resumes the attempts saved in ``folder`` (see
    :meth:`load`), so re-running the notebook's first cell keeps them.
    """

    student: str | int
    folder: str | Path | None = None
    seed: int = field(init=False)
    tasks: dict[str, Task] = field(init=False)
    attempts: dict[str, list[tuple[str, bool]]] = field(init=False)

    def __post_init__(self) -> None:
        self.seed = seed_for(self.student)
        self.tasks = {key: ex.task() for key, ex in answer_key(self.student).items()}
        self.attempts = {key: [] for key in self.tasks}
        if self.folder is not None:
            self.resume(self.folder)

    @classmethod
    def load(cls, folder: str | Path, student: str | int) -> ExerciseSet:
        """The set of ``student`` with the attempts saved in ``folder`` (none saved yet:
        a fresh set). Every saved answer is judged again; a saved verdict is ignored."""
        return cls(student, folder=folder)

    def resume(self, folder: str | Path) -> int:
        """Add the attempts saved in ``folder`` for this student before the ones made since;
        returns how many were read. A file that cannot be read raises ArgumentError."""
        path = Path(folder) / file_name(self.student)
        if not path.is_file():
            return 0
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))["attempts"]
            read = {key: read_attempts(entries) for key, entries in dict(saved).items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArgumentError(f"cannot read the saved answers {str(path)!r}: {exc}") from exc
        count = 0
        key_of = answer_key(self.student)
        for key, tries in read.items():
            if key in key_of:
                judged = [(raw, key_of[key].judge(raw).correct) for raw, _ in tries]
                self.attempts[key] = judged + self.attempts[key]
                count += len(judged)
        return count

    def __getitem__(self, key: str) -> Task:
        if key not in self.tasks:
            raise ArgumentError(f"no exercise {key!r} (exercises: {', '.join(self.tasks)})")
        return self.tasks[key]

    def _exercise(self, key: str) -> Exercise:
        """Exercise ``key`` with its answer, rebuilt from the seed (never kept)."""
        self[key]  # an unknown key raises ArgumentError
        return answer_key(self.student)[key]

    def check(self, key: str, answer: object) -> Feedback:
        """Judge ``answer`` to exercise ``key`` and record the attempt."""
        exercise = self._exercise(key)
        feedback = exercise.judge(answer)
        if feedback.counted:
            self.attempts[key].append((format_answer(exercise.kind, parse_answer(
                exercise.kind, answer, exercise.choices)), feedback.correct))
            if outcome(self.attempts[key]) == "late" and feedback.correct:
                feedback = Feedback(True, feedback.message + " (The solution was already "
                                    "open: this answer is right but does not count as solved.)")
            elif not feedback.correct and self.solution_open(key):
                feedback = Feedback(False, feedback.message + f" (The solution is open: "
                                    f"exercises.solution({key!r}).)")
        return feedback

    def solution_open(self, key: str) -> bool:
        """True once ``key`` was answered right, or wrong :data:`SOLUTION_AFTER` times."""
        tries = self.attempts[self[key].key]
        return any(ok for _, ok in tries) or len(tries) >= SOLUTION_AFTER

    def solution(self, key: str) -> str:
        """The answer and its explanation, once :meth:`solution_open`; before that, a
        message saying what opens it (nothing of the answer)."""
        if not self.solution_open(key):
            wrong = len(self.attempts[key])
            return (f"The solution to {key} opens after a right answer or after "
                    f"{SOLUTION_AFTER} wrong attempts (you have made {wrong}). "
                    f"Try it first: exercises.check({key!r}, answer).")
        return f"Solution to {key}: {self._exercise(key).solution()}"

    def text(self) -> str:
        """Every exercise's scenario and question, as plain text."""
        return "\n\n".join(task.text() for task in self.tasks.values())

    def score(self) -> str:
        """A one-line score: exercises solved, and attempts used. A right answer given once
        the solution was open (after :data:`SOLUTION_AFTER` wrong ones) is not solved."""
        ends = [outcome(tries) for tries in self.attempts.values()]
        used = sum(attempts_used(tries) for tries in self.attempts.values())
        line = (f"{self.student}: {ends.count('ok')}/{len(self.tasks)} solved in {used} "
                "attempt(s)")
        if "late" in ends:
            line += (f"; {ends.count('late')} right only after the solution had opened "
                     "(not solved)")
        return line

    def record(self) -> dict[str, object]:
        """What :meth:`save` writes: the normalised name, the raw answers per exercise and
        their counts. No verdict: the teacher regrades every answer from the name's seed."""
        return {"student": normalise_name(self.student), "seed": self.seed,
                "attempts": {key: [raw for raw, _ in tries] for key, tries in self.attempts.items()},
                "counts": {key: len(tries) for key, tries in self.attempts.items()}}

    def save(self, directory: str | Path | None = None) -> Path:
        """Write the attempts to ``directory/<name>.json`` (see :func:`file_name`); by
        default to :func:`default_folder`, a class's shared folder."""
        folder = default_folder() if directory is None else Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(self.student)
        path.write_text(json.dumps(self.record(), indent=1, ensure_ascii=False), encoding="utf-8")
        return path

    def form(self) -> ExerciseForm:
        """The answer form: pick an exercise, type an answer, press Check, read the verdict
        (live: :func:`qopc_kit.teaching.widgets.exercise_form`; a stored notebook shows the
        task list instead, with no answer)."""
        return ExerciseForm(self)


def attempts_used(tries: list) -> int:
    """Attempts up to the first right answer (checks after it do not count), else all."""
    return next((number for number, (_, ok) in enumerate(tries, 1) if ok), len(tries))


def outcome(tries: list) -> str:
    """How an exercise ended: ``"ok"`` solved (right before the solution opened), ``"late"``
    right only after :data:`SOLUTION_AFTER` wrong answers had opened the solution (not
    solved), ``"x"`` only wrong answers, ``""`` not tried."""
    if not tries:
        return ""
    if not any(ok for _, ok in tries):
        return "x"
    return "late" if attempts_used(tries) > SOLUTION_AFTER else "ok"
