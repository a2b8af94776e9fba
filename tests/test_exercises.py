"""The exercise checker: seeded scenarios, answers computed by the engine, hints, teacher view."""

from __future__ import annotations

import math
import re

import pytest

from qopc_kit import ArgumentError
from qopc_kit.teaching.exercises import (
    SOLUTION_AFTER,
    Exercise,
    ExerciseSet,
    Task,
    answer_key,
    format_answer,
    parse_answer,
    seed_for,
)
from qopc_kit.teaching.generators import GENERATORS
from qopc_kit.teaching.grading import teacher_view

STUDENTS = [*range(12), "ada", "Grace Hopper", "linus"]


def _writes(setup: str, volume: str) -> set[int]:
    """Blocks the scenario's steps write on ``volume`` (read back from its text)."""
    found: set[int] = set()
    for blocks in re.findall(rf"to ET001/{volume} blocks \[([\d, ]+)\]", setup):
        found |= {int(b) for b in blocks.split(",")}
    return found


def _number(pattern: str, text: str) -> int:
    return int(re.search(pattern, text).group(1))


def test_seed_is_stable_for_a_name():
    """A name gives the same seed whatever its case or spaces; a number is its own seed."""
    assert seed_for("Ada") == seed_for("  ada ")
    assert seed_for("ada") != seed_for("bob")
    assert seed_for(17) == 17


@pytest.mark.parametrize("student", ["", "   ", -1, True, 2.5])
def test_bad_student_is_refused(student):
    """An empty name, a negative number or another type is an ArgumentError."""
    with pytest.raises(ArgumentError, match="student"):
        seed_for(student)


def test_same_student_same_scenarios_others_differ():
    """A student always gets the same scenarios; two students get different ones."""
    assert ExerciseSet("ada").text() == ExerciseSet("ADA").text()
    assert ExerciseSet("ada").text() != ExerciseSet("linus").text()


@pytest.mark.parametrize("student", STUDENTS)
def test_every_answer_is_accepted_as_printed(student):
    """The solution's answer, typed back as printed, is judged correct for every exercise."""
    for exercise in answer_key(student).values():
        typed = format_answer(exercise.kind, exercise.answer)
        assert exercise.judge(typed).correct, exercise.text()


def test_every_lesson_has_an_exercise():
    """Lessons 1 to 8 each have at least one exercise (lesson 9 is the exercises)."""
    lessons = {ex.lesson[:2] for ex in answer_key("ada").values()}
    assert lessons == {f"0{n}" for n in range(1, 9)}


@pytest.mark.parametrize("student", STUDENTS)
def test_destination_reads_the_point_in_time_image(student):
    """2a: the destination reads the source's letters of the logical copy, whatever the
    source wrote since, plus its own writes."""
    exercise = answer_key(student)["2a"]
    letters = list(re.search(r'ET001/0x1 holds "([A-Z]+)"', exercise.setup).group(1))
    for block in _writes(exercise.setup, "0x6"):
        letters[block] = "d"
    assert exercise.answer == "".join(letters)
    assert exercise.answer not in exercise.setup  # not to be read off the printed steps


@pytest.mark.parametrize("student", STUDENTS)
def test_diff_queues_the_union_of_both_sides(student):
    """3a: Rest Block after -diff = blocks written on the source or on the destination."""
    exercise = answer_key(student)["3a"]
    union = _writes(exercise.setup, "0x1") | _writes(exercise.setup, "0x6")
    assert exercise.answer == len(union)


@pytest.mark.parametrize("student", STUDENTS)
def test_diff_ticks_round_up(student):
    """3b: the differential copy takes ceil(changed / copy rate) ticks."""
    exercise = answer_key(student)["3b"]
    rate = _number(r"copy rate (\d+)", exercise.setup)
    assert exercise.answer == math.ceil(len(_writes(exercise.setup, "0x1")) / rate)


@pytest.mark.parametrize("student", STUDENTS)
def test_rolled_back_blocks_are_the_destination_writes(student):
    """4b: the -diff rolls back exactly the blocks written on the destination."""
    exercise = answer_key(student)["4b"]
    assert set(exercise.answer) == _writes(exercise.setup, "0x6")


@pytest.mark.parametrize("student", STUDENTS)
def test_cancel_is_safe_only_after_the_copy(student):
    """5b: usable after cancel exactly when ticks x rate covered every block; a second
    cancel finds no session and is refused."""
    exercise = answer_key(student)["5b"]
    blocks = _number(r"\((\d+) one-byte blocks", exercise.setup)
    rate = _number(r"copy rate (\d+)", exercise.setup)
    ticks = _number(r"tick (\d+)", exercise.setup)
    if exercise.setup.count("acopc cancel") == 2:
        assert exercise.answer == "nothing: the cancel is refused"
    else:
        assert exercise.answer == ("a usable copy" if ticks * rate >= blocks
                                   else "an unusable copy (blocks missing)")


@pytest.mark.parametrize("student", STUDENTS)
def test_week_total_is_the_sum_of_changes(student):
    """8a: OPC copies the whole volume each day; QuickOPC the full first day plus each
    day's changed blocks: the saving is the difference."""
    exercise = answer_key(student)["8a"]
    changed = [int(n) for n in re.findall(r"day \d+: (\d+)", exercise.setup)]
    blocks = _number(r"A (\d+)-block volume", exercise.setup)
    assert exercise.answer == len(changed) * blocks - sum(changed)
    assert exercise.answer != sum(changed)


def test_wrong_answer_gets_the_hint_then_opens_the_solution():
    """A wrong answer shows the hint; after SOLUTION_AFTER wrong ones the solution opens."""
    exercises = ExerciseSet("ada")
    hint = exercises["3a"].hint
    wrong = answer_key("ada")["3a"].answer + 50  # no likely mistake: the hint
    for number in range(1, SOLUTION_AFTER + 1):
        feedback = exercises.check("3a", str(wrong))
        assert not feedback.correct and f"Hint: {hint}" in feedback.message
        assert ("solution is open" in feedback.message) == (number == SOLUTION_AFTER)
    right = exercises.check("3a", answer_key("ada")["3a"].answer)
    assert right.correct and right.message.startswith("3a: correct.")
    assert exercises.attempts["3a"] == [(str(wrong), False)] * SOLUTION_AFTER + [
        (str(wrong - 50), True)]


def test_a_student_holds_no_answer():
    """What an ExerciseSet keeps is tasks: no answer, no solution, no mistakes, anywhere."""
    exercises = ExerciseSet("ada")
    for key, exercise in answer_key("ada").items():
        task = exercises[key]
        assert isinstance(task, Task) and task.text() == exercise.text()
        assert not any(hasattr(task, name) for name in ("answer", "why", "mistakes",
                                                         "solution", "judge"))
    assert all(isinstance(value, (Task, dict, int, str, type(None)))
               for value in vars(exercises).values())
    assert not hasattr(exercises, "exercises")


@pytest.mark.parametrize("key", ["1a", "4b", "8a"])
def test_solution_opens_only_after_a_right_answer_or_enough_wrong_ones(key):
    """solution() refuses (saying what opens it, with nothing of the answer) until a right
    answer or SOLUTION_AFTER wrong attempts; then it gives the answer and why."""
    exercise = answer_key("ada")[key]
    solution = f"Solution to {key}: {exercise.solution()}"
    printed = format_answer(exercise.kind, exercise.answer)
    wrong = {"int": exercise.answer + 100 if isinstance(exercise.answer, int) else 0,
             "blocks": [99]}[exercise.kind]
    student = ExerciseSet("ada")
    for made in range(SOLUTION_AFTER):
        refusal = student.solution(key)
        assert refusal.startswith(f"The solution to {key} opens after a right answer or "
                                  f"after {SOLUTION_AFTER} wrong attempts (you have made {made})")
        assert exercise.why not in refusal and f" {printed}." not in refusal
        student.check(key, wrong)
    assert student.solution(key) == solution
    right = ExerciseSet("ada")
    right.check(key, printed)
    assert right.solution(key) == solution
    unread = ExerciseSet("ada")
    unread.check(key, "not an answer at all")  # unreadable: no attempt, still closed
    assert unread.solution(key).startswith("The solution to")


def test_unreadable_answer_costs_no_attempt():
    """An answer that cannot be read says the expected form and is not recorded."""
    exercises = ExerciseSet("ada")
    feedback = exercises.check("5a", "blocks one and two")
    assert not feedback.correct and not feedback.counted
    assert "answer block numbers like '1, 4, 5'" in feedback.message
    assert exercises.attempts["5a"] == []
    for key in ("2a", "3a", "5a", "6a"):
        empty = exercises.check(key, "  ")
        assert (empty.counted, empty.message) == (False, f"{key}: type an answer first")
    assert all(not tries for tries in exercises.attempts.values())


@pytest.mark.parametrize(("kind", "given", "expected"), [
    ("int", " 7 ", 7),
    ("blocks", "[3, 1; 2 2]", (1, 2, 3)),
    ("blocks", "none", ()),
    ("blocks", {4, 0}, (0, 4)),
    ("text", ' "AbC" ', "AbC"),
])
def test_answers_are_read_as_students_type_them(kind, given, expected):
    """Numbers, block lists and quoted text are read leniently."""
    assert parse_answer(kind, given) == expected


def test_choices_ignore_case_and_spaces():
    """A choice matches whatever its case and spacing; a word of one choice names it."""
    assert parse_answer("choice", " copying/tracking ", ("Copying/Tracking", "Tracking")) == \
        "Copying/Tracking"
    assert parse_answer("choice", "copying", ("Copying/Tracking", "Tracking")) == \
        "Copying/Tracking"
    assert parse_answer("choice", "tracking", ("Copying/Tracking", "Tracking")) == "Tracking"


REFUSALS = ("accepted", "refused: a session exists", "refused: Session does not exist (32793)",
            "refused: Phase is not correct (32794)", "the destination's image")


@pytest.mark.parametrize(("given", "index"), [
    ("c", 2), ("C", 2), ("(c)", 2), ("c)", 2), (" 3 ", 2), ("32793", 2),
    ("REFUSED:  session does NOT exist (32793)", 2), ("refused: sess", 2),
    ("accepted", 0), ("phase", 3), ("the destination\u2019s image", 4), ("e", 4),
])
def test_a_choice_is_named_by_letter_number_text_or_a_word_of_its_own(given, index):
    """The letter, the number from 1, the text (any case, spaces, curly quotes) or words
    that only one choice has all name that choice."""
    assert parse_answer("choice", given, REFUSALS) == REFUSALS[index]


@pytest.mark.parametrize(("given", "could"), [
    ("refused", "it could be (b), (c) or (d)"), ("f", "names none"), ("6", "names none"),
    ("session", "it could be (b) or (c)"), ("zebra", "names none"),
])
def test_an_ambiguous_or_unknown_choice_is_unreadable_and_lists_the_letters(given, could):
    """A word several choices share, or nothing a choice has, uses no attempt and says
    which letters to answer."""
    with pytest.raises(ArgumentError, match=r"\(a\), \(b\), \(c\), \(d\), \(e\)") as raised:
        parse_answer("choice", given, REFUSALS)
    assert could in str(raised.value)
    exercise = Exercise("zz", "00", "", "Which?", "choice", REFUSALS[2], "hint", "why",
                        choices=REFUSALS)
    assert exercise.judge(given).counted is False


def test_a_number_that_is_also_a_choices_word_is_ambiguous():
    """With "5%" among five choices, "5" could be choice 5 or "5%": unreadable; "16" (no
    sixteenth choice) is "16%", and the letters still work."""
    shares = ("5%", "16%", "25%", "50%", "100%")
    with pytest.raises(ArgumentError, match=r"it could be \(a\) or \(e\)"):
        parse_answer("choice", "5", shares)
    assert parse_answer("choice", "16", shares) == "16%"
    assert parse_answer("choice", "2", shares) == "16%"
    assert parse_answer("choice", "e", shares) == "100%"


def test_the_choices_are_shown_lettered():
    """Task.text, Exercise.text and the predict question show "(a) ... (b) ..."."""
    from qopc_kit.teaching.predict import predict

    exercise = Exercise("zz", "00", "", "Which?", "choice", REFUSALS[2], "hint", "why",
                        choices=REFUSALS)
    for text in (exercise.text(), exercise.task().text(), predict(exercise, "R").static_text()):
        assert "(a) accepted  (b) refused: a session exists  (c) refused: Session" in text
    assert "<br>(c) refused: Session does not exist (32793)" in \
        predict(exercise, "R").question_html()


def test_a_letter_answer_is_regraded_the_same(tmp_path):
    """A saved raw letter or word is judged again to the same choice by the teacher."""
    from qopc_kit.teaching.grading import regrade

    student = next(s for s in range(50) if answer_key(s)["6d"].choices)
    exercise = answer_key(student)["6d"]
    letter = "abcdefghi"[exercise.choices.index(exercise.answer)]
    mine = ExerciseSet(student)
    assert mine.check("6d", letter.upper()).correct
    grade = regrade({"student": str(student), "attempts": {"6d": [f"({letter})"]}})
    assert grade.tries["6d"] == [(f"({letter})", True)]
    assert regrade(mine.record()).tries["6d"] == [(exercise.answer, True)]


def test_teacher_view_from_sets_and_from_saved_files(tmp_path):
    """The teacher table shows each student's result per exercise, from memory or a folder."""
    ada, bob = ExerciseSet("ada"), ExerciseSet("bob")
    ada.check("1a", answer_key(ada.student)["1a"].answer)
    bob.check("1a", 99)
    bob.check("2b", answer_key(bob.student)["2b"].answer)
    table = teacher_view([ada, bob])
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["student", "1a", "2a"]
    assert lines[1].split()[:3] == ["ada", "ok(1)", "."]
    assert lines[2].split()[:4] == ["bob", "x(1)", ".", "ok(1)"]
    total = len(GENERATORS)
    assert lines[1].endswith(f"1/{total}") and lines[2].endswith(f"1/{total}")
    assert f"  bob: 1a: 99; 2b: {answer_key(bob.student)['2b'].answer}" in lines
    ada.save(tmp_path)
    bob.save(tmp_path)
    assert teacher_view(tmp_path) == table
    (tmp_path / "empty").mkdir()
    assert teacher_view(tmp_path / "empty") == "no answers yet"
    with pytest.raises(ArgumentError, match=r"no folder .*nowhere"):
        teacher_view(tmp_path / "nowhere")


def test_checks_after_the_right_answer_do_not_count_as_attempts():
    """ok(n) and the score count the attempts up to the first right answer only."""
    student = ExerciseSet("ada")
    student.check("1a", 99)
    for _ in range(3):  # the notebook re-run, or a wrong answer tried afterwards
        student.check("1a", answer_key(student.student)["1a"].answer)
    student.check("1a", 98)
    assert teacher_view([student]).splitlines()[1].split()[1] == "ok(2)"
    assert student.score() == f"ada: 1/{len(GENERATORS)} solved in 2 attempt(s)"


def test_a_student_number_typed_as_text_is_that_number(tmp_path):
    """"42" and 42 are one student; names that clean to one file name get two files."""
    assert ExerciseSet("42").seed == ExerciseSet(42).seed
    paths = {ExerciseSet(name).save(tmp_path).name for name in ("a/b", "a_b", "a b")}
    assert len(paths) == 3 and "a_b.json" in paths


def test_score_counts_solved_and_attempts():
    """The score line counts solved exercises and every attempt."""
    exercises = ExerciseSet(3)
    exercises.check("1a", 1)
    exercises.check("1a", answer_key(exercises.student)["1a"].answer)
    assert exercises.score() == f"3: 1/{len(GENERATORS)} solved in 2 attempt(s)"


def test_unknown_exercise_is_refused():
    """Asking for an exercise that does not exist names the ones that do."""
    with pytest.raises(ArgumentError, match=r"no exercise '9z' \(exercises: 1a, 2a"):
        ExerciseSet("ada")["9z"]


def test_form_gives_feedback_on_click():
    """The widget form judges the typed answer on Check and records the attempt."""
    pytest.importorskip("ipywidgets")
    exercises = ExerciseSet("ada")
    form = exercises.form()
    pick, question, row, verdict = form.widget.children
    answer, button, reveal = row.children
    pick.value = "4b"
    assert "Exercise 4b" in question.value
    reveal.click()
    assert "opens after a right answer" in verdict.value  # nothing tried yet: refused
    answer.value = "0"
    button.click()
    assert "Hint:" in verdict.value
    answer.value = format_answer("blocks", answer_key(exercises.student)["4b"].answer)
    button.click()
    assert "4b: correct." in verdict.value
    assert [ok for _, ok in exercises.attempts["4b"]] == [False, True]
    reveal.click()
    assert verdict.value.startswith("<i>Solution to 4b: Answer: ")


def test_the_form_has_a_static_fallback_without_answers():
    """Stored or rendered without a kernel, the form shows every task (text and HTML) and
    nothing of an answer; live, the widget's view comes with it."""
    pytest.importorskip("ipywidgets")
    exercises = ExerciseSet("ada")
    bundle = exercises.form()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    text, page = bundle["text/plain"], bundle["text/html"]
    assert not text.startswith("VBox(") and "live notebook" in text
    for key, exercise in answer_key("ada").items():
        assert f"  {key} ({exercise.lesson}): {exercise.question}" in text.splitlines()
        assert f"<td>{key}</td>" in page
        assert exercise.why not in text + page
        if exercise.kind in ("text", "blocks"):
            assert format_answer(exercise.kind, exercise.answer) not in text
    assert "Answer:" not in text + page and "<details" not in page


def test_hint_of_1a_guides_without_naming_the_states():
    """The tour's hint says where to count, not what: it names no state beyond the question's."""
    from qopc_kit import Copy
    from qopc_kit.engine.states import states_of

    hint = ExerciseSet("ada")["1a"].hint.lower()
    named = [s.label for s in states_of(Copy.QUICKOPC)
             if s.label != "No session" and s.label.lower() in hint]
    assert named == [], hint
    assert "diagram" in hint


@pytest.mark.parametrize(("kind", "given", "expected"), [
    ("blocks", "4,6-7", (4, 6, 7)),
    ("blocks", "0-2 5", (0, 1, 2, 5)),
    ("text", "A B C D", "ABCD"),
    ("text", "ABCD", "ABCD"),
])
def test_the_kits_own_formats_are_accepted(kind, given, expected):
    """Blocks as transcripts print them ("4,6-7") and a volume as show() prints it ("A B C D")."""
    assert parse_answer(kind, given) == expected


def test_a_likely_mistake_is_named():
    """An answer listed among an exercise's likely mistakes gets that diagnosis, not the hint."""
    from qopc_kit.teaching.model import Exercise
    exercise = Exercise("zz", "00", "", "How many?", "int", 5, "the hint", "why",
                        mistakes=((3, "you counted only the source-tracked blocks"),))
    assert "source-tracked" in exercise.judge("3").message
    assert "the hint" in exercise.judge("4").message
    assert exercise.task().text() == exercise.text() and not hasattr(exercise.task(), "answer")


VARIETY_SEEDS = range(400)


def _variety() -> tuple[dict[str, tuple[float, int, int]], list[tuple[str, int]]]:
    """Per exercise: the share of its most common answer over VARIETY_SEEDS, the number of
    distinct answers, and the number of choices (0: not multiple choice); and the (key,
    seed) of every text answer printed in its own task."""
    from collections import Counter

    answers: dict[str, Counter] = {}
    choices: dict[str, int] = {}
    readable: list[tuple[str, int]] = []
    for seed in VARIETY_SEEDS:
        for key, exercise in answer_key(seed).items():
            answers.setdefault(key, Counter())[repr(exercise.answer)] += 1
            choices[key] = len(exercise.choices)
            if exercise.kind == "text" and str(exercise.answer) in exercise.text():
                readable.append((key, seed))
    return ({key: (count.most_common(1)[0][1] / len(VARIETY_SEEDS), len(count), choices[key])
             for key, count in answers.items()}, readable)


def test_no_answer_is_shared_by_more_than_half_of_400_students():
    """Over seeds 0..399, for every exercise of GENERATORS: no answer is shared by more than
    half of them, a multiple-choice exercise offers at least four choices, and no text
    answer can be read off the printed task."""
    variety, readable = _variety()
    assert len(variety) == len(GENERATORS)
    assert len({make.__name__ for make in GENERATORS}) == len(GENERATORS)
    for key, (share, distinct, choices) in variety.items():
        assert share <= 0.5, (key, share)
        assert distinct >= 2, key
        if choices:
            assert choices >= 4, (key, choices)
    assert readable == []


@pytest.mark.parametrize("student", STUDENTS)
def test_likely_mistakes_are_wrong_and_named(student):
    """At least three exercises list likely mistakes; each is a wrong answer (never the
    engine's), readable as an answer, and its feedback names the mistake, not the hint."""
    key = answer_key(student)
    with_mistakes = [ex for ex in key.values() if ex.mistakes]
    assert len(with_mistakes) >= 3
    for exercise in with_mistakes:
        for wrong, _ in exercise.mistakes:
            if wrong == exercise.answer:
                continue  # this scenario makes that mistake harmless: it is judged right
            feedback = exercise.judge(format_answer(exercise.kind, wrong))
            assert not feedback.correct and feedback.counted
            first = next(m for w, m in exercise.mistakes if w == wrong)  # two may coincide
            assert feedback.message.endswith(first), feedback.message


def test_3a_names_the_source_only_count():
    """3a's classic mistake (counting only the source's writes) is diagnosed by name."""
    for seed in range(40):
        exercise = answer_key(seed)["3a"]
        source_only = len(_writes(exercise.setup, "0x1"))
        if source_only != exercise.answer:
            message = exercise.judge(str(source_only)).message
            assert "only the source-tracked blocks" in message
            return
    pytest.fail("no seed in 0..39 where the source-only count is wrong")


def test_no_scenario_prints_a_tick_that_does_nothing():
    """Over 300 names, no step says "tick 0" (a run with nothing to copy prints no step),
    and every "runs to the end of the copy" step took at least one tick."""
    for seed in range(300):
        name = f"student {seed}"
        for key, exercise in answer_key(name).items():
            assert not re.search(r"\btick 0\b", exercise.setup), (name, key, exercise.setup)
            for ticks in re.findall(r"tick (\d+) +\(the copier runs to the end", exercise.setup):
                assert int(ticks) > 0, (name, key)
    assert "tick 0" not in ExerciseSet("Ada Lovelace")["1a"].text()
