"""The kit's exceptions: one base, one subclass per kind of refusal or mistake."""

from __future__ import annotations


class QuickOPCError(Exception):
    """Base of every error the kit raises; a refused command has changed nothing.

    ``code`` is the Fujitsu message code where the product has one (else ``None``).
    """

    code: int | None = None

    def __init__(self, message: str, *, code: int | None = None) -> None:
        if code is not None:
            self.code = code
        if self.code is not None and f"({self.code})" not in message:
            message = f"{message} ({self.code})"
        super().__init__(message)


class ArgumentError(QuickOPCError, ValueError):
    """An argument is malformed: a block out of range, data of the wrong shape, ..."""


class NotFoundError(QuickOPCError, KeyError):
    """A volume, pair or group that the array does not have."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class SessionNotFoundError(QuickOPCError):
    """The command needs a session and the pair has none ("Session does not exist")."""

    code = 32793


class PhaseError(QuickOPCError):
    """The session is in a phase where the command cannot run ("Phase is not correct")."""

    code = 32794


class SessionExistsError(QuickOPCError):
    """A full start on a pair that already has a session."""


class SizeMismatchError(QuickOPCError):
    """Source and destination differ in size ("Size Not Supported")."""

    code = 4097


class CascadeError(QuickOPCError):
    """A volume would be the destination of one session and the source of another."""

    code = 32821


class DestinationBusyError(QuickOPCError):
    """The destination already belongs to another session, or is the source itself."""


class SessionLimitError(QuickOPCError):
    """The source already has as many sessions as the array allows."""

    code = 32791


class HistoryError(QuickOPCError):
    """A rewind to a step that does not exist or has no saved state."""


class UnusableVolumeWarning(UserWarning):
    """A host read of a volume whose copy was cancelled before it completed."""
