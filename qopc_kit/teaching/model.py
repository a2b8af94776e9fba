"""An exercise and its answers: the question, the expected answer, feedback on an attempt.

Answers are parsed by kind (a number, a text, a list of blocks or one of the choices), so
an attempt is judged on its meaning, not on how it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import numpy as np

from ..engine.errors import ArgumentError

KINDS = ("int", "text", "blocks", "choice")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct``, and the message to show."""

    correct: bool
    message: str
    counted: bool = True  # False when the answer could not be read (no attempt used)

    def __str__(self) -> str:
        return self.message


def likely_mistakes(answer: object, *mistakes: tuple[object, str]
                    ) -> tuple[tuple[object, str], ...]:
    """``mistakes`` as an Exercise takes them: one entry per wrong value (the messages of a
    repeated value joined), none equal to ``answer`` (a scenario's numbers can make a
    guess coincide with the answer, or two guesses with each other)."""
    merged: dict[object, list[str]] = {}
    for value, message in mistakes:
        if value != answer and message not in merged.setdefault(value, []):
            merged[value].append(message)
    return tuple((value, " Or: ".join(messages)) for value, messages in merged.items())


@dataclass(frozen=True)
class Exercise:
    """One predict-then-check task: a scenario, a question and the engine's answer."""

    key: str
    lesson: str
    setup: str
    question: str
    kind: str
    answer: object
    hint: str
    why: str
    choices: tuple[str, ...] = ()
    #: Likely wrong answers, each with the mistake that gives it (computed from the scenario).
    mistakes: tuple[tuple[object, str], ...] = ()
    #: The ids of the SPEC rules the exercise checks (see :mod:`.coverage`).
    rules: tuple[str, ...] = ()

    def task(self) -> Task:
        """What a student holds: the question without the answer or the solution."""
        return Task(self.key, self.lesson, self.setup, self.question, self.kind, self.hint,
                    self.choices)

    def text(self) -> str:
        """The task as plain text: lesson, scenario steps and question."""
        return self.task().text()

    def solution(self) -> str:
        """The answer with its explanation."""
        return f"Answer: {format_answer(self.kind, self.answer)}. {self.why}"

    def judge(self, given: object) -> Feedback:
        """Compare ``given`` with the answer; a wrong answer's message carries the hint."""
        try:
            value = parse_answer(self.kind, given, self.choices)
        except ArgumentError as exc:
            return Feedback(False, f"{self.key}: {exc}", counted=False)
        if value == self.answer:
            return Feedback(True, f"{self.key}: correct. {self.why}")
        said = format_answer(self.kind, value)
        for wrong, mistake in self.mistakes:
            if wrong == value and wrong != self.answer:
                return Feedback(False, f"{self.key}: not quite ({said}): {mistake}")
        return Feedback(False, f"{self.key}: not quite ({said}). Hint: {self.hint}")


@dataclass(frozen=True)
class Task:
    """An exercise as a student holds it: no answer, no solution (they are computed on
    demand from the student's seed, and the teacher regrades from the seed)."""

    key: str
    lesson: str
    setup: str
    question: str
    kind: str
    hint: str
    choices: tuple[str, ...] = ()

    def text(self) -> str:
        """The task as plain text: lesson, scenario steps and question."""
        lines = [f"Exercise {self.key} (lesson {self.lesson})", self.setup, f"Q: {self.question}"]
        if self.choices:
            lines.append(f"   choose one (its letter will do): {lettered(self.choices)}")
        return "\n".join(lines)


def parse_answer(kind: str, given: object, choices: tuple[str, ...] = ()) -> object:
    """Read an answer of ``kind`` the way students type it; raise ArgumentError if unreadable.

    An empty answer is unreadable (an empty block list is written ``none``).
    """
    if isinstance(given, str) and not given.strip():
        raise ArgumentError("type an answer first")
    if kind == "int":
        if isinstance(given, bool):
            raise ArgumentError("answer a whole number")
        if isinstance(given, (int, np.integer)):
            return int(given)
        if isinstance(given, str) and re.fullmatch(r"\s*\d+\s*", given):
            return int(given)
        raise ArgumentError(f"answer a whole number, not {given!r}")
    if kind == "text":
        if not isinstance(given, str):
            raise ArgumentError(f"answer the text a host reads, in quotes, not {given!r}")
        text = given.strip().strip("'\"")
        if re.fullmatch(r"\S( \S)+", text):  # "A B C D", as show() prints a volume
            text = text.replace(" ", "")
        return text
    if kind == "blocks":
        if isinstance(given, str):
            words = [w for w in re.split(r"[\s,;\[\]()]+", given) if w]
            if words in (["none"], ["-"]):
                words = []
            blocks: set[int] = set()
            for word in words:  # "4", or "6-7" as transcripts print a run of blocks
                run = re.fullmatch(r"(\d+)-(\d+)", word)
                if run and int(run[1]) <= int(run[2]):
                    blocks.update(range(int(run[1]), int(run[2]) + 1))
                elif word.isdigit():
                    blocks.add(int(word))
                else:
                    raise ArgumentError(f"answer block numbers like '1, 4, 5' or '4,6-7' "
                                        f"(or 'none'), not {given!r}")
            return tuple(sorted(blocks))
        if isinstance(given, Iterable) and all(
                isinstance(b, (int, np.integer)) and not isinstance(b, bool) for b in given):
            return tuple(sorted({int(b) for b in given}))
        raise ArgumentError(f"answer a list of block numbers, not {given!r}")
    if kind == "choice":
        return read_choice(given, choices)
    raise ArgumentError(f"unknown answer kind {kind!r} (kinds: {', '.join(KINDS)})")


def letter(index: int) -> str:
    """The letter of the choice at ``index`` (0 -> "a")."""
    return chr(ord("a") + index)


def lettered(choices: tuple[str, ...]) -> str:
    """The choices as a question shows them: "(a) first  (b) second ..."."""
    return "  ".join(f"({letter(i)}) {choice}" for i, choice in enumerate(choices))


#: Typographic quotes a keyboard or a word processor may give, read as plain ones.
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _plain(text: str) -> str:
    """Text as choices are compared: plain quotes, one space between words, case-folded."""
    return " ".join(text.translate(QUOTES).split()).casefold()


def _matching(wanted: str, choices: tuple[str, ...]) -> list[int]:
    """The choices ``wanted`` names by its words (a run of a choice's whole words, as
    "refused" or "32793") or as the start of the choice's text (three characters or more)."""
    words = re.findall(r"\w+", wanted)
    found = []
    for index, choice in enumerate(choices):
        text = _plain(choice)
        have = re.findall(r"\w+", text)
        run = bool(words) and any(have[i:i + len(words)] == words
                                  for i in range(len(have) - len(words) + 1))
        if run or (len(wanted) >= 3 and text.startswith(wanted)):
            found.append(index)
    return found


def read_choice(given: object, choices: tuple[str, ...]) -> str:
    """The choice ``given`` names: its exact text (any case, spacing or quote style), its
    letter ("b", "B", "(b)", "b)"), its number from 1, or words that match one choice only.
    Raises ArgumentError (listing the letters) when it names none or several."""
    if not choices:
        raise ArgumentError("this question has no choices to pick from")
    wanted = _plain(str(given))
    exact = [i for i, choice in enumerate(choices) if _plain(choice) == wanted]
    if exact:
        return choices[exact[0]]
    mark = re.fullmatch(r"\(?([a-z])[).]?", wanted)
    if mark:
        index = ord(mark[1]) - ord("a")
        if index < len(choices):
            return choices[index]
    by_words = _matching(wanted, choices)
    if wanted.isdecimal() and 1 <= int(wanted) <= len(choices):
        if len(by_words) == 1 and by_words[0] != int(wanted) - 1:
            by_words = sorted([int(wanted) - 1, by_words[0]])  # "5": choice (e), or "5%"?
        else:
            return choices[int(wanted) - 1]
    if len(by_words) == 1:
        return choices[by_words[0]]
    letters = ", ".join(f"({letter(i)})" for i in range(len(choices)))
    could = [f"({letter(i)})" for i in by_words]
    named = (f"it could be {', '.join(could[:-1])} or {could[-1]}; " if by_words
             else "it names none of the choices; ")
    raise ArgumentError(f"{given!r}: {named}answer one of the letters {letters}, "
                        "its number, or the choice's words")


def format_answer(kind: str, value: object) -> str:
    """An answer as the feedback and the solution print it."""
    if kind == "blocks":
        return "none" if not value else ", ".join(str(block) for block in cast("list[int]", value))
    if kind == "text":
        return f'"{value}"'
    return str(value)


