"""Export a session as a self-contained replay page (or one SVG per step, for slides).

``python -m qopc_kit.export SCRIPT.qopc -o PAGE.html`` runs a script and writes its replay:
the script's comments become captions of the steps they precede, and each refused line
is a frame that shows the array's message and changes nothing. ``--frames DIR`` writes one
standalone SVG per frame instead (the state diagram; the block maps are HTML, not SVG).

This module joins the shell (which runs scripts) and the views (which draw the frames),
so it lives at the package's top, above both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .engine import errors
from .engine.array import DiskArray
from .shell import scenarios
from .shell.cli import scenario_name
from .shell.script import Console, parse_script
from .views.diagram import state_diagram_svg
from .views.replay import Entry, page_html
from .views.snapshot import snapshot


def script_entries(text: str) -> tuple[DiskArray, list[Entry]]:
    """Run script ``text`` on a new array: (the array, one replay entry per command)."""
    console = Console()
    entries: list[Entry] = []
    caption: list[str] = []
    for _, line, command in parse_script(text):
        if command is None:
            said = line.strip().removeprefix("#").strip()
            if line.strip().startswith("#") and said:
                caption.append(said)
            continue
        try:
            output, refused = console.run(command), False
        except errors.QuickOPCError as refusal:
            output, refused = str(refusal), True
        if console.array is None:
            console.array = DiskArray("ET001")
        step = len(console.array.history_steps()) - 1
        entries.append(Entry(step, line.strip(), output, "\n".join(caption), refused))
        caption = []
    if console.array is None:
        console.array = DiskArray("ET001")
    return console.array, entries


def export_html(array: DiskArray, path: str | Path, *, title: str = "Replay",
                entries: list[Entry] | None = None, lead: str = "", extra: str = "",
                heading: str | None = None) -> Path:
    """Write the replay page of ``entries`` (default: every step of ``array``'s history) to
    ``path``, with the HTML ``lead`` before the replay and ``extra`` after it, and the
    replay's ``heading`` (the ``title`` unless given)."""
    target = Path(path)
    target.write_text(page_html(array, entries, title=title, lead=lead, extra=extra,
                                heading=heading), encoding="utf-8")
    return target


def export_frames(array: DiskArray, entries: list[Entry], folder: str | Path) -> list[Path]:
    """One standalone SVG per entry (the state diagram of each pair, side by side)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for number, entry in enumerate(entries):
        shot = array.at(entry.step)
        name = sorted(shot.pairs)[0] if shot.pairs else None
        svg = state_diagram_svg(snapshot(shot.pairs[name]) if name else None)
        path = target / f"frame-{number:03d}-step-{entry.step:03d}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    return written


def read_script(name: str) -> tuple[str, str]:
    """(title, text) of ``name``: a .qopc file, else a scenario of the library by name or
    number (as ``qopc run`` takes them)."""
    path = Path(name)
    if path.is_file() or path.suffix == ".qopc" or "/" in name:
        try:
            return path.stem, path.read_text(encoding="utf-8")
        except OSError as problem:
            raise errors.ArgumentError(f"cannot read {name}: {problem.strerror}") from None
        except UnicodeDecodeError as problem:
            raise errors.ArgumentError(f"cannot read {name}: not UTF-8 text "
                                       f"(byte {problem.start})") from None
    scenario = scenarios.load(scenario_name(name))
    return scenario.name, scenario.text


def write(target: Path, text: str) -> None:
    """Write ``text`` to the file ``target``; a folder, or a missing parent, is an error that
    says so."""
    if target.is_dir():
        raise errors.ArgumentError(f"{target} is a folder: give a file name for the page")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as problem:
        raise errors.ArgumentError(f"cannot write {target}: {problem.strerror}") from None


def main(argv: list[str] | None = None, prog: str = "python -m qopc_kit export") -> int:
    """The command line: ``SCRIPT -o PAGE.html`` and/or ``--frames DIR``."""
    parser = argparse.ArgumentParser(prog=prog,
                                     description="Export a .qopc script (or a scenario of the "
                                     "library, by name or number) as a replay page.")
    parser.add_argument("script", help="a .qopc file, or a scenario's name or number "
                        "(qopc list)")
    parser.add_argument("-o", "--output", type=Path, help="the HTML page to write")
    parser.add_argument("--frames", type=Path, help="a folder for one SVG per step")
    args = parser.parse_args(argv)
    if args.output is None and args.frames is None:
        parser.error("give -o PAGE.html, --frames DIR or both")
    try:
        if args.frames is not None and args.frames.exists() and not args.frames.is_dir():
            raise errors.ArgumentError(f"{args.frames} is a file: --frames needs a folder")
        title, text = read_script(args.script)
        array, entries = script_entries(text)
        if args.output is not None:
            write(args.output, page_html(array, entries, title=title))
            print(f"wrote {args.output}")
        if args.frames is not None:
            try:
                count = len(export_frames(array, entries, args.frames))
            except OSError as problem:
                raise errors.ArgumentError(f"cannot write to {args.frames}: "
                                           f"{problem.strerror}") from None
            print(f"wrote {count} SVG files to {args.frames}")
    except errors.QuickOPCError as problem:
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())


def qopc(argv: list[str] | None = None) -> int:
    """The ``qopc`` command: ``qopc export ...`` here, every other command the shell's."""
    from .shell.cli import main as shell_main

    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["export"]:
        return main(args[1:], prog="qopc export")
    return shell_main(args)
