"""A cluster's registry lists (its members, its subjects) kept with the position the
read model had reached when they were read.

Nearly every view of a cluster names members and subjects: the members list itself,
the totality of a goal, who assessed whom. The registry at position P is what the
log's first P events made it, so a list read after a settle that found the read model
at P serves every later request whose settle finds it still at P, its tables not
switched by a rebuild since (the stand of services/callers.py). A settle that finds
any other stand, or a read model that is not the same object, reads again; a switch
made by another process is seen here when the position next moves, or when the lists
are 10 seconds old. A list read for P may hold changes projected just after P, never
fewer than P's, which is also what the table itself would have answered.

An erasure is an event of the log, so a kept list with the erased person's name is
superseded by the next read of that cluster; it is never used once 10 seconds old,
and dropped by the next use after that (services/kept.py).

Only the live views keep lists (never ``asOf``), and only as immutable tuples of
frozen DTOs, shared by the requests that read them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from services.callers import Stand
from services.kept import Kept

T = TypeVar("T")

CLUSTERS_MAX = 1024  # CLUSTERWORK_OPEN_CLUSTERS' default on PostgreSQL: one per open cluster


class KeptLists:
    """What one read model answered at one position, by name of the list."""

    __slots__ = ("_lists", "_lock", "read_model", "stand")

    def __init__(self, read_model: object, stand: Stand) -> None:
        self.read_model = read_model
        self.stand = stand
        self._lists: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, name: str, read: Callable[[], T]) -> T:
        """The list of that name, read (outside the lock) the first time it is asked."""
        with self._lock:
            if name in self._lists:
                found: T = self._lists[name]
                return found
        found = read()
        with self._lock:
            self._lists.setdefault(name, found)
        return found


class KeptRegistry:
    """One entry per cluster: the lists of its read model at the last position seen."""

    def __init__(
        self, clusters_max: int = CLUSTERS_MAX, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._kept: Kept[str, KeptLists] = Kept(clusters_max, clock=clock)

    def at(self, cluster_id: str, read_model: object, stand: Stand | None) -> KeptLists | None:
        """The lists for a read model settled at ``stand`` (None: unknown, keep
        nothing); a new, empty entry when the cluster was last seen elsewhere.
        Two requests racing here may each make an entry and one replace the other:
        each entry's lists are read after its own settle, so the worst is a list
        read once more."""
        if stand is None:
            return None
        kept = self._kept.get(cluster_id)
        if kept is not None and kept.read_model is read_model:
            if kept.stand == stand:
                return kept
            if kept.stand > stand:
                # An older position (a read model reset and projecting again)
                # is served from the tables, not kept.
                return None
        kept = KeptLists(read_model, stand)
        self._kept.put(cluster_id, kept)
        return kept

    def __len__(self) -> int:
        return len(self._kept)
