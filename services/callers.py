"""The caller of a read, kept with the position the read model had reached.

Every read checks its caller (their membership, roles and subject's standing)
in the read model, after settling it: finding where its projections stand, and
projecting anything the log holds beyond. A caller read after a settle that
found the read model at position P is at least as new as P. The next request
whose settle finds the read model still at P can use it; a request that finds
it anywhere else (a role revoked, a member removed, anything projected since)
reads the caller again. So a change to a caller still counts from the next
request on, and an unchanged cluster is not asked the same question twice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from services.dto import CallerInfo

KEPT_MAX = 4096  # (cluster, member) pairs; a few hundred bytes each


class KnownCallers:
    def __init__(self, kept_max: int = KEPT_MAX) -> None:
        self._kept: OrderedDict[tuple[str, str], tuple[int, CallerInfo]] = OrderedDict()
        self._kept_max = kept_max
        self._lock = threading.Lock()

    def at(self, cluster_id: str, member_id: str, position: int | None) -> CallerInfo | None:
        """The caller kept for a read model settled at ``position``, if any."""
        if position is None:
            return None
        key = (cluster_id, member_id)
        with self._lock:
            found = self._kept.get(key)
            if found is None or found[0] != position:
                return None
            self._kept.move_to_end(key)
            return found[1]

    def keep(
        self, cluster_id: str, member_id: str, position: int | None, caller: CallerInfo
    ) -> None:
        """Keeps a caller read after a settle that found the read model at
        ``position`` (None: unknown, nothing kept)."""
        if position is None or caller.member is None:
            return
        key = (cluster_id, member_id)
        with self._lock:
            self._kept[key] = (position, caller)
            self._kept.move_to_end(key)
            while len(self._kept) > self._kept_max:
                self._kept.popitem(last=False)
