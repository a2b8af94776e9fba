"""The exercises' ipywidgets form (ipywidgets is imported only by this module)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets

if TYPE_CHECKING:
    from .exercises import ExerciseSet


def exercise_form(exercises: ExerciseSet) -> widgets.VBox:
    """An ipywidgets form: pick an exercise, type an answer, press Check, read the verdict.

    Every attempt is recorded in ``exercises``, as with :meth:`ExerciseSet.check`. The
    Solution button shows :meth:`ExerciseSet.solution`: the solution once it is open (a right
    answer, or ``SOLUTION_AFTER`` wrong ones), else what opens it.
    """
    pick = widgets.Dropdown(options=list(exercises.tasks), description="Exercise")
    question = widgets.HTML()
    answer = widgets.Text(placeholder="your answer")
    button = widgets.Button(description="Check", button_style="primary")
    reveal = widgets.Button(description="Solution")
    verdict = widgets.HTML()

    def show(_: object = None) -> None:
        question.value = f"<pre>{html.escape(exercises[pick.value].text())}</pre>"
        answer.value = verdict.value = ""

    def check(_: object) -> None:
        feedback = exercises.check(pick.value, answer.value)
        colour = "green" if feedback.correct else "#b00"
        verdict.value = f'<b style="color:{colour}">{html.escape(feedback.message)}</b>'

    def solution(_: object) -> None:
        verdict.value = f"<i>{html.escape(exercises.solution(pick.value))}</i>"

    pick.observe(show, names="value")
    button.on_click(check)
    reveal.on_click(solution)
    show()
    return widgets.VBox([pick, question, widgets.HBox([answer, button, reveal]), verdict])


