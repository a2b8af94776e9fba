"""Predict, then reveal: a checked question in front of a result the engine already computed.

The lesson cell runs its commands first (so later cells see the same array whatever the
student clicks), captures what they printed or drew, and hands it to :func:`predict` with a
question. The result stays folded until the student has answered:

- a right answer opens it;
- after ``MAX_WRONG`` wrong answers it opens with the explanation;
- after one counted wrong answer, "I give up, show me" opens it.

Unreadable answers (an empty box, letters where a number was asked) use no attempt.
In a stored notebook or a static render (nbconvert, GitHub) the widget state is not saved,
so the cell shows its static fallback: the question and a *closed* ``<details>`` block in
HTML, the question alone in plain text. The result is never shown in the open.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from .model import Exercise, Feedback, letter, lettered

MAX_WRONG = 3
SUMMARY = "Show what happened"


def _as_text(result: object) -> str:
    """The plain text of a result: a string as it is, else its text/plain repr."""
    if isinstance(result, str):
        return result
    try:
        return str(result)
    except Exception:
        return "(the result could not be printed)"


def _as_html(result: object) -> str:
    """The result as HTML: its own ``_repr_html_`` when it has one, else a <pre> of its text."""
    method = getattr(result, "_repr_html_", None)
    if callable(method):
        try:
            value = method()
            if isinstance(value, str):
                return value
        except Exception:
            pass
    return f"<pre>{html.escape(_as_text(result))}</pre>"


@dataclass
class Prediction:
    """One question and the folded result; records the attempts made on it."""

    exercise: Exercise
    result: object
    attempts: list[str] = field(default_factory=list)
    wrong: int = 0
    solved: bool = False
    gave_up: bool = False

    @property
    def revealed(self) -> bool:
        """True once the result may be shown."""
        return self.solved or self.gave_up or self.wrong >= MAX_WRONG

    def answer(self, given: object) -> Feedback:
        """Judge ``given``; a counted wrong answer moves towards the reveal."""
        try:
            feedback = self.exercise.judge(given)
        except Exception as exc:
            return Feedback(False, f"{self.exercise.key}: could not read that ({exc})",
                            counted=False)
        if feedback.counted:
            self.attempts.append(str(given))
        if feedback.correct:
            self.solved = True
        elif feedback.counted:
            self.wrong += 1
            if self.wrong >= MAX_WRONG:
                return Feedback(False, f"{feedback.message} {self.exercise.solution()}")
        return feedback

    def give_up(self) -> str:
        """Open the result after at least one counted attempt; say why not otherwise."""
        if not self.attempts:
            return "Make one prediction first: the point is to commit to an answer."
        self.gave_up = True
        return self.exercise.solution()

    def question_html(self) -> str:
        ex = self.exercise
        choices = "".join(f"<br>({letter(i)}) {html.escape(choice)}"
                          for i, choice in enumerate(ex.choices))
        if choices:
            choices = f"<br><i>choose one (its letter will do):</i>{choices}"
        return (f"<b>Predict ({html.escape(ex.key)}):</b> {html.escape(ex.question)}"
                f"{choices}")

    def static_html(self) -> str:
        """What a static page shows: the question, the result behind a closed <details>."""
        return (f"<div class='qopc-predict'><p>{self.question_html()}</p>"
                f"<details><summary>{SUMMARY} (after you have predicted)</summary>"
                f"{_as_html(self.result)}</details></div>")

    def static_text(self) -> str:
        """The plain-text fallback: the question only, never the result."""
        ex = self.exercise
        lines = [f"Predict ({ex.key}): {ex.question}"]
        if ex.choices:
            lines.append(f"  choose one (its letter will do): {lettered(ex.choices)}")
        lines.append("  [answer in the live notebook to see what happened; "
                     "check with .answer(...)]")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": self.static_text(),
                                  "text/html": self.static_html()}
        view = _widget_bundle(self)
        if view is not None:
            bundle.update(view)
        return bundle


def _widget_bundle(prediction: Prediction) -> dict[str, Any] | None:
    """The live widget's view mimebundle, or None where ipywidgets cannot run."""
    try:
        form = prediction_form(prediction)
        bundle = form._repr_mimebundle_()  # the widget's own view data
    except Exception:
        return None
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    if not isinstance(bundle, dict):
        return None
    return {k: v for k, v in bundle.items() if k == "application/vnd.jupyter.widget-view+json"}


def _fit(widgets: Any) -> Any:
    """A button's layout as wide as its whole label (the default 148 px cuts a long one),
    and never squeezed by the answer box beside it."""
    return widgets.Layout(width="auto", min_width="max-content", flex="0 0 auto")


def prediction_form(prediction: Prediction) -> Any:
    """The ipywidgets form: question, answer box, Check, I give up, and the folded result."""
    import ipywidgets as widgets

    question = widgets.HTML(prediction.question_html())
    box = widgets.Text(placeholder="your prediction")
    check = widgets.Button(description="Check", button_style="primary", layout=_fit(widgets))
    give_up = widgets.Button(description="I give up, show me", disabled=True,
                             layout=_fit(widgets))
    verdict = widgets.HTML()
    shown = widgets.HTML()
    fold = widgets.Accordion(children=[shown])
    fold.set_title(0, f"{SUMMARY} (opens when you have answered)")
    fold.selected_index = None

    def reveal() -> None:
        shown.value = _as_html(prediction.result)
        fold.set_title(0, SUMMARY)
        fold.selected_index = 0

    def on_check(_: object) -> None:
        feedback = prediction.answer(box.value)
        colour = "green" if feedback.correct else "#b00"
        verdict.value = f'<b style="color:{colour}">{html.escape(feedback.message)}</b>'
        give_up.disabled = not prediction.attempts or prediction.revealed
        if prediction.revealed:
            reveal()

    def on_give_up(_: object) -> None:
        verdict.value = f"<i>{html.escape(prediction.give_up())}</i>"
        if prediction.revealed:
            give_up.disabled = True
            reveal()

    check.on_click(on_check)
    give_up.on_click(on_give_up)
    return widgets.VBox([question, widgets.HBox([box, check, give_up]), verdict, fold])


def predict(exercise: Exercise, result: object) -> Prediction:
    """A question shown with ``result`` folded behind it until the student has answered."""
    return Prediction(exercise, result)
