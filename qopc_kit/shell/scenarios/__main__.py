"""``python -m qopc_kit.scenarios [--regenerate]``: list the scenarios or rewrite the goldens."""

from __future__ import annotations

import argparse
import sys

from . import list_scenarios, load, regenerate


def main(argv: list[str] | None = None) -> int:
    """List the scenarios with their titles, or regenerate their golden transcripts."""
    parser = argparse.ArgumentParser(prog="python -m qopc_kit.scenarios")
    parser.add_argument("--regenerate", action="store_true",
                        help="rewrite every *.txt golden transcript from the code")
    options = parser.parse_args(argv)
    if options.regenerate:
        changed = regenerate()
        print(f"{len(changed)} golden transcript(s) rewritten: {', '.join(changed) or 'none'}")
        return 0
    for name in list_scenarios():
        print(f"{name}: {load(name).title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
