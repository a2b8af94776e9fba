"""qopc_kit: a block-by-block simulation of ETERNUS QuickOPC for teaching.

The engine (this package's top level) needs only numpy; views, the dashboard
and the shell's IPython magics import their own dependencies when used.
"""

from __future__ import annotations

from .engine import __version__
from .engine.array import DiskArray
from .engine.commands import Command
from .engine.errors import (
    ArgumentError,
    CascadeError,
    DestinationBusyError,
    HistoryError,
    NotFoundError,
    PhaseError,
    QuickOPCError,
    SessionExistsError,
    SessionLimitError,
    SessionNotFoundError,
    SizeMismatchError,
    UnusableVolumeWarning,
)
from .engine.history import Action, Change, Step
from .engine.pair import CopyGroup, CopyPair, QueryRow
from .engine.session import Session
from .engine.states import TRANSITIONS, Copy, Event, State, Transition
from .engine.volume import Volume

__all__ = [
    "TRANSITIONS",
    "Action",
    "ArgumentError",
    "CascadeError",
    "Change",
    "Command",
    "Copy",
    "CopyGroup",
    "CopyPair",
    "DestinationBusyError",
    "DiskArray",
    "Event",
    "HistoryError",
    "NotFoundError",
    "PhaseError",
    "QueryRow",
    "QuickOPCError",
    "Session",
    "SessionExistsError",
    "SessionLimitError",
    "SessionNotFoundError",
    "SizeMismatchError",
    "State",
    "Step",
    "Transition",
    "UnusableVolumeWarning",
    "Volume",
    "__version__",
    "dashboard",
    "export_html",
]

# Last: ``qopc_kit.dashboard`` is the dashboard package, callable as the panel's factory
# (``qopc_kit.dashboard(array)``); importing it does not import ipywidgets.
from . import dashboard


def __getattr__(name: str) -> object:
    """``qopc_kit.export_html(array, path)``: imported when first used (it needs the views)."""
    if name == "export_html":
        from .export import export_html

        return export_html
    raise AttributeError(f"module 'qopc_kit' has no attribute {name!r}")
