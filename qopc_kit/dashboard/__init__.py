"""The ipywidgets dashboard: the panel, its parts and the clickable block map.

``qopc_kit.dashboard(array)`` (this package, called) builds the panel; ipywidgets and
anywidget are imported only then, so ``import qopc_kit`` needs numpy alone.

Design choices:

* Buttons are enabled from the state table, but a click always goes to the engine
  (``Button.click()`` ignores ``disabled``): a refusal shows as a message, never a
  traceback, and changes nothing.
* History: the ``Step`` slider only *previews* a step: what it did, which states it
  moved, and the selected pair's diagram and block map as they were after it, drawn
  from a copy (``DiskArray.at``) so the real array never moves. Rewinding is destructive
  (the engine drops later steps), so it happens only on the explicit "Go back to step"
  button. Undo, Reset and Go back never go below the panel's first step: the step the
  array was at when the panel got it, so a lesson's prepared array comes back whole;
  after Load, the end of the script's set-up (the step before its first ``acopc start``
  or ``cancel``: volumes, groups and the data written first), so a saved session can be
  replayed.
  Like Undo, Reset and Go back refuse (and change nothing) when there is nothing to drop.
* The block map is a small anywidget (:mod:`qopc_kit.dashboard.blockmap`): a click on a block's
  cell chooses that volume and block for Host I/O, as the Volume list and the Blocks range
  would (Shift-click: a range). Choosing is no step; the map outlines the chosen blocks.
* Load runs the whole script as a transcript does: a refused line changes nothing and is
  listed in the message, so the shipped scenarios with deliberate refusals load too.
* Play ticks once per value change of an ``ipywidgets.Play`` (no threads: it also runs in
  JupyterLite) and stops by itself when no physical copy is left.
* Where no kernel runs (a stored notebook on GitHub, nbviewer, an HTML export) the panel's
  output is its static twin (:mod:`qopc_kit.dashboard.twin`): the replay of its steps so far,
  marked as one; Export page gives the replay page of the session as a ``data:`` download
  link, so it needs no file server (JupyterLab, Notebook 7 and Voilà alike).
"""

from __future__ import annotations

import sys
import types
from typing import Any


def dashboard(array: Any = None, **options: Any) -> Any:
    """The interactive panel (needs ipywidgets): see :class:`qopc_kit.dashboard.panel.Dashboard`."""
    from .panel import dashboard as build  # ipywidgets is imported only here

    return build(array, **options)


class _CallableModule(types.ModuleType):
    """This package, callable: ``qopc_kit.dashboard(array)`` is :func:`dashboard`."""

    def __call__(self, array: Any = None, **options: Any) -> Any:
        return dashboard(array, **options)


sys.modules[__name__].__class__ = _CallableModule
