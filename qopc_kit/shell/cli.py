"""``qopc [--strict] [script]``: run a scenario script, or an interactive shell.

With a file: print its transcript (every line runs; a refused one changes nothing);
exit status 2 on a syntax error, 1 when a command was refused (``--strict`` stops at
the first). Without one: a prompt on a new array (``help`` lists the commands); errors
go to standard error, and the exit status is 1 if any command was refused.

Subcommands (``python -m qopc_kit`` is the same program):

- ``qopc list``: the shipped scenarios, each with its one-line summary;
- ``qopc run NAME``: run a shipped scenario by name or number (``qopc run 04``);
- ``qopc lessons DIR [--force]``: copy the lessons and the app into DIR;
- ``qopc app [VOILA OPTIONS]``: serve the dashboard with Voilà;
- ``qopc teacher grade DIR [--csv OUT]`` / ``qopc teacher key NAME...`` /
  ``qopc teacher nbgrader DIR``: regrade a class's saved answers, print students' answer
  keys, write lesson 9 as an nbgrader assignment (``python -m qopc_kit.teaching``);
- ``qopc --version``.

A script file whose name is one of these words runs as ``qopc ./list``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import subprocess
import sys
from pathlib import Path

from ..engine import __version__
from ..engine.errors import NotFoundError, QuickOPCError
from .materials import MaterialsError, app_notebook, copy_lessons
from .parse import ShellSyntaxError, parse_line
from .scenarios import list_scenarios, load
from .script import Console, ScriptError, run_script

PROMPT = "qopc> "
HISTORY = Path.home() / ".qopc_history"
SUBCOMMANDS = ("list", "run", "lessons", "app", "teacher")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m qopc_kit`` and of the ``qopc`` command; returns the status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _subcommand(argv)
    parser = argparse.ArgumentParser(
        prog="qopc", description=__doc__.splitlines()[0],
        epilog="subcommands: qopc list | run NAME | export SCRIPT -o PAGE.html | lessons DIR "
               "[--force] | app | teacher grade|key|nbgrader|coverage "
               "(qopc SUBCOMMAND --help)")
    parser.add_argument("script", nargs="?", help="a .qopc script ('-' reads standard input)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first refused command")
    parser.add_argument("--version", action="version", version=f"qopc-kit {__version__}")
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
    return run_text(text, options.script, strict=options.strict)


def run_text(text: str, label: str, *, strict: bool = False) -> int:
    """Print the transcript of the script ``text`` (named ``label`` in messages); the status."""
    try:
        transcript = run_script(text, strict=strict)
    except ShellSyntaxError as problem:
        print(f"{label}: syntax error, nothing was run:\n{problem}", file=sys.stderr)
        return 2
    except ScriptError as problem:
        sys.stdout.write(problem.transcript.text)
        print(f"{label}: stopped (--strict) at {problem}", file=sys.stderr)
        return 1
    sys.stdout.write(transcript.text)
    if transcript.refusals:
        lines = ", ".join(str(number) for number, _ in transcript.refusals)
        print(f"{label}: {len(transcript.refusals)} command(s) refused "
              f"(line {lines})", file=sys.stderr)
        return 1
    return 0


def _subcommand(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="qopc")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the shipped scenarios with their summaries")
    run = commands.add_parser("run", help="run a shipped scenario by name or number")
    run.add_argument("name", help="a scenario's name (01_full_start) or number (01, 1)")
    run.add_argument("--strict", action="store_true", help="stop at the first refused command")
    lessons = commands.add_parser("lessons", help="copy the lessons and the app into DIR")
    lessons.add_argument("folder", metavar="DIR", help="the folder to copy them into")
    lessons.add_argument("--force", action="store_true",
                         help="overwrite copies that differ from the shipped lessons")
    commands.add_parser("app", help="serve the dashboard with Voilà (other options go to voila)",
                        add_help=False)
    commands.add_parser("teacher", help="regrade saved answers, print answer keys, write an "
                        "nbgrader assignment",
                        add_help=False)
    if argv[0] == "app":  # everything after `app` is Voilà's
        return serve_app(argv[1:])
    if argv[0] == "teacher":  # everything after `teacher` is the teaching command's
        return teacher_command(argv[1:])
    options = parser.parse_args(argv)
    if options.command == "list":
        return list_command()
    if options.command == "run":
        return run_command(options.name, strict=options.strict)
    return lessons_command(options.folder, force=options.force)


def teacher_command(arguments: list[str]) -> int:
    """``qopc teacher ...``: the teacher's commands of the teaching layer, imported only
    when asked for (a lazy hook: the shell does not depend on the teaching layer)."""
    from ..teaching.__main__ import main as teacher_main

    return teacher_main(arguments, prog="qopc teacher")


def list_command() -> int:
    """Print each shipped scenario's name and title."""

    names = list_scenarios()
    width = max(len(name) for name in names)
    for name in names:
        print(f"{name:<{width}}  {load(name).title}")
    return 0


def scenario_name(name: str) -> str:
    """The shipped scenario that ``name`` means: a full name, or its number (``04``, ``4``).

    Raises NotFoundError naming the scenarios there are.
    """

    names = list_scenarios()
    wanted = name.removesuffix(".qopc")
    if wanted in names:
        return wanted
    if wanted.isdigit():
        for candidate in names:
            if int(candidate.split("_", 1)[0]) == int(wanted):
                return candidate
    raise NotFoundError(f"no scenario {name!r}: give a name or a number of `qopc list` "
                        f"({names[0]} ... {names[-1]})")


def run_command(name: str, *, strict: bool = False) -> int:
    """Run the shipped scenario ``name`` (a name or a number), as ``qopc SCRIPT`` would."""

    try:
        scenario = load(scenario_name(name))
    except QuickOPCError as problem:
        print(f"qopc run: {problem}", file=sys.stderr)
        return 2
    return run_text(scenario.text, scenario.name, strict=strict)


def lessons_command(folder: str, *, force: bool = False) -> int:
    """Copy the lessons into ``folder``; status 1 when edited copies were left alone."""

    try:
        report = copy_lessons(folder, force=force)
    except MaterialsError as problem:
        print(f"qopc lessons: {problem}", file=sys.stderr)
        return 2
    if report.refused:
        print(f"qopc lessons: {report}", file=sys.stderr)
        return 1
    print(report)
    return 0


def app_command(voila_options: list[str]) -> list[str]:
    """The command line that serves the dashboard with Voilà (``voila_options`` appended).

    Raises MaterialsError when Voilà or the dashboard notebook is not installed.
    """

    if importlib.util.find_spec("voila") is None:
        raise MaterialsError(f"Voilà is not installed for {sys.executable}: "
                             "pip install 'qopc-kit[lab]' (or just voila), then qopc app")
    return [sys.executable, "-m", "voila", str(app_notebook()), *voila_options]


def serve_app(voila_options: list[str]) -> int:
    """Serve the dashboard with Voilà until it stops; Voilà's exit status."""

    if voila_options[:1] in (["-h"], ["--help"]):
        print("usage: qopc app [VOILA OPTIONS]  (for example --port 8866 --no-browser)\n"
              "Serves the kit's dashboard notebook with Voilà; see voila --help.")
        return 0
    try:
        command = app_command(voila_options)
    except MaterialsError as problem:
        print(f"qopc app: {problem}", file=sys.stderr)
        return 2
    try:
        # From the app's folder: Voilà reads its voila.json there (a preheated kernel, and
        # the kernels of closed pages shut down within a minute).
        return subprocess.call(command, cwd=app_notebook().parent)
    except KeyboardInterrupt:
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
