"""Values a process keeps between requests, for a bounded number and a bounded time.

Both the callers of reads (services/callers.py) and a cluster's registry lists
(services/kept_registry.py) hold members' names and e-mail addresses, opened. They
are kept at most ``max_age`` seconds: an entry that old is never answered again,
and every use of the cache drops the entries that have reached that age, so no
value outlives an erasure in a serving process by much more than that
(docs/privacy.md, "Erasure"). Entries leave in the order they were made, which is
also the order they expire in.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_AGE_SECONDS = 10.0  # as long as a process keeps a person's unwrapped key


class Kept(Generic[K, V]):
    def __init__(
        self,
        max_entries: int,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._max_entries = max_entries
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            self._sweep()
            found = self._entries.get(key)
            return None if found is None else found[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._sweep()
            self._entries.pop(key, None)
            self._entries[key] = (self._clock(), value)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _sweep(self) -> None:
        oldest = self._clock() - self._max_age
        entries = self._entries
        while entries and next(iter(entries.values()))[0] <= oldest:
            entries.popitem(last=False)
