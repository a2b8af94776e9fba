"""IPython magics: ``%acopc start -g CG1`` and a ``%%qopc`` cell of shell lines.

Load with ``%load_ext qopc_kit.magics``. Both work on the notebook's current array:
the last one a ``%%qopc`` cell built, or one set with :func:`use` (``%%qopc ARRAY``
names a variable of the notebook instead). A cell whose first command is ``acarray
add`` builds a new array. ``%acopc`` returns the text it printed. A refused line shows
the array's message as the cell's error (no Python traceback) and fails the cell, so
"Run all" stops there; ``%%qopc --keep-going`` runs every line, as a transcript does.
"""

from __future__ import annotations

from typing import Any

from ..engine.array import DiskArray
from ..engine.errors import QuickOPCError
from .parse import parse_line
from .script import Console, ScriptError, parse_script, run_script

_current: dict[str, DiskArray] = {}


def use(array: DiskArray) -> None:
    """Make ``array`` the one ``%acopc`` and ``%%qopc`` work on."""
    if not isinstance(array, DiskArray):
        raise QuickOPCError(f"use() takes a DiskArray, not {type(array).__name__}")
    _current["array"] = array


def current() -> DiskArray | None:
    """The array the magics work on (None before the first)."""
    return _current.get("array")


def acopc_line(line: str) -> str:
    """What ``%acopc LINE`` prints: the command's output, or ``ERROR: ...``."""
    try:
        return run_acopc(line)
    except QuickOPCError as problem:
        return f"ERROR: {problem}"


def run_acopc(line: str) -> str:
    """Run one line on the current array and return its output; a refusal raises."""
    console = Console(current())
    try:
        command = parse_line(line)
        return "" if command is None else console.run(command)
    finally:
        if console.array is not None:
            use(console.array)


def qopc_cell(cell: str, array: DiskArray | None = None, keep_going: bool = True) -> str:
    """What a ``%%qopc`` cell prints: the transcript of its lines run as a script.

    Without ``keep_going`` the script stops at the first refusal (the transcript so far
    ends with its ``ERROR:`` line).
    """
    try:
        return run_qopc(cell, array, keep_going)
    except ScriptError as stop:
        return stop.transcript.text.rstrip("\n")
    except QuickOPCError as problem:
        return f"ERROR: {problem}"


def run_qopc(cell: str, array: DiskArray | None = None, keep_going: bool = True) -> str:
    """Run a cell as a script; return its transcript. Without ``keep_going``, ScriptError
    (with the transcript so far) at the first refusal; ShellSyntaxError before any line."""
    if array is None and not _starts_a_lab(cell):
        array = current()
    try:
        transcript = run_script(cell, array=array, strict=not keep_going)
    except ScriptError as stop:
        if stop.transcript.array is not None:
            use(stop.transcript.array)
        raise
    if transcript.array is not None:
        use(transcript.array)
    return transcript.text.rstrip("\n")


def _starts_a_lab(cell: str) -> bool:
    """True when the cell's first command is ``acarray add``: it builds a new array."""
    parsed = [command for _, _, command in parse_script(cell) if command is not None]
    return bool(parsed) and parsed[0].verb == "acarray"


class Output(str):
    """The text ``%acopc`` printed. IPython shows a line magic's value as the cell's
    result too: in the cell that printed it, that would repeat the text, so it is not
    displayed again there; elsewhere (``out`` in a later cell) it shows as plain text."""

    _printed_in: int | None = None

    def _ipython_display_(self) -> None:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
        if shell is not None and shell.execution_count == self._printed_in:
            return
        display({"text/plain": str(self)}, raw=True)


class CellError(Exception):
    """A refused line of a magic: IPython shows its message as the cell's error output,
    without a Python traceback, and the cell fails (so "Run all" stops)."""

    def _render_traceback_(self) -> list[str]:
        return [f"ERROR: {self}"]


ACOPC_DOC = """Run one line of the acopc shell on the notebook's current array.

    %acopc start -g CG1            acopc start|cancel|query, without the word acopc
    %acopc tick 2                  or any line of the shell (help lists them)
    out = %acopc query -g CG1      the value is the text printed

The array is the last one a %%qopc cell built (or qopc_kit.magics.use(array)).
A refused line shows the array's message as the cell's error and fails the cell
(no traceback), so "Run all" stops there; the array is unchanged.
"""

QOPC_DOC = """Run the cell's lines as a script of the acopc shell, printing its transcript.

    %%qopc                         on the current array (or a new one: see below)
    %%qopc ARRAY                   on the notebook's DiskArray variable ARRAY
    %%qopc --keep-going            run every line; a refusal is an ERROR line

A cell whose first command is `acarray add -a ET001` builds a new array, which the
next %acopc and %%qopc use. Every line is parsed before the first runs: a syntax
error runs nothing. A refused line ends the transcript with its ERROR line and fails
the cell (no traceback), so "Run all" stops there; with --keep-going the lines after
it run too, as in a scenario transcript. Lines starting with # are comments.
"""


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%acopc`` and ``%%qopc`` (called by ``%load_ext qopc_kit.magics``)."""
    def acopc(line: str) -> Output:
        try:
            text = Output(run_acopc(line))
        except QuickOPCError as problem:
            raise CellError(str(problem)) from None
        print(text)
        text._printed_in = getattr(ipython, "execution_count", None)
        return text

    def qopc(line: str, cell: str) -> None:
        words = line.split()
        keep_going = "--keep-going" in words
        names = [word for word in words if word != "--keep-going"]
        if len(names) > 1 or any(name.startswith("-") for name in names):
            raise CellError(f"%%qopc {line.strip()}: takes [ARRAY] [--keep-going]")
        array = None
        if names:
            array = ipython.user_ns.get(names[0])
            if not isinstance(array, DiskArray):
                raise CellError(f"%%qopc {names[0]}: no DiskArray called {names[0]!r} in "
                                "the notebook")
        try:
            print(run_qopc(cell, array, keep_going))
        except ScriptError as stop:
            text = stop.transcript.text.rstrip("\n")
            # The ERROR line is the cell's error output, not part of the printed text.
            print(text.rpartition("\n")[0])
            raise CellError(str(stop)) from None
        except QuickOPCError as problem:
            raise CellError(str(problem)) from None

    acopc.__doc__, qopc.__doc__ = ACOPC_DOC, QOPC_DOC
    # The shell itself never imports IPython: the running one registers the functions.
    ipython.register_magic_function(acopc, "line", "acopc")
    ipython.register_magic_function(qopc, "cell", "qopc")
