"""``python -m benchmarks``: measure every figure of the issue and print one table."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys

import numpy as np

from . import FIGURES, run
from .sizes import ISSUE, TINY
from .timing import table


def machine() -> str:
    """One line naming the machine, the interpreter and numpy, and today's date."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (f"{datetime.date.today().isoformat()} · {cpu} · {os.cpu_count()} CPU(s) · "
            f"Python {platform.python_version()} · numpy {np.__version__}")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the figures, print the table; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--tiny", action="store_true",
                        help="tiny volumes and 2 repeats: checks the code, measures nothing")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"repeats per measurement (default {ISSUE.repeats})")
    parser.add_argument("--only", default="", help="figures to run, e.g. 1,3 (default all)")
    options = parser.parse_args(argv)
    sizes = TINY if options.tiny else ISSUE
    if options.repeats is not None:
        if options.repeats < 1:
            parser.error("--repeats must be at least 1")
        sizes = type(sizes)(**{**sizes.__dict__, "repeats": options.repeats})
    only = {part.strip() for part in options.only.split(",") if part.strip()}
    unknown = only - set(FIGURES)
    if unknown:
        parser.error(f"no figure {', '.join(sorted(unknown))} (figures: {', '.join(FIGURES)})")
    print(machine())
    print(f"engine and baseline timed alternately, {sizes.repeats} rounds each after a warm-up; "
          "times are medians, a ratio is the median of the rounds' ratios", flush=True)
    rows = run(sizes, only or None, progress=lambda text: print(text, file=sys.stderr,
                                                                flush=True))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
