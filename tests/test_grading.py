"""The teacher's side: saved files regraded from the name's seed, flags, CSV, the commands."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest

from qopc_kit import ArgumentError
from qopc_kit.teaching.__main__ import main
from qopc_kit.teaching.exercises import (
    SOLUTION_AFTER,
    ExerciseSet,
    answer_key,
    default_student,
    file_name,
    format_answer,
    normalise_name,
    seed_for,
)
from qopc_kit.teaching.grading import (
    FORGED,
    display_width,
    grade_file,
    grades,
    grades_csv,
    teacher_view,
)


def _wrong(exercise) -> object:
    """A readable answer that is not the engine's (an independent pick, not a typed value)."""
    if exercise.kind == "choice":
        return next(c for c in exercise.choices if c != exercise.answer)
    if exercise.kind == "int":
        return exercise.answer + 1
    if exercise.kind == "blocks":
        return [*exercise.answer, 99]
    return str(exercise.answer) + "z"


def _row(table: str, student: str) -> list[str]:
    return next(line for line in table.splitlines() if line.startswith(student + " ")).split()


def _write(folder, name: str, record: dict) -> None:
    (folder / name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def test_the_saved_file_holds_the_normalised_name_and_raw_answers_only(tmp_path):
    """No verdict in the file: the name (NFKC, case-folded), raw answers and their counts."""
    ada = ExerciseSet("  ADA ")
    ada.check("1a", _wrong(answer_key(ada.student)["1a"]))
    ada.check("1a", answer_key(ada.student)["1a"].answer)
    record = json.loads(ada.save(tmp_path).read_text(encoding="utf-8"))
    assert record["student"] == "ada"
    assert record["attempts"]["1a"] == [format_answer("int", _wrong(answer_key(ada.student)["1a"])),
                                        format_answer("int", answer_key(ada.student)["1a"].answer)]
    assert record["counts"]["1a"] == 2 and record["counts"]["2a"] == 0
    assert "true" not in json.dumps(record["attempts"]).lower()


def test_a_forged_file_is_regraded_to_its_real_score_and_flagged(tmp_path):
    """("whatever", True) on every exercise, in the old [answer, verdict] form: regraded 0,
    flagged; an old file whose verdicts are right still loads, unflagged."""
    keys = list(ExerciseSet("mallory").tasks)
    _write(tmp_path, "mallory.json", {"student": "mallory",
                                      "attempts": {k: [["whatever", True]] for k in keys}})
    honest = ExerciseSet("ada")
    honest.check("2b", answer_key(honest.student)["2b"].answer)
    honest.check("3a", _wrong(answer_key(honest.student)["3a"]))
    _write(tmp_path, "ada.json", {"student": "ada", "seed": honest.seed, "attempts": {
        k: [list(t) for t in tries] for k, tries in honest.attempts.items()}})
    table = teacher_view(tmp_path)
    assert _row(table, "mallory")[-1] == f"0/{len(keys)}"
    assert _row(table, "mallory")[1:-1] == ["x(1)"] * len(keys)
    assert f"mallory (mallory.json): {FORGED}" in table
    assert _row(table, "ada")[-1] == f"1/{len(keys)}"
    assert not next(g.flags for g in grades(tmp_path) if g.student == "ada")


def test_an_edited_seed_or_count_is_flagged(tmp_path):
    """A file's seed and counts are checked against the name and the answers."""
    _write(tmp_path, "bob.json", {"student": "bob", "seed": seed_for("bob") + 1,
                                  "attempts": {"1a": ["3"]}, "counts": {"1a": 5}})
    (flags,) = [g.flags for g in grades(tmp_path)]
    assert "the seed is not the name's" in flags
    assert "attempt counts differ from the answers saved" in flags


def test_a_name_in_two_files_is_flagged(tmp_path):
    """"Marie Curie" and a hand-written "marie curie" are one student: both rows flagged."""
    marie = ExerciseSet("Marie Curie")
    marie.check("1a", answer_key(marie.student)["1a"].answer)
    marie.save(tmp_path)
    _write(tmp_path, "marie.json", {"student": "marie curie", "attempts": {"1a": ["0"]}})
    rows = grades(tmp_path)
    assert [g.student for g in rows] == ["marie curie", "marie curie"]
    assert all("name in 2 files" in g.flags for g in rows)
    assert "file name is not the name's" in " ".join(rows[0].flags + rows[1].flags)
    assert sorted(g.solved for g in rows) == [0, 1]


def test_a_japanese_name_keeps_a_readable_file_name_and_aligned_columns(tmp_path):
    """マリー saves as マリー.json; the table's columns line up in display width."""
    marie = ExerciseSet("マリー")
    marie.check("1a", answer_key(marie.student)["1a"].answer)
    assert marie.save(tmp_path).name == "マリー.json"
    ExerciseSet("ada").save(tmp_path)
    ExerciseSet("キュリー・マリー").save(tmp_path)  # the dot is not a letter: a hash is added
    assert file_name("キュリー・マリー").startswith("キュリー_マリー-")
    lines = teacher_view(tmp_path, answers=False).splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["ada", "キュリー・マリー", "マリー"]

    def end_of_column(line: str, column: int) -> int:  # in display width
        words = line.split()
        at = 0
        for word in words[:column + 1]:
            at = line.index(word, at) + len(word)
        return display_width(line[:at])

    for column in (1, 2, len(ExerciseSet(0).tasks)):
        assert len({end_of_column(line, column) for line in lines[:4]}) == 1, lines[:4]
    assert len({display_width(line) for line in lines[1:4]}) == 1
    assert display_width("マリー") == 6 and display_width("ada") == 3


def test_nfkc_and_case_make_one_student():
    """Full-width ＡＤＡ is ada: the same name, seed, scenarios and file."""
    assert normalise_name("ＡＤＡ") == normalise_name(" ada ") == "ada"
    assert seed_for("ＡＤＡ") == seed_for("ada")
    assert ExerciseSet("ＡＤＡ").text() == ExerciseSet("ada").text()
    assert file_name("ＡＤＡ") == "ada.json"
    assert unicodedata.normalize("NFKC", "ＡＤＡ") != "ＡＤＡ"  # the case is a real one
    with pytest.raises(ArgumentError, match="a student is a name"):
        normalise_name("   ")


def test_unsafe_names_get_a_hash_and_never_share_a_file():
    """Slashes, dots and spaces are replaced, then a hash of the name keeps files apart."""
    names = ["a/b", "a_b", "a b", "../x", "."]
    files = [file_name(n) for n in names]
    assert len(set(files)) == len(names) and files[1] == "a_b.json"
    assert all("/" not in f and not f.startswith(".") for f in files)


def test_csv_export_holds_the_regraded_grades(tmp_path):
    """One row per file: the regraded solved count, attempts and each exercise."""
    ada, bob = ExerciseSet("ada"), ExerciseSet("bob")
    ada.check("1a", answer_key(ada.student)["1a"].answer)
    bob.check("2a", _wrong(answer_key(bob.student)["2a"]))
    bob.check("2a", answer_key(bob.student)["2a"].answer)
    bob.check("5b", _wrong(answer_key(bob.student)["5b"]))
    for student in (ada, bob):
        student.save(tmp_path)
    rows = list(csv.DictReader(io.StringIO(grades_csv(tmp_path))))
    assert [r["student"] for r in rows] == ["ada", "bob"]
    by = {r["student"]: r for r in rows}
    total = str(len(ada.tasks))
    assert (by["ada"]["solved"], by["ada"]["exercises"], by["ada"]["attempts"]) == ("1", total, "1")
    assert (by["bob"]["solved"], by["bob"]["attempts"]) == ("1", "3")
    assert (by["bob"]["2a"], by["bob"]["2a attempts"]) == ("1", "2")
    assert (by["bob"]["5b"], by["bob"]["5b attempts"], by["bob"]["1a"]) == ("0", "1", "")
    assert by["ada"]["flags"] == by["bob"]["flags"] == ""


def test_student_defaults_to_the_hub_login(monkeypatch):
    """JUPYTERHUB_USER when set, else the fallback."""
    monkeypatch.setenv("JUPYTERHUB_USER", "grace")
    assert default_student() == "grace"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert default_student() == "guest" and default_student("me") == "me"


def test_resuming_keeps_the_saved_attempts(tmp_path):
    """Re-running the first cell (a new set with the folder) keeps the attempts, judged again."""
    first = ExerciseSet("ada", folder=tmp_path)
    assert all(not tries for tries in first.attempts.values())
    first.check("1a", _wrong(answer_key(first.student)["1a"]))
    first.check("1a", answer_key(first.student)["1a"].answer)
    first.check("4b", _wrong(answer_key(first.student)["4b"]))
    first.save(tmp_path)
    again = ExerciseSet.load(tmp_path, "Ada")
    assert again.attempts == first.attempts
    assert again.score() == first.score().replace("ada", "Ada")
    again.check("4b", answer_key(again.student)["4b"].answer)
    assert [ok for _, ok in again.attempts["4b"]] == [False, True]


def test_resuming_an_old_file_ignores_its_verdicts(tmp_path):
    """An [answer, verdict] file of an older version loads; each answer is judged again."""
    ada = ExerciseSet("ada")
    _write(tmp_path, "ada.json", {"student": "ada", "attempts": {
        "1a": [["whatever", True], [format_answer("int", answer_key(ada.student)["1a"].answer), False]],
        "4b": [[format_answer("blocks", answer_key(ada.student)["4b"].answer), False]]}})
    resumed = ExerciseSet.load(tmp_path, "ada")
    assert resumed.attempts["1a"] == [("whatever", False),
                                      (format_answer("int", answer_key(ada.student)["1a"].answer), True)]
    assert resumed.attempts["4b"] == [(format_answer("blocks", answer_key(ada.student)["4b"].answer), True)]
    assert resumed.score() == "ada: 2/13 solved in 3 attempt(s)".replace(
        "13", str(len(ada.tasks)))


def test_a_broken_file_is_refused_by_name(tmp_path):
    """A student's own file that is not JSON stops their set, naming the file; one file
    alone that is not a saved set is refused by grade_file, naming the file."""
    (tmp_path / "ada.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArgumentError, match="cannot read the saved answers"):
        ExerciseSet("ada", folder=tmp_path)
    with pytest.raises(ArgumentError, match=r"ada\.json"):
        grade_file(tmp_path / "ada.json")
    _write(tmp_path, "ada.json", {"name": "ada"})
    with pytest.raises(ArgumentError, match=r"ada\.json: not a saved answers file \(no "
                                            r"'student' field\)"):
        grade_file(tmp_path / "ada.json")


BAD_FILES = {"a_broken.json": "{not json", "b_list.json": "[]",
             "c_number.json": '{"student": 5}'}


def _class_with_bad_files(folder) -> ExerciseSet:
    """ada's saved answers (one solved), and three files that are not saved answers."""
    ada = ExerciseSet("ada")
    ada.check("1a", answer_key(ada.student)["1a"].answer)
    ada.save(folder)
    for name, text in BAD_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return ada


def test_bad_files_are_listed_and_the_others_graded(tmp_path):
    """`{not json`, `[]` and `{"student": 5}` do not stop the class: ada is graded, each bad
    file has one line under the table saying why, and a flagged row in the CSV."""
    ada = _class_with_bad_files(tmp_path)
    table = teacher_view(tmp_path)
    lines = table.splitlines()
    assert _row(table, "ada")[-1] == f"1/{len(ada.tasks)}"
    at = lines.index("not graded (3 file(s) that are not saved answers):")
    assert lines.index(next(line for line in lines if line.startswith("legend:"))) < at
    listed = lines[at + 1:at + 4]
    assert [line.split(":")[0].strip() for line in listed] == list(BAD_FILES)
    assert "cannot read" in listed[0] and "list" in listed[1] and "'attempts'" in listed[2]
    assert not any(name in line for line in lines[1:at] for name in BAD_FILES)
    rows = list(csv.DictReader(io.StringIO(grades_csv(tmp_path))))
    assert [r["file"] for r in rows] == sorted([*BAD_FILES, "ada.json"])
    by_file = {r["file"]: r for r in rows}
    for name in BAD_FILES:
        row = by_file.pop(name)
        assert row["student"] == row["solved"] == "" and row["flags"].startswith("not graded: ")
    assert [(r["student"], r["solved"], r["flags"]) for r in by_file.values()] == [("ada", "1", "")]


def test_the_grade_command_exits_1_when_a_file_is_bad(tmp_path, capsys):
    """The table is printed and the CSV written; the status is 1, then 0 once they are gone."""
    _class_with_bad_files(tmp_path / "class")
    out = tmp_path / "grades.csv"
    assert main(["grade", str(tmp_path / "class"), "--csv", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "ada " in printed and "c_number.json" in printed and out.is_file()
    for name in BAD_FILES:
        (tmp_path / "class" / name).unlink()
    assert main(["grade", str(tmp_path / "class")]) == 0
    capsys.readouterr()
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "x.json").write_text("[]", encoding="utf-8")
    assert main(["grade", str(only_bad)]) == 1
    assert capsys.readouterr().out.startswith("no file could be graded:\n  x.json: ")


def test_the_grade_command_prints_the_table_and_writes_csv(tmp_path, capsys):
    """python -m qopc_kit.teaching grade DIR --csv OUT; a missing folder exits 2."""
    ada = ExerciseSet("ada")
    ada.check("1a", answer_key(ada.student)["1a"].answer)
    ada.save(tmp_path / "class")
    out = tmp_path / "grades.csv"
    assert main(["grade", str(tmp_path / "class"), "--csv", str(out)]) == 0
    assert capsys.readouterr().out.startswith(teacher_view(tmp_path / "class"))
    assert out.read_text(encoding="utf-8") == grades_csv(tmp_path / "class")
    assert main(["grade", str(tmp_path / "nowhere")]) == 2
    assert "no folder" in capsys.readouterr().err


def test_the_key_command_prints_each_students_solutions(capsys):
    """The answer key comes from the seed of each name given."""
    assert main(["key", "ada", "ＢＯＢ"]) == 0
    printed = capsys.readouterr().out
    for name in ("ada", "bob"):
        exercises = ExerciseSet(name)
        assert f"{name} (seed {exercises.seed})" in printed
        assert all(ex.solution() in printed for ex in answer_key(name).values())


def test_qopc_teacher_runs_the_teaching_commands(capsys):
    """``qopc teacher key NAME`` is ``python -m qopc_kit.teaching key NAME``."""
    from qopc_kit.shell import cli

    assert cli.main(["teacher", "key", "ada"]) == 0
    via_qopc = capsys.readouterr().out
    assert main(["key", "ada"]) == 0
    assert via_qopc == capsys.readouterr().out and "ada (seed" in via_qopc


def _late(exercise) -> list[object]:
    """SOLUTION_AFTER wrong answers, then the right one (given once the solution is open)."""
    return [_wrong(exercise)] * SOLUTION_AFTER + [exercise.answer]


def test_a_right_answer_after_the_solution_opened_is_not_solved(tmp_path):
    """Three wrong, the solution opens, then the right answer: the student's score, the
    table (its own mark, in the legend) and the CSV (0) do not count it as solved."""
    ada = ExerciseSet("ada")
    key = answer_key(ada.student)
    for given in _late(key["2a"]):
        feedback = ada.check("2a", given)
    assert feedback.correct and "does not count as solved" in feedback.message
    ada.check("3a", key["3a"].answer)
    assert ada.score() == (f"ada: 1/{len(ada.tasks)} solved in {SOLUTION_AFTER + 2} attempt(s); "
                           "1 right only after the solution had opened (not solved)")
    ada.save(tmp_path)
    table = teacher_view(tmp_path)
    keys = list(ada.tasks)
    row = _row(table, "ada")
    assert row[1 + keys.index("2a")] == f"so({SOLUTION_AFTER + 1})"
    assert row[1 + keys.index("3a")] == "ok(1)" and row[-1] == f"1/{len(keys)}"
    assert "so(n) right at attempt n, after 3 wrong answers had opened the solution: " \
        "not solved" in table
    (csv_row,) = csv.DictReader(io.StringIO(grades_csv(tmp_path)))
    assert (csv_row["2a"], csv_row["2a attempts"], csv_row["solved"]) == \
        ("0", str(SOLUTION_AFTER + 1), "1")
    right_in_time = ExerciseSet("bob")
    for given in _late(answer_key("bob")["2a"])[1:]:  # two wrong, then right: solved
        right_in_time.check("2a", given)
    assert right_in_time.score().startswith(f"bob: 1/{len(keys)} solved")


def test_a_forged_verdict_cannot_hide_a_late_answer(tmp_path):
    """A file claiming every attempt right is regraded from its raw answers: still late."""
    key = answer_key("eve")["2a"]
    raw = [format_answer(key.kind, given) for given in _late(key)]
    _write(tmp_path, "eve.json", {"student": "eve", "seed": seed_for("eve"),
                                  "attempts": {"2a": [[r, True] for r in raw]}})
    (grade,) = grades(tmp_path)
    assert grade.cell("2a") == f"so({SOLUTION_AFTER + 1})" and grade.solved == 0
    assert FORGED in grade.flags
