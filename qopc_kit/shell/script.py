"""Scenario scripts: parse a whole script, run it into a transcript, export a history.

A script is lines of the shell language (see :mod:`qopc_kit.shell`). Every line is
parsed before the first runs, so a syntax error anywhere stops the script with its
line and column. A refused command is part of the transcript (``ERROR: ...``) unless
``strict``. :func:`to_script` turns ``array.history`` into a script that replays to
the identical state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..engine import errors
from ..engine.array import DiskArray
from ..engine.history import Action, Step
from .format import format_blocks
from .parse import CommandLine, ShellSyntaxError, parse_line, split_lines
from .run import execute

_NAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.\-]*")  # what -a and -g accept


class ScriptError(errors.QuickOPCError):
    """A refusal that stopped a ``strict`` run; ``line`` is its script line."""

    def __init__(self, message: str, line: int, transcript: Transcript,
                 code: int | None = None) -> None:
        self.line = line
        self.transcript = transcript
        super().__init__(f"line {line}: {message}", code=code)


@dataclass
class Transcript:
    """What a script printed: ``text`` (each command, then its output) and the ``array``.

    ``refusals`` lists (line, message) of every refused command.
    """

    array: DiskArray | None = None
    lines: list[str] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole transcript, ending with a newline."""
        return "".join(f"{line}\n" for line in self.lines)

    def __str__(self) -> str:
        return self.text


def parse_script(text: str) -> list[tuple[int, str, CommandLine | None]]:
    """Parse every line: (line number, line, CommandLine or None for blanks and comments).

    Lines end only at ``\\n``, ``\\r\\n`` or ``\\r``, so line numbers are an editor's.
    Raises ShellSyntaxError for the first bad line; its message lists every bad line.
    """
    parsed, problems = [], []
    for number, line in enumerate(split_lines(text), start=1):
        try:
            parsed.append((number, line, parse_line(line, number)))
        except ShellSyntaxError as problem:
            problems.append(problem)
    if problems:
        first = problems[0]
        more = "".join(f"\n{p}" for p in problems[1:])
        raise ShellSyntaxError(f"{first.reason}{more}", first.line, first.column)
    commands = [(n, c) for n, _, c in parsed if c is not None]
    for number, command in commands[1:]:
        if command.verb == "acarray":
            raise ShellSyntaxError("acarray add can only be the script's first command",
                                   number, 1 + len(command.text) - len(command.text.lstrip()))
    return parsed


class Console:
    """Runs lines one at a time on one array, created by a leading ``acarray add``.

    Without ``acarray add`` first, the array is ``DiskArray("ET001")``.
    """

    def __init__(self, array: DiskArray | None = None) -> None:
        self.array = array

    def run(self, command: CommandLine) -> str:
        """Run one parsed command; returns its output. Refusals raise, changing nothing."""
        if self.array is None:
            if command.verb == "acarray":
                args = command.args
                self.array = DiskArray(args["name"], copy_rate=args["copy_rate"],
                                       max_sessions=args["max_sessions"])
                return (f"Disk array {self.array.name}: copy rate {self.array.copy_rate}, "
                        f"up to {self.array.max_sessions} sessions per source")
            self.array = DiskArray("ET001")
        return execute(self.array, command)


def run_script(text: str, array: DiskArray | None = None, strict: bool = False) -> Transcript:
    """Run a script and return its Transcript (``.text``, ``.array``).

    Comments and blank lines are copied to the transcript; each command is printed
    after ``> `` and followed by its output. Raises ShellSyntaxError before running
    anything; with ``strict``, ScriptError at the first refusal.
    """
    parsed = parse_script(text)
    console = Console(array)
    transcript = Transcript(array)
    for number, line, command in parsed:
        if command is None:
            transcript.lines.append(line.rstrip())
            continue
        transcript.lines.append(f"> {line.strip()}")
        try:
            output = console.run(command)
        except ShellSyntaxError:
            raise
        except errors.QuickOPCError as refusal:
            transcript.array = console.array
            transcript.lines.append(f"ERROR: {refusal}")
            transcript.refusals.append((number, str(refusal)))
            if strict:
                raise ScriptError(str(refusal), number, transcript, refusal.code) from refusal
            continue
        transcript.array = console.array
        if output:
            transcript.lines += output.splitlines()
    if console.array is None:
        console.array = DiskArray("ET001")
    transcript.array = console.array
    return transcript


# Export -------------------------------------------------------------------------------------

def to_script(array: DiskArray) -> str:
    """``array.history`` as a script that replays (with :func:`run_script`) to the same state.

    Raises HistoryError when a step did not keep what it needs (the blocks and bytes
    of host I/O are not kept above the snapshot limit).
    """
    lines = [f"# qopc-kit session of {array.name}: {len(array.history) - 1} step(s)"]
    # Each group's pairs as the steps so far made them: a command on one pair names a group
    # that had the pair at that step (a group gets pairs later, never loses them).
    members: dict[str, list[str]] = {}
    for step in array.history:
        lines += _step_lines(array, step, members)
        if step.action == "add_copy_group":
            members[step.target] = list(step.args["pairs"])
        elif step.action == "add_pair":
            members[step.target].append(step.args["pair"])
    return "\n".join(lines) + "\n"


def _step_lines(array: DiskArray, step: Step, members: dict[str, list[str]]) -> list[str]:
    """The script lines that redo ``step`` (``members``: each group's pairs at that step)."""
    if step.action in _NAMED and not _NAME.fullmatch(step.target):
        raise errors.HistoryError(
            f"cannot export step {step.number}: the name {step.target!r} cannot be written in "
            "the shell language (use letters, digits, '_', '.' and '-', not first)")
    return _LINES[step.action](array, step, members)


def _command_line(array: DiskArray, step: Step, members: dict[str, list[str]]) -> list[str]:
    command, target = step.command, step.target
    assert command is not None  # a start or cancel step records its command
    option = f" {command.option}" if command.option else ""
    if target in members:
        return [f"acopc {command.verb} -g {target}{option}"]
    group = next((name for name, pairs in members.items() if target in pairs), None)
    if group is None:
        raise errors.HistoryError(f"cannot export step {step.number} ({step.action} on "
                                  f"{target}): no copy group had the pair at that step")
    return [f"acopc {command.verb} -g {group} -p {target}{option}"]


def _io_line(array: DiskArray, step: Step, members: dict[str, list[str]]) -> list[str]:
    blocks, target = step.args["blocks"], step.target
    if isinstance(blocks, int):
        raise errors.HistoryError(
            f"cannot export step {step.number} ({step.action} of {blocks} block(s) on "
            f"{target}): the array was too large to keep which blocks and bytes; "
            "DiskArray(snapshots=True) keeps them")
    where = format_blocks(blocks)
    if step.action is Action.READ:
        return [f"read {target} {where}"]
    return [f"write {target} {where} {_data_word(step.args['data'], len(blocks))}"]


_Lines = Callable[[DiskArray, Step, dict[str, list[str]]], list[str]]
_NAMED = (Action.CREATE, Action.ADD_COPY_GROUP, Action.ADD_PAIR)
#: Each action's script lines (a test checks that every Action has its entry).
_LINES: dict[Action, _Lines] = {
    Action.CREATE: lambda array, step, _: [
        f"acarray add -a {step.target} -copy-rate {step.args['copy_rate']} "
        f"-max-sessions {step.args['max_sessions']}"],
    Action.ADD_VOLUME: lambda array, step, _: [
        f"volume add 0x{step.args['number']:x} blocks {step.args['blocks']} "
        f"block-size {step.args['block_size']}"],
    Action.ADD_COPY_GROUP: lambda array, step, _: [
        f"acgroup create -g {step.target} -type QuickOPC -a {array.name}",
        *(f"acpair add -g {step.target} -p {pair}" for pair in step.args["pairs"])],
    Action.ADD_PAIR: lambda array, step, _: [
        f"acpair add -g {step.target} -p {step.args['pair']}"],
    Action.START: _command_line,
    Action.CANCEL: _command_line,
    Action.WRITE: _io_line,
    Action.READ: _io_line,
    Action.TICK: lambda array, step, _: [f"tick {step.args['n']}"],
    Action.COPY_RATE: lambda array, step, _: [f"copy-rate {step.args['rate']}"],
    Action.FAIL: lambda array, step, _: [f"fail {step.target}"],
}


def _data_word(data: bytes, count: int) -> str:
    """The shortest DATA word that writes exactly ``data`` to ``count`` blocks."""
    if count and len(set(data)) == 1:
        data = data[:1]  # one byte fills every block
    elif count > 1:
        rows = np.frombuffer(data, dtype=np.uint8).reshape(count, -1)
        if (rows == rows[0]).all():
            data = rows[0].tobytes()  # one block's worth is repeated
    text = data.decode("latin-1")
    if data and all(0x21 <= b <= 0x7E for b in data) and '"' not in text and (
            not text.startswith(("hex:", "#"))):
        return text
    return f"hex:{data.hex()}" if data else '""'
