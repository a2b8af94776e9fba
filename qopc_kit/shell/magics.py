"""IPython magics: ``%acopc start -g CG1`` and a ``%%qopc`` cell of shell lines.

Load with ``%load_ext qopc_kit.magics``. Both work on the notebook's current array:
the last one a ``%%qopc`` cell built, or one set with :func:`use` (``%%qopc ARRAY``
names a variable of the notebook instead). A cell whose first command is ``acarray
add`` builds a new array. Errors print as text, never a traceback.
"""

from __future__ import annotations

from typing import Any

from ..engine.array import DiskArray
from ..engine.errors import QuickOPCError
from .parse import parse_line
from .script import Console, parse_script, run_script

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
    console = Console(current())
    try:
        command = parse_line(line)
        output = "" if command is None else console.run(command)
    except QuickOPCError as problem:
        output = f"ERROR: {problem}"
    if console.array is not None:
        use(console.array)
    return output


def qopc_cell(cell: str, array: DiskArray | None = None) -> str:
    """What a ``%%qopc`` cell prints: the transcript of its lines run as a script."""
    try:
        if array is None and not _starts_a_lab(cell):
            array = current()
        transcript = run_script(cell, array=array)
    except QuickOPCError as problem:
        return f"ERROR: {problem}"
    if transcript.array is not None:
        use(transcript.array)
    return transcript.text.rstrip("\n")


def _starts_a_lab(cell: str) -> bool:
    """True when the cell's first command is ``acarray add``: it builds a new array."""
    parsed = [command for _, _, command in parse_script(cell) if command is not None]
    return bool(parsed) and parsed[0].verb == "acarray"


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%acopc`` and ``%%qopc`` (called by ``%load_ext qopc_kit.magics``)."""
    def acopc(line: str) -> None:
        print(acopc_line(line))

    def qopc(line: str, cell: str) -> None:
        name = line.strip()
        array = None
        if name:
            array = ipython.user_ns.get(name)
            if not isinstance(array, DiskArray):
                print(f"ERROR: %%qopc {name}: no DiskArray called {name!r} in the notebook")
                return
        print(qopc_cell(cell, array))

    # The shell itself never imports IPython: the running one registers the functions.
    ipython.register_magic_function(acopc, "line", "acopc")
    ipython.register_magic_function(qopc, "cell", "qopc")
