"""As-of views: the same projections, run over the log up to N into a scratch store.

There is no second implementation of any view: a cluster as of position N is
the live projection code applied to events 1..N.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from domain.errors import InvalidInput
from services.ports.storage import Partition, Partitions, ReadModel
from services.projections.projector import Projector

ERASED = "PersonErased"


class AsOfViews:
    """Builds (and keeps a few recent) scratch read models at a position."""

    def __init__(self, partitions: Partitions, projector: Projector, keep: int = 8) -> None:
        self.partitions = partitions
        self.projector = projector
        self.keep = keep
        # (cluster, position) -> the view, and the log's head when it was built
        self._cache: OrderedDict[tuple[str, int], tuple[ReadModel, int]] = OrderedDict()
        self._lock = threading.Lock()

    def at(self, partition: Partition, position: int, head: int) -> ReadModel:
        if not 1 <= position <= head:
            raise InvalidInput(
                f"asOf must be a position between 1 and the head ({head})", field="asOf"
            )
        key = (partition.cluster_id, position)
        with self._lock:
            kept = self._cache.get(key)
            if kept is not None:
                self._cache.move_to_end(key)
        if kept is not None and not self._erased_since(partition, kept[1], head):
            return kept[0]
        model = self.partitions.scratch(partition.cluster_id)
        self.projector.catch_up(
            f"{partition.cluster_id}@{position}",
            partition.log,
            model,
            partition.app.mapper,
            upto=position,
        )
        with self._lock:
            self._cache[key] = (model, head)
            while len(self._cache) > self.keep:
                self._cache.popitem(last=False)
        return model

    def _erased_since(self, partition: Partition, built_at: int, head: int) -> bool:
        """A person erased after the view was built: it holds their name, which
        the log no longer opens (docs/privacy.md), so it is built again."""
        if head <= built_at:
            return False
        return bool(partition.log.read(built_at, 1, types=[ERASED]))
