"""Lesson 9 as an nbgrader assignment: the source notebook, and what its cells call.

:func:`write_source` writes ``<course>/source/<assignment>/<name>.ipynb``, an nbgrader
*source* notebook: per exercise a read-only cell that prints the question, a solution cell
(the student's prediction) and an autograded test cell. Nothing in the file depends on a
student: every question is printed at run time from the seed of :func:`graded_student`, and
every test cell judges the answer with the engine's answer for that same student. The
solution region of the source computes the answer from the key, so ``nbgrader validate``
passes on the source; ``nbgrader generate_assignment`` strips it from the released copy.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..engine.errors import ArgumentError
from .exercises import HUB_USER, answer_key
from .model import Exercise

__all__ = ["WrongAnswer", "check", "graded_student", "question", "source_notebook",
           "variable", "write_config", "write_source"]

#: The folder ``nbgrader autograde`` runs a submission in (nbgrader's default name).
AUTOGRADED = "autograded"

#: How a prediction of each kind is written in a solution cell.
KIND_EXAMPLES = {
    "int": "a whole number, e.g. 5",
    "text": 'the text a host reads, in quotes, e.g. "ABCD"',
    "blocks": 'block numbers, e.g. [1, 4] or "1, 4" (or "none")',
    "choice": "one of the choices, as text (in quotes)",
}


class WrongAnswer(AssertionError):
    """A test cell's verdict: the answer is not the engine's (nbgrader gives no points)."""


def graded_student(cwd: str | Path | None = None, environ: dict[str, str] | None = None) -> str:
    """The student whose seed the notebook uses: while nbgrader autogrades, the student
    being graded; otherwise the hub login (``JUPYTERHUB_USER``, as
    :func:`.exercises.default_student` reads it).

    Raises ArgumentError when nbgrader autogrades outside ``autograded/<student>/<assignment>``.
    """
    env = os.environ if environ is None else environ
    if env.get("NBGRADER_EXECUTION") != "autograde":
        # A live notebook, or `nbgrader validate` (NBGRADER_EXECUTION="validate"): the
        # student's own server, where the login is JUPYTERHUB_USER. Off a hub the fallback
        # is the user name nbgrader's exchange submits under (nbgrader.utils.get_username).
        return env.get(HUB_USER, "").strip() or _os_user()
    # `nbgrader autograde` runs on the teacher's server (JUPYTERHUB_USER is the teacher), so
    # the student is read from where the kernel runs. nbgrader 0.9 (converters/autograde.py,
    # Autograde.convert_single_notebook) sets NBGRADER_EXECUTION="autograde" and executes the
    # sanitised copy written to the build directory autograded/<student_id>/<assignment_id>/
    # (CourseDirectory.directory_structure, "{nbgrader_step}/{student_id}/{assignment_id}" by
    # default); nbconvert's Exporter.from_filename puts that file's folder in
    # resources["metadata"]["path"], which nbclient gives the kernel as its working
    # directory. The notebook's own name and JUPYTERHUB_USER say nothing of the student.
    folder = Path.cwd() if cwd is None else Path(cwd)
    if folder.parent.parent.name != AUTOGRADED or not folder.parent.name:
        raise ArgumentError(
            f"nbgrader is autograding in {str(folder)!r}, not in "
            f"{AUTOGRADED}/<student>/<assignment>: cannot tell which student is graded "
            "(keep nbgrader's default directory_structure)")
    return folder.parent.name


def _os_user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except (ImportError, KeyError, OSError):
        return "guest"


def _exercise(key: str, student: str | None) -> Exercise:
    exercises = answer_key(graded_student() if student is None else student)
    if key not in exercises:
        raise ArgumentError(f"no exercise {key!r} in this version of qopc-kit "
                            f"(exercises: {', '.join(exercises)}); write the source again")
    return exercises[key]


def question(key: str, student: str | None = None) -> None:
    """Print exercise ``key`` of the student (default :func:`graded_student`): the scenario,
    the question and how to write the answer, never the answer."""
    exercise = _exercise(key, student)
    print(exercise.task().text())
    print(f"Answer in the next cell: answer_{variable(key)} = "
          f"{KIND_EXAMPLES.get(exercise.kind, 'see the question')}")


def check(key: str, answer: object) -> None:
    """A test cell: judge ``answer`` to ``key`` with the engine's answer for the student
    being graded (always :func:`graded_student`, never a variable of the notebook).

    Prints the verdict and the explanation when right; raises :class:`WrongAnswer` with the
    hint (nothing of the answer) when wrong or unreadable.
    """
    feedback = _exercise(key, None).judge(answer)
    if not feedback.correct:
        raise WrongAnswer(feedback.message) from None
    print(feedback.message)


def variable(key: str) -> str:
    """The name part of an exercise's answer variable (``answer_1a``)."""
    return re.sub(r"\W", "_", key)


# The source notebook ------------------------------------------------------------------------
def _cell(kind: str, source: str, grade_id: str, *, solution: bool = False,
          points: int = 0) -> dict[str, object]:
    """One cell with nbgrader's metadata (schema 3): read-only unless a solution cell; an
    autograded test cell when ``points``."""
    nbgrader: dict[str, object] = {"grade": points > 0, "grade_id": grade_id,
                                   "locked": not solution, "schema_version": 3,
                                   "solution": solution, "task": False}
    if points:
        nbgrader["points"] = points
    cell: dict[str, object] = {"cell_type": kind, "id": grade_id,
                               "metadata": {"nbgrader": nbgrader},
                               "source": source.strip("\n").splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


INTRO = """# Lesson 9 as an assignment: predict, then check

Each exercise below gives a scenario of the QuickOPC engine and asks you to **predict** a
result. Your scenarios are drawn from a random generator seeded with your login, so your
neighbour's differ; the expected answers are computed by the kit's engine.

Run the notebook from the top. For each exercise read the question, write your prediction in
the answer cell (replace the two lines under the comment with `answer_... = your answer`),
then run the test cell under it: it says whether your prediction is right, with a hint when
it is not. Validate, then submit the notebook; it is graded with the same seed, one point per
exercise."""

SETUP = """from qopc_kit.teaching.nbgrader import graded_student, question

STUDENT = graded_student()  # your hub login (while nbgrader grades: the student graded)
print(f"Exercises for {STUDENT!r}")"""

OUTRO = """## Before you submit

Restart the kernel and run every cell (or press Validate): each test cell that passes is a
point. Your answers are graded again from your login's seed when the notebook is collected."""


def source_notebook(kernel: str = "python3") -> dict[str, object]:
    """Lesson 9's exercises as an nbgrader source notebook (a JSON-ready dict, nbformat 4.5),
    one question, solution and test cell per exercise of :data:`GENERATORS` (read from the
    generators, so a new exercise is in it)."""
    cells = [_cell("markdown", INTRO, "intro"), _cell("code", SETUP, "setup")]
    names: set[str] = set()
    for key in answer_key(0):  # the exercise ids are the same for every student
        name = variable(key)
        if name in names:
            raise ArgumentError(f"exercise ids {key!r} and another give one variable {name!r}")
        names.add(name)
        cells += [
            _cell("markdown", f"## Exercise {key}", f"title-{name}"),
            _cell("code", f"question({key!r})", f"question-{name}"),
            _cell("code", f"# Your prediction for {key}: answer_{name} = ... (the question "
                  f"says how to write it)\n### BEGIN SOLUTION\n"
                  f"from qopc_kit.teaching.exercises import answer_key\n\n"
                  f"answer_{name} = answer_key(STUDENT)[{key!r}].answer  # the engine's answer\n"
                  f"### END SOLUTION", f"answer-{name}", solution=True),
            # The test cell imports check itself: a name defined in an answer cell cannot
            # stand in for it (nbgrader restores a read-only cell's source, not its names).
            _cell("code", f"from qopc_kit.teaching.nbgrader import check\n\n"
                  f"check({key!r}, answer_{name})", f"test-{name}", points=1),
        ]
    cells.append(_cell("markdown", OUTRO, "outro"))
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": kernel, "display_name": kernel,
                                        "language": "python"},
                         "language_info": {"name": "python"}}}


def write_source(course: str | Path, assignment: str = "lesson09", name: str = "exercises",
                 kernel: str = "python3", force: bool = False) -> Path:
    """Write the source notebook to ``course/source/<assignment>/<name>.ipynb``; returns its
    path. Raises ArgumentError for a bad assignment or notebook name, or (unless ``force``) a
    source that exists and differs (a teacher's edits are not overwritten)."""
    for label, value in (("assignment", assignment), ("notebook name", name),
                         ("kernel", kernel)):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value):
            raise ArgumentError(f"the {label} must be letters, digits, '_', '-' or '.', "
                                f"starting with a letter or digit; got {value!r}")
    path = Path(course) / "source" / assignment / f"{name}.ipynb"
    text = json.dumps(source_notebook(kernel), indent=1, ensure_ascii=False) + "\n"
    if path.exists() and not force and path.read_text(encoding="utf-8") != text:
        raise ArgumentError(f"{str(path)!r} exists and differs (edited?): give --force to "
                            "overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ArgumentError(f"cannot write {str(path)!r}: {exc}") from exc
    return path


CONFIG = """# nbgrader's settings for this course folder (written by `qopc teacher nbgrader`, which
# never overwrites this file: edit it). Run the nbgrader commands from this folder.
c = get_config()  # noqa: F821 (nbgrader defines get_config when it reads this file)
c.CourseDirectory.course_id = {course_id!r}
"""


def write_config(course: str | Path, course_id: str = "qopc-kit") -> Path | None:
    """Write ``course/nbgrader_config.py`` with the course id when the folder has none;
    returns its path, or None when one exists (it is left as it is)."""
    path = Path(course) / "nbgrader_config.py"
    if path.exists():
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CONFIG.format(course_id=course_id), encoding="utf-8")
    except OSError as exc:
        raise ArgumentError(f"cannot write {str(path)!r}: {exc}") from exc
    return path
