"""The root of every error the domain raises on purpose.

Callers at a boundary (a CLI command, a form, a RADIUS handler) catch `DomainError` to
turn a refusal into a message; anything else is a bug and propagates. It subclasses
ValueError because every refusal is about a value that was given.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A request the domain refuses; ``str(error)`` is a one-line reason for a person."""


class NotFound(DomainError):
    """Something the request refers to does not exist (yet)."""


class AlreadyExists(DomainError):
    """Something the request would create exists already."""
