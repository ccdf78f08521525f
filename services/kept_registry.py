"""A cluster's registry lists (its members, its subjects) kept with the position the
read model had reached when they were read.

Nearly every view of a cluster names members and subjects: the members list itself,
the totality of a goal, who assessed whom. The registry at position P is what the
log's first P events made it, so a list read after a settle that found the read model
at P serves every later request whose settle finds it still at P (the argument of
services/callers.py). A settle that finds any other position, or a read model that is
not the same one (a blue-green rebuild swapped it in), reads again; a list read for P
may hold changes projected just after P, never fewer than P's, which is also what the
table itself would have answered. An erasure is an event of the log, so a kept list
with the erased person's name is superseded by the next read of that cluster, and
dropped when the cluster's entry gives way to another.

Only the live views keep lists (never ``asOf``), and only as immutable tuples of
frozen DTOs, shared by the requests that read them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

CLUSTERS_MAX = 1024  # as many as a process keeps open (CLUSTERWORK_OPEN_CLUSTERS)


class KeptLists:
    """What one read model answered at one position, by name of the list."""

    __slots__ = ("_lists", "_lock", "position", "read_model")

    def __init__(self, read_model: object, position: int) -> None:
        self.read_model = read_model
        self.position = position
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

    def __init__(self, clusters_max: int = CLUSTERS_MAX) -> None:
        self._kept: OrderedDict[str, KeptLists] = OrderedDict()
        self._clusters_max = clusters_max
        self._lock = threading.Lock()

    def at(self, cluster_id: str, read_model: object, position: int | None) -> KeptLists | None:
        """The lists for a read model settled at ``position`` (None: unknown, keep
        nothing); a new, empty entry when the cluster was last seen elsewhere."""
        if position is None:
            return None
        with self._lock:
            kept = self._kept.get(cluster_id)
            if kept is None or kept.read_model is not read_model or kept.position != position:
                # A newer position replaces the entry; an older one (a read model
                # reset and projecting again) is served from the table, not kept.
                if kept is not None and kept.read_model is read_model and kept.position > position:
                    return None
                kept = self._kept[cluster_id] = KeptLists(read_model, position)
            self._kept.move_to_end(cluster_id)
            while len(self._kept) > self._clusters_max:
                self._kept.popitem(last=False)
            return kept
