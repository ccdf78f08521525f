"""Rows of the ``event_chain`` table for newly stored events.

The chain table gives each event its gapless position (PostgreSQL sequences
leave gaps after a failed insert; positions must not) and its chain hash. Both
recorders fill it inside the very transaction that stores the events, while
holding the write lock, so an event never exists without its position and hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from services.chain import canonical_bytes, event_type, genesis, link

ChainRow = tuple[int, UUID, int, str, str]  # position, aggregate, version, type, hash


def chain_rows(
    cluster_id: str, last: tuple[int, str] | None, stored_events: Sequence[StoredEvent]
) -> list[ChainRow]:
    position, previous = last if last else (0, genesis(cluster_id))
    rows: list[ChainRow] = []
    for stored in stored_events:
        position += 1
        aggregate_id = UUID(str(stored.originator_id))
        previous = link(
            previous,
            canonical_bytes(
                position, str(aggregate_id), stored.originator_version, stored.topic, stored.state
            ),
        )
        rows.append(
            (position, aggregate_id, stored.originator_version, event_type(stored.topic), previous)
        )
    return rows
