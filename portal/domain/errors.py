"""The root of every error the domain raises on purpose.

Callers at a boundary (a CLI command, a form, a RADIUS handler) catch `DomainError` to
turn a refusal into a message; anything else is a bug and propagates. It subclasses
ValueError because every refusal is about a value that was given.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A request the domain refuses.

    ``code`` names the reason (e.g. ``"address-invalid"``) and ``params`` hold the values
    its words need; `portal.messages.refusal` turns both into the reader's language (the
    console's form errors). ``str(error)`` stays a one-line English reason for the log,
    the command line and the API.
    """

    code = "refused"

    def __init__(self, message: str = "", *, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params = params


class NotFound(DomainError):
    """Something the request refers to does not exist (yet)."""


class AlreadyExists(DomainError):
    """Something the request would create exists already."""
