"""The teacher's commands: ``python -m qopc_kit.teaching grade DIR [--csv OUT]`` regrades a
class folder (exit status 1 if a file in it could not be read: it is listed, the others
graded); ``python -m qopc_kit.teaching key NAME...`` prints the answer key of students;
``python -m qopc_kit.teaching nbgrader DIR`` writes lesson 9 as an nbgrader assignment's
source into the course folder DIR; ``python -m qopc_kit.teaching coverage`` prints the
rule-coverage table (SPEC rule -> lesson cell -> exercise)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine.errors import QuickOPCError
from .coverage import table_markdown
from .exercises import answer_key as key_of
from .exercises import normalise_name, seed_for
from .grading import grades, grades_csv, teacher_view
from .nbgrader import write_config, write_source


def answer_key(names: list[str]) -> str:
    """Each student's answers and solutions, rebuilt from the seed of their name."""
    blocks = []
    for name in names:
        lines = [f"{normalise_name(name)} (seed {seed_for(name)})"]
        lines += [f"  {key}: {exercise.solution()}" for key, exercise in key_of(name).items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def nbgrader_source(args: argparse.Namespace) -> str:
    """Write the source notebook (and a course config when there is none); what was done."""
    path = write_source(args.course, args.assignment, args.name, args.kernel, args.force)
    config = write_config(args.course)
    lines = [f"source notebook written to {path}"]
    if config is not None:
        lines.append(f"course settings written to {config}")
    lines.append(f"next, in {args.course}: nbgrader generate_assignment {args.assignment}")
    return "\n".join(lines)


def command_line(prog: str) -> argparse.ArgumentParser:
    """The teacher's commands and their arguments."""
    parser = argparse.ArgumentParser(prog=prog,
                                     description="The teacher's side of lesson 9.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="regrade a folder of saved answers")
    grade.add_argument("folder", help="the folder the students saved their answers to")
    grade.add_argument("--csv", metavar="OUT", help="also write the grades as CSV to OUT")
    key = commands.add_parser("key", help="print the answer key of students")
    key.add_argument("names", nargs="+", help="student names or numbers")
    assignment = commands.add_parser(
        "nbgrader", help="write lesson 9 as an nbgrader source notebook into a course folder")
    assignment.add_argument("course", help="the nbgrader course folder (made if missing)")
    assignment.add_argument("--assignment", default="lesson09",
                            help="the assignment's name (default: lesson09)")
    assignment.add_argument("--name", default="exercises",
                            help="the notebook's name, without .ipynb (default: exercises)")
    assignment.add_argument("--kernel", default="python3",
                            help="the kernel that has qopc-kit (default: python3)")
    assignment.add_argument("--force", action="store_true",
                            help="overwrite a source notebook that differs")
    commands.add_parser("coverage", help="print which lesson cell shows each rule of the "
                        "specification and which exercise checks it (Markdown)")
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m qopc_kit.teaching") -> int:
    """Run a teacher command; returns the exit status: 0, 1 when ``grade`` found a file it
    could not read (the others are graded, that file listed), 2 for a bad folder or name."""
    args = command_line(prog).parse_args(argv)
    try:
        if args.command == "coverage":
            print(table_markdown())
            return 0
        if args.command == "key":
            print(answer_key(args.names))
            return 0
        if args.command == "nbgrader":
            print(nbgrader_source(args))
            return 0
        print(teacher_view(args.folder))
        if args.csv:
            Path(args.csv).write_text(grades_csv(args.folder), encoding="utf-8")
            print(f"grades written to {args.csv}")
        return 1 if any(g.problem for g in grades(args.folder)) else 0
    except QuickOPCError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
