"""qopc_kit: a block-by-block simulation of ETERNUS QuickOPC for teaching.

The engine (this package's top level) needs only numpy; views, the dashboard
and the shell's IPython magics import their own dependencies when used.
"""

from __future__ import annotations

from .array import DiskArray
from .errors import (
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
from .history import Change, Step
from .pair import CopyGroup, CopyPair, QueryRow
from .session import Session
from .states import TRANSITIONS, Copy, Event, State, Transition
from .volume import Volume

__all__ = [
    "TRANSITIONS",
    "ArgumentError",
    "CascadeError",
    "Change",
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
]
__version__ = "0.1.0"


def dashboard(array: DiskArray | None = None, **options: object) -> object:
    """The interactive panel (needs ipywidgets): see :class:`qopc_kit.panel.Dashboard`."""
    from .panel import dashboard as build  # ipywidgets is imported only here

    return build(array, **options)

