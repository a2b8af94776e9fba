"""``%load_ext qopc_kit.magics``: the shell's IPython magics (:mod:`qopc_kit.shell.magics`)."""

from .shell.magics import current, load_ipython_extension, use

__all__ = ["current", "load_ipython_extension", "use"]
