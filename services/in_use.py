"""State per cluster that lives while some thread of the process uses it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S")


@dataclass
class _Entry(Generic[S]):
    state: S
    users: int = 0


class InUse(Generic[S]):
    """Made for the first thread that uses a key and forgotten when the last one
    leaves: a process serving many clusters keeps state only for those in use."""

    def __init__(self, make: Callable[[], S]) -> None:
        self._make = make
        self._entries: dict[str, _Entry[S]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def using(self, key: str) -> Iterator[S]:
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(self._make())
            entry.users += 1
        try:
            yield entry.state
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._entries[key]

    def get(self, key: str) -> S | None:
        with self._guard:
            entry = self._entries.get(key)
        return None if entry is None else entry.state

    def keys(self) -> set[str]:
        with self._guard:
            return set(self._entries)
