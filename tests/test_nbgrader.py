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
from tests.test_grading import _wrong

ASSIGNMENT = "lesson09"
ROOT = Path(__file__).resolve().parents[1]


# nbgrader's own Python API (NbGraderAPI, Validator) in one child process: one import of
# nbgrader instead of one per command. Prints per step whether it succeeded, then the scores.
DRIVER = """
import json, sys
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.validator import Validator

root, assignment, source, *students = sys.argv[1:]
out = {"validate": Validator().validate(source)}
api = NbGraderAPI(coursedir=CourseDirectory(root=root, course_id="test-course"))
out["generate"] = api.generate_assignment(assignment)
if out["generate"]["success"]:
    out["autograde"] = [api.autograde(assignment, student) for student in students]
    with Gradebook(f"sqlite:///{root}/gradebook.db", course_id="test-course") as book:
        out["max"] = book.find_assignment(assignment).max_score
        out["scores"] = {s: book.find_submission(assignment, s).score for s in students}
print(json.dumps(out, default=str))
"""


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
        assert "".join(test["source"]).endswith(f"\ncheck({key!r}, answer_{variable(key)})")
        assert "import check" in "".join(test["source"]), "not a name an answer cell can define"
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


def _submit(course: Path, student: str, answers: dict[str, object | None],
            before: str = "") -> None:
    """``student``'s submission: the released notebook with each answer cell set to
    ``before`` and ``answer_<key> = <answer>`` (None: left as released, unanswered)."""
    released = json.loads((course / "release" / ASSIGNMENT / "exercises.ipynb").read_text())
    for cell in released["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        key = next((k for k in answers if grade_id == f"answer-{variable(k)}"), None)
        if key is not None and answers[key] is not None:
            cell["source"] = f"{before}answer_{variable(key)} = {answers[key]!r}"
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "exercises.ipynb").write_text(json.dumps(released), encoding="utf-8")


def _release(course: Path, env: dict[str, str]) -> None:
    """nbgrader's generate_assignment alone (the release the submissions are made from)."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT],
                          cwd=course, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_nbgrader_generates_and_autogrades_from_each_students_seed(tmp_path):
    """nbgrader validates the source, releases it without the solutions, and autogrades each
    submission from the seed of the student graded (not the grader's login): all right
    scores full marks (alice's answers are wrong for most other seeds, the grader's login's
    included); three wrong and one unanswered lose four points, even under a `check` of
    the student's own that passes everything."""
    pytest.importorskip("nbgrader")
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "test-course"\n')
    assert qopc(["teacher", "nbgrader", str(course)]) == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTERHUB_USER": "the-teacher",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    assert shutil.which("alembic", path=env["PATH"]), "nbgrader runs alembic from PATH"
    _release(course, env)  # to make the submissions from (the driver releases it again)
    released = (course / "release" / ASSIGNMENT / "exercises.ipynb").read_text()
    assert "answer_key" not in released and "BEGIN SOLUTION" not in released

    keys = list(answer_key(0))
    right = {key: ex.answer for key, ex in answer_key("alice").items()}
    bob = answer_key("bob")
    wrong = {key: (_wrong(bob[key]) if i < 3 else None if i == 3 else bob[key].answer)
             for i, key in enumerate(keys)}
    _submit(course, "alice", right)
    _submit(course, "bob", wrong, before="def check(key, answer):  # passes everything\n"
                                          "    pass\n\n")
    done = subprocess.run([sys.executable, "-c", DRIVER, str(course), ASSIGNMENT,
                           str(course / "source" / ASSIGNMENT / "exercises.ipynb"),
                           "alice", "bob"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["validate"] == {}, out["validate"]  # no failed, changed or retyped cell
    assert out["generate"]["success"], out["generate"]
    assert all(run["success"] for run in out["autograde"]), out["autograde"]
    assert out["max"] == len(keys)
    assert out["scores"] == {"alice": len(keys), "bob": len(keys) - 4}
    the_teacher = answer_key("the-teacher")
    assert sum(the_teacher[k].judge(a).correct for k, a in right.items()) < len(keys) - 4
