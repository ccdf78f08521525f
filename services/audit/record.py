"""What an export line says about an event, derived from its stored bytes only.

The exporter writes these fields and the offline verifier derives them again
from the same bytes, so an edited type, actor, time or data is caught even
though the chain hash covers only the stored bytes. Standard library only.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from services.chain import event_type

STAMP_KEYS = frozenset(
    {
        "timestamp",
        "originator_topic",
        "cluster_id",
        "actor_member_id",
        "actor_subject_id",
        "request_id",
    }
)


def describe_state(topic: str, state: bytes) -> dict[str, Any]:
    """type, occurredAt, actor, requestId and data of one stored event."""
    decoded = plain(json.loads(state))
    if not isinstance(decoded, dict):
        raise ValueError("stored event state is not a JSON object")
    return {
        "type": event_type(topic),
        "occurredAt": decoded.get("timestamp"),
        "actor": {
            "memberId": decoded.get("actor_member_id"),
            "subjectId": decoded.get("actor_subject_id"),
        },
        "requestId": decoded.get("request_id"),
        "data": {k: v for k, v in decoded.items() if k not in STAMP_KEYS},
    }


def plain(value: Any) -> Any:
    """Undoes the event store's JSON transcodings ({"_type_", "_data_"})."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            if value["_type_"] == "uuid_hex":
                return str(UUID(value["_data_"]))
            return plain(value["_data_"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
