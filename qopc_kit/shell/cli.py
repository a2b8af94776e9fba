"""``python -m qopc_kit [--strict] [script]``: run a scenario script, or an interactive shell.

With a file: print its transcript (every line runs; a refused one changes nothing);
exit status 2 on a syntax error, 1 when a command was refused (``--strict`` stops at
the first). Without one: a prompt on a new array (``help`` lists the commands); errors
go to standard error, and the exit status is 1 if any command was refused.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..engine.errors import QuickOPCError
from .parse import ShellSyntaxError, parse_line
from .script import Console, ScriptError, run_script

PROMPT = "qopc> "
HISTORY = Path.home() / ".qopc_history"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m qopc_kit`` and of the ``qopc`` command; returns the status."""
    parser = argparse.ArgumentParser(prog="qopc", description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", help="a .qopc script ('-' reads standard input)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first refused command")
    options = parser.parse_args(argv)
    if options.script is None:
        return interactive()
    try:
        text = sys.stdin.read() if options.script == "-" else Path(options.script).read_text(
            encoding="utf-8")
    except OSError as problem:
        print(f"qopc: cannot read {options.script}: {problem.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as problem:
        print(f"qopc: cannot read {options.script}: not UTF-8 text (byte {problem.start})",
              file=sys.stderr)
        return 2
    try:
        transcript = run_script(text, strict=options.strict)
    except ShellSyntaxError as problem:
        print(f"{options.script}: syntax error, nothing was run:\n{problem}", file=sys.stderr)
        return 2
    except ScriptError as problem:
        sys.stdout.write(problem.transcript.text)
        print(f"{options.script}: stopped (--strict) at {problem}", file=sys.stderr)
        return 1
    sys.stdout.write(transcript.text)
    if transcript.refusals:
        lines = ", ".join(str(number) for number, _ in transcript.refusals)
        print(f"{options.script}: {len(transcript.refusals)} command(s) refused "
              f"(line {lines})", file=sys.stderr)
        return 1
    return 0


def interactive() -> int:
    """Read commands from the terminal until end of input or ``exit``."""
    _readline()
    console = Console()
    print("qopc-kit shell: acopc and lab commands on disk array ET001 (help, exit).")
    number = refused = 0
    while True:
        try:
            line = input(PROMPT)
        except EOFError:
            print()
            return 1 if refused else 0
        except KeyboardInterrupt:
            print()
            continue
        number += 1
        if line.strip() in ("exit", "quit"):
            return 1 if refused else 0
        try:
            command = parse_line(line, number)
            if command is not None:
                output = console.run(command)
                if output:
                    print(output)
        except QuickOPCError as problem:
            refused += 1
            print(f"ERROR: {problem}", file=sys.stderr)


def _readline() -> None:
    """Keep the prompt's history between runs, where the platform has readline."""
    try:
        import atexit
        import readline
    except ImportError:
        return
    with contextlib.suppress(OSError):  # no history yet
        readline.read_history_file(HISTORY)
    atexit.register(_save_history, readline)


def _save_history(readline) -> None:
    with contextlib.suppress(OSError):  # a read-only home loses the history, nothing else
        readline.write_history_file(HISTORY)


if __name__ == "__main__":
    sys.exit(main())
