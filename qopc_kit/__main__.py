"""``python -m qopc_kit``: the ``qopc`` command (:mod:`qopc_kit.shell.cli`).

``python -m qopc_kit export SCRIPT -o PAGE.html [--frames DIR]`` writes a replay page
(:mod:`qopc_kit.export`, which sits above the shell and the views).
"""

import sys

from .export import qopc

sys.exit(qopc())
