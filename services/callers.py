"""The caller of a read, kept with the position the read model had reached.

Every read checks its caller (their membership, roles and subject's standing)
in the read model, after settling it: finding where its projections stand, and
projecting anything the log holds beyond. A caller read after a settle that
found the read model at position P is at least as new as P. The next request
whose settle finds the read model still at P (and its tables not switched by a
rebuild since: the stand, ``(generation, P)``) can use it; a request that finds
it anywhere else (a role revoked, a member removed, anything projected since)
reads the caller again. So a change to a caller still counts from the next
request on, and an unchanged cluster is not asked the same question twice.
A caller holds the member's name: kept for a bounded time (services/kept.py).
"""

from __future__ import annotations

from services.dto import CallerInfo
from services.kept import Kept

KEPT_MAX = 4096  # (cluster, member) pairs; a few hundred bytes each

# Where a read model stood when it was read: (its generation, the position reached).
Stand = tuple[int, int]


class KnownCallers:
    def __init__(self, kept_max: int = KEPT_MAX) -> None:
        self._kept: Kept[tuple[str, str], tuple[Stand, CallerInfo]] = Kept(kept_max)

    def at(self, cluster_id: str, member_id: str, stand: Stand | None) -> CallerInfo | None:
        """The caller kept for a read model settled at ``stand``, if any."""
        if stand is None:
            return None
        found = self._kept.get((cluster_id, member_id))
        if found is None or found[0] != stand:
            return None
        return found[1]

    def keep(
        self, cluster_id: str, member_id: str, stand: Stand | None, caller: CallerInfo
    ) -> None:
        """Keeps a caller read after a settle that found the read model at
        ``stand`` (None: unknown, nothing kept)."""
        if stand is None or caller.member is None:
            return
        self._kept.put((cluster_id, member_id), (stand, caller))
