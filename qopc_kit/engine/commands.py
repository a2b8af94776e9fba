"""The session commands: one identity for each, from the state table to the buttons.

A :class:`Command` knows the :class:`Event` it sends to a session, its ``acopc`` words
and option, and its button label, so the engine, the shell, scripts, the timeline and
the dashboard never convert a mode string. Adding a command means a row in the state
table (:mod:`.states`), a member here, its planning in :meth:`DiskArray._plan` and a
verb in the shell's table; nothing else.
"""

from __future__ import annotations

from enum import Enum

from .errors import ArgumentError
from .states import Copy, Event


class Command(Enum):
    """``acopc start`` and ``acopc cancel``, with their options."""

    START = ("start", "", Event.START, "Start", "a full logical copy")
    START_DIFF = ("start", "-diff", Event.START_DIFF, "Differential start",
                  "copy only the tracked blocks")
    START_AUTO = ("start", "-auto", Event.START_AUTO, "Auto",
                  "full or differential, as the state needs")
    START_REVERSE = ("start", "-r", Event.START_REVERSE, "Reverse",
                     "restore the source from the destination (OPC)")
    CANCEL = ("cancel", "", Event.CANCEL, "Cancel", "end the QuickOPC session")
    CANCEL_REVERSE = ("cancel", "-r", Event.CANCEL, "Cancel reverse", "end the reverse OPC")

    def __init__(self, verb: str, option: str, event: Event, label: str, purpose: str) -> None:
        self.verb = verb
        self.option = option
        self.event = event
        self.label = label
        self.purpose = purpose

    @property
    def reverse(self) -> bool:
        """True for the commands of the reverse OPC (``-r``)."""
        return self.option == "-r"

    @property
    def copy(self) -> Copy:
        """The kind of session the command starts or ends."""
        return Copy.OPC if self.reverse else Copy.QUICKOPC

    @property
    def words(self) -> str:
        """The command as acopc writes it, without ``acopc``: ``start -diff``."""
        return f"{self.verb} {self.option}".rstrip()

    @property
    def tooltip(self) -> str:
        """``acopc start -diff: copy only the tracked blocks``."""
        return f"acopc {self.words}: {self.purpose}"

    def __str__(self) -> str:
        return f"acopc {self.words}"

    @classmethod
    def of(cls, verb: str, option: str = "") -> Command:
        """The command of ``verb`` (start, cancel) with ``option`` ("", -diff, -auto, -r).

        Raises ValueError naming the pair of words when no command has them.
        """
        for command in cls:
            if command.verb == verb and command.option == option:
                return command
        raise ValueError(f"no acopc command {verb} {option}".rstrip())

    @classmethod
    def start(cls, *, diff: bool = False, auto: bool = False, reverse: bool = False) -> Command:
        """The start command of the keyword flags (at most one may be set)."""
        chosen = [flag for flag, on in (("-diff", diff), ("-auto", auto), ("-r", reverse)) if on]
        if len(chosen) > 1:
            raise ArgumentError("start takes one of -diff, -auto, -r, not "
                                + " and ".join(name.lstrip("-") for name in chosen))
        return cls.of("start", chosen[0] if chosen else "")
