"""The exercise form as a notebook cell shows it: the live ipywidgets form, and a static
fallback for a stored notebook or a page rendered without a kernel.

The fallback lists the tasks (exercise, lesson, question) as text and HTML; it holds no answer
and no solution, which exist only when the student's answer is judged.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .exercises import ExerciseSet

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LIVE_ONLY = "[the answer form runs in a live notebook: pick an exercise, type an answer, Check]"


class ExerciseForm:
    """An :class:`~.exercises.ExerciseSet`'s answer form: ``widget`` (built on first use)
    live, the task list when no widget can be shown."""

    def __init__(self, exercises: ExerciseSet) -> None:
        self.exercises = exercises
        self._widget: Any = None

    @property
    def widget(self) -> Any:
        """The ipywidgets form (:func:`qopc_kit.teaching.widgets.exercise_form`)."""
        if self._widget is None:
            from .widgets import exercise_form  # only the live form needs ipywidgets

            self._widget = exercise_form(self.exercises)
        return self._widget

    def static_text(self) -> str:
        """The plain-text fallback: one line per task, never an answer."""
        lines = [f"Exercise form for {self.exercises.student!r}: {len(self.exercises.tasks)} "
                 "exercises", LIVE_ONLY]
        lines += [f"  {task.key} ({task.lesson}): {task.question}"
                  for task in self.exercises.tasks.values()]
        return "\n".join(lines)

    def static_html(self) -> str:
        """The HTML fallback: the tasks as a table, never an answer."""
        rows = "".join(f"<tr><td>{html.escape(task.key)}</td><td>{html.escape(task.lesson)}"
                       f"</td><td>{html.escape(task.question)}</td></tr>"
                       for task in self.exercises.tasks.values())
        return (f"<div class='qopc-exercise-form'><p><b>Exercise form</b> for "
                f"{html.escape(str(self.exercises.student))}: <i>{html.escape(LIVE_ONLY)}"
                "</i></p><table><tr><th>exercise</th><th>lesson</th><th>question</th></tr>"
                f"{rows}</table></div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": self.static_text(),
                                  "text/html": self.static_html()}
        try:
            view = self.widget._repr_mimebundle_()
        except Exception:  # no ipywidgets, or no kernel to talk to: the fallback alone
            return bundle
        if isinstance(view, tuple):
            view = view[0]
        if isinstance(view, dict) and WIDGET_VIEW in view:
            bundle[WIDGET_VIEW] = view[WIDGET_VIEW]
        return bundle
