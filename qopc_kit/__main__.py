"""``python -m qopc_kit``: the ``qopc`` command (:mod:`qopc_kit.shell.cli`)."""

import sys

from .shell.cli import main

sys.exit(main())
