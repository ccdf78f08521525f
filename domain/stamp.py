"""Who did what, where and in which request: stamped on every event.

The pattern of the eventsourcing content-management example: the base event
reads a ContextVar, so commands never pass the actor by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Stamp:
    cluster_id: str | None = None
    member_id: str | None = None
    subject_id: str | None = None
    request_id: str | None = None


# Stamp is a frozen dataclass, so sharing one default instance is safe.
_current: ContextVar[Stamp] = ContextVar("clusterwork_stamp", default=Stamp())  # noqa: B039


def current_stamp() -> Stamp:
    return _current.get()


@contextmanager
def stamped(stamp: Stamp) -> Iterator[Stamp]:
    """Every event triggered inside carries ``stamp``."""
    token = _current.set(stamp)
    try:
        yield stamp
    finally:
        _current.reset(token)
