"""The base aggregate: every event of Clusterwork carries its stamp."""

from __future__ import annotations

from dataclasses import field, fields

from eventsourcing.domain import Aggregate

from domain.stamp import current_stamp


class StampedAggregate(Aggregate):
    class Event(Aggregate.Event):
        # Every event class, including those ``@event("Name")`` generates from
        # this base, starts at version 1; a change of shape overrides it with
        # the next version and adds ``upcast_vN_vN+1`` (see Project.MilestonePlanned).
        # The library writes ``class_version`` only above 1, so the stored bytes
        # of version-1 events, and the hash chain over them, stay as they are.
        class_version = 1

        # ``timestamp`` (UTC) comes from the library; these four from the stamp.
        cluster_id: str | None = field(
            default_factory=lambda: current_stamp().cluster_id, init=False
        )
        actor_member_id: str | None = field(
            default_factory=lambda: current_stamp().member_id, init=False
        )
        actor_subject_id: str | None = field(
            default_factory=lambda: current_stamp().subject_id, init=False
        )
        request_id: str | None = field(
            default_factory=lambda: current_stamp().request_id, init=False
        )


# Event fields that describe the recording, not the fact; the log's ``data`` omits them.
STAMP_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "cluster_id",
        "actor_member_id",
        "actor_subject_id",
        "request_id",
    }
)


_FACT_NAMES: dict[type, tuple[str, ...]] = {}


def fact_names(event_class: type) -> tuple[str, ...]:
    """The fields of an event class that state the fact (its fields less the
    stamp), in declaration order; computed once per class."""
    names = _FACT_NAMES.get(event_class)
    if names is None:
        names = _FACT_NAMES[event_class] = tuple(
            f.name for f in fields(event_class) if f.name not in STAMP_FIELDS
        )
    return names


def facts(event: object) -> dict[str, object]:
    """The event's facts by field name: what a read model stores by name."""
    return {name: getattr(event, name) for name in fact_names(type(event))}
