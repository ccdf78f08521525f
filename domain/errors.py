"""Domain errors. Each carries the contract's error code so that the API maps
them in one place instead of in every resolver."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused a command; nothing was recorded."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """A value is malformed or breaks a rule; ``field`` names the culprit."""

    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class Conflict(DomainError):
    """The command clashes with the current state (e.g. a closed goal)."""

    code = "CONFLICT"


class Unauthenticated(DomainError):
    """No valid workspace token came with the request."""

    code = "UNAUTHENTICATED"
