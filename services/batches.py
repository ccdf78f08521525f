"""Per-request batching of the lookups a list's items make.

A list of n items whose fields each look up a related row (a member's subject,
a subject's members, an event's actor) would read n times. Instead, each item
*announces* the key it may ask for when it is built, which reads nothing; the
first item that actually asks reads every announced key still unknown in one
batch, and the others find theirs already known. A list whose items never ask
(the field was not selected) costs no read at all, and a single item reads
just its own row.

This is the DataLoader pattern, synchronous: resolvers run in one worker
thread per request (``graphql_api/schema.py``), where an asyncio loader could
never gather a batch. A ``Batched`` lives as long as the request's view of one
cluster (``ClusterScope``); what it reads is not remembered across requests (the
cluster's whole lists of members and subjects, which its batches read, are:
services/kept_registry.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Batched(Generic[K, V]):
    """Lookups by key: ``one`` reads a single key; ``many`` reads a batch of keys
    in one go and may answer more than it was asked (all of them are kept); a key
    that neither answers gets ``missing``."""

    def __init__(
        self,
        one: Callable[[K], V],
        many: Callable[[set[K]], Mapping[K, V]],
        missing: V,
    ) -> None:
        self._one = one
        self._many = many
        self._missing = missing
        self._known: dict[K, V] = {}
        self._announced: set[K] = set()

    def announce(self, key: K) -> None:
        """A key an item may ask for later; nothing is read now."""
        if key not in self._known:
            self._announced.add(key)

    def announce_many(self, keys: Iterable[K]) -> None:
        self._announced.update(k for k in keys if k not in self._known)

    def prime(self, found: Mapping[K, V]) -> None:
        """Rows already read elsewhere in this request."""
        self._known.update(found)
        self._announced.difference_update(found)

    def get(self, key: K) -> V:
        if key in self._known:
            return self._known[key]
        batch, self._announced = self._announced | {key}, set()
        if len(batch) == 1:
            self._known[key] = self._one(key)
        else:
            self._known.update(self._many(batch))
            for missed in batch.difference(self._known):
                self._known[missed] = self._missing
        return self._known[key]
