"""The teacher's side: regrade saved answers from each name's seed, flag what looks wrong.

A saved file (:meth:`ExerciseSet.save`) is written by the student's own kernel, so nothing
in it is trusted but the raw answers: the name gives the seed, the seed rebuilds the
student's scenarios, the engine's answers judge every raw answer again. A verdict found in
a file (older files, or an edited one) is only compared with the regrade; a file whose
verdicts, counts or seed disagree is flagged, and so is a name found in two files.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import ArgumentError
from .exercises import (
    SOLUTION_AFTER,
    ExerciseSet,
    answer_key,
    attempts_used,
    file_name,
    normalise_name,
    outcome,
    read_attempts,
    seed_for,
)

__all__ = ["Grade", "display_width", "grade_file", "grades", "grades_csv", "regrade", "teacher_view"]

#: The table's mark of each :func:`outcome`, and the legend printed under it.
MARKS = {"ok": "ok", "late": "so", "x": "x"}
LEGEND = (f"ok(n) solved at attempt n; so(n) right at attempt n, after {SOLUTION_AFTER} wrong "
          "answers had opened the solution: not solved (0 in the CSV); x(n) n wrong "
          "attempts; . not tried")

FORGED = "verdicts differ from the regrade (forged, or saved by another version)"


@dataclass(frozen=True)
class Grade:
    """One file (or one set in memory), regraded: per exercise the regraded attempts."""

    student: str
    file: str
    tries: dict[str, list[tuple[str, bool]]]
    flags: tuple[str, ...]
    #: Why the file could not be graded ("" for a graded one): it is listed, not scored.
    problem: str = ""

    @property
    def solved(self) -> int:
        """Exercises answered right before their solution opened (see :func:`outcome`)."""
        return sum(outcome(tries) == "ok" for tries in self.tries.values())

    @property
    def used(self) -> int:
        return sum(attempts_used(tries) for tries in self.tries.values())

    def summary(self) -> str:
        """One line: the regraded score and the flags (no answer in it)."""
        total = len(exercise_keys())
        return (f"{self.student}: {self.solved}/{total} solved in {self.used} attempt(s), "
                f"regraded from the name's seed; flags: {'; '.join(self.flags) or 'none'}")

    def cell(self, key: str) -> str:
        """``ok(n)`` solved at attempt n, ``so(n)`` right at attempt n but after the solution
        opened (not solved), ``x(n)`` n wrong attempts, ``.`` not tried (see :data:`LEGEND`)."""
        tries = self.tries.get(key, [])
        end = outcome(tries)
        if not end:
            return "."
        return f"{MARKS[end]}({attempts_used(tries)})"


def regrade(record: dict, file: str = "") -> Grade:
    """Judge every raw answer of a saved ``record`` again, from the seed of its name."""
    try:
        student = normalise_name(record["student"])
        saved = {str(key): read_attempts(entries) for key, entries in
                 dict(record["attempts"]).items()}
    except KeyError as exc:
        raise ArgumentError(f"{file or 'a record'}: not a saved answers file (no {exc} "
                            "field)") from exc
    except (TypeError, ValueError, ArgumentError) as exc:
        raise ArgumentError(f"{file or 'a record'}: not a saved answers file ({exc})") from exc
    fresh = answer_key(student)
    flags: list[str] = []
    tries: dict[str, list[tuple[str, bool]]] = {}
    disagree = False
    for key, entries in saved.items():
        if key not in fresh:
            flags.append(f"unknown exercise {key!r}")
            continue
        judged = [(raw, fresh[key].judge(raw).correct) for raw, _ in entries]
        disagree |= any(said is not None and said != ok
                        for (_, said), (_, ok) in zip(entries, judged, strict=True))
        tries[key] = judged
    if disagree:
        flags.append(FORGED)
    counts = record.get("counts")
    if isinstance(counts, dict) and any(counts.get(k, len(t)) != len(t) for k, t in tries.items()):
        flags.append("attempt counts differ from the answers saved")
    if "seed" in record and record["seed"] != seed_for(student):
        flags.append("the seed is not the name's")
    if file and file != file_name(student):
        flags.append(f"file name is not the name's ({file_name(student)})")
    return Grade(student, file, tries, tuple(flags))


def grade_file(path: str | Path) -> Grade:
    """One saved file, regraded (what the teacher's table shows for that student)."""
    file = Path(path)
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArgumentError(f"cannot read {str(file)!r}: {exc}") from exc
    if not isinstance(record, dict):
        raise ArgumentError(f"{file.name}: not a saved answers file (it holds a "
                            f"{type(record).__name__}, not an object with a student)")
    return regrade(record, file.name)


def _graded_or_listed(path: Path) -> Grade:
    """A file of a class folder regraded, or (unreadable) a row that says why, one line."""
    try:
        return grade_file(path)
    except ArgumentError as exc:
        why = " ".join(str(exc).split())
        return Grade("", path.name, {}, (), why.removeprefix(f"{path.name}: "))


def grades(source: str | Path | Iterable[ExerciseSet]) -> list[Grade]:
    """Every saved file of a folder (or every set given), regraded, duplicates flagged; a
    file that cannot be read is kept as a row with its ``problem`` (the others are graded)."""
    if isinstance(source, (str, Path)):
        folder = Path(source)
        if not folder.is_dir():
            raise ArgumentError(f"no folder {str(source)!r}: give the folder the students "
                                "saved their answers to")
        found = [_graded_or_listed(path) for path in sorted(folder.glob("*.json"))]
    else:
        found = [regrade(s.record()) for s in source]
    seen = Counter(grade.student for grade in found if not grade.problem)
    return [Grade(g.student, g.file, g.tries, (*g.flags, f"name in {seen[g.student]} files"))
            if not g.problem and seen[g.student] > 1 else g for g in found]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two, marks none."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def exercise_keys() -> list[str]:
    """The exercise ids, in order (those of any student: the generators fix them)."""
    return list(ExerciseSet(0).tasks)


def teacher_view(source: str | Path | Iterable[ExerciseSet], answers: bool = True) -> str:
    """A class table, every answer regraded: per student and exercise ``ok(n)``, ``so(n)``,
    ``x(n)`` or ``.`` (:data:`LEGEND`), the exercises solved, the legend, then the flags and
    (``answers``) the answers given.

    ``source`` is a folder of saved files (:meth:`ExerciseSet.save`) or the sets themselves.
    """
    found = grades(source)
    if not found:
        return "no answers yet"
    rows = [g for g in found if not g.problem]
    bad = [f"  {g.file}: {g.problem}" for g in found if g.problem]
    if not rows:
        return "\n".join(["no file could be graded:", *bad])
    keys = exercise_keys()
    width = max(7, *(display_width(g.student) for g in rows))
    lines = [_pad("student", width) + "  " + " ".join(f"{k:>5}" for k in keys) + "  solved"]
    lines += [_pad(g.student, width) + "  " + " ".join(f"{g.cell(k):>5}" for k in keys)
              + f"  {g.solved}/{len(keys)}" for g in rows]
    lines.append(f"legend: {LEGEND}")
    if bad:
        lines += [f"not graded ({len(bad)} file(s) that are not saved answers):", *bad]
    flagged = [g for g in rows if g.flags]
    if flagged:
        lines.append("flags:")
        lines += [f"  {g.student} ({g.file or 'in memory'}): {'; '.join(g.flags)}"
                  for g in flagged]
    if answers:
        lines.append("answers given:")
        for g in rows:
            given = "; ".join(f"{k}: {' / '.join(raw for raw, _ in t)}"
                              for k, t in g.tries.items() if t)
            lines.append(f"  {g.student}: {given or '-'}")
    return "\n".join(lines)


def grades_csv(source: str | Path | Iterable[ExerciseSet]) -> str:
    """The regraded class as CSV: student, file, solved, exercises, attempts, flags, then per
    exercise 1/0 solved (empty: not tried; 0 for a right answer given once the solution
    was open) and the attempts used. A file that could not be read is a row with no student
    and no score, its flags saying "not graded: " and why."""
    keys = exercise_keys()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", "solved", "exercises", "attempts", "flags",
                     *(column for k in keys for column in (k, f"{k} attempts"))])
    for g in grades(source):
        if g.problem:
            writer.writerow(["", g.file, "", len(keys), "", f"not graded: {g.problem}",
                             *([""] * (2 * len(keys)))])
            continue
        cells: list[object] = []
        for k in keys:
            tries = g.tries.get(k, [])
            cells += ([int(outcome(tries) == "ok"), attempts_used(tries)] if tries
                      else ["", 0])
        writer.writerow([g.student, g.file, g.solved, len(keys), g.used, "; ".join(g.flags),
                         *cells])
    return out.getvalue()

