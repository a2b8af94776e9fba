"""The scenario library (:mod:`qopc_kit.shell.scenarios`), under the name the README documents.

``python -m qopc_kit.scenarios [--regenerate]`` lists the scenarios or rewrites the goldens.
"""

import sys

from .shell.scenarios import HERE, Fact, Scenario, list_scenarios, load, regenerate

__all__ = ["HERE", "Fact", "Scenario", "list_scenarios", "load", "regenerate"]

if __name__ == "__main__":
    from .shell.scenarios.__main__ import main

    sys.exit(main())
