"""Identifiers are opaque strings to clients; UUIDs inside."""

from __future__ import annotations

import uuid

from domain.errors import InvalidInput, NotFound


def new_id() -> str:
    return str(uuid.uuid4())


def parse_cluster_id(value: str) -> uuid.UUID:
    """A malformed cluster id names no cluster: NOT_FOUND, as for any unknown one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"no cluster {value}") from None


def normalise_id(value: str | None, field: str) -> str | None:
    """Canonical text of an id given in input; BAD_USER_INPUT when malformed."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise InvalidInput(f"{field} is not a valid id", field=field) from None


def target_id(value: str, what: str) -> str:
    """Canonical text of the id of the thing acted on; NOT_FOUND when malformed."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound(f"no {what} {value}") from None
