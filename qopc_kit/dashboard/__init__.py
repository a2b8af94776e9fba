"""The ipywidgets dashboard: the panel, its parts and the clickable block map.

``qopc_kit.dashboard(array)`` (this package, called) builds the panel; ipywidgets and
anywidget are imported only then, so ``import qopc_kit`` needs numpy alone.
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
