"""Which of a cluster's events still hold personal data in clear: those recorded
before personal fields were sealed (docs/privacy.md, "Logs from before
encryption"). The log is append-only, so they stay as they are; the report
tells the operator what is there and what can be done."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from eventsourcing.utils import resolve_topic

from domain.personal import PersonalFields, personal_fields
from services.personal_mapper import is_sealed
from services.ports.log import EventLog, iter_batches

BATCH = 1000


@dataclass(frozen=True)
class ClearPersonalData:
    events: int  # events with at least one personal value in clear
    first_position: int | None
    last_position: int | None


def personal_state(
    topic: str, state: bytes, transcoder: Any
) -> tuple[PersonalFields, dict[str, Any]] | None:
    """The personal fields an event of ``topic`` declares and its stored state,
    decoded but not decrypted; None (and nothing decoded) for an event without any."""
    spec = _personal_spec(topic)
    return None if spec is None else (spec, transcoder.decode(state))


@cache
def _personal_spec(topic: str) -> PersonalFields | None:
    return personal_fields(resolve_topic(topic))


def clear_personal_data(log: EventLog, transcoder: Any) -> ClearPersonalData:
    """Scans the stored bytes (nothing is decrypted or projected)."""
    count, first, last = 0, None, None
    for batch in iter_batches(log, 0, BATCH, None):
        for entry in batch:
            found = personal_state(entry.stored_event.topic, entry.stored_event.state, transcoder)
            if found is None:
                continue
            spec, state = found
            if any(
                state.get(name) is not None and not is_sealed(state.get(name))
                for name in spec.fields
            ):
                count += 1
                first = entry.position if first is None else first
                last = entry.position
    return ClearPersonalData(count, first, last)
