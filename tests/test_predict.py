"""The predict-then-reveal control: the result stays folded until the student has answered."""

from __future__ import annotations

from qopc_kit.dashboard.panel import lesson_array
from qopc_kit.teaching.model import Exercise
from qopc_kit.teaching.predict import MAX_WRONG, predict


def _question() -> tuple[Exercise, str]:
    array = lesson_array(blocks=8, copy_rate=2)
    pair = array.pair("ET001/0x1:ET001/0x6")
    pair.start()
    rest = pair.rest_blocks
    result = f"Rest Block {rest} SECRET-RESULT"
    return Exercise("L02.1", "02", "", "Rest Block after start?", "int", rest,
                    "every block is queued", "a start queues all blocks"), result


def test_static_fallback_never_shows_the_result_in_the_open() -> None:
    exercise, result = _question()
    bundle = predict(exercise, result)._repr_mimebundle_()
    assert "SECRET-RESULT" not in bundle["text/plain"]
    html = bundle["text/html"]
    assert "<details>" in html and "<details open" not in html
    assert html.index("<details>") < html.index("SECRET-RESULT")


def test_reveal_after_right_or_wrong_or_giving_up() -> None:
    exercise, result = _question()
    right = predict(exercise, result)
    assert not right.revealed
    assert right.answer("").counted is False and not right.revealed
    assert right.answer(str(exercise.answer)).correct and right.revealed
    wrong = predict(exercise, result)
    for _ in range(MAX_WRONG - 1):
        wrong.answer("999")
    assert not wrong.revealed
    wrong.answer("999")
    assert wrong.revealed
    quitter = predict(exercise, result)
    assert "first" in quitter.give_up() and not quitter.revealed
    quitter.answer("999")
    quitter.give_up()
    assert quitter.revealed


def test_the_buttons_are_as_wide_as_their_labels() -> None:
    """"I give up, show me" is not cut to the default 148 px: each button fits its label."""
    from qopc_kit.teaching.predict import prediction_form

    exercise, result = _question()
    form = prediction_form(predict(exercise, result))
    buttons = form.children[1].children[1:]
    assert [b.description for b in buttons] == ["Check", "I give up, show me"]
    for button in buttons:
        assert (button.layout.width, button.layout.min_width) == ("auto", "max-content")
        assert button.layout.flex == "0 0 auto"
