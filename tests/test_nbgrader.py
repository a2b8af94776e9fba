"""Lesson 9 as an nbgrader assignment: the source notebook, the graded student, and nbgrader's
own generate_assignment and autograde on submissions of three students."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qopc_kit import ArgumentError
from qopc_kit.shell.cli import main as qopc
from qopc_kit.teaching.exercises import answer_key
from qopc_kit.teaching.nbgrader import (
    WrongAnswer,
    check,
    graded_student,
    source_notebook,
    variable,
    write_source,
)

ASSIGNMENT = "lesson09"
ROOT = Path(__file__).resolve().parents[1]


def _wrong(exercise) -> object:
    """A readable answer that is not the engine's (an independent pick, not a typed value)."""
    if exercise.kind == "choice":
        return next(c for c in exercise.choices if c != exercise.answer)
    if exercise.kind == "int":
        return exercise.answer + 1
    if exercise.kind == "blocks":
        return [*exercise.answer, 99]
    return str(exercise.answer) + "z"


def _nbgrader(course: Path, *args: str, env: dict[str, str]) -> str:
    """Run nbgrader's command line with this interpreter in ``course``; its log."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_graded_student_is_the_hub_login_live_and_the_folder_when_autograding(tmp_path):
    """Live (and under `nbgrader validate`) the seed is the login's; under autograde it is
    the student of autograded/<student>/<assignment>, whatever the grader's own login."""
    assert graded_student(environ={"JUPYTERHUB_USER": "ada"}) == "ada"
    assert graded_student(environ={"JUPYTERHUB_USER": "ada",
                                   "NBGRADER_EXECUTION": "validate"}) == "ada"
    run = tmp_path / "autograded" / "bob" / ASSIGNMENT
    assert graded_student(run, {"JUPYTERHUB_USER": "teacher",
                                "NBGRADER_EXECUTION": "autograde"}) == "bob"
    with pytest.raises(ArgumentError, match="cannot tell which student"):
        graded_student(tmp_path / "submitted" / "bob" / ASSIGNMENT,
                       {"NBGRADER_EXECUTION": "autograde"})


def test_source_has_one_solution_and_test_pair_per_exercise():
    """Every exercise of the generators gets a question cell, a solution cell and a test cell
    worth a point; no cell holds an answer or an output."""
    cells = source_notebook()["cells"]
    keys = list(answer_key(0))
    solutions = [c for c in cells if c["metadata"]["nbgrader"]["solution"]]
    tests = [c for c in cells if c["metadata"]["nbgrader"]["grade"]]
    assert len(solutions) == len(tests) == len(keys)
    for key, solution, test in zip(keys, solutions, tests, strict=True):
        text = "".join(solution["source"])
        assert "### BEGIN SOLUTION" in text and "### END SOLUTION" in text
        assert f"answer_{variable(key)} = answer_key(STUDENT)[{key!r}]" in text
        assert "".join(test["source"]) == f"check({key!r}, answer_{variable(key)})"
        assert test["metadata"]["nbgrader"]["points"] == 1
        assert test["metadata"]["nbgrader"]["locked"]
    assert all(not c.get("outputs") for c in cells)
    assert len({c["id"] for c in cells}) == len(cells)


def test_check_passes_a_right_answer_and_fails_a_wrong_one(monkeypatch, capsys):
    """The test cell's check: the engine's answer passes, another raises with the hint."""
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for key, exercise in answer_key("ada").items():
        check(key, exercise.answer)
        assert f"{key}: correct" in capsys.readouterr().out
        with pytest.raises(WrongAnswer, match=f"^{key}: "):
            check(key, _wrong(exercise))
    with pytest.raises(ArgumentError, match="no exercise 'zz'"):
        check("zz", 1)


def test_write_source_keeps_an_edited_source(tmp_path, capsys):
    """`qopc teacher nbgrader DIR` writes the source and a config; an edited source is kept
    unless --force; a bad assignment name is refused."""
    assert qopc(["teacher", "nbgrader", str(tmp_path)]) == 0
    source = tmp_path / "source" / ASSIGNMENT / "exercises.ipynb"
    assert json.loads(source.read_text(encoding="utf-8")) == source_notebook()
    assert "c.CourseDirectory.course_id" in (tmp_path / "nbgrader_config.py").read_text()
    assert qopc(["teacher", "nbgrader", str(tmp_path)]) == 0  # the same text: rewritten
    source.write_text("{}", encoding="utf-8")
    assert qopc(["teacher", "nbgrader", str(tmp_path)]) == 2
    assert "exists and differs" in capsys.readouterr().err
    assert source.read_text(encoding="utf-8") == "{}"
    assert qopc(["teacher", "nbgrader", str(tmp_path), "--force"]) == 0
    with pytest.raises(ArgumentError, match="the assignment must be"):
        write_source(tmp_path, assignment="../x")


def _submit(course: Path, student: str, answers: dict[str, object | None]) -> None:
    """``student``'s submission: the released notebook with each answer cell set (None:
    left as released, unanswered)."""
    released = json.loads((course / "release" / ASSIGNMENT / "exercises.ipynb").read_text())
    for cell in released["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        key = next((k for k in answers if grade_id == f"answer-{variable(k)}"), None)
        if key is not None and answers[key] is not None:
            cell["source"] = f"answer_{variable(key)} = {answers[key]!r}"
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "exercises.ipynb").write_text(json.dumps(released), encoding="utf-8")


@pytest.mark.slow
def test_nbgrader_generates_and_autogrades_from_each_students_seed(tmp_path):
    """nbgrader validates the source, releases it without the solutions, and autogrades each
    submission from the seed of the student graded (not the grader's login): all right
    scores full marks, three wrong and one unanswered lose four points, and the right
    answers of one student submitted by another do not score full marks."""
    nbgrader = pytest.importorskip("nbgrader.api")
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "test-course"\n')
    assert qopc(["teacher", "nbgrader", str(course)]) == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTERHUB_USER": "the-teacher",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    assert shutil.which("alembic", path=env["PATH"]), "nbgrader runs alembic from PATH"
    source = f"source/{ASSIGNMENT}/exercises.ipynb"
    assert "Success! Your notebook passes all the tests." in _nbgrader(
        course, "validate", source, env=env)
    _nbgrader(course, "generate_assignment", ASSIGNMENT, env=env)
    released = (course / "release" / ASSIGNMENT / "exercises.ipynb").read_text()
    assert "answer_key" not in released and "BEGIN SOLUTION" not in released

    keys = list(answer_key(0))
    right = {key: ex.answer for key, ex in answer_key("alice").items()}
    bob = answer_key("bob")
    wrong = {key: (_wrong(bob[key]) if i < 3 else None if i == 3 else bob[key].answer)
             for i, key in enumerate(keys)}
    _submit(course, "alice", right)
    _submit(course, "bob", wrong)
    _submit(course, "carol", right)  # alice's answers under carol's seed
    _nbgrader(course, "autograde", ASSIGNMENT, "--create", env=env)

    with nbgrader.Gradebook(f"sqlite:///{course / 'gradebook.db'}",
                            course_id="test-course") as book:
        scores = {s: book.find_submission(ASSIGNMENT, s).score for s in ("alice", "bob", "carol")}
        total = book.find_assignment(ASSIGNMENT).max_score
    assert total == len(keys)
    assert scores["alice"] == len(keys)
    assert scores["bob"] == len(keys) - 4
    assert scores["carol"] < len(keys)
